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
 * The datagram anti-replay window; see replaywin.h.  Bit c % 64 of
 * block (c / 64) % REPLAYWIN_BLOCKS stands for counter c.  When the top
 * moves up, the blocks it passes are cleared, at most all of them, so
 * the cost per datagram is bounded by REPLAYWIN_BLOCKS word writes and
 * usually one.  The window is one block short of the ring so that the
 * block the top is in never holds bits of counters a ring ago.
 */
#include "compat.h"

#include <string.h>

#include "replaywin.h"

#define BLOCK_OF(c)	((size_t)(((c) / 64) & (REPLAYWIN_BLOCKS - 1)))
#define BIT_OF(c)	((uint64_t)1 << ((c) % 64))

void
replaywin_init(struct replaywin *w)
{
	memset(w, 0, sizeof(*w));
}

enum replaywin_verdict
replaywin_check(const struct replaywin *w, uint64_t c)
{
	if (!w->any || c > w->top)
		return (REPLAYWIN_NEWEST);
	if (w->top - c >= REPLAYWIN_SIZE)
		return (REPLAYWIN_TOO_OLD);
	if (w->block[BLOCK_OF(c)] & BIT_OF(c))
		return (REPLAYWIN_DUPLICATE);
	return (REPLAYWIN_FRESH);
}

void
replaywin_record(struct replaywin *w, uint64_t c)
{
	uint64_t	 from, to, steps, i;

	if (!w->any) {
		memset(w->block, 0, sizeof(w->block));
		w->any = 1;
		w->top = c;
	} else if (c > w->top) {
		from = w->top / 64;
		to = c / 64;
		steps = to - from;
		if (steps > REPLAYWIN_BLOCKS)
			steps = REPLAYWIN_BLOCKS;
		for (i = 1; i <= steps; i++)
			w->block[(from + i) & (REPLAYWIN_BLOCKS - 1)] = 0;
		w->top = c;
	} else if (w->top - c >= REPLAYWIN_SIZE)
		return;
	w->block[BLOCK_OF(c)] |= BIT_OF(c);
}
