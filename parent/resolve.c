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
 * The asynchronous resolver (resolve.h).  The parent's side: a numeric
 * host is answered at once (through the event loop, so the caller sees
 * one behaviour); a name starts the child, sends it the request and
 * reads its fixed-size reply, bounded in time.  The child's side reads
 * the request, drops to the unprivileged user and asks getaddrinfo(3).
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif
#include <netinet/in.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"
#include "proc.h"
#include "resolve.h"

struct lookup {
	int			 active;
	int			 fd;		/* -1: numeric, no child */
	pid_t			 pid;
	struct event		 ev;
	struct event		 timer;
	resolve_cb		 cb;
	void			*arg;
	struct resolve_reply	 reply;
	size_t			 got;
};

static struct lookup	 lk = { .fd = -1 };

const char *
resolve_reply_check(const struct resolve_reply *r)
{
	const struct resolve_addr	*a;
	uint32_t			 i;

	if (memchr(r->error, '\0', sizeof(r->error)) == NULL)
		return ("unterminated error text");
	if (r->n > RESOLVE_MAX_ADDRS)
		return ("too many addresses");
	for (i = 0; i < r->n; i++) {
		a = &r->addrs[i];
		if (a->family == AF_INET &&
		    a->len == sizeof(struct sockaddr_in) &&
		    a->ss.ss_family == AF_INET)
			continue;
		if (a->family == AF_INET6 &&
		    a->len == sizeof(struct sockaddr_in6) &&
		    a->ss.ss_family == AF_INET6)
			continue;
		return ("an address of a bad family or length");
	}
	return (NULL);
}

int
resolve_is_numeric(const char *host)
{
	struct addrinfo	 hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return (0);
	freeaddrinfo(res);
	return (1);
}

/* The lookup's end: the caller learns it once, after the state is reset. */
static void
finish(const char *why)
{
	struct sockaddr_storage	 ss[RESOLVE_MAX_ADDRS];
	socklen_t		 len[RESOLVE_MAX_ADDRS];
	resolve_cb		 cb = lk.cb;
	void			*arg = lk.arg;
	char			 err[RESOLVE_ERRLEN];
	uint32_t		 i, n = 0;

	if (why == NULL && (why = resolve_reply_check(&lk.reply)) == NULL) {
		n = lk.reply.n;
		for (i = 0; i < n; i++) {
			memcpy(&ss[i], &lk.reply.addrs[i].ss, sizeof(ss[i]));
			len[i] = lk.reply.addrs[i].len;
		}
		strlcpy(err, n == 0 ? lk.reply.error : "", sizeof(err));
		if (n == 0 && err[0] == '\0')
			strlcpy(err, "no address", sizeof(err));
	} else
		strlcpy(err, why, sizeof(err));
	resolve_cancel();
	cb(n, ss, len, err, arg);
}

static void
reap(void)
{
	pid_t	 r;

	if (lk.pid <= 0)
		return;
	/* SIGCHLD may have reaped it already (ECHILD): then leave it. */
	if ((r = waitpid(lk.pid, NULL, WNOHANG)) == 0) {
		kill(lk.pid, SIGKILL);
		waitpid(lk.pid, NULL, 0);
	}
	lk.pid = 0;
}

void
resolve_cancel(void)
{
	if (!lk.active)
		return;
	if (event_initialized(&lk.timer))
		evtimer_del(&lk.timer);
	if (lk.fd != -1) {
		event_del(&lk.ev);
		close(lk.fd);
		lk.fd = -1;
	}
	reap();
	lk.active = 0;
}

static void
on_timeout(int fd, short event, void *arg)
{
	finish("timed out");
}

static void
on_numeric(int fd, short event, void *arg)
{
	finish(NULL);
}

static void
on_reply(int fd, short event, void *arg)
{
	ssize_t	 n;

	n = read(fd, (char *)&lk.reply + lk.got, sizeof(lk.reply) - lk.got);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		finish(n == 0 ? "the resolver ended without an answer" :
		    strerror(errno));
		return;
	}
	if ((lk.got += n) == sizeof(lk.reply))
		finish(NULL);
}

/* An address: no child, the answer through the loop all the same. */
static int
start_numeric(const char *host, const char *port)
{
	struct addrinfo	 hints, *res, *ai;
	struct timeval	 now = { 0, 0 };
	uint32_t	 n = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return (-1);
	for (ai = res; ai != NULL && n < RESOLVE_MAX_ADDRS; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(struct sockaddr_storage))
			continue;
		lk.reply.addrs[n].family = ai->ai_family;
		lk.reply.addrs[n].len = ai->ai_addrlen;
		memcpy(&lk.reply.addrs[n].ss, ai->ai_addr, ai->ai_addrlen);
		n++;
	}
	freeaddrinfo(res);
	lk.reply.n = n;
	evtimer_set(&lk.timer, on_numeric, NULL);
	evtimer_add(&lk.timer, &now);
	return (0);
}

static int
nonblock(int fd)
{
	int	 flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	return (fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

static int
start_child(const char *host, const char *port, char *err, size_t errlen)
{
	struct resolve_req	 req;
	struct timeval		 tv = { RESOLVE_TIMEOUT, 0 };
	char			*argv[] = { "dsvpnd", "-P", "resolver", NULL };
	int			 sp[2];

	memset(&req, 0, sizeof(req));
	if (strlcpy(req.host, host, sizeof(req.host)) >= sizeof(req.host) ||
	    strlcpy(req.port, port, sizeof(req.port)) >= sizeof(req.port)) {
		snprintf(err, errlen, "name or port too long");
		return (-1);
	}
	strlcpy(req.user, env->conf.user, sizeof(req.user));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return (-1);
	}
	switch (lk.pid = fork()) {
	case -1:
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sp[0]);
		close(sp[1]);
		return (-1);
	case 0:
		if (dup2(sp[1], PROC_CHANNEL_FD) == -1)
			_exit(1);
		closefrom(PROC_CHANNEL_FD + 1);
		execv(env->self, argv);
		_exit(127);
	}
	close(sp[1]);
	lk.fd = sp[0];
	/* 400 bytes into an empty socket buffer: this does not block. */
	if (write(lk.fd, &req, sizeof(req)) != (ssize_t)sizeof(req) ||
	    nonblock(lk.fd) == -1) {
		snprintf(err, errlen, "resolver: %s", strerror(errno));
		return (-1);
	}
	event_set(&lk.ev, lk.fd, EV_READ | EV_PERSIST, on_reply, NULL);
	event_add(&lk.ev, NULL);
	evtimer_set(&lk.timer, on_timeout, NULL);
	evtimer_add(&lk.timer, &tv);
	return (0);
}

int
resolve_start(const char *host, const char *port, resolve_cb cb, void *arg)
{
	char	 err[256];

	resolve_cancel();
	memset(&lk.reply, 0, sizeof(lk.reply));
	lk.got = 0;
	lk.fd = -1;
	lk.pid = 0;
	lk.cb = cb;
	lk.arg = arg;
	lk.active = 1;
	if (start_numeric(host, port) == 0)
		return (0);
	if (start_child(host, port, err, sizeof(err)) == 0)
		return (0);
	log_warnx("resolve %s: %s", host, err);
	resolve_cancel();
	return (-1);
}

/* The child's side. */

static void
child_read(int fd, struct resolve_req *req)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	size_t		 got = 0;
	ssize_t		 n;

	while (got < sizeof(*req)) {
		if (poll(&pfd, 1, RESOLVE_TIMEOUT * 1000) != 1)
			_exit(1);
		if ((n = read(fd, (char *)req + got, sizeof(*req) - got)) <= 0)
			_exit(1);
		got += n;
	}
	if (memchr(req->host, '\0', sizeof(req->host)) == NULL ||
	    memchr(req->port, '\0', sizeof(req->port)) == NULL ||
	    memchr(req->user, '\0', sizeof(req->user)) == NULL)
		_exit(1);
}

/* Root no more, before any byte from the network is parsed. */
static void
child_drop(const char *user)
{
	struct passwd	*pw;

	if ((pw = getpwnam(user)) == NULL || pw->pw_uid == 0)
		_exit(1);
	if (chdir("/") == -1 || setgroups(0, NULL) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1 ||
	    getuid() == 0 || geteuid() == 0)
		_exit(1);
#ifdef PR_SET_NO_NEW_PRIVS
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		_exit(1);
#endif
}

static void
child_lookup(const struct resolve_req *req, struct resolve_reply *r)
{
	struct addrinfo	 hints, *res, *ai;
	int		 error;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((error = getaddrinfo(req->host, req->port, &hints, &res)) != 0) {
		snprintf(r->error, sizeof(r->error), "%s", gai_strerror(error));
		return;
	}
	for (ai = res; ai != NULL && r->n < RESOLVE_MAX_ADDRS;
	    ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(r->addrs[0].ss))
			continue;
		r->addrs[r->n].family = ai->ai_family;
		r->addrs[r->n].len = ai->ai_addrlen;
		memcpy(&r->addrs[r->n].ss, ai->ai_addr, ai->ai_addrlen);
		r->n++;
	}
	freeaddrinfo(res);
	if (r->n == 0)
		strlcpy(r->error, "no usable address", sizeof(r->error));
}

__dead void
resolve_child_main(void)
{
	static struct resolve_req	 req;
	static struct resolve_reply	 reply;
	const char			*p;
	size_t				 left;
	ssize_t				 n;

	setproctitle("resolver");
	child_read(PROC_CHANNEL_FD, &req);
	child_drop(req.user);
	alarm(RESOLVE_TIMEOUT);		/* the parent kills us anyway */
	child_lookup(&req, &reply);
	for (p = (const char *)&reply, left = sizeof(reply); left > 0;
	    p += n, left -= n)
		if ((n = write(PROC_CHANNEL_FD, p, left)) <= 0)
			_exit(1);
	_exit(0);
}
