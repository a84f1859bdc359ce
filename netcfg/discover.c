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
 * Discovery, run at apply time before rendering: the external interface
 * of a server NATing on egress, the old gateways towards a BSD client's
 * servers, whether FreeBSD disabled IPv6 on the tunnel, and the current
 * values of the sysctls a plan changes (so revert can put them back).
 * Parsing is kept apart from running so the regress tests can feed it
 * canned output, hostile output included: what a program printed is
 * checked as strictly as a request before a plan may use it.
 */
#include "compat.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "plan.h"

#define DISCOVER_OUTMAX	4096

/* ADDR or ADDR%SCOPE; the scope (a link) goes to scope if given. */
static int
parse_host(const char *s, struct conf_prefix *pf, char *scope)
{
	char	 a[INET6_ADDRSTRLEN + IFNAMSIZ], *pct;

	if (strlcpy(a, s, sizeof(a)) >= sizeof(a))
		return (-1);
	if (scope != NULL)
		scope[0] = '\0';
	if ((pct = strchr(a, '%')) != NULL) {
		*pct++ = '\0';
		if (!netcfg_ifname_ok(pct, IFNAMSIZ))
			return (-1);
		if (scope != NULL)
			strlcpy(scope, pct, IFNAMSIZ);
	}
	memset(pf, 0, sizeof(*pf));
	if (inet_pton(AF_INET, a, &pf->addr.v4) == 1) {
		pf->af = AF_INET;
		pf->plen = 32;
	} else if (inet_pton(AF_INET6, a, &pf->addr.v6) == 1) {
		pf->af = AF_INET6;
		pf->plen = 128;
	} else
		return (-1);
	return (0);
}

/* Copy the n-byte word at p into buf, which must hold it. */
static int
copy_word(const char *p, size_t n, char *buf, size_t len)
{
	if (n == 0 || n >= len)
		return (-1);
	memcpy(buf, p, n);
	buf[n] = '\0';
	return (0);
}

/* The word after key on the first line of s, into buf. */
static int
word_after(const char *s, const char *key, char *buf, size_t len)
{
	const char	*eol, *p;
	size_t		 klen = strlen(key);

	eol = strchr(s, '\n');
	if (eol == NULL)
		eol = s + strlen(s);
	for (p = s; p < eol; p += strcspn(p, " \n")) {
		p += strspn(p, " ");
		if ((size_t)(eol - p) > klen && strncmp(p, key, klen) == 0 &&
		    p[klen] == ' ') {
			p += klen + 1;
			return (copy_word(p, strcspn(p, " \n"), buf, len));
		}
	}
	return (-1);
}

/*
 * "ip -o route show default" or "ip route get": "default via G dev IF"
 * or "A via G dev IF src S".  The device is required, the gateway not.
 */
int
discover_parse_ip_route(const char *s, char *dev, size_t devlen,
    struct conf_prefix *gw)
{
	char	 via[INET6_ADDRSTRLEN + 16], fam[8];

	if (word_after(s, "dev", dev, devlen) == -1 ||
	    !netcfg_ifname_ok(dev, devlen)) {
		dev[0] = '\0';
		return (-1);
	}
	memset(gw, 0, sizeof(*gw));
	if (word_after(s, "via", via, sizeof(via)) == -1)
		return (0);
	/* "via inet6 ADDR": an IPv6 next hop for an IPv4 route. */
	if (strcmp(via, "inet") == 0 || strcmp(via, "inet6") == 0) {
		strlcpy(fam, via, sizeof(fam));
		if (word_after(s, fam, via, sizeof(via)) == -1)
			return (-1);
	}
	return (parse_host(via, gw, NULL));
}

/* The value of "key: value" on any line of route(8) get's output. */
static int
route_field(const char *s, const char *key, char *buf, size_t len)
{
	const char	*p;
	size_t		 klen = strlen(key);

	for (p = s; *p != '\0'; p += strcspn(p, "\n"), p += *p == '\n') {
		p += strspn(p, " \t");
		if (strncmp(p, key, klen) != 0 || p[klen] != ':')
			continue;
		p += klen + 1;
		p += strspn(p, " \t");
		return (copy_word(p, strcspn(p, " \t\n"), buf, len));
	}
	return (-1);
}

/*
 * "route -n get": "gateway: G" (absent when connected), "interface: IF".
 * A link-local IPv6 gateway needs its link: the one route(8) printed
 * after a "%", else the interface the route goes out of.
 */
int
discover_parse_route_get(const char *s, char *ifname, size_t iflen,
    struct conf_prefix *gw, char *scope)
{
	char	 g[INET6_ADDRSTRLEN + IFNAMSIZ + 16];

	scope[0] = '\0';
	if (route_field(s, "interface", ifname, iflen) == -1 ||
	    !netcfg_ifname_ok(ifname, iflen)) {
		ifname[0] = '\0';
		return (-1);
	}
	memset(gw, 0, sizeof(*gw));
	if (route_field(s, "gateway", g, sizeof(g)) == -1)
		return (0);
	if (strchr(g, '%') != NULL && parse_host(g, gw, scope) == -1)
		return (-1);	/* a scope that is no interface name */
	if (parse_host(g, gw, scope) == -1) {
		memset(gw, 0, sizeof(*gw));	/* link-layer: connected */
		return (0);
	}
	if (gw->af == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&gw->addr.v6) &&
	    scope[0] == '\0')
		strlcpy(scope, ifname, IFNAMSIZ);
	if (gw->af != AF_INET6 || !IN6_IS_ADDR_LINKLOCAL(&gw->addr.v6))
		scope[0] = '\0';
	return (0);
}

/* FreeBSD "ifconfig IF inet6": does "nd6 options=" list IFDISABLED? */
int
discover_parse_nd6(const char *s)
{
	const char	*p, *e;

	if ((p = strstr(s, "nd6 options=")) == NULL)
		return (0);
	if ((e = strchr(p, '>')) == NULL)
		e = p + strcspn(p, "\n");
	for (; (p = strstr(p, "IFDISABLED")) != NULL && p < e; p++)
		if ((p[-1] == '<' || p[-1] == ',') &&
		    (p[10] == ',' || p[10] == '>'))
			return (1);
	return (0);
}

static int
run(char *const argv[], char *out, size_t outlen, char *err, size_t errlen)
{
	return (netcfg_exec(argv, NULL, out, outlen, err, errlen));
}

/* The first line of "sysctl -n name". */
static int
sysctl_raw(enum netcfg_os os, const char *name, char *val, size_t len,
    char *err, size_t errlen)
{
	char	 out[DISCOVER_OUTMAX];
	char	*argv[] = { (char *)plan_sysctl_path(os), "-n",
		    (char *)name, NULL };

	if (run(argv, out, sizeof(out), err, errlen) == -1)
		return (-1);
	out[strcspn(out, "\n")] = '\0';
	if (strlcpy(val, out, len) >= len) {
		snprintf(err, errlen, "sysctl %s: value too long", name);
		return (-1);
	}
	return (0);
}

/* The value of a sysctl, checked to be a plain word we can write back. */
static int
sysctl_read(enum netcfg_os os, const char *name, char *val, size_t len,
    char *err, size_t errlen)
{
	size_t	 n;

	if (sysctl_raw(os, name, val, len, err, errlen) == -1)
		return (-1);
	n = strlen(val);
	if (n == 0 || strspn(val, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n) {
		snprintf(err, errlen, "sysctl %s: unexpected value", name);
		val[0] = '\0';
		return (-1);
	}
	return (0);
}

static int
has_word(const char *list, const char *word)
{
	size_t	 n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' ||
		    p[n] == ' ' || p[n] == '\n'))
			return (1);
	return (0);
}

static int
linux_egress(struct netcfg_facts *f, char *err, size_t errlen)
{
	char			 out[DISCOVER_OUTMAX];
	struct conf_prefix	 gw;
	char			*v4[] = { LINUX_PATH_IP, "-4", "-o",
				    "route", "show", "default", NULL };
	char			*v6[] = { LINUX_PATH_IP, "-6", "-o",
				    "route", "show", "default", NULL };

	if (run(v4, out, sizeof(out), err, errlen) == 0 &&
	    discover_parse_ip_route(out, f->ext_if, sizeof(f->ext_if),
	    &gw) == 0)
		return (0);
	if (run(v6, out, sizeof(out), err, errlen) == 0 &&
	    discover_parse_ip_route(out, f->ext_if, sizeof(f->ext_if),
	    &gw) == 0)
		return (0);
	snprintf(err, errlen, "nat on egress: no default route");
	return (-1);
}

static int
linux_discover(const struct netcfg_req *req, enum netcfg_os os,
    struct netcfg_facts *f, char *err, size_t errlen)
{
	char	 avail[256];

	if (req->role == ROLE_SERVER) {
		if (req->nat == NAT_EGRESS &&
		    linux_egress(f, err, errlen) == -1)
			return (-1);
		if (sysctl_read(os, "net.ipv4.ip_forward", f->ip_forward,
		    sizeof(f->ip_forward), err, errlen) == -1)
			return (-1);
		if (req->inet6 && sysctl_read(os,
		    "net.ipv6.conf.all.forwarding", f->ip6_forward,
		    sizeof(f->ip6_forward), err, errlen) == -1)
			return (-1);
		return (0);
	}
	/* bbr only when the kernel offers it; its absence is no error. */
	if (sysctl_raw(os, "net.ipv4.tcp_available_congestion_control",
	    avail, sizeof(avail), err, errlen) == -1)
		avail[0] = '\0';
	f->have_bbr = has_word(avail, "bbr");
	if (f->have_bbr && sysctl_read(os, "net.ipv4.tcp_congestion_control",
	    f->cc, sizeof(f->cc), err, errlen) == -1)
		f->have_bbr = 0;
	return (0);
}

/*
 * The gateway towards dst, outside the tunnel: what "route get" says,
 * or, where our own routes already take dst into the tunnel (a server
 * that moved, seen from a sealed client), the default route's.
 */
static int
route_get(const struct netcfg_req *req, const struct conf_prefix *dst,
    struct netcfg_facts *f, char *err, size_t errlen)
{
	char			 out[DISCOVER_OUTMAX], d[INET6_ADDRSTRLEN];
	char			 ifname[IFNAMSIZ], scope[IFNAMSIZ];
	struct conf_prefix	 gw;
	int			 v6 = dst->af == AF_INET6;
	char			*argv[] = { BSD_PATH_ROUTE, "-n", "get",
				    v6 ? "-inet6" : "-inet", d, NULL };

	fmt_addr(d, sizeof(d), dst);
	if (run(argv, out, sizeof(out), err, errlen) == -1 ||
	    discover_parse_route_get(out, ifname, sizeof(ifname), &gw,
	    scope) == -1) {
		snprintf(err, errlen, "no usable route to the server %s", d);
		return (-1);
	}
	if (strcmp(ifname, req->ifname) == 0) {
		strlcpy(d, "default", sizeof(d));
		if (run(argv, out, sizeof(out), err, errlen) == -1 ||
		    discover_parse_route_get(out, ifname, sizeof(ifname),
		    &gw, scope) == -1 || strcmp(ifname, req->ifname) == 0) {
			snprintf(err, errlen, "no route outside the tunnel "
			    "to the server");
			return (-1);
		}
	}
	if (gw.af == 0)
		return (0);	/* connected: no host route needed */
	if (gw.af == AF_INET6 && !f->have_gw6) {
		f->have_gw6 = 1;
		f->gw6 = gw;
		strlcpy(f->gw6_scope, scope, sizeof(f->gw6_scope));
	} else if (gw.af == AF_INET && !f->have_gw4) {
		f->have_gw4 = 1;
		f->gw4 = gw;
	}
	return (0);
}

/* The gateways a BSD client's transport takes now, per family. */
static int
bsd_gateways(const struct netcfg_req *req, struct netcfg_facts *f,
    char *err, size_t errlen)
{
	uint32_t	 i;

	if (!req->gateway_auto) {
		if (req->gateway.af == AF_INET6) {
			f->have_gw6 = 1;
			f->gw6 = req->gateway;
		} else {
			f->have_gw4 = 1;
			f->gw4 = req->gateway;
		}
		return (0);
	}
	for (i = 0; i < req->n_servers; i++)
		if (route_get(req, &req->servers[i], f, err, errlen) == -1)
			return (-1);
	return (0);
}

/* FreeBSD's devd may have disabled IPv6 on a new tun. */
static int
bsd_ifdisabled(const struct netcfg_req *req, struct netcfg_facts *f,
    char *err, size_t errlen)
{
	char	 out[DISCOVER_OUTMAX];
	char	*argv[] = { BSD_PATH_IFCONFIG, (char *)req->ifname, "inet6",
		    NULL };

	if (run(argv, out, sizeof(out), err, errlen) == -1)
		return (-1);
	f->ifdisabled = discover_parse_nd6(out);
	return (0);
}

static int
bsd_discover(const struct netcfg_req *req, enum netcfg_os os,
    struct netcfg_facts *f, char *err, size_t errlen)
{
	if (os == NETCFG_OS_FREEBSD && req->inet6 &&
	    bsd_ifdisabled(req, f, err, errlen) == -1)
		return (-1);
	if (req->role == ROLE_CLIENT)
		return (netcfg_needs_servers(os, req) ?
		    bsd_gateways(req, f, err, errlen) : 0);
	if (sysctl_read(os, "net.inet.ip.forwarding", f->ip_forward,
	    sizeof(f->ip_forward), err, errlen) == -1)
		return (-1);
	if (req->inet6 && sysctl_read(os, "net.inet6.ip6.forwarding",
	    f->ip6_forward, sizeof(f->ip6_forward), err, errlen) == -1)
		return (-1);
	return (0);
}

int
netcfg_discover(const struct netcfg_req *req, enum netcfg_os os,
    struct netcfg_facts *f, char *err, size_t errlen)
{
	const char	*why;
	int		 rc;

	memset(f, 0, sizeof(*f));
	if (plan_is_linux(os))
		rc = linux_discover(req, os, f, err, errlen);
	else
		rc = bsd_discover(req, os, f, err, errlen);
	if (rc == 0 && (why = netcfg_facts_validate(f)) != NULL) {
		snprintf(err, errlen, "discovery: %s", why);
		return (-1);
	}
	return (rc);
}

void
netcfg_facts_carry(struct netcfg_facts *f, const struct netcfg_facts *old)
{
	if (old->ip_forward[0] != '\0')
		strlcpy(f->ip_forward, old->ip_forward, sizeof(f->ip_forward));
	if (old->ip6_forward[0] != '\0')
		strlcpy(f->ip6_forward, old->ip6_forward,
		    sizeof(f->ip6_forward));
	if (old->have_bbr) {
		f->have_bbr = 1;
		strlcpy(f->cc, old->cc, sizeof(f->cc));
	}
	if (old->have_gw4) {
		f->have_gw4 = 1;
		f->gw4 = old->gw4;
	}
	if (old->have_gw6) {
		f->have_gw6 = 1;
		f->gw6 = old->gw6;
		strlcpy(f->gw6_scope, old->gw6_scope, sizeof(f->gw6_scope));
	}
	if (old->ifdisabled)
		f->ifdisabled = 1;
}
