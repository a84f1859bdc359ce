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
# The many-client figures of issue 10, from the build tree, as root:
#
#	regress/bench/many.sh [-n runs] [-s sessions] [results.tsv]
#
# Each run starts a fresh server with sessions + 1 clients configured
# (regress/lib/live.sh's live_many_conf), in network namespaces of its
# own, and measures:
#
#   establish_ms  time for regress/tools/loadgen to bring every session
#                 up (all keys its own, the real handshake, at most 64
#                 handshaking at once), and hs_per_s, sessions / that;
#   hs_per_cpu_s  sessions per CPU second the tunnel process spent
#                 meanwhile: the tunnel is one thread, so this is the
#                 handshake rate of one core whatever else the machine
#                 runs;
#   kib_per_sess  (RSS of the tunnel with every session up and idle -
#                 its RSS before the first) / sessions;
#   idle_cpu_pct  the tunnel's CPU use over 10 s with every session
#                 idle (keepalives only), in % of one core;
#   rtt0_ms, rtt_ms  the median RTT of a real dsvpnd client's ping to the
#                 server's tunnel address (200 pings, 10 ms apart),
#                 before the sessions and with them all present, idle
#                 (keepalives only).
#
# A run in which loadgen counts any failure (a session that did not come
# up, or was lost) is reported and left out: it is no figure.  Before
# each run the script waits (up to BENCH_QUIET_MAX s, default 300) for
# the machine to be idle (at most BENCH_QUIET_BUSY CPUs busy over one
# second, default 0.3), as ../shared/bench does, and prints the load it
# measured at with every figure.  The last lines are the medians.

set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
DSVPND=${DSVPND:-$BUILDDIR/dsvpnd}
DSVPNCTL=${DSVPNCTL:-$BUILDDIR/dsvpnctl/dsvpnctl}
LOADGEN=$BUILDDIR/regress/tools/loadgen
export SRCDIR BUILDDIR DSVPND DSVPNCTL
. "$SRCDIR/regress/lib/live.sh"
. "$SRCDIR/regress/bench/lib.sh"

RUNS=3
N=10000
while getopts n:s: ch; do
	case $ch in
	n)	RUNS=$OPTARG ;;
	s)	N=$OPTARG ;;
	*)	echo "usage: many.sh [-n runs] [-s sessions] [results.tsv]" >&2
		exit 2 ;;
	esac
done
shift $((OPTIND - 1))
OUT=${1:-}
HZ=$(getconf CLK_TCK)
[ -x "$LOADGEN" ] || { echo "no $LOADGEN: build first" >&2; exit 1; }

cpu_ticks() {	# utime + stime of a process
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

ping_median() {	# the median RTT in ms of 200 pings through the client
	ip netns exec "$NS_C" ping -n -c 200 -i 0.01 -W 2 10.64.0.1 2>/dev/null |
	    sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n |
	    awk '{ v[NR] = $1 }
	    END { if (NR < 195) exit 1; m = int((NR + 1) / 2);
		if (NR % 2 == 0) v[m] = (v[m] + v[m + 1]) / 2;
		printf "%.3f\n", v[m] }'
}

# A real client with the last key, its address fixed by its own file.
real_client() {
	live_many_client client "$N" "$NS_C"
	wait_for 30 session_up client || fail "the real client got no session"
	wait_for 10 ping_ok "$NS_C" 10.64.0.1 || fail "no ping through it"
}

one_run() {	# one_run I: a line of figures on stdout, or a note
	local tun base c0 est ms cpu rss rtt0 rtt lg perfpid p idle
	live_init
	live_pair
	live_many_conf $((N + 1))
	# Room for a descriptor a session in the namespaces' processes.
	ulimit -n $((N + 4096))
	live_many_up
	tun=$(child_pid "$(live_pid server)" tunnel) || fail "no tunnel pid"
	real_client
	rtt0=$(ping_median) || fail "pings without a session present"
	sleep 2
	base=$(rss_kib "$tun")
	c0=$(cpu_ticks "$tun")
	if [ -n "${BENCH_PERF:-}" ]; then	# a profile of the establishing
		perf record -q -g -o "$BENCH_PERF" -p "$tun" 2>/dev/null &
		perfpid=$!
		PIDS="$PIDS $perfpid"
	fi
	ip netns exec "$NS_C" "$LOADGEN" -n "$N" -c 64 -h 60 -t 60 \
	    "$LIVE_DIR/keys.bin" $SRV_IP 443 >"$LIVE_DIR/loadgen.out" 2>&1 &
	lg=$!
	PIDS="$PIDS $lg"
	wait_for 300 grep -q '^established' "$LIVE_DIR/loadgen.out" ||
	    fail "loadgen: $(tail -5 "$LIVE_DIR/loadgen.out")"
	cpu=$(( $(cpu_ticks "$tun") - c0 ))
	if [ -n "${BENCH_PERF:-}" ]; then
		kill -INT "$perfpid" 2>/dev/null
		wait "$perfpid"
		for p in $(live_pid server) $(pgrep -P "$(live_pid server)") \
		    $lg; do
			echo "--- cpu ticks: $p $(cat /proc/$p/comm)" \
			    "$(cpu_ticks $p)"
		done
	fi
	est=$(grep '^established' "$LIVE_DIR/loadgen.out")
	ms=$(echo "$est" | sed -n 's/.* in \([0-9]*\) ms.*/\1/p')
	sleep 5
	rss=$(rss_kib "$tun")
	c0=$(cpu_ticks "$tun")
	sleep 10
	idle=$(( $(cpu_ticks "$tun") - c0 ))
	rtt=$(ping_median) || fail "pings with $N sessions present"
	wait "$lg"
	if [ $? -ne 0 ]; then
		echo "--- run $1 had failures, no figure: $(grep -v '^data' \
		    "$LIVE_DIR/loadgen.out" | tr '\n' ' ')"
		return 0
	fi
	printf '%s\t%s\t%s\t%.0f\t%.0f\t%.2f\t%s\t%s\t%.1f\t%s\n' "$1" "$N" "$ms" \
	    "$(echo "$N $ms" | awk '{ print $1 * 1000 / $2 }')" \
	    "$(echo "$N $cpu $HZ" | awk '{ print $3 * $1 / ($2 > 0 ? $2 : 1) }')" \
	    "$(echo "$rss $base $N" | awk '{ print ($1 - $2) / $3 }')" \
	    "$rtt0" "$rtt" "$(echo "$idle $HZ" | awk '{ print $1 * 10 / $2 }')" \
	    "$LOAD" | tee -a "$FIG"
}

FIG=$(mktemp)
trap 'rm -f "$FIG"' EXIT
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $N sessions," \
    "$("$DSVPND" -V 2>&1 | head -n 1)"
printf 'run\tsessions\testablish_ms\ths_per_s\ths_per_cpu_s\tkib_per_sess'
printf '\trtt0_ms\trtt_ms\tidle_cpu_pct\tload\n'
i=1
while [ "$i" -le "$RUNS" ]; do
	wait_quiet
	# Each run in a subshell: live.sh's cleanup removes its namespaces
	# and ends its processes when it exits.
	TMPDIR=$(mktemp -d)
	( one_run "$i" )
	rm -rf "$TMPDIR"
	i=$((i + 1))
done
[ -n "$OUT" ] && cat "$FIG" >>"$OUT"
printf 'median\t%s' "$N"
for c in 3 4 5 6 7 8 9; do
	printf '\t%s' "$(median "$FIG" $c)"
done
printf '\t%s runs\n' \
    "$(wc -l <"$FIG")"
