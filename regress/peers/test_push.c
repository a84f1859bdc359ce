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
 * Pushed settings: what a server builds for a client, every field a
 * hostile server could get wrong refused by the client, and the
 * client's own file winning over the push.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "pushset.h"

static int	 failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static struct conf		 srv;
static struct push_settings	 good;

static void
prefix(struct conf_prefix *p, const char *addr, int plen)
{
	memset(p, 0, sizeof(*p));
	p->af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	p->plen = plen;
	inet_pton(p->af, addr, &p->addr);
}

static void
setup(void)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;

	memset(&srv, 0, sizeof(srv));
	srv.role = ROLE_SERVER;
	srv.mtu = 1400;
	srv.inet6 = 1;
	inet_pton(AF_INET, "192.168.192.254", &srv.inet_local);
	inet_pton(AF_INET6, "fd00::fe", &srv.inet6_local);
	prefix(&srv.pool4, "192.168.192.0", 24);
	prefix(&srv.pool6, "fd00::", 120);
	srv.push_default_route = 0;
	srv.n_push_routes = 1;
	prefix(&srv.push_routes[0], "10.0.0.0", 8);
	srv.n_dns = 1;
	prefix(&srv.dns[0], "192.0.2.53", 32);
	inet_pton(AF_INET, "192.168.192.7", &a4);
	inet_pton(AF_INET6, "fd00::7", &a6);
	push_build(&good, &srv, 1, &a4, 1, &a6);
}

static void
test_build(void)
{
	char	 a[INET6_ADDRSTRLEN];

	CHECK(push_validate(&good) == NULL, "built push refused: %s",
	    push_validate(&good));
	CHECK(good.flags == PUSH_F_ALL, "flags %x", good.flags);
	inet_ntop(AF_INET, &good.inet, a, sizeof(a));
	CHECK(strcmp(a, "192.168.192.7") == 0, "inet %s", a);
	CHECK(good.inet_peer.s_addr == srv.inet_local.s_addr, "peer");
	/* Split routing: the pushed route and both pools. */
	CHECK(good.default_route == 0 && good.n_routes == 3,
	    "routes %u", good.n_routes);
	CHECK(good.mtu == 1400 && good.n_dns == 1, "mtu or dns");
}

/* Each corruption alone must be refused. */
static void
test_hostile(void)
{
	struct push_settings	 p;

	p = good;
	p.flags |= 0x100;
	CHECK(push_validate(&p) != NULL, "unknown flag");
	p = good;
	inet_pton(AF_INET, "224.0.0.1", &p.inet);
	CHECK(push_validate(&p) != NULL, "multicast inet");
	p = good;
	inet_pton(AF_INET, "127.0.0.1", &p.inet_peer);
	CHECK(push_validate(&p) != NULL, "loopback peer");
	p = good;
	p.inet = p.inet_peer;
	CHECK(push_validate(&p) != NULL, "inet equal to its peer");
	p = good;
	inet_pton(AF_INET6, "ff02::1", &p.inet6);
	CHECK(push_validate(&p) != NULL, "multicast inet6");
	p = good;
	p.n_routes = CONF_MAX_ROUTES + 1;
	CHECK(push_validate(&p) != NULL, "too many routes");
	p = good;
	prefix(&p.routes[0], "10.1.0.0", 8);
	CHECK(push_validate(&p) != NULL, "host bits in a route");
	p = good;
	p.routes[0].plen = 33;
	CHECK(push_validate(&p) != NULL, "plen 33");
	p = good;
	p.routes[0].af = 99;
	CHECK(push_validate(&p) != NULL, "unknown family");
	p = good;
	((uint8_t *)&p.routes[0].addr)[9] = 1;
	CHECK(push_validate(&p) != NULL, "bytes past an IPv4 prefix");
	p = good;
	p.mtu = 1000;
	CHECK(push_validate(&p) != NULL, "mtu too small for IPv6");
	p = good;
	p.mtu = 70000;
	CHECK(push_validate(&p) != NULL, "mtu too large");
	p = good;
	p.default_route = 2;
	CHECK(push_validate(&p) != NULL, "default route 2");
	p = good;
	p.n_dns = CONF_MAX_DNS + 1;
	CHECK(push_validate(&p) != NULL, "too many dns");
	p = good;
	p.dns[0].plen = 24;
	CHECK(push_validate(&p) != NULL, "dns with a prefix length");
}

static void
test_merge(void)
{
	struct conf	 own, out;
	uint32_t	 took;

	memset(&own, 0, sizeof(own));
	own.role = ROLE_CLIENT;
	own.mtu = 9000;
	own.default_route = 1;
	inet_pton(AF_INET, "192.168.192.1", &own.inet_local);
	took = push_merge(&out, &own, &good);
	CHECK(took == PUSH_F_ALL, "nothing explicit, took %x", took);
	CHECK(out.inet_local.s_addr == good.inet.s_addr && out.mtu == 1400 &&
	    out.default_route == 0 && out.n_routes == 3 && out.n_dns == 1,
	    "push not applied");
	own.explicit = CONF_SET_INET | CONF_SET_ROUTES | CONF_SET_MTU;
	took = push_merge(&out, &own, &good);
	CHECK(took == (PUSH_F_INET6 | PUSH_F_DNS), "took %x", took);
	CHECK(out.inet_local.s_addr == own.inet_local.s_addr &&
	    out.mtu == 9000 && out.default_route == 1 && out.n_routes == 0,
	    "the client's own settings lost to the push");
}

int
main(void)
{
	setup();
	test_build();
	test_hostile();
	test_merge();
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
