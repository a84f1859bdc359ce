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

#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"

/* Where there is no MSG_NOSIGNAL (macOS), every process ignores SIGPIPE. */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL	0
#endif

struct msg_out {
	struct msg_out	*next;
	size_t		 len;
	size_t		 off;		/* bytes already written */
	int		 fd;		/* sent with the first byte */
	uint8_t		 data[];
};

void
msgbuf_init(struct msgbuf *mb, int fd)
{
	memset(mb, 0, sizeof(*mb));
	mb->fd = fd;
}

void
msgbuf_allow_fdpass(struct msgbuf *mb)
{
	mb->allow_fds = 1;
}

void
msgbuf_clear(struct msgbuf *mb)
{
	struct msg_out	*o;
	unsigned int	 i;

	while ((o = mb->whead) != NULL) {
		mb->whead = o->next;
		if (o->fd != -1)
			close(o->fd);
		free(o);
	}
	mb->wtail = NULL;
	mb->wqueued = 0;
	for (i = 0; i < mb->nfds; i++)
		close(mb->fds[i]);
	mb->nfds = 0;
	mb->rlen = mb->rpos = 0;
}

/* Keep the descriptors a read brought; refuse them on channels that
 * must not carry any, and never hold more than the queue allows. */
static int
msgbuf_take_fds(struct msgbuf *mb, struct msghdr *mh)
{
	struct cmsghdr	*cm;
	int		 fd, bad = 0;
	size_t		 i, n;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(fd));
			if (!mb->allow_fds || mb->nfds >= MSG_MAX_FDS_QUEUED) {
				close(fd);
				bad = 1;
				continue;
			}
			mb->fds[mb->nfds++] = fd;
		}
	}
	if (mh->msg_flags & MSG_CTRUNC)
		bad = 1;
	return bad ? -1 : 0;
}

ssize_t
msgbuf_read(struct msgbuf *mb)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int) * 4)];
	}		 cmsgbuf;
	struct msghdr	 mh;
	struct iovec	 iov;
	ssize_t		 n;

	if (mb->rpos > 0) {
		memmove(mb->rbuf, mb->rbuf + mb->rpos, mb->rlen - mb->rpos);
		mb->rlen -= mb->rpos;
		mb->rpos = 0;
	}
	if (mb->rlen == sizeof(mb->rbuf)) {
		errno = ENOBUFS;
		return -1;
	}
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = mb->rbuf + mb->rlen;
	iov.iov_len = sizeof(mb->rbuf) - mb->rlen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = &cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
	if ((n = recvmsg(mb->fd, &mh, 0)) == -1)
		return -1;
	if (msgbuf_take_fds(mb, &mh) == -1) {
		errno = EBADMSG;
		return -1;
	}
	mb->rlen += n;
	return n;
}

/* Send the head message's first bytes together with its descriptor. */
static ssize_t
msgbuf_send_fd(struct msgbuf *mb, struct msg_out *o)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;

	memset(&mh, 0, sizeof(mh));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = o->data;
	iov.iov_len = o->len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = &cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cm), &o->fd, sizeof(int));
	return sendmsg(mb->fd, &mh, MSG_NOSIGNAL);
}

int
msgbuf_write(struct msgbuf *mb)
{
	struct msg_out	*o;
	ssize_t		 n;

	while ((o = mb->whead) != NULL) {
		if (o->fd != -1) {
			n = msgbuf_send_fd(mb, o);
			if (n >= 0) {
				close(o->fd);
				o->fd = -1;
			}
		} else
			n = send(mb->fd, o->data + o->off, o->len - o->off,
			    MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -1;
		}
		o->off += n;
		mb->wqueued -= n;
		if (o->off < o->len)
			continue;
		mb->whead = o->next;
		if (mb->whead == NULL)
			mb->wtail = NULL;
		free(o);
	}
	return 0;
}

int
msgbuf_queued(const struct msgbuf *mb)
{
	return mb->whead != NULL;
}

int
msg_compose(struct msgbuf *mb, uint32_t type, uint32_t peerid, pid_t pid,
    int fd, const void *data, size_t len)
{
	struct msg_out	*o;
	struct msg_hdr	 hdr;

	if (len > MSG_MAX_PAYLOAD || (len > 0 && data == NULL)) {
		errno = EMSGSIZE;
		goto fail;
	}
	if (mb->wqueued + MSG_HDR_SIZE + len > MSG_MAX_WQUEUE) {
		errno = ENOBUFS;
		goto fail;
	}
	if ((o = malloc(sizeof(*o) + MSG_HDR_SIZE + len)) == NULL)
		goto fail;
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = MSG_HDR_SIZE + len;
	hdr.peerid = peerid;
	hdr.pid = pid;
	hdr.flags = fd != -1 ? MSG_F_FD : 0;
	memcpy(o->data, &hdr, MSG_HDR_SIZE);
	if (len > 0)
		memcpy(o->data + MSG_HDR_SIZE, data, len);
	o->len = MSG_HDR_SIZE + len;
	o->off = 0;
	o->fd = fd;
	o->next = NULL;
	if (mb->wtail != NULL)
		mb->wtail->next = o;
	else
		mb->whead = o;
	mb->wtail = o;
	mb->wqueued += o->len;
	return 0;
 fail:
	if (fd != -1)
		close(fd);
	return -1;
}

int
msg_get(struct msgbuf *mb, struct msg *m)
{
	struct msg_hdr	 hdr;
	size_t		 avail = mb->rlen - mb->rpos;

	if (avail < MSG_HDR_SIZE)
		return 0;
	memcpy(&hdr, mb->rbuf + mb->rpos, MSG_HDR_SIZE);
	if (hdr.len < MSG_HDR_SIZE || hdr.len > MSG_MAX_SIZE ||
	    (hdr.flags & ~MSG_F_FD) != 0) {
		errno = EBADMSG;
		return -1;
	}
	if (avail < hdr.len)
		return 0;
	m->hdr = hdr;
	m->fd = -1;
	if (hdr.flags & MSG_F_FD) {
		if (mb->nfds == 0) {
			errno = EBADMSG;
			return -1;
		}
		m->fd = mb->fds[0];
		memmove(mb->fds, mb->fds + 1, --mb->nfds * sizeof(int));
	}
	memcpy(mb->mdata, mb->rbuf + mb->rpos + MSG_HDR_SIZE,
	    hdr.len - MSG_HDR_SIZE);
	m->data = mb->mdata;
	mb->rpos += hdr.len;
	return 1;
}

size_t
msg_datalen(const struct msg *m)
{
	return m->hdr.len - MSG_HDR_SIZE;
}
