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
 * The OpenBSD sandbox: unveil(2) hides the whole file system, pledge(2)
 * keeps each child to the promises below and drops "recvfd" once the
 * last descriptor has arrived.  A process that breaks its promises is
 * killed by the kernel with SIGABRT and a "pledge" line in the log.
 */
#include "compat.h"

#include <sys/types.h>

#include <netinet/in.h>

#include <unistd.h>

#include "log.h"
#include "msgcat.h"
#include "sandbox.h"

struct pl_policy {
	enum proc_id	 proc;
	const char	*enter;		/* until the last descriptor */
	const char	*shrink;	/* from sandbox_shrink() on */
};

/*
 * tunnel:  stdio for I/O on its descriptors, memory, time and sendsyslog;
 *	    inet because pledge(2) files accept(2), setsockopt(2) and
 *	    getpeername(2) on TCP sockets under it (inet would also allow
 *	    socket(2) and connect(2): pledge cannot tell them apart, and
 *	    the chroot and unprivileged user are what remain);
 *	    recvfd for the TUN, listening and connected sockets.
 * control: unix to accept dsvpnctl and read its credentials;
 *	    recvfd for the listening control socket.
 * Neither writes descriptors back, so no "sendfd".
 */
static const struct pl_policy pl_policies[] = {
	{ PROC_TUNNEL,	"stdio inet recvfd",	"stdio inet" },
	{ PROC_CONTROL,	"stdio unix recvfd",	"stdio unix" },
};

static const struct pl_policy *
pl_policy(enum proc_id proc)
{
	size_t	 i;

	for (i = 0; i < nitems(pl_policies); i++)
		if (pl_policies[i].proc == proc)
			return &pl_policies[i];
	fatalx("sandbox: no pledge policy for the %s process",
	    proc_name(proc));
}

const char *
sandbox_name(void)
{
	return "pledge";
}

/*
 * unveil first: without the "unveil" promise the view cannot change
 * afterwards.  Inside the chroot "/" is the empty directory, hidden too.
 */
void
sandbox_enter(enum proc_id proc)
{
	const struct pl_policy	*pl;

	pl = pl_policy(proc);
	if (unveil("/", "") == -1)
		fatal("sandbox: unveil /");
	if (unveil(NULL, NULL) == -1)
		fatal("sandbox: unveil lock");
	if (pledge(pl->enter, NULL) == -1)
		fatal("sandbox: pledge \"%s\"", pl->enter);
	log_debug("sandbox: %s process pledged \"%s\"", proc_name(proc),
	    pl->enter);
}

/*
 * A server's tunnel calls this after MSG_FDS_DONE and the control
 * process once its socket is in; a client's tunnel never does, as a new
 * connected socket arrives with every reconnection.
 */
void
sandbox_shrink(enum proc_id proc)
{
	const struct pl_policy	*pl;

	pl = pl_policy(proc);
	if (pledge(pl->shrink, NULL) == -1)
		fatal("sandbox: pledge \"%s\"", pl->shrink);
	log_debug("sandbox: %s process pledged \"%s\"", proc_name(proc),
	    pl->shrink);
}

/* Capsicum only: pledge restricts operations, not descriptors. */
void
sandbox_limit_fd(enum proc_id proc, int fd, int kind)
{
}

/* A broken promise kills the process already (SIGABRT). */
void
sandbox_trap_refusals(void)
{
}
