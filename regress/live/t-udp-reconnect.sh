# t-reconnect.sh over UDP: the server restarted, the underlay link down
# for 10 s, and another client with the same key replacing a session
# that vanished, with the clients on "transport udp" alone.
# timeout: 240
LIVE_TRANSPORT=udp
. "$SRCDIR/regress/live/t-reconnect.sh"
