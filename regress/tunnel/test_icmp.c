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
 * icmp_too_big(): the error an inner sender gets for a packet too large
 * for the UDP path.  IPv4: fragmentation needed with the MTU, at most
 * 576 bytes, both checksums right, addresses swapped; IPv6: packet too
 * big, the MTU (never below 1280), at most 1280 bytes, the checksum over
 * the pseudo-header right.  None for an ICMP error, a later fragment, a
 * source that cannot be answered, or any truncated or malformed header
 * (every length of every case is tried).
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "icmp.h"

static int	 failures;
static uint8_t	 pkt[2000], out[ICMP_ERR_MAX];

#define CHECK(c) do {							\
	if (!(c)) {							\
		printf("FAIL %s:%d: %s\n", __func__, __LINE__, #c);	\
		failures++;						\
	}								\
} while (0)

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

static int
sum_ok(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static size_t
make4(size_t len, uint8_t proto, uint8_t type)
{
	memset(pkt, 0xa5, sizeof(pkt));
	pkt[0] = 0x45;
	pkt[1] = 0;
	pkt[2] = len >> 8;
	pkt[3] = len & 0xff;
	pkt[6] = 0x40;		/* DF */
	pkt[7] = 0;
	pkt[8] = 64;
	pkt[9] = proto;
	memcpy(pkt + 12, "\xc0\xa8\xc0\x01", 4);
	memcpy(pkt + 16, "\xc6\x33\x64\x07", 4);
	pkt[20] = type;
	return len;
}

static size_t
make6(size_t len, uint8_t next, uint8_t type)
{
	memset(pkt, 0x5a, sizeof(pkt));
	pkt[0] = 0x60;
	pkt[1] = pkt[2] = pkt[3] = 0;
	pkt[4] = (len - 40) >> 8;
	pkt[5] = (len - 40) & 0xff;
	pkt[6] = next;
	pkt[7] = 64;
	memcpy(pkt + 8, "\xfd\x00\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	memcpy(pkt + 24, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", 16);
	pkt[40] = type;
	return len;
}

static void
test_v4(void)
{
	size_t	 len = make4(1500, 6, 0), n, i;

	n = icmp_too_big(out, pkt, len, 1400);
	CHECK(n == 576);
	CHECK(out[0] == 0x45 && out[9] == 1);
	CHECK((out[2] << 8 | out[3]) == 576);
	CHECK(sum_ok(sum16(0, out, 20)));
	CHECK(memcmp(out + 12, pkt + 16, 4) == 0);
	CHECK(memcmp(out + 16, pkt + 12, 4) == 0);
	CHECK(out[20] == 3 && out[21] == 4);
	CHECK((out[26] << 8 | out[27]) == 1400);
	CHECK(sum_ok(sum16(0, out + 20, n - 20)));
	CHECK(memcmp(out + 28, pkt, n - 28) == 0);
	/* A short packet is quoted whole. */
	len = make4(100, 17, 0);
	CHECK(icmp_too_big(out, pkt, len, 1400) == 128);
	/* Without DF too (the sender's stack then fragments itself). */
	pkt[6] = 0;
	CHECK(icmp_too_big(out, pkt, len, 1400) == 128);
	/* An echo request is answered, an error is not. */
	len = make4(1500, 1, 8);
	CHECK(icmp_too_big(out, pkt, len, 1400) == 576);
	for (i = 3; i <= 12; i++) {
		make4(1500, 1, i);
		if (i == 3 || i == 4 || i == 5 || i == 11 || i == 12)
			CHECK(icmp_too_big(out, pkt, len, 1400) == 0);
	}
	/* A later fragment, a multicast or 0/8 source, bad header. */
	make4(1500, 6, 0);
	pkt[7] = 1;
	CHECK(icmp_too_big(out, pkt, len, 1400) == 0);
	make4(1500, 6, 0);
	pkt[12] = 224;
	CHECK(icmp_too_big(out, pkt, len, 1400) == 0);
	pkt[12] = 0;
	CHECK(icmp_too_big(out, pkt, len, 1400) == 0);
	make4(1500, 6, 0);
	pkt[0] = 0x44;
	CHECK(icmp_too_big(out, pkt, len, 1400) == 0);
	/* Every truncation: the IP length no longer fits. */
	make4(1500, 6, 0);
	for (i = 0; i < len; i++)
		CHECK(icmp_too_big(out, pkt, i, 1400) == 0);
}

static void
test_v6(void)
{
	size_t	 len = make6(1500, 6, 0), n, i;
	uint32_t sum;

	n = icmp_too_big(out, pkt, len, 1400);
	CHECK(n == ICMP_ERR_MAX);
	CHECK(out[0] == 0x60 && out[6] == 58);
	CHECK((out[4] << 8 | out[5]) == (int)(n - 40));
	CHECK(memcmp(out + 8, pkt + 24, 16) == 0);
	CHECK(memcmp(out + 24, pkt + 8, 16) == 0);
	CHECK(out[40] == 2 && out[41] == 0);
	CHECK((out[44] << 24 | out[45] << 16 | out[46] << 8 | out[47]) ==
	    1400);
	sum = sum16(0, out + 8, 32) + (n - 40) + 58;
	CHECK(sum_ok(sum16(sum, out + 40, n - 40)));
	CHECK(memcmp(out + 48, pkt, n - 48) == 0);
	/* Never below the IPv6 minimum. */
	n = icmp_too_big(out, pkt, len, 1200);
	CHECK((out[44] << 24 | out[45] << 16 | out[46] << 8 | out[47]) ==
	    1280);
	/* An echo request is answered, an ICMPv6 error is not. */
	make6(1500, 58, 128);
	CHECK(icmp_too_big(out, pkt, len, 1400) > 0);
	for (i = 0; i < 128; i++) {
		make6(1500, 58, i);
		CHECK(icmp_too_big(out, pkt, len, 1400) == 0);
	}
	/* A multicast or unspecified source. */
	make6(1500, 6, 0);
	pkt[8] = 0xff;
	CHECK(icmp_too_big(out, pkt, len, 1400) == 0);
	memset(pkt + 8, 0, 16);
	CHECK(icmp_too_big(out, pkt, len, 1400) == 0);
	make6(1500, 6, 0);
	for (i = 0; i < 40; i++)
		CHECK(icmp_too_big(out, pkt, i, 1400) == 0);
}

static void
test_other(void)
{
	memset(pkt, 0, sizeof(pkt));
	CHECK(icmp_too_big(out, pkt, 0, 1400) == 0);
	CHECK(icmp_too_big(out, pkt, 100, 1400) == 0);
	pkt[0] = 0x50;
	CHECK(icmp_too_big(out, pkt, 100, 1400) == 0);
}

int
main(void)
{
	test_v4();
	test_v6();
	test_other();
	if (failures > 0) {
		printf("test_icmp: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_icmp: ok\n");
	return 0;
}
