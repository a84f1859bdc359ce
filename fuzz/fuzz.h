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
 * What the protocol fuzzer's files share (fuzz_proto.c, fuzz_dgram.c):
 * the deterministic rng and clock, the parameters of every session, and
 * the datagram modes' entry points.
 */
#ifndef DSVPND_FUZZ_H
#define DSVPND_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define FUZZ_WALL	1700000000ULL

extern uint64_t	 fuzz_calls;

void	 fuzz_rng(void *, uint8_t *, size_t);
uint64_t fuzz_wall(void *);
void	 fuzz_params(struct proto_params *, enum proto_role,
	    struct proto_replay *, int);
void	 fuzz_push(const uint8_t *, size_t);

/* fuzz_dgram.c: mode 0-3 of the datagram modes, then the seeds. */
void	 fuzz_dgram(int, const uint8_t *, size_t);
void	 fuzz_dgram_seeds(const char *,
	    void (*)(const char *, const char *, uint8_t, const uint8_t *,
	    size_t));

#endif /* DSVPND_FUZZ_H */
