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
 * Datagram handshake cookies; see cookie.h.  Everything is BLAKE2b and
 * XChaCha20-Poly1305 from libsodium.
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "cookie.h"

#define COOKIE_AD_LEN	32

void
cookie_secrets_init(struct cookie_secrets *c, uint64_t now_ms)
{
	memset(c, 0, sizeof(*c));
	randombytes_buf(c->secret[0], sizeof(c->secret[0]));
	c->n = 1;
	c->rotated_ms = now_ms;
}

void
cookie_secrets_tick(struct cookie_secrets *c, uint64_t now_ms)
{
	if (c->n > 0 && now_ms - c->rotated_ms < COOKIE_ROTATE_MS)
		return;
	memcpy(c->secret[1], c->secret[0], sizeof(c->secret[1]));
	randombytes_buf(c->secret[0], sizeof(c->secret[0]));
	c->n = c->n > 0 ? 2 : 1;
	c->rotated_ms = now_ms;
}

void
cookie_secrets_wipe(struct cookie_secrets *c)
{
	sodium_memzero(c, sizeof(*c));
}

void
cookie_make(uint8_t cookie[COOKIE_LEN],
    const uint8_t secret[COOKIE_SECRET_LEN], const void *src, size_t srclen)
{
	crypto_generichash(cookie, COOKIE_LEN, src, srclen, secret,
	    COOKIE_SECRET_LEN);
}

void
cookie_mac(uint8_t mac[COOKIE_MAC_LEN], const uint8_t cookie[COOKIE_LEN],
    const uint8_t *m, size_t len)
{
	crypto_generichash(mac, COOKIE_MAC_LEN, m, len, cookie, COOKIE_LEN);
}

int
cookie_check(const struct cookie_secrets *c, const void *src, size_t srclen,
    const uint8_t *m, size_t len, const uint8_t mac[COOKIE_MAC_LEN])
{
	uint8_t	 cookie[COOKIE_LEN], want[COOKIE_MAC_LEN];
	int	 i, ok = 0;

	for (i = 0; i < c->n && i < 2 && !ok; i++) {
		cookie_make(cookie, c->secret[i], src, srclen);
		cookie_mac(want, cookie, m, len);
		ok = sodium_memcmp(want, mac, COOKIE_MAC_LEN) == 0;
	}
	sodium_memzero(cookie, sizeof(cookie));
	return (ok);
}

void
cookie_seal(uint8_t out[COOKIE_SEALED_LEN], const uint8_t key[32],
    const uint8_t cookie[COOKIE_LEN], const uint8_t ad[COOKIE_AD_LEN],
    const uint8_t nonce[COOKIE_NONCE_LEN])
{
	memcpy(out, nonce, COOKIE_NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + COOKIE_NONCE_LEN,
	    NULL, cookie, COOKIE_LEN, ad, COOKIE_AD_LEN, NULL, nonce, key);
}

int
cookie_open(uint8_t cookie[COOKIE_LEN], const uint8_t key[32],
    const uint8_t in[COOKIE_SEALED_LEN], const uint8_t ad[COOKIE_AD_LEN])
{
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(cookie, NULL, NULL,
	    in + COOKIE_NONCE_LEN, COOKIE_LEN + 16, ad, COOKIE_AD_LEN, in,
	    key) != 0)
		return (-1);
	return (0);
}
