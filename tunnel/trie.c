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

#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "trie.h"

/*
 * Every node holds a prefix (key, plen); its children extend it, on
 * the side of bit plen.  A node without a value only joins two
 * branches that part at its last bit.
 */
struct trie_node {
	struct trie_node	*child[2];
	void			*value;
	uint8_t			 key[16];
	uint8_t			 plen;
};

void
trie_init(struct trie *t, int bits)
{
	t->root = NULL;
	t->bits = bits;
	t->nodes = 0;
}

static void
node_free(struct trie_node *n)
{
	if (n == NULL)
		return;
	node_free(n->child[0]);
	node_free(n->child[1]);
	free(n);
}

void
trie_clear(struct trie *t)
{
	node_free(t->root);
	t->root = NULL;
	t->nodes = 0;
}

static int
bit_at(const uint8_t *a, int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/* How many leading bits a and b share, at most max. */
static int
common_bits(const uint8_t *a, const uint8_t *b, int max)
{
	int	 i = 0;

	while (i + 8 <= max && a[i / 8] == b[i / 8])
		i += 8;
	while (i < max && bit_at(a, i) == bit_at(b, i))
		i++;
	return i;
}

static struct trie_node *
node_new(struct trie *t, const uint8_t *key, int plen, void *value)
{
	struct trie_node	*n;
	int			 i;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	memcpy(n->key, key, t->bits / 8);
	/* Keep only the prefix's bits, so comparisons see no noise. */
	for (i = plen; i < t->bits; i++)
		n->key[i / 8] &= ~(0x80 >> (i % 8));
	n->plen = plen;
	n->value = value;
	t->nodes++;
	return n;
}

int
trie_insert(struct trie *t, const uint8_t *key, int plen, void *value)
{
	struct trie_node	**np = &t->root, *n, *leaf, *join;
	int			 c;

	if (plen < 0 || plen > t->bits || value == NULL)
		return -1;
	while ((n = *np) != NULL) {
		c = common_bits(n->key, key, n->plen < plen ? n->plen : plen);
		if (c < n->plen)
			break;		/* n is not a prefix of key */
		if (n->plen == plen) {
			if (n->value != NULL)
				return 1;
			n->value = value;
			return 0;
		}
		np = &n->child[bit_at(key, n->plen)];
	}
	if ((leaf = node_new(t, key, plen, value)) == NULL)
		return -1;
	if (n == NULL) {
		*np = leaf;
		return 0;
	}
	if (c == plen) {
		/* The new prefix contains n: it goes above it. */
		leaf->child[bit_at(n->key, plen)] = n;
		*np = leaf;
		return 0;
	}
	/* They part at bit c: a join node holds both. */
	if ((join = node_new(t, key, c, NULL)) == NULL) {
		free(leaf);
		t->nodes--;
		return -1;
	}
	join->child[bit_at(key, c)] = leaf;
	join->child[bit_at(n->key, c)] = n;
	*np = join;
	return 0;
}

void *
trie_lookup(const struct trie *t, const uint8_t *addr)
{
	const struct trie_node	*n = t->root;
	void			*best = NULL;

	while (n != NULL && common_bits(n->key, addr, n->plen) == n->plen) {
		if (n->value != NULL)
			best = n->value;
		if (n->plen == t->bits)
			break;
		n = n->child[bit_at(addr, n->plen)];
	}
	return best;
}
