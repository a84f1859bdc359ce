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
 * What the kernel knows of a transport stream: whether it still makes
 * progress (bytes acknowledged by the peer, or received from it, since
 * the last look).  Under heavy loss the outer TCP can deliver nothing
 * for longer than the dead-peer timeout while it is busy retransmitting;
 * that is a slow peer, not a dead one.  A truly dead peer is still cut:
 * one that neither acks nor sends makes no progress, and behind that
 * TCP_USER_TIMEOUT makes the kernel give up on data left unacknowledged
 * for a few dead-peer timeouts (session.c).
 * Linux reads TCP_INFO (tcpinfo-linux.c); elsewhere there is no such
 * view (tcpinfo-none.c) and the protocol's silence timer decides alone.
 */
#ifndef DSVPND_TCPINFO_H
#define DSVPND_TCPINFO_H

#include <stdint.h>

struct tcpinfo {
	uint64_t	 acked;
	uint64_t	 received;
	int		 ok;		/* the kernel answered */
};

void	 tcpinfo_init(int fd, struct tcpinfo *);
/* 1 if the stream moved since the last call, 0 if not, -1 unknown. */
int	 tcpinfo_progress(int fd, struct tcpinfo *);
/* Unacknowledged data older than ms ends the connection. */
void	 tcpinfo_user_timeout(int fd, unsigned int ms);

#endif /* DSVPND_TCPINFO_H */
