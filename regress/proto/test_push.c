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
 * Unit tests of the push TLVs (tunnel/push.c): a full round trip, the
 * limits, and every refusal of push_decode(), each with its reason.
 */
#include "compat.h"

#include <arpa/inet.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "push.h"

static int	 failures, cases;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("    FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++;						\
		return (-1);						\
	}								\
} while (0)

static void
a4(struct in_addr *a, const char *s)
{
	if (inet_pton(AF_INET, s, a) != 1)
		errx(1, "bad test address %s", s);
}

static void
a6(struct in6_addr *a, const char *s)
{
	if (inet_pton(AF_INET6, s, a) != 1)
		errx(1, "bad test address %s", s);
}

/* What a dsvpnd server with defaults pushes, plus a split route each. */
static void
sample(struct push *p)
{
	memset(p, 0, sizeof(*p));
	p->have4 = 1;
	a4(&p->addr4, "192.168.192.1");
	p->plen4 = 24;
	a4(&p->peer4, "192.168.192.254");
	p->have6 = 1;
	a6(&p->addr6, "64:ff9b::c0a8:c001");
	p->plen6 = 96;
	a6(&p->peer6, "64:ff9b::c0a8:c0fe");
	p->defroute = PUSH_DEFAULT_V4 | PUSH_DEFAULT_V6;
	p->mtu = 9000;
	p->nroute4 = 1;
	a4(&p->route4[0].net, "10.1.0.0");
	p->route4[0].plen = 16;
	p->nroute6 = 1;
	a6(&p->route6[0].net, "2001:db8:1::");
	p->route6[0].plen = 48;
	p->ndns4 = 1;
	a4(&p->dns4[0], "192.0.2.53");
	p->ndns6 = 1;
	a6(&p->dns6[0], "2001:db8::53");
}

static int
t_roundtrip(void)
{
	struct push	 p, q;
	uint8_t		 buf[PUSH_MAX_LEN];
	ssize_t		 n;
	const char	*why = NULL;

	sample(&p);
	CHECK((n = push_encode(&p, buf, sizeof(buf), &why)) > 0);
	/* 11 + 35 + 3 + 4 + 7 + 19 + 6 + 18 */
	CHECK(n == 103);
	CHECK(push_decode(buf, n, &q, &why) == 0);
	CHECK(memcmp(&p, &q, sizeof(p)) == 0);
	/* An empty push is a push of nothing. */
	CHECK(push_decode(buf, 0, &q, &why) == 0 && !q.have4 && !q.mtu);
	/* Too small a buffer. */
	CHECK(push_encode(&p, buf, 50, &why) == -1);
	CHECK(strcmp(why, "push too long") == 0);
	return (0);
}

/* The largest push there is fits in PUSH_MAX_LEN and comes back. */
static int
t_limits(void)
{
	struct push	 p, q;
	uint8_t		 buf[PUSH_MAX_LEN];
	ssize_t		 n;
	size_t		 i;
	const char	*why = NULL;

	sample(&p);
	p.nroute4 = p.nroute6 = PUSH_MAX_ROUTES;
	p.ndns4 = p.ndns6 = PUSH_MAX_DNS;
	for (i = 0; i < PUSH_MAX_ROUTES; i++) {
		p.route4[i].net.s_addr = htonl(0x0a000000 | (uint32_t)i << 8);
		p.route4[i].plen = 24;
		memset(&p.route6[i].net, 0, 16);
		p.route6[i].net.s6_addr[0] = 0x20;
		p.route6[i].net.s6_addr[1] = 0x01;
		p.route6[i].net.s6_addr[2] = 0x0d;
		p.route6[i].net.s6_addr[3] = 0xb8;
		p.route6[i].net.s6_addr[7] = (uint8_t)i;
		p.route6[i].plen = 64;
	}
	for (i = 0; i < PUSH_MAX_DNS; i++) {
		p.dns4[i].s_addr = htonl(0xc0000235 + (uint32_t)i);
		a6(&p.dns6[i], "2001:db8::53");
		p.dns6[i].s6_addr[15] += (uint8_t)i;
	}
	CHECK((n = push_encode(&p, buf, sizeof(buf), &why)) > 0);
	CHECK(n <= PUSH_MAX_LEN);
	CHECK(push_decode(buf, n, &q, &why) == 0);
	CHECK(memcmp(&p, &q, sizeof(p)) == 0);
	/* One more of anything is refused, both ways. */
	p.nroute4 = PUSH_MAX_ROUTES + 1;
	CHECK(push_encode(&p, buf, sizeof(buf), &why) == -1);
	CHECK(strcmp(why, "too many routes") == 0);
	p.nroute4 = PUSH_MAX_ROUTES;
	p.ndns6 = PUSH_MAX_DNS + 1;
	CHECK(push_encode(&p, buf, sizeof(buf), &why) == -1);
	CHECK(strcmp(why, "too many DNS servers") == 0);
	return (0);
}

/* Pushes given as TLV bytes: each refused for its reason, or taken. */
static const struct {
	const char	*hex;
	const char	*why;		/* NULL: accepted */
} vec[] = {
	/* framing */
	{ "01", "truncated item" },
	{ "0109c0a8c00118c0a8c0", "truncated item" },
	{ "0600", "bad or repeated MTU" },
	/* the client's IPv4 address */
	{ "0109c0a8c00118c0a8c0fe", NULL },
	{ "0108c0a8c00118c0a8c0", "bad or repeated IPv4 address" },
	{ "0109c0a8c00118c0a8c0fe0109c0a8c00118c0a8c0fe",
	    "bad or repeated IPv4 address" },
	{ "0109c0a8c00100c0a8c0fe", "bad IPv4 prefix length" },
	{ "0109c0a8c00121c0a8c0fe", "bad IPv4 prefix length" },
	{ "01090000000018c0a8c0fe", "unusable IPv4 address" },
	{ "01097f00000118c0a8c0fe", "unusable IPv4 address" },
	{ "0109e000000118c0a8c0fe", "unusable IPv4 address" },
	{ "0109ffffffff18c0a8c0fe", "unusable IPv4 address" },
	{ "0109c0a8c00118e0000001", "unusable IPv4 address" },
	{ "0109c0a8c00118c0a8c001", "IPv4 address equals the server's" },
	/* the client's IPv6 address */
	{ "022120010db8000000000000000000000001402001"
	    "0db8000000000000000000000002", NULL },
	{ "022120010db8000000000000000000000001002001"
	    "0db8000000000000000000000002", "bad IPv6 prefix length" },
	{ "022120010db8000000000000000000000001812001"
	    "0db8000000000000000000000002", "bad IPv6 prefix length" },
	{ "022100000000000000000000000000000000402001"
	    "0db8000000000000000000000002", "unusable IPv6 address" },
	{ "022100000000000000000000000000000001402001"
	    "0db8000000000000000000000002", "unusable IPv6 address" },
	{ "0221ff020000000000000000000000000001402001"
	    "0db8000000000000000000000002", "unusable IPv6 address" },
	{ "022100000000000000000000ffffc0a8c001402001"
	    "0db8000000000000000000000002", "unusable IPv6 address" },
	{ "022120010db8000000000000000000000001402001"
	    "0db8000000000000000000000001",
	    "IPv6 address equals the server's" },
	{ "022020010db8000000000000000000000001402001"
	    "0db80000000000000000000000", "bad or repeated IPv6 address" },
	/* routes */
	{ "03050a01000010", NULL },
	{ "0305000000000118050000000001", NULL },	/* 0/1, then skip */
	{ "0304000000000118050000000001", "bad IPv4 route item" },
	{ "03050a01000000", "bad IPv4 route" },
	{ "03050a01000021", "bad IPv4 route" },
	{ "03050a01000110", "bad IPv4 route" },		/* host bits */
	{ "03050a0100000f", "bad IPv4 route" },		/* 10.1/15 */
	{ "0305e000000004", "bad IPv4 route" },		/* multicast */
	{ "0305f000000004", "bad IPv4 route" },		/* reserved */
	{ "03057f00000008", "bad IPv4 route" },		/* loopback */
	{ "03050000000008", "bad IPv4 route" },		/* 0/8 */
	{ "03050a0100001003050a01000010", "duplicate route" },
	{ "041120010db8000100000000000000000000" "30", NULL },
	{ "041120010db8000100000000000000000000" "00", "bad IPv6 route" },
	{ "041120010db8000100000000000000000000" "81", "bad IPv6 route" },
	{ "041120010db8000100000000000000000001" "30", "bad IPv6 route" },
	{ "0411ff000000000000000000000000000000" "08", "bad IPv6 route" },
	{ "041100000000000000000000000000000000" "80", "bad IPv6 route" },
	{ "041100000000000000000000000000000001" "80", "bad IPv6 route" },
	{ "0411000000000000000000000000ffff0000" "60", "bad IPv6 route" },
	{ "041100000000000000000000000000000000" "01", NULL },	/* ::/1 */
	{ "041020010db8000100000000000000000000", "bad IPv6 route item" },
	{ "041120010db8000100000000000000000000" "30"
	    "041120010db8000100000000000000000000" "30", "duplicate route" },
	/* default route, MTU */
	{ "050103", NULL },
	{ "050100", "bad or repeated default route" },
	{ "050104", "unknown default-route flag" },
	{ "050101050102", "bad or repeated default route" },
	{ "05020101", "bad or repeated default route" },
	{ "06022328", NULL },				/* 9000 */
	{ "06020240", NULL },				/* 576 */
	{ "0602023f", "MTU too small" },
	{ "06020000", "MTU too small" },
	{ "0602232806022328", "bad or repeated MTU" },
	{ "060123", "bad or repeated MTU" },
	/* IPv6 needs 1280 */
	{ "06020500022120010db8000000000000000000000001402001"
	    "0db8000000000000000000000002", NULL },
	{ "060204ff022120010db8000000000000000000000001402001"
	    "0db8000000000000000000000002", "MTU too small" },
	/* DNS */
	{ "0704c0000235", NULL },
	{ "07047f000035", "unusable DNS server" },
	{ "0704c0000235" "0704c0000235", "duplicate DNS server" },
	{ "0703c00002", "bad IPv4 DNS item" },
	{ "081020010db8000000000000000000000053", NULL },
	{ "0810ff020000000000000000000000000001", "unusable DNS server" },
	{ "081020010db8000000000000000000000053"
	    "081020010db8000000000000000000000053", "duplicate DNS server" },
	{ "080f20010db80000000000000000000000", "bad IPv6 DNS item" },
	/* items of a later version */
	{ "2003aabbcc", NULL },
	{ "7f00", NULL },
	{ "8003aabbcc", "unknown critical item" },
	{ "ff00", "unknown critical item" },
	{ "2003aabb", "truncated item" },
};

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t		 n = 0;
	unsigned int	 b;

	for (; s[0] != '\0' && s[1] != '\0' && n < cap; s += 2) {
		if (sscanf(s, "%2x", &b) != 1)
			errx(1, "bad hex in a test vector");
		out[n++] = (uint8_t)b;
	}
	return (n);
}

static int
t_vectors(void)
{
	struct push	 p, q;
	uint8_t		 buf[PUSH_MAX_LEN + 8], re[PUSH_MAX_LEN];
	const char	*why;
	size_t		 i, n;
	ssize_t		 m;
	int		 rc;

	for (i = 0; i < nitems(vec); i++) {
		n = unhex(vec[i].hex, buf, sizeof(buf));
		why = "(none)";
		rc = push_decode(buf, n, &p, &why);
		if ((rc == 0) != (vec[i].why == NULL) ||
		    (vec[i].why != NULL && strcmp(why, vec[i].why) != 0)) {
			printf("    vector %zu (%s): got \"%s\"\n", i,
			    vec[i].hex, rc == 0 ? "accepted" : why);
			CHECK(0);
		}
		if (rc == -1) {
			/* A refusal leaves nothing half-decoded. */
			memset(&q, 0, sizeof(q));
			CHECK(memcmp(&p, &q, sizeof(p)) == 0);
			continue;
		}
		/* What was taken encodes again and means the same. */
		CHECK((m = push_encode(&p, re, sizeof(re), &why)) >= 0);
		CHECK(push_decode(re, m, &q, &why) == 0);
		CHECK(memcmp(&p, &q, sizeof(p)) == 0);
	}
	return (0);
}

/* Cut a valid push anywhere but between items: refused. */
static int
t_truncation(void)
{
	struct push	 p, q;
	uint8_t		 buf[PUSH_MAX_LEN + 1];
	size_t		 cut, off;
	ssize_t		 n;
	const char	*why;
	int		 boundary;

	sample(&p);
	CHECK((n = push_encode(&p, buf, sizeof(buf), &why)) > 0);
	for (cut = 0; cut < (size_t)n; cut++) {
		for (off = 0, boundary = 0; off <= cut; off += 2 + buf[off + 1])
			if (off == cut)
				boundary = 1;
		CHECK((push_decode(buf, cut, &q, &why) == 0) == boundary);
	}
	CHECK(push_decode(buf, PUSH_MAX_LEN + 1, &q, &why) == -1);
	CHECK(strcmp(why, "push too long") == 0);
	return (0);
}

static void
run(const char *name, int (*fn)(void))
{
	int	 before = failures;

	cases++;
	printf("  %s\n", name);
	if (fn() == -1 && failures == before)
		failures++;
	printf("  %s: %s\n", name, failures == before ? "ok" : "FAILED");
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run("round trip", t_roundtrip);
	run("largest push", t_limits);
	run("every refusal", t_vectors);
	run("truncation", t_truncation);
	printf("%d cases, %d failed\n", cases, failures);
	return (failures == 0 ? 0 : 1);
}
