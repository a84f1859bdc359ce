# Fail closed from the start (issue 15): a client with a default route
# ("block outside" by default) starts while its server is down.  Its seal
# is in before its first connection attempt, and from then on, while
# probes keep sending to the far host, nothing leaves its underlay but
# the transport and link-local control: while it waits for the server,
# while the session comes up and carries traffic, and while it stops,
# until its seal, the last thing it removes, has gone.  A client with
# "no block outside" is open while it connects, and says up only with
# its routes in place.
# timeout: 120
. "$SRCDIR/regress/lib/live.sh"
live_init
live_pair
live_keygen
live_conf server server
live_conf client client

note "the client starts with its server down"
probe_start
live_start client "$NS_C"
wait_for 10 sealed || fail "no seal within 10 s"
leak_watch_start
# Its first connection came after the seal: the log says so in order.
wait_for 10 grep -q "cannot reach" "$LIVE_DIR/client.log" ||
    fail "the client did not try to connect"
awk '/network configuration applied/ { s = NR }
    /cannot reach|connected to/ { if (!s) exit 1; exit 0 }' \
    "$LIVE_DIR/client.log" || fail "a connection attempt before the seal"
ctl client status | grep -qE 'state: *connecting' ||
    fail "status does not say connecting"
note "probes while it retries"
n0=$(grep -c 'cannot reach' "$LIVE_DIR/client.log")
wait_for 20 sh -c "[ \$(grep -c 'cannot reach' $LIVE_DIR/client.log) -ge $((n0 + 2)) ]" ||
    fail "fewer than 2 more attempts in 20 s"
[ "$(leak_count)" -eq 0 ] || leak_check "while the server was down"

note "the server comes up"
live_start server "$NS_S"
wait_for 40 session_up client || fail "no session within 40 s"
# "up" means the plan is in: traffic passes at once, none lost.
ip netns exec "$NS_C" ping -q -c 10 -i 0.1 "$SRV_TUN4" | grep -q " 0% packet loss" ||
    fail "pings right after session up were lost"
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP" || fail "no traffic through the server"
leak_check "before and while the session came up"

note "the client stops: its seal goes last"
seal_watch
live_stop client || fail "client did not stop"
seal_gone 10
probe_stop
leak_watch_stop
leak_check "while the client stopped" "$SEAL_UNTIL"

note "no block outside: open while connecting, up only with its routes"
live_stop server || fail "server did not stop"
live_conf open client "no block outside"
live_start open "$NS_C"
wait_for 10 grep -q "cannot reach" "$LIVE_DIR/open.log" ||
    fail "the open client did not try to connect"
sealed && fail "a client with no block outside is sealed"
ip -n "$NS_C" rule show | grep -q 42069 &&
    fail "the open client routes into the tunnel before its session"
ping_ok "$NS_C" "$SRV_IP" || fail "the open client cannot reach its LAN"
live_start server "$NS_S"
wait_for 40 session_up open || fail "no session for the open client"
ip -n "$NS_C" rule show | grep -q 42069 || fail "up without its routes"
ip netns exec "$NS_C" ping -q -c 10 -i 0.1 "$REMOTE_IP" | grep -q " 0% packet loss" ||
    fail "pings right after the open client's session up were lost"
live_stop open || fail "the open client did not stop"
live_stop server || fail "server did not stop"
echo ok
