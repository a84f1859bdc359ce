# dsvpnctl against real daemons in two namespaces: status while the
# client is connecting and once it is up (peer, interface, counters that
# grow with traffic, valid JSON), reload with a bad file reporting
# file:line and a good one, log levels, a member of the socket's group
# reading status but refused the rest, a version mismatch refused, and
# hostile clients and a thousand connections on the control socket while
# a ping runs through the tunnel without loss.
# timeout: 240
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v jq >/dev/null || skip "needs jq"
[ -d "$DSVPNCTL" ] && DSVPNCTL=$DSVPNCTL/dsvpnctl
HOSTILE=$BUILDDIR/regress/ctl/hostile
[ -x "$HOSTILE" ] || fail "no $HOSTILE"
live_pair
live_keygen
live_conf server server
live_conf client client

note "status while connecting: the client starts before its server"
live_start client "$NS_C"
wait_for 10 test -S "$LIVE_DIR/client.sock" || fail "client did not start"
out=$(ctl client status) || fail "status failed"
echo "$out"
echo "$out" | grep -qE '^role: +client$' || fail "no role line"
echo "$out" | grep -qE '^state: +(connecting|handshaking)' ||
    fail "client not connecting"
ctl client status -j | jq -e '.state == "connecting" or
    .state == "handshaking"' >/dev/null || fail "status -j while connecting"

note "status once up: peer, interface, addresses, counters"
live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
wait_for 40 session_up client || fail "no session within 40 s"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping through the tunnel"
out=$(ctl client status)
echo "$out"
echo "$out" | grep -qE "^peer: +$SRV_IP:443\$" || fail "no peer line"
echo "$out" | grep -qE "^inet: +$CLI_TUN4 -> $SRV_TUN4 \(pushed\)\$" || fail "no inet"
echo "$out" | grep -qE '^interface: +tun' || fail "no interface"
ctl server status | grep -qE '^state: +up since' || fail "server not up"
j=$(ctl client status -j) || fail "status -j failed"
echo "$j" | jq -e '.role == "client" and .state == "up" and
    .peer.address == "'$SRV_IP'" and .peer.port == 443 and
    .stats.sessions >= 1 and .stats.last_handshake > 0 and
    (.sandbox | length) > 0' >/dev/null || fail "status -j: $j"
b1=$(bytes_out client)
p1=$(ctl client status -j | jq .stats.packets_out)
ip netns exec "$NS_C" ping -q -c 10 -i 0.1 "$SRV_TUN4" >/dev/null
wait_for 5 sh -c "[ \$($DSVPNCTL -s $LIVE_DIR/client.sock status -j |
    jq .stats.bytes_out) -gt $b1 ]" || fail "bytes_out did not grow"
# The tunnel pushes its counters once a second: wait for all ten.
wait_for 5 sh -c "[ \$($DSVPNCTL -s $LIVE_DIR/client.sock status -j |
    jq .stats.packets_out) -ge $((p1 + 10)) ]" ||
    fail "packets_out did not grow by 10 from $p1 after 10 pings"

note "reload: a bad file changes nothing and says where"
cp "$LIVE_DIR/client.conf" "$LIVE_DIR/client.good"
echo "no such keyword here" >>"$LIVE_DIR/client.conf"
line=$(wc -l <"$LIVE_DIR/client.conf" | tr -d ' ')
if ctl client reload >"$LIVE_DIR/out" 2>"$LIVE_DIR/err"; then
	fail "a bad reload exited 0"
fi
cat "$LIVE_DIR/err"
grep -q "client.conf:$line:" "$LIVE_DIR/err" || fail "no file:line in the error"
session_up client || fail "the failed reload broke the session"
cp "$LIVE_DIR/client.good" "$LIVE_DIR/client.conf"
[ "$(ctl client reload)" = reloaded ] || fail "good reload"
ctl client log verbose >/dev/null || fail "log verbose"
ctl client log brief >/dev/null || fail "log brief"

note "a member of the socket's group: status yes, the rest denied"
# The socket's group is _dsvpnd's; its member must reach the socket.
chmod 711 "${TMPDIR:-/tmp}"
if setpriv --reuid=_dsvpnd --regid="$(id -g _dsvpnd)" --clear-groups \
    test -x "$DSVPNCTL" 2>/dev/null; then
	as_user() {
		setpriv --reuid=_dsvpnd --regid="$(id -g _dsvpnd)" \
		    --clear-groups "$DSVPNCTL" -s "$LIVE_DIR/client.sock" "$@"
	}
	as_user status >/dev/null || fail "group member cannot read status"
	as_user reload 2>"$LIVE_DIR/err" && fail "group member may reload"
	grep -q ': denied$' "$LIVE_DIR/err" ||
	    fail "reload: $(cat "$LIVE_DIR/err")"
	as_user log verbose 2>"$LIVE_DIR/err" && fail "group member may log"
	grep -q ': denied$' "$LIVE_DIR/err" ||
	    fail "log: $(cat "$LIVE_DIR/err")"
else
	echo "note: _dsvpnd cannot run $DSVPNCTL here, group check left out"
fi

note "a protocol version mismatch is refused"
DSVPNCTL_PROTOCOL=99 ctl client status 2>"$LIVE_DIR/err" &&
    fail "version 99 accepted"
cat "$LIVE_DIR/err"
grep -q 'version mismatch' "$LIVE_DIR/err" || fail "no mismatch message"

note "hostile control clients and 1000 connections while pinging"
ip netns exec "$NS_C" ping -q -c 100 -i 0.2 "$SRV_TUN4" >"$LIVE_DIR/ping" &
ping_pid=$!
PIDS="$PIDS $ping_pid"
"$HOSTILE" -s "$LIVE_DIR/client.sock" -t 30 garbage oversized truncated \
    unknown nohello noread fdpass || fail "a hostile client was not dropped"
"$HOSTILE" -s "$LIVE_DIR/client.sock" -n 1000 flood ||
    fail "flood"
"$HOSTILE" -s "$LIVE_DIR/server.sock" -t 30 garbage noread ||
    fail "a hostile client of the server was not dropped"
wait $ping_pid
cat "$LIVE_DIR/ping"
grep -q " 0% packet loss" "$LIVE_DIR/ping" || fail "the ping lost packets"
alive "$(live_pid client)" || fail "the client daemon died"
alive "$(live_pid server)" || fail "the server daemon died"
session_up client || fail "the session went down"
ctl client status -j | jq -e '.state == "up"' >/dev/null ||
    fail "status after the hostile clients"

live_stop client || fail "client did not stop"
live_stop server || fail "server did not stop"
echo "dsvpnctl live checks passed"
