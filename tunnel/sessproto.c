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

/* The native protocol (proto.h) behind the session's operations table. */
#include "compat.h"

#include "sessproto.h"

static void
n_free(void *st)
{
	proto_free(st);
}

static int
n_start(void *st, uint64_t now)
{
	return proto_start(st, now);
}

static size_t
n_pending(void *st, const uint8_t **out)
{
	return proto_pending(st, out);
}

static void
n_consume(void *st, size_t n)
{
	proto_consume(st, n);
}

static ssize_t
n_input(void *st, uint8_t *buf, size_t len, uint64_t now,
    struct proto_event *ev)
{
	return proto_input(st, buf, len, now, ev);
}

static size_t
n_need(const void *st)
{
	return proto_need(st);
}

static size_t
n_seal(void *st, uint8_t *slot, size_t len, uint64_t now)
{
	return proto_seal(st, slot, len, now);
}

static int
n_is_up(const void *st)
{
	return proto_is_up(st);
}

static int
n_tick(void *st, uint64_t now, uint64_t *next)
{
	return proto_tick(st, now, next);
}

static void
n_close(void *st)
{
	proto_close(st);
}

static const char *
n_error(const void *st)
{
	return proto_error(st);
}

static int
n_fault(const void *st)
{
	return proto_fault(st);
}

static const char *
n_cipher(const void *st)
{
	return proto_cipher_name(st);
}

static uint64_t
n_rekeys(const void *st)
{
	return proto_rekeys(st);
}

static void
n_set_timers(void *st, uint32_t ka, uint32_t dead, uint32_t rk,
    uint64_t bytes)
{
	proto_set_timers(st, ka, dead, rk, bytes);
}

static int
n_version(const void *st)
{
	return proto_version(st);
}

static void
n_close_reason(void *st, int reason)
{
	proto_close_reason(st, reason);
}

static int
n_push(void *st, const uint8_t *buf, size_t len, uint64_t now)
{
	return proto_push(st, buf, len, now);
}

static const struct sproto_ops native_ops = {
	"dsvpnd", PROTO_HDR_LEN, PROTO_TAG_LEN, n_free, n_start, n_pending,
	n_consume, n_input, n_need, n_seal, n_is_up, n_tick, n_close, n_error,
	n_fault, n_cipher, n_rekeys, n_set_timers, n_version, n_close_reason,
	n_push, n_is_up, 0, 0, 0
};

struct sproto
sproto_native(struct proto *p)
{
	struct sproto	 sp = { &native_ops, p };

	return sp;
}
