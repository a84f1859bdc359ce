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
 * What the protocol's unit tests share: a deterministic rng and wall
 * clock, in-memory pipes, a client and a server talking through them,
 * and the known-answer file helpers.
 */
#ifndef DSVPND_REGRESS_PROTO_HARNESS_H
#define DSVPND_REGRESS_PROTO_HARNESS_H

#include <stdio.h>

#include "proto.h"

#define WALL0		1700000000ULL	/* fake unix time of the tests */
#define WIRE_MAX	(4 * 1024 * 1024)	/* in flight, then read */

struct seam {
	uint8_t		 seed[32];
	uint64_t	 calls;
	uint64_t	 wall;
};

/* One direction of the fake transport: bytes in flight, then received. */
struct pipe {
	uint8_t		*buf;
	size_t		 len, cap;
};

struct pair {
	struct proto		*c, *s;
	struct proto_replay	*replay;
	struct seam		 seam;
	struct pipe		 c2s, s2c;	/* bytes not yet parsed */
	uint64_t		 now;
};

/* A known-answer run: the pair and everything each side wrote. */
struct kat {
	struct pair	 pr;
	struct pipe	 rec_c2s, rec_s2c;
};

/* Counts over the whole run; aes_ok: this machine has AES-GCM. */
extern int	 failures;
extern int	 cases;
extern int	 aes_ok;
/* The version params() gives both sides (the server accepts only it). */
extern int	 test_version;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("    FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++;						\
		return (-1);						\
	}								\
} while (0)

void	 seam_rng(void *, uint8_t *, size_t);
uint64_t seam_wall(void *);
void	 seam_init(struct seam *, uint8_t);
void	 params(struct proto_params *, enum proto_role, enum proto_cipher,
	    struct seam *, struct proto_replay *);
void	 pipe_put(struct pipe *, const uint8_t *, size_t);
void	 drain(struct proto *, struct pipe *);
int	 pair_init(struct pair *);
int	 pair_open(struct pair *, const struct proto_params *,
	    const struct proto_params *);
int	 pair_new(struct pair *, enum proto_cipher, enum proto_cipher,
	    const struct proto_params *);
void	 pair_free(struct pair *);
int	 deliver(struct proto *, struct pipe *, uint64_t, struct pipe *,
	    int *, int *);
int	 pair_up(struct pair *);
int	 send_data(struct proto *, struct pipe *, size_t, uint8_t, uint64_t);
const char *cipher_str(enum proto_cipher);
void	 hexline(FILE *, const char *, const struct pipe *);
FILE	*kat_open(const char *);
int	 kat_compare(FILE *, const char *, const struct pipe *);
void	 run(const char *, int (*)(void));
int	 kat_flush(struct kat *);
int	 kat_send(struct kat *, int, const char *);
void	 kat_free(struct kat *);

#endif /* DSVPND_REGRESS_PROTO_HARNESS_H */
