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
 * A client's side of pushed settings (parent/pushset.c): pushes built
 * byte by byte as a hostile server would send them, each refused by
 * the client for its own reason (its networks, its server, its limits),
 * a good one taken, and the client's own file winning over it.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "push.h"
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

struct wire {
	uint8_t		 b[PUSH_MAX_LEN + 64];
	size_t		 n;
};

static struct pushset_ctx	 ctx;

static void
prefix(struct conf_prefix *p, const char *addr, int plen)
{
	memset(p, 0, sizeof(*p));
	p->af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	p->plen = plen;
	inet_pton(p->af, addr, &p->addr);
}

/* One TLV: an address (4 or 16 bytes, by its text) and an optional
 * prefix length and second address, as tunnel/push.c lays them out. */
static void
item(struct wire *w, uint8_t type, const char *a, int plen, const char *b)
{
	uint8_t		 v[64];
	size_t		 n = 0, alen;
	int		 af;

	if (a != NULL) {
		af = strchr(a, ':') ? AF_INET6 : AF_INET;
		alen = af == AF_INET ? 4 : 16;
		inet_pton(af, a, v);
		n = alen;
	}
	if (plen >= 0)
		v[n++] = (uint8_t)plen;
	if (b != NULL) {
		af = strchr(b, ':') ? AF_INET6 : AF_INET;
		inet_pton(af, b, v + n);
		n += af == AF_INET ? 4 : 16;
	}
	w->b[w->n++] = type;
	w->b[w->n++] = (uint8_t)n;
	memcpy(w->b + w->n, v, n);
	w->n += n;
}

static void
raw(struct wire *w, uint8_t type, uint8_t len, const uint8_t *v)
{
	w->b[w->n++] = type;
	w->b[w->n++] = len;
	memcpy(w->b + w->n, v, len);
	w->n += len;
}

/* What the parent does with a PUSHED: decode, then its own checks. */
static const char *
client_takes(const struct wire *w, struct push *p)
{
	const char	*why;

	if (push_decode(w->b, w->n, p, &why) == -1)
		return (why);
	return (pushset_check(p, &ctx));
}

/* A server's usual push: pool addresses, the pool routed, DNS. */
static void
good_push(struct wire *w)
{
	static const uint8_t	 mtu[2] = { 0x05, 0x78 };	/* 1400 */

	w->n = 0;
	item(w, 1, "192.168.192.7", 24, "192.168.192.254");
	item(w, 2, "fd00::7", 120, "fd00::fe");
	item(w, 3, "10.0.0.0", 8, NULL);
	item(w, 3, "192.168.192.0", 24, NULL);
	item(w, 4, "fd00::", 120, NULL);
	raw(w, 6, 2, mtu);
	item(w, 7, "192.0.2.53", -1, NULL);
	item(w, 8, "2001:db8::53", -1, NULL);
}

static void
setup(void)
{
	memset(&ctx, 0, sizeof(ctx));
	/* The server, and the client's own LAN and underlay. */
	prefix(&ctx.servers[ctx.n_servers++], "198.18.0.1", 32);
	prefix(&ctx.servers[ctx.n_servers++], "2001:db8:1::1", 128);
	prefix(&ctx.underlay[ctx.n_underlay++], "198.18.0.2", 30);
	prefix(&ctx.underlay[ctx.n_underlay++], "172.16.5.9", 24);
	prefix(&ctx.underlay[ctx.n_underlay++], "2001:db8:1::2", 64);
}

static void
test_good(void)
{
	struct wire	 w;
	struct push	 p;
	const char	*why;

	good_push(&w);
	why = client_takes(&w, &p);
	CHECK(why == NULL, "a good push refused: %s", why);
	CHECK(p.have4 && p.have6 && p.nroute4 == 2 && p.nroute6 == 1 &&
	    p.mtu == 1400 && p.ndns4 == 1 && p.ndns6 == 1, "decoded wrong");
}

/* Each push below differs from a good one by one hostile item. */
static void
refused(const char *what, void (*add)(struct wire *), const char *want)
{
	struct wire	 w;
	struct push	 p;
	const char	*why;

	good_push(&w);
	add(&w);
	why = client_takes(&w, &p);
	CHECK(why != NULL, "%s: taken", what);
	if (why != NULL && want != NULL)
		CHECK(strstr(why, want) != NULL, "%s: refused as \"%s\"",
		    what, why);
}

static void
add_route_server(struct wire *w)
{
	item(w, 3, "198.18.0.0", 15, NULL);	/* the underlay, server */
}

static void
add_route_server6(struct wire *w)
{
	item(w, 4, "2001:db8::", 32, NULL);
}

static void
add_route_lan(struct wire *w)
{
	item(w, 3, "172.16.0.0", 12, NULL);	/* takes 172.16.5.9 */
}

static void
add_split_all(struct wire *w)
{
	item(w, 3, "0.0.0.0", 1, NULL);		/* 0/1 holds the server */
	item(w, 3, "128.0.0.0", 1, NULL);
}

static void
add_many_routes(struct wire *w)
{
	char	 a[32];
	int	 i;

	/* 64 IPv4 and 1 IPv6: each family within the wire's limit, the
	 * sum beyond what a client holds. */
	for (i = 0; i < 62; i++) {
		snprintf(a, sizeof(a), "10.%d.0.0", i + 1);
		item(w, 3, a, 16, NULL);
	}
}

static void
add_truncated(struct wire *w)
{
	w->b[w->n++] = 3;
	w->b[w->n++] = 5;
	w->b[w->n++] = 10;
}

static void
add_zero_length(struct wire *w)
{
	raw(w, 5, 0, NULL);		/* default route without its flags */
}

static void
add_long_mtu(struct wire *w)
{
	static const uint8_t	 v[3] = { 0, 5, 0x78 };

	raw(w, 6, 3, v);
}

static void
add_critical(struct wire *w)
{
	static const uint8_t	 v[1] = { 1 };

	raw(w, 0x81, 1, v);
}

static void
add_dns_many(struct wire *w)
{
	item(w, 7, "192.0.2.54", -1, NULL);
	item(w, 7, "192.0.2.55", -1, NULL);
	item(w, 7, "192.0.2.56", -1, NULL);
}

/* The address items replaced: a fresh push of one item each. */
static void
only_addr_on_lan(struct wire *w)
{
	w->n = 0;
	item(w, 1, "172.16.5.20", 24, "192.168.192.254");
}

static void
only_peer_is_server(struct wire *w)
{
	w->n = 0;
	item(w, 1, "192.168.192.7", 24, "198.18.0.1");
}

static void
only_addr6_on_lan(struct wire *w)
{
	w->n = 0;
	item(w, 2, "2001:db8:1::99", 64, "fd00::fe");
}

static void
only_addr_multicast(struct wire *w)
{
	w->n = 0;
	item(w, 1, "224.0.0.9", 24, "192.168.192.254");
}

static void
only_host_bits(struct wire *w)
{
	w->n = 0;
	item(w, 3, "10.1.0.0", 8, NULL);
}

static void
test_hostile(void)
{
	refused("a route taking the server", add_route_server, "server");
	refused("an IPv6 route taking the server", add_route_server6,
	    "server");
	refused("a route taking the LAN", add_route_lan, "local address");
	refused("0/1 and 128/1", add_split_all, "server");
	refused("67 routes", add_many_routes, "more routes");
	refused("a truncated item", add_truncated, "truncated");
	refused("an empty default-route item", add_zero_length, NULL);
	refused("a 3-byte MTU", add_long_mtu, NULL);
	refused("an unknown critical item", add_critical, "critical");
	refused("5 IPv4 DNS servers", add_dns_many, NULL);
	refused("an address on the LAN", only_addr_on_lan, "local network");
	refused("the server's address as the peer", only_peer_is_server,
	    "server's own");
	refused("an IPv6 address on the LAN", only_addr6_on_lan,
	    "local network");
	refused("a multicast address", only_addr_multicast, NULL);
	refused("a route with host bits", only_host_bits, NULL);
}

static void
own_client(struct conf *own)
{
	memset(own, 0, sizeof(*own));
	own->role = ROLE_CLIENT;
	own->mtu = 9000;
	own->default_route = 1;
	own->block_outside = 1;
	own->inet6 = 1;
	inet_pton(AF_INET, "192.168.192.1", &own->inet_local);
	inet_pton(AF_INET, "192.168.192.254", &own->inet_peer);
	inet_pton(AF_INET6, "fd64:7376:706e::c0a8:c001", &own->inet6_local);
	inet_pton(AF_INET6, "fd64:7376:706e::c0a8:c0fe", &own->inet6_peer);
}

static void
test_merge(void)
{
	struct wire	 w;
	struct push	 p;
	struct conf	 own, out;
	unsigned int	 took;
	char		 a[INET6_ADDRSTRLEN];

	good_push(&w);
	CHECK(client_takes(&w, &p) == NULL, "good push refused");
	own_client(&own);
	took = pushset_merge(&out, &own, &p);
	CHECK(took == (CONF_SET_INET | CONF_SET_INET6 | CONF_SET_ROUTES |
	    CONF_SET_MTU | CONF_SET_DNS), "nothing explicit, took %x", took);
	inet_ntop(AF_INET, &out.inet_local, a, sizeof(a));
	CHECK(strcmp(a, "192.168.192.7") == 0, "inet %s", a);
	inet_ntop(AF_INET6, &out.inet6_peer, a, sizeof(a));
	CHECK(strcmp(a, "fd00::fe") == 0, "inet6 peer %s", a);
	CHECK(out.mtu == 1400 && out.default_route == 0 &&
	    out.n_routes == 3 && out.n_dns == 2, "push not applied");
	/* A split tunnel pushed: the seal follows, as in a file. */
	CHECK(out.block_outside == 0, "sealed on a pushed split tunnel");

	own.explicit = CONF_SET_INET | CONF_SET_ROUTES | CONF_SET_MTU |
	    CONF_SET_BLOCK;
	took = pushset_merge(&out, &own, &p);
	CHECK(took == (CONF_SET_INET6 | CONF_SET_DNS), "took %x", took);
	CHECK(out.inet_local.s_addr == own.inet_local.s_addr &&
	    out.mtu == 9000 && out.default_route == 1 && out.n_routes == 0 &&
	    out.block_outside == 1,
	    "the client's own settings lost to the push");
}

static void
test_merge_limits(void)
{
	struct wire	 w;
	struct push	 p;
	struct conf	 own, out;
	static const uint8_t	 big[2] = { 0xff, 0xff };

	/* No IPv6 pushed: the tunnel has none, nor IPv6 routes. */
	w.n = 0;
	item(&w, 1, "192.168.192.7", 24, "192.168.192.254");
	raw(&w, 6, 2, big);
	CHECK(client_takes(&w, &p) == NULL, "v4-only push refused");
	own_client(&own);
	own.explicit = CONF_SET_ROUTES;
	own.n_routes = 2;
	prefix(&own.routes[0], "10.0.0.0", 8);
	prefix(&own.routes[1], "fd01::", 64);
	(void)pushset_merge(&out, &own, &p);
	CHECK(out.inet6 == 0 && out.n_routes == 1 &&
	    out.routes[0].af == AF_INET, "IPv6 kept without inet6");
	/* The TUN was opened at 9000: a push never raises it. */
	CHECK(out.mtu == 9000, "mtu raised to %d", out.mtu);
	/* The defroute flag alone: everything into the tunnel. */
	w.n = 0;
	raw(&w, 5, 1, (const uint8_t *)"\001");
	CHECK(client_takes(&w, &p) == NULL, "default route refused");
	own_client(&own);
	own.default_route = 0;
	own.block_outside = 0;
	(void)pushset_merge(&out, &own, &p);
	CHECK(out.default_route == 1 && out.block_outside == 1,
	    "pushed default route not sealed");
}

int
main(void)
{
	setup();
	test_good();
	test_hostile();
	test_merge();
	test_merge_limits();
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
