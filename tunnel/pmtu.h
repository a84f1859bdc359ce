/*
 * Copyright (c) 2026 The dsvpnd developers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * Packetization-layer path MTU discovery (RFC 8899) for a UDP session:
 * padded probes (dgram_seal_probe()) that the peer acknowledges with
 * their size, so it works where ICMP is filtered.  The search starts
 * from a base every IP path takes (1280 bytes) and tries the largest
 * size first (the local interface's MTU: most paths are as wide as
 * their first link), then halves the gap: a probe acknowledged raises
 * the confirmed size, PMTU_TRIES probes lost in a row lower the top.
 * Once found, the size is confirmed by one probe every
 * PMTU_CONFIRM_MS; PMTU_TRIES confirmations lost in a row mean a black
 * hole (the path shrank, and ICMP, if any, did not reach us): back to
 * the base at once, and search again below the old size.  A search up
 * is tried again after PMTU_RAISE_MS.  The data path never sends more
 * than the confirmed size (dp_conn.max_payload); a client's TUN MTU
 * follows it through the parent.
 */
#ifndef DSVPND_PMTU_H
#define DSVPND_PMTU_H

#include <stddef.h>
#include <stdint.h>

#define PMTU_BASE		1280	/* outer bytes every path takes */
#define PMTU_MAX		9000	/* the largest ever searched */
#define PMTU_TRIES		3
/* An unanswered probe is lost after 4 round trips of the last ack
 * (and 50 ms), within these bounds; PMTU_PROBE_MS before any ack. */
#define PMTU_PROBE_MS		500
#define PMTU_PROBE_MIN_MS	100
#define PMTU_PROBE_MAX_MS	1000
#define PMTU_CONFIRM_MS		2000
#define PMTU_RAISE_MS		(600 * 1000)
/* Sooner after a search that ended below the top: its losses may have
 * been congestion, not the path. */
#define PMTU_RESEARCH_MS	(30 * 1000)
#define PMTU_STEP		1	/* search granularity, bytes */

struct dp_conn;

struct pmtu {
	int		 report;	/* a client: tell the parent */
	size_t		 overhead;	/* outer IP + UDP + datagram */
	size_t		 ceiling;	/* the largest worth trying */
	size_t		 plpmtu;	/* confirmed, outer bytes */
	size_t		 lo, hi;	/* the search: lo works, hi tops */
	size_t		 probing;	/* the size in flight, 0 none */
	uint32_t	 probe_id;
	uint64_t	 sent_at;	/* of the probe in flight */
	uint64_t	 timeout_ms;	/* from the last ack's round trip */
	int		 tries;		/* lost at this size */
	int		 searching;
	int		 top_first;	/* the search tries hi first */
	uint64_t	 next;		/* the next probe, ms */
	uint64_t	 raise_at;
	size_t		 reported;
	uint64_t	 probes;	/* sent, for tests and status */
	uint64_t	 black_holes;
};

void	 pmtu_init(struct pmtu *, struct dp_conn *, int fd, int server);
void	 pmtu_start(struct pmtu *, struct dp_conn *, uint64_t now);
void	 pmtu_tick(struct pmtu *, struct dp_conn *, uint64_t now,
	    uint64_t *next);
void	 pmtu_ack(struct pmtu *, struct dp_conn *, uint32_t id, size_t len,
	    uint64_t now);
/* The kernel refused to send len bytes: the path is smaller. */
void	 pmtu_too_big(struct pmtu *, struct dp_conn *, size_t len,
	    uint64_t now);

#endif /* DSVPND_PMTU_H */
