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
 * log_ratelimited(): one line per second per call site, and the line
 * after a burst says how many were suppressed.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	failures;
static char	last[MSG_LOG_LINE];
static int	lines;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static void
capture(int priority, const char *line)
{
	strlcpy(last, line, sizeof(last));
	lines++;
}

static void
burst(int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		log_ratelimited(log_warnx, "session replaced");
}

/* Waits for the wall clock's next second, as the limiter counts. */
static void
next_second(void)
{
	time_t		 t = time(NULL);
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };

	while (time(NULL) == t)
		nanosleep(&ts, NULL);
}

int
main(void)
{
	log_init(1, 0, LOG_DAEMON);
	log_set_forwarder(capture);

	next_second();
	burst(1000);
	CHECK(lines == 1, "%d lines for a burst in one second", lines);
	CHECK(strcmp(last, "session replaced") == 0, "first line '%s'", last);
	next_second();
	burst(1);
	CHECK(lines == 2, "%d lines after the next second", lines);
	CHECK(strcmp(last, "session replaced (999 more since the last such "
	    "line)") == 0, "count line '%s'", last);
	next_second();
	burst(1);
	CHECK(strcmp(last, "session replaced") == 0, "count kept: '%s'",
	    last);
	/* Another call site has its own budget. */
	log_ratelimited(log_warnx, "other");
	CHECK(lines == 4 && strcmp(last, "other") == 0, "other site: '%s'",
	    last);
	CHECK(log_suppressed == 0, "suppressed count left set");
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
