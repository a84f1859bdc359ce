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
 * checks that each step's undo is the inverse of its apply, that the kill
 * switch comes first, that a transition keeps what it can, that bad
 * requests and bad facts are refused, that discovery's parsers read real
 * output and refuse hostile output, that a tampered state file is
 * refused, and that instances get names of their own.
 */
#include "compat.h"

#include <arpa/inet.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "journal.h"
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

/* A default route: block outside, as the config defaults it. */
static void
mk_client(struct netcfg_req *r)
{
	base(r, ROLE_CLIENT);
	r->default_route = 1;
	r->block_outside = 1;
	r->n_servers = 1;
	pfx(&r->servers[0], "203.0.113.10", 32);
}

/* A default route that fails open while connecting: no block outside. */
static void
mk_client_open(struct netcfg_req *r)
{
	mk_client(r);
	r->block_outside = 0;
}

static void
mk_client_split(struct netcfg_req *r)
{
	base(r, ROLE_CLIENT);
	r->default_route = 0;
	r->n_servers = 1;
	pfx(&r->servers[0], "2001:db8:1::10", 128);
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
	r->block_outside = 1;
	r->gateway_auto = 0;
	pfx(&r->gateway, "198.18.0.254", 32);
	r->n_servers = 1;
	pfx(&r->servers[0], "203.0.113.10", 32);
	r->n_routes = 1;
	pfx(&r->routes[0], "198.51.100.0", 24);
}

/* A server by name: the resolver's lookups pass, on both families. */
static void
mk_client_dns(struct netcfg_req *r)
{
	mk_client(r);
	r->dns_uid = 999;
	r->n_servers = 2;
	pfx(&r->servers[1], "2001:db8:1::10", 128);
}

/* The seal at start, before the server pushed any address. */
static void
mk_client_noaddr(struct netcfg_req *r)
{
	mk_client(r);
	r->have_addrs = 0;
	memset(&r->inet_local, 0, sizeof(r->inet_local));
	memset(&r->inet_peer, 0, sizeof(r->inet_peer));
	memset(&r->inet6_local, 0, sizeof(r->inet6_local));
	memset(&r->inet6_peer, 0, sizeof(r->inet6_peer));
}

/* Another instance: its own names and numbers. */
static void
mk_client_instance(struct netcfg_req *r)
{
	mk_client(r);
	strlcpy(r->instance, "work", sizeof(r->instance));
	r->instance_id = 7;
	strlcpy(r->ifname, "tun1", sizeof(r->ifname));
}

/* FreeBSD and DragonFly: the parent created the unit (destroyed at
 * revert); FreeBSD's devd had disabled IPv6 on it (see facts_for). */
static void
mk_client_tun(struct netcfg_req *r)
{
	mk_client(r);
	r->tun_created = 1;
}

/* Many clients: pools and the networks behind some of them. */
static void
mk_server_pool(struct netcfg_req *r)
{
	base(r, ROLE_SERVER);
	r->nat = NAT_EGRESS;
	pfx(&r->pool4, "192.168.192.0", 24);
	pfx(&r->pool6, "fd64:7376:706e::", 96);
	inet_pton(AF_INET6, "fd64:7376:706e::c0a8:c0fe", &r->inet6_local);
	inet_pton(AF_INET6, "fd64:7376:706e::c0a8:c001", &r->inet6_peer);
	r->n_client_nets = 3;
	pfx(&r->client_nets[0], "10.1.0.0", 16);
	pfx(&r->client_nets[1], "10.2.0.0", 16);
	pfx(&r->client_nets[2], "2001:db8:77::", 48);
}

static const struct pcase cases[] = {
	{ "server", mk_server },
	{ "server-v4", mk_server_v4 },
	{ "server-pool", mk_server_pool },
	{ "client", mk_client },
	{ "client-open", mk_client_open },
	{ "client-split", mk_client_split },
	{ "client-v4", mk_client_v4 },
	{ "client-dns", mk_client_dns },
	{ "client-noaddr", mk_client_noaddr },
	{ "client-instance", mk_client_instance },
	{ "client-tun", mk_client_tun },
};

/* What discovery would have found on the imaginary host. */
static void
facts_for(struct netcfg_facts *f, const struct netcfg_req *r)
{
	uint32_t	 i;

	memset(f, 0, sizeof(*f));
	strlcpy(f->ext_if, "eth0", sizeof(f->ext_if));
	strlcpy(f->ip_forward, "0", sizeof(f->ip_forward));
	strlcpy(f->ip6_forward, "0", sizeof(f->ip6_forward));
	strlcpy(f->cc, "cubic", sizeof(f->cc));
	f->have_bbr = 1;
	f->ifdisabled = r->tun_created;
	if (r->role == ROLE_CLIENT && !r->gateway_auto) {
		if (r->gateway.af == AF_INET6) {
			f->have_gw6 = 1;
			f->gw6 = r->gateway;
		} else {
			f->have_gw4 = 1;
			f->gw4 = r->gateway;
		}
		return;
	}
	for (i = 0; r->role == ROLE_CLIENT && i < r->n_servers; i++) {
		if (r->servers[i].af == AF_INET && !f->have_gw4) {
			f->have_gw4 = 1;
			pfx(&f->gw4, "198.18.0.1", 32);
		} else if (r->servers[i].af == AF_INET6 && !f->have_gw6) {
			/* Router advertisements: a link-local gateway. */
			f->have_gw6 = 1;
			pfx(&f->gw6, "fe80::1", 128);
			strlcpy(f->gw6_scope, "em0", sizeof(f->gw6_scope));
		}
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
		{ "-ifdisabled", "ifdisabled" },
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

/* An atomic replace of the whole table or anchor, removed whole. */
static int
replaces(const struct argv *a, const char *name)
{
	char	 want[256];

	snprintf(want, sizeof(want), "add table inet %s\ndelete table inet "
	    "%s\ntable inet %s {\n", name, name, name);
	return (a->input != NULL && strncmp(a->input, want,
	    strlen(want)) == 0);
}

/* The undos that are not a word swap, each by its own rule. */
static int
inverse(const struct argv *a, const struct argv *u)
{
	const char	*eq;

	if (a == NULL)		/* nothing applied: a unit to destroy */
		return (strstr(u->v[0], "ifconfig") != NULL && u->n == 3 &&
		    strcmp(u->v[2], "destroy") == 0);
	if (swapped(a, u))
		return (1);
	if (strstr(a->v[0], "sysctl") != NULL) {
		eq = strchr(a->v[a->n - 1], '=');
		return (eq != NULL && a->n == u->n && strncmp(a->v[a->n - 1],
		    u->v[u->n - 1], eq - a->v[a->n - 1] + 1) == 0 &&
		    strcmp(a->v[a->n - 1], u->v[u->n - 1]) != 0);
	}
	if (strstr(a->v[0], "nft") != NULL)
		return (u->n == 5 && strcmp(u->v[1], "delete") == 0 &&
		    replaces(a, u->v[4]));
	if (strstr(a->v[0], "pfctl") != NULL)
		return (a->input != NULL && u->n == 5 &&
		    strcmp(u->v[2], a->v[2]) == 0 &&
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
		argv_format(line, sizeof(line), s->apply != NULL ? s->apply :
		    s->undo);
		CHECK(inverse(s->apply, s->undo), "%s: step %zu (%s) is not "
		    "undone by its undo", name, i + 1, line);
		CHECK(s->undo->v[0][0] == '/' && (s->apply == NULL ||
		    s->apply->v[0][0] == '/'), "%s: step %zu: relative "
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
	r.servers[0].af = 0;
	refused(&r, "a server address of no family");
	mk_client(&r);
	r.n_servers = NETCFG_MAX_SERVERS + 1;
	refused(&r, "too many servers");
	mk_client(&r);
	strlcpy(r.instance, "Work", sizeof(r.instance));
	refused(&r, "upper case in the instance");
	mk_client(&r);
	strlcpy(r.instance, "a;b", sizeof(r.instance));
	refused(&r, "; in the instance");
	mk_client(&r);
	memset(r.instance, 'a', sizeof(r.instance));
	refused(&r, "unterminated instance");
	mk_client(&r);
	r.instance_id = INSTANCE_ID_MAX + 1;
	refused(&r, "instance id too large");
	mk_client(&r);
	r.block_outside = 2;
	refused(&r, "block outside 2");
	mk_client(&r);
	r.have_addrs = 0;
	refused(&r, "addresses with have_addrs 0");
	mk_client(&r);
	r.tun_created = -1;
	refused(&r, "tun_created -1");
	mk_client(&r);
	r.dns_uid = 0;
	refused(&r, "root's lookups let out");
	mk_client(&r);
	pfx(&r.pool4, "192.168.192.0", 24);
	refused(&r, "a pool on a client");
	mk_server(&r);
	r.block_outside = 1;
	refused(&r, "block outside on a server");
	mk_server(&r);
	pfx(&r.pool4, "10.0.0.0", 24);
	refused(&r, "a pool without our own address");
	mk_server(&r);
	pfx(&r.pool4, "192.168.192.0", 31);
	refused(&r, "a pool of two addresses");
	mk_server(&r);
	pfx(&r.pool4, "192.168.192.1", 24);
	refused(&r, "host bits in a pool");
	mk_server(&r);
	pfx(&r.pool6, "2001:db8::", 64);
	refused(&r, "an inet6 pool without our own address");
	mk_server(&r);
	r.n_client_nets = 1;
	pfx(&r.client_nets[0], "0.0.0.0", 0);
	refused(&r, "a client network of everything");
	mk_server(&r);
	r.n_client_nets = NETCFG_MAX_CLIENT_NETS + 1;
	refused(&r, "too many client networks");
	mk_server_v4(&r);
	r.n_client_nets = 1;
	pfx(&r.client_nets[0], "2001:db8::", 48);
	refused(&r, "an inet6 client network without inet6");
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
	char			 dev[IFNAMSIZ], a[64], scope[IFNAMSIZ];

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
	    "STATIC>\n", dev, sizeof(dev), &gw, scope) == 0 &&
	    strcmp(dev, "em0") == 0 && gw.af == AF_INET &&
	    strcmp(fmt_addr(a, sizeof(a), &gw), "198.18.0.1") == 0 &&
	    scope[0] == '\0', "route get (OpenBSD)");
	/* Issue 13 item 10: a link-local gateway keeps its scope. */
	CHECK(discover_parse_route_get("   route to: 2001:db8::1\n"
	    "destination: default\n    gateway: fe80::1%en0\n  interface: "
	    "en0\n", dev, sizeof(dev), &gw, scope) == 0 &&
	    strcmp(dev, "en0") == 0 && gw.af == AF_INET6 &&
	    strcmp(scope, "en0") == 0 &&
	    strcmp(fmt_gw(a, sizeof(a), &gw, scope), "fe80::1%en0") == 0,
	    "route get (macOS, scoped)");
	CHECK(discover_parse_route_get("   route to: 2001:db8::1\n"
	    "destination: default\n    gateway: fe80::1\n  interface: "
	    "vtnet0\n", dev, sizeof(dev), &gw, scope) == 0 &&
	    gw.af == AF_INET6 && strcmp(scope, "vtnet0") == 0,
	    "route get (link-local, the interface is the scope)");
	CHECK(discover_parse_route_get("   route to: 2001:db8::1\n"
	    "destination: default\n    gateway: 2001:db8::ffff\n  interface: "
	    "vtnet0\n", dev, sizeof(dev), &gw, scope) == 0 &&
	    gw.af == AF_INET6 && scope[0] == '\0',
	    "route get (global gateway: no scope)");
	CHECK(discover_parse_route_get("   route to: 198.18.0.5\n"
	    "destination: 198.18.0.0\n  interface: vtnet0\n", dev,
	    sizeof(dev), &gw, scope) == 0 && gw.af == 0,
	    "route get (connected)");
	CHECK(discover_parse_route_get("route: writing to routing socket: "
	    "not in table\n", dev, sizeof(dev), &gw, scope) == -1,
	    "route get: none");
	CHECK(discover_parse_nd6("tun0: flags=8051<UP,POINTOPOINT>\n"
	    "\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>\n") == 1,
	    "nd6: IFDISABLED");
	CHECK(discover_parse_nd6("tun0: flags=8051<UP,POINTOPOINT>\n"
	    "\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>\n") == 0,
	    "nd6: enabled");
	CHECK(discover_parse_nd6("\tnd6 options=21<NOTIFDISABLED>\n") == 0,
	    "nd6: a longer word");
}

/* Issue 13 item 4: what a program prints is checked like a request. */
static void
test_hostile_discovery(void)
{
	static const char *const routes[] = {
		"default via 198.18.0.1 dev eth0;drop\n",
		"default via 198.18.0.1 dev eth0\"}\n",
		"default via 198.18.0.1 dev $(reboot)\n",
		"default via 198.18.0.1 dev -eth0\n",
		"default via 198.18.0.1 dev et\th0\n",
		"default via 198.18.0.1 dev ../x\n",
		"default via 198.18.0.1 dev \n",
	};
	static const char *const gets[] = {
		"    gateway: 198.18.0.1\n  interface: em0;x\n",
		"    gateway: fe80::1%em0;x\n  interface: em0\n",
		"    gateway: fe80::1%\n  interface: em0\n",
		"    gateway: fe80::1%averyveryverylongname\n"
		"  interface: em0\n",
		"    gateway: 198.18.0.1\n  interface: \"em0\"\n",
	};
	struct conf_prefix	 gw;
	char			 dev[IFNAMSIZ], scope[IFNAMSIZ];
	size_t			 i;

	for (i = 0; i < nitems(routes); i++)
		CHECK(discover_parse_ip_route(routes[i], dev, sizeof(dev),
		    &gw) == -1, "ip route accepted: %s", routes[i]);
	for (i = 0; i < nitems(gets); i++)
		CHECK(discover_parse_route_get(gets[i], dev, sizeof(dev), &gw,
		    scope) == -1, "route get accepted: %s", gets[i]);
}

static void
bad_facts(void (*spoil)(struct netcfg_facts *), const char *what)
{
	struct netcfg_req	 r;
	struct netcfg_facts	 f;

	mk_server(&r);
	facts_for(&f, &r);
	CHECK(netcfg_facts_validate(&f) == NULL, "good facts refused");
	spoil(&f);
	CHECK(netcfg_facts_validate(&f) != NULL, "facts accepted: %s", what);
}

static void sp_ext(struct netcfg_facts *f)
{ strlcpy(f->ext_if, "eth0\";", sizeof(f->ext_if)); }
static void sp_ext_unterminated(struct netcfg_facts *f)
{ memset(f->ext_if, 'e', sizeof(f->ext_if)); }
static void sp_sysctl(struct netcfg_facts *f)
{ strlcpy(f->ip_forward, "1 rm", sizeof(f->ip_forward)); }
static void sp_sysctl_dash(struct netcfg_facts *f)
{ strlcpy(f->cc, "-w", sizeof(f->cc)); }
static void sp_gw(struct netcfg_facts *f)
{ f->have_gw4 = 1; pfx(&f->gw4, "0.0.0.0", 32); }
static void sp_gwflag(struct netcfg_facts *f)
{ f->have_gw6 = 7; }
static void sp_scope(struct netcfg_facts *f)
{ f->have_gw6 = 1; pfx(&f->gw6, "2001:db8::1", 128);
  strlcpy(f->gw6_scope, "em0", sizeof(f->gw6_scope)); }
static void sp_scope_chars(struct netcfg_facts *f)
{ f->have_gw6 = 1; pfx(&f->gw6, "fe80::1", 128);
  strlcpy(f->gw6_scope, "em0 x", sizeof(f->gw6_scope)); }

static void
test_facts(void)
{
	bad_facts(sp_ext, "a quote in ext_if");
	bad_facts(sp_ext_unterminated, "unterminated ext_if");
	bad_facts(sp_sysctl, "a space in a sysctl value");
	bad_facts(sp_sysctl_dash, "a sysctl value that reads as an option");
	bad_facts(sp_gw, "an unspecified gateway");
	bad_facts(sp_gwflag, "a flag of 7");
	bad_facts(sp_scope, "a scope on a global gateway");
	bad_facts(sp_scope_chars, "a space in a scope");
}

/* A state file is checked like a request before anything is undone. */
static void
tampered(const char *dir, void (*spoil)(struct journal *), const char *what)
{
	struct journal	 j, back;
	char		 path[1200], e[NETCFG_ERRLEN];

	snprintf(path, sizeof(path), "%s/state", dir);
	netcfg_set_statefile(path);
	memset(&j, 0, sizeof(j));
	j.cur.os = NETCFG_OS_LINUX_NFT;
	mk_server(&j.cur.req);
	facts_for(&j.cur.facts, &j.cur.req);
	j.cur.plan = plan_render(&j.cur.req, j.cur.os, &j.cur.facts);
	CHECK(j.cur.plan != NULL, "the journal's plan does not render");
	if (j.cur.plan == NULL)
		return;
	jbit_set(&j.cur, 0, 1);
	jbit_set(&j.cur, 1, 1);
	if (spoil != NULL)
		spoil(&j);
	CHECK(journal_save(&j, e, sizeof(e)) == 0, "save: %s", e);
	memset(&back, 0, sizeof(back));
	if (spoil == NULL) {
		CHECK(journal_load(&back, e, sizeof(e)) == 1 &&
		    jplan_count(&back.cur) == 2 && back.next.plan == NULL,
		    "a good state file refused: %s", e);
	} else {
		CHECK(journal_load(&back, e, sizeof(e)) == -1 &&
		    back.cur.plan == NULL, "state file accepted: %s", what);
		CHECK(!journal_exists(), "a bad state file kept: %s", what);
	}
	jplan_clear(&back.cur);
	jplan_clear(&back.next);
	jplan_clear(&j.cur);
	journal_remove();
	netcfg_set_statefile(NULL);
}

static void tj_ext(struct journal *j)
{ strlcpy(j->cur.facts.ext_if, "eth0\"; flush ruleset",
  sizeof(j->cur.facts.ext_if)); }
static void tj_nat_if(struct journal *j)
{ j->cur.req.nat = NAT_IFACE; strlcpy(j->cur.req.nat_if, "e;x",
  sizeof(j->cur.req.nat_if)); }
static void tj_bit(struct journal *j)
{ jbit_set(&j->cur, NETCFG_MAX_STEPS - 1, 1); }
static void tj_sysctl(struct journal *j)
{ strlcpy(j->cur.facts.ip_forward, "0\n1", sizeof(j->cur.facts.ip_forward)); }
static void tj_instance(struct journal *j)
{ strlcpy(j->cur.req.instance, "../x", sizeof(j->cur.req.instance)); }
static void tj_next_only(struct journal *j)
{ j->next = j->cur; memset(&j->cur, 0, sizeof(j->cur)); }

static void
test_journal(void)
{
	char	 dir[] = "/tmp/test_plans.XXXXXX";

	if (mkdtemp(dir) == NULL)
		err(1, "mkdtemp");
	tampered(dir, NULL, "nothing");
	tampered(dir, tj_ext, "a quote in the egress interface");
	tampered(dir, tj_nat_if, "a bad nat interface");
	tampered(dir, tj_bit, "a step the plan does not have");
	tampered(dir, tj_sysctl, "a newline in a sysctl value");
	tampered(dir, tj_instance, "a path in the instance");
	tampered(dir, tj_next_only, "an incoming plan without a current one");
	rmdir(dir);
}

/* The seal comes first, so it is there before and after all else. */
static void
test_seal_first(void)
{
	static const char *const want[NETCFG_OS_COUNT] = {
		[NETCFG_OS_LINUX_NFT] = "chain output",
		[NETCFG_OS_LINUX_IPTABLES] = "DSVPND-OUT",
		[NETCFG_OS_OPENBSD] = "block drop quick all",
	};
	struct netcfg_req	 r;
	struct netcfg_facts	 f;
	struct plan		*p;
	const struct step	*s;
	char			 line[1024];
	int			 os;

	mk_client(&r);
	facts_for(&f, &r);
	for (os = 0; os < NETCFG_OS_COUNT; os++) {
		if ((p = plan_render(&r, os, &f)) == NULL)
			continue;
		s = plan_step(p, 0);
		argv_format(line, sizeof(line), s->apply);
		if (want[os] != NULL)
			CHECK(strstr(line, want[os]) != NULL ||
			    (s->apply->input != NULL &&
			    strstr(s->apply->input, want[os]) != NULL),
			    "%s: the kill switch is not first: %s",
			    netcfg_os_name(os), line);
		else
			CHECK(strstr(line, "-blackhole") != NULL,
			    "%s: the blackholes are not first: %s",
			    netcfg_os_name(os), line);
		plan_free(p);
	}
}

/* Steps of b that a transition from a must run, and a's it must undo. */
static void
diff(const struct netcfg_req *a, const struct netcfg_req *b, int os,
    size_t *add, size_t *del, size_t *repl)
{
	struct netcfg_facts	 fa, fb;
	struct plan		*pa, *pb;
	size_t			 i, j, kept;
	int			 found, res;

	facts_for(&fa, a);
	facts_for(&fb, b);
	pa = plan_render(a, os, &fa);
	pb = plan_render(b, os, &fb);
	*add = *del = *repl = kept = 0;
	if (pa == NULL || pb == NULL) {
		CHECK(0, "a transition's plans do not render");
		return;
	}
	for (i = 0; i < pb->n; i++) {
		found = res = 0;
		for (j = 0; j < pa->n; j++) {
			if (plan_step_same(&pb->steps[i], &pa->steps[j]))
				found = 1;
			else if (pb->steps[i].res != NULL &&
			    pa->steps[j].res != NULL)
				res = 1;
		}
		if (found)
			kept++;
		else if (res)
			(*repl)++;
		else
			(*add)++;
	}
	*del = pa->n - kept - *repl;
	plan_free(pa);
	plan_free(pb);
}

static void
test_transitions(void)
{
	struct netcfg_req	 a, b;
	size_t			 add, del, repl;
	int			 os;

	for (os = 0; os < NETCFG_OS_COUNT; os++) {
		/* A route line more: that route, and nothing else. */
		mk_client(&a);
		mk_client(&b);
		b.n_routes = 1;
		pfx(&b.routes[0], "198.51.100.0", 24);
		diff(&a, &b, os, &add, &del, &repl);
		CHECK(add == 1 && del == 0 && repl == 0, "%s: a route more: "
		    "%zu added, %zu removed, %zu replaced",
		    netcfg_os_name(os), add, del, repl);
		/* The addresses arrive: the seal stays as it is. */
		mk_client_noaddr(&a);
		mk_client(&b);
		diff(&a, &b, os, &add, &del, &repl);
		CHECK(del == 0 && add > 0, "%s: addresses arriving removed "
		    "%zu steps", netcfg_os_name(os), del);
		CHECK(repl == (os == NETCFG_OS_LINUX_NFT), "%s: addresses "
		    "arriving replaced %zu resources", netcfg_os_name(os),
		    repl);
	}
}

/* Issue 12: names of their own for every instance. */
static void
test_instances(void)
{
	struct instance_names	 n, m;
	char			 sock[256];

	CHECK(instance_names(INSTANCE_DEFAULT, 0, &n) == 0 &&
	    strcmp(n.base, "dsvpnd") == 0 &&
	    strcmp(n.chain_raw, "DSVPND-RAW") == 0 &&
	    strcmp(n.chain_out, "DSVPND-OUT") == 0 && n.table == 42069 &&
	    n.fwmark == 42069 && n.pref_suppress == 32068 &&
	    n.pref_fwmark == 32069 && n.pref_uid == 32067,
	    "the default instance keeps dsvpnd's names");
	CHECK(instance_default_id(INSTANCE_DEFAULT) == 0, "default id");
	CHECK(instance_names("work", 7, &m) == 0 &&
	    strcmp(m.base, "dsvpnd-work") == 0 &&
	    strcmp(m.chain_nat, "DSVPND-WORK-NAT") == 0 &&
	    m.table == 42076 && m.fwmark == 42076 && m.pref_fwmark == 32048 &&
	    m.pref_suppress == 32047 && m.pref_uid == 32046,
	    "instance work, id 7");
	CHECK(instance_names("abcdefghijklmno", INSTANCE_ID_MAX, &m) == 0 &&
	    strlen(m.chain_raw) <= 28 && m.pref_uid > 0,
	    "the longest name fits iptables, the largest id the priorities");
	CHECK(instance_names("abcdefghijklmnop", 1, &m) == -1, "16 chars");
	CHECK(instance_names("", 1, &m) == -1, "an empty name");
	CHECK(instance_names("-x", 1, &m) == -1, "a leading dash");
	CHECK(instance_names("a/b", 1, &m) == -1, "a slash");
	CHECK(instance_names("x", INSTANCE_ID_MAX + 1, &m) == -1, "id");
	CHECK(instance_default_id("work") == 592 &&
	    instance_default_id("home") != instance_default_id("work"),
	    "the derived id is stable: %u", instance_default_id("work"));
	CHECK(instance_socket("work", "/var/run/dsvpnd.sock", sock,
	    sizeof(sock)) == 0 && strcmp(sock, "/var/run/dsvpnd-work.sock")
	    == 0, "the socket of instance work: %s", sock);
	CHECK(instance_socket(INSTANCE_DEFAULT, "/var/run/dsvpnd.sock", sock,
	    sizeof(sock)) == 0 && strcmp(sock, "/var/run/dsvpnd.sock") == 0,
	    "the default socket");
	CHECK(instance_beside("/tmp/a.b/c.sock", ".pid", sock,
	    sizeof(sock)) == 0 && strcmp(sock, "/tmp/a.b/c.pid") == 0,
	    "beside the socket: %s", sock);
	CHECK(instance_beside("/tmp/a.b/c", ".pid", sock, sizeof(sock)) == 0 &&
	    strcmp(sock, "/tmp/a.b/c.pid") == 0, "beside, no dot: %s", sock);
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
	test_hostile_discovery();
	test_facts();
	test_journal();
	test_seal_first();
	test_transitions();
	test_instances();
	if (failures) {
		printf("test_plans: %d failures\n", failures);
		return (1);
	}
	printf("test_plans: ok%s\n", regen ? " (goldens written)" : "");
	return (0);
}
