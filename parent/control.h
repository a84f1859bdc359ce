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
 * The control socket: the parent creates it as root and hands it to the
 * control process (parent/control.c), which serves dsvpnctl.
 */
#ifndef DSVPND_CONTROL_H
#define DSVPND_CONTROL_H

#include <stddef.h>

/*
 * Creates the listening socket at path, mode 0660, owned by root and
 * the primary group of user, so that members of that group may ask for
 * status.  A stale socket nobody answers on is replaced; a live one
 * means another dsvpnd runs.  Returns the descriptor (non-blocking,
 * close-on-exec) or -1 with the reason in err.
 */
int	 control_listen(const char *path, const char *user, char *err,
	    size_t errlen);

#endif /* DSVPND_CONTROL_H */
