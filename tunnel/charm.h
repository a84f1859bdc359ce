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
 * Charm: the Xoodoo[12] keyed duplex that DSVPN 0.1.5 uses for its
 * handshake and its frames (doc/PROTOCOL-DSVPN.md).  The one primitive
 * this tree implements itself, because no library it may depend on has
 * Xoodoo; everything else is libsodium.  Portable C, no secret-dependent
 * branch or index.
 *
 * A state is 48 bytes held as 12 little-endian 32-bit words; the rate is
 * its first 16 bytes.  Every call continues from where the last one
 * left the state, so the order of calls is part of the protocol.
 */
#ifndef DSVPND_CHARM_H
#define DSVPND_CHARM_H

#include <stddef.h>
#include <stdint.h>

#define CHARM_KEY_LEN		32
#define CHARM_IV_LEN		16
#define CHARM_HASH_LEN		32
#define CHARM_TAG_LEN		16

struct charm {
	uint32_t	 w[12];
};

/* Xoodoo with 12 rounds, in place. */
void	 xoodoo_permute(uint32_t [12]);

/* A fresh state: the IV, then the key, permuted. */
void	 charm_key(struct charm *, const uint8_t [CHARM_KEY_LEN],
	    const uint8_t [CHARM_IV_LEN]);
/* Absorbs msg and squeezes 32 bytes; the state carries on mutated. */
void	 charm_hash(struct charm *, uint8_t [CHARM_HASH_LEN],
	    const uint8_t *, size_t);
/* Encrypts buf in place and outputs the full 16-byte tag. */
void	 charm_encrypt(struct charm *, uint8_t *, size_t,
	    uint8_t [CHARM_TAG_LEN]);
/*
 * Decrypts buf in place and compares the first taglen (1..16) bytes of
 * the tag in constant time: 0 if they match; else -1 with buf zeroed.
 * The state has absorbed the forgery either way: after a failure it is
 * useless, and the caller must end the stream.
 */
int	 charm_decrypt(struct charm *, uint8_t *, size_t, const uint8_t *,
	    size_t);
void	 charm_wipe(struct charm *);

#endif /* DSVPND_CHARM_H */
