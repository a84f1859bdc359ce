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
 * One small interface to the OS sandbox, with one file per backend
 * chosen by configure (--with-sandbox): sandbox-seccomp.c (Linux),
 * sandbox-pledge.c (OpenBSD), sandbox-capsicum.c (FreeBSD) and
 * sandbox-none.c, which only warns.
 *
 * A child calls sandbox_enter() once its privileges are dropped and
 * sandbox_shrink() once the last descriptor it will ever receive has
 * arrived; the parent and netcfg stay unsandboxed (they need root).
 */
#ifndef DSVPND_SANDBOX_H
#define DSVPND_SANDBOX_H

#include "msgcat.h"

/* The backend's name for status output: "seccomp", "pledge", ... */
const char	*sandbox_name(void);
/* Locks the process in; fatal if the OS refuses. */
void		 sandbox_enter(enum proc_id);
/*
 * Drops the ability to receive descriptors where the OS allows it
 * (pledge: "recvfd"; a no-op for seccomp and capsicum).  A server's
 * tunnel calls it on MSG_FDS_DONE, control once its socket is in; a
 * client's tunnel never does: every reconnection brings a new socket.
 */
void		 sandbox_shrink(enum proc_id);
/*
 * Capsicum only: limit a descriptor received after sandbox_enter(), or
 * accepted (SANDBOX_FD_ACCEPTED): a socket accepted on a
 * SANDBOX_FD_LISTEN descriptor inherits all its rights, CAP_ACCEPT
 * among them, and must be cut down to a connection's.  The channel to
 * the parent (PROC_CHANNEL_FD) is limited by sandbox_enter() itself.
 */
void		 sandbox_limit_fd(enum proc_id, int fd, int kind);
/*
 * The live tests' probe (sandbox-probe.c), instead of sandbox_enter():
 * locks the process in, then makes a call every backend forbids, which
 * must kill it.  Returns only if it did not (sandbox "none").
 */
void		 sandbox_probe(enum proc_id);
/*
 * Before the privileges are dropped: the descriptors the process will
 * need once locked in, if more than the default 1024 (a server's tunnel
 * holds one a session).  Raises the limits now (the hard one only as
 * root); the backends cap them there when locking in.  Portable, so
 * every backend gets the raised limit.
 */
void		 sandbox_set_nofile(unsigned long);
unsigned long	 sandbox_nofile(void);
/* For the backends: rlimits set before locking in (sandbox-limits.c). */
void		 sandbox_limits(void);
/*
 * For the probe, before sandbox_enter(): a call the backend refuses
 * kills the process from then on.  Only capsicum, whose capability
 * mode fails calls with ECAPMODE, has anything to do; seccomp and
 * pledge kill already.
 */
void		 sandbox_trap_refusals(void);
/*
 * Before sandbox_enter(): the process will send datagrams to addresses
 * it names (a UDP server answers every client from one socket).  The
 * capsicum backend must then stay out of capability mode, where
 * FreeBSD refuses any sendto(2) address (ECAPMODE), and says so; the
 * others allow it as they are.  Portable (sandbox-limits.c).
 */
void		 sandbox_want_sendto(void);
int		 sandbox_sendto_wanted(void);

#define SANDBOX_FD_TUN		1
#define SANDBOX_FD_LISTEN	2
#define SANDBOX_FD_CONN		3
#define SANDBOX_FD_CHANNEL	4
#define SANDBOX_FD_ACCEPTED	5	/* a SANDBOX_FD_LISTEN's connection */
#define SANDBOX_FD_DGRAM_SERVER	6	/* a UDP socket sending to many */

#endif /* DSVPND_SANDBOX_H */
