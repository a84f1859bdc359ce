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

/* Pool addresses and their lease file (pool.c). */
#ifndef DSVPND_POOL_H
#define DSVPND_POOL_H

#include "conf.h"

struct lease {
	char		 name[CONF_NAME_MAX];
	int		 has4;
	int		 has6;
	struct in_addr	 inet;
	struct in6_addr	 inet6;
};

struct leases {
	struct lease	*v;	/* sorted by name */
	size_t		 n;
	size_t		 cap;
};

/* A missing file is an empty table; -1 with errno otherwise. */
int	 leases_load(const char *path, struct leases *);
int	 leases_save(const char *path, const struct leases *);
void	 leases_free(struct leases *);
/* Fills has4/inet and has6/inet6 of every client without fixed ones
 * and updates the leases; -1 with err if a pool ran out. */
int	 pool_assign(const struct conf *, struct conf_clients *,
	    struct leases *, char *err, size_t errlen);

/* Loads the leases, assigns, and (write_leases: a real start or
 * reload, not dsvpnd -n) saves them; -1 with err if it cannot. */
int	 pool_prepare(struct conf *, struct conf_clients *, int write_leases,
	    char *err, size_t errlen);

#endif /* DSVPND_POOL_H */
