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
 * The DSVPN tests' tools: a captured session of ../shared/vectors/dsvpn
 * loaded into memory, the seams that replay its randoms and clock, and
 * a receiver that feeds a byte stream to a struct dsvpn as a transport
 * would (in one piece or in small random ones) and records what it
 * yields.
 */
#ifndef DSVPND_REGRESS_SESSION_H
#define DSVPND_REGRESS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "dsvpn.h"

enum { C2S, S2C };

struct pkt {
	uint8_t		*b;
	size_t		 len;
};

/* One line of frames.txt. */
struct vframe {
	int		 dir;
	size_t		 idx, off, len;
	uint8_t		 tag6[6], tag16[16];
};

struct vsession {
	char		 name[16];
	uint8_t		 key[32];
	struct pkt	 stream[2];	/* c2s.bin, s2c.bin */
	struct pkt	*tun[2];	/* tun-client-out, tun-server-out */
	size_t		 ntun[2];
	struct vframe	*fr;
	size_t		 nfr;
	uint8_t		 rc[32], rs[32];
	uint64_t	 ts;
	uint8_t		 session_key[32];
	uint32_t	 kx_init[12], c2s_init[12], s2c_init[12];
};

int	 vsession_load(struct vsession *, const char *);
void	 vsession_free(struct vsession *);

/* Randoms handed out once each, then a fixed wall clock. */
struct vseam {
	const uint8_t	*rand;		/* 32 bytes, or NULL */
	int		 rand_calls;
	int		 bad_calls;	/* other lengths, or a second call */
	uint64_t	 wall;
};

void	 vseam_rng(void *, uint8_t *, size_t);
uint64_t vseam_wall(void *);
void	 vparams(struct dsvpn_params *, enum proto_role, const uint8_t *,
	    struct vseam *, struct dsvpn_replay *);

/* What one run of the receiver got. */
struct got {
	int		 type;		/* PROTO_EV_* */
	size_t		 off, len;	/* frame offset in the stream */
	uint8_t		*data;		/* copy */
};

struct recv {
	struct got	*ev;
	size_t		 nev;
	size_t		 consumed;
	ssize_t		 last;		/* last dsvpn_input() result */
	int		 fault;
	int		 bad_pointer;	/* data outside the unit */
};

/* chunk 0: the whole stream at once; else pieces of 1..chunk bytes. */
void	 recv_run(struct recv *, struct dsvpn *, const uint8_t *, size_t,
	    size_t, uint32_t);
void	 recv_free(struct recv *);

#endif /* DSVPND_REGRESS_SESSION_H */
