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
 * The server-wide cache of hello nonces: a ring in arrival order (for
 * eviction and the floor) and a hash index over it, so a lookup costs
 * one SipHash and a probe or two however large the cache is (a server
 * with many clients needs one large enough for a burst of handshakes;
 * see doc/PROTOCOL.md).  The index is keyed with a random key so that
 * even a client holding a PSK cannot choose nonces that pile up in one
 * place.  Only authentic hellos (MAC checked) are added.  When the ring
 * is full the oldest entry goes, and the floor rises to its timestamp:
 * a hello no newer than anything evicted is refused, so eviction never
 * reopens a replay, whatever the capacity.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto_int.h"

#define SLOT_EMPTY	UINT32_MAX

struct replay_ent {
	uint8_t		 nonce[16];
	uint64_t	 ts;
};

struct proto_replay {
	size_t			 cap, n, head;
	uint64_t		 floor;		/* refuse ts <= floor */
	int			 evicted;	/* floor is meaningful */
	size_t			 mask;		/* index slots - 1 */
	uint32_t		*index;		/* ring positions */
	uint8_t			 key[crypto_shorthash_KEYBYTES];
	struct replay_ent	 ent[];
};

static size_t
replay_home(const struct proto_replay *r, const uint8_t nonce[16])
{
	uint8_t	 h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	int	 i;

	crypto_shorthash(h, nonce, 16, r->key);
	for (i = 0; i < 8; i++)
		v |= (uint64_t)h[i] << (8 * i);
	return ((size_t)v & r->mask);
}

struct proto_replay *
proto_replay_new(size_t cap)
{
	struct proto_replay	*r;
	size_t			 slots = 16, i;

	if (cap == 0)
		cap = PROTO_DEF_REPLAY_CAP;
	if (cap > UINT32_MAX / 4 ||
	    cap > (SIZE_MAX - sizeof(*r)) / sizeof(r->ent[0]))
		return (NULL);
	while (slots < 2 * cap)
		slots *= 2;
	if (sodium_init() == -1)
		return (NULL);
	r = calloc(1, sizeof(*r) + cap * sizeof(r->ent[0]));
	if (r == NULL)
		return (NULL);
	if ((r->index = calloc(slots, sizeof(*r->index))) == NULL) {
		free(r);
		return (NULL);
	}
	for (i = 0; i < slots; i++)
		r->index[i] = SLOT_EMPTY;
	r->mask = slots - 1;
	r->cap = cap;
	randombytes_buf(r->key, sizeof(r->key));
	return (r);
}

void
proto_replay_free(struct proto_replay *r)
{
	if (r == NULL)
		return;
	free(r->index);
	free(r);
}

/* The index slot of a nonce, or the empty slot where it would go. */
static size_t
replay_slot(const struct proto_replay *r, const uint8_t nonce[16])
{
	size_t	 i = replay_home(r, nonce);

	while (r->index[i] != SLOT_EMPTY &&
	    memcmp(r->ent[r->index[i]].nonce, nonce, 16) != 0)
		i = (i + 1) & r->mask;
	return (i);
}

int
replay_seen(const struct proto_replay *r, const uint8_t nonce[16],
    uint64_t ts)
{
	if (r->evicted && ts <= r->floor)
		return (1);
	return (r->index[replay_slot(r, nonce)] != SLOT_EMPTY);
}

/* Take ring entry pos out of the index (backward-shift deletion). */
static void
replay_unindex(struct proto_replay *r, size_t pos)
{
	size_t	 hole, k, home;

	hole = replay_slot(r, r->ent[pos].nonce);
	if (r->index[hole] == SLOT_EMPTY)
		return;
	for (k = (hole + 1) & r->mask; r->index[k] != SLOT_EMPTY;
	    k = (k + 1) & r->mask) {
		home = replay_home(r, r->ent[r->index[k]].nonce);
		if (((k - home) & r->mask) < ((k - hole) & r->mask))
			continue;
		r->index[hole] = r->index[k];
		hole = k;
	}
	r->index[hole] = SLOT_EMPTY;
}

void
replay_add(struct proto_replay *r, const uint8_t nonce[16], uint64_t ts)
{
	struct replay_ent	*e;
	size_t			 pos;

	if (r->index[replay_slot(r, nonce)] != SLOT_EMPTY)
		return;
	if (r->n < r->cap)
		pos = r->n++;
	else {
		pos = r->head;
		e = &r->ent[pos];
		if (!r->evicted || e->ts > r->floor)
			r->floor = e->ts;
		r->evicted = 1;
		replay_unindex(r, pos);
		r->head = (r->head + 1) % r->cap;
	}
	e = &r->ent[pos];
	memcpy(e->nonce, nonce, 16);
	e->ts = ts;
	r->index[replay_slot(r, nonce)] = (uint32_t)pos;
}
