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

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	 log_foreground;
static int	 log_verbose;
static const char *log_procname;	/* NULL: no prefix yet */
static void	(*log_forward)(int, const char *);
unsigned long	 log_suppressed;
static void	(*log_error_hook)(int, const char *);

void
log_init(int foreground, int verbose, int facility)
{
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog("dsvpnd", LOG_PID | LOG_NDELAY, facility);
	tzset();
}

void
log_procinit(const char *procname)
{
	if (procname != NULL)
		log_procname = procname;
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
log_set_forwarder(void (*fn)(int, const char *))
{
	log_forward = fn;
}

void
log_set_error_hook(void (*fn)(int, const char *))
{
	log_error_hook = fn;
}

/* Write one finished line where this process's logs go. */
static void
log_emit(int priority, const char *line)
{
	if (log_forward != NULL) {
		log_forward(priority, line);
		return;
	}
	log_forwarded(priority, line);
}

void
log_forwarded(int priority, const char *line)
{
	if (priority == LOG_DEBUG && log_verbose < 2)
		return;
	if (priority == LOG_INFO && log_verbose < 1 && !log_foreground)
		return;
	if (log_foreground) {
		fprintf(stderr, "%s\n", line);
		fflush(stderr);
	} else
		syslog(priority, "%s", line);
}

static void
vlog(int priority, const char *fmt, va_list ap)
{
	char	 line[MSG_LOG_LINE];
	size_t	 end;
	int	 n;

	if (priority == LOG_DEBUG && log_verbose < 2)
		return;
	n = 0;
	if (log_procname != NULL)
		n = snprintf(line, sizeof(line), "%s: ", log_procname);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (log_suppressed > 0) {
		end = strlen(line);
		snprintf(line + end, sizeof(line) - end, " (%lu more since "
		    "the last such line)", log_suppressed);
	}
	if (log_error_hook != NULL && priority <= LOG_ERR)
		log_error_hook(priority, line + n);
	log_emit(priority, line);
}

/* Append strerror(saved) to a formatted message. */
static void
vlog_errno(int priority, int saved, const char *fmt, va_list ap)
{
	char	 buf[MSG_LOG_LINE];

	if (fmt == NULL) {
		snprintf(buf, sizeof(buf), "%s", strerror(saved));
	} else {
		vsnprintf(buf, sizeof(buf), fmt, ap);
		strlcat(buf, ": ", sizeof(buf));
		strlcat(buf, strerror(saved), sizeof(buf));
	}
	log_emit_fmt(priority, "%s", buf);
}

void
log_emit_fmt(int priority, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(priority, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

__dead void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

__dead void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
