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
 * Receive-side coalescing, a userspace GRO for a Linux TUN with
 * IFF_VNET_HDR: consecutive in-order TCP segments of one flow, as a
 * batch of datagrams brings them, are joined into one TSO super-packet
 * with its virtio-net header, which our kernel takes in one write and
 * segments again only if it forwards it.  Everything else goes out
 * as it came, with a zero virtio header, in the order it came: one
 * super-packet is pending at a time, and any packet that does not join
 * it flushes it first.  Pure, for the sandbox and the tests.
 */
#ifndef DSVPND_COALESCE_H
#define DSVPND_COALESCE_H

#include <stddef.h>
#include <stdint.h>

#include "tunhdr.h"

#define COALESCE_MAX	65535	/* IP bytes of a super-packet */

/*
 * Receives each frame to write: the virtio header vh (10 bytes), then
 * the IP packet pkt of len bytes; nseg the packets it stands for.
 */
typedef void	 (*coalesce_out)(void *arg, const uint8_t *vh,
		    const uint8_t *pkt, size_t len, size_t nseg);

struct coalesce {
	coalesce_out	 out;
	void		*arg;
	size_t		 mtu;		/* our TUN's: bounds a segment */
	/* The pending super-packet: its virtio header, then the first
	 * segment's headers and every segment's payload. */
	uint8_t		 frame[TUNHDR_VNET_LEN + COALESCE_MAX];
	size_t		 len;		/* IP bytes pending, 0 none */
	size_t		 l4off;		/* TCP header offset */
	size_t		 hdrlen;	/* IP and TCP headers */
	size_t		 seg;		/* payload bytes per segment */
	size_t		 nseg;
	uint32_t	 next_seq;	/* the sequence number that joins */
	unsigned int	 next_id;	/* IPv4: the id that joins */
	int		 closed;	/* a short or PSH segment ended it */
};

void	 coalesce_init(struct coalesce *, size_t mtu, coalesce_out,
	    void *arg);
/* A bare IP packet (already admitted: source, policy) to write. */
void	 coalesce_add(struct coalesce *, const uint8_t *pkt, size_t len);
/* Writes the pending super-packet, if any: at the end of each batch. */
void	 coalesce_flush(struct coalesce *);

#endif /* DSVPND_COALESCE_H */
