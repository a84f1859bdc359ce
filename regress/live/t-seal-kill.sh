# The daemon going down hard (issue 15): kill -9 of the client's tunnel
# process, of its netcfg process and of its parent, each while probes
# try to get out.  Until the seal, the last thing undone, has gone, no
# packet leaves the client's underlay outside the tunnel; afterwards
# the client's namespace is as it was before the start (t-cleanup's
# snapshot).
# timeout: 180
. "$SRCDIR/regress/lib/live.sh"
live_init
live_pair
live_keygen
live_conf server server
live_conf client client
before=$(snapshot "$NS_C")
live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
probe_start

gone() {	# gone PID...: none of them runs any more
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}

for victim in tunnel netcfg parent; do
	note "kill -9 of the client's $victim"
	live_start client "$NS_C"
	wait_for 20 session_up client || fail "$victim: no session"
	wait_for 10 sealed || fail "$victim: no seal"
	parent=$(live_pid client)
	tun=$(child_pid "$parent" tunnel) || fail "no tunnel process"
	ncfg=$(child_pid "$parent" netcfg) || fail "no netcfg process"
	leak_watch_start
	seal_watch
	case $victim in
	tunnel) kill -KILL "$tun" ;;
	netcfg) kill -KILL "$ncfg" ;;
	parent) kill -KILL "$parent" ;;
	esac
	wait "$parent" 2>/dev/null
	# A netcfg started after the old one died is the parent's child.
	wait_for 20 gone "$parent" "$tun" "$ncfg" ||
	    fail "$victim: the client's processes did not end"
	seal_gone 10
	leak_watch_stop
	leak_check "while the client went down after its $victim died" \
	    "$SEAL_UNTIL"
	after=$(snapshot "$NS_C")
	if [ "$after" != "$before" ]; then
		diff <(echo "$before") <(echo "$after")
		fail "$victim: the client namespace changed"
	fi
	echo "clean after a kill -9 of the $victim"
done
probe_stop
live_stop server || fail "server did not stop"
echo ok
