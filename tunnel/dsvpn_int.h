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
 * Internals shared by tunnel/dsvpn*.c; only they and the fuzzer include
 * this.
 */
#ifndef DSVPND_DSVPN_INT_H
#define DSVPND_DSVPN_INT_H

#include "charm.h"
#include "dsvpn.h"

#define DSVPN_RAND_LEN		32	/* Rc, Rs */
#define DSVPN_TS_OFF		32	/* T in the hello */
#define DSVPN_AUTH_LEN		32	/* A1, A2 */

enum dsvpn_state {
	DS_NEW,			/* client: dsvpn_start not called yet */
	DS_HELLO_SENT,		/* client: waiting for the reply */
	DS_WAIT_HELLO,		/* server: waiting for the hello */
	DS_WAIT_CONFIRM,	/* server: replied, no frame verified yet */
	DS_UP,
	DS_CLOSED,		/* dsvpn_close() */
	DS_DEAD			/* fatal error; keys wiped */
};

struct dsvpn {
	struct dsvpn_params	 par;	/* defaults resolved, psk wiped */
	struct charm		 kx;	/* S, until the session key */
	struct charm		 tx, rx;
	enum dsvpn_state	 state;
	int			 fault;
	const char		*err;
	int			 clocked;	/* start_ms is set */
	uint64_t		 start_ms;
	uint64_t		 replied_ms;	/* server */
	size_t			 need;
	size_t			 outlen;
	uint8_t			 out[DSVPN_HELLO_LEN];
};

/* dsvpn.c */
int	 dsvpn_fail(struct dsvpn *, int, const char *);
void	 dsvpn_resolve(struct dsvpn_params *, const struct dsvpn_params *);

/* dsvpn_hs.c */
void	 dshs_kx_init(struct charm *, const uint8_t [DSVPN_KEY_LEN]);
void	 dshs_hello_make(struct dsvpn *);
int	 dshs_hello_verify(const struct dsvpn_params *, struct charm *,
	    const uint8_t *, int *, const char **);
int	 dshs_hello_input(struct dsvpn *, const uint8_t *);
int	 dshs_reply_input(struct dsvpn *, const uint8_t *);

/* dsvpn_replay.c */
int	 dsvpn_replay_seen(const struct dsvpn_replay *, const uint8_t *,
	    uint64_t);
void	 dsvpn_replay_add(struct dsvpn_replay *, const uint8_t *, uint64_t,
	    uint64_t, uint32_t);

#endif /* DSVPND_DSVPN_INT_H */
