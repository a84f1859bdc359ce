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
 * Running programs: fork and execve of an absolute path with an argv
 * array and a fixed environment, never a shell and never a PATH search.
 * stdin is fed from a string, stdout and stderr are captured, the exit
 * status is always checked, and a hung program is killed.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "plan.h"

#define EXEC_TIMEOUT_MS	30000
#define EXEC_ERRMAX	1024

struct capture {
	char		*buf;
	size_t		 len;
	size_t		 used;
};

struct child {
	pid_t		 pid;
	int		 in, out, err;	/* our ends, -1 when closed */
	const char	*input;
	size_t		 inlen;
};

static void (*logger)(int, const char *);

void
netcfg_set_logger(void (*fn)(int, const char *))
{
	logger = fn;
}

void
netcfg_log(int pri, const char *fmt, ...)
{
	char	 line[2048];
	va_list	 ap;

	if (logger == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	logger(pri, line);
}

static void
closep(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

/* In the child: wire up 0, 1, 2 and become the program. */
static __dead void
child_exec(char *const argv[], int in, int out, int err)
{
	char	*const env[] = { "PATH=/usr/bin:/bin:/usr/sbin:/sbin",
		    "LC_ALL=C", NULL };
	int	 devnull;

	if (in == -1 && (devnull = open("/dev/null", O_RDONLY)) != -1)
		in = devnull;
	if ((in != -1 && dup2(in, 0) == -1) || dup2(out, 1) == -1 ||
	    dup2(err, 2) == -1)
		_exit(126);
	closefrom(3);
	signal(SIGPIPE, SIG_DFL);
	execve(argv[0], argv, env);
	dprintf(2, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int
pipe_cloexec(int fds[2])
{
	if (pipe(fds) == -1)
		return (-1);
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) == -1) {
		close(fds[0]);
		close(fds[1]);
		return (-1);
	}
	return (0);
}

static int
child_start(struct child *c, char *const argv[])
{
	int	 pin[2] = { -1, -1 }, pout[2], perr[2];

	if (c->input != NULL && pipe_cloexec(pin) == -1)
		return (-1);
	if (pipe_cloexec(pout) == -1)
		goto fail_in;
	if (pipe_cloexec(perr) == -1)
		goto fail_out;
	if ((c->pid = fork()) == -1)
		goto fail_err;
	if (c->pid == 0)
		child_exec(argv, pin[0], pout[1], perr[1]);
	if (pin[0] != -1)
		close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	c->in = pin[1];
	c->out = pout[0];
	c->err = perr[0];
	if (c->in != -1)
		fcntl(c->in, F_SETFL, fcntl(c->in, F_GETFL) | O_NONBLOCK);
	return (0);
 fail_err:
	close(perr[0]);
	close(perr[1]);
 fail_out:
	close(pout[0]);
	close(pout[1]);
 fail_in:
	if (pin[0] != -1) {
		close(pin[0]);
		close(pin[1]);
	}
	return (-1);
}

/* Reads what is there; keeps what fits, drops the rest. */
static void
capture_read(int *fd, struct capture *cap)
{
	char	 tmp[4096];
	ssize_t	 n;
	size_t	 room;

	if ((n = read(*fd, tmp, sizeof(tmp))) == -1 && (errno == EINTR ||
	    errno == EAGAIN))
		return;
	if (n <= 0) {
		closep(fd);
		return;
	}
	if (cap->len > 0 && cap->used < cap->len - 1) {
		room = cap->len - 1 - cap->used;
		if ((size_t)n < room)
			room = n;
		memcpy(cap->buf + cap->used, tmp, room);
		cap->used += room;
		cap->buf[cap->used] = '\0';
	}
}

static void
feed(struct child *c)
{
	ssize_t	 n;

	n = write(c->in, c->input, c->inlen);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n == -1) {
		closep(&c->in);		/* EPIPE: it wanted no more */
		return;
	}
	c->input += n;
	c->inlen -= n;
	if (c->inlen == 0)
		closep(&c->in);
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Until the child closes stdout and stderr, or time runs out. */
static int
child_io(struct child *c, struct capture *out, struct capture *err)
{
	struct pollfd	 pfd[3];
	int64_t		 end = now_ms() + EXEC_TIMEOUT_MS, left;

	while (c->out != -1 || c->err != -1) {
		if ((left = end - now_ms()) <= 0)
			return (-1);
		pfd[0].fd = c->in;
		pfd[0].events = POLLOUT;
		pfd[1].fd = c->out;
		pfd[1].events = POLLIN;
		pfd[2].fd = c->err;
		pfd[2].events = POLLIN;
		if (poll(pfd, 3, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (c->in != -1 && pfd[0].revents)
			feed(c);
		if (c->out != -1 && pfd[1].revents)
			capture_read(&c->out, out);
		if (c->err != -1 && pfd[2].revents)
			capture_read(&c->err, err);
	}
	return (0);
}

static int
child_wait(pid_t pid, int killit)
{
	int	 status;

	if (killit)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return (-1);
	if (killit)
		return (-2);
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	return (-3);
}

/* stderr on one line, for the error text and the log. */
static void
oneline(char *s)
{
	size_t	 n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\t')
			*s = ' ';
}

static void
exec_report(char *const argv[], int rc, char *errtext, char *err,
    size_t errlen)
{
	oneline(errtext);
	if (rc == -2)
		snprintf(err, errlen, "%s: timed out", argv[0]);
	else if (rc == -3)
		snprintf(err, errlen, "%s: killed by a signal%s%s", argv[0],
		    errtext[0] ? ": " : "", errtext);
	else
		snprintf(err, errlen, "%s: exit %d%s%s", argv[0], rc,
		    errtext[0] ? ": " : "", errtext);
}

/*
 * Runs argv[0] (an absolute path) with input (or /dev/null) on stdin.
 * Returns 0 when it exits 0; else -1 with its stderr in err.  stdout
 * goes to out when given.  The netcfg process must not reap children
 * with waitpid(-1) behind our back.
 */
int
netcfg_exec(char *const argv[], const char *input, char *out, size_t outlen,
    char *err, size_t errlen)
{
	struct child		 c;
	struct capture		 co, ce;
	struct sigaction	 sa, osa;
	char			 errtext[EXEC_ERRMAX] = "", dummy[1];
	int			 rc, io, saved;

	if (argv[0] == NULL || argv[0][0] != '/') {
		snprintf(err, errlen, "not an absolute path");
		return (-1);
	}
	memset(&c, 0, sizeof(c));
	c.input = input;
	c.inlen = input ? strlen(input) : 0;
	co.buf = out ? out : dummy;
	co.len = out ? outlen : sizeof(dummy);
	co.used = 0;
	co.buf[0] = '\0';
	ce.buf = errtext;
	ce.len = sizeof(errtext);
	ce.used = 0;
	/* A program that exits early must not take us down with SIGPIPE. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &osa);
	if (child_start(&c, argv) == -1) {
		saved = errno;
		sigaction(SIGPIPE, &osa, NULL);
		snprintf(err, errlen, "%s: %s", argv[0], strerror(saved));
		return (-1);
	}
	io = child_io(&c, &co, &ce);
	closep(&c.in);
	closep(&c.out);
	closep(&c.err);
	rc = child_wait(c.pid, io == -1);
	sigaction(SIGPIPE, &osa, NULL);
	if (rc == 0)
		return (0);
	exec_report(argv, rc, errtext, err, errlen);
	return (-1);
}
