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
#include <sys/socket.h>
#include <arpa/inet.h>

#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netcfg.h"
#include "parent.h"
#include "plan.h"
#include "resolve.h"

/*
 * dsvpnd -nvv: after the configuration, the commands netcfg would run
 * on this system to apply and revert it, as comments so that the output
 * still parses.  What netcfg discovers at run time (the egress interface,
 * the old gateway, the sysctls' values) is discovered here the same way,
 * and the server's name is resolved; only what cannot be known before
 * the start is a placeholder, and the output says so: the name of an
 * "auto" interface (the kernel picks it), and whatever discovery could
 * not find here.
 */

/* The servers' addresses now, where the plan routes them. */
static void
show_servers(struct netcfg_req *req, const struct conf *conf,
    enum netcfg_os os)
{
	struct addrinfo		 hints, *res, *ai;
	struct sockaddr_storage	 ss[NETCFG_MAX_SERVERS];
	struct passwd		*pw;
	unsigned int		 i;
	int			 n = 0, named = 0;

	for (i = 0; i < conf->n_servers; i++)
		named |= !resolve_is_numeric(conf->servers[i].host);
	if (named && (req->default_route || req->block_outside) &&
	    (pw = getpwnam(conf->user)) != NULL && pw->pw_uid != 0)
		req->dns_uid = pw->pw_uid;
	if (!netcfg_needs_servers(os, req))
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	for (i = 0; i < conf->n_servers; i++) {
		if (getaddrinfo(conf->servers[i].host, conf->servers[i].port,
		    &hints, &res) != 0) {
			printf("# (%s does not resolve here)\n",
			    conf->servers[i].host);
			continue;
		}
		for (ai = res; ai != NULL && n < NETCFG_MAX_SERVERS;
		    ai = ai->ai_next)
			if (ai->ai_addrlen <= sizeof(ss[0]))
				memcpy(&ss[n++], ai->ai_addr, ai->ai_addrlen);
		freeaddrinfo(res);
	}
	if (n == 0) {
		printf("# (no server address: 192.0.2.1 shown)\n");
		inet_pton(AF_INET, "192.0.2.1", &req->servers[0].addr.v4);
		req->servers[0].af = AF_INET;
		req->servers[0].plen = 32;
		req->n_servers = 1;
		return;
	}
	netcfg_req_set_servers(req, ss, n);
}

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

void
show_plan(const struct conf *conf)
{
	struct netcfg_req	 req;
	struct netcfg_facts	 facts;
	struct plan		*plan;
	enum netcfg_os		 os;
	char			 err[NETCFG_ERRLEN];

	memset(&req, 0, sizeof(req));
	netcfg_req_from_conf(&req, conf);
	printf("\n");
	if (req.ifname[0] == '\0') {
		strlcpy(req.ifname, "tun0", sizeof(req.ifname));
		printf("# (tunnel auto: the kernel names the interface at "
		    "start; tun0 shown)\n");
	}
	os = netcfg_req_os(&req);
	if (req.role == ROLE_CLIENT)
		show_servers(&req, conf, os);
	if (netcfg_discover(&req, os, &facts, err, sizeof(err)) == -1) {
		printf("# (discovery failed here: %s; placeholders shown)\n",
		    err);
		netcfg_facts_unknown(&facts);
	}
	if ((plan = plan_render(&req, os, &facts)) == NULL) {
		printf("# no network plan for %s\n", netcfg_os_name(os));
		return;
	}
	printf("# network plan for %s (interface %s):\n",
	    netcfg_os_name(os), req.ifname);
	printf("# apply\n");
	print_commented(plan, 0);
	printf("# revert\n");
	print_commented(plan, 1);
	plan_free(plan);
}
