# Nothing dsvpnd adds outlives it.  A snapshot of addresses, routes of
# every table, policy rules, nftables/iptables rulesets and sysctls in
# both namespaces, taken before start, must be the same after: a clean
# stop, SIGTERM, SIGINT, kill -9 of the tunnel, of netcfg, of the
# parent, and of every process followed by a restart and a clean stop;
# and a plan whose middle step fails leaves it unchanged too.
# timeout: 300
. "$SRCDIR/regress/lib/live.sh"
live_init
live_pair
live_keygen
live_conf server server
live_conf client client

before_s=$(snapshot "$NS_S")
before_c=$(snapshot "$NS_C")

check_clean() {	# check_clean WHAT
	local after_s after_c
	wait_for 10 ns_empty "$NS_S" || fail "$1: processes left in the server namespace"
	wait_for 10 ns_empty "$NS_C" || fail "$1: processes left in the client namespace"
	after_s=$(snapshot "$NS_S")
	after_c=$(snapshot "$NS_C")
	if [ "$after_s" != "$before_s" ]; then
		diff <(echo "$before_s") <(echo "$after_s")
		fail "$1: the server namespace changed"
	fi
	if [ "$after_c" != "$before_c" ]; then
		diff <(echo "$before_c") <(echo "$after_c")
		fail "$1: the client namespace changed"
	fi
	echo "clean after $1"
}

start_both() {
	live_up
	# The client's routes are in place once the session is up.
	wait_for 10 sh -c "ip -n $NS_C rule show | grep -q 42069" ||
	    fail "client policy rules missing"
	wait_for 10 sh -c "ip netns exec $NS_S nft list tables 2>/dev/null | grep -q dsvpnd || ip netns exec $NS_S iptables-save | grep -qi dsvpnd" ||
	    fail "server NAT rules missing"
}

kill_both_child() {	# kill_both_child ROLE: kill -9 that child in both
	local p
	for n in server client; do
		p=$(child_pid "$(live_pid $n)" "$1") || fail "no $1 in $n"
		kill -KILL "$p"
	done
	for n in server client; do
		wait_for 20 sh -c "! kill -0 $(live_pid $n) 2>/dev/null" ||
		    fail "$n did not exit after losing its $1"
	done
}

for how in stop TERM INT tunnel netcfg parent; do
	note "$how"
	start_both
	case $how in
	stop)	live_stop client && live_stop server ;;
	TERM|INT)
		live_stop client $how && live_stop server $how ;;
	parent)	kill -KILL "$(live_pid client)" "$(live_pid server)"
		wait "$(live_pid client)" "$(live_pid server)" 2>/dev/null ;;
	*)	kill_both_child "$how" ;;
	esac
	check_clean "$how"
done

note "kill -9 every process, then restart and stop cleanly"
start_both
for n in server client; do
	pp=$(live_pid $n)
	kill -KILL $(pgrep -P "$pp") "$pp"
done
# Reap the parents: a task leaves its namespace before its last files
# (and so the pid file's lock) are released; wait(1) returns after.
for n in server client; do
	wait "$(live_pid $n)" 2>/dev/null
done
wait_for 10 ns_empty "$NS_S" || fail "processes left: $(ip netns pids $NS_S)"
wait_for 10 ns_empty "$NS_C" || fail "processes left: $(ip netns pids $NS_C)"
start_both
live_stop client && live_stop server
check_clean "kill -9 of everything and a restart"

note "a plan whose step 3 fails"
live_start server "$NS_S" DSVPND_NETCFG_FAIL_STEP=3
wait_for 20 sh -c "! kill -0 $(live_pid server) 2>/dev/null" ||
    fail "server kept running with a failed plan"
rc=$(live_wait server)
[ "$rc" != 0 ] || fail "a failed plan exited 0"
grep -q "network configuration failed" "$LIVE_DIR/server.log" ||
    fail "no log line about the failed plan"
check_clean "a failed plan step"
echo ok
