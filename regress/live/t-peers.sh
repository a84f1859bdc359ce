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
# One server, three clients, each with its own key and namespace:
#  - all three come up; status and status -j list them; status NAME
#    shows one (carol's address comes from the pool);
#  - each reaches the "internet" host beyond the server, v4 and v6;
#  - client to client is refused by default (and counted), allowed
#    after a reload that says client-to-client;
#  - a spoofed source from a client is dropped and counted;
#  - a reload that removes bob cuts him off at once and he cannot come
#    back, while alice and carol keep pinging without loss;
#  - kick ends carol's session, and she comes back;
#  - from the first ping on, nothing leaves alice's underlay in clear
#    (reloads, the spoof, bob's removal), nor carol's across her kick.
# The server's pool routes and NAT are netcfg's: the test adds none.
# timeout: 240

. "$SRCDIR/regress/lib/live.sh"

command -v jq >/dev/null || skip "needs jq"
live_init
live_star 3
mkdir -p "$LIVE_DIR/clients"
for k in alice bob carol; do
	head -c 32 /dev/urandom >"$LIVE_DIR/$k.key"
	chmod 600 "$LIVE_DIR/$k.key"
done
SRV6=fd00:dead::fe

live_client_block alice "$LIVE_DIR/alice.key" "inet 192.168.192.2" \
    "inet6 fd00:dead::2"
live_client_block bob "$LIVE_DIR/bob.key" "inet 192.168.192.3" \
    "inet6 fd00:dead::3"
live_client_block carol "$LIVE_DIR/carol.key"

server_conf() {	# server_conf [extra lines...]
	{
		echo "listen on * port 443"
		echo "tunnel tunp0 {"
		echo "	inet $SRV_TUN4 peer 192.168.192.1"
		echo "	inet6 $SRV6 peer fd00:dead::1"
		echo "}"
		echo "pool 192.168.192.0/24"
		echo "pool fd00:dead::/120"
		echo "leases \"$LIVE_DIR/leases\""
		echo "control socket \"$LIVE_DIR/server.sock\""
		echo "include \"$LIVE_DIR/clients\""
		echo "push dns 192.0.2.53"
		for l in "$@"; do echo "$l"; done
	} >"$LIVE_DIR/server.conf"
	chmod 644 "$LIVE_DIR/server.conf"
}
server_conf

# A client of this server: client_conf NAME INET INET6
client_conf() {
	{
		echo "key \"$LIVE_DIR/$1.key\""
		echo "connect to $SRV_IP port 443"
		echo "control socket \"$LIVE_DIR/$1.sock\""
		echo "tunnel tunc0 {"
		echo "	inet $2 peer $SRV_TUN4"
		echo "	inet6 $3 peer $SRV6"
		echo "}"
		echo "no default route"
		echo "route 192.168.192.0/24"
		echo "route 198.19.0.0/24"
		echo "route fd00:dead::/120"
		echo "route 2001:db8:1::/64"
		echo "reconnect backoff max 2"
	} >"$LIVE_DIR/$1.conf"
	chmod 644 "$LIVE_DIR/$1.conf"
}

live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
tun_up() { ip -n "$NS_S" link show tunp0 | grep -q ',UP'; }
wait_for 10 tun_up || fail "no tunp0 up"
# netcfg routes the pools to the tunnel and NATs them: nothing by hand.
pool_routed() { ip -n "$NS_S" $1 route show $2 | grep -q 'dev tunp0'; }
wait_for 10 pool_routed -4 192.168.192.0/24 ||
    fail "no pool route: $(ip -n "$NS_S" route)"
wait_for 10 pool_routed -6 fd00:dead::/120 ||
    fail "no pool6 route: $(ip -n "$NS_S" -6 route)"

# carol has no fixed address: the server gave her one from the pool.
c4=$(live_peer server carol .inet)
c6=$(live_peer server carol .inet6)
case $c4 in 192.168.192.*) ;; *) fail "carol's pool inet: $c4" ;; esac
case $c6 in fd00:dead::*) ;; *) fail "carol's pool inet6: $c6" ;; esac
note "carol got $c4 and $c6 from the pools"
grep -q "^carol $c4 $c6\$" "$LIVE_DIR/leases" || fail "no lease for carol"

client_conf alice 192.168.192.2 fd00:dead::2
client_conf bob 192.168.192.3 fd00:dead::3
client_conf carol "$c4" "$c6"
live_start alice "$NS_K1"
live_start bob "$NS_K2"
live_start carol "$NS_K3"
for k in alice bob carol; do
	wait_for 20 session_up $k || fail "$k: no session"
done
ups() {
	ctl server status -j | jq '[.clients[] | select(.state == "up")] |
	    length'
}
three_up() { [ "$(ups)" -eq 3 ]; }
wait_for 10 three_up || fail "status -j: $(ups) clients up, want 3"
ctl server status | grep -q '^clients: *3 configured, 3 up' ||
    fail "status summary: $(ctl server status | grep clients)"
for k in alice bob carol; do
	ctl server status | grep -qE "^$k +up +198\.18\.0\." ||
	    fail "status table has no $k up"
done
note "three clients up, listed by status and status -j"

# Protocol version 2: the server pushed its DNS server to each client.
pushed_dns() { [ "$(ctl "$1" status -j | jq -r '.dns[0]')" = 192.0.2.53 ]; }
for k in alice bob carol; do
	wait_for 5 pushed_dns $k || fail "$k: no pushed DNS server"
done
grep -q 'the server pushed inet' "$LIVE_DIR/alice.log" ||
    fail "alice did not log the push"
note "the server's push reached all three"

# Everyone reaches the internet host through the server's NAT.
leak_watch_start "$NS_K1" v-c
for i in 1 2 3; do
	eval ns=\$NS_K$i
	wait_for 10 ping_ok "$ns" $REMOTE_IP || {
		ctl server status -j | jq -c .stats.drops
		ctl server status -j | jq -c '.clients[]'
		ip -n "$ns" route; ip -n "$NS_S" route
		fail "client $i: no v4 ping out"; }
	wait_for 10 ping_ok "$ns" $REMOTE_IP6 ||
	    fail "client $i: no v6 ping out"
done
note "all three reach $REMOTE_IP and $REMOTE_IP6"

# Client to client: refused by default, and counted.
c2c() { ctl server status -j | jq '.stats.drops.client_to_client'; }
before=$(c2c)
ping_ok "$NS_K1" 192.168.192.3 &&
    fail "alice reached bob without client-to-client"
[ "$(c2c)" -gt "$before" ] || fail "client-to-client drop not counted"
server_conf "client-to-client"
ctl server reload >/dev/null || fail "reload with client-to-client"
wait_for 10 ping_ok "$NS_K1" 192.168.192.3 || fail "alice cannot reach bob"
wait_for 10 ping_ok "$NS_K2" fd00:dead::2 || fail "bob cannot reach alice (v6)"
wait_for 10 ping_ok "$NS_K3" 192.168.192.2 || fail "carol cannot reach alice"
[ "$(ups)" -eq 3 ] || fail "the reload touched a session"
note "client-to-client refused by default, allowed after reload"

# A spoofed source: alice sends as 10.99.0.1, which is not hers.
ip -n "$NS_K1" addr add 10.99.0.1/32 dev lo
spoof() { live_peer server alice .drops_source; }
before=$(spoof)
ip netns exec "$NS_K1" ping -q -c 3 -i 0.2 -W 1 -I 10.99.0.1 $REMOTE_IP \
    >/dev/null 2>&1 && fail "a spoofed ping got an answer"
spoof_counted() { [ "$(spoof)" -ge $((before + 3)) ]; }
wait_for 5 spoof_counted || {
	ctl server status -j | jq -c .stats.drops
	ip -n "$NS_K1" -s link show tunc0
	ip netns exec "$NS_K1" nft list ruleset
	fail "spoofed packets not counted: $(spoof) (before $before)"; }
note "spoofed source dropped and counted ($(spoof))"

# Revoke bob: cut at once; alice and carol lose nothing meanwhile.
ip netns exec "$NS_K1" ping -q -c 25 -i 0.2 $REMOTE_IP \
    >"$LIVE_DIR/ping-a" 2>&1 &
pa=$!
ip netns exec "$NS_K3" ping -q -c 25 -i 0.2 $REMOTE_IP \
    >"$LIVE_DIR/ping-c" 2>&1 &
pc=$!
PIDS="$PIDS $pa $pc"
sleep 1
rm "$LIVE_DIR/clients/bob.conf"
ctl server reload >/dev/null || fail "reload without bob"
bob_down() { ! session_up bob; }
wait_for 5 bob_down || fail "bob still up after his removal"
ctl server status -j bob >/dev/null 2>&1 && fail "bob still listed"
wait "$pa"; ra=$?
wait "$pc"; rc=$?
grep -q ' 0% packet loss' "$LIVE_DIR/ping-a" ||
    fail "alice lost pings across the reload: $(cat "$LIVE_DIR/ping-a")"
grep -q ' 0% packet loss' "$LIVE_DIR/ping-c" ||
    fail "carol lost pings across the reload: $(cat "$LIVE_DIR/ping-c")"
[ $ra -eq 0 ] && [ $rc -eq 0 ] || fail "ping exit $ra $rc"
# bob keeps trying; none of his handshakes may succeed.
sleep 3
session_up bob && fail "bob came back after his removal"
grep -q 'bob: removed from the configuration' "$LIVE_DIR/server.log" ||
    fail "no log line for bob's removal"
note "bob cut off on reload; alice and carol lost nothing"
leak_watch_stop
leak_check "alice, across reloads and bob's removal"

# kick: carol's session ends and she comes back.
leak_watch_start "$NS_K3" v-c
s1=$(live_peer server carol .sessions)
ctl server kick carol | grep -q 'carol: session ended' || fail "kick"
carol_back() { [ "$(live_peer server carol .sessions)" -gt "$s1" ]; }
wait_for 15 carol_back || fail "carol did not come back"
wait_for 10 session_up carol || fail "carol not up after kick"
ctl server kick nobody >/dev/null 2>&1 && fail "kick of no client"
wait_for 10 ping_ok "$NS_K3" $REMOTE_IP || fail "carol: no ping after kick"
leak_watch_stop
leak_check "carol, across her kick"
note "kick ended carol's session; she reconnected"

echo "ok"
