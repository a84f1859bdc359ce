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
#include <sys/socket.h>
#include <stdint.h>

#include "msgcat.h"
#include "proto.h"
#include "sessproto.h"
#include "udpio.h"

struct srccheck;

#define DP_BATCH		64		/* TUN reads per wakeup */
#define DP_IBUF_SIZE		(256 * 1024)	/* one transport read */
#define DP_OBUF_SIZE		(512 * 1024)	/* one batch of frames */
#define DP_QUEUE_CAP		(1024 * 1024)	/* a session's unsent bytes */
#define DP_FRAME_MAX		(SPROTO_HDR_MAX + PROTO_TAG_LEN + \
				    PROTO_MAX_PAYLOAD)
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

/* pending.c: "ADDR PORT" of a peer's address, for logs and status */
struct sockaddr_storage;
void	 endpoint_str(const struct sockaddr_storage *, char *, size_t);

/* aqm.c */
void	 codel_init(struct codel *);
int	 codel_drop(struct codel *, uint64_t sojourn_us, uint64_t now_us);

/* What the last dp_sock_read() saw, for the session to act on. */
#define DP_EV_UP		0x01
#define DP_EV_CLOSED		0x02

/* A peer's own counters, beside the process-wide tunnel_stats. */
struct peer_counters {
	uint64_t		 bytes_in;
	uint64_t		 bytes_out;
	uint64_t		 packets_in;
	uint64_t		 packets_out;
	uint64_t		 drops_source;
	uint64_t		 drops_queue;
	uint64_t		 sessions;
	uint64_t		 replaced;
};

struct datapath;
struct dp_conn;

/*
 * The policy the data path asks for, per packet: which session a TUN
 * packet goes to (NULL: drop, with *why set), and whether a packet from
 * a session may enter the TUN (DROP_MAX: yes, else why not).  Pure
 * lookups; they may not end sessions.
 */
struct dp_policy {
	struct dp_conn	*(*route)(void *, const uint8_t *ip, size_t,
			    int *why);
	int		 (*admit)(void *, struct dp_conn *, const uint8_t *ip,
			    size_t);
	void		*arg;
};

/*
 * One session's side of the data path: its socket and protocol, and
 * buffers only while it has data in flight (unsent bytes out, a partial
 * frame in).  An idle session holds no buffer at all.
 */
struct dp_conn {
	struct datapath		*dp;
	int			 sock_fd;	/* -1: detached */
	struct sproto		 sp;
	struct peer_counters	*pc;		/* may be NULL */
	void			*owner;		/* the session */
	int			 events;	/* DP_EV_* */
	int			 fault;		/* drop reason, -1 none */
	char			 why[128];	/* the session ended: why */
	uint8_t			*q;		/* unsent bytes */
	size_t			 qcap;
	size_t			 qoff;
	size_t			 qlen;
	uint8_t			*part;		/* a partial frame read */
	size_t			 plen;
	int			 close_reason;	/* the peer's CLOSE said */
	/* A client's: the server's PUSH frame, as it came. */
	void			(*on_push)(struct dp_conn *, const uint8_t *,
				    size_t);
	/* Datagrams (sp.ops->datagram): where they go (tolen 0: the
	 * socket is connected), and the largest packet the path takes
	 * (0: not known yet, any). */
	struct sockaddr_storage	 to;
	socklen_t		 tolen;
	struct udpio_local	 local;		/* a server's: our side */
	size_t			 max_payload;
	int			 blocked;	/* the socket was full */
	int			 nogso;		/* UDP_SEGMENT refused: errno */
	/* A probe ack (path MTU search), after input; a send the kernel
	 * refused as too large (its length). */
	void			(*on_probe_ack)(struct dp_conn *, uint32_t,
				    size_t);
	void			(*on_too_big)(struct dp_conn *, size_t);
	/* A client's: the socket's source address is gone (roaming). */
	void			(*on_src_gone)(struct dp_conn *);
};

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
	struct tunnel_stats	*stats;
	struct dp_policy	 policy;	/* route NULL: all to solo */
	struct dp_conn		*solo;
	int			 multi;		/* more than one session up */
	/* Shared by every session: the batch being sealed (frames of
	 * one session at a time) and the transport read buffer. */
	struct dp_conn		*batch;
	uint8_t			*obuf;
	size_t			 ocap;
	size_t			 olen;
	uint8_t			*ibuf;
	size_t			 icap;
	/* Sessions whose output was queued in this turn: the caller arms
	 * their write events (dp_take_backlogged). */
	struct dp_conn		*backlog[DP_BATCH];
	unsigned int		 nbacklog;
	/* A vnet TUN: the TCP segments of a receive batch joined
	 * (coalesce.h), and the session they came from. */
	struct coalesce		*co;
	struct dp_conn		*co_conn;
};

/* datapath.c: no events, no policy of its own; the caller owns the
 * descriptors. */
void	 dp_init(struct datapath *, struct tunnel_stats *);
void	 dp_set_tun(struct datapath *, int fd, int flags, int mtu);
void	 dp_set_policy(struct datapath *, const struct dp_policy *);
/* With no route policy every TUN packet goes to this one. */
void	 dp_set_solo(struct datapath *, struct dp_conn *);
void	 dp_conn_init(struct dp_conn *, struct datapath *,
	    struct peer_counters *, void *owner);
void	 dp_attach(struct dp_conn *, int sock_fd, struct sproto);
/* Frees the connection's buffers; the caller closes and frees the
 * rest.  Its unsent bytes are lost. */
void	 dp_detach(struct dp_conn *);
/* Reads a batch from the TUN and seals each packet for its session:
 * packets read, or -1 if the TUN failed.  Sessions left with unsent
 * bytes are listed for dp_take_backlogged(). */
int	 dp_tun_read(struct datapath *, uint64_t now);
struct dp_conn *dp_take_backlogged(struct datapath *);
/* The TUN is no longer watched (back-pressure): packets wait. */
void	 dp_tun_pause(struct datapath *);
/* 1 output empty, 0 the socket would block, -1 failed (why). */
int	 dp_sock_write(struct dp_conn *);
/* 1 fine (check events), 0 end of stream, -1 failed (why, fault). */
int	 dp_sock_read(struct dp_conn *, uint64_t now);
/* Feeds bytes already read elsewhere. */
int	 dp_feed(struct dp_conn *, const uint8_t *, size_t, uint64_t now);
/* One whole datagram (a server's, read by udp.c): as dp_sock_read. */
int	 dp_dgram_input(struct dp_conn *, uint8_t *, size_t, uint64_t now);
/* A verified packet from a session, to the TUN (checked there). */
void	 dp_deliver(struct dp_conn *, uint8_t *, size_t);
/* Writes the TCP segments a receive batch left joined (coalesce.h):
 * a caller of dp_dgram_input() calls it at the end of every batch. */
void	 dp_tun_flush(struct datapath *);
/* Sends one datagram of c's: 0, or -1 if the kernel refused its size. */
int	 dp_dgram_send(struct dp_conn *, const uint8_t *, size_t);
/* Bytes waiting to be written, control bytes included. */
size_t	 dp_unsent(struct dp_conn *);
/* The IP packet inside a TUN packet (past a virtio header). */
const uint8_t *dp_ip(const struct datapath *, const uint8_t *, size_t,
	    size_t *iplen);

/* session.c: the sessions, over the data path, on the event loop. */
struct session;
struct tpeer;

void	 session_init(struct tunnel_stats *);
void	 session_set_tun(int fd, int flags, int mtu);
/* A server: check sources against peers, and between clients only if
 * client_to_client. */
void	 session_set_policy(int server, int client_to_client);
/* Takes fd and sp for peer p, ending p's current session if any: a
 * client's new protocol, or a server's already up (its handshake done
 * in pending.c).  NULL if it failed at once (both freed). */
struct session *session_start(int fd, struct sproto sp,
	    const char *endpoint, struct tpeer *p);
/* The same over UDP: shared, a server's socket (udp.c reads it, and
 * datagrams go to to); else a client's connected one. */
struct session *session_start_dgram(int fd, int shared, struct sproto sp,
	    const char *endpoint, struct tpeer *p, const struct sockaddr *to,
	    socklen_t tolen, const struct udpio_local *local);
void	 session_set_udp_index(struct session *, uint32_t);
void	 session_dgram_input(struct session *, uint8_t *, size_t,
	    const struct sockaddr_storage *, socklen_t,
	    const struct udpio_local *local);
struct dp_conn *session_conn(struct session *);
/* The end of a batch of session_dgram_input(): dp_tun_flush(). */
void	 session_tun_flush(void);
/* Roaming: a client's UDP socket (-1: not such a session), and the
 * move of its session to a fresh socket fd. */
int	 session_dgram_fd(const struct session *);
void	 session_resocket(struct session *, int fd);
void	 session_transport(const struct session *, int32_t *, int32_t *);
/* A reload's timers (0: unchanged) for the running sessions. */
void	 session_set_timers(uint32_t keepalive_ms, uint32_t dead_ms,
	    uint32_t rekey_ms, uint64_t rekey_bytes);
/* Ends a session; orderly sends a close frame first (best effort).
 * session_end_peer ends every session of the peer. */
void	 session_end(struct session *, int orderly, int cause,
	    const char *why);
void	 session_end_peer(struct tpeer *, int orderly, int cause,
	    const char *why);
/* Before exit: close frames, flushed for at most timeout_ms. */
void	 session_shutdown(int timeout_ms);
int	 session_active(void);
unsigned int session_count(void);
unsigned int session_up_count(void);
int	 session_is_up(const struct session *);
/* The peer table moved p's entry (a reload). */
void	 session_rebind(struct session *, struct tpeer *);
/* And all sessions of from, unconfirmed ones too, go to to. */
void	 session_move_peer(struct tpeer *from, struct tpeer *to);
/* Its protocol for status: "dsvpnd v2", "dsvpn". */
void	 session_protocol(const struct session *, char *, size_t);
/* A list of allowed sources (srccheck.h) on top of the peer table's
 * own check; NULL, the daemon's setting: none. */
void	 session_set_sources(const struct srccheck *);
uint64_t now_ms(void);

/* udp.c: a server's UDP sockets, their hellos and datagrams. */
void	 udp_init(struct tunnel_stats *);
void	 udp_listen(int fd);
void	 udp_forget(uint32_t index);
void	 udp_clear(void);
/* roam.c: a client's UDP session moving to a fresh socket. */
struct peer;
void	 roam_init(struct peer *parent);
void	 roam_src_gone(void);
void	 roam_socket(int fd);
/* 1 if fd is a datagram socket connected where old is, else 0. */
int	 roam_fd_fits(int old, int fd);
/* The datagram form's handshake bound for a client (then TCP). */
#define DGRAM_CLIENT_HANDSHAKE_MS	5000

/* pending.c: the server's connections until their handshake is done. */
/* budget.c: a server's limits, from its number of clients. */
unsigned long	 budget_nofile(uint32_t);
size_t		 budget_replay(uint32_t);
void		 budget_check(uint32_t);

void	 pending_init(struct tunnel_stats *);
/* protocol: CONF_PROTO_* of the listener. */
void	 pending_add(int fd, int protocol);
void	 pending_listen(int fd, int protocol);
void	 pending_clear(void);

/* tunnel.c: callbacks from the sessions and the pending table. */
void	 tunnel_session_up(struct tpeer *, const char *endpoint,
	    const char *cipher, int dgram);
/* Client over UDP: the path MTU found, and the TUN MTU that fits. */
void	 tunnel_path_mtu(int path_mtu, int tun_mtu);
void	 tunnel_session_down(struct tpeer *, int was_up, int cause,
	    const char *why);
/* The proto parameters from the current configuration, without a key. */
void	 tunnel_proto_params(struct proto_params *, enum proto_role);
/* The configured dead-peer timeout and keepalive interval. */
uint32_t tunnel_dead_ms(void);
uint32_t tunnel_keepalive_ms(void);
/* The DSVPN parameters from the current configuration, without a key
 * or replay cache. */
struct dsvpn_params;
void	 tunnel_dsvpn_params(struct dsvpn_params *, enum proto_role);
/* Server: the encoded push for this peer into buf; its length, or -1. */
ssize_t	 tunnel_push_for(const struct tpeer *, uint8_t *buf, size_t len);
/* Client: the server's push, as it came (checked by push_decode()). */
void	 tunnel_pushed(struct tpeer *, const uint8_t *, size_t);

#endif /* DSVPND_TUNNEL_H */
