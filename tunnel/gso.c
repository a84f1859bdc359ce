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
 * What Linux tcp_gso_segment() does to each segment, and we do too:
 * the IP and TCP headers are repeated; IPv4 ids count up from the
 * first; the sequence number advances by the payload before; CWR
 * stays on the first segment only, FIN and PSH on the last only; every
 * length and checksum is the segment's own.  The header's csum_start,
 * csum_offset and gso_size come from our kernel, but they are checked
 * against the packet all the same before any offset is used.
 */
#include "compat.h"

#include <sys/types.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "csum.h"
#include "gso.h"
#include "tunhdr.h"
#include "vnet.h"

#define IP4_HDR_MIN	20
#define IP6_HDR_LEN	40
#define TCP_HDR_MIN	20
#define TCP_CSUM_OFF	16
#define TCP_F_FIN	0x01
#define TCP_F_PSH	0x08
#define TCP_F_CWR	0x80

static unsigned int
get16le(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

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

/* IPv4: one whole datagram, not a fragment, carrying TCP. */
static int
gso_ip4(struct gso *g, const uint8_t *p, size_t len)
{
	size_t	 ihl;

	if (len < IP4_HDR_MIN || (ihl = (p[0] & 0x0f) * 4) < IP4_HDR_MIN ||
	    ihl > len || get16be(p + 2) != len ||
	    (get16be(p + 6) & 0x3fff) != 0 || p[9] != IPPROTO_TCP)
		return (-1);
	g->l4off = ihl;
	return (0);
}

/* IPv6: TCP straight after the fixed header (Linux TSO6 as our TUN
 * produces it); anything with extension headers is refused. */
static int
gso_ip6(struct gso *g, const uint8_t *p, size_t len)
{
	if (len < IP6_HDR_LEN || get16be(p + 4) + IP6_HDR_LEN != len ||
	    p[6] != IPPROTO_TCP)
		return (-1);
	g->l4off = IP6_HDR_LEN;
	return (0);
}

/* The virtio header: NEEDS_CSUM at the TCP checksum, a TCP GSO type
 * for this IP version, a segment size. */
static int
gso_vnet_ok(const struct gso *g, const uint8_t *vh)
{
	unsigned int	 type = vh[VNETHDR_GSO_TYPE] & ~VNETHDR_GSO_ECN;

	if (vh[VNETHDR_FLAGS] != VNETHDR_F_NEEDS_CSUM)
		return (0);
	if (type != (g->ver == 4 ? VNETHDR_GSO_TCPV4 : VNETHDR_GSO_TCPV6))
		return (0);
	return (get16le(vh + VNETHDR_CSUM_START) == g->l4off &&
	    get16le(vh + VNETHDR_CSUM_OFFSET) == TCP_CSUM_OFF &&
	    get16le(vh + VNETHDR_GSO_SIZE) > 0);
}

int
gso_prepare(struct gso *g, const uint8_t *vh, const uint8_t *pkt,
    size_t len, size_t mtu)
{
	size_t	 doff;

	memset(g, 0, sizeof(*g));
	g->ver = len > 0 ? pkt[0] >> 4 : 0;
	if ((g->ver != 4 || gso_ip4(g, pkt, len) == -1) &&
	    (g->ver != 6 || gso_ip6(g, pkt, len) == -1))
		return (-1);
	if (!gso_vnet_ok(g, vh) || len - g->l4off < TCP_HDR_MIN)
		return (-1);
	doff = (pkt[g->l4off + 12] >> 4) * 4;
	if (doff < TCP_HDR_MIN || doff > len - g->l4off)
		return (-1);
	g->hdrlen = g->l4off + doff;
	if (g->hdrlen >= len || mtu <= g->hdrlen)
		return (-1);
	g->paylen = len - g->hdrlen;
	g->seg = get16le(vh + VNETHDR_GSO_SIZE);
	if (g->seg > mtu - g->hdrlen)
		g->seg = mtu - g->hdrlen;
	g->nseg = (g->paylen + g->seg - 1) / g->seg;
	return (0);
}

size_t
gso_seglen(const struct gso *g, size_t i)
{
	size_t	 off = i * g->seg;

	if (i >= g->nseg)
		return (0);
	return (g->hdrlen + (g->paylen - off < g->seg ? g->paylen - off :
	    g->seg));
}

/* The IP header of a segment of len bytes, the i-th. */
static void
gso_ip_fix(const struct gso *g, uint8_t *out, size_t i, size_t len)
{
	if (g->ver == 6) {
		put16be(out + 4, len - IP6_HDR_LEN);
		return;
	}
	put16be(out + 2, len);
	put16be(out + 4, (get16be(out + 4) + i) & 0xffff);
	out[10] = out[11] = 0;
	csum_put(out + 10, csum_add(out, g->l4off, 0));
}

/* The TCP header of segment i of nseg, its checksum over tlen bytes. */
static void
gso_tcp_fix(const struct gso *g, uint8_t *out, size_t i, size_t tlen)
{
	uint8_t		*t = out + g->l4off;
	uint32_t	 seq;
	uint64_t	 acc;

	seq = (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 |
	    (uint32_t)t[6] << 8 | t[7];
	seq += (uint32_t)(i * g->seg);
	t[4] = seq >> 24;
	t[5] = (seq >> 16) & 0xff;
	t[6] = (seq >> 8) & 0xff;
	t[7] = seq & 0xff;
	if (i > 0)
		t[13] &= ~TCP_F_CWR;
	if (i + 1 < g->nseg)
		t[13] &= ~(TCP_F_FIN | TCP_F_PSH);
	t[16] = t[17] = 0;
	acc = csum_tcp_pseudo(out, g->ver, tlen);
	csum_put(t + 16, csum_add(t, tlen, acc));
}

size_t
gso_segment(const struct gso *g, const uint8_t *pkt, size_t i,
    uint8_t *out)
{
	size_t	 len = gso_seglen(g, i);

	if (len == 0)
		return (0);
	memcpy(out, pkt, g->hdrlen);
	memcpy(out + g->hdrlen, pkt + g->hdrlen + i * g->seg,
	    len - g->hdrlen);
	gso_ip_fix(g, out, i, len);
	gso_tcp_fix(g, out, i, len - g->l4off);
	return (len);
}
