# The paths root trusts: dsvpnd opens its pid file, binds its control
# socket and chroots its children only where no one but root may change
# anything (common/safepath.c).  In a namespace of its own (nothing
# leaves it even if dsvpnd started), dsvpnd must refuse, and exit
# non-zero without touching anything, a pid file that is a symbolic
# link to another file, a control socket in a world-writable directory,
# and a chroot directory below a world-writable one; and start where
# all is in order.
# timeout: 120
. "$SRCDIR/regress/lib/live.sh"
live_init
live_pair
live_keygen
live_conf server server

# refused LOG WANT [dsvpnd args...]: dsvpnd exits non-zero within 15 s
# and its log says WANT.
refused() {
	local log=$LIVE_DIR/$1 want=$2 pid rc; shift 2
	ip netns exec "$NS_S" "$DSVPND" -d -v "$@" >"$log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	wait_for 15 sh -c "! kill -0 $pid 2>/dev/null" ||
	    fail "dsvpnd $* kept running"
	wait "$pid"; rc=$?
	cat "$log"
	[ "$rc" -ne 0 ] || fail "dsvpnd $* exited 0"
	grep -q -- "$want" "$log" || fail "dsvpnd $*: no \"$want\" in its log"
}

note "a pid file that is a symbolic link"
mkdir -m 755 "$LIVE_DIR/run"
echo keep >"$LIVE_DIR/victim"
ln -s "$LIVE_DIR/victim" "$LIVE_DIR/run/s.pid"
refused link.log "pid file: .*s.pid: is a symbolic link" \
    -f "$LIVE_DIR/server.conf" -s "$LIVE_DIR/run/s.sock"
[ "$(cat "$LIVE_DIR/victim")" = keep ] || fail "the link's target was written"
[ ! -e "$LIVE_DIR/run/s.sock" ] || fail "a control socket was made"

note "a control socket in a world-writable directory"
mkdir -m 777 "$LIVE_DIR/ww"
chmod 777 "$LIVE_DIR/ww"
refused ww.log "ww: writable by others" \
    -f "$LIVE_DIR/server.conf" -s "$LIVE_DIR/ww/s.sock"
[ -z "$(ls -A "$LIVE_DIR/ww")" ] || fail "files made in ww: $(ls -A "$LIVE_DIR/ww")"

note "a chroot directory below a world-writable one"
# Outside /tmp: the start refuses a chroot below any directory others
# may write, even a sticky one, so /tmp itself would be the culprit.
CHROOT_BASE=$(mktemp -d /var/lib/dsvpnd-t-paths.XXXXXX)
trap 'rm -rf "$CHROOT_BASE"; live_cleanup' EXIT
chmod 755 "$CHROOT_BASE"
mkdir -m 777 "$CHROOT_BASE/ww"
chmod 777 "$CHROOT_BASE/ww"
mkdir -m 755 "$CHROOT_BASE/ww/empty"
live_conf chroot server "chroot \"$CHROOT_BASE/ww/empty\""
refused chroot.log "chroot directory .*ww/empty: .*ww, above it, is writable by others" \
    -f "$LIVE_DIR/chroot.conf"
wait_for 5 ns_empty "$NS_S" || fail "processes left: $(ip netns pids "$NS_S")"

note "all in order: it starts"
live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
[ -f "$LIVE_DIR/server.pid" ] || fail "no pid file"
[ "$(cat "$LIVE_DIR/server.pid")" = "$(live_pid server)" ] ||
    fail "pid file holds $(cat "$LIVE_DIR/server.pid"), not $(live_pid server)"
live_stop server || fail "server did not stop"
[ "$(live_wait server)" = 0 ] || fail "server exited non-zero"
echo ok
