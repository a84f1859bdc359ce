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
 * The prefix trie against a brute-force longest-prefix match: random
 * nested and disjoint prefixes of both families, random and boundary
 * addresses; duplicates refused; memory bounded by 2 nodes a prefix.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "trie.h"

#define NPREFIX		1000
#define NLOOKUP		40000

struct pfx {
	uint8_t	 key[16];
	int	 plen;
	int	 id;
};

static int	 failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static int
matches(const struct pfx *p, const uint8_t *a)
{
	int	 i;

	for (i = 0; i < p->plen; i++)
		if (((p->key[i / 8] ^ a[i / 8]) >> (7 - i % 8)) & 1)
			return 0;
	return 1;
}

static const struct pfx *
brute(const struct pfx *v, int n, const uint8_t *a)
{
	const struct pfx	*best = NULL;
	int			 i;

	for (i = 0; i < n; i++)
		if (matches(&v[i], a) && (best == NULL ||
		    v[i].plen > best->plen))
			best = &v[i];
	return best;
}

static void
mask(uint8_t *k, int plen, int bits)
{
	int	 i;

	for (i = plen; i < bits; i++)
		k[i / 8] &= ~(0x80 >> (i % 8));
}

static int
same_prefix(const struct pfx *v, int n, const struct pfx *p)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (v[i].plen == p->plen && memcmp(v[i].key, p->key, 16) == 0)
			return 1;
	return 0;
}

/* Prefixes clustered in a few top bits, so that many nest. */
static int
make_prefixes(struct pfx *v, int bits)
{
	struct pfx	 p;
	int		 n = 0, tries;

	for (tries = 0; n < NPREFIX && tries < NPREFIX * 4; tries++) {
		memset(&p, 0, sizeof(p));
		randombytes_buf(p.key, bits / 8);
		p.key[0] = 10 + (p.key[0] & 3);
		p.plen = randombytes_uniform(bits + 1);
		if (tries % 7 == 0)
			p.plen = bits;
		mask(p.key, p.plen, bits);
		if (same_prefix(v, n, &p))
			continue;
		p.id = n;
		v[n++] = p;
	}
	return n;
}

static void
test_family(int bits)
{
	static struct pfx	 v[NPREFIX];
	struct trie		 t;
	const struct pfx	*want, *got;
	uint8_t			 a[16];
	int			 n, i, bad = 0;

	trie_init(&t, bits);
	n = make_prefixes(v, bits);
	for (i = 0; i < n; i++)
		CHECK(trie_insert(&t, v[i].key, v[i].plen, &v[i]) == 0,
		    "insert %d", i);
	CHECK(trie_insert(&t, v[0].key, v[0].plen, &v[1]) == 1,
	    "duplicate accepted");
	CHECK(t.nodes <= (size_t)(2 * n), "%zu nodes for %d prefixes",
	    t.nodes, n);
	for (i = 0; i < NLOOKUP && bad < 5; i++) {
		memset(a, 0, sizeof(a));
		if (i % 2 == 0) {
			/* An address inside a known prefix, maybe at its
			 * edge. */
			memcpy(a, v[i % n].key, 16);
			if (i % 4 == 0)
				randombytes_buf(a + (v[i % n].plen + 7) / 8,
				    16 - (v[i % n].plen + 7) / 8);
		} else {
			randombytes_buf(a, bits / 8);
			a[0] = 10 + (a[0] & 3);
		}
		if (bits == 32)
			memset(a + 4, 0, 12);
		want = brute(v, n, a);
		got = trie_lookup(&t, a);
		if (want != got) {
			CHECK(0, "bits %d lookup %d: want %d got %d", bits, i,
			    want ? want->id : -1, got ? got->id : -1);
			bad++;
		}
	}
	memset(a, 0xff, sizeof(a));
	a[0] = 200;
	CHECK(trie_lookup(&t, a) == brute(v, n, a), "outside");
	trie_clear(&t);
	CHECK(t.root == NULL && t.nodes == 0, "clear");
}

static void
test_default_route(void)
{
	struct trie	 t;
	uint8_t		 zero[16] = { 0 }, a[16] = { 192, 0, 2, 1 };
	int		 all, host;

	trie_init(&t, 32);
	CHECK(trie_lookup(&t, a) == NULL, "empty trie found something");
	trie_insert(&t, zero, 0, &all);
	CHECK(trie_lookup(&t, a) == &all, "0/0 does not match");
	trie_insert(&t, a, 32, &host);
	CHECK(trie_lookup(&t, a) == &host, "host route loses to 0/0");
	a[3] = 2;
	CHECK(trie_lookup(&t, a) == &all, "neighbour not 0/0");
	CHECK(trie_insert(&t, a, 33, &host) == -1, "plen 33 accepted");
	trie_clear(&t);
}

int
main(void)
{
	if (sodium_init() == -1)
		return 1;
	test_default_route();
	test_family(32);
	test_family(128);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
