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
 * The tunnel's wire protocol as a pure state machine: no I/O, no timers
 * of its own, no allocation after proto_new().  The caller feeds it the
 * bytes read from the transport and the current monotonic time, and
 * writes out what it produces.  doc/PROTOCOL.md describes the bytes.
 *
 * Output ordering rule: every frame carries an implicit counter taken
 * when it is produced, so bytes must reach the transport in the order
 * the calls produced them.  The simple way: append proto_pending() to
 * the transport queue right BEFORE every proto_seal() and after every
 * proto_input(), proto_tick() and proto_close().
 */
#ifndef DSVPND_PROTO_H
#define DSVPND_PROTO_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION		1
#define PROTO_KEY_LEN		32
#define PROTO_HDR_LEN		4	/* masked type + 24-bit length */
#define PROTO_TAG_LEN		16
#define PROTO_OVERHEAD		(PROTO_HDR_LEN + PROTO_TAG_LEN)
#define PROTO_MAX_PAYLOAD	65600	/* hard bound of params.max_payload */
#define PROTO_HELLO_LEN		92	/* client's first message */
#define PROTO_REPLY_LEN		68	/* server's answer */

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

enum proto_ev { PROTO_EV_NONE, PROTO_EV_UP, PROTO_EV_DATA, PROTO_EV_CLOSED };

struct proto_event {
	enum proto_ev	 type;
	uint8_t		*data;	/* DATA: points into the caller's buffer */
	size_t		 len;
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
 * Server pre-check of exactly PROTO_HELLO_LEN bytes, before any memory
 * or Diffie-Hellman is spent: version, clock window, MAC, replay cache
 * lookup.  Read-only (proto_input records the nonce).  0 if acceptable,
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
