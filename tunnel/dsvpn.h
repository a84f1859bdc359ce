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
 * DSVPN 0.1.5's wire protocol as a pure state machine, the twin of
 * tunnel/proto.h so that the tunnel can drive either through one small
 * table of functions: no I/O, no timers of its own, no allocation after
 * dsvpn_new().  The caller feeds it the bytes read from the transport
 * with its monotonic milliseconds and writes out what it produces.
 * doc/PROTOCOL-DSVPN.md describes the bytes and what this adds to DSVPN
 * (a replay cache, key confirmation) without changing one of them.
 *
 * The same conventions as proto.h: dsvpn_input() takes one unit (hello,
 * reply or frame) at a time, decrypted in place, and returns the bytes
 * it consumed, 0 to wait for dsvpn_need() bytes, or -1 when the session
 * is over (dsvpn_fault() says why, as an enum proto_fault).  Output
 * ordering: the hello and the reply come from dsvpn_pending(); frames
 * from dsvpn_seal() in place.  Each direction is one Charm duplex, so
 * bytes must reach the transport in the order they were produced: move
 * dsvpn_pending() output to the transport before every dsvpn_seal() and
 * after dsvpn_start() and dsvpn_input().
 *
 * Events (struct proto_event):
 *	PROTO_EV_UP	client: the server's reply verified; data NULL.
 *			server: the client's first frame verified (key
 *			confirmation); data/len are that frame's packet,
 *			which the caller must deliver like PROTO_EV_DATA
 *			(len 0: nothing to deliver).
 *	PROTO_EV_DATA	a verified packet, 1..65535 bytes, in place.
 * A zero-length frame verifies, advances the stream and delivers
 * nothing, as in DSVPN.  There is no PROTO_EV_CLOSED: DSVPN has no close
 * frame, only the end of the TCP connection.
 */
#ifndef DSVPND_DSVPN_H
#define DSVPND_DSVPN_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define DSVPN_KEY_LEN		32
#define DSVPN_HELLO_LEN		72	/* Rc[32] | T[8] | A1[32] */
#define DSVPN_REPLY_LEN		64	/* Rs[32] | A2[32] */
#define DSVPN_TAG_LEN		6
#define DSVPN_HDR_LEN		8	/* len[2, LE] | tag[6] */
#define DSVPN_MAX_PAYLOAD	65535
#define DSVPN_MAX_FRAME		(DSVPN_HDR_LEN + DSVPN_MAX_PAYLOAD)

/* Defaults used when a params field is 0; DSVPN's own values. */
#define DSVPN_DEF_CLOCK_WINDOW	7200		/* s */
#define DSVPN_DEF_SERVER_HS_MS	10000		/* the hello must come */
#define DSVPN_DEF_CLIENT_HS_MS	60000		/* the reply must come */
#define DSVPN_DEF_REPLAY_CAP	1024

struct dsvpn_replay;
struct dsvpn;

struct dsvpn_params {
	enum proto_role		 role;
	uint8_t			 psk[DSVPN_KEY_LEN];	/* key file, 32 bytes */
	uint32_t		 clock_window;	/* s; 0: default */
	uint32_t		 handshake_ms;	/* 0: default of the role */
	/*
	 * Server: how long after its reply the client's first frame may
	 * take; 0: no limit.  A stock DSVPN client with nothing to send
	 * stays silent, so a limit closes idle but genuine sessions.
	 */
	uint32_t		 confirm_ms;
	struct dsvpn_replay	*replay;	/* server only, required */
	/* Test seams: NULL means randombytes_buf / time(NULL). */
	void			(*rng)(void *, uint8_t *, size_t);
	uint64_t		(*wallclock)(void *);
	void			*seam_arg;
};

/*
 * Server-wide cache of the client randoms (Rc) of accepted hellos, for
 * as long as they would pass the clock window; capacity 0: the default.
 */
struct dsvpn_replay	*dsvpn_replay_new(size_t);
void			 dsvpn_replay_free(struct dsvpn_replay *);

/* NULL with errno set on failure; the psk is copied, then wiped inside. */
struct dsvpn	*dsvpn_new(const struct dsvpn_params *);
void		 dsvpn_free(struct dsvpn *);
/* Client: queues the hello.  Server: only starts the clock. */
int		 dsvpn_start(struct dsvpn *, uint64_t);

size_t		 dsvpn_pending(struct dsvpn *, const uint8_t **);
void		 dsvpn_consume(struct dsvpn *, size_t);

ssize_t		 dsvpn_input(struct dsvpn *, uint8_t *, size_t, uint64_t,
		    struct proto_event *);
size_t		 dsvpn_need(const struct dsvpn *);
/*
 * Seals len (0..DSVPN_MAX_PAYLOAD) bytes found at frame + DSVPN_HDR_LEN
 * in place and writes the header in front: returns the frame's length,
 * len + DSVPN_HDR_LEN, or 0 if nothing can be sent (see dsvpn_can_send).
 * A zero-length frame is valid: a stock DSVPN peer accepts it silently,
 * so it may serve as traffic that makes TCP notice a dead peer.
 */
size_t		 dsvpn_seal(struct dsvpn *, uint8_t *, size_t, uint64_t);
/* Client: the reply verified.  Server: the client's first frame did. */
int		 dsvpn_is_up(const struct dsvpn *);
/*
 * Frames may be sealed: the client once up, the server as soon as its
 * reply is queued (DSVPN's server may speak first; the tunnel decides
 * whether an unconfirmed session may carry traffic).
 */
int		 dsvpn_can_send(const struct dsvpn *);
/* Handshake timeouts only: DSVPN has no keepalive and no rekeying. */
int		 dsvpn_tick(struct dsvpn *, uint64_t, uint64_t *);
/* Ends the session: keys wiped, nothing more sealed or accepted. */
void		 dsvpn_close(struct dsvpn *);

const char	*dsvpn_error(const struct dsvpn *);
int		 dsvpn_fault(const struct dsvpn *);

/*
 * Server pre-check of a complete hello before any session is made:
 * length, clock window, A1, replay cache lookup (if params->replay).
 * Read-only: dsvpn_input() records the hello.  0 if acceptable, else -1
 * with *fault (if not NULL) set.
 */
int		 dsvpn_hello_check(const struct dsvpn_params *,
		    const uint8_t *, size_t, int *);

/*
 * Without any key: could the first bytes on a connection be a DSVPN
 * hello?  Looks at DSVPN's timestamp T (bytes 32..39), which must be
 * within the window of the wall clock given (unix seconds) for DSVPN to
 * accept the hello anyway.  doc/PROTOCOL-DSVPN.md gives the odds of
 * mistaking a native hello for one.
 */
enum dsvpn_sniff {
	DSVPN_SNIFF_NEED,	/* fewer than 40 bytes */
	DSVPN_SNIFF_DSVPN,	/* T plausible: try dsvpn_hello_check() */
	DSVPN_SNIFF_OTHER	/* not an acceptable DSVPN hello */
};
enum dsvpn_sniff dsvpn_hello_sniff(const uint8_t *, size_t, uint64_t,
		    uint32_t);

#endif /* DSVPND_DSVPN_H */
