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
 * of a server NATing on egress, the old gateway towards a BSD client's
 * server, and the current values of the sysctls a plan changes (so
 * revert can put them back).  Parsing is kept apart from running so the
 * regress tests can feed it canned output.
 */
#include "compat.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "plan.h"

#define DISCOVER_OUTMAX	4096

static int
parse_host(const char *s, struct conf_prefix *pf)
{
	char	 a[INET6_ADDRSTRLEN], *pct;

	if (strlcpy(a, s, sizeof(a)) >= sizeof(a))
		return (-1);
	if ((pct = strchr(a, '%')) != NULL)	/* a scope: not kept */
		*pct = '\0';
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

	if (word_after(s, "dev", dev, devlen) == -1)
		return (-1);
	memset(gw, 0, sizeof(*gw));
	if (word_after(s, "via", via, sizeof(via)) == -1)
		return (0);
	/* "via inet6 ADDR": an IPv6 next hop for an IPv4 route. */
	if (strcmp(via, "inet") == 0 || strcmp(via, "inet6") == 0) {
		strlcpy(fam, via, sizeof(fam));
		if (word_after(s, fam, via, sizeof(via)) == -1)
			return (-1);
	}
	return (parse_host(via, gw));
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

/* "route -n get": "gateway: G" (absent when connected), "interface: IF". */
int
discover_parse_route_get(const char *s, char *ifname, size_t iflen,
    struct conf_prefix *gw)
{
	char	 g[INET6_ADDRSTRLEN + 16];

	if (route_field(s, "interface", ifname, iflen) == -1)
		return (-1);
	memset(gw, 0, sizeof(*gw));
	if (route_field(s, "gateway", g, sizeof(g)) == 0 &&
	    parse_host(g, gw) == -1)
		gw->af = 0;	/* a link-layer gateway: connected */
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

/* The gateway a BSD client's transport takes now, before 0/1 and 128/1. */
static int
bsd_gateway(const struct netcfg_req *req, struct netcfg_facts *f,
    char *err, size_t errlen)
{
	char	 out[DISCOVER_OUTMAX], dst[INET6_ADDRSTRLEN];
	char	 ifname[IFNAMSIZ];
	char	*argv[] = { BSD_PATH_ROUTE, "-n", "get",
		    req->server.af == AF_INET6 ? "-inet6" : "-inet", dst,
		    NULL };

	if (!req->gateway_auto) {
		f->gw = req->gateway;
		f->have_gw = 1;
		return (0);
	}
	fmt_addr(dst, sizeof(dst), &req->server);
	if (run(argv, out, sizeof(out), err, errlen) == -1)
		return (-1);
	if (discover_parse_route_get(out, ifname, sizeof(ifname),
	    &f->gw) == -1) {
		snprintf(err, errlen, "no route to the server %s", dst);
		return (-1);
	}
	f->have_gw = f->gw.af != 0;
	return (0);
}

static int
bsd_discover(const struct netcfg_req *req, enum netcfg_os os,
    struct netcfg_facts *f, char *err, size_t errlen)
{
	if (req->role == ROLE_CLIENT)
		return (req->default_route ? bsd_gateway(req, f, err, errlen) :
		    0);
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
	memset(f, 0, sizeof(*f));
	if (plan_is_linux(os))
		return (linux_discover(req, os, f, err, errlen));
	return (bsd_discover(req, os, f, err, errlen));
}
