# t-cleanup.sh over UDP: nothing dsvpnd adds outlives it, whether it
# stops cleanly, by a signal or by kill -9 of any of its processes,
# with the client on "transport udp" alone.
# timeout: 300
LIVE_TRANSPORT=udp
. "$SRCDIR/regress/live/t-cleanup.sh"
