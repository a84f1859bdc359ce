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
 * Linux firewall, iptables backend: chains of the instance's own
 * (DSVPND-RAW in raw, DSVPND-FWD in filter, DSVPND-NAT in nat, and for
 * a client with "block outside" DSVPND-OUT and DSVPND-IN in filter, for
 * the default instance), filled first and then jumped to from the
 * builtin chains, so a flush finds everything by name.  IPv6 gets the
 * same through ip6tables, NAT66 included.
 *
 * The kill switch chains end in DROP; what may pass RETURNs to the
 * builtin chain, so the host's own rules still see it.  Those RETURNs
 * are inserted at the top (-I), the DROP appended (-A): a transition
 * that adds a RETURN puts it before the DROP that is already there.
 * What passes is what the nftables backend lets pass (plan-linux-nft.c).
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "plan.h"

#define MATCH(...)	((const char *const []){ __VA_ARGS__, NULL })
#define ARGV_MAX	24

static const char *const no_match[] = { NULL };

struct ipt {
	const char		*cmd;		/* iptables or ip6tables */
	int			 af;
	const char		*local;		/* what anti-spoof guards */
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

/* cmd -w -t table op chain match... -j target, undone with -D. */
static void
rule(struct plan *p, const struct ipt *t, const char *table,
    const char *op, const char *chain, const char *const *match,
    const char *target)
{
	const char	*v[ARGV_MAX];
	size_t		 n = 0, i;

	v[n++] = t->cmd;
	v[n++] = "-w";
	v[n++] = "-t";
	v[n++] = table;
	v[n++] = op;
	v[n++] = chain;
	for (i = 0; match[i] != NULL && n < ARGV_MAX - 3; i++)
		v[n++] = match[i];
	if (match[i] != NULL) {
		p->failed = 1;
		return;
	}
	v[n++] = "-j";
	v[n++] = target;
	v[n] = NULL;
	plan_add_swap(p, argv_from(v), op, "-D");
}

/* Packets for our tunnel addresses arriving elsewhere, not from us. */
static void
ipt_raw(struct plan *p, const struct ipt *t, const char *ifname)
{
	const char	*chain = p->names.chain_raw;

	chain_new(p, t, "raw", chain);
	rule(p, t, "raw", "-A", chain, MATCH("!", "-i", ifname, "-d",
	    t->local, "-m", "addrtype", "!", "--src-type", "LOCAL"), "DROP");
	chain_jump(p, t, "raw", "PREROUTING", chain);
}

static void
ipt_forward(struct plan *p, const struct ipt *t, const char *ifname)
{
	const char	*chain = p->names.chain_fwd;

	chain_new(p, t, "filter", chain);
	rule(p, t, "filter", "-A", chain, MATCH("-i", ifname), "ACCEPT");
	rule(p, t, "filter", "-A", chain, MATCH("-o", ifname, "-m",
	    "conntrack", "--ctstate", "RELATED,ESTABLISHED"), "ACCEPT");
	chain_jump(p, t, "filter", "FORWARD", chain);
}

struct nat_ctx {
	struct plan		*p;
	const struct ipt	*t;
	const char		*ext_if;
};

static void
nat_rule(void *arg, const char *src)
{
	struct nat_ctx	*c = arg;
	char		 s[PLAN_ADDRSTRLEN];

	/* A bare address as iptables-save shows it: with its length. */
	snprintf(s, sizeof(s), "%s%s", src, strchr(src, '/') != NULL ? "" :
	    c->t->af == AF_INET ? "/32" : "/128");
	rule(c->p, c->t, "nat", "-A", c->p->names.chain_nat,
	    MATCH("-o", c->ext_if, "-s", s), "MASQUERADE");
}

static void
ipt_nat(struct plan *p, const struct netcfg_req *req, const struct ipt *t,
    const char *ext_if)
{
	struct nat_ctx	 c = { p, t, ext_if };

	chain_new(p, t, "nat", p->names.chain_nat);
	plan_nat_sources(req, t->af, nat_rule, &c);
	chain_jump(p, t, "nat", "POSTROUTING", p->names.chain_nat);
}

static void
pass(struct plan *p, const struct ipt *t, const char *chain,
    const char *const *match)
{
	rule(p, t, "filter", "-I", chain, match, "RETURN");
}

static void
ipt_output(struct plan *p, const struct netcfg_req *req, const struct ipt *t)
{
	const char	*c = p->names.chain_out;
	char		 mark[16], uid[16];

	fmt_u(mark, sizeof(mark), p->names.fwmark);
	chain_new(p, t, "filter", c);
	pass(p, t, c, MATCH("-o", "lo"));
	pass(p, t, c, MATCH("-o", req->ifname));
	pass(p, t, c, MATCH("-m", "mark", "--mark", mark));
	if (req->dns_uid != NETCFG_NO_UID) {
		snprintf(uid, sizeof(uid), "%d", req->dns_uid);
		pass(p, t, c, MATCH("-m", "owner", "--uid-owner", uid, "-p",
		    "udp", "--dport", "53"));
		pass(p, t, c, MATCH("-m", "owner", "--uid-owner", uid, "-p",
		    "tcp", "--dport", "53"));
	}
	if (t->af == AF_INET)
		pass(p, t, c, MATCH("-p", "udp", "--sport", "68", "--dport",
		    "67"));
	else {
		pass(p, t, c, MATCH("-s", "fe80::/10", "-p", "udp", "--sport",
		    "546", "--dport", "547"));
		pass(p, t, c, MATCH("-p", "ipv6-icmp", "--icmpv6-type",
		    "router-solicitation", "-m", "hl", "--hl-eq", "255"));
		pass(p, t, c, MATCH("-p", "ipv6-icmp", "--icmpv6-type",
		    "neighbour-solicitation", "-m", "hl", "--hl-eq", "255"));
		pass(p, t, c, MATCH("-p", "ipv6-icmp", "--icmpv6-type",
		    "neighbour-advertisement", "-m", "hl", "--hl-eq", "255"));
		pass(p, t, c, MATCH("-s", "fe80::/10", "-p", "ipv6-icmp",
		    "--icmpv6-type", "143"));
	}
	rule(p, t, "filter", "-A", c, no_match, "DROP");
	chain_jump(p, t, "filter", "OUTPUT", c);
}

static void
ipt_input(struct plan *p, const struct netcfg_req *req, const struct ipt *t)
{
	const char	*c = p->names.chain_in;

	chain_new(p, t, "filter", c);
	pass(p, t, c, MATCH("-i", "lo"));
	pass(p, t, c, MATCH("-i", req->ifname));
	pass(p, t, c, MATCH("-m", "conntrack", "--ctstate",
	    "RELATED,ESTABLISHED"));
	if (t->af == AF_INET)
		pass(p, t, c, MATCH("-p", "udp", "--sport", "67", "--dport",
		    "68"));
	else {
		pass(p, t, c, MATCH("-p", "udp", "--sport", "547", "--dport",
		    "546"));
		pass(p, t, c, MATCH("-p", "ipv6-icmp", "--icmpv6-type",
		    "router-advertisement", "-m", "hl", "--hl-eq", "255"));
		pass(p, t, c, MATCH("-p", "ipv6-icmp", "--icmpv6-type",
		    "neighbour-solicitation", "-m", "hl", "--hl-eq", "255"));
		pass(p, t, c, MATCH("-p", "ipv6-icmp", "--icmpv6-type",
		    "neighbour-advertisement", "-m", "hl", "--hl-eq", "255"));
		pass(p, t, c, MATCH("-p", "ipv6-icmp", "--icmpv6-type",
		    "redirect", "-m", "hl", "--hl-eq", "255"));
		pass(p, t, c, MATCH("-s", "fe80::/10", "-p", "ipv6-icmp",
		    "--icmpv6-type", "130"));
	}
	rule(p, t, "filter", "-A", c, no_match, "DROP");
	chain_jump(p, t, "filter", "INPUT", c);
}

static void
ipt_family(struct plan *p, const struct netcfg_req *req, const struct ipt *t,
    const char *ext_if)
{
	if (req->role == ROLE_CLIENT && req->block_outside) {
		ipt_output(p, req, t);
		ipt_input(p, req, t);
	}
	if (req->have_addrs)
		ipt_raw(p, t, req->ifname);
	if (req->role != ROLE_SERVER)
		return;
	ipt_forward(p, t, req->ifname);
	if (ext_if != NULL)
		ipt_nat(p, req, t, ext_if);
}

/* What the anti-spoof rule guards: our address, or the whole pool. */
static void
guarded(char *buf, size_t len, const struct conf_prefix *pool, int af,
    const void *local)
{
	struct conf_prefix	 host;

	if (pool->af != 0) {
		fmt_prefix(buf, len, pool);
		return;
	}
	memset(&host, 0, sizeof(host));
	host.af = af;
	host.plen = af == AF_INET ? 32 : 128;
	memcpy(&host.addr, local, af == AF_INET ? 4 : 16);
	fmt_prefix(buf, len, &host);
}

void
plan_linux_iptables(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	char		 l[PLAN_ADDRSTRLEN];
	const char	*ext_if;
	struct ipt	 t;

	ext_if = plan_nat_if(p, req, f);
	guarded(l, sizeof(l), &req->pool4, AF_INET, &req->inet_local);
	t.cmd = LINUX_PATH_IPTABLES;
	t.af = AF_INET;
	t.local = l;
	ipt_family(p, req, &t, ext_if);
	if (!req->inet6 && !(req->role == ROLE_CLIENT && req->block_outside))
		return;
	/* Without inet6 in the tunnel, IPv6 still gets the kill switch. */
	guarded(l, sizeof(l), &req->pool6, AF_INET6, &req->inet6_local);
	t.cmd = LINUX_PATH_IP6TABLES;
	t.af = AF_INET6;
	if (!req->inet6) {
		ipt_output(p, req, &t);
		ipt_input(p, req, &t);
		return;
	}
	ipt_family(p, req, &t, ext_if);
}
