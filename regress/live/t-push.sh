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
# Pushed settings, applied:
#  - pat's file holds only its key and "connect to" (and a control
#    socket): it starts sealed with no tunnel address, gets its
#    addresses, default route and MTU from the server's pools and push
#    at session up, says "up" only then, and pings the far host v4 and
#    v6 through the server's NAT, nothing leaving its underlay in clear;
#  - kim's file sets inet and inet6: it keeps them over the push, and
#    takes the rest;
#  - a changed push on a reconnect (a split tunnel now) is applied as a
#    transition;
#  - a server that pushes a route taking the client's own network is
#    refused: a log line, the session not up, nothing changed.
# timeout: 150

. "$SRCDIR/regress/lib/live.sh"

command -v jq >/dev/null || skip "needs jq"
command -v nft >/dev/null || skip "needs nft"
live_init
live_star 2
mkdir -p "$LIVE_DIR/clients"
for k in pat kim; do
	head -c 32 /dev/urandom >"$LIVE_DIR/$k.key"
	chmod 600 "$LIVE_DIR/$k.key"
done
SRV6=fd00:cafe::fe
live_client_block pat "$LIVE_DIR/pat.key"
live_client_block kim "$LIVE_DIR/kim.key"

server_conf() {	# server_conf [extra lines...]
	{
		echo "listen on * port 443"
		echo "tunnel tunp0 mtu 1400 {"
		echo "	inet $SRV_TUN4 peer 192.168.192.1"
		echo "	inet6 $SRV6 peer fd00:cafe::1"
		echo "}"
		echo "pool 192.168.192.0/24"
		echo "pool fd00:cafe::/120"
		echo "leases \"$LIVE_DIR/leases\""
		echo "control socket \"$LIVE_DIR/server.sock\""
		echo "include \"$LIVE_DIR/clients\""
		echo "push dns 192.0.2.53"
		for l in "$@"; do echo "$l"; done
	} >"$LIVE_DIR/server.conf"
	chmod 644 "$LIVE_DIR/server.conf"
}
server_conf

# pat: the least a client can say.
{
	echo "key \"$LIVE_DIR/pat.key\""
	echo "connect to $SRV_IP port 443"
	echo "control socket \"$LIVE_DIR/pat.sock\""
	echo "tunnel tunc0"
	echo "reconnect backoff max 1"
} >"$LIVE_DIR/pat.conf"
# kim: its own addresses, on the server's pool but not what it pushes.
{
	echo "key \"$LIVE_DIR/kim.key\""
	echo "connect to $SRV_IP port 443"
	echo "control socket \"$LIVE_DIR/kim.sock\""
	echo "tunnel tunc0 {"
	echo "	inet 192.168.192.77 peer $SRV_TUN4"
	echo "	inet6 fd00:cafe::77 peer $SRV6"
	echo "}"
	echo "reconnect backoff max 1"
} >"$LIVE_DIR/kim.conf"
chmod 644 "$LIVE_DIR/pat.conf" "$LIVE_DIR/kim.conf"

# -nv says what the file keeps and what the server will give.
"$DSVPND" -nv -f "$LIVE_DIR/pat.conf" >"$LIVE_DIR/pat.nv" 2>&1 ||
    fail "pat.conf: $(cat "$LIVE_DIR/pat.nv")"
grep -q "^# taken from the server's push when it sends them: inet, inet6, routes, mtu, dns" \
    "$LIVE_DIR/pat.nv" || fail "-nv of pat: $(cat "$LIVE_DIR/pat.nv")"
"$DSVPND" -nv -f "$LIVE_DIR/kim.conf" | grep -q \
    "^# kept over what the server pushes: inet, inet6$" ||
    fail "-nv of kim: $("$DSVPND" -nv -f "$LIVE_DIR/kim.conf")"

# pat first, the server down: sealed, no address, not up.
NS_C=$NS_K1
live_start pat "$NS_K1"
wait_for 10 test -S "$LIVE_DIR/pat.sock" || fail "pat did not start"
wait_for 10 sealed "$NS_K1" || fail "pat not sealed before its session"
ip -n "$NS_K1" addr show dev tunc0 | grep -q 'scope global' &&
    fail "pat has tunnel addresses before the push: $(ip -n "$NS_K1" \
    addr show dev tunc0)"
ctl pat status -j | jq -e '.have_addrs == false' >/dev/null ||
    fail "status: $(ctl pat status -j | jq -c .)"
leak_watch_start "$NS_K1" v-c
probe_start
note "pat sealed without addresses while the server is down"

live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
wait_for 20 session_up pat || fail "pat: no session"
# "up" comes after netcfg applied the push: the addresses are in.
pat4=$(live_peer server pat .inet)
pat6=$(live_peer server pat .inet6)
case $pat4 in 192.168.192.*) ;; *) fail "pat's pool inet: $pat4" ;; esac
ip -n "$NS_K1" addr show dev tunc0 | grep -q "inet $pat4 peer $SRV_TUN4" ||
    fail "pat's tunnel: $(ip -n "$NS_K1" addr show dev tunc0)"
ip -n "$NS_K1" addr show dev tunc0 | grep -q "inet6 $pat6 peer $SRV6" ||
    fail "pat's tunnel (v6): $(ip -n "$NS_K1" addr show dev tunc0)"
ip -n "$NS_K1" link show tunc0 | grep -q 'mtu 1400' ||
    fail "pat's mtu: $(ip -n "$NS_K1" link show tunc0)"
st=$(ctl pat status -j)
echo "$st" | jq -e --arg a "$pat4" '.inet.local == $a and
    .mtu == 1400 and .default_route == true and .dns[0] == "192.0.2.53" and
    (.pushed | index("inet")) != null and (.pushed | index("dns")) != null' \
    >/dev/null || fail "pat's status -j: $(echo "$st" | jq -c .)"
ctl pat status | grep -q '^dns: *192.0.2.53 (pushed, not applied)' ||
    fail "pat's status: $(ctl pat status)"
ctl pat status | sed "s/^/    /"
note "pat up with $pat4 $pat6, mtu 1400, from the server"

ping_ok "$NS_K1" $REMOTE_IP || fail "pat: no v4 ping out"
ping_ok "$NS_K1" $REMOTE_IP6 || fail "pat: no v6 ping out"
probe_stop
leak_check "pat's start and push"
note "pat reaches $REMOTE_IP and $REMOTE_IP6, nothing in clear"

# kim keeps its own addresses and takes the MTU.
live_start kim "$NS_K2"
wait_for 20 session_up kim || fail "kim: no session"
ip -n "$NS_K2" addr show dev tunc0 | grep -q "inet 192.168.192.77 peer" ||
    fail "kim's tunnel: $(ip -n "$NS_K2" addr show dev tunc0)"
ip -n "$NS_K2" link show tunc0 | grep -q 'mtu 1400' ||
    fail "kim's mtu: $(ip -n "$NS_K2" link show tunc0)"
ctl kim status -j | jq -e '.inet.local == "192.168.192.77" and
    (.pushed | index("inet")) == null and (.pushed | index("mtu")) != null' \
    >/dev/null || fail "kim's status -j: $(ctl kim status -j | jq -c .)"
grep -q 'the server pushed inet 192.168.192' "$LIVE_DIR/kim.log" ||
    fail "kim did not log the push"
note "kim keeps 192.168.192.77 over the push"

# A changed push on a reconnect: a transition.  The server now pushes
# a split tunnel: pat routes the pools only, and is no longer sealed.
kick_pat() {
	s1=$(live_peer server pat .sessions)
	ctl server kick pat >/dev/null || fail "kick pat"
	pat_back() { [ "$(live_peer server pat .sessions)" -gt "$s1" ]; }
	wait_for 15 pat_back || fail "pat did not reconnect"
}
changes=$(grep -c 'changed the plan' "$LIVE_DIR/pat.log")
server_conf "push no default route"
ctl server reload >/dev/null || fail "reload with a split tunnel"
kick_pat
split() { ctl pat status -j | jq -e '.state == "up" and
    .default_route == false and .block_outside == false and
    (.routes | index("192.168.192.0/24")) != null' >/dev/null; }
wait_for 15 split || fail "pat's status: $(ctl pat status -j | jq -c .)"
[ "$(grep -c 'changed the plan' "$LIVE_DIR/pat.log")" -gt "$changes" ] ||
    fail "no transition for the changed push"
sealed "$NS_K1" && fail "pat still sealed on a split tunnel"
ping_ok "$NS_K1" $SRV_TUN4 || fail "pat: no ping to the server's tunnel"
ip -n "$NS_K1" addr show dev tunc0 | grep -q "inet $pat4 peer" ||
    fail "pat's address changed: $(ip -n "$NS_K1" addr show dev tunc0)"
note "a changed push on reconnect: pat now routes the pools only"

# A server that would take the client's network into the tunnel.
before=$(snapshot "$NS_K1")
server_conf "push no default route" "push route 198.18.0.0/24"
ctl server reload >/dev/null || fail "reload with a hostile route"
kick_pat
refused() { grep -q 'pushed bad settings, refused.*a route takes' \
    "$LIVE_DIR/pat.log"; }
wait_for 10 refused || fail "pat took a route over its own network"
session_up pat && fail "pat up with refused settings"
ctl pat status | grep -q "the server's settings were refused" ||
    fail "pat's status: $(ctl pat status)"
[ "$(snapshot "$NS_K1")" = "$before" ] ||
    fail "a refused push changed pat's network"
note "a push routing pat's own network refused, nothing changed"

echo "ok"
