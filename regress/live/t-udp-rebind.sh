# NAT rebinding over UDP: the middle router masquerades the client to a
# random port and forgets each mapping after one second of silence, as
# an aggressive carrier NAT does, so the server sees the client's
# datagrams come from a new port after every pause.  The server follows
# each time without a new handshake: pings one and a half seconds apart
# (most through a fresh mapping) all get their answer, a flood of pings
# loses nothing, the server's status shows the client at a new port and
# counts the moves, and nothing leaves the client's underlay in clear.
# timeout: 90
LIVE_TRANSPORT=udp
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v jq >/dev/null || skip "needs jq"
command -v nft >/dev/null || skip "needs nft"
command -v tcpdump >/dev/null || skip "needs tcpdump"
live_middle
# The middle's own conntrack timeouts (per namespace): one second.
for t in udp_timeout udp_timeout_stream; do
	ip netns exec "$NS_M" sysctl -qw net.netfilter.nf_conntrack_$t=1 ||
	    skip "cannot set nf_conntrack_$t"
done
ip netns exec "$NS_M" nft -f - <<NFT || skip "no nft masquerade"
table ip rebind {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "v-ms" meta l4proto udp masquerade to :20000-29999 random
	}
}
NFT
live_keygen
live_conf server server
live_conf client client
live_up

stat() { ctl "$1" status -j | jq -r "$2"; }
peer_ep() { live_peer server client .endpoint; }
moved_from() { [ "$(peer_ep)" != "$1" ]; }

ep=$(peer_ep)
case $ep in
"$MID_S "*) ;;
*)	fail "the server sees the client at $ep, not behind the NAT" ;;
esac
hs_c=$(stat client .stats.handshakes) hs_s=$(stat server .stats.handshakes)
# No probes: the pauses the NAT forgets mappings in must stay quiet.
leak_watch_start

note "a pause: the next datagram comes from a new port"
wait_for 15 moved_from "$ep" || fail "the server still shows $ep"
echo "the server followed the client from $ep to $(peer_ep)"

note "pings 1.5 s apart, across the rebindings"
out=$(ip netns exec "$NS_C" ping -q -c 5 -i 1.5 -W 1 "$SRV_TUN4")
echo "$out" | tail -n 2
echo "$out" | grep -q " 0% packet loss" || fail "pings across rebindings lost"

note "flood ping, 2000 packets"
out=$(ip netns exec "$NS_C" ping -q -f -c 2000 -w 30 "$SRV_TUN4")
echo "$out" | tail -n 2
echo "$out" | grep -q " 0% packet loss" || fail "flood ping lost packets"

[ "$(stat client .stats.handshakes)" = "$hs_c" ] ||
    fail "the client handshook again"
[ "$(stat server .stats.handshakes)" = "$hs_s" ] ||
    fail "the server handshook again"
roamed=$(stat server .stats.roamed)
echo "the server moved the session $roamed times"
[ "$roamed" -ge 3 ] || fail "the server moved the session only $roamed times"

leak_watch_stop
leak_check "rebinding"
echo "ok"
