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
 * The ICMP error an inner sender needs when its packet is too large for
 * the UDP path: "fragmentation needed" (IPv4, RFC 1191) or "packet too
 * big" (ICMPv6, RFC 8201), carrying the MTU that fits, so that its TCP
 * lowers its segment size at once instead of waiting for its own black
 * hole detection.  Built here, written to the TUN by the caller, as if
 * the tunnel's far end were a router.  Pure: no I/O.
 */
#ifndef DSVPND_ICMP_H
#define DSVPND_ICMP_H

#include <stddef.h>
#include <stdint.h>

/* The most an error takes: IPv6 header, ICMPv6 header, and the start of
 * the offending packet up to the IPv6 minimum MTU. */
#define ICMP_ERR_MAX	1280

/*
 * Into out (ICMP_ERR_MAX bytes), the error for the IP packet pkt of len
 * bytes given mtu; its length, or 0 if none is due (not IPv4 or IPv6,
 * malformed, an ICMP error itself, IPv4 without DF, a fragment that is
 * not the first, a source that cannot be answered).
 */
size_t	 icmp_too_big(uint8_t *out, const uint8_t *pkt, size_t len,
	    uint32_t mtu);

#endif /* DSVPND_ICMP_H */
