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
 * What may join, after Linux's own GRO (tcp_gro_receive(),
 * inet_gro_receive(), ipv6_gro_receive()), but stricter where that is
 * simpler: a segment joins the pending one if it belongs to the same
 * flow with every header field that the kernel's segmentation copies
 * into each segment identical (IPv4 TOS, DF, TTL; IPv6 traffic class,
 * flow label, hop limit; TCP ack, window, urgent pointer, options byte
 * for byte), its sequence number the next one, its IPv4 id the next
 * one (the kernel numbers the segments it cuts that way), flags ACK,
 * or ACK and PSH on the last.  No IPv4 options or fragments, no IPv6
 * extension headers.  All segments but the last carry the same payload;
 * a shorter one, or PSH, ends the super-packet.  Each segment's IPv4
 * header and TCP checksums are verified first: the kernel will not
 * check a super-packet marked NEEDS_CSUM, so a segment the peer broke
 * must go to the kernel alone, which drops it.  Every segment fits
 * our MTU and carries at least as much payload as its headers, which is
 * what vnet_check() demands of a peer's super-packet as well.
 *
 * The TCP checksum field of the super-packet holds the pseudo-header
 * sum over its full TCP length, not complemented, as Linux leaves it
 * for CHECKSUM_PARTIAL (tcp_v4_send_check(), tcp_gso_segment()).
 */
#include "compat.h"

#include <sys/types.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "coalesce.h"
#include "csum.h"
#include "tunhdr.h"
#include "vnet.h"

#define IP4_HDR_LEN	20
#define IP6_HDR_LEN	40
#define TCP_HDR_MIN	20
#define TCP_CSUM_OFF	16
#define TCP_F_PSH	0x08
#define TCP_F_ACK	0x10

static const uint8_t	 vnet_zero[TUNHDR_VNET_LEN];

/* A candidate segment, as its own headers describe it. */
struct coalesce_seg {
	int	 ver;
	size_t	 l4off;
	size_t	 hdrlen;
	size_t	 paylen;
	uint32_t seq;
	int	 psh;
};

static unsigned int
get16be(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static void
put16be(uint8_t *p, unsigned int v)
{
	p[0] = (v >> 8) & 0xff;
	p[1] = v & 0xff;
}

static void
put16le(uint8_t *p, unsigned int v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static uint32_t
get32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
parse_ip(const uint8_t *pkt, size_t len, struct coalesce_seg *s)
{
	s->ver = len > 0 ? pkt[0] >> 4 : 0;
	if (s->ver == 4) {
		/* No options; neither MF, offset nor the reserved bit. */
		if (len < IP4_HDR_LEN || pkt[0] != 0x45 ||
		    get16be(pkt + 2) != len ||
		    (get16be(pkt + 6) & ~0x4000) != 0 ||
		    pkt[9] != IPPROTO_TCP ||
		    csum_fold(csum_add(pkt, IP4_HDR_LEN, 0)) != 0xffff)
			return -1;
		s->l4off = IP4_HDR_LEN;
		return 0;
	}
	if (s->ver == 6) {
		if (len < IP6_HDR_LEN ||
		    get16be(pkt + 4) + IP6_HDR_LEN != len ||
		    pkt[6] != IPPROTO_TCP)
			return -1;
		s->l4off = IP6_HDR_LEN;
		return 0;
	}
	return -1;
}

/* 0 and s filled in if pkt is a TCP segment that may be joined. */
static int
parse_seg(const uint8_t *pkt, size_t len, size_t mtu, struct coalesce_seg *s)
{
	const uint8_t	*th;
	size_t		 doff;

	if (parse_ip(pkt, len, s) == -1 || len - s->l4off < TCP_HDR_MIN)
		return -1;
	th = pkt + s->l4off;
	doff = (size_t)(th[12] >> 4) * 4;
	/* No reserved bits, no NS; ACK, or ACK and PSH. */
	if (doff < TCP_HDR_MIN || doff > len - s->l4off ||
	    (th[12] & 0x0f) != 0 ||
	    (th[13] != TCP_F_ACK && th[13] != (TCP_F_ACK | TCP_F_PSH)))
		return -1;
	s->hdrlen = s->l4off + doff;
	s->paylen = len - s->hdrlen;
	s->seq = get32be(th + 4);
	s->psh = (th[13] & TCP_F_PSH) != 0;
	if (s->paylen < s->hdrlen || len > mtu)
		return -1;
	/* Last: the checksum, the most expensive test. */
	if (csum_fold(csum_add(th, len - s->l4off,
	    csum_tcp_pseudo(pkt, s->ver, len - s->l4off))) != 0xffff)
		return -1;
	return 0;
}

/* The same flow and every copied header field the same. */
static int
same_headers(const struct coalesce *co, const uint8_t *pkt,
    const struct coalesce_seg *s)
{
	const uint8_t	*p = co->frame + TUNHDR_VNET_LEN;
	const uint8_t	*th = pkt + s->l4off, *pth = p + co->l4off;

	if (s->ver != p[0] >> 4 || s->hdrlen != co->hdrlen)
		return 0;
	if (s->ver == 4) {
		if (p[1] != pkt[1] || memcmp(p + 6, pkt + 6, 3) != 0 ||
		    memcmp(p + 12, pkt + 12, 8) != 0 ||
		    get16be(pkt + 4) != co->next_id)
			return 0;
	} else if (memcmp(p, pkt, 4) != 0 || p[7] != pkt[7] ||
	    memcmp(p + 8, pkt + 8, 32) != 0)
		return 0;
	/* Ports; then ack, data offset (flags apart), window, urgent
	 * pointer and options. */
	return memcmp(pth, th, 4) == 0 && memcmp(pth + 8, th + 8, 5) == 0 &&
	    memcmp(pth + 14, th + 14, 2) == 0 &&
	    memcmp(pth + 18, th + 18, co->hdrlen - co->l4off - 18) == 0;
}

static int
joins(const struct coalesce *co, const uint8_t *pkt,
    const struct coalesce_seg *s)
{
	return co->len > 0 && !co->closed && s->seq == co->next_seq &&
	    s->paylen <= co->seg && co->len + s->paylen <= COALESCE_MAX &&
	    same_headers(co, pkt, s);
}

void
coalesce_init(struct coalesce *co, size_t mtu, coalesce_out out, void *arg)
{
	memset(co, 0, sizeof(*co));
	co->mtu = mtu;
	co->out = out;
	co->arg = arg;
}

static void
start(struct coalesce *co, const uint8_t *pkt, size_t len,
    const struct coalesce_seg *s)
{
	memcpy(co->frame + TUNHDR_VNET_LEN, pkt, len);
	co->len = len;
	co->l4off = s->l4off;
	co->hdrlen = s->hdrlen;
	co->seg = s->paylen;
	co->nseg = 1;
	co->next_seq = s->seq + (uint32_t)s->paylen;
	co->next_id = s->ver == 4 ? (get16be(pkt + 4) + 1) & 0xffff : 0;
	co->closed = s->psh;
}

static void
join(struct coalesce *co, const uint8_t *pkt, const struct coalesce_seg *s)
{
	uint8_t	*p = co->frame + TUNHDR_VNET_LEN;

	memcpy(p + co->len, pkt + s->hdrlen, s->paylen);
	co->len += s->paylen;
	co->nseg++;
	co->next_seq += (uint32_t)s->paylen;
	co->next_id = (co->next_id + 1) & 0xffff;
	if (s->psh)
		p[co->l4off + 13] |= TCP_F_PSH;
	co->closed = s->psh || s->paylen < co->seg;
}

void
coalesce_add(struct coalesce *co, const uint8_t *pkt, size_t len)
{
	struct coalesce_seg	 s;

	if (parse_seg(pkt, len, co->mtu, &s) == -1) {
		coalesce_flush(co);
		co->out(co->arg, vnet_zero, pkt, len, 1);
		return;
	}
	if (joins(co, pkt, &s)) {
		join(co, pkt, &s);
		return;
	}
	coalesce_flush(co);
	start(co, pkt, len, &s);
}

/* Headers of the whole: lengths, IPv4 checksum, the seeded TCP sum. */
static void
finish(struct coalesce *co)
{
	uint8_t		*vh = co->frame, *p = co->frame + TUNHDR_VNET_LEN;
	size_t		 tlen = co->len - co->l4off;
	uint16_t	 seed;
	int		 ver = p[0] >> 4;

	if (ver == 4) {
		put16be(p + 2, co->len);
		put16be(p + 10, 0);
		csum_put(p + 10, csum_add(p, IP4_HDR_LEN, 0));
	} else
		put16be(p + 4, co->len - IP6_HDR_LEN);
	/* Seeded, not complemented, as Linux wants for NEEDS_CSUM. */
	seed = csum_fold(csum_tcp_pseudo(p, ver, tlen));
	memcpy(p + co->l4off + TCP_CSUM_OFF, &seed, 2);
	vh[VNETHDR_FLAGS] = VNETHDR_F_NEEDS_CSUM;
	vh[VNETHDR_GSO_TYPE] = ver == 4 ? VNETHDR_GSO_TCPV4 : VNETHDR_GSO_TCPV6;
	put16le(vh + VNETHDR_HDR_LEN, co->hdrlen);
	put16le(vh + VNETHDR_GSO_SIZE, co->seg);
	put16le(vh + VNETHDR_CSUM_START, co->l4off);
	put16le(vh + VNETHDR_CSUM_OFFSET, TCP_CSUM_OFF);
}

void
coalesce_flush(struct coalesce *co)
{
	size_t	 len = co->len, nseg = co->nseg;

	if (len == 0)
		return;
	if (nseg > 1)
		finish(co);
	/* Emptied first: out() may not call us again for the same one. */
	co->len = 0;
	co->nseg = 0;
	co->out(co->arg, nseg > 1 ? co->frame : vnet_zero,
	    co->frame + TUNHDR_VNET_LEN, len, nseg);
}
