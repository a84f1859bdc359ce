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
 * The server-wide cache of hello nonces.  A ring in arrival order,
 * scanned linearly: handshakes are rare, only authentic hellos (MAC
 * checked) are added, and a scan of a few thousand 16-byte entries
 * costs less than the X25519 it saves.  When the ring is full the
 * oldest entry goes, and the floor rises to its timestamp: a hello no
 * newer than anything evicted is refused, so eviction never reopens a
 * replay, whatever the capacity.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "proto_int.h"

struct replay_ent {
	uint8_t		 nonce[16];
	uint64_t	 ts;
};

struct proto_replay {
	size_t			 cap, n, head;
	uint64_t		 floor;		/* refuse ts <= floor */
	int			 evicted;	/* floor is meaningful */
	struct replay_ent	 ent[];
};

struct proto_replay *
proto_replay_new(size_t cap)
{
	struct proto_replay	*r;

	if (cap == 0)
		cap = PROTO_DEF_REPLAY_CAP;
	if (cap > (SIZE_MAX - sizeof(*r)) / sizeof(r->ent[0]))
		return (NULL);
	r = calloc(1, sizeof(*r) + cap * sizeof(r->ent[0]));
	if (r == NULL)
		return (NULL);
	r->cap = cap;
	return (r);
}

void
proto_replay_free(struct proto_replay *r)
{
	free(r);
}

int
replay_seen(const struct proto_replay *r, const uint8_t nonce[16],
    uint64_t ts)
{
	size_t	 i;

	if (r->evicted && ts <= r->floor)
		return (1);
	for (i = 0; i < r->n; i++)
		if (memcmp(r->ent[i].nonce, nonce, 16) == 0)
			return (1);
	return (0);
}

void
replay_add(struct proto_replay *r, const uint8_t nonce[16], uint64_t ts)
{
	struct replay_ent	*e;

	if (r->n < r->cap)
		e = &r->ent[r->n++];
	else {
		e = &r->ent[r->head];
		if (!r->evicted || e->ts > r->floor)
			r->floor = e->ts;
		r->evicted = 1;
		r->head = (r->head + 1) % r->cap;
	}
	memcpy(e->nonce, nonce, 16);
	e->ts = ts;
}
