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
 * The tunnel's wire protocol over a byte stream (TCP) as a pure state
 * machine: no I/O, no timers of its own, no allocation after
 * proto_new() but a control-output buffer that grows while a PUSH waits
 * to be drained.  The caller feeds it the bytes read from the transport
 * and the current monotonic time, and writes out what it produces.
 * doc/PROTOCOL.md describes the bytes; dgram.h is the datagram form.
 *
 * Output ordering rule: every frame carries an implicit counter taken
 * when it is produced, so bytes must reach the transport in the order
 * the calls produced them.  The simple way: append proto_pending() to
 * the transport queue right BEFORE every proto_seal() and after every
 * proto_input(), proto_tick(), proto_close(), proto_push() and
 * proto_ticket().
 *
 * Versions.  A client speaks params.version (PROTO_V1 or PROTO_V2; 0 is
 * the newest).  A server accepts params.version only, or both when it
 * is 0, and learns the version from the hello's first byte.  Version 2
 * adds the key identifier (keyid.h) and the PUSH, TICKET and CLOSE
 * reason frames; a version 1 session never sees them.
 *
 * Server, many clients (version 2), cheapest check first:
 *
 *	read PROTO_HELLO_LEN bytes (no hello is shorter)
 *	n = proto_hello_len(first byte)		0: refuse, else read to n
 *	proto_hello_peek(template, hello)	version, length, clock; no key
 *	look info.keyid up (epoch idtable, then keyid_tickets_open())
 *	proto_hello_check(that peer's params, hello)	MAC, cipher, replay
 *	proto_new(that peer's params); proto_input(hello)
 *	after PROTO_EV_UP: proto_push(), proto_ticket()
 *
 * A version 1 hello carries no key identifier: only a server with one
 * version 1 key (its single-key configuration) can take it.
 *
 * Client fallback: a hello that gets the connection closed with no
 * reply was refused (wrong key or clock, an expired ticket) or not
 * understood (a version 1 server).  Retry with the epoch id instead of
 * a ticket first, then, unless this server has spoken version 2 before,
 * with version 1.
 */
#ifndef DSVPND_PROTO_H
#define DSVPND_PROTO_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_V1		1
#define PROTO_V2		2
#define PROTO_VERSION		PROTO_V2	/* the newest */
#define PROTO_KEY_LEN		32
#define PROTO_HDR_LEN		4	/* masked type + 24-bit length */
#define PROTO_TAG_LEN		16
#define PROTO_OVERHEAD		(PROTO_HDR_LEN + PROTO_TAG_LEN)
#define PROTO_MAX_PAYLOAD	65600	/* hard bound of params.max_payload */
#define PROTO_HELLO_LEN		92	/* client's first message, v1 */
#define PROTO_HELLO2_LEN	124	/* v2: with the key identifier */
#define PROTO_HELLO_MAX		PROTO_HELLO2_LEN
#define PROTO_REPLY_LEN		68	/* server's answer, both versions */
#define PROTO_KEYID_LEN		32	/* keyid.h: KEYID_LEN */
#define PROTO_TICKET_LEN	32
#define PROTO_PUSH_MAX		2048	/* PUSH payload; push.h: PUSH_MAX_LEN */

/* Defaults used when a params field is 0. */
#define PROTO_DEF_CLOCK_WINDOW	7200		/* s */
#define PROTO_DEF_KEEPALIVE_MS	10000
#define PROTO_DEF_DEAD_MS	35000
#define PROTO_DEF_REKEY_MS	(3600 * 1000)
#define PROTO_DEF_REKEY_BYTES	(1ULL << 36)	/* 64 GiB */
#define PROTO_DEF_HANDSHAKE_MS	10000
#define PROTO_DEF_REPLAY_CAP	4096

enum proto_role { PROTO_CLIENT, PROTO_SERVER };

enum proto_cipher {
	PROTO_CIPHER_AUTO,
	PROTO_CIPHER_AES256GCM,
	PROTO_CIPHER_CHACHA20POLY1305
};

/* Same order as enum drop_reason's first five, so a cast maps them. */
enum proto_fault {
	PROTO_F_AUTH = 0,	/* a frame or key confirmation failed */
	PROTO_F_PROTOCOL,	/* bad length, type, order, state */
	PROTO_F_HANDSHAKE,	/* handshake refused (version, MAC, cipher) */
	PROTO_F_REPLAY,		/* replayed or stale hello */
	PROTO_F_TIMEOUT		/* handshake, rekey or dead-peer timeout */
};

/*
 * Why a version 2 peer closed (its CLOSE frame's byte).  A peer may send
 * a value this list lacks (a later version): treat it as NONE.
 */
enum proto_close_reason {
	PROTO_CLOSE_NONE = 0,		/* unspecified; every v1 close */
	PROTO_CLOSE_SHUTDOWN,		/* the peer stops or restarts */
	PROTO_CLOSE_REPLACED,		/* a newer session with your key */
	PROTO_CLOSE_KICKED,		/* ended by the administrator */
	PROTO_CLOSE_REMOVED		/* client removed or its key changed */
};

enum proto_ev {
	PROTO_EV_NONE,
	PROTO_EV_UP,
	PROTO_EV_DATA,
	PROTO_EV_CLOSED,	/* reason set */
	PROTO_EV_PUSH,		/* client, v2: push TLVs (push_decode()) */
	PROTO_EV_TICKET		/* client, v2: PROTO_TICKET_LEN bytes */
};

struct proto_event {
	enum proto_ev	 type;
	uint8_t		*data;	/* DATA, PUSH, TICKET: in the caller's */
	size_t		 len;	/* buffer, valid until it is reused */
	int		 reason;	/* CLOSED: enum proto_close_reason */
};

struct proto_replay;
struct proto;

struct proto_params {
	enum proto_role		 role;
	uint8_t			 psk[PROTO_KEY_LEN];
	uint32_t		 clock_window;	/* s; 0: default */
	uint32_t		 keepalive_ms;	/* idle sending; 0: default */
	uint32_t		 dead_ms;	/* silent peer; 0: default */
	uint32_t		 rekey_ms;	/* 0: default */
	uint64_t		 rekey_bytes;	/* sent; 0: default */
	size_t			 max_payload;	/* 0: PROTO_MAX_PAYLOAD */
	enum proto_cipher	 cipher;	/* AUTO or force one */
	struct proto_replay	*replay;	/* server only, required */
	/* Test seams: NULL means randombytes_buf / time(NULL). */
	void			(*rng)(void *, uint8_t *, size_t);
	uint64_t		(*wallclock)(void *);
	void			*seam_arg;
	uint32_t		 handshake_ms;	/* 0: default */
	/* Client: the version to speak; server: the one accepted (0 both). */
	int			 version;
	/*
	 * Client, version 2: send this ticket (PROTO_EV_TICKET of an
	 * earlier session, used once) as the key identifier instead of
	 * the epoch id.
	 */
	int			 ticket_set;
	uint8_t			 ticket[PROTO_TICKET_LEN];
};

/* What proto_hello_peek() found in a hello. */
struct proto_hello_info {
	int			 version;
	uint64_t		 timestamp;	/* the client's unix seconds */
	const uint8_t		*keyid;	/* v2: inside the hello; v1: NULL */
};

/* Server-wide cache of hello nonces; capacity 0 picks the default. */
struct proto_replay	*proto_replay_new(size_t);
void			 proto_replay_free(struct proto_replay *);

struct proto	*proto_new(const struct proto_params *);
void		 proto_free(struct proto *);
int		 proto_start(struct proto *, uint64_t);

size_t		 proto_pending(struct proto *, const uint8_t **);
void		 proto_consume(struct proto *, size_t);

ssize_t		 proto_input(struct proto *, uint8_t *, size_t, uint64_t,
		    struct proto_event *);
size_t		 proto_need(const struct proto *);
size_t		 proto_seal(struct proto *, uint8_t *, size_t, uint64_t);
int		 proto_is_up(const struct proto *);
int		 proto_tick(struct proto *, uint64_t, uint64_t *);
void		 proto_close(struct proto *);
/* As proto_close(), telling a version 2 peer why. */
void		 proto_close_reason(struct proto *, int);
const char	*proto_close_reason_name(int);
/*
 * Server, version 2, up: queue a PUSH frame of len bytes (at most
 * PROTO_PUSH_MAX, made by push_encode()) or a TICKET frame (made by
 * keyid_tickets_make()).  Normally a push once right after PROTO_EV_UP
 * (a later one replaces it in full) and a ticket after it and after
 * every ticket-key rotation.  -1 with errno EINVAL when the session is
 * not up, not version 2 or not a server's, or the push too long; the
 * session is not harmed.  -1 with errno ENOBUFS when output was not
 * drained: the session is then over.
 */
int		 proto_push(struct proto *, const uint8_t *, size_t,
		    uint64_t);
int		 proto_ticket(struct proto *, const uint8_t [PROTO_TICKET_LEN],
		    uint64_t);
/* The session's version: the client's, or the hello's once received. */
int		 proto_version(const struct proto *);
/*
 * New timers for a running session (a reload); 0 keeps a value as it
 * is.  They count from the same marks as before (last frame sent or
 * received, current keys), so call proto_tick() right after: a deadline
 * may already have passed.
 */
void		 proto_set_timers(struct proto *, uint32_t keepalive_ms,
		    uint32_t dead_ms, uint32_t rekey_ms, uint64_t rekey_bytes);

const char	*proto_error(const struct proto *);
int		 proto_fault(const struct proto *);
const char	*proto_cipher_name(const struct proto *);
uint64_t	 proto_rekeys(const struct proto *);

/*
 * The length of a hello that starts with this byte, 0 if it is no
 * version this library speaks.  A reader that has nothing yet should
 * read PROTO_HELLO_LEN bytes (no hello is shorter), then complete.
 */
size_t		 proto_hello_len(uint8_t);
/*
 * Server, before any key: a complete hello (exactly its version's
 * length) of a version the params accept, well formed, inside the
 * clock window.  Only the params' version, clock_window and wall clock
 * are used (no PSK).  0 and *info, or -1 and *fault (if not NULL).
 */
int		 proto_hello_peek(const struct proto_params *,
		    const uint8_t *, size_t, struct proto_hello_info *, int *);
/*
 * Server pre-check of a complete hello with the params (PSK) of the one
 * peer its key identifier named (v2) or of the single-key peer (v1),
 * before any memory or Diffie-Hellman is spent: everything
 * proto_hello_peek() checks, then the MAC, the cipher and the replay
 * cache.  Read-only (proto_input records the nonce).  0 if acceptable,
 * else -1 with *fault (if not NULL) set.
 */
int		 proto_hello_check(const struct proto_params *,
		    const uint8_t *, size_t, int *);

/* For tests: X25519 operations done by this process so far. */
uint64_t	 proto_dh_calls(void);
/* For tests: fingerprint of the current sending key, next counter. */
void		 proto_tx_state(const struct proto *, uint8_t [16],
		    uint64_t *);

#endif /* DSVPND_PROTO_H */
