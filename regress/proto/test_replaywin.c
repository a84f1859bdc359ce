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
 * Unit tests of the datagram anti-replay window (tunnel/replaywin.c),
 * by case and against a plain model over long random sequences.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replaywin.h"

static int	 failures, cases;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("    FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++;						\
		return (-1);						\
	}								\
} while (0)

/* Check, then record if fresh: what a receiver does per datagram. */
static enum replaywin_verdict
take(struct replaywin *w, uint64_t c)
{
	enum replaywin_verdict v = replaywin_check(w, c);

	if (v == REPLAYWIN_NEWEST || v == REPLAYWIN_FRESH)
		replaywin_record(w, c);
	return (v);
}

static int
t_in_order(void)
{
	struct replaywin w;
	uint64_t	 c;

	replaywin_init(&w);
	for (c = 0; c < 100000; c++)
		CHECK(take(&w, c) == REPLAYWIN_NEWEST);
	CHECK(take(&w, 99999) == REPLAYWIN_DUPLICATE);
	CHECK(take(&w, 0) == REPLAYWIN_TOO_OLD);
	return (0);
}

static int
t_reorder(void)
{
	struct replaywin w;
	uint64_t	 c;

	replaywin_init(&w);
	CHECK(take(&w, 5000) == REPLAYWIN_NEWEST);
	/* Everything in the window behind the top, in reverse: fresh once. */
	for (c = 4999; c > 5000 - REPLAYWIN_SIZE; c--)
		CHECK(take(&w, c) == REPLAYWIN_FRESH);
	for (c = 4999; c > 5000 - REPLAYWIN_SIZE; c--)
		CHECK(take(&w, c) == REPLAYWIN_DUPLICATE);
	/* The window's edge, exactly. */
	CHECK(take(&w, 5000 - REPLAYWIN_SIZE) == REPLAYWIN_TOO_OLD);
	CHECK(take(&w, 5000) == REPLAYWIN_DUPLICATE);
	return (0);
}

static int
t_first_and_edges(void)
{
	struct replaywin w;

	replaywin_init(&w);
	/* The first counter may be anything, 0 too. */
	CHECK(take(&w, 0) == REPLAYWIN_NEWEST);
	CHECK(take(&w, 0) == REPLAYWIN_DUPLICATE);
	replaywin_init(&w);
	CHECK(take(&w, 12345) == REPLAYWIN_NEWEST);
	CHECK(take(&w, 12344) == REPLAYWIN_FRESH);
	CHECK(take(&w, 12345 - REPLAYWIN_SIZE + 1) == REPLAYWIN_FRESH);
	replaywin_init(&w);
	CHECK(take(&w, UINT64_MAX - 1) == REPLAYWIN_NEWEST);
	CHECK(take(&w, UINT64_MAX) == REPLAYWIN_NEWEST);
	CHECK(take(&w, UINT64_MAX - 1) == REPLAYWIN_DUPLICATE);
	CHECK(take(&w, UINT64_MAX - 2) == REPLAYWIN_FRESH);
	/* check alone records nothing */
	replaywin_init(&w);
	CHECK(replaywin_check(&w, 7) == REPLAYWIN_NEWEST);
	CHECK(replaywin_check(&w, 7) == REPLAYWIN_NEWEST);
	return (0);
}

/* Jumps of every size: nothing from before a ring ago comes back. */
static int
t_jumps(void)
{
	static const uint64_t jumps[] = { 1, 63, 64, 65, 127, 4031, 4032,
	    4033, 4095, 4096, 4097, 8191, 1000000 };
	struct replaywin w;
	uint64_t	 base, c, j;
	size_t		 i;

	for (i = 0; i < nitems(jumps); i++) {
		replaywin_init(&w);
		for (c = 0; c < 4096; c++)
			take(&w, c);
		base = 4095;
		j = jumps[i];
		CHECK(take(&w, base + j) == REPLAYWIN_NEWEST);
		/* Below the jump: fresh if inside the window and unseen. */
		for (c = base + j - 1; c + REPLAYWIN_SIZE > base + j && c > 0;
		    c--) {
			if (c <= base)
				CHECK(replaywin_check(&w, c) ==
				    REPLAYWIN_DUPLICATE);
			else
				CHECK(replaywin_check(&w, c) ==
				    REPLAYWIN_FRESH);
		}
		CHECK(replaywin_check(&w, base + j - REPLAYWIN_SIZE) ==
		    REPLAYWIN_TOO_OLD || base + j < REPLAYWIN_SIZE);
	}
	return (0);
}

/*
 * The model: counters seen, and the highest; a counter is acceptable
 * if above it, or within REPLAYWIN_SIZE below and unseen.  Random
 * sequences with reordering, duplicates, stragglers and jumps, long
 * enough to wrap the ring many times.
 */
static int
t_model(void)
{
	enum { N = 300000, SPAN = 1 << 23 };
	struct replaywin w;
	uint8_t		*seen;
	uint64_t	 top = 0, c, s = 88172645463325252ULL;
	int		 any = 0, want, got;
	size_t		 i;

	if ((seen = calloc(SPAN, 1)) == NULL)
		return (-1);
	replaywin_init(&w);
	for (i = 0; i < N; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		switch (s % 8) {
		case 0:	/* a straggler from far back */
			c = top > (s >> 8) % 6000 ? top - (s >> 8) % 6000 : 0;
			break;
		case 1:	/* now and then a jump, up to past the ring */
			c = top + ((s >> 40) % 16 == 0 ? (s >> 8) % 5000 : 1);
			break;
		case 2:	/* a duplicate of something recent */
			c = top > (s >> 8) % 64 ? top - (s >> 8) % 64 : top;
			break;
		default:	/* mostly ahead, a little reordered */
			c = top + 1 + (s >> 8) % 8 - 3;
			break;
		}
		if (c >= SPAN)
			break;
		want = !any || c > top || (top - c < REPLAYWIN_SIZE &&
		    !seen[c]);
		got = take(&w, c) <= REPLAYWIN_FRESH;
		CHECK(want == got);
		if (want) {
			seen[c] = 1;
			if (!any || c > top)
				top = c;
			any = 1;
		}
	}
	free(seen);
	CHECK(i > N / 2);
	return (0);
}

static void
run(const char *name, int (*fn)(void))
{
	int	 before = failures;

	cases++;
	printf("  %s\n", name);
	if (fn() == -1 && failures == before)
		failures++;
	printf("  %s: %s\n", name, failures == before ? "ok" : "FAILED");
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run("in order", t_in_order);
	run("reordered within the window", t_reorder);
	run("first counter, edges, the top of the range", t_first_and_edges);
	run("counter jumps", t_jumps);
	run("against a model, wrapping the ring", t_model);
	printf("%d cases, %d failed\n", cases, failures);
	return (failures == 0 ? 0 : 1);
}
