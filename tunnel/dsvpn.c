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
 * The DSVPN compatibility state machine: lifecycle, output, sealing and
 * the handshake timers.  See dsvpn.h for the calling rules and
 * doc/PROTOCOL-DSVPN.md for the bytes.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dsvpn_int.h"

void
dsvpn_resolve(struct dsvpn_params *d, const struct dsvpn_params *s)
{
	*d = *s;
	if (d->clock_window == 0)
		d->clock_window = DSVPN_DEF_CLOCK_WINDOW;
	if (d->handshake_ms == 0)
		d->handshake_ms = d->role == PROTO_SERVER ?
		    DSVPN_DEF_SERVER_HS_MS : DSVPN_DEF_CLIENT_HS_MS;
}

static void
dsvpn_wipe_keys(struct dsvpn *p)
{
	charm_wipe(&p->kx);
	charm_wipe(&p->tx);
	charm_wipe(&p->rx);
}

/* The session is over: wipe every secret, send nothing more. */
int
dsvpn_fail(struct dsvpn *p, int fault, const char *why)
{
	if (p->state != DS_DEAD) {
		p->fault = fault;
		p->err = why;
	}
	p->state = DS_DEAD;
	dsvpn_wipe_keys(p);
	sodium_memzero(p->out, sizeof(p->out));
	p->outlen = 0;
	p->need = 0;
	return (-1);
}

struct dsvpn *
dsvpn_new(const struct dsvpn_params *par)
{
	struct dsvpn	*p;

	if (sodium_init() == -1 ||
	    (par->role != PROTO_CLIENT && par->role != PROTO_SERVER) ||
	    (par->role == PROTO_SERVER && par->replay == NULL)) {
		errno = EINVAL;
		return (NULL);
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (NULL);
	dsvpn_resolve(&p->par, par);
	/* S is all the handshake needs of the key. */
	dshs_kx_init(&p->kx, p->par.psk);
	sodium_memzero(p->par.psk, sizeof(p->par.psk));
	if (p->par.role == PROTO_SERVER) {
		p->state = DS_WAIT_HELLO;
		p->need = DSVPN_HELLO_LEN;
	} else {
		p->state = DS_NEW;
		p->need = DSVPN_REPLY_LEN;
	}
	p->err = "no error";
	return (p);
}

void
dsvpn_free(struct dsvpn *p)
{
	if (p == NULL)
		return;
	sodium_memzero(p, sizeof(*p));
	free(p);
}

static void
dsvpn_clock(struct dsvpn *p, uint64_t now)
{
	if (!p->clocked) {
		p->clocked = 1;
		p->start_ms = now;
	}
}

int
dsvpn_start(struct dsvpn *p, uint64_t now)
{
	dsvpn_clock(p, now);
	if (p->par.role == PROTO_SERVER)
		return (p->state == DS_DEAD ? -1 : 0);
	if (p->state != DS_NEW)
		return (dsvpn_fail(p, PROTO_F_PROTOCOL, "started twice"));
	dshs_hello_make(p);
	p->state = DS_HELLO_SENT;
	return (0);
}

size_t
dsvpn_pending(struct dsvpn *p, const uint8_t **out)
{
	*out = p->out;
	return (p->outlen);
}

void
dsvpn_consume(struct dsvpn *p, size_t n)
{
	if (n >= p->outlen) {
		sodium_memzero(p->out, sizeof(p->out));
		p->outlen = 0;
		return;
	}
	memmove(p->out, p->out + n, p->outlen - n);
	p->outlen -= n;
}

size_t
dsvpn_need(const struct dsvpn *p)
{
	return (p->need);
}

int
dsvpn_is_up(const struct dsvpn *p)
{
	return (p->state == DS_UP);
}

int
dsvpn_can_send(const struct dsvpn *p)
{
	return (p->state == DS_UP || p->state == DS_WAIT_CONFIRM);
}

size_t
dsvpn_seal(struct dsvpn *p, uint8_t *frame, size_t len, uint64_t now)
{
	uint8_t	 tag[CHARM_TAG_LEN];

	if (!dsvpn_can_send(p) || len > DSVPN_MAX_PAYLOAD)
		return (0);
	frame[0] = (uint8_t)len;
	frame[1] = (uint8_t)(len >> 8);
	charm_encrypt(&p->tx, frame + DSVPN_HDR_LEN, len, tag);
	/* The other 10 bytes of the tag never leave (DSVPN's choice). */
	memcpy(frame + 2, tag, DSVPN_TAG_LEN);
	sodium_memzero(tag, sizeof(tag));
	return (len + DSVPN_HDR_LEN);
}

static int
tick_deadline(struct dsvpn *p, uint64_t from, uint32_t ms, uint64_t now,
    uint64_t *next, const char *why)
{
	if (now >= from + ms)
		return (dsvpn_fail(p, PROTO_F_TIMEOUT, why));
	*next = from + ms;
	return (0);
}

int
dsvpn_tick(struct dsvpn *p, uint64_t now, uint64_t *next)
{
	*next = UINT64_MAX;
	dsvpn_clock(p, now);
	switch (p->state) {
	case DS_DEAD:
		return (-1);
	case DS_NEW:
	case DS_HELLO_SENT:
	case DS_WAIT_HELLO:
		return (tick_deadline(p, p->start_ms, p->par.handshake_ms,
		    now, next, "handshake timed out"));
	case DS_WAIT_CONFIRM:
		if (p->par.confirm_ms == 0)
			return (0);
		return (tick_deadline(p, p->replied_ms, p->par.confirm_ms,
		    now, next, "no frame from the client"));
	default:
		return (0);
	}
}

void
dsvpn_close(struct dsvpn *p)
{
	if (p->state == DS_DEAD)
		return;
	dsvpn_wipe_keys(p);
	sodium_memzero(p->out, sizeof(p->out));
	p->outlen = 0;
	p->need = 0;
	p->state = DS_CLOSED;
}

const char *
dsvpn_error(const struct dsvpn *p)
{
	return (p->err);
}

int
dsvpn_fault(const struct dsvpn *p)
{
	return (p->fault);
}
