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
 * The Internet checksum (RFC 1071) for the data path's hot loops.  The
 * ones' complement sum does not care about byte order: words are added
 * as the host loads them, 32 bits at a time, and the folded result is
 * stored the same way, so no byte is swapped per word.
 */
#ifndef DSVPND_CSUM_H
#define DSVPND_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at p to acc; len is even but for a sum's last piece. */
uint64_t	 csum_add(const uint8_t *p, size_t len, uint64_t acc);
/* The folded sum, in the host's order (0xffff: a packet that checks). */
uint16_t	 csum_fold(uint64_t acc);
/* Stores the complement of the folded sum at p (a checksum field). */
void		 csum_put(uint8_t *p, uint64_t acc);
/* The TCP pseudo-header of the IP packet ip (version 4 or 6), for a
 * TCP length of tlen bytes (at most 65535), not folded. */
uint64_t	 csum_tcp_pseudo(const uint8_t *ip, int ver, size_t tlen);

#endif
