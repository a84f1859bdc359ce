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

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/*
 * Length of the well-formed UTF-8 sequence at s, or 0: overlong forms,
 * surrogates and code points past U+10FFFF are not well-formed.
 */
static size_t
utf8_len(const unsigned char *s)
{
	uint32_t	 cp;
	size_t		 n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static void
json_escape_char(FILE *fp, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", fp);
		break;
	case '\\':
		fputs("\\\\", fp);
		break;
	case '\b':
		fputs("\\b", fp);
		break;
	case '\f':
		fputs("\\f", fp);
		break;
	case '\n':
		fputs("\\n", fp);
		break;
	case '\r':
		fputs("\\r", fp);
		break;
	case '\t':
		fputs("\\t", fp);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
}

void
json_escape(FILE *fp, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	fputc('"', fp);
	while (*p != '\0') {
		if (*p < 0x80) {
			json_escape_char(fp, *p++);
			continue;
		}
		if ((n = utf8_len(p)) == 0) {
			fputs("\\ufffd", fp);
			p++;
			continue;
		}
		fwrite(p, 1, n, fp);
		p += n;
	}
	fputc('"', fp);
}

void
json_init(struct json *j, FILE *fp)
{
	memset(j, 0, sizeof(*j));
	j->fp = fp;
	j->depth = -1;
}

/* Comma, newline and indentation before a value, then its key. */
static void
json_key(struct json *j, const char *key)
{
	if (j->depth >= 0) {
		if (j->members[j->depth]++ > 0)
			fputc(',', j->fp);
		fprintf(j->fp, "\n%*s", (j->depth + 1) * 2, "");
	}
	if (key != NULL) {
		json_escape(j->fp, key);
		fputs(": ", j->fp);
	}
}

static void
json_open(struct json *j, const char *key, int c)
{
	json_key(j, key);
	fputc(c, j->fp);
	if (j->depth + 1 >= JSON_MAX_DEPTH) {
		fprintf(stderr, "json: nested too deeply\n");
		abort();
	}
	j->members[++j->depth] = 0;
}

static void
json_close(struct json *j, int c)
{
	if (j->members[j->depth] > 0)
		fprintf(j->fp, "\n%*s", j->depth * 2, "");
	fputc(c, j->fp);
	j->depth--;
}

void
json_begin_object(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void
json_end_object(struct json *j)
{
	json_close(j, '}');
}

void
json_begin_array(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void
json_end_array(struct json *j)
{
	json_close(j, ']');
}

void
json_string(struct json *j, const char *key, const char *value)
{
	json_key(j, key);
	if (value == NULL)
		fputs("null", j->fp);
	else
		json_escape(j->fp, value);
}

void
json_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->fp, "%" PRIu64, v);
}

void
json_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	fprintf(j->fp, "%" PRId64, v);
}

void
json_bool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->fp);
}

void
json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->fp);
}

void
json_finish(struct json *j)
{
	fputc('\n', j->fp);
	fflush(j->fp);
}
