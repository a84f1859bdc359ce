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
 * The settings a server pushes to a client after the handshake
 * (DESIGN.md 8): its tunnel addresses, whether to route everything or
 * which prefixes, the MTU and DNS servers.  The server's tunnel builds
 * one per client from the configuration (push_build); the client's
 * parent receives it from its tunnel, checks every field (the server is
 * hostile too: push_validate) and takes from it only what its own file
 * does not say (push_merge) before netcfg applies the result.  The wire
 * form is the protocol's PUSH frame; this is its content, pure data.
 */
#ifndef DSVPND_PUSH_SETTINGS_H
#define DSVPND_PUSH_SETTINGS_H

#include <sys/types.h>
#include <netinet/in.h>
#include <stdint.h>

#include "conf.h"

#define PUSH_F_INET		0x01	/* inet and inet_peer are set */
#define PUSH_F_INET6		0x02
#define PUSH_F_ROUTES		0x04	/* default_route and routes are */
#define PUSH_F_MTU		0x08
#define PUSH_F_DNS		0x10
#define PUSH_F_ALL		0x1f

struct push_settings {
	uint32_t		 flags;
	struct in_addr		 inet;		/* the client's */
	struct in_addr		 inet_peer;	/* the server's */
	struct in6_addr		 inet6;
	struct in6_addr		 inet6_peer;
	int32_t			 default_route;
	int32_t			 mtu;
	uint32_t		 n_routes;
	struct conf_prefix	 routes[CONF_MAX_ROUTES];
	uint32_t		 n_dns;
	struct conf_prefix	 dns[CONF_MAX_DNS];
};

/* The server's push for one client with these addresses (has4/has6). */
void	 push_build(struct push_settings *, const struct conf *server,
	    int has4, const struct in_addr *, int has6,
	    const struct in6_addr *);
/* NULL if every field is sane, else why not. */
const char *push_validate(const struct push_settings *);
/* What the client applies: its own file, and from the push what the
 * file leaves unsaid (conf.explicit).  Returns the PUSH_F_* taken. */
uint32_t push_merge(struct conf *out, const struct conf *own,
	    const struct push_settings *);

#endif /* DSVPND_PUSH_SETTINGS_H */
