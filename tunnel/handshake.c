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
 * The handshake: one hello from the client, one reply from the server.
 * The hello is MACed with a key derived from the PSK and checked (clock
 * window, MAC, replay cache) before the server spends a Diffie-Hellman;
 * the reply carries the server's ephemeral and a key confirmation that
 * only a holder of the PSK and of the server's ephemeral secret can make.
 * Version 2 adds the key identifier before the MAC and uses its own
 * label for every key and hash, so nothing of one version is valid in
 * the other.
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "keyid.h"
#include "proto_int.h"

/* Hello layout; see doc/PROTOCOL.md.  The MAC ends either version. */
#define H_TS		4
#define H_NONCE		12
#define H_EPK		28
#define H_KEYID		60	/* v2 */
/* Reply layout. */
#define R_EPK		4
#define R_CONFIRM	36

static const struct hs_suite suites[] = {
	{ PROTO_V1, PROTO_HELLO_LEN, 60, "dsvpnd1h", "dsvpnd1k",
	    "dsvpnd v1 transcript", "handshake", "rekey",
	    "dsvpnd v1 rekey" },
	{ PROTO_V2, PROTO_HELLO2_LEN, 92, "dsvpnd2h", "dsvpnd2k",
	    "dsvpnd v2 transcript", "dsvpnd v2 handshake",
	    "dsvpnd v2 rekey", "dsvpnd v2 rekey context" }
};

static void
put64be(uint8_t *p, uint64_t v)
{
	int	 i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t
get64be(const uint8_t *p)
{
	uint64_t v = 0;
	int	 i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (v);
}

const struct hs_suite *
hs_suite(int version)
{
	size_t	 i;

	for (i = 0; i < nitems(suites); i++)
		if (suites[i].version == version)
			return (&suites[i]);
	return (NULL);
}

/* Will these (resolved) params speak this version? */
int
hs_accepts(const struct proto_params *par, int version)
{
	if (hs_suite(version) == NULL)
		return (0);
	return (par->version == 0 || par->version == version);
}

size_t
proto_hello_len(uint8_t first)
{
	const struct hs_suite	*su = hs_suite(first);

	return (su != NULL ? su->hello_len : 0);
}

void
hs_hello_key(uint8_t k[32], const uint8_t psk[PROTO_KEY_LEN],
    const struct hs_suite *su)
{
	crypto_kdf_derive_from_key(k, 32, 1, su->kdf_hello, psk);
}

uint8_t
hs_cipher_offer(const struct proto_params *par)
{
	switch (par->cipher) {
	case PROTO_CIPHER_AES256GCM:
		return (CIPHER_AES);
	case PROTO_CIPHER_CHACHA20POLY1305:
		return (CIPHER_CHACHA);
	default:
		if (crypto_aead_aes256gcm_is_available())
			return (CIPHER_AES | CIPHER_CHACHA);
		return (CIPHER_CHACHA);
	}
}

/* The server's choice from an offer, or -1 if nothing fits. */
int
hs_cipher_pick(const struct proto_params *par, uint8_t offer)
{
	uint8_t	 ours = hs_cipher_offer(par);

	if (offer & ~(CIPHER_AES | CIPHER_CHACHA))
		return (-1);
	offer &= ours;
	if (offer & CIPHER_AES)
		return (CIPHER_AES);
	if (offer & CIPHER_CHACHA)
		return (CIPHER_CHACHA);
	return (-1);
}

static void
hs_transcript(const struct hs_suite *su, uint8_t th[32],
    const uint8_t *hello, const uint8_t *reply)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)su->transcript,
	    strlen(su->transcript));
	crypto_generichash_update(&st, hello, su->hello_len);
	crypto_generichash_update(&st, reply, R_CONFIRM);
	crypto_generichash_final(&st, th, 32);
}

/*
 * key: PSK (handshake) or chain key (rekey).  a, b: the initiator's and
 * the responder's ephemerals.  th: transcript hash or rekey context.
 */
void
hs_derive(const struct hs_suite *su, const uint8_t key[32],
    const char *label, const uint8_t dh[32], const uint8_t a[32],
    const uint8_t b[32], const uint8_t th[32], struct proto_keys *out)
{
	crypto_generichash_state st;
	uint8_t		 prk[32];
	const char	*ctx = su->kdf_keys;

	crypto_generichash_init(&st, key, 32, sizeof(prk));
	crypto_generichash_update(&st, (const uint8_t *)label, strlen(label));
	crypto_generichash_update(&st, dh, 32);
	crypto_generichash_update(&st, a, 32);
	crypto_generichash_update(&st, b, 32);
	crypto_generichash_update(&st, th, 32);
	crypto_generichash_final(&st, prk, sizeof(prk));
	crypto_kdf_derive_from_key(out->c2s, 32, 1, ctx, prk);
	crypto_kdf_derive_from_key(out->s2c, 32, 2, ctx, prk);
	crypto_kdf_derive_from_key(out->hc2s, 32, 3, ctx, prk);
	crypto_kdf_derive_from_key(out->hs2c, 32, 4, ctx, prk);
	crypto_kdf_derive_from_key(out->confirm, 32, 5, ctx, prk);
	crypto_kdf_derive_from_key(out->chain, 32, 6, ctx, prk);
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(&st, sizeof(st));
}

/* Put a derivation's keys where this side uses them; keep its chain. */
void
hs_install(struct proto *p, const struct proto_keys *k, int what)
{
	const uint8_t	*sa, *sh, *ra, *rh;

	if (p->par.role == PROTO_CLIENT) {
		sa = k->c2s, sh = k->hc2s, ra = k->s2c, rh = k->hs2c;
	} else {
		sa = k->s2c, sh = k->hs2c, ra = k->c2s, rh = k->hc2s;
	}
	if (what & INSTALL_TX) {
		frame_key_wipe(&p->tx);
		frame_key_set(&p->tx, p->cipher, sa, sh);
	}
	if (what & INSTALL_RX) {
		frame_key_wipe(&p->rx);
		frame_key_set(&p->rx, p->cipher, ra, rh);
	}
	if (what & INSTALL_RX_NEXT)
		frame_key_set(&p->rx_next, p->cipher, ra, rh);
	memcpy(p->chain, k->chain, sizeof(p->chain));
}

/*
 * Client, v2: a ticket if the caller gave one (used once), else the
 * epoch id of the hello's own hour.
 */
static void
hs_keyid(struct proto *p, uint8_t *id, uint64_t ts)
{
	if (p->par.ticket_set) {
		memcpy(id, p->par.ticket, PROTO_KEYID_LEN);
		sodium_memzero(p->par.ticket, sizeof(p->par.ticket));
		p->par.ticket_set = 0;
	} else
		keyid_epoch(id, p->par.psk, keyid_hour(ts));
}

/* Client: make the hello, keep a copy for the transcript, queue it. */
int
hs_hello_make(struct proto *p)
{
	const struct hs_suite	*su = p->suite;
	uint8_t			*h = p->hello;
	uint8_t			 k[32];
	uint64_t		 ts = proto_wallclock(&p->par);

	if (proto_keypair(p) == -1)
		return (-1);
	h[0] = (uint8_t)su->version;
	h[1] = HS_HELLO;
	h[2] = hs_cipher_offer(&p->par);
	h[3] = 0;
	put64be(h + H_TS, ts);
	proto_rng(&p->par, h + H_NONCE, 16);
	memcpy(h + H_EPK, p->epk, 32);
	if (su->version == PROTO_V2)
		hs_keyid(p, h + H_KEYID, ts);
	hs_hello_key(k, p->par.psk, su);
	crypto_generichash(h + su->mac_off, 32, h, su->mac_off, k, 32);
	sodium_memzero(k, sizeof(k));
	memcpy(PROTO_OUT(p), h, su->hello_len);
	p->outlen = su->hello_len;
	return (0);
}

static int
hs_refuse(int *fault, const char **why, int f, const char *msg)
{
	*fault = f;
	*why = msg;
	return (-1);
}

/*
 * What needs no key, cheapest first: version, length, layout, clock
 * window.  *sup gets the hello's version.
 */
int
hs_hello_shape(const struct proto_params *par, const uint8_t *h, size_t len,
    const struct hs_suite **sup, int *fault, const char **why)
{
	const struct hs_suite	*su;
	uint64_t		 ts, now;

	if (len == 0 || (su = hs_suite(h[0])) == NULL ||
	    !hs_accepts(par, h[0]))
		return (hs_refuse(fault, why, PROTO_F_HANDSHAKE,
		    "unsupported protocol version"));
	if (len != su->hello_len || h[1] != HS_HELLO || h[3] != 0)
		return (hs_refuse(fault, why, PROTO_F_HANDSHAKE,
		    "malformed hello"));
	ts = get64be(h + H_TS);
	now = proto_wallclock(par);
	if (ts < now && now - ts > par->clock_window)
		return (hs_refuse(fault, why, PROTO_F_REPLAY, "stale hello"));
	if (ts > now && ts - now > par->clock_window)
		return (hs_refuse(fault, why, PROTO_F_REPLAY,
		    "hello from the future"));
	*sup = su;
	return (0);
}

/*
 * Everything that is checked before a Diffie-Hellman, cheapest first.
 * The nonce is recorded only once the MAC holds, so that forged hellos
 * cannot fill the cache.
 */
int
hs_hello_verify(const struct proto_params *par, const uint8_t *h, size_t len,
    int record, int *fault, const char **why)
{
	const struct hs_suite	*su;
	uint8_t			 k[32], mac[32];
	int			 rc;

	if (hs_hello_shape(par, h, len, &su, fault, why) == -1)
		return (-1);
	hs_hello_key(k, par->psk, su);
	crypto_generichash(mac, sizeof(mac), h, su->mac_off, k, sizeof(k));
	rc = sodium_memcmp(mac, h + su->mac_off, sizeof(mac));
	sodium_memzero(k, sizeof(k));
	sodium_memzero(mac, sizeof(mac));
	if (rc != 0)
		return (hs_refuse(fault, why, PROTO_F_HANDSHAKE,
		    "hello MAC mismatch (wrong key?)"));
	if (hs_cipher_pick(par, h[2]) == -1)
		return (hs_refuse(fault, why, PROTO_F_HANDSHAKE,
		    "no common cipher"));
	if (par->replay == NULL)
		return (hs_refuse(fault, why, PROTO_F_HANDSHAKE,
		    "no replay cache"));
	if (replay_seen(par->replay, h + H_NONCE, get64be(h + H_TS)))
		return (hs_refuse(fault, why, PROTO_F_REPLAY,
		    "replayed hello"));
	if (record)
		replay_add(par->replay, h + H_NONCE, get64be(h + H_TS));
	return (0);
}

/* Server: answer an accepted hello and install the session keys. */
int
hs_hello_input(struct proto *p, const uint8_t *h)
{
	const struct hs_suite	*su = hs_suite(h[0]);
	struct proto_keys	 k;
	uint8_t			 th[32], dh[32];
	uint8_t			*r = PROTO_OUT(p);
	const char		*why;
	int			 fault;

	if (su == NULL || hs_hello_verify(&p->par, h, su->hello_len, 1,
	    &fault, &why) == -1)
		return (proto_fail(p, su == NULL ? PROTO_F_HANDSHAKE : fault,
		    su == NULL ? "unsupported protocol version" : why));
	p->suite = su;
	p->cipher = hs_cipher_pick(&p->par, h[2]);
	if (proto_keypair(p) == -1 || proto_dh(dh, p->esk, h + H_EPK) == -1)
		return (proto_fail(p, PROTO_F_HANDSHAKE, "bad client key"));
	memcpy(p->hello, h, su->hello_len);
	r[0] = (uint8_t)su->version;
	r[1] = HS_REPLY;
	r[2] = (uint8_t)p->cipher;
	r[3] = 0;
	memcpy(r + R_EPK, p->epk, 32);
	hs_transcript(su, th, h, r);
	hs_derive(su, p->par.psk, su->prk, dh, h + H_EPK, p->epk, th, &k);
	crypto_generichash(r + R_CONFIRM, 32, th, sizeof(th), k.confirm, 32);
	hs_install(p, &k, INSTALL_TX | INSTALL_RX);
	p->outlen = PROTO_REPLY_LEN;
	sodium_memzero(&k, sizeof(k));
	sodium_memzero(dh, sizeof(dh));
	sodium_memzero(p->esk, sizeof(p->esk));
	return (0);
}

static int
hs_reply_check(struct proto *p, const uint8_t *r)
{
	if (r[0] != p->suite->version)
		return (proto_fail(p, PROTO_F_HANDSHAKE,
		    "unsupported protocol version"));
	if (r[1] != HS_REPLY || r[3] != 0)
		return (proto_fail(p, PROTO_F_HANDSHAKE, "malformed reply"));
	if ((r[2] != CIPHER_AES && r[2] != CIPHER_CHACHA) ||
	    (r[2] & p->hello[2]) == 0)
		return (proto_fail(p, PROTO_F_HANDSHAKE,
		    "server chose a cipher not offered"));
	return (0);
}

/* Client: check the reply, install the keys, queue the confirmation. */
int
hs_reply_input(struct proto *p, const uint8_t *r)
{
	const struct hs_suite	*su = p->suite;
	struct proto_keys	 k;
	uint8_t			 th[32], dh[32], mac[32];
	int			 rc;

	if (hs_reply_check(p, r) == -1)
		return (-1);
	if (proto_dh(dh, p->esk, r + R_EPK) == -1)
		return (proto_fail(p, PROTO_F_HANDSHAKE, "bad server key"));
	sodium_memzero(p->esk, sizeof(p->esk));
	p->cipher = r[2];
	hs_transcript(su, th, p->hello, r);
	hs_derive(su, p->par.psk, su->prk, dh, p->epk, r + R_EPK, th, &k);
	sodium_memzero(dh, sizeof(dh));
	crypto_generichash(mac, sizeof(mac), th, sizeof(th), k.confirm, 32);
	rc = sodium_memcmp(mac, r + R_CONFIRM, sizeof(mac));
	if (rc == 0)
		hs_install(p, &k, INSTALL_TX | INSTALL_RX);
	sodium_memzero(&k, sizeof(k));
	if (rc != 0)
		return (proto_fail(p, PROTO_F_AUTH,
		    "server key confirmation failed"));
	return (0);
}
