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
#include <net/if.h>

#include <ifaddrs.h>
#include <stddef.h>
#include <string.h>

#include "pushset.h"

/* Is addr (of family af) inside pf?  A length of 0 counts as a host. */
static int
covers(const struct conf_prefix *pf, int af, const void *addr)
{
	const uint8_t	*p = (const uint8_t *)&pf->addr, *a = addr;
	unsigned int	 bits = af == AF_INET ? 32 : 128, plen, i;

	if (pf->af != af)
		return (0);
	plen = pf->plen == 0 || pf->plen > bits ? bits : pf->plen;
	for (i = 0; i < plen; i++)
		if ((p[i / 8] ^ a[i / 8]) & (0x80 >> (i % 8)))
			return (0);
	return (1);
}

static struct conf_prefix *
host(struct conf_prefix *pf, int af, const void *addr)
{
	memset(pf, 0, sizeof(*pf));
	pf->af = af;
	pf->plen = af == AF_INET ? 32 : 128;
	memcpy(&pf->addr, addr, af == AF_INET ? 4 : 16);
	return (pf);
}

/* A tunnel address: not the server's, not on a network we are on. */
static const char *
check_addr(int af, const void *addr, const struct pushset_ctx *ctx)
{
	unsigned int	 i;

	for (i = 0; i < ctx->n_servers; i++)
		if (covers(&ctx->servers[i], af, addr))
			return ("a tunnel address is the server's own");
	for (i = 0; i < ctx->n_underlay; i++)
		if (covers(&ctx->underlay[i], af, addr))
			return ("a tunnel address is on a local network");
	return (NULL);
}

/*
 * A route: it must not take the server into the tunnel (the transport
 * would loop) nor one of our own addresses (it would take a local
 * network).  "All traffic" is the default-route flag, never a route.
 */
static const char *
check_route(int af, const void *net, uint8_t plen,
    const struct pushset_ctx *ctx)
{
	struct conf_prefix	 r;
	unsigned int		 i;

	host(&r, af, net);
	r.plen = plen;
	for (i = 0; i < ctx->n_servers; i++)
		if (ctx->servers[i].af == af &&
		    covers(&r, af, &ctx->servers[i].addr))
			return ("a route takes the server's address");
	for (i = 0; i < ctx->n_underlay; i++)
		if (ctx->underlay[i].af == af &&
		    covers(&r, af, &ctx->underlay[i].addr))
			return ("a route takes a local address");
	return (NULL);
}

static const char *
check_routes(const struct push *p, const struct pushset_ctx *ctx)
{
	const char	*why = NULL;
	size_t		 i;

	if (p->nroute4 + p->nroute6 > CONF_MAX_ROUTES)
		return ("more routes than a client holds");
	for (i = 0; why == NULL && i < p->nroute4; i++)
		why = check_route(AF_INET, &p->route4[i].net,
		    p->route4[i].plen, ctx);
	for (i = 0; why == NULL && i < p->nroute6; i++)
		why = check_route(AF_INET6, &p->route6[i].net,
		    p->route6[i].plen, ctx);
	return (why);
}

const char *
pushset_check(const struct push *p, const struct pushset_ctx *ctx)
{
	const char	*why = NULL, *msg;

	/* push_decode() made these; a caller's struct is checked again. */
	if (push_check(p, &msg) == -1)
		return (msg);
	if (p->have4 && ((why = check_addr(AF_INET, &p->addr4, ctx)) !=
	    NULL || (why = check_addr(AF_INET, &p->peer4, ctx)) != NULL))
		return (why);
	if (p->have6 && ((why = check_addr(AF_INET6, &p->addr6, ctx)) !=
	    NULL || (why = check_addr(AF_INET6, &p->peer6, ctx)) != NULL))
		return (why);
	if (p->ndns4 + p->ndns6 > CONF_MAX_DNS)
		return ("more DNS servers than a client holds");
	return (check_routes(p, ctx));
}

/* The pushed routes, of the families the tunnel carries. */
static void
merge_routes(struct conf *out, const struct push *p)
{
	size_t	 i;

	out->default_route = p->defroute != 0;
	out->n_routes = 0;
	memset(out->routes, 0, sizeof(out->routes));
	for (i = 0; i < p->nroute4 && out->n_routes < CONF_MAX_ROUTES; i++)
		host(&out->routes[out->n_routes++], AF_INET,
		    &p->route4[i].net)->plen = p->route4[i].plen;
	for (i = 0; i < p->nroute6 && out->n_routes < CONF_MAX_ROUTES; i++)
		host(&out->routes[out->n_routes++], AF_INET6,
		    &p->route6[i].net)->plen = p->route6[i].plen;
}

/* Without inet6 on the tunnel, no IPv6 route (netcfg refuses them). */
static void
drop_routes6(struct conf *c)
{
	unsigned int	 i, n = 0;

	for (i = 0; i < c->n_routes; i++)
		if (c->routes[i].af != AF_INET6)
			c->routes[n++] = c->routes[i];
	memset(&c->routes[n], 0, (c->n_routes - n) * sizeof(c->routes[0]));
	c->n_routes = n;
}

static unsigned int
merge_addrs(struct conf *out, const struct conf *own, const struct push *p)
{
	unsigned int	 took = 0;

	if (!(own->explicit & CONF_SET_INET) && p->have4) {
		out->inet_local = p->addr4;
		out->inet_peer = p->peer4;
		took |= CONF_SET_INET;
	}
	/* A server that pushes no IPv6 address has none for us. */
	if (!(own->explicit & CONF_SET_INET6)) {
		out->inet6 = p->have6;
		memset(&out->inet6_local, 0, sizeof(out->inet6_local));
		memset(&out->inet6_peer, 0, sizeof(out->inet6_peer));
		if (p->have6) {
			out->inet6_local = p->addr6;
			out->inet6_peer = p->peer6;
		}
		took |= CONF_SET_INET6;
	}
	return (took);
}

static unsigned int
merge_dns(struct conf *out, const struct push *p)
{
	size_t	 i;

	out->n_dns = 0;
	memset(out->dns, 0, sizeof(out->dns));
	for (i = 0; i < p->ndns4 && out->n_dns < CONF_MAX_DNS; i++)
		host(&out->dns[out->n_dns++], AF_INET, &p->dns4[i]);
	for (i = 0; i < p->ndns6 && out->n_dns < CONF_MAX_DNS; i++)
		host(&out->dns[out->n_dns++], AF_INET6, &p->dns6[i]);
	return (out->n_dns > 0 ? CONF_SET_DNS : 0);
}

unsigned int
pushset_merge(struct conf *out, const struct conf *own, const struct push *p)
{
	unsigned int	 took;

	*out = *own;
	took = merge_addrs(out, own, p);
	if (!(own->explicit & CONF_SET_ROUTES)) {
		merge_routes(out, p);
		took |= CONF_SET_ROUTES;
		/* The seal follows the default route, as in a file. */
		if (!(own->explicit & CONF_SET_BLOCK))
			out->block_outside = out->default_route;
	}
	/* The TUN was opened at own->mtu and the tunnel sized its buffers
	 * for it: a push may lower the MTU, never raise it. */
	if (!(own->explicit & CONF_SET_MTU) && p->mtu != 0) {
		out->mtu = p->mtu < own->mtu ? p->mtu : own->mtu;
		took |= CONF_SET_MTU;
	}
	if (!(own->explicit & CONF_SET_DNS))
		took |= merge_dns(out, p);
	if (!out->inet6)
		drop_routes6(out);
	return (took);
}

/*
 * How many bytes of a netmask's address the system filled in: the BSDs
 * and macOS trim its trailing zero bytes (sa_len), Linux gives it whole.
 */
static size_t
mask_bytes(const struct sockaddr *sa, size_t off, size_t len)
{
#if defined(__APPLE__) || defined(__OpenBSD__) || defined(__FreeBSD__) || \
    defined(__NetBSD__) || defined(__DragonFly__)
	if (sa->sa_len <= off)
		return (0);
	if ((size_t)sa->sa_len - off < len)
		return (sa->sa_len - off);
#endif
	(void)sa;
	(void)off;
	return (len);
}

static void
local_prefix(struct conf_prefix *pf, const struct ifaddrs *ifa)
{
	const struct sockaddr	*nm = ifa->ifa_netmask;
	const uint8_t		*m = NULL;
	size_t			 len, avail = 0, i, plen = 0;

	if (ifa->ifa_addr->sa_family == AF_INET) {
		host(pf, AF_INET, &((const struct sockaddr_in *)
		    (const void *)ifa->ifa_addr)->sin_addr);
		len = 4;
		if (nm != NULL) {
			m = (const uint8_t *)&((const struct sockaddr_in *)
			    (const void *)nm)->sin_addr;
			avail = mask_bytes(nm, offsetof(struct sockaddr_in,
			    sin_addr), len);
		}
	} else {
		host(pf, AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)ifa->ifa_addr)->sin6_addr);
		len = 16;
		if (nm != NULL) {
			m = (const uint8_t *)&((const struct sockaddr_in6 *)
			    (const void *)nm)->sin6_addr;
			avail = mask_bytes(nm, offsetof(struct sockaddr_in6,
			    sin6_addr), len);
		}
	}
	/* The leading ones of the mask; none: the address alone. */
	for (i = 0; i < 8 * avail && (m[i / 8] & (0x80 >> (i % 8))); i++)
		plen++;
	pf->plen = plen == 0 ? 8 * len : plen;
}

int
pushset_underlay(struct pushset_ctx *ctx, const char *tunif)
{
	struct ifaddrs	*ifap, *ifa;
	int		 af;

	if (getifaddrs(&ifap) == -1)
		return (-1);
	for (ifa = ifap; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || !(ifa->ifa_flags & IFF_UP) ||
		    (ifa->ifa_flags & IFF_LOOPBACK) ||
		    strcmp(ifa->ifa_name, tunif) == 0)
			continue;
		af = ifa->ifa_addr->sa_family;
		if ((af != AF_INET && af != AF_INET6) ||
		    ctx->n_underlay == PUSHSET_MAX_UNDERLAY)
			continue;
		local_prefix(&ctx->underlay[ctx->n_underlay++], ifa);
	}
	freeifaddrs(ifap);
	return (0);
}
