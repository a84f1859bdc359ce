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
 * TCP segmentation in software, for a TSO super-packet that our own
 * Linux TUN (IFF_VNET_HDR, TUNSETOFFLOAD TSO4/TSO6) hands over with its
 * virtio-net header: a datagram holds one segment, so the tunnel cuts
 * the frame into plain packets, each with its own IP and TCP headers and
 * full checksums, as a NIC would.  The peer's kernel gets ordinary
 * packets.  Pure, for the sandbox and the tests.
 */
#ifndef DSVPND_GSO_H
#define DSVPND_GSO_H

#include <stddef.h>
#include <stdint.h>

/* A checked super-packet: how it is cut. */
struct gso {
	int	 ver;		/* 4 or 6 */
	size_t	 l4off;		/* TCP header offset */
	size_t	 hdrlen;	/* IP and TCP headers, in each segment */
	size_t	 paylen;	/* TCP payload bytes in all */
	size_t	 seg;		/* payload bytes per segment (the last:
				 * what is left) */
	size_t	 nseg;		/* segments */
};

/*
 * Checks the virtio header vh and the packet pkt of len bytes it
 * describes: GSO_TCPV4 or GSO_TCPV6 (with or without the ECN bit) for
 * the packet's IP version, NEEDS_CSUM at the TCP checksum, lengths that
 * agree with the IP header, no IPv4 fragment, no IPv6 extension header.
 * Segments carry gso_size payload bytes, fewer if that would make a
 * packet larger than mtu.  0 and g filled in, or -1: not for us.
 */
int	 gso_prepare(struct gso *g, const uint8_t *vh, const uint8_t *pkt,
	    size_t len, size_t mtu);
/* The length of segment i (< nseg), without writing it. */
size_t	 gso_seglen(const struct gso *g, size_t i);
/*
 * Writes segment i (< nseg) of the checked pkt to out, which has room
 * for hdrlen + seg bytes: headers, lengths, IPv4 id and checksum, TCP
 * sequence number, flags and checksum.  Returns its length.
 */
size_t	 gso_segment(const struct gso *g, const uint8_t *pkt, size_t i,
	    uint8_t *out);

#endif /* DSVPND_GSO_H */
