# t-tunnel.sh over UDP: pings of every kind, a flood ping with no loss,
# bulk TCP both ways with the data checked, memory flat under load and
# the counters growing, with the client on "transport udp" alone.
# timeout: 240
LIVE_TRANSPORT=udp
. "$SRCDIR/regress/live/t-tunnel.sh"
