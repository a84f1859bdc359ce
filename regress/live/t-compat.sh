#!/bin/sh
#
# Copyright (c) 2026 The dsvpnd developers
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
# DSVPN's wire protocol between two dsvpnd (doc/PROTOCOL-DSVPN.md): a
# server listening with both protocols (native on 443, DSVPN on 4433)
# and a client in compat mode.  dsvpnd -n warns; status says "dsvpn"
# on both sides; pings v4 and v6 (DSVPN's 64:ff9b:: addresses), -s 2000
# and -s MTU-28, a flood ping without loss, iperf3 both ways, a file
# checksummed; a recorded hello replayed gets no answer; a relay that
# flips bits ends sessions (the frame is refused) but no corrupted byte
# gets through; the server restarts and traffic resumes; a roaming
# client with the same key replaces a session that vanished.  The
# client's underlay is watched for clear text from start to stop, and
# both namespaces are as before once the daemons stopped.
# timeout: 300
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v iperf3 >/dev/null || skip "needs iperf3"
command -v jq >/dev/null || skip "needs jq"
TCPTOOL=$BUILDDIR/regress/tools/tcptool
[ -x "$TCPTOOL" ] || fail "no $TCPTOOL"
live_pair
live_keygen
SRV_TUN6=64:ff9b::c0a8:c0fe
LEAK_PORT=4433
live_conf server server "listen on * port 4433 protocol dsvpn"
live_conf client client "protocol dsvpn"
sed -i "s/port 443$/port 4433/" "$LIVE_DIR/client.conf"

note "dsvpnd -n warns about what DSVPN's protocol cannot do"
for n in server client; do
	"$DSVPND" -n -f "$LIVE_DIR/$n.conf" 2>"$LIVE_DIR/$n.check" ||
	    fail "$n: -n refused the configuration: $(cat "$LIVE_DIR/$n.check")"
	grep -q "no forward secrecy.*48-bit tags and no rekeying" \
	    "$LIVE_DIR/$n.check" || fail "$n: -n did not warn"
done
"$DSVPND" -nv -f "$LIVE_DIR/server.conf" 2>&1 |
    grep -q "listen on \* port 4433 protocol dsvpn" ||
    fail "-nv does not print the compat listener"

snap_s=$(snapshot "$NS_S")
snap_c=$(snapshot "$NS_C")
leak_watch_start
live_up
ctl client status | grep -q "protocol: *dsvpn$" ||
    fail "client status does not say dsvpn"
[ "$(live_peer server client .protocol)" = dsvpn ] ||
    fail "server status does not say dsvpn for its client"
ctl client status | grep -q "cipher: *charm" || fail "client cipher"
grep -q "listening on .*4433 (DSVPN protocol)" "$LIVE_DIR/server.log" ||
    fail "the server did not say which listener speaks DSVPN"

note "ping v4 and v6"
ip netns exec "$NS_C" ping -q -c 5 -i 0.2 "$SRV_TUN4" | grep -q " 0% packet loss" ||
    fail "v4 ping lost packets"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN6" || fail "no v6 ping"
ip netns exec "$NS_C" ping -q -c 5 -i 0.2 "$SRV_TUN6" | grep -q " 0% packet loss" ||
    fail "v6 ping lost packets"

note "ping -s 2000 and -s MTU-28"
ip netns exec "$NS_C" ping -q -c 5 -i 0.2 -s 2000 "$SRV_TUN4" |
    grep -q " 0% packet loss" || fail "ping -s 2000 lost packets"
mtu=$(ip -n "$NS_C" -o link show | awk '/tun/ { for (i = 1; i < NF; i++) if ($i == "mtu") print $(i+1) }' | head -n1)
[ -n "$mtu" ] || fail "no tun interface in the client namespace"
ip netns exec "$NS_C" ping -q -c 5 -i 0.2 -M do -s $((mtu - 28)) "$SRV_TUN4" |
    grep -q " 0% packet loss" || fail "ping -s $((mtu - 28)) lost packets"

note "flood ping, 10000 packets"
out=$(ip netns exec "$NS_C" ping -q -f -c 10000 -w 60 "$SRV_TUN4")
echo "$out" | tail -n 2
echo "$out" | grep -q " 0% packet loss" || fail "flood ping lost packets"

note "iperf3 both ways"
ip netns exec "$NS_S" iperf3 -s -D -B "$SRV_TUN4" --logfile "$LIVE_DIR/iperf.log" \
    -I "$LIVE_DIR/iperf.pid"
wait_for 5 test -s "$LIVE_DIR/iperf.pid" || fail "iperf3 server did not start"
PIDS="$PIDS $(cat "$LIVE_DIR/iperf.pid")"
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :5201"
ip netns exec "$NS_C" iperf3 -c "$SRV_TUN4" -t 5 --bidir -J >"$LIVE_DIR/bidir.json" ||
    fail "iperf3 --bidir failed"
up=$(jq '.end.sum_sent.bits_per_second' "$LIVE_DIR/bidir.json")
down=$(jq '.end.sum_received_bidir_reverse.bits_per_second // .end.sum_received.bits_per_second' "$LIVE_DIR/bidir.json")
echo "bidir: up $up bit/s, down $down bit/s"
ip netns exec "$NS_C" iperf3 -c "$SRV_TUN4" -t 3 -R >/dev/null ||
    fail "iperf3 -R failed"

note "a file through the tunnel, checksummed"
head -c 20000000 /dev/urandom >"$LIVE_DIR/blob"
send_blob() {	# send_blob PORT: the blob client -> server, compared
	rm -f "$LIVE_DIR/got" "$LIVE_DIR/got.done"
	ip netns exec "$NS_S" sh -c "timeout 120 nc -l -N -s $SRV_TUN4 -p $1 >$LIVE_DIR/got; touch $LIVE_DIR/got.done" &
	wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :$1" ||
	    fail "nc did not listen"
	ip netns exec "$NS_C" timeout 120 nc -N "$SRV_TUN4" "$1" \
	    <"$LIVE_DIR/blob" || echo "(sender ended early)"
	wait_for 60 test -e "$LIVE_DIR/got.done" || fail "the receiver did not end"
	cmp "$LIVE_DIR/blob" "$LIVE_DIR/got" || {
		ls -l "$LIVE_DIR/blob" "$LIVE_DIR/got"
		fail "the file arrived altered"
	}
}
send_blob 9000

note "server restart: the client reconnects, nothing leaks meanwhile"
live_stop server || fail "server did not stop"
wait_for 60 sh -c "! ip netns exec $NS_C $DSVPNCTL -s $LIVE_DIR/client.sock status | grep -q 'state: *up'" ||
    fail "the client did not notice the server going away"
ip -n "$NS_C" route get "$REMOTE_IP" | grep -q tun ||
    fail "the client's routes went away while reconnecting"
live_start server "$NS_S"
t0=$(date +%s)
wait_for 20 ping_ok "$NS_C" "$SRV_TUN4" || fail "traffic did not resume"
echo "resumed after $(( $(date +%s) - t0 )) s"
leak_watch_stop
leak_check "start, traffic and server restart"

note "a replayed hello gets no answer"
live_stop client || fail "client did not stop"
ip netns exec "$NS_S" "$TCPTOOL" relay 8443 127.0.0.1 4433 \
    -r "$LIVE_DIR/hello.bin" -n 72 &
RELAY=$!
PIDS="$PIDS $RELAY"
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :8443" ||
    fail "relay did not listen"
# Every refused frame ends a session: a short backoff keeps the
# reconnections within the test's time.
live_conf client client "protocol dsvpn" "no block outside" \
    "reconnect backoff max 2"
sed -i "s/port 443$/port 8443/" "$LIVE_DIR/client.conf"
live_start client "$NS_C"
wait_for 20 session_up client || fail "no session through the relay"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping through the relay"
[ "$(stat -c %s "$LIVE_DIR/hello.bin")" = 72 ] || fail "no hello recorded"
got=$(ip netns exec "$NS_C" timeout 20 "$TCPTOOL" send $SRV_IP 4433 "$LIVE_DIR/hello.bin" 3)
[ "$got" = 0 ] || fail "the server answered a replayed hello ($got bytes)"
ping_ok "$NS_C" "$SRV_TUN4" || fail "the session suffered from the replay"

note "bit flips in the transport: frames refused, nothing corrupt gets through"
live_stop client
kill -KILL "$RELAY" 2>/dev/null
wait "$RELAY" 2>/dev/null
ip netns exec "$NS_S" "$TCPTOOL" relay 8443 127.0.0.1 4433 -f 3000000 &
PIDS="$PIDS $!"
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :8443" ||
    fail "relay did not listen"
live_start client "$NS_C"
wait_for 20 session_up client || fail "no session through the flipping relay"
wait_for 20 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping through the flipping relay"
send_blob 9001
refused=$(grep -ciE 'corrupt|authentic|verif' "$LIVE_DIR/server.log" || true)
echo "$refused lines about refused frames"
[ "$refused" -gt 0 ] || fail "no frame was refused: did the relay flip bits?"

note "a roaming client replaces a session that vanished"
ip netns add "$NS_C2"
ip link add v-s2 netns "$NS_S" type veth peer name v-c2 netns "$NS_C2"
ip -n "$NS_S" addr add 198.18.1.1/24 dev v-s2
ip -n "$NS_C2" addr add 198.18.1.2/24 dev v-c2
ip -n "$NS_S" link set v-s2 up
ip -n "$NS_C2" link set v-c2 up
ip -n "$NS_C2" link set lo up
ip -n "$NS_C2" route add default via 198.18.1.1
live_stop client
live_conf client client "protocol dsvpn"
sed -i "s/port 443$/port 4433/" "$LIVE_DIR/client.conf"
live_start client "$NS_C"
wait_for 20 session_up client || fail "no session before the roaming"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping before the roaming"
ip netns exec "$NS_C" nft add table inet cut
ip netns exec "$NS_C" nft add chain inet cut out '{ type filter hook output priority 0; }'
ip netns exec "$NS_C" nft add rule inet cut out oifname v-c drop
ip netns exec "$NS_C" nft add chain inet cut in '{ type filter hook input priority 0; }'
ip netns exec "$NS_C" nft add rule inet cut in iifname v-c drop
live_conf roamer client "protocol dsvpn"
sed -i -e "s/connect to $SRV_IP port 443$/connect to 198.18.1.1 port 4433/" \
    "$LIVE_DIR/roamer.conf"
live_start roamer "$NS_C2"
t0=$(date +%s)
wait_for 10 session_up roamer || fail "the roaming client got no session"
wait_for 10 ping_ok "$NS_C2" "$SRV_TUN4" || fail "no traffic from the roaming client"
echo "roamed in $(( $(date +%s) - t0 )) s"
live_peer server client .endpoint | grep -q 198.18.1.2 ||
    fail "server status does not show the roaming endpoint"
live_stop roamer || fail "roamer did not stop"
live_stop client || fail "client did not stop"
ip netns exec "$NS_C" nft delete table inet cut

note "everything reverted"
live_stop server || fail "server did not stop"
[ "$(snapshot "$NS_C")" = "$snap_c" ] || fail "the client left changes"
[ "$(snapshot "$NS_S" | grep -v v-s2 | grep -v 198.18.1)" = \
    "$(echo "$snap_s" | grep -v v-s2 | grep -v 198.18.1)" ] ||
    fail "the server left changes"
echo ok
