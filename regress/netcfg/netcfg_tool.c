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
 * Drives the netcfg engine for the live test:
 *	netcfg_tool [-F nft|iptables] [-s statefile] apply-server IF EXTIF
 *	netcfg_tool [-F ...] [-s statefile] apply-client IF [split]
 *	netcfg_tool [-s statefile] revert | flush
 * apply-* exits without reverting, as a killed daemon would; revert and
 * flush pick the journal up from the state file.  DSVPND_NETCFG_FAIL_STEP
 * makes that step of the apply fail.
 */
#include "compat.h"

#include <arpa/inet.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "fixture.h"
#include "netcfg.h"

static void
logline(int pri, const char *line)
{
	fprintf(stderr, "%s\n", line);
}

static void
host(struct conf_prefix *p, const char *s)
{
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, s, &p->addr.v4) == 1) {
		p->af = AF_INET;
		p->plen = 32;
	} else if (inet_pton(AF_INET6, s, &p->addr.v6) == 1) {
		p->af = AF_INET6;
		p->plen = 128;
	}
}

static void
request(struct netcfg_req *r, int role, const char *ifname)
{
	fixture_req(r, role, ifname, 1500);
	r->default_route = 1;
}

int
main(int argc, char *argv[])
{
	struct netcfg_req	 r;
	char			 e[NETCFG_ERRLEN], status[8192];
	const char		*s;
	int			 ch, fw = FW_AUTO, rc;

	while ((ch = getopt(argc, argv, "F:s:")) != -1) {
		switch (ch) {
		case 'F':
			fw = strcmp(optarg, "iptables") == 0 ? FW_IPTABLES :
			    FW_NFTABLES;
			break;
		case 's':
			netcfg_set_statefile(optarg);
			break;
		default:
			return (2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		errx(2, "usage: netcfg_tool [-F fw] [-s file] command ...");
	netcfg_set_logger(logline);
	if ((s = getenv("DSVPND_NETCFG_FAIL_STEP")) != NULL)
		netcfg_fail_step(atoi(s));
	if (strcmp(argv[0], "apply-server") == 0 && argc == 3) {
		request(&r, ROLE_SERVER, argv[1]);
		r.default_route = 0;
		r.nat = NAT_IFACE;
		strlcpy(r.nat_if, argv[2], sizeof(r.nat_if));
	} else if (strcmp(argv[0], "apply-client") == 0 && argc >= 2) {
		request(&r, ROLE_CLIENT, argv[1]);
		host(&r.server, "198.18.0.1");
		if (argc > 2 && strcmp(argv[2], "split") == 0) {
			r.default_route = 0;
			r.n_routes = 1;
			host(&r.routes[0], "10.0.0.0");
			r.routes[0].plen = 8;
		}
	} else if (strcmp(argv[0], "revert") == 0)
		return (netcfg_revert(e, sizeof(e)) == 0 ? 0 :
		    (fprintf(stderr, "revert: %s\n", e), 1));
	else if (strcmp(argv[0], "flush") == 0)
		return (netcfg_flush(e, sizeof(e)) == 0 ? 0 :
		    (fprintf(stderr, "flush: %s\n", e), 1));
	else
		errx(2, "bad command %s", argv[0]);
	r.firewall = fw;
	if ((rc = netcfg_apply(&r, e, sizeof(e))) == -1) {
		fprintf(stderr, "apply: %s\n", e);
		return (1);
	}
	netcfg_status(status, sizeof(status));
	printf("%s", status);
	return (0);
}
