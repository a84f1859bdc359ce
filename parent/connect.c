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
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"
#include "resolve.h"
#include "transport.h"

/*
 * The client's transport: when the tunnel asks for a connection, the
 * parent resolves the current server's name afresh (it may have moved:
 * resolve.c, a child running as the unprivileged user, asynchronous),
 * tries each of its addresses with a non-blocking connect, and hands the
 * first that connects to the tunnel.
 *
 * Failover: the servers are tried in the order of the configuration.
 * One that cannot be resolved or reached passes the turn to the next at
 * once; only when every server failed in a row does the client back
 * off, 1, 2, 4 ... seconds up to conf.backoff_max, forever.  The server
 * that last gave a session is tried first again.  A round is bounded by
 * CONNECT_TIMEOUT per address, CONNECT_MAX_ADDRS addresses per server.
 *
 * The backoff is reset only once a session has stayed up for
 * CONNECT_STABLE seconds: a session that is replaced at once (another
 * client with our key) or refused after its handshake must not make us
 * reconnect in a tight loop.  A session the server ended because it was
 * shutting down resets it too, whatever its age: a restarted server is
 * back in seconds, and no clone war ends that way.
 *
 * Transports: each server has an ordered list ("transport udp tcp").  A
 * UDP socket is handed over at once (a UDP connect cannot tell whether
 * anyone listens); the tunnel's handshake gives up after
 * DGRAM_CLIENT_HANDSHAKE_MS (tunnel.h, 5 s) without a reply, and then the
 * next transport of the list is tried at once, with no backoff: so a
 * client whose UDP is blocked is up over TCP within that bound plus a
 * TCP handshake.  UDP is tried first again at the first connection
 * attempt CONNECT_UDP_RETRY seconds after it failed.
 */

#define CONNECT_TIMEOUT		10	/* seconds per address */
#define CONNECT_MAX_ADDRS	8
#define CONNECT_STABLE		30	/* seconds up before backoff resets */
#define CONNECT_UDP_RETRY	300	/* seconds before UDP is tried again */
#define CONNECT_RESOCKET_MS	500	/* ms between fresh UDP sockets */

static struct sockaddr_storage	 addrs[CONNECT_MAX_ADDRS];
static socklen_t		 addrlens[CONNECT_MAX_ADDRS];
static int			 naddrs, next_addr;
static int			 handed_over;	/* no session from it yet */
static unsigned int		 server_idx;	/* in conf.servers */
static unsigned int		 failed_in_row;	/* servers, this round */
static int			 last_cause;	/* of this round */
static time_t			 up_since;	/* 0: no session up */
static int			 cur_transport;	/* CONF_T_*, this attempt */
static int			 fallback_now;	/* UDP got no answer */
static time_t			 udp_failed[CONF_MAX_SERVERS];
static struct timespec		 last_resocket;

static void	 connect_try(int, short, void *);
static void	 connect_hand_over(int, int);
static void	 connect_resolved(int, const struct sockaddr_storage *,
		    const socklen_t *, const char *, void *);

static const struct conf_server *
cur_server(void)
{
	if (server_idx >= env->conf.n_servers)
		server_idx = 0;
	return &env->conf.servers[server_idx];
}

/* The first transport of the list, UDP skipped while it recently failed
 * (unless it is all there is). */
static int
transport_pick(void)
{
	const struct conf_server	*sv = cur_server();
	time_t				 now = time(NULL);
	unsigned int			 i, n = sv->n_transports;

	if (n == 0 || n > CONF_MAX_TRANSPORTS)
		return CONF_T_TCP;
	for (i = 0; i + 1 < n; i++)
		if (sv->transports[i] != CONF_T_UDP ||
		    udp_failed[server_idx] == 0 ||
		    now - udp_failed[server_idx] >= CONNECT_UDP_RETRY)
			break;
	return sv->transports[i];
}

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

/* This server failed: the next one, or after a whole round, a pause. */
static void
connect_failed(int cause, const char *why)
{
	const struct conf_server	*sv = cur_server();

	last_cause = cause;
	status_set_cause(cause, "%s port %s: %s", sv->host, sv->port, why);
	naddrs = next_addr = 0;
	server_idx = (server_idx + 1) % env->conf.n_servers;
	if (++failed_in_row < env->conf.n_servers) {
		log_ratelimited(log_info, "cannot reach %s port %s (%s); "
		    "trying %s", sv->host, sv->port, why, cur_server()->host);
		connect_schedule(0);
		return;
	}
	failed_in_row = 0;
	backoff_bump();
	log_ratelimited(log_info, "cannot reach %s port %s (%s); retrying "
	    "in %us", sv->host, sv->port, why, env->backoff);
	connect_schedule(env->backoff);
}

static void
connect_next_addr(int cause, const char *why)
{
	if (cause > last_cause)
		last_cause = cause;
	log_debug("%s", why);
	connect_try(-1, 0, NULL);
}

static void
connect_done(int fd, short event, void *arg)
{
	char			 err[256];
	int			 i = next_addr - 1;

	env->connect_fd = -1;
	if (event & EV_TIMEOUT) {
		close(fd);
		connect_next_addr(CAUSE_NO_ANSWER, "connect timed out");
		return;
	}
	if (transport_connect_finish(fd, err, sizeof(err)) == -1) {
		close(fd);
		connect_next_addr(errno == ECONNREFUSED ? CAUSE_CONN_REFUSED :
		    CAUSE_NO_ANSWER, err);
		return;
	}
	connect_hand_over(fd, i);
}

/* The socket to address i goes to the tunnel, which handshakes. */
static void
connect_hand_over(int fd, int i)
{
	struct msg_endpoint	 ep;

	memset(&ep, 0, sizeof(ep));
	transport_endpoint((struct sockaddr *)&addrs[i], ep.addr,
	    sizeof(ep.addr));
	ep.transport = cur_transport;
	memcpy(&env->server_ss, &addrs[i], addrlens[i]);
	env->server_sslen = addrlens[i];
	env->connect_wanted = 0;
	handed_over = 1;
	log_info("%s %s (%s)", cur_transport == CONF_T_UDP ?
	    "trying udp to" : "connected to", ep.addr, cur_server()->host);
	status_set_state(STATE_HANDSHAKING);
	peer_compose(&env->kids[PROC_TUNNEL].peer, MSG_CONNECT_FD, 0, fd,
	    &ep, sizeof(ep));
}

/* Try the next resolved address, resolving again after the last. */
static void
connect_try(int unused, short event, void *arg)
{
	const struct conf_server	*sv;
	struct timeval			 tv = { CONNECT_TIMEOUT, 0 };
	char				 err[256];
	int				 fd;

	if (env->stopping || !env->connect_wanted)
		return;
	sv = cur_server();
	if (next_addr >= naddrs) {
		if (naddrs > 0) {
			connect_failed(last_cause, last_cause ==
			    CAUSE_CONN_REFUSED ? "connection refused" :
			    "no answer");
			return;
		}
		if (resolve_start(sv->host, sv->port, connect_resolved,
		    NULL) == -1)
			connect_failed(CAUSE_RESOLVE, "cannot start the "
			    "resolver");
		return;
	}
	cur_transport = transport_pick();
	if (cur_transport == CONF_T_UDP) {
		fd = transport_udp_connect((struct sockaddr *)&addrs[next_addr],
		    addrlens[next_addr], err, sizeof(err));
		if (fd == -1) {
			next_addr++;
			connect_next_addr(CAUSE_NO_ANSWER, err);
			return;
		}
		connect_hand_over(fd, next_addr++);
		return;
	}
	fd = transport_connect_start((struct sockaddr *)&addrs[next_addr],
	    addrlens[next_addr], err, sizeof(err));
	next_addr++;
	if (fd == -1) {
		connect_next_addr(CAUSE_NO_ANSWER, err);
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
		connect_failed(CAUSE_RESOLVE, err);
		return;
	}
	for (i = 0; i < n && i < CONNECT_MAX_ADDRS; i++) {
		memcpy(&addrs[i], &ss[i], sizeof(addrs[i]));
		addrlens[i] = len[i];
	}
	naddrs = i;
	next_addr = 0;
	last_cause = CAUSE_NONE;
	/* Where the plan routes the server around the tunnel, after. */
	if (netreq_route_servers(addrs, naddrs, connect_routed) == 0)
		connect_try(-1, 0, NULL);
}

/*
 * The tunnel wants a (new) connection.  now: a reload changed the key
 * or the servers, so the wait of a backoff would only delay the fix.
 */
void
connect_request(int now)
{
	if (env->conf.role != ROLE_CLIENT)
		fatalx("CONNECT_REQ from a server's tunnel");
	if (env->connect_wanted && !now)
		return;
	env->connect_wanted = 1;
	naddrs = next_addr = 0;
	/* A connection that never became a session (wrong key, server
	 * refusing us), or a session that did not last, counts as a
	 * failure, or we would spin. */
	if (now) {
		env->backoff = 0;
		failed_in_row = 0;
		server_idx = 0;
	} else if (fallback_now) {
		/* UDP got no answer: the next transport, at once. */
		handed_over = 0;
		up_since = 0;
		fallback_now = 0;
		status_set_state(STATE_CONNECTING);
		resolve_cancel();
		connect_schedule(0);
		return;
	} else if (handed_over || (up_since != 0 &&
	    time(NULL) - up_since < CONNECT_STABLE &&
	    env->status.cause != CAUSE_SHUTDOWN))
		backoff_bump();
	else if (up_since != 0)
		env->backoff = 0;
	handed_over = 0;
	up_since = 0;
	status_set_state(STATE_CONNECTING);
	resolve_cancel();
	if (env->connect_fd != -1) {
		close(env->connect_fd);
		env->connect_fd = -1;
	}
	connect_schedule(env->backoff);
}

/*
 * Before the tunnel asks again: a UDP attempt that never came up (no
 * reply to any hello within the handshake bound) sends this server's
 * next attempts over the next transport for a while.
 */
void
connect_session_down(const struct msg_session_down *md)
{
	const struct conf_server	*sv = cur_server();

	if (cur_transport != CONF_T_UDP || md->was_up || !handed_over)
		return;
	udp_failed[server_idx] = time(NULL);
	if (sv->n_transports > 1) {
		fallback_now = 1;
		log_info("no answer over udp from %s; falling back to tcp",
		    sv->host);
	}
}

/*
 * Roaming over UDP: the client's socket is connected, so its source
 * address was fixed when it was made; once that address is gone (the
 * tunnel's sends fail) the tunnel asks for another socket, made like
 * the first (mark, DF, buffers) to the same server address, and moves
 * its running session onto it.  The kernel picks the new source.  Only
 * for a session up over UDP, and at most one socket per
 * CONNECT_RESOCKET_MS: a tunnel asking faster gets nothing more.
 */
void
connect_resocket(void)
{
	struct msg_endpoint	 ep;
	struct timespec		 now;
	char			 err[256];
	int64_t			 ms;
	int			 fd;

	if (env->conf.role != ROLE_CLIENT)
		fatalx("RESOCKET_REQ from a server's tunnel");
	if (env->stopping || up_since == 0 || cur_transport != CONF_T_UDP ||
	    env->server_sslen == 0)
		return;
	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		fatal("clock_gettime");
	ms = (int64_t)(now.tv_sec - last_resocket.tv_sec) * 1000 +
	    (now.tv_nsec - last_resocket.tv_nsec) / 1000000;
	if ((last_resocket.tv_sec != 0 || last_resocket.tv_nsec != 0) &&
	    ms < CONNECT_RESOCKET_MS)
		return;
	last_resocket = now;
	fd = transport_udp_connect((struct sockaddr *)&env->server_ss,
	    env->server_sslen, err, sizeof(err));
	if (fd == -1) {
		log_ratelimited(log_info, "no new source address yet: %s",
		    err);
		return;
	}
	memset(&ep, 0, sizeof(ep));
	transport_endpoint((struct sockaddr *)&env->server_ss, ep.addr,
	    sizeof(ep.addr));
	ep.transport = CONF_T_UDP;
	log_debug("a fresh udp socket to %s", ep.addr);
	peer_compose(&env->kids[PROC_TUNNEL].peer, MSG_RESOCKET_FD, 0, fd,
	    &ep, sizeof(ep));
}

int
connect_transport(void)
{
	return cur_transport;
}

void
connect_session_up(void)
{
	handed_over = 0;
	failed_in_row = 0;
	up_since = time(NULL);
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
