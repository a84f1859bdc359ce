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
 * The instance lock: while a process holds it, no other dsvpnd may
 * start the same instance, nor another instance with the same id (whose
 * routing table, fwmark and rule priorities would be the same), and no
 * start may sweep that instance's names away.  Two locks, one for the
 * name and one for the id.  The parent takes them before anything else
 * happens and hands them to netcfg, which outlives a killed parent long
 * enough to revert: the locks go only when both have gone.
 *
 * Linux (instlock-linux.c): abstract UNIX sockets, scoped to the network
 * namespace exactly like the rules they protect and released by the
 * kernel on any death.  Elsewhere (instlock-file.c): flock(2) on lock
 * files beside the default control socket.
 */
#ifndef DSVPND_INSTLOCK_H
#define DSVPND_INSTLOCK_H

#include <stddef.h>

#include "conf.h"

#define INSTLOCK_FDS	2

/* 0, or -1 with the reason (and how to fix it) in err. */
int	 instlock_take(const struct conf *, char *err, size_t errlen);
/* The held descriptors, for netcfg; -1 where none. */
int	 instlock_fd(int i);

#endif /* DSVPND_INSTLOCK_H */
