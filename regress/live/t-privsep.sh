# Privilege separation and the sandbox, as the kernel reports them: the
# tunnel and control processes run unprivileged, chrooted, with no
# capabilities, no_new_privs and a seccomp filter; netcfg stays root
# with CAP_NET_ADMIN and CAP_NET_RAW only; a forbidden system call in
# the tunnel kills it with SIGSYS, and the parent then cleans up and
# exits non-zero.  The forbidden call is the sandbox probe's
# (common/sandbox-probe.c): opening a file for writing, which every
# backend forbids, so the same probe kills the tunnel under pledge
# (SIGABRT) and capsicum (SIGTRAP) as here under seccomp (SIGSYS).
# timeout: 120
. "$SRCDIR/regress/lib/live.sh"
live_init
live_pair
live_keygen
live_conf server server

field() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }

live_start server "$NS_S"
parent=$(live_pid server)
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
for role in tunnel control netcfg; do
	wait_for 5 child_pid "$parent" $role || fail "no $role process"
done

tr '\0' ' ' </proc/$parent/cmdline | grep -q -- "-f $LIVE_DIR/server.conf" ||
    fail "the parent's command line changed: $(tr '\0' ' ' </proc/$parent/cmdline)"

for role in tunnel control; do
	pid=$(child_pid "$parent" $role)
	note "$role pid $pid"
	cat /proc/$pid/status | grep -E '^(Uid|Gid|Groups|CapEff|CapPrm|NoNewPrivs|Seccomp):'
	uid=$(field $pid Uid | awk '{print $1}')
	gid=$(field $pid Gid | awk '{print $1}')
	[ "$uid" != 0 ] || fail "$role runs as root"
	[ "$gid" != 0 ] || fail "$role runs with gid 0"
	[ "$uid" = "$(id -u _dsvpnd)" ] || fail "$role uid $uid is not _dsvpnd"
	[ -z "$(field $pid Groups)" ] || fail "$role has groups: $(field $pid Groups)"
	[ "$(field $pid CapEff)" = 0000000000000000 ] || fail "$role CapEff"
	[ "$(field $pid CapPrm)" = 0000000000000000 ] || fail "$role CapPrm"
	[ "$(field $pid NoNewPrivs)" = 1 ] || fail "$role NoNewPrivs"
	[ "$(field $pid Seccomp)" = 2 ] || fail "$role Seccomp mode"
	root=$(readlink /proc/$pid/root)
	[ "$root" = /var/empty ] || fail "$role root is $root"
	tr '\0' ' ' </proc/$pid/cmdline | grep -q "dsvpnd: $role" ||
	    fail "$role title: $(tr '\0' ' ' </proc/$pid/cmdline)"
done
pid=$(child_pid "$parent" netcfg)
[ "$(field $pid Uid | awk '{print $1}')" = 0 ] || fail "netcfg is not root"
# netcfg keeps uid 0 but only CAP_NET_ADMIN and CAP_NET_RAW, for itself
# and for every program it runs.
grep -E '^Cap(Eff|Prm|Bnd):' /proc/$pid/status
[ "$(field $pid CapEff)" = 0000000000003000 ] || fail "netcfg CapEff $(field $pid CapEff)"
[ "$(field $pid CapBnd)" = 0000000000003000 ] || fail "netcfg CapBnd $(field $pid CapBnd)"
live_stop server || fail "server did not stop"
rc=$(live_wait server)
[ "$rc" = 0 ] || fail "clean stop exited $rc"

note "forbidden system call in the tunnel"
live_start server "$NS_S" DSVPND_TEST_SANDBOX_VIOLATION=1
parent=$(live_pid server)
wait_for 15 sh -c "! kill -0 $parent 2>/dev/null" ||
    fail "the parent did not exit after the tunnel's violation"
rc=$(live_wait server)
[ "$rc" != 0 ] || fail "the parent exited 0 after losing the tunnel"
grep -q "sandbox test: opening .* for writing" "$LIVE_DIR/server.log" ||
    fail "the sandbox probe did not run"
grep -q "sandbox test: the open" "$LIVE_DIR/server.log" &&
    fail "the tunnel survived opening a file for writing"
grep -q "lost child tunnel: killed by signal $(kill -l SYS 2>/dev/null || echo 31)\|lost child tunnel: killed by signal 31" \
    "$LIVE_DIR/server.log" || fail "no log line about the tunnel's SIGSYS"
wait_for 5 ns_empty "$NS_S" || fail "processes left behind: $(ip netns pids $NS_S)"
echo "ok"
