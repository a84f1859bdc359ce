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

/* The first byte says the version, and so how long the hello is. */
static ssize_t
input_hello(struct proto *p, uint8_t *buf, size_t len, uint64_t now)
{
	size_t	 hlen;

	if (len == 0)
		return (0);
	hlen = proto_hello_len(buf[0]);
	if (hlen == 0 || !hs_accepts(&p->par, buf[0]))
		return (proto_fail(p, PROTO_F_HANDSHAKE,
		    "unsupported protocol version"));
	p->need = hlen;
	if (len < hlen)
		return (0);
	if (hs_hello_input(p, buf) == -1)
		return (-1);
	p->state = ST_WAIT_CONFIRM;
	p->last_rx = now;
	p->need = PROTO_OVERHEAD;
	return (hlen);
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

/* Version 1: an empty close; version 2: exactly the reason byte. */
static int
input_close(struct proto *p, const uint8_t *m, size_t len,
    struct proto_event *ev)
{
	int	 v2 = proto_version(p) >= PROTO_V2;

	if (len != (v2 ? 1u : 0u))
		return (proto_fail(p, PROTO_F_PROTOCOL,
		    "bad control frame length"));
	ev->type = PROTO_EV_CLOSED;
	ev->reason = v2 ? m[0] : PROTO_CLOSE_NONE;
	proto_fail(p, PROTO_F_PROTOCOL, "closed by peer");
	p->state = ST_CLOSED;
	return (0);
}

/* PUSH and TICKET: version 2, and only from a server. */
static int
input_server_ctl(struct proto *p, uint8_t type, uint8_t *m, size_t len,
    struct proto_event *ev)
{
	if (proto_version(p) < PROTO_V2)
		return (proto_fail(p, PROTO_F_PROTOCOL, "unknown frame type"));
	if (p->par.role != PROTO_CLIENT)
		return (proto_fail(p, PROTO_F_PROTOCOL,
		    "server frame from a client"));
	if ((type == FRAME_PUSH && len > PROTO_PUSH_MAX) ||
	    (type == FRAME_TICKET && len != PROTO_TICKET_LEN))
		return (proto_fail(p, PROTO_F_PROTOCOL,
		    "bad control frame length"));
	ev->type = type == FRAME_PUSH ? PROTO_EV_PUSH : PROTO_EV_TICKET;
	ev->data = m;
	ev->len = len;
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
		if (len > p->par.max_payload)
			return (proto_fail(p, PROTO_F_PROTOCOL,
			    "data frame over maximum"));
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
		return (input_close(p, m, len, ev));
	case FRAME_PUSH:
	case FRAME_TICKET:
		return (input_server_ctl(p, type, m, len, ev));
	default:
		return (proto_fail(p, PROTO_F_PROTOCOL, "unknown frame type"));
	}
	return (proto_fail(p, PROTO_F_PROTOCOL, "bad control frame length"));
}

/*
 * The longest frame worth waiting for: max_payload, but a version 2
 * client also takes a PUSH of PROTO_PUSH_MAX whatever its max_payload.
 */
static size_t
input_limit(const struct proto *p)
{
	if (proto_version(p) >= PROTO_V2 && p->par.role == PROTO_CLIENT &&
	    p->par.max_payload < PROTO_PUSH_MAX)
		return (PROTO_PUSH_MAX);
	return (p->par.max_payload);
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
	if (plen > input_limit(p))
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
