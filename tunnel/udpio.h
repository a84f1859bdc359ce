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
 * Datagrams in as few system calls as the kernel allows.  Out: the
 * segments of one TSO frame, each sealed, lie end to end in one buffer,
 * all of one size but the last; Linux sends them with one sendmsg() and
 * a UDP_SEGMENT cmsg (4.18 and later: the kernel or the NIC cuts them
 * again), or failing that with sendmmsg() (udpio-linux.c); elsewhere
 * one sendto() each (udpio-other.c).  In: on a socket with UDP_GRO
 * (Linux 5.0 and later; the parent sets it, parent/transport.c) one
 * read may return several datagrams of one sender the same way.
 */
#ifndef DSVPND_UDPIO_H
#define DSVPND_UDPIO_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#define UDPIO_MAX		64	/* datagrams per send */
#define UDPIO_BYTES		65000	/* bytes per call, headers aside */

/*
 * The local address a datagram came to, and so the source of what is
 * sent back.  A server's wildcard socket on a host with several
 * addresses must answer from the one the client sent to: the client's
 * connected socket takes nothing from any other.  Linux reports it
 * where the parent asked (IPV6_RECVPKTINFO, IP_PKTINFO) and takes it
 * back on each send; elsewhere family stays 0 and the kernel chooses.
 */
struct udpio_local {
	int			 family;	/* 0: none */
	union {
		struct in_addr	 v4;
		struct in6_addr	 v6;	/* IPv4-mapped on a dual socket */
	}			 addr;
};

/*
 * Sends n (1 to UDPIO_MAX) datagrams from buf, size bytes each but
 * the last, total bytes in all, to "to" (tolen 0: the socket is
 * connected).  *nogso is set to the errno, and stays, once the kernel
 * refuses UDP_SEGMENT on this path (EIO: no checksum offload on the
 * device; EINVAL: a segment larger than it; ENOPROTOOPT: before 4.18):
 * from then on the fallback is used.
 * Returns the datagrams sent, in order; fewer than n leaves errno set
 * for the first that was not (EINTR is retried).
 */
size_t	 udpio_send(int fd, const struct sockaddr *to, socklen_t tolen,
	    const struct udpio_local *src, const uint8_t *buf, size_t size,
	    size_t n, size_t total, int *nogso);
/* One datagram, from src if not NULL: as send(2) (EINTR retried). */
ssize_t	 udpio_send1(int fd, const struct sockaddr *to, socklen_t tolen,
	    const struct udpio_local *src, const uint8_t *buf, size_t len);

/*
 * One read from fd into buf (cap bytes; 65536 holds anything UDP_GRO
 * may coalesce), the sender's address in from (fromlen in and out) if
 * from is not NULL.  *seg is the size of each datagram read but the
 * last: what the UDP_GRO cmsg says, if it is there and between 1 and
 * the bytes read, else the bytes read (one datagram).  dst, if not
 * NULL, gets the address they came to (family 0 if not known).
 * Returns the bytes read, or -1 with errno as recv(2).
 */
ssize_t	 udpio_recv(int fd, uint8_t *buf, size_t cap,
	    struct sockaddr_storage *from, socklen_t *fromlen, size_t *seg,
	    struct udpio_local *dst);

#endif /* DSVPND_UDPIO_H */
