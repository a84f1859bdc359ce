# Reconnection: the server restarted (the client's routes stay while it
# reconnects, so nothing leaks in clear), the underlay link down for 10 s,
# and a roaming client (same key, another address) replacing a session
# that vanished silently.  Bounds: traffic resumes within 10 s of the
# server's restart and within 30 s of the link coming back; the roaming
# client is up within 5 s.
# timeout: 240
. "$SRCDIR/regress/lib/live.sh"
live_init
live_pair
live_keygen
live_conf server server
live_conf client client "keepalive 2" "dead-peer timeout 6"
live_up

note "server restart"
live_stop server || fail "server did not stop"
# While the client reconnects its routes stay: nothing leaks in clear.
wait_for 5 sh -c "! ip netns exec $NS_C $DSVPNCTL -s $LIVE_DIR/client.sock status | grep -q 'state: *up'" ||
    fail "the client did not notice the server going away"
ip -n "$NS_C" route get "$REMOTE_IP" | grep -q tun ||
    fail "the client's routes went away while reconnecting"
ip -n "$NS_C" rule show | grep -q 42069 || fail "policy rules removed while reconnecting"
live_start server "$NS_S"
t0=$(date +%s)
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "traffic did not resume within 10 s"
echo "resumed after $(( $(date +%s) - t0 )) s"

note "underlay link down 10 s, then up"
ip -n "$NS_C" link set v-c down
sleep 10	# the outage itself is what is being tested
ip -n "$NS_C" link set v-c up
ip -n "$NS_C" route replace default via $SRV_IP
t0=$(date +%s)
wait_for 30 ping_ok "$NS_C" "$SRV_TUN4" || fail "no recovery within 30 s"
echo "recovered after $(( $(date +%s) - t0 )) s"

note "a roaming client replaces a session that vanished"
ip netns add "$NS_C2"
ip link add v-s2 netns "$NS_S" type veth peer name v-c2 netns "$NS_C2"
ip -n "$NS_S" addr add 198.18.1.1/24 dev v-s2
ip -n "$NS_C2" addr add 198.18.1.2/24 dev v-c2
ip -n "$NS_S" link set v-s2 up
ip -n "$NS_C2" link set v-c2 up
ip -n "$NS_C2" link set lo up
ip -n "$NS_C2" route add default via 198.18.1.1
# The first client drops off the network without a word.
ip netns exec "$NS_C" nft add table inet cut
ip netns exec "$NS_C" nft add chain inet cut out '{ type filter hook output priority 0; }'
ip netns exec "$NS_C" nft add rule inet cut out oifname v-c drop
ip netns exec "$NS_C" nft add chain inet cut in '{ type filter hook input priority 0; }'
ip netns exec "$NS_C" nft add rule inet cut in iifname v-c drop
live_conf roamer client
sed -i "s/connect to $SRV_IP/connect to 198.18.1.1/" "$LIVE_DIR/roamer.conf"
live_start roamer "$NS_C2"
t0=$(date +%s)
wait_for 5 session_up roamer || fail "the roaming client was locked out"
wait_for 5 ping_ok "$NS_C2" "$SRV_TUN4" || fail "no traffic from the roaming client"
echo "roamed in $(( $(date +%s) - t0 )) s"
ctl server status | grep -q 198.18.1.2 || fail "server status does not show the new peer"
live_stop roamer || fail "roamer did not stop"
live_stop client || fail "client did not stop"
live_stop server || fail "server did not stop"
echo ok
