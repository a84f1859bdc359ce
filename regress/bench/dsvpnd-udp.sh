# dsvpnd over UDP (the datagram form, doc/PROTOCOL.md section 14), for
# bench/netns-vpn-bench.sh, measured exactly as regress/bench/dsvpnd.sh
# measures TCP: the same configuration with "transport udp" on both
# ends.  The client's TUN MTU follows the path MTU it probes (1439 on
# the harness's 1500-byte veth); the TUN keeps its offloads, the tunnel
# cuts TSO frames into datagrams and joins them again on receipt.
# The same variables as dsvpnd.sh.
#
#   ../shared/bench/netns-vpn-bench.sh -n 3 regress/bench/dsvpnd-udp.sh \
#       results.tsv

DSVPND_TRANSPORT=udp
. "$(dirname "${BASH_SOURCE[0]}")/dsvpnd.sh"
