# A server given by name under the seal (issue 15): the client's
# resolver child, running as the unprivileged user, is the one process
# whose lookups (port 53) leave outside the tunnel, and the rule for its
# uid routes them around it, so the name resolves at the first start
# and again while the session is down.  The same port 53 from root stays
# in; nothing else leaks.  A DNS stand-in (regress/tools/dnstool) in the
# server's namespace answers for vpn.test.
# timeout: 120
. "$SRCDIR/regress/lib/live.sh"
live_init
DNSTOOL=$BUILDDIR/regress/tools/dnstool
[ -x "$DNSTOOL" ] || fail "no $DNSTOOL"
live_pair
live_keygen
live_conf server server
live_conf client client
sed -i "s/^connect to $SRV_IP /connect to vpn.test /" "$LIVE_DIR/client.conf"
netns_resolv "$NS_C" "$SRV_IP"
ip netns exec "$NS_S" "$DNSTOOL" "$SRV_IP" vpn.test "$SRV_IP" \
    >"$LIVE_DIR/dns.log" 2>&1 &
PIDS="$PIDS $!"
LEAK_EXTRA="dst host $SRV_IP and udp dst port 53"
live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
probe_start
live_start client "$NS_C"
wait_for 10 sealed || fail "no seal"
leak_watch_start
wait_for 30 session_up client || fail "no session with the server by name"
grep -q "query vpn.test 1" "$LIVE_DIR/dns.log" || fail "no A query seen"
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP" || fail "no traffic"
ip -n "$NS_C" rule show | grep -q "uidrange" || fail "no rule for the resolver"

note "port 53 from root does not get out"
ip netns exec "$NS_C" sh -c "for i in 1 2 3; do echo x |
    nc -u -w 0 $SRV_IP 53; done" 2>/dev/null
wait_for 2 grep -q "^bad" "$LIVE_DIR/dns.log" &&
    fail "root's datagrams to port 53 reached the server"

note "the name resolves again while the session is down"
q0=$(grep -c "^query" "$LIVE_DIR/dns.log")
live_stop server || fail "server did not stop"
live_start server "$NS_S"
wait_for 40 session_up client || fail "no session after the restart"
[ "$(grep -c "^query" "$LIVE_DIR/dns.log")" -gt "$q0" ] ||
    fail "the client did not resolve the name again"
probe_stop
leak_watch_stop
leak_check "with the server given by name"
live_stop client || fail "client did not stop"
live_stop server || fail "server did not stop"
echo ok
