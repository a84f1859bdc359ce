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
 * Token buckets for handshakes, for the caller of dgram_hello_check()
 * (doc/PROTOCOL.md section 14.3): one table per policy, fixed in size.
 *
 *  - per source: a table of many slots; a source (the caller's bytes
 *    for an address) may send `rate' hellos a second after a burst of
 *    `burst'; beyond that its hellos are dropped before any MAC.
 *  - globally: a table of one slot, every hello its key; when it runs
 *    dry the server is "under load" and asks for cookies.
 *
 * Sources map to slots by SipHash under a random key, so nobody can aim
 * at another's slot; two sources that share a slot share its bucket (a
 * slot that has refilled to full is taken over by a newcomer).  Nothing
 * is allocated after ratelimit_new(); a check is one hash and a few
 * additions.
 */
#ifndef DSVPND_RATELIMIT_H
#define DSVPND_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct ratelimit;

/* slots is rounded up to a power of two; rate a second and burst >= 1. */
struct ratelimit	*ratelimit_new(size_t, uint32_t, uint32_t);
/* The same with the caller's hash key (tests). */
struct ratelimit	*ratelimit_new_keyed(size_t, uint32_t, uint32_t,
			    const uint8_t [16]);
void			 ratelimit_free(struct ratelimit *);
/* 1 and one token taken if key may go on at now_ms, else 0. */
int			 ratelimit_allow(struct ratelimit *, const void *,
			    size_t, uint64_t);

#endif /* DSVPND_RATELIMIT_H */
