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
#include <stdlib.h>
#include <string.h>

/*
 * Resize an array, zeroing the grown part and wiping the old copy, so
 * secrets never linger in freed memory.
 */
void *
recallocarray(void *p, size_t oldn, size_t n, size_t size)
{
	void	*q;
	size_t	 oldsize, newsize;

	if (p == NULL)
		return calloc(n, size);
	if (size != 0 && (n > SIZE_MAX / size || oldn > SIZE_MAX / size)) {
		errno = ENOMEM;
		return NULL;
	}
	oldsize = oldn * size;
	newsize = n * size;
	if ((q = malloc(newsize)) == NULL)
		return NULL;
	if (newsize > oldsize) {
		memcpy(q, p, oldsize);
		memset((char *)q + oldsize, 0, newsize - oldsize);
	} else
		memcpy(q, p, newsize);
	freezero(p, oldsize);
	return q;
}
