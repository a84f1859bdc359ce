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

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <unistd.h>

#include "log.h"
#include "sandbox.h"

/* Enough for a server's pending connections, never raised. */
#define SANDBOX_NOFILE		1024

/* A foreground run may send stderr to a file: RLIMIT_FSIZE would kill
 * the first log line with SIGXFSZ. */
static int
logs_to_file(void)
{
	struct stat	 st;

	return (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode)) ||
	    (fstat(STDERR_FILENO, &st) == 0 && S_ISREG(st.st_mode));
}

/*
 * The resource limits the seccomp and capsicum backends set before
 * locking the process in (setrlimit is not allowed afterwards): no new
 * process, no file growth, a bounded descriptor table.
 */
void
sandbox_limits(void)
{
	struct rlimit	 rl;

	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_NPROC, &rl) == -1)
		fatal("sandbox: setrlimit RLIMIT_NPROC");
	if (!logs_to_file() && setrlimit(RLIMIT_FSIZE, &rl) == -1)
		fatal("sandbox: setrlimit RLIMIT_FSIZE");
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("sandbox: getrlimit RLIMIT_NOFILE");
	if (rl.rlim_cur > SANDBOX_NOFILE)
		rl.rlim_cur = SANDBOX_NOFILE;
	if (rl.rlim_max > SANDBOX_NOFILE)
		rl.rlim_max = SANDBOX_NOFILE;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("sandbox: setrlimit RLIMIT_NOFILE");
}
