#!/bin/sh
#
# Runs the whole dsvpnd test suite: every unit test program the build
# made ($BUILDDIR/regress/*/test_*) and every test script
# (regress/*/t-*.sh).  Each test exits 0 (pass), 77 (skipped, saying
# why) or anything else (fail), and is killed after its time limit
# (300 s, or the "# timeout: N" line in a script).  A script with a
# "# background: yes" line runs beside the others.  The last line is
# "N passed, N failed, N skipped"; the exit status is 1 if any failed.
#
# usage: regress/run.sh [-B builddir] [-n] [name-pattern ...]
#	-B	the build directory (default: the source directory)
#	-n	do not (re)build first
#
set -u

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
BUILDDIR=$SRCDIR
build=1
while getopts B:n opt; do
	case $opt in
	B) BUILDDIR=$(cd "$OPTARG" && pwd) ;;
	n) build=0 ;;
	*) echo "usage: regress/run.sh [-B builddir] [-n] [pattern ...]" >&2
	   exit 1 ;;
	esac
done
shift $((OPTIND - 1))

if [ $build -eq 1 ]; then
	if [ ! -f "$BUILDDIR/Makefile" ]; then
		(cd "$SRCDIR" && autoreconf -fi >/dev/null) || exit 1
		(cd "$BUILDDIR" && "$SRCDIR/configure" -q) || exit 1
	fi
	make -s -C "$BUILDDIR" -j2 >/dev/null || { echo "build failed" >&2; exit 1; }
fi

LOGDIR=$BUILDDIR/regress-logs
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
export SRCDIR BUILDDIR
export DSVPND=$BUILDDIR/dsvpnd DSVPNCTL=$BUILDDIR/dsvpnctl/dsvpnctl

pass=0 fail=0 skip=0
failed=""

matches() {
	[ $# -eq 1 ] && return 0
	name=$1; shift
	for p in "$@"; do
		case $name in *$p*) return 0 ;; esac
	done
	return 1
}

run_one() {	# name, timeout, command...
	name=$1 limit=$2; shift 2
	log=$LOGDIR/$(echo "$name" | tr '/' '_').log
	tmp=$(mktemp -d /tmp/dsvpnd-regress.XXXXXX)
	start=$(date +%s)
	(cd "$tmp" && TMPDIR=$tmp timeout -k 10 "$limit" "$@") \
	    >"$log" 2>&1 </dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	rm -rf "$tmp"
	case $rc in
	0)	pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77)	skip=$((skip + 1))
		why=$(grep -m1 -i 'skipped' "$log" | sed 's/^[^:]*: *//')
		echo "SKIP $name: ${why:-no reason given}" ;;
	*)	fail=$((fail + 1)); failed="$failed $name"
		[ $rc -eq 124 ] && echo "timed out after ${limit}s" >>"$log"
		echo "FAIL $name (exit $rc, ${secs}s); last lines of $log:"
		tail -n 25 "$log" | sed 's/^/    /' ;;
	esac
}

# A script with a "# background: yes" line mostly waits (t-loss holds a
# slow lossy session for 10 minutes): it runs beside the others, in its
# own namespaces, and its result is counted at the end.
bg_names=""
start_background() {	# name, timeout, command...
	out=$LOGDIR/$(echo "$1" | tr '/' '_').bg
	(run_one "$@" >"$out") &
	bg_names="$bg_names $!:$out"
}
collect_background() {
	for b in $bg_names; do
		wait "${b%%:*}"
		out=${b#*:}
		cat "$out"
		case $(head -c 4 "$out") in
		PASS)	pass=$((pass + 1)) ;;
		SKIP)	skip=$((skip + 1)) ;;
		*)	fail=$((fail + 1))
			failed="$failed $(sed -n '1s/^[A-Z]* \([^ :]*\).*/\1/p' "$out")" ;;
		esac
	done
}

for t in "$SRCDIR"/regress/*/t-*.sh; do
	[ -f "$t" ] || continue
	grep -q '^# background: *yes' "$t" || continue
	name=${t#"$SRCDIR"/regress/}
	matches "$name" "$@" || continue
	limit=$(sed -n 's/^# timeout: *\([0-9][0-9]*\).*/\1/p' "$t" | head -n 1)
	start_background "$name" "${limit:-300}" bash "$t"
done

for t in "$BUILDDIR"/regress/*/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	case $t in *.o|*.c|*.h) continue ;; esac
	name=${t#"$BUILDDIR"/regress/}
	matches "$name" "$@" || continue
	run_one "$name" 300 "$t"
done

for t in "$SRCDIR"/regress/*/t-*.sh; do
	[ -f "$t" ] || continue
	grep -q '^# background: *yes' "$t" && continue
	name=${t#"$SRCDIR"/regress/}
	matches "$name" "$@" || continue
	limit=$(sed -n 's/^# timeout: *\([0-9][0-9]*\).*/\1/p' "$t" | head -n 1)
	run_one "$name" "${limit:-300}" bash "$t"
done
collect_background

[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
