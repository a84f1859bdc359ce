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
 * A small message layer over stream sockets, after imsg(3): typed
 * messages with a fixed header, payload limits, descriptor passing with
 * SCM_RIGHTS and buffered non-blocking writes.  It knows nothing of the
 * message catalogue; msgcat.h says what each type may carry.
 */
#ifndef DSVPND_MSG_H
#define DSVPND_MSG_H

#include <sys/types.h>
#include <stdint.h>

#include "compat.h"

struct msg_hdr {
	uint32_t	 type;
	uint32_t	 len;		/* header + payload */
	uint32_t	 peerid;
	uint32_t	 pid;
	uint32_t	 flags;
};

#define MSG_F_FD		0x01	/* a descriptor travels with it */

#define MSG_HDR_SIZE		sizeof(struct msg_hdr)
#define MSG_MAX_PAYLOAD		32768	/* a whole struct conf fits */
#define MSG_MAX_SIZE		(MSG_HDR_SIZE + MSG_MAX_PAYLOAD)
#define MSG_MAX_FDS_QUEUED	16
#define MSG_MAX_WQUEUE		(4 * 1024 * 1024)	/* bytes not yet written */

struct msg {
	struct msg_hdr	 hdr;
	void		*data;		/* valid until the next msg_get() */
	int		 fd;		/* -1 if none; the receiver owns it */
};

struct msg_out;

struct msgbuf {
	int		 fd;
	int		 allow_fds;	/* accept descriptors from the peer */
	uint8_t		 rbuf[MSG_MAX_SIZE * 2];
	size_t		 rlen;		/* bytes in rbuf */
	size_t		 rpos;		/* start of the next message */
	int		 fds[MSG_MAX_FDS_QUEUED];
	unsigned int	 nfds;
	struct msg_out	*whead;
	struct msg_out	*wtail;
	size_t		 wqueued;	/* bytes waiting to be written */
	uint8_t		 mdata[MSG_MAX_PAYLOAD];	/* the current payload */
};

void	 msgbuf_init(struct msgbuf *, int fd);
void	 msgbuf_allow_fdpass(struct msgbuf *);
void	 msgbuf_clear(struct msgbuf *);	/* frees queues, closes fds */
/* Returns bytes read, 0 on EOF, -1 on error (errno EAGAIN: try later). */
ssize_t	 msgbuf_read(struct msgbuf *);
/* Writes as much as the socket takes: 0 done or EAGAIN, -1 error. */
int	 msgbuf_write(struct msgbuf *);
int	 msgbuf_queued(const struct msgbuf *);
/* Queues one message (copying data; fd is passed and then closed here).
 * -1 with EMSGSIZE if too big, ENOBUFS if the peer is not reading. */
int	 msg_compose(struct msgbuf *, uint32_t type, uint32_t peerid,
	    pid_t pid, int fd, const void *data, size_t len);
/* Takes the next whole message: 1 got one, 0 need more, -1 malformed
 * (EBADMSG: bad length; the stream cannot be trusted past it). */
int	 msg_get(struct msgbuf *, struct msg *);
size_t	 msg_datalen(const struct msg *);

#endif /* DSVPND_MSG_H */
