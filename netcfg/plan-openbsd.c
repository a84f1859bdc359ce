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
 * OpenBSD plans.  A server's rules live in the pf anchor "dsvpnd",
 * loaded with "pfctl -a dsvpnd -f -" and flushed whole.  pf.conf must
 * call it, after its own block rules, since the last matching rule
 * wins:
 *
 *	anchor "dsvpnd"
 *
 * (nat-to is a filter rule option since OpenBSD 4.7: no nat-anchor.)
 * netcfg_startup_check() warns when "pfctl -sr" shows no such anchor.
 * With "nat on egress" the rules name pf's own egress group, which
 * follows the default route.  The anti-spoof block keeps packets for our
 * tunnel address from arriving on egress.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "plan.h"

#define PF_RULES_MAX	2048

static void
pf_family(char *buf, size_t len, const struct netcfg_req *req,
    const char *ext, const char *fam, const char *local, const char *peer)
{
	char	 line[256];

	snprintf(line, sizeof(line), "pass in on %s %s from %s\n",
	    req->ifname, fam, peer);
	strlcat(buf, line, len);
	if (ext != NULL) {
		snprintf(line, sizeof(line), "pass out on %s %s from %s "
		    "nat-to (%s)\n", ext, fam, peer, ext);
		strlcat(buf, line, len);
	}
	snprintf(line, sizeof(line), "block drop in quick on egress %s "
	    "to %s\n", fam, local);
	strlcat(buf, line, len);
}

/* The anchor's rules, for the plan and for "dsvpnd -nv". */
int
plan_pf_render(char *buf, size_t len, const struct netcfg_req *req)
{
	char		 l[PLAN_ADDRSTRLEN], r[PLAN_ADDRSTRLEN];
	const char	*ext = NULL;

	if (req->nat == NAT_EGRESS)
		ext = "egress";
	else if (req->nat == NAT_IFACE)
		ext = req->nat_if;
	buf[0] = '\0';
	pf_family(buf, len, req, ext, "inet",
	    fmt_in(l, sizeof(l), &req->inet_local),
	    fmt_in(r, sizeof(r), &req->inet_peer));
	if (req->inet6)
		pf_family(buf, len, req, ext, "inet6",
		    fmt_in6(l, sizeof(l), &req->inet6_local),
		    fmt_in6(r, sizeof(r), &req->inet6_peer));
	return (strlen(buf) + 1 >= len ? -1 : 0);
}

static void
plan_openbsd_pf(struct plan *p, const struct netcfg_req *req)
{
	char		 rules[PF_RULES_MAX];
	struct argv	*a;

	a = argv_new(OPENBSD_PATH_PFCTL, "-a", NETCFG_NAME, "-f", "-", NULL);
	if (plan_pf_render(rules, sizeof(rules), req) == -1 ||
	    argv_input(a, rules) == -1) {
		argv_free(a);
		a = NULL;
	}
	plan_add(p, a, argv_new(OPENBSD_PATH_PFCTL, "-a", NETCFG_NAME, "-F",
	    "rules", NULL));
}

void
plan_render_openbsd(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	if (req->role == ROLE_SERVER)
		plan_bsd_forwarding(p, req, f);
	plan_bsd_addrs(p, req);
	if (req->role == ROLE_SERVER)
		plan_openbsd_pf(p, req);
	else
		plan_bsd_client_routes(p, req, f);
}
