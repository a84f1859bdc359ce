# Sessions up and down (issue 15): the server restarted four times under
# a client with a default route.  While the session is down the seal
# holds (the client says connecting, probes get nowhere), each time it
# comes back the client says up only with its plan in place, so pings
# sent at once lose nothing, and in all that time no packet leaves the
# client's underlay outside the tunnel.
# timeout: 180
. "$SRCDIR/regress/lib/live.sh"
live_init
live_pair
live_keygen
live_conf server server
# The default backoff: a session the server ended as it shut down
# resets it (parent/connect.c), short as these sessions are, so the
# client retries within the 10 s each cycle waits.
live_conf client client "keepalive 1" "dead-peer timeout 4"
live_up
leak_watch_start
probe_start
for i in 1 2 3 4; do
	note "cycle $i: the server goes"
	live_stop server || fail "cycle $i: server did not stop"
	wait_for 10 sh -c "! ip netns exec $NS_C $DSVPNCTL -s $LIVE_DIR/client.sock status | grep -q 'state: *up'" ||
	    fail "cycle $i: the client did not notice"
	sealed || fail "cycle $i: no seal while the server is down"
	n0=$(grep -c 'cannot reach' "$LIVE_DIR/client.log")
	wait_for 10 sh -c "[ \$(grep -c 'cannot reach' $LIVE_DIR/client.log) -gt $n0 ]" ||
	    fail "cycle $i: the client did not retry"
	note "cycle $i: the server is back"
	live_start server "$NS_S"
	wait_for 30 session_up client || fail "cycle $i: no session within 30 s"
	ip netns exec "$NS_C" ping -q -c 10 -i 0.1 "$SRV_TUN4" |
	    grep -q " 0% packet loss" || fail "cycle $i: pings after up were lost"
	ip netns exec "$NS_C" ping -q -c 5 -i 0.1 "$SRV_TUN6" |
	    grep -q " 0% packet loss" || fail "cycle $i: v6 pings after up were lost"
	[ "$(leak_count)" -eq 0 ] || leak_check "cycle $i"
done
probe_stop
leak_watch_stop
leak_check "four session cycles"
live_stop client || fail "client did not stop"
live_stop server || fail "server did not stop"
echo ok
