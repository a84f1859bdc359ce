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
 * vnet_check(), header by header: what a Linux TUN with checksum and
 * TSO offload writes passes (rebuilt: DATA_VALID cleared, hdr_len the
 * packet's own header length), and every field a peer could bend is
 * refused: unknown flags, offsets that miss the checksum field or the
 * packet, GSO types that do not match the packet or that our TUN does
 * not offer, segments too small (a burst) or too large for the MTU,
 * lengths that disagree with the IP header.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunhdr.h"
#include "vnet.h"

#define MTU		9000
#define BUF		(TUNHDR_VNET_LEN + 65536)

static int	 failures;
static uint8_t	 frame[BUF];

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static void
put16le(uint8_t *p, unsigned int v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void
put16be(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
hdr(int flags, int gso_type, unsigned int hdr_len, unsigned int gso_size,
    unsigned int start, unsigned int off)
{
	frame[VNETHDR_FLAGS] = flags;
	frame[VNETHDR_GSO_TYPE] = gso_type;
	put16le(frame + VNETHDR_HDR_LEN, hdr_len);
	put16le(frame + VNETHDR_GSO_SIZE, gso_size);
	put16le(frame + VNETHDR_CSUM_START, start);
	put16le(frame + VNETHDR_CSUM_OFFSET, off);
}

/* A TCP (doff words) or UDP header at t, room bytes to the end. */
static void
l4(uint8_t *t, int proto, size_t room, int doff)
{
	memset(t, 0, proto == 6 ? (size_t)doff * 4 : 8);
	t[0] = 0x30;
	t[1] = 0x39;
	t[2] = 0x15;
	t[3] = 0xb3;
	if (proto == 6) {
		t[12] = doff << 4;
		t[13] = 0x10;
	} else
		put16be(t + 4, room);
}

/* An IPv4 packet of len bytes behind the header: ihl words, proto. */
static size_t
ip4(size_t len, int ihl, int proto, int doff)
{
	uint8_t	*p = frame + TUNHDR_VNET_LEN;
	size_t	 i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13);
	memset(p, 0, ihl * 4);
	p[0] = 0x40 | ihl;
	put16be(p + 2, len);
	p[6] = 0x40;
	p[8] = 64;
	p[9] = proto;
	if (proto == 6 || proto == 17)
		l4(p + ihl * 4, proto, len - ihl * 4, doff);
	return TUNHDR_VNET_LEN + len;
}

/* An IPv6 packet: the extension headers exts (8 bytes each, the list
 * ending in -1), then next. */
static size_t
ip6(size_t len, const int *exts, int next, int doff)
{
	uint8_t	*p = frame + TUNHDR_VNET_LEN;
	size_t	 i, off = 40;
	uint8_t	*nh = p + 6;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13);
	memset(p, 0, 40);
	p[0] = 0x60;
	put16be(p + 4, len - 40);
	p[7] = 64;
	for (i = 0; exts != NULL && exts[i] >= 0; i++) {
		*nh = exts[i];
		memset(p + off, 0, 8);
		nh = p + off;
		off += 8;
	}
	*nh = next;
	if (next == 6 || next == 17)
		l4(p + off, next, len - off, doff);
	return TUNHDR_VNET_LEN + len;
}

static unsigned int
hdr_len(void)
{
	return frame[VNETHDR_HDR_LEN] | frame[VNETHDR_HDR_LEN + 1] << 8;
}

#define OK(len)		vnet_check(frame, (len), MTU) == TUNHDR_VNET_LEN
#define BAD(len)	vnet_check(frame, (len), MTU) == -1

static void
test_bare(void)
{
	uint8_t	 p[64];

	memset(p, 0, sizeof(p));
	p[0] = 0x45;
	CHECK(vnet_check(p, sizeof(p), MTU) == 0, "bare IPv4");
	p[0] = 0x60;
	CHECK(vnet_check(p, sizeof(p), MTU) == 0, "bare IPv6");
	p[0] = 0x00;
	CHECK(vnet_check(p, 10, MTU) == -1, "header alone");
	CHECK(vnet_check(p, 0, MTU) == -1, "empty");
}

static void
test_plain(void)
{
	size_t	 n = ip4(1400, 5, 6, 5);

	hdr(0, 0, 0, 0, 0, 0);
	CHECK(OK(n), "zero header, TCP/IPv4");
	n = ip4(1400, 5, 1, 0);
	CHECK(OK(n), "zero header, ICMP");
	hdr(VNETHDR_F_DATA_VALID, 0, 0, 0, 0, 0);
	CHECK(OK(n) && frame[VNETHDR_FLAGS] == 0, "DATA_VALID not cleared");
	hdr(0x04, 0, 0, 0, 0, 0);
	CHECK(BAD(n), "unknown flag");
	hdr(VNETHDR_F_NEEDS_CSUM | VNETHDR_F_DATA_VALID, 0, 0, 0, 20, 16);
	CHECK(BAD(ip4(1400, 5, 6, 5)), "NEEDS_CSUM with DATA_VALID");
	hdr(0, 0, 0, 1448, 0, 0);
	CHECK(BAD(n), "gso_size without GSO");
	hdr(0, 0, 0, 0, 20, 16);
	CHECK(BAD(n), "offsets without NEEDS_CSUM");
	hdr(0, 0, 40, 0, 0, 0);
	CHECK(BAD(n), "hdr_len without GSO or NEEDS_CSUM");
	hdr(0, 0, 0, 0, 0, 0);
	frame[TUNHDR_VNET_LEN] = 0x55;
	CHECK(BAD(n), "not IP behind the header");
}

static void
test_ip_lengths(void)
{
	size_t	 n;

	hdr(0, 0, 0, 0, 0, 0);
	n = ip4(1400, 5, 6, 5);
	put16be(frame + TUNHDR_VNET_LEN + 2, 1399);
	CHECK(BAD(n), "IPv4 total length short of the frame");
	put16be(frame + TUNHDR_VNET_LEN + 2, 1401);
	CHECK(BAD(n), "IPv4 total length past the frame");
	n = ip4(1400, 4, 1, 0);
	CHECK(BAD(n), "IHL 4");
	CHECK(BAD(TUNHDR_VNET_LEN + 19), "IPv4 too short");
	n = ip6(1400, NULL, 6, 5);
	CHECK(OK(n), "IPv6");
	put16be(frame + TUNHDR_VNET_LEN + 4, 1361);
	CHECK(BAD(n), "IPv6 payload length past the frame");
	put16be(frame + TUNHDR_VNET_LEN + 4, 0);
	CHECK(BAD(n), "jumbogram");
}

static void
test_csum(void)
{
	size_t	 n = ip4(1400, 5, 6, 5);

	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 20, 16);
	CHECK(OK(n) && hdr_len() == 40, "TCP/IPv4 checksum, hdr_len %u",
	    hdr_len());
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 19, 16);
	CHECK(BAD(n), "csum_start off by one");
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 20, 6);
	CHECK(BAD(n), "UDP's offset on TCP");
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 20, 1378);
	CHECK(BAD(n), "checksum field at the end");
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 0xffff, 0xffff);
	CHECK(BAD(n), "offsets past the end");
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 1401, 0, 20, 16);
	CHECK(BAD(n), "hdr_len past the packet");
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 24, 16);
	CHECK(OK(ip4(1400, 6, 6, 5)), "IPv4 options: start 24");
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 20, 16);
	CHECK(BAD(ip4(1400, 6, 6, 5)), "IPv4 options: start 20");
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 20, 6);
	CHECK(OK(ip4(1400, 5, 17, 0)), "UDP/IPv4 checksum");
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 20, 16);
	CHECK(BAD(ip4(1400, 5, 17, 0)), "TCP's offset on UDP");
	n = ip4(1400, 5, 17, 0);
	put16be(frame + TUNHDR_VNET_LEN + 24, 1000);
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 20, 6);
	CHECK(BAD(n), "UDP length disagrees");
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 20, 2);
	CHECK(BAD(ip4(1400, 5, 1, 0)), "ICMP: no offload");
	n = ip4(1400, 5, 6, 5);
	frame[TUNHDR_VNET_LEN + 6] = 0x20;	/* MF */
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 20, 16);
	CHECK(BAD(n), "fragment");
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 20, 16);
	CHECK(BAD(ip4(1400, 5, 6, 4)), "TCP data offset 4");
	CHECK(BAD(ip4(30, 5, 6, 5)), "TCP header cut short");
}

static void
test_gso4(void)
{
	size_t	 n = ip4(8000, 5, 6, 5);

	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 66, 1448, 20, 16);
	CHECK(OK(n) && hdr_len() == 40, "TSO4, hdr_len %u", hdr_len());
	CHECK(frame[VNETHDR_GSO_TYPE] == VNETHDR_GSO_TCPV4 &&
	    frame[VNETHDR_GSO_SIZE] == (1448 & 0xff), "TSO4 fields changed");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 54, 1, 20, 16);
	CHECK(BAD(n), "gso_size 1: 7960 segments");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 54, 39, 20, 16);
	CHECK(BAD(n), "segments with less data than header");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 54, 40, 20, 16);
	CHECK(OK(n), "segments with as much data as header");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 54, MTU - 40, 20, 16);
	CHECK(OK(n), "segments of the MTU");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 54, MTU - 39, 20, 16);
	CHECK(BAD(n), "segments past the MTU");
	CHECK(vnet_check(frame, n, 1500) == -1, "segments past a 1500 MTU");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 54, 0, 20, 16);
	CHECK(BAD(n), "gso_size 0");
	hdr(0, VNETHDR_GSO_TCPV4, 54, 1448, 0, 0);
	CHECK(BAD(n), "TSO without NEEDS_CSUM");
	hdr(VNETHDR_F_DATA_VALID, VNETHDR_GSO_TCPV4, 54, 1448, 0, 0);
	CHECK(BAD(n), "TSO with DATA_VALID");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV6, 54, 1448, 20, 16);
	CHECK(BAD(n), "TCPV6 on IPv4");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4 | VNETHDR_GSO_ECN, 54,
	    1448, 20, 16);
	CHECK(BAD(n), "ECN: our TUN offers no TSO_ECN");
	hdr(VNETHDR_F_NEEDS_CSUM, 2, 54, 1448, 20, 16);
	CHECK(BAD(n), "unknown GSO type");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_UDP, 28, 1448, 20, 6);
	CHECK(BAD(ip4(8000, 5, 17, 0)), "UFO");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_UDP_L4, 28, 1448, 20, 6);
	CHECK(BAD(ip4(8000, 5, 17, 0)), "USO");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 40, 1448, 20, 16);
	CHECK(BAD(ip4(40, 5, 6, 5)), "TSO without payload");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 8001, 1448, 20, 16);
	CHECK(BAD(n), "hdr_len past the packet");
	/* TCP options: the headers each segment repeats grow. */
	n = ip4(8000, 5, 6, 8);
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 66, 1436, 20, 16);
	CHECK(OK(n) && hdr_len() == 52, "TCP options, hdr_len %u",
	    hdr_len());
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 66, 51, 20, 16);
	CHECK(BAD(n), "TCP options: gso_size below the header length");
	n = ip4(8000, 5, 6, 15);
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 80, 1400, 20, 16);
	CHECK(OK(n) && hdr_len() == 80, "60-byte TCP header");
}

static void
test_gso6(void)
{
	static const int	 hbh[] = { 0, -1 };
	static const int	 three[] = { 0, 60, 43, -1 };
	static const int	 nine[] = {
		0, 60, 60, 60, 60, 60, 60, 60, 60, -1
	};
	static const int	 frag[] = { 44, -1 };
	size_t			 n = ip6(8000, NULL, 6, 5);

	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV6, 74, 1428, 40, 16);
	CHECK(OK(n) && hdr_len() == 60, "TSO6, hdr_len %u", hdr_len());
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV4, 74, 1428, 40, 16);
	CHECK(BAD(n), "TCPV4 on IPv6");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV6, 74, 1, 40, 16);
	CHECK(BAD(n), "IPv6 gso_size 1");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV6, 74, MTU - 60, 40, 16);
	CHECK(OK(n), "IPv6 segments of the MTU");
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV6, 74, MTU - 59, 40, 16);
	CHECK(BAD(n), "IPv6 segments past the MTU");
	n = ip6(8000, hbh, 6, 5);
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV6, 74, 1428, 48, 16);
	CHECK(OK(n) && hdr_len() == 68, "hop-by-hop, hdr_len %u", hdr_len());
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV6, 74, 1428, 40, 16);
	CHECK(BAD(n), "hop-by-hop: start at the extension header");
	n = ip6(8000, three, 6, 5);
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV6, 74, 1428, 64, 16);
	CHECK(OK(n), "three extension headers");
	n = ip6(8000, nine, 6, 5);
	hdr(VNETHDR_F_NEEDS_CSUM, VNETHDR_GSO_TCPV6, 74, 1428, 112, 16);
	CHECK(BAD(n), "nine extension headers");
	n = ip6(8000, frag, 6, 5);
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 48, 16);
	CHECK(BAD(n), "IPv6 fragment");
	hdr(0, 0, 0, 0, 0, 0);
	CHECK(OK(n), "IPv6 fragment, no offload");
	n = ip6(48, hbh, 6, 5);
	frame[TUNHDR_VNET_LEN + 41] = 200;	/* 1608 bytes of options */
	CHECK(BAD(n), "extension header past the packet");
	hdr(VNETHDR_F_NEEDS_CSUM, 0, 0, 0, 40, 6);
	CHECK(OK(ip6(1400, NULL, 17, 0)), "UDP/IPv6 checksum");
}

int
main(void)
{
	test_bare();
	test_plain();
	test_ip_lengths();
	test_csum();
	test_gso4();
	test_gso6();
	if (failures > 0) {
		printf("test_vnet: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_vnet: ok\n");
	return 0;
}
