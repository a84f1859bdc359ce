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
 * Reliable messages over datagrams: the server's PUSH (in at most
 * PUSH_MAX_FRAGS fragments of DGRAM_FRAG_MAX bytes, so that it fits
 * the smallest path MTU) and TICKET, each with a message id, repeated
 * on a backoff until the client acknowledges every fragment.  The
 * client acknowledges every copy it gets, delivers each message once,
 * and never delivers one older than what it already delivered (serial
 * number arithmetic on the 16-bit ids, RFC 1982).
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dgram_int.h"

static void
put16be(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint16_t
get16be(const uint8_t *b)
{
	return ((uint16_t)(b[0] << 8 | b[1]));
}

/* Is id a later message than seen? */
static int
rel_newer(uint16_t id, uint16_t seen)
{
	return ((int16_t)(uint16_t)(id - seen) > 0);
}

void
dgram_rel_send(struct dgram *p, struct dgram_rel *r, uint64_t now)
{
	uint8_t	 b[PUSH_HDR + DGRAM_FRAG_MAX];
	size_t	 off, n;
	int	 i;

	put16be(b, r->id);
	if (r->type == DI_TICKET) {
		memcpy(b + 2, r->data, PROTO_TICKET_LEN);
		(void)dgram_queue_ctl(p, DI_TICKET, b, TICKET_BODY, now);
	} else
		for (i = 0; i < r->nfrag; i++) {
			if (r->acked & (1 << i))
				continue;
			off = (size_t)i * DGRAM_FRAG_MAX;
			n = r->len - off > DGRAM_FRAG_MAX ? DGRAM_FRAG_MAX :
			    r->len - off;
			b[2] = (uint8_t)i;
			b[3] = r->nfrag;
			memcpy(b + PUSH_HDR, r->data + off, n);
			(void)dgram_queue_ctl(p, DI_PUSH, b, PUSH_HDR + n,
			    now);
		}
	r->next_ms = now + r->rto;
}

static void
rel_clear(struct dgram_rel *r)
{
	if (r->data != NULL) {
		sodium_memzero(r->data, r->len);
		free(r->data);
	}
	memset(r, 0, sizeof(*r));
}

void
dgram_rel_free(struct dgram *p)
{
	rel_clear(&p->rel[0]);
	rel_clear(&p->rel[1]);
	if (p->reasm != NULL) {
		sodium_memzero(p->reasm, PROTO_PUSH_MAX);
		free(p->reasm);
		p->reasm = NULL;
	}
	p->reasm_have = 0;
}

void
dgram_rel_tick(struct dgram *p, uint64_t now, uint64_t *next)
{
	struct dgram_rel	*r;
	int			 i;

	for (i = 0; i < 2; i++) {
		r = &p->rel[i];
		if (!r->active)
			continue;
		if (now >= r->next_ms) {
			r->rto = dgram_backoff(r->rto);
			dgram_rel_send(p, r, now);
		}
		if (r->next_ms < *next)
			*next = r->next_ms;
	}
}

static void
rel_ack(struct dgram *p, uint16_t id, uint8_t index, uint64_t now)
{
	uint8_t	 b[ACK_BODY];

	put16be(b, id);
	b[2] = index;
	(void)dgram_queue_ctl(p, DI_ACK, b, sizeof(b), now);
}

/* Server: the client has this fragment. */
static int
rel_on_ack(struct dgram *p, const uint8_t *b, size_t len)
{
	struct dgram_rel	*r;
	uint16_t		 id;
	int			 i;

	if (p->par.base.role != PROTO_SERVER || len != ACK_BODY)
		return (dgram_fail(p, PROTO_F_PROTOCOL, "malformed ack"));
	id = get16be(b);
	for (i = 0; i < 2; i++) {
		r = &p->rel[i];
		if (!r->active || r->id != id || b[2] >= r->nfrag)
			continue;
		r->acked |= 1 << b[2];
		if (r->acked == (1 << r->nfrag) - 1)
			rel_clear(r);
	}
	return (0);
}

/* A push fragment's header: count 1 or 2, full fragments but the last. */
static int
push_shape(const uint8_t *b, size_t len)
{
	size_t	 chunk = len - PUSH_HDR;

	if (len < PUSH_HDR || b[3] < 1 || b[3] > PUSH_MAX_FRAGS ||
	    b[2] >= b[3] || chunk > DGRAM_FRAG_MAX)
		return (-1);
	if (b[2] < b[3] - 1 && chunk != DGRAM_FRAG_MAX)
		return (-1);
	if (b[3] > 1 && b[2] == b[3] - 1 && chunk == 0)
		return (-1);
	return (0);
}

static void
push_deliver(struct dgram *p, uint16_t id, uint8_t *data, size_t len,
    struct dgram_event *ev)
{
	p->got_push = 1;
	p->push_seen = id;
	ev->type = DGRAM_EV_PUSH;
	ev->data = data;
	ev->len = len;
}

/* Client: a push fragment.  Whole pushes are delivered once. */
static int
rel_on_push(struct dgram *p, uint8_t *b, size_t len, uint64_t now,
    struct dgram_event *ev)
{
	uint16_t	 id;
	size_t		 chunk = len - PUSH_HDR;
	uint8_t		 all;

	if (p->par.base.role != PROTO_CLIENT || push_shape(b, len) == -1)
		return (dgram_fail(p, PROTO_F_PROTOCOL, "malformed push"));
	id = get16be(b);
	rel_ack(p, id, b[2], now);
	if (p->got_push && !rel_newer(id, p->push_seen))
		return (0);
	if (b[3] == 1) {
		push_deliver(p, id, b + PUSH_HDR, chunk, ev);
		p->reasm_have = 0;
		return (0);
	}
	if (p->reasm_have != 0 && p->reasm_id != id) {
		if (!rel_newer(id, p->reasm_id))
			return (0);
		p->reasm_have = 0;
	}
	if (p->reasm == NULL &&
	    (p->reasm = malloc(PROTO_PUSH_MAX)) == NULL)
		return (0);		/* it will come again */
	p->reasm_id = id;
	memcpy(p->reasm + (size_t)b[2] * DGRAM_FRAG_MAX, b + PUSH_HDR, chunk);
	if (b[2] == b[3] - 1)
		p->reasm_len = (size_t)b[2] * DGRAM_FRAG_MAX + chunk;
	p->reasm_have |= 1 << b[2];
	all = (uint8_t)((1 << b[3]) - 1);
	if (p->reasm_have == all) {
		push_deliver(p, id, p->reasm, p->reasm_len, ev);
		p->reasm_have = 0;
	}
	return (0);
}

static int
rel_on_ticket(struct dgram *p, uint8_t *b, size_t len, uint64_t now,
    struct dgram_event *ev)
{
	uint16_t	 id;

	if (p->par.base.role != PROTO_CLIENT || len != TICKET_BODY)
		return (dgram_fail(p, PROTO_F_PROTOCOL, "malformed ticket"));
	id = get16be(b);
	rel_ack(p, id, 0, now);
	if (p->got_ticket && !rel_newer(id, p->ticket_seen))
		return (0);
	p->got_ticket = 1;
	p->ticket_seen = id;
	ev->type = DGRAM_EV_TICKET;
	ev->data = b + 2;
	ev->len = PROTO_TICKET_LEN;
	return (0);
}

int
dgram_rel_input(struct dgram *p, uint8_t type, uint8_t *b, size_t len,
    uint64_t now, struct dgram_event *ev)
{
	switch (type) {
	case DI_ACK:
		return (rel_on_ack(p, b, len));
	case DI_PUSH:
		return (rel_on_push(p, b, len, now, ev));
	default:
		return (rel_on_ticket(p, b, len, now, ev));
	}
}
