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
 * DSVPN's protocol (dsvpn.h) behind the session's operations table: an
 * 8-byte header and no trailer (the 6-byte tag sits in the header).
 * What DSVPN does not have is a no-op here: rekeying, keepalive and
 * dead-peer timers (TCP finds dead peers: tcp_dead), close reasons and
 * pushed settings.
 */
#include "compat.h"

#include "dsvpn.h"
#include "sessproto.h"

static void
d_free(void *st)
{
	dsvpn_free(st);
}

static int
d_start(void *st, uint64_t now)
{
	return dsvpn_start(st, now);
}

static size_t
d_pending(void *st, const uint8_t **out)
{
	return dsvpn_pending(st, out);
}

static void
d_consume(void *st, size_t n)
{
	dsvpn_consume(st, n);
}

static ssize_t
d_input(void *st, uint8_t *buf, size_t len, uint64_t now,
    struct proto_event *ev)
{
	return dsvpn_input(st, buf, len, now, ev);
}

static size_t
d_need(const void *st)
{
	return dsvpn_need(st);
}

static size_t
d_seal(void *st, uint8_t *slot, size_t len, uint64_t now)
{
	return dsvpn_seal(st, slot, len, now);
}

static int
d_is_up(const void *st)
{
	return dsvpn_is_up(st);
}

static int
d_can_send(const void *st)
{
	return dsvpn_can_send(st);
}

static int
d_tick(void *st, uint64_t now, uint64_t *next)
{
	return dsvpn_tick(st, now, next);
}

static void
d_close(void *st)
{
	dsvpn_close(st);
}

static const char *
d_error(const void *st)
{
	return dsvpn_error(st);
}

static int
d_fault(const void *st)
{
	return dsvpn_fault(st);
}

/* Xoodoo[12] in Charm's duplex, with 48-bit tags. */
static const char *
d_cipher(const void *st)
{
	return "charm";
}

static uint64_t
d_rekeys(const void *st)
{
	return 0;
}

static void
d_set_timers(void *st, uint32_t ka, uint32_t dead, uint32_t rk,
    uint64_t bytes)
{
}

static int
d_version(const void *st)
{
	return 0;
}

/* No close frame: the session ends with its TCP connection. */
static void
d_close_reason(void *st, int reason)
{
}

static int
d_push(void *st, const uint8_t *buf, size_t len, uint64_t now)
{
	return -1;
}

static const struct sproto_ops dsvpn_ops = {
	"dsvpn", DSVPN_HDR_LEN, 0, d_free, d_start, d_pending, d_consume,
	d_input, d_need, d_seal, d_is_up, d_tick, d_close, d_error, d_fault,
	d_cipher, d_rekeys, d_set_timers, d_version, d_close_reason, d_push,
	d_can_send, 1, 0, 1
};

struct sproto
sproto_dsvpn(struct dsvpn *p)
{
	struct sproto	 sp = { &dsvpn_ops, p };

	return sp;
}
