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
 * The sweep after a killed instance: everything dsvpnd adds lives under
 * a name of its instance, so it can be found without the journal, and
 * nothing of another instance is touched.  Linux: the nft table (inet
 * dsvpnd for the default instance), the instance's iptables chains
 * (DSVPND-RAW ...) and the jumps to them, ip rules that look up the
 * instance's table or sit at its resolver and suppress_prefixlength
 * priorities, routes in its table.  OpenBSD: its pf anchor.  Addresses
 * die with the interface; sysctls come back from the state file.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "sweep.h"

#define SWEEP_LOOP_MAX	64	/* copies a crash loop may have made */

struct ipt_chain {
	const char	*table;
	const char	*builtin;
	const char	*chain;
};

static int
quiet(char *const argv[])
{
	char	 e[NETCFG_ERRLEN];

	return (netcfg_exec(argv, NULL, NULL, 0, e, sizeof(e)));
}

/* Runs argv until it fails: each run removes one copy. */
static void
repeat(char *const argv[])
{
	int	 i;

	for (i = 0; i < SWEEP_LOOP_MAX && quiet(argv) == 0; i++)
		;
}

static int
must(char *const argv[], char *err, size_t errlen)
{
	if (netcfg_exec(argv, NULL, NULL, 0, err, errlen) == 0)
		return (0);
	netcfg_log(LOG_WARNING, "netcfg: flush: %s", err);
	return (-1);
}

static int
sweep_nft(const struct instance_names *n, char *err, size_t errlen)
{
	char	*list[] = { LINUX_PATH_NFT, "list", "table", "inet",
		    (char *)n->base, NULL };
	char	*del[] = { LINUX_PATH_NFT, "delete", "table", "inet",
		    (char *)n->base, NULL };

	if (access(LINUX_PATH_NFT, X_OK) == -1 || quiet(list) == -1)
		return (0);
	netcfg_log(LOG_INFO, "netcfg: flush: nft table inet %s", n->base);
	return (must(del, err, errlen));
}

static int
sweep_ipt_chain(const char *cmd, const struct ipt_chain *c, char *err,
    size_t errlen)
{
	char	*list[] = { (char *)cmd, "-w", "-t", (char *)c->table, "-S",
		    (char *)c->chain, NULL };
	char	*jump[] = { (char *)cmd, "-w", "-t", (char *)c->table, "-D",
		    (char *)c->builtin, "-j", (char *)c->chain, NULL };
	char	*flush[] = { (char *)cmd, "-w", "-t", (char *)c->table,
		    "-F", (char *)c->chain, NULL };
	char	*del[] = { (char *)cmd, "-w", "-t", (char *)c->table, "-X",
		    (char *)c->chain, NULL };

	if (quiet(list) == -1)
		return (0);
	netcfg_log(LOG_INFO, "netcfg: flush: %s -t %s %s", cmd, c->table,
	    c->chain);
	repeat(jump);
	if (must(flush, err, errlen) == -1)
		return (-1);
	return (must(del, err, errlen));
}

static int
sweep_iptables(const struct instance_names *n, char *err, size_t errlen)
{
	const char		*cmds[] = { LINUX_PATH_IPTABLES,
				    LINUX_PATH_IP6TABLES };
	const struct ipt_chain	 ipt_chains[] = {
		{ "raw", "PREROUTING", n->chain_raw },
		{ "filter", "FORWARD", n->chain_fwd },
		{ "nat", "POSTROUTING", n->chain_nat },
		{ "filter", "OUTPUT", n->chain_out },
		{ "filter", "INPUT", n->chain_in },
	};
	size_t			 i, k;
	int			 rc = 0;

	for (i = 0; i < nitems(cmds); i++) {
		if (access(cmds[i], X_OK) == -1)
			continue;
		for (k = 0; k < nitems(ipt_chains); k++)
			if (sweep_ipt_chain(cmds[i], &ipt_chains[k], err,
			    errlen) == -1)
				rc = -1;
	}
	return (rc);
}

/* Only what the instance's own table and priorities name. */
static void
sweep_policy(const struct instance_names *n, const char *fam)
{
	char	 table[16], pref[16], upref[16];
	char	*bytable[] = { LINUX_PATH_IP, (char *)fam, "rule", "del",
		    "table", table, NULL };
	char	*suppress[] = { LINUX_PATH_IP, (char *)fam, "rule", "del",
		    "pref", pref, "table", "main", "suppress_prefixlength", "0",
		    NULL };
	char	*uid[] = { LINUX_PATH_IP, (char *)fam, "rule", "del", "pref",
		    upref, "table", "main", NULL };
	char	*routes[] = { LINUX_PATH_IP, (char *)fam, "route", "flush",
		    "table", table, NULL };
	/* ip -6 route flush leaves unreachable routes: name them. */
	char	*fallback[] = { LINUX_PATH_IP, (char *)fam, "route", "del",
		    "unreachable", "default", "table", table, "metric",
		    "4294967295", NULL };

	fmt_u(table, sizeof(table), n->table);
	fmt_u(pref, sizeof(pref), n->pref_suppress);
	fmt_u(upref, sizeof(upref), n->pref_uid);
	repeat(bytable);
	repeat(suppress);
	repeat(uid);
	quiet(routes);
	repeat(fallback);
}

static int
sweep_openbsd(const struct instance_names *n, char *err, size_t errlen)
{
	char	*flush[] = { OPENBSD_PATH_PFCTL, "-a", (char *)n->base, "-F",
		    "rules", NULL };

	return (must(flush, err, errlen));
}

int
sweep_host(enum netcfg_os os, const struct instance_names *n, char *err,
    size_t errlen)
{
	int	 rc = 0;

	if (plan_is_linux(os)) {
		if (sweep_nft(n, err, errlen) == -1)
			rc = -1;
		if (sweep_iptables(n, err, errlen) == -1)
			rc = -1;
		sweep_policy(n, "-4");
		sweep_policy(n, "-6");
	} else if (os == NETCFG_OS_OPENBSD)
		rc = sweep_openbsd(n, err, errlen);
	return (rc);
}

/* pf evaluates our anchor only where pf.conf calls it. */
int
netcfg_startup_check(const struct instance_names *n, char *msg, size_t len)
{
	char	 out[65536], e[NETCFG_ERRLEN], want[64];
	char	*show[] = { OPENBSD_PATH_PFCTL, "-sr", NULL };

	if (netcfg_host_os() != NETCFG_OS_OPENBSD)
		return (0);
	if (netcfg_exec(show, NULL, out, sizeof(out), e, sizeof(e)) == -1) {
		snprintf(msg, len, "pfctl -sr: %s", e);
		return (1);
	}
	snprintf(want, sizeof(want), "anchor \"%s\"", n->base);
	if (strstr(out, want) != NULL)
		return (0);
	snprintf(msg, len, "pf.conf has no '%s': the instance's NAT, filter "
	    "and block outside rules will not be evaluated", want);
	return (1);
}
