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
 * Data and control frames: one AEAD call over the payload, with the
 * 4-byte header (type, length) as associated data, and the header on the
 * wire XORed with 4 bytes of ChaCha20 keystream so that an observer
 * cannot read frame boundaries.  The counter is the nonce of both.
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "proto_int.h"

static void
frame_nonce(uint8_t n[12], uint64_t ctr)
{
	int	 i;

	/* 64-bit counter, little-endian, then four zero bytes. */
	for (i = 0; i < 8; i++)
		n[i] = (uint8_t)(ctr >> (8 * i));
	memset(n + 8, 0, 4);
}

static void
frame_mask(const struct proto_key *k, uint8_t mask[PROTO_HDR_LEN])
{
	uint8_t	 n[12];

	frame_nonce(n, k->ctr);
	crypto_stream_chacha20_ietf(mask, PROTO_HDR_LEN, n, k->hdr);
}

void
frame_key_set(struct proto_key *k, int cipher, const uint8_t *aead,
    const uint8_t *hdr)
{
	memcpy(k->aead, aead, sizeof(k->aead));
	memcpy(k->hdr, hdr, sizeof(k->hdr));
	k->ctr = 0;
	/* Expand the AES key once per key, not once per frame. */
	if (cipher == CIPHER_AES)
		crypto_aead_aes256gcm_beforenm(&k->aes, aead);
}

void
frame_key_wipe(struct proto_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

void
frame_key_move(struct proto_key *dst, struct proto_key *src)
{
	memcpy(dst, src, sizeof(*dst));
	frame_key_wipe(src);
}

/*
 * Seal in place: the payload is at f + PROTO_HDR_LEN, len bytes; the tag
 * goes right after it.  Fails only when the counter is exhausted.
 */
int
frame_seal(struct proto_key *k, int cipher, uint8_t type, uint8_t *f,
    size_t len)
{
	uint8_t	 hdr[PROTO_HDR_LEN], mask[PROTO_HDR_LEN], n[12];
	uint8_t	*m = f + PROTO_HDR_LEN;
	int	 i;

	if (k->ctr == UINT64_MAX || len > PROTO_MAX_PAYLOAD)
		return (-1);
	hdr[0] = type;
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
	frame_nonce(n, k->ctr);
	if (cipher == CIPHER_AES)
		crypto_aead_aes256gcm_encrypt_detached_afternm(m, m + len,
		    NULL, m, len, hdr, sizeof(hdr), NULL, n, &k->aes);
	else
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(m,
		    m + len, NULL, m, len, hdr, sizeof(hdr), NULL, n, k->aead);
	frame_mask(k, mask);
	for (i = 0; i < PROTO_HDR_LEN; i++)
		f[i] = hdr[i] ^ mask[i];
	k->ctr++;
	return (0);
}

/* Unmask the header of the next frame without consuming anything. */
void
frame_peek(const struct proto_key *k, const uint8_t *f,
    uint8_t hdr[PROTO_HDR_LEN])
{
	uint8_t	 mask[PROTO_HDR_LEN];
	int	 i;

	frame_mask(k, mask);
	for (i = 0; i < PROTO_HDR_LEN; i++)
		hdr[i] = f[i] ^ mask[i];
}

/*
 * Verify and decrypt a whole frame in place.  On failure libsodium
 * leaves no plaintext behind, and the counter does not move (the
 * session is over anyway).
 */
int
frame_open(struct proto_key *k, int cipher, const uint8_t hdr[PROTO_HDR_LEN],
    uint8_t *f, size_t len)
{
	uint8_t	 n[12];
	uint8_t	*c = f + PROTO_HDR_LEN;
	int	 rc;

	if (k->ctr == UINT64_MAX)
		return (-1);
	frame_nonce(n, k->ctr);
	if (cipher == CIPHER_AES)
		rc = crypto_aead_aes256gcm_decrypt_detached_afternm(c, NULL,
		    c, len, c + len, hdr, PROTO_HDR_LEN, n, &k->aes);
	else
		rc = crypto_aead_chacha20poly1305_ietf_decrypt_detached(c,
		    NULL, c, len, c + len, hdr, PROTO_HDR_LEN, n, k->aead);
	if (rc != 0)
		return (-1);
	k->ctr++;
	return (0);
}
