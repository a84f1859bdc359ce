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
 * Access to the DSVPN known-answer vectors (../shared/vectors/dsvpn),
 * which live beside the project, not in it: the tests that need them
 * skip (exit 77) where they are absent, as in a distribution tarball.
 */
#ifndef DSVPND_REGRESS_VEC_H
#define DSVPND_REGRESS_VEC_H

#include <stddef.h>
#include <stdint.h>

#define VEC_SKIP	77

/* The vectors' directory, or NULL; $DSVPN_VECTORS overrides. */
const char	*vec_dir(void);
/* A whole file under vec_dir(), malloc'ed (NUL-terminated too). */
int		 vec_read(const char *, uint8_t **, size_t *);
/* Hex to bytes: -1 unless the text is exactly even hex of <= max bytes. */
int		 vec_hex(const char *, size_t, uint8_t *, size_t, size_t *);
/* Printable hex of a short byte string, for failure messages. */
const char	*vec_tohex(const uint8_t *, size_t);

#endif /* DSVPND_REGRESS_VEC_H */
