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
 * What a well-behaved Linux sender writes (virtio_net_hdr_from_skb()
 * in include/linux/virtio_net.h, through drivers/net/tun.c) and what
 * our kernel does with it (virtio_net_hdr_to_skb(), tun_vnet_hdr_get()):
 *
 * - A packet the stack checksummed: all ten bytes zero, or flags
 *   DATA_VALID alone (the sender's kernel verified it).
 * - Checksum left to the device (CHECKSUM_PARTIAL): flags NEEDS_CSUM,
 *   csum_start the transport header, csum_offset the checksum field in
 *   it (16 for TCP, 6 for UDP).
 * - TSO (only with NEEDS_CSUM): gso_type TCPV4 or TCPV6 as the IP
 *   version says, gso_size the segment payload (the MSS), hdr_len the
 *   sender's linear bytes, a hint.  Never the ECN bit, UDP or UDP_L4:
 *   our TUNs offer no TSO_ECN, UFO or USO, so the sender's kernel
 *   segments those itself.
 *
 * Our kernel segments a GSO packet at gso_size, marking it DODGY so
 * that it re-checks the headers, but nothing bounds the segment count:
 * gso_size 1 makes some 8,000 packets of one 8 KB frame.  So a segment
 * must carry at least as much data as the headers it repeats (the
 * egress then carries at most twice the bytes the peer sent, as it
 * would from packets that small sent one by one), and fit our MTU.
 * A one-segment GSO packet, which Linux never sends, is harmless (the
 * kernel takes it as a plain packet) and let through.
 */
#include "compat.h"

#include <sys/types.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tunhdr.h"
#include "vnet.h"

#define IP4_HDR_MIN	20
#define IP6_HDR_LEN	40
#define TCP_HDR_MIN	20
#define UDP_HDR_LEN	8
#define TCP_CSUM_OFF	16
#define UDP_CSUM_OFF	6
#define IP6_EXT_MAX	8	/* extension headers walked, at most */

/* What the packet's own headers say. */
struct vnet_ip {
	int	 ver;		/* 4 or 6 */
	int	 proto;		/* transport protocol */
	int	 frag;		/* a fragment: no transport header here */
	size_t	 l4off;		/* transport header offset */
	size_t	 hdrlen;	/* l4off + TCP/UDP header; 0 for others */
};

static unsigned int
get16le(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static void
put16le(uint8_t *p, unsigned int v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static unsigned int
get16be(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

/* IPv4: a whole datagram, its length exactly the frame's. */
static int
vnet_ip4(const uint8_t *p, size_t len, struct vnet_ip *ip)
{
	size_t	 ihl;

	if (len < IP4_HDR_MIN || (ihl = (p[0] & 0x0f) * 4) < IP4_HDR_MIN ||
	    ihl > len || get16be(p + 2) != len)
		return (-1);
	ip->proto = p[9];
	ip->frag = (get16be(p + 6) & 0x3fff) != 0;	/* MF or offset */
	ip->l4off = ihl;
	return (0);
}

/* IPv6: the fixed header, then hop-by-hop, routing and destination
 * options, each (len + 1) * 8 bytes; a fragment header ends the walk. */
static int
vnet_ip6(const uint8_t *p, size_t len, struct vnet_ip *ip)
{
	size_t	 off = IP6_HDR_LEN;
	int	 next, i;

	if (len < IP6_HDR_LEN || get16be(p + 4) + IP6_HDR_LEN != len)
		return (-1);
	next = p[6];
	for (i = 0; i < IP6_EXT_MAX; i++) {
		if (next == IPPROTO_FRAGMENT) {
			ip->frag = 1;
			break;
		}
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING &&
		    next != IPPROTO_DSTOPTS)
			break;
		if (len - off < 8 || (size_t)(p[off + 1] + 1) * 8 > len - off)
			return (-1);
		next = p[off];
		off += (size_t)(p[off + 1] + 1) * 8;
	}
	if (i == IP6_EXT_MAX)
		return (-1);
	ip->proto = next;
	ip->l4off = off;
	return (0);
}

/* The TCP or UDP header after the IP header(s), whole. */
static int
vnet_l4(const uint8_t *p, size_t len, struct vnet_ip *ip)
{
	size_t	 room = len - ip->l4off, doff;

	ip->hdrlen = 0;
	if (ip->frag)
		return (0);
	if (ip->proto == IPPROTO_TCP) {
		if (room < TCP_HDR_MIN)
			return (-1);
		doff = (p[ip->l4off + 12] >> 4) * 4;
		if (doff < TCP_HDR_MIN || doff > room)
			return (-1);
		ip->hdrlen = ip->l4off + doff;
	} else if (ip->proto == IPPROTO_UDP) {
		if (room < UDP_HDR_LEN || get16be(p + ip->l4off + 4) != room)
			return (-1);
		ip->hdrlen = ip->l4off + UDP_HDR_LEN;
	}
	return (0);
}

static int
vnet_parse(const uint8_t *p, size_t len, struct vnet_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->ver = len > 0 ? p[0] >> 4 : 0;
	if (ip->ver == 4 && vnet_ip4(p, len, ip) == 0)
		return (vnet_l4(p, len, ip));
	if (ip->ver == 6 && vnet_ip6(p, len, ip) == 0)
		return (vnet_l4(p, len, ip));
	return (-1);
}

/* NEEDS_CSUM: the offsets name the TCP or UDP checksum field. */
static int
vnet_csum_ok(const uint8_t *h, const struct vnet_ip *ip)
{
	unsigned int	 want;

	if (ip->hdrlen == 0)
		return (0);	/* fragment, or no TCP/UDP: not offloaded */
	want = ip->proto == IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF;
	return (get16le(h + VNETHDR_CSUM_START) == ip->l4off &&
	    get16le(h + VNETHDR_CSUM_OFFSET) == want);
}

/* TSO: the type the IP version and TCP call for, sane segments. */
static int
vnet_gso_ok(const uint8_t *h, size_t len, const struct vnet_ip *ip,
    int mtu)
{
	unsigned int	 type = h[VNETHDR_GSO_TYPE];
	size_t		 gso = get16le(h + VNETHDR_GSO_SIZE);

	if (type != (ip->ver == 4 ? VNETHDR_GSO_TCPV4 : VNETHDR_GSO_TCPV6) ||
	    ip->proto != IPPROTO_TCP || ip->hdrlen == 0 ||
	    ip->hdrlen >= len)
		return (0);
	return (gso >= ip->hdrlen && gso + ip->hdrlen <= (size_t)mtu);
}

int
vnet_check(uint8_t *frame, size_t len, int mtu)
{
	struct vnet_ip	 ip;
	uint8_t		*h = frame, *pkt = frame + TUNHDR_VNET_LEN;
	size_t		 plen;
	int		 csum;

	if (len > 0 && (frame[0] >> 4 == 4 || frame[0] >> 4 == 6))
		return (0);
	if (len <= TUNHDR_VNET_LEN)
		return (-1);
	plen = len - TUNHDR_VNET_LEN;
	if (h[VNETHDR_FLAGS] & ~(VNETHDR_F_NEEDS_CSUM | VNETHDR_F_DATA_VALID) ||
	    h[VNETHDR_FLAGS] == (VNETHDR_F_NEEDS_CSUM | VNETHDR_F_DATA_VALID) ||
	    get16le(h + VNETHDR_HDR_LEN) > plen ||
	    vnet_parse(pkt, plen, &ip) == -1)
		return (-1);
	csum = h[VNETHDR_FLAGS] & VNETHDR_F_NEEDS_CSUM;
	if (csum && !vnet_csum_ok(h, &ip))
		return (-1);
	if (!csum && (get16le(h + VNETHDR_CSUM_START) != 0 ||
	    get16le(h + VNETHDR_CSUM_OFFSET) != 0))
		return (-1);
	if (h[VNETHDR_GSO_TYPE] == VNETHDR_GSO_NONE) {
		if (get16le(h + VNETHDR_GSO_SIZE) != 0 ||
		    (!csum && get16le(h + VNETHDR_HDR_LEN) != 0))
			return (-1);
	} else if (!csum || !vnet_gso_ok(h, plen, &ip, mtu))
		return (-1);
	/* Rebuilt: nothing of the peer's but what was just checked. */
	h[VNETHDR_FLAGS] = csum ? VNETHDR_F_NEEDS_CSUM : 0;
	put16le(h + VNETHDR_HDR_LEN, csum ? ip.hdrlen : 0);
	return (TUNHDR_VNET_LEN);
}
