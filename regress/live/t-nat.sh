# NAT through the tunnel: the client reaches a "remote host" beyond the
# server, which has no route back to the tunnel's addresses, so its
# answers arrive only if the server masquerades (IPv4 and IPv6).  With
# "no default route" and a split route, only that prefix is tunnelled.
# timeout: 120
. "$SRCDIR/regress/lib/live.sh"
live_init
live_pair
live_keygen
live_conf server server
live_conf client client
live_up

note "IPv4 to the remote host, through the tunnel and NAT"
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP" || fail "no v4 reply from the remote host"
ip -n "$NS_C" route get "$REMOTE_IP" | grep -q tun || fail "v4 not routed into the tunnel"
note "IPv6 to the remote host, through the tunnel and NAT66"
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP6" || fail "no v6 reply from the remote host"
note "the transport itself bypasses the tunnel"
ip netns exec "$NS_C" ss -tn | grep -q "$SRV_IP:443" || fail "no transport connection"
live_stop client || fail "client did not stop"

note "split tunnel: no default route, route $REMOTE_IP/32 only"
live_conf client client "no default route" "route $REMOTE_IP/32"
live_start client "$NS_C"
wait_for 20 session_up client || fail "no session"
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP" || fail "no reply over the split route"
ip -n "$NS_C" route get "$REMOTE_IP" | grep -q tun || fail "split route not via the tunnel"
ip -n "$NS_C" route get 198.19.0.99 | grep -q tun && fail "other traffic went into the tunnel"
live_stop client || fail "client did not stop"

note "the same NAT with iptables chains of our own"
live_stop server || fail "server did not stop"
live_conf server server "firewall iptables"
live_conf client client
live_up
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP" || fail "no v4 reply through iptables NAT"
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP6" || fail "no v6 reply through ip6tables NAT"
ip netns exec "$NS_S" iptables-save -t nat | grep -q DSVPND || fail "no DSVPND chain"
live_stop client || fail "client did not stop"
live_stop server || fail "server did not stop"
ip netns exec "$NS_S" iptables-save | grep -q DSVPND && fail "DSVPND chains left behind"
echo ok
