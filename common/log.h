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
 * Logging in the OpenBSD daemon manner: syslog (daemon facility) by
 * default, stderr in the foreground.  Sandboxed children cannot reach
 * syslog, so they hand each line to a forwarder (the parent's channel).
 */
#ifndef DSVPND_LOG_H
#define DSVPND_LOG_H

#include <stdarg.h>
#include <time.h>

#include "compat.h"

void	 log_init(int foreground, int verbose, int facility);
void	 log_procinit(const char *procname);
void	 log_setverbose(int);
int	 log_getverbose(void);
/* A sandboxed process sends each formatted line here instead. */
void	 log_set_forwarder(void (*)(int priority, const char *line));
/* Also hands every error and fatal message (without the process name)
 * to fn: the parent reports the reason a start failed. */
void	 log_set_error_hook(void (*fn)(int priority, const char *msg));
/* The parent writes a forwarded child line with this. */
void	 log_forwarded(int priority, const char *line);

#define MSG_LOG_LINE	1024	/* longest line, with the process name */

void	 log_emit_fmt(int priority, const char *, ...)
	    __attribute__((__format__ (printf, 2, 3)));
void	 log_warn(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	 log_warnx(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	 log_info(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	 log_debug(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
/*
 * At most one line per second per call site: for hostile input and for
 * events a peer can repeat at will (session up, down, replaced).  A line
 * that follows suppressed ones says how many were suppressed, so a flood
 * shows as one line a second with its size rather than vanishing.
 */
#define log_ratelimited(fn, ...) do {					\
	static time_t log_rl_last_;					\
	static unsigned long log_rl_dropped_;				\
	time_t log_rl_now_ = time(NULL);				\
	if (log_rl_now_ != log_rl_last_) {				\
		log_rl_last_ = log_rl_now_;				\
		log_suppressed = log_rl_dropped_;			\
		log_rl_dropped_ = 0;					\
		fn(__VA_ARGS__);					\
		log_suppressed = 0;					\
	} else								\
		log_rl_dropped_++;					\
} while (0)
/* Set by log_ratelimited() around its call: the line written gets
 * " (N more since the last such line)" appended when N > 0. */
extern unsigned long	 log_suppressed;
__dead void fatal(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
__dead void fatalx(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));

#endif /* DSVPND_LOG_H */
