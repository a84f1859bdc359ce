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
 * Data datagrams: a clear 16-byte header (type, key phase, receiver
 * index, counter) that is the AEAD's associated data, then the inner
 * type and the body encrypted in place with the counter as the nonce,
 * then the tag.  Opening checks the cheap things first (shape, index,
 * a key for the phase, the replay window) and records the counter only
 * once the tag verified, so a forged datagram moves nothing.
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "dgram_int.h"

static void
dg_nonce(uint8_t n[12], uint64_t ctr)
{
	int	 i;

	for (i = 0; i < 8; i++)
		n[i] = (uint8_t)(ctr >> (8 * i));
	memset(n + 8, 0, 4);
}

static void
put32le(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v, b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16), b[3] = (uint8_t)(v >> 24);
}

static uint32_t
get32le(const uint8_t *b)
{
	return ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24);
}

void
dkey_tx_set(struct dkey_tx *k, int cipher, const uint8_t *aead, int phase)
{
	sodium_memzero(k, sizeof(*k));
	memcpy(k->aead, aead, sizeof(k->aead));
	if (cipher == CIPHER_AES)
		crypto_aead_aes256gcm_beforenm(&k->aes, aead);
	k->phase = phase;
	k->valid = 1;
}

void
dkey_rx_set(struct dkey_rx *k, int cipher, const uint8_t *aead, int phase)
{
	sodium_memzero(k, sizeof(*k));
	memcpy(k->aead, aead, sizeof(k->aead));
	if (cipher == CIPHER_AES)
		crypto_aead_aes256gcm_beforenm(&k->aes, aead);
	replaywin_init(&k->win);
	k->phase = phase;
	k->valid = 1;
}

/*
 * Seal in place: len body bytes at d + DGRAM_HDR_LEN; the header goes
 * before, the tag after.  The datagram's length, or 0 (no key, or the
 * counter is exhausted).
 */
size_t
dgram_frame_seal(struct dgram *p, uint8_t type, uint8_t *d, size_t len)
{
	struct dkey_tx	*k = &p->tx;
	uint8_t		 n[12];
	uint8_t		*m = d + DH_CLEAR;
	size_t		 mlen = 1 + len;
	int		 i;

	if (!k->valid || k->ctr == UINT64_MAX)
		return (0);
	d[0] = DGRAM_T_DATA;
	d[DH_FLAGS] = (uint8_t)k->phase;
	d[2] = d[3] = 0;
	put32le(d + DH_INDEX, p->remote_index);
	for (i = 0; i < 8; i++)
		d[DH_CTR + i] = (uint8_t)(k->ctr >> (8 * i));
	m[0] = type;
	dg_nonce(n, k->ctr);
	if (p->cipher == CIPHER_AES)
		crypto_aead_aes256gcm_encrypt_detached_afternm(m, m + mlen,
		    NULL, m, mlen, d, DH_CLEAR, NULL, n, &k->aes);
	else
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(m,
		    m + mlen, NULL, m, mlen, d, DH_CLEAR, NULL, n, k->aead);
	k->ctr++;
	return (DGRAM_OVERHEAD + len);
}

/* The receive key for a phase: the current one, or the other if set. */
static int
dg_slot(const struct dgram *p, int phase)
{
	const struct dkey_rx	*o = &p->rx[!p->cur];

	if (p->rx[p->cur].valid && p->rx[p->cur].phase == phase)
		return (p->cur);
	if (p->other != RX_NONE && o->valid && o->phase == phase)
		return (!p->cur);
	return (-1);
}

/*
 * Verify and decrypt a data datagram in place: the inner type at
 * d[DH_CLEAR], the body after it.  0 and the slot of the key that
 * opened it; or -1, the drop counted.
 */
int
dgram_frame_open(struct dgram *p, uint8_t *d, size_t len, int *slot,
    int *newest)
{
	enum replaywin_verdict	 v;
	struct dkey_rx		*k;
	uint8_t			 n[12];
	uint8_t			*c = d + DH_CLEAR;
	uint64_t		 ctr = 0;
	size_t			 clen;
	int			 s, i, rc;

	if (len < DGRAM_OVERHEAD || d[0] != DGRAM_T_DATA ||
	    (d[DH_FLAGS] & ~DH_PHASE) != 0 || d[2] != 0 || d[3] != 0) {
		dgram_drop(p, DGRAM_DROP_MALFORMED);
		return (-1);
	}
	if (get32le(d + DH_INDEX) != p->local_index) {
		dgram_drop(p, DGRAM_DROP_INDEX);
		return (-1);
	}
	if ((s = dg_slot(p, d[DH_FLAGS] & DH_PHASE)) == -1) {
		dgram_drop(p, DGRAM_DROP_KEY);
		return (-1);
	}
	k = &p->rx[s];
	for (i = 0; i < 8; i++)
		ctr |= (uint64_t)d[DH_CTR + i] << (8 * i);
	v = replaywin_check(&k->win, ctr);
	if (v == REPLAYWIN_DUPLICATE || v == REPLAYWIN_TOO_OLD) {
		dgram_drop(p, DGRAM_DROP_REPLAY);
		return (-1);
	}
	clen = len - DH_CLEAR - DGRAM_TAG_LEN;
	dg_nonce(n, ctr);
	if (p->cipher == CIPHER_AES)
		rc = crypto_aead_aes256gcm_decrypt_detached_afternm(c, NULL, c,
		    clen, c + clen, d, DH_CLEAR, n, &k->aes);
	else
		rc = crypto_aead_chacha20poly1305_ietf_decrypt_detached(c,
		    NULL, c, clen, c + clen, d, DH_CLEAR, n, k->aead);
	if (rc != 0) {
		dgram_drop(p, DGRAM_DROP_AUTH);
		return (-1);
	}
	replaywin_record(&k->win, ctr);
	*slot = s;
	/* The old key's stragglers are never the newest. */
	*newest = v == REPLAYWIN_NEWEST &&
	    (s == p->cur || p->other == RX_NEXT);
	return (0);
}
