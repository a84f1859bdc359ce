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
# Two clients with one key fight over one session for 60 s (issue 15):
# each replaced client backs off (its normal capped backoff, not zero),
# so the server makes fewer than 100 sessions and writes fewer than 100
# log lines, says that two clients seem to share the key, and the
# replaced client's status says why it is not up.  The clients route
# everything into the tunnel: while they fight, nothing of the first
# leaves its underlay in clear (its seal holds across every replace).
# timeout: 120

. "$SRCDIR/regress/lib/live.sh"

command -v jq >/dev/null || skip "needs jq"
live_init
live_star 2
live_keygen
live_conf server server
for k in one two; do
	live_conf $k client
done
live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
live_start one "$NS_K1"
wait_for 20 session_up one || fail "the first client did not come up"
NS_C=$NS_K1
leak_watch_start "$NS_K1" v-c
probe_start
live_start two "$NS_K2"

# Whichever is down at a moment says why; sample both for the 60 s.
: >"$LIVE_DIR/why"
end=$(( $(date +%s) + 60 ))
while [ "$(date +%s)" -lt $end ]; do
	for k in one two; do
		ctl $k status 2>/dev/null | grep '^not up:' >>"$LIVE_DIR/why"
	done
	sleep 1
done

probe_stop
leak_watch_stop
leak_check "two clients fighting over one key"

sessions=$(ctl server status -j | jq .stats.sessions)
lines=$(wc -l <"$LIVE_DIR/server.log")
note "60 s of two clients with one key: $sessions sessions, $lines log lines"
[ "$sessions" -ge 3 ] || fail "the two clients did not fight ($sessions)"
[ "$sessions" -lt 100 ] || fail "$sessions sessions in 60 s"
[ "$lines" -lt 100 ] || fail "$lines server log lines in 60 s"
grep -q 'two clients may share this key' "$LIVE_DIR/server.log" ||
    fail "the server did not say that two clients share a key"
grep -q 'not up: .*replaced by another client with this key' "$LIVE_DIR/why" ||
    fail "no replaced client said why: $(sort -u "$LIVE_DIR/why")"
note "$(grep -m1 'share this key' "$LIVE_DIR/server.log")"
echo ok
