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
 * Is a directory safe to trust as root (a chroot, the directory of a
 * socket or pid file)?  Only if no one but root can change it or any
 * directory above it, as OpenSSH checks its privilege-separation
 * directory.
 */
#ifndef DSVPND_DIRCHECK_H
#define DSVPND_DIRCHECK_H

#include <stddef.h>

/* 0 if path, after symbolic links are resolved, is a directory that it
 * and every component above it are owned by root and not writable by
 * group or others; else -1, with the reason (naming the component)
 * written into err. */
int	 dir_check_safe(const char *path, char *err, size_t errlen);

#endif /* DSVPND_DIRCHECK_H */
