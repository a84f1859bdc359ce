#!/bin/sh
# The measurements of the README's UDP figures, in one sitting, on a
# quiet machine, as root, from the repository root of a build tree:
#
#   regress/bench/udp-sitting.sh [OUTDIR]
#
# 1. netns-vpn-bench.sh -n 3 (its default tests: ping, up1, down1, upP,
#    downP, loaded) for wireguard-go, openvpn-udp, dsvpnd over TCP,
#    dsvpnd over UDP and dsvpnd in DSVPN compatibility mode (the
#    README's compat row), into OUTDIR/results.tsv;
# 2. under 1 % and 5 % random loss each way on the underlay (lossy.sh),
#    for dsvpnd over UDP, dsvpnd over TCP and wireguard-go: single
#    stream up and down (-T up1,down1, into results.tsv with the label
#    lossN), and 3 runs of the RTT of a ping beside a bulk flow (p99.sh,
#    into OUTDIR/p99.tsv: label, median, p99, loss %, Gbit/s);
# 3. the median tables: OUTDIR/summary.md (summarize.sh -m).
# About 45 minutes.  OUTDIR defaults to bench-udp-DATE.
set -u
BENCH=${BENCH:-../shared/bench}
out=${1:-bench-udp-$(date +%Y%m%d-%H%M)}
mkdir -p "$out" || exit 1
res=$out/results.tsv
run() { "$BENCH/netns-vpn-bench.sh" -F "$@" || echo "FAILED: $*" >&2; }

for impl in wireguard-go openvpn-udp regress/bench/dsvpnd.sh \
    regress/bench/dsvpnd-udp.sh regress/bench/dsvpnd-compat.sh; do
	run -n 3 "$impl" "$res"
done
for pct in 1 5; do
	for impl in regress/bench/dsvpnd-udp.sh regress/bench/dsvpnd.sh \
	    wireguard-go; do
		name=$(basename "$impl" .sh)
		LOSSY_IMPL=$impl LOSSY_PCT=$pct run -n 3 -l "loss$pct" \
		    -T up1,down1 regress/bench/lossy.sh "$res"
		LOSSY_IMPL=$impl LOSSY_PCT=$pct P99_OUT=$out/p99.tsv \
		    P99_LABEL="$name-loss$pct" run -n 3 -l "loss$pct-p99" \
		    -T none -X "$(pwd)/regress/bench/p99.sh" \
		    regress/bench/lossy.sh "$res"
	done
done
"$BENCH/summarize.sh" -m "$res" >"$out/summary.md"
echo "results in $out: results.tsv, p99.tsv, summary.md"
