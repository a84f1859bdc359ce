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
 * srccheck: which source addresses a peer may send from.  Exact
 * addresses and prefixes of any length in both families, host bits
 * cleared on the way in, a full list, short and non-IP packets, and
 * the lists a server's and a client's configuration give.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "srccheck.h"

static int	 failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

/* A minimal packet from src ("a.b.c.d" or an IPv6 address), to dst
 * for IPv6 (2001:db8::99 if NULL). */
static size_t
pkt_to(uint8_t *p, const char *src, const char *dst)
{
	memset(p, 0, 60);
	if (strchr(src, ':') != NULL) {
		p[0] = 0x60;
		p[6] = 59;	/* no next header */
		if (inet_pton(AF_INET6, src, p + 8) != 1 ||
		    inet_pton(AF_INET6, dst != NULL ? dst : "2001:db8::99",
		    p + 24) != 1)
			abort();
		return 40;
	}
	p[0] = 0x45;
	p[3] = 20;
	if (inet_pton(AF_INET, src, p + 12) != 1)
		abort();
	return 20;
}

static size_t
pkt_from(uint8_t *p, const char *src)
{
	return pkt_to(p, src, NULL);
}

static int
allowed(const struct srccheck *sc, const char *src)
{
	uint8_t	 p[60];
	size_t	 n = pkt_from(p, src);

	return srccheck_allowed(sc, p, n);
}

static int
allowed_to(const struct srccheck *sc, const char *src, const char *dst)
{
	uint8_t	 p[60];
	size_t	 n = pkt_to(p, src, dst);

	return srccheck_allowed(sc, p, n);
}

static void
add(struct srccheck *sc, const char *addr, unsigned int plen)
{
	uint8_t	 a[16];
	int	 v6 = strchr(addr, ':') != NULL;

	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, a) != 1 ||
	    srccheck_add(sc, v6 ? 6 : 4, a, plen) == -1) {
		printf("FAIL add %s/%u\n", addr, plen);
		failures++;
	}
}

static void
test_list(void)
{
	struct srccheck	 sc;

	srccheck_init(&sc, 0);
	CHECK(!allowed(&sc, "192.168.192.1"), "empty list allowed");
	add(&sc, "192.168.192.1", 32);
	add(&sc, "64:ff9b::c0a8:c001", 128);
	add(&sc, "10.1.2.3", 16);		/* host bits cleared */
	add(&sc, "2001:db8:1ff:ffff::", 40);
	add(&sc, "172.16.0.0", 12);
	CHECK(allowed(&sc, "192.168.192.1"), "the peer's IPv4 address");
	CHECK(!allowed(&sc, "192.168.192.2"), "the next address");
	CHECK(!allowed(&sc, "192.168.192.254"), "the server's own address");
	CHECK(allowed(&sc, "64:ff9b::c0a8:c001"), "the peer's IPv6 address");
	CHECK(!allowed(&sc, "64:ff9b::c0a8:c002"), "the next IPv6 address");
	CHECK(allowed(&sc, "10.1.0.0") && allowed(&sc, "10.1.255.255") &&
	    allowed(&sc, "10.1.9.9"), "inside 10.1/16");
	CHECK(!allowed(&sc, "10.2.0.0") && !allowed(&sc, "10.0.255.255"),
	    "outside 10.1/16");
	CHECK(allowed(&sc, "172.31.255.255") && !allowed(&sc, "172.32.0.0") &&
	    !allowed(&sc, "172.15.255.255"), "the edges of 172.16/12");
	CHECK(allowed(&sc, "2001:db8:100::1") &&
	    allowed(&sc, "2001:db8:1ff:ffff:ffff::"), "inside the /40");
	CHECK(!allowed(&sc, "2001:db8:200::") && !allowed(&sc, "2001:db8:ff::"),
	    "outside the /40");
	CHECK(!allowed(&sc, "::ffff:192.168.192.1"), "v4-mapped");
	CHECK(!allowed(&sc, "198.51.100.7"), "the Internet");
}

/* What stays on the link passes: a router solicitation, MLD, DAD. */
static void
test_link_scope(void)
{
	struct srccheck	 sc;

	srccheck_init(&sc, 0);
	add(&sc, "192.168.192.1", 32);
	CHECK(allowed_to(&sc, "fe80::1", "ff02::2"), "solicitation");
	CHECK(allowed_to(&sc, "fe80::1", "ff02::16"), "MLD report");
	CHECK(allowed_to(&sc, "fe80::1", "fe80::2"), "link-local unicast");
	CHECK(allowed_to(&sc, "::", "ff02::1:ff00:1"), "DAD");
	CHECK(allowed_to(&sc, "febf::1", "ff12::1"), "fe80::/10, ff12::");
	CHECK(!allowed_to(&sc, "fe80::1", "2001:db8::1"),
	    "link-local to a global address");
	CHECK(!allowed_to(&sc, "fe80::1", "ff05::2"), "to site-scope");
	CHECK(!allowed_to(&sc, "fe80::1", "ff0e::1"), "to global scope");
	CHECK(!allowed_to(&sc, "2001:db8::5", "ff02::1"),
	    "a foreign global source to the link");
	CHECK(!allowed_to(&sc, "fec0::1", "ff02::1"), "site-local source");
	srccheck_init(&sc, 0);
	CHECK(allowed_to(&sc, "fe80::1", "ff02::2"), "even with no list");
}

static void
test_edges(void)
{
	struct srccheck	 sc;
	uint8_t		 p[60], a[16];
	size_t		 i;

	srccheck_init(&sc, 0);
	add(&sc, "0.0.0.0", 0);
	CHECK(allowed(&sc, "203.0.113.9"), "a /0 allows every IPv4 source");
	CHECK(!allowed(&sc, "2001:db8::1"), "an IPv4 /0 allows no IPv6");
	pkt_from(p, "203.0.113.9");
	CHECK(!srccheck_allowed(&sc, p, 19), "a short IPv4 packet");
	p[0] = 0x55;
	CHECK(!srccheck_allowed(&sc, p, 20), "not IP");
	CHECK(!srccheck_allowed(&sc, p, 0), "empty");
	pkt_from(p, "2001:db8::1");
	add(&sc, "::", 0);
	CHECK(srccheck_allowed(&sc, p, 40), "an IPv6 /0");
	CHECK(!srccheck_allowed(&sc, p, 39), "a short IPv6 packet");

	memset(a, 0, sizeof(a));
	CHECK(srccheck_add(&sc, 4, a, 33) == -1, "IPv4 /33");
	CHECK(srccheck_add(&sc, 6, a, 129) == -1, "IPv6 /129");
	CHECK(srccheck_add(&sc, 5, a, 8) == -1, "version 5");
	srccheck_init(&sc, 0);
	for (i = 0; i < SRCCHECK_MAX; i++)
		CHECK(srccheck_add(&sc, 4, a, 32) == 0, "entry %zu", i);
	CHECK(srccheck_add(&sc, 4, a, 32) == -1, "past SRCCHECK_MAX");

	srccheck_init(&sc, 1);
	p[0] = 0x55;
	CHECK(srccheck_allowed(&sc, p, 1), "any: anything");
	CHECK(srccheck_allowed(NULL, p, 1), "NULL: anything");
}

static void
conf_route(struct conf *c, const char *addr, unsigned int plen)
{
	struct conf_prefix	*r = &c->routes[c->n_routes++];

	memset(r, 0, sizeof(*r));
	r->af = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
	r->plen = plen;
	if (inet_pton(r->af, addr, &r->addr) != 1)
		abort();
}

static void
test_conf(void)
{
	struct srccheck	 sc;
	struct conf	 c;

	memset(&c, 0, sizeof(c));
	c.role = ROLE_SERVER;
	inet_pton(AF_INET, "192.168.192.254", &c.inet_local);
	inet_pton(AF_INET, "192.168.192.1", &c.inet_peer);
	c.inet6 = 1;
	inet_pton(AF_INET6, "64:ff9b::c0a8:c0fe", &c.inet6_local);
	inet_pton(AF_INET6, "64:ff9b::c0a8:c001", &c.inet6_peer);
	conf_route(&c, "10.20.0.0", 16);
	conf_route(&c, "2001:db8:20::", 48);
	srccheck_conf(&sc, &c);
	CHECK(!sc.any && sc.n == 4, "server list of %zu", sc.n);
	CHECK(allowed(&sc, "192.168.192.1") &&
	    allowed(&sc, "64:ff9b::c0a8:c001") && allowed(&sc, "10.20.3.4") &&
	    allowed(&sc, "2001:db8:20:1::1"), "the client's own");
	CHECK(!allowed(&sc, "192.168.192.254") &&
	    !allowed(&sc, "64:ff9b::c0a8:c0fe") && !allowed(&sc, "10.21.0.1") &&
	    !allowed(&sc, "2001:db8:21::1"), "what is not the client's");

	c.inet6 = 0;
	srccheck_conf(&sc, &c);
	CHECK(!allowed(&sc, "64:ff9b::c0a8:c001"), "no inet6: no v6 peer");

	c.role = ROLE_CLIENT;
	srccheck_conf(&sc, &c);
	CHECK(sc.any && allowed(&sc, "198.51.100.7"),
	    "a client takes any source from the server");
}

int
main(void)
{
	test_list();
	test_link_scope();
	test_edges();
	test_conf();
	if (failures > 0) {
		printf("test_srccheck: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_srccheck: ok\n");
	return 0;
}
