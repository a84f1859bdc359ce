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
 * The datagram handshake: a 144-byte hello, a 76-byte reply, and under
 * load a 64-byte cookie reply; no answer is ever larger than the hello
 * it answers.  The server checks everything it can before a
 * Diffie-Hellman and keeps no state for a hello it has not accepted;
 * the client sends a new hello on a backoff until a reply verifies, and
 * drops (and counts) every reply or cookie reply that does not.
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "dgram_int.h"
#include "keyid.h"

/* Hello layout. */
#define G_VER		1
#define G_OFFER		2
#define G_RES		3
#define G_INDEX		4
#define G_TS		8
#define G_NONCE		16
#define G_EPK		32
#define G_KEYID		64
#define G_MAC1		96
#define G_MAC2		128
/* Reply layout. */
#define R_CIPHER	2
#define R_SINDEX	4
#define R_RINDEX	8
#define R_EPK		12
#define R_CONFIRM	44
/* Cookie reply layout. */
#define C_RINDEX	4
#define C_SEALED	8

#define KDF_CTX_DGRAM	"dsvpndDh"
#define KDF_ID_MAC1	1
#define KDF_ID_COOKIE	3

static const struct hs_suite dg_suite = {
	DGRAM_VERSION, DGRAM_HELLO_LEN, G_MAC1, KDF_CTX_DGRAM, "dsvpndDk",
	"dsvpnd v2 datagram transcript", "dsvpnd v2 datagram handshake",
	"dsvpnd v2 datagram rekey", "dsvpnd v2 datagram rekey context"
};

const struct hs_suite *
dgram_suite(void)
{
	return (&dg_suite);
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

static uint64_t
get64be(const uint8_t *b)
{
	uint64_t v = 0;
	int	 i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return (v);
}

static void
dg_transcript(uint8_t th[32], const uint8_t *hello, const uint8_t *reply)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)dg_suite.transcript,
	    strlen(dg_suite.transcript));
	/* Not the second MAC: it changes when a cookie comes. */
	crypto_generichash_update(&st, hello, G_MAC2);
	crypto_generichash_update(&st, reply, R_CONFIRM);
	crypto_generichash_final(&st, th, 32);
}

static void
dg_mac1(uint8_t mac[32], const uint8_t psk[PROTO_KEY_LEN], const uint8_t *h)
{
	uint8_t	 k[32];

	crypto_kdf_derive_from_key(k, sizeof(k), KDF_ID_MAC1, KDF_CTX_DGRAM,
	    psk);
	crypto_generichash(mac, 32, h, G_MAC1, k, sizeof(k));
	sodium_memzero(k, sizeof(k));
}

static void
dg_cookie_key(uint8_t k[32], const uint8_t psk[PROTO_KEY_LEN])
{
	crypto_kdf_derive_from_key(k, 32, KDF_ID_COOKIE, KDF_CTX_DGRAM, psk);
}

/* Client: a new hello (new ephemeral, nonce and index), queued. */
int
dgram_hello_make(struct dgram *p, uint64_t now)
{
	const struct proto_params *b = &p->par.base;
	uint8_t		*h = p->hello;
	uint64_t	 ts = proto_wallclock(b);
	uint32_t	 index = 0;
	int		 i;

	if (proto_keypair_make(b, p->esk, p->epk) == -1)
		return (-1);
	/* A new index per hello: a late reply to an old one costs no DH. */
	while (index == 0)
		proto_rng(b, (uint8_t *)&index, sizeof(index));
	p->local_index = index;
	h[0] = DGRAM_T_HELLO;
	h[G_VER] = DGRAM_VERSION;
	h[G_OFFER] = hs_cipher_offer(b);
	h[G_RES] = 0;
	put32le(h + G_INDEX, index);
	for (i = 0; i < 8; i++)
		h[G_TS + i] = (uint8_t)(ts >> (56 - 8 * i));
	proto_rng(b, h + G_NONCE, 16);
	memcpy(h + G_EPK, p->epk, 32);
	/* One connection attempt, one key id: retransmits reuse a ticket. */
	if (b->ticket_set)
		memcpy(h + G_KEYID, b->ticket, PROTO_KEYID_LEN);
	else
		keyid_epoch(h + G_KEYID, b->psk, keyid_hour(ts));
	dg_mac1(h + G_MAC1, b->psk, h);
	if (p->have_cookie && now - p->cookie_ms < COOKIE_USE_MS)
		cookie_mac(h + G_MAC2, p->cookie, h, G_MAC2);
	else
		memset(h + G_MAC2, 0, COOKIE_MAC_LEN);
	p->hs_next_ms = now + p->hs_rto;
	(void)dgram_queue(p, h, DGRAM_HELLO_LEN);
	return (0);
}

static int
dg_refuse(int *fault, const char **why, int f, const char *msg)
{
	if (fault != NULL)
		*fault = f;
	*why = msg;
	return (-1);
}

/* What needs no key: shape and clock. */
static int
dg_hello_shape(const struct proto_params *b, const uint8_t *h, size_t len,
    int *fault, const char **why)
{
	uint64_t	 ts, now;

	if (len != DGRAM_HELLO_LEN || h[0] != DGRAM_T_HELLO ||
	    h[G_VER] != DGRAM_VERSION || h[G_RES] != 0 ||
	    get32le(h + G_INDEX) == 0)
		return (dg_refuse(fault, why, PROTO_F_HANDSHAKE,
		    "malformed hello"));
	ts = get64be(h + G_TS);
	now = proto_wallclock(b);
	if (ts < now && now - ts > b->clock_window)
		return (dg_refuse(fault, why, PROTO_F_REPLAY, "stale hello"));
	if (ts > now && ts - now > b->clock_window)
		return (dg_refuse(fault, why, PROTO_F_REPLAY,
		    "hello from the future"));
	return (0);
}

/* Everything before a Diffie-Hellman but the cookie. */
static int
dg_hello_verify(const struct proto_params *b, const uint8_t *h, size_t len,
    int *fault, const char **why)
{
	uint8_t	 mac[32];
	int	 rc;

	if (dg_hello_shape(b, h, len, fault, why) == -1)
		return (-1);
	dg_mac1(mac, b->psk, h);
	rc = sodium_memcmp(mac, h + G_MAC1, sizeof(mac));
	sodium_memzero(mac, sizeof(mac));
	if (rc != 0)
		return (dg_refuse(fault, why, PROTO_F_HANDSHAKE,
		    "hello MAC mismatch (wrong key?)"));
	if (hs_cipher_pick(b, h[G_OFFER]) == -1)
		return (dg_refuse(fault, why, PROTO_F_HANDSHAKE,
		    "no common cipher"));
	if (b->replay == NULL)
		return (dg_refuse(fault, why, PROTO_F_HANDSHAKE,
		    "no replay cache"));
	if (replay_seen(b->replay, h + G_NONCE, get64be(h + G_TS)))
		return (dg_refuse(fault, why, PROTO_F_REPLAY,
		    "replayed hello"));
	return (0);
}

int
dgram_hello_peek(const struct dgram_params *par, const uint8_t *h,
    size_t len, struct proto_hello_info *info, int *fault)
{
	struct proto_params	 r;
	const char		*why;
	int			 rc;

	memset(info, 0, sizeof(*info));
	proto_resolve(&r, &par->base);
	rc = dg_hello_shape(&r, h, len, fault, &why);
	sodium_memzero(&r, sizeof(r));
	if (rc == -1)
		return (-1);
	info->version = DGRAM_VERSION;
	info->timestamp = get64be(h + G_TS);
	info->keyid = h + G_KEYID;
	return (0);
}

/* The cookie reply to a hello that passed everything but its cookie. */
static void
dg_cookie_reply(const struct dgram_params *par, const uint8_t *h,
    const void *src, size_t srclen, uint8_t *c)
{
	uint8_t	 cookie[COOKIE_LEN], k[32], nonce[COOKIE_NONCE_LEN];

	cookie_make(cookie, par->cookies->secret[0], src, srclen);
	dg_cookie_key(k, par->base.psk);
	proto_rng(&par->base, nonce, sizeof(nonce));
	c[0] = DGRAM_T_COOKIE;
	c[1] = DGRAM_VERSION;
	c[2] = c[3] = 0;
	memcpy(c + C_RINDEX, h + G_INDEX, 4);
	cookie_seal(c + C_SEALED, k, cookie, h + G_MAC1, nonce);
	sodium_memzero(cookie, sizeof(cookie));
	sodium_memzero(k, sizeof(k));
}

enum dgram_verdict
dgram_hello_check(const struct dgram_params *par, const uint8_t *h,
    size_t len, const void *src, size_t srclen, int under_load,
    uint8_t reply[DGRAM_COOKIE_REPLY_LEN], int *fault)
{
	struct proto_params	 r;
	const char		*why;
	int			 rc, f = PROTO_F_HANDSHAKE;

	if (sodium_init() == -1)
		return (DGRAM_REFUSE);
	proto_resolve(&r, &par->base);
	rc = dg_hello_verify(&r, h, len, &f, &why);
	sodium_memzero(&r, sizeof(r));
	if (rc == -1) {
		if (fault != NULL)
			*fault = f;
		return (DGRAM_REFUSE);
	}
	if (!under_load)
		return (DGRAM_ACCEPT);
	if (par->cookies == NULL || par->cookies->n == 0) {
		if (fault != NULL)
			*fault = PROTO_F_HANDSHAKE;
		return (DGRAM_REFUSE);
	}
	/* Busy: only a sender that receives at its address goes on. */
	if (cookie_check(par->cookies, src, srclen, h, G_MAC2, h + G_MAC2))
		return (DGRAM_ACCEPT);
	dg_cookie_reply(par, h, src, srclen, reply);
	return (DGRAM_COOKIE);
}

/* Put a derivation's keys where this side uses them, as phase 0. */
static void
dg_install(struct dgram *p, const struct proto_keys *k)
{
	int	 client = p->par.base.role == PROTO_CLIENT;

	dkey_tx_set(&p->tx, p->cipher, client ? k->c2s : k->s2c, 0);
	dkey_rx_set(&p->rx[0], p->cipher, client ? k->s2c : k->c2s, 0);
	p->cur = 0;
	p->other = RX_NONE;
	memcpy(p->chain, k->chain, sizeof(p->chain));
}

/* Server: answer an accepted hello and install the session keys. */
int
dgram_hello_input(struct dgram *p, const uint8_t *h, size_t len,
    uint64_t now)
{
	struct proto_params	*b = &p->par.base;
	struct proto_keys	 k;
	uint8_t			 r[DGRAM_REPLY_LEN], th[32], dh[32];
	const char		*why;
	int			 fault;

	if (dg_hello_verify(b, h, len, &fault, &why) == -1)
		return (dgram_fail(p, fault, why));
	replay_add(b->replay, h + G_NONCE, get64be(h + G_TS));
	p->cipher = hs_cipher_pick(b, h[G_OFFER]);
	if (proto_keypair_make(b, p->esk, p->epk) == -1 ||
	    proto_dh(dh, p->esk, h + G_EPK) == -1)
		return (dgram_fail(p, PROTO_F_HANDSHAKE, "bad client key"));
	sodium_memzero(p->esk, sizeof(p->esk));
	p->remote_index = get32le(h + G_INDEX);
	r[0] = DGRAM_T_REPLY;
	r[1] = DGRAM_VERSION;
	r[R_CIPHER] = (uint8_t)p->cipher;
	r[3] = 0;
	put32le(r + R_SINDEX, p->local_index);
	memcpy(r + R_RINDEX, h + G_INDEX, 4);
	memcpy(r + R_EPK, p->epk, 32);
	dg_transcript(th, h, r);
	hs_derive(&dg_suite, b->psk, dg_suite.prk, dh, h + G_EPK, p->epk, th,
	    &k);
	crypto_generichash(r + R_CONFIRM, 32, th, sizeof(th), k.confirm, 32);
	dg_install(p, &k);
	sodium_memzero(&k, sizeof(k));
	sodium_memzero(dh, sizeof(dh));
	p->state = DS_WAIT_CONFIRM;
	p->last_rx = now;
	(void)dgram_queue(p, r, sizeof(r));
	return (0);
}

/* Client: is this reply one to our current hello, in shape? */
static int
dg_reply_shape(const struct dgram *p, const uint8_t *r, size_t len)
{
	if (len != DGRAM_REPLY_LEN || r[1] != DGRAM_VERSION || r[3] != 0 ||
	    get32le(r + R_SINDEX) == 0)
		return (DGRAM_DROP_MALFORMED);
	if (get32le(r + R_RINDEX) != p->local_index)
		return (DGRAM_DROP_INDEX);
	if ((r[R_CIPHER] != CIPHER_AES && r[R_CIPHER] != CIPHER_CHACHA) ||
	    (r[R_CIPHER] & p->hello[G_OFFER]) == 0)
		return (DGRAM_DROP_HANDSHAKE);
	return (-1);
}

int
dgram_reply_input(struct dgram *p, const uint8_t *r, size_t len,
    uint64_t now, struct dgram_event *ev)
{
	struct proto_params	*b = &p->par.base;
	struct proto_keys	 k;
	uint8_t			 th[32], dh[32], mac[32];
	int			 why, rc;

	if ((why = dg_reply_shape(p, r, len)) != -1) {
		dgram_drop(p, why);
		return (0);
	}
	if (proto_dh(dh, p->esk, r + R_EPK) == -1) {
		dgram_drop(p, DGRAM_DROP_HANDSHAKE);
		return (0);
	}
	dg_transcript(th, p->hello, r);
	hs_derive(&dg_suite, b->psk, dg_suite.prk, dh, p->epk, r + R_EPK, th,
	    &k);
	sodium_memzero(dh, sizeof(dh));
	crypto_generichash(mac, sizeof(mac), th, sizeof(th), k.confirm, 32);
	rc = sodium_memcmp(mac, r + R_CONFIRM, sizeof(mac));
	if (rc == 0) {
		p->cipher = r[R_CIPHER];
		dg_install(p, &k);
	}
	sodium_memzero(&k, sizeof(k));
	if (rc != 0) {
		/* Forged, or for an older hello: the handshake goes on. */
		dgram_drop(p, DGRAM_DROP_HANDSHAKE);
		return (0);
	}
	sodium_memzero(p->esk, sizeof(p->esk));
	sodium_memzero(b->ticket, sizeof(b->ticket));
	b->ticket_set = 0;
	p->remote_index = get32le(r + R_SINDEX);
	p->state = DS_UP;
	p->keys_ms = p->last_rx = now;
	/*
	 * The server is up once a datagram of ours verifies: this one,
	 * or, if it is lost, the next; until the server shows it took it,
	 * repeat it on a backoff (dgram_tick()).
	 */
	(void)dgram_queue_ctl(p, DI_KEEPALIVE, NULL, 0, now);
	p->confirmed = 0;
	p->conf_rto = p->par.retransmit_ms;
	p->conf_next_ms = now + p->conf_rto;
	ev->flags |= DGRAM_EVF_AUTH | DGRAM_EVF_NEWEST | DGRAM_EVF_UP;
	return (0);
}

/* Client: a cookie for our current hello; send it again with it. */
int
dgram_cookie_input(struct dgram *p, const uint8_t *c, size_t len,
    uint64_t now)
{
	uint8_t	 k[32];
	int	 rc;

	if (len != DGRAM_COOKIE_REPLY_LEN || c[1] != DGRAM_VERSION ||
	    c[2] != 0 || c[3] != 0) {
		dgram_drop(p, DGRAM_DROP_MALFORMED);
		return (0);
	}
	if (get32le(c + C_RINDEX) != p->local_index) {
		dgram_drop(p, DGRAM_DROP_INDEX);
		return (0);
	}
	dg_cookie_key(k, p->par.base.psk);
	rc = cookie_open(p->cookie, k, c + C_SEALED, p->hello + G_MAC1);
	sodium_memzero(k, sizeof(k));
	if (rc == -1) {
		dgram_drop(p, DGRAM_DROP_HANDSHAKE);
		return (0);
	}
	p->have_cookie = 1;
	p->cookie_ms = now;
	cookie_mac(p->hello + G_MAC2, p->cookie, p->hello, G_MAC2);
	(void)dgram_queue(p, p->hello, DGRAM_HELLO_LEN);
	return (0);
}
