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
 * The tunnel worker's internals: the data path between the TUN device
 * and the transport stream (datapath.c), the one live session and its
 * events (session.c), the server's table of connections that have not
 * yet completed their handshake (pending.c) and the process itself
 * (tunnel.c).
 */
#ifndef DSVPND_TUNNEL_H
#define DSVPND_TUNNEL_H

#include <sys/types.h>
#include <stdint.h>

#include "msgcat.h"
#include "proto.h"

struct srccheck;

#define DP_BATCH		64		/* TUN reads per wakeup */
#define DP_IBUF_SIZE		(256 * 1024)	/* one transport read */
#define DP_OBUF_SIZE		(512 * 1024)	/* one transport write */
#define DP_FRAME_MAX		(PROTO_OVERHEAD + PROTO_MAX_PAYLOAD)
#define DP_VNET_MAX		(65535 + 10)	/* GSO packet + its header */

#define CODEL_TARGET_US		5000
#define CODEL_INTERVAL_US	100000

struct codel {
	uint64_t		 first_above;
	uint64_t		 drop_next;
	uint32_t		 count;
	uint32_t		 lastcount;
	int			 dropping;
};

/* aqm.c */
void	 codel_init(struct codel *);
int	 codel_drop(struct codel *, uint64_t sojourn_us, uint64_t now_us);

/* What the last dp_sock_read() saw, for the session to act on. */
#define DP_EV_UP		0x01
#define DP_EV_CLOSED		0x02

struct datapath {
	int			 tun_fd;
	int			 tun_flags;	/* TUN_F_* */
	size_t			 tun_hdr;	/* AF header bytes, 0 or 4 */
	size_t			 tun_max;	/* largest payload to read */
	int			 tun_mtu;	/* bounds a peer's segments */
	const struct srccheck	*allow;		/* peer's sources, NULL any */
	uint64_t		 tun_empty;	/* us: a read found none */
	int			 tun_drained;	/* and we still watch it */
	struct codel		 codel;
	int			 aqm;		/* CoDel on TUN reads */
	int			 sock_fd;	/* -1: no session */
	struct proto		*proto;
	struct tunnel_stats	*stats;
	int			 events;	/* DP_EV_* */
	int			 fault;		/* drop reason, -1 none */
	char			 why[128];	/* the session ended: why */
	uint8_t			*obuf;		/* sealed frames to send */
	size_t			 ocap;
	size_t			 ooff;
	size_t			 olen;
	uint8_t			*ibuf;		/* transport bytes to open */
	size_t			 icap;
	size_t			 ilen;
};

/* datapath.c: no events, no policy; the caller owns the descriptors. */
void	 dp_init(struct datapath *, struct tunnel_stats *);
void	 dp_set_tun(struct datapath *, int fd, int flags, int mtu);
void	 dp_attach(struct datapath *, int sock_fd, struct proto *);
void	 dp_detach(struct datapath *);
/* Reads a batch from the TUN and seals it into the output buffer:
 * packets read (dropped when no session is up), or -1 if the TUN
 * failed. */
int	 dp_tun_read(struct datapath *, uint64_t now);
/* The TUN is no longer watched (back-pressure): packets wait. */
void	 dp_tun_pause(struct datapath *);
/* 1 output empty, 0 the socket would block, -1 failed (why). */
int	 dp_sock_write(struct datapath *);
/* 1 fine (check events), 0 end of stream, -1 failed (why, fault). */
int	 dp_sock_read(struct datapath *, uint64_t now);
/* Feeds bytes already read elsewhere. */
int	 dp_feed(struct datapath *, const uint8_t *, size_t, uint64_t now);
/* Bytes waiting to be written, control bytes included. */
size_t	 dp_unsent(struct datapath *);

/* session.c: the one session, over the datapath, on the event loop. */
void	 session_init(struct tunnel_stats *);
void	 session_set_tun(int fd, int flags, int mtu);
/* Takes fd and p, ending the current session if any: a client's new
 * proto, or a server's already up (its handshake done in pending.c).
 * -1 if p failed (both freed). */
int	 session_start(int fd, struct proto *p, const char *peer);
/* A reload's timers (0: unchanged) for the running session. */
void	 session_set_timers(uint32_t keepalive_ms, uint32_t dead_ms,
	    uint32_t rekey_ms, uint64_t rekey_bytes);
/* Ends the session; orderly sends a close frame first (best effort). */
void	 session_end(int orderly, const char *why);
/* Before exit: close frame, flushed for at most timeout_ms. */
void	 session_shutdown(int timeout_ms);
int	 session_active(void);
int	 session_is_up(void);
/* The sources the peer may send from (srccheck.h); NULL: any. */
void	 session_set_sources(const struct srccheck *);
uint64_t now_ms(void);

/* pending.c: the server's connections until their handshake is done. */
void	 pending_init(struct tunnel_stats *);
void	 pending_add(int fd);
void	 pending_listen(int fd);
void	 pending_clear(void);

/* tunnel.c: callbacks from the session and pending table. */
void	 tunnel_session_up(const char *peer, const char *cipher);
void	 tunnel_session_down(int was_up, const char *why);
/* The proto parameters from the current configuration. */
void	 tunnel_proto_params(struct proto_params *, enum proto_role);

#endif /* DSVPND_TUNNEL_H */
