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
 * proto_input(): one unit (hello, reply or frame) at a time, decrypted
 * in place.  Nothing of a frame is handed out before its tag verified,
 * and any failure ends the session.
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "proto_int.h"

static ssize_t
input_hello(struct proto *p, uint8_t *buf, size_t len, uint64_t now)
{
	if (len < PROTO_HELLO_LEN)
		return (0);
	if (hs_hello_input(p, buf) == -1)
		return (-1);
	p->state = ST_WAIT_CONFIRM;
	p->last_rx = now;
	p->need = PROTO_OVERHEAD;
	return (PROTO_HELLO_LEN);
}

static ssize_t
input_reply(struct proto *p, uint8_t *buf, size_t len, uint64_t now,
    struct proto_event *ev)
{
	if (len < PROTO_REPLY_LEN)
		return (0);
	if (hs_reply_input(p, buf) == -1)
		return (-1);
	/* Our first frame proves to the server that we hold the keys. */
	p->state = ST_UP;
	if (proto_queue(p, FRAME_KEEPALIVE, NULL, 0, now) == -1)
		return (-1);
	p->keys_ms = p->last_rx = now;
	p->need = PROTO_OVERHEAD;
	ev->type = PROTO_EV_UP;
	return (PROTO_REPLY_LEN);
}

/* The server's first frame from the client must be its confirmation. */
static int
input_confirm(struct proto *p, uint8_t type, size_t len, uint64_t now,
    struct proto_event *ev)
{
	if (type != FRAME_KEEPALIVE || len != 0)
		return (proto_fail(p, PROTO_F_PROTOCOL,
		    "expected key confirmation"));
	p->state = ST_UP;
	p->keys_ms = now;
	p->last_tx = now;
	ev->type = PROTO_EV_UP;
	return (0);
}

static int
input_dispatch(struct proto *p, uint8_t type, uint8_t *m, size_t len,
    uint64_t now, struct proto_event *ev)
{
	if (p->state == ST_WAIT_CONFIRM)
		return (input_confirm(p, type, len, now, ev));
	switch (type) {
	case FRAME_DATA:
		if (len == 0)
			break;
		ev->type = PROTO_EV_DATA;
		ev->data = m;
		ev->len = len;
		return (0);
	case FRAME_KEEPALIVE:
		if (len != 0)
			break;
		return (0);
	case FRAME_REKEY:
		return (rekey_input(p, m, len, now));
	case FRAME_CLOSE:
		if (len != 0)
			break;
		ev->type = PROTO_EV_CLOSED;
		proto_fail(p, PROTO_F_PROTOCOL, "closed by peer");
		p->state = ST_CLOSED;
		return (0);
	default:
		return (proto_fail(p, PROTO_F_PROTOCOL, "unknown frame type"));
	}
	return (proto_fail(p, PROTO_F_PROTOCOL, "bad control frame length"));
}

static ssize_t
input_frame(struct proto *p, uint8_t *buf, size_t len, uint64_t now,
    struct proto_event *ev)
{
	uint8_t	 hdr[PROTO_HDR_LEN];
	size_t	 plen;

	p->need = PROTO_OVERHEAD;
	if (len < PROTO_HDR_LEN)
		return (0);
	frame_peek(&p->rx, buf, hdr);
	plen = (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	/*
	 * The length is not authenticated yet: too long means a corrupt or
	 * forged header (or a peer with a larger max_payload), counted as a
	 * frame that failed to verify.
	 */
	if (plen > p->par.max_payload)
		return (proto_fail(p, PROTO_F_AUTH,
		    "frame length over maximum"));
	p->need = plen + PROTO_OVERHEAD;
	if (len < p->need)
		return (0);
	if (frame_open(&p->rx, p->cipher, hdr, buf, plen) == -1)
		return (proto_fail(p, PROTO_F_AUTH, "frame failed to verify"));
	p->last_rx = now;
	p->need = PROTO_OVERHEAD;
	if (input_dispatch(p, hdr[0], buf + PROTO_HDR_LEN, plen, now,
	    ev) == -1)
		return (-1);
	return (plen + PROTO_OVERHEAD);
}

ssize_t
proto_input(struct proto *p, uint8_t *buf, size_t len, uint64_t now,
    struct proto_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = PROTO_EV_NONE;
	if (!p->clocked) {
		p->clocked = 1;
		p->start_ms = now;
	}
	switch (p->state) {
	case ST_HELLO_SENT:
		return (input_reply(p, buf, len, now, ev));
	case ST_WAIT_HELLO:
		return (input_hello(p, buf, len, now));
	case ST_WAIT_CONFIRM:
	case ST_UP:
		return (input_frame(p, buf, len, now, ev));
	case ST_NEW:
		return (proto_fail(p, PROTO_F_PROTOCOL, "input before start"));
	case ST_CLOSED:
		return (proto_fail(p, PROTO_F_PROTOCOL, "input after close"));
	default:
		return (-1);
	}
}
