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
 * What OpenBSD, FreeBSD, DragonFly, NetBSD and macOS share: ifconfig(8)
 * point-to-point addresses, sysctl forwarding, and the client's route(8)
 * routes.  A client with a default route keeps a host route to the
 * server via the old gateway and covers the address space with 0/1 and
 * 128/1 through the tunnel peer, which win over the default route
 * without replacing it.  IPv6 goes the same way (::/1, 8000::/1) when
 * the tunnel has inet6; without it both halves are blackholed so that
 * IPv6 does not leak outside the tunnel (DSVPN's behaviour).
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "plan.h"

#define ROUTE	BSD_PATH_ROUTE
#define IFCONFIG BSD_PATH_IFCONFIG

void
plan_bsd_addrs(struct plan *p, const struct netcfg_req *req)
{
	char	 l[PLAN_ADDRSTRLEN], r[PLAN_ADDRSTRLEN];

	fmt_in(l, sizeof(l), &req->inet_local);
	fmt_in(r, sizeof(r), &req->inet_peer);
	plan_add(p, argv_new(IFCONFIG, req->ifname, "inet", l, r, "netmask",
	    "255.255.255.255", NULL), argv_new(IFCONFIG, req->ifname, "inet",
	    l, "-alias", NULL));
	if (req->inet6) {
		fmt_in6(l, sizeof(l), &req->inet6_local);
		fmt_in6(r, sizeof(r), &req->inet6_peer);
		plan_add(p, argv_new(IFCONFIG, req->ifname, "inet6", l, r,
		    "prefixlen", "128", NULL), argv_new(IFCONFIG,
		    req->ifname, "inet6", l, "-alias", NULL));
	}
	plan_add_swap(p, argv_new(IFCONFIG, req->ifname, "up", NULL),
	    "up", "down");
}

void
plan_bsd_forwarding(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	plan_sysctl(p, "net.inet.ip.forwarding", "1", f->ip_forward);
	if (req->inet6)
		plan_sysctl(p, "net.inet6.ip6.forwarding", "1",
		    f->ip6_forward);
}

static void
route_via(struct plan *p, const char *fam, const char *kind,
    const char *dst, const char *gw)
{
	plan_add_swap(p, argv_new(ROUTE, "-n", "add", fam, kind, dst, gw,
	    NULL), "add", "delete");
}

static void
route_blackhole(struct plan *p, const char *dst)
{
	plan_add(p, argv_new(ROUTE, "-n", "add", "-inet6", "-net", dst, "::1",
	    "-blackhole", NULL), argv_new(ROUTE, "-n", "delete", "-inet6",
	    "-net", dst, "::1", NULL));
}

/* The server stays reachable the old way once 0/1 and 128/1 are in. */
static void
server_route(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	char	 s[PLAN_ADDRSTRLEN], g[PLAN_ADDRSTRLEN];

	if (!f->have_gw || f->gw.af != req->server.af)
		return;		/* on a connected network: no gateway */
	route_via(p, req->server.af == AF_INET6 ? "-inet6" : "-inet",
	    "-host", fmt_addr(s, sizeof(s), &req->server),
	    fmt_addr(g, sizeof(g), &f->gw));
}

static void
default_routes(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	char	 peer[PLAN_ADDRSTRLEN];

	server_route(p, req, f);
	fmt_in(peer, sizeof(peer), &req->inet_peer);
	route_via(p, "-inet", "-net", "0.0.0.0/1", peer);
	route_via(p, "-inet", "-net", "128.0.0.0/1", peer);
	if (req->inet6) {
		fmt_in6(peer, sizeof(peer), &req->inet6_peer);
		route_via(p, "-inet6", "-net", "::/1", peer);
		route_via(p, "-inet6", "-net", "8000::/1", peer);
	} else {
		route_blackhole(p, "::/1");
		route_blackhole(p, "8000::/1");
	}
}

void
plan_bsd_client_routes(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	char		 pfx[PLAN_ADDRSTRLEN], peer[PLAN_ADDRSTRLEN];
	uint32_t	 i;
	int		 v6;

	if (req->default_route)
		default_routes(p, req, f);
	for (i = 0; i < req->n_routes; i++) {
		v6 = req->routes[i].af == AF_INET6;
		if (v6)
			fmt_in6(peer, sizeof(peer), &req->inet6_peer);
		else
			fmt_in(peer, sizeof(peer), &req->inet_peer);
		route_via(p, v6 ? "-inet6" : "-inet", "-net",
		    fmt_prefix(pfx, sizeof(pfx), &req->routes[i]), peer);
	}
}

/*
 * macOS, FreeBSD, DragonFly and NetBSD: a server gets its addresses and
 * forwarding but no NAT, which is left to the administrator (on macOS
 * pf is shared with the system's own anchors; on FreeBSD and DragonFly
 * pf, ipfw and ipfilter compete; on NetBSD it is npf; dsvpnd.conf(5)
 * says so).  A client gets
 * the BSD routes.  What differs between them (NetBSD's sysctl -w) is in
 * the helpers above, by p->os.
 */
void
plan_render_bsd(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	if (req->role == ROLE_SERVER)
		plan_bsd_forwarding(p, req, f);
	plan_bsd_addrs(p, req);
	if (req->role == ROLE_CLIENT)
		plan_bsd_client_routes(p, req, f);
}
