# Hostile datagrams at the server's UDP port while a client's session
# over UDP carries a flood ping: random bytes of every length from 0 to
# 1500, datagrams shaped as data for made-up sessions, hello-sized junk,
# and the client's own captured datagrams sent again (replays), all
# from the far side's host (the client's seal lets nothing unmarked
# out).  The session stays up (no new handshake) and where it was (a
# replay from elsewhere moves nothing), the flood ping loses nothing,
# and the server counts what it dropped.
# timeout: 120
. "$SRCDIR/regress/lib/live.sh"
live_init
command -v jq >/dev/null || skip "needs jq"
command -v tcpdump >/dev/null || skip "needs tcpdump"
command -v python3 >/dev/null || skip "needs python3"
live_pair
live_keygen
LIVE_TRANSPORT=udp
live_conf server server
live_conf client client
live_up
drops() { ctl server status -j | jq "[.stats.drops | to_entries[] | .value] | add // 0"; }
hs0=$(ctl client status -j | jq '.stats.handshakes')
d0=$(drops)

note "capture some of the client's datagrams, to replay them"
ip netns exec "$NS_C" tcpdump -i v-c -Q out -n -U -c 50 -w "$LIVE_DIR/cap.pcap" \
    "udp and dst port 443" 2>"$LIVE_DIR/cap.log" &
CAP=$!
PIDS="$PIDS $CAP"
wait_for 10 grep -q "listening on" "$LIVE_DIR/cap.log" || fail "tcpdump did not start"
ip netns exec "$NS_C" ping -q -c 60 -i 0.01 "$SRV_TUN4" >/dev/null
wait "$CAP"

note "flood ping through the tunnel while the port is attacked"
ip netns exec "$NS_C" ping -q -f -c 5000 -w 60 "$SRV_TUN4" >"$LIVE_DIR/flood.out" &
FLOOD=$!
PIDS="$PIDS $FLOOD"
ip netns exec "$NS_R" python3 - "$SRV_FAR" "$LIVE_DIR/cap.pcap" <<'PY' ||
import os, random, socket, struct, sys
dst = (sys.argv[1], 443)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = 0
for n in range(0, 1501):			# random bytes, every length
    s.sendto(os.urandom(n), dst); sent += 1
for i in range(2000):				# data for made-up sessions
    body = os.urandom(random.randint(17, 1400))
    s.sendto(bytes([4, 0, 0, 0]) + os.urandom(12) + body, dst); sent += 1
for i in range(500):				# hello-shaped junk
    s.sendto(bytes([1, 2, 0, 0]) + os.urandom(140), dst); sent += 1
# The client's own datagrams again (pcap: 24-byte header, then records
# of a 16-byte header, Ethernet 14, IPv4, UDP 8).
data = open(sys.argv[2], 'rb').read()
off = 24
while off + 16 <= len(data):
    incl = struct.unpack('<I', data[off + 8:off + 12])[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ihl = (pkt[14] & 15) * 4
    payload = pkt[14 + ihl + 8:]
    for k in range(5):
        s.sendto(payload, dst); sent += 1
print("sent", sent, "hostile datagrams")
PY
    fail "the attack script failed"
wait "$FLOOD"
tail -n 2 "$LIVE_DIR/flood.out"
grep -q " 0% packet loss" "$LIVE_DIR/flood.out" || fail "the flood ping lost packets"
session_up client || fail "the session went down"
hs1=$(ctl client status -j | jq '.stats.handshakes')
[ "$hs1" = "$hs0" ] || fail "a new handshake ($hs0 -> $hs1)"
# The counters reach the parent once a second; a session's own (the
# replays) at its next tick.
counted() { [ "$(drops)" -gt "$((d0 + 4000))" ]; }
wait_for 5 counted || fail "only $(($(drops) - d0)) drops counted"
replays() { ctl server status -j | jq '.stats.drops.replay // 0'; }
replayed() { [ "$(replays)" -ge 250 ]; }
wait_for 5 replayed || fail "$(replays) replays counted, not 250"
echo "server drops: $d0 -> $(drops)"
ctl server status | grep drops
ep=$(ctl server status -j | jq -r '.clients[0].endpoint')
echo "client endpoint: $ep"
case "$ep" in "$CLI_IP "*) ;; *) fail "the session moved to $ep";; esac
echo "ok"
