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

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conf.h"
#include "srccheck.h"

#define IP4_HDR_MIN	20
#define IP6_HDR_LEN	40
#define IP4_SRC_OFF	12
#define IP6_SRC_OFF	8

void
srccheck_init(struct srccheck *sc, int any)
{
	memset(sc, 0, sizeof(*sc));
	sc->any = any;
}

int
srccheck_add(struct srccheck *sc, int ver, const void *addr,
    unsigned int plen)
{
	struct src_prefix	*p;
	size_t			 alen = ver == 4 ? 4 : 16, i;

	if ((ver != 4 && ver != 6) || plen > alen * 8 ||
	    sc->n >= SRCCHECK_MAX)
		return (-1);
	p = &sc->p[sc->n++];
	memset(p, 0, sizeof(*p));
	p->ver = ver;
	p->plen = plen;
	memcpy(p->addr, addr, alen);
	for (i = 0; i < alen; i++) {
		if (plen >= (i + 1) * 8)
			continue;
		p->addr[i] &= plen > i * 8 ? 0xff << (8 - (plen - i * 8)) : 0;
	}
	return (0);
}

void
srccheck_conf(struct srccheck *sc, const struct conf *conf)
{
	const struct conf_prefix	*r;
	unsigned int			 i;

	srccheck_init(sc, conf->role != ROLE_SERVER);
	if (sc->any)
		return;
	(void)srccheck_add(sc, 4, &conf->inet_peer, 32);
	if (conf->inet6)
		(void)srccheck_add(sc, 6, &conf->inet6_peer, 128);
	for (i = 0; i < conf->n_routes && i < CONF_MAX_ROUTES; i++) {
		r = &conf->routes[i];
		(void)srccheck_add(sc, r->af == AF_INET ? 4 : 6,
		    r->af == AF_INET ? (const void *)&r->addr.v4 :
		    (const void *)&r->addr.v6, r->plen);
	}
}

/* Does addr fall in p? The first plen bits agree. */
static int
prefix_match(const struct src_prefix *p, const uint8_t *addr)
{
	unsigned int	 full = p->plen / 8, rest = p->plen % 8;
	uint8_t		 mask;

	if (memcmp(p->addr, addr, full) != 0)
		return (0);
	if (rest == 0)
		return (1);
	mask = 0xff << (8 - rest);
	return ((addr[full] & mask) == p->addr[full]);
}

/*
 * IPv6 that never leaves the link: from a link-local or the unspecified
 * address to a link-local or link-scope multicast one.  No system
 * forwards it (RFC 4291, 2.5.6), and the peer's kernel sends its router
 * solicitations and MLD reports so from the TUN's link-local address.
 */
int
srccheck_link_scope(const uint8_t *pkt, size_t len)
{
	static const uint8_t	 unspec[16];
	const uint8_t		*src = pkt + IP6_SRC_OFF, *dst = src + 16;
	int			 from, to;

	if (len < IP6_HDR_LEN || pkt[0] >> 4 != 6)
		return (0);
	from = (src[0] == 0xfe && (src[1] & 0xc0) == 0x80) ||
	    memcmp(src, unspec, sizeof(unspec)) == 0;
	to = (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80) ||
	    (dst[0] == 0xff && (dst[1] & 0x0f) == 0x02);
	return from && to;
}

int
srccheck_allowed(const struct srccheck *sc, const uint8_t *pkt,
    size_t len)
{
	const uint8_t	*src;
	size_t		 i;
	int		 ver;

	if (sc == NULL || sc->any)
		return (1);
	ver = len > 0 ? pkt[0] >> 4 : 0;
	if (ver == 4 && len >= IP4_HDR_MIN)
		src = pkt + IP4_SRC_OFF;
	else if (ver == 6 && len >= IP6_HDR_LEN)
		src = pkt + IP6_SRC_OFF;
	else
		return (0);
	for (i = 0; i < sc->n; i++)
		if (sc->p[i].ver == ver && prefix_match(&sc->p[i], src))
			return (1);
	return (srccheck_link_scope(pkt, len));
}
