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
 * The datagram (UDP) form of protocol version 2, as a pure state
 * machine like proto.h: no I/O, no timers of its own.  The caller feeds
 * it whole datagrams and the monotonic time, and sends the whole
 * datagrams it produces; doc/PROTOCOL.md section 14 describes the bytes.
 *
 * Each datagram stands alone: an explicit counter is its nonce, it has
 * the full 16-byte tag, and a sliding window (replaywin.h) refuses
 * replays.  Loss, duplication, reordering and corruption are expected:
 * a datagram that fails any check is dropped and counted (dgram_drops())
 * and never ends the session; only an authenticated datagram that breaks
 * the protocol, a timeout, or a close does.
 *
 * Server, per datagram received (before any key, cheapest first):
 *
 *	dgram_peek()			DATA: find the session by the
 *					receiver index; HELLO: go on
 *	ratelimit_allow(per source)	drop a source over its rate;
 *	ratelimit_allow(global)		none left: under load
 *	dgram_hello_peek(template)	version, length, clock; key id
 *	look the key id up as for TCP (keyid.h; the same epoch ids and
 *	tickets serve both transports)
 *	dgram_hello_check(that peer's params, src, under_load)
 *		REFUSE: drop; COOKIE: send the cookie reply to src;
 *		ACCEPT: dgram_new(that peer's params, a fresh local
 *		index) and dgram_input() the hello, which queues the reply
 *
 * Client: dgram_start() queues the hello; dgram_tick() sends a new one
 * on a backoff (retransmit_ms, doubling up to DGRAM_RETRANSMIT_MAX_MS)
 * until a reply comes or handshake_ms passes.  When UDP gets no answer,
 * the caller falls back to TCP (proto.h).
 *
 * Output: dgram_pending() gives the next control datagram to send (the
 * hello, the reply, keepalives, rekey, close, push, ticket, acks, probe
 * acks), dgram_consume() drops it; data and probes are sealed in place
 * into the caller's buffer by dgram_seal() and dgram_seal_probe().
 * Datagrams may be sent in any order.
 *
 * Roaming: every datagram that verified (and was no replay) sets
 * DGRAM_EVF_AUTH in its event; the newest of them also DGRAM_EVF_NEWEST:
 * a server moves the peer's endpoint to that datagram's source address.
 */
#ifndef DSVPND_DGRAM_H
#define DSVPND_DGRAM_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "cookie.h"
#include "proto.h"

/* Byte 0 of every datagram. */
#define DGRAM_T_HELLO		1
#define DGRAM_T_REPLY		2
#define DGRAM_T_COOKIE		3
#define DGRAM_T_DATA		4

#define DGRAM_VERSION		2
#define DGRAM_HELLO_LEN		144
#define DGRAM_REPLY_LEN		76
#define DGRAM_COOKIE_REPLY_LEN	64
/* Data: clear header (16) and inner type (1) before, tag (16) after. */
#define DGRAM_HDR_LEN		17
#define DGRAM_TAG_LEN		16
#define DGRAM_OVERHEAD		(DGRAM_HDR_LEN + DGRAM_TAG_LEN)
#define DGRAM_MAX_LEN		65507	/* the largest UDP payload */
#define DGRAM_MAX_PAYLOAD	(DGRAM_MAX_LEN - DGRAM_OVERHEAD)
#define DGRAM_PROBE_MIN		(DGRAM_OVERHEAD + 4)
#define DGRAM_FRAG_MAX		1024	/* push bytes per datagram */

#define DGRAM_DEF_RETRANSMIT_MS	1000
#define DGRAM_RETRANSMIT_MAX_MS	8000
#define DGRAM_PREV_KEEP_MS	5000	/* old receive key after a rekey */
#define DGRAM_CLOSE_COPIES	3

/* Flags of a dgram_event. */
#define DGRAM_EVF_AUTH		0x01	/* the datagram verified */
#define DGRAM_EVF_NEWEST	0x02	/* ... and is the newest: roam */
#define DGRAM_EVF_UP		0x04	/* ... and brought the session up */

enum dgram_ev {
	DGRAM_EV_NONE,
	DGRAM_EV_DATA,
	DGRAM_EV_CLOSED,	/* reason set */
	DGRAM_EV_PUSH,		/* client: push TLVs, whole */
	DGRAM_EV_TICKET,	/* client: PROTO_TICKET_LEN bytes */
	DGRAM_EV_PROBE_ACK	/* len: the size acked; id: the probe's */
};

/*
 * DATA, TICKET: data points into the caller's datagram; PUSH: there, or
 * (a push in two parts) into the session's own buffer.  Valid until the
 * caller's buffer is reused or the next call on the session.
 */
struct dgram_event {
	enum dgram_ev	 type;
	uint8_t		*data;
	size_t		 len;
	int		 reason;	/* CLOSED */
	int		 flags;		/* DGRAM_EVF_* */
	uint32_t	 id;		/* PROBE_ACK */
};

/* Why datagrams were dropped (dgram_drops()), none fatal. */
enum dgram_drop {
	DGRAM_DROP_MALFORMED,	/* too short, unknown type, bad fields */
	DGRAM_DROP_INDEX,	/* not this session's receiver index */
	DGRAM_DROP_KEY,		/* no key for its key phase */
	DGRAM_DROP_AUTH,	/* failed to verify */
	DGRAM_DROP_REPLAY,	/* seen before, or behind the window */
	DGRAM_DROP_HANDSHAKE,	/* a reply or cookie that did not verify */
	DGRAM_DROP_STATE,	/* not expected now (late, after close) */
	DGRAM_DROP_OUTPUT,	/* ours: the output queue was full */
	DGRAM_DROP_MAX
};

enum dgram_verdict { DGRAM_REFUSE, DGRAM_ACCEPT, DGRAM_COOKIE };

struct dgram_params {
	/*
	 * As for TCP: role, psk, the timers, max_payload (at most
	 * DGRAM_MAX_PAYLOAD), cipher, replay (server), the seams, the
	 * client's ticket.  version must be 0 or 2.
	 */
	struct proto_params	 base;
	uint32_t		 retransmit_ms;	/* first repeat; 0: default */
	uint32_t		 local_index;	/* server: its table's, != 0 */
	struct cookie_secrets	*cookies;	/* server, under load */
};

struct dgram;

struct dgram	*dgram_new(const struct dgram_params *);
void		 dgram_free(struct dgram *);
int		 dgram_start(struct dgram *, uint64_t);

size_t		 dgram_pending(struct dgram *, const uint8_t **);
void		 dgram_consume(struct dgram *);

/* One whole datagram, decrypted in place.  0, or -1 if the session is
 * over (its fault says why); drops are counted, not returned. */
int		 dgram_input(struct dgram *, uint8_t *, size_t, uint64_t,
		    struct dgram_event *);
/*
 * Seal len bytes of data at buf + DGRAM_HDR_LEN in place, the tag after
 * them; the datagram starts at buf.  Its length, or 0 if not up (or
 * closing, or len is 0 or over max_payload).
 */
size_t		 dgram_seal(struct dgram *, uint8_t *, size_t, uint64_t);
/*
 * A path-MTU probe (RFC 8899): a datagram of exactly size bytes
 * (DGRAM_PROBE_MIN .. DGRAM_MAX_LEN) into buf, padded, which the peer
 * acknowledges (DGRAM_EV_PROBE_ACK with len = size, id = *id).  Probes
 * are never retransmitted: the caller's search decides.  size or 0.
 */
size_t		 dgram_seal_probe(struct dgram *, uint8_t *, size_t, uint64_t,
		    uint32_t *);
int		 dgram_tick(struct dgram *, uint64_t, uint64_t *);
void		 dgram_close(struct dgram *, int);
/* Server, up: reliable (acknowledged, retransmitted) push and ticket. */
int		 dgram_push(struct dgram *, const uint8_t *, size_t, uint64_t);
int		 dgram_ticket(struct dgram *, const uint8_t [PROTO_TICKET_LEN],
		    uint64_t);
/* Up: a keepalive queued now (a client that changed socket): 0 or -1. */
int		 dgram_keepalive(struct dgram *, uint64_t);
/* As proto_set_timers(): keepalive, dead, rekey ms, rekey bytes. */
void		 dgram_set_timers(struct dgram *, uint32_t, uint32_t,
		    uint32_t, uint64_t);

int		 dgram_is_up(const struct dgram *);
/*
 * The index the peer puts in this session's datagrams: a server's is
 * params.local_index; a client's is random and new with every hello,
 * fixed once up.
 */
uint32_t	 dgram_local_index(const struct dgram *);
const uint64_t	*dgram_drops(const struct dgram *);
const char	*dgram_error(const struct dgram *);
int		 dgram_fault(const struct dgram *);
const char	*dgram_cipher_name(const struct dgram *);
uint64_t	 dgram_rekeys(const struct dgram *);

/*
 * Before any key: a datagram's type and, for replies, cookie replies
 * and data, the receiver index it carries.  0, or -1 if too short or of
 * no known type.
 */
int		 dgram_peek(const uint8_t *, size_t, uint8_t *, uint32_t *);
/* Server, no key: as proto_hello_peek() for a datagram hello. */
int		 dgram_hello_peek(const struct dgram_params *, const uint8_t *,
		    size_t, struct proto_hello_info *, int *);
/*
 * Server, with the params of the peer the key id named: everything
 * before a Diffie-Hellman (shape, clock, MAC, cipher, replay cache);
 * under_load, also the second MAC of src's cookie, and if it fails,
 * DGRAM_COOKIE with the cookie reply (DGRAM_COOKIE_REPLY_LEN bytes) to
 * send to src (under_load needs params.cookies).  No state, no
 * allocation.  An accepted hello may still fail in dgram_input() for a
 * low-order ephemeral, which only the Diffie-Hellman shows.
 */
enum dgram_verdict dgram_hello_check(const struct dgram_params *,
		    const uint8_t *, size_t, const void *, size_t, int,
		    uint8_t [DGRAM_COOKIE_REPLY_LEN], int *);

#endif /* DSVPND_DGRAM_H */
