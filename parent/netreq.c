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
#include <netinet/in.h>

#include <netdb.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "instlock.h"
#include "log.h"
#include "netcfg.h"
#include "parent.h"
#include "resolve.h"

/*
 * The parent's side of netcfg.  Requests are answered in order, one
 * MSG_NETCFG_RESULT each; a small ring remembers what each answer is
 * for.  At most one apply is on its way: whatever changes the wanted
 * state meanwhile (a session coming up, a server's new address, a
 * reload) waits for its answer, and the wanted request is then built
 * again from what holds by then.  netcfg itself decides whether a
 * request is a fresh plan or a transition from the applied one.
 *
 * A client's plan goes in before it first connects: with "block outside"
 * all of it (the seal), else only the interface and its addresses, the
 * routes following once the first session is up (it fails open while
 * connecting, as asked); either way nothing is applied at session up
 * that could lose its first packets, and status says "up" only when
 * what the session needs is in place.  On the BSDs and macOS the plan
 * needs the server's addresses (host routes around the tunnel): it
 * follows their resolution, before the connection.
 *
 * A client whose server pushes its settings (pushed.c) goes "up" once
 * the push of that session is in place; each push taken is a
 * transition from what is applied, the seal staying in.
 */
enum netreq_kind { NR_APPLY, NR_REVERT, NR_FLUSH };
enum netreq_why { WHY_START, WHY_SESSION, WHY_SERVERS, WHY_RELOAD, WHY_PUSH };

#define NETREQ_RING	8

struct ringent {
	enum netreq_kind	 kind;
	enum netreq_why		 why;
};

static struct ringent	 ring[NETREQ_RING];
static unsigned int	 ring_head, ring_count;

static struct netcfg_req applied;	/* what netcfg has in place */
static int		 have_applied;
static struct netcfg_req inflight;	/* the apply on its way */
static int		 in_flight;
static int		 dirty;		/* the wanted state changed */
static int		 started;	/* the first apply succeeded */
static int		 session_seen;	/* a client's session came up */
static int		 held_connect;	/* the tunnel asked too early */
static int		 up_pending;	/* session up until netcfg is done */
static int		 awaiting_push;	/* and until the server's push came */
static struct msg_session up_msg;
static const struct conf *reload_conf;	/* a reload's, awaiting its turn */
static const struct conf_clients *reload_clients;
static void		 (*servers_cb)(void);
static struct conf_prefix servers[NETCFG_MAX_SERVERS];
static uint32_t		 nservers;

static void	 netreq_next(void);
static void	 netreq_copy_servers(struct netcfg_req *);

/* A new netcfg process answers nothing its predecessor was asked. */
void
netreq_reset(void)
{
	ring_head = ring_count = 0;
	if (in_flight && reload_conf != NULL)
		parent_reload_done(0, "netcfg was lost");
	in_flight = have_applied = dirty = 0;
	reload_conf = NULL;
}

static void
netreq_send(enum netreq_kind kind, enum netreq_why why, uint32_t type,
    const void *data, size_t len)
{
	struct child	*kid = &env->kids[PROC_NETCFG];

	if (kid->pid == 0)
		return;
	if (ring_count == NETREQ_RING)
		fatalx("%s: too many requests outstanding", __func__);
	ring[(ring_head + ring_count) % NETREQ_RING].kind = kind;
	ring[(ring_head + ring_count) % NETREQ_RING].why = why;
	ring_count++;
	peer_compose(&kid->peer, type, 0, -1, data, len);
}

/* The resolver's uid, whose lookups of the server the seal lets out. */
static int32_t
resolver_uid(void)
{
	struct passwd	*pw;

	if ((pw = getpwnam(env->conf.user)) == NULL || pw->pw_uid == 0)
		return (NETCFG_NO_UID);
	return ((int32_t)pw->pw_uid);
}

/* Is any of the client's servers given by name (looked up)? */
static int
servers_by_name(const struct conf *conf)
{
	unsigned int	 i;

	for (i = 0; i < conf->n_servers; i++)
		if (!resolve_is_numeric(conf->servers[i].host))
			return (1);
	return (0);
}

/*
 * A server's networks behind its clients (site to site), as many as
 * one request holds; the rest is said once, not routed.
 */
static void
client_nets(struct netcfg_req *req, const struct conf_clients *cl)
{
	static int	 warned;
	size_t		 i, k;

	for (i = 0; i < cl->n; i++)
		for (k = 0; k < cl->v[i].n_routes; k++) {
			if (req->n_client_nets == NETCFG_MAX_CLIENT_NETS) {
				if (!warned++)
					log_warnx("more than %d networks "
					    "behind clients: the rest are not "
					    "routed", NETCFG_MAX_CLIENT_NETS);
				return;
			}
			req->client_nets[req->n_client_nets++] =
			    cl->v[i].routes[k];
		}
}

/* Without inet6 on the tunnel, no IPv6 route (validate refuses them). */
static void
drop_routes6(struct netcfg_req *req)
{
	uint32_t	 i, n = 0;

	for (i = 0; i < req->n_routes; i++)
		if (req->routes[i].af != AF_INET6)
			req->routes[n++] = req->routes[i];
	memset(&req->routes[n], 0, (req->n_routes - n) *
	    sizeof(req->routes[0]));
	req->n_routes = n;
}

/* A client's file and what its server pushed (pushed.c). */
static void
client_settings(struct netcfg_req *req, const struct conf *conf)
{
	struct conf	 eff;
	int		 have;

	have = pushed_effective(&eff, conf, NULL);
	netcfg_req_from_conf(req, &eff);
	strlcpy(req->ifname, env->ifname, sizeof(req->ifname));
	req->tun_created = env->tun_created != 0;
	if (!have) {
		/* The seal, if asked for, goes up without addresses. */
		req->have_addrs = 0;
		req->inet6 = 0;
		memset(&req->inet_local, 0, sizeof(req->inet_local));
		memset(&req->inet_peer, 0, sizeof(req->inet_peer));
	}
	if (!req->inet6) {
		memset(&req->inet6_local, 0, sizeof(req->inet6_local));
		memset(&req->inet6_peer, 0, sizeof(req->inet6_peer));
		drop_routes6(req);
	}
}

/* The request for conf and what the parent knows now. */
static void
netreq_build(struct netcfg_req *req, const struct conf *conf,
    const struct conf_clients *cl)
{
	netcfg_req_from_conf(req, conf);
	strlcpy(req->ifname, env->ifname, sizeof(req->ifname));
	req->tun_created = env->tun_created != 0;
	if (conf->role == ROLE_SERVER) {
		req->pool4 = conf->pool4;
		req->pool6 = conf->inet6 ? conf->pool6 : req->pool6;
		client_nets(req, cl);
		return;
	}
	if (conf->role != ROLE_CLIENT)
		return;
	client_settings(req, conf);
	if (servers_by_name(conf) &&
	    (req->default_route || req->block_outside))
		req->dns_uid = resolver_uid();
	if (netcfg_needs_servers(netcfg_req_os(req), req))
		netreq_copy_servers(req);
	if (!req->block_outside && !session_seen) {
		/* Fail open while connecting: no routes yet. */
		req->default_route = 0;
		req->n_routes = 0;
		memset(req->routes, 0, sizeof(req->routes));
	}
}

static int
send_apply(const struct netcfg_req *req, enum netreq_why why)
{
	const char	*err;

	if ((err = netcfg_req_validate(req)) != NULL) {
		log_warnx("network configuration request invalid: %s", err);
		return (-1);
	}
	inflight = *req;
	in_flight = 1;
	netreq_send(NR_APPLY, why, MSG_NETCFG_APPLY, req, sizeof(*req));
	return (0);
}

/* Does conf want anything netcfg does not have?  Sends it if so. */
static int
netreq_sync(const struct conf *conf, enum netreq_why why)
{
	struct netcfg_req	 req;

	if (in_flight) {
		dirty = 1;
		return (1);
	}
	memset(&req, 0, sizeof(req));
	netreq_build(&req, conf, &env->clients);
	if (have_applied && memcmp(&req, &applied, sizeof(req)) == 0)
		return (0);
	if (send_apply(&req, why) == -1)
		return (-1);
	return (1);
}

/* Whether the plan waits for the servers' addresses (BSD, a name). */
static int
waits_for_servers(void)
{
	struct netcfg_req	 req;

	memset(&req, 0, sizeof(req));
	netcfg_req_from_conf(&req, &env->conf);
	return (netcfg_needs_servers(netcfg_req_os(&req), &req) &&
	    nservers == 0);
}

/*
 * At start, before the first connection: the server's whole plan, a
 * client's seal (or its interface), unless it must wait for the
 * servers' addresses.
 */
void
netreq_start(void)
{
	struct sockaddr_storage	 ss[NETCFG_MAX_SERVERS];
	struct addrinfo		 hints, *res;
	unsigned int		 i;
	int			 n = 0;

	/* Servers given by address: their host routes need no lookup. */
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	for (i = 0; env->conf.role == ROLE_CLIENT && waits_for_servers() &&
	    !servers_by_name(&env->conf) && i < env->conf.n_servers &&
	    n < NETCFG_MAX_SERVERS; i++) {
		if (getaddrinfo(env->conf.servers[i].host, NULL, &hints,
		    &res) != 0)
			continue;
		if (res->ai_addrlen <= sizeof(ss[n]))
			memcpy(&ss[n++], res->ai_addr, res->ai_addrlen);
		freeaddrinfo(res);
	}
	if (n > 0)
		netreq_set_servers(ss, n);
	if (env->conf.role == ROLE_CLIENT && waits_for_servers())
		return;
	if (netreq_sync(&env->conf, WHY_START) == -1)
		parent_stop(1, "network configuration request invalid");
}

/* The tunnel wants to connect: not before the first plan is in. */
int
netreq_hold_connect(void)
{
	if (started || waits_for_servers())
		return (0);
	held_connect = 1;
	return (1);
}

void
netreq_set_servers(const struct sockaddr_storage *ss, int n)
{
	struct netcfg_req	 tmp;

	memset(&tmp, 0, sizeof(tmp));
	netcfg_req_set_servers(&tmp, ss, n);
	nservers = tmp.n_servers;
	memcpy(servers, tmp.servers, sizeof(servers));
}

/* The addresses last resolved, into req. */
static void
netreq_copy_servers(struct netcfg_req *req)
{
	uint32_t	 i;

	req->n_servers = nservers;
	for (i = 0; i < nservers; i++)
		req->servers[i] = servers[i];
}

/*
 * The resolved addresses, before connecting to them: where the plan
 * routes them around the tunnel, cb runs once that is done (1);
 * otherwise at once (0).
 */
int
netreq_route_servers(const struct sockaddr_storage *ss, int n,
    void (*cb)(void))
{
	struct netcfg_req	 req;

	memset(&req, 0, sizeof(req));
	netcfg_req_from_conf(&req, &env->conf);
	if (!netcfg_needs_servers(netcfg_req_os(&req), &req))
		return (0);
	netreq_set_servers(ss, n);
	switch (netreq_sync(&env->conf, started ? WHY_SERVERS : WHY_START)) {
	case 0:
		return (0);
	case 1:
		servers_cb = cb;
		return (1);
	default:
		return (0);
	}
}

/* 1: the session waits for netcfg (or its push) before it is "up". */
int
netreq_session_up(const struct msg_session *ms)
{
	if (env->conf.role != ROLE_CLIENT)
		return (0);
	session_seen = 1;
	if (pushed_session_up(ms->version)) {
		awaiting_push = 1;
		up_msg = *ms;
		up_pending = 1;
		status_set_cause(CAUSE_NONE, "waiting for the server's "
		    "settings");
		return (1);
	}
	if (netreq_sync(&env->conf, WHY_SESSION) != 1)
		return (0);
	up_msg = *ms;
	up_pending = 1;
	return (1);
}

void
netreq_session_down(void)
{
	up_pending = 0;
	awaiting_push = 0;
}

/*
 * pushed.c took a new push: NULL once it is on its way to netcfg (or
 * nothing changed), else why netcfg would refuse what it makes.
 */
const char *
netreq_pushed(void)
{
	struct netcfg_req	 req;
	const char		*why;

	memset(&req, 0, sizeof(req));
	netreq_build(&req, &env->conf, &env->clients);
	if ((why = netcfg_req_validate(&req)) != NULL)
		return (why);
	awaiting_push = 0;
	switch (netreq_sync(&env->conf, WHY_PUSH)) {
	case 0:
		if (up_pending && !in_flight) {
			up_pending = 0;
			status_session_up(&up_msg);
		}
		break;
	case -1:
		return ("invalid network request");
	}
	return (NULL);
}

/* The server's addresses last resolved, as host prefixes. */
void
netreq_servers(struct conf_prefix *out, unsigned int *n, unsigned int max)
{
	uint32_t	 i;

	for (i = 0, *n = 0; i < nservers && *n < max; i++)
		out[(*n)++] = servers[i];
}

/* A reload whose request differs: 1 and parent_reload_done() later. */
int
netreq_reload(const struct conf *nc, const struct conf_clients *ncl)
{
	struct netcfg_req	 req;

	if (!have_applied && !in_flight)
		return (0);	/* nothing applied yet: it will follow */
	if (in_flight) {
		reload_conf = nc;
		reload_clients = ncl;
		return (1);
	}
	memset(&req, 0, sizeof(req));
	netreq_build(&req, nc, ncl);
	if (memcmp(&req, &applied, sizeof(req)) == 0)
		return (0);
	if (send_apply(&req, WHY_RELOAD) == -1)
		return (-1);
	return (1);
}

void
netreq_revert(void)
{
	netreq_send(NR_REVERT, WHY_START, MSG_NETCFG_REVERT, NULL, 0);
	have_applied = 0;
}

void
netreq_revert_and_stop(void)
{
	netreq_revert();
	peer_compose(&env->kids[PROC_NETCFG].peer, MSG_SHUTDOWN, 0, -1,
	    NULL, 0);
}

/* netcfg holds the instance locks too: it outlives a killed parent. */
void
netreq_send_locks(void)
{
	int	 i, fd;

	for (i = 0; i < INSTLOCK_FDS; i++) {
		if (instlock_fd(i) == -1)
			continue;
		if ((fd = dup(instlock_fd(i))) == -1)
			fatal("dup");
		peer_compose(&env->kids[PROC_NETCFG].peer, MSG_NETCFG_LOCK, 0,
		    fd, NULL, 0);
	}
}

void
netreq_flush(void)
{
	netreq_send(NR_FLUSH, WHY_START, MSG_NETCFG_FLUSH, NULL, 0);
}

void
netreq_flush_and_stop(void)
{
	netreq_send(NR_FLUSH, WHY_START, MSG_NETCFG_FLUSH, NULL, 0);
	peer_compose(&env->kids[PROC_NETCFG].peer, MSG_SHUTDOWN, 0, -1,
	    NULL, 0);
}

static void
apply_done(enum netreq_why why, int ok, const char *text)
{
	in_flight = 0;
	if (ok) {
		applied = inflight;
		have_applied = 1;
	} else if (!have_applied)
		memset(&applied, 0, sizeof(applied));
	/* A failed transition leaves the old plan: applied stays. */
	switch (why) {
	case WHY_RELOAD:
		parent_reload_done(ok, text);
		break;
	case WHY_SERVERS:
		if (!ok)
			log_warnx("routing the server around the tunnel "
			    "failed: %s", text);
		break;
	case WHY_PUSH:
		/* The old plan stays, whole; the session is not "up". */
		if (!ok) {
			log_warnx("applying the server's settings failed: %s",
			    text);
			up_pending = 0;
			status_set_cause(CAUSE_NONE, "applying the server's "
			    "settings failed: %s", text);
		} else
			log_info("the server's settings applied");
		break;
	case WHY_START:
	case WHY_SESSION:
		if (!ok) {
			/* netcfg has undone the steps it made. */
			log_warnx("network configuration failed: %s", text);
			parent_stop(1, "network configuration failed");
			return;
		}
		log_info("network configuration applied");
		if (!started && why == WHY_START) {
			/* Up: a server's plan, a client's seal (or its
			 * interface) is in; a daemonizing start returns. */
			parent_listen();
			startup_ready();
		}
		started = 1;
		break;
	}
	netreq_next();
}

/*
 * After an answer: what waited for its turn goes; once nothing is on
 * its way any more, what waited for netcfg may go on: the connection to
 * the servers, the session's "up".
 */
static void
netreq_next(void)
{
	const struct conf	*nc = reload_conf;
	const struct conf_clients *ncl = reload_clients;
	void			 (*cb)(void);
	int			 r;

	if (env->stopping)
		return;
	if (nc != NULL) {
		reload_conf = NULL;
		reload_clients = NULL;
		if ((r = netreq_reload(nc, ncl)) == 0)
			parent_reload_done(1, "");
		else if (r == -1)
			parent_reload_done(0, "invalid network request");
	} else if (dirty) {
		dirty = 0;
		if (netreq_sync(&env->conf, up_pending ? WHY_PUSH :
		    WHY_SERVERS) == -1)
			parent_stop(1, "network configuration request invalid");
	}
	if (in_flight || !started)
		return;
	if ((cb = servers_cb) != NULL) {
		servers_cb = NULL;
		cb();
	}
	if (held_connect) {
		held_connect = 0;
		connect_request(0);
	}
	if (up_pending && !awaiting_push) {
		up_pending = 0;
		status_session_up(&up_msg);
	}
}

void
netreq_result(const struct msg_result *res)
{
	struct ringent	 e;
	char		 text[sizeof(res->text)];

	if (ring_count == 0)
		fatalx("%s: unexpected result from netcfg", __func__);
	e = ring[ring_head];
	ring_head = (ring_head + 1) % NETREQ_RING;
	ring_count--;
	memcpy(text, res->text, sizeof(text));
	text[sizeof(text) - 1] = '\0';
	switch (e.kind) {
	case NR_APPLY:
		apply_done(e.why, res->ok, text);
		break;
	case NR_REVERT:
		env->reverted = env->stopping;
		if (res->ok)
			log_info("network configuration reverted");
		else
			log_warnx("revert incomplete: %s", text);
		break;
	case NR_FLUSH:
		if (!res->ok)
			log_warnx("removing leftovers: %s", text);
		else if (text[0] != '\0')
			log_info("%s", text);
		break;
	}
}
