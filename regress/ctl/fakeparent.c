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
 * fakeparent: a stand-in for the dsvpnd parent, so that the control
 * process can be tested alone, sandbox and all.  It makes the control
 * socket with control_listen(), starts control_main() in a child on
 * the usual channel, streams it a config naming the user and chroot,
 * hands over the socket, and answers the relayed requests with a fixed
 * status.  It stops on SIGTERM (MSG_SHUTDOWN, then the child's exit
 * status is ours) and exits 3 if the child dies on its own.
 *
 * usage: fakeparent -s socket -u user -c chroot [-e reload-error]
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "control.h"
#include "log.h"
#include "proc.h"

static struct peer	 child;
static pid_t		 child_pid;
static const char	*reload_error;
static uint64_t		 counter;
static int		 verbose_level = -1;

static void
answer_status(uint32_t id)
{
	struct status_info	 si;
	const char		*text = "ip addr add 192.168.192.1 dev tun0\n"
	    "nft add table inet \"dsvpnd\"\n";
	uint8_t			 buf[sizeof(si) + 256];
	size_t			 len;

	memset(&si, 0, sizeof(si));
	si.version = STATUS_VERSION;
	si.role = ROLE_CLIENT;
	si.state = STATE_UP;
	si.state_since = si.started = time(NULL) - 5;
	strlcpy(si.peer, "198.18.0.1 443", sizeof(si.peer));
	strlcpy(si.ifname, "tun0", sizeof(si.ifname));
	strlcpy(si.inet_local, "192.168.192.1", sizeof(si.inet_local));
	strlcpy(si.inet_peer, "192.168.192.254", sizeof(si.inet_peer));
	strlcpy(si.cipher, "test", sizeof(si.cipher));
	strlcpy(si.sandbox, "fake", sizeof(si.sandbox));
	/* Grows with every request, as a live daemon's counters do. */
	counter += 1000;
	si.stats.bytes_in = si.stats.bytes_out = counter;
	si.stats.packets_in = si.stats.packets_out = counter / 100;
	si.stats.drops[DROP_AUTH] = verbose_level + 1;
	memcpy(buf, &si, sizeof(si));
	len = strlcpy((char *)buf + sizeof(si), text, sizeof(buf) - sizeof(si));
	peer_compose(&child, MSG_CTL_STATUS_REPLY, id, -1, buf,
	    sizeof(si) + len + 1);
}

static void
answer_result(uint32_t id, int ok, const char *text)
{
	struct msg_result	 res;

	memset(&res, 0, sizeof(res));
	res.ok = ok;
	strlcpy(res.text, text, sizeof(res.text));
	peer_compose(&child, MSG_CTL_RESULT, id, -1, &res, sizeof(res));
}

static void
dispatch(struct peer *p, struct msg *m)
{
	const struct msg_log	*ml;
	int32_t			 v;

	if (m == NULL) {
		warnx("control channel closed");
		return;
	}
	switch (m->hdr.type) {
	case MSG_LOG:
		ml = m->data;
		log_forwarded(ml->priority, ml->line);
		break;
	case MSG_CTL_STATUS:
		answer_status(m->hdr.peerid);
		break;
	case MSG_CTL_RELOAD:
		if (reload_error != NULL)
			answer_result(m->hdr.peerid, 0, reload_error);
		else
			answer_result(m->hdr.peerid, 1, "reloaded");
		break;
	case MSG_CTL_VERBOSE:
		memcpy(&v, m->data, sizeof(v));
		if (v < 0 || v > 3)
			errx(4, "verbose level %d reached the parent", v);
		verbose_level = v;
		answer_result(m->hdr.peerid, 1, "logging changed");
		break;
	default:
		errx(4, "unexpected %s", msgcat_name(m->hdr.type));
	}
}

static __dead void
child_gone(void)
{
	int	 status;

	if (waitpid(child_pid, &status, 0) == -1)
		err(1, "waitpid");
	if (WIFSIGNALED(status)) {
		printf("control killed by signal %d\n", WTERMSIG(status));
		exit(3);
	}
	printf("control exited %d\n", WEXITSTATUS(status));
	exit(WEXITSTATUS(status) == 0 ? 0 : 3);
}

static void
on_signal(int sig, short ev, void *arg)
{
	if (sig == SIGCHLD) {
		printf("control died unasked\n");
		child_gone();
	}
	signal(SIGCHLD, SIG_DFL);
	peer_compose(&child, MSG_SHUTDOWN, 0, -1, NULL, 0);
	peer_flush(&child);
	child_gone();
}

static void
start_child(int sp[2])
{
	switch (child_pid = fork()) {
	case -1:
		err(1, "fork");
	case 0:
		close(sp[0]);
		if (dup2(sp[1], PROC_CHANNEL_FD) == -1)
			err(1, "dup2");
		closefrom(PROC_CHANNEL_FD + 1);
		log_init(1, 2, LOG_DAEMON);
		control_main(1, 2);
	}
	close(sp[1]);
}

int
main(int argc, char *argv[])
{
	struct event	 ev_term, ev_chld;
	struct conf	 conf;
	const char	*sock = NULL, *user = NULL, *dir = NULL;
	char		 errbuf[256];
	int		 ch, fd, sp[2];

	while ((ch = getopt(argc, argv, "c:e:s:u:")) != -1) {
		switch (ch) {
		case 'c':
			dir = optarg;
			break;
		case 'e':
			reload_error = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			errx(2, "usage: fakeparent -s socket -u user -c chroot "
			    "[-e reload-error]");
		}
	}
	if (sock == NULL || user == NULL || dir == NULL)
		errx(2, "-s, -u and -c are needed");
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init(1, 2, LOG_DAEMON);
	if ((fd = control_listen(sock, user, errbuf, sizeof(errbuf))) == -1)
		errx(1, "%s", errbuf);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		err(1, "socketpair");
	start_child(sp);

	event_init();
	signal_set(&ev_term, SIGTERM, on_signal, NULL);
	signal_set(&ev_chld, SIGCHLD, on_signal, NULL);
	signal_add(&ev_term, NULL);
	signal_add(&ev_chld, NULL);
	signal(SIGPIPE, SIG_IGN);
	peer_init(&child, sp[0], PROC_PARENT, PROC_CONTROL, dispatch, NULL);

	memset(&conf, 0, sizeof(conf));
	strlcpy(conf.user, user, sizeof(conf.user));
	strlcpy(conf.chroot, dir, sizeof(conf.chroot));
	strlcpy(conf.control_socket, sock, sizeof(conf.control_socket));
	peer_compose(&child, MSG_RECONF_BEGIN, 0, -1, NULL, 0);
	peer_compose(&child, MSG_RECONF_CONF, 0, -1, &conf, sizeof(conf));
	peer_compose(&child, MSG_RECONF_END, 0, -1, NULL, 0);
	peer_compose(&child, MSG_CONTROL_FD, 0, fd, NULL, 0);
	printf("ready, control pid %ld\n", (long)child_pid);
	event_dispatch();
	return 1;
}
