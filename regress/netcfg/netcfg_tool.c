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
 *	netcfg_tool [-F nft|iptables] [-s statefile] [-I name] [-i id]
 *	    REQUEST [then REQUEST ...]
 *	netcfg_tool [-s statefile] [-I name] [-i id] revert | flush
 * where REQUEST is
 *	apply-server IF EXTIF [pool] [net=PREFIX ...]
 *	apply-client IF [split] [open] [noaddr] [noinet6] [uid=UID]
 *	    [route=PREFIX ...] [fw=nft|iptables]
 * Requests chained with "then" are applied one after the other in one
 * process, so every one after the first is a transition from the one
 * before.  The tool exits without reverting, as a killed daemon would;
 * revert and flush pick the journal up from the state file.  For the
 * last request, DSVPND_NETCFG_FAIL_STEP makes the Nth step it runs fail
 * and DSVPND_NETCFG_CRASH_STEP exits (99) right after it (a SIGKILL).
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
prefix(struct conf_prefix *p, const char *s)
{
	char		 a[64];
	const char	*slash;
	size_t		 n;

	memset(p, 0, sizeof(*p));
	slash = strchr(s, '/');
	n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(a))
		errx(2, "bad prefix %s", s);
	memcpy(a, s, n);
	a[n] = '\0';
	if (inet_pton(AF_INET, a, &p->addr.v4) == 1) {
		p->af = AF_INET;
		p->plen = 32;
	} else if (inet_pton(AF_INET6, a, &p->addr.v6) == 1) {
		p->af = AF_INET6;
		p->plen = 128;
	} else
		errx(2, "bad prefix %s", s);
	if (slash != NULL)
		p->plen = atoi(slash + 1);
}

static void
noaddr(struct netcfg_req *r)
{
	r->have_addrs = 0;
	memset(&r->inet_local, 0, sizeof(r->inet_local));
	memset(&r->inet_peer, 0, sizeof(r->inet_peer));
	memset(&r->inet6_local, 0, sizeof(r->inet6_local));
	memset(&r->inet6_peer, 0, sizeof(r->inet6_peer));
}

static void
client_opt(struct netcfg_req *r, const char *o)
{
	if (strcmp(o, "split") == 0) {
		r->default_route = 0;
		r->block_outside = 0;
		prefix(&r->routes[r->n_routes++], "10.0.0.0/8");
	} else if (strcmp(o, "open") == 0)
		r->block_outside = 0;
	else if (strcmp(o, "noaddr") == 0)
		noaddr(r);
	else if (strcmp(o, "noinet6") == 0)
		r->inet6 = 0;
	else if (strncmp(o, "uid=", 4) == 0)
		r->dns_uid = atoi(o + 4);
	else if (strncmp(o, "route=", 6) == 0 && r->n_routes < CONF_MAX_ROUTES)
		prefix(&r->routes[r->n_routes++], o + 6);
	else if (strcmp(o, "fw=iptables") == 0)
		r->firewall = FW_IPTABLES;
	else if (strcmp(o, "fw=nft") == 0)
		r->firewall = FW_NFTABLES;
	else
		errx(2, "bad client option %s", o);
}

/* One request from argv[0..]; returns how many words it took. */
static int
request(struct netcfg_req *r, int argc, char **argv, int fw,
    const char *name, uint32_t id)
{
	int	 i;

	if (strcmp(argv[0], "apply-server") == 0 && argc >= 3) {
		fixture_req(r, ROLE_SERVER, argv[1], 1500);
		r->nat = NAT_IFACE;
		strlcpy(r->nat_if, argv[2], sizeof(r->nat_if));
		for (i = 3; i < argc && strcmp(argv[i], "then") != 0; i++) {
			if (strcmp(argv[i], "pool") == 0) {
				prefix(&r->pool4, "192.168.192.0/24");
				prefix(&r->pool6, "64:ff9b::c0a8:c000/120");
			} else if (strncmp(argv[i], "net=", 4) == 0 &&
			    r->n_client_nets < NETCFG_MAX_CLIENT_NETS)
				prefix(&r->client_nets[r->n_client_nets++],
				    argv[i] + 4);
			else
				errx(2, "bad server option %s", argv[i]);
		}
	} else if (strcmp(argv[0], "apply-client") == 0 && argc >= 2) {
		fixture_req(r, ROLE_CLIENT, argv[1], 1500);
		r->default_route = 1;
		r->block_outside = 1;
		r->firewall = fw;
		for (i = 2; i < argc && strcmp(argv[i], "then") != 0; i++)
			client_opt(r, argv[i]);
	} else
		errx(2, "bad command %s", argv[0]);
	strlcpy(r->instance, name, sizeof(r->instance));
	r->instance_id = id;
	if (r->role == ROLE_SERVER)
		r->firewall = fw;
	return (i);
}

/* The test seams act on the last request only. */
static void
seams(void)
{
	const char	*s;

	if ((s = getenv("DSVPND_NETCFG_FAIL_STEP")) != NULL)
		netcfg_fail_step(atoi(s));
	if ((s = getenv("DSVPND_NETCFG_CRASH_STEP")) != NULL)
		netcfg_crash_step(atoi(s));
}

int
main(int argc, char *argv[])
{
	struct netcfg_req	 r;
	char			 e[NETCFG_ERRLEN], status[16384];
	const char		*name = INSTANCE_DEFAULT;
	uint32_t		 id = 0;
	int			 ch, fw = FW_AUTO, n;

	while ((ch = getopt(argc, argv, "F:I:i:s:")) != -1) {
		switch (ch) {
		case 'F':
			fw = strcmp(optarg, "iptables") == 0 ? FW_IPTABLES :
			    FW_NFTABLES;
			break;
		case 'I':
			name = optarg;
			break;
		case 'i':
			id = atoi(optarg);
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
		errx(2, "usage: netcfg_tool [-F fw] [-s file] [-I name] "
		    "[-i id] command ...");
	netcfg_set_logger(logline);
	if (netcfg_set_instance(name, id) == -1)
		errx(2, "bad instance %s id %u", name, id);
	if (strcmp(argv[0], "revert") == 0)
		return (netcfg_revert(e, sizeof(e)) == 0 ? 0 :
		    (fprintf(stderr, "revert: %s\n", e), 1));
	if (strcmp(argv[0], "flush") == 0)
		return (netcfg_flush(e, sizeof(e)) == 0 ? 0 :
		    (fprintf(stderr, "flush: %s\n", e), 1));
	while (argc > 0) {
		n = request(&r, argc, argv, fw, name, id);
		if (n == argc)
			seams();	/* the last request: a transition */
		if (netcfg_apply(&r, e, sizeof(e)) == -1) {
			fprintf(stderr, "apply: %s\n", e);
			return (1);
		}
		argc -= n;
		argv += n;
		if (argc > 0) {		/* "then" */
			argc--;
			argv++;
		}
	}
	netcfg_status(status, sizeof(status));
	printf("%s", status);
	return (0);
}
