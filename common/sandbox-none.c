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
 * No sandbox: chosen with --with-sandbox=none, or where the system has
 * neither seccomp, pledge nor capsicum.  The children still run as the
 * unprivileged user in an empty chroot; this only says so, loudly.
 */
#include "compat.h"

#include <sys/types.h>

#include <netinet/in.h>

#include "log.h"
#include "msgcat.h"
#include "sandbox.h"

const char *
sandbox_name(void)
{
	return "none";
}

void
sandbox_enter(enum proc_id proc)
{
	log_warnx("no sandbox available; process %s runs unconfined",
	    proc_name(proc));
}

void
sandbox_shrink(enum proc_id proc)
{
}

void
sandbox_limit_fd(enum proc_id proc, int fd, int kind)
{
}

/* Nothing refuses anything here: the probe survives. */
void
sandbox_trap_refusals(void)
{
}
