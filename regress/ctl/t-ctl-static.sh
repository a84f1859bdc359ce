#!/bin/sh
#
# What the control tool and the shipped files promise without a daemon:
# lint-clean man pages, a parseable rc.d script and systemd unit,
# dsvpnctl's usage errors and exit codes, and dsvpnctl keygen.
set -u

: "${SRCDIR:?}" "${BUILDDIR:?}"
CTL=${DSVPNCTL:-$BUILDDIR/dsvpnctl/dsvpnctl}
[ -d "$CTL" ] && CTL=$CTL/dsvpnctl
T=${TMPDIR:-/tmp}
failed=0

fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
ok() { echo "ok: $*"; }

[ -x "$CTL" ] || { echo "FAIL: no dsvpnctl at $CTL"; exit 1; }

# Man pages: clean at warning level; a page not written yet is noted.
if command -v mandoc >/dev/null 2>&1; then
	for page in dsvpnd.8 dsvpnctl.8 dsvpnd.conf.5; do
		f=$SRCDIR/man/$page
		if [ ! -f "$f" ]; then
			echo "note: man/$page does not exist yet, not checked"
			continue
		fi
		if out=$(mandoc -Tlint -W warning "$f" 2>&1) &&
		    [ -z "$out" ]; then
			ok "mandoc -Tlint man/$page"
		else
			fail "mandoc -Tlint man/$page:"; echo "$out"
		fi
	done
else
	echo "note: no mandoc, man pages not checked"
fi

# rc.d: ksh syntax, read by sh -n as closely as we can here.
if sh -n "$SRCDIR/etc/rc.d/dsvpnd"; then
	ok "sh -n etc/rc.d/dsvpnd"
else
	fail "etc/rc.d/dsvpnd does not parse"
fi
grep -q '^rc_configtest()' "$SRCDIR/etc/rc.d/dsvpnd" ||
    fail "etc/rc.d/dsvpnd has no config test"

# systemd: verify the unit with its commands pointed at built binaries
# (the installed paths need not exist here); any complaint fails.
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T/unit"
	sed -e "s|/usr/local/sbin/dsvpnd |${DSVPND:-/bin/true} |" \
	    -e "s|/usr/local/sbin/dsvpnctl|$CTL|" \
	    "$SRCDIR/etc/dsvpnd.service" >"$T/unit/dsvpnd.service"
	if out=$(systemd-analyze verify --man=no "$T/unit/dsvpnd.service" \
	    2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify etc/dsvpnd.service"
	else
		fail "systemd-analyze verify etc/dsvpnd.service:"
		echo "$out"
	fi
else
	echo "note: no systemd-analyze, unit not verified"
fi

# Usage errors: exit 1 and a usage or "valid here" text on stderr.
expect_usage() {
	"$CTL" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if [ $rc -ne 1 ]; then
		fail "dsvpnctl $*: exit $rc, want 1"
	elif [ -s "$T/out" ]; then
		fail "dsvpnctl $*: wrote to stdout"
	elif ! grep -qE 'usage:|valid here:' "$T/err"; then
		fail "dsvpnctl $*: no usage text"; cat "$T/err"
	else
		ok "dsvpnctl $* -> exit 1"
	fi
}
expect_usage
expect_usage -x
expect_usage -s
expect_usage bogus
expect_usage status -x
expect_usage status -j alice extra
expect_usage reload now
expect_usage log
expect_usage log loud
expect_usage keygen a b

# No daemon: a clear error naming the socket, exit 1.
"$CTL" -s "$T/none.sock" status >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "none.sock" "$T/err"; then
	ok "no daemon -> exit 1"
else
	fail "no daemon: exit $rc"; cat "$T/err"
fi

# keygen: 32 bytes, mode 0600 whatever the umask, never overwrites.
key=$T/vpn.key
if (umask 022; "$CTL" keygen "$key") && [ -f "$key" ]; then
	size=$(wc -c <"$key" | tr -d ' ')
	mode=$(stat -c %a "$key" 2>/dev/null || stat -f %Lp "$key")
	[ "$size" = 32 ] || fail "keygen wrote $size bytes"
	[ "$mode" = 600 ] || fail "keygen made mode $mode"
	[ "$size" = 32 ] && [ "$mode" = 600 ] && ok "keygen: 32 bytes, 0600"
else
	fail "keygen $key failed"
fi
cp "$key" "$T/copy"
if "$CTL" keygen "$key" 2>"$T/err"; then
	fail "keygen overwrote $key"
elif ! cmp -s "$key" "$T/copy"; then
	fail "keygen changed $key although it failed"
else
	ok "keygen refuses to overwrite"
fi
ln -s "$T/target" "$T/link"
if "$CTL" keygen "$T/link" 2>/dev/null || [ -e "$T/target" ]; then
	fail "keygen followed a symlink"
else
	ok "keygen refuses a symlink"
fi
"$CTL" keygen "$T/k2" && ! cmp -s "$key" "$T/k2" ||
    fail "two keys are the same"

# To standard output: with "-", with no file, and by the name
# /dev/stdout (a pipe, then a regular file), never to a terminal.
for how in - "" /dev/stdout; do
	n=$("$CTL" keygen $how | wc -c | tr -d ' ')
	[ "$n" = 32 ] && ok "keygen ${how:-(no file)} | wc: 32 bytes" ||
	    fail "keygen ${how:-(no file)} to a pipe wrote $n bytes"
done
rm -f "$T/out.key"
if (umask 077; "$CTL" keygen /dev/stdout >"$T/out.key") &&
    [ "$(wc -c <"$T/out.key" | tr -d ' ')" = 32 ]; then
	ok "keygen /dev/stdout >file"
else
	fail "keygen /dev/stdout >file"
fi
if command -v script >/dev/null 2>&1; then
	script -qc "$CTL keygen" /dev/null >"$T/tty" 2>&1
	if grep -q "is a terminal" "$T/tty"; then
		ok "keygen refuses a terminal"
	else
		fail "keygen wrote to a terminal:"; od -c "$T/tty" | head -3
	fi
fi
"$CTL" keygen "$T/no/such/dir/key" 2>/dev/null &&
    fail "keygen into a missing directory succeeded"

[ $failed -eq 0 ] || { echo "$failed checks failed"; exit 1; }
echo "all static checks passed"
