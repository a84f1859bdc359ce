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
 * The cache of accepted DSVPN hellos, which DSVPN itself lacks.  A
 * hello carries no nonce but its 32-byte client random Rc, and A1 binds
 * Rc to the timestamp T, so (Rc, T) identifies a hello; 16 bytes of Rc
 * are kept (a collision of two genuine clients' randoms is 2^-128).
 *
 * A fixed table, searched linearly: hellos are rare and only authentic
 * ones (A1 verified) are added.  A slot is reused once its hello could no
 * longer pass the clock window, else the oldest hello goes.  Either way
 * the floor rises to the timestamp of what left, and a hello no newer
 * than the floor is refused: so every hello ever accepted is either
 * still here or refused by the floor, whatever the capacity and even if
 * the wall clock steps back.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dsvpn_int.h"

#define REPLAY_ID_LEN	16

struct replay_slot {
	uint8_t		 id[REPLAY_ID_LEN];
	uint64_t	 ts;
};

struct dsvpn_replay {
	size_t			 cap, n;
	uint64_t		 floor;		/* refuse ts <= floor ... */
	int			 floored;	/* ... once anything left */
	struct replay_slot	 slot[];
};

struct dsvpn_replay *
dsvpn_replay_new(size_t cap)
{
	struct dsvpn_replay	*r;

	if (cap == 0)
		cap = DSVPN_DEF_REPLAY_CAP;
	if (cap > (SIZE_MAX - sizeof(*r)) / sizeof(r->slot[0])) {
		errno = ENOMEM;
		return (NULL);
	}
	if ((r = calloc(1, sizeof(*r) + cap * sizeof(r->slot[0]))) == NULL)
		return (NULL);
	r->cap = cap;
	return (r);
}

void
dsvpn_replay_free(struct dsvpn_replay *r)
{
	free(r);
}

int
dsvpn_replay_seen(const struct dsvpn_replay *r, const uint8_t *rc,
    uint64_t ts)
{
	size_t	 i;

	if (r->floored && ts <= r->floor)
		return (1);
	for (i = 0; i < r->n; i++)
		if (memcmp(r->slot[i].id, rc, REPLAY_ID_LEN) == 0)
			return (1);
	return (0);
}

/* The slot for a new hello: a stale one, a free one, or the oldest. */
static struct replay_slot *
replay_pick(struct dsvpn_replay *r, uint64_t now, uint32_t window)
{
	struct replay_slot	*oldest = NULL;
	size_t			 i;

	for (i = 0; i < r->n; i++) {
		/* It would fail the clock check now: safe to forget. */
		if (r->slot[i].ts + window < now)
			return (&r->slot[i]);
		if (oldest == NULL || r->slot[i].ts < oldest->ts)
			oldest = &r->slot[i];
	}
	if (r->n < r->cap)
		return (&r->slot[r->n++]);
	return (oldest);
}

void
dsvpn_replay_add(struct dsvpn_replay *r, const uint8_t *rc, uint64_t ts,
    uint64_t now, uint32_t window)
{
	struct replay_slot	*s;
	size_t			 used = r->n;

	s = replay_pick(r, now, window);
	if (r->n == used) {
		/* A slot is reused: what it held is now behind the floor. */
		if (!r->floored || s->ts > r->floor)
			r->floor = s->ts;
		r->floored = 1;
	}
	memcpy(s->id, rc, REPLAY_ID_LEN);
	s->ts = ts;
}
