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
 * proto_tick(): the timers.  The protocol keeps no clock of its own; the
 * caller passes its monotonic milliseconds and calls again by *next_ms.
 */
#include "compat.h"

#include <sodium.h>

#include "proto_int.h"

static void
tick_next(uint64_t *next, uint64_t when)
{
	if (when < *next)
		*next = when;
}

static int
tick_handshake(struct proto *p, uint64_t now, uint64_t *next)
{
	uint64_t deadline = p->start_ms + p->par.handshake_ms;

	if (now >= deadline)
		return (proto_fail(p, PROTO_F_TIMEOUT,
		    "handshake timed out"));
	tick_next(next, deadline);
	return (0);
}

/*
 * The server waits an eighth longer than the client before rekeying on
 * time, so that the client normally leads and INITs rarely cross.
 */
static uint64_t
tick_rekey_after(const struct proto *p)
{
	uint64_t ms = p->par.rekey_ms;

	if (p->par.role == PROTO_SERVER)
		ms += ms / 8;
	return (ms);
}

static int
tick_up(struct proto *p, uint64_t now, uint64_t *next)
{
	uint64_t dead = p->last_rx + p->par.dead_ms;
	uint64_t rekey = p->keys_ms + tick_rekey_after(p);

	if (now >= dead)
		return (proto_fail(p, PROTO_F_TIMEOUT, "peer silent"));
	tick_next(next, dead);
	if (p->rk != RK_NONE) {
		if (now >= p->rk_ms + p->par.dead_ms)
			return (proto_fail(p, PROTO_F_TIMEOUT,
			    "rekey timed out"));
		tick_next(next, p->rk_ms + p->par.dead_ms);
	}
	if (p->closing)
		return (0);
	if (p->rk == RK_NONE && now >= rekey && rekey_start(p, now) == -1)
		return (-1);
	if (p->rk == RK_NONE)
		tick_next(next, rekey);
	/* Output already waiting counts as activity: no keepalive. */
	if (now >= p->last_tx + p->par.keepalive_ms) {
		if (p->outlen > 0)
			p->last_tx = now;
		else if (proto_queue(p, FRAME_KEEPALIVE, NULL, 0, now) == -1)
			return (-1);
	}
	tick_next(next, p->last_tx + p->par.keepalive_ms);
	return (0);
}

int
proto_tick(struct proto *p, uint64_t now, uint64_t *next)
{
	*next = UINT64_MAX;
	if (!p->clocked) {
		p->clocked = 1;
		p->start_ms = now;
	}
	switch (p->state) {
	case ST_DEAD:
		return (-1);
	case ST_CLOSED:
		return (0);
	case ST_UP:
		return (tick_up(p, now, next));
	default:
		return (tick_handshake(p, now, next));
	}
}
