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
 * A sliding anti-replay window for the datagram transport, after RFC
 * 6479: a ring of 64-bit blocks, so that checking and recording a
 * counter cost a few word operations however far the window moves.
 * Counters more than REPLAYWIN_SIZE behind the highest one seen are too
 * old; within the window each is accepted once.
 *
 * Check before decrypting (cheap refusal of duplicates and stragglers),
 * record only after the datagram verified: a forged datagram must not
 * move the window.
 */
#ifndef DSVPND_REPLAYWIN_H
#define DSVPND_REPLAYWIN_H

#include <stdint.h>

#define REPLAYWIN_BLOCKS	64	/* a power of two */
#define REPLAYWIN_SIZE		((REPLAYWIN_BLOCKS - 1) * 64)	/* 4032 */

struct replaywin {
	uint64_t	 top;		/* highest counter recorded */
	int		 any;		/* something was recorded */
	uint64_t	 block[REPLAYWIN_BLOCKS];
};

enum replaywin_verdict {
	REPLAYWIN_NEWEST,	/* above everything seen: fresh */
	REPLAYWIN_FRESH,	/* inside the window, not seen yet */
	REPLAYWIN_DUPLICATE,	/* inside the window, seen */
	REPLAYWIN_TOO_OLD	/* behind the window */
};

void			 replaywin_init(struct replaywin *);
enum replaywin_verdict	 replaywin_check(const struct replaywin *,
			    uint64_t);
void			 replaywin_record(struct replaywin *, uint64_t);

#endif /* DSVPND_REPLAYWIN_H */
