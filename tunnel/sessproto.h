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
 * How a session drives its wire protocol: a small table of operations
 * over an opaque state, so that the session and the data path do not
 * care whether they speak the native protocol (proto.h), DSVPN's, or
 * later a datagram form.  Each protocol also gives the geometry of its
 * frames, the bytes before and after a payload, so that the data path
 * can read a packet straight to where its sealed frame will be.
 */
#ifndef DSVPND_SESSPROTO_H
#define DSVPND_SESSPROTO_H

#include <sys/types.h>
#include <stdint.h>

#include "proto.h"

#define SPROTO_HDR_MAX	24	/* the largest hdr_len of any protocol */

struct sproto_ops {
	const char	*name;
	size_t		 hdr_len;	/* frame bytes before the payload */
	size_t		 tag_len;	/* and after it */
	void		(*free)(void *);
	int		(*start)(void *, uint64_t now);
	size_t		(*pending)(void *, const uint8_t **);
	void		(*consume)(void *, size_t);
	ssize_t		(*input)(void *, uint8_t *, size_t, uint64_t,
			    struct proto_event *);
	size_t		(*need)(const void *);
	size_t		(*seal)(void *, uint8_t *, size_t, uint64_t);
	int		(*is_up)(const void *);
	int		(*tick)(void *, uint64_t, uint64_t *);
	void		(*close)(void *);
	const char	*(*error)(const void *);
	int		(*fault)(const void *);
	const char	*(*cipher)(const void *);
	uint64_t	(*rekeys)(const void *);
	void		(*set_timers)(void *, uint32_t, uint32_t, uint32_t,
			    uint64_t);
	/* The version spoken, and a close that tells the peer why (a
	 * protocol without reasons closes plainly). */
	int		(*version)(const void *);
	void		(*close_reason)(void *, int);
	/* Server: the settings a client is told (-1: not this protocol
	 * or version). */
	int		(*push)(void *, const uint8_t *, size_t, uint64_t);
	/* Frames may be sealed: up, or for DSVPN a server session whose
	 * keys the client has not confirmed yet. */
	int		(*can_send)(const void *);
	/* No keepalive of its own: TCP's must find a dead peer. */
	int		 tcp_dead;
	/* 1: each input and each pending() is one whole datagram (UDP),
	 * sent and received on its own; 0: a byte stream (TCP). */
	int		 datagram;
	/* 1: frames carry bare IP packets, never a virtio header or a
	 * TSO frame (a stock DSVPN peer writes each to its TUN as it
	 * is): the data path cuts and completes them first. */
	int		 bare;
};

struct sproto {
	const struct sproto_ops	*ops;
	void			*st;
};

struct dsvpn;

/* The native protocol of proto.h, taking over p. */
struct sproto	 sproto_native(struct proto *p);
/* DSVPN's (dsvpn.h, sessdsvpn.c), taking over p. */
struct sproto	 sproto_dsvpn(struct dsvpn *p);

struct dgram;
/* Its datagram form (dgram.h), taking over d (sessdgram.c). */
struct sproto	 sproto_dgram(struct dgram *d);
/* Of a datagram sproto: the state machine, and the flags (DGRAM_EVF_*)
 * and probe ack of the last datagram input (ack: 0 none). */
struct dgram	*sproto_dgram_of(const struct sproto *);
int		 sproto_dgram_flags(const struct sproto *);
size_t		 sproto_dgram_ack(const struct sproto *, uint32_t *id);

#endif /* DSVPND_SESSPROTO_H */
