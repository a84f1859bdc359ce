# Supervision: kill -9 each child in turn; the parent logs which child it
# lost, reverts the network changes and exits non-zero, leaving no
# process behind.
# timeout: 180
. "$SRCDIR/regress/lib/live.sh"
live_init
live_pair
live_keygen
live_conf server server

for role in tunnel netcfg control; do
	note "kill -9 $role"
	: >"$LIVE_DIR/server.log"
	live_start server "$NS_S"
	parent=$(live_pid server)
	wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
	pids=""
	for r in tunnel control netcfg; do
		wait_for 5 child_pid "$parent" $r || fail "no $r process"
		pids="$pids $(child_pid "$parent" $r)"
	done
	victim=$(child_pid "$parent" $role)
	kill -KILL "$victim"
	wait_for 20 sh -c "! kill -0 $parent 2>/dev/null" ||
	    fail "parent still running after losing $role"
	rc=$(live_wait server)
	[ "$rc" != 0 ] || fail "parent exited 0 after losing $role"
	grep -q "lost child $role" "$LIVE_DIR/server.log" ||
	    fail "no log line naming the lost $role"
	for p in $pids; do
		wait_for 5 sh -c "! kill -0 $p 2>/dev/null" ||
		    fail "process $p left behind after losing $role"
	done
	[ -e "$LIVE_DIR/server.sock" ] && fail "control socket left behind"
done
echo "ok"
