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
# What regress/bench's scripts share: waiting for a quiet machine, and
# medians.  Sourced after regress/lib/live.sh.

QUIET_MAX=${BENCH_QUIET_MAX:-300}
QUIET_BUSY=${BENCH_QUIET_BUSY:-0.3}

# Busy CPUs (all but idle, iowait, steal) over one second of /proc/stat.
busy_cpus() {
	local a b
	a=$(awk '/^cpu /{ print $2+$3+$4+$7+$8, $5+$6+$9; exit }' /proc/stat)
	sleep 1
	b=$(awk '/^cpu /{ print $2+$3+$4+$7+$8, $5+$6+$9; exit }' /proc/stat)
	echo "$a $b" | awk -v n="$(nproc)" '{ b = $3 - $1; i = $4 - $2;
	    printf "%.2f\n", (b + i > 0) ? n * b / (b + i) : 0 }'
}

# Wait (up to QUIET_MAX s) until at most QUIET_BUSY CPUs are busy, as
# ../shared/bench does; LOAD then says what the load was, for the figures.
wait_quiet() {
	local start busy
	start=$(date +%s)
	while :; do
		busy=$(busy_cpus)
		awk -v b="$busy" -v q="$QUIET_BUSY" 'BEGIN { exit !(b <= q) }' &&
		    break
		if [ $(( $(date +%s) - start )) -ge "$QUIET_MAX" ]; then
			echo "--- WARNING: the machine is busy ($busy CPUs busy" \
			    "outside this benchmark) after ${QUIET_MAX} s;" \
			    "measuring anyway: these figures are from a busy" \
			    "machine"
			break
		fi
		sleep 5
	done
	LOAD="busy $busy, loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
}

median() {	# median FILE COLUMN
	cut -f "$2" "$1" | sort -n | awk '{ v[NR] = $1 }
	    END { if (NR == 0) { print "-"; exit } m = int((NR + 1) / 2);
		if (NR % 2 == 0) v[m] = (v[m] + v[m + 1]) / 2; print v[m] }'
}

