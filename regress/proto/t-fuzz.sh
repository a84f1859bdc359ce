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

# Fuzz the protocol decoders (fuzz/fuzz_proto.c) for 60 seconds.  Uses the
# fuzzer the build made, or builds one with clang; skips without clang or
# libFuzzer.  FUZZ_SECONDS overrides the duration.

set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
TMPDIR=${TMPDIR:-/tmp}
secs=${FUZZ_SECONDS:-60}
fuzzer=$BUILDDIR/fuzz/fuzz_proto

skip() {
	echo "skipped: $*"
	exit 77
}

build() {
	command -v clang >/dev/null 2>&1 || skip "no clang"
	[ -f "$BUILDDIR/config.h" ] || skip "no $BUILDDIR/config.h (configure first)"
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return 0; }\n' \
	    > "$TMPDIR/probe.c"
	clang -fsanitize=fuzzer "$TMPDIR/probe.c" -o "$TMPDIR/probe" \
	    >/dev/null 2>&1 || skip "clang has no libFuzzer"
	sodium=$(pkg-config --cflags --libs libsodium 2>/dev/null) ||
	    sodium=-lsodium
	fuzzer=$TMPDIR/fuzz_proto
	srcs=
	for f in proto proto_input proto_tick handshake frame rekey replay \
	    keyid idtable push replaywin cookie dgram dgram_frame dgram_hs \
	    dgram_input dgram_rekey dgram_rel dgram_tick; do
		srcs="$srcs $SRCDIR/tunnel/$f.c"
	done
	# shellcheck disable=SC2086
	clang -g -O1 -fsanitize=fuzzer,address,undefined \
	    -I"$BUILDDIR" -I"$SRCDIR/compat" -I"$SRCDIR/common" \
	    -I"$SRCDIR/tunnel" "$SRCDIR/fuzz/fuzz_proto.c" \
	    "$SRCDIR/fuzz/fuzz_dgram.c" $srcs $sodium \
	    -o "$fuzzer" || { echo "FAIL: cannot build the fuzzer"; exit 1; }
}

[ -x "$fuzzer" ] || build

corpus=$TMPDIR/corpus
mkdir -p "$corpus" || exit 1
cp "$SRCDIR"/fuzz/corpus/* "$corpus"/ || exit 1

echo "fuzzing $fuzzer for ${secs}s"
timeout $((secs + 120)) "$fuzzer" -max_total_time="$secs" -max_len=8192 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$TMPDIR/" "$corpus" > "$TMPDIR/fuzz.log" 2>&1
rc=$?
grep -E '^(Done|stat::number_of_executed_units|#[0-9]+ +DONE)' \
    "$TMPDIR/fuzz.log"
if [ $rc -ne 0 ]; then
	echo "FAIL: fuzzer exited $rc; its log ends:"
	tail -40 "$TMPDIR/fuzz.log"
	for a in "$TMPDIR"/crash-* "$TMPDIR"/leak-* "$TMPDIR"/timeout-* \
	    "$TMPDIR"/oom-*; do
		[ -f "$a" ] && echo "artifact: $a ($(od -An -tx1 "$a" | head -4))"
	done
	exit 1
fi
echo "ok"
exit 0
