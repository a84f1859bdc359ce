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

#include "compat.h"

#include <sys/types.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netcfg.h"
#include "parent.h"
#include "plan.h"

/*
 * dsvpnd -nvv: after the configuration, the commands netcfg would run
 * on this system to apply and revert it, as comments so that the output
 * still parses.  What only exists at run time (the interface the kernel
 * picks, the server's resolved address, the egress interface and the
 * sysctls found) is shown as placeholders.
 */

static void
print_commented(const struct plan *plan, int revert)
{
	char	*buf = NULL, *line, *next;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return;
	plan_print(fp, plan, revert);
	fclose(fp);
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		printf("#   %s\n", line);
	}
	free(buf);
}

/* dsvpnd -nv: what the instance is called in the system, as comments. */
void
show_instance(const struct conf *conf)
{
	struct instance_names	 n;
	char			 pid[PATH_MAX], state[PATH_MAX];

	if (instance_names(conf->instance, conf->instance_id, &n) == -1)
		return;
	if (instance_beside(conf->control_socket, ".pid", pid,
	    sizeof(pid)) == -1 || instance_beside(conf->control_socket,
	    ".netcfg", state, sizeof(state)) == -1)
		return;
	printf("\n# instance %s, id %u, puts these names into the system:\n",
	    n.name, n.id);
	printf("#   nft table inet %s; pf anchor %s\n", n.base, n.base);
	printf("#   iptables chains %s %s %s %s %s\n", n.chain_raw,
	    n.chain_fwd, n.chain_nat, n.chain_out, n.chain_in);
	printf("#   routing table %u, fwmark %u, rule priorities %u %u %u\n",
	    n.table, n.fwmark, n.pref_uid, n.pref_suppress, n.pref_fwmark);
	printf("#   control socket %s\n#   pid file %s\n#   state file %s\n",
	    conf->control_socket, pid, state);
}

void
show_plan(const struct conf *conf)
{
	struct netcfg_req	 req;
	struct netcfg_facts	 facts;
	struct plan		*plan;
	enum netcfg_os		 os;

	memset(&req, 0, sizeof(req));
	netcfg_req_from_conf(&req, conf);
	if (req.ifname[0] == '\0')
		strlcpy(req.ifname, "tun0", sizeof(req.ifname));
	if (req.role == ROLE_CLIENT) {
		/* The server's address as resolved at connect time. */
		req.servers[0].af = AF_INET;
		req.servers[0].plen = 32;
		inet_pton(AF_INET, "192.0.2.1", &req.servers[0].addr.v4);
		req.n_servers = 1;
	}
	netcfg_facts_unknown(&facts);
	os = netcfg_req_os(&req);
	if ((plan = plan_render(&req, os, &facts)) == NULL) {
		printf("# no network plan for %s\n", netcfg_os_name(os));
		return;
	}
	printf("\n# network plan for %s (interface %s%s):\n",
	    netcfg_os_name(os), req.ifname,
	    req.role == ROLE_CLIENT ? ", server 192.0.2.1" : "");
	printf("# apply\n");
	print_commented(plan, 0);
	printf("# revert\n");
	print_commented(plan, 1);
	plan_free(plan);
}
