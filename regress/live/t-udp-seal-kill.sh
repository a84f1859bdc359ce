# t-seal-kill.sh over UDP: kill -9 of the client's tunnel, netcfg and
# parent while probes try to get out, the client on "transport udp"
# alone: nothing leaves in clear until the seal has gone, nothing of
# the daemon is left afterwards.
# timeout: 180
LIVE_TRANSPORT=udp
. "$SRCDIR/regress/live/t-seal-kill.sh"
