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

#include <sys/types.h>
#include <netinet/in.h>

#include <string.h>

#include "csum.h"

uint64_t
csum_add(const uint8_t *p, size_t len, uint64_t acc)
{
	uint32_t	 w;
	uint16_t	 h = 0;

	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w, p, 4);
		acc += w;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		h = 0;
		memcpy(&h, p, 1);
		acc += h;
	}
	return acc;
}

uint16_t
csum_fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

void
csum_put(uint8_t *p, uint64_t acc)
{
	uint16_t	 c = ~csum_fold(acc) & 0xffff;

	memcpy(p, &c, 2);
}

/* Addresses, protocol and TCP length (IPv6's 32-bit length and next
 * header sum the same as these for a length under 64 KiB). */
uint64_t
csum_tcp_pseudo(const uint8_t *ip, int ver, size_t tlen)
{
	uint8_t		 ph[4];
	uint64_t	 acc;

	if (ver == 4)
		acc = csum_add(ip + 12, 8, 0);
	else
		acc = csum_add(ip + 8, 32, 0);
	ph[0] = 0;
	ph[1] = IPPROTO_TCP;
	ph[2] = (tlen >> 8) & 0xff;
	ph[3] = tlen & 0xff;
	return csum_add(ph, 4, acc);
}
