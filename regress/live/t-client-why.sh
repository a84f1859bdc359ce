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
# A client with three servers, tried in order (a name that does not
# resolve, then two ports of the test server):
#  - with no server up, status says why (connection refused) and the
#    log says the name was not found;
#  - a server with another key: status says it refused the handshake,
#    most likely for the key, and the log says so at the default level;
#  - the key fixed and reloaded, the client is up at once, however long
#    its backoff had grown (issue 12), on the third server;
#  - that server gone and one on the second port started, the client
#    fails over to it.
# timeout: 120

. "$SRCDIR/regress/lib/live.sh"

command -v jq >/dev/null || skip "needs jq"
live_init
live_pair
live_keygen
head -c 32 /dev/urandom >"$LIVE_DIR/other.key"
chmod 600 "$LIVE_DIR/other.key"

live_conf server server
live_conf client client "reconnect backoff max 30"
sed -i "s|^connect to .*|connect to nowhere.invalid, $SRV_IP port 444\\
connect to $SRV_IP port 443|" "$LIVE_DIR/client.conf"
# The client starts with the wrong key.
sed -i "s|vpn.key|other.key|" "$LIVE_DIR/client.conf"
"$DSVPND" -n -f "$LIVE_DIR/client.conf" || fail "client config"

why() { ctl client status -j | jq -r '.cause // "none"'; }
has_cause() { [ "$(why)" = "$1" ]; }

live_resolver "$NS_C"
live_start client "$NS_C"
wait_for 10 test -S "$LIVE_DIR/client.sock" || fail "client did not start"
wait_for 10 has_cause connection_refused ||
    fail "status while no server is up: $(ctl client status | grep 'not up')"
ctl client status | grep -q '^not up: .*connection refused' ||
    fail "no 'not up' line: $(ctl client status | head -4)"
grep -q 'cannot reach nowhere.invalid port 444 (.*name resolution' \
    "$LIVE_DIR/client.log" ||
    fail "no log line for the name that does not resolve"
note "no server: $(ctl client status | grep '^not up')"

live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
wait_for 20 has_cause refused_by_server ||
    fail "status with a wrong key: $(ctl client status | grep 'not up')"
ctl client status | grep -q 'not up: .*most likely a wrong key' ||
    fail "the status does not name the key"
grep -q 'refused by the server' "$LIVE_DIR/client.log" ||
    fail "the refusal is not in the default log"
note "wrong key: $(ctl client status | grep '^not up')"
# Let the backoff grow past what the test waits for below.
sleep 8

sed -i "s|other.key|vpn.key|" "$LIVE_DIR/client.conf"
t0=$(date +%s)
ctl client reload >/dev/null || fail "client reload"
wait_for 5 session_up client || fail "not up within 5 s of the reload"
note "up $(( $(date +%s) - t0 )) s after the key was fixed"
ctl client status | grep -qE "^peer: +$SRV_IP:443\$" ||
    fail "not on the third server: $(ctl client status | grep peer)"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping"

# The server moves to the second port: the client fails over.
live_stop server || fail "server did not stop"
sed -i "s|port 443|port 444|" "$LIVE_DIR/server.conf"
live_start server "$NS_S"
wait_for 40 session_up client || fail "no failover to port 444"
ctl client status | grep -qE "^peer: +$SRV_IP:444\$" ||
    fail "failed over to $(ctl client status | grep peer)"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping after failover"
note "failed over to port 444"
echo ok
