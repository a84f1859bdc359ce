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
 * The seccomp sandbox, case by case: each case forks a child that sets
 * up what it needs, calls sandbox_enter() and then does one allowed or
 * forbidden thing.  Allowed work must exit 0; a forbidden call must die
 * by SIGSYS (or fail with the errno the policy gives a libc probe).
 * Only loopback and socketpairs are used.
 */
#include "compat.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <linux/filter.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "msgcat.h"
#include "sandbox.h"
#include "sockopt.h"
#include "udpio.h"

#define CHILD_TIMEOUT	30	/* seconds; SIGALRM marks a hang */

struct tcase {
	const char	*name;
	int		(*run)(void);	/* 0: success; runs in the child */
	int		 sig;		/* expected death, 0: exit 0 */
	int		(*usable)(void);	/* NULL: always */
};

static int	 ready_fd = -1;	/* child -> parent: sandbox entered */
static int	 go_fd = -1;	/* parent -> child: carry on */

static __dead void
bail(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	exit(1);
}

/*
 * Only write(2), which every policy allows: dprintf() would lseek() the
 * descriptor first, and a filter killing that would pass a case whose
 * forbidden call was in fact allowed.
 */
static int
fail(int step, const char *what)
{
	char	 buf[256];
	int	 n;

	n = snprintf(buf, sizeof(buf), "step %d: %s: %s\n", step, what,
	    strerror(errno));
	if (n > 0)
		(void)write(STDERR_FILENO, buf,
		    (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return step;
}

/* A connected pair over loopback: *lsock listens, *csock is queued. */
static int
tcp_pair(int *lsock, int *csock)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((*lsock = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(*lsock, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(*lsock, 4) == -1 ||
	    getsockname(*lsock, (struct sockaddr *)&sin, &len) == -1)
		return -1;
	if ((*csock = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(*csock, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return -1;
	return 0;
}

static int
send_fd(int sock, int fd)
{
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	struct iovec	 iov;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	char		 c = 'F';

	memset(&mh, 0, sizeof(mh));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = &c;
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = &cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int
recv_fd(int sock)
{
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	struct iovec	 iov;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	char		 c;
	int		 fd;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = &c;
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = &cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	if ((cm = CMSG_FIRSTHDR(&mh)) == NULL || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static int	 loop_reads;

static void
loop_read(int fd, short events, void *arg)
{
	char	 buf[16];

	if (events & EV_READ && read(fd, buf, sizeof(buf)) > 0)
		loop_reads++;
	event_loopexit(NULL);
}

/* The libevent loop of a real child, base created after entering. */
static int
work_loop(int rfd, int wfd)
{
	struct event	 ev, tmo;
	struct timeval	 tv = { 0, 1000 };

	if (event_init() == NULL)
		return fail(10, "event_init");
	event_set(&ev, rfd, EV_READ | EV_PERSIST, loop_read, NULL);
	event_add(&ev, NULL);
	evtimer_set(&tmo, loop_read, NULL);
	evtimer_add(&tmo, &tv);
	if (event_dispatch() == -1)
		return fail(11, "event_dispatch (timer)");
	if (write(wfd, "ping", 4) != 4)
		return fail(12, "write socketpair");
	if (event_dispatch() == -1 || loop_reads != 1)
		return fail(13, "event_dispatch (read)");
	return 0;
}

/* malloc of a large block (mmap), randombytes, sodium_malloc, time. */
static int
work_memory(void)
{
	struct timespec	 ts;
	unsigned char	*p, rnd[32];
	void		*key;
	size_t		 n = 16 * 1024 * 1024;

	if ((p = malloc(n)) == NULL)
		return fail(20, "malloc");
	memset(p, 0xa5, n);
	free(p);
	randombytes_buf(rnd, sizeof(rnd));
	if ((key = sodium_malloc(32)) == NULL)
		return fail(21, "sodium_malloc");
	memcpy(key, rnd, 32);
	sodium_free(key);
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1 ||
	    clock_gettime(CLOCK_REALTIME, &ts) == -1 || time(NULL) == -1)
		return fail(22, "clock_gettime");
	return 0;
}

/*
 * The dead-peer options the tunnel is allowed to set, though it does
 * not yet: TCP_USER_TIMEOUT and the keepalive timers.
 */
static int
work_dead_peer_opts(int s)
{
	unsigned int	 ms = 30000;
	int		 idle = 10, intvl = 5, cnt = 3;

	if (setsockopt(s, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms,
	    sizeof(ms)) == -1 ||
	    setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &idle,
	    sizeof(idle)) == -1 ||
	    setsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl)) == -1 ||
	    setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)) == -1)
		return -1;
	return 0;
}

/* What the tunnel does with an accepted transport socket. */
static int
work_accept(int lsock, int csock)
{
	struct iovec	 iov[2];
	char		 a[2], b[3];
	socklen_t	 len;
	int		 s, err, avail, fl;

	if ((s = accept4(lsock, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return fail(30, "accept4");
	/* The very code pending.c runs on every accepted socket. */
	if (sockopt_tune_stream(s) == -1)
		return fail(31, "sockopt_tune_stream");
	if (work_dead_peer_opts(s) == -1)
		return fail(37, "dead-peer socket options");
	len = sizeof(err);
	if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return fail(32, "getsockopt SO_ERROR");
	if ((fl = fcntl(s, F_GETFL)) == -1 ||
	    fcntl(s, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(s, F_SETFD, FD_CLOEXEC) == -1)
		return fail(33, "fcntl");
	iov[0].iov_base = a;
	iov[0].iov_len = sizeof(a);
	iov[1].iov_base = b;
	iov[1].iov_len = sizeof(b);
	if (writev(csock, iov, 2) != 5)
		return fail(34, "writev");
	if (shutdown(csock, SHUT_WR) == -1)
		return fail(35, "shutdown");
	/* Loopback delivers at once; FIONREAD says when all is there. */
	while (ioctl(s, FIONREAD, &avail) == 0 && avail < 5)
		sched_yield();
	if (avail != 5 || readv(s, iov, 2) != 5)
		return fail(36, "ioctl FIONREAD / readv");
	close(s);
	return 0;
}

/* A UDP socket on loopback connected to another, bound one. */
static int
udp_pair(int *rx, int *tx)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((*rx = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(*rx, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(*rx, (struct sockaddr *)&sin, &len) == -1 ||
	    (*tx = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    connect(*tx, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return -1;
	return 0;
}

/* A pair as udp_pair()'s whose *rx takes UDP_GRO, as the parent's do. */
static int
udp_gro_pair(int *rx, int *tx)
{
	int	 on = 1;

	if (udp_pair(rx, tx) == -1 ||
	    setsockopt(*rx, IPPROTO_UDP, UDP_GRO, &on, sizeof(on)) == -1)
		return -1;
	return 0;
}

/* n datagrams of size bytes (the last: last) arrive, each its own. */
static int
udp_expect(int rx, size_t n, size_t size, size_t last)
{
	uint8_t	 buf[2048];
	size_t	 i;
	ssize_t	 r;

	for (i = 0; i < n; i++) {
		r = recv(rx, buf, sizeof(buf), 0);
		if (r != (ssize_t)(i + 1 < n ? size : last) ||
		    buf[0] != (uint8_t)i)
			return -1;
	}
	return 0;
}

/*
 * The segments of a TSO frame as the tunnel sends them: one sendmsg()
 * with UDP_SEGMENT (loopback takes it), then sendmmsg() as if the
 * kernel had refused it.  To a socket with UDP_GRO, as the parent's,
 * a UDP_SEGMENT run arrives in one read, its size in a cmsg.
 */
static int
work_udp_run(int rx, int tx, int grx, int gtx)
{
	uint8_t		 buf[5 * 1000], in[8192];
	size_t		 i, seg;
	int		 nogso = 0;

	for (i = 0; i < 5; i++)
		memset(buf + i * 1000, (int)i, 1000);
	if (udpio_send(tx, NULL, 0, NULL, buf, 1000, 5, 4321, &nogso) != 5 ||
	    nogso != 0)
		return fail(50, "sendmsg UDP_SEGMENT");
	if (udp_expect(rx, 5, 1000, 321) == -1)
		return fail(51, "UDP_SEGMENT datagrams");
	nogso = EIO;
	if (udpio_send(tx, NULL, 0, NULL, buf, 1000, 5, 4999, &nogso) != 5)
		return fail(52, "sendmmsg");
	if (udp_expect(rx, 5, 1000, 999) == -1)
		return fail(53, "sendmmsg datagrams");
	nogso = 0;
	if (udpio_send(gtx, NULL, 0, NULL, buf, 1000, 5, 4321, &nogso) != 5 ||
	    udpio_recv(grx, in, sizeof(in), NULL, NULL, &seg, NULL) != 4321 ||
	    seg != 1000 || memcmp(in, buf, 4321) != 0)
		return fail(54, "recvmsg UDP_GRO");
	return 0;
}

static int
work_probes(void)
{
	struct stat	 st;

	if (fstat(STDERR_FILENO, &st) == -1)
		return fail(40, "fstat");
	if (isatty(STDERR_FILENO) || errno != ENOTTY)
		return fail(41, "isatty probe");
	if (getpid() <= 0 || getuid() == (uid_t)-1)
		return fail(42, "getpid");
	log_warnx("test_sandbox: a log line from inside the sandbox");
	return 0;
}

static int
case_allowed(void)
{
	int	 sp[2], fp[2], pass[2], lsock, csock, fd, rc;
	int	 urx, utx, grx, gtx;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, fp) == -1 ||
	    pipe(pass) == -1 || tcp_pair(&lsock, &csock) == -1 ||
	    udp_pair(&urx, &utx) == -1 || udp_gro_pair(&grx, &gtx) == -1)
		return fail(1, "setup");
	if (send_fd(fp[1], pass[1]) == -1)
		return fail(2, "send_fd");
	if (sodium_init() == -1)
		return fail(3, "sodium_init");
	sandbox_enter(PROC_TUNNEL);

	if ((fd = recv_fd(fp[0])) == -1)
		return fail(4, "recvmsg SCM_RIGHTS");
	if (write(fd, "x", 1) != 1 || close(fd) == -1)
		return fail(5, "use the passed descriptor");
	if ((rc = work_loop(sp[0], sp[1])) != 0 ||
	    (rc = work_memory()) != 0 ||
	    (rc = work_accept(lsock, csock)) != 0 ||
	    (rc = work_udp_run(urx, utx, grx, gtx)) != 0 ||
	    (rc = work_probes()) != 0)
		return rc;
	sandbox_shrink(PROC_TUNNEL);
	return 0;
}

/* Stops after entering so that the parent can read /proc/PID/status. */
static int
case_status(void)
{
	char	 c;

	sandbox_enter(PROC_TUNNEL);
	if (write(ready_fd, "r", 1) != 1 || read(go_fd, &c, 1) != 1)
		return fail(1, "handshake with the parent");
	return 0;
}

static int
case_open(void)
{
	struct stat	 st;

	sandbox_enter(PROC_TUNNEL);
	if (open("/dev/null", O_RDONLY) != -1 || errno != EACCES)
		return fail(1, "open not refused with EACCES");
	if (openat(AT_FDCWD, "/dev/null", O_RDONLY) != -1 || errno != EACCES)
		return fail(2, "openat not refused with EACCES");
	if (stat("/", &st) != -1 || errno != EACCES)
		return fail(3, "stat of a path not refused with EACCES");
	return 0;
}

/* Writing, creating or truncating is no libc probe: it kills. */
static int
case_open_write(void)
{
	sandbox_enter(PROC_TUNNEL);
	open("/tmp/dsvpnd-test-sandbox", O_WRONLY | O_CREAT, 0600);
	return fail(1, "open(O_WRONLY | O_CREAT) survived");
}

static int
case_openat_rdwr(void)
{
	sandbox_enter(PROC_TUNNEL);
	openat(AT_FDCWD, "/dev/null", O_RDWR);
	return fail(1, "openat(O_RDWR) survived");
}

static int
case_open_trunc(void)
{
	sandbox_enter(PROC_TUNNEL);
	open("/dev/null", O_RDONLY | O_TRUNC);
	return fail(1, "open(O_RDONLY | O_TRUNC) survived");
}

/* The live tests' probe must die under this backend too. */
static int
case_probe(void)
{
	sandbox_probe(PROC_TUNNEL);
	return fail(1, "sandbox_probe() returned");
}

static int
case_socket(void)
{
	sandbox_enter(PROC_TUNNEL);
	socket(AF_INET, SOCK_STREAM, 0);
	return fail(1, "socket() survived");
}

static int
case_connect(void)
{
	struct sockaddr_in	 sin;
	int			 s;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return fail(1, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sandbox_enter(PROC_TUNNEL);
	connect(s, (struct sockaddr *)&sin, sizeof(sin));
	return fail(2, "connect() survived");
}

static int
case_execve(void)
{
	char	*argv[] = { "true", NULL }, *envp[] = { NULL };

	sandbox_enter(PROC_TUNNEL);
	execve("/bin/true", argv, envp);
	return fail(1, "execve() survived");
}

static int
case_fork(void)
{
	sandbox_enter(PROC_TUNNEL);
	if (fork() == 0)
		_exit(0);
	return fail(1, "fork() survived");
}

static int
case_mmap_exec(void)
{
	sandbox_enter(PROC_TUNNEL);
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	return fail(1, "mmap(PROT_EXEC) survived");
}

static int
case_ioctl(void)
{
	int	 on = 1;

	sandbox_enter(PROC_TUNNEL);
	ioctl(STDERR_FILENO, FIONBIO, &on);
	return fail(1, "ioctl(FIONBIO) survived");
}

static int
case_sockopt_ip(void)
{
	int	 lsock, csock, tos = 0x10;

	if (tcp_pair(&lsock, &csock) == -1)
		return fail(1, "setup");
	sandbox_enter(PROC_TUNNEL);
	setsockopt(csock, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	return fail(2, "setsockopt(IP_TOS) survived");
}

/* One setsockopt(2) on an accepted-like socket, inside the sandbox. */
static int
sockopt_dies(int level, int name, const void *val, socklen_t len)
{
	int	 lsock, csock;

	if (tcp_pair(&lsock, &csock) == -1)
		return fail(1, "setup");
	sandbox_enter(PROC_TUNNEL);
	setsockopt(csock, level, name, val, len);
	return fail(2, "a forbidden setsockopt survived");
}

/* A classic BPF program that accepts everything. */
static int
case_sockopt_filter(void)
{
	struct sock_filter	 insn = BPF_STMT(BPF_RET | BPF_K, 0xffffffff);
	struct sock_fprog	 prog = { 1, &insn };

	return sockopt_dies(SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog));
}

static int
case_sockopt_reuseport_cbpf(void)
{
	struct sock_filter	 insn = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog	 prog = { 1, &insn };

	return sockopt_dies(SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
	    sizeof(prog));
}

static int
case_sockopt_ulp(void)
{
	return sockopt_dies(IPPROTO_TCP, TCP_ULP, "tls", 3);
}

static int
case_sockopt_md5sig(void)
{
	struct tcp_md5sig	 sig;

	memset(&sig, 0, sizeof(sig));
	return sockopt_dies(IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig));
}

/* The parent chooses the congestion control; the tunnel may not. */
static int
case_sockopt_congestion(void)
{
	return sockopt_dies(IPPROTO_TCP, TCP_CONGESTION, "reno", 4);
}

/* Allowed levels with another name: SO_SNDBUF and TCP_REPAIR. */
static int
case_sockopt_sndbuf(void)
{
	int	 sz = 65536;

	return sockopt_dies(SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static int
case_sockopt_repair(void)
{
	int	 on = 1;

	return sockopt_dies(IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on));
}

static int
case_kill(void)
{
	pid_t	 ppid = getppid();

	sandbox_enter(PROC_TUNNEL);
	kill(ppid, 0);
	return fail(1, "kill() of another process survived");
}

/* abort() must still work: tgkill at ourselves is allowed. */
static int
case_abort(void)
{
	sandbox_enter(PROC_TUNNEL);
	abort();
}

#ifdef __x86_64__
/* The x32 ABI shares the x86_64 audit arch: the filter must catch it. */
static int
case_x32(void)
{
	sandbox_enter(PROC_TUNNEL);
	syscall(0x40000000 | SYS_getpid);
	return fail(1, "an x32 syscall survived");
}

/* getpid through the i386 entry: another audit arch, the bad-arch rule. */
static long
i386_getpid(void)
{
	long	 ret;

	__asm__ volatile ("int $0x80" : "=a" (ret) : "a" (20L) : "memory");
	return ret;
}

static int
case_i386(void)
{
	sandbox_enter(PROC_TUNNEL);
	i386_getpid();
	return fail(1, "an i386 syscall survived");
}

/* Kernels without IA32 emulation fault on int 0x80 instead. */
static int
have_i386(void)
{
	pid_t	 pid;
	int	 status;

	if ((pid = fork()) == 0)
		_exit(i386_getpid() == getpid() ? 0 : 1);
	return pid != -1 && waitpid(pid, &status, 0) == pid &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
#endif

static int
case_control(void)
{
	struct sockaddr_un	 sun;
	struct ucred		 cred;
	socklen_t		 len = sizeof(cred);
	int			 l, c, s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	/* An abstract name: nothing to clean up on disk. */
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
	    "dsvpnd-test-sandbox-%ld", (long)getpid());
	if ((l = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(l, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(l, 1) == -1 ||
	    (c = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(c, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		return fail(1, "setup");
	sandbox_enter(PROC_CONTROL);
	if ((s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return fail(2, "accept4");
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    cred.pid != getpid())
		return fail(3, "getsockopt SO_PEERCRED");
	if (write(c, "status", 6) != 6)
		return fail(4, "write");
	sandbox_shrink(PROC_CONTROL);
	return 0;
}

static int
case_control_socket(void)
{
	sandbox_enter(PROC_CONTROL);
	socket(AF_UNIX, SOCK_STREAM, 0);
	return fail(1, "socket() survived in control");
}

#define T_OK(name, fn)		{ name, fn, 0, NULL }
#define T_DIES(name, fn, sig)	{ name, fn, sig, NULL }

static const struct tcase cases[] = {
	T_OK("tunnel: allowed work", case_allowed),
	T_OK("tunnel: status", case_status),
	T_OK("tunnel: open/stat refused", case_open),
	T_DIES("tunnel: open(O_WRONLY | O_CREAT)", case_open_write, SIGSYS),
	T_DIES("tunnel: openat(O_RDWR)", case_openat_rdwr, SIGSYS),
	T_DIES("tunnel: open(O_RDONLY | O_TRUNC)", case_open_trunc, SIGSYS),
	T_DIES("tunnel: sandbox_probe()", case_probe, SIGSYS),
	T_DIES("tunnel: socket()", case_socket, SIGSYS),
	T_DIES("tunnel: connect()", case_connect, SIGSYS),
	T_DIES("tunnel: execve()", case_execve, SIGSYS),
	T_DIES("tunnel: fork()", case_fork, SIGSYS),
	T_DIES("tunnel: mmap(PROT_EXEC)", case_mmap_exec, SIGSYS),
	T_DIES("tunnel: ioctl(FIONBIO)", case_ioctl, SIGSYS),
	T_DIES("tunnel: setsockopt(IP_TOS)", case_sockopt_ip, SIGSYS),
	T_DIES("tunnel: setsockopt(SO_ATTACH_FILTER)", case_sockopt_filter,
	    SIGSYS),
	T_DIES("tunnel: setsockopt(SO_ATTACH_REUSEPORT_CBPF)",
	    case_sockopt_reuseport_cbpf, SIGSYS),
	T_DIES("tunnel: setsockopt(SO_SNDBUF)", case_sockopt_sndbuf, SIGSYS),
	T_DIES("tunnel: setsockopt(TCP_ULP)", case_sockopt_ulp, SIGSYS),
	T_DIES("tunnel: setsockopt(TCP_MD5SIG)", case_sockopt_md5sig, SIGSYS),
	T_DIES("tunnel: setsockopt(TCP_CONGESTION)", case_sockopt_congestion,
	    SIGSYS),
	T_DIES("tunnel: setsockopt(TCP_REPAIR)", case_sockopt_repair, SIGSYS),
	T_DIES("tunnel: kill(parent)", case_kill, SIGSYS),
	T_DIES("tunnel: abort()", case_abort, SIGABRT),
#ifdef __x86_64__
	T_DIES("tunnel: x32 syscall", case_x32, SIGSYS),
	{ "tunnel: i386 syscall", case_i386, SIGSYS, have_i386 },
#endif
	T_OK("control: allowed work", case_control),
	T_DIES("control: socket()", case_control_socket, SIGSYS),
};

/* Reads /proc/PID/FILE and checks that it holds every line of want. */
static int
proc_has(pid_t pid, const char *file, const char *const *want)
{
	char	 path[64], buf[8192];
	ssize_t	 n;
	int	 fd, i, ok = 1;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	if ((fd = open(path, O_RDONLY)) == -1) {
		printf("  cannot open %s: %s\n", path, strerror(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	for (i = 0; want[i] != NULL; i++) {
		if (strstr(buf, want[i]) == NULL) {
			printf("  %s lacks \"%s\"\n", path, want[i]);
			ok = 0;
		}
	}
	return ok;
}

static int
check_status(pid_t pid, int ready, int go)
{
	static const char *const status[] = {
		"\nNoNewPrivs:\t1\n", "\nSeccomp:\t2\n", NULL
	};
	static const char *const limits[] = {
		"Max processes             0 ", "Max file size             0 ",
		NULL
	};
	char	 c;
	int	 ok;

	if (read(ready, &c, 1) != 1) {
		printf("  the child never entered the sandbox\n");
		return 0;
	}
	ok = proc_has(pid, "status", status) & proc_has(pid, "limits", limits);
	if (write(go, "g", 1) != 1)
		return 0;
	return ok;
}

static void
child(const struct tcase *tc, int errfd)
{
	/* Output to a pipe: a file there would waive RLIMIT_FSIZE. */
	if (dup2(errfd, STDOUT_FILENO) == -1 ||
	    dup2(errfd, STDERR_FILENO) == -1)
		_exit(100);
	alarm(CHILD_TIMEOUT);
	_exit(tc->run());
}

static int
verdict(const struct tcase *tc, int status, const char *errtext)
{
	if (tc->sig == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 1;
	if (tc->sig != 0 && WIFSIGNALED(status) &&
	    WTERMSIG(status) == tc->sig) {
#ifdef SANDBOX_DEBUG
		if (tc->sig == SIGSYS &&
		    strstr(errtext, "forbidden syscall") == NULL) {
			printf("  no report of the syscall on stderr\n");
			return 0;
		}
#endif
		return 1;
	}
	if (WIFEXITED(status))
		printf("  exited %d, expected %s\n", WEXITSTATUS(status),
		    tc->sig ? strsignal(tc->sig) : "0");
	else if (WIFSIGNALED(status))
		printf("  killed by %s, expected %s\n",
		    strsignal(WTERMSIG(status)),
		    tc->sig ? strsignal(tc->sig) : "exit 0");
	return 0;
}

static int
run_case(const struct tcase *tc)
{
	char	 errtext[4096];
	ssize_t	 n, len = 0;
	pid_t	 pid;
	int	 errp[2], ready[2], go[2], status, ok = 1;

	if (pipe(errp) == -1 || pipe(ready) == -1 || pipe(go) == -1)
		bail("pipe");
	fflush(stdout);
	if ((pid = fork()) == -1)
		bail("fork");
	if (pid == 0) {
		close(errp[0]);
		ready_fd = ready[1];
		go_fd = go[0];
		child(tc, errp[1]);
	}
	close(errp[1]);
	close(ready[1]);
	close(go[0]);
	if (tc->run == case_status)
		ok = check_status(pid, ready[0], go[1]);
	while ((n = read(errp[0], errtext + len,
	    sizeof(errtext) - 1 - len)) > 0)
		len += n;
	errtext[len] = '\0';
	if (waitpid(pid, &status, 0) == -1)
		bail("waitpid");
	close(errp[0]);
	close(ready[0]);
	close(go[1]);
	ok = verdict(tc, status, errtext) && ok;
	printf("%s %s\n", ok ? "ok  " : "FAIL", tc->name);
	if (!ok || getenv("VERBOSE") != NULL)
		printf("  child's stderr: %s\n", len ? errtext : "(empty)");
	return ok;
}

static int
seccomp_supported(void)
{
	static const char *const want[] = { "\nSeccomp:", NULL };

	return proc_has(getpid(), "status", want);
}

int
main(int argc, char *argv[])
{
	size_t	 i;
	int	 failed = 0;

	log_init(1, 1, LOG_DAEMON);
	if (!seccomp_supported()) {
		printf("skipped: this kernel reports no seccomp support\n");
		return 77;
	}
	if (strcmp(sandbox_name(), "seccomp") != 0) {
		printf("FAIL sandbox_name() is \"%s\"\n", sandbox_name());
		return 1;
	}
	/* An argument picks the cases whose name contains it. */
	for (i = 0; i < nitems(cases); i++) {
		if (argc > 1 && strstr(cases[i].name, argv[1]) == NULL)
			continue;
		if (cases[i].usable != NULL && !cases[i].usable()) {
			printf("skip %s: not possible here\n", cases[i].name);
			continue;
		}
		if (!run_case(&cases[i]))
			failed++;
	}
	printf("%d failed\n", failed);
	return failed ? 1 : 0;
}
