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
 * A daemonizing start that says how it went, as OpenBSD's daemons do:
 * the process started from the shell forks the daemon and waits on a
 * pipe until the daemon writes "ok" (its children are up and the first
 * network configuration is applied) or the one-line reason it failed,
 * then exits 0 or prints the reason and exits 1.  Under systemd the same
 * moment is sent as READY=1 (sdnotify.c).
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"

#define STARTUP_REPLY_MAX	1024

static int	 startup_fd = -1;	/* write end, in the daemon */
static pid_t	 startup_pid;		/* the daemon, not a helper */
static int	 startup_done;		/* ready or failed: told once */
static char	 startup_reason[STARTUP_REPLY_MAX];
static int	 startup_reason_crit;	/* a fatal error: keep it */

/* The foreground: relay the daemon's verdict and exit. */
static __dead void
startup_wait(int fd)
{
	char	 buf[STARTUP_REPLY_MAX];
	size_t	 off = 0;
	ssize_t	 n;

	while (off < sizeof(buf) - 1) {
		n = read(fd, buf + off, sizeof(buf) - 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	buf[off] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, "ok") == 0)
		exit(0);
	if (buf[0] == '\0')
		strlcpy(buf, "the daemon exited while starting; see the "
		    "system log", sizeof(buf));
	fprintf(stderr, "dsvpnd: %s\n", buf);
	exit(1);
}

/* One line to the foreground, which then exits. */
static void
startup_tell(const char *what)
{
	char	 line[STARTUP_REPLY_MAX];
	size_t	 len, off = 0;
	ssize_t	 n;

	if (startup_fd == -1)
		return;
	len = strlcpy(line, what, sizeof(line) - 1);
	if (len >= sizeof(line) - 1)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	while (off < len) {
		if ((n = write(startup_fd, line + off, len - off)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	close(startup_fd);
	startup_fd = -1;
}

/* The daemon ends before it was ready: say why, once. */
static void
startup_atexit(void)
{
	if (getpid() != startup_pid || startup_done)
		return;
	startup_fail(startup_reason[0] != '\0' ? startup_reason :
	    "stopped while starting; see the system log");
}

void
startup_detach(void)
{
	int	 p[2], fd;

	if (pipe(p) == -1 || fcntl(p[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(p[1], F_SETFD, FD_CLOEXEC) == -1)
		fatal("pipe");
	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		close(p[1]);
		startup_wait(p[0]);
	}
	close(p[0]);
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	if (dup2(fd, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1 ||
	    dup2(fd, STDERR_FILENO) == -1)
		fatal("dup2");
	if (fd > STDERR_FILENO)
		close(fd);
	startup_fd = p[1];
	startup_pid = getpid();
	if (atexit(startup_atexit) != 0)
		fatalx("atexit");
}

void
startup_ready(void)
{
	if (startup_done)
		return;
	startup_done = 1;
	log_info("ready");
	sdnotify("READY=1");
	startup_tell("ok");
}

void
startup_fail(const char *why)
{
	if (startup_done)
		return;
	startup_done = 1;
	startup_tell(why);
}

/*
 * Every error logged while starting, ours or a child's: the first fatal
 * one is the reason to report, else the latest error (the fallout of a
 * fatal error comes after it and must not hide it).
 */
void
startup_note(int priority, const char *msg)
{
	if (startup_done || priority > LOG_ERR || startup_reason_crit)
		return;
	if (priority <= LOG_CRIT)
		startup_reason_crit = 1;
	strlcpy(startup_reason, msg, sizeof(startup_reason));
}
