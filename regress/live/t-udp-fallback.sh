# UDP blocked between the namespaces: a client with "transport udp tcp"
# is up over TCP within the bound dsvpnd.conf(5) states (5 s of hellos
# without a reply, then a TCP connect; 12 s allowed here from the
# daemon's start, which includes applying its network plan), and says so
# in its status, with nothing leaving it in clear meanwhile.  Then UDP
# is let through and a client started afresh comes up over UDP.
# timeout: 120
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v nft >/dev/null || skip "needs nft"
command -v jq >/dev/null || skip "needs jq"
live_pair
live_keygen
LIVE_TRANSPORT="udp tcp"
live_conf server server
live_conf client client
transport() { ctl client status -j | jq -r '.transport'; }

note "UDP to the server's port dropped in the server's namespace"
ip netns exec "$NS_S" nft -f - <<NFT || fail "nft"
table inet udpblock {
	chain input {
		type filter hook input priority -10; policy accept;
		udp dport 443 counter drop
	}
}
NFT
live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
leak_watch_start
t0=$(date +%s)
live_start client "$NS_C"
wait_for 15 session_up client || fail "no session within 15 s"
t1=$(date +%s)
echo "up after $((t1 - t0)) s over $(transport)"
[ $((t1 - t0)) -le 12 ] || fail "fallback took $((t1 - t0)) s"
[ "$(transport)" = tcp ] || fail "transport is $(transport), not tcp"
grep -q "no answer over udp" "$LIVE_DIR/client.log" ||
    fail "the client did not say it fell back"
dropped=$(ip netns exec "$NS_S" nft list table inet udpblock |
    sed -n 's/.*packets \([0-9]*\).*/\1/p')
echo "hellos dropped: $dropped"
[ "${dropped:-0}" -ge 3 ] || fail "only ${dropped:-0} hellos were tried"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping over the fallback"
ctl client status | grep -E 'transport|tun mtu'

note "UDP unblocked, a new client comes up over UDP"
ip netns exec "$NS_S" nft delete table inet udpblock
live_stop client
live_start client "$NS_C"
wait_for 15 session_up client || fail "no session over udp"
on_udp() { [ "$(transport)" = udp ]; }
wait_for 10 on_udp || fail "transport is $(transport), not udp"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping over udp"
ctl client status | grep -E 'transport|tun mtu'
leak_watch_stop
leak_check "fallback and return"
echo "ok"
