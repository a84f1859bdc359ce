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
 * Adding and checking the TUN address family header.  Pure functions on
 * buffers, so they run in the sandbox and test on any system.
 */
#include "compat.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "msgcat.h"
#include "tunhdr.h"

#define IPV4_HDR_MIN	20
#define IPV6_HDR_LEN	40

const struct tunhdr_af tunhdr_host = { AF_INET, AF_INET6 };

size_t
tunhdr_len(int flags)
{
	size_t	 len = 0;

	if (flags & TUN_F_AFHEADER)
		len += TUNHDR_AF_LEN;
	if (flags & TUN_F_VNETHDR)
		len += TUNHDR_VNET_LEN;
	return (len);
}

int
tunhdr_ipversion(const uint8_t *pkt, size_t len)
{
	if (len == 0)
		return (0);
	switch (pkt[0] >> 4) {
	case 4:
		return (len >= IPV4_HDR_MIN ? 4 : 0);
	case 6:
		return (len >= IPV6_HDR_LEN ? 6 : 0);
	}
	return (0);
}

/* Byte by byte: the header need not be aligned in the caller's buffer. */
int
tunhdr_put(uint8_t hdr[TUNHDR_AF_LEN], const uint8_t *pkt, size_t len,
    const struct tunhdr_af *af)
{
	uint32_t	 fam;

	switch (tunhdr_ipversion(pkt, len)) {
	case 4:
		fam = af->inet;
		break;
	case 6:
		fam = af->inet6;
		break;
	default:
		return (-1);
	}
	hdr[0] = fam >> 24;
	hdr[1] = fam >> 16;
	hdr[2] = fam >> 8;
	hdr[3] = fam;
	return (0);
}

const uint8_t *
tunhdr_strip(const uint8_t *buf, size_t len, size_t *pktlen,
    const struct tunhdr_af *af)
{
	const uint8_t	*pkt;
	uint32_t	 fam;
	int		 want;

	if (len < TUNHDR_AF_LEN)
		return (NULL);
	fam = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	    (uint32_t)buf[2] << 8 | buf[3];
	if (fam == af->inet)
		want = 4;
	else if (fam == af->inet6)
		want = 6;
	else
		return (NULL);
	pkt = buf + TUNHDR_AF_LEN;
	if (tunhdr_ipversion(pkt, len - TUNHDR_AF_LEN) != want)
		return (NULL);
	*pktlen = len - TUNHDR_AF_LEN;
	return (pkt);
}
