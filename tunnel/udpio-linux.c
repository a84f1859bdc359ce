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
 * UDP_GRO is the mirror image: the receiving kernel (or a veth pair,
 * which passes the sender's large packet on whole) hands one socket a
 * run of equal datagrams with their size in a cmsg, an int.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <errno.h>
#include <string.h>

#include "udpio.h"

#ifndef SOL_UDP
#define SOL_UDP		IPPROTO_UDP
#endif

static void
udpio_msg(struct msghdr *m, struct iovec *iov, const struct sockaddr *to,
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

/* Room for a send's control data: a segment size and a source. */
union udpio_cmsg {
	struct cmsghdr	 hdr;
	uint8_t		 buf[CMSG_SPACE(sizeof(uint16_t)) +
			    CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

static size_t
udpio_cmsg_put(union udpio_cmsg *cm, size_t off, int level, int type,
    const void *data, size_t len)
{
	struct cmsghdr	*c = (struct cmsghdr *)(cm->buf + off);

	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	return (off + CMSG_SPACE(len));
}

/*
 * A send's control data into m: the UDP_SEGMENT size (seg 0: none) and
 * the source address (src NULL or family 0: the kernel's choice).  A
 * dual-stack socket takes IPV6_PKTINFO for an IPv4-mapped peer too.
 */
static void
udpio_control(struct msghdr *m, union udpio_cmsg *cm, uint16_t seg,
    const struct udpio_local *src)
{
	struct in6_pktinfo	 pi6;
	struct in_pktinfo	 pi4;
	size_t			 off = 0;

	memset(cm, 0, sizeof(*cm));
	if (seg > 0)
		off = udpio_cmsg_put(cm, off, SOL_UDP, UDP_SEGMENT, &seg,
		    sizeof(seg));
	if (src != NULL && src->family == AF_INET6) {
		memset(&pi6, 0, sizeof(pi6));
		pi6.ipi6_addr = src->addr.v6;
		off = udpio_cmsg_put(cm, off, IPPROTO_IPV6, IPV6_PKTINFO,
		    &pi6, sizeof(pi6));
	} else if (src != NULL && src->family == AF_INET) {
		memset(&pi4, 0, sizeof(pi4));
		pi4.ipi_spec_dst = src->addr.v4;
		off = udpio_cmsg_put(cm, off, IPPROTO_IP, IP_PKTINFO, &pi4,
		    sizeof(pi4));
	}
	m->msg_control = off > 0 ? cm->buf : NULL;
	m->msg_controllen = off;
}

/* 1 all sent, 0 refused (errno set), -1 the kernel cannot: fall back. */
static int
udpio_send_gso(int fd, const struct sockaddr *to, socklen_t tolen,
    const struct udpio_local *src, const uint8_t *buf, size_t size,
    size_t total)
{
	union udpio_cmsg cm;
	struct msghdr	 m;
	struct iovec	 iov;
	ssize_t		 r;

	udpio_msg(&m, &iov, to, tolen, buf, total);
	udpio_control(&m, &cm, (uint16_t)size, src);
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
udpio_send_mmsg(int fd, const struct sockaddr *to, socklen_t tolen,
    const struct udpio_local *src, const uint8_t *buf, size_t size,
    size_t n, size_t total)
{
	struct mmsghdr	 v[UDPIO_MAX];
	struct iovec	 iov[UDPIO_MAX];
	union udpio_cmsg cm;
	size_t		 i, sent = 0;
	int		 r;

	for (i = 0; i < n; i++) {
		udpio_msg(&v[i].msg_hdr, &iov[i], to, tolen,
		    buf + i * size, i + 1 < n ? size : total - i * size);
		/* One source for all: the kernel only reads it. */
		udpio_control(&v[i].msg_hdr, &cm, 0, src);
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
udpio_send(int fd, const struct sockaddr *to, socklen_t tolen,
    const struct udpio_local *src, const uint8_t *buf, size_t size,
    size_t n, size_t total, int *nogso)
{
	int	 r;

	if (n == 0 || n > UDPIO_MAX || size == 0 || size > UINT16_MAX ||
	    total > n * size || total <= (n - 1) * size) {
		errno = EINVAL;
		return (0);
	}
	if (n > 1 && !*nogso) {
		r = udpio_send_gso(fd, to, tolen, src, buf, size, total);
		if (r == 1)
			return (n);
		if (r == 0)
			return (0);
		*nogso = errno;
	}
	return (udpio_send_mmsg(fd, to, tolen, src, buf, size, n, total));
}

ssize_t
udpio_send1(int fd, const struct sockaddr *to, socklen_t tolen,
    const struct udpio_local *src, const uint8_t *buf, size_t len)
{
	union udpio_cmsg cm;
	struct msghdr	 m;
	struct iovec	 iov;
	ssize_t		 r;

	udpio_msg(&m, &iov, to, tolen, buf, len);
	udpio_control(&m, &cm, 0, src);
	do {
		r = sendmsg(fd, &m, 0);
	} while (r == -1 && errno == EINTR);
	return (r);
}

/* The UDP_GRO segment size of a read, 0 if none or malformed. */
static size_t
udpio_gro_size(struct msghdr *m)
{
#ifdef UDP_GRO
	struct cmsghdr	*c;
	int		 v;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO)
			continue;
		if (c->cmsg_len != CMSG_LEN(sizeof(v)))
			return (0);
		memcpy(&v, CMSG_DATA(c), sizeof(v));
		return (v > 0 ? (size_t)v : 0);
	}
#endif
	return (0);
}

/* The address a read's datagrams came to, family 0 if not said. */
static void
udpio_local_of(struct msghdr *m, struct udpio_local *dst)
{
	struct cmsghdr		*c;
	struct in6_pktinfo	 pi6;
	struct in_pktinfo	 pi4;

	memset(dst, 0, sizeof(*dst));
	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len == CMSG_LEN(sizeof(pi6))) {
			memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
			dst->family = AF_INET6;
			dst->addr.v6 = pi6.ipi6_addr;
			return;
		}
		if (c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len == CMSG_LEN(sizeof(pi4))) {
			memcpy(&pi4, CMSG_DATA(c), sizeof(pi4));
			dst->family = AF_INET;
			dst->addr.v4 = pi4.ipi_addr;
			return;
		}
	}
}

ssize_t
udpio_recv(int fd, uint8_t *buf, size_t cap, struct sockaddr_storage *from,
    socklen_t *fromlen, size_t *seg, struct udpio_local *dst)
{
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[CMSG_SPACE(sizeof(int)) +
				    CMSG_SPACE(sizeof(struct in6_pktinfo))];
	}		 cm;
	struct msghdr	 m;
	struct iovec	 iov;
	ssize_t		 n;
	size_t		 gro;

	udpio_msg(&m, &iov, NULL, 0, buf, cap);
	if (from != NULL) {
		m.msg_name = from;
		m.msg_namelen = *fromlen;
	}
	m.msg_control = cm.buf;
	m.msg_controllen = sizeof(cm.buf);
	if ((n = recvmsg(fd, &m, 0)) == -1)
		return (-1);
	if (from != NULL)
		*fromlen = m.msg_namelen;
	gro = (m.msg_flags & MSG_CTRUNC) ? 0 : udpio_gro_size(&m);
	*seg = gro > 0 && gro <= (size_t)n ? gro : (size_t)n;
	if (dst != NULL)
		udpio_local_of(&m, dst);
	return (n);
}
