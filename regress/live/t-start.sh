# A daemonizing start (no -d) returns only once the daemon is up and its
# network configuration applied, exit 0; or exit 1 with the one-line
# reason on stderr, leaving nothing behind: an unknown user (not blamed
# on the control socket), a netcfg plan that fails, another dsvpnd on
# the same lock.
# timeout: 150
. "$SRCDIR/regress/lib/live.sh"
live_init
live_pair
live_keygen
live_conf server server
live_conf client client

no_tun() { ! ip -n "$1" link show | grep -q ' tun'; }

expect_refused() {	# NAME WANT: exit 1, WANT in one line on stderr
	[ "$DAEMON_RC" -eq 1 ] || fail "$1: exit $DAEMON_RC, want 1"
	[ "$(wc -l <"$LIVE_DIR/$1.err")" -eq 1 ] ||
	    fail "$1: want one line on stderr, got: $(cat "$LIVE_DIR/$1.err")"
	grep -qF "dsvpnd: $2" "$LIVE_DIR/$1.err" ||
	    fail "$1: want \"$2\", got: $(cat "$LIVE_DIR/$1.err")"
	wait_for 10 ns_empty "$NS_S" || fail "$1: a process was left behind"
	no_tun "$NS_S" || fail "$1: a TUN device was left behind"
}

note "unknown user: said at once, not blamed on the control socket"
live_conf baduser server 'user "nosuchuser_dsvpnd"'
live_daemon baduser "$NS_S"
expect_refused baduser "user nosuchuser_dsvpnd does not exist"
grep -q "control socket" "$LIVE_DIR/baduser.err" &&
    fail "the unknown user is blamed on the control socket"

note "a netcfg plan that fails: nat on egress with no default route"
ip -n "$NS_S" route del default
ip -n "$NS_S" -6 route del default
live_daemon server "$NS_S"
expect_refused server \
    "network configuration failed: nat on egress: no default route"
ip -n "$NS_S" route add default via $REMOTE_IP
ip -n "$NS_S" -6 route add default via $REMOTE_IP6

note "a server: exit 0 only once its addresses and rules are in"
live_daemon server "$NS_S"
[ "$DAEMON_RC" -eq 0 ] ||
    fail "server: exit $DAEMON_RC: $(cat "$LIVE_DIR/server.err")"
# No waiting here: the start said it is done.
ip -n "$NS_S" addr show | grep -q "inet $SRV_TUN4 " ||
    fail "server returned before its tunnel address was set"
ip netns exec "$NS_S" nft list table inet dsvpnd >/dev/null 2>&1 ||
    ip netns exec "$NS_S" iptables -t nat -S 2>/dev/null | grep -q DSVPND ||
    fail "server returned before its NAT rules were in"
[ -s "$LIVE_DIR/server.err" ] &&
    fail "a good start printed: $(cat "$LIVE_DIR/server.err")"

note "a second start on the same lock is refused, the first untouched"
before=$(snapshot "$NS_S")
live_conf second server
sed -i "s|$LIVE_DIR/second.sock|$LIVE_DIR/server.sock|" "$LIVE_DIR/second.conf"
timeout 60 ip netns exec "$NS_S" "$DSVPND" -f "$LIVE_DIR/second.conf" \
    2>"$LIVE_DIR/second.err"
rc=$?
[ $rc -eq 1 ] || fail "second start: exit $rc, want 1"
grep -q "another dsvpnd is running (pid $(live_pid server)" \
    "$LIVE_DIR/second.err" || fail "second start: $(cat "$LIVE_DIR/second.err")"
alive "$(live_pid server)" || fail "the first server died"
[ "$(snapshot "$NS_S")" = "$before" ] ||
    fail "the refused start changed the first one's network state"

note "a client: exit 0 once its tunnel runs, then a session"
live_daemon client "$NS_C"
[ "$DAEMON_RC" -eq 0 ] ||
    fail "client: exit $DAEMON_RC: $(cat "$LIVE_DIR/client.err")"
wait_for 20 session_up client || fail "no session within 20 s"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping through the tunnel"

note "stop both"
for n in client server; do
	pid=$(live_pid $n)
	kill -TERM "$pid"
	wait_for 15 sh -c "! kill -0 $pid 2>/dev/null" || fail "$n did not stop"
done
wait_for 10 no_tun "$NS_S" || fail "the server's TUN is left"
wait_for 10 ns_empty "$NS_S" && wait_for 10 ns_empty "$NS_C" ||
    fail "processes left behind"
echo "ok"
