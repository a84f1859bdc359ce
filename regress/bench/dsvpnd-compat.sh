# dsvpnd in DSVPN compatibility mode (protocol dsvpn: DSVPN 0.1.5's wire
# protocol, Charm with 48-bit tags, doc/PROTOCOL-DSVPN.md), for
# bench/netns-vpn-bench.sh, measured exactly as regress/bench/dsvpnd.sh
# measures the native protocol: the same configuration (one key, point
# to point, no NAT, no default route) with "protocol dsvpn" added on
# both ends (the TUN keeps its offloads; the tunnel cuts TSO frames for
# DSVPN sessions).  The same variables
# as dsvpnd.sh (DSVPND_BIN, DSVPND_PORT, DSVPND_MTU, DSVPND_RUNAS).
#
#   ../shared/bench/netns-vpn-bench.sh -n 3 regress/bench/dsvpnd-compat.sh \
#       results.tsv

. "$(dirname "${BASH_SOURCE[0]}")/dsvpnd.sh"

impl_version() {
    echo "$("$DSVPND_BIN" -V 2>&1 | head -n 1) (protocol dsvpn)"
}

# The native adapter's files, with the DSVPN protocol on both ends.
eval "native_$(declare -f dsvpnd_conf)"
dsvpnd_conf() { # ROLE FILE
    native_dsvpnd_conf "$@" || return 1
    if [ "$1" = server ]; then
        sed -i "s/^\(listen on .* port [0-9]*\)/\1 protocol dsvpn/" "$2"
    else
        echo "protocol dsvpn" >>"$2"
    fi
}
