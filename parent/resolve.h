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
 * Resolving the server's name without blocking the parent and without
 * root: a short-lived child (dsvpnd -P resolver, a fresh address space
 * with none of the parent's secrets) drops to the unprivileged user,
 * calls getaddrinfo(3) and returns the addresses on a socketpair to the
 * parent's event loop.  The reply has a fixed size and is checked field
 * by field; a child that takes longer than RESOLVE_TIMEOUT is killed.
 * With "block outside" the seal lets exactly that user's port 53 out.
 * A server given as an address needs no child and no lookup at all.
 */
#ifndef DSVPND_RESOLVE_H
#define DSVPND_RESOLVE_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stdint.h>

#include "conf.h"

#define RESOLVE_MAX_ADDRS	16
#define RESOLVE_TIMEOUT		20	/* seconds for the whole lookup */
#define RESOLVE_ERRLEN		128

struct resolve_req {
	char			 host[CONF_HOST_MAX];
	char			 port[CONF_PORT_MAX];
	char			 user[CONF_USER_MAX];
};

struct resolve_addr {
	int32_t			 family;	/* AF_INET or AF_INET6 */
	uint32_t		 len;		/* of the sockaddr in ss */
	struct sockaddr_storage	 ss;
};

struct resolve_reply {
	uint32_t		 n;		/* 0: failed, see error */
	char			 error[RESOLVE_ERRLEN];
	struct resolve_addr	 addrs[RESOLVE_MAX_ADDRS];
};

/* n > 0 addresses, or n == 0 and why in err. */
typedef void	(*resolve_cb)(int n, const struct sockaddr_storage *,
		    const socklen_t *, const char *err, void *arg);

/*
 * Starts a lookup (cancelling one under way); cb is called once, from
 * the event loop, unless resolve_cancel() comes first.  0, or -1 with
 * nothing started.
 */
int		 resolve_start(const char *host, const char *port,
		    resolve_cb cb, void *arg);
void		 resolve_cancel(void);
/* Is host an IP address (no lookup, nothing leaves for it)? */
int		 resolve_is_numeric(const char *host);

/* The child: dsvpnd -P resolver, its channel on PROC_CHANNEL_FD. */
__dead void	 resolve_child_main(void);

/* For the parent and the regress test: NULL if the reply is sound. */
const char	*resolve_reply_check(const struct resolve_reply *);

#endif /* DSVPND_RESOLVE_H */
