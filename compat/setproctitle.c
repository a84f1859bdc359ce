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

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

/* ps(1) on Linux shows the argv area: compat.c found it for us. */
extern char	*compat_title_start;
extern size_t	 compat_title_size;
extern char	 compat_progname[];

void
setproctitle(const char *fmt, ...)
{
	char	 buf[256];
	va_list	 ap;
	int	 n;

	n = snprintf(buf, sizeof(buf), "%s: ", compat_progname);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(buf))
		vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
#ifdef PR_SET_NAME
	(void)prctl(PR_SET_NAME, buf);
#endif
	if (compat_title_start == NULL || compat_title_size < 2)
		return;
	memset(compat_title_start, 0, compat_title_size);
	strlcpy(compat_title_start, buf, compat_title_size);
}
