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
 * dgram_input(): one whole datagram.  Nothing that fails a check ends
 * the session or yields an event: it is dropped and counted.  Only an
 * authenticated datagram that breaks the protocol ends it.
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "dgram_int.h"

static int
in_probe(struct dgram *p, const uint8_t *b, size_t blen, size_t dlen,
    uint64_t now)
{
	uint8_t	 ack[PROBE_ACK_BODY];

	if (blen < 4)
		return (dgram_fail(p, PROTO_F_PROTOCOL, "malformed probe"));
	memcpy(ack, b, 4);
	ack[4] = (uint8_t)(dlen >> 24);
	ack[5] = (uint8_t)(dlen >> 16);
	ack[6] = (uint8_t)(dlen >> 8);
	ack[7] = (uint8_t)dlen;
	(void)dgram_queue_ctl(p, DI_PROBE_ACK, ack, sizeof(ack), now);
	return (0);
}

static int
in_probe_ack(struct dgram *p, const uint8_t *b, size_t blen,
    struct dgram_event *ev)
{
	uint32_t	 id, size;

	if (blen != PROBE_ACK_BODY)
		return (dgram_fail(p, PROTO_F_PROTOCOL, "malformed probe ack"));
	id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	size = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
	    (uint32_t)b[6] << 8 | b[7];
	if (size < DGRAM_PROBE_MIN || size > DGRAM_MAX_LEN || id == 0 ||
	    id > p->probe_id)
		return (dgram_fail(p, PROTO_F_PROTOCOL, "bad probe ack"));
	ev->type = DGRAM_EV_PROBE_ACK;
	ev->id = id;
	ev->len = size;
	return (0);
}

static int
in_close(struct dgram *p, const uint8_t *b, size_t blen,
    struct dgram_event *ev)
{
	if (blen != 1)
		return (dgram_fail(p, PROTO_F_PROTOCOL,
		    "bad control datagram length"));
	ev->type = DGRAM_EV_CLOSED;
	ev->reason = b[0];
	dgram_fail(p, PROTO_F_PROTOCOL, "closed by peer");
	p->state = DS_CLOSED;
	return (0);
}

/* The inner message of a verified datagram. */
static int
in_inner(struct dgram *p, uint8_t *d, size_t len, int current,
    uint64_t now, struct dgram_event *ev)
{
	uint8_t	*b = d + DGRAM_HDR_LEN;
	size_t	 blen = len - DGRAM_OVERHEAD;

	switch (d[DH_CLEAR]) {
	case DI_DATA:
		if (blen == 0 || blen > p->par.base.max_payload)
			return (dgram_fail(p, PROTO_F_PROTOCOL,
			    "bad data datagram length"));
		ev->type = DGRAM_EV_DATA;
		ev->data = b;
		ev->len = blen;
		return (0);
	case DI_KEEPALIVE:
		if (blen != 0)
			return (dgram_fail(p, PROTO_F_PROTOCOL,
			    "bad control datagram length"));
		return (0);
	case DI_REKEY:
		return (dgram_rekey_input(p, b, blen, current, now));
	case DI_CLOSE:
		return (in_close(p, b, blen, ev));
	case DI_PUSH:
	case DI_TICKET:
	case DI_ACK:
		return (dgram_rel_input(p, d[DH_CLEAR], b, blen, now, ev));
	case DI_PROBE:
		return (in_probe(p, b, blen, len, now));
	case DI_PROBE_ACK:
		return (in_probe_ack(p, b, blen, ev));
	default:
		return (dgram_fail(p, PROTO_F_PROTOCOL,
		    "unknown datagram type"));
	}
}

static int
in_data(struct dgram *p, uint8_t *d, size_t len, uint64_t now,
    struct dgram_event *ev)
{
	int	 slot, newest;

	if (dgram_frame_open(p, d, len, &slot, &newest) == -1)
		return (0);
	p->last_rx = now;
	ev->flags |= DGRAM_EVF_AUTH | (newest ? DGRAM_EVF_NEWEST : 0);
	if (slot != p->cur && p->other == RX_NEXT)
		dgram_rekey_switch(p, now);
	else if (slot == p->cur && p->other == RX_PREV && p->prev_until == 0)
		p->prev_until = now + DGRAM_PREV_KEEP_MS;
	if (p->state == DS_WAIT_CONFIRM) {
		/* Any datagram of the client's confirms its keys; say so. */
		p->state = DS_UP;
		p->keys_ms = p->last_tx = now;
		ev->flags |= DGRAM_EVF_UP;
		(void)dgram_queue_ctl(p, DI_KEEPALIVE, NULL, 0, now);
	}
	p->confirmed = 1;
	if (in_inner(p, d, len, slot == p->cur, now, ev) == -1)
		return (-1);
	return (p->state == DS_DEAD ? -1 : 0);
}

int
dgram_input(struct dgram *p, uint8_t *d, size_t len, uint64_t now,
    struct dgram_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (!p->clocked) {
		p->clocked = 1;
		p->start_ms = now;
	}
	if (p->state == DS_DEAD)
		return (-1);
	if (len == 0) {
		dgram_drop(p, DGRAM_DROP_MALFORMED);
		return (0);
	}
	switch (p->state) {
	case DS_HELLO_SENT:
		if (d[0] == DGRAM_T_REPLY)
			return (dgram_reply_input(p, d, len, now, ev));
		if (d[0] == DGRAM_T_COOKIE)
			return (dgram_cookie_input(p, d, len, now));
		break;
	case DS_WAIT_HELLO:
		/* The caller made this session for this hello: a refusal
		 * now is the caller's mistake, and ends it. */
		if (d[0] == DGRAM_T_HELLO)
			return (dgram_hello_input(p, d, len, now));
		break;
	case DS_WAIT_CONFIRM:
	case DS_UP:
		if (d[0] == DGRAM_T_DATA)
			return (in_data(p, d, len, now, ev));
		break;
	default:
		break;
	}
	dgram_drop(p, d[0] >= DGRAM_T_HELLO && d[0] <= DGRAM_T_DATA ?
	    DGRAM_DROP_STATE : DGRAM_DROP_MALFORMED);
	return (0);
}
