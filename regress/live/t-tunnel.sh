# The data path end to end: a server and a client in two namespaces,
# ping v4 and v6, fragmented and full-MTU pings, a flood ping with no
# loss, bulk TCP both ways with the data checked, memory flat under
# load, and the counters that dsvpnctl reports growing with the traffic.
# timeout: 240
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v iperf3 >/dev/null || skip "needs iperf3"
live_pair
live_keygen
live_conf server server
live_conf client client
live_up

note "ping v4 and v6"
ip netns exec "$NS_C" ping -q -c 5 -i 0.2 "$SRV_TUN4" | grep -q " 0% packet loss" ||
    fail "v4 ping lost packets"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN6" || fail "no v6 ping"
ip netns exec "$NS_C" ping -q -c 5 -i 0.2 "$SRV_TUN6" | grep -q " 0% packet loss" ||
    fail "v6 ping lost packets"

note "ping -s 2000 (fragmented inner packets) and -s MTU-28"
ip netns exec "$NS_C" ping -q -c 5 -i 0.2 -s 2000 "$SRV_TUN4" |
    grep -q " 0% packet loss" || fail "ping -s 2000 lost packets"
mtu=$(ip -n "$NS_C" -o link show | awk '/tun/ { for (i = 1; i < NF; i++) if ($i == "mtu") print $(i+1) }' | head -n1)
[ -n "$mtu" ] || fail "no tun interface in the client namespace"
ip netns exec "$NS_C" ping -q -c 5 -i 0.2 -M do -s $((mtu - 28)) "$SRV_TUN4" |
    grep -q " 0% packet loss" || fail "ping -s $((mtu - 28)) lost packets"

note "flood ping, 10000 packets"
out=$(ip netns exec "$NS_C" ping -q -f -c 10000 -w 60 "$SRV_TUN4")
echo "$out" | tail -n 2
echo "$out" | grep -q " 0% packet loss" || fail "flood ping lost packets"

note "bulk TCP both ways"
ip netns exec "$NS_S" iperf3 -s -D -B "$SRV_TUN4" --logfile "$LIVE_DIR/iperf.log" \
    -I "$LIVE_DIR/iperf.pid"
wait_for 5 test -s "$LIVE_DIR/iperf.pid" || fail "iperf3 server did not start"
PIDS="$PIDS $(cat "$LIVE_DIR/iperf.pid")"
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :5201"
ip netns exec "$NS_C" iperf3 -c "$SRV_TUN4" -t 10 --bidir -J >"$LIVE_DIR/bidir.json" ||
    fail "iperf3 --bidir failed"
if command -v jq >/dev/null; then
	up=$(jq '.end.sum_sent.bits_per_second' "$LIVE_DIR/bidir.json")
	down=$(jq '.end.sum_received_bidir_reverse.bits_per_second // .end.sum_received.bits_per_second' "$LIVE_DIR/bidir.json")
	echo "bidir: up $up bit/s, down $down bit/s"
fi

note "memory stays flat under load (no more than one queue comes and goes)"
rss() { awk '/^VmRSS:/ { print $2 }' /proc/$(child_pid "$(live_pid $1)" tunnel)/status; }
rss_s0=$(rss server) rss_c0=$(rss client)
ip netns exec "$NS_C" iperf3 -c "$SRV_TUN4" -t 5 --bidir >/dev/null ||
    fail "second iperf3 failed"
rss_s1=$(rss server) rss_c1=$(rss client)
echo "tunnel RSS kB after 10 s of load, then 5 s more: server $rss_s0 -> $rss_s1, client $rss_c0 -> $rss_c1"
# A session takes its output queue (at most 1 MiB, DP_QUEUE_CAP) only
# while it has bytes in flight, and malloc may keep it resident once
# freed: that much may come and go; a leak under load grows past it.
[ $((rss_s1 - rss_s0)) -lt 1536 ] || fail "server tunnel grew $((rss_s1 - rss_s0)) kB"
[ $((rss_c1 - rss_c0)) -lt 1536 ] || fail "client tunnel grew $((rss_c1 - rss_c0)) kB"

note "a file through the tunnel, checksummed"
head -c 20000000 /dev/urandom >"$LIVE_DIR/blob"
want=$(sha256sum <"$LIVE_DIR/blob" | cut -d' ' -f1)
ip netns exec "$NS_S" sh -c "timeout 60 nc -l -N -s $SRV_TUN4 -p 9000 | sha256sum | cut -d' ' -f1 >$LIVE_DIR/got" &
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :9000" || fail "nc did not listen"
ip netns exec "$NS_C" timeout 60 nc -N "$SRV_TUN4" 9000 <"$LIVE_DIR/blob" || fail "nc send failed"
wait_for 30 test -s "$LIVE_DIR/got" || fail "no checksum from the receiver"
[ "$(cat "$LIVE_DIR/got")" = "$want" ] || fail "the file arrived altered"

note "counters"
ctl client status
b1=$(bytes_out client)
ip netns exec "$NS_C" ping -q -c 20 -i 0.05 -s 1000 "$SRV_TUN4" >/dev/null
# The tunnel reports its counters once a second.
wait_for 5 sh -c "[ \$("$DSVPNCTL" -s "$LIVE_DIR/client.sock" status -j | jq '.stats.bytes_out') -gt $b1 ]" ||
    fail "bytes_out did not grow from $b1"

live_stop client || fail "client did not stop"
live_stop server || fail "server did not stop"
echo ok
