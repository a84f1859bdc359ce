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
 * Unit tests of the handshake token buckets (tunnel/ratelimit.c).
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "ratelimit.h"

static int	 failures, cases;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("    FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++;						\
		return (-1);						\
	}								\
} while (0)

static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    13, 14, 15, 16 };

/* How many of n tries at time t get through. */
static int
tries(struct ratelimit *r, const char *src, int n, uint64_t t)
{
	int	 i, ok = 0;

	for (i = 0; i < n; i++)
		ok += ratelimit_allow(r, src, strlen(src), t);
	return (ok);
}

static int
t_rate(void)
{
	struct ratelimit *r;

	CHECK(ratelimit_new(16, 0, 1) == NULL);
	CHECK(ratelimit_new(16, 1, 0) == NULL);
	CHECK((r = ratelimit_new_keyed(1024, 10, 5, key)) != NULL);
	CHECK(tries(r, "a", 20, 1000) == 5);		/* the burst */
	CHECK(tries(r, "a", 20, 1099) == 0);		/* 0.99 token */
	CHECK(tries(r, "a", 20, 1100) == 1);		/* one per 100 ms */
	CHECK(tries(r, "a", 20, 1350) == 2);
	CHECK(tries(r, "a", 20, 90000) == 5);		/* never above it */
	/* Ten a second, sustained, over a minute. */
	{
		uint64_t t;
		int	 ok = 0;

		for (t = 100000; t < 160000; t += 10)
			ok += tries(r, "a", 1, t);
		CHECK(ok >= 600 && ok <= 606);
	}
	/* A clock that goes back refills nothing. */
	CHECK(tries(r, "a", 20, 50000) == 0);
	ratelimit_free(r);
	return (0);
}

/* One source's flood leaves another alone. */
static int
t_sources(void)
{
	struct ratelimit *r;
	uint64_t	 t;
	int		 b = 0, f = 0;

	CHECK((r = ratelimit_new_keyed(1 << 16, 5, 5, key)) != NULL);
	for (t = 0; t < 10000; t += 10) {
		f += tries(r, "flooder", 50, t);
		b += tries(r, "honest", 1, t);
	}
	/* 50,000 and 1000 tries; each has a budget of 5 + 5 a second. */
	CHECK(f >= 54 && f <= 55);
	CHECK(b >= 54 && b <= 55);
	ratelimit_free(r);
	return (0);
}

/* One slot, so every source shares it; an idle full slot changes hands. */
static int
t_sharing(void)
{
	struct ratelimit *r;

	CHECK((r = ratelimit_new_keyed(1, 10, 4, key)) != NULL);
	CHECK(tries(r, "a", 3, 0) == 3);
	CHECK(tries(r, "b", 3, 0) == 1);		/* what is left */
	CHECK(tries(r, "a", 1, 0) == 0);
	CHECK(tries(r, "b", 4, 400) == 4);		/* full: b's now */
	CHECK(tries(r, "a", 1, 400) == 0);
	/* As a global limit: every hello one key. */
	ratelimit_free(r);
	CHECK((r = ratelimit_new_keyed(1, 100, 10, key)) != NULL);
	CHECK(tries(r, "", 15, 0) == 10);
	CHECK(tries(r, "", 15, 50) == 5);
	ratelimit_free(r);
	return (0);
}

/* Large rates, bursts and gaps: no overflow. */
static int
t_limits(void)
{
	struct ratelimit *r;

	CHECK((r = ratelimit_new_keyed(8, UINT32_MAX, UINT32_MAX, key)) !=
	    NULL);
	CHECK(tries(r, "a", 1000, 0) == 1000);
	CHECK(tries(r, "a", 1000, UINT64_MAX / 2) == 1000);
	CHECK(tries(r, "a", 1000, UINT64_MAX) == 1000);
	ratelimit_free(r);
	CHECK((r = ratelimit_new(3, 1, 1)) != NULL);
	CHECK(tries(r, "a", 2, 5) == 1 && tries(r, "a", 1, 1004) == 0);
	CHECK(tries(r, "a", 1, 1005) == 1);
	ratelimit_free(r);
	ratelimit_free(NULL);
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
	run("rate and burst", t_rate);
	run("sources apart", t_sources);
	run("a shared slot, and a global limit", t_sharing);
	run("large values", t_limits);
	printf("%d cases, %d failed\n", cases, failures);
	return (failures == 0 ? 0 : 1);
}
