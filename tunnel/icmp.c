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

#include "compat.h"

#include <string.h>

#include "icmp.h"

#define IP4_HDR		20
#define IP6_HDR		40
#define ICMP_HDR	8
#define ICMP4_QUOTE	(576 - IP4_HDR - ICMP_HDR)	/* RFC 1812 */

static uint32_t
sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t	 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Never about an ICMP error, a later fragment, or an unanswerable
 * source (0/8, multicast, broadcast). */
static int
ip4_answerable(const uint8_t *pkt, size_t len, size_t ihl)
{
	const uint8_t	*icmp = pkt + ihl;

	if ((pkt[6] & 0x1f) != 0 || pkt[7] != 0)
		return 0;
	if (pkt[12] == 0 || pkt[12] >= 224)
		return 0;
	if (pkt[9] == 1 && (len < ihl + 1 || icmp[0] == 3 || icmp[0] == 4 ||
	    icmp[0] == 5 || icmp[0] == 11 || icmp[0] == 12))
		return 0;
	return 1;
}

static size_t
too_big4(uint8_t *out, const uint8_t *pkt, size_t len, uint32_t mtu)
{
	size_t	 ihl, tot, quote;

	if (len < IP4_HDR)
		return 0;
	ihl = (pkt[0] & 0x0f) * 4;
	tot = (size_t)pkt[2] << 8 | pkt[3];
	if (ihl < IP4_HDR || ihl > len || tot < ihl || tot > len ||
	    !ip4_answerable(pkt, len, ihl))
		return 0;
	quote = tot < ICMP4_QUOTE ? tot : ICMP4_QUOTE;
	memset(out, 0, IP4_HDR + ICMP_HDR);
	out[0] = 0x45;
	put16(out + 2, IP4_HDR + ICMP_HDR + quote);
	out[8] = 64;
	out[9] = 1;
	memcpy(out + 12, pkt + 16, 4);		/* from its destination */
	memcpy(out + 16, pkt + 12, 4);		/* to its source */
	put16(out + 10, fold(sum16(0, out, IP4_HDR)));
	out[IP4_HDR] = 3;			/* unreachable, */
	out[IP4_HDR + 1] = 4;			/* fragmentation needed */
	put16(out + IP4_HDR + 6, mtu > 0xffff ? 0xffff : mtu);
	memcpy(out + IP4_HDR + ICMP_HDR, pkt, quote);
	put16(out + IP4_HDR + 2, fold(sum16(0, out + IP4_HDR,
	    ICMP_HDR + quote)));
	return IP4_HDR + ICMP_HDR + quote;
}

static size_t
too_big6(uint8_t *out, const uint8_t *pkt, size_t len, uint32_t mtu)
{
	size_t		 quote, plen;
	uint32_t	 sum;

	if (len < IP6_HDR || pkt[8] == 0xff ||
	    memcmp(pkt + 8, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0)
		return 0;
	/* An ICMPv6 error (type below 128) gets none. */
	if (pkt[6] == 58 && (len < IP6_HDR + 1 || pkt[IP6_HDR] < 128))
		return 0;
	/* Below 1280 an IPv6 path is not allowed to be: say 1280. */
	if (mtu < 1280)
		mtu = 1280;
	quote = ICMP_ERR_MAX - IP6_HDR - ICMP_HDR;
	if (quote > len)
		quote = len;
	plen = ICMP_HDR + quote;
	memset(out, 0, IP6_HDR + ICMP_HDR);
	out[0] = 0x60;
	put16(out + 4, plen);
	out[6] = 58;
	out[7] = 64;
	memcpy(out + 8, pkt + 24, 16);
	memcpy(out + 24, pkt + 8, 16);
	out[IP6_HDR] = 2;			/* packet too big */
	out[IP6_HDR + 4] = mtu >> 24;
	out[IP6_HDR + 5] = (mtu >> 16) & 0xff;
	out[IP6_HDR + 6] = (mtu >> 8) & 0xff;
	out[IP6_HDR + 7] = mtu & 0xff;
	memcpy(out + IP6_HDR + ICMP_HDR, pkt, quote);
	/* Pseudo-header: addresses, length, next header. */
	sum = sum16(0, out + 8, 32);
	sum += plen;
	sum += 58;
	sum = sum16(sum, out + IP6_HDR, plen);
	put16(out + IP6_HDR + 2, fold(sum));
	return IP6_HDR + plen;
}

size_t
icmp_too_big(uint8_t *out, const uint8_t *pkt, size_t len, uint32_t mtu)
{
	if (len == 0)
		return 0;
	switch (pkt[0] >> 4) {
	case 4:
		return too_big4(out, pkt, len, mtu);
	case 6:
		return too_big6(out, pkt, len, mtu);
	}
	return 0;
}
