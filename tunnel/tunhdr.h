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
 * The 4-byte header the BSD tun(4) and macOS utun devices put in front of
 * each packet: the address family as a 32-bit number in network byte
 * order.  The wire carries bare IP packets, so the tunnel worker adds the
 * header on the way to the TUN and strips it on the way out.  The family
 * numbers differ between systems (AF_INET6 is 24, 28 or 30), so callers
 * pass them in: tunhdr_host has this system's, and tests can check any.
 */
#ifndef DSVPND_TUNHDR_H
#define DSVPND_TUNHDR_H

#include <stddef.h>
#include <stdint.h>

#define TUNHDR_AF_LEN		4
#define TUNHDR_VNET_LEN		10	/* Linux struct virtio_net_hdr */

struct tunhdr_af {
	uint32_t	 inet;		/* AF_INET */
	uint32_t	 inet6;		/* AF_INET6 */
};

extern const struct tunhdr_af tunhdr_host;

/* Bytes in front of each IP packet on a TUN opened with these flags. */
size_t		 tunhdr_len(int flags);
/* 4 or 6 for a packet long enough for its IP header, else 0. */
int		 tunhdr_ipversion(const uint8_t *pkt, size_t len);
/* Writes the header for the IP packet pkt into hdr; -1 if not IP. */
int		 tunhdr_put(uint8_t hdr[TUNHDR_AF_LEN], const uint8_t *pkt,
		    size_t len, const struct tunhdr_af *);
/*
 * Checks the header at buf and returns the IP packet after it, with its
 * length in *pktlen; NULL for a short packet, an unknown family, or a
 * family that does not match the packet's IP version.
 */
const uint8_t	*tunhdr_strip(const uint8_t *buf, size_t len, size_t *pktlen,
		    const struct tunhdr_af *);

#endif /* DSVPND_TUNHDR_H */
