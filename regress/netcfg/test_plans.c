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
 * Renders every OS's plan for a set of requests and diffs it against the
 * goldens in golden/<os>-<case>.apply and .revert (-g writes them), then
 * checks that each step's undo is the inverse of its apply, that bad
 * requests are refused, and that discovery's parsers read real output.
 */
#include "compat.h"

#include <arpa/inet.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "plan.h"

struct pcase {
	const char	*name;
	void		 (*make)(struct netcfg_req *);
};

static int	 failures;
static int	 regen;
static char	 golddir[1024];

#define CHECK(c, ...) do {						\
	if (!(c)) {							\
		failures++;						\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

static void
pfx(struct conf_prefix *p, const char *s, int len)
{
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, s, &p->addr.v4) == 1)
		p->af = AF_INET;
	else if (inet_pton(AF_INET6, s, &p->addr.v6) == 1)
		p->af = AF_INET6;
	else
		errx(1, "bad address %s", s);
	p->plen = len;
}

static void
base(struct netcfg_req *r, int role)
{
	fixture_req(r, role, "tun0", 9000);
}

static void
mk_server(struct netcfg_req *r)
{
	base(r, ROLE_SERVER);
	r->nat = NAT_EGRESS;
}

/* IPv4 only, NAT on a named interface. */
static void
mk_server_v4(struct netcfg_req *r)
{
	base(r, ROLE_SERVER);
	r->inet6 = 0;
	r->nat = NAT_IFACE;
	strlcpy(r->nat_if, "vio1", sizeof(r->nat_if));
}

static void
mk_client(struct netcfg_req *r)
{
	base(r, ROLE_CLIENT);
	r->default_route = 1;
	pfx(&r->server, "203.0.113.10", 32);
}

static void
mk_client_split(struct netcfg_req *r)
{
	base(r, ROLE_CLIENT);
	r->default_route = 0;
	pfx(&r->server, "2001:db8:1::10", 128);
	r->n_routes = 3;
	pfx(&r->routes[0], "10.0.0.0", 8);
	pfx(&r->routes[1], "172.16.0.0", 12);
	pfx(&r->routes[2], "2001:db8:42::", 48);
}

/* IPv4 only, default route plus one route, a fixed gateway. */
static void
mk_client_v4(struct netcfg_req *r)
{
	base(r, ROLE_CLIENT);
	r->inet6 = 0;
	r->default_route = 1;
	r->gateway_auto = 0;
	pfx(&r->gateway, "198.18.0.254", 32);
	pfx(&r->server, "203.0.113.10", 32);
	r->n_routes = 1;
	pfx(&r->routes[0], "198.51.100.0", 24);
}

static const struct pcase cases[] = {
	{ "server", mk_server },
	{ "server-v4", mk_server_v4 },
	{ "client", mk_client },
	{ "client-split", mk_client_split },
	{ "client-v4", mk_client_v4 },
};

/* What discovery would have found on the imaginary host. */
static void
facts_for(struct netcfg_facts *f, const struct netcfg_req *r)
{
	memset(f, 0, sizeof(*f));
	strlcpy(f->ext_if, "eth0", sizeof(f->ext_if));
	strlcpy(f->ip_forward, "0", sizeof(f->ip_forward));
	strlcpy(f->ip6_forward, "0", sizeof(f->ip6_forward));
	strlcpy(f->cc, "cubic", sizeof(f->cc));
	f->have_bbr = 1;
	if (r->role == ROLE_CLIENT && r->gateway_auto) {
		f->have_gw = 1;
		pfx(&f->gw, r->server.af == AF_INET6 ? "2001:db8:ffff::1" :
		    "198.18.0.1", r->server.af == AF_INET6 ? 128 : 32);
	} else if (r->role == ROLE_CLIENT) {
		f->have_gw = 1;
		f->gw = r->gateway;
	}
}

static char *
render_text(const struct plan *p, int revert, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;

	if ((fp = open_memstream(&buf, len)) == NULL)
		err(1, "open_memstream");
	plan_print(fp, p, revert);
	fclose(fp);
	return (buf);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf;
	long	 n;

	if ((fp = fopen(path, "r")) == NULL)
		return (NULL);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	if ((buf = malloc(n + 1)) == NULL)
		err(1, NULL);
	*len = fread(buf, 1, n, fp);
	buf[*len] = '\0';
	fclose(fp);
	return (buf);
}

static void
golden(const char *name, const char *ext, const char *text, size_t len)
{
	char	 path[1200];
	char	*want;
	size_t	 wlen;
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s.%s", golddir, name, ext);
	if (regen) {
		if ((fp = fopen(path, "w")) == NULL ||
		    fwrite(text, 1, len, fp) != len || fclose(fp) != 0)
			err(1, "%s", path);
		return;
	}
	want = slurp(path, &wlen);
	CHECK(want != NULL, "%s: missing (run test_plans -g)", path);
	if (want == NULL)
		return;
	CHECK(wlen == len && memcmp(want, text, len) == 0,
	    "%s differs; got:\n%s", path, text);
	free(want);
}

static int
argv_eq(const struct argv *a, const struct argv *b)
{
	size_t	 i;

	if (a->n != b->n)
		return (0);
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return (0);
	return (1);
}

/* Undone by the same command with one word changed? */
static int
swapped(const struct argv *a, const struct argv *u)
{
	static const char *pairs[][2] = {
		{ "add", "del" }, { "add", "delete" }, { "up", "down" },
		{ "-N", "-X" }, { "-A", "-D" }, { "-I", "-D" },
	};
	struct argv	*s;
	size_t		 i;
	int		 ok;

	for (i = 0; i < nitems(pairs); i++) {
		if ((s = argv_swap(a, pairs[i][0], pairs[i][1])) == NULL)
			err(1, NULL);
		ok = argv_eq(s, u);
		argv_free(s);
		if (ok)
			return (1);
	}
	return (0);
}

/* The undos that are not a word swap, each by its own rule. */
static int
inverse(const struct argv *a, const struct argv *u)
{
	const char	*eq;

	if (swapped(a, u))
		return (1);
	if (strstr(a->v[0], "sysctl") != NULL) {
		eq = strchr(a->v[a->n - 1], '=');
		return (eq != NULL && a->n == u->n && strncmp(a->v[a->n - 1],
		    u->v[u->n - 1], eq - a->v[a->n - 1] + 1) == 0 &&
		    strcmp(a->v[a->n - 1], u->v[u->n - 1]) != 0);
	}
	if (strstr(a->v[0], "nft") != NULL)
		return (a->input != NULL && strncmp(a->input,
		    "table inet dsvpnd {", 19) == 0 && u->n == 5 &&
		    strcmp(u->v[1], "delete") == 0 &&
		    strcmp(u->v[4], "dsvpnd") == 0);
	if (strstr(a->v[0], "pfctl") != NULL)
		return (a->input != NULL && u->n == 5 &&
		    strcmp(u->v[2], "dsvpnd") == 0 &&
		    strcmp(u->v[3], "-F") == 0);
	if (strstr(a->v[0], "ifconfig") != NULL)
		return (u->n == 5 && strcmp(a->v[1], u->v[1]) == 0 &&
		    strcmp(a->v[2], u->v[2]) == 0 &&
		    strcmp(a->v[3], u->v[3]) == 0 &&
		    strcmp(u->v[4], "-alias") == 0);
	if (strstr(a->v[0], "route") != NULL)	/* a blackhole */
		return (a->n == u->n + 1 &&
		    strcmp(a->v[a->n - 1], "-blackhole") == 0 &&
		    strcmp(u->v[2], "delete") == 0 &&
		    strcmp(a->v[5], u->v[5]) == 0);
	return (0);
}

static void
pairing(const char *name, const struct plan *p)
{
	const struct step	*s;
	size_t			 i;
	char			 line[1024];

	CHECK(plan_nsteps(p) > 0, "%s: empty plan", name);
	for (i = 0; i < plan_nsteps(p); i++) {
		s = plan_step(p, i);
		argv_format(line, sizeof(line), s->apply);
		CHECK(inverse(s->apply, s->undo), "%s: step %zu (%s) is not "
		    "undone by its undo", name, i + 1, line);
		CHECK(s->apply->v[0][0] == '/', "%s: step %zu: relative "
		    "path", name, i + 1);
	}
}

static void
test_renders(void)
{
	struct netcfg_req	 r;
	struct netcfg_facts	 f;
	struct plan		*p;
	char			 name[128], *text;
	size_t			 c, len;
	int			 os;

	for (os = 0; os < NETCFG_OS_COUNT; os++)
		for (c = 0; c < nitems(cases); c++) {
			cases[c].make(&r);
			CHECK(netcfg_req_validate(&r) == NULL, "%s: %s",
			    cases[c].name, netcfg_req_validate(&r));
			facts_for(&f, &r);
			snprintf(name, sizeof(name), "%s-%s",
			    netcfg_os_name(os), cases[c].name);
			if ((p = plan_render(&r, os, &f)) == NULL) {
				CHECK(0, "%s: does not render", name);
				continue;
			}
			text = render_text(p, 0, &len);
			golden(name, "apply", text, len);
			free(text);
			text = render_text(p, 1, &len);
			golden(name, "revert", text, len);
			free(text);
			pairing(name, p);
			plan_free(p);
		}
}

static void
refused(const struct netcfg_req *r, const char *what)
{
	CHECK(netcfg_req_validate(r) != NULL, "accepted: %s", what);
}

static void
test_validate(void)
{
	struct netcfg_req	 r;

	mk_client(&r);
	strlcpy(r.ifname, "tun 0", sizeof(r.ifname));
	refused(&r, "space in ifname");
	mk_client(&r);
	strlcpy(r.ifname, "-tun", sizeof(r.ifname));
	refused(&r, "ifname starting with -");
	mk_client(&r);
	memset(r.ifname, 'a', sizeof(r.ifname));
	refused(&r, "unterminated ifname");
	mk_client(&r);
	r.ifname[0] = '\0';
	refused(&r, "empty ifname");
	mk_client(&r);
	r.mtu = 0;
	refused(&r, "mtu 0");
	mk_client(&r);
	r.inet_peer = r.inet_local;
	refused(&r, "same inet addresses");
	mk_client(&r);
	r.inet6_peer = r.inet6_local;
	refused(&r, "same inet6 addresses");
	mk_client(&r);
	r.role = 7;
	refused(&r, "bad role");
	mk_client(&r);
	r.nat = NAT_EGRESS;
	refused(&r, "nat on a client");
	mk_client(&r);
	r.server.af = 0;
	refused(&r, "client without server");
	mk_client(&r);
	r.n_routes = CONF_MAX_ROUTES + 1;
	refused(&r, "too many routes");
	mk_client_split(&r);
	pfx(&r.routes[0], "10.0.0.1", 8);
	refused(&r, "host bits in a route");
	mk_client_split(&r);
	r.inet6 = 0;
	refused(&r, "inet6 route without inet6");
	mk_client(&r);
	r.firewall = 9;
	refused(&r, "bad firewall");
	mk_server(&r);
	r.nat = NAT_IFACE;
	strlcpy(r.nat_if, "em0;x", sizeof(r.nat_if));
	refused(&r, "bad nat_if");
	mk_server(&r);
	r.n_routes = 1;
	pfx(&r.routes[0], "10.0.0.0", 8);
	refused(&r, "routes on a server");
	mk_client_v4(&r);
	pfx(&r.gateway, "198.18.0.0", 24);
	refused(&r, "gateway not a host");
}

static void
test_unrenderable(void)
{
	struct netcfg_req	 r;
	struct netcfg_facts	 f;
	struct plan		*p;

	mk_server(&r);
	facts_for(&f, &r);
	f.ext_if[0] = '\0';
	p = plan_render(&r, NETCFG_OS_LINUX_NFT, &f);
	CHECK(p == NULL, "nat on egress without an egress interface");
	plan_free(p);
	mk_server(&r);
	facts_for(&f, &r);
	f.ip_forward[0] = '\0';
	p = plan_render(&r, NETCFG_OS_FREEBSD, &f);
	CHECK(p == NULL, "forwarding without its old value");
	plan_free(p);
}

static void
test_parsers(void)
{
	struct conf_prefix	 gw;
	char			 dev[IFNAMSIZ], a[64];

	CHECK(discover_parse_ip_route("default via 198.18.0.1 dev eth0 proto "
	    "static metric 100 \n", dev, sizeof(dev), &gw) == 0 &&
	    strcmp(dev, "eth0") == 0 && gw.af == AF_INET &&
	    strcmp(fmt_addr(a, sizeof(a), &gw), "198.18.0.1") == 0,
	    "ip route default via");
	CHECK(discover_parse_ip_route("default dev wg0 scope link\n", dev,
	    sizeof(dev), &gw) == 0 && strcmp(dev, "wg0") == 0 && gw.af == 0,
	    "ip route default dev");
	CHECK(discover_parse_ip_route("203.0.113.10 via inet6 fe80::1 dev enp1s0 "
	    "src 198.18.0.2 uid 0 \\    cache \n", dev, sizeof(dev),
	    &gw) == 0 && strcmp(dev, "enp1s0") == 0 && gw.af == AF_INET6,
	    "ip route get");
	CHECK(discover_parse_ip_route("", dev, sizeof(dev), &gw) == -1,
	    "ip route: nothing");
	CHECK(discover_parse_ip_route("default via 1.2.3.4 dev "
	    "averyveryverylongifname0\n", dev, sizeof(dev), &gw) == -1,
	    "ip route: too long a device");
	CHECK(discover_parse_route_get("   route to: 203.0.113.10\n"
	    "destination: default\n       mask: default\n    gateway: "
	    "198.18.0.1\n  interface: em0\n      flags: <UP,GATEWAY,DONE,"
	    "STATIC>\n", dev, sizeof(dev), &gw) == 0 &&
	    strcmp(dev, "em0") == 0 && gw.af == AF_INET &&
	    strcmp(fmt_addr(a, sizeof(a), &gw), "198.18.0.1") == 0,
	    "route get (OpenBSD)");
	CHECK(discover_parse_route_get("   route to: 2001:db8::1\n"
	    "destination: default\n    gateway: fe80::1%en0\n  interface: "
	    "en0\n", dev, sizeof(dev), &gw) == 0 && strcmp(dev, "en0") == 0 &&
	    gw.af == AF_INET6, "route get (macOS, scoped)");
	CHECK(discover_parse_route_get("   route to: 198.18.0.5\n"
	    "destination: 198.18.0.0\n  interface: vtnet0\n", dev,
	    sizeof(dev), &gw) == 0 && gw.af == 0, "route get (connected)");
	CHECK(discover_parse_route_get("route: writing to routing socket: "
	    "not in table\n", dev, sizeof(dev), &gw) == -1, "route get: none");
}

int
main(int argc, char *argv[])
{
	const char	*srcdir;
	int		 ch;

	if ((srcdir = getenv("SRCDIR")) == NULL)
		srcdir = ".";
	snprintf(golddir, sizeof(golddir), "%s/regress/netcfg/golden",
	    srcdir);
	while ((ch = getopt(argc, argv, "d:g")) != -1) {
		switch (ch) {
		case 'd':
			strlcpy(golddir, optarg, sizeof(golddir));
			break;
		case 'g':
			regen = 1;
			break;
		default:
			fprintf(stderr, "usage: test_plans [-g] [-d dir]\n");
			return (2);
		}
	}
	test_renders();
	test_validate();
	test_unrenderable();
	test_parsers();
	if (failures) {
		printf("test_plans: %d failures\n", failures);
		return (1);
	}
	printf("test_plans: ok%s\n", regen ? " (goldens written)" : "");
	return (0);
}
