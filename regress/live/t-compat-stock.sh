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
# Interoperation with an unmodified DSVPN 0.1.5 binary, where one is at
# hand: DSVPN_STOCK names it (built from jedisct1/dsvpn's own Makefile,
# outside the tree; it is never part of it).  A dsvpnd client in compat
# mode against a stock server, then a stock client against a dsvpnd
# server with a compat listener: each pings v4 and v6, -s 2000 and a
# short flood without loss, runs iperf3 both ways at once, and
# dsvpnd's status says dsvpn.  Stock
# DSVPN runs only inside the test's namespaces, as root there (it runs
# ip, iptables and sysctl itself); it is ended by its PID.
# timeout: 120
. "$SRCDIR/regress/lib/live.sh"
STOCK=${DSVPN_STOCK:-}
[ -n "$STOCK" ] && [ -x "$STOCK" ] ||
    skip "no stock DSVPN binary (set DSVPN_STOCK to one)"
command -v jq >/dev/null || skip "needs jq"
command -v iperf3 >/dev/null || skip "needs iperf3"
live_init
live_pair
live_keygen
SRV_TUN6=64:ff9b::c0a8:c0fe

# stock_start NAME NS args...: runs the stock binary, logs to NAME.log
stock_start() {
	local name=$1 ns=$2; shift 2
	ip netns exec "$ns" "$STOCK" "$@" >>"$LIVE_DIR/$name.log" 2>&1 &
	eval "PID_$name=$!"
	PIDS="$PIDS $!"
}

pings() {	# pings NS WHO
	wait_for 20 ping_ok "$1" "$SRV_TUN4" || fail "$2: no ping"
	ip netns exec "$1" ping -q -c 5 -i 0.2 "$SRV_TUN4" |
	    grep -q " 0% packet loss" || fail "$2: v4 ping lost packets"
	wait_for 10 ping_ok "$1" "$SRV_TUN6" || fail "$2: no v6 ping"
	ip netns exec "$1" ping -q -c 5 -i 0.2 -s 2000 "$SRV_TUN4" |
	    grep -q " 0% packet loss" || fail "$2: ping -s 2000 lost packets"
	out=$(ip netns exec "$1" ping -q -f -c 2000 -w 30 "$SRV_TUN4")
	echo "$out" | tail -n 2
	echo "$out" | grep -q " 0% packet loss" || fail "$2: flood lost packets"
	ip netns exec "$NS_S" iperf3 -s -1 -B "$SRV_TUN4" \
	    >"$LIVE_DIR/iperf.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :5201" ||
	    fail "iperf3 did not listen"
	ip netns exec "$1" iperf3 -c "$SRV_TUN4" -t 3 --bidir -J \
	    >"$LIVE_DIR/bidir.json" || fail "$2: iperf3 --bidir failed"
	echo "$2: bidir up $(jq '.end.sum_sent.bits_per_second' \
	    "$LIVE_DIR/bidir.json") bit/s, down $(jq \
	    '.end.sum_received_bidir_reverse.bits_per_second' \
	    "$LIVE_DIR/bidir.json") bit/s"
}

note "a dsvpnd client in compat mode, a stock DSVPN server"
stock_start stocksrv "$NS_S" server "$LIVE_DIR/vpn.key" auto 4433
wait_for 10 sh -c "ip netns exec $NS_S ss -ltn | grep -q :4433" ||
    fail "the stock server did not listen"
live_conf client client "protocol dsvpn"
sed -i "s/port 443$/port 4433/" "$LIVE_DIR/client.conf"
live_start client "$NS_C"
wait_for 20 session_up client || fail "no session with the stock server"
ctl client status | grep -q "protocol: *dsvpn$" || fail "client status"
pings "$NS_C" "dsvpnd client"
live_stop client || fail "client did not stop"
live_stop stocksrv || fail "the stock server did not stop"

note "a stock DSVPN client, a dsvpnd server with a compat listener"
live_conf server server "listen on * port 4433 protocol dsvpn"
live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
stock_start stockcli "$NS_C" client "$LIVE_DIR/vpn.key" $SRV_IP 4433
pings "$NS_C" "stock client"
[ "$(live_peer server client .protocol)" = dsvpn ] ||
    fail "server status: $(live_peer server client .protocol)"
[ "$(live_peer server client .state)" = up ] || fail "server: client not up"
live_stop stockcli || fail "the stock client did not stop"
live_stop server || fail "server did not stop"
echo ok
