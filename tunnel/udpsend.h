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
 * A run of datagrams to one destination in as few system calls as the
 * kernel allows: the segments of one TSO frame, each sealed, lie end to
 * end in one buffer, all of one size but the last.  Linux sends them
 * with one sendmsg() and a UDP_SEGMENT cmsg (4.18 and later: the kernel
 * or the NIC cuts them again), or failing that with sendmmsg()
 * (udpsend-linux.c); elsewhere one sendto() each (udpsend-other.c).
 */
#ifndef DSVPND_UDPSEND_H
#define DSVPND_UDPSEND_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#define UDPSEND_MAX		64	/* datagrams per call */
#define UDPSEND_BYTES		65000	/* bytes per call, headers aside */

/*
 * Sends n (1 to UDPSEND_MAX) datagrams from buf, size bytes each but
 * the last, total bytes in all, to "to" (tolen 0: the socket is
 * connected).  *nogso is set to the errno, and stays, once the kernel
 * refuses UDP_SEGMENT on this path (EIO: no checksum offload on the
 * device; EINVAL: a segment larger than it; ENOPROTOOPT: before 4.18):
 * from then on the fallback is used.
 * Returns the datagrams sent, in order; fewer than n leaves errno set
 * for the first that was not (EINTR is retried).
 */
size_t	 udpsend_run(int fd, const struct sockaddr *to, socklen_t tolen,
	    const uint8_t *buf, size_t size, size_t n, size_t total,
	    int *nogso);

#endif /* DSVPND_UDPSEND_H */
