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
 * DSVPN's handshake, byte for byte (doc/PROTOCOL-DSVPN.md section 2).
 * One Charm state S, keyed with the PSK, runs through the whole
 * exchange and every hash mutates it:
 *
 *	A1 = Hash(S, Rc | T)	client -> server: Rc | T | A1
 *	A2 = Hash(S, Rs)	server -> client: Rs | A2
 *	k  = Hash(S, "")	one duplex per direction keyed with k
 *
 * S is wiped as soon as k is made, k as soon as the duplexes are keyed.
 */
#include "compat.h"

#include <string.h>
#include <time.h>

#include <sodium.h>

#include "dsvpn_int.h"

/* The IV of S: these 16 bytes, without the string's NUL. */
static const char	 kx_iv[] = "VPN Key Exchange";

static uint64_t
le64_load(const uint8_t *b)
{
	uint64_t v = 0;
	int	 i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return (v);
}

static void
le64_store(uint8_t *b, uint64_t v)
{
	int	 i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void
dshs_rng(const struct dsvpn_params *par, uint8_t *buf, size_t len)
{
	if (par->rng != NULL)
		par->rng(par->seam_arg, buf, len);
	else
		randombytes_buf(buf, len);
}

static uint64_t
dshs_wallclock(const struct dsvpn_params *par)
{
	if (par->wallclock != NULL)
		return (par->wallclock(par->seam_arg));
	return ((uint64_t)time(NULL));
}

static int
dshs_in_window(uint64_t ts, uint64_t now, uint32_t window)
{
	return ((ts > now ? ts - now : now - ts) <= window);
}

void
dshs_kx_init(struct charm *kx, const uint8_t psk[DSVPN_KEY_LEN])
{
	charm_key(kx, psk, (const uint8_t *)kx_iv);
}

/*
 * k = Hash(S, ""), then the duplexes: IV byte 0 is 0 for client to
 * server and 1 for server to client, the other 15 bytes zero.
 */
static void
dshs_session(struct dsvpn *p)
{
	uint8_t	 k[CHARM_HASH_LEN], iv_c2s[CHARM_IV_LEN], iv_s2c[CHARM_IV_LEN];
	int	 server = p->par.role == PROTO_SERVER;

	charm_hash(&p->kx, k, NULL, 0);
	charm_wipe(&p->kx);
	memset(iv_c2s, 0, sizeof(iv_c2s));
	memset(iv_s2c, 0, sizeof(iv_s2c));
	iv_s2c[0] = 1;
	charm_key(&p->tx, k, server ? iv_s2c : iv_c2s);
	charm_key(&p->rx, k, server ? iv_c2s : iv_s2c);
	sodium_memzero(k, sizeof(k));
}

void
dshs_hello_make(struct dsvpn *p)
{
	dshs_rng(&p->par, p->out, DSVPN_RAND_LEN);
	le64_store(p->out + DSVPN_TS_OFF, dshs_wallclock(&p->par));
	charm_hash(&p->kx, p->out + DSVPN_TS_OFF + 8, p->out,
	    DSVPN_TS_OFF + 8);
	p->outlen = DSVPN_HELLO_LEN;
}

/*
 * The server's checks, cheapest first: the clock window, A1 (which
 * mutates kx, as DSVPN's S), then the cache, which only authentic hellos
 * may probe.  0, or -1 with *fault and *why set.
 */
int
dshs_hello_verify(const struct dsvpn_params *par, struct charm *kx,
    const uint8_t *hello, int *fault, const char **why)
{
	uint8_t		 a1[DSVPN_AUTH_LEN];
	uint64_t	 ts = le64_load(hello + DSVPN_TS_OFF);
	int		 bad;

	if (!dshs_in_window(ts, dshs_wallclock(par), par->clock_window)) {
		*fault = PROTO_F_REPLAY;
		*why = "hello outside the clock window";
		return (-1);
	}
	charm_hash(kx, a1, hello, DSVPN_TS_OFF + 8);
	bad = sodium_memcmp(a1, hello + DSVPN_TS_OFF + 8, sizeof(a1));
	sodium_memzero(a1, sizeof(a1));
	if (bad != 0) {
		*fault = PROTO_F_HANDSHAKE;
		*why = "hello failed to verify";
		return (-1);
	}
	if (par->replay != NULL && dsvpn_replay_seen(par->replay, hello, ts)) {
		*fault = PROTO_F_REPLAY;
		*why = "replayed hello";
		return (-1);
	}
	return (0);
}

/* Server: an accepted hello is recorded, answered and keyed. */
int
dshs_hello_input(struct dsvpn *p, const uint8_t *hello)
{
	const char	*why;
	int		 fault;

	if (dshs_hello_verify(&p->par, &p->kx, hello, &fault, &why) == -1)
		return (dsvpn_fail(p, fault, why));
	dsvpn_replay_add(p->par.replay, hello,
	    le64_load(hello + DSVPN_TS_OFF), dshs_wallclock(&p->par),
	    p->par.clock_window);
	dshs_rng(&p->par, p->out, DSVPN_RAND_LEN);
	charm_hash(&p->kx, p->out + DSVPN_RAND_LEN, p->out, DSVPN_RAND_LEN);
	p->outlen = DSVPN_REPLY_LEN;
	dshs_session(p);
	return (0);
}

/* Client: A2 proves that the server holds the PSK. */
int
dshs_reply_input(struct dsvpn *p, const uint8_t *reply)
{
	uint8_t	 a2[DSVPN_AUTH_LEN];
	int	 bad;

	charm_hash(&p->kx, a2, reply, DSVPN_RAND_LEN);
	bad = sodium_memcmp(a2, reply + DSVPN_RAND_LEN, sizeof(a2));
	sodium_memzero(a2, sizeof(a2));
	if (bad != 0)
		return (dsvpn_fail(p, PROTO_F_AUTH,
		    "server reply failed to verify"));
	dshs_session(p);
	return (0);
}

int
dsvpn_hello_check(const struct dsvpn_params *par, const uint8_t *hello,
    size_t len, int *fault)
{
	struct dsvpn_params	 r;
	struct charm		 kx;
	const char		*why;
	int			 f = PROTO_F_PROTOCOL, rc = -1;

	if (sodium_init() == -1)
		return (-1);
	dsvpn_resolve(&r, par);
	if (len == DSVPN_HELLO_LEN) {
		dshs_kx_init(&kx, r.psk);
		rc = dshs_hello_verify(&r, &kx, hello, &f, &why);
		charm_wipe(&kx);
	}
	sodium_memzero(&r, sizeof(r));
	if (rc == -1 && fault != NULL)
		*fault = f;
	return (rc);
}

enum dsvpn_sniff
dsvpn_hello_sniff(const uint8_t *buf, size_t len, uint64_t wall,
    uint32_t window)
{
	if (window == 0)
		window = DSVPN_DEF_CLOCK_WINDOW;
	if (len < DSVPN_TS_OFF + 8)
		return (DSVPN_SNIFF_NEED);
	if (dshs_in_window(le64_load(buf + DSVPN_TS_OFF), wall, window))
		return (DSVPN_SNIFF_DSVPN);
	return (DSVPN_SNIFF_OTHER);
}
