#!/bin/sh
# timeout: 200
#
# The real control process, sandboxed and unprivileged, behind a stand-in
# parent (regress/ctl/fakeparent), driven by dsvpnctl and by a hostile
# client: the socket's mode and owner, status in both formats, reload
# and log for root only, the version check, a stale or foreign socket
# file, and malformed, oversized, truncated, silent and never-reading
# clients and a thousand connections, none of which may hurt it.
set -u

: "${SRCDIR:?}" "${BUILDDIR:?}"
CTL=${DSVPNCTL:-$BUILDDIR/dsvpnctl/dsvpnctl}
[ -d "$CTL" ] && CTL=$CTL/dsvpnctl
FAKE=$BUILDDIR/regress/ctl/fakeparent
HOSTILE=$BUILDDIR/regress/ctl/hostile
USER_OK=nobody		# its primary group owns the socket
USER_NO=daemon		# not in that group
failed=0
PIDS=

skip() { echo "skipped: $*"; exit 77; }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
ok() { echo "ok: $*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (to drop privileges)"
for f in "$CTL" "$FAKE" "$HOSTILE"; do
	[ -x "$f" ] || { echo "FAIL: no $f"; exit 1; }
done
id "$USER_OK" >/dev/null 2>&1 || skip "no user $USER_OK"
command -v setpriv >/dev/null 2>&1 || skip "no setpriv(1)"

# Under /tmp, which everyone may search, so that the unprivileged
# clients reach the socket ($TMPDIR may be private).
D=$(mktemp -d /tmp/dsvpnd-ctl.XXXXXX)
chmod 755 "$D"
mkdir -m 755 "$D/empty"
SOCK=$D/ctl.sock

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

wait_for() {	# seconds command...
	n=$(( $1 * 20 )); shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -le 0 ] && return 1
		sleep 0.05
	done
}

# start NAME [fakeparent flags]: a stand-in parent on $D/NAME.sock
start() {
	name=$1; shift
	"$FAKE" -s "$D/$name.sock" -u "$USER_OK" -c "$D/empty" "$@" \
	    >"$D/$name.log" 2>&1 &
	last=$!
	PIDS="$PIDS $last"
	wait_for 10 grep -q "serving the control socket" "$D/$name.log" || {
		echo "FAIL: control process for $name did not start"
		cat "$D/$name.log"; exit 1; }
}

as() {	# as USER command...: without root and without our groups
	u=$1; shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups "$@"
}

start ctl
MAIN=$last

# The socket: 0660, root and the unprivileged user's primary group.
# shellcheck disable=SC2046
set -- $(stat -c '%a %U %g' "$SOCK")
if [ "$1" = 660 ] && [ "$2" = root ] && [ "$3" = "$(id -g $USER_OK)" ]; then
	ok "socket mode 0660 root:$(id -gn $USER_OK)"
else
	fail "socket is mode $1 owner $2 group $3"
fi

# status, for people and as JSON, with growing counters.
out=$("$CTL" -s "$SOCK" status) || fail "status failed"
echo "$out" | grep -qE '^state: +up since' || fail "no state line: $out"
echo "$out" | grep -qE '^peer: +198\.18\.0\.1:443$' || fail "no peer: $out"
echo "$out" | grep -q 'nft add table inet "dsvpnd"' ||
    fail "netcfg lines missing: $out"
if command -v jq >/dev/null 2>&1; then
	a=$("$CTL" -s "$SOCK" status -j | jq -e .stats.bytes_in) ||
	    fail "status -j is not valid JSON"
	b=$("$CTL" -s "$SOCK" status -j | jq -e .stats.bytes_in)
	[ "${b:-0}" -gt "${a:-0}" ] || fail "counters did not grow: $a $b"
	"$CTL" -s "$SOCK" status -j | jq -e '.state == "up" and
	    (.network_changes | length) == 2 and .peer.port == 443' \
	    >/dev/null || fail "status -j content"
	ok "status -j is valid JSON, counters grow ($a -> $b)"
else
	echo "note: no jq, JSON not validated"
fi
"$CTL" -s "$SOCK" st >/dev/null || fail "abbreviated command refused"

# reload and log, as root.
out=$("$CTL" -s "$SOCK" reload) && [ "$out" = reloaded ] ||
    fail "reload: $out"
# The stand-in parent shows the level it was given as drops.auth - 1.
level() { "$CTL" -s "$SOCK" status -j | jq -e ".stats.drops.auth == $1 + 1"; }
"$CTL" -s "$SOCK" log verbose >/dev/null || fail "log verbose"
! command -v jq >/dev/null 2>&1 || level 2 >/dev/null ||
    fail "log verbose did not reach the parent as level 2"
"$CTL" -s "$SOCK" log brief >/dev/null || fail "log brief"
! command -v jq >/dev/null 2>&1 || level 0 >/dev/null ||
    fail "log brief did not reach the parent as level 0"
ok "reload and log as root"

# A reload the parent refuses: exit 1 and the errors, file:line.
start bad -e "/etc/dsvpnd.conf:3: syntax error"
if "$CTL" -s "$D/bad.sock" reload >"$D/out" 2>"$D/err"; then
	fail "failed reload exited 0"
elif ! grep -q '^/etc/dsvpnd.conf:3: syntax error$' "$D/err"; then
	fail "failed reload said: $(cat "$D/err" "$D/out")"
else
	ok "failed reload: exit 1 with file:line"
fi

# A member of the socket's group may read status and nothing else.
as "$USER_OK" test -x "$CTL" ||
    skip "$USER_OK cannot run $CTL (a private build directory?)"
as "$USER_OK" "$CTL" -s "$SOCK" status >/dev/null ||
    fail "$USER_OK cannot read status"
for cmd in reload "log verbose"; do
	# shellcheck disable=SC2086
	if as "$USER_OK" "$CTL" -s "$SOCK" $cmd 2>"$D/err"; then
		fail "$USER_OK may $cmd"
	elif ! grep -q ': denied$' "$D/err"; then
		fail "$USER_OK $cmd: $(cat "$D/err")"
	fi
done
ok "$USER_OK: status yes, reload and log denied"
if id "$USER_NO" >/dev/null 2>&1; then
	if as "$USER_NO" "$CTL" -s "$SOCK" status 2>"$D/err"; then
		fail "$USER_NO, not in the group, read status"
	elif ! grep -q 'Permission denied' "$D/err"; then
		fail "$USER_NO: $(cat "$D/err")"
	else
		ok "$USER_NO (not in the group): $(cat "$D/err")"
	fi
fi

# Versions must match, with a message that says so.
if DSVPNCTL_PROTOCOL=99 "$CTL" -s "$SOCK" status 2>"$D/err"; then
	fail "version 99 accepted"
elif ! grep -q 'version mismatch: dsvpnctl speaks 99, dsvpnd speaks 2' \
    "$D/err"; then
	fail "version mismatch said: $(cat "$D/err")"
else
	ok "version mismatch refused: $(cat "$D/err")"
fi

# The socket path: a live socket is another daemon's, a stale one is
# replaced, anything else is left alone.
if "$FAKE" -s "$SOCK" -u "$USER_OK" -c "$D/empty" >"$D/out" 2>&1; then
	fail "a second instance took a live socket"
elif ! grep -q 'another dsvpnd is running' "$D/out"; then
	fail "second instance said: $(cat "$D/out")"
else
	ok "live socket: another dsvpnd is running"
fi
: >"$D/file.sock"
if "$FAKE" -s "$D/file.sock" -u "$USER_OK" -c "$D/empty" >"$D/out" 2>&1 ||
    ! grep -q 'not a socket' "$D/out" || [ ! -f "$D/file.sock" ]; then
	fail "a file at the socket path: $(cat "$D/out")"
else
	ok "a file at the socket path is refused"
fi
kill "$last"		# "bad": leaves its socket behind, stale
wait "$last" 2>/dev/null
[ -S "$D/bad.sock" ] || fail "no stale socket to test with"
start bad
"$CTL" -s "$D/bad.sock" status >/dev/null && ok "stale socket replaced" ||
    fail "stale socket not replaced"

# Hostile clients, then a thousand connections while dsvpnctl asks.
"$HOSTILE" -s "$SOCK" -t 30 garbage oversized truncated unknown nohello \
    noread fdpass hello || fail "a hostile client was not dropped"
"$HOSTILE" -s "$SOCK" -n 1000 flood &
hpid=$!
sleep 0.5
"$CTL" -s "$SOCK" status >/dev/null || fail "status during the flood"
wait $hpid || fail "flood"
"$CTL" -s "$SOCK" status >/dev/null || fail "status after the flood"
kill -0 "$MAIN" 2>/dev/null || fail "the control process died"
ok "hostile clients dropped, control process alive"

# An orderly stop: MSG_SHUTDOWN, and the control process exits 0.
kill "$MAIN"
wait "$MAIN"
rc=$?
PIDS=$(echo "$PIDS" | sed "s/ $MAIN\$//; s/ $MAIN / /")
[ $rc -eq 0 ] && ok "control process stopped cleanly" ||
    { fail "stop: exit $rc"; tail -5 "$D/ctl.log"; }

if [ $failed -ne 0 ]; then
	echo "$failed checks failed; the control process said:"
	grep -v 'connected\|gone' "$D/ctl.log" | tail -20
	exit 1
fi
echo "all control checks passed"
