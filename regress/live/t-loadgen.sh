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
# A few hundred sessions from regress/tools/loadgen (one process, a key
# each, the real handshake and framing) against a real server: every
# one comes up, the server lists each up with its pushed address, a
# quarter of them carry pings both ways with every reply back, they
# all outlive a hold past the dead-peer timeout (keepalives answered
# both ways), and nothing crosses the underlay in clear.  The figures
# of issue 10 (10,000 sessions) are regress/bench/many.sh's.
# timeout: 240

. "$SRCDIR/regress/lib/live.sh"

command -v jq >/dev/null || skip "needs jq"
command -v tcpdump >/dev/null || skip "needs tcpdump"
LOADGEN=$BUILDDIR/regress/tools/loadgen
[ -x "$LOADGEN" ] || fail "no $LOADGEN"
N=${LOADGEN_SESSIONS:-300}
live_init
live_pair
live_many_conf "$N"
# A short dead-peer timeout, so that the hold below outlasts it: only
# keepalives, sent and answered on both sides, keep the sessions.
sed -i "1i keepalive 2\\ndead-peer timeout 6" "$LIVE_DIR/server.conf"
"$DSVPND" -n -f "$LIVE_DIR/server.conf" >/dev/null ||
    fail "server config: $("$DSVPND" -n -f "$LIVE_DIR/server.conf" 2>&1)"
live_many_up

ip netns exec "$NS_C" tcpdump -i v-c -n -U -s 0 -w "$LIVE_DIR/underlay.pcap" \
    2>"$LIVE_DIR/tcpdump.log" &
TCPDUMP=$!
PIDS="$PIDS $TCPDUMP"
wait_for 10 grep -q "listening on" "$LIVE_DIR/tcpdump.log" ||
    fail "tcpdump did not start"

note "$N sessions, $((N / 4)) of them pinging, held 10 s"
ip netns exec "$NS_C" "$LOADGEN" -n "$N" -c 32 -d $((N / 4)) -r 5 -h 10 -k 2 \
    "$LIVE_DIR/keys.bin" $SRV_IP 443 >"$LIVE_DIR/loadgen.out" 2>&1 &
LG=$!
PIDS="$PIDS $LG"
wait_for 60 grep -q '^established' "$LIVE_DIR/loadgen.out" ||
    fail "loadgen: $(cat "$LIVE_DIR/loadgen.out")"
grep '^established' "$LIVE_DIR/loadgen.out"
grep -q "^established $N of $N in .* failed 0$" "$LIVE_DIR/loadgen.out" ||
    fail "not every session came up"

# While they are held: the server's own view of them.
up=$(ctl server status -j | jq '[.clients[] | select(.state == "up")] |
    length')
[ "$up" -eq "$N" ] || fail "the server has $up clients up, want $N"
last=$(printf 'c%05d' $((N - 1)))
case $(live_peer server "$last" .inet) in
10.64.*) ;;
*)	fail "$last: no pool address on the server" ;;
esac

wait "$LG"
rc=$?
cat "$LIVE_DIR/loadgen.out"
[ "$rc" -eq 0 ] || fail "loadgen exited $rc"
grep -q "^held 10 s: up $N of $N, lost 0," "$LIVE_DIR/loadgen.out" ||
    fail "sessions lost during the hold"
# Each side sends a keepalive every 2 s of silence: over 10 s, several
# a session came back from the server.
ka=$(sed -n 's/^held .*keepalives \([0-9]*\)$/\1/p' "$LIVE_DIR/loadgen.out")
[ "${ka:-0}" -ge $((N * 3)) ] ||
    fail "$ka keepalives from the server, want at least $((N * 3))"
sent=$(sed -n 's/^data: .* sent \([0-9]*\) .*/\1/p' "$LIVE_DIR/loadgen.out")
[ "${sent:-0}" -ge $((N / 4 * 5 * 9)) ] ||
    fail "only $sent pings sent"
grep -q "^data: .* sent $sent replies $sent late 0" \
    "$LIVE_DIR/loadgen.out" || fail "pings without their reply"
grep -q '^failures: none$' "$LIVE_DIR/loadgen.out" || fail "failures"

note "the sessions ended orderly; nothing in clear on the underlay"
wait_for 20 sh -c "[ \"\$($DSVPNCTL -s $LIVE_DIR/server.sock status -j |
    jq '[.clients[] | select(.state == \"up\")] | length')\" -eq 0 ]" ||
    fail "the server still has sessions up"
kill -TERM $TCPDUMP
wait $TCPDUMP 2>/dev/null
[ "$(stat -c %s "$LIVE_DIR/underlay.pcap")" -gt 100000 ] ||
    fail "the capture is too small to mean anything"
if grep -a -q LOADGEN-CLEARTEXT-MARK "$LIVE_DIR/underlay.pcap"; then
	fail "a payload crossed the underlay in clear"
fi
echo ok
