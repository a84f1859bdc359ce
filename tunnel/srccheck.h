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
 * Which source addresses a peer may send from: its tunnel addresses
 * and the networks routed to it.  Anything else is a spoofed source,
 * which the server would otherwise forward as it is (its NAT rewrites
 * the peer's own address only), on every system.  The check is a pure
 * function over a short list the caller hands in; with many peers a
 * prefix trie per peer takes the list's place behind the same call.
 */
#ifndef DSVPND_SRCCHECK_H
#define DSVPND_SRCCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define SRCCHECK_MAX	(2 + CONF_MAX_ROUTES)	/* two addresses, routes */

struct src_prefix {
	uint8_t		 ver;		/* 4 or 6 */
	uint8_t		 plen;		/* bits, <= 32 or 128 */
	uint8_t		 addr[16];	/* network order, host bits zero */
};

struct srccheck {
	int			 any;	/* every source is allowed */
	size_t			 n;
	struct src_prefix	 p[SRCCHECK_MAX];
};

/* An empty list (allows nothing), or one that allows anything. */
void	 srccheck_init(struct srccheck *, int any);
/* Adds addr/plen (4 or 16 bytes for ver 4 or 6); host bits are
 * cleared.  -1 if the list is full or the prefix invalid. */
int	 srccheck_add(struct srccheck *, int ver, const void *addr,
	    unsigned int plen);
/*
 * What a configuration allows its peer: a server's client may send
 * from its tunnel addresses (inet ... peer, inet6 ... peer) and the
 * networks routed to it (route); a client takes any source from the
 * server, which is its way to everywhere.
 */
void	 srccheck_conf(struct srccheck *, const struct conf *);
/*
 * 1 if the IP packet's source address is allowed, 0 if not; 0 too for
 * a packet too short to carry its IP header.  NULL allows everything.
 * IPv6 between link-local (or unspecified) and link-scope addresses is
 * allowed too: it cannot be forwarded, and the peer's kernel sends its
 * router solicitations and MLD reports that way.
 */
/* IPv6 that never leaves the link (link-local or unspecified source,
 * link-local or link-scope multicast destination): allowed from any
 * peer, as no system forwards it. */
int	 srccheck_link_scope(const uint8_t *pkt, size_t len);
int	 srccheck_allowed(const struct srccheck *, const uint8_t *pkt,
	    size_t len);

#endif /* DSVPND_SRCCHECK_H */
