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
 * In-band rekey: three frames, each under the sender's current key.
 *
 *   initiator                         responder
 *   INIT(epk_i)        ---------->    derive; REPLY under old key,
 *                                     then send with the new key
 *                      <----------    REPLY(epk_r)
 *   derive; receive with the new key;
 *   DONE under the old key, then send
 *   with the new key   ---------->    DONE: receive with the new key
 *
 * Each side switches its sending key right after its last frame under
 * the old one, and its receiving key right after the peer's last frame
 * under the old one, so no frame is lost and no trial decryption is
 * needed.  If both sides start at once, the client's exchange wins.
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "proto_int.h"

static void
rekey_context(const struct proto *p, uint8_t th[32])
{
	crypto_generichash_state st;
	uint8_t		 seq[8];
	int		 i;

	/* Both sides count completed rekeys alike; bind the number. */
	for (i = 0; i < 8; i++)
		seq[i] = (uint8_t)(p->rekeys >> (8 * i));
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)p->suite->rekey_ctx,
	    strlen(p->suite->rekey_ctx));
	crypto_generichash_update(&st, seq, sizeof(seq));
	crypto_generichash_final(&st, th, 32);
}

int
rekey_start(struct proto *p, uint64_t now)
{
	uint8_t	 msg[REKEY_KEY_LEN];

	if (p->state != ST_UP || p->closing || p->rk != RK_NONE)
		return (0);
	if (proto_keypair(p) == -1)
		return (-1);
	msg[0] = REKEY_INIT;
	memcpy(msg + 1, p->epk, 32);
	if (proto_queue(p, FRAME_REKEY, msg, sizeof(msg), now) == -1)
		return (-1);
	p->rk = RK_SENT;
	p->rk_ms = now;
	return (0);
}

/* Derive the next keys from the chain and a fresh exchange. */
static int
rekey_derive(struct proto *p, const uint8_t *peer, int initiator,
    struct proto_keys *k)
{
	uint8_t	 dh[32], th[32];

	if (proto_dh(dh, p->esk, peer) == -1)
		return (proto_fail(p, PROTO_F_PROTOCOL, "bad rekey key"));
	sodium_memzero(p->esk, sizeof(p->esk));
	rekey_context(p, th);
	if (initiator)
		hs_derive(p->suite, p->chain, p->suite->rekey_prk, dh, p->epk,
		    peer, th, k);
	else
		hs_derive(p->suite, p->chain, p->suite->rekey_prk, dh, peer,
		    p->epk, th, k);
	sodium_memzero(dh, sizeof(dh));
	return (0);
}

static int
rekey_on_init(struct proto *p, const uint8_t *peer, uint64_t now)
{
	struct proto_keys k;
	uint8_t		 msg[REKEY_KEY_LEN];
	int		 rc;

	if (p->rk == RK_WAIT_DONE)
		return (proto_fail(p, PROTO_F_PROTOCOL, "rekey during rekey"));
	if (p->rk == RK_SENT) {
		/* Crossed INITs: the server yields, the client ignores. */
		if (p->par.role == PROTO_CLIENT)
			return (0);
		sodium_memzero(p->esk, sizeof(p->esk));
	}
	if (proto_keypair(p) == -1 || rekey_derive(p, peer, 0, &k) == -1)
		return (-1);
	msg[0] = REKEY_REPLY;
	memcpy(msg + 1, p->epk, 32);
	rc = proto_queue(p, FRAME_REKEY, msg, sizeof(msg), now);
	if (rc == 0)
		hs_install(p, &k, INSTALL_TX | INSTALL_RX_NEXT);
	sodium_memzero(&k, sizeof(k));
	if (rc == -1)
		return (-1);
	p->tx_bytes = 0;
	p->rk = RK_WAIT_DONE;
	p->rk_ms = now;
	return (0);
}

static int
rekey_on_reply(struct proto *p, const uint8_t *peer, uint64_t now)
{
	struct proto_keys k;
	uint8_t		 msg = REKEY_DONE;
	int		 rc;

	if (p->rk != RK_SENT)
		return (proto_fail(p, PROTO_F_PROTOCOL, "unexpected rekey"));
	if (rekey_derive(p, peer, 1, &k) == -1)
		return (-1);
	hs_install(p, &k, INSTALL_RX);
	rc = proto_queue(p, FRAME_REKEY, &msg, 1, now);
	if (rc == 0)
		hs_install(p, &k, INSTALL_TX);
	sodium_memzero(&k, sizeof(k));
	if (rc == -1)
		return (-1);
	p->tx_bytes = 0;
	p->rk = RK_NONE;
	p->keys_ms = now;
	p->rekeys++;
	return (0);
}

static int
rekey_on_done(struct proto *p, uint64_t now)
{
	if (p->rk != RK_WAIT_DONE)
		return (proto_fail(p, PROTO_F_PROTOCOL, "unexpected rekey"));
	frame_key_wipe(&p->rx);
	frame_key_move(&p->rx, &p->rx_next);
	p->rk = RK_NONE;
	p->keys_ms = now;
	p->rekeys++;
	return (0);
}

/* A verified rekey frame's payload. */
int
rekey_input(struct proto *p, const uint8_t *m, size_t len, uint64_t now)
{
	/* After our close frame nothing more is sent: let it lapse. */
	if (p->closing)
		return (0);
	if (len == REKEY_KEY_LEN && m[0] == REKEY_INIT)
		return (rekey_on_init(p, m + 1, now));
	if (len == REKEY_KEY_LEN && m[0] == REKEY_REPLY)
		return (rekey_on_reply(p, m + 1, now));
	if (len == 1 && m[0] == REKEY_DONE)
		return (rekey_on_done(p, now));
	return (proto_fail(p, PROTO_F_PROTOCOL, "malformed rekey frame"));
}
