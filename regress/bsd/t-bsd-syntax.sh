# Every C file that builds on OpenBSD, FreeBSD, NetBSD, DragonFly or
# macOS, type-checked against that system's real headers with
# ../shared/tools/bsd-syntax-check.sh (clang -fsyntax-only; nothing is
# linked or run), using regress/bsd/config-OS.h for what configure
# would find there.  Skipped where the checker or its header cache is
# missing (see the checker's header to prepare it).
# timeout: 300
set -u
CHECK=${BSD_SYNTAX_CHECK:-$SRCDIR/../shared/tools/bsd-syntax-check.sh}
CACHE=${BSD_SYSROOT_CACHE:-/tmp/bsd-sysroot-cache}
[ -f "$CHECK" ] || { echo "skipped: no $CHECK"; exit 77; }
command -v clang >/dev/null || { echo "skipped: needs clang"; exit 77; }
for os in openbsd freebsd netbsd dragonfly macos; do
	[ -d "$CACHE/$os" ] || { echo "skipped: no header cache for $os in $CACHE"; exit 77; }
done
[ -f /usr/include/event.h ] || { echo "skipped: needs libevent-dev"; exit 77; }

# libevent's legacy header, beside the event2/ the checker's deps gives.
inc=$TMPDIR/inc
mkdir -p "$inc"
ln -s /usr/include/event.h /usr/include/evutil.h "$inc/"
cd "$SRCDIR"
[ -f parent/parse.c ] || yacc -d -o "$TMPDIR/parse.c" parent/parse.y
parse=parent/parse.c
[ -f parent/parse.c ] || parse=$TMPDIR/parse.c

# Everything but the Linux backends and the tests.
common=$(ls common/*.c parent/*.c tunnel/*.c netcfg/*.c dsvpnctl/*.c |
    grep -v -e tun-linux.c -e tun-macos.c -e tun-bsd.c -e tun-stub.c \
    -e 'sandbox-[a-z]*\.c' -e caps-linux.c -e tcpinfo-linux.c \
    -e udpio-linux.c -e instlock-linux.c)
common="$common $parse common/sandbox-limits.c common/sandbox-probe.c"
files_for() {
	case $1 in
	openbsd) echo parent/tun-bsd.c common/sandbox-pledge.c ;;
	freebsd) echo parent/tun-bsd.c common/sandbox-capsicum.c ;;
	netbsd|dragonfly) echo parent/tun-bsd.c common/sandbox-none.c ;;
	macos) echo parent/tun-macos.c common/sandbox-none.c ;;
	esac
}

failed=0
for os in openbsd freebsd netbsd dragonfly macos; do
	# compat.h includes "config.h": this system's stand-in.
	mkdir -p "$TMPDIR/$os"
	cp "regress/bsd/config-$os.h" "$TMPDIR/$os/config.h"
	out=$(bash "$CHECK" check $os -I"$TMPDIR/$os" \
	    -DYYSTYPE_IS_DECLARED=1 -DDSVPND_CONF='"/etc/dsvpnd.conf"' \
	    -DDSVPND_SOCKET='"/var/run/dsvpnd.sock"' -DDSVPND_USER='"_dsvpnd"' \
	    -DDSVPND_CHROOT='"/var/empty"' -DDSVPND_PIDFILE='"/var/run/dsvpnd.pid"' \
	    -Icompat -Icommon -Iparent -Itunnel -Inetcfg -Idsvpnctl \
	    -idirafter "$inc" $common $(files_for $os) 2>&1)
	rc=$?
	echo "$out" | grep -c '^ok' | sed "s/^/$os: /; s/$/ files clean/"
	if [ $rc -ne 0 ]; then
		echo "$out" | grep -E 'FAIL|error:'
		failed=1
	fi
done
exit $failed
