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
 * A client's side of the settings its server pushes (tunnel/push.h
 * holds the wire form and its checks, which know nothing of the
 * client).  Here: the checks only the client can make, against its own
 * network (no pushed address on a network it is attached to, none
 * equal to or routing away the server it talks to, no more routes than
 * it holds), and the merge under its own file, which wins for every
 * setting it names (conf.explicit).  Pure, but for pushset_underlay().
 */
#ifndef DSVPND_PUSHSET_H
#define DSVPND_PUSHSET_H

#include <sys/types.h>
#include <netinet/in.h>

#include "conf.h"
#include "netcfg_req.h"
#include "push.h"

#define PUSHSET_MAX_UNDERLAY	64	/* local addresses looked at */

/* What the client knows of its own side when a push comes. */
struct pushset_ctx {
	unsigned int		 n_servers;	/* the server's addresses */
	struct conf_prefix	 servers[NETCFG_MAX_SERVERS];
	unsigned int		 n_underlay;	/* its own interfaces' */
	struct conf_prefix	 underlay[PUSHSET_MAX_UNDERLAY];
};

/* NULL if the client may take p, else why not (one line). */
const char	*pushset_check(const struct push *p,
		    const struct pushset_ctx *ctx);
/*
 * *out: the client's own conf with what p says and own's file leaves
 * unsaid.  Returns the CONF_SET_* bits taken from p.  DNS servers are
 * carried (for status), never applied.
 */
unsigned int	 pushset_merge(struct conf *out, const struct conf *own,
		    const struct push *p);
/* Adds every address of the interfaces up but lo and tunif, with its
 * prefix length (getifaddrs(3)).  0, or -1 if they cannot be read. */
int		 pushset_underlay(struct pushset_ctx *, const char *tunif);

#endif /* DSVPND_PUSHSET_H */
