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
 * Checks of a server's client blocks after the parse (confcheck.c) and
 * the prefix helpers they share with the pool and the tunnel's tables.
 */
#ifndef DSVPND_CONFCHECK_H
#define DSVPND_CONFCHECK_H

#include "conf.h"

/* Reports one error at where ("file:line", or a file name). */
typedef void	(*confcheck_err_fn)(const char *where, const char *msg);

/* Where the settings the checks name were made. */
struct confcheck_where {
	const char	*server;	/* the tunnel block, or the file */
	const char	*pool4;
	const char	*pool6;
};

/* Returns the number of errors reported. */
int	 conf_check_clients(const struct conf *, const struct conf_clients *,
	    const struct confcheck_where *, confcheck_err_fn);

int	 prefix_contains(const struct conf_prefix *,
	    const struct conf_prefix *);
void	 prefix_host(struct conf_prefix *, int af, const void *addr);
const char *prefix_str(const struct conf_prefix *, char *, size_t);
/* Addresses a pool can hand out, the server's taken out. */
uint64_t pool_capacity(const struct conf_prefix *pool);
/* Not the network, broadcast (IPv4) or subnet-router (IPv6) address. */
int	 pool_usable(const struct conf_prefix *pool,
	    const struct conf_prefix *host);

#endif /* DSVPND_CONFCHECK_H */
