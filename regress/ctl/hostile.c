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
 * hostile: a client that misbehaves on the dsvpnd control socket, for
 * the live tests.  Each check does one bad thing and expects the daemon
 * to hang up on it (within a deadline) without harm to itself; "flood"
 * holds many connections open at once.
 *
 * usage: hostile -s socket [-n conns] [-t seconds] check ...
 * checks: garbage oversized truncated unknown nohello noread fdpass
 *	   hello flood all
 * Prints one "ok" or "FAIL" line per check; exits 1 if any failed.
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

static struct sockaddr_un	 sun;
static int			 nflood = 1000;
/* Seconds the daemon has to hang up on a bad client. */
static int			 deadline = 30;

static int
hconnect(int nonblock)
{
	int	 s;

	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (nonblock && fcntl(s, F_SETFL, O_NONBLOCK) == -1)
		err(1, "fcntl");
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(s);
		return -1;
	}
	return s;
}

static void
hsend(int s, uint32_t type, uint32_t len, const void *data, size_t n)
{
	struct msg_hdr	 hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = len;
	hdr.pid = getpid();
	(void)send(s, &hdr, sizeof(hdr), MSG_NOSIGNAL);
	if (n > 0)
		(void)send(s, data, n, MSG_NOSIGNAL);
}

static void
hhello(int s)
{
	uint32_t	 v = CTL_PROTOCOL_VERSION;

	hsend(s, CTL_HELLO, MSG_HDR_SIZE + sizeof(v), &v, sizeof(v));
}

/* 0 once the daemon has closed s (EOF or reset), -1 at the deadline. */
static int
dropped(int s)
{
	struct pollfd	 pfd;
	char		 buf[4096];
	time_t		 end = time(NULL) + deadline;
	ssize_t		 n;

	for (;;) {
		pfd.fd = s;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 1000) == -1 && errno != EINTR)
			err(1, "poll");
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
			if (n == 0 || (n == -1 && errno != EAGAIN &&
			    errno != EINTR))
				return 0;
		}
		if (time(NULL) >= end)
			return -1;
	}
}

static int
check_garbage(int s)
{
	char	 junk[3000];
	size_t	 i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 131 + 7);
	(void)send(s, junk, sizeof(junk), MSG_NOSIGNAL);
	return dropped(s);
}

static int
check_oversized(int s)
{
	hsend(s, CTL_STATUS, 0x7fffffff, NULL, 0);
	return dropped(s);
}

static int
check_truncated(int s)
{
	struct msg_hdr	 hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = CTL_HELLO;
	hdr.len = MSG_HDR_SIZE + 4;
	(void)send(s, &hdr, 7, MSG_NOSIGNAL);
	return dropped(s);
}

static int
check_unknown(int s)
{
	hhello(s);
	hsend(s, 9999, MSG_HDR_SIZE, NULL, 0);
	return dropped(s);
}

static int
check_nohello(int s)
{
	hsend(s, CTL_RELOAD, MSG_HDR_SIZE, NULL, 0);
	return dropped(s);
}

/* Ask and ask and never read: the daemon must give up on us. */
static int
check_noread(int s)
{
	int	 i, small = 1024;

	(void)setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	hhello(s);
	for (i = 0; i < 2000; i++)
		hsend(s, CTL_STATUS, MSG_HDR_SIZE, NULL, 0);
	return dropped(s);
}

static int
check_fdpass(int s)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}		 cm;
	struct msg_hdr	 hdr;
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*c;
	int		 fd = 0;

	hhello(s);
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = CTL_STATUS;
	hdr.len = MSG_HDR_SIZE;
	memset(&mh, 0, sizeof(mh));
	memset(&cm, 0, sizeof(cm));
	iov.iov_base = &hdr;
	iov.iov_len = sizeof(hdr);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_len = CMSG_LEN(sizeof(int));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	(void)sendmsg(s, &mh, MSG_NOSIGNAL);
	return dropped(s);
}

/* A well-behaved hello is answered, and then silence is dropped. */
static int
check_hello(int s)
{
	struct msg_hdr	 hdr;
	uint32_t	 v;
	char		 buf[MSG_HDR_SIZE + sizeof(v)];

	hhello(s);
	if (recv(s, buf, sizeof(buf), MSG_WAITALL) != (ssize_t)sizeof(buf))
		return -1;
	memcpy(&hdr, buf, sizeof(hdr));
	memcpy(&v, buf + sizeof(hdr), sizeof(v));
	if (hdr.type != CTL_HELLO || v != CTL_PROTOCOL_VERSION)
		return -1;
	return dropped(s);
}

/* Many connections at once, held for a while, then let go. */
static int
check_flood(void)
{
	struct rlimit	 rl;
	int		*fds, i, n = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)nflood + 64) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)nflood + 64 ?
		    rl.rlim_max : (rlim_t)nflood + 64;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((fds = calloc(nflood, sizeof(int))) == NULL)
		err(1, NULL);
	for (i = 0; i < nflood; i++)
		if ((fds[i] = hconnect(1)) != -1)
			n++;
	printf("flood: %d of %d connections made\n", n, nflood);
	sleep(2);
	for (i = 0; i < nflood; i++)
		if (fds[i] != -1)
			close(fds[i]);
	free(fds);
	return 0;
}

struct check {
	const char	*name;
	int		(*fn)(int);
};

static const struct check checks[] = {
	{ "garbage", check_garbage },
	{ "oversized", check_oversized },
	{ "truncated", check_truncated },
	{ "unknown", check_unknown },
	{ "nohello", check_nohello },
	{ "noread", check_noread },
	{ "fdpass", check_fdpass },
	{ "hello", check_hello },
};

static int
run_check(const struct check *c)
{
	int	 s, r;

	if ((s = hconnect(0)) == -1) {
		printf("FAIL %s: connect: %s\n", c->name, strerror(errno));
		return 1;
	}
	r = c->fn(s);
	close(s);
	printf("%s %s%s\n", r == 0 ? "ok" : "FAIL", c->name,
	    r == 0 ? ": dropped by dsvpnd" : ": still connected");
	return r != 0;
}

static int
run_name(const char *name)
{
	size_t	 i;
	int	 bad = 0;

	if (strcmp(name, "flood") == 0)
		return check_flood();
	for (i = 0; i < nitems(checks); i++)
		if (strcmp(name, "all") == 0 ||
		    strcmp(name, checks[i].name) == 0)
			bad += run_check(&checks[i]);
	if (strcmp(name, "all") == 0)
		bad += check_flood();
	return bad;
}

__dead static void
usage(void)
{
	fprintf(stderr, "usage: hostile -s socket [-n conns] [-t seconds] "
	    "check ...\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char	*path = NULL, *errstr;
	int		 ch, bad = 0;

	while ((ch = getopt(argc, argv, "n:s:t:")) != -1) {
		switch (ch) {
		case 'n':
			nflood = strtonum(optarg, 1, 100000, &errstr);
			if (errstr != NULL)
				errx(2, "-n %s: %s", optarg, errstr);
			break;
		case 's':
			path = optarg;
			break;
		case 't':
			deadline = strtonum(optarg, 1, 3600, &errstr);
			if (errstr != NULL)
				errx(2, "-t %s: %s", optarg, errstr);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (path == NULL || argc == 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		errx(2, "%s: path too long", path);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (; argc > 0; argc--, argv++)
		bad += run_name(argv[0]);
	return bad ? 1 : 0;
}
