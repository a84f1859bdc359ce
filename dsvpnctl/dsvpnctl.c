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
 * dsvpnctl: asks a running dsvpnd for its status, to reload or to
 * change its log level, over the control socket; and makes key files,
 * which needs no daemon.  It is a plain blocking client: connect, agree
 * on the protocol version, send one request, print the one answer.
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <syslog.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "ctl.h"
#include "dsvpnctl.h"
#include "json.h"
#include "log.h"
#include "parser.h"

#define CTL_TIMEOUT	60	/* seconds to wait for an answer */

/* glibc's getopt would take "status -j" apart; stop at the command. */
#ifdef __GLIBC__
#define OPTSTRING	"+I:f:s:"
#else
#define OPTSTRING	"I:f:s:"
#endif

static const char	*ctl_command;	/* names the request in errors */

__dead static void
usage(void)
{
	parser_usage();
	exit(1);
}

/* Writes a fresh key to fd; 0, or -1 with errno set. */
static int
keygen_write(int fd)
{
	uint8_t	 key[CONF_KEY_LEN];
	ssize_t	 n;
	size_t	 off = 0;

	randombytes_buf(key, sizeof(key));
	while (off < sizeof(key)) {
		if ((n = write(fd, key + off, sizeof(key) - off)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			sodium_memzero(key, sizeof(key));
			return -1;
		}
		off += n;
	}
	sodium_memzero(key, sizeof(key));
	return 0;
}

/*
 * A key to a stream the caller opened: standard output or an existing
 * device or pipe.  Its mode is not ours to change, but 32 raw bytes on
 * a terminal help nobody, and a file others can read is said so.
 */
static int
keygen_stream(int fd, const char *name)
{
	struct stat	 st;

	if (isatty(fd))
		errx(1, "%s is a terminal: redirect the key to a file, or "
		    "pipe it into base64", name);
	if (keygen_write(fd) == -1)
		err(1, "%s", name);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)))
		warnx("%s is readable by others, and dsvpnd will refuse it: "
		    "chmod 600 it", name);
	return 0;
}

/* Does path name what is already open as fd (/dev/stdout, say)? */
static int
same_file(const char *path, int fd)
{
	struct stat	 a, b;

	return stat(path, &a) == 0 && fstat(fd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * keygen: a fresh key in a new file of mode 0600, never over an existing
 * one; to standard output for "-" or no file; into an existing device
 * or pipe as it is.
 */
static int
keygen(const char *path)
{
	struct stat	 st;
	int		 fd;

	if (sodium_init() == -1)
		errx(1, "cannot initialise libsodium");
	if (path == NULL || strcmp(path, "-") == 0 ||
	    same_file(path, STDOUT_FILENO))
		return keygen_stream(STDOUT_FILENO, path == NULL ||
		    strcmp(path, "-") == 0 ? "standard output" : path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    S_IRUSR | S_IWUSR);
	if (fd == -1 && errno == EEXIST && stat(path, &st) == 0 &&
	    (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
		if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
			err(1, "%s", path);
		return keygen_stream(fd, path);
	}
	if (fd == -1 && errno == EEXIST)
		errx(1, "%s exists: dsvpnctl keygen never overwrites a key",
		    path);
	if (fd == -1)
		err(1, "%s", path);
	/* The umask may have taken bits away, never added: make it 0600. */
	if (keygen_write(fd) == -1 || fchmod(fd, S_IRUSR | S_IWUSR) == -1 ||
	    fsync(fd) == -1 || close(fd) == -1) {
		warn("%s", path);
		unlink(path);
		return 1;
	}
	return 0;
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un	 sun;
	int			 s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		errx(1, "%s: socket path too long", path);
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			errx(1, "%s: %s (is dsvpnd running?)", path,
			    strerror(errno));
		err(1, "%s", path);
	}
	return s;
}

static void
ctl_send(struct msgbuf *mb, uint32_t type, const void *data, size_t len)
{
	if (msg_compose(mb, type, 0, getpid(), -1, data, len) == -1)
		err(1, "%s", ctl_type_name(type));
	while (msgbuf_queued(mb))
		if (msgbuf_write(mb) == -1)
			err(1, "write to dsvpnd");
}

/* The next message from the daemon, checked; exits on any fault. */
static void
ctl_recv(struct msgbuf *mb, struct msg *msg)
{
	struct pollfd	 pfd;
	const char	*why;
	ssize_t		 n;
	int		 r;

	while ((r = msg_get(mb, msg)) == 0) {
		pfd.fd = mb->fd;
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, CTL_TIMEOUT * 1000)) == -1)
			err(1, "poll");
		if (r == 0)
			errx(1, "dsvpnd did not answer within %d seconds",
			    CTL_TIMEOUT);
		if ((n = msgbuf_read(mb)) == -1 && errno != EINTR)
			err(1, "read from dsvpnd");
		if (n == 0)
			errx(1, "dsvpnd closed the connection");
	}
	if (r == -1)
		errx(1, "malformed answer from dsvpnd");
	if ((why = ctl_verify(CTL_FROM_DAEMON, msg)) != NULL)
		errx(1, "bad %s from dsvpnd: %s", ctl_type_name(msg->hdr.type),
		    why);
	if (msg->hdr.type == CTL_ERROR && ctl_command == NULL)
		errx(1, "%s", (const char *)msg->data);
	if (msg->hdr.type == CTL_ERROR)
		errx(1, "%s: %s", ctl_command, (const char *)msg->data);
}

static void
ctl_expect(const struct msg *msg, uint32_t type)
{
	if (msg->hdr.type != type)
		errx(1, "unexpected %s from dsvpnd",
		    ctl_type_name(msg->hdr.type));
}

/* Tests set DSVPNCTL_PROTOCOL to see a mismatch refused. */
static uint32_t
ctl_version(void)
{
	const char	*s, *errstr;
	uint32_t	 v;

	if ((s = getenv("DSVPNCTL_PROTOCOL")) == NULL)
		return CTL_PROTOCOL_VERSION;
	v = strtonum(s, 0, UINT32_MAX, &errstr);
	if (errstr != NULL)
		errx(1, "DSVPNCTL_PROTOCOL %s: %s", s, errstr);
	return v;
}

static void
ctl_hello(struct msgbuf *mb)
{
	struct msg	 msg;
	uint32_t	 mine = ctl_version(), theirs;

	ctl_send(mb, CTL_HELLO, &mine, sizeof(mine));
	ctl_recv(mb, &msg);
	ctl_expect(&msg, CTL_HELLO);
	memcpy(&theirs, msg.data, sizeof(theirs));
	if (theirs != mine)
		errx(1, "version mismatch: dsvpnctl speaks %u, dsvpnd "
		    "speaks %u", mine, theirs);
}

static int	 show_result_text(struct msg *);

/*
 * One page of the peer table from start (or the one client name); each
 * entry goes to fn.  Returns where the next page starts, or the total
 * when this was the last.
 */
static uint32_t
peers_fetch(struct msgbuf *mb, uint32_t start, const char *name,
    void (*fn)(const struct peer_status *, void *), void *arg,
    uint32_t *total)
{
	struct peers_req	 req;
	struct peers_page	 pg;
	struct peer_status	 ps;
	struct msg		 msg;
	uint32_t		 i;

	memset(&req, 0, sizeof(req));
	req.start = start;
	if (name != NULL && strlcpy(req.name, name, sizeof(req.name)) >=
	    sizeof(req.name))
		errx(1, "%s: client name too long", name);
	ctl_send(mb, CTL_PEERS, &req, sizeof(req));
	ctl_recv(mb, &msg);
	if (msg.hdr.type == CTL_RESULT) {
		(void)show_result_text(&msg);
		exit(1);
	}
	ctl_expect(&msg, CTL_PEERS_PAGE);
	memcpy(&pg, msg.data, sizeof(pg));
	for (i = 0; i < pg.n; i++) {
		memcpy(&ps, (uint8_t *)msg.data + sizeof(pg) + i * sizeof(ps),
		    sizeof(ps));
		fn(&ps, arg);
	}
	*total = pg.total;
	/* A page that moves nowhere would loop forever. */
	if (name == NULL && pg.next <= start && pg.next < pg.total)
		errx(1, "dsvpnd sent a page that does not advance");
	return pg.n == 0 ? pg.total : pg.next;
}

/* Every page of the table, in order. */
static void
peers_walk(struct msgbuf *mb, void (*fn)(const struct peer_status *,
    void *), void *arg)
{
	uint32_t	 next = 0, total = 1;

	while (next < total)
		next = peers_fetch(mb, next, NULL, fn, arg, &total);
}

static void
row_text(const struct peer_status *ps, void *arg)
{
	peers_print_row(stdout, ps, time(NULL));
}

static void
row_json(const struct peer_status *ps, void *arg)
{
	peers_json(arg, ps);
}

static void
one_text(const struct peer_status *ps, void *arg)
{
	peers_print_one(stdout, ps, time(NULL));
	*(int *)arg = 1;
}

static void
one_json(const struct peer_status *ps, void *arg)
{
	struct json	 j;

	json_init(&j, stdout);
	peers_json(&j, ps);
	json_finish(&j);
	*(int *)arg = 1;
}

/* status NAME: that client in full. */
static int
show_client(struct msgbuf *mb, const char *name, int json)
{
	uint32_t	 total;
	int		 found = 0;

	(void)peers_fetch(mb, 0, name, json ? one_json : one_text, &found,
	    &total);
	if (!found)
		errx(1, "status: no client %s", name);
	return 0;
}

static int
show_status(struct msgbuf *mb, struct msg *msg, int json)
{
	struct status_info	 si;
	struct json		 j;
	const char		*text;

	ctl_expect(msg, CTL_STATUS_REPLY);
	memcpy(&si, msg->data, sizeof(si));
	if (si.version != STATUS_VERSION)
		errx(1, "dsvpnd sent status format %u, dsvpnctl reads %u",
		    si.version, STATUS_VERSION);
	text = (const char *)msg->data + sizeof(si);
	/* A server's clients follow, read page by page: the table of
	 * thousands of clients does not fit one message. */
	if (json) {
		json_init(&j, stdout);
		json_begin_object(&j, NULL);
		status_json_fields(&j, &si, text);
		if (si.role == ROLE_SERVER) {
			json_begin_array(&j, "clients");
			peers_walk(mb, row_json, &j);
			json_end_array(&j);
		}
		json_end_object(&j);
		json_finish(&j);
		return 0;
	}
	status_print(stdout, &si, text, time(NULL));
	if (si.role == ROLE_SERVER) {
		peers_print_header(stdout);
		peers_walk(mb, row_text, NULL);
	}
	return 0;
}

/* A refusal's text on stderr. */
static int
show_result_text(struct msg *msg)
{
	struct msg_result	 res;

	memcpy(&res, msg->data, sizeof(res));
	fprintf(stderr, "dsvpnctl: %s: %s\n", ctl_command,
	    res.text[0] ? res.text : "failed");
	return 1;
}

/* reload and log: "ok" with an optional text, or the errors. */
static int
show_result(struct msg *msg, const char *done)
{
	struct msg_result	 res;

	ctl_expect(msg, CTL_RESULT);
	memcpy(&res, msg->data, sizeof(res));
	if (!res.ok && res.text[0] == '\0')
		errx(1, "%s failed", ctl_command);
	if (!res.ok) {
		fprintf(stderr, "%s%s", res.text,
		    res.text[strlen(res.text) - 1] == '\n' ? "" : "\n");
		return 1;
	}
	if (res.text[0] != '\0')
		printf("%s%s", res.text,
		    res.text[strlen(res.text) - 1] == '\n' ? "" : "\n");
	else if (done != NULL)
		printf("%s\n", done);
	return 0;
}

static int
run(struct parse_result *pr, const char *sockpath)
{
	struct msgbuf	 mb;
	struct msg	 msg;
	struct msg_name	 mn;
	int32_t		 level;

	msgbuf_init(&mb, ctl_connect(sockpath));
	ctl_hello(&mb);
	switch (pr->action) {
	case ACT_STATUS:
		ctl_command = "status";
		if (pr->name != NULL)
			return show_client(&mb, pr->name, pr->json);
		ctl_send(&mb, CTL_STATUS, NULL, 0);
		ctl_recv(&mb, &msg);
		return show_status(&mb, &msg, pr->json);
	case ACT_KICK:
		ctl_command = "kick";
		memset(&mn, 0, sizeof(mn));
		if (strlcpy(mn.name, pr->name, sizeof(mn.name)) >=
		    sizeof(mn.name))
			errx(1, "%s: client name too long", pr->name);
		ctl_send(&mb, CTL_KICK, &mn, sizeof(mn));
		ctl_recv(&mb, &msg);
		return show_result(&msg, NULL);
	case ACT_RELOAD:
		ctl_command = "reload";
		ctl_send(&mb, CTL_RELOAD, NULL, 0);
		ctl_recv(&mb, &msg);
		return show_result(&msg, "reloaded");
	case ACT_LOG_VERBOSE:
	case ACT_LOG_BRIEF:
		ctl_command = "log";
		level = pr->action == ACT_LOG_VERBOSE ? 2 : 0;
		ctl_send(&mb, CTL_LOG_VERBOSE, &level, sizeof(level));
		ctl_recv(&mb, &msg);
		return show_result(&msg, NULL);
	default:
		errx(1, "nothing to do");
	}
}

/*
 * -f: the daemon's own configuration file says where its control socket
 * is (what a service manager's reload needs when it is not the default);
 * a file with errors is reported as dsvpnd -n would.
 */
static const char *
socket_from_config(const char *file)
{
	static struct conf	 conf;

	log_init(1, 0, LOG_DAEMON);
	if (parse_config(file, &conf) != 0)
		exit(1);
	return conf.control_socket;
}

int
main(int argc, char *argv[])
{
	struct parse_result	*pr;
	const char		*sockpath = NULL, *conffile = NULL;
	const char		*instance = NULL;
	static char		 isock[PATH_MAX];
	int			 ch, r;

	while ((ch = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (ch) {
		case 'I':
			if (!instance_name_ok(optarg))
				errx(1, "bad instance name %s", optarg);
			instance = optarg;
			break;
		case 'f':
			conffile = optarg;
			break;
		case 's':
			sockpath = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	if ((pr = parse(argc, argv)) == NULL)
		exit(1);
	if (pr->action == ACT_KEYGEN)
		return keygen(pr->path);
	/* -s, else the file's socket (as dsvpnd -I would read it), else
	 * the instance's own, as dsvpnd derives it. */
	if (sockpath == NULL && conffile != NULL) {
		if (instance != NULL)
			cmdline_instance(instance);
		sockpath = socket_from_config(conffile);
	}
	if (sockpath == NULL && instance != NULL) {
		if (instance_socket(instance, DSVPND_SOCKET, isock,
		    sizeof(isock)) == -1)
			errx(1, "%s: socket path too long", instance);
		sockpath = isock;
	}
	if (sockpath == NULL)
		sockpath = DSVPND_SOCKET;
	r = run(pr, sockpath);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "stdout");
	return r;
}
