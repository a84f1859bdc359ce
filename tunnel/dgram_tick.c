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
 * dgram_tick(): the datagram protocol's timers.  As over TCP, plus the
 * handshake's retransmissions and those of rekey and reliable messages.
 */
#include "compat.h"

#include <sodium.h>

#include "dgram_int.h"

static void
tick_next(uint64_t *next, uint64_t when)
{
	if (when < *next)
		*next = when;
}

static int
tick_handshake(struct dgram *p, uint64_t now, uint64_t *next)
{
	uint64_t	 deadline = p->start_ms + p->par.base.handshake_ms;

	if (now >= deadline)
		return (dgram_fail(p, PROTO_F_TIMEOUT, "handshake timed out"));
	tick_next(next, deadline);
	if (p->state != DS_HELLO_SENT)
		return (0);
	/* No reply yet: a new hello, on a backoff. */
	if (now >= p->hs_next_ms) {
		p->hs_rto = dgram_backoff(p->hs_rto);
		if (dgram_hello_make(p, now) == -1)
			return (dgram_fail(p, PROTO_F_HANDSHAKE,
			    "no ephemeral key"));
	}
	tick_next(next, p->hs_next_ms);
	return (0);
}

static uint64_t
tick_rekey_after(const struct dgram *p)
{
	uint64_t	 ms = p->par.base.rekey_ms;

	if (p->par.base.role == PROTO_SERVER)
		ms += ms / 8;
	return (ms);
}

static int
tick_up(struct dgram *p, uint64_t now, uint64_t *next)
{
	uint64_t	 dead = p->last_rx + p->par.base.dead_ms;
	uint64_t	 rekey = p->keys_ms + tick_rekey_after(p);

	if (now >= dead)
		return (dgram_fail(p, PROTO_F_TIMEOUT, "peer silent"));
	tick_next(next, dead);
	if (dgram_rekey_tick(p, now, next) == -1)
		return (-1);
	if (p->closing)
		return (0);
	if (!p->confirmed) {
		/* Our confirmation may be lost: it stands for the handshake. */
		if (now >= p->conf_next_ms) {
			p->conf_rto = dgram_backoff(p->conf_rto);
			p->conf_next_ms = now + p->conf_rto;
			(void)dgram_queue_ctl(p, DI_KEEPALIVE, NULL, 0, now);
		}
		tick_next(next, p->conf_next_ms);
	}
	dgram_rel_tick(p, now, next);
	if (p->rk == DRK_NONE && now >= rekey &&
	    dgram_rekey_start(p, now) == -1)
		return (-1);
	if (p->rk == DRK_NONE)
		tick_next(next, rekey);
	if (now >= p->last_tx + p->par.base.keepalive_ms) {
		if (p->outlen > 0)
			p->last_tx = now;
		else
			(void)dgram_queue_ctl(p, DI_KEEPALIVE, NULL, 0, now);
	}
	tick_next(next, p->last_tx + p->par.base.keepalive_ms);
	return (0);
}

int
dgram_tick(struct dgram *p, uint64_t now, uint64_t *next)
{
	*next = UINT64_MAX;
	if (!p->clocked) {
		p->clocked = 1;
		p->start_ms = now;
	}
	switch (p->state) {
	case DS_DEAD:
		return (-1);
	case DS_CLOSED:
		return (0);
	case DS_UP:
		return (tick_up(p, now, next));
	default:
		return (tick_handshake(p, now, next));
	}
}
