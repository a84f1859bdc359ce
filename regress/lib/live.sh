# Shared helpers for the live tests: two network namespaces joined by a
# veth pair on the benchmarking underlay (198.18.0.0/15), a server and a
# client dsvpnd in them, and a cleanup that removes everything the test
# made, ending only the processes it started, by PID.
#
# Source it from a test:  . "$SRCDIR/regress/lib/live.sh"
# Then: live_init; live_pair; live_keygen; live_server_conf ...

set -u

NS_S= NS_C= NS_M= NS_C2=
PIDS=""
LIVE_DIR=
SRV_IP=198.18.0.1
CLI_IP=198.18.0.2
SRV_TUN4=192.168.192.254
CLI_TUN4=192.168.192.1
SRV_TUN6=fd64:7376:706e::c0a8:c0fe
CLI_TUN6=fd64:7376:706e::c0a8:c001
SRV_FAR=198.19.0.1
REMOTE_IP=198.19.0.2
SRV_FAR6=2001:db8:1::1
REMOTE_IP6=2001:db8:1::2
NS_R=
NS_EXTRA=	# more namespaces a test made (live_star), removed at cleanup
NS_ETC=		# /etc/netns/NS directories a test made (live_resolver)

skip() { echo "skipped: $*"; exit 77; }

# The unprivileged user and empty chroot a default dsvpnd needs (root
# only; what doc/INSTALL.md has an administrator do): daemon_user USER DIR
daemon_user() {
	getent passwd "$1" >/dev/null ||
	    useradd -r -d "$2" -s /usr/sbin/nologin "$1" || return 1
	mkdir -p "$2" && chown root "$2" && chmod 755 "$2"
}
fail() { echo "FAIL: $*"; live_dump_logs; exit 1; }
note() { echo "--- $*"; }

# Wait until a command succeeds: wait_for SECONDS command...
wait_for() {
	local limit=$1 end; shift
	end=$(( $(date +%s%N) / 1000000 + limit * 1000 ))
	while ! "$@" >/dev/null 2>&1; do
		[ $(( $(date +%s%N) / 1000000 )) -ge $end ] && return 1
		sleep 0.05
	done
	return 0
}

live_init() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	command -v ip >/dev/null || skip "needs iproute2"
	[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
	[ -x "$DSVPND" ] || fail "no dsvpnd binary at $DSVPND"
	daemon_user _dsvpnd /var/empty || skip "cannot create user _dsvpnd"
	LIVE_DIR=${TMPDIR:-/tmp}/live.$$
	mkdir -p "$LIVE_DIR"
	chmod 755 "$LIVE_DIR"
	local tag
	tag=$(printf '%x' $(( $$ % 65536 )))
	NS_S=dsv-s-$tag NS_C=dsv-c-$tag NS_M=dsv-m-$tag NS_R=dsv-r-$tag
	NS_C2=dsv-d-$tag
	trap live_cleanup EXIT
	trap 'exit 1' INT TERM
}

# Server and client namespaces over one veth pair.
live_pair() {
	ip netns add "$NS_S" && ip netns add "$NS_C" || fail "netns add"
	for ns in "$NS_S" "$NS_C"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
	done
	ip link add v-s netns "$NS_S" type veth peer name v-c netns "$NS_C" ||
	    fail "veth"
	ip -n "$NS_S" addr add $SRV_IP/24 dev v-s
	ip -n "$NS_C" addr add $CLI_IP/24 dev v-c
	ip -n "$NS_S" link set v-s up
	ip -n "$NS_C" link set v-c up
	ip -n "$NS_S" link set lo up
	ip -n "$NS_C" link set lo up
	# The client's default route points at the server side, as an
	# uplink would; the server routes its far side as egress.
	ip -n "$NS_C" route add default via $SRV_IP
	# A "remote host" beyond the server, its egress: it has no route
	# back to the tunnel's addresses, so only NAT lets it answer.
	ip netns add "$NS_R" || fail "netns add"
	ip link add v-sr netns "$NS_S" type veth peer name v-r netns "$NS_R" ||
	    fail "veth"
	ip -n "$NS_S" addr add $SRV_FAR/24 dev v-sr
	ip -n "$NS_R" addr add $REMOTE_IP/24 dev v-r
	ip -n "$NS_S" -6 addr add $SRV_FAR6/64 dev v-sr nodad
	ip -n "$NS_R" -6 addr add $REMOTE_IP6/64 dev v-r nodad
	ip -n "$NS_S" link set v-sr up
	ip -n "$NS_R" link set v-r up
	ip -n "$NS_R" link set lo up
	ip -n "$NS_S" route add default via $REMOTE_IP
	ip -n "$NS_S" -6 route add default via $REMOTE_IP6
	# Link-local addresses arrive on their own: wait, so that
	# snapshots taken from now on see a settled namespace.
	wait_for 10 link_local "$NS_S" v-s || fail "no link-local on v-s"
	wait_for 10 link_local "$NS_C" v-c || fail "no link-local on v-c"
	wait_for 10 link_local "$NS_S" v-sr || fail "no link-local on v-sr"
}

# Client, a middle router and server in three namespaces: the client
# on 198.18.0.0/24 (MID_C the middle's end, its gateway), the server at
# SRV_IP=198.18.1.1 behind the middle's MID_S, each namespace with a
# default route through the middle.  For tests that change the client's
# underlay (its address, its network) under a running session.
MID_C=198.18.0.254
MID_S=198.18.1.254
live_middle() {
	SRV_IP=198.18.1.1
	ip netns add "$NS_S" && ip netns add "$NS_C" && ip netns add "$NS_M" ||
	    fail "netns add"
	for ns in "$NS_S" "$NS_C" "$NS_M"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
	done
	ip link add v-c netns "$NS_C" type veth peer name v-mc netns "$NS_M" &&
	    ip link add v-s netns "$NS_S" type veth peer name v-ms \
	    netns "$NS_M" || fail "veth"
	ip -n "$NS_C" addr add $CLI_IP/24 dev v-c
	ip -n "$NS_M" addr add $MID_C/24 dev v-mc
	ip -n "$NS_M" addr add $MID_S/24 dev v-ms
	ip -n "$NS_S" addr add $SRV_IP/24 dev v-s
	for l in "$NS_C v-c" "$NS_M v-mc" "$NS_M v-ms" "$NS_S v-s" \
	    "$NS_C lo" "$NS_M lo" "$NS_S lo"; do
		set -- $l
		ip -n "$1" link set "$2" up
	done
	ip -n "$NS_C" route add default via $MID_C
	ip -n "$NS_S" route add default via $MID_S
	ip netns exec "$NS_M" sysctl -qw net.ipv4.ip_forward=1
	wait_for 10 link_local "$NS_C" v-c || fail "no link-local on v-c"
	wait_for 10 link_local "$NS_S" v-s || fail "no link-local on v-s"
}

# A resolv.conf for one namespace only (ip netns exec bind-mounts it),
# naming NAMESERVER; removed at cleanup: netns_resolv NS NAMESERVER
netns_resolv() {
	[ -e "/etc/netns/$1" ] && fail "/etc/netns/$1 exists already"
	mkdir -p "/etc/netns/$1" || fail "mkdir /etc/netns/$1"
	NS_ETC="$NS_ETC /etc/netns/$1"
	printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$2" \
	    >"/etc/netns/$1/resolv.conf"
}

link_local() {	# link_local NS DEV: a settled fe80:: address
	ip -n "$1" -6 addr show dev "$2" | grep -q 'fe80.*scope link' &&
	    ! ip -n "$1" -6 addr show dev "$2" | grep -q tentative
}

live_keygen() {
	head -c 32 /dev/urandom >"$LIVE_DIR/vpn.key"
	chmod 600 "$LIVE_DIR/vpn.key"
}

# LIVE_TRANSPORT=udp runs a test over UDP: the server listens on TCP and
# UDP, the client uses UDP alone (so a fallback to TCP cannot hide a
# UDP failure); "udp tcp" gives the client both, in that order.
LIVE_TRANSPORT=${LIVE_TRANSPORT:-}
live_transport() {	# live_transport ROLE: the words for a listen/connect line
	[ -n "$LIVE_TRANSPORT" ] || return 0
	if [ "$1" = server ]; then
		echo " transport tcp udp"
	else
		echo " transport $LIVE_TRANSPORT"
	fi
}

# The port a client connects to: another than the server's 443 puts a
# relay in between (t-udp-relay.sh).
LIVE_CONNECT_PORT=${LIVE_CONNECT_PORT:-443}

# live_conf NAME ROLE [extra lines...]: writes $LIVE_DIR/NAME.conf
live_conf() {
	local name=$1 role=$2; shift 2
	{
		echo "key \"$LIVE_DIR/vpn.key\""
		if [ "$role" = server ]; then
			echo "listen on * port 443$(live_transport server)"
		else
			echo "connect to $SRV_IP port" \
			    "$LIVE_CONNECT_PORT$(live_transport client)"
		fi
		echo "control socket \"$LIVE_DIR/$name.sock\""
		for l in "$@"; do echo "$l"; done
	} >"$LIVE_DIR/$name.conf"
	chmod 644 "$LIVE_DIR/$name.conf"
}

# live_start NAME NS [env...]: runs dsvpnd -d in NS, logs to NAME.log
live_start() {
	local name=$1 ns=$2; shift 2
	env "$@" ip netns exec "$ns" "$DSVPND" -d -v -f "$LIVE_DIR/$name.conf" \
	    >>"$LIVE_DIR/$name.log" 2>&1 &
	eval "PID_$name=$!"
	PIDS="$PIDS $!"
}

# live_daemon NAME NS [dsvpnd args...]: starts dsvpnd as an administrator
# would, without -d: it returns when the daemon is up or has failed.
# Sets DAEMON_RC and leaves its stderr in NAME.err; a daemon that runs
# is added to the processes cleanup ends (by the pid in NAME.pid).
live_daemon() {
	local name=$1 ns=$2 pid; shift 2
	timeout 60 ip netns exec "$ns" "$DSVPND" -f "$LIVE_DIR/$name.conf" \
	    "$@" >"$LIVE_DIR/$name.out" 2>"$LIVE_DIR/$name.err"
	DAEMON_RC=$?
	[ $DAEMON_RC -eq 0 ] || return 0
	pid=$(cat "$LIVE_DIR/$name.pid" 2>/dev/null)
	[ -n "$pid" ] && alive "$pid" || fail "$name: exit 0 but no daemon"
	eval "PID_$name=$pid"
	PIDS="$PIDS $pid"
}

# Start the server, then the client, and wait for their session and a
# first ping through it: live_up [SERVER-ENV...]
live_up() {
	live_start server "$NS_S" "$@"
	wait_for 10 test -S "$LIVE_DIR/server.sock" || fail "server did not start"
	live_start client "$NS_C"
	wait_for 20 session_up client || fail "no session within 20 s"
	wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping through the tunnel"
	[ -z "$LIVE_TRANSPORT" ] || wait_for 10 pmtu_found client ||
	    fail "no path MTU found over UDP"
}

# Over UDP the TUN MTU follows the path MTU the client probed: the
# search is over once the path MTU is above the base (on the 1500-byte
# underlay of live_pair), or at least LIVE_PATH_MTU.
pmtu_found() {
	[ "$(ctl "$1" status -j | jq '.path_mtu')" -ge \
	    "${LIVE_PATH_MTU:-1281}" ] 2>/dev/null
}

live_pid() { eval "echo \${PID_$1:-}"; }

# Is the process still ours and alive?
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Stop a daemon we started and wait for it: live_stop NAME [SIGNAL]
live_stop() {
	local pid
	pid=$(live_pid "$1")
	alive "$pid" || return 0
	kill -"${2:-TERM}" "$pid" 2>/dev/null
	wait_for 15 sh -c "! kill -0 $pid 2>/dev/null" || {
		kill -KILL "$pid" 2>/dev/null
		return 1
	}
	wait "$pid" 2>/dev/null
	return 0
}

# The exit status of a stopped daemon (after it ended).
live_wait() {
	local pid rc
	pid=$(live_pid "$1")
	wait "$pid"; rc=$?
	echo $rc
}

ctl() {	# ctl NAME args...: dsvpnctl against that daemon's socket
	local name=$1; shift
	"$DSVPNCTL" -s "$LIVE_DIR/$name.sock" "$@"
}

bytes_out() { ctl "$1" status -j | jq '.stats.bytes_out'; }

session_up() { ctl "$1" status 2>/dev/null | grep -qiE 'state: *up'; }

ping_ok() {	# ping_ok NS ADDR [args]
	local ns=$1 addr=$2; shift 2
	ip netns exec "$ns" ping -q -c 1 -W 1 "$@" "$addr" >/dev/null 2>&1
}

# UDP datagrams the kernel dropped in a namespace for a full receive
# buffer (Udp RcvbufErrors): a test that counts datagrams allows them.
udp_rcvbuf_errors() {	# udp_rcvbuf_errors NS
	ip netns exec "$1" awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ {
		print $6 }' /proc/net/snmp
}

# No process runs in the namespace any more.
ns_empty() { [ -z "$(ip netns pids "$1" 2>/dev/null)" ]; }

# A snapshot of everything dsvpnd may change in a namespace: addresses
# (but the TUN's, which goes with the device), routes of every table,
# policy rules, nftables and iptables rulesets, and the sysctls.
snapshot() {	# snapshot NS
	local ns=$1
	ip -n "$ns" -o addr show | grep -v ' tun' | awk '{ $1 = ""; print }'
	ip -n "$ns" route show table all | grep -v ' tun'
	ip -n "$ns" -6 route show table all | grep -v ' tun'
	ip -n "$ns" rule show
	ip -n "$ns" -6 rule show
	ip netns exec "$ns" nft list ruleset 2>/dev/null
	for t in iptables-save ip6tables-save; do
		command -v $t >/dev/null || continue
		ip netns exec "$ns" $t 2>/dev/null | grep -v '^#' |
		    sed 's/\[[0-9]*:[0-9]*\]//'
	done
	for s in net.ipv4.ip_forward net.ipv6.conf.all.forwarding \
	    net.ipv4.tcp_congestion_control; do
		echo "$s=$(ip netns exec "$ns" sysctl -n $s 2>/dev/null)"
	done
}

# Clear text on the client's underlay.  A VPN's first promise is that
# nothing leaves outside the tunnel; tests that change state watch the
# client's end of the underlay (v-c in NS_C) with tcpdump for packets
# leaving it that are neither the transport to the server ($SRV_IP, TCP
# or UDP port $LEAK_PORT, 443 by default) nor link-local control, which the
# seal lets out so that the underlay keeps working: ICMPv6 neighbour
# and router discovery (hop limit 255) and MLD reports, DHCP and
# DHCPv6.  ARP is not IP and is not counted.
#
# LEAK_EXTRA, set before leak_watch_start, excludes what a test allows
# besides (a resolver's lookups of the server, say).
#
#	leak_watch_start [NS [DEV]]	start the capture, wait till it runs
#	leak_watch_stop			end it; prints "N leaked", then the
#					first packets, time-stamped
#	leak_count			the leaked packets so far
#	leak_check WHAT [UNTIL]		fail the test on any leaked packet,
#					or on any before UNTIL (unix time,
#					for a daemon going down: after its
#					seal went, packets may leave)
#	probe_start / probe_stop	traffic that would leak if unsealed:
#					pings (v4, v6) to the far host, UDP
#					and TCP to it, from the client
#					namespace
#	sealed [NS [TABLE]]		the kill switch is in place
#	seal_watch, seal_gone N		the last moment it was: SEAL_UNTIL
LEAK_PORT=${LEAK_PORT:-443}
LEAK_EXTRA=${LEAK_EXTRA:-}	# more not to count, a pcap-filter expression
LEAK_PID=
LEAK_FILE=
PROBE_PIDS=

leak_filter() {
	printf '%s' "not arp and not (host $SRV_IP and (tcp or udp) and port $LEAK_PORT)" \
	    " and not (ip6 and ip6[7] == 255 and ip6[6] == 58 and" \
	    " (ip6[40] == 133 or ip6[40] == 135 or ip6[40] == 136))" \
	    " and not (ip6 and ip6[6] == 0 and dst host ff02::16)" \
	    " and not (udp and (port 67 or port 68 or port 546 or port 547))"
	[ -n "$LEAK_EXTRA" ] && printf ' and not (%s)' "$LEAK_EXTRA"
	return 0
}

leak_watch_start() {
	local ns=${1:-$NS_C} dev=${2:-v-c}
	command -v tcpdump >/dev/null || skip "needs tcpdump"
	LEAK_FILE=$LIVE_DIR/leak.$$.$RANDOM.pcap
	# --immediate-mode: without it libpcap holds packets in its ring
	# for up to a second, so a check made soon after a leak, or a
	# capture stopped soon after, could miss it.
	ip netns exec "$ns" tcpdump -i "$dev" -Q out -n -U --immediate-mode \
	    -w "$LEAK_FILE" "$(leak_filter)" 2>"$LEAK_FILE.log" &
	LEAK_PID=$!
	PIDS="$PIDS $LEAK_PID"
	wait_for 10 grep -q "listening on" "$LEAK_FILE.log" ||
	    fail "tcpdump did not start: $(cat "$LEAK_FILE.log")"
}

# capture_start NS DEV FILE FILTER [tcpdump args...]: a capture running
# (it waits till tcpdump listens), its pid in CAP_PID; end it with
# kill -INT and wait.
capture_start() {
	local ns=$1 dev=$2 file=$3 filter=$4; shift 4
	ip netns exec "$ns" tcpdump -i "$dev" -n -U --immediate-mode "$@" \
	    -w "$file" "$filter" 2>"$file.log" &
	CAP_PID=$!
	PIDS="$PIDS $CAP_PID"
	wait_for 10 grep -q "listening on" "$file.log" ||
	    fail "tcpdump did not start: $(cat "$file.log")"
}

leak_count() {
	[ -s "$LEAK_FILE" ] || { echo 0; return; }
	tcpdump -r "$LEAK_FILE" -n 2>/dev/null | wc -l
}

leak_watch_stop() {
	alive "$LEAK_PID" && kill -INT "$LEAK_PID" 2>/dev/null
	wait "$LEAK_PID" 2>/dev/null
	LEAK_PID=
	echo "$(leak_count) leaked"
	[ -s "$LEAK_FILE" ] && tcpdump -r "$LEAK_FILE" -n -tt 2>/dev/null |
	    head -n 10
	return 0
}

leak_check() {	# leak_check WHAT [UNTIL]
	local n until=${2:-}
	if [ -n "$until" ]; then
		n=$(tcpdump -r "$LEAK_FILE" -n -tt 2>/dev/null |
		    awk -v t="$until" '$1 < t' | wc -l)
	else
		n=$(leak_count)
	fi
	[ "$n" -eq 0 ] && return 0
	tcpdump -r "$LEAK_FILE" -n -tt 2>/dev/null | head -n 10
	fail "$1: $n packets left the client outside the tunnel"
}

probe_start() {
	ip netns exec "$NS_C" ping -q -i 0.1 "$REMOTE_IP" >/dev/null 2>&1 &
	PROBE_PIDS="$PROBE_PIDS $!"
	ip netns exec "$NS_C" ping -q -i 0.1 "$REMOTE_IP6" >/dev/null 2>&1 &
	PROBE_PIDS="$PROBE_PIDS $!"
	ip netns exec "$NS_C" sh -c "while :; do
	    echo probe | nc -u -w 0 $REMOTE_IP 53; nc -z -w 1 $REMOTE_IP 80
	    sleep 0.2; done" >/dev/null 2>&1 &
	PROBE_PIDS="$PROBE_PIDS $!"
	PIDS="$PIDS $PROBE_PIDS"
}

probe_stop() {
	local pid
	for pid in $PROBE_PIDS; do
		alive "$pid" && kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	PROBE_PIDS=
}

# The kill switch in place: the instance's nft table with its output chain.
sealed() {	# sealed [NS [TABLE]]
	ip netns exec "${1:-$NS_C}" nft list chain inet "${2:-dsvpnd}" \
	    output >/dev/null 2>&1
}

# While a daemon goes down: when was its seal last seen?  seal_watch
# polls it, taking the time before each look, so the time it keeps is
# never later than a moment the seal was there; seal_gone waits for the
# seal to go and sets SEAL_UNTIL to that time, for leak_check's UNTIL.
SEAL_POLL=
seal_watch() {	# seal_watch [NS [TABLE]]
	local ns=${1:-$NS_C} table=${2:-dsvpnd}
	rm -f "$LIVE_DIR/seen"
	(while :; do
		t=$(date +%s.%N)
		sealed "$ns" "$table" || break
		echo "$t" >"$LIVE_DIR/seen.new" &&
		    mv "$LIVE_DIR/seen.new" "$LIVE_DIR/seen"
		sleep 0.02
	done) &
	SEAL_POLL=$!
	PIDS="$PIDS $SEAL_POLL"
	wait_for 5 test -s "$LIVE_DIR/seen" || fail "seal_watch: no seal"
}

seal_gone() {	# seal_gone SECONDS: sets SEAL_UNTIL
	wait_for "$1" sh -c "! kill -0 $SEAL_POLL 2>/dev/null" ||
	    fail "the seal outlived the daemon"
	wait "$SEAL_POLL" 2>/dev/null
	SEAL_UNTIL=$(cat "$LIVE_DIR/seen")
}

live_dump_logs() {
	[ -n "$LIVE_DIR" ] || return 0
	for f in "$LIVE_DIR"/*.log; do
		[ -f "$f" ] || continue
		echo "=== $f (last 40 lines)"
		tail -n 40 "$f"
	done
}

# Children of a daemon, by role title ("dsvpnd: tunnel" etc.).
child_pid() {	# child_pid PARENT_PID ROLE
	local p
	for p in $(pgrep -P "$1"); do
		if tr '\0' ' ' </proc/$p/cmdline 2>/dev/null |
		    grep -q "dsvpnd: $2"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# The daemon started via "ip netns exec": find the real dsvpnd parent.
daemon_pid() {	# daemon_pid NAME
	local wrapper
	wrapper=$(live_pid "$1")
	# ip netns exec execs in place, so the PID is dsvpnd itself.
	echo "$wrapper"
}

# A server and N clients on one underlay: a bridge in the server's
# namespace, each client ns (dsv-kI-TAG, named in $NS_K1 ...) on it at
# 198.18.0.(1+I), plus the remote host beyond the server as live_pair
# makes it.  live_star N
live_star() {
	local n=$1 i ns tag
	tag=${NS_S#dsv-s-}
	ip netns add "$NS_S" && ip netns add "$NS_R" || fail "netns add"
	ip -n "$NS_S" link add br0 type bridge || fail "bridge"
	ip -n "$NS_S" addr add $SRV_IP/24 dev br0
	ip -n "$NS_S" link set br0 up
	ip -n "$NS_S" link set lo up
	for i in $(seq 1 "$n"); do
		ns=dsv-k$i-$tag
		ip netns add "$ns" || fail "netns add $ns"
		NS_EXTRA="$NS_EXTRA $ns"
		eval "NS_K$i=$ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
		ip link add "v-k$i" netns "$NS_S" type veth peer name v-c \
		    netns "$ns" || fail "veth"
		ip -n "$NS_S" link set "v-k$i" master br0 up
		ip -n "$ns" addr add "198.18.0.$((1 + i))/24" dev v-c
		ip -n "$ns" link set v-c up
		ip -n "$ns" link set lo up
		ip -n "$ns" route add default via $SRV_IP
	done
	ip link add v-sr netns "$NS_S" type veth peer name v-r netns "$NS_R" ||
	    fail "veth"
	ip -n "$NS_S" addr add $SRV_FAR/24 dev v-sr
	ip -n "$NS_R" addr add $REMOTE_IP/24 dev v-r
	ip -n "$NS_S" -6 addr add $SRV_FAR6/64 dev v-sr nodad
	ip -n "$NS_R" -6 addr add $REMOTE_IP6/64 dev v-r nodad
	ip -n "$NS_S" link set v-sr up
	ip -n "$NS_R" link set v-r up
	ip -n "$NS_R" link set lo up
	ip -n "$NS_S" route add default via $REMOTE_IP
	ip -n "$NS_S" -6 route add default via $REMOTE_IP6
	wait_for 10 link_local "$NS_S" v-sr || fail "no link-local on v-sr"
}

# Name lookups in NS go to a resolver that refuses at once (nothing
# listens on 127.0.0.1:53 there), so a name fails fast instead of
# waiting for the host's DNS: live_resolver NS.  "ip netns exec" mounts
# /etc/netns/NS/resolv.conf over /etc/resolv.conf.
live_resolver() {
	[ -e "/etc/netns/$1" ] && fail "/etc/netns/$1 exists already"
	mkdir -p "/etc/netns/$1" || fail "mkdir /etc/netns/$1"
	NS_ETC="$NS_ETC /etc/netns/$1"
	echo "nameserver 127.0.0.1" >"/etc/netns/$1/resolv.conf"
}

# A server's client block file: live_client_block NAME KEYFILE [lines...]
live_client_block() {
	local name=$1 key=$2; shift 2
	{
		echo "client \"$name\" {"
		echo "	key \"$key\""
		for l in "$@"; do echo "	$l"; done
		echo "}"
	} >"$LIVE_DIR/clients/$name.conf"
	chmod 644 "$LIVE_DIR/clients/$name.conf"
}

# status -j of one client of a server: live_peer SERVER NAME JQ-FILTER
live_peer() {
	ctl "$1" status -j "$2" | jq -r "$3"
}

live_cleanup() {
	local pid
	for pid in $PIDS; do
		alive "$pid" || continue
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $PIDS; do
		alive "$pid" || continue
		wait_for 10 sh -c "! kill -0 $pid 2>/dev/null" ||
		    kill -KILL "$pid" 2>/dev/null
	done
	for ns in "$NS_S" "$NS_C" "$NS_M" "$NS_R" "$NS_C2" $NS_EXTRA; do
		[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true
	done
	for d in $NS_ETC; do
		rm -f "$d/resolv.conf" && rmdir "$d" 2>/dev/null
	done
	return 0
}

# A server for N clients with keys of their own, for the scale tests and
# regress/tools/loadgen: the keys in one file (key i at byte 32 * i,
# LIVE_DIR/keys.bin, what loadgen reads) and cut into one file a client
# (LIVE_DIR/keys/kNNNNN), a client block for each, addresses from
# 10.64.0.0/16, the server at 10.64.0.1 on tunp0: live_many_conf N
live_many_conf() {
	local n=$1
	mkdir -p "$LIVE_DIR/keys"
	head -c $((n * 32)) /dev/urandom >"$LIVE_DIR/keys.bin" || fail "keys"
	(cd "$LIVE_DIR/keys" && split -b 32 -a 5 -d "$LIVE_DIR/keys.bin" k) ||
	    fail "split keys"
	chmod 600 "$LIVE_DIR/keys.bin" "$LIVE_DIR"/keys/k*
	seq 0 $((n - 1)) | awk -v d="$LIVE_DIR/keys" \
	    '{ printf "client \"c%05d\" { key \"%s/k%05d\" }\n", $1, d, $1 }' \
	    >"$LIVE_DIR/clients.inc"
	{
		echo "listen on * port 443"
		echo "tunnel tunp0 { inet 10.64.0.1 peer 10.64.0.2;" \
		    "inet6 fd00:64::1 peer fd00:64::2 }"
		echo "pool 10.64.0.0/16"
		echo "pool fd00:64::/112"
		echo "leases \"$LIVE_DIR/leases\""
		echo "control socket \"$LIVE_DIR/server.sock\""
		echo "include \"$LIVE_DIR/clients.inc\""
	} >"$LIVE_DIR/server.conf"
	chmod 644 "$LIVE_DIR/server.conf" "$LIVE_DIR/clients.inc"
}

# Start the server of live_many_conf and wait until it is ready, with
# the pool's route (made here where netcfg does not render pools yet):
# live_many_up
live_many_up() {
	live_start server "$NS_S"
	wait_for 60 test -S "$LIVE_DIR/server.sock" ||
	    fail "server did not start"
	wait_for 30 sh -c "ip -n $NS_S link show tunp0 | grep -q ',UP'" ||
	    fail "no tunp0 up"
	# netcfg's plan (the pool's route among it) is in place once the
	# parent says it is ready.
	wait_for 60 grep -q 'parent: ready' "$LIVE_DIR/server.log" ||
	    fail "server not ready"
	ip -n "$NS_S" route show 10.64.0.0/16 | grep -q . ||
	    ip -n "$NS_S" route add 10.64.0.0/16 dev tunp0 ||
	    fail "pool route"
}

# A real client of live_many_conf's server, with key I and the address
# the server gave client I, started in NS: live_many_client NAME I NS
live_many_client() {
	local key addr
	key=$LIVE_DIR/keys/k$(printf %05d "$2")
	addr=$(live_peer server "$(printf c%05d "$2")" .inet)
	case $addr in
	10.64.*) ;;
	*)	fail "client $2 has no pool address: $addr" ;;
	esac
	{
		echo "key \"$key\""
		echo "connect to $SRV_IP port 443"
		echo "control socket \"$LIVE_DIR/$1.sock\""
		echo "no default route"
		echo "tunnel tunc0 { inet $addr peer 10.64.0.1; no inet6 }"
	} >"$LIVE_DIR/$1.conf"
	chmod 644 "$LIVE_DIR/$1.conf"
	live_start "$1" "$3"
}
