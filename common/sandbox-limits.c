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

/* Enough for a client, or a server's pending connections and a few
 * sessions; a server's tunnel asks for more with sandbox_set_nofile(). */
#define SANDBOX_NOFILE		1024

static rlim_t	 nofile = SANDBOX_NOFILE;
static int	 sendto_wanted;

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
 * The descriptors this process may hold once locked in: the larger of
 * SANDBOX_NOFILE and want.  Called before the privileges are dropped,
 * since only root may raise a hard limit; where even root may not, the
 * limit stays at the hard limit it found (and says so).
 */
void
sandbox_set_nofile(unsigned long want)
{
	struct rlimit	 rl;

	if (want <= SANDBOX_NOFILE)
		return;
	nofile = want;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("sandbox: getrlimit RLIMIT_NOFILE");
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < nofile) {
		rl.rlim_max = nofile;
		if (rl.rlim_cur < nofile)
			rl.rlim_cur = nofile;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
			if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
				fatal("sandbox: getrlimit RLIMIT_NOFILE");
			log_warnx("sandbox: %lu descriptors wanted, the hard "
			    "limit is %llu", want,
			    (unsigned long long)rl.rlim_max);
			nofile = rl.rlim_max;
		}
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("sandbox: getrlimit RLIMIT_NOFILE");
	/* Below the hard limit, the soft one may rise unprivileged. */
	rl.rlim_cur = nofile;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("sandbox: setrlimit RLIMIT_NOFILE %llu",
		    (unsigned long long)nofile);
}

/* What sandbox_set_nofile() settled on. */
unsigned long
sandbox_nofile(void)
{
	return nofile;
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
	if (rl.rlim_cur > nofile)
		rl.rlim_cur = nofile;
	if (rl.rlim_max > nofile)
		rl.rlim_max = nofile;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("sandbox: setrlimit RLIMIT_NOFILE");
}

void
sandbox_want_sendto(void)
{
	sendto_wanted = 1;
}

int
sandbox_sendto_wanted(void)
{
	return sendto_wanted;
}
