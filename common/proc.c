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

#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "safepath.h"

static struct peer	*proc_parent_peer;

static void	 peer_event_cb(int, short, void *);

static void
peer_event_update(struct peer *p)
{
	short	 events = EV_READ;

	if (!p->active)
		return;
	if (msgbuf_queued(&p->mb))
		events |= EV_WRITE;
	if (events == p->events && event_initialized(&p->ev))
		return;
	if (event_initialized(&p->ev))
		event_del(&p->ev);
	p->events = events;
	event_set(&p->ev, p->mb.fd, events | EV_PERSIST, peer_event_cb, p);
	event_add(&p->ev, NULL);
}

void
peer_init(struct peer *p, int fd, enum proc_id self, enum proc_id other,
    void (*dispatch)(struct peer *, struct msg *), void *arg)
{
	int	 flags;

	memset(p, 0, sizeof(*p));
	msgbuf_init(&p->mb, fd);
	/* Descriptors only ever travel from the parent to a child. */
	if (other == PROC_PARENT)
		msgbuf_allow_fdpass(&p->mb);
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		fatal("%s: fcntl", __func__);
	p->self = self;
	p->other = other;
	p->dispatch = dispatch;
	p->arg = arg;
	p->active = 1;
	peer_event_update(p);
}

/* The channel is gone: stop watching it and tell the owner once. */
static void
peer_lost(struct peer *p)
{
	if (!p->active)
		return;
	p->active = 0;
	if (event_initialized(&p->ev))
		event_del(&p->ev);
	p->dispatch(p, NULL);
}

static void
peer_read(struct peer *p)
{
	struct msg	 m;
	ssize_t		 n;
	int		 r;

	if ((n = msgbuf_read(&p->mb)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (errno == EBADMSG)
			fatalx("descriptor from %s refused or overflowed",
			    proc_name(p->other));
		log_debug("read from %s: %s", proc_name(p->other),
		    strerror(errno));
		peer_lost(p);
		return;
	}
	if (n == 0) {
		peer_lost(p);
		return;
	}
	while (p->active && (r = msg_get(&p->mb, &m)) != 0) {
		if (r == -1)
			fatalx("malformed message header from %s",
			    proc_name(p->other));
		msgcat_check(p->other, p->self, &m);
		p->dispatch(p, &m);
	}
}

static void
peer_event_cb(int fd, short events, void *arg)
{
	struct peer	*p = arg;

	if (events & EV_READ)
		peer_read(p);
	if (p->active && (events & EV_WRITE) &&
	    msgbuf_write(&p->mb) == -1) {
		log_debug("write to %s: %s", proc_name(p->other),
		    strerror(errno));
		peer_lost(p);
		return;
	}
	peer_event_update(p);
}

void
peer_compose(struct peer *p, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	if (!p->active) {
		if (fd != -1)
			close(fd);
		return;
	}
	if (msg_compose(&p->mb, type, peerid, getpid(), fd, data, len) == -1)
		fatal("%s: %s to %s", __func__, msgcat_name(type),
		    proc_name(p->other));
	peer_event_update(p);
}

/* Write everything queued, waiting if needed: used just before exit. */
void
peer_flush(struct peer *p)
{
	struct pollfd	 pfd;

	while (p->active && msgbuf_queued(&p->mb)) {
		if (msgbuf_write(&p->mb) == -1)
			return;
		if (!msgbuf_queued(&p->mb))
			return;
		pfd.fd = p->mb.fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 1000) <= 0)
			return;
	}
}

void
peer_close(struct peer *p)
{
	if (event_initialized(&p->ev))
		event_del(&p->ev);
	p->active = 0;
	msgbuf_clear(&p->mb);
	close(p->mb.fd);
	p->mb.fd = -1;
}

enum proc_id
proc_from_name(const char *name)
{
	int	 id;

	for (id = PROC_TUNNEL; id < PROC_MAX; id++)
		if (strcmp(name, proc_name(id)) == 0)
			return id;
	return PROC_MAX;
}

pid_t
proc_spawn(const char *self_path, enum proc_id id, int foreground,
    int verbose, int *chan)
{
	char	*argv[8];
	int	 sp[2], argc = 0;
	pid_t	 pid;

	/* Close-on-exec: no child may inherit another's channel. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		fatal("socketpair");
	if (fcntl(sp[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(sp[1], F_SETFD, FD_CLOEXEC) == -1)
		fatal("fcntl FD_CLOEXEC");
	argv[argc++] = "dsvpnd";
	argv[argc++] = "-P";
	argv[argc++] = (char *)proc_name(id);
	if (foreground)
		argv[argc++] = "-d";
	if (verbose > 0)
		argv[argc++] = verbose > 1 ? "-vv" : "-v";
	argv[argc] = NULL;

	switch (pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		/* dup2 clears close-on-exec on the copy; a no-op dup2
		 * would not, hence the fcntl. */
		if (sp[1] == PROC_CHANNEL_FD) {
			if (fcntl(sp[1], F_SETFD, 0) == -1)
				_exit(1);
		} else if (dup2(sp[1], PROC_CHANNEL_FD) == -1)
			_exit(1);
		closefrom(PROC_CHANNEL_FD + 1);
		execv(self_path, argv);
		_exit(127);
	}
	close(sp[1]);
	*chan = sp[0];
	return pid;
}

/* A child's log line goes to the parent, which can reach syslog. */
static void
proc_forward_log(int priority, const char *line)
{
	struct {
		int32_t	 priority;
		char	 line[MSG_LOG_MAX];
	}		 lm;
	size_t		 len;

	if (proc_parent_peer == NULL || !proc_parent_peer->active)
		return;
	lm.priority = priority;
	len = strlcpy(lm.line, line, sizeof(lm.line));
	if (len >= sizeof(lm.line))
		len = sizeof(lm.line) - 1;
	peer_compose(proc_parent_peer, MSG_LOG, 0, -1, &lm,
	    sizeof(lm.priority) + len + 1);
	if (priority <= LOG_CRIT)
		peer_flush(proc_parent_peer);
}

void
proc_child_setup(enum proc_id id, struct peer *parent)
{
	log_procinit(proc_name(id));
	setproctitle("%s", proc_name(id));
	proc_parent_peer = parent;
	log_set_forwarder(proc_forward_log);
}

/*
 * A child's first steps: its event loop, its channel to the parent on
 * PROC_CHANNEL_FD, its title and log forwarding.  The parent decides
 * when the child stops: a ^C in the foreground reaches the whole
 * process group and a hangup is the parent's to handle, so both are
 * ignored here, as is SIGPIPE (a closed peer shows as a write error).
 */
void
proc_child_start(enum proc_id id, struct peer *parent,
    void (*dispatch)(struct peer *, struct msg *))
{
	event_init();
	peer_init(parent, PROC_CHANNEL_FD, id, PROC_PARENT, dispatch, NULL);
	proc_child_setup(id, parent);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
}

void
proc_drop_privileges(const char *user, const char *chroot_dir)
{
	struct passwd	*pw;
	char		 dir[PATH_MAX], err[PATH_MAX + 128];

	if ((pw = getpwnam(user)) == NULL)
		fatalx("unknown user %s: create it, e.g. useradd -r -d %s "
		    "-s /usr/sbin/nologin %s", user, chroot_dir, user);
	/*
	 * Every component, not only the last: whoever may rename one of
	 * them may substitute a directory of their own.  dsvpnd -n and
	 * the start refuse even a sticky directory above it (strictly);
	 * here, where the chroot happens, a sticky one as /tmp is taken,
	 * since no one else can move what root owns in it (the regress
	 * tests start children in a scratch chroot below /tmp).
	 */
	if (safepath_dir(chroot_dir, dir, sizeof(dir), err,
	    sizeof(err)) == -1)
		fatalx("chroot directory %s must be owned by root and "
		    "writable by no one else, as must every directory above "
		    "it: %s", chroot_dir, err);
	if (chroot(dir) == -1)
		fatal("chroot %s", dir);
	if (chdir("/") == -1)
		fatal("chdir /");
	if (setgroups(0, NULL) == -1)
		fatal("setgroups");
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1)
		fatal("setresgid");
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("setresuid");
	if (pw->pw_uid == 0 || getuid() == 0 || geteuid() == 0)
		fatalx("refusing to run unprivileged code as root (user %s)",
		    user);
#ifdef PR_SET_NO_NEW_PRIVS
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
#endif
}
