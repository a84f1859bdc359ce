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
 * dsvpn_input(): one unit (hello, reply or frame) at a time, decrypted
 * in place.  Nothing of a frame is handed out before its tag verified,
 * and any failure ends the session, as DSVPN's "Corrupted stream" does.
 */
#include "compat.h"

#include <string.h>

#include "dsvpn_int.h"

static ssize_t
input_hello(struct dsvpn *p, uint8_t *buf, size_t len, uint64_t now)
{
	if (len < DSVPN_HELLO_LEN)
		return (0);
	if (dshs_hello_input(p, buf) == -1)
		return (-1);
	p->state = DS_WAIT_CONFIRM;
	p->replied_ms = now;
	p->need = DSVPN_HDR_LEN;
	return (DSVPN_HELLO_LEN);
}

static ssize_t
input_reply(struct dsvpn *p, uint8_t *buf, size_t len,
    struct proto_event *ev)
{
	if (len < DSVPN_REPLY_LEN)
		return (0);
	if (dshs_reply_input(p, buf) == -1)
		return (-1);
	p->state = DS_UP;
	p->need = DSVPN_HDR_LEN;
	ev->type = PROTO_EV_UP;
	return (DSVPN_REPLY_LEN);
}

/*
 * len[2, LE] | tag[6] | ciphertext[len].  The length is not
 * authenticated as such, but a wrong one makes the duplex absorb other
 * bytes, so the tag fails; any 16-bit value is a valid length.
 */
static ssize_t
input_frame(struct dsvpn *p, uint8_t *buf, size_t len,
    struct proto_event *ev)
{
	size_t	 plen;

	p->need = DSVPN_HDR_LEN;
	if (len < DSVPN_HDR_LEN)
		return (0);
	plen = (size_t)buf[0] | (size_t)buf[1] << 8;
	p->need = DSVPN_HDR_LEN + plen;
	if (len < p->need)
		return (0);
	if (charm_decrypt(&p->rx, buf + DSVPN_HDR_LEN, plen, buf + 2,
	    DSVPN_TAG_LEN) == -1)
		return (dsvpn_fail(p, PROTO_F_AUTH, "frame failed to verify"));
	p->need = DSVPN_HDR_LEN;
	if (p->state == DS_WAIT_CONFIRM) {
		/* Only a holder of this session's key could make it. */
		p->state = DS_UP;
		ev->type = PROTO_EV_UP;
		ev->data = buf + DSVPN_HDR_LEN;
		ev->len = plen;
	} else if (plen > 0) {
		ev->type = PROTO_EV_DATA;
		ev->data = buf + DSVPN_HDR_LEN;
		ev->len = plen;
	}
	return (DSVPN_HDR_LEN + plen);
}

ssize_t
dsvpn_input(struct dsvpn *p, uint8_t *buf, size_t len, uint64_t now,
    struct proto_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = PROTO_EV_NONE;
	if (!p->clocked) {
		p->clocked = 1;
		p->start_ms = now;
	}
	switch (p->state) {
	case DS_HELLO_SENT:
		return (input_reply(p, buf, len, ev));
	case DS_WAIT_HELLO:
		return (input_hello(p, buf, len, now));
	case DS_WAIT_CONFIRM:
	case DS_UP:
		return (input_frame(p, buf, len, ev));
	case DS_NEW:
		return (dsvpn_fail(p, PROTO_F_PROTOCOL, "input before start"));
	case DS_CLOSED:
		return (dsvpn_fail(p, PROTO_F_PROTOCOL, "input after close"));
	default:
		return (-1);
	}
}
