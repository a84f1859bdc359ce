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
 * The Linux sandbox: a seccomp filter built with libseccomp for the
 * native architecture only.  Whatever a table below does not name kills
 * the whole process with SIGSYS: the tunnel and control processes work
 * only on descriptors they were given, so socket(), connect(), bind(),
 * execve(), clone() and the rest have no business there.  A few calls
 * that libc merely probes (opening a file, stat of a path, isatty) fail
 * with an errno instead, so that libc's fallbacks keep working.
 *
 * With --enable-debug (SANDBOX_DEBUG) a violation traps instead: a SIGSYS
 * handler writes the syscall number to stderr and the process still dies
 * by SIGSYS, as it would have without the handler.
 */
#include "compat.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "msgcat.h"
#include "sandbox.h"

/* Enough for the listeners, a full pending-connection queue and TUN. */
#define SC_INT			0xffffffffULL	/* int arguments: low half */
/* The open(2) flags that make it more than a read. */
#define SC_OPEN_WRITES		(O_ACCMODE | O_CREAT | O_TRUNC)

struct sc_rule {
	int			 nr;	/* < 0: not a syscall on this arch */
	uint32_t		 action;
	unsigned int		 nargs;	/* 0, 1 or 2, all must match */
	struct scmp_arg_cmp	 arg[2];
};

#define SC_ALLOW(call)							\
	{ SCMP_SYS(call), SCMP_ACT_ALLOW, 0, { { 0, 0, 0, 0 } } }
/* Allowed only when (argument n & mask) == value. */
#define SC_ALLOW_ARG(call, n, mask, value)				\
	{ SCMP_SYS(call), SCMP_ACT_ALLOW, 1,				\
	    { { n, SCMP_CMP_MASKED_EQ, mask, value } } }
/* Allowed only when the int arguments n and m are exactly a and b. */
#define SC_ALLOW_ARG2(call, n, a, m, b)					\
	{ SCMP_SYS(call), SCMP_ACT_ALLOW, 2,				\
	    { { n, SCMP_CMP_MASKED_EQ, SC_INT, a },			\
	    { m, SCMP_CMP_MASKED_EQ, SC_INT, b } } }
#define SC_DENY(call, err)						\
	{ SCMP_SYS(call), SCMP_ACT_ERRNO(err), 0, { { 0, 0, 0, 0 } } }
#define SC_DENY_ARG(call, err, n, mask, value)				\
	{ SCMP_SYS(call), SCMP_ACT_ERRNO(err), 1,			\
	    { { n, SCMP_CMP_MASKED_EQ, mask, value } } }

/*
 * What libc, libsodium and a libevent loop need in any sandboxed child.
 * Names missing on an architecture resolve to negative pseudo numbers
 * and are skipped, which is why the 32-bit and time64 twins are listed.
 */
static const struct sc_rule sc_runtime[] = {
	/* I/O on the descriptors the process already holds. */
	SC_ALLOW(read),
	SC_ALLOW(readv),
	SC_ALLOW(write),
	SC_ALLOW(writev),
	SC_ALLOW(recvfrom),
	SC_ALLOW(recvmsg),		/* the channel, with SCM_RIGHTS */
	SC_ALLOW(sendto),
	SC_ALLOW(sendmsg),
	SC_ALLOW(close),
	SC_ALLOW(shutdown),
	SC_ALLOW(getsockname),
	SC_ALLOW(getpeername),
	SC_ALLOW(getsockopt),		/* SO_ERROR, SO_PEERCRED */
	/* Descriptor flags only: no F_DUPFD, F_SETOWN, locks or leases. */
	SC_ALLOW_ARG(fcntl, 1, SC_INT, F_GETFL),
	SC_ALLOW_ARG(fcntl, 1, SC_INT, F_SETFL),
	SC_ALLOW_ARG(fcntl, 1, SC_INT, F_GETFD),
	SC_ALLOW_ARG(fcntl, 1, SC_INT, F_SETFD),
	SC_ALLOW_ARG(fcntl64, 1, SC_INT, F_GETFL),
	SC_ALLOW_ARG(fcntl64, 1, SC_INT, F_SETFL),
	SC_ALLOW_ARG(fcntl64, 1, SC_INT, F_GETFD),
	SC_ALLOW_ARG(fcntl64, 1, SC_INT, F_SETFD),
	/* libevent's evbuffer_read() asks how much is waiting. */
	SC_ALLOW_ARG(ioctl, 1, SC_INT, FIONREAD),
	/* isatty() from stdio is a probe: "not a terminal". */
	SC_DENY_ARG(ioctl, ENOTTY, 1, SC_INT, TCGETS),

	/*
	 * The event loop.  event_init() may run after sandbox_enter(): it
	 * checks issetugid (the get*id calls) and makes its signal pipe.
	 */
	SC_ALLOW(epoll_create1),
	SC_ALLOW(epoll_ctl),
	SC_ALLOW(epoll_wait),
	SC_ALLOW(epoll_pwait),
	SC_ALLOW(poll),
	SC_ALLOW(ppoll),
	SC_ALLOW(pipe2),
	SC_ALLOW(getuid),
	SC_ALLOW(geteuid),
	SC_ALLOW(getgid),
	SC_ALLOW(getegid),

	/* Clocks: normally the vDSO, these are its fallbacks. */
	SC_ALLOW(clock_gettime),
	SC_ALLOW(clock_getres),
	SC_ALLOW(gettimeofday),
	SC_ALLOW(time),
	SC_ALLOW(nanosleep),
	SC_ALLOW(clock_nanosleep),

	/*
	 * Memory for malloc and for sodium_malloc() (guard pages, mlock,
	 * MADV_DONTDUMP), but nothing may become executable.
	 */
	SC_ALLOW(brk),
	SC_ALLOW_ARG(mmap, 2, PROT_EXEC, 0),
	SC_ALLOW_ARG(mmap2, 2, PROT_EXEC, 0),
	SC_ALLOW_ARG(mprotect, 2, PROT_EXEC, 0),
	SC_ALLOW(munmap),
	SC_ALLOW(mremap),
	SC_ALLOW(madvise),
	SC_ALLOW(mlock),
	SC_ALLOW(munlock),

	/* Signals, exit and what libc does for itself. */
	SC_ALLOW(rt_sigaction),
	SC_ALLOW(rt_sigprocmask),
	SC_ALLOW(rt_sigreturn),
	SC_ALLOW(sigreturn),
	SC_ALLOW(sigaltstack),
	SC_ALLOW(restart_syscall),
	SC_ALLOW(exit),
	SC_ALLOW(exit_group),
	SC_ALLOW(getpid),
	SC_ALLOW(gettid),
	SC_ALLOW(futex),
	SC_ALLOW(sched_yield),
	SC_ALLOW(getrandom),		/* libsodium's randombytes */

	/* fstat() of a held descriptor; stat of a path is a probe. */
	SC_ALLOW(fstat),
	SC_ALLOW(fstat64),
	SC_ALLOW_ARG(newfstatat, 3, AT_EMPTY_PATH, AT_EMPTY_PATH),
	SC_DENY_ARG(newfstatat, EACCES, 3, AT_EMPTY_PATH, 0),
	SC_ALLOW_ARG(fstatat64, 3, AT_EMPTY_PATH, AT_EMPTY_PATH),
	SC_DENY_ARG(fstatat64, EACCES, 3, AT_EMPTY_PATH, 0),

	/*
	 * Opening a file to read it is refused, not punished: glibc probes
	 * the time zone, NSS and locale files and copes without them.
	 * Nothing is lost, as the process sits in an empty chroot anyway.
	 * Opening one to write, create or truncate it (O_TRUNC truncates
	 * even with O_RDONLY) is no probe: the default action kills.
	 */
	SC_DENY_ARG(open, EACCES, 1, SC_OPEN_WRITES, O_RDONLY),
	SC_DENY_ARG(openat, EACCES, 2, SC_OPEN_WRITES, O_RDONLY),

#ifdef __PNR_clock_gettime64
	/* The 64-bit time twins on 32-bit systems (libseccomp >= 2.5). */
	SC_ALLOW(clock_gettime64),
	SC_ALLOW(clock_nanosleep_time64),
	SC_ALLOW(futex_time64),
	SC_ALLOW(ppoll_time64),
#endif
};

/*
 * The tunnel: accepts clients on the listeners it was given and tunes
 * the sockets.  It may not create a socket (socket, socketpair), name
 * one (bind, listen, connect) or duplicate one: those kill it.
 *
 * setsockopt(2) is allowed by level and name, for the options
 * tunnel/sockopt.c sets on an accepted socket and no other: every other
 * option is kernel attack surface with no use here (SO_ATTACH_FILTER
 * and SO_ATTACH_REUSEPORT_CBPF load BPF, TCP_ULP loads a protocol such
 * as kTLS, TCP_MD5SIG and TCP_REPAIR reach rarely used code).  Not
 * TCP_CONGESTION either: the parent sets it on the listeners and the
 * connecting sockets, and accepted sockets inherit it.  TCP_USER_TIMEOUT
 * (every session) and the TCP keepalive timers (DSVPN sessions, whose
 * protocol has no keepalive: tunnel/session.c) are the tunnel's
 * dead-peer detection on the transport socket.
 */
static const struct sc_rule sc_tunnel[] = {
	SC_ALLOW(accept4),
	SC_ALLOW(accept),
	/* The segments of a TSO frame where UDP_SEGMENT is refused
	 * (tunnel/udpio-linux.c). */
	SC_ALLOW(sendmmsg),
	SC_ALLOW_ARG2(setsockopt, 1, SOL_SOCKET, 2, SO_KEEPALIVE),
	SC_ALLOW_ARG2(setsockopt, 1, IPPROTO_TCP, 2, TCP_NODELAY),
#ifdef TCP_NOTSENT_LOWAT
	SC_ALLOW_ARG2(setsockopt, 1, IPPROTO_TCP, 2, TCP_NOTSENT_LOWAT),
#endif
	SC_ALLOW_ARG2(setsockopt, 1, IPPROTO_TCP, 2, TCP_USER_TIMEOUT),
	SC_ALLOW_ARG2(setsockopt, 1, IPPROTO_TCP, 2, TCP_KEEPIDLE),
	SC_ALLOW_ARG2(setsockopt, 1, IPPROTO_TCP, 2, TCP_KEEPINTVL),
	SC_ALLOW_ARG2(setsockopt, 1, IPPROTO_TCP, 2, TCP_KEEPCNT),
};

/*
 * The control process: accepts dsvpnctl on the UNIX socket it was given
 * and reads the peer's credentials (getsockopt SO_PEERCRED, above).
 */
static const struct sc_rule sc_control[] = {
	SC_ALLOW(accept4),
	SC_ALLOW(accept),
};

#ifdef SANDBOX_DEBUG
static const char	*sc_procname = "?";

static size_t
sc_append(char *buf, size_t len, size_t size, const char *s)
{
	while (*s != '\0' && len < size - 1)
		buf[len++] = *s++;
	buf[len] = '\0';
	return len;
}

static size_t
sc_append_num(char *buf, size_t len, size_t size, unsigned long n,
    unsigned int base)
{
	char	 digits[24];
	size_t	 i = sizeof(digits) - 1;

	digits[i] = '\0';
	do {
		digits[--i] = "0123456789abcdef"[n % base];
		n /= base;
	} while (n != 0 && i > 0);
	return sc_append(buf, len, size, digits + i);
}

/*
 * Async-signal-safe: names the call, then dies by SIGSYS all the same,
 * so that the parent sees the same death as without --enable-debug.
 */
static void
sc_violation(int sig, siginfo_t *si, void *ctx)
{
	char		 msg[160];
	size_t		 len = 0;
	sigset_t	 set;

	len = sc_append(msg, len, sizeof(msg), "dsvpnd: sandbox: ");
	len = sc_append(msg, len, sizeof(msg), sc_procname);
	len = sc_append(msg, len, sizeof(msg), ": forbidden syscall ");
	len = sc_append_num(msg, len, sizeof(msg), si->si_syscall, 10);
	len = sc_append(msg, len, sizeof(msg), " (arch 0x");
	len = sc_append_num(msg, len, sizeof(msg), si->si_arch, 16);
	len = sc_append(msg, len, sizeof(msg),
	    "; scmp_sys_resolver names it)\n");
	(void)write(STDERR_FILENO, msg, len);

	signal(SIGSYS, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGSYS);
	_exit(128 + SIGSYS);
}

static uint32_t
sc_default_action(enum proc_id proc)
{
	struct sigaction	 sa;

	sc_procname = proc_name(proc);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sc_violation;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		fatal("sandbox: sigaction SIGSYS");
	return SCMP_ACT_TRAP;
}
#else
static uint32_t
sc_default_action(enum proc_id proc)
{
	/* Before Linux 4.14 only the thread dies; ours are single. */
	if (seccomp_api_get() >= 3)
		return SCMP_ACT_KILL_PROCESS;
	return SCMP_ACT_KILL;
}
#endif

static void
sc_add(scmp_filter_ctx ctx, const struct sc_rule *rules, size_t n)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < n; i++) {
		if (rules[i].nr < 0)
			continue;
		rc = seccomp_rule_add_array(ctx, rules[i].action, rules[i].nr,
		    rules[i].nargs, rules[i].arg);
		if (rc < 0)
			fatalx("sandbox: seccomp rule for syscall %d: %s",
			    rules[i].nr, strerror(-rc));
	}
}

/*
 * abort() and raise() signal the calling thread with tgkill(): allowed
 * at this very process only, which cannot fork into another pid.
 */
static void
sc_add_self(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp	 self;
	int			 rc;

	memset(&self, 0, sizeof(self));
	self.arg = 0;
	self.op = SCMP_CMP_EQ;
	self.datum_a = (scmp_datum_t)getpid();
	rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    &self);
	if (rc < 0)
		fatalx("sandbox: seccomp rule for tgkill: %s", strerror(-rc));
}

static void
sc_load(enum proc_id proc, const struct sc_rule *own, size_t nown)
{
	scmp_filter_ctx	 ctx;
	uint32_t	 action;
	int		 rc;

	action = sc_default_action(proc);
	if ((ctx = seccomp_init(action)) == NULL)
		fatalx("sandbox: seccomp_init failed");
	/* Only the native ABI: i386 or x32 entry points hit the default. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, action)) < 0)
		fatalx("sandbox: seccomp bad-arch action: %s", strerror(-rc));
	sc_add(ctx, sc_runtime, nitems(sc_runtime));
	sc_add(ctx, own, nown);
	sc_add_self(ctx);
	if ((rc = seccomp_load(ctx)) < 0)
		fatalx("sandbox: cannot load the seccomp filter: %s",
		    strerror(-rc));
	seccomp_release(ctx);
}

const char *
sandbox_name(void)
{
	return "seccomp";
}

/*
 * Order as in OpenSSH: limits first (setrlimit is not allowed later),
 * then no_new_privs, which an unprivileged process needs to load a
 * filter, then the filter.  Not dumpable: no core file or ptrace by the
 * same user may read the session keys.
 */
void
sandbox_enter(enum proc_id proc)
{
	switch (proc) {
	case PROC_TUNNEL:
	case PROC_CONTROL:
		break;
	default:
		fatalx("sandbox: no seccomp policy for the %s process",
		    proc_name(proc));
	}
	sandbox_limits();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("sandbox: prctl PR_SET_NO_NEW_PRIVS");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("sandbox: prctl PR_SET_DUMPABLE");
	if (proc == PROC_TUNNEL)
		sc_load(proc, sc_tunnel, nitems(sc_tunnel));
	else
		sc_load(proc, sc_control, nitems(sc_control));
	log_debug("sandbox: %s process confined by seccomp",
	    proc_name(proc));
}

/*
 * Nothing to drop: a filter cannot see inside recvmsg()'s msghdr, so
 * descriptor passing cannot be told apart from plain reads.  The chroot
 * and the filter already keep received descriptors from mattering more
 * than the ones the parent chose to send.
 */
void
sandbox_shrink(enum proc_id proc)
{
}

/* Capsicum only. */
void
sandbox_limit_fd(enum proc_id proc, int fd, int kind)
{
}

/* What the filter does not allow kills already (SIGSYS). */
void
sandbox_trap_refusals(void)
{
}
