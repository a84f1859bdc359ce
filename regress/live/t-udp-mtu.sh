# Path MTU over UDP, where ICMP is filtered: client, a middle router and
# server in three namespaces; the middle's link to the server has the
# MTU under test and the middle drops every ICMP "fragmentation needed"
# and ICMPv6 "packet too big" it would forward or send, so only the
# tunnel's own probing (PLPMTUD) can find the path MTU (the ends' own
# interfaces stay at 1500).  For underlay
# MTUs 1500, 1400 and 1280: the client finds exactly that path MTU, its
# TUN MTU is the path MTU less 61 bytes (IPv4 outer header, UDP, the
# datagram's 33), and a ping with DF of every size up to the TUN MTU
# gets through.  Then, with iperf3 running over a 1500-byte path, the
# middle link drops to 1400: the tunnel notices the black hole, finds
# 1400, iperf3 completes, and pings of the new full size get through.
# The clear-text watcher runs on the client's underlay throughout.
# timeout: 240
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v jq >/dev/null || skip "needs jq"
command -v nft >/dev/null || skip "needs nft"
command -v iperf3 >/dev/null || skip "needs iperf3"
SRV_IP=198.18.1.1
MID_C=198.18.0.254
MID_S=198.18.1.254

mtu_net() {
	ip netns add "$NS_S" && ip netns add "$NS_C" && ip netns add "$NS_M" ||
	    fail "netns add"
	ip link add v-c netns "$NS_C" type veth peer name v-mc netns "$NS_M" &&
	    ip link add v-s netns "$NS_S" type veth peer name v-ms \
	    netns "$NS_M" || fail "veth"
	ip -n "$NS_C" addr add $CLI_IP/24 dev v-c
	ip -n "$NS_M" addr add $MID_C/24 dev v-mc
	ip -n "$NS_M" addr add $MID_S/24 dev v-ms
	ip -n "$NS_S" addr add $SRV_IP/24 dev v-s
	for l in "$NS_C v-c" "$NS_M v-mc" "$NS_M v-ms" "$NS_S v-s" \
	    "$NS_C lo" "$NS_M lo" "$NS_S lo"; do
		set -- $l
		ip -n "$1" link set "$2" up
	done
	ip -n "$NS_C" route add default via $MID_C
	ip -n "$NS_S" route add default via $MID_S
	ip netns exec "$NS_M" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$NS_M" nft -f - <<NFT || fail "nft"
table inet noicmp {
	chain output {
		type filter hook output priority 0; policy accept;
		icmp type destination-unreachable icmp code frag-needed counter drop
		icmpv6 type packet-too-big counter drop
	}
	chain forward {
		type filter hook forward priority 0; policy accept;
		icmp type destination-unreachable icmp code frag-needed counter drop
		icmpv6 type packet-too-big counter drop
	}
}
NFT
}

# Both of the middle's links: the ends' own stay at 1500, so neither
# learns the path from its interface, only by probing.
middle_mtu() {
	ip -n "$NS_M" link set v-ms mtu "$1" && ip -n "$NS_M" link set v-mc \
	    mtu "$1" || fail "mtu $1"
}

path_mtu() { ctl client status -j | jq '.path_mtu'; }
tun_mtu() { ctl client status -j | jq '.tun_mtu'; }
path_is() { [ "$(path_mtu)" = "$1" ]; }
# The server's own search, for its session with the client.
srv_path_is() {
	[ "$(ctl server status -j | jq '.clients[0].path_mtu')" = "$1" ]
}

# Every size with DF, up to the TUN MTU, in 16 shards at once: the
# number that failed (the first few failing sizes on stderr).
ping_shard() {
	ip netns exec "$NS_C" sh -c "s=$1; while [ \$s -le $2 ]; do
		ping -q -c 1 -W 1 -M do -s \$s $SRV_TUN4 >/dev/null 2>&1 ||
		    echo \$s
		s=\$((s + 16))
	done"
}
ping_every() {
	local top=$(($1 - 28)) k pids=
	for k in $(seq 0 15); do
		ping_shard "$k" "$top" >"$LIVE_DIR/shard.$k" &
		pids="$pids $!"
	done
	wait $pids
	cat "$LIVE_DIR"/shard.* | sort -n | head -n 5 | tr '\n' ' ' >&2
	cat "$LIVE_DIR"/shard.* | wc -l
	rm -f "$LIVE_DIR"/shard.*
}

mtu_net
live_keygen
LIVE_TRANSPORT=udp
live_conf server server
leak_watch_start
for m in 1500 1400 1280; do
	note "underlay path MTU $m"
	middle_mtu "$m"
	LIVE_PATH_MTU=$m
	if [ "$m" -lt 1341 ]; then
		# Below 1280 + 61 an IPv6 TUN could not follow the path.
		live_conf client client "tunnel auto {" "no inet6" "}"
	else
		live_conf client client
	fi
	live_up
	wait_for 20 path_is "$m" || fail "path mtu $(path_mtu), not $m"
	wait_for 20 srv_path_is "$m" || fail "server: path mtu not $m"
	want=$((m - 61))
	[ "$(tun_mtu)" = "$want" ] || fail "tun mtu $(tun_mtu), not $want"
	wait_for 5 sh -c "ip -n $NS_C link show | grep -q 'mtu $want '" ||
	    fail "the TUN has not mtu $want"
	bad=$(ping_every "$want")
	echo "path $m, tun $want: $bad of $((want - 27)) ping sizes failed"
	[ "$bad" -eq 0 ] || fail "$bad ping sizes failed at path mtu $m"
	live_stop client || fail "client did not stop"
	live_stop server || fail "server did not stop"
done

note "mid-session drop from 1500 to 1400 under iperf3"
middle_mtu 1500
LIVE_PATH_MTU=1500
live_conf client client
live_up
wait_for 20 path_is 1500 || fail "path mtu $(path_mtu), not 1500"
ip netns exec "$NS_S" iperf3 -s -D -B "$SRV_TUN4" -I "$LIVE_DIR/iperf.pid" \
    --logfile "$LIVE_DIR/iperf.log"
wait_for 5 test -s "$LIVE_DIR/iperf.pid" || fail "iperf3 server did not start"
PIDS="$PIDS $(cat "$LIVE_DIR/iperf.pid")"
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :5201"
timeout 60 ip netns exec "$NS_C" iperf3 -c "$SRV_TUN4" -t 15 -J \
    >"$LIVE_DIR/drop.json" &
IPERF=$!
PIDS="$PIDS $IPERF"
wait_for 10 sh -c "ip netns exec $NS_S ss -tn | grep -q :5201" ||
    fail "iperf3 did not connect"
sleep 3	# traffic at the full size before the drop (a duration, not a wait)
middle_mtu 1400
t0=$(date +%s)
wait_for 20 path_is 1400 || fail "path mtu $(path_mtu) after the drop"
echo "path mtu 1400 found $(($(date +%s) - t0)) s after the drop"
wait_for 40 srv_path_is 1400 || fail "the server's path mtu: $(ctl server \
    status -j | jq '.clients[0].path_mtu')"
echo "and by the server $(($(date +%s) - t0)) s after it"
wait "$IPERF" || fail "iperf3 failed across the drop"
bps=$(jq '.end.sum_received.bits_per_second' "$LIVE_DIR/drop.json")
echo "iperf3 across the drop: $bps bit/s"
[ "${bps%.*}" -gt 0 ] || fail "iperf3 moved nothing"
# While the tunnel searched again, packets above its base got the ICMP
# error their senders need; the kernels keep that lower PMTU for their
# routes (10 minutes), as they would from any router: forget it, so that
# the sweep shows what the tunnel carries now.
ip -n "$NS_C" route flush cache
ip -n "$NS_S" route flush cache
bad=$(ping_every $((1400 - 61)))
[ "$bad" -eq 0 ] || fail "$bad ping sizes failed after the drop"
ctl client status | grep -E 'transport|tun mtu|drops'
leak_watch_stop
leak_check "path MTU changes"
echo "ok"
