# Hostile input at the listening port and a hostile network: 20 slow
# connections do not stall an established session (ping stays under
# 50 ms); random bytes and a replayed handshake are refused without an
# answer, counted, and logged at most once a second; a relay flipping
# bits makes sessions end and restart but never lets a corrupted byte
# through (a file arrives intact); 5 % packet loss on the underlay slows
# TCP but loses nothing.
# timeout: 300
. "$SRCDIR/regress/lib/live.sh"
live_init
TCPTOOL=$BUILDDIR/regress/tools/tcptool
[ -x "$TCPTOOL" ] || fail "no $TCPTOOL"
live_pair
live_keygen
live_conf server server
# The client goes through a relay in the server's namespace (port 8443),
# which records its first bytes: the handshake to replay later.
live_conf client client
sed -i "s/port 443/port 8443/" "$LIVE_DIR/client.conf"
hello_len=$(sed -n 's/^#define[ \t]*PROTO_HELLO_LEN[ \t]*\([0-9]*\).*/\1/p' "$SRCDIR/tunnel/proto.h")
[ -n "$hello_len" ] || hello_len=$(grep -o 'PROTO_HELLO_LEN.*' "$SRCDIR/tunnel/proto.h" | head -1)
ip netns exec "$NS_S" "$TCPTOOL" relay 8443 127.0.0.1 443 -r "$LIVE_DIR/hello.bin" -n "$hello_len" &
RELAY=$!
PIDS="$PIDS $RELAY"
live_up

note "20 slow connections while pinging"
slow_pids=""
for i in $(seq 20); do
	ip netns exec "$NS_C" "$TCPTOOL" slow $SRV_IP 443 2 8 &
	slow_pids="$slow_pids $!"
done
PIDS="$PIDS $slow_pids"
out=$(ip netns exec "$NS_C" ping -c 60 -i 0.25 "$SRV_TUN4")
echo "$out" | tail -n 2
max=$(echo "$out" | sed -n 's|.*= [0-9.]*/[0-9.]*/\([0-9.]*\)/.*|\1|p')
echo "$out" | grep -q " 0% packet loss" || fail "ping lost packets under slowloris"
awk -v m="$max" 'BEGIN { exit !(m < 50) }' || fail "ping max ${max} ms >= 50 ms"
for p in $slow_pids; do kill "$p" 2>/dev/null; done

note "random bytes at the port"
start=$(date +%s)
for i in $(seq 10); do
	ip netns exec "$NS_C" timeout 10 "$TCPTOOL" random $SRV_IP 443 4096
done
session_up client || fail "the session went down"
ctl server status

note "a replayed handshake"
[ -s "$LIVE_DIR/hello.bin" ] || fail "no handshake was recorded"
got=$(ip netns exec "$NS_C" timeout 20 "$TCPTOOL" send $SRV_IP 443 "$LIVE_DIR/hello.bin" 3)
[ "$got" = 0 ] || fail "the server answered a replayed handshake ($got bytes)"
session_up client || fail "the session went down after the replay"
wait_for 5 sh -c "[ \$($DSVPNCTL -s $LIVE_DIR/server.sock status -j | jq '[.stats.drops[]?] | add // 0') -gt 0 ] || [ \$($DSVPNCTL -s $LIVE_DIR/server.sock status -j | jq '[.stats.drops | to_entries[] | .value] | add') -gt 0 ]" ||
    fail "refusals were not counted"
# At most one line per second about refused connections.
burst=$(grep -iE 'refus|handshake|replay|invalid' "$LIVE_DIR/server.log" |
    awk '{ print $0 }' | wc -l)
secs=$(( $(date +%s) - start + 1 ))
echo "$burst refusal lines in $secs s"
[ "$burst" -le $((secs + 2)) ] || fail "$burst log lines in $secs s"

note "bit flips in the transport: sessions restart, nothing corrupt gets through"
live_stop client
kill -KILL "$RELAY" 2>/dev/null
ip netns exec "$NS_S" "$TCPTOOL" relay 8443 127.0.0.1 443 -f 3000000 &
PIDS="$PIDS $!"
live_start client "$NS_C"
wait_for 20 session_up client || fail "no session through the flipping relay"
# A session is up before the client's addresses and routes are: a
# connection made in between takes the underlay's address as its
# source, which the server refuses from the tunnel (spoofed).
wait_for 20 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping through the flipping relay"
head -c 10000000 /dev/urandom >"$LIVE_DIR/blob"
want=$(sha256sum <"$LIVE_DIR/blob" | cut -d' ' -f1)
ip netns exec "$NS_S" sh -c "timeout 120 nc -l -N -s $SRV_TUN4 -p 9000 | sha256sum | cut -d' ' -f1 >$LIVE_DIR/got" &
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :9000" || fail "nc did not listen"
ip netns exec "$NS_C" timeout 120 nc -N "$SRV_TUN4" 9000 <"$LIVE_DIR/blob" || echo "(sender ended early)"
wait_for 60 test -s "$LIVE_DIR/got" || fail "no checksum from the receiver"
[ "$(cat "$LIVE_DIR/got")" = "$want" ] || fail "corrupted data crossed the tunnel"
grep -ciE 'authentic|verify|corrupt' "$LIVE_DIR/server.log" || true

note "5 % loss on the underlay"
live_stop client
ip netns exec "$NS_C" nft add table inet loss
ip netns exec "$NS_C" nft add chain inet loss in '{ type filter hook input priority 0; }'
ip netns exec "$NS_C" nft add rule inet loss in iifname v-c numgen random mod 100 '<' 5 drop
live_conf client client
live_start client "$NS_C"
wait_for 30 session_up client || fail "no session under loss"
wait_for 30 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping under loss"
rm -f "$LIVE_DIR/got"
ip netns exec "$NS_S" sh -c "timeout 120 nc -l -N -s $SRV_TUN4 -p 9001 | sha256sum | cut -d' ' -f1 >$LIVE_DIR/got" &
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :9001" || fail "nc did not listen"
ip netns exec "$NS_C" timeout 120 nc -N "$SRV_TUN4" 9001 <"$LIVE_DIR/blob" || fail "send under loss failed"
wait_for 60 test -s "$LIVE_DIR/got" || fail "no checksum under loss"
[ "$(cat "$LIVE_DIR/got")" = "$want" ] || fail "data altered under loss"
live_stop client || fail "client did not stop"
live_stop server || fail "server did not stop"
echo ok
