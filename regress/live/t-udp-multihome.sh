# A server with two addresses on its underlay, listening on the wildcard
# "*": a client that connects to the second one (not the source the
# kernel would choose for the reply) comes up over UDP, and every
# datagram the server sends it leaves from the address it sent to;
# over IPv4 (through the dual-stack socket), then over IPv6.
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

# IPv6: between two addresses of one prefix Linux answers from the one
# added last (checked below), ::1 here, so the client takes ::9.
note "the same over an IPv6 underlay"
live_stop client
ip -n "$NS_S" -6 addr add 2001:db8:5::9/64 dev v-s nodad
ip -n "$NS_S" -6 addr add 2001:db8:5::1/64 dev v-s nodad
ip -n "$NS_C" -6 addr add 2001:db8:5::2/64 dev v-c nodad
ip -n "$NS_S" -6 route get 2001:db8:5::2 | grep -q "src 2001:db8:5::1 " ||
    fail "the kernel would not answer from ::1: no test"
SRV_IP=2001:db8:5::9
live_conf client client
capture_start "$NS_S" v-s "$LIVE_DIR/out6.pcap" "udp and src port 443" -Q out
cap=$CAP_PID
leak_watch_start
live_start client "$NS_C"
wait_for 20 session_up client || fail "no session over IPv6"
ip netns exec "$NS_C" ping -q -c 50 -i 0.02 -s 1200 "$SRV_TUN4" |
    grep -q ' 0% packet loss' || fail "pings lost over IPv6"
kill -INT $cap
wait $cap 2>/dev/null
from_second=$(tcpdump -r "$LIVE_DIR/out6.pcap" -n 2>/dev/null |
    grep -c "IP6 2001:db8:5::9\.443 >")
from_first=$(tcpdump -r "$LIVE_DIR/out6.pcap" -n 2>/dev/null |
    grep -c "IP6 2001:db8:5::1\.443 >")
note "server datagrams from ::9: $from_second, from ::1: $from_first"
[ "$from_second" -ge 50 ] || fail "too few datagrams from ::9"
[ "$from_first" -eq 0 ] || fail "datagrams from ::1"
leak_watch_stop
leak_check "multi-homed server, IPv6"
echo ok
