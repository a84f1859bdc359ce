# A client roaming over UDP: client, middle router and server in three
# namespaces (live_middle).  While iperf3 runs through the tunnel, the
# client's underlay moves to another network (a new address on a new
# subnet, a new default route, the old address removed, as a DHCP
# renumbering or a Wi-Fi to LTE change would); later, while a 20 MB
# file goes through, it moves back.  Each time the transfer completes
# (the file byte for byte), the session is the same one (no handshake,
# no new session on either side), the client's status counts a roam,
# the server's shows the client at its new address, and nothing leaves
# the client's underlay in clear (the watcher runs throughout).  Last,
# the client gets a new network while its old address stays and the old
# network dies: no send fails, the unanswered path probes move it.
# timeout: 120
LIVE_TRANSPORT=udp
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v jq >/dev/null || skip "needs jq"
command -v iperf3 >/dev/null || skip "needs iperf3"
command -v tcpdump >/dev/null || skip "needs tcpdump"
NEW_IP=198.18.2.2
NEW_GW=198.18.2.254
live_middle
ip -n "$NS_M" addr add $NEW_GW/24 dev v-mc || fail "middle address"
live_keygen
live_conf server server
live_conf client client
live_up

stat() { ctl "$1" status -j | jq -r "$2"; }
peer_ep() { live_peer server client .endpoint; }
peer_at() { peer_ep | grep -q "^$1 "; }
# Neither side made a new session: what was counted before the move.
same_session() {
	[ "$(stat client .stats.handshakes)" = "$hs_c" ] ||
	    fail "the client handshook again ($hs_c, then $(stat client .stats.handshakes))"
	[ "$(stat client .stats.sessions)" = "$se_c" ] ||
	    fail "the client made a new session"
	[ "$(stat server .stats.handshakes)" = "$hs_s" ] ||
	    fail "the server handshook again"
	[ "$(stat server .stats.sessions)" = "$se_s" ] ||
	    fail "the server made a new session"
}
sent_past() { [ "$(bytes_out client)" -gt $(($1 + 1000000)) ]; }
roamed_past() { [ "$(stat client .stats.roamed)" -gt "$1" ]; }

# move FROM-ADDR TO-ADDR TO-GW: the new network first (as an interface
# coming up), the old address last (as the old one going away).
move() {
	ip -n "$NS_C" addr add "$2/24" dev v-c || fail "add $2"
	ip -n "$NS_C" route replace default via "$3" || fail "route via $3"
	ip -n "$NS_C" addr del "$1/24" dev v-c || fail "del $1"
}

peer_at $CLI_IP || fail "server shows the client at $(peer_ep)"
hs_c=$(stat client .stats.handshakes) se_c=$(stat client .stats.sessions)
hs_s=$(stat server .stats.handshakes) se_s=$(stat server .stats.sessions)
sealed || fail "the client is not sealed"
leak_watch_start
probe_start

note "iperf3 while the client moves to $NEW_IP"
ip netns exec "$NS_S" iperf3 -s -D -B "$SRV_TUN4" --logfile "$LIVE_DIR/iperf.log" \
    -I "$LIVE_DIR/iperf.pid"
wait_for 5 test -s "$LIVE_DIR/iperf.pid" || fail "iperf3 server did not start"
PIDS="$PIDS $(cat "$LIVE_DIR/iperf.pid")"
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :5201" ||
    fail "iperf3 did not listen"
b0=$(bytes_out client)
ip netns exec "$NS_C" timeout 30 iperf3 -c "$SRV_TUN4" -t 8 -J \
    >"$LIVE_DIR/iperf.json" &
IPERF=$!
PIDS="$PIDS $IPERF"
wait_for 5 sent_past "$b0" || fail "no traffic before the move"
sleep 2		# a moving transfer, not one about to start or end
t0=$(date +%s%N)
move $CLI_IP $NEW_IP $NEW_GW
wait_for 5 peer_at $NEW_IP || fail "server still shows $(peer_ep)"
echo "server saw the client at $NEW_IP after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
wait $IPERF || fail "iperf3 failed across the move"
sent=$(jq '.end.sum_sent.bytes' "$LIVE_DIR/iperf.json")
got=$(jq '.end.sum_received.bytes' "$LIVE_DIR/iperf.json")
echo "iperf3: $sent bytes sent, $got received"
# It ran its course, and no second of it stood still: the session
# moved within far less than a second.
[ "$(jq '.end.sum_received.seconds | floor' "$LIVE_DIR/iperf.json")" -ge 7 ] ||
    fail "iperf3 did not run its course"
[ "$got" -gt 0 ] || fail "iperf3 received nothing"
low=$(jq '[.intervals[].sum.bytes] | min' "$LIVE_DIR/iperf.json")
echo "the slowest second carried $low bytes"
[ "$low" -gt 0 ] || fail "the transfer stalled for a second or more"
roamed_past 0 || fail "the client counted no roam"
same_session

note "a 20 MB file while the client moves back to $CLI_IP"
head -c 20000000 /dev/urandom >"$LIVE_DIR/blob"
want=$(sha256sum <"$LIVE_DIR/blob" | cut -d' ' -f1)
ip netns exec "$NS_S" sh -c "timeout 60 nc -l -N -s $SRV_TUN4 -p 9000 |
    sha256sum | cut -d' ' -f1 >$LIVE_DIR/got" &
PIDS="$PIDS $!"
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :9000" ||
    fail "nc did not listen"
# The middle's link to the server at 20 Mbit/s: about 8 s for the
# file, so that the move lands in the middle of it.
ip netns exec "$NS_M" tc qdisc add dev v-ms root tbf rate 20mbit \
    burst 64kb latency 100ms || fail "tc"
ip netns exec "$NS_C" timeout 60 nc -N "$SRV_TUN4" 9000 <"$LIVE_DIR/blob" &
NC=$!
PIDS="$PIDS $NC"
r=$(stat client .stats.roamed)
sleep 3
move $NEW_IP $CLI_IP $MID_C
wait_for 5 peer_at $CLI_IP || fail "server still shows $(peer_ep)"
wait $NC || fail "the file could not be sent across the move"
wait_for 30 test -s "$LIVE_DIR/got" || fail "no checksum from the receiver"
[ "$(cat "$LIVE_DIR/got")" = "$want" ] || fail "the file arrived altered"
roamed_past "$r" || fail "the client counted no second roam"
same_session
[ "$(stat server .stats.roamed)" -ge 2 ] ||
    fail "the server counted $(stat server .stats.roamed) moves, not 2"
sealed || fail "the seal went away while the client moved"

note "a new network while the old address stays and its network dies"
# The old address stays on the host, so no send fails: the datagrams go
# out from it and the middle, now the old network's dead end, drops
# them.  The client notices when the server stops acknowledging its path
# probes (a black hole, three lost in two-second steps) and takes a
# fresh socket, which the kernel gives the new network's address.
ip netns exec "$NS_M" nft -f - <<NFT || fail "nft"
table ip dead {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip saddr $CLI_IP drop
	}
}
NFT
r=$(stat client .stats.roamed)
ip -n "$NS_C" addr add "$NEW_IP/24" dev v-c || fail "add $NEW_IP"
ip -n "$NS_C" route replace default via "$NEW_GW" || fail "route"
t0=$(date +%s)
wait_for 20 peer_at $NEW_IP || fail "server still shows $(peer_ep)"
echo "the server saw the client at $NEW_IP after $(( $(date +%s) - t0 )) s"
wait_for 5 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping after the move"
wait_for 3 roamed_past "$r" || fail "the client counted no third roam"
same_session
ctl client status | grep -E 'roamed|handshakes|sessions'

probe_stop
leak_watch_stop
leak_check "roaming"
echo "ok"
