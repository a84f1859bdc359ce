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
#include <sys/socket.h>
#include <netinet/in.h>

#include <string.h>

#include "pushset.h"

#define PUSH_MTU_MIN		576
#define PUSH_MTU_MIN_INET6	1280
#define PUSH_MTU_MAX		65535

void
push_build(struct push_settings *ps, const struct conf *c, int has4,
    const struct in_addr *a4, int has6, const struct in6_addr *a6)
{
	memset(ps, 0, sizeof(*ps));
	ps->flags = PUSH_F_ROUTES | PUSH_F_MTU;
	if (has4) {
		ps->flags |= PUSH_F_INET;
		ps->inet = *a4;
		ps->inet_peer = c->inet_local;
	}
	if (has6 && c->inet6) {
		ps->flags |= PUSH_F_INET6;
		ps->inet6 = *a6;
		ps->inet6_peer = c->inet6_local;
	}
	ps->default_route = c->push_default_route != 0;
	ps->n_routes = c->n_push_routes;
	memcpy(ps->routes, c->push_routes, sizeof(ps->routes));
	/* A client that routes only some prefixes still reaches the
	 * tunnel network: the pools. */
	if (!ps->default_route && c->pool4.af != 0 &&
	    ps->n_routes < CONF_MAX_ROUTES)
		ps->routes[ps->n_routes++] = c->pool4;
	if (!ps->default_route && c->inet6 && c->pool6.af != 0 &&
	    ps->n_routes < CONF_MAX_ROUTES)
		ps->routes[ps->n_routes++] = c->pool6;
	ps->mtu = c->mtu;
	if (c->n_dns > 0) {
		ps->flags |= PUSH_F_DNS;
		ps->n_dns = c->n_dns;
		memcpy(ps->dns, c->dns, sizeof(ps->dns));
	}
}

/* A unicast address a tunnel end may have. */
static int
v4_ok(const struct in_addr *a)
{
	uint32_t	 h = ntohl(a->s_addr);

	return h != 0 && h != 0xffffffff && (h >> 24) != 127 &&
	    (h >> 28) != 14 && (h >> 28) != 15;
}

static int
v6_ok(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	    !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_V4MAPPED(a);
}

static int
prefix_sane(const struct conf_prefix *p)
{
	const uint8_t	*b = (const uint8_t *)&p->addr;
	int		 bits, i;

	if (p->af == AF_INET)
		bits = 32;
	else if (p->af == AF_INET6)
		bits = 128;
	else
		return 0;
	if (p->plen > bits)
		return 0;
	for (i = p->plen; i < bits; i++)
		if (b[i / 8] & (0x80 >> (i % 8)))
			return 0;
	/* Bytes past an IPv4 address must be zero: nothing hides there. */
	for (i = bits == 32 ? 4 : 16; i < (int)sizeof(p->addr); i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static const char *
validate_addrs(const struct push_settings *ps)
{
	if ((ps->flags & PUSH_F_INET) && (!v4_ok(&ps->inet) ||
	    !v4_ok(&ps->inet_peer) || ps->inet.s_addr ==
	    ps->inet_peer.s_addr))
		return "bad pushed inet addresses";
	if ((ps->flags & PUSH_F_INET6) && (!v6_ok(&ps->inet6) ||
	    !v6_ok(&ps->inet6_peer) || memcmp(&ps->inet6, &ps->inet6_peer,
	    sizeof(ps->inet6)) == 0))
		return "bad pushed inet6 addresses";
	return NULL;
}

const char *
push_validate(const struct push_settings *ps)
{
	const char	*why;
	uint32_t	 i;

	if (ps->flags & ~PUSH_F_ALL)
		return "unknown pushed settings";
	if ((why = validate_addrs(ps)) != NULL)
		return why;
	if (ps->default_route != 0 && ps->default_route != 1)
		return "bad pushed default route flag";
	if (ps->n_routes > CONF_MAX_ROUTES)
		return "too many pushed routes";
	for (i = 0; i < ps->n_routes; i++)
		if (!prefix_sane(&ps->routes[i]))
			return "bad pushed route";
	if ((ps->flags & PUSH_F_MTU) && (ps->mtu < PUSH_MTU_MIN ||
	    ps->mtu > PUSH_MTU_MAX || ((ps->flags & PUSH_F_INET6) &&
	    ps->mtu < PUSH_MTU_MIN_INET6)))
		return "bad pushed mtu";
	if (ps->n_dns > CONF_MAX_DNS)
		return "too many pushed DNS servers";
	for (i = 0; i < ps->n_dns; i++)
		if (!prefix_sane(&ps->dns[i]) || ps->dns[i].plen !=
		    (ps->dns[i].af == AF_INET ? 32 : 128))
			return "bad pushed DNS server";
	return NULL;
}

uint32_t
push_merge(struct conf *out, const struct conf *own,
    const struct push_settings *ps)
{
	uint32_t	 took = 0;

	*out = *own;
	if ((ps->flags & PUSH_F_INET) && !(own->explicit & CONF_SET_INET)) {
		out->inet_local = ps->inet;
		out->inet_peer = ps->inet_peer;
		took |= PUSH_F_INET;
	}
	if ((ps->flags & PUSH_F_INET6) &&
	    !(own->explicit & CONF_SET_INET6)) {
		out->inet6 = 1;
		out->inet6_local = ps->inet6;
		out->inet6_peer = ps->inet6_peer;
		took |= PUSH_F_INET6;
	}
	if ((ps->flags & PUSH_F_ROUTES) &&
	    !(own->explicit & CONF_SET_ROUTES)) {
		out->default_route = ps->default_route;
		out->n_routes = ps->n_routes;
		memcpy(out->routes, ps->routes, sizeof(out->routes));
		took |= PUSH_F_ROUTES;
	}
	if ((ps->flags & PUSH_F_MTU) && !(own->explicit & CONF_SET_MTU)) {
		out->mtu = ps->mtu;
		took |= PUSH_F_MTU;
	}
	if ((ps->flags & PUSH_F_DNS) && !(own->explicit & CONF_SET_DNS)) {
		out->n_dns = ps->n_dns;
		memcpy(out->dns, ps->dns, sizeof(out->dns));
		took |= PUSH_F_DNS;
	}
	return took;
}
