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
 * UDP_SEGMENT (udp(7)): one sendmsg() hands the kernel the whole run
 * with the segment size, and it leaves as one large UDP packet through
 * the stack, cut at the device (or by the NIC).  It is all or nothing:
 * the call fails, or every datagram is out.  sendmmsg() sends as many as
 * the socket takes and says how many; the next call reports the error.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <errno.h>
#include <string.h>

#include "udpsend.h"

#ifndef SOL_UDP
#define SOL_UDP		IPPROTO_UDP
#endif

static void
udpsend_msg(struct msghdr *m, struct iovec *iov, const struct sockaddr *to,
    socklen_t tolen, const uint8_t *buf, size_t len)
{
	memset(m, 0, sizeof(*m));
	iov->iov_base = (void *)buf;
	iov->iov_len = len;
	m->msg_iov = iov;
	m->msg_iovlen = 1;
	if (tolen > 0) {
		m->msg_name = (void *)to;
		m->msg_namelen = tolen;
	}
}

/* 1 all sent, 0 refused (errno set), -1 the kernel cannot: fall back. */
static int
udpsend_gso(int fd, const struct sockaddr *to, socklen_t tolen,
    const uint8_t *buf, size_t size, size_t total)
{
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[CMSG_SPACE(sizeof(uint16_t))];
	}		 cm;
	struct msghdr	 m;
	struct iovec	 iov;
	struct cmsghdr	*c;
	uint16_t	 seg = size;
	ssize_t		 r;

	udpsend_msg(&m, &iov, to, tolen, buf, total);
	memset(&cm, 0, sizeof(cm));
	m.msg_control = cm.buf;
	m.msg_controllen = sizeof(cm.buf);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	do {
		r = sendmsg(fd, &m, 0);
	} while (r == -1 && errno == EINTR);
	if (r != -1)
		return (1);
	/* ENOPROTOOPT: a kernel before 4.18. */
	if (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT)
		return (-1);
	return (0);
}

static size_t
udpsend_mmsg(int fd, const struct sockaddr *to, socklen_t tolen,
    const uint8_t *buf, size_t size, size_t n, size_t total)
{
	struct mmsghdr	 v[UDPSEND_MAX];
	struct iovec	 iov[UDPSEND_MAX];
	size_t		 i, sent = 0;
	int		 r;

	for (i = 0; i < n; i++) {
		udpsend_msg(&v[i].msg_hdr, &iov[i], to, tolen,
		    buf + i * size, i + 1 < n ? size : total - i * size);
		v[i].msg_len = 0;
	}
	while (sent < n) {
		r = sendmmsg(fd, v + sent, n - sent, 0);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		sent += r;
	}
	return (sent);
}

size_t
udpsend_run(int fd, const struct sockaddr *to, socklen_t tolen,
    const uint8_t *buf, size_t size, size_t n, size_t total, int *nogso)
{
	int	 r;

	if (n == 0 || n > UDPSEND_MAX || size == 0 || total > n * size ||
	    total <= (n - 1) * size) {
		errno = EINVAL;
		return (0);
	}
	if (n > 1 && !*nogso) {
		if ((r = udpsend_gso(fd, to, tolen, buf, size, total)) == 1)
			return (n);
		if (r == 0)
			return (0);
		*nogso = errno;
	}
	return (udpsend_mmsg(fd, to, tolen, buf, size, n, total));
}
