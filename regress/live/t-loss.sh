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
# Dead-peer detection under loss (issue 15): 20 % of the underlay's
# packets dropped both ways, for 10 minutes, with traffic through the
# tunnel the whole time, and not one session drop on either side; then
# the client's underlay cut completely, and the server finds the dead
# peer within its dead-peer timeout (plus one keepalive of slack).
# The suite's one long test.  LOSS_SECONDS shortens it by hand.
# timeout: 800
# background: yes

. "$SRCDIR/regress/lib/live.sh"

command -v jq >/dev/null || skip "needs jq"
command -v nft >/dev/null || skip "needs nft"
DURATION=${LOSS_SECONDS:-600}
DEAD=20
live_init
live_pair
live_keygen
live_conf server server "keepalive 5" "dead-peer timeout $DEAD"
live_conf client client "keepalive 5" "dead-peer timeout $DEAD" \
    "no default route"
live_up

# The loss, in the client's namespace, on its underlay only.
ip netns exec "$NS_C" nft -f - <<NFT || fail "loss rules"
table inet loss {
	chain in {
		type filter hook input priority -10;
		iifname "v-c" numgen random mod 100 < 20 counter drop
	}
	chain out {
		type filter hook output priority -10;
		oifname "v-c" numgen random mod 100 < 20 counter drop
	}
}
NFT
note "20 % loss both ways for $DURATION s, with pings through the tunnel"
s0=$(ctl server status -j | jq .stats.sessions)
c0=$(ctl client status -j | jq .stats.sessions)
# 1 KiB pings five times a second: steady traffic the outer TCP must
# retransmit; some pings are lost with the tunnel's own packets.
ip netns exec "$NS_C" ping -q -i 0.2 -s 1000 -w "$DURATION" "$SRV_TUN4" \
    >"$LIVE_DIR/ping" 2>&1 &
pp=$!
PIDS="$PIDS $pp"
end=$(( $(date +%s) + DURATION ))
while [ "$(date +%s)" -lt $end ]; do
	session_up client || fail "the client's session dropped under loss"
	sleep 5
done
wait "$pp"
tail -3 "$LIVE_DIR/ping"
s1=$(ctl server status -j | jq .stats.sessions)
c1=$(ctl client status -j | jq .stats.sessions)
[ "$s1" -eq "$s0" ] && [ "$c1" -eq "$c0" ] ||
    fail "sessions under loss: server $s0 -> $s1, client $c0 -> $c1"
grep -q ' received' "$LIVE_DIR/ping" || fail "no ping summary"
dropped=$(ip netns exec "$NS_C" nft list table inet loss |
    sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | paste -sd+ | bc)
note "no session dropped; the loss rules dropped $dropped packets"
[ "${dropped:-0}" -gt 100 ] || fail "the loss rules dropped too little"

note "the client's underlay cut: the server must find it dead"
ip netns exec "$NS_C" nft add rule inet loss in iifname v-c drop
ip netns exec "$NS_C" nft add rule inet loss out oifname v-c drop
# Traffic from the server side keeps data unacknowledged, as a server
# sending to a client that vanished would.
ip netns exec "$NS_S" ping -q -i 0.2 -w $((DEAD + 10)) "$CLI_TUN4" \
    >/dev/null 2>&1 &
PIDS="$PIDS $!"
t0=$(date +%s)
server_down() { ! ctl server status | grep -qE '^state: +up'; }
wait_for $((DEAD + 10)) server_down ||
    fail "the server still holds the dead client after $((DEAD + 10)) s"
took=$(( $(date +%s) - t0 ))
note "dead peer found after $took s (dead-peer timeout $DEAD s)"
[ $took -le $((DEAD + 5)) ] || fail "took $took s, more than $DEAD + 5"
echo ok
