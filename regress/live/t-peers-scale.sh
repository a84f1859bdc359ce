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
# A server configured with 10,000 clients (the figures of issue 10 are a
# later task's; this checks that it works): the configuration streams to
# the tunnel, the last client of the table gets a session, status lists
# all 10,000 page by page, and a reload that removes one client keeps
# the session of another, nothing leaving in clear.  The client's file
# names no address: it runs with the one the server pushes.
# timeout: 180

. "$SRCDIR/regress/lib/live.sh"

command -v jq >/dev/null || skip "needs jq"
N=${SCALE_CLIENTS:-10000}
live_init
live_pair
mkdir -p "$LIVE_DIR/keys"
# One read of the random device, cut into key files.
head -c $((N * 32)) /dev/urandom |
    (cd "$LIVE_DIR/keys" && split -b 32 -a 5 -d - k) || fail "keys"
chmod 600 "$LIVE_DIR"/keys/k*
cp "$LIVE_DIR/keys/k$(printf %05d $((N - 1)))" "$LIVE_DIR/vpn.key"
chmod 600 "$LIVE_DIR/vpn.key"
clients() {	# clients FIRST: blocks for keys FIRST .. N-1
	seq "$1" $((N - 1)) | awk -v d="$LIVE_DIR/keys" \
	    '{ printf "client \"c%05d\" { key \"%s/k%05d\" }\n", $1, d, $1 }'
}
clients 0 >"$LIVE_DIR/clients.inc"
chmod 644 "$LIVE_DIR/clients.inc"
{
	echo "listen on * port 443"
	echo "tunnel tunp0 { inet 10.64.0.1 peer 10.64.0.2;" \
	    "inet6 fd00:64::1 peer fd00:64::2 }"
	echo "pool 10.64.0.0/16"
	echo "pool fd00:64::/112"
	echo "leases \"$LIVE_DIR/leases\""
	echo "control socket \"$LIVE_DIR/server.sock\""
	echo "include \"$LIVE_DIR/clients.inc\""
} >"$LIVE_DIR/server.conf"
chmod 644 "$LIVE_DIR/server.conf"

t0=$(date +%s)
live_start server "$NS_S"
wait_for 60 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
tun_up() { ip -n "$NS_S" link show tunp0 | grep -q ',UP'; }
wait_for 30 tun_up || fail "no tunp0 up"
# netcfg routes the pool to the tunnel: nothing by hand.
pool_routed() { ip -n "$NS_S" route show 10.64.0.0/16 | grep -q 'dev tunp0'; }
wait_for 30 pool_routed || fail "no pool route: $(ip -n "$NS_S" route)"
last=$(printf 'c%05d' $((N - 1)))
addr=$(live_peer server "$last" .inet)
note "server up with $N clients in $(( $(date +%s) - t0 )) s; $last has $addr"
# The client names no address: the server pushes the pool's.
live_conf client client "no default route" "route 10.64.0.0/16"
live_start client "$NS_C"
wait_for 30 session_up client || fail "the last client got no session"
[ "$(ctl client status -j | jq -r .inet.local)" = "$addr" ] ||
    fail "the client runs with $(ctl client status -j | jq -c .inet)"
wait_for 10 ping_ok "$NS_C" 10.64.0.1 || fail "no ping from the last client"
[ "$(live_peer server "$last" .state)" = up ] || fail "server: $last not up"

t0=$(date +%s)
n=$(ctl server status -j | jq '.clients | length')
[ "$n" -eq "$N" ] || fail "status -j lists $n clients, want $N"
n=$(ctl server status | grep -c '^c[0-9]')
[ "$n" -eq "$N" ] || fail "status lists $n clients, want $N"
note "status listed all $N twice in $(( $(date +%s) - t0 )) s"

leak_watch_start
clients 1 >"$LIVE_DIR/clients.inc"
ctl server reload >/dev/null || fail "reload without c00000"
ctl server status -j c00000 >/dev/null 2>&1 && fail "c00000 still listed"
[ "$(live_peer server "$last" .state)" = up ] ||
    fail "the reload touched $last's session"
ping_ok "$NS_C" 10.64.0.1 || fail "no ping after the reload"
leak_watch_stop
leak_check "the reload of $((N - 1)) clients"
note "reload of $((N - 1)) clients kept $last's session"
echo ok
