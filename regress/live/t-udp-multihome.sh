# A server with two addresses on its underlay, listening on the wildcard
# "*": a client that connects to the second one (not the source the
# kernel would choose for the reply) comes up over UDP, and every
# datagram the server sends it leaves from the address it sent to.
# Without the local address kept per session (IP_PKTINFO through the
# dual-stack socket's IPV6_PKTINFO), the replies would leave from the
# first address and the client's connected socket would drop them all.
# timeout: 90
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v jq >/dev/null || skip "needs jq"
command -v tcpdump >/dev/null || skip "needs tcpdump"
live_pair
live_keygen
SRV_PRIMARY=$SRV_IP
SRV_IP=198.18.0.9
ip -n "$NS_S" addr add $SRV_IP/24 dev v-s || fail "second address"
ip -n "$NS_S" route get "$CLI_IP" | grep -q "src $SRV_PRIMARY" ||
    fail "the kernel would not answer from $SRV_PRIMARY: no test"
LIVE_TRANSPORT=udp
live_conf server server
live_conf client client

capture_start "$NS_S" v-s "$LIVE_DIR/out.pcap" "udp and src port 443" -Q out
cap=$CAP_PID
leak_watch_start
live_up
note "the client is up over $(ctl client status -j | jq -r .transport)"
[ "$(ctl client status -j | jq -r .transport)" = udp ] ||
    fail "not over UDP"
ip netns exec "$NS_C" ping -q -c 50 -i 0.02 -s 1200 "$SRV_TUN4" |
    grep -q ' 0% packet loss' || fail "pings lost"
kill -INT $cap
wait $cap 2>/dev/null
from_second=$(tcpdump -r "$LIVE_DIR/out.pcap" -n 2>/dev/null |
    grep -c "IP $SRV_IP\.443 >")
from_first=$(tcpdump -r "$LIVE_DIR/out.pcap" -n 2>/dev/null |
    grep -c "IP $SRV_PRIMARY\.443 >")
note "server datagrams from $SRV_IP: $from_second, from $SRV_PRIMARY:" \
    "$from_first"
[ "$from_second" -ge 50 ] || fail "too few datagrams from $SRV_IP"
[ "$from_first" -eq 0 ] || { tcpdump -r "$LIVE_DIR/out.pcap" -n -tt 2>/dev/null | head -20; fail "datagrams from $SRV_PRIMARY"; }
leak_watch_stop
leak_check "multi-homed server"
echo ok
