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
 * Linux firewall, nftables backend: one table of the instance's own,
 * "inet dsvpnd" for the default instance, always loaded as one atomic
 * transaction that replaces it whole ("add table; delete table; table
 * { ... }"), so a reload swaps the old rules for the new with no moment
 * between, and removed whole.  It holds:
 *
 *  - raw: packets for our tunnel addresses (a server's whole pool)
 *    arriving on another interface from a non-local source are dropped;
 *  - forward, postrouting (server): forwarding for the tunnel and NAT;
 *  - output, input (a client with "block outside"): the kill switch.
 *    Nothing leaves but through lo or the tunnel, except the transport
 *    (it carries the instance's fwmark), the resolver's lookups of the
 *    server (its uid, port 53) when the server is a name, DHCPv4 and
 *    DHCPv6, and ICMPv6 neighbour and router discovery (hop limit 255:
 *    it cannot leave the link) and MLD reports from link-local
 *    addresses; and nothing comes in but through lo or the tunnel,
 *    replies to what went out, DHCP and ICMPv6 discovery.
 *
 * Our accepts do not override drops in other tables (each base chain
 * decides for itself): a host whose own ruleset drops forwarded traffic
 * must allow the tunnel there.  NAT in an inet table needs Linux 5.2 or
 * later; use "firewall iptables" on older kernels.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "plan.h"

static void
nft_spoof(struct text *t, const struct netcfg_req *req, const char *fam,
    const char *dst)
{
	text_add(t, "\t\tiifname != \"%s\" %s daddr %s fib saddr type != "
	    "local drop\n", req->ifname, fam, dst);
}

static void
nft_raw(struct text *t, const struct netcfg_req *req)
{
	char	 a[PLAN_ADDRSTRLEN];

	if (!req->have_addrs)
		return;
	text_add(t, "\tchain raw {\n"
	    "\t\ttype filter hook prerouting priority -300; "
	    "policy accept;\n");
	if (req->pool4.af != 0)
		nft_spoof(t, req, "ip", fmt_prefix(a, sizeof(a), &req->pool4));
	else
		nft_spoof(t, req, "ip", fmt_in(a, sizeof(a),
		    &req->inet_local));
	if (req->inet6 && req->pool6.af != 0)
		nft_spoof(t, req, "ip6", fmt_prefix(a, sizeof(a),
		    &req->pool6));
	else if (req->inet6)
		nft_spoof(t, req, "ip6", fmt_in6(a, sizeof(a),
		    &req->inet6_local));
	text_add(t, "\t}\n");
}

static void
nft_forward(struct text *t, const struct netcfg_req *req)
{
	text_add(t, "\tchain forward {\n"
	    "\t\ttype filter hook forward priority 0; policy accept;\n"
	    "\t\tiifname \"%s\" accept\n"
	    "\t\toifname \"%s\" ct state established,related accept\n"
	    "\t}\n", req->ifname, req->ifname);
}

struct nat_ctx {
	struct text	*t;
	const char	*ext_if;
	const char	*fam;
};

static void
nat_rule(void *arg, const char *src)
{
	struct nat_ctx	*c = arg;

	text_add(c->t, "\t\toifname \"%s\" %s saddr %s masquerade\n",
	    c->ext_if, c->fam, src);
}

/* Masquerade the clients' sources, IPv4 and IPv6 (NAT66). */
static void
nft_nat(struct text *t, const struct netcfg_req *req, const char *ext_if)
{
	struct nat_ctx	 c = { t, ext_if, "ip" };

	text_add(t, "\tchain postrouting {\n"
	    "\t\ttype nat hook postrouting priority 100; "
	    "policy accept;\n");
	plan_nat_sources(req, AF_INET, nat_rule, &c);
	if (req->inet6) {
		c.fam = "ip6";
		plan_nat_sources(req, AF_INET6, nat_rule, &c);
	}
	text_add(t, "\t}\n");
}

static void
nft_output(struct text *t, const struct plan *p, const struct netcfg_req *req)
{
	text_add(t, "\tchain output {\n"
	    "\t\ttype filter hook output priority 0; policy accept;\n"
	    "\t\toifname \"lo\" accept\n"
	    "\t\toifname \"%s\" accept\n"
	    "\t\tmeta mark %u accept\n", req->ifname, p->names.fwmark);
	if (req->dns_uid != NETCFG_NO_UID)
		text_add(t, "\t\tmeta skuid %d udp dport 53 accept\n"
		    "\t\tmeta skuid %d tcp dport 53 accept\n", req->dns_uid,
		    req->dns_uid);
	text_add(t, "\t\tudp sport 68 udp dport 67 accept\n"
	    "\t\tip6 saddr fe80::/10 udp sport 546 udp dport 547 accept\n"
	    "\t\ticmpv6 type { nd-router-solicit, nd-neighbor-solicit, "
	    "nd-neighbor-advert } ip6 hoplimit 255 accept\n"
	    "\t\tip6 saddr fe80::/10 icmpv6 type mld2-listener-report "
	    "accept\n"
	    "\t\tcounter drop\n"
	    "\t}\n");
}

static void
nft_input(struct text *t, const struct netcfg_req *req)
{
	text_add(t, "\tchain input {\n"
	    "\t\ttype filter hook input priority 0; policy accept;\n"
	    "\t\tiifname \"lo\" accept\n"
	    "\t\tiifname \"%s\" accept\n"
	    "\t\tct state established,related accept\n"
	    "\t\tudp sport 67 udp dport 68 accept\n"
	    "\t\tudp sport 547 udp dport 546 accept\n"
	    "\t\ticmpv6 type { nd-router-advert, nd-neighbor-solicit, "
	    "nd-neighbor-advert, nd-redirect } ip6 hoplimit 255 accept\n"
	    "\t\tip6 saddr fe80::/10 icmpv6 type mld-listener-query accept\n"
	    "\t\tcounter drop\n"
	    "\t}\n", req->ifname);
}

void
plan_linux_nft(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	const char	*ext_if, *table = p->names.base;
	struct text	 t;

	ext_if = plan_nat_if(p, req, f);
	text_init(&t);
	text_add(&t, "add table inet %s\ndelete table inet %s\n"
	    "table inet %s {\n", table, table, table);
	nft_raw(&t, req);
	if (req->role == ROLE_SERVER)
		nft_forward(&t, req);
	if (ext_if != NULL)
		nft_nat(&t, req, ext_if);
	if (req->role == ROLE_CLIENT && req->block_outside) {
		nft_output(&t, p, req);
		nft_input(&t, req);
	}
	text_add(&t, "}\n");
	plan_add_resource(p, "nft", argv_new(LINUX_PATH_NFT, "-f", "-",
	    NULL), &t, argv_new(LINUX_PATH_NFT, "delete", "table", "inet",
	    table, NULL));
}
