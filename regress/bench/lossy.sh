# A wrapper adapter for bench/netns-vpn-bench.sh: another adapter's VPN
# with random loss on the underlay, an nftables rule in each of the
# harness's namespaces that drops LOSSY_PCT % of the packets leaving by
# its veth ("numgen random mod 100 < N drop"), both ways, once the
# tunnel is up (so the handshake is not what is measured).
#
#   LOSSY_IMPL   the adapter to wrap: a path (regress/bench/dsvpnd-udp.sh)
#                or a name of the harness's impl/ (wireguard-go)
#   LOSSY_PCT    percent dropped each way (default 1)
#
#   LOSSY_IMPL=regress/bench/dsvpnd-udp.sh LOSSY_PCT=5 \
#       ../shared/bench/netns-vpn-bench.sh -n 3 -l loss5 -T up1,down1 \
#       regress/bench/lossy.sh results.tsv

LOSSY_PCT=${LOSSY_PCT:-1}
: "${LOSSY_IMPL:?set LOSSY_IMPL to the adapter to wrap}"
lossy_file=$LOSSY_IMPL
[ -f "$lossy_file" ] ||
    lossy_file=$(dirname "${BASH_SOURCE[0]}")/../../../shared/bench/impl/$LOSSY_IMPL.sh
[ -f "$lossy_file" ] || { echo "lossy.sh: no adapter $LOSSY_IMPL" >&2; return 1; }
. "$lossy_file"

# The wrapped adapter's own functions, under other names.
eval "$(declare -f impl_start | sed '1s/impl_start/lossy_inner_start/')"
eval "$(declare -f impl_stop | sed '1s/impl_stop/lossy_inner_stop/')"
if declare -f impl_version >/dev/null; then
    eval "$(declare -f impl_version | sed '1s/impl_version/lossy_inner_version/')"
    impl_version() { echo "$(lossy_inner_version) + ${LOSSY_PCT}% loss"; }
fi

lossy_rule() { # NS DEV
    ip netns exec "$1" nft -f - <<NFT
table inet benchloss {
	chain out {
		type filter hook output priority 0; policy accept;
		oifname "$2" numgen random mod 100 < $LOSSY_PCT counter drop
	}
}
NFT
}

impl_start() {
    lossy_inner_start || return 1
    lossy_rule "$NS_SRV" "$UL_DEV_SRV" && lossy_rule "$NS_CLI" "$UL_DEV_CLI" ||
        { bench_log "lossy.sh: nft failed"; return 1; }
}

impl_stop() {
    ip netns exec "$NS_SRV" nft delete table inet benchloss 2>/dev/null
    ip netns exec "$NS_CLI" nft delete table inet benchloss 2>/dev/null
    lossy_inner_stop
}
