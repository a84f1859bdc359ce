# dsvpnd: this project's daemon (one TCP stream, AES-256-GCM or
# ChaCha20-Poly1305, privilege-separated), for bench/netns-vpn-bench.sh.
#
#   DSVPND_BIN    path to dsvpnd (default: ./dsvpnd of the build tree if
#                 present, else dsvpnd from PATH)
#   DSVPND_PORT   TCP port of the server (default 443)
#   DSVPND_MTU    tunnel MTU (default 9000, the daemon's own default)
#   DSVPND_RUNAS  unprivileged user of the tunnel worker (default _dsvpnd
#                 if it exists, else nobody)
#   DSVPND_TRANSPORT  tcp (default) or udp: the transport of both ends
#                 (regress/bench/dsvpnd-udp.sh sets udp); over UDP the
#                 client's TUN MTU follows the path MTU it probes, at most
#                 DSVPND_MTU
#
# Both daemons run in the foreground (-d) so that the parent's PID is the
# one accounted; its children (tunnel, netcfg, control) are counted as its
# descendants.  The server gets "no nat", the client "no default route":
# the tunnel is point to point, nothing leaves the two namespaces.
# Tunnel addresses: 192.168.192.254 (server) and 192.168.192.1 (client),
# DSVPN's defaults.

if [ -z "${DSVPND_BIN:-}" ]; then
    if [ -x ./dsvpnd ]; then
        DSVPND_BIN=$(pwd)/dsvpnd
    else
        DSVPND_BIN=dsvpnd
    fi
fi
DSVPND_PORT=${DSVPND_PORT:-443}
DSVPND_MTU=${DSVPND_MTU:-9000}
DSVPND_TRANSPORT=${DSVPND_TRANSPORT:-tcp}
if [ -z "${DSVPND_RUNAS:-}" ]; then
    if id _dsvpnd >/dev/null 2>&1; then
        DSVPND_RUNAS=_dsvpnd
    else
        DSVPND_RUNAS=nobody
    fi
fi

impl_version() {
    "$DSVPND_BIN" -V 2>&1 | head -n 1
}

dsvpnd_conf() { # ROLE FILE
    {
        echo "key \"$WORK/vpn.key\""
        if [ "$1" = server ]; then
            echo "listen on $SRV_UL_IP port $DSVPND_PORT transport $DSVPND_TRANSPORT"
            echo "tunnel auto mtu $DSVPND_MTU {"
            echo "	inet 192.168.192.254 peer 192.168.192.1"
            echo "}"
            echo "no nat"
        else
            echo "connect to $SRV_UL_IP port $DSVPND_PORT transport $DSVPND_TRANSPORT"
            echo "tunnel auto mtu $DSVPND_MTU {"
            echo "	inet 192.168.192.1 peer 192.168.192.254"
            echo "}"
            echo "no default route"
        fi
        echo "user \"$DSVPND_RUNAS\""
        echo "chroot \"$DSVPND_SAFE/empty\""
        echo "control socket \"$DSVPND_SAFE/$1.sock\""
    } >"$2"
}

impl_start() {
    command -v "$DSVPND_BIN" >/dev/null ||
        { bench_log "dsvpnd not found (set DSVPND_BIN)"; return 1; }
    umask 077
    head -c 32 /dev/urandom >"$WORK/vpn.key" || return 1
    # The chroot and the control socket's directory must be root's and
    # writable by no one else all the way up, which rules out $WORK under
    # the sticky /tmp: they go to a directory of their own under /run.
    DSVPND_SAFE=$(mktemp -d /run/dsvpnd-bench.XXXXXX) || return 1
    chmod 755 "$DSVPND_SAFE" && mkdir -m 755 "$DSVPND_SAFE/empty" ||
        return 1
    dsvpnd_conf server "$WORK/server.conf"
    dsvpnd_conf client "$WORK/client.conf"
    local f
    for f in server client; do
        "$DSVPND_BIN" -n -f "$WORK/$f.conf" >"$WORK/$f.check" 2>&1 ||
            { bench_log "$(cat "$WORK/$f.check")"; return 1; }
    done

    bench_spawn "$NS_SRV" dsvpnd-server "$DSVPND_BIN" -d -f "$WORK/server.conf"
    local ssopt=-Hltn
    [ "$DSVPND_TRANSPORT" = udp ] && ssopt=-Hlun
    bench_wait 10 sh -c "ip netns exec $NS_SRV ss $ssopt 'sport = :$DSVPND_PORT' | grep -q ." ||
        { bench_log "dsvpnd server is not listening"; return 1; }
    bench_spawn "$NS_CLI" dsvpnd-client "$DSVPND_BIN" -d -f "$WORK/client.conf"
    TARGET_IP=192.168.192.254
}

impl_stop() {
    bench_stop_pids
    if [ -n "${DSVPND_SAFE:-}" ]; then
        rm -rf "$DSVPND_SAFE"
        DSVPND_SAFE=
    fi
}
