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
 * Token buckets per source and global; see ratelimit.h.  Tokens are
 * counted in thousandths so that a rate below 1000 a second still
 * refills every millisecond without rounding to nothing.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ratelimit.h"

#define MILLI		1000ULL

struct rl_slot {
	uint64_t	 tag;		/* 0: free */
	uint64_t	 tokens;	/* thousandths */
	uint64_t	 last_ms;
};

struct ratelimit {
	size_t		 mask;
	uint64_t	 per_ms;	/* thousandths gained per ms */
	uint64_t	 cap;		/* thousandths */
	uint8_t		 key[crypto_shorthash_KEYBYTES];
	struct rl_slot	 slot[];
};

struct ratelimit *
ratelimit_new_keyed(size_t slots, uint32_t rate, uint32_t burst,
    const uint8_t key[16])
{
	struct ratelimit	*r;
	size_t			 n = 1;

	if (sodium_init() == -1 || slots == 0 || rate == 0 || burst == 0 ||
	    slots > (SIZE_MAX - sizeof(*r)) / sizeof(r->slot[0]) / 2) {
		errno = EINVAL;
		return (NULL);
	}
	while (n < slots)
		n *= 2;
	if ((r = calloc(1, sizeof(*r) + n * sizeof(r->slot[0]))) == NULL)
		return (NULL);
	r->mask = n - 1;
	r->per_ms = rate;		/* rate a second = rate/1000 a ms */
	r->cap = (uint64_t)burst * MILLI;
	memcpy(r->key, key, sizeof(r->key));
	return (r);
}

struct ratelimit *
ratelimit_new(size_t slots, uint32_t rate, uint32_t burst)
{
	uint8_t			 key[crypto_shorthash_KEYBYTES];
	struct ratelimit	*r;

	if (sodium_init() == -1)
		return (NULL);
	randombytes_buf(key, sizeof(key));
	r = ratelimit_new_keyed(slots, rate, burst, key);
	sodium_memzero(key, sizeof(key));
	return (r);
}

void
ratelimit_free(struct ratelimit *r)
{
	if (r == NULL)
		return;
	sodium_memzero(r->key, sizeof(r->key));
	free(r);
}

static void
rl_refill(const struct ratelimit *r, struct rl_slot *s, uint64_t now)
{
	uint64_t	 dt;

	if (now <= s->last_ms)
		return;
	dt = now - s->last_ms;
	if (dt >= (r->cap - s->tokens) / r->per_ms + 1)
		s->tokens = r->cap;
	else
		s->tokens += dt * r->per_ms;
	s->last_ms = now;
}

int
ratelimit_allow(struct ratelimit *r, const void *k, size_t len,
    uint64_t now)
{
	struct rl_slot	*s;
	uint8_t		 h[crypto_shorthash_BYTES];
	uint64_t	 tag = 0;
	int		 i;

	crypto_shorthash(h, k, len, r->key);
	for (i = 0; i < 8; i++)
		tag |= (uint64_t)h[i] << (8 * i);
	s = &r->slot[tag & r->mask];
	tag |= 1;
	if (s->tag != tag) {
		rl_refill(r, s, now);
		/* A free slot, or one idle long enough to be full: ours. */
		if (s->tag == 0 || s->tokens == r->cap) {
			s->tag = tag;
			s->tokens = r->cap;
			s->last_ms = now;
		}
	} else
		rl_refill(r, s, now);
	if (s->tokens < MILLI)
		return (0);
	s->tokens -= MILLI;
	return (1);
}
