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
 * A path-compressed binary trie for longest-prefix match, one per
 * address family: the tunnel's map from an address to the peer that
 * owns it (its tunnel addresses and the networks behind it).  A lookup
 * walks at most one node per bit of the address, whatever the number
 * of peers, and the same lookup answers "where does this packet go"
 * and "may this peer send from here".
 */
#ifndef DSVPND_TRIE_H
#define DSVPND_TRIE_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

struct trie_node;

struct trie {
	struct trie_node	*root;
	int			 bits;		/* 32 or 128 */
	size_t			 nodes;
};

void	 trie_init(struct trie *, int bits);
void	 trie_clear(struct trie *);
/* Maps key/plen to value (not NULL); 1 if that exact prefix was mapped
 * already (it then keeps its old value), 0 if added, -1 no memory. */
int	 trie_insert(struct trie *, const uint8_t *key, int plen, void *value);
/* The value of the longest prefix containing addr, or NULL. */
void	*trie_lookup(const struct trie *, const uint8_t *addr);

#endif /* DSVPND_TRIE_H */
