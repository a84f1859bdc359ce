# A flood of UDP hellos at a server while a client's established
# session carries a ping every 2 ms (ping -f -i 0.002).  The attacker, beyond the server, sends
# from 128 addresses at 2,000 hellos a second: each source gets past its
# own rate limit (5 a second) and no more, and together (640 a second)
# they empty the server's global hello bucket (50 a second), which puts
# it under load.
#  - Junk shaped as hellos (an attacker without a key): each dropped
#    and counted before any key, never answered.
#  - Real hellos with a second legitimate key (an attacker with one):
#    answered with cookie replies (counted in status), or at the bucket's
#    rate with a handshake reply; no answer is larger than its hello
#    (a capture on the attacker's link).
#  - During the keyed flood a new client (its own key) connects: it is
#    asked for a cookie (a capture on its link) and comes up.  A token
#    of the bucket may still be there when its hello comes (the flood
#    takes each about 1.5 ms after it came, one every 20 ms; so in some
#    8 % of tries on a quiet machine, more on a busy one, where the
#    attacker sends in bursts): then it is let in without one, and
#    stopped and started again, up to 5 times, until it was asked.
# Throughout, the established session loses no ping of its flood and
# makes no new handshake, and nothing leaves its client in clear.  The
# bound is 0 % loss (but the one echo in flight when the ping is
# stopped at the end of the keyed flood): a data datagram finds its
# session by its index before any rate limit or key, and the tunnel
# spends on a hello at most a MAC and a cookie (a key exchange only at
# the bucket's 50 a second), far less than 2,000 hellos a second cost
# on this machine.
# timeout: 120
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v jq >/dev/null || skip "needs jq"
command -v tcpdump >/dev/null || skip "needs tcpdump"
HELLO=$BUILDDIR/regress/tools/hellotool
[ -x "$HELLO" ] || fail "no $HELLO"
live_star 2
mkdir -p "$LIVE_DIR/clients"
for k in alice bob mallory; do
	head -c 32 /dev/urandom >"$LIVE_DIR/$k.key"
	chmod 600 "$LIVE_DIR/$k.key"
done
SRV6=fd00:dead::fe
live_client_block alice "$LIVE_DIR/alice.key" "inet 192.168.192.2" \
    "inet6 fd00:dead::2"
live_client_block bob "$LIVE_DIR/bob.key" "inet 192.168.192.3" \
    "inet6 fd00:dead::3"
live_client_block mallory "$LIVE_DIR/mallory.key"
{
	echo "listen on * port 443 transport tcp udp"
	echo "tunnel tunp0 {"
	echo "	inet $SRV_TUN4 peer 192.168.192.1"
	echo "	inet6 $SRV6 peer fd00:dead::1"
	echo "}"
	echo "pool 192.168.192.0/24"
	echo "pool fd00:dead::/120"
	echo "leases \"$LIVE_DIR/leases\""
	echo "control socket \"$LIVE_DIR/server.sock\""
	echo "include \"$LIVE_DIR/clients\""
} >"$LIVE_DIR/server.conf"
chmod 644 "$LIVE_DIR/server.conf"
client_conf() {	# client_conf NAME INET INET6
	{
		echo "key \"$LIVE_DIR/$1.key\""
		echo "connect to $SRV_IP port 443 transport udp"
		echo "control socket \"$LIVE_DIR/$1.sock\""
		echo "tunnel tunc0 {"
		echo "	inet $2 peer $SRV_TUN4"
		echo "	inet6 $3 peer $SRV6"
		echo "}"
		echo "no default route"
		echo "route 192.168.192.0/24"
	} >"$LIVE_DIR/$1.conf"
	chmod 644 "$LIVE_DIR/$1.conf"
}
client_conf alice 192.168.192.2 fd00:dead::2
client_conf bob 192.168.192.3 fd00:dead::3

live_start server "$NS_S"
wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
live_start alice "$NS_K1"
wait_for 20 session_up alice || fail "alice: no session"
wait_for 10 ping_ok "$NS_K1" "$SRV_TUN4" || fail "alice: no ping"
leak_watch_start "$NS_K1" v-c
hs0=$(ctl alice status -j | jq '.stats.handshakes')
sess0=$(ctl alice status -j | jq '.stats.sessions')

# The attacker's 128 addresses, beyond the server; its link captured.
SRCS=$(seq 10 137 | sed 's/^/198.19.0./')
echo "$SRCS" | sed 's,.*,addr add &/24 dev v-r,' |
    ip -n "$NS_R" -batch - || fail "attacker addresses"
ip netns exec "$NS_R" tcpdump -i v-r -n -U --immediate-mode \
    -w "$LIVE_DIR/atk.pcap" \
    "udp and host $SRV_FAR and port 443" 2>"$LIVE_DIR/atk.log" &
ATK_CAP=$!
PIDS="$PIDS $ATK_CAP"
wait_for 10 grep -q "listening on" "$LIVE_DIR/atk.log" ||
    fail "tcpdump did not start"

# Alice's ping every 2 ms (500 a second, a flood's rate but spread over
# the attack, which it outlasts): flood_start NAME COUNT
flood_start() {
	ip netns exec "$NS_K1" ping -q -f -i 0.002 -c "$2" -w 60 \
	    "$SRV_TUN4" >"$LIVE_DIR/$1.out" &
	FLOOD=$!
	PIDS="$PIDS $FLOOD"
}
flood_check() {	# flood_check NAME
	wait "$FLOOD"
	tail -n 2 "$LIVE_DIR/$1.out"
	grep -q " 0% packet loss" "$LIVE_DIR/$1.out" ||
	    fail "$1: alice's flood ping lost packets"
}
field() {	# field FILE NAME: a value of hellotool's line
	awk -v f="$2" '{ for (i = 1; i < NF; i += 2) if ($i == f)
		print $(i + 1) }' "$1"
}

note "junk shaped as hellos, from 128 sources (no key)"
c0=$(ctl server status -j | jq '.stats.cookie_replies')
hd0=$(ctl server status -j | jq '.stats.drops.handshake')
lost0=$(udp_rcvbuf_errors "$NS_S")
flood_start junk 2500
ip netns exec "$NS_R" "$HELLO" -n 6000 -r 2000 "$SRV_FAR" 443 $SRCS \
    >"$LIVE_DIR/junk.txt" || fail "hellotool (junk) failed"
cat "$LIVE_DIR/junk.txt"
alive "$FLOOD" || fail "the ping ended before the flood"
flood_check junk
[ "$(field "$LIVE_DIR/junk.txt" sent)" = 6000 ] || fail "junk not all sent"
[ "$(field "$LIVE_DIR/junk.txt" answers)" = 0 ] || fail "junk was answered"
[ "$(ctl server status -j | jq '.stats.cookie_replies')" = "$c0" ] ||
    fail "junk got cookie replies"
# Each one dropped as a handshake refused (its source over its rate, or
# no key of that id), but those the kernel dropped for a full buffer.
junk_counted() {
	[ $(( $(ctl server status -j | jq '.stats.drops.handshake') - hd0 +
	    $(udp_rcvbuf_errors "$NS_S") - lost0 )) -ge 6000 ]
}
wait_for 5 junk_counted || fail "the server counted" \
    "$(( $(ctl server status -j | jq '.stats.drops.handshake') - hd0 ))" \
    "of 6000 junk hellos"

note "real hellos with mallory's key, from 128 sources; bob connects"
# Both run until stopped (bounded: 60 s of ping, 100 s of hellos).
flood_start keyed 30000
ip netns exec "$NS_R" "$HELLO" -k "$LIVE_DIR/mallory.key" -n 200000 \
    -r 2000 "$SRV_FAR" 443 $SRCS >"$LIVE_DIR/keyed.txt" &
ATK=$!
PIDS="$PIDS $ATK"
ATK_T0=$(date +%s)
# Bob starts once the server is under load: it is sending cookies.
under_load() { [ "$(ctl server status -j | jq '.stats.cookie_replies')" \
    -gt "$c0" ]; }
wait_for 10 under_load || fail "no cookie replies under the flood"
# One try: bob comes up, with a capture of his link; 0 if he was asked
# for a cookie (type 3 in the first byte of the UDP payload).
bob_try() {	# bob_try N
	local cap t0 n
	capture_start "$NS_K2" v-c "$LIVE_DIR/bob$1.pcap" \
	    "udp and host $SRV_IP and port 443"
	cap=$CAP_PID
	t0=$(date +%s%N)
	live_start bob "$NS_K2"
	wait_for 6 session_up bob || fail "bob did not come up during the flood"
	echo "bob up in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	alive "$ATK" || fail "the flood ended before bob was up"
	kill -INT "$cap" && wait "$cap"
	n=$(tcpdump -r "$LIVE_DIR/bob$1.pcap" -n \
	    "src host $SRV_IP and udp[8] == 3" 2>/dev/null | wc -l)
	echo "bob got $n cookie replies"
	[ "$n" -gt 0 ] && return 0
	live_stop bob || fail "bob did not stop"
	return 1
}
bob_try 1 || bob_try 2 || bob_try 3 || bob_try 4 || bob_try 5 ||
    fail "bob was never asked for a cookie"
wait_for 5 ping_ok "$NS_K2" "$SRV_TUN4" || fail "bob: no ping"
# Alice's session under at least 8 s of it, however soon bob was up.
flooded_8s() { [ $(( $(date +%s) - ATK_T0 )) -ge 8 ]; }
wait_for 30 flooded_8s || fail "the clock stood still"
alive "$ATK" || fail "the flood ended early"
kill -TERM "$ATK" && wait "$ATK" || fail "hellotool (keyed) failed"
cat "$LIVE_DIR/keyed.txt"
alive "$FLOOD" || fail "the ping ended before the flood"
# Stopped, ping counts the echo in flight then as lost: at most that.
kill -INT "$FLOOD"
wait "$FLOOD"
tail -n 2 "$LIVE_DIR/keyed.out"
lost=$(awk '/packets transmitted/ { print $1 - $4 }' "$LIVE_DIR/keyed.out")
[ -n "$lost" ] && [ "$lost" -le 1 ] ||
    fail "keyed: alice's flood ping lost ${lost:-all} packets"

note "the cookie replies, counted and no larger than their hellos"
sent=$(field "$LIVE_DIR/keyed.txt" sent)
cookies=$(field "$LIVE_DIR/keyed.txt" cookies)
# At least 1,000 a second (20 times the bucket's rate) on a busy machine.
[ "$sent" -ge 8000 ] || fail "only $sent keyed hellos sent in 8 s"
[ "$cookies" -gt 0 ] || fail "the attacker got no cookie reply"
[ "$(field "$LIVE_DIR/keyed.txt" other)" = 0 ] || fail "odd answers"
[ "$(field "$LIVE_DIR/keyed.txt" answer_max)" -le \
    "$(field "$LIVE_DIR/keyed.txt" hello_max)" ] ||
    fail "an answer larger than its hello"
# The server's count reaches the parent once a second.
counted() { [ "$(ctl server status -j | jq '.stats.cookie_replies')" \
    -ge $((c0 + cookies)) ]; }
wait_for 5 counted || fail "the server counted" \
    "$(ctl server status -j | jq '.stats.cookie_replies') cookie replies," \
    "the attacker got $cookies"
ctl server status | grep -E "cookie replies|drops"
kill -INT "$ATK_CAP" && wait "$ATK_CAP"
sizes() {	# sizes PCAP FILTER: the UDP payload lengths, one a line
	tcpdump -r "$1" -n "$2" 2>/dev/null |
	    sed -n 's/.*UDP, length \([0-9]*\).*/\1/p'
}
sizes "$LIVE_DIR/atk.pcap" "src host $SRV_FAR" | sort -n | uniq -c
max_out=$(sizes "$LIVE_DIR/atk.pcap" "src host $SRV_FAR" | sort -n | tail -n 1)
min_in=$(sizes "$LIVE_DIR/atk.pcap" "dst host $SRV_FAR" | sort -n | head -n 1)
[ -n "$max_out" ] || fail "no answer captured"
echo "captured: hellos of at least $min_in bytes, answers of at most $max_out"
[ "$max_out" -le "$min_in" ] || fail "an answer larger than a hello"

note "alice's session is the one it was"
session_up alice || fail "alice's session went down"
[ "$(ctl alice status -j | jq '.stats.handshakes')" = "$hs0" ] ||
    fail "alice made a new handshake"
[ "$(ctl alice status -j | jq '.stats.sessions')" = "$sess0" ] ||
    fail "alice made a new session"
[ "$(grep -c "tunnel: session up" "$LIVE_DIR/alice.log")" = 1 ] ||
    fail "alice's log shows another session"
leak_watch_stop
leak_check "during the flood"
echo "ok"
