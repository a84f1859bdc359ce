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
 * Key identifiers of protocol version 2: epoch ids and tickets.  See
 * keyid.h for their use and doc/PROTOCOL.md section 3 for the bytes.
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "keyid.h"

#define KDF_CTX_HELLO2		"dsvpnd2h"	/* as in handshake.c */
#define KDF_ID_KEYID		2		/* 1 is the hello MAC key */
#define EPOCH_LABEL		"dsvpnd v2 epoch id"
#define TICKET_AD		"dsvpnd v2 ticket"
#define TICKET_MSG_LEN		4
/* nonce || sealed peer id || tag */
#define TICKET_C		KEYID_TICKET_NONCE_LEN
#define TICKET_TAG		(TICKET_C + TICKET_MSG_LEN)

uint64_t
keyid_hour(uint64_t unix_secs)
{
	return (unix_secs / KEYID_EPOCH_SECS);
}

void
keyid_epoch(uint8_t id[KEYID_LEN], const uint8_t psk[32], uint64_t hour)
{
	crypto_generichash_state st;
	uint8_t		 k[32], h[8];
	int		 i;

	crypto_kdf_derive_from_key(k, sizeof(k), KDF_ID_KEYID,
	    KDF_CTX_HELLO2, psk);
	for (i = 7; i >= 0; i--, hour >>= 8)
		h[i] = (uint8_t)hour;
	crypto_generichash_init(&st, k, sizeof(k), KEYID_LEN);
	crypto_generichash_update(&st, (const uint8_t *)EPOCH_LABEL,
	    sizeof(EPOCH_LABEL) - 1);
	crypto_generichash_update(&st, h, sizeof(h));
	crypto_generichash_final(&st, id, KEYID_LEN);
	sodium_memzero(k, sizeof(k));
	sodium_memzero(&st, sizeof(st));
}

void
keyid_hours(uint64_t now, uint32_t window, uint64_t *first, uint64_t *last)
{
	*first = keyid_hour(now > window ? now - window : 0);
	*last = keyid_hour(now + window);
}

void
keyid_ticket_seal(uint8_t t[KEYID_LEN],
    const uint8_t key[KEYID_TICKET_KEY_LEN], uint32_t peer_id,
    const uint8_t nonce[KEYID_TICKET_NONCE_LEN])
{
	uint8_t	 m[TICKET_MSG_LEN];

	m[0] = (uint8_t)(peer_id >> 24);
	m[1] = (uint8_t)(peer_id >> 16);
	m[2] = (uint8_t)(peer_id >> 8);
	m[3] = (uint8_t)peer_id;
	memcpy(t, nonce, KEYID_TICKET_NONCE_LEN);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(t + TICKET_C,
	    t + TICKET_TAG, NULL, m, sizeof(m), (const uint8_t *)TICKET_AD,
	    sizeof(TICKET_AD) - 1, NULL, t, key);
}

int
keyid_ticket_open(const uint8_t t[KEYID_LEN],
    const uint8_t key[KEYID_TICKET_KEY_LEN], uint32_t *peer_id)
{
	uint8_t	 m[TICKET_MSG_LEN];

	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(m, NULL,
	    t + TICKET_C, TICKET_MSG_LEN, t + TICKET_TAG,
	    (const uint8_t *)TICKET_AD, sizeof(TICKET_AD) - 1, t, key) != 0)
		return (-1);
	*peer_id = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
	    (uint32_t)m[2] << 8 | m[3];
	return (0);
}

void
keyid_tickets_rotate(struct keyid_tickets *tk)
{
	if (tk->nkeys > 0) {
		memcpy(tk->key[1], tk->key[0], sizeof(tk->key[1]));
		tk->nkeys = 2;
	} else
		tk->nkeys = 1;
	randombytes_buf(tk->key[0], sizeof(tk->key[0]));
}

void
keyid_tickets_wipe(struct keyid_tickets *tk)
{
	sodium_memzero(tk, sizeof(*tk));
}

int
keyid_tickets_make(const struct keyid_tickets *tk, uint32_t peer_id,
    uint8_t t[KEYID_LEN])
{
	uint8_t	 nonce[KEYID_TICKET_NONCE_LEN];

	if (tk->nkeys < 1)
		return (-1);
	/*
	 * Random nonces: a key makes a few tickets per client per hour,
	 * far below where 96-bit nonces could repeat.
	 */
	randombytes_buf(nonce, sizeof(nonce));
	keyid_ticket_seal(t, tk->key[0], peer_id, nonce);
	return (0);
}

int
keyid_tickets_open(const struct keyid_tickets *tk, const uint8_t t[KEYID_LEN],
    uint32_t *peer_id)
{
	int	 i;

	for (i = 0; i < tk->nkeys && i < 2; i++)
		if (keyid_ticket_open(t, tk->key[i], peer_id) == 0)
			return (0);
	return (-1);
}
