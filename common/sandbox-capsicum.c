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
 * The FreeBSD sandbox: each descriptor a child keeps is limited to the
 * rights its use needs, then cap_enter(2) cuts the process off from every
 * global namespace: no open(2), socket(2), connect(2) or execve(2) any
 * more, only operations on descriptors it holds.  Descriptors received
 * later with SCM_RIGHTS still arrive in capability mode, carrying what
 * the parent gave them; the receiver narrows them with sandbox_limit_fd().
 *
 * One exception: a UDP server's tunnel answers every client from one
 * socket with sendto(2), and FreeBSD fails any call that names an
 * address in capability mode (sendit(): ECAPMODE), as it needs
 * CAP_CONNECT on the descriptor outside it.  Such a tunnel keeps its
 * descriptors limited, its chroot, user and resource limits, but does
 * not enter capability mode, and says so at every start.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/capsicum.h>
#include <sys/filio.h>
#include <sys/ioctl.h>
#include <sys/procctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "msgcat.h"
#include "proc.h"
#include "sandbox.h"

/* Enough for the listeners, a full pending-connection queue and TUN. */

/* How much a socket or TUN holds: libevent's evbuffer_read(). */
static const cap_ioctl_t cs_ioctls_io[] = { FIONREAD };
/* isatty() by stdio on stdout and stderr. */
static const cap_ioctl_t cs_ioctls_tty[] = { TIOCGETA };

static void
cs_limit(int fd, cap_rights_t *rights, const cap_ioctl_t *ioctls,
    size_t nioctls, uint32_t fcntls)
{
	if (cap_rights_limit(fd, rights) == -1)
		fatal("sandbox: cap_rights_limit fd %d", fd);
	if (nioctls > 0 && cap_ioctls_limit(fd, ioctls, nioctls) == -1)
		fatal("sandbox: cap_ioctls_limit fd %d", fd);
	if (fcntls != 0 && cap_fcntls_limit(fd, fcntls) == -1)
		fatal("sandbox: cap_fcntls_limit fd %d", fd);
}

/* stdin is not read; stdout and stderr only take log lines. */
static void
cs_limit_stdio(void)
{
	cap_rights_t	 rights;
	int		 fd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) == -1)
			continue;	/* not open */
		if (fd == STDIN_FILENO)
			cap_rights_init(&rights, CAP_FSTAT);
		else
			cap_rights_init(&rights, CAP_WRITE, CAP_FSTAT,
			    CAP_IOCTL);
		cs_limit(fd, &rights, cs_ioctls_tty,
		    fd == STDIN_FILENO ? 0 : nitems(cs_ioctls_tty), 0);
	}
}

const char *
sandbox_name(void)
{
	return "capsicum";
}

void
sandbox_enter(enum proc_id proc)
{
	switch (proc) {
	case PROC_TUNNEL:
	case PROC_CONTROL:
		break;
	default:
		fatalx("sandbox: no capsicum policy for the %s process",
		    proc_name(proc));
	}
	sandbox_limits();
	cs_limit_stdio();
	sandbox_limit_fd(proc, PROC_CHANNEL_FD, SANDBOX_FD_CHANNEL);
	if (proc == PROC_TUNNEL && sandbox_sendto_wanted()) {
		log_warnx("sandbox: the %s process stays out of capability "
		    "mode: a UDP listener must name its clients to "
		    "sendto(2), which capability mode refuses",
		    proc_name(proc));
		return;
	}
	if (cap_enter() == -1)
		fatal("sandbox: cap_enter (a kernel without "
		    "options CAPABILITY_MODE needs --with-sandbox=none)");
	log_debug("sandbox: %s process in capability mode", proc_name(proc));
}

/*
 * Nothing to drop: receiving a descriptor needs only the right to read
 * the channel, which the process keeps until it exits.
 */
void
sandbox_shrink(enum proc_id proc)
{
}

/*
 * A socket accepted on a limited listener inherits the listener's rights
 * (kern_accept4), so SANDBOX_FD_LISTEN includes all a connection needs,
 * and CAP_ACCEPT besides: SANDBOX_FD_ACCEPTED, which the accept path
 * gives every accepted socket, limits it to a connection's rights, as
 * a client's connected socket (SANDBOX_FD_CONN) has.  Rights only ever
 * shrink, so this cannot give back what the listener lacked.
 * F_GETFD/F_SETFD need no right.
 */
void
sandbox_limit_fd(enum proc_id proc, int fd, int kind)
{
	cap_rights_t	 rights;
	uint32_t	 fcntls = CAP_FCNTL_GETFL | CAP_FCNTL_SETFL;

	switch (kind) {
	case SANDBOX_FD_TUN:
		cap_rights_init(&rights, CAP_READ, CAP_WRITE, CAP_EVENT,
		    CAP_FCNTL, CAP_FSTAT, CAP_IOCTL);
		break;
	case SANDBOX_FD_LISTEN:
	case SANDBOX_FD_CONN:
	case SANDBOX_FD_ACCEPTED:
		cap_rights_init(&rights, CAP_RECV, CAP_SEND, CAP_EVENT,
		    CAP_FCNTL, CAP_FSTAT, CAP_IOCTL, CAP_GETPEERNAME,
		    CAP_GETSOCKNAME, CAP_GETSOCKOPT, CAP_SETSOCKOPT,
		    CAP_SHUTDOWN);
		if (kind == SANDBOX_FD_LISTEN)
			cap_rights_set(&rights, CAP_ACCEPT);
		break;
	case SANDBOX_FD_DGRAM_SERVER:
		/* sendto(2) with an address needs CAP_CONNECT. */
		cap_rights_init(&rights, CAP_RECV, CAP_SEND, CAP_CONNECT,
		    CAP_EVENT, CAP_FCNTL, CAP_FSTAT, CAP_IOCTL,
		    CAP_GETSOCKNAME, CAP_GETSOCKOPT, CAP_SETSOCKOPT);
		break;
	case SANDBOX_FD_CHANNEL:
		cap_rights_init(&rights, CAP_RECV, CAP_SEND, CAP_EVENT,
		    CAP_FCNTL, CAP_FSTAT, CAP_SHUTDOWN);
		cs_limit(fd, &rights, NULL, 0, fcntls);
		return;
	default:
		fatalx("sandbox: fd %d of unknown kind %d", fd, kind);
	}
	cs_limit(fd, &rights, cs_ioctls_io, nitems(cs_ioctls_io), fcntls);
}

/*
 * Capability mode fails a forbidden call with ECAPMODE (or ENOTCAPABLE
 * for a right a descriptor lacks) and lets the process go on; for the
 * sandbox probe it must die instead, as under seccomp and pledge: the
 * kernel then sends SIGTRAP on such an error.  Set before cap_enter(),
 * since capability mode refuses procctl(2) itself.  Never in normal
 * operation: libc may meet ECAPMODE where it copes (catalogs, time
 * zone files).
 */
void
sandbox_trap_refusals(void)
{
	int	 on = PROC_TRAPCAP_CTL_ENABLE;

	if (procctl(P_PID, getpid(), PROC_TRAPCAP_CTL, &on) == -1)
		fatal("sandbox: procctl PROC_TRAPCAP_CTL");
}
