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
 * A small JSON writer for dsvpnctl: pretty-printed output, commas and
 * indentation kept by the writer, every string escaped so that the
 * result is valid JSON whatever bytes the daemon reported.
 */
#ifndef DSVPNCTL_JSON_H
#define DSVPNCTL_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH		8

struct json {
	FILE		*fp;
	int		 depth;
	int		 members[JSON_MAX_DEPTH];	/* per level */
};

/* Inside an object every call names a key; inside an array key is NULL. */
void	 json_init(struct json *, FILE *);
void	 json_begin_object(struct json *, const char *key);
void	 json_end_object(struct json *);
void	 json_begin_array(struct json *, const char *key);
void	 json_end_array(struct json *);
void	 json_string(struct json *, const char *key, const char *value);
void	 json_uint(struct json *, const char *key, uint64_t);
void	 json_int(struct json *, const char *key, int64_t);
void	 json_bool(struct json *, const char *key, int);
void	 json_null(struct json *, const char *key);
void	 json_finish(struct json *);
/* Writes s as a quoted JSON string; invalid UTF-8 becomes U+FFFD. */
void	 json_escape(FILE *, const char *s);

#endif /* DSVPNCTL_JSON_H */
