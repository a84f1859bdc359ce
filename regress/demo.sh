#!/bin/bash
#
# A five-minute demo on one machine: builds dsvpnd (installing the Debian
# packages it needs with --install-deps), then runs a server and a client
# in two network namespaces joined by a veth pair on 198.18.0.0/15, shows
# `dsvpnctl status`, sends traffic through the tunnel, and removes
# everything it made.  Run as root from the source tree.
#
#	sudo ./regress/demo.sh [--install-deps]
#
# With DSVPND and DSVPNCTL set (such as DSVPND=/usr/sbin/dsvpnd
# DSVPNCTL=/usr/sbin/dsvpnctl for the installed package), it runs those
# and builds nothing.
#
set -eu
cd "$(dirname "$0")/.."
SRCDIR=$(pwd)

if [ "${1:-}" = --install-deps ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends \
	    $(cat regress/packages.txt) >/dev/null
fi
if [ -n "${DSVPND:-}" ] || [ -n "${DSVPNCTL:-}" ]; then
	[ -x "${DSVPND:-}" ] && [ -x "${DSVPNCTL:-}" ] ||
	    { echo "demo: set both DSVPND and DSVPNCTL to programs" >&2; exit 1; }
else
	if [ ! -x ./dsvpnd ] || [ ! -x ./dsvpnctl/dsvpnctl ]; then
		[ -f Makefile ] || { autoreconf -fi && ./configure; }
		make -j2
	fi
	DSVPND=$SRCDIR/dsvpnd DSVPNCTL=$SRCDIR/dsvpnctl/dsvpnctl
fi
echo "== running $DSVPND and $DSVPNCTL"
export SRCDIR DSVPND DSVPNCTL
TMPDIR=$(mktemp -d /tmp/dsvpnd-demo.XXXXXX)
export TMPDIR
. regress/lib/live.sh
live_init
# After live_init, which sets its own trap: remove the scratch dir too.
trap 'live_cleanup; rm -rf "$TMPDIR"' EXIT
live_pair
live_keygen
live_conf server server
live_conf client client
echo "== server config"; cat "$LIVE_DIR/server.conf"
echo "== client config"; cat "$LIVE_DIR/client.conf"
live_up

echo "== dsvpnctl status (client)"
ctl client status
echo "== ping through the tunnel"
ip netns exec "$NS_C" ping -c 3 "$SRV_TUN4"
ip netns exec "$NS_C" ping -c 3 "$SRV_TUN6"
if command -v iperf3 >/dev/null; then
	echo "== iperf3 through the tunnel, 5 s"
	ip netns exec "$NS_S" iperf3 -s -1 -B "$SRV_TUN4" >/dev/null 2>&1 &
	wait_for 5 sh -c "ip netns exec $NS_S ss -ltn | grep -q :5201" || true
	ip netns exec "$NS_C" iperf3 -c "$SRV_TUN4" -t 5 | tail -n 4
fi
echo "== dsvpnctl status (server)"
ctl server status
echo "== stopping"
live_stop client
live_stop server
echo "demo done: everything it made is removed"
