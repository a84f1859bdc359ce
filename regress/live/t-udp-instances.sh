# t-instances.sh over UDP: two server instances on UDP ports 443 and
# 8443 side by side, two client instances on "transport udp" alone.
# Killing, restarting and stopping client A, a refused second start and
# a failed plan leave client B's addresses, routes, rules, nft table and
# its running ping untouched.
# timeout: 150
LIVE_TRANSPORT=udp
. "$SRCDIR/regress/live/t-instances.sh"
