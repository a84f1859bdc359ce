#!/bin/sh
# A hook for bench/netns-vpn-bench.sh -X: the RTT of a ping running
# beside one bulk TCP flow through the tunnel (iperf3, client to server,
# P99_SECS seconds, default 20): pings every 0.05 s from the second
# second, and their median, 99th percentile and loss appended as one
# line to P99_OUT (default p99.tsv): label, median ms, p99 ms, loss %,
# the flow's Gbit/s.
#
#   -T none -X 'P99_LABEL=udp-loss1 regress/bench/p99.sh'
: "${NS_CLI:?run from netns-vpn-bench.sh -X}" "${TARGET_IP:?}"
secs=${P99_SECS:-20}
out=${P99_OUT:-p99.tsv}
label=${P99_LABEL:-run}
tmp=${WORK:-/tmp}/p99.$$
ip netns exec "$NS_CLI" iperf3 -c "$TARGET_IP" -p "${IPERF_PORT:-5201}" \
    -t "$secs" -J >"$tmp.json" 2>/dev/null &
flow=$!
sleep 1	# the flow at full speed before the pings (a duration, not a wait)
n=$(( (secs - 2) * 20 ))
ip netns exec "$NS_CLI" ping -i 0.05 -c "$n" -W 1 "$TARGET_IP" >"$tmp.ping" 2>&1
wait "$flow"
gbps=$(jq '.end.sum_received.bits_per_second / 1e9' "$tmp.json" 2>/dev/null)
sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$tmp.ping" | sort -n >"$tmp.rtt"
got=$(wc -l <"$tmp.rtt")
awk -v n="$n" -v got="$got" -v label="$label" -v gbps="${gbps:-0}" '
	{ v[NR] = $1 }
	END {
		if (NR == 0) { printf "%s\t-\t-\t100\t%s\n", label, gbps; exit }
		med = v[int((NR + 1) / 2)]
		i = int(NR * 0.99); if (i < 1) i = 1; if (i > NR) i = NR
		printf "%s\t%.3f\t%.3f\t%.1f\t%.3f\n", label, med, v[i],
		    100 * (n - got) / n, gbps
	}' "$tmp.rtt" >>"$out"
rm -f "$tmp.json" "$tmp.ping" "$tmp.rtt"
