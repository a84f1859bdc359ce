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
 * Linux plans, the parts both firewall backends share: sysctls,
 * addresses, link state and the client's policy routing.
 *
 * The client routes everything but its own transport into the tunnel the
 * wg-quick way, with the instance's table, mark and priorities (42069,
 * 42069, 32068 and 32069 for the default instance): default routes in
 * the table, "not fwmark M lookup T" (the transport socket carries
 * SO_MARK M), and "lookup main suppress_prefixlength 0" so that the main
 * table's more specific routes (the LAN) still win.  When the server is
 * a name, "uidrange U-U lookup main" sends the resolver's lookups around
 * the tunnel.  Without a tunnel inet6 address, IPv6 is blackholed in the
 * table rather than leaking outside the tunnel.  With "block outside",
 * the table also ends in unreachable routes at the highest metric: when
 * the TUN device vanishes (a kill -9) and its routes with it, lookups
 * still stop in our table instead of falling through to main.  "route"
 * prefixes go into the main table, with or without a default route, so
 * they win over the main table's own less specific routes.
 *
 * The firewall step comes first and is undone last, so the kill switch
 * is there before anything else and until everything else has gone.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "plan.h"

#define IP	LINUX_PATH_IP

/*
 * A server forwards.  Beware: all.forwarding=1 makes every interface a
 * router, and a router ignores router advertisements unless accept_ra
 * is 2, so a server that gets its IPv6 default route by SLAAC needs
 * accept_ra=2 on its external interface (documented, not done here).
 *
 * A client gets bbr for the transport where the kernel has it; a
 * network namespace may only pick what tcp_allowed_congestion_control
 * lists, so failing to is no reason to fail the plan (a soft step).
 */
void
plan_linux_sysctls(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	size_t	 n = p->n;

	if (req->role == ROLE_SERVER) {
		plan_sysctl(p, "net.ipv4.ip_forward", "1", f->ip_forward);
		if (req->inet6)
			plan_sysctl(p, "net.ipv6.conf.all.forwarding", "1",
			    f->ip6_forward);
	} else if (f->have_bbr) {
		plan_sysctl(p, "net.ipv4.tcp_congestion_control", "bbr",
		    f->cc);
		plan_soft(p, n);
	}
}

/* LOCAL peer PEER, or LOCAL/LEN on a server with a pool. */
static void
addr(struct plan *p, const struct netcfg_req *req, const char *fam,
    const char *l, const char *r, const struct conf_prefix *pool)
{
	char	 lp[PLAN_ADDRSTRLEN];

	if (pool->af != 0) {
		snprintf(lp, sizeof(lp), "%s/%u", l, pool->plen);
		plan_add_swap(p, argv_new(IP, fam, "addr", "add", lp, "dev",
		    req->ifname, NULL), "add", "del");
	} else
		plan_add_swap(p, argv_new(IP, fam, "addr", "add", l, "peer",
		    r, "dev", req->ifname, NULL), "add", "del");
	/* One address, one form: a new peer or length replaces it. */
	plan_key(p, fam, l);
}

void
plan_linux_addrs(struct plan *p, const struct netcfg_req *req)
{
	char	 l[PLAN_ADDRSTRLEN], r[PLAN_ADDRSTRLEN];

	/* Up first: taking it down on revert would drop IPv6 addresses. */
	plan_add_swap(p, argv_new(IP, "link", "set", "dev", req->ifname,
	    "up", NULL), "up", "down");
	if (!req->have_addrs)
		return;
	fmt_in(l, sizeof(l), &req->inet_local);
	fmt_in(r, sizeof(r), &req->inet_peer);
	addr(p, req, "-4", l, r, &req->pool4);
	if (req->inet6) {
		fmt_in6(l, sizeof(l), &req->inet6_local);
		fmt_in6(r, sizeof(r), &req->inet6_peer);
		addr(p, req, "-6", l, r, &req->pool6);
	}
}

static void
policy_rules(struct plan *p, const struct netcfg_req *req, const char *fam)
{
	const struct instance_names	*n = &p->names;
	char				 mark[16], table[16], pref[16];
	char				 uids[32];

	fmt_u(mark, sizeof(mark), n->fwmark);
	fmt_u(table, sizeof(table), n->table);
	if (req->dns_uid != NETCFG_NO_UID) {
		snprintf(uids, sizeof(uids), "%d-%d", req->dns_uid,
		    req->dns_uid);
		plan_add_swap(p, argv_new(IP, fam, "rule", "add", "pref",
		    fmt_u(pref, sizeof(pref), n->pref_uid), "uidrange", uids,
		    "table", "main", NULL), "add", "del");
	}
	plan_add_swap(p, argv_new(IP, fam, "rule", "add", "pref",
	    fmt_u(pref, sizeof(pref), n->pref_suppress), "table", "main",
	    "suppress_prefixlength", "0", NULL), "add", "del");
	plan_add_swap(p, argv_new(IP, fam, "rule", "add", "pref",
	    fmt_u(pref, sizeof(pref), n->pref_fwmark), "not", "fwmark", mark,
	    "table", table, NULL), "add", "del");
}

/*
 * Metrics keep every route of the table apart, so that a transition can
 * add one before removing another for the same destination: the tunnel
 * at the default metric (0 for IPv4, 1024 for IPv6), the blackhole of an
 * IPv6-less tunnel at 2048, the fallback at the highest.
 */
static void
default_routes(struct plan *p, const struct netcfg_req *req)
{
	char	 table[16];

	fmt_u(table, sizeof(table), p->names.table);
	plan_add_swap(p, argv_new(IP, "-4", "route", "add", "default",
	    "dev", req->ifname, "table", table, NULL), "add", "del");
	if (req->inet6)
		plan_add_swap(p, argv_new(IP, "-6", "route", "add",
		    "default", "dev", req->ifname, "table", table, NULL),
		    "add", "del");
	else
		plan_add_swap(p, argv_new(IP, "-6", "route", "add",
		    "blackhole", "default", "table", table, "metric", "2048",
		    NULL), "add", "del");
	if (req->block_outside) {
		plan_add_swap(p, argv_new(IP, "-4", "route", "add",
		    "unreachable", "default", "table", table, "metric",
		    "4294967295", NULL), "add", "del");
		plan_add_swap(p, argv_new(IP, "-6", "route", "add",
		    "unreachable", "default", "table", table, "metric",
		    "4294967295", NULL), "add", "del");
	}
	policy_rules(p, req, "-4");
	policy_rules(p, req, "-6");
}

void
plan_linux_client_routes(struct plan *p, const struct netcfg_req *req)
{
	char		 pfx[PLAN_ADDRSTRLEN];
	uint32_t	 i;

	if (req->default_route)
		default_routes(p, req);
	for (i = 0; i < req->n_routes; i++) {
		fmt_prefix(pfx, sizeof(pfx), &req->routes[i]);
		plan_add_swap(p, argv_new(IP,
		    req->routes[i].af == AF_INET6 ? "-6" : "-4", "route",
		    "add", pfx, "dev", req->ifname, NULL), "add", "del");
	}
}

/* The networks behind clients (site to site) go into the tunnel. */
void
plan_linux_server_routes(struct plan *p, const struct netcfg_req *req)
{
	char		 pfx[PLAN_ADDRSTRLEN];
	uint32_t	 i;

	for (i = 0; i < req->n_client_nets; i++) {
		fmt_prefix(pfx, sizeof(pfx), &req->client_nets[i]);
		plan_add_swap(p, argv_new(IP,
		    req->client_nets[i].af == AF_INET6 ? "-6" : "-4",
		    "route", "add", pfx, "dev", req->ifname, NULL), "add",
		    "del");
	}
}

void
plan_render_linux(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	if (p->os == NETCFG_OS_LINUX_NFT)
		plan_linux_nft(p, req, f);
	else
		plan_linux_iptables(p, req, f);
	plan_linux_sysctls(p, req, f);
	plan_linux_addrs(p, req);
	if (req->role == ROLE_CLIENT)
		plan_linux_client_routes(p, req);
	else
		plan_linux_server_routes(p, req);
}
