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
 * Internals shared by proto.c, handshake.c, frame.c, rekey.c and
 * replay.c; nothing outside tunnel/proto*.c and the fuzzer includes it.
 */
#ifndef DSVPND_PROTO_INT_H
#define DSVPND_PROTO_INT_H

#include <sodium.h>

#include "proto.h"

/* Handshake message types (byte 1 of the hello and the reply). */
#define HS_HELLO		1
#define HS_REPLY		2

/* Cipher identifiers on the wire; the offer is a bit mask of them. */
#define CIPHER_AES		1
#define CIPHER_CHACHA		2

/* Frame types (byte 0 of the plaintext header). */
#define FRAME_DATA		1
#define FRAME_KEEPALIVE		2
#define FRAME_REKEY		3
#define FRAME_CLOSE		4
#define FRAME_PUSH		5	/* v2, server to client */
#define FRAME_TICKET		6	/* v2, server to client */

/* First payload byte of a rekey frame. */
#define REKEY_INIT		1
#define REKEY_REPLY		2
#define REKEY_DONE		3
#define REKEY_KEY_LEN		(1 + crypto_scalarmult_BYTES)

/*
 * Control output: the inline buffer holds the usual control frames many
 * times over; a PUSH moves the output into a heap buffer of
 * PROTO_OUT_MAX until it is drained.  Beyond that, output was not
 * drained and the session ends.
 */
#define PROTO_OUT_SMALL		512
#define PROTO_OUT_MAX		(PROTO_PUSH_MAX + PROTO_OVERHEAD + \
				    PROTO_OUT_SMALL)

/* What differs between the versions: lengths and every label. */
struct hs_suite {
	int		 version;
	size_t		 hello_len;
	size_t		 mac_off;	/* the MAC covers bytes before it */
	const char	*kdf_hello;	/* context of the hello MAC key */
	const char	*kdf_keys;	/* context of the session keys */
	const char	*transcript;	/* label of the transcript hash */
	const char	*prk;		/* label of the handshake PRK */
	const char	*rekey_prk;	/* label of a rekey's PRK */
	const char	*rekey_ctx;	/* label of a rekey's context */
};

enum proto_state {
	ST_NEW,			/* proto_start not called yet */
	ST_HELLO_SENT,		/* client: waiting for the reply */
	ST_WAIT_HELLO,		/* server: waiting for the hello */
	ST_WAIT_CONFIRM,	/* server: awaiting the client's first frame */
	ST_UP,
	ST_CLOSED,		/* peer closed, or we closed before up */
	ST_DEAD			/* fatal error; keys wiped */
};

enum rekey_state { RK_NONE, RK_SENT, RK_WAIT_DONE };

/* One direction's key; counters are the AEAD nonces. */
struct proto_key {
	crypto_aead_aes256gcm_state	 aes;	/* AES-GCM precomputation */
	uint8_t				 aead[32];
	uint8_t				 hdr[32];	/* header mask key */
	uint64_t			 ctr;	/* next frame's counter */
};

/* Everything one key derivation yields. */
struct proto_keys {
	uint8_t	 c2s[32], s2c[32];	/* AEAD keys */
	uint8_t	 hc2s[32], hs2c[32];	/* header mask keys */
	uint8_t	 confirm[32];		/* server's key confirmation */
	uint8_t	 chain[32];		/* input of the next rekey */
};

struct proto {
	struct proto_key	 tx;
	struct proto_key	 rx;
	struct proto_key	 rx_next;	/* responder, until DONE */
	struct proto_params	 par;		/* defaults resolved */
	enum proto_state	 state;
	enum rekey_state	 rk;
	int			 cipher;	/* CIPHER_* once chosen */
	int			 closing;	/* we queued a close */
	int			 clocked;	/* start_ms is set */
	int			 fault;
	const char		*err;
	uint64_t		 start_ms;
	uint64_t		 last_rx, last_tx;
	uint64_t		 keys_ms;	/* current keys since */
	uint64_t		 rk_ms;		/* rekey exchange since */
	uint64_t		 tx_bytes;	/* sent with current key */
	uint64_t		 rekeys;
	size_t			 need;
	const struct hs_suite	*suite;		/* NULL: server before hello */
	uint8_t			 esk[32], epk[32];	/* our ephemeral */
	uint8_t			 chain[32];
	uint8_t			 hello[PROTO_HELLO_MAX];
	size_t			 outlen, outcap;
	uint8_t			*outbig;	/* NULL: out is in use */
	uint8_t			 out[PROTO_OUT_SMALL];
};

/* Where control output is queued now. */
#define PROTO_OUT(p)	((p)->outbig != NULL ? (p)->outbig : (p)->out)

/* proto.c */
int	 proto_fail(struct proto *, int, const char *);
void	 proto_rng(const struct proto_params *, uint8_t *, size_t);
uint64_t proto_wallclock(const struct proto_params *);
void	 proto_resolve(struct proto_params *, const struct proto_params *);
int	 proto_queue(struct proto *, uint8_t, const uint8_t *, size_t,
	    uint64_t);
void	 proto_out_reset(struct proto *);
int	 proto_keypair(struct proto *);
int	 proto_keypair_make(const struct proto_params *, uint8_t [32],
	    uint8_t [32]);
int	 proto_dh(uint8_t [32], const uint8_t [32], const uint8_t [32]);

/* frame.c */
void	 frame_key_set(struct proto_key *, int, const uint8_t *,
	    const uint8_t *);
void	 frame_key_move(struct proto_key *, struct proto_key *);
void	 frame_key_wipe(struct proto_key *);
int	 frame_seal(struct proto_key *, int, uint8_t, uint8_t *, size_t);
void	 frame_peek(const struct proto_key *, const uint8_t *, uint8_t [4]);
int	 frame_open(struct proto_key *, int, const uint8_t [4], uint8_t *,
	    size_t);

/* handshake.c */
const struct hs_suite *hs_suite(int);
int	 hs_accepts(const struct proto_params *, int);
void	 hs_hello_key(uint8_t [32], const uint8_t [PROTO_KEY_LEN],
	    const struct hs_suite *);
int	 hs_hello_make(struct proto *);
int	 hs_hello_shape(const struct proto_params *, const uint8_t *, size_t,
	    const struct hs_suite **, int *, const char **);
int	 hs_hello_verify(const struct proto_params *, const uint8_t *, size_t,
	    int, int *, const char **);
int	 hs_hello_input(struct proto *, const uint8_t *);
int	 hs_reply_input(struct proto *, const uint8_t *);
int	 hs_cipher_pick(const struct proto_params *, uint8_t);
uint8_t	 hs_cipher_offer(const struct proto_params *);
void	 hs_derive(const struct hs_suite *, const uint8_t [32], const char *,
	    const uint8_t [32], const uint8_t [32], const uint8_t [32],
	    const uint8_t [32], struct proto_keys *);
void	 hs_install(struct proto *, const struct proto_keys *, int);

/* rekey.c */
int	 rekey_start(struct proto *, uint64_t);
int	 rekey_input(struct proto *, const uint8_t *, size_t, uint64_t);

/* replay.c */
int	 replay_seen(const struct proto_replay *, const uint8_t [16],
	    uint64_t);
void	 replay_add(struct proto_replay *, const uint8_t [16], uint64_t);

/* Which keys hs_install() takes from a derivation. */
#define INSTALL_TX		0x1
#define INSTALL_RX		0x2
#define INSTALL_RX_NEXT		0x4

#endif /* DSVPND_PROTO_INT_H */
