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
 * A client's roaming over UDP.  Its socket is connected, so the source
 * address was fixed when the parent made it; when that address leaves
 * the host (renumbering, another network) every send fails.  The tunnel
 * may not make sockets, so it asks the parent for a fresh one to the
 * same server (RESOCKET_REQ), and the session moves onto it with its
 * keys, counters and replay window (session_resocket()).  The server
 * moves its side when the first datagram from the new source verifies.
 *
 * Asking is rate-limited to one request per ROAM_ASK_MS: sends fail by
 * the thousand while the address is gone, and until the host has a new
 * one the parent cannot make a socket that gets out either.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <string.h>
#include <unistd.h>

#include "log.h"
#include "msgcat.h"
#include "peertab.h"
#include "proc.h"
#include "sandbox.h"
#include "tunnel.h"

#define ROAM_ASK_MS	1000

static struct {
	struct peer	*parent;
	uint64_t	 asked_ms;	/* last request; 0 none */
} roam;

void
roam_init(struct peer *parent)
{
	roam.parent = parent;
}

/* The data path saw the source address go: ask, unless just asked. */
void
roam_src_gone(void)
{
	uint64_t	 now = now_ms();

	if (roam.parent == NULL ||
	    (roam.asked_ms != 0 && now - roam.asked_ms < ROAM_ASK_MS))
		return;
	roam.asked_ms = now;
	log_debug("the udp socket's source address is gone; asking for "
	    "another");
	peer_compose(roam.parent, MSG_RESOCKET_REQ, 0, -1, NULL, 0);
}

/*
 * The descriptor must be what was asked for: a datagram socket
 * connected to the very address the session's socket is connected to.
 * A parent that sends anything else is broken; the session keeps its
 * old socket.
 */
int
roam_fd_fits(int old, int fd)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen = sizeof(a), blen = sizeof(b);
	socklen_t		 tlen = sizeof(int);
	int			 type = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 ||
	    tlen != sizeof(int) || type != SOCK_DGRAM)
		return 0;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (getpeername(old, (struct sockaddr *)&a, &alen) == -1 ||
	    getpeername(fd, (struct sockaddr *)&b, &blen) == -1)
		return 0;
	return alen == blen && alen <= sizeof(a) && memcmp(&a, &b, alen) == 0;
}

/* RESOCKET_FD: the fresh socket.  Late (the session ended or went to
 * TCP meanwhile) or wrong, it is closed and nothing changes. */
void
roam_socket(int fd)
{
	struct session	*ss = NULL;
	int		 old;

	if (peertab.n > 0 && peertab.v[0] != NULL)
		ss = peertab.v[0]->sess;
	if (ss == NULL || (old = session_dgram_fd(ss)) == -1) {
		log_debug("a fresh udp socket with no session for it");
		close(fd);
		return;
	}
	if (!roam_fd_fits(old, fd)) {
		log_warnx("the parent sent a socket that does not fit the "
		    "session; ignored");
		close(fd);
		return;
	}
	sandbox_limit_fd(PROC_TUNNEL, fd, SANDBOX_FD_CONN);
	session_resocket(ss, fd);
}
