#!/bin/bash
# t-tun.sh: tun_open() on the real kernel, inside a network namespace of
# its own: an "auto" device and a named one with the virtio header, MTU
# 9000; both must appear in `ip link` as asked and vanish when closed.
# The helper also checks that an impossible MTU only warns and that an
# over-long name is refused.
set -u

BUILDDIR=${BUILDDIR:-.}
TMPDIR=${TMPDIR:-/tmp}
BIN=$BUILDDIR/regress/unit/tunopen_tool
NS=dsvpnd-tun-$$
MTU=9000
NAMED=dsvtun$$
NAMED=${NAMED:0:15}

skip() { echo "skipped: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	[ -s "$TMPDIR/tun-err.$$" ] && sed 's/^/helper: /' "$TMPDIR/tun-err.$$"
	exit 1
}

[ "$(uname -s)" = Linux ] || skip "the live TUN test is for Linux"
[ "$(id -u)" -eq 0 ] || skip "needs root"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v ip >/dev/null || skip "no ip(8)"
[ -x "$BIN" ] || fail "$BIN not built"
ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"

pid=
cleanup() {
	exec 3>&- 4<&- 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -f "$TMPDIR/tun-in.$$" "$TMPDIR/tun-out.$$" "$TMPDIR/tun-err.$$"
}
trap cleanup EXIT

# Two fifos: we hold its stdin open (closing it ends the helper) and read
# its answers line by line, with a timeout instead of sleeps.
mkfifo "$TMPDIR/tun-in.$$" "$TMPDIR/tun-out.$$" || fail "mkfifo"
ip netns exec "$NS" "$BIN" "$MTU" auto "$NAMED:vnet" \
    <"$TMPDIR/tun-in.$$" >"$TMPDIR/tun-out.$$" 2>"$TMPDIR/tun-err.$$" &
pid=$!
exec 3>"$TMPDIR/tun-in.$$" 4<"$TMPDIR/tun-out.$$"

devs=()
while read -r -t 30 -u 4 line; do
	case $line in
	ready)	break ;;
	dev\ *)	devs+=("${line#dev }") ;;
	*)	fail "helper: $line" ;;
	esac
done
[ "$line" = ready ] || fail "helper did not get ready (last: '$line')"
[ ${#devs[@]} -eq 2 ] || fail "expected 2 devices, got ${#devs[@]}"
grep -q "cannot set MTU" "$TMPDIR/tun-err.$$" ||
    fail "an impossible MTU was not warned about"

check_dev() {	# name mtu flags want-name want-vnet
	local link
	case $1 in $4) ;; *) fail "device '$1' is not named like '$4'" ;; esac
	[ "$2" -eq "$MTU" ] || fail "$1: tun_open reports mtu $2"
	link=$(ip -n "$NS" -d -o link show dev "$1") ||
	    fail "$1 is not in ip link"
	case $link in *" mtu $MTU "*) ;; *) fail "$1: $link" ;; esac
	case $link in *"pi off"*) ;; *) fail "$1 has packet info: $link" ;; esac
	if [ "$5" = yes ]; then
		[ $(($3 & 2)) -ne 0 ] || fail "$1: vnet flag not reported"
		case $link in *"vnet_hdr on"*) ;;
		*) fail "$1: no vnet_hdr: $link" ;; esac
	else
		[ $(($3 & 2)) -eq 0 ] || fail "$1: vnet flag without asking"
		case $link in *"vnet_hdr off"*) ;;
		*) fail "$1: vnet_hdr: $link" ;; esac
	fi
	echo "ok: $1 mtu $2 flags $3"
}
read -r n1 m1 f1 <<<"${devs[0]}"
read -r n2 m2 f2 <<<"${devs[1]}"
check_dev "$n1" "$m1" "$f1" 'tun[0-9]*' no
check_dev "$n2" "$m2" "$f2" "$NAMED" yes

# Closing the descriptors must take the interfaces away.
exec 3>&-
read -r -t 30 -u 4 line
[ "$line" = closed ] || fail "helper did not close (got '$line')"
wait "$pid" || fail "helper exited $?"
pid=
for n in "$n1" "$n2"; do
	ip -n "$NS" link show dev "$n" >/dev/null 2>&1 &&
	    fail "$n still exists after close"
done
echo "ok: devices gone after close"
exit 0
