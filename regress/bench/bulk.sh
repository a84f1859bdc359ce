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
# Bulk clients of one server, from the build tree, as root:
#
#	regress/bench/bulk.sh [-n runs] [-t seconds] [results.tsv]
#
# One server with 16 clients configured and 16 real dsvpnd clients, each
# in a network namespace of its own on one bridge (live_star).  Each run
# measures, one after the other, 1, 4 and 16 of them sending at once
# (one iperf3 TCP stream each to an iperf3 server of its own on the
# server's tunnel address, -t seconds, 10 by default), up (client to
# server) and down (-R: server to client, where the server's data path
# chooses which session to serve):
#
#   clients dir aggregate_mbps  the sum of their receivers' rates
#   ratio       aggregate / the same direction's 1-client aggregate in
#               the same run (goal: >= 0.90 with 4 and with 16)
#   jain        Jain's fairness index of their rates, (sum x)^2 /
#               (n sum x^2): 1 when all equal (goal: >= 0.95 among 4)
#   qdrops      packets the server dropped meanwhile because a session's
#               queue was full (its queue_full counter)
#
# A stream that fails, or a client whose session drops, makes the run no
# figure.  Before each run it waits for a quiet machine (lib.sh) and
# prints the load with every figure; the last lines are the medians.

set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
DSVPND=${DSVPND:-$BUILDDIR/dsvpnd}
DSVPNCTL=${DSVPNCTL:-$BUILDDIR/dsvpnctl/dsvpnctl}
export SRCDIR BUILDDIR DSVPND DSVPNCTL
. "$SRCDIR/regress/lib/live.sh"
. "$SRCDIR/regress/bench/lib.sh"

RUNS=3
SECS=10
K=16
while getopts n:t: ch; do
	case $ch in
	n)	RUNS=$OPTARG ;;
	t)	SECS=$OPTARG ;;
	*)	echo "usage: bulk.sh [-n runs] [-t seconds] [results.tsv]" >&2
		exit 2 ;;
	esac
done
shift $((OPTIND - 1))
OUT=${1:-}
command -v iperf3 >/dev/null || { echo "needs iperf3" >&2; exit 1; }
command -v jq >/dev/null || { echo "needs jq" >&2; exit 1; }

setup() {
	local i
	live_init
	live_star $K
	live_many_conf $K
	live_many_up
	for i in $(seq 1 $K); do
		ip netns exec "$NS_S" iperf3 -s -B 10.64.0.1 -p $((5200 + i)) \
		    -D -I "$LIVE_DIR/iperf$i.pid" >/dev/null 2>&1 ||
		    fail "iperf3 server $i"
		wait_for 5 test -s "$LIVE_DIR/iperf$i.pid" ||
		    fail "iperf3 server $i has no pid"
		PIDS="$PIDS $(cat "$LIVE_DIR/iperf$i.pid")"
		live_many_client "k$i" $((i - 1)) "$(eval echo \$NS_K$i)"
	done
	for i in $(seq 1 $K); do
		wait_for 30 session_up "k$i" || fail "client $i: no session"
		wait_for 10 ping_ok "$(eval echo \$NS_K$i)" 10.64.0.1 ||
		    fail "client $i: no ping"
	done
}

# k clients at once in one direction: one rate (Mbit/s) a line.
streams() {	# streams K up|down
	local i rev= pids=
	[ "$2" = down ] && rev=-R
	for i in $(seq 1 "$1"); do
		ip netns exec "$(eval echo \$NS_K$i)" iperf3 -c 10.64.0.1 \
		    -p $((5200 + i)) -t "$SECS" $rev -J \
		    >"$LIVE_DIR/s$i.json" 2>&1 &
		pids="$pids $!"
	done
	for i in $pids; do
		wait "$i" || return 1
	done
	for i in $(seq 1 "$1"); do
		jq -e '.end.sum_received.bits_per_second / 1e6' \
		    "$LIVE_DIR/s$i.json" || return 1
	done
}

# Sum and Jain's index of the rates on stdin: "SUM JAIN".
sum_jain() {
	awk '{ s += $1; q += $1 * $1; n++ }
	    END { printf "%.0f %.3f\n", s, (q > 0) ? s * s / (n * q) : 0 }'
}

qdrops() {
	ctl server status -j | jq '.stats.drops.queue_full'
}

one_run() {	# one_run I: figure lines appended to $FIG
	local k dir r one sum jain q0
	for dir in up down; do
		one=
		for k in 1 4 16; do
			q0=$(qdrops)
			r=$(streams $k $dir) || {
				echo "--- run $1: $k $dir: a stream failed," \
				    "no figure"
				return 0
			}
			set -- "$1" $(echo "$r" | sum_jain)
			sum=$2 jain=$3
			[ -z "$one" ] && one=$sum
			printf '%s\t%s\t%s\t%s\t%.3f\t%s\t%s\t%s\n' "$1" $k \
			    $dir "$sum" \
			    "$(echo "$sum $one" | awk '{ print $1 / $2 }')" \
			    "$jain" $(( $(qdrops) - q0 )) "$LOAD" | tee -a "$FIG"
		done
	done
	for k in $(seq 1 $K); do
		session_up "k$k" || {
			echo "--- run $1: client $k lost its session, no figure"
			return 0
		}
	done
}

FIG=$(mktemp)
trap 'rm -f "$FIG"' EXIT
TMPDIR=$(mktemp -d)
(
	setup
	echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $K clients," \
	    "$SECS s streams, $("$DSVPND" -V 2>&1 | head -n 1)"
	printf 'run\tclients\tdir\taggregate_mbps\tratio\tjain\tqdrops\tload\n'
	i=1
	while [ "$i" -le "$RUNS" ]; do
		wait_quiet
		one_run "$i"
		i=$((i + 1))
	done
	[ -n "$OUT" ] && cat "$FIG" >>"$OUT"
	for dir in up down; do
		for k in 1 4 16; do
			awk -v k=$k -v d=$dir '$2 == k && $3 == d' "$FIG" \
			    >"$FIG.$k$dir"
			printf 'median\t%s\t%s\t%s\t%s\t%s\t%s\t%s runs\n' $k \
			    $dir "$(median "$FIG.$k$dir" 4)" \
			    "$(median "$FIG.$k$dir" 5)" \
			    "$(median "$FIG.$k$dir" 6)" \
			    "$(median "$FIG.$k$dir" 7)" \
			    "$(wc -l <"$FIG.$k$dir")"
			rm -f "$FIG.$k$dir"
		done
	done
)
rc=$?
rm -rf "$TMPDIR"
exit $rc
