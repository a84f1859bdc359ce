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
 * No UDP segmentation offload here (and the TUN hands over no TSO
 * frames either): one sendto() per datagram, one datagram per read.
 * No source address is kept either (udpio.h): the kernel chooses.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>

#include "udpio.h"

size_t
udpio_send(int fd, const struct sockaddr *to, socklen_t tolen,
    const struct udpio_local *src, const uint8_t *buf, size_t size,
    size_t n, size_t total, int *nogso)
{
	size_t	 i, len;
	ssize_t	 r;

	if (n == 0 || n > UDPIO_MAX || size == 0 || total > n * size ||
	    total <= (n - 1) * size) {
		errno = EINVAL;
		return (0);
	}
	for (i = 0; i < n; i++) {
		len = i + 1 < n ? size : total - i * size;
		do {
			if (tolen > 0)
				r = sendto(fd, buf + i * size, len, 0, to,
				    tolen);
			else
				r = send(fd, buf + i * size, len, 0);
		} while (r == -1 && errno == EINTR);
		if (r == -1)
			return (i);
	}
	return (n);
}

ssize_t
udpio_send1(int fd, const struct sockaddr *to, socklen_t tolen,
    const struct udpio_local *src, const uint8_t *buf, size_t len)
{
	ssize_t	 r;

	do {
		if (tolen > 0)
			r = sendto(fd, buf, len, 0, to, tolen);
		else
			r = send(fd, buf, len, 0);
	} while (r == -1 && errno == EINTR);
	return (r);
}

ssize_t
udpio_recv(int fd, uint8_t *buf, size_t cap, struct sockaddr_storage *from,
    socklen_t *fromlen, size_t *seg, struct udpio_local *dst)
{
	ssize_t	 n;

	if (dst != NULL)
		dst->family = 0;

	if (from != NULL)
		n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)from,
		    fromlen);
	else
		n = recv(fd, buf, cap, 0);
	if (n != -1)
		*seg = n;
	return (n);
}
