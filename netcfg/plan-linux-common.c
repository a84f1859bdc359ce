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
 * wg-quick way: default routes in table 42069, "not fwmark 42069 lookup
 * 42069" (the transport socket carries SO_MARK 42069), and "lookup main
 * suppress_prefixlength 0" so that the main table's more specific routes
 * (the LAN) still win.  Without a tunnel inet6 address, IPv6 is
 * blackholed in table 42069 rather than leaking outside the tunnel.
 * "route" prefixes go into the main table, with or without a default
 * route, so they win over the main table's own less specific routes.
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

void
plan_linux_addrs(struct plan *p, const struct netcfg_req *req)
{
	char	 l[PLAN_ADDRSTRLEN], r[PLAN_ADDRSTRLEN];

	/* Up first: taking it down on revert would drop IPv6 addresses. */
	plan_add_swap(p, argv_new(IP, "link", "set", "dev", req->ifname,
	    "up", NULL), "up", "down");
	fmt_in(l, sizeof(l), &req->inet_local);
	fmt_in(r, sizeof(r), &req->inet_peer);
	plan_add_swap(p, argv_new(IP, "-4", "addr", "add", l, "peer", r,
	    "dev", req->ifname, NULL), "add", "del");
	if (req->inet6) {
		fmt_in6(l, sizeof(l), &req->inet6_local);
		fmt_in6(r, sizeof(r), &req->inet6_peer);
		plan_add_swap(p, argv_new(IP, "-6", "addr", "add", l, "peer",
		    r, "dev", req->ifname, NULL), "add", "del");
	}
}

static void
policy_rules(struct plan *p, const char *fam)
{
	char	 mark[16], table[16], pref[16];

	snprintf(mark, sizeof(mark), "%d", NETCFG_FWMARK);
	snprintf(table, sizeof(table), "%d", NETCFG_TABLE);
	snprintf(pref, sizeof(pref), "%d", NETCFG_PREF_SUPPRESS);
	plan_add_swap(p, argv_new(IP, fam, "rule", "add", "pref", pref,
	    "table", "main", "suppress_prefixlength", "0", NULL),
	    "add", "del");
	snprintf(pref, sizeof(pref), "%d", NETCFG_PREF_FWMARK);
	plan_add_swap(p, argv_new(IP, fam, "rule", "add", "pref", pref,
	    "not", "fwmark", mark, "table", table, NULL), "add", "del");
}

static void
default_routes(struct plan *p, const struct netcfg_req *req)
{
	char	 table[16];

	snprintf(table, sizeof(table), "%d", NETCFG_TABLE);
	plan_add_swap(p, argv_new(IP, "-4", "route", "add", "default",
	    "dev", req->ifname, "table", table, NULL), "add", "del");
	if (req->inet6)
		plan_add_swap(p, argv_new(IP, "-6", "route", "add",
		    "default", "dev", req->ifname, "table", table, NULL),
		    "add", "del");
	else
		plan_add_swap(p, argv_new(IP, "-6", "route", "add",
		    "blackhole", "default", "table", table, NULL),
		    "add", "del");
	policy_rules(p, "-4");
	policy_rules(p, "-6");
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

void
plan_render_linux(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	plan_linux_sysctls(p, req, f);
	plan_linux_addrs(p, req);
	if (p->os == NETCFG_OS_LINUX_NFT)
		plan_linux_nft(p, req, f);
	else
		plan_linux_iptables(p, req, f);
	if (req->role == ROLE_CLIENT)
		plan_linux_client_routes(p, req);
}
