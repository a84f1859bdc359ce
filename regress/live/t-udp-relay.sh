# A UDP session through a bad path: regress/tools/udprelay, on the
# server's side of the underlay (198.18.0.1 port 4443, forwarding to the
# server's port 443), drops 2 %, corrupts 1 %, duplicates 2 % and
# reorders 5 % of the datagrams each way.  A 20 MB file goes up and
# another down through the tunnel, intact; the session stays the one it
# was (no new handshake, no reconnect); each side counts, as replay or
# failed-to-verify drops, what the relay duplicated and corrupted on the
# way to it; a ping goes through at the end; nothing leaves the client
# in clear.  The counts are compared between two reports of the relay
# taken while it is quiet.
# timeout: 150
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v jq >/dev/null || skip "needs jq"
command -v nc >/dev/null || skip "needs nc"
RELAY=$BUILDDIR/regress/tools/udprelay
[ -x "$RELAY" ] || fail "no $RELAY"
live_pair
live_keygen
LIVE_TRANSPORT=udp
LIVE_CONNECT_PORT=4443
LEAK_PORT=4443
live_conf server server
live_conf client client
SPEC=drop=2,corrupt=1,dup=2,reorder=5,hold=3
COUNTS=$LIVE_DIR/relay.counts
ip netns exec "$NS_S" "$RELAY" -T 140 -S 4242 -o "$COUNTS" -U "$SPEC" \
    -D "$SPEC" $SRV_IP 4443 $SRV_IP 443 2>"$LIVE_DIR/relay.err" &
RELAY_PID=$!
PIDS="$PIDS $RELAY_PID"
leak_watch_start
live_up

# What the relay did so far, in LIVE_DIR/relay.SNAPSHOT: relay_report
# SNAPSHOT; one of its counts: relay_count SNAPSHOT DIR FIELD.
relay_report() {
	rm -f "$COUNTS"
	kill -USR1 "$RELAY_PID" || fail "the relay is gone"
	wait_for 5 test -s "$COUNTS" || fail "no counts from the relay"
	cp "$COUNTS" "$LIVE_DIR/relay.$1"
}
relay_count() {	# relay_count SNAPSHOT DIR FIELD
	awk -v d="$2" -v f="$3" '$1 == d {
		for (i = 2; i < NF; i += 2) if ($i == f) print $(i + 1) }' \
	    "$LIVE_DIR/relay.$1"
}
# The datagrams a side dropped as duplicate or corrupt: replay, auth
# and protocol (a corrupted header); drop_sum NAME
drop_sum() {
	ctl "$1" status -j |
	    jq '.stats.drops | (.replay + .auth + .protocol)'
}
hs0=$(ctl client status -j | jq '.stats.handshakes')
sess_c0=$(ctl client status -j | jq '.stats.sessions')
sess_s0=$(ctl server status -j | jq '.stats.sessions')
# A report of the relay taken while it is quiet: it duplicated and
# corrupted nothing for 2.5 s, and so the daemons have counted all it
# did (a session adds its drops to the daemon's at its tick, at least
# once a second, and the tunnel reports to the parent once a second).
impaired() {	# impaired SNAPSHOT: duplicated and corrupted, both ways
	echo $(relay_count "$1" up duplicated) \
	    $(relay_count "$1" up corrupted) \
	    $(relay_count "$1" down duplicated) \
	    $(relay_count "$1" down corrupted)
}
quiet_report() {	# quiet_report SNAPSHOT
	local i was
	relay_report "$1"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		was=$(impaired "$1")
		sleep 2.5
		relay_report "$1"
		[ "$(impaired "$1")" = "$was" ] && return 0
	done
	fail "the relay never went quiet"
}
quiet_report 0
ds0=$(drop_sum server) dc0=$(drop_sum client)
ctl server status | grep drops
ctl client status | grep drops
rs0=$(udp_rcvbuf_errors "$NS_S") rc0=$(udp_rcvbuf_errors "$NS_C")

note "20 MB up and 20 MB down through the relay, checksummed"
head -c 20000000 /dev/urandom >"$LIVE_DIR/blob"
want=$(sha256sum <"$LIVE_DIR/blob" | cut -d' ' -f1)
ip netns exec "$NS_S" sh -c "timeout 60 nc -l -N -s $SRV_TUN4 -p 9000 |
    sha256sum | cut -d' ' -f1 >$LIVE_DIR/got.up" &
PIDS="$PIDS $!"
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :9000" ||
    fail "nc did not listen"
ip netns exec "$NS_C" timeout 60 nc -N "$SRV_TUN4" 9000 <"$LIVE_DIR/blob" ||
    fail "nc send (up) failed"
wait_for 30 test -s "$LIVE_DIR/got.up" || fail "no checksum (up)"
[ "$(cat "$LIVE_DIR/got.up")" = "$want" ] ||
    fail "the file arrived altered (up)"
ip netns exec "$NS_S" sh -c "timeout 60 nc -l -N -s $SRV_TUN4 -p 9001 \
    <$LIVE_DIR/blob" &
PIDS="$PIDS $!"
wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :9001" ||
    fail "nc did not listen"
ip netns exec "$NS_C" timeout 60 nc -d "$SRV_TUN4" 9001 | sha256sum |
    cut -d' ' -f1 >"$LIVE_DIR/got.down"
[ "$(cat "$LIVE_DIR/got.down")" = "$want" ] ||
    fail "the file arrived altered (down)"

note "still the same session, and a ping at the end"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping through the tunnel"
session_up client || fail "the session went down"
[ "$(ctl client status -j | jq '.stats.handshakes')" = "$hs0" ] ||
    fail "a new handshake"
[ "$(ctl client status -j | jq '.stats.sessions')" = "$sess_c0" ] ||
    fail "the client made a new session"
[ "$(ctl server status -j | jq '.stats.sessions')" = "$sess_s0" ] ||
    fail "the server saw a new session"
[ "$(ctl client status -j | jq '.stats.reconnects')" = 0 ] ||
    fail "the client reconnected"
[ "$(grep -c "tunnel: session up" "$LIVE_DIR/client.log")" = 1 ] ||
    fail "the client's log shows another session"

note "what the relay did against what each side counted"
quiet_report 1
cat "$LIVE_DIR/relay.1"
ctl server status | grep drops
ctl client status | grep drops
# Each duplicate arrives once too often (a replay), each corrupted
# datagram fails to verify or to parse, a corrupted duplicate twice;
# nothing else is dropped on this path, so between two quiet reports
# a side counts exactly what the relay did on the way to it, less what
# the kernel dropped for a full buffer (the relay's buffers are large,
# the daemons' are theirs).
caused() {	# caused DIR: duplicated + corrupted between the reports
	local f n=0
	for f in duplicated corrupted; do
		n=$((n + $(relay_count 1 "$1" "$f") -
		    $(relay_count 0 "$1" "$f")))
	done
	echo $n
}
check_side() {	# check_side NAME NS DIR DROPS0 RCVBUF0
	local want got lost
	want=$(caused "$3")
	got=$(( $(drop_sum "$1") - $4 ))
	lost=$(( $(udp_rcvbuf_errors "$2") - $5 ))
	echo "$1: the relay duplicated or corrupted $want on the way to it;" \
	    "it counted $got, the kernel dropped $lost"
	[ "$(relay_count 1 "$3" corrupted)" -gt 0 ] ||
	    fail "the relay corrupted nothing ($3)"
	[ "$got" -ge $((want - lost)) ] && [ "$got" -le "$want" ] ||
	    fail "$1 counted $got drops, the relay caused $want"
	[ "$(ctl "$1" status -j | jq '.stats.drops.auth')" -gt 0 ] ||
	    fail "$1 counted no datagram that failed to verify"
}
check_side server "$NS_S" up "$ds0" "$rs0"
check_side client "$NS_C" down "$dc0" "$rc0"
leak_watch_stop
leak_check "through the relay"
echo "ok"
