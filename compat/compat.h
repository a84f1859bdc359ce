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
 * The one compat header, included everywhere: it declares the BSD
 * functions this system lacks; configure builds their replacements from
 * compat/ (one file each).
 */
#ifndef DSVPND_COMPAT_H
#define DSVPND_COMPAT_H

#include "config.h"

/* NetBSD declares strtonum and reallocarray only for OpenBSD sources. */
#if defined(__NetBSD__) && !defined(_OPENBSD_SOURCE)
#define _OPENBSD_SOURCE
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#ifndef HAVE_STRLCPY
size_t	 strlcpy(char *, const char *, size_t);
#endif
#ifndef HAVE_STRLCAT
size_t	 strlcat(char *, const char *, size_t);
#endif
#ifndef HAVE_STRTONUM
long long strtonum(const char *, long long, long long, const char **);
#endif
#ifndef HAVE_REALLOCARRAY
void	*reallocarray(void *, size_t, size_t);
#endif
#ifndef HAVE_RECALLOCARRAY
void	*recallocarray(void *, size_t, size_t, size_t);
#endif
#ifndef HAVE_FREEZERO
void	 freezero(void *, size_t);
#endif
#ifndef HAVE_GETPEEREID
int	 getpeereid(int, uid_t *, gid_t *);
#endif
#ifndef HAVE_SETPROCTITLE
void	 setproctitle(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));
#endif
#ifndef HAVE_SETRESUID
int	 setresuid(uid_t, uid_t, uid_t);
#endif
#ifndef HAVE_SETRESGID
int	 setresgid(gid_t, gid_t, gid_t);
#endif
#ifndef HAVE_CLOSEFROM
void	 closefrom(int);
#endif

/* Must run before setproctitle() where the argv area is reused. */
void	 compat_init_proctitle(int, char **);

#endif /* DSVPND_COMPAT_H */
