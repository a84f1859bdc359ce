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
 * Push TLVs: type (1 byte), length (1 byte), value.  Decoding first
 * takes the items apart (lengths, counts, no item twice), then checks
 * what they say (push_check(): prefix lengths, host bits, addresses a
 * tunnel can use); encoding checks first, so that a server never sends
 * what its client would refuse.
 */
#include "compat.h"

#include <string.h>

#include "push.h"

#define PT_ADDR4	1	/* addr[4] plen[1] peer[4] */
#define PT_ADDR6	2	/* addr[16] plen[1] peer[16] */
#define PT_ROUTE4	3	/* net[4] plen[1] */
#define PT_ROUTE6	4	/* net[16] plen[1] */
#define PT_DEFAULT	5	/* flags[1] */
#define PT_MTU		6	/* be16 */
#define PT_DNS4		7	/* addr[4] */
#define PT_DNS6		8	/* addr[16] */
#define PT_CRITICAL	0x80	/* unknown and critical: refuse the push */

#define TLV_HDR		2

static int
push_why(const char **why, const char *msg)
{
	if (why != NULL)
		*why = msg;
	return (-1);
}

/* A unicast address a tunnel end or a DNS server may have. */
static int
usable4(const struct in_addr *a)
{
	const uint8_t	*b = (const uint8_t *)&a->s_addr;

	/* 0/8 "this network", 127/8 loopback, 224/4 multicast, 240/4. */
	return (b[0] != 0 && b[0] != 127 && b[0] < 224);
}

static int
mapped6(const uint8_t *b)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	return (memcmp(b, pfx, sizeof(pfx)) == 0);
}

static int
usable6(const struct in6_addr *a)
{
	static const uint8_t zero[16];
	const uint8_t	*b = a->s6_addr;

	if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
		return (0);		/* unspecified, loopback */
	return (b[0] != 0xff && !mapped6(b));
}

/* No bit set past plen. */
static int
no_host_bits(const uint8_t *b, size_t len, unsigned int plen)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (plen >= 8 * (i + 1))
			continue;
		if (plen <= 8 * i) {
			if (b[i] != 0)
				return (0);
		} else if (b[i] & (0xff >> (plen - 8 * i)))
			return (0);
	}
	return (1);
}

/* A route must not lie inside space no tunnel may route. */
static int
route4_ok(const struct push_route4 *r)
{
	const uint8_t	*b = (const uint8_t *)&r->net.s_addr;

	if (r->plen < 1 || r->plen > 32)
		return (0);
	if (!no_host_bits(b, 4, r->plen))
		return (0);
	if (r->plen >= 8 && (b[0] == 0 || b[0] == 127))
		return (0);
	return (!(r->plen >= 3 && b[0] >= 224));
}

static int
route6_ok(const struct push_route6 *r)
{
	static const uint8_t zero[16];
	const uint8_t	*b = r->net.s6_addr;

	if (r->plen < 1 || r->plen > 128)
		return (0);
	if (!no_host_bits(b, 16, r->plen))
		return (0);
	if (r->plen >= 8 && b[0] == 0xff)
		return (0);
	if (r->plen >= 96 && mapped6(b))
		return (0);
	/* ::/128 and ::1/128 */
	return (!(r->plen == 128 && memcmp(b, zero, 15) == 0 && b[15] <= 1));
}

static int
check_addrs(const struct push *p, const char **why)
{
	if (p->have4) {
		if (p->plen4 < 1 || p->plen4 > 32)
			return (push_why(why, "bad IPv4 prefix length"));
		if (!usable4(&p->addr4) || !usable4(&p->peer4))
			return (push_why(why, "unusable IPv4 address"));
		if (p->addr4.s_addr == p->peer4.s_addr)
			return (push_why(why, "IPv4 address equals the "
			    "server's"));
	}
	if (p->have6) {
		if (p->plen6 < 1 || p->plen6 > 128)
			return (push_why(why, "bad IPv6 prefix length"));
		if (!usable6(&p->addr6) || !usable6(&p->peer6))
			return (push_why(why, "unusable IPv6 address"));
		if (memcmp(&p->addr6, &p->peer6, sizeof(p->addr6)) == 0)
			return (push_why(why, "IPv6 address equals the "
			    "server's"));
	}
	return (0);
}

static int
check_routes(const struct push *p, const char **why)
{
	size_t	 i, j;

	if (p->nroute4 > PUSH_MAX_ROUTES || p->nroute6 > PUSH_MAX_ROUTES)
		return (push_why(why, "too many routes"));
	for (i = 0; i < p->nroute4; i++) {
		if (!route4_ok(&p->route4[i]))
			return (push_why(why, "bad IPv4 route"));
		for (j = 0; j < i; j++)
			if (p->route4[j].net.s_addr ==
			    p->route4[i].net.s_addr &&
			    p->route4[j].plen == p->route4[i].plen)
				return (push_why(why, "duplicate route"));
	}
	for (i = 0; i < p->nroute6; i++) {
		if (!route6_ok(&p->route6[i]))
			return (push_why(why, "bad IPv6 route"));
		for (j = 0; j < i; j++)
			if (memcmp(&p->route6[j].net, &p->route6[i].net,
			    sizeof(p->route6[i].net)) == 0 &&
			    p->route6[j].plen == p->route6[i].plen)
				return (push_why(why, "duplicate route"));
	}
	return (0);
}

static int
check_dns(const struct push *p, const char **why)
{
	size_t	 i, j;

	if (p->ndns4 > PUSH_MAX_DNS || p->ndns6 > PUSH_MAX_DNS)
		return (push_why(why, "too many DNS servers"));
	for (i = 0; i < p->ndns4; i++) {
		if (!usable4(&p->dns4[i]))
			return (push_why(why, "unusable DNS server"));
		for (j = 0; j < i; j++)
			if (p->dns4[j].s_addr == p->dns4[i].s_addr)
				return (push_why(why, "duplicate DNS server"));
	}
	for (i = 0; i < p->ndns6; i++) {
		if (!usable6(&p->dns6[i]))
			return (push_why(why, "unusable DNS server"));
		for (j = 0; j < i; j++)
			if (memcmp(&p->dns6[j], &p->dns6[i],
			    sizeof(p->dns6[i])) == 0)
				return (push_why(why, "duplicate DNS server"));
	}
	return (0);
}

int
push_check(const struct push *p, const char **why)
{
	if (check_addrs(p, why) == -1 || check_routes(p, why) == -1 ||
	    check_dns(p, why) == -1)
		return (-1);
	if (p->defroute & ~(PUSH_DEFAULT_V4 | PUSH_DEFAULT_V6))
		return (push_why(why, "unknown default-route flag"));
	if (p->mtu != 0 && p->mtu < (p->have6 ? PUSH_MTU_MIN6 :
	    PUSH_MTU_MIN))
		return (push_why(why, "MTU too small"));
	return (0);
}

/* Encoding */

static uint8_t *
tlv_put(uint8_t *o, const uint8_t *end, uint8_t type, size_t len)
{
	if (o == NULL || (size_t)(end - o) < TLV_HDR + len)
		return (NULL);
	o[0] = type;
	o[1] = (uint8_t)len;
	return (o + TLV_HDR);
}

static uint8_t *
put_addr4(uint8_t *o, const uint8_t *end, const struct push *p)
{
	if ((o = tlv_put(o, end, PT_ADDR4, 9)) == NULL)
		return (NULL);
	memcpy(o, &p->addr4, 4);
	o[4] = p->plen4;
	memcpy(o + 5, &p->peer4, 4);
	return (o + 9);
}

static uint8_t *
put_addr6(uint8_t *o, const uint8_t *end, const struct push *p)
{
	if ((o = tlv_put(o, end, PT_ADDR6, 33)) == NULL)
		return (NULL);
	memcpy(o, &p->addr6, 16);
	o[16] = p->plen6;
	memcpy(o + 17, &p->peer6, 16);
	return (o + 33);
}

static uint8_t *
put_bytes(uint8_t *o, const uint8_t *end, uint8_t type, const void *v,
    size_t len, int plen)
{
	size_t	 n = len + (plen >= 0 ? 1 : 0);

	if ((o = tlv_put(o, end, type, n)) == NULL)
		return (NULL);
	memcpy(o, v, len);
	if (plen >= 0)
		o[len] = (uint8_t)plen;
	return (o + n);
}

static uint8_t *
put_scalars(uint8_t *o, const uint8_t *end, const struct push *p)
{
	uint8_t	 mtu[2];

	if (p->have4)
		o = put_addr4(o, end, p);
	if (p->have6)
		o = put_addr6(o, end, p);
	if (p->defroute != 0)
		o = put_bytes(o, end, PT_DEFAULT, &p->defroute, 1, -1);
	if (p->mtu != 0) {
		mtu[0] = (uint8_t)(p->mtu >> 8);
		mtu[1] = (uint8_t)p->mtu;
		o = put_bytes(o, end, PT_MTU, mtu, 2, -1);
	}
	return (o);
}

ssize_t
push_encode(const struct push *p, uint8_t *buf, size_t cap,
    const char **why)
{
	const uint8_t	*end;
	uint8_t		*o = buf;
	size_t		 i;

	if (push_check(p, why) == -1)
		return (-1);
	if (cap > PUSH_MAX_LEN)
		cap = PUSH_MAX_LEN;
	end = buf + cap;
	o = put_scalars(o, end, p);
	for (i = 0; i < p->nroute4; i++)
		o = put_bytes(o, end, PT_ROUTE4, &p->route4[i].net, 4,
		    p->route4[i].plen);
	for (i = 0; i < p->nroute6; i++)
		o = put_bytes(o, end, PT_ROUTE6, &p->route6[i].net, 16,
		    p->route6[i].plen);
	for (i = 0; i < p->ndns4; i++)
		o = put_bytes(o, end, PT_DNS4, &p->dns4[i], 4, -1);
	for (i = 0; i < p->ndns6; i++)
		o = put_bytes(o, end, PT_DNS6, &p->dns6[i], 16, -1);
	if (o == NULL)
		return (push_why(why, "push too long"));
	return (o - buf);
}

/* Decoding */

static int
get_scalar(struct push *p, uint8_t type, const uint8_t *v, size_t len,
    const char **why)
{
	switch (type) {
	case PT_ADDR4:
		if (len != 9 || p->have4)
			return (push_why(why, "bad or repeated IPv4 address"));
		memcpy(&p->addr4, v, 4);
		p->plen4 = v[4];
		memcpy(&p->peer4, v + 5, 4);
		p->have4 = 1;
		return (0);
	case PT_ADDR6:
		if (len != 33 || p->have6)
			return (push_why(why, "bad or repeated IPv6 address"));
		memcpy(&p->addr6, v, 16);
		p->plen6 = v[16];
		memcpy(&p->peer6, v + 17, 16);
		p->have6 = 1;
		return (0);
	case PT_DEFAULT:
		if (len != 1 || p->defroute != 0 || v[0] == 0)
			return (push_why(why, "bad or repeated default "
			    "route"));
		p->defroute = v[0];
		return (0);
	default:	/* PT_MTU */
		if (len != 2 || p->mtu != 0)
			return (push_why(why, "bad or repeated MTU"));
		p->mtu = (uint16_t)(v[0] << 8 | v[1]);
		if (p->mtu == 0)
			return (push_why(why, "MTU too small"));
		return (0);
	}
}

static int
get_list(struct push *p, uint8_t type, const uint8_t *v, size_t len,
    const char **why)
{
	switch (type) {
	case PT_ROUTE4:
		if (len != 5 || p->nroute4 == PUSH_MAX_ROUTES)
			return (push_why(why, "bad IPv4 route item"));
		memcpy(&p->route4[p->nroute4].net, v, 4);
		p->route4[p->nroute4++].plen = v[4];
		return (0);
	case PT_ROUTE6:
		if (len != 17 || p->nroute6 == PUSH_MAX_ROUTES)
			return (push_why(why, "bad IPv6 route item"));
		memcpy(&p->route6[p->nroute6].net, v, 16);
		p->route6[p->nroute6++].plen = v[16];
		return (0);
	case PT_DNS4:
		if (len != 4 || p->ndns4 == PUSH_MAX_DNS)
			return (push_why(why, "bad IPv4 DNS item"));
		memcpy(&p->dns4[p->ndns4++], v, 4);
		return (0);
	default:	/* PT_DNS6 */
		if (len != 16 || p->ndns6 == PUSH_MAX_DNS)
			return (push_why(why, "bad IPv6 DNS item"));
		memcpy(&p->dns6[p->ndns6++], v, 16);
		return (0);
	}
}

static int
get_item(struct push *p, uint8_t type, const uint8_t *v, size_t len,
    const char **why)
{
	switch (type) {
	case PT_ADDR4:
	case PT_ADDR6:
	case PT_DEFAULT:
	case PT_MTU:
		return (get_scalar(p, type, v, len, why));
	case PT_ROUTE4:
	case PT_ROUTE6:
	case PT_DNS4:
	case PT_DNS6:
		return (get_list(p, type, v, len, why));
	default:
		/* A later version's item: skip it unless it is critical. */
		if (type & PT_CRITICAL)
			return (push_why(why, "unknown critical item"));
		return (0);
	}
}

int
push_decode(const uint8_t *buf, size_t len, struct push *p,
    const char **why)
{
	size_t	 off = 0, n;

	memset(p, 0, sizeof(*p));
	if (len > PUSH_MAX_LEN)
		return (push_why(why, "push too long"));
	while (off < len) {
		if (len - off < TLV_HDR)
			return (push_why(why, "truncated item"));
		n = buf[off + 1];
		if (len - off - TLV_HDR < n)
			return (push_why(why, "truncated item"));
		if (get_item(p, buf[off], buf + off + TLV_HDR, n, why) == -1)
			goto bad;
		off += TLV_HDR + n;
	}
	if (push_check(p, why) == 0)
		return (0);
bad:
	/* Nothing half-decoded for a caller that ignores the result. */
	memset(p, 0, sizeof(*p));
	return (-1);
}
