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
 * Rekey over datagrams, where any message may be lost, repeated or
 * late.  Keys carry a one-bit phase in every data datagram.
 *
 *   initiator I                            responder R
 *   INIT(EI), repeated on a backoff  --->  derive; new keys as "next";
 *                                          REPLY(ER) under the old key
 *                                    <---  (again for each repeat of INIT)
 *   derive; send with the new key at
 *   once (DONE first), receive both  --->  first datagram under the next
 *                                          key: switch, keep the old
 *                                          receive key a while
 *
 * Rekey messages count only under the current receive key: a late
 * INIT or REPLY under an old key is ignored.  The old receive key goes
 * DGRAM_PREV_KEEP_MS after the peer was seen with the new one, so that
 * reordered stragglers still arrive.  If both start at once, the
 * client's exchange wins, as over TCP.  An exchange unfinished within
 * dead_ms ends the session.
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "dgram_int.h"

static void
dr_context(const struct dgram *p, uint8_t th[32])
{
	crypto_generichash_state st;
	const struct hs_suite	*su = dgram_suite();
	uint8_t			 seq[8];
	int			 i;

	for (i = 0; i < 8; i++)
		seq[i] = (uint8_t)(p->rekeys >> (8 * i));
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)su->rekey_ctx,
	    strlen(su->rekey_ctx));
	crypto_generichash_update(&st, seq, sizeof(seq));
	crypto_generichash_final(&st, th, 32);
}

/* The next keys from the chain, our secret and the peer's ephemeral. */
static int
dr_derive(struct dgram *p, const uint8_t *peer, int initiator,
    struct proto_keys *k)
{
	const struct hs_suite	*su = dgram_suite();
	uint8_t			 dh[32], th[32];

	if (proto_dh(dh, p->esk, peer) == -1)
		return (dgram_fail(p, PROTO_F_PROTOCOL, "bad rekey key"));
	sodium_memzero(p->esk, sizeof(p->esk));
	dr_context(p, th);
	if (initiator)
		hs_derive(su, p->chain, su->rekey_prk, dh, p->rk_epk, peer,
		    th, k);
	else
		hs_derive(su, p->chain, su->rekey_prk, dh, peer, p->rk_epk,
		    th, k);
	sodium_memzero(dh, sizeof(dh));
	memcpy(p->chain, k->chain, sizeof(p->chain));
	return (0);
}

static int
dr_send(struct dgram *p, uint8_t what, uint64_t now)
{
	uint8_t	 msg[REKEY_KEY_LEN];

	msg[0] = what;
	memcpy(msg + 1, p->rk_epk, 32);
	return (dgram_queue_ctl(p, DI_REKEY, msg, what == REKEY_DONE ? 1 :
	    sizeof(msg), now));
}

int
dgram_rekey_start(struct dgram *p, uint64_t now)
{
	if (p->state != DS_UP || p->closing || p->rk != DRK_NONE)
		return (0);
	if (proto_keypair_make(&p->par.base, p->esk, p->rk_epk) == -1)
		return (dgram_fail(p, PROTO_F_PROTOCOL, "no ephemeral key"));
	p->rk = DRK_SENT;
	p->rk_ms = now;
	p->rk_rto = p->par.retransmit_ms;
	p->rk_next_ms = now + p->rk_rto;
	(void)dr_send(p, REKEY_INIT, now);
	return (0);
}

static void
dr_done(struct dgram *p, uint64_t now)
{
	p->rk = DRK_NONE;
	p->rekeys++;
	p->keys_ms = now;
	p->tx_bytes = 0;
}

/* Responder: answer an INIT; the new keys wait for the switch. */
static int
dr_on_init(struct dgram *p, const uint8_t *peer, uint64_t now)
{
	struct proto_keys k;
	int		 np = p->tx.phase ^ 1, o = !p->cur;

	if (p->rk == DRK_WAIT_SWITCH) {
		/* Our REPLY was lost: the same INIT again. */
		if (sodium_memcmp(peer, p->rk_peer, 32) == 0) {
			(void)dr_send(p, REKEY_REPLY, now);
			return (0);
		}
		return (dgram_fail(p, PROTO_F_PROTOCOL, "rekey during rekey"));
	}
	if (p->rk == DRK_SENT) {
		/* Crossed INITs: the server yields, the client ignores. */
		if (p->par.base.role == PROTO_CLIENT)
			return (0);
		sodium_memzero(p->esk, sizeof(p->esk));
	}
	if (proto_keypair_make(&p->par.base, p->esk, p->rk_epk) == -1)
		return (dgram_fail(p, PROTO_F_PROTOCOL, "no ephemeral key"));
	if (dr_derive(p, peer, 0, &k) == -1)
		return (-1);
	dkey_tx_set(&p->tx_next, p->cipher, p->par.base.role ==
	    PROTO_CLIENT ? k.c2s : k.s2c, np);
	dkey_rx_set(&p->rx[o], p->cipher, p->par.base.role == PROTO_CLIENT ?
	    k.s2c : k.c2s, np);
	sodium_memzero(&k, sizeof(k));
	p->other = RX_NEXT;
	memcpy(p->rk_peer, peer, 32);
	p->rk = DRK_WAIT_SWITCH;
	p->rk_ms = now;
	(void)dr_send(p, REKEY_REPLY, now);
	return (0);
}

/* Initiator: the REPLY; send and receive with the new keys at once. */
static int
dr_on_reply(struct dgram *p, const uint8_t *peer, uint64_t now)
{
	struct proto_keys k;
	int		 np = p->tx.phase ^ 1, o = !p->cur;

	if (p->rk != DRK_SENT)
		return (dgram_fail(p, PROTO_F_PROTOCOL, "unexpected rekey"));
	if (dr_derive(p, peer, 1, &k) == -1)
		return (-1);
	dkey_tx_set(&p->tx, p->cipher, p->par.base.role == PROTO_CLIENT ?
	    k.c2s : k.s2c, np);
	dkey_rx_set(&p->rx[o], p->cipher, p->par.base.role == PROTO_CLIENT ?
	    k.s2c : k.c2s, np);
	sodium_memzero(&k, sizeof(k));
	/* The old receive key stays until the peer uses the new one. */
	p->cur = o;
	p->other = RX_PREV;
	p->prev_until = 0;
	dr_done(p, now);
	(void)dr_send(p, REKEY_DONE, now);
	return (0);
}

/* Responder: the first datagram under the next key. */
void
dgram_rekey_switch(struct dgram *p, uint64_t now)
{
	memcpy(&p->tx, &p->tx_next, sizeof(p->tx));
	sodium_memzero(&p->tx_next, sizeof(p->tx_next));
	p->cur = !p->cur;
	p->other = RX_PREV;
	p->prev_until = now + DGRAM_PREV_KEEP_MS;
	sodium_memzero(p->rk_peer, sizeof(p->rk_peer));
	dr_done(p, now);
}

/* A verified rekey message; current: under the current receive key. */
int
dgram_rekey_input(struct dgram *p, const uint8_t *m, size_t len,
    int current, uint64_t now)
{
	if (len == REKEY_KEY_LEN && m[0] == REKEY_INIT) {
		if (!current || p->closing)
			return (0);
		return (dr_on_init(p, m + 1, now));
	}
	if (len == REKEY_KEY_LEN && m[0] == REKEY_REPLY) {
		if (!current || p->closing)
			return (0);
		return (dr_on_reply(p, m + 1, now));
	}
	/* DONE: the switch it causes has happened already. */
	if (len == 1 && m[0] == REKEY_DONE)
		return (0);
	return (dgram_fail(p, PROTO_F_PROTOCOL, "malformed rekey"));
}

static void
tick_next(uint64_t *next, uint64_t when)
{
	if (when < *next)
		*next = when;
}

/* Repeat an INIT, time an exchange out, retire the old receive key. */
int
dgram_rekey_tick(struct dgram *p, uint64_t now, uint64_t *next)
{
	uint64_t	 limit = p->rk_ms + p->par.base.dead_ms;

	if (p->rk != DRK_NONE) {
		if (now >= limit)
			return (dgram_fail(p, PROTO_F_TIMEOUT,
			    "rekey timed out"));
		tick_next(next, limit);
	}
	if (p->rk == DRK_SENT) {
		if (now >= p->rk_next_ms) {
			p->rk_rto = dgram_backoff(p->rk_rto);
			p->rk_next_ms = now + p->rk_rto;
			(void)dr_send(p, REKEY_INIT, now);
		}
		tick_next(next, p->rk_next_ms);
	}
	if (p->other == RX_PREV && p->prev_until != 0) {
		if (now >= p->prev_until) {
			sodium_memzero(&p->rx[!p->cur], sizeof(p->rx[0]));
			p->other = RX_NONE;
		} else
			tick_next(next, p->prev_until);
	}
	return (0);
}
