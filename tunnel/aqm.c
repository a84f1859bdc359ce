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

#include "compat.h"

#include <sys/types.h>

#include <stdint.h>

#include "tunnel.h"

/*
 * CoDel (RFC 8289) at the TUN reader.  Tunnelled TCP flows would
 * otherwise fill the TUN device's whole ring (500 GSO packets, tens of
 * megabytes) and add that much latency for every other flow; dropping
 * at the head with CoDel's spacing (or marking ECN-capable packets)
 * makes them back off instead.
 *
 * The packets wait in the ring, where we cannot time them, so the
 * sojourn time is bounded from above by the time since a read last
 * found the ring empty: a queue that never drains within an interval
 * is a standing queue.  A wakeup on an empty ring we were watching
 * starts that clock afresh (the reader is woken at once); one after a
 * pause for back-pressure does not.
 */

static uint64_t
isqrt(uint64_t n)
{
	uint64_t	 x = n, y = n / 2 + 1;

	if (n < 2)
		return n;
	while (y < x) {
		x = y;
		y = (x + n / x) / 2;
	}
	return x;
}

/* The next drop: interval / sqrt(count) after t, in 16.16 fixed point
 * so that the spacing shrinks smoothly. */
static uint64_t
codel_control_law(uint64_t t, uint32_t count)
{
	uint64_t	 r = isqrt((uint64_t)(count > 0 ? count : 1) << 32);

	return t + ((uint64_t)CODEL_INTERVAL_US << 16) / r;
}

static int
codel_ok_to_drop(struct codel *c, uint64_t sojourn, uint64_t now)
{
	if (sojourn < CODEL_TARGET_US) {
		c->first_above = 0;
		return 0;
	}
	if (c->first_above == 0) {
		c->first_above = now + CODEL_INTERVAL_US;
		return 0;
	}
	return now >= c->first_above;
}

void
codel_init(struct codel *c)
{
	c->first_above = c->drop_next = 0;
	c->count = c->lastcount = 0;
	c->dropping = 0;
}

/* For each packet read (times in microseconds): 1 drop it, 0 send it. */
int
codel_drop(struct codel *c, uint64_t sojourn, uint64_t now)
{
	uint32_t	 delta;
	int		 ok = codel_ok_to_drop(c, sojourn, now);

	if (c->dropping) {
		if (!ok) {
			c->dropping = 0;
			return 0;
		}
		if (now < c->drop_next)
			return 0;
		c->count++;
		c->drop_next = codel_control_law(c->drop_next, c->count);
		return 1;
	}
	if (!ok)
		return 0;
	c->dropping = 1;
	/* Coming back soon after the last episode: resume near its rate. */
	delta = c->count - c->lastcount;
	if (delta > 1 && now - c->drop_next < 16 * CODEL_INTERVAL_US)
		c->count = delta;
	else
		c->count = 1;
	c->lastcount = c->count;
	c->drop_next = codel_control_law(now, c->count);
	return 1;
}
