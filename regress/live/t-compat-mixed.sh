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
# One server with client blocks serves a native client and a DSVPN one
# at once: "alice" speaks dsvpnd's protocol on port 443 with addresses
# of the server's pool; "phone" is marked protocol dsvpn, speaks
# DSVPN's on port 4433 with DSVPN's fixed addresses.  Both come up,
# status names each one's protocol, both ping the server and the far
# host (NAT) at once, a flood ping from each loses nothing, alice's key
# (not marked protocol dsvpn) is refused on the DSVPN port, and kicking
# one leaves the other untouched.  The clients' underlays are
# watched for clear text throughout.
# timeout: 180
. "$SRCDIR/regress/lib/live.sh"
command -v jq >/dev/null || skip "needs jq"
live_init
live_star 2
mkdir -p "$LIVE_DIR/clients"
for k in alice phone; do
	head -c 32 /dev/urandom >"$LIVE_DIR/$k.key"
	chmod 600 "$LIVE_DIR/$k.key"
done
live_client_block alice "$LIVE_DIR/alice.key" "inet 192.168.192.2" \
    "inet6 64:ff9b::c0a8:c002"
live_client_block phone "$LIVE_DIR/phone.key" "inet 192.168.192.1" \
    "protocol dsvpn"
{
	echo "listen on * port 443"
	echo "listen on * port 4433 protocol dsvpn"
	echo "leases \"$LIVE_DIR/leases\""
	echo "control socket \"$LIVE_DIR/server.sock\""
	echo "include \"$LIVE_DIR/clients\""
} >"$LIVE_DIR/server.conf"
chmod 644 "$LIVE_DIR/server.conf"
"$DSVPND" -n -f "$LIVE_DIR/server.conf" 2>&1 |
    grep -q "no forward secrecy" || fail "-n did not warn"

# client_conf NAME PORT [lines...]
client_conf() {
	local name=$1 port=$2; shift 2
	{
		echo "key \"$LIVE_DIR/$name.key\""
		echo "connect to $SRV_IP port $port"
		echo "control socket \"$LIVE_DIR/$name.sock\""
		echo "reconnect backoff max 2"
		for l in "$@"; do echo "$l"; done
	} >"$LIVE_DIR/$name.conf"
	chmod 644 "$LIVE_DIR/$name.conf"
}
client_conf alice 443 "tunnel auto {" \
    "	inet 192.168.192.2 peer $SRV_TUN4" \
    "	inet6 64:ff9b::c0a8:c002 peer 64:ff9b::c0a8:c0fe" "}"
client_conf phone 4433 "protocol dsvpn"

live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
# Each client's underlay, watched from its start: two watchers.
leak_watch_start "$NS_K1" v-c
LEAK1=$LEAK_FILE LEAK1_PID=$LEAK_PID
LEAK_PORT=4433
leak_watch_start "$NS_K2" v-c
live_start alice "$NS_K1"
live_start phone "$NS_K2"
for k in alice phone; do
	wait_for 20 session_up $k || fail "$k: no session"
done
ups() {
	ctl server status -j | jq '[.clients[] | select(.state == "up")] |
	    length'
}
two_up() { [ "$(ups)" -eq 2 ]; }
wait_for 10 two_up || fail "status -j: $(ups) clients up, want 2"
[ "$(live_peer server alice .protocol)" = "dsvpnd v2" ] ||
    fail "alice's protocol: $(live_peer server alice .protocol)"
[ "$(live_peer server phone .protocol)" = dsvpn ] ||
    fail "phone's protocol: $(live_peer server phone .protocol)"
ctl server status phone | grep -q "protocol: *dsvpn" ||
    fail "status phone does not say dsvpn"
note "both up: alice dsvpnd v2, phone dsvpn"

note "both reach the server and the far host at once"
wait_for 10 ping_ok "$NS_K1" "$SRV_TUN4" || fail "alice: no ping"
wait_for 10 ping_ok "$NS_K2" "$SRV_TUN4" || fail "phone: no ping"
wait_for 10 ping_ok "$NS_K2" 64:ff9b::c0a8:c0fe || fail "phone: no v6 ping"
ip netns exec "$NS_K1" ping -q -f -c 3000 -w 30 "$REMOTE_IP" >"$LIVE_DIR/f1" &
f1=$!
ip netns exec "$NS_K2" ping -q -f -c 3000 -w 30 "$REMOTE_IP" >"$LIVE_DIR/f2" &
f2=$!
wait "$f1"; wait "$f2"
tail -n 2 "$LIVE_DIR/f1" "$LIVE_DIR/f2"
grep -q " 0% packet loss" "$LIVE_DIR/f1" || fail "alice's flood lost packets"
grep -q " 0% packet loss" "$LIVE_DIR/f2" || fail "phone's flood lost packets"

note "a key not marked protocol dsvpn is refused on the DSVPN port"
# From the server's own namespace: alice's kill switch lets her
# namespace reach port 443 only.
client_conf wrong1 4433 "protocol dsvpn" "no block outside" \
    "no default route" "instance w1" \
    "tunnel tunw1 { inet 10.99.0.1 peer 10.99.0.254; no inet6 }"
sed -i -e "s|$LIVE_DIR/wrong1.key|$LIVE_DIR/alice.key|" \
    -e "s|connect to $SRV_IP|connect to 127.0.0.1|" "$LIVE_DIR/wrong1.conf"
live_start wrong1 "$NS_S"
wait_for 15 grep -q "handshake failed" "$LIVE_DIR/wrong1.log" ||
    fail "alice's key was not refused on the DSVPN port"
session_up wrong1 && fail "alice's key got a DSVPN session"
live_stop wrong1 || fail "wrong1 did not stop"
session_up alice || fail "alice went down"
session_up phone || fail "phone went down"

note "kicking the phone leaves alice alone"
ctl server kick phone | grep -q "session ended" || fail "kick phone"
ping_ok "$NS_K1" "$SRV_TUN4" || fail "alice lost traffic at the kick"
wait_for 20 session_up phone || fail "the phone did not come back"
wait_for 10 ping_ok "$NS_K2" "$SRV_TUN4" || fail "phone: no ping after the kick"

live_stop alice || fail "alice did not stop"
live_stop phone || fail "phone did not stop"
leak_watch_stop
leak_check "phone"
LEAK_FILE=$LEAK1 LEAK_PID=$LEAK1_PID
leak_watch_stop
leak_check "alice"
live_stop server || fail "server did not stop"
echo ok
