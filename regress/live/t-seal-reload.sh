# Make-before-break (issue 15): 20 reloads that change the client's plan
# (route lines added and removed, and the firewall backend swapped from
# nftables to iptables and back) while iperf3 and a ping run through
# the tunnel and probes try to get out around it.  Each dsvpnctl reload
# answers once netcfg has applied it (the route is there, or gone, when
# it returns), the seal never goes, no ping is lost and no packet leaves
# the underlay outside the tunnel; the log has one line per reload, and
# per SIGHUP, whether it worked or not.
# timeout: 180
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v iperf3 >/dev/null || skip "needs iperf3"
command -v jq >/dev/null || skip "needs jq"
live_pair
live_keygen
live_conf server server
live_conf client client
live_up
NET_A=198.51.100.0/24
NET_B=203.0.113.0/24

ip netns exec "$NS_S" iperf3 -s -D -B "$SRV_TUN4" -I "$LIVE_DIR/iperf.pid" \
    --logfile "$LIVE_DIR/iperf.log"
wait_for 5 test -s "$LIVE_DIR/iperf.pid" || fail "iperf3 server did not start"
PIDS="$PIDS $(cat "$LIVE_DIR/iperf.pid")"
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :5201"
leak_watch_start
probe_start
# Paced below what the tunnel carries: a saturating flow builds a
# standing queue, and the data path's CoDel then drops (pings too) by
# design; what this test counts is loss the reloads would cause.
ip netns exec "$NS_C" iperf3 -c "$SRV_TUN4" -t 40 -b 200M -J \
    >"$LIVE_DIR/bulk.json" &
bulk=$!
PIDS="$PIDS $bulk"
ip netns exec "$NS_C" ping -c 400 -i 0.1 "$SRV_TUN4" >"$LIVE_DIR/ping.out" &
pinger=$!
PIDS="$PIDS $pinger"

has_route() { ip -n "$NS_C" route show "$1" | grep -q "dev tun0"; }

t0=$(date +%s)
for i in $(seq 1 20); do
	set --
	case $((i % 4)) in
	1) set -- "route $NET_A" ;;
	2) set -- "route $NET_A" "route $NET_B" ;;
	3) set -- "route $NET_B" ;;
	esac
	[ $((i % 5)) -eq 0 ] && set -- "$@" "firewall iptables"
	live_conf client client "$@"
	out=$(ctl client reload 2>&1) || fail "reload $i: $out"
	# The answer comes after netcfg: the plan is in when it returns.
	case $((i % 4)) in
	1|2) has_route "$NET_A" || fail "reload $i: $NET_A not routed" ;;
	*) has_route "$NET_A" && fail "reload $i: $NET_A still routed" ;;
	esac
	case $((i % 4)) in
	2|3) has_route "$NET_B" || fail "reload $i: $NET_B not routed" ;;
	*) has_route "$NET_B" && fail "reload $i: $NET_B still routed" ;;
	esac
	if [ $((i % 5)) -eq 0 ]; then
		ip netns exec "$NS_C" iptables -S DSVPND-OUT >/dev/null 2>&1 ||
		    fail "reload $i: no iptables kill switch"
	else
		sealed || fail "reload $i: no nftables kill switch"
	fi
	session_up client || fail "reload $i: the session went down"
done
echo "20 reloads in $(( $(date +%s) - t0 )) s"
[ "$(grep -c 'reloaded' "$LIVE_DIR/client.log")" -eq 20 ] ||
    fail "not one log line per reload: $(grep -c reloaded "$LIVE_DIR/client.log")"

note "the ping and the bulk transfer across them"
wait "$pinger" 2>/dev/null
tail -n 2 "$LIVE_DIR/ping.out"
grep -q " 0% packet loss" "$LIVE_DIR/ping.out" || fail "pings were lost"
wait "$bulk" 2>/dev/null || fail "iperf3 failed across the reloads"
jq -e '.end.sum_sent.bytes > 0' "$LIVE_DIR/bulk.json" >/dev/null ||
    fail "iperf3 sent nothing"
echo "iperf3: $(jq '.end.sum_sent.retransmits' "$LIVE_DIR/bulk.json") retransmits"
note "SIGHUP: the same, one line when it worked, one when it did not"
live_conf client client "route $NET_A"
kill -HUP "$(live_pid client)"
wait_for 10 has_route "$NET_A" || fail "SIGHUP: $NET_A not routed"
wait_for 5 sh -c "[ \$(grep -c reloaded $LIVE_DIR/client.log) -ge 21 ]" ||
    fail "SIGHUP: no log line"
echo "frobnicate" >>"$LIVE_DIR/client.conf"
kill -HUP "$(live_pid client)"
wait_for 5 grep -q "reload failed" "$LIVE_DIR/client.log" ||
    fail "a failed SIGHUP logged nothing"
[ "$(grep -c 'reloaded' "$LIVE_DIR/client.log")" -eq 21 ] &&
    [ "$(grep -c 'reload failed' "$LIVE_DIR/client.log")" -eq 1 ] ||
    fail "not one line per SIGHUP"
has_route "$NET_A" || fail "a failed SIGHUP changed the plan"
probe_stop
leak_watch_stop
leak_check "across 20 reloads and two SIGHUPs"
live_stop client || fail "client did not stop"
live_stop server || fail "server did not stop"
echo ok
