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
 * The datagram form (dgram.h) behind the session's operations table.
 * Its events are told as the stream form's, so that the data path and
 * the session need one event loop: a datagram that brought the session
 * up is PROTO_EV_UP (with its packet, if it carried one).  What only
 * datagrams have (the flags that roaming needs, probe acks for the path
 * MTU search) is kept here for the caller to ask after each input.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "dgram.h"
#include "sessproto.h"

struct sdgram {
	struct dgram	*d;
	int		 flags;		/* of the last input */
	size_t		 ack_len;	/* a probe ack in it; 0 none */
	uint32_t	 ack_id;
};

static void
d_free(void *st)
{
	struct sdgram	*sd = st;

	if (sd == NULL)
		return;
	dgram_free(sd->d);
	free(sd);
}

static int
d_start(void *st, uint64_t now)
{
	return dgram_start(((struct sdgram *)st)->d, now);
}

static size_t
d_pending(void *st, const uint8_t **out)
{
	return dgram_pending(((struct sdgram *)st)->d, out);
}

/* One datagram at a time, whatever n says. */
static void
d_consume(void *st, size_t n)
{
	dgram_consume(((struct sdgram *)st)->d);
}

static void
d_event(struct sdgram *sd, const struct dgram_event *dev,
    struct proto_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	switch (dev->type) {
	case DGRAM_EV_DATA:
		ev->type = PROTO_EV_DATA;
		ev->data = dev->data;
		ev->len = dev->len;
		break;
	case DGRAM_EV_CLOSED:
		ev->type = PROTO_EV_CLOSED;
		ev->reason = dev->reason;
		break;
	case DGRAM_EV_PUSH:
		ev->type = PROTO_EV_PUSH;
		ev->data = dev->data;
		ev->len = dev->len;
		break;
	case DGRAM_EV_PROBE_ACK:
		sd->ack_len = dev->len;
		sd->ack_id = dev->id;
		break;
	default:
		/* NONE; TICKET: the tunnel does not keep tickets yet. */
		break;
	}
	if ((dev->flags & DGRAM_EVF_UP) && ev->type != PROTO_EV_CLOSED)
		ev->type = PROTO_EV_UP;
}

/* A whole datagram: all of it is consumed, or the session is over. */
static ssize_t
d_input(void *st, uint8_t *buf, size_t len, uint64_t now,
    struct proto_event *ev)
{
	struct sdgram		*sd = st;
	struct dgram_event	 dev;

	memset(&dev, 0, sizeof(dev));
	sd->flags = 0;
	sd->ack_len = 0;
	if (dgram_input(sd->d, buf, len, now, &dev) == -1) {
		memset(ev, 0, sizeof(*ev));
		return -1;
	}
	sd->flags = dev.flags;
	d_event(sd, &dev, ev);
	return len > 0 ? (ssize_t)len : 1;
}

static size_t
d_need(const void *st)
{
	return 0;
}

static size_t
d_seal(void *st, uint8_t *slot, size_t len, uint64_t now)
{
	return dgram_seal(((struct sdgram *)st)->d, slot, len, now);
}

static int
d_is_up(const void *st)
{
	return dgram_is_up(((const struct sdgram *)st)->d);
}

static int
d_tick(void *st, uint64_t now, uint64_t *next)
{
	return dgram_tick(((struct sdgram *)st)->d, now, next);
}

static void
d_close(void *st)
{
	dgram_close(((struct sdgram *)st)->d, PROTO_CLOSE_NONE);
}

static const char *
d_error(const void *st)
{
	return dgram_error(((const struct sdgram *)st)->d);
}

static int
d_fault(const void *st)
{
	return dgram_fault(((const struct sdgram *)st)->d);
}

static const char *
d_cipher(const void *st)
{
	return dgram_cipher_name(((const struct sdgram *)st)->d);
}

static uint64_t
d_rekeys(const void *st)
{
	return dgram_rekeys(((const struct sdgram *)st)->d);
}

static void
d_set_timers(void *st, uint32_t ka, uint32_t dead, uint32_t rk,
    uint64_t bytes)
{
	dgram_set_timers(((struct sdgram *)st)->d, ka, dead, rk, bytes);
}

static int
d_version(const void *st)
{
	return PROTO_V2;
}

static void
d_close_reason(void *st, int reason)
{
	dgram_close(((struct sdgram *)st)->d, reason);
}

static int
d_push(void *st, const uint8_t *buf, size_t len, uint64_t now)
{
	return dgram_push(((struct sdgram *)st)->d, buf, len, now);
}

static const struct sproto_ops dgram_ops = {
	"datagram", DGRAM_HDR_LEN, DGRAM_TAG_LEN, d_free, d_start, d_pending,
	d_consume, d_input, d_need, d_seal, d_is_up, d_tick, d_close, d_error,
	d_fault, d_cipher, d_rekeys, d_set_timers, d_version, d_close_reason,
	d_push, d_is_up, 0, 1, 0
};

struct sproto
sproto_dgram(struct dgram *d)
{
	struct sproto	 sp = { &dgram_ops, NULL };
	struct sdgram	*sd;

	if ((sd = calloc(1, sizeof(*sd))) == NULL) {
		dgram_free(d);
		sp.ops = NULL;
		return sp;
	}
	sd->d = d;
	sp.st = sd;
	return sp;
}

struct dgram *
sproto_dgram_of(const struct sproto *sp)
{
	return sp->ops == &dgram_ops ? ((struct sdgram *)sp->st)->d : NULL;
}

int
sproto_dgram_flags(const struct sproto *sp)
{
	return sp->ops == &dgram_ops ? ((struct sdgram *)sp->st)->flags : 0;
}

size_t
sproto_dgram_ack(const struct sproto *sp, uint32_t *id)
{
	struct sdgram	*sd;

	if (sp->ops != &dgram_ops)
		return 0;
	sd = sp->st;
	*id = sd->ack_id;
	return sd->ack_len;
}
