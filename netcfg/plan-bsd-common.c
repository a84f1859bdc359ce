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
 * routes.  A client with a default route keeps host routes to the
 * server's addresses via the old gateway and covers the address space
 * through the tunnel peer with routes more specific than the default
 * route, which they win over without replacing.  IPv6 goes the same way
 * when the tunnel has inet6; without it the IPv6 halves are blackholed
 * so that IPv6 does not leak outside the tunnel (DSVPN's behaviour).
 *
 * Without "block outside" the tunnel takes 0/1 and 128/1 (::/1 and
 * 8000::/1), as DSVPN does.  With it, the seal comes first: 0/1 and
 * 128/1 (and the IPv6 halves) blackholed, and the tunnel takes the four
 * /2 quarters over them.  While the TUN device exists its quarters win;
 * when it vanishes (a kill -9), the routes through it go with it and
 * the blackholes catch everything the default route would have carried,
 * so nothing falls through to the old gateway but the transport (its
 * host routes) and the directly connected networks (more specific
 * still).  OpenBSD adds a pf kill switch on top (plan-openbsd.c).
 *
 * A server with a pool routes the pool, and every server the networks
 * behind its clients, through the tunnel peer.  FreeBSD: a new tun may
 * come up with IPv6 disabled (devd, PR 248172); the plan enables it
 * again where discovery saw it disabled.  FreeBSD and DragonFly: a unit
 * the parent created is destroyed at revert, after everything else.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "plan.h"

#define ROUTE	BSD_PATH_ROUTE
#define IFCONFIG BSD_PATH_IFCONFIG

static const char *const v4_halves[] = { "0.0.0.0/1", "128.0.0.0/1" };
static const char *const v6_halves[] = { "::/1", "8000::/1" };
static const char *const v4_quarters[] = { "0.0.0.0/2", "64.0.0.0/2",
	"128.0.0.0/2", "192.0.0.0/2" };
static const char *const v6_quarters[] = { "::/2", "4000::/2", "8000::/2",
	"c000::/2" };

/* The unit the parent made, destroyed last (only the seal stays). */
static void
tun_created(struct plan *p, const struct netcfg_req *req)
{
	if (!req->tun_created || (p->os != NETCFG_OS_FREEBSD &&
	    p->os != NETCFG_OS_DRAGONFLY))
		return;
	plan_add_undo(p, argv_new(IFCONFIG, req->ifname, "destroy", NULL));
}

static void
inet6_enable(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	if (p->os != NETCFG_OS_FREEBSD || !req->inet6 || !f->ifdisabled)
		return;
	plan_add(p, argv_new(IFCONFIG, req->ifname, "inet6", "-ifdisabled",
	    NULL), argv_new(IFCONFIG, req->ifname, "inet6", "ifdisabled",
	    NULL));
}

void
plan_bsd_addrs(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	char	 l[PLAN_ADDRSTRLEN], r[PLAN_ADDRSTRLEN];

	tun_created(p, req);
	inet6_enable(p, req, f);
	if (req->have_addrs) {
		fmt_in(l, sizeof(l), &req->inet_local);
		fmt_in(r, sizeof(r), &req->inet_peer);
		plan_add(p, argv_new(IFCONFIG, req->ifname, "inet", l, r,
		    "netmask", "255.255.255.255", NULL), argv_new(IFCONFIG,
		    req->ifname, "inet", l, "-alias", NULL));
		plan_key(p, "inet", l);
	}
	if (req->have_addrs && req->inet6) {
		fmt_in6(l, sizeof(l), &req->inet6_local);
		fmt_in6(r, sizeof(r), &req->inet6_peer);
		plan_add(p, argv_new(IFCONFIG, req->ifname, "inet6", l, r,
		    "prefixlen", "128", NULL), argv_new(IFCONFIG,
		    req->ifname, "inet6", l, "-alias", NULL));
		plan_key(p, "inet6", l);
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
route_blackhole(struct plan *p, int v6, const char *dst)
{
	const char	*fam = v6 ? "-inet6" : "-inet";
	const char	*lo = v6 ? "::1" : "127.0.0.1";

	plan_add(p, argv_new(ROUTE, "-n", "add", fam, "-net", dst, lo,
	    "-blackhole", NULL), argv_new(ROUTE, "-n", "delete", fam, "-net",
	    dst, lo, NULL));
}

/* The servers stay reachable the old way once the tunnel routes are in. */
static void
server_routes(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	char		 s[PLAN_ADDRSTRLEN], g[PLAN_ADDRSTRLEN + IFNAMSIZ];
	uint32_t	 i;
	int		 v6;

	for (i = 0; i < req->n_servers; i++) {
		v6 = req->servers[i].af == AF_INET6;
		if (v6 ? !f->have_gw6 : !f->have_gw4)
			continue;	/* on a connected network */
		if (v6)
			fmt_gw(g, sizeof(g), &f->gw6, f->gw6_scope);
		else
			fmt_gw(g, sizeof(g), &f->gw4, NULL);
		route_via(p, v6 ? "-inet6" : "-inet", "-host",
		    fmt_addr(s, sizeof(s), &req->servers[i]), g);
	}
}

/*
 * The seal of a client with "block outside", first in its plan: the
 * blackholes and the servers' host routes, none of which needs the
 * tunnel's addresses.
 */
void
plan_bsd_seal(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	size_t	 i;

	if (req->role != ROLE_CLIENT || !req->block_outside)
		return;
	for (i = 0; i < nitems(v4_halves); i++)
		route_blackhole(p, 0, v4_halves[i]);
	for (i = 0; i < nitems(v6_halves); i++)
		route_blackhole(p, 1, v6_halves[i]);
	server_routes(p, req, f);
}

static void
tunnel_routes(struct plan *p, const char *fam, const char *peer,
    const char *const *dsts, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		route_via(p, fam, "-net", dsts[i], peer);
}

static void
default_routes(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	char	 peer[PLAN_ADDRSTRLEN];
	size_t	 i;
	int	 seal = req->block_outside;

	if (!seal)
		server_routes(p, req, f);
	fmt_in(peer, sizeof(peer), &req->inet_peer);
	if (seal)
		tunnel_routes(p, "-inet", peer, v4_quarters,
		    nitems(v4_quarters));
	else
		tunnel_routes(p, "-inet", peer, v4_halves, nitems(v4_halves));
	if (req->inet6) {
		fmt_in6(peer, sizeof(peer), &req->inet6_peer);
		if (seal)
			tunnel_routes(p, "-inet6", peer, v6_quarters,
			    nitems(v6_quarters));
		else
			tunnel_routes(p, "-inet6", peer, v6_halves,
			    nitems(v6_halves));
	} else if (!seal)
		for (i = 0; i < nitems(v6_halves); i++)
			route_blackhole(p, 1, v6_halves[i]);
}

/* Routes through the tunnel peer of the prefix's family. */
static void
peer_routes(struct plan *p, const struct netcfg_req *req,
    const struct conf_prefix *pfx, uint32_t n)
{
	char		 a[PLAN_ADDRSTRLEN], peer[PLAN_ADDRSTRLEN];
	uint32_t	 i;
	int		 v6;

	for (i = 0; i < n; i++) {
		v6 = pfx[i].af == AF_INET6;
		if (v6)
			fmt_in6(peer, sizeof(peer), &req->inet6_peer);
		else
			fmt_in(peer, sizeof(peer), &req->inet_peer);
		route_via(p, v6 ? "-inet6" : "-inet", "-net",
		    fmt_prefix(a, sizeof(a), &pfx[i]), peer);
	}
}

/* Without its addresses the tunnel has no peer to route through yet:
 * the seal holds until a transition brings them. */
void
plan_bsd_client_routes(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	if (!req->have_addrs)
		return;
	if (req->default_route)
		default_routes(p, req, f);
	peer_routes(p, req, req->routes, req->n_routes);
}

void
plan_bsd_server_routes(struct plan *p, const struct netcfg_req *req)
{
	peer_routes(p, req, &req->pool4, req->pool4.af != 0);
	if (req->inet6)
		peer_routes(p, req, &req->pool6, req->pool6.af != 0);
	peer_routes(p, req, req->client_nets, req->n_client_nets);
}

/*
 * macOS, FreeBSD, DragonFly and NetBSD: a server gets its addresses,
 * forwarding and routes but no NAT, which is left to the administrator
 * (on macOS pf is shared with the system's own anchors; on FreeBSD and
 * DragonFly pf, ipfw and ipfilter compete; on NetBSD it is npf;
 * dsvpnd.conf(5) says so).  A client gets the BSD routes, and with
 * "block outside" the blackhole seal but no firewall.  What differs
 * between them (NetBSD's sysctl -w) is in the helpers, by p->os.
 */
void
plan_render_bsd(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	plan_bsd_seal(p, req, f);
	if (req->role == ROLE_SERVER)
		plan_bsd_forwarding(p, req, f);
	plan_bsd_addrs(p, req, f);
	if (req->role == ROLE_CLIENT)
		plan_bsd_client_routes(p, req, f);
	else
		plan_bsd_server_routes(p, req);
}
