# The shipped systemd unit starts a working daemon.  Without systemd as
# PID 1, the server and the client run under what of the unit can be
# reproduced, read from the unit file the build made:
#  CapabilityBoundingSet, NoNewPrivileges     setpriv
#  ProtectSystem, ReadWritePaths, PrivateTmp,
#  ProtectHome, ProtectProc=invisible          a mount namespace
#  UMask                                       umask
#  RestrictAddressFamilies, MemoryDenyWrite-
#  Execute, RestrictNamespaces, RestrictRealtime,
#  SystemCallFilter=~ (its groups expanded by
#  systemd-analyze), SystemCallArchitectures   seccomp (regress/tools/sdrestrict)
# and the rest (DevicePolicy, ProtectKernel*, ProtectClock, ...) is named
# as not reproduced.  ExecStartPre and ExecReload run too, READY=1
# arrives on $NOTIFY_SOCKET, and a session carries pings both ways.
# systemd-analyze verify checks both units where it is installed.
# timeout: 150
. "$SRCDIR/regress/lib/live.sh"
live_init

UNIT=$BUILDDIR/etc/dsvpnd.service
TEMPLATE=$BUILDDIR/etc/dsvpnd@.service
RESTRICT=$BUILDDIR/regress/tools/sdrestrict
[ -f "$UNIT" ] && [ -f "$TEMPLATE" ] || fail "the build made no units"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
command -v unshare >/dev/null || skip "needs unshare (util-linux)"
command -v nc >/dev/null || skip "needs nc (netcat-openbsd) for NOTIFY_SOCKET"

# The unit's value of a setting, all its lines joined.
setting() { sed -n "s/^$1=//p" "$UNIT" | tr '\n' ' ' | sed 's/ *$//'; }

note "systemd-analyze verify"
if command -v systemd-analyze >/dev/null; then
	# The installed paths do not exist here: point them at the build.
	V=$LIVE_DIR/verify
	mkdir -p "$V"
	for u in "$UNIT" "$TEMPLATE"; do
		sed -e "s|^\(Exec[A-Za-z]*=\)[^ ]*/dsvpnctl |\1$DSVPNCTL |" \
		    -e "s|^\(Exec[A-Za-z]*=\)[^ ]*/dsvpnd |\1$DSVPND |" \
		    "$u" >"$V/$(basename "$u")"
	done
	cp "$V/dsvpnd@.service" "$V/dsvpnd@test.service" 2>/dev/null
	for u in dsvpnd.service dsvpnd@test.service; do
		systemd-analyze verify --man=no "$V/$u" >"$V/out" 2>&1 ||
		    fail "systemd-analyze verify $u: $(cat "$V/out")"
		[ -s "$V/out" ] &&
		    fail "systemd-analyze verify $u: $(cat "$V/out")"
	done
	systemd-analyze security --offline=yes "$V/dsvpnd.service" 2>&1 |
	    tail -n 1
else
	echo "note: no systemd-analyze here, units not verified"
fi

# What the unit says.
CAPS=$(setting CapabilityBoundingSet)
NNP=$(setting NoNewPrivileges)
PROTECT_SYSTEM=$(setting ProtectSystem)
RW_PATHS=$(setting ReadWritePaths)
PRIVATE_TMP=$(setting PrivateTmp)
PROTECT_HOME=$(setting ProtectHome)
PROTECT_PROC=$(setting ProtectProc)
UMASK=$(setting UMask)
FAMILIES=$(setting RestrictAddressFamilies)
[ -n "$CAPS" ] || fail "the unit bounds no capabilities"
[ "$NNP" = yes ] || fail "the unit does not set NoNewPrivileges"
case $(setting Type) in
notify)	;;
*)	fail "the unit is not Type=notify" ;;
esac

bset=-all
for c in $CAPS; do
	bset="$bset,+$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')"
done
seccomp=""
[ -n "$FAMILIES" ] && seccomp="$seccomp -a $(echo $FAMILIES | tr ' ' ',')"
[ "$(setting MemoryDenyWriteExecute)" = yes ] && seccomp="$seccomp -w"
[ "$(setting RestrictNamespaces)" = yes ] && seccomp="$seccomp -N"
[ "$(setting RestrictRealtime)" = yes ] && seccomp="$seccomp -r"
# A deny list: each "~..." line's @groups, as this systemd spells them.
deny=""
for item in $(setting SystemCallFilter); do
	item=${item#\~}
	case $item in
	@*)	command -v systemd-analyze >/dev/null || {
		    echo "not reproduced: SystemCallFilter $item" \
		    "(no systemd-analyze to expand it)"; continue; }
		deny="$deny $(systemd-analyze syscall-filter "$item" |
		    sed -n 's/^ *\([a-z_0-9]*\)$/\1/p' | tr '\n' ' ')" ;;
	*)	deny="$deny $item" ;;
	esac
done
case $(sed -n 's/^SystemCallFilter=//p' "$UNIT" | head -n 1) in
""|~*)	;;
*)	fail "SystemCallFilter is an allow list: not reproduced here" ;;
esac
deny=$(echo $deny | tr ' ' ',')
[ -n "$deny" ] && seccomp="$seccomp -d $deny"
if [ -n "$seccomp" ]; then
	[ "$(setting SystemCallArchitectures)" = native ] ||
	    fail "sdrestrict's filter is native-only, the unit is not"
	[ -x "$RESTRICT" ] || skip "no regress/tools/sdrestrict (not seccomp)"
fi
for s in DevicePolicy DeviceAllow ProtectKernelModules ProtectKernelLogs \
    ProtectClock ProtectControlGroups ProtectHostname RestrictSUIDSGID \
    LockPersonality; do
	v=$(setting $s)
	[ -n "$v" ] && echo "not reproduced: $s=$v"
done
echo "bounding set: $bset"
echo "seccomp:$seccomp"

# The unit's files live where it can see them: /run is writable for it
# (ReadWritePaths), /tmp is private and /root and /home are hidden, so
# configs, key, sockets and the binaries go to a directory in /run.
R=/run/dsvpnd-t-$$
mkdir -m 700 "$R" || fail "mkdir $R"
trap 'live_cleanup; rm -rf "$R"' EXIT
cp "$DSVPND" "$R/dsvpnd" && cp "$DSVPNCTL" "$R/dsvpnctl" ||
    fail "cannot copy the binaries"
if [ -n "$seccomp" ]; then
	cp "$RESTRICT" "$R/sdrestrict" || fail "cannot copy sdrestrict"
	RESTRICT=$R/sdrestrict
fi
"$R/dsvpnd" -V >/dev/null 2>&1 || skip "$R is not executable here"
# (A build under /tmp or a home directory is hidden from the daemon,
# as it would be from the unit: the copies are what runs.)

# The mount namespace's set-up, then the unit's privileges, then dsvpnd.
cat >"$R/enter.sh" <<EOF
set -e
mount --make-rprivate /
case "$PROTECT_SYSTEM" in
strict)	ro=\$(awk '{ print \$5 }' /proc/self/mountinfo | sort -u) ;;
full)	ro="/usr /boot /efi /etc" ;;
yes|true) ro="/usr /boot /efi" ;;
*)	ro="" ;;
esac
for m in \$ro; do
	case \$m in /dev|/dev/*|/proc|/proc/*|/sys|/sys/*) continue ;; esac
	[ -d "\$m" ] || continue
	mountpoint -q "\$m" || mount --bind "\$m" "\$m"
	mount -o remount,bind,ro "\$m" 2>/dev/null || true
done
for p in $RW_PATHS; do
	[ -e "\$p" ] || continue
	mount --rbind "\$p" "\$p"
	mount -o remount,bind,rw "\$p"
done
if [ "$PRIVATE_TMP" = yes ]; then
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	mount -t tmpfs -o mode=1777 tmpfs /var/tmp
fi
case "$PROTECT_HOME" in
yes|true)
	for d in /home /root /run/user; do
		[ -d "\$d" ] && mount -t tmpfs -o ro,mode=000 tmpfs "\$d"
	done ;;
read-only)
	for d in /home /root /run/user; do
		[ -d "\$d" ] && mount --bind "\$d" "\$d" &&
		    mount -o remount,bind,ro "\$d"
	done ;;
esac
[ "$PROTECT_PROC" = invisible ] &&
    mount -t proc -o hidepid=invisible proc /proc
[ -n "$UMASK" ] && umask $UMASK
exec setpriv --bounding-set=$bset ${NNP:+--no-new-privs} \
    ${seccomp:+$RESTRICT $seccomp} "\$@"
EOF

# The unit's ExecStart (or another Exec line) with our binary and file.
exec_args() {	# exec_args SETTING CONF
	local w out="" next=0
	for w in $(setting "$1"); do
		case $w in
		*/dsvpnd)	out="$R/dsvpnd" ;;
		*/dsvpnctl)	out="$R/dsvpnctl" ;;
		-f)		out="$out -f"; next=1 ;;
		*)		if [ $next = 1 ]; then out="$out $2"; next=0
				else out="$out $w"; fi ;;
		esac
	done
	echo "$out"
}

confined() {	# confined NS command...: as the unit would run it
	local ns=$1; shift
	ip netns exec "$ns" unshare -m sh "$R/enter.sh" "$@"
}

live_pair
head -c 32 /dev/urandom >"$R/vpn.key" && chmod 600 "$R/vpn.key"
for role in server client; do
	{
		echo "key \"$R/vpn.key\""
		if [ $role = server ]; then echo "listen on * port 443"
		else echo "connect to $SRV_IP port 443"; fi
		echo "control socket \"$R/$role.sock\""
	} >"$R/$role.conf"
	chmod 600 "$R/$role.conf"
done

note "ExecStartPre under the unit's restrictions"
for role in server client; do
	ns=$NS_S; [ $role = client ] && ns=$NS_C
	confined "$ns" $(exec_args ExecStartPre "$R/$role.conf") \
	    >"$LIVE_DIR/$role.pre" 2>&1 ||
	    fail "$role ExecStartPre: $(cat "$LIVE_DIR/$role.pre")"
done

note "ExecStart, server then client, READY=1 from each"
for role in server client; do
	ns=$NS_S; [ $role = client ] && ns=$NS_C
	nc -lkuU "$R/$role.notify" >"$LIVE_DIR/$role.ready" 2>&1 &
	PIDS="$PIDS $!"
	wait_for 5 test -S "$R/$role.notify" || fail "no notify socket"
	# Not through confined(): a function in the background is a
	# subshell, and $! must be the daemon's PID.
	NOTIFY_SOCKET=$R/$role.notify ip netns exec "$ns" unshare -m \
	    sh "$R/enter.sh" $(exec_args ExecStart "$R/$role.conf") -v \
	    >>"$LIVE_DIR/$role.log" 2>&1 &
	eval "PID_$role=$!"
	PIDS="$PIDS $!"
	wait_for 20 grep -q MAINPID "$LIVE_DIR/$role.ready" &&
	    grep -q READY=1 "$LIVE_DIR/$role.ready" ||
	    fail "$role: no READY=1 under the unit's restrictions"
	grep -qx "MAINPID=$(live_pid $role)" "$LIVE_DIR/$role.ready" ||
	    fail "$role: READY=1 not from the main process" \
	    "$(live_pid $role): $(cat "$LIVE_DIR/$role.ready")"
done
up() { "$DSVPNCTL" -s "$R/client.sock" status | grep -qiE 'state: *up'; }
wait_for 20 up ||
    fail "no session under the unit's restrictions"
wait_for 10 ping_ok "$NS_C" "$SRV_TUN4" || fail "no ping through the tunnel"
ping_ok "$NS_C" "$SRV_TUN6" || fail "no IPv6 ping through the tunnel"
ping_ok "$NS_S" "$CLI_TUN4" || fail "no ping from the server side"

note "once up, nothing leaves the client's underlay in clear"
# An nft counter on v-c for everything but the transport to the server
# and IPv6 link-local housekeeping; traffic to a host beyond the server
# must go through the tunnel (and the server's NAT).
nc_() { ip netns exec "$NS_C" nft "$@"; }
nc_ add table inet dsvleak &&
    nc_ add chain inet dsvleak out '{ type filter hook output priority 0; }' &&
    nc_ add rule inet dsvleak out oifname v-c ip daddr $SRV_IP tcp dport 443 \
	accept &&
    nc_ add rule inet dsvleak out oifname v-c ip6 daddr fe80::/10 accept &&
    nc_ add rule inet dsvleak out oifname v-c ip6 daddr ff02::/16 accept &&
    nc_ add rule inet dsvleak out oifname v-c counter ||
    fail "cannot set up the clear-text counter"
ping_ok "$NS_C" "$REMOTE_IP" -c 3 || fail "no ping to a host beyond the server"
ping_ok "$NS_C" "$REMOTE_IP6" -c 3 ||
    fail "no IPv6 ping to a host beyond the server"
count() { nc_ list chain inet dsvleak out |
    sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }
leaked=$(count)
[ "$leaked" = 0 ] || fail "$leaked packets left the client outside the tunnel"
# The counter does see clear text: a ping bound to v-c bypasses the tunnel.
ip netns exec "$NS_C" ping -q -c 1 -W 1 -I v-c "$SRV_IP" >/dev/null 2>&1
seen=$(count)
[ "${seen:-0}" -ge 1 ] || fail "the clear-text counter counts nothing"
nc_ delete table inet dsvleak

note "the processes are bounded as the unit says"
for role in server client; do
	pid=$(live_pid $role)
	bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/$pid/status)
	nnp=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/$pid/status)
	[ "$nnp" = 1 ] || fail "$role: no_new_privs is not set"
	echo "$role: CapBnd $bnd"
	grep -q ' / / ro,' /proc/$pid/mountinfo ||
	    [ "$PROTECT_SYSTEM" != strict ] ||
	    fail "$role: / is not read-only for it"
done

note "ExecReload under the unit's restrictions"
out=$(confined "$NS_C" $(exec_args ExecReload "$R/client.conf") 2>&1) ||
    fail "ExecReload: $out"
echo "$out" | grep -q reloaded || fail "ExecReload said: $out"

note "the template unit"
if "$DSVPND" -I probe -n -f "$R/server.conf" 2>&1 | grep -q usage; then
	echo "note: dsvpnd has no -I yet: the template's ExecStart is" \
	    "written against it and not run here"
else
	cp "$R/server.conf" "$R/t1.conf"
	sed -i "s|$R/server.sock|$R/t1.sock|" "$R/t1.conf"
	UNIT=$TEMPLATE
	args=$(exec_args ExecStartPre "$R/t1.conf" | sed 's/%i/t1/g')
	confined "$NS_C" $args >"$LIVE_DIR/t1.pre" 2>&1 ||
	    fail "template ExecStartPre: $(cat "$LIVE_DIR/t1.pre")"
fi

note "stop"
for role in client server; do
	live_stop $role || fail "$role did not stop on SIGTERM"
done
echo "ok"
