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
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"
#include "control.h"
#include "transport.h"
#include "tun.h"

#define STOP_TIMEOUT	10	/* seconds for children to finish */

static void	 start_tunnel(struct child *);
static void	 start_control(struct child *);

void
parent_send_config(enum proc_id id)
{
	struct peer	*p = &env->kids[id].peer;

	peer_compose(p, MSG_RECONF_BEGIN, 0, -1, NULL, 0);
	peer_compose(p, MSG_RECONF_CONF, 0, -1, &env->conf,
	    sizeof(env->conf));
	if (id == PROC_TUNNEL) {
		peer_compose(p, MSG_RECONF_KEY, 0, -1, &env->key,
		    sizeof(env->key));
		peers_send_config(p);
	}
	peer_compose(p, MSG_RECONF_END, 0, -1, NULL, 0);
}

void
parent_start_child(enum proc_id id)
{
	struct child	*kid = &env->kids[id];
	int		 fd;

	kid->id = id;
	if (id == PROC_NETCFG)
		netreq_reset();
	kid->pid = proc_spawn(env->self, id, env->debug, env->verbose, &fd);
	peer_init(&kid->peer, fd, PROC_PARENT, id, parent_dispatch, kid);
	log_debug("started %s, pid %ld", proc_name(id), (long)kid->pid);
	parent_send_config(id);
	if (id == PROC_NETCFG)
		netreq_send_locks();
	if (id == PROC_TUNNEL)
		start_tunnel(kid);
	else if (id == PROC_CONTROL)
		start_control(kid);
}

static void
sockname(int fd, char *buf, size_t len)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1) {
		strlcpy(buf, "?", len);
		return;
	}
	transport_endpoint((struct sockaddr *)&ss, buf, len);
}

/* The tunnel gets the TUN device; a server's listeners come later. */
static void
start_tunnel(struct child *kid)
{
	struct msg_tun		 mt;
	int			 fd;

	memset(&mt, 0, sizeof(mt));
	strlcpy(mt.ifname, env->ifname, sizeof(mt.ifname));
	mt.mtu = env->conf.mtu;
	mt.flags = env->tun_flags;
	if ((fd = dup(env->tun_fd)) == -1)
		fatal("dup");
	peer_compose(&kid->peer, MSG_TUN_FD, 0, fd, &mt, sizeof(mt));
}

/* The listeners of one transport to the tunnel: how many. */
static int
listen_send(struct child *kid, int transport)
{
	struct msg_endpoint	 ep;
	char			 err[256];
	int			 fds[CONF_MAX_LISTEN * 2], n, i;
	int			 protos[CONF_MAX_LISTEN * 2];

	if (transport == CONF_T_UDP)
		n = transport_listen_udp(&env->conf, fds, protos, nitems(fds),
		    err, sizeof(err));
	else
		n = transport_listen(&env->conf, fds, protos, nitems(fds), err,
		    sizeof(err));
	if (n < 0)
		fatalx("%s", err);
	for (i = 0; i < n; i++) {
		memset(&ep, 0, sizeof(ep));
		sockname(fds[i], ep.addr, sizeof(ep.addr));
		ep.transport = transport;
		ep.protocol = protos[i];
		log_info("listening on %s%s", ep.addr,
		    transport == CONF_T_UDP ? " (udp)" :
		    protos[i] == CONF_PROTO_DSVPN ? " (DSVPN protocol)" : "");
		peer_compose(&kid->peer, MSG_LISTEN_FD, 0, fds[i], &ep,
		    sizeof(ep));
	}
	return n;
}

/*
 * A server listens only once netcfg has its plan in place (netreq.c
 * calls this): a session accepted before its interface is up would
 * lose its first packets.  The TUN keeps its offloads with a UDP
 * listener too: the tunnel cuts TSO frames for datagrams (gso.c).
 */
void
parent_listen(void)
{
	struct child		*kid = &env->kids[PROC_TUNNEL];
	int			 n, u;

	if (env->conf.role != ROLE_SERVER || kid->pid == 0)
		return;
	n = listen_send(kid, CONF_T_TCP);
	u = listen_send(kid, CONF_T_UDP);
	if (u + n == 0)
		fatalx("no listening socket");
	peer_compose(&kid->peer, MSG_FDS_DONE, 0, -1, NULL, 0);
}

static void
start_control(struct child *kid)
{
	char		 err[256];
	int		 fd;

	/* The socket's group is the unprivileged user's: its members
	 * may read the status; only root may change anything. */
	fd = control_listen(env->conf.control_socket, env->conf.user, err,
	    sizeof(err));
	if (fd == -1)
		fatalx("%s", err);
	peer_compose(&kid->peer, MSG_CONTROL_FD, 0, fd, NULL, 0);
}

static void
describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "stopped");
}

static int
children_left(void)
{
	int	 id;

	for (id = PROC_TUNNEL; id < PROC_MAX; id++)
		if (env->kids[id].pid != 0)
			return 1;
	return 0;
}

__dead static void
parent_exit(void)
{
	if (env->conf.control_socket[0] != '\0')
		(void)unlink(env->conf.control_socket);
	(void)unlink(env->pidfile);
	log_info("exiting (%d)", env->exit_code);
	exit(env->exit_code);
}

static void
child_exited(struct child *kid, int status)
{
	char	 why[128];

	describe_status(status, why, sizeof(why));
	kid->pid = 0;
	peer_close(&kid->peer);
	if (env->stopping) {
		log_debug("%s %s", proc_name(kid->id), why);
		if (kid->id == PROC_NETCFG && !env->reverted) {
			/* It died before confirming: a fresh one cleans up. */
			env->reverted = 1;
			parent_start_child(PROC_NETCFG);
			netreq_flush_and_stop();
		}
		return;
	}
	log_warnx("lost child %s: %s", proc_name(kid->id), why);
	if (kid->id == PROC_NETCFG) {
		/* Its journal died with it: a fresh netcfg finds our
		 * changes by their names and removes them. */
		parent_start_child(PROC_NETCFG);
		netreq_flush_and_stop();
		env->reverted = 1;
	}
	parent_stop(1, "a child process was lost");
}

void
parent_sigchld(void)
{
	struct child	*kid;
	pid_t		 pid;
	int		 status, id;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (id = PROC_TUNNEL; id < PROC_MAX; id++) {
			kid = &env->kids[id];
			if (kid->pid == pid) {
				child_exited(kid, status);
				break;
			}
		}
	}
	if (env->stopping && !children_left())
		parent_exit();
}

static void
stop_timeout(int fd, short event, void *arg)
{
	int	 id;

	log_warnx("children did not finish in %d seconds, killing them",
	    STOP_TIMEOUT);
	for (id = PROC_TUNNEL; id < PROC_MAX; id++)
		if (env->kids[id].pid != 0)
			kill(env->kids[id].pid, SIGKILL);
	env->exit_code = 1;
	parent_exit();
}

void
parent_stop(int exit_code, const char *why)
{
	struct timeval	 tv = { STOP_TIMEOUT, 0 };
	int		 id;

	if (exit_code > env->exit_code)
		env->exit_code = exit_code;
	if (env->stopping)
		return;
	env->stopping = 1;
	log_info("stopping: %s", why);
	sdnotify("STOPPING=1");
	connect_cancel();
	for (id = PROC_TUNNEL; id < PROC_MAX; id++) {
		if (env->kids[id].pid == 0)
			continue;
		if (id == PROC_NETCFG && !env->reverted)
			netreq_revert_and_stop();
		else
			peer_compose(&env->kids[id].peer, MSG_SHUTDOWN, 0, -1,
			    NULL, 0);
	}
	evtimer_set(&env->stop_timer, stop_timeout, NULL);
	evtimer_add(&env->stop_timer, &tv);
	if (!children_left())
		parent_exit();
}
