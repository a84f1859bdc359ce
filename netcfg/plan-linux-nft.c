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
 * Linux firewall, nftables backend: one table of our own, "inet dsvpnd",
 * loaded atomically with "nft -f -" and removed whole.  Our accepts do
 * not override drops in other tables (each base chain decides for
 * itself): a host whose own ruleset drops forwarded traffic must allow
 * the tunnel there.  NAT in an inet table needs Linux 5.2 or later;
 * use "firewall iptables" on older kernels.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "plan.h"

#define NFT_RULES_MAX	2048

static void
nft_raw(char *buf, size_t len, const struct netcfg_req *req)
{
	char	 a[PLAN_ADDRSTRLEN], line[256];

	strlcat(buf, "\tchain raw {\n"
	    "\t\ttype filter hook prerouting priority -300; "
	    "policy accept;\n", len);
	snprintf(line, sizeof(line), "\t\tiifname != \"%s\" ip daddr %s "
	    "fib saddr type != local drop\n", req->ifname,
	    fmt_in(a, sizeof(a), &req->inet_local));
	strlcat(buf, line, len);
	if (req->inet6) {
		snprintf(line, sizeof(line), "\t\tiifname != \"%s\" ip6 "
		    "daddr %s fib saddr type != local drop\n", req->ifname,
		    fmt_in6(a, sizeof(a), &req->inet6_local));
		strlcat(buf, line, len);
	}
	strlcat(buf, "\t}\n", len);
}

static void
nft_forward(char *buf, size_t len, const struct netcfg_req *req)
{
	char	 line[256];

	snprintf(line, sizeof(line), "\tchain forward {\n"
	    "\t\ttype filter hook forward priority 0; policy accept;\n"
	    "\t\tiifname \"%s\" accept\n"
	    "\t\toifname \"%s\" ct state established,related accept\n"
	    "\t}\n", req->ifname, req->ifname);
	strlcat(buf, line, len);
}

/* Masquerade the client's tunnel addresses, IPv4 and IPv6 (NAT66). */
static void
nft_nat(char *buf, size_t len, const struct netcfg_req *req,
    const char *ext_if)
{
	char	 a[PLAN_ADDRSTRLEN], line[256];

	strlcat(buf, "\tchain postrouting {\n"
	    "\t\ttype nat hook postrouting priority 100; "
	    "policy accept;\n", len);
	snprintf(line, sizeof(line), "\t\toifname \"%s\" ip saddr %s "
	    "masquerade\n", ext_if, fmt_in(a, sizeof(a), &req->inet_peer));
	strlcat(buf, line, len);
	if (req->inet6) {
		snprintf(line, sizeof(line), "\t\toifname \"%s\" ip6 saddr "
		    "%s masquerade\n", ext_if,
		    fmt_in6(a, sizeof(a), &req->inet6_peer));
		strlcat(buf, line, len);
	}
	strlcat(buf, "\t}\n", len);
}

void
plan_linux_nft(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	char		 rules[NFT_RULES_MAX];
	const char	*ext_if;
	struct argv	*a;

	ext_if = plan_nat_if(p, req, f);
	snprintf(rules, sizeof(rules), "table inet %s {\n", NETCFG_NAME);
	nft_raw(rules, sizeof(rules), req);
	if (req->role == ROLE_SERVER)
		nft_forward(rules, sizeof(rules), req);
	if (ext_if != NULL)
		nft_nat(rules, sizeof(rules), req, ext_if);
	if (strlcat(rules, "}\n", sizeof(rules)) >= sizeof(rules))
		p->failed = 1;
	a = argv_new(LINUX_PATH_NFT, "-f", "-", NULL);
	if (argv_input(a, rules) == -1) {
		argv_free(a);
		a = NULL;
	}
	plan_add(p, a, argv_new(LINUX_PATH_NFT, "delete", "table", "inet",
	    NETCFG_NAME, NULL));
}
