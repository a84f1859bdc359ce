# Reload: a broken file and SIGHUP change nothing (the daemon keeps
# running, the session stays up, the log says file:line); a timer change
# applies without dropping the session; a route change is re-applied by
# netcfg; a new key on both sides restarts the session cleanly; a change
# that needs a restart is refused with a reason.
# timeout: 180
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v jq >/dev/null || skip "needs jq"
live_pair
live_keygen
live_conf server server
live_conf client client
live_up
hs() { ctl "$1" status -j | jq .stats.handshakes; }
h0=$(hs client)
cp "$LIVE_DIR/client.conf" "$LIVE_DIR/client.good"

note "a broken file and SIGHUP"
echo "frobnicate yes" >>"$LIVE_DIR/client.conf"
kill -HUP "$(live_pid client)"
wait_for 5 grep -q "client.conf:4: .*frobnicate\|client.conf:4:" "$LIVE_DIR/client.log" ||
    fail "no file:line error in the log"
grep "reload failed" "$LIVE_DIR/client.log" || fail "no 'reload failed' line"
alive "$(live_pid client)" || fail "the daemon died on a bad reload"
session_up client || fail "the session dropped on a bad reload"
ping_ok "$NS_C" "$SRV_TUN4" || fail "traffic stopped on a bad reload"
[ "$(hs client)" = "$h0" ] || fail "a bad reload restarted the session"

note "dsvpnctl reload with the broken file"
out=$(ctl client reload 2>&1) && fail "dsvpnctl reload succeeded on a bad file"
echo "$out"
echo "$out" | grep -q "client.conf:4:" || fail "dsvpnctl reload did not say file:line"

note "a timer change keeps the session"
cp "$LIVE_DIR/client.good" "$LIVE_DIR/client.conf"
echo "keepalive 3" >>"$LIVE_DIR/client.conf"
ctl client reload | grep -q reloaded || fail "reload of a good file failed"
session_up client || fail "session dropped on a timer change"
ping_ok "$NS_C" "$SRV_TUN4" || fail "traffic stopped on a timer change"
[ "$(hs client)" = "$h0" ] || fail "a timer change restarted the session"

note "a route change is re-applied"
echo "no default route" >>"$LIVE_DIR/client.conf"
echo "route $REMOTE_IP/32" >>"$LIVE_DIR/client.conf"
ctl client reload | grep -q reloaded || fail "reload with routes failed"
wait_for 10 sh -c "ip -n $NS_C route get $REMOTE_IP | grep -q tun" ||
    fail "the split route was not applied"
wait_for 10 sh -c "! ip -n $NS_C rule show | grep -q 'not from all fwmark'" ||
    fail "the default-route rules stayed"
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP" || fail "no traffic over the new route"

note "a new key on both sides restarts the session"
head -c 32 /dev/urandom >"$LIVE_DIR/new.key"
chmod 600 "$LIVE_DIR/new.key"
for n in server client; do
	sed -i "s|$LIVE_DIR/vpn.key|$LIVE_DIR/new.key|" "$LIVE_DIR/$n.conf"
	ctl $n reload | grep -q reloaded || fail "$n reload with a new key failed"
done
wait_for 30 sh -c "[ \$($DSVPNCTL -s $LIVE_DIR/client.sock status -j | jq .stats.handshakes) -gt $h0 ]" ||
    fail "no new handshake after the key change"
wait_for 30 session_up client || fail "no session with the new key"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no traffic with the new key"

note "a change that needs a restart is refused"
sed -i "s|^listen on .*|listen on * port 8443|" "$LIVE_DIR/server.conf"
out=$(ctl server reload 2>&1) && fail "listen change accepted by reload"
echo "$out" | grep -q restart || fail "no reason given: $out"
session_up client || fail "a refused reload disturbed the session"
live_stop client || fail "client did not stop"
live_stop server || fail "server did not stop"
echo ok
