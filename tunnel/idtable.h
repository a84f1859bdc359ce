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
 * A fixed-size hash table from 32-byte identifiers to pointers, for the
 * server's key-identifier lookup (keyid.h): open addressing with linear
 * probing, indexed by the identifier's own first bytes, which are the
 * output of a keyed hash and so already uniform (do not store ids that
 * are not).  Its size is set once by idtable_new(); nothing is
 * allocated after, and a lookup costs one or a few 40-byte probes.
 * Identifiers are compared in constant time and wiped when removed.
 */
#ifndef DSVPND_IDTABLE_H
#define DSVPND_IDTABLE_H

#include <stddef.h>
#include <stdint.h>

#define IDTABLE_ID_LEN	32

struct idtable;

/* A table for up to max ids (at most half its slots are ever used). */
struct idtable	*idtable_new(size_t);
void		 idtable_free(struct idtable *);
void		 idtable_clear(struct idtable *);
size_t		 idtable_count(const struct idtable *);
size_t		 idtable_max(const struct idtable *);

/*
 * Add id -> val (val not NULL).  -1 with errno EEXIST if the id is
 * there already (its value is left alone), ENOSPC if max ids are held,
 * EINVAL for a NULL value.
 */
int		 idtable_put(struct idtable *, const uint8_t [IDTABLE_ID_LEN],
		    void *);
/* The value of an id, or NULL. */
void		*idtable_get(const struct idtable *,
		    const uint8_t [IDTABLE_ID_LEN]);
/* Remove an id; -1 with errno ENOENT if it was not there. */
int		 idtable_del(struct idtable *, const uint8_t [IDTABLE_ID_LEN]);

#endif /* DSVPND_IDTABLE_H */
