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
 * Xoodoo[12] and the Charm duplex, written from Xoodoo's published
 * description and the construction summarised in
 * ../shared/vectors/dsvpn/README.md (section 4).
 *
 * Speed: one permutation per 16 bytes is all the cost, so the
 * permutation keeps its 12 words in locals for all 12 rounds (memory is
 * touched once on entry and once on exit), computes a round column by
 * column straight into the variables it read, and renames lanes from
 * round to round instead of moving them (four rounds bring every lane
 * home).  The duplex works on whole words of the rate; only a message's
 * last block goes byte by byte.
 * Constant time: lengths are public, and nothing else steers a branch
 * or an index; the tag compare is sodium_memcmp().
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "charm.h"

#define ROTL(x, n)	((uint32_t)((x) << (n) | (x) >> (32 - (n))))

/* Domain bits, XORed into the state's last byte at a final block. */
#define DOM_FINAL	0x01
#define DOM_FULL	0x02	/* the final block is 16 bytes: no 0x80 */
#define DOM_CRYPT	0x04	/* encrypt/decrypt, never hash */

#define RATE		16

/* The last twelve of Xoodoo's round constants. */
static const uint32_t xoodoo_rc[12] = {
	0x058, 0x038, 0x3c0, 0x0d0, 0x120, 0x014,
	0x060, 0x02c, 0x380, 0x0f0, 0x1a0, 0x012
};

/* theta's effect on a column: E[x] from the parity of column x-1. */
#define THETA_E(p)	(ROTL(p, 5) ^ ROTL(p, 14))

/*
 * One column x of a round after theta's parities: rho-west brings plane
 * 1's lane x-1 here and rotates plane 2 by 11, chi mixes the column,
 * rho-east rotates plane 1 by 1 and sends plane 2 two lanes on.  The
 * results go back into the variables the column read, so no value is
 * moved: the caller renames the lanes instead (see ROUND).
 */
#define COLUMN(a, bw, c, ex, ew, rc) do {				\
	uint32_t A_ = (a) ^ (ex) ^ (rc), B_ = (bw) ^ (ew);		\
	uint32_t C_ = ROTL((c) ^ (ex), 11);				\
	(a) = A_ ^ (~B_ & C_);						\
	(bw) = ROTL(B_ ^ (~C_ & A_), 1);				\
	(c) = ROTL(C_ ^ (~A_ & B_), 8);					\
} while (0)

/*
 * A round on lanes named b0..b3, c0..c3.  Afterwards plane 1's lane x
 * is in the variable that held lane x-1, and plane 2's lane x in the one
 * that held lane x-2: the next round is called with the names rotated.
 */
#define ROUND(rc, b0, b1, b2, b3, c0, c1, c2, c3) do {			\
	uint32_t e0_, e1_, e2_, e3_;					\
	e1_ = THETA_E(a0 ^ b0 ^ c0);					\
	e2_ = THETA_E(a1 ^ b1 ^ c1);					\
	e3_ = THETA_E(a2 ^ b2 ^ c2);					\
	e0_ = THETA_E(a3 ^ b3 ^ c3);					\
	COLUMN(a0, b3, c0, e0_, e3_, rc);				\
	COLUMN(a1, b0, c1, e1_, e0_, 0);				\
	COLUMN(a2, b1, c2, e2_, e1_, 0);				\
	COLUMN(a3, b2, c3, e3_, e2_, 0);				\
} while (0)

void
xoodoo_permute(uint32_t st[12])
{
	uint32_t	 a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3;
	int		 r;

	a0 = st[0]; a1 = st[1]; a2 = st[2]; a3 = st[3];
	b0 = st[4]; b1 = st[5]; b2 = st[6]; b3 = st[7];
	c0 = st[8]; c1 = st[9]; c2 = st[10]; c3 = st[11];
	/* Four rounds bring every lane back to its own variable. */
	for (r = 0; r < 12; r += 4) {
		ROUND(xoodoo_rc[r], b0, b1, b2, b3, c0, c1, c2, c3);
		ROUND(xoodoo_rc[r + 1], b3, b0, b1, b2, c2, c3, c0, c1);
		ROUND(xoodoo_rc[r + 2], b2, b3, b0, b1, c0, c1, c2, c3);
		ROUND(xoodoo_rc[r + 3], b1, b2, b3, b0, c2, c3, c0, c1);
	}
	st[0] = a0; st[1] = a1; st[2] = a2; st[3] = a3;
	st[4] = b0; st[5] = b1; st[6] = b2; st[7] = b3;
	st[8] = c0; st[9] = c1; st[10] = c2; st[11] = c3;
}

static uint32_t
load32le(const uint8_t *b)
{
	return ((uint32_t)b[0] | (uint32_t)b[1] << 8 |
	    (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
}

static void
store32le(uint8_t *b, uint32_t w)
{
	b[0] = (uint8_t)w;
	b[1] = (uint8_t)(w >> 8);
	b[2] = (uint8_t)(w >> 16);
	b[3] = (uint8_t)(w >> 24);
}

/* Output the rate (16 bytes), then permute. */
static void
charm_squeeze(struct charm *st, uint8_t out[RATE])
{
	int	 i;

	for (i = 0; i < 4; i++)
		store32le(out + 4 * i, st->w[i]);
	xoodoo_permute(st->w);
}

/*
 * Close a final block of m bytes whose bytes are already in the rate:
 * the 0x80 pad byte when the block is short, the domain bits, permute.
 */
static void
charm_final(struct charm *st, size_t m, uint8_t domain)
{
	if (m < RATE)
		st->w[m / 4] ^= (uint32_t)0x80 << (8 * (m % 4));
	else
		domain |= DOM_FULL;
	st->w[11] ^= (uint32_t)domain << 24;
	xoodoo_permute(st->w);
}

/* The number of blocks before the final one, which holds 1..16 bytes. */
static size_t
charm_ordinary(size_t len)
{
	return (len == 0 ? 0 : (len - 1) / RATE);
}

void
charm_key(struct charm *st, const uint8_t key[CHARM_KEY_LEN],
    const uint8_t iv[CHARM_IV_LEN])
{
	int	 i;

	for (i = 0; i < 4; i++)
		st->w[i] = load32le(iv + 4 * i);
	for (i = 0; i < 8; i++)
		st->w[4 + i] = load32le(key + 4 * i);
	xoodoo_permute(st->w);
}

void
charm_hash(struct charm *st, uint8_t out[CHARM_HASH_LEN],
    const uint8_t *msg, size_t len)
{
	uint8_t	 last[RATE];
	size_t	 n, off, m;
	int	 i;

	n = charm_ordinary(len);
	for (off = 0; n > 0; n--, off += RATE) {
		for (i = 0; i < 4; i++)
			st->w[i] ^= load32le(msg + off + 4 * i);
		xoodoo_permute(st->w);
	}
	m = len - off;
	memset(last, 0, sizeof(last));
	if (m > 0)
		memcpy(last, msg + off, m);
	for (i = 0; i < 4; i++)
		st->w[i] ^= load32le(last + 4 * i);
	charm_final(st, m, DOM_FINAL);
	charm_squeeze(st, out);
	charm_squeeze(st, out + RATE);
	sodium_memzero(last, sizeof(last));
}

/* Ciphertext = plaintext ^ rate; the rate then equals the ciphertext. */
static void
charm_encrypt_block(struct charm *st, uint8_t *b)
{
	uint32_t c;
	int	 i;

	for (i = 0; i < 4; i++) {
		c = load32le(b + 4 * i) ^ st->w[i];
		store32le(b + 4 * i, c);
		st->w[i] = c;
	}
}

void
charm_encrypt(struct charm *st, uint8_t *buf, size_t len,
    uint8_t tag[CHARM_TAG_LEN])
{
	uint8_t		 last[RATE];
	uint32_t	 p;
	size_t		 n, off, m;
	int		 i;

	n = charm_ordinary(len);
	for (off = 0; n > 0; n--, off += RATE) {
		charm_encrypt_block(st, buf + off);
		xoodoo_permute(st->w);
	}
	/* Final block: zero-padded plaintext, absorbed as it is. */
	m = len - off;
	memset(last, 0, sizeof(last));
	if (m > 0)
		memcpy(last, buf + off, m);
	for (i = 0; i < 4; i++) {
		p = load32le(last + 4 * i);
		store32le(last + 4 * i, p ^ st->w[i]);
		st->w[i] ^= p;
	}
	if (m > 0)
		memcpy(buf + off, last, m);
	charm_final(st, m, DOM_FINAL | DOM_CRYPT);
	charm_squeeze(st, tag);
	sodium_memzero(last, sizeof(last));
}

/* Plaintext = ciphertext ^ rate; the rate then takes the ciphertext. */
static void
charm_decrypt_block(struct charm *st, uint8_t *b)
{
	uint32_t c;
	int	 i;

	for (i = 0; i < 4; i++) {
		c = load32le(b + 4 * i);
		store32le(b + 4 * i, c ^ st->w[i]);
		st->w[i] = c;
	}
}

/* The final block's m bytes: recover them, absorb them zero-padded. */
static void
charm_decrypt_last(struct charm *st, uint8_t *b, size_t m)
{
	uint8_t	 rate[RATE], last[RATE];
	size_t	 j;
	int	 i;

	for (i = 0; i < 4; i++)
		store32le(rate + 4 * i, st->w[i]);
	memset(last, 0, sizeof(last));
	for (j = 0; j < m; j++)
		last[j] = b[j] ^ rate[j];
	for (i = 0; i < 4; i++)
		st->w[i] ^= load32le(last + 4 * i);
	if (m > 0)
		memcpy(b, last, m);
	sodium_memzero(rate, sizeof(rate));
	sodium_memzero(last, sizeof(last));
}

int
charm_decrypt(struct charm *st, uint8_t *buf, size_t len,
    const uint8_t *tag, size_t taglen)
{
	uint8_t	 mine[CHARM_TAG_LEN];
	size_t	 n, off;
	int	 rc;

	n = charm_ordinary(len);
	for (off = 0; n > 0; n--, off += RATE) {
		charm_decrypt_block(st, buf + off);
		xoodoo_permute(st->w);
	}
	charm_decrypt_last(st, buf + off, len - off);
	charm_final(st, len - off, DOM_FINAL | DOM_CRYPT);
	charm_squeeze(st, mine);
	/* No tag bytes compared would accept anything: refuse that. */
	rc = -1;
	if (taglen >= 1 && taglen <= CHARM_TAG_LEN)
		rc = sodium_memcmp(mine, tag, taglen);
	sodium_memzero(mine, sizeof(mine));
	if (rc != 0) {
		sodium_memzero(buf, len);
		return (-1);
	}
	return (0);
}

void
charm_wipe(struct charm *st)
{
	sodium_memzero(st, sizeof(*st));
}
