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
 * The sandbox probe of the live tests (DSVPND_TEST_SANDBOX_VIOLATION=1):
 * after locking in, the process opens a file for writing, which every
 * backend forbids, and must die of it:
 *
 *	seccomp		SIGSYS: open(2) and openat(2) for writing, creating
 *			or truncating are not in the filter (a read-only
 *			open, which libc probes, fails with EACCES instead)
 *	pledge		SIGABRT: neither "wpath" nor "cpath" was promised
 *	capsicum	SIGTRAP: capability mode only fails the call with
 *			ECAPMODE, so the probe has the kernel trap such
 *			refusals first (PROC_TRAPCAP_CTL)
 *	none		survives (the chroot refuses the open) and says so
 *
 * socket(2) would prove nothing: pledge "inet" and capability mode both
 * allow it.
 */
#include "compat.h"

#include <sys/types.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "msgcat.h"
#include "sandbox.h"

#define SANDBOX_PROBE_PATH	"/dsvpnd-sandbox-probe"

void
sandbox_probe(enum proc_id proc)
{
	int	 fd;

	sandbox_trap_refusals();
	sandbox_enter(proc);
	/* Critical, so that the line reaches the parent before we die. */
	log_emit_fmt(LOG_CRIT, "sandbox test: opening %s for writing",
	    SANDBOX_PROBE_PATH);
	fd = open(SANDBOX_PROBE_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd != -1) {
		close(fd);
		(void)unlink(SANDBOX_PROBE_PATH);
		log_warnx("sandbox test: the open succeeded");
	} else
		log_warnx("sandbox test: the open was refused (%s), not "
		    "punished", strerror(errno));
}
