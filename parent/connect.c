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

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"
#include "resolve.h"
#include "transport.h"

/*
 * The client's transport: when the tunnel asks for a connection, the
 * parent resolves the server name afresh (it may have moved), tries
 * each address with a non-blocking connect, and hands the first that
 * connects to the tunnel.  Failures back off 1, 2, 4 ... seconds up to
 * conf.backoff_max, forever.
 */

#define CONNECT_TIMEOUT		10	/* seconds per address */
#define CONNECT_MAX_ADDRS	8

static struct sockaddr_storage	 addrs[CONNECT_MAX_ADDRS];
static socklen_t		 addrlens[CONNECT_MAX_ADDRS];
static int			 naddrs, next_addr;
static int			 handed_over;	/* no session from it yet */

static void	 connect_try(int, short, void *);
static void	 connect_resolved(int, const struct sockaddr_storage *,
		    const socklen_t *, const char *, void *);

static void
connect_schedule(unsigned int seconds)
{
	struct timeval	 tv = { seconds, 0 };

	if (event_initialized(&env->connect_ev))
		event_del(&env->connect_ev);
	evtimer_set(&env->connect_ev, connect_try, NULL);
	evtimer_add(&env->connect_ev, &tv);
}

static void
backoff_bump(void)
{
	env->backoff = env->backoff == 0 ? 1 : env->backoff * 2;
	if (env->backoff > env->conf.backoff_max)
		env->backoff = env->conf.backoff_max;
}

static void
connect_failed(void)
{
	backoff_bump();
	log_ratelimited(log_info, "cannot reach %s port %s; retrying in %us",
	    env->conf.connect_host, env->conf.connect_port,
	    env->backoff);
	connect_schedule(env->backoff);
}

static void
connect_done(int fd, short event, void *arg)
{
	struct msg_endpoint	 ep;
	char			 err[256];
	int			 i = next_addr - 1;

	env->connect_fd = -1;
	if (event & EV_TIMEOUT) {
		close(fd);
		log_debug("connect to address %d timed out", i);
		connect_try(-1, 0, NULL);
		return;
	}
	if (transport_connect_finish(fd, err, sizeof(err)) == -1) {
		close(fd);
		log_debug("connect: %s", err);
		connect_try(-1, 0, NULL);
		return;
	}
	memset(&ep, 0, sizeof(ep));
	transport_endpoint((struct sockaddr *)&addrs[i], ep.addr,
	    sizeof(ep.addr));
	memcpy(&env->server_ss, &addrs[i], addrlens[i]);
	env->server_sslen = addrlens[i];
	env->connect_wanted = 0;
	handed_over = 1;
	log_info("connected to %s", ep.addr);
	status_set_state(STATE_HANDSHAKING);
	peer_compose(&env->kids[PROC_TUNNEL].peer, MSG_CONNECT_FD, 0, fd,
	    &ep, sizeof(ep));
}

/* Try the next resolved address, resolving again after the last. */
static void
connect_try(int unused, short event, void *arg)
{
	struct timeval	 tv = { CONNECT_TIMEOUT, 0 };
	char		 err[256];
	int		 fd;

	if (env->stopping || !env->connect_wanted)
		return;
	if (next_addr >= naddrs) {
		if (naddrs > 0) {
			naddrs = next_addr = 0;
			connect_failed();
			return;
		}
		/* Asynchronous, as the unprivileged user: resolve.c. */
		if (resolve_start(env->conf.connect_host,
		    env->conf.connect_port, connect_resolved, NULL) == -1)
			connect_failed();
		return;
	}
	fd = transport_connect_start((struct sockaddr *)&addrs[next_addr],
	    addrlens[next_addr], err, sizeof(err));
	next_addr++;
	if (fd == -1) {
		log_debug("connect: %s", err);
		connect_try(-1, 0, NULL);
		return;
	}
	env->connect_fd = fd;
	if (event_initialized(&env->connect_ev))
		event_del(&env->connect_ev);
	event_set(&env->connect_ev, fd, EV_WRITE, connect_done, NULL);
	event_add(&env->connect_ev, &tv);
}

static void
connect_routed(void)
{
	connect_try(-1, 0, NULL);
}

static void
connect_resolved(int n, const struct sockaddr_storage *ss,
    const socklen_t *len, const char *err, void *arg)
{
	int	 i;

	if (n <= 0) {
		log_ratelimited(log_warnx, "resolve %s: %s",
		    env->conf.connect_host, err);
		connect_failed();
		return;
	}
	for (i = 0; i < n && i < CONNECT_MAX_ADDRS; i++) {
		memcpy(&addrs[i], &ss[i], sizeof(addrs[i]));
		addrlens[i] = len[i];
	}
	naddrs = i;
	next_addr = 0;
	/* Where the plan routes the server around the tunnel, after. */
	if (netreq_route_servers(addrs, naddrs, connect_routed) == 0)
		connect_try(-1, 0, NULL);
}

void
connect_request(void)
{
	if (env->conf.role != ROLE_CLIENT)
		fatalx("CONNECT_REQ from a server's tunnel");
	if (env->connect_wanted)
		return;
	env->connect_wanted = 1;
	naddrs = next_addr = 0;
	/* A connection that never became a session (wrong key, server
	 * refusing us) counts as a failure, or we would spin. */
	if (handed_over)
		backoff_bump();
	handed_over = 0;
	status_set_state(STATE_CONNECTING);
	connect_schedule(env->backoff);
}

void
connect_session_up(void)
{
	env->backoff = 0;
	handed_over = 0;
}

void
connect_cancel(void)
{
	env->connect_wanted = 0;
	resolve_cancel();
	if (event_initialized(&env->connect_ev))
		event_del(&env->connect_ev);
	if (env->connect_fd != -1) {
		close(env->connect_fd);
		env->connect_fd = -1;
	}
}
