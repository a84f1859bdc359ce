# What a client holding the key sends is checked before the server's
# kernel sees it.  regress/tools/peertool does the real handshake and
# sends what no dsvpnd would:
#   - a TSO super-packet whose virtio header says gso_size 1 (8 KB cut
#     into some 8,000 segments on the egress): dropped and counted as
#     bad_vnet, none of it reaching the remote host, while a well-formed
#     one arrives as its 6 segments;
#   - IPv4 and IPv6 packets from sources that are not the client's
#     (which the server would forward un-NATed): dropped and counted as
#     spoofed, none reaching the remote host;
# and meanwhile the client's own pings, v4 and v6, come back through
# the server's NAT.  The remote host counts what arrives (nftables);
# the client's underlay is captured and must show none of the payloads
# in clear.  Last, a real dsvpnd client moves bulk TCP both ways (TSO
# super-packets with real Linux headers, router solicitations and MLD
# from its link-local address): nothing of it may be refused.
# timeout: 150
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v nft >/dev/null || skip "needs nft"
command -v jq >/dev/null || skip "needs jq"
command -v tcpdump >/dev/null || skip "needs tcpdump"
PEERTOOL=$BUILDDIR/regress/tools/peertool
[ -x "$PEERTOOL" ] || fail "no $PEERTOOL"
live_pair
live_keygen
live_conf server server
live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
wait_for 10 grep -q "network configuration applied" "$LIVE_DIR/server.log" ||
    fail "the server's forwarding and NAT are not in place"

# The server's egress segments super-packets in software, as a NIC
# without TSO would (a veth would pass them whole): tbf cuts a GSO
# packet longer than its burst into gso_size segments.
ip netns exec "$NS_S" tc qdisc add dev v-sr root tbf rate 1gbit burst 1600 \
    limit 2mb || fail "tbf on the server's egress"

# What reaches the remote host, counted before anything else sees it.
ip netns exec "$NS_R" nft -f - <<'NFT' || fail "nft on the remote host"
table inet peertest {
	counter burst {}
	counter good {}
	counter spoof4 {}
	counter spoof6 {}
	counter spoofport {}
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		tcp dport 5555 counter name burst
		tcp dport 5556 counter name good
		ip saddr 10.99.0.0/16 counter name spoof4
		ip6 saddr 2001:db8:ffff::/48 counter name spoof6
		udp dport 7777 counter name spoofport
	}
}
NFT
remote() {	# remote COUNTER: packets counted on the remote host
	ip netns exec "$NS_R" nft -j list counter inet peertest "$1" |
	    jq '.nftables[] | select(.counter) | .counter.packets'
}
drops() { ctl server status -j | jq ".stats.drops.$1"; }
# The tunnel reports its counters once a second.
drops_reach() { [ "$(drops "$1")" -ge "$2" ]; }

ip netns exec "$NS_C" tcpdump -i v-c -n -U -s 0 -w "$LIVE_DIR/underlay.pcap" \
    tcp port 443 >"$LIVE_DIR/tcpdump.log" 2>&1 &
PIDS="$PIDS $!"
TCPDUMP=$!
wait_for 10 grep -q "listening on" "$LIVE_DIR/tcpdump.log" ||
    fail "tcpdump did not start"

peer() {	# peer WORD...: a peertool session from the client namespace
	ip netns exec "$NS_C" "$PEERTOOL" -w 1000 "$LIVE_DIR/vpn.key" \
	    $SRV_IP 443 "$@"
}
ME4=$CLI_TUN4 ME6=$CLI_TUN6 FAR4=$REMOTE_IP FAR6=$REMOTE_IP6

note "virtio headers: gso_size 1 is dropped, a sane TSO packet passes"
out=$(peer ping=$ME4,$FAR4,1 \
    vnet=1,1,54,1,20,16 tcp=$ME4,$FAR4,5555,8000 \
    vnet=1,1,54,1448,20,16 tcp=$ME4,$FAR4,5556,8000 \
    ping=$ME4,$FAR4,2) || fail "peertool: $out"
echo "$out"
wait_for 5 drops_reach bad_vnet 1 || fail "no bad_vnet drop counted"
echo "remote: burst $(remote burst), good $(remote good); server drops: bad_vnet $(drops bad_vnet)"
[ "$(remote burst)" = 0 ] || fail "$(remote burst) segments of the gso_size 1 packet left the server"
[ "$(remote good)" = 6 ] || fail "the sane TSO packet arrived as $(remote good) segments, not 6"
[ "$(drops bad_vnet)" = 1 ] || fail "bad_vnet $(drops bad_vnet), want 1"
echo "$out" | grep -q "replies 2$" || fail "pings around them did not come back"

note "spoofed sources are dropped while the client's own traffic flows"
out=$(peer ping=$ME4,$FAR4,1 \
    count=5 udp=10.99.0.1,$FAR4,7777,200 \
    ping=$ME6,$FAR6,2 \
    count=5 udp=2001:db8:ffff::1,$FAR6,7777,200 \
    ping=$ME4,$FAR4,3 \
    count=3 tcp=10.99.7.7,$FAR4,7777,100 \
    ping=$ME6,$FAR6,4) || fail "peertool: $out"
echo "$out"
wait_for 5 drops_reach spoofed 13 ||
    fail "spoofed drops: $(drops spoofed), want 13: $(ctl server status | grep drops)"
echo "remote: spoof4 $(remote spoof4), spoof6 $(remote spoof6), port 7777 $(remote spoofport); server drops: spoofed $(drops spoofed)"
[ "$(remote spoof4)" = 0 ] && [ "$(remote spoof6)" = 0 ] &&
    [ "$(remote spoofport)" = 0 ] || fail "spoofed packets reached the remote host"
[ "$(drops spoofed)" = 13 ] || fail "spoofed $(drops spoofed), want 13"
echo "$out" | grep -q "replies 4$" || fail "the client's own pings did not all come back"
ctl server status | grep drops

note "nothing in clear on the client's underlay"
kill -TERM $TCPDUMP
wait $TCPDUMP 2>/dev/null
[ "$(stat -c %s "$LIVE_DIR/underlay.pcap")" -gt 20000 ] ||
    fail "the capture is too small to mean anything"
if grep -a -q PEERTOOL-CLEARTEXT-MARK "$LIVE_DIR/underlay.pcap"; then
	fail "a payload crossed the underlay in clear"
fi

note "a real client's traffic, bulk TCP both ways, v4 and v6: none refused"
vnet0=$(drops bad_vnet) spoof0=$(drops spoofed)
live_conf client client
live_start client "$NS_C"
wait_for 20 session_up client || fail "no session within 20 s"
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP" || fail "no ping to the remote host"
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP6" || fail "no v6 ping to the remote host"
if command -v iperf3 >/dev/null; then
	ip netns exec "$NS_R" iperf3 -s -D -I "$LIVE_DIR/iperf.pid" \
	    --logfile "$LIVE_DIR/iperf.log"
	wait_for 5 test -s "$LIVE_DIR/iperf.pid" || fail "iperf3 did not start"
	PIDS="$PIDS $(cat "$LIVE_DIR/iperf.pid")"
	wait_for 5 sh -c "ip netns exec $NS_R ss -ltn | grep -q :5201"
	for dir in "" -R; do
		ip netns exec "$NS_C" iperf3 -c "$REMOTE_IP" -t 2 $dir >/dev/null ||
		    fail "iperf3 $dir over IPv4 failed"
		ip netns exec "$NS_C" iperf3 -c "$REMOTE_IP6" -t 2 $dir >/dev/null ||
		    fail "iperf3 $dir over IPv6 failed"
	done
else
	ip netns exec "$NS_C" ping -q -f -c 2000 -s 8000 "$REMOTE_IP" >/dev/null
fi
# The client's counters from after the transfer: any report that
# counts a packet past the last one read is newer than the transfer.
in0=$(ctl client status -j | jq .stats.packets_in)
ping_ok "$NS_C" "$REMOTE_IP" || fail "no ping after the transfer"
client_in_above() { [ "$(ctl client status -j | jq .stats.packets_in)" -gt "$1" ]; }
wait_for 5 client_in_above "$in0" || fail "the client's counters did not move"
ctl client status | grep drops
[ "$(ctl client status -j | jq .stats.drops.bad_vnet)" = 0 ] ||
    fail "the server's virtio headers were refused by the client"
# The tunnel sends its last counters when the session ends.
live_stop client || fail "client did not stop"
wait_for 10 sh -c "! $DSVPNCTL -s $LIVE_DIR/server.sock status | grep -qi 'state: *up'" ||
    fail "the server's session did not end"
ctl server status | grep drops
[ "$(drops bad_vnet)" = "$vnet0" ] ||
    fail "a real client's virtio headers were refused: bad_vnet $vnet0 -> $(drops bad_vnet)"
[ "$(drops spoofed)" = "$spoof0" ] ||
    fail "a real client's packets were taken for spoofed: $spoof0 -> $(drops spoofed)"
live_stop server || fail "server did not stop"
echo ok
