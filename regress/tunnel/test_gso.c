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
 * gso.c against hand-built TSO super-packets, IPv4 and IPv6, with TCP
 * options and odd sizes: each segment's checksums are verified here by
 * a plain byte-by-byte sum (RFC 1071), its lengths, IPv4 id, sequence
 * number and flags checked, and the payloads put back together must be
 * the original byte for byte.  Then everything gso_prepare() must
 * refuse: types, flags and offsets that do not match the packet.
 */
#include "compat.h"

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gso.h"
#include "tunhdr.h"
#include "vnet.h"

#define BUF		65536
#define TCP_FIN		0x01
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_CWR		0x80

static int	 failures;
static uint8_t	 vh[TUNHDR_VNET_LEN];
static uint8_t	 pkt[BUF];
static uint8_t	 seg[BUF];
static uint8_t	 joined[BUF];

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static void
put16be(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static unsigned int
get16be(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t
get32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Big-endian words one by one: the folded sum, not complemented. */
static uint32_t
sum_be(const uint8_t *p, size_t len, uint32_t acc)
{
	size_t	 i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return acc;
}

/* A segment's TCP checksum holds if the sum over it all is 0xffff. */
static int
tcp_sum_ok(const uint8_t *s, size_t l4off, size_t len)
{
	uint32_t	 acc;
	size_t		 tlen = len - l4off;

	if (s[0] >> 4 == 4)
		acc = sum_be(s + 12, 8, 0);
	else
		acc = sum_be(s + 8, 32, 0);
	acc += IPPROTO_TCP + tlen;
	return sum_be(s + l4off, tlen, acc) == 0xffff;
}

static void
vnet_set(unsigned int type, unsigned int gso, unsigned int start)
{
	memset(vh, 0, sizeof(vh));
	vh[VNETHDR_FLAGS] = VNETHDR_F_NEEDS_CSUM;
	vh[VNETHDR_GSO_TYPE] = type;
	vh[VNETHDR_GSO_SIZE] = gso & 0xff;
	vh[VNETHDR_GSO_SIZE + 1] = gso >> 8;
	vh[VNETHDR_CSUM_START] = start & 0xff;
	vh[VNETHDR_CSUM_OFFSET] = 16;
}

/* A TCP header with optlen option bytes at t, flags, and the payload. */
static size_t
tcp_build(uint8_t *t, size_t optlen, uint32_t seq, int flags, size_t pay)
{
	size_t	 i, doff = 20 + optlen;

	memset(t, 0, doff);
	put16be(t, 40000);
	put16be(t + 2, 5201);
	t[4] = seq >> 24;
	t[5] = (seq >> 16) & 0xff;
	t[6] = (seq >> 8) & 0xff;
	t[7] = seq & 0xff;
	put16be(t + 8, 0x1234);
	t[12] = (doff / 4) << 4;
	t[13] = flags;
	put16be(t + 14, 501);
	t[16] = 0xab;		/* a pseudo-header sum: gso.c ignores it */
	for (i = 0; i < optlen; i++)
		t[20 + i] = i == optlen - 1 ? 0 : 1;	/* NOPs, EOL */
	for (i = 0; i < pay; i++)
		t[doff + i] = (uint8_t)(i * 7 + (i >> 8) + 3);
	return doff + pay;
}

static size_t
ip4_build(size_t optlen, uint32_t seq, int flags, size_t pay)
{
	size_t	 len;

	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[1] = 0x02;		/* ECT(0) */
	put16be(pkt + 4, 0xfffe);	/* the id wraps */
	pkt[6] = 0x40;		/* DF */
	pkt[8] = 64;
	pkt[9] = IPPROTO_TCP;
	memcpy(pkt + 12, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);
	len = 20 + tcp_build(pkt + 20, optlen, seq, flags, pay);
	put16be(pkt + 2, len);
	return len;
}

static size_t
ip6_build(size_t optlen, uint32_t seq, int flags, size_t pay)
{
	size_t	 len, i;

	memset(pkt, 0, 40);
	pkt[0] = 0x60;
	pkt[6] = IPPROTO_TCP;
	pkt[7] = 64;
	for (i = 0; i < 16; i++) {
		pkt[8 + i] = i == 0 ? 0x20 : i == 15 ? 1 : 0;
		pkt[24 + i] = i == 0 ? 0x20 : i == 15 ? 2 : 0;
	}
	len = 40 + tcp_build(pkt + 40, optlen, seq, flags, pay);
	put16be(pkt + 4, len - 40);
	return len;
}

/* Headers as the original's but for what each segment owns. */
static void
check_headers(const struct gso *g, const uint8_t *s, size_t i, size_t len)
{
	uint8_t		 a[128], b[128];
	const uint8_t	*t = s + g->l4off;
	int		 f = pkt[g->l4off + 13], want = f;

	if (g->ver == 4) {
		CHECK(get16be(s + 2) == len, "seg %zu: ip len", i);
		CHECK(get16be(s + 4) == ((0xfffe + i) & 0xffff),
		    "seg %zu: id %u", i, get16be(s + 4));
		CHECK(sum_be(s, g->l4off, 0) == 0xffff, "seg %zu: ip sum", i);
	} else
		CHECK(get16be(s + 4) == len - 40, "seg %zu: ip6 len", i);
	CHECK(get32be(t + 4) == get32be(pkt + g->l4off + 4) +
	    (uint32_t)(i * g->seg), "seg %zu: seq", i);
	if (i > 0)
		want &= ~TCP_CWR;
	if (i + 1 < g->nseg)
		want &= ~(TCP_FIN | TCP_PSH);
	CHECK(t[13] == want, "seg %zu: flags %02x want %02x", i, t[13], want);
	CHECK(tcp_sum_ok(s, g->l4off, len), "seg %zu: tcp sum", i);
	/* The rest of the headers, options included, unchanged. */
	memcpy(a, s, g->hdrlen);
	memcpy(b, pkt, g->hdrlen);
	memset(a + 2, 0, g->ver == 4 ? 4 : 0);
	memset(b + 2, 0, g->ver == 4 ? 4 : 0);
	memset(a + (g->ver == 4 ? 10 : 4), 0, 2);
	memset(b + (g->ver == 4 ? 10 : 4), 0, 2);
	memset(a + g->l4off + 4, 0, 4);
	memset(b + g->l4off + 4, 0, 4);
	a[g->l4off + 13] = b[g->l4off + 13] = 0;
	memset(a + g->l4off + 16, 0, 2);
	memset(b + g->l4off + 16, 0, 2);
	CHECK(memcmp(a, b, g->hdrlen) == 0, "seg %zu: headers", i);
}

/* Cuts pkt, checks each segment, and its payloads joined again. */
static void
cut(const char *name, size_t len, size_t mtu, size_t want_seg)
{
	struct gso	 g;
	size_t		 i, n, off = 0, most = 0;

	if (gso_prepare(&g, vh, pkt, len, mtu) == -1) {
		CHECK(0, "%s: refused", name);
		return;
	}
	CHECK(g.seg == want_seg, "%s: seg %zu want %zu", name, g.seg,
	    want_seg);
	CHECK(g.nseg == (len - g.hdrlen + g.seg - 1) / g.seg, "%s: nseg",
	    name);
	for (i = 0; i < g.nseg; i++) {
		memset(seg, 0xee, sizeof(seg));
		n = gso_segment(&g, pkt, i, seg);
		CHECK(n == gso_seglen(&g, i), "%s: seglen %zu", name, i);
		CHECK(n > g.hdrlen && n <= mtu, "%s: seg %zu len %zu", name,
		    i, n);
		CHECK(i + 1 == g.nseg || n == g.hdrlen + g.seg,
		    "%s: seg %zu not full", name, i);
		if (n <= g.hdrlen || n > mtu)
			return;
		check_headers(&g, seg, i, n);
		memcpy(joined + off, seg + g.hdrlen, n - g.hdrlen);
		off += n - g.hdrlen;
		most = n > most ? n : most;
	}
	CHECK(gso_segment(&g, pkt, g.nseg, seg) == 0, "%s: past end", name);
	CHECK(off == len - g.hdrlen, "%s: payload %zu", name, off);
	CHECK(memcmp(joined, pkt + g.hdrlen, off) == 0, "%s: payload bytes",
	    name);
	printf("ok %s: %zu bytes, %zu segments of up to %zu\n", name, len,
	    g.nseg, most);
}

static void
test_ip4(void)
{
	size_t	 len;
	int	 fl = TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR;

	len = ip4_build(12, 0xfffff000, fl, 10001);
	vnet_set(VNETHDR_GSO_TCPV4, 1448, 20);
	cut("ipv4 options odd", len, 1500, 1448);
	vnet_set(VNETHDR_GSO_TCPV4 | VNETHDR_GSO_ECN, 1448, 20);
	cut("ipv4 ecn", len, 1500, 1448);
	/* The path is smaller than the kernel's MSS. */
	vnet_set(VNETHDR_GSO_TCPV4, 1448, 20);
	cut("ipv4 small path", len, 1201, 1201 - 52);
	len = ip4_build(0, 1, TCP_ACK, 4 * 1000);
	vnet_set(VNETHDR_GSO_TCPV4, 1000, 20);
	cut("ipv4 exact", len, 1500, 1000);
	len = ip4_build(40, 77, TCP_ACK | TCP_PSH, 65535 - 80);
	vnet_set(VNETHDR_GSO_TCPV4, 1388, 20);
	cut("ipv4 64k", len, 1448, 1448 - 80);
	len = ip4_build(0, 5, TCP_ACK | TCP_PSH, 1);
	vnet_set(VNETHDR_GSO_TCPV4, 1460, 20);
	cut("ipv4 one byte", len, 1500, 1460);
}

static void
test_ip6(void)
{
	size_t	 len;
	int	 fl = TCP_ACK | TCP_PSH | TCP_CWR;

	len = ip6_build(12, 123456789, fl, 7777);
	vnet_set(VNETHDR_GSO_TCPV6, 1428, 40);
	cut("ipv6 options odd", len, 1500, 1428);
	cut("ipv6 small path", len, 1000, 1000 - 72);
	len = ip6_build(0, 0, TCP_ACK | TCP_FIN, 65535 - 40 - 20);
	vnet_set(VNETHDR_GSO_TCPV6 | VNETHDR_GSO_ECN, 1440, 40);
	cut("ipv6 64k ecn", len, 1500, 1440);
}

static void
refuse(const char *what, size_t len, size_t mtu)
{
	struct gso	 g;

	CHECK(gso_prepare(&g, vh, pkt, len, mtu) == -1, "accepted: %s",
	    what);
}

static void
test_refuse(void)
{
	size_t	 len;

	len = ip4_build(0, 1, TCP_ACK, 3000);
	vnet_set(VNETHDR_GSO_TCPV6, 1000, 20);
	refuse("v6 type on v4", len, 1500);
	vnet_set(VNETHDR_GSO_UDP_L4, 1000, 20);
	refuse("udp l4 type", len, 1500);
	vnet_set(VNETHDR_GSO_NONE, 1000, 20);
	refuse("no gso", len, 1500);
	vnet_set(VNETHDR_GSO_TCPV4, 0, 20);
	refuse("gso size 0", len, 1500);
	vnet_set(VNETHDR_GSO_TCPV4, 1000, 24);
	refuse("csum start", len, 1500);
	vnet_set(VNETHDR_GSO_TCPV4, 1000, 20);
	vh[VNETHDR_CSUM_OFFSET] = 6;
	refuse("csum offset", len, 1500);
	vnet_set(VNETHDR_GSO_TCPV4, 1000, 20);
	vh[VNETHDR_FLAGS] = 0;
	refuse("no needs_csum", len, 1500);
	vh[VNETHDR_FLAGS] = VNETHDR_F_NEEDS_CSUM | VNETHDR_F_DATA_VALID;
	refuse("data_valid", len, 1500);
	vnet_set(VNETHDR_GSO_TCPV4, 1000, 20);
	refuse("short frame", len - 1, 1500);
	refuse("mtu at headers", len, 40);
	refuse("empty", 0, 1500);
	pkt[6] = 0x20;		/* MF */
	refuse("fragment", len, 1500);
	pkt[6] = 0x40;
	pkt[9] = IPPROTO_UDP;
	refuse("udp", len, 1500);
	pkt[9] = IPPROTO_TCP;
	pkt[0] = 0x44;
	refuse("ihl 16", len, 1500);
	pkt[0] = 0x45;
	pkt[32] = 0xf0;		/* data offset 60 past a 40-byte frame */
	refuse("data offset", 60, 1500);
	pkt[32] = 0x40;
	refuse("data offset 16", len, 1500);
	pkt[32] = 0x50;
	len = ip4_build(0, 1, TCP_ACK, 0);
	refuse("no payload", len, 1500);

	len = ip6_build(0, 1, TCP_ACK, 3000);
	vnet_set(VNETHDR_GSO_TCPV6, 1000, 40);
	pkt[6] = IPPROTO_HOPOPTS;
	refuse("ipv6 extension header", len, 1500);
	pkt[6] = IPPROTO_TCP;
	put16be(pkt + 4, 3000);
	refuse("ipv6 length", len, 1500);
	put16be(pkt + 4, len - 40);
	vnet_set(VNETHDR_GSO_TCPV4, 1000, 40);
	refuse("v4 type on v6", len, 1500);
	printf("ok refusals\n");
}

int
main(void)
{
	test_ip4();
	test_ip6();
	test_refuse();
	if (failures > 0) {
		printf("%d failures\n", failures);
		return 1;
	}
	return 0;
}
