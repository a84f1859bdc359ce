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
 * Linux firewall, iptables backend: chains of our own (DSVPND-RAW in
 * raw, DSVPND-FWD in filter, DSVPND-NAT in nat), filled first and then
 * jumped to from the builtin chains, so a flush finds everything by name.
 * IPv6 gets the same through ip6tables, NAT66 included.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "plan.h"

#define CHAIN_RAW	"DSVPND-RAW"
#define CHAIN_FWD	"DSVPND-FWD"
#define CHAIN_NAT	"DSVPND-NAT"

struct ipt {
	const char	*cmd;		/* iptables or ip6tables */
	const char	*local;		/* our tunnel address/len */
	const char	*peer;		/* the client's */
};

static void
chain_new(struct plan *p, const struct ipt *t, const char *table,
    const char *chain)
{
	plan_add_swap(p, argv_new(t->cmd, "-w", "-t", table, "-N", chain,
	    NULL), "-N", "-X");
}

static void
chain_jump(struct plan *p, const struct ipt *t, const char *table,
    const char *builtin, const char *chain)
{
	plan_add_swap(p, argv_new(t->cmd, "-w", "-t", table, "-I", builtin,
	    "-j", chain, NULL), "-I", "-D");
}

/* Packets for our tunnel address arriving elsewhere, not from us. */
static void
ipt_raw(struct plan *p, const struct ipt *t, const char *ifname)
{
	chain_new(p, t, "raw", CHAIN_RAW);
	plan_add_swap(p, argv_new(t->cmd, "-w", "-t", "raw", "-A", CHAIN_RAW,
	    "!", "-i", ifname, "-d", t->local, "-m", "addrtype", "!",
	    "--src-type", "LOCAL", "-j", "DROP", NULL), "-A", "-D");
	chain_jump(p, t, "raw", "PREROUTING", CHAIN_RAW);
}

static void
ipt_forward(struct plan *p, const struct ipt *t, const char *ifname)
{
	chain_new(p, t, "filter", CHAIN_FWD);
	plan_add_swap(p, argv_new(t->cmd, "-w", "-t", "filter", "-A",
	    CHAIN_FWD, "-i", ifname, "-j", "ACCEPT", NULL), "-A", "-D");
	plan_add_swap(p, argv_new(t->cmd, "-w", "-t", "filter", "-A",
	    CHAIN_FWD, "-o", ifname, "-m", "conntrack", "--ctstate",
	    "RELATED,ESTABLISHED", "-j", "ACCEPT", NULL), "-A", "-D");
	chain_jump(p, t, "filter", "FORWARD", CHAIN_FWD);
}

static void
ipt_nat(struct plan *p, const struct ipt *t, const char *ext_if)
{
	chain_new(p, t, "nat", CHAIN_NAT);
	plan_add_swap(p, argv_new(t->cmd, "-w", "-t", "nat", "-A", CHAIN_NAT,
	    "-o", ext_if, "-s", t->peer, "-j", "MASQUERADE", NULL),
	    "-A", "-D");
	chain_jump(p, t, "nat", "POSTROUTING", CHAIN_NAT);
}

static void
ipt_family(struct plan *p, const struct netcfg_req *req, const struct ipt *t,
    const char *ext_if)
{
	ipt_raw(p, t, req->ifname);
	if (req->role != ROLE_SERVER)
		return;
	ipt_forward(p, t, req->ifname);
	if (ext_if != NULL)
		ipt_nat(p, t, ext_if);
}

void
plan_linux_iptables(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	char		 l[PLAN_ADDRSTRLEN], r[PLAN_ADDRSTRLEN];
	char		 a[PLAN_ADDRSTRLEN];
	const char	*ext_if;
	struct ipt	 t;

	ext_if = plan_nat_if(p, req, f);
	snprintf(l, sizeof(l), "%s/32", fmt_in(a, sizeof(a),
	    &req->inet_local));
	snprintf(r, sizeof(r), "%s/32", fmt_in(a, sizeof(a),
	    &req->inet_peer));
	t.cmd = LINUX_PATH_IPTABLES;
	t.local = l;
	t.peer = r;
	ipt_family(p, req, &t, ext_if);
	if (!req->inet6)
		return;
	snprintf(l, sizeof(l), "%s/128", fmt_in6(a, sizeof(a),
	    &req->inet6_local));
	snprintf(r, sizeof(r), "%s/128", fmt_in6(a, sizeof(a),
	    &req->inet6_peer));
	t.cmd = LINUX_PATH_IP6TABLES;
	ipt_family(p, req, &t, ext_if);
}
