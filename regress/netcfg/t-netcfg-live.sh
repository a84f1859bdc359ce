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
# The netcfg engine, live, in a network namespace of its own: for each
# firewall backend (nftables, iptables), the host's state (addresses,
# routes, rules, nft ruleset, iptables, sysctls) must be the same as
# before after a revert, after an apply whose middle step fails, after an
# apply that is never reverted (a SIGKILLed daemon) followed by a flush,
# and after two unreverted applies (nothing stacks).  A transition (a
# reload: one request after another in one engine) ends in the state a
# fresh apply of the second request makes, and reverts to the start; one
# killed half-way is fully undone by the next flush; and the flush of one
# instance leaves another instance's rules alone.

BUILDDIR=${BUILDDIR:-.}
TOOL=$BUILDDIR/regress/netcfg/netcfg_tool
TMPDIR=${TMPDIR:-/tmp}

if [ "$(id -u)" != 0 ]; then
	echo "skipped: needs root (network namespaces)"
	exit 77
fi
for p in /sbin/ip /usr/sbin/nft /usr/sbin/iptables /usr/sbin/ip6tables \
    /sbin/sysctl; do
	if [ ! -x $p ]; then
		echo "skipped: $p not installed"
		exit 77
	fi
done
if [ ! -x "$TOOL" ]; then
	echo "FAIL: $TOOL not built"
	exit 1
fi

NS=dsvpnd-nc-$$
WORK=$(mktemp -d "$TMPDIR/netcfg-live.XXXXXX") || exit 1
STATE=$WORK/netcfg.state
FAILED=0

cleanup() {
	ip netns del $NS 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

nsx() {
	ip netns exec $NS "$@"
}

fail() {
	echo "FAIL: $*"
	FAILED=$((FAILED + 1))
}

setup() {
	ip netns add $NS || exit 1
	# No DAD: tentative addresses would change under the snapshots.
	nsx sysctl -qw net.ipv6.conf.all.accept_dad=0
	nsx sysctl -qw net.ipv6.conf.default.accept_dad=0
	nsx ip link set lo up
	for t in tun0 tun1; do
		nsx ip tuntap add dev $t mode tun || exit 1
		# Its first "up" gives it a qdisc for good: do that now.
		nsx ip link set $t up
		nsx ip link set $t down
	done
	nsx ip link add v0 type veth peer name v1 || exit 1
	nsx ip addr add 198.18.0.2/24 dev v0
	nsx ip link set v0 up
	nsx ip link set v1 up
	nsx ip route add default via 198.18.0.1
	# Not the values the plans set, so restoring them is tested (a
	# namespace may only pick from tcp_allowed_congestion_control).
	nsx sysctl -qw net.ipv4.tcp_congestion_control=reno
	nsx sysctl -qw net.ipv4.ip_forward=0
	nsx sysctl -qw net.ipv6.conf.all.forwarding=0
	# iptables creates builtin chains on first use and never removes
	# them; create them now so they are in "before" too.
	for cmd in iptables ip6tables; do
		for tc in raw:PREROUTING filter:FORWARD nat:POSTROUTING \
		    filter:OUTPUT filter:INPUT; do
			t=${tc%%:*}
			c=${tc#*:}
			nsx $cmd -w -t $t -N DSVPND-WARM
			nsx $cmd -w -t $t -I $c -j DSVPND-WARM
			nsx $cmd -w -t $t -D $c -j DSVPND-WARM
			nsx $cmd -w -t $t -X DSVPND-WARM
		done
	done
}

# Everything netcfg may touch, comments and counters left out.
snapshot() {
	{
		echo "== ip addr"; nsx ip addr
		echo "== routes"; nsx ip -4 route show table all
		nsx ip -6 route show table all
		echo "== rules"; nsx ip -4 rule; nsx ip -6 rule
		echo "== nft"; nsx nft list ruleset
		echo "== iptables"; nsx iptables-save; nsx ip6tables-save
		echo "== sysctl"
		nsx sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding \
		    net.ipv4.tcp_congestion_control
	} 2>&1 | grep -v '^#' | sed -e 's/\[[0-9]*:[0-9]*\]//' \
	    -e 's/counter packets [0-9]* bytes [0-9]*/counter/' >"$1"
}

same() {
	if ! diff -u "$WORK/before" "$1" >"$WORK/diff"; then
		fail "$2: state differs from before:"
		cat "$WORK/diff"
	fi
}

tool() {
	nsx "$TOOL" -s "$STATE" "$@" >>"$WORK/log" 2>&1
}

no_state() {
	[ ! -e "$STATE" ] || fail "$1: state file left behind"
}

# apply, check it changed something, revert, check it is all gone
cycle() {
	fw=$1; shift
	name="$fw $*"
	if ! tool -F $fw "$@"; then
		fail "$name: apply failed"; tail -5 "$WORK/log"; return
	fi
	snapshot "$WORK/applied"
	cmp -s "$WORK/before" "$WORK/applied" &&
	    fail "$name: apply changed nothing"
	tool revert || fail "$name: revert failed"
	snapshot "$WORK/after"
	same "$WORK/after" "$name, revert"
	no_state "$name"
}

# a step in the middle fails: everything before it is undone
failing() {
	fw=$1; step=$2; shift 2
	name="$fw $* (step $step fails)"
	if DSVPND_NETCFG_FAIL_STEP=$step nsx "$TOOL" -s "$STATE" -F $fw \
	    "$@" >>"$WORK/log" 2>&1; then
		fail "$name: apply succeeded"
	fi
	snapshot "$WORK/after"
	same "$WORK/after" "$name"
	no_state "$name"
}

# a real failure: no such interface, after the sysctl step
badif() {
	fw=$1
	tool -F $fw apply-client nosuch0 &&
	    fail "$fw: apply on nosuch0 succeeded"
	snapshot "$WORK/after"
	same "$WORK/after" "$fw apply-client nosuch0"
	no_state "$fw nosuch0"
}

# never reverted (killed), then flushed; twice applied, nothing stacks
killed() {
	fw=$1; shift
	name="$fw $* (killed)"
	tool -F $fw "$@" || fail "$name: apply failed"
	snapshot "$WORK/once"
	tool -F $fw "$@" || fail "$name: second apply failed"
	snapshot "$WORK/twice"
	if ! diff -u "$WORK/once" "$WORK/twice" >"$WORK/diff"; then
		fail "$name: a second apply stacked:"
		cat "$WORK/diff"
	fi
	tool flush || fail "$name: flush failed"
	snapshot "$WORK/after"
	same "$WORK/after" "$name, flush"
	no_state "$name"
}

# the state file is lost: the sweep still finds our rules by name
lost() {
	fw=$1; shift
	name="$fw $* (state lost)"
	tool -F $fw "$@" || fail "$name: apply failed"
	rm -f "$STATE"
	tool flush || fail "$name: flush failed"
	snapshot "$WORK/after"
	for s in "== rules" "== nft" "== iptables"; do
		sed -n "/^$s/,/^==/p" "$WORK/before" >"$WORK/b"
		sed -n "/^$s/,/^==/p" "$WORK/after" >"$WORK/a"
		cmp -s "$WORK/b" "$WORK/a" || fail "$name: $s left behind"
	done
	nsx ip -4 route show table 42069 2>/dev/null | grep -q . &&
	    fail "$name: routes left in table 42069"
	# what only the journal knew: put it back by hand
	nsx ip addr flush dev tun0
	nsx ip link set tun0 down
	nsx sysctl -qw net.ipv4.tcp_congestion_control=reno
	nsx sysctl -qw net.ipv4.ip_forward=0
	nsx sysctl -qw net.ipv6.conf.all.forwarding=0
	snapshot "$WORK/after"
	same "$WORK/after" "$name, cleanup"
}

# A then B in one engine: the state of a fresh B, and revert to before.
transition() {
	fw=$1 a=$2 b=$3
	name="$fw $a -> $b"
	# shellcheck disable=SC2086
	tool -F $fw $b || { fail "$name: fresh apply failed"; return; }
	snapshot "$WORK/fresh"
	tool revert || fail "$name: revert of the fresh apply failed"
	# shellcheck disable=SC2086
	if ! tool -F $fw $a then $b; then
		fail "$name: transition failed"; tail -5 "$WORK/log"; return
	fi
	snapshot "$WORK/moved"
	# iptables lists the RETURNs in the order they were inserted; what
	# matters is the same rules, and the DROP last.
	sort "$WORK/fresh" >"$WORK/fresh.sorted"
	sort "$WORK/moved" >"$WORK/moved.sorted"
	if ! diff -u "$WORK/fresh" "$WORK/moved" >"$WORK/diff" &&
	    { [ $fw = nft ] || ! cmp -s "$WORK/fresh.sorted" \
	    "$WORK/moved.sorted"; }; then
		fail "$name: not the state of a fresh apply:"
		cat "$WORK/diff"
	fi
	if [ $fw = iptables ] && nsx iptables -S DSVPND-OUT >/dev/null 2>&1 &&
	    [ "$(nsx iptables -S DSVPND-OUT | tail -n 1)" != \
	    "-A DSVPND-OUT -j DROP" ]; then
		fail "$name: the DROP is not the last rule"
	fi
	tool revert || fail "$name: revert failed"
	snapshot "$WORK/after"
	same "$WORK/after" "$name, revert"
	no_state "$name"
}

# A then B, the engine killed right after step N of the transition.
crashed() {
	fw=$1 n=$2 a=$3 b=$4
	name="$fw $a -> $b (killed after step $n)"
	# shellcheck disable=SC2086
	DSVPND_NETCFG_CRASH_STEP=$n nsx "$TOOL" -s "$STATE" -F $fw $a then $b \
	    >>"$WORK/log" 2>&1
	[ $? -eq 99 ] || fail "$name: the engine was not killed"
	[ -e "$STATE" ] || fail "$name: no state file after the kill"
	tool flush || fail "$name: flush failed"
	snapshot "$WORK/after"
	same "$WORK/after" "$name, flush"
	no_state "$name"
}

# Two instances: flushing one leaves the other's rules as they are.
instances() {
	fw=$1
	name="$fw two instances"
	tool -F $fw apply-client tun0 || fail "$name: default apply failed"
	snapshot "$WORK/one"
	nsx "$TOOL" -s "$WORK/work.state" -I work -i 7 -F $fw \
	    apply-client tun1 split >>"$WORK/log" 2>&1 ||
	    fail "$name: instance work apply failed"
	nsx ip rule | grep -q 42069 || fail "$name: default rules gone"
	nsx "$TOOL" -s "$WORK/work.state" -I work -i 7 flush \
	    >>"$WORK/log" 2>&1 || fail "$name: flush of work failed"
	snapshot "$WORK/two"
	if ! diff -u "$WORK/one" "$WORK/two" >"$WORK/diff"; then
		fail "$name: the flush of work touched the default instance:"
		cat "$WORK/diff"
	fi
	tool flush || fail "$name: flush failed"
	snapshot "$WORK/after"
	same "$WORK/after" "$name, flush"
}

setup
snapshot "$WORK/before"
for fw in nft iptables; do
	cycle $fw apply-server tun0 v0
	cycle $fw apply-client tun0
	cycle $fw apply-client tun0 split
	failing $fw 5 apply-server tun0 v0
	failing $fw 7 apply-client tun0
	badif $fw
	killed $fw apply-server tun0 v0
	killed $fw apply-client tun0
	lost $fw apply-server tun0 v0
	lost $fw apply-client tun0
	transition $fw "apply-client tun0" "apply-client tun0 uid=4242"
	crashed $fw 2 "apply-client tun0 noaddr" "apply-client tun0 uid=4242"
done
# The rest is the engine's, the same for both backends: nft is faster.
transition nft "apply-client tun0 noaddr" "apply-client tun0"
transition nft "apply-client tun0 noinet6" "apply-client tun0 open route=10.9.0.0/16"
transition nft "apply-server tun0 v0" "apply-server tun0 v0 pool net=10.8.0.0/16"
# From one firewall backend to the other: the new kill switch first.
transition nft "apply-client tun0" "apply-client tun0 fw=iptables"
instances nft

if [ $FAILED -ne 0 ]; then
	echo "t-netcfg-live: $FAILED failures; engine log:"
	tail -40 "$WORK/log"
	exit 1
fi
echo "t-netcfg-live: ok"
exit 0
