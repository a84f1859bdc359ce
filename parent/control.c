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
 * The control process: it serves the control socket for dsvpnctl and
 * relays each request to the parent, which answers by connection id.
 * It runs unprivileged in a chroot and sandbox, changes nothing itself,
 * and treats every client as hostile: a client that sends anything
 * malformed, stops reading or stays silent is dropped, and the number
 * of clients is capped.  The parent creates the socket as root
 * (control_listen()) and hands it over with MSG_CONTROL_FD.
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "control.h"
#include "ctl.h"
#include "log.h"
#include "proc.h"
#include "safepath.h"
#include "sandbox.h"

#define CONTROL_MAX_CLIENTS	64	/* connections at once */
#define CONTROL_MAX_USER	48	/* of which non-root; root keeps 16 */
#define CONTROL_MAX_PENDING	4	/* requests awaiting the parent */
#define CONTROL_MAX_WQUEUE	(64 * 1024)	/* unread reply bytes */
#define CONTROL_IDLE_TIMEOUT	10	/* seconds without progress */
#define CONTROL_BACKLOG		16

struct ctl_conn {
	struct msgbuf	 mb;
	struct event	 ev;
	short		 events;
	struct event	 tmo;
	uint32_t	 id;
	uid_t		 uid;
	int		 hello;		/* versions agreed */
	int		 pending;	/* requests at the parent */
	int		 closing;	/* drop once the queue is written */
};

static struct peer	 parent_peer;
static struct conf	 control_conf;
static int		 control_configured;
static int		 control_fd = -1;
static struct event	 control_ev;
static struct event	 control_pause_ev;
static int		 control_paused;
static struct ctl_conn	*conns[CONTROL_MAX_CLIENTS];
static unsigned int	 nconns, nuser_conns;
static uint32_t		 control_next_id = 1;

static void	 control_dispatch_parent(struct peer *, struct msg *);
static void	 control_accept(int, short, void *);
static void	 control_client_cb(int, short, void *);
static void	 control_timeout(int, short, void *);
static void	 control_close(struct ctl_conn *);

/*
 * Parent side, as root: make the socket dsvpnctl connects to.
 *
 * Is a socket at path answered?  1 yes (another daemon; a full backlog
 * counts too), 0 no (nothing there, or a stale socket now removed), -1
 * with errno EEXIST if path is not a socket at all.
 */
static int
control_in_use(const char *path, const struct sockaddr_un *sun)
{
	struct stat	 st;
	int		 s, r;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (fcntl(s, F_SETFL, O_NONBLOCK) == -1) {
		close(s);
		return -1;
	}
	r = connect(s, (const struct sockaddr *)sun, sizeof(*sun));
	if (r == -1 && (errno == EAGAIN || errno == EINPROGRESS))
		r = 0;
	close(s);
	if (r == 0)
		return 1;
	/* Nobody listens: a stale socket left by a crash. */
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/*
 * The socket is made under a temporary name, 0660 by the umask (so no
 * one else may connect before chown gives it the unprivileged user's
 * group), and renamed into place only once it listens: whoever sees
 * the socket can connect.
 */
static int
control_bind(int s, const char *path, gid_t group)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	r = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s.%ld", path,
	    (long)getpid());
	if (r < 0 || (size_t)r >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	(void)unlink(sun.sun_path);
	old = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	r = bind(s, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r == -1)
		return -1;
	if (chown(sun.sun_path, geteuid(), group) == -1 ||
	    chmod(sun.sun_path, S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP) == -1 ||
	    listen(s, CONTROL_BACKLOG) == -1 ||
	    rename(sun.sun_path, path) == -1) {
		r = errno;
		(void)unlink(sun.sun_path);
		errno = r;
		return -1;
	}
	return 0;
}

int
control_listen(const char *path, const char *user, char *err,
    size_t errlen)
{
	struct sockaddr_un	 sun;
	struct passwd		*pw;
	char			 dir[PATH_MAX], why[PATH_MAX + 64];
	const char		*base;
	int			 s, flags, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket %s: path too long",
		    path);
		return -1;
	}
	/* Root unlinks, binds and renames there: a directory only root
	 * may change, or another user could steer those onto theirs. */
	if (safepath_parent(path, dir, sizeof(dir), &base, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "control socket %s: %s", path, why);
		return -1;
	}
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "control socket %s: unknown user %s",
		    path, user);
		return -1;
	}
	if ((r = control_in_use(path, &sun)) != 0) {
		if (r == 1)
			snprintf(err, errlen, "control socket %s: another "
			    "dsvpnd is running", path);
		else if (errno == EEXIST)
			snprintf(err, errlen, "control socket %s: exists "
			    "and is not a socket", path);
		else
			snprintf(err, errlen, "control socket %s: %s", path,
			    strerror(errno));
		return -1;
	}
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    (flags = fcntl(s, F_GETFL)) == -1 ||
	    fcntl(s, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    fcntl(s, F_SETFD, FD_CLOEXEC) == -1 ||
	    control_bind(s, path, pw->pw_gid) == -1) {
		snprintf(err, errlen, "control socket %s: %s", path,
		    strerror(errno));
		if (s != -1)
			close(s);
		return -1;
	}
	return s;
}

__dead void
control_main(int debug, int verbose)
{
	proc_child_start(PROC_CONTROL, &parent_peer, control_dispatch_parent);
	log_debug("waiting for the configuration");
	event_dispatch();
	fatalx("event loop ended");
}

static __dead void
control_shutdown(void)
{
	unsigned int	 i;

	for (i = 0; i < nitems(conns); i++)
		if (conns[i] != NULL)
			control_close(conns[i]);
	peer_flush(&parent_peer);
	exit(0);
}

/* The first complete config gives the user and chroot to drop to. */
static void
control_configure(void)
{
	if (control_configured)
		return;
	control_configured = 1;
	proc_drop_privileges(control_conf.user, control_conf.chroot);
	sandbox_enter(PROC_CONTROL);
	log_debug("privileges dropped, waiting for the socket");
}

static void
control_start(int fd)
{
	int	 flags;

	if (!control_configured || control_fd != -1)
		fatalx("%s: control socket out of order", __func__);
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		fatal("%s: fcntl", __func__);
	sandbox_limit_fd(PROC_CONTROL, fd, SANDBOX_FD_LISTEN);
	sandbox_shrink(PROC_CONTROL);
	control_fd = fd;
	event_set(&control_ev, fd, EV_READ | EV_PERSIST, control_accept,
	    NULL);
	event_add(&control_ev, NULL);
	evtimer_set(&control_pause_ev, control_accept, NULL);
	log_debug("serving the control socket");
}

static struct ctl_conn *
control_find(uint32_t id)
{
	unsigned int	 i;

	for (i = 0; i < nitems(conns); i++)
		if (conns[i] != NULL && conns[i]->id == id)
			return conns[i];
	return NULL;
}

static int	 control_send(struct ctl_conn *, uint32_t, const void *,
		    size_t);

/* A parent answer for a client, who may have left meanwhile. */
static void
control_relay_reply(struct msg *msg, uint32_t type)
{
	struct ctl_conn	*c;

	if ((c = control_find(msg->hdr.peerid)) == NULL)
		return;
	if (c->pending > 0)
		c->pending--;
	control_send(c, type, msg->data, msg_datalen(msg));
}

static void
control_dispatch_parent(struct peer *p, struct msg *msg)
{
	int32_t	 v;

	if (msg == NULL) {
		/* The parent is gone: nothing left to serve. */
		exit(0);
	}
	switch (msg->hdr.type) {
	case MSG_RECONF_BEGIN:
		break;
	case MSG_RECONF_CONF:
		if (!control_configured)
			memcpy(&control_conf, msg->data, sizeof(control_conf));
		break;
	case MSG_RECONF_END:
		control_configure();
		break;
	case MSG_CONTROL_FD:
		control_start(msg->fd);
		break;
	case MSG_VERBOSE:
		memcpy(&v, msg->data, sizeof(v));
		log_setverbose(v);
		break;
	case MSG_CTL_STATUS_REPLY:
		control_relay_reply(msg, CTL_STATUS_REPLY);
		break;
	case MSG_CTL_RESULT:
		control_relay_reply(msg, CTL_RESULT);
		break;
	case MSG_CTL_PEERS_PAGE:
		control_relay_reply(msg, CTL_PEERS_PAGE);
		break;
	case MSG_SHUTDOWN:
		control_shutdown();
		/* NOTREACHED */
	default:
		log_debug("%s: unexpected %s", __func__,
		    msgcat_name(msg->hdr.type));
		break;
	}
}

/*
 * Accepting stops while the table is full or descriptors run out, so
 * a flood of connections waits in the kernel's backlog instead of
 * making this process spin.
 */
static void
control_pause(int retry)
{
	struct timeval	 tv = { 1, 0 };

	if (!control_paused) {
		event_del(&control_ev);
		control_paused = 1;
	}
	if (retry && !evtimer_pending(&control_pause_ev, NULL))
		evtimer_add(&control_pause_ev, &tv);
}

static void
control_resume(void)
{
	if (!control_paused || control_fd == -1)
		return;
	if (evtimer_pending(&control_pause_ev, NULL))
		evtimer_del(&control_pause_ev);
	event_add(&control_ev, NULL);
	control_paused = 0;
}

static void
control_update(struct ctl_conn *c)
{
	short	 events = c->closing ? 0 : EV_READ;

	if (msgbuf_queued(&c->mb))
		events |= EV_WRITE;
	if (events == c->events)
		return;
	if (c->events != 0)
		event_del(&c->ev);
	c->events = events;
	if (events == 0)
		return;
	event_set(&c->ev, c->mb.fd, events | EV_PERSIST, control_client_cb,
	    c);
	event_add(&c->ev, NULL);
}

static void
control_touch(struct ctl_conn *c)
{
	struct timeval	 tv = { CONTROL_IDLE_TIMEOUT, 0 };

	evtimer_add(&c->tmo, &tv);
}

static int
control_slot(void)
{
	unsigned int	 i;

	for (i = 0; i < nitems(conns); i++)
		if (conns[i] == NULL)
			return i;
	return -1;
}

static void
control_add(int s, uid_t uid)
{
	struct ctl_conn	*c;
	int		 slot;

	if ((slot = control_slot()) == -1 ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		log_ratelimited(log_warnx, "cannot take a client");
		close(s);
		return;
	}
	msgbuf_init(&c->mb, s);
	c->id = control_next_id++;
	if (control_next_id == 0)
		control_next_id = 1;
	c->uid = uid;
	evtimer_set(&c->tmo, control_timeout, c);
	conns[slot] = c;
	nconns++;
	if (uid != 0)
		nuser_conns++;
	control_update(c);
	control_touch(c);
	log_debug("client %u connected, uid %u", c->id, (unsigned int)uid);
}

/* A non-blocking, close-on-exec socket from a peer we know. */
static int
control_prepare(int s, uid_t *uid)
{
	gid_t	 gid;
	int	 flags;

	if ((flags = fcntl(s, F_GETFL)) == -1 ||
	    fcntl(s, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    fcntl(s, F_SETFD, FD_CLOEXEC) == -1) {
		log_warn("fcntl");
		return -1;
	}
	/* Capsicum: a client's socket need not accept connections. */
	sandbox_limit_fd(PROC_CONTROL, s, SANDBOX_FD_CONN);
	if (getpeereid(s, uid, &gid) == -1) {
		log_warn("getpeereid");
		return -1;
	}
	if (*uid != 0 && nuser_conns >= CONTROL_MAX_USER) {
		log_ratelimited(log_warnx, "too many unprivileged "
		    "clients, uid %u refused", (unsigned int)*uid);
		return -1;
	}
	return 0;
}

static void
control_accept(int fd, short events, void *arg)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	uid_t			 uid;
	int			 s;

	if (control_paused && !(events & EV_TIMEOUT))
		return;
	control_resume();
	if (nconns >= CONTROL_MAX_CLIENTS) {
		control_pause(0);
		return;
	}
	len = sizeof(sun);
	if ((s = accept(control_fd, (struct sockaddr *)&sun, &len)) == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS)
			control_pause(1);
		else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_ratelimited(log_warn, "accept");
		return;
	}
	if (control_prepare(s, &uid) == -1) {
		close(s);
		return;
	}
	control_add(s, uid);
}

static void
control_close(struct ctl_conn *c)
{
	unsigned int	 i;

	log_debug("client %u gone", c->id);
	for (i = 0; i < nitems(conns); i++)
		if (conns[i] == c)
			conns[i] = NULL;
	nconns--;
	if (c->uid != 0)
		nuser_conns--;
	if (c->events != 0)
		event_del(&c->ev);
	evtimer_del(&c->tmo);
	msgbuf_clear(&c->mb);
	close(c->mb.fd);
	free(c);
	control_resume();
}

/*
 * Queue an answer; a client that lets answers pile up is dropped.
 * Returns -1 if the client is gone.
 */
static int
control_send(struct ctl_conn *c, uint32_t type, const void *data,
    size_t len)
{
	if (c->mb.wqueued + MSG_HDR_SIZE + len > CONTROL_MAX_WQUEUE ||
	    msg_compose(&c->mb, type, 0, getpid(), -1, data, len) == -1) {
		log_ratelimited(log_warnx, "client %u does not "
		    "read its answers, dropped", c->id);
		control_close(c);
		return -1;
	}
	control_update(c);
	return 0;
}

/* Answer with an error, then hang up once it is written. */
static int
control_fail(struct ctl_conn *c, const char *text)
{
	if (control_send(c, CTL_ERROR, text, strlen(text) + 1) == -1)
		return -1;
	c->closing = 1;
	control_update(c);
	return 0;
}

static int
control_hello(struct ctl_conn *c, struct msg *msg)
{
	char		 text[CTL_ERROR_MAX];
	uint32_t	 version, mine = CTL_PROTOCOL_VERSION;

	memcpy(&version, msg->data, sizeof(version));
	if (c->hello)
		return control_fail(c, "hello sent twice");
	if (version != CTL_PROTOCOL_VERSION) {
		log_ratelimited(log_warnx, "client %u speaks "
		    "version %u, refused", c->id, version);
		snprintf(text, sizeof(text), "version mismatch: dsvpnctl "
		    "speaks %u, dsvpnd speaks %u", version, mine);
		return control_fail(c, text);
	}
	c->hello = 1;
	return control_send(c, CTL_HELLO, &mine, sizeof(mine));
}

/* Pass a request on; the answer comes back with the client's id. */
static int
control_relay(struct ctl_conn *c, uint32_t type, const void *data,
    size_t len)
{
	if (c->pending >= CONTROL_MAX_PENDING)
		return control_fail(c, "too many requests");
	c->pending++;
	peer_compose(&parent_peer, type, c->id, -1, data, len);
	return 0;
}

static int
control_dispatch_client(struct ctl_conn *c, struct msg *msg)
{
	const char	*why;
	int32_t		 level;

	if ((why = ctl_verify(CTL_FROM_CLIENT, msg)) != NULL) {
		log_ratelimited(log_warnx, "client %u: %s (type %u), "
		    "dropped", c->id, why, msg->hdr.type);
		if (msg->fd != -1)
			close(msg->fd);
		control_close(c);
		return -1;
	}
	if (msg->hdr.type == CTL_HELLO)
		return control_hello(c, msg);
	if (!c->hello)
		return control_fail(c, "hello expected first");
	switch (msg->hdr.type) {
	case CTL_STATUS:
		return control_relay(c, MSG_CTL_STATUS, NULL, 0);
	case CTL_RELOAD:
		if (c->uid != 0)
			return control_fail(c, "denied");
		return control_relay(c, MSG_CTL_RELOAD, NULL, 0);
	case CTL_PEERS:
		return control_relay(c, MSG_CTL_PEERS, msg->data,
		    sizeof(struct peers_req));
	case CTL_KICK:
		if (c->uid != 0)
			return control_fail(c, "denied");
		return control_relay(c, MSG_CTL_KICK, msg->data,
		    sizeof(struct msg_name));
	case CTL_LOG_VERBOSE:
		if (c->uid != 0)
			return control_fail(c, "denied");
		memcpy(&level, msg->data, sizeof(level));
		if (level < 0 || level > CTL_VERBOSE_MAX)
			return control_fail(c, "no such log level");
		return control_relay(c, MSG_CTL_VERBOSE, &level,
		    sizeof(level));
	}
	return control_fail(c, "unexpected message");
}

/*
 * The dispatch functions return -1 once they have freed the client;
 * a client that is only closing is still there.
 */
static int
control_read(struct ctl_conn *c)
{
	struct msg	 msg;
	ssize_t		 n;
	int		 r;

	if ((n = msgbuf_read(&c->mb)) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		if (n == -1 && errno == EBADMSG)
			log_ratelimited(log_warnx, "client %u sent "
			    "a descriptor, dropped", c->id);
		control_close(c);
		return -1;
	}
	while ((r = msg_get(&c->mb, &msg)) != 0) {
		if (r == -1) {
			log_ratelimited(log_warnx, "client %u: "
			    "malformed header, dropped", c->id);
			control_close(c);
			return -1;
		}
		control_touch(c);
		if (control_dispatch_client(c, &msg) == -1)
			return -1;
		if (c->closing)
			break;
	}
	return 0;
}

static void
control_client_cb(int fd, short events, void *arg)
{
	struct ctl_conn	*c = arg;
	size_t		 before;

	if ((events & EV_READ) && !c->closing && control_read(c) == -1)
		return;
	if (events & EV_WRITE) {
		before = c->mb.wqueued;
		if (msgbuf_write(&c->mb) == -1) {
			control_close(c);
			return;
		}
		if (c->mb.wqueued < before)
			control_touch(c);
	}
	if (c->closing && !msgbuf_queued(&c->mb)) {
		control_close(c);
		return;
	}
	control_update(c);
}

/*
 * Silence for CONTROL_IDLE_TIMEOUT ends a connection, unless the client
 * is only waiting for the parent and has read all it was sent.
 */
static void
control_timeout(int fd, short events, void *arg)
{
	struct ctl_conn	*c = arg;

	if (c->pending > 0 && !msgbuf_queued(&c->mb) && !c->closing) {
		control_touch(c);
		return;
	}
	log_debug("client %u timed out", c->id);
	control_close(c);
}
