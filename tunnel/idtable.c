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
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones, so a long life of adds and removes, as the hourly epoch
 * ids make, never slows lookups down).  The slot count is a power of
 * two at least twice the maximum, so probe runs stay short.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "idtable.h"

struct id_slot {
	uint8_t		 id[IDTABLE_ID_LEN];
	void		*val;		/* NULL: empty */
};

struct idtable {
	size_t		 max, n, mask;
	struct id_slot	*slot;
};

static size_t
id_home(const struct idtable *t, const uint8_t *id)
{
	uint64_t v = 0;
	int	 i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)id[i] << (8 * i);
	return ((size_t)v & t->mask);
}

struct idtable *
idtable_new(size_t max)
{
	struct idtable	*t;
	size_t		 slots = 8;

	if (max == 0 || max > SIZE_MAX / 4 / sizeof(struct id_slot)) {
		errno = EINVAL;
		return (NULL);
	}
	while (slots < 2 * max)
		slots *= 2;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	if ((t->slot = calloc(slots, sizeof(*t->slot))) == NULL) {
		free(t);
		return (NULL);
	}
	t->max = max;
	t->mask = slots - 1;
	return (t);
}

void
idtable_clear(struct idtable *t)
{
	sodium_memzero(t->slot, (t->mask + 1) * sizeof(*t->slot));
	t->n = 0;
}

void
idtable_free(struct idtable *t)
{
	if (t == NULL)
		return;
	idtable_clear(t);
	free(t->slot);
	free(t);
}

size_t
idtable_count(const struct idtable *t)
{
	return (t->n);
}

size_t
idtable_max(const struct idtable *t)
{
	return (t->max);
}

/* The slot holding id, or the empty slot that ends its probe run. */
static size_t
id_find(const struct idtable *t, const uint8_t *id)
{
	size_t	 i = id_home(t, id);

	while (t->slot[i].val != NULL &&
	    sodium_memcmp(t->slot[i].id, id, IDTABLE_ID_LEN) != 0)
		i = (i + 1) & t->mask;
	return (i);
}

int
idtable_put(struct idtable *t, const uint8_t id[IDTABLE_ID_LEN], void *val)
{
	size_t	 i;

	if (val == NULL) {
		errno = EINVAL;
		return (-1);
	}
	i = id_find(t, id);
	if (t->slot[i].val != NULL) {
		errno = EEXIST;
		return (-1);
	}
	if (t->n >= t->max) {
		errno = ENOSPC;
		return (-1);
	}
	memcpy(t->slot[i].id, id, IDTABLE_ID_LEN);
	t->slot[i].val = val;
	t->n++;
	return (0);
}

void *
idtable_get(const struct idtable *t, const uint8_t id[IDTABLE_ID_LEN])
{
	return (t->slot[id_find(t, id)].val);
}

/* Is slot k's home cyclically outside (hole, k]?  Then it may move. */
static int
id_may_fill(const struct idtable *t, size_t hole, size_t k)
{
	size_t	 home = id_home(t, t->slot[k].id);

	return (((k - home) & t->mask) >= ((k - hole) & t->mask));
}

int
idtable_del(struct idtable *t, const uint8_t id[IDTABLE_ID_LEN])
{
	size_t	 hole, k;

	hole = id_find(t, id);
	if (t->slot[hole].val == NULL) {
		errno = ENOENT;
		return (-1);
	}
	/* Pull later members of the run back so no lookup stops early. */
	for (k = (hole + 1) & t->mask; t->slot[k].val != NULL;
	    k = (k + 1) & t->mask) {
		if (!id_may_fill(t, hole, k))
			continue;
		t->slot[hole] = t->slot[k];
		hole = k;
	}
	sodium_memzero(&t->slot[hole], sizeof(t->slot[hole]));
	t->n--;
	return (0);
}
