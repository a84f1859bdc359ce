# Instances never touch each other (issue 12).  Two server instances side
# by side in the server's namespace (ports 443 and 8443, their own
# tunnels and addresses) and two client instances in the client's (split
# routes to different hosts beyond the servers: two default-route
# instances on one host make no sense).  While a ping through client B
# runs throughout: client A is killed with -9, restarted and stopped; a
# second start of A is refused, as is an instance on B's id; an instance
# whose plan fails undoes itself; and all along B's addresses, routes,
# rules and nft table stay exactly as they were, its ping loses
# nothing, and none of its packets leaves the underlay in clear.
# timeout: 150
. "$SRCDIR/regress/lib/live.sh"
live_init
live_pair
live_keygen
FAR_B=198.19.0.3
ip -n "$NS_R" addr add $FAR_B/24 dev v-r

# inst_conf NAME ROLE PORT IF LOCAL PEER [lines...]
inst_conf() {
	local name=$1 role=$2 port=$3 ifname=$4 l=$5 p=$6; shift 6
	live_conf "$name" "$role" "instance \"$name\"" \
	    "tunnel $ifname { inet $l peer $p; no inet6 }" "$@"
	sed -i "s/port 443/port $port/" "$LIVE_DIR/$name.conf"
}
inst_conf sa server 443 tsa 10.10.0.1 10.10.0.2
inst_conf sb server 8443 tsb 10.20.0.1 10.20.0.2
inst_conf ca client 443 tca 10.10.0.2 10.10.0.1 "no default route" \
    "route $REMOTE_IP/32"
inst_conf cb client 8443 tcb 10.20.0.2 10.20.0.1 "no default route" \
    "route $FAR_B/32"

# B's part of the client namespace: everything another may not touch.
b_state() {
	ip -n "$NS_C" -o addr show dev tcb | awk '{ $1 = ""; print }'
	ip -n "$NS_C" route show table all | grep -w tcb
	ip -n "$NS_C" rule show
	ip -n "$NS_C" -6 rule show
	ip netns exec "$NS_C" nft list table inet dsvpnd-cb
}
b_same() {	# b_same WHAT
	local now
	now=$(b_state)
	[ "$now" = "$b0" ] && return 0
	diff <(echo "$b0") <(echo "$now")
	fail "$1: client B's state changed"
}

for n in sa sb; do
	live_start $n "$NS_S"
	wait_for 10 test -S "$LIVE_DIR/$n.sock" || fail "server $n did not start"
done
for n in sa sb; do
	wait_for 10 sh -c "ip netns exec $NS_S nft list tables | grep -q dsvpnd-$n" ||
	    fail "server $n has no table of its own"
done
for n in ca cb; do
	live_start $n "$NS_C"
	wait_for 20 session_up $n || fail "no session for $n"
done
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP" || fail "no traffic through A"
wait_for 10 ping_ok "$NS_C" "$FAR_B" || fail "no traffic through B"
ip -n "$NS_C" route get "$FAR_B" | grep -q tcb || fail "B's route not via tcb"
# Over UDP (t-udp-instances.sh) both sessions must really be datagrams.
if [ -n "$LIVE_TRANSPORT" ]; then
	for n in ca cb; do
		tr=$(ctl $n status -j | jq -r .transport)
		[ "$tr" = "$LIVE_TRANSPORT" ] ||
		    fail "$n runs over $tr, not $LIVE_TRANSPORT"
	done
	note "both client instances up over $LIVE_TRANSPORT"
fi
b0=$(b_state)
# The client's underlay from here on: B's traffic must never leave it
# in clear while A comes and goes.  A routes only REMOTE_IP, and its
# split tunnel has no seal, so what goes there is A's own business.
# Over UDP, the server keeps sending to a killed A for a while, and the
# client's kernel answers each datagram with a port unreachable that
# quotes it: the tunnel's own ciphertext, not clear text.
LEAK_EXTRA="(host $SRV_IP and port 8443) or host $REMOTE_IP or
    (icmp and icmp[0] == 3 and icmp[1] == 3 and dst host $SRV_IP and
    icmp[28:2] == 443)"
leak_watch_start
ip netns exec "$NS_C" ping -c 400 -i 0.1 "$FAR_B" >"$LIVE_DIR/ping.out" &
pinger=$!
PIDS="$PIDS $pinger"

note "kill -9 of client A"
pa=$(live_pid ca)
na=$(child_pid "$pa" netcfg) || fail "no netcfg in A"
kill -KILL "$pa"
wait "$pa" 2>/dev/null
# Its netcfg reverts A, and only A, then ends.
wait_for 20 sh -c "! kill -0 $na 2>/dev/null" || fail "A's netcfg did not end"
ip netns exec "$NS_C" nft list table inet dsvpnd-ca >/dev/null 2>&1 &&
    fail "A's table outlived A"
b_same "A killed"

note "A restarted"
live_start ca "$NS_C"
wait_for 20 session_up ca || fail "A did not come back"
wait_for 10 ping_ok "$NS_C" "$REMOTE_IP" || fail "no traffic through A again"
b_same "A restarted"

note "a second start of A is refused"
rc=0
ip netns exec "$NS_C" "$DSVPND" -d -f "$LIVE_DIR/ca.conf" \
    >"$LIVE_DIR/ca2.log" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "a second start of A exited 0"
cat "$LIVE_DIR/ca2.log"
grep -q "instance ca is already running" "$LIVE_DIR/ca2.log" ||
    fail "no clear message for the second start"
session_up ca || fail "the second start disturbed A"
b_same "a second start of A"

note "an instance on B's id is refused"
idb=$(sed -n 's/^instance "cb" id \([0-9]*\)$/\1/p' <<EOS
$("$DSVPND" -nv -f "$LIVE_DIR/cb.conf")
EOS
)
[ -n "$idb" ] || fail "no id for B"
inst_conf cc client 443 tcc 10.30.0.2 10.30.0.1 "no default route"
sed -i "s/^instance \"cc\"$/instance \"cc\" id $idb/" "$LIVE_DIR/cc.conf"
rc=0
ip netns exec "$NS_C" "$DSVPND" -d -f "$LIVE_DIR/cc.conf" \
    >"$LIVE_DIR/cc.log" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "an instance on B's id started"
cat "$LIVE_DIR/cc.log"
grep -q "instance id $idb .* is taken" "$LIVE_DIR/cc.log" ||
    fail "no message naming the id"
b_same "an instance on B's id"

note "an instance whose plan fails undoes itself alone"
sed -i "s/^instance \"cc\" id $idb$/instance \"cc\"/" "$LIVE_DIR/cc.conf"
live_start cc "$NS_C" DSVPND_NETCFG_FAIL_STEP=2
wait_for 20 sh -c "! kill -0 $(live_pid cc) 2>/dev/null" ||
    fail "cc kept running with a failed plan"
[ "$(live_wait cc)" != 0 ] || fail "a failed plan exited 0"
ip -n "$NS_C" link show tcc >/dev/null 2>&1 && fail "cc's tunnel stayed"
b_same "a failed instance"

note "A stopped"
live_stop ca || fail "A did not stop"
b_same "A stopped"
session_up cb || fail "B went down"

wait "$pinger" 2>/dev/null
tail -n 2 "$LIVE_DIR/ping.out"
grep -q " 0% packet loss" "$LIVE_DIR/ping.out" ||
    fail "B's ping lost packets while A came and went"
leak_watch_stop
leak_check "B's traffic while A came and went"
live_stop cb || fail "B did not stop"
for n in sa sb; do
	live_stop $n || fail "server $n did not stop"
done
echo ok
