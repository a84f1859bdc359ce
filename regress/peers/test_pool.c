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
 * Pool addresses: every client gets one, none twice, never a fixed
 * one, the server's, or the network or broadcast address; a client
 * keeps its address when others are added and removed and across a
 * restart (the lease file); a client removed and added back gets its
 * old address; a full pool says so.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "pool.h"

static int	 failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static struct conf	 conf;

static void
setup_conf(const char *pool4)
{
	memset(&conf, 0, sizeof(conf));
	conf.inet6 = 1;
	inet_pton(AF_INET, "10.7.0.1", &conf.inet_local);
	inet_pton(AF_INET6, "fd00:7::1", &conf.inet6_local);
	conf.pool4.af = AF_INET;
	conf.pool4.plen = atoi(strchr(pool4, '/') + 1);
	inet_pton(AF_INET, "10.7.0.0", &conf.pool4.addr.v4);
	conf.pool6.af = AF_INET6;
	conf.pool6.plen = 120;
	inet_pton(AF_INET6, "fd00:7::", &conf.pool6.addr.v6);
}

/* Clients named c<first> .. c<first + n - 1>, c<fixed> with 10.7.0.9. */
static void
make_clients(struct conf_clients *cl, int first, int n, int fixed)
{
	int	 i;

	memset(cl, 0, sizeof(*cl));
	cl->cap = cl->n = n;
	if ((cl->v = calloc(n, sizeof(*cl->v))) == NULL)
		exit(1);
	for (i = 0; i < n; i++) {
		snprintf(cl->v[i].name, sizeof(cl->v[i].name), "c%d",
		    first + i);
		if (first + i == fixed) {
			cl->v[i].fixed4 = cl->v[i].has4 = 1;
			inet_pton(AF_INET, "10.7.0.9", &cl->v[i].inet);
		}
	}
}

static const struct conf_client *
find(const struct conf_clients *cl, const char *name)
{
	size_t	 i;

	for (i = 0; i < cl->n; i++)
		if (strcmp(cl->v[i].name, name) == 0)
			return &cl->v[i];
	return NULL;
}

static void
check_valid(const struct conf_clients *cl)
{
	size_t		 i, j;
	uint32_t	 a;
	int		 fixed = 0;

	for (i = 0; i < cl->n; i++)
		fixed |= cl->v[i].fixed4;
	for (i = 0; i < cl->n; i++) {
		CHECK(cl->v[i].has4 && cl->v[i].has6, "%s has no address",
		    cl->v[i].name);
		a = ntohl(cl->v[i].inet.s_addr);
		CHECK((a & 0xffffff00) == 0x0a070000, "%s outside the pool",
		    cl->v[i].name);
		CHECK((a & 0xff) != 0 && (a & 0xff) != 255 && (a & 0xff) != 1,
		    "%s has a reserved address", cl->v[i].name);
		CHECK(!fixed || cl->v[i].fixed4 || (a & 0xff) != 9,
		    "%s took the fixed address", cl->v[i].name);
		for (j = i + 1; j < cl->n; j++) {
			CHECK(cl->v[i].inet.s_addr != cl->v[j].inet.s_addr,
			    "%s and %s share an address", cl->v[i].name,
			    cl->v[j].name);
			CHECK(memcmp(&cl->v[i].inet6, &cl->v[j].inet6, 16),
			    "%s and %s share an IPv6 address",
			    cl->v[i].name, cl->v[j].name);
		}
	}
}

static void
test_stable(const char *path)
{
	struct conf_clients	 a, b, c;
	struct leases		 l;
	char			 err[128];
	const struct conf_client *x, *y;
	size_t			 i;

	setup_conf("10.7.0.0/24");
	unlink(path);
	CHECK(leases_load(path, &l) == 0 && l.n == 0, "no file, no leases");
	make_clients(&a, 0, 100, 5);
	CHECK(pool_assign(&conf, &a, &l, err, sizeof(err)) == 0, "%s", err);
	check_valid(&a);
	CHECK(leases_save(path, &l) == 0, "save");
	leases_free(&l);

	/* A restart with 20 clients removed and 50 added. */
	/* c5's fixed IPv4 address is no lease, its pool IPv6 one is. */
	CHECK(leases_load(path, &l) == 0 && l.n == 100, "%zu leases", l.n);
	make_clients(&b, 20, 130, 5);
	CHECK(pool_assign(&conf, &b, &l, err, sizeof(err)) == 0, "%s", err);
	check_valid(&b);
	for (i = 20; i < a.n; i++) {
		x = &a.v[i];
		y = find(&b, x->name);
		CHECK(y != NULL && x->inet.s_addr == y->inet.s_addr &&
		    memcmp(&x->inet6, &y->inet6, 16) == 0, "%s moved",
		    x->name);
	}
	/* The removed ones' addresses were not given away: c3 returns. */
	for (i = 0; i < b.n; i++)
		CHECK(b.v[i].inet.s_addr != a.v[3].inet.s_addr,
		    "%s took removed c3's address", b.v[i].name);
	CHECK(leases_save(path, &l) == 0, "save");
	leases_free(&l);
	CHECK(leases_load(path, &l) == 0, "load");
	make_clients(&c, 3, 1, -1);
	CHECK(pool_assign(&conf, &c, &l, err, sizeof(err)) == 0, "%s", err);
	CHECK(c.v[0].inet.s_addr == a.v[3].inet.s_addr,
	    "c3 did not get its address back");
	leases_free(&l);
	conf_clients_free(&a);
	conf_clients_free(&b);
	conf_clients_free(&c);
	unlink(path);
}

static void
test_full(void)
{
	struct conf_clients	 cl;
	struct leases		 l;
	char			 err[128];

	setup_conf("10.7.0.0/29");	/* 8 - network, broadcast, server */
	memset(&l, 0, sizeof(l));
	make_clients(&cl, 0, 5, -1);
	CHECK(pool_assign(&conf, &cl, &l, err, sizeof(err)) == 0, "%s", err);
	check_valid(&cl);
	conf_clients_free(&cl);
	leases_free(&l);
	make_clients(&cl, 0, 6, -1);
	CHECK(pool_assign(&conf, &cl, &l, err, sizeof(err)) == -1,
	    "6 clients in 5 addresses");
	conf_clients_free(&cl);
	leases_free(&l);
}

int
main(void)
{
	char	 path[] = "/tmp/test_pool.XXXXXX";
	int	 fd;

	if (sodium_init() == -1 || (fd = mkstemp(path)) == -1)
		return 1;
	close(fd);
	test_stable(path);
	test_full();
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
