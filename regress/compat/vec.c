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
 * Finding and reading the DSVPN vectors.  regress/run.sh exports SRCDIR
 * (the source tree); run by hand, the tree is the one this file was
 * compiled from (VEC_TOP_SRCDIR, set by the build).
 */
#include "compat.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

#ifndef VEC_TOP_SRCDIR
#define VEC_TOP_SRCDIR	"."
#endif

static int
vec_is_dir(const char *path)
{
	struct stat	 sb;
	char		 f[1100];

	snprintf(f, sizeof(f), "%s/charm-primitives.txt", path);
	return (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    stat(f, &sb) == 0);
}

const char *
vec_dir(void)
{
	static char	 path[1024];
	const char	*env;

	if ((env = getenv("DSVPN_VECTORS")) != NULL)
		return (vec_is_dir(env) ? env : NULL);
	if ((env = getenv("SRCDIR")) != NULL) {
		snprintf(path, sizeof(path), "%s/../shared/vectors/dsvpn",
		    env);
		if (vec_is_dir(path))
			return (path);
	}
	snprintf(path, sizeof(path), "%s/../shared/vectors/dsvpn",
	    VEC_TOP_SRCDIR);
	return (vec_is_dir(path) ? path : NULL);
}

int
vec_read(const char *name, uint8_t **buf, size_t *len)
{
	char		 path[1200];
	const char	*dir;
	FILE		*f;
	long		 n;

	*buf = NULL;
	*len = 0;
	if ((dir = vec_dir()) == NULL)
		return (-1);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return (-1);
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1 ||
	    (*buf = malloc((size_t)n + 1)) == NULL ||
	    fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(*buf);
		*buf = NULL;
		return (-1);
	}
	fclose(f);
	(*buf)[n] = '\0';
	*len = (size_t)n;
	return (0);
}

static int
vec_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

int
vec_hex(const char *hex, size_t hexlen, uint8_t *out, size_t max,
    size_t *len)
{
	size_t	 i;
	int	 hi, lo;

	if (hexlen % 2 != 0 || hexlen / 2 > max)
		return (-1);
	for (i = 0; i < hexlen / 2; i++) {
		if ((hi = vec_nibble(hex[2 * i])) == -1 ||
		    (lo = vec_nibble(hex[2 * i + 1])) == -1)
			return (-1);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = hexlen / 2;
	return (0);
}

const char *
vec_tohex(const uint8_t *b, size_t n)
{
	static char	 s[2 * 64 + 4];
	size_t		 i;

	s[0] = '\0';
	for (i = 0; i < n && i < 64; i++)
		snprintf(s + 2 * i, 3, "%02x", b[i]);
	if (n > 64)
		strlcpy(s + 2 * 64, "...", 4);
	return (s);
}
