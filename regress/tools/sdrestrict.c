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
 * Runs a command under the system-call restrictions of a systemd unit
 * that seccomp can reproduce without systemd as PID 1, as systemd's own
 * filters do them (errno values included), for regress/live/t-systemd.sh:
 *
 *	sdrestrict [-wNr] [-a FAMILY,...] [-d CALL,...] command [argument ...]
 *
 *	-a  RestrictAddressFamilies: socket(2) of any other family fails
 *	    with EAFNOSUPPORT (AF_UNIX, AF_INET, AF_INET6, AF_NETLINK,
 *	    AF_PACKET are the names understood)
 *	-w  MemoryDenyWriteExecute: no writable and executable mapping,
 *	    no mprotect(2) to executable, EPERM
 *	-N  RestrictNamespaces=yes: unshare(2), setns(2) and clone(2) of a
 *	    new namespace fail with EPERM (clone3 with ENOSYS, so libc
 *	    falls back to clone, whose flags can be seen)
 *	-r  RestrictRealtime: no SCHED_FIFO, SCHED_RR or SCHED_DEADLINE
 *	-d  SystemCallFilter=~...: these calls kill the process, as systemd's
 *	    default action does (the caller expands the @groups with
 *	    systemd-analyze syscall-filter); names this machine lacks are
 *	    skipped
 *
 * The filter holds only this machine's native architecture, which is
 * SystemCallArchitectures=native.  LockPersonality is not reproduced: it
 * allows two values of one argument, which a libseccomp rule cannot say.
 * The caller sets no_new_privs first (setpriv --no-new-privs), as
 * NoNewPrivileges does.
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE	6
#endif
#define NS_FLAGS	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | \
			    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
			    CLONE_NEWCGROUP)

static const struct {
	const char	*name;
	int		 af;
} families[] = {
	{ "AF_UNIX", AF_UNIX }, { "AF_INET", AF_INET },
	{ "AF_INET6", AF_INET6 }, { "AF_NETLINK", AF_NETLINK },
	{ "AF_PACKET", AF_PACKET },
};

static void
rule(scmp_filter_ctx ctx, int err, int call, unsigned int n,
    struct scmp_arg_cmp a, struct scmp_arg_cmp b)
{
	struct scmp_arg_cmp	 args[2] = { a, b };
	int			 r;

	r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err), call, n, args);
	if (r != 0 && r != -EDOM)	/* EDOM: no such call here */
		errx(1, "seccomp_rule_add: %s", strerror(-r));
}

#define NOARG	SCMP_A0(SCMP_CMP_NE, 0)

static void
address_families(scmp_filter_ctx ctx, char *list)
{
	int	 allowed[AF_MAX] = { 0 }, af;
	char	*name;
	size_t	 i;

	while ((name = strsep(&list, ",")) != NULL) {
		for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
			if (strcmp(name, families[i].name) == 0)
				break;
		if (i == sizeof(families) / sizeof(families[0]))
			errx(1, "unknown address family %s", name);
		allowed[families[i].af] = 1;
	}
	for (af = 0; af < AF_MAX; af++)
		if (!allowed[af])
			rule(ctx, EAFNOSUPPORT, SCMP_SYS(socket), 1,
			    SCMP_A0(SCMP_CMP_EQ, af), NOARG);
	rule(ctx, EAFNOSUPPORT, SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_GE, AF_MAX), NOARG);
}

static void
deny_calls(scmp_filter_ctx ctx, char *list)
{
	char	*name;
	int	 nr, r;

	while ((name = strsep(&list, ",")) != NULL) {
		if (*name == '\0')
			continue;
		nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, nr, 0);
		if (r != 0 && r != -EDOM)
			errx(1, "seccomp_rule_add %s: %s", name, strerror(-r));
	}
}

static void
write_execute(scmp_filter_ctx ctx)
{
	rule(ctx, EPERM, SCMP_SYS(mmap), 1, SCMP_A2(SCMP_CMP_MASKED_EQ,
	    PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC), NOARG);
	rule(ctx, EPERM, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC), NOARG);
	rule(ctx, EPERM, SCMP_SYS(pkey_mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC), NOARG);
	rule(ctx, EPERM, SCMP_SYS(shmat), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, SHM_EXEC, SHM_EXEC), NOARG);
}

int
main(int argc, char *argv[])
{
	scmp_filter_ctx	 ctx;
	char		*afs = NULL, *deny = NULL;
	int		 ch, wx = 0, ns = 0, rt = 0, r;
	unsigned int	 bit;

	while ((ch = getopt(argc, argv, "+a:d:Nrw")) != -1) {
		switch (ch) {
		case 'a': afs = optarg; break;
		case 'd': deny = optarg; break;
		case 'N': ns = 1; break;
		case 'r': rt = 1; break;
		case 'w': wx = 1; break;
		default:
			fprintf(stderr, "usage: sdrestrict [-Nrw] [-a "
			    "FAMILY,...] [-d CALL,...] command ...\n");
			return 2;
		}
	}
	argv += optind;
	if (argv[0] == NULL)
		errx(2, "no command");
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		errx(1, "seccomp_init");
	if (afs != NULL)
		address_families(ctx, afs);
	if (deny != NULL)
		deny_calls(ctx, deny);
	if (wx)
		write_execute(ctx);
	if (ns) {
		/* One rule per namespace flag: a mask test for "any of
		 * them" cannot be written as one comparison. */
		for (bit = 1; bit != 0; bit <<= 1) {
			if ((NS_FLAGS & bit) == 0)
				continue;
			rule(ctx, EPERM, SCMP_SYS(unshare), 1,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit), NOARG);
			rule(ctx, EPERM, SCMP_SYS(clone), 1,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit), NOARG);
		}
		rule(ctx, EPERM, SCMP_SYS(setns), 0, NOARG, NOARG);
		rule(ctx, ENOSYS, SCMP_SYS(clone3), 0, NOARG, NOARG);
	}
	if (rt) {
		rule(ctx, EPERM, SCMP_SYS(sched_setscheduler), 1,
		    SCMP_A1(SCMP_CMP_EQ, SCHED_FIFO), NOARG);
		rule(ctx, EPERM, SCMP_SYS(sched_setscheduler), 1,
		    SCMP_A1(SCMP_CMP_EQ, SCHED_RR), NOARG);
		rule(ctx, EPERM, SCMP_SYS(sched_setscheduler), 1,
		    SCMP_A1(SCMP_CMP_EQ, SCHED_DEADLINE), NOARG);
	}
	if ((r = seccomp_load(ctx)) != 0)
		errx(1, "seccomp_load: %s", strerror(-r));
	seccomp_release(ctx);
	execvp(argv[0], argv);
	err(127, "%s", argv[0]);
}
