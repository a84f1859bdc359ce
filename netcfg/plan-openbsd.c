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
 * OpenBSD plans.  Rules live in the instance's pf anchor ("dsvpnd" for
 * the default instance), loaded with "pfctl -a ANCHOR -f -", which
 * replaces the anchor's rules atomically, and flushed whole.  pf.conf
 * must call it, after its own block rules, since the last matching rule
 * wins:
 *
 *	anchor "dsvpnd"
 *
 * (nat-to is a filter rule option since OpenBSD 4.7: no nat-anchor.)
 * netcfg_startup_check() warns when "pfctl -sr" shows no such anchor.
 *
 * A server's anchor passes the tunnel's traffic, NATs its clients (the
 * client's address or the pool, and the networks behind clients) with
 * "nat on egress" naming pf's own egress group, and keeps packets for
 * the tunnel's addresses from arriving on egress.
 *
 * A client with "block outside" gets the kill switch there, in quick
 * rules (the first match decides): lo0 and the tunnel pass, so do the
 * transport (TCP to the server's addresses), the resolver's lookups
 * (its user, port 53) when the server is a name, DHCP, DHCPv6 and
 * ICMPv6 neighbour and router discovery and MLD reports; everything
 * else is blocked, and state lets the replies in.  The routes of
 * plan-bsd-common.c come under it.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "plan.h"

struct pf_ctx {
	struct text	*t;
	const char	*ext;
	const char	*fam;
};

static void
pf_pass_in(void *arg, const char *src)
{
	struct pf_ctx	*c = arg;

	text_add(c->t, "pass in on %s %s from %s\n", c->ext, c->fam, src);
}

static void
pf_nat(void *arg, const char *src)
{
	struct pf_ctx	*c = arg;

	text_add(c->t, "pass out on %s %s from %s nat-to (%s)\n", c->ext,
	    c->fam, src, c->ext);
}

static void
pf_server_family(struct text *t, const struct netcfg_req *req,
    const char *ext, int af)
{
	char				 a[PLAN_ADDRSTRLEN];
	const struct conf_prefix	*pool;
	const char			*fam = af == AF_INET ? "inet" : "inet6";
	struct pf_ctx			 c = { t, req->ifname, fam };

	plan_nat_sources(req, af, pf_pass_in, &c);
	if (ext != NULL) {
		c.ext = ext;
		plan_nat_sources(req, af, pf_nat, &c);
	}
	pool = af == AF_INET ? &req->pool4 : &req->pool6;
	if (pool->af != 0)
		fmt_prefix(a, sizeof(a), pool);
	else if (af == AF_INET)
		fmt_in(a, sizeof(a), &req->inet_local);
	else
		fmt_in6(a, sizeof(a), &req->inet6_local);
	text_add(t, "block drop in quick on egress %s to %s\n", fam, a);
}

static void
pf_server(struct text *t, const struct netcfg_req *req)
{
	const char	*ext = NULL;

	if (req->nat == NAT_EGRESS)
		ext = "egress";
	else if (req->nat == NAT_IFACE)
		ext = req->nat_if;
	pf_server_family(t, req, ext, AF_INET);
	if (req->inet6)
		pf_server_family(t, req, ext, AF_INET6);
}

static void
pf_client(struct text *t, const struct netcfg_req *req)
{
	char		 a[PLAN_ADDRSTRLEN];
	uint32_t	 i;

	text_add(t, "pass quick on lo0 all\n"
	    "pass quick on %s all\n", req->ifname);
	for (i = 0; i < req->n_servers; i++)
		text_add(t, "pass out quick proto { tcp udp } to %s\n",
		    fmt_addr(a, sizeof(a), &req->servers[i]));
	if (req->dns_uid != NETCFG_NO_UID)
		text_add(t, "pass out quick proto { tcp udp } to port 53 "
		    "user %d\n", req->dns_uid);
	text_add(t, "pass out quick inet proto udp from port 68 to port 67\n"
	    "pass in quick inet proto udp from port 67 to port 68\n"
	    "pass out quick inet6 proto udp from fe80::/10 port 546 "
	    "to port 547\n"
	    "pass in quick inet6 proto udp from port 547 to port 546\n"
	    "pass out quick inet6 proto icmp6 icmp6-type { routersol "
	    "neighbrsol neighbradv }\n"
	    "pass in quick inet6 proto icmp6 icmp6-type { routeradv "
	    "neighbrsol neighbradv redir }\n"
	    "pass out quick inet6 proto icmp6 from fe80::/10 icmp6-type 143\n"
	    "pass in quick inet6 proto icmp6 from fe80::/10 icmp6-type 130\n"
	    "block drop quick all\n");
}

/* The anchor's rules, for the plan and for "dsvpnd -nvv". */
int
plan_pf_render(struct text *t, const struct plan *p,
    const struct netcfg_req *req)
{
	if (req->role == ROLE_SERVER)
		pf_server(t, req);
	else if (req->block_outside)
		pf_client(t, req);
	return (t->failed ? -1 : 0);
}

static void
plan_openbsd_pf(struct plan *p, const struct netcfg_req *req)
{
	const char	*anchor = p->names.base;
	struct text	 t;

	text_init(&t);
	plan_pf_render(&t, p, req);
	plan_add_resource(p, "pf", argv_new(OPENBSD_PATH_PFCTL, "-a", anchor,
	    "-f", "-", NULL), &t, argv_new(OPENBSD_PATH_PFCTL, "-a", anchor,
	    "-F", "rules", NULL));
}

void
plan_render_openbsd(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	if (req->role == ROLE_SERVER || req->block_outside)
		plan_openbsd_pf(p, req);
	plan_bsd_seal(p, req, f);
	if (req->role == ROLE_SERVER)
		plan_bsd_forwarding(p, req, f);
	plan_bsd_addrs(p, req, f);
	if (req->role == ROLE_CLIENT)
		plan_bsd_client_routes(p, req, f);
	else
		plan_bsd_server_routes(p, req);
}
