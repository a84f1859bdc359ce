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
#include <sys/time.h>

#include <arpa/inet.h>

#include <errno.h>
#include <event.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "msgcat.h"
#include "dgram.h"
#include "peertab.h"
#include "pmtu.h"
#include "sockopt.h"
#include "srccheck.h"
#include "tcpinfo.h"
#include "tunnel.h"

#define SESSION_TICK_MAX_MS	1000
#define CLONE_INTERVAL		60	/* seconds between clone reports */
#define CANDIDATES_MAX		4	/* unconfirmed sessions per peer */
#define SESSION_TCP_BACKSTOP	4	/* user timeout, in dead-peer timeouts */

/*
 * The sessions: each a transport socket, its protocol and the events
 * that move its bytes, bound to one peer of the table (at most one
 * session per peer).  All share one TUN and one data path.  The TUN's
 * read event is on unless the only session up is backed up (then the
 * kernel's TUN queue holds packets back, which slows the inner flows);
 * with several sessions up it stays on, and a backed-up session drops
 * its own packets only.
 *
 * A DSVPN server session may be unconfirmed: its handshake is done but
 * the client has not proved it holds the session key yet (its first
 * frame does that, and a stock client with an idle TUN sends nothing).
 * Such a candidate never replaces a confirmed session: it carries its
 * peer's traffic only while the peer has no confirmed session (p->sess
 * is then the newest candidate), and when it is confirmed it replaces
 * every other session of its peer, as a native session does when it
 * comes up.  p->sess is NULL only when the peer has no session at all.
 */
struct session {
	struct tpeer		*peer;
	int			 fd;
	struct dp_conn		 conn;
	struct event		 rd_ev;
	struct event		 wr_ev;
	struct event		 tick_ev;
	int			 wr_on;
	int			 up;
	uint64_t		 rekeys;
	uint64_t		 last_rx_ms;	/* bytes arrived */
	int			 dead_extended;
	int			 dgram;		/* over UDP */
	int			 shared_fd;	/* a server's UDP socket */
	uint32_t		 udp_index;	/* its slot in udp.c, 0 none */
	uint64_t		 dgram_drops[DGRAM_DROP_MAX];
	struct pmtu		 pmtu;		/* over UDP: the path MTU */
	uint64_t		 black_holes;	/* of pmtu's, seen */
	struct tcpinfo		 ti;
	char			 endpoint[MSG_ENDPOINT_MAX];
	struct session		*next;
	struct session		**pprev;	/* unlinked in O(1) */
};

static struct {
	struct datapath		 dp;
	struct tunnel_stats	*stats;
	struct event		 tun_ev;
	int			 tun_on;
	struct session		*list;
	unsigned int		 count;
	unsigned int		 n_up;
	int			 client_to_client;
	int			 server;
} s;

static void	 session_fail(struct session *, const char *);
static void	 session_replace(struct tpeer *, const char *);
static void	 session_confirmed(struct session *);

uint64_t
now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
session_tun_events(int on)
{
	if (s.dp.tun_fd == -1 || on == s.tun_on)
		return;
	if (on)
		event_add(&s.tun_ev, NULL);
	else {
		event_del(&s.tun_ev);
		dp_tun_pause(&s.dp);
	}
	s.tun_on = on;
}

static void
session_wr_events(struct session *ss, int on)
{
	if (on == ss->wr_on)
		return;
	if (on)
		event_add(&ss->wr_ev, NULL);
	else
		event_del(&ss->wr_ev);
	ss->wr_on = on;
}

/*
 * With one session up, it alone decides whether the TUN is read.  Only
 * then is the list walked to find it: with many, every session up or
 * down would cost a walk of all of them.
 */
static void
session_update_mode(void)
{
	struct session	*ss, *only = NULL;

	if (s.n_up == 1)
		for (ss = s.list; ss != NULL && only == NULL; ss = ss->next)
			if (ss->up)
				only = ss;
	s.dp.multi = s.n_up > 1;
	dp_set_solo(&s.dp, s.n_up == 1 ? &only->conn : NULL);
	if (s.n_up != 1 || dp_unsent(&only->conn) == 0)
		session_tun_events(1);
}

/* Push what is queued; with one session up, a full socket stops the
 * TUN reads until it drains (the back-pressure that keeps queues
 * short). */
static int
session_kick(struct session *ss)
{
	int	 r;

	if ((r = dp_sock_write(&ss->conn)) == -1) {
		session_fail(ss, ss->conn.why);
		return -1;
	}
	session_wr_events(ss, r == 0);
	if (!s.dp.multi && s.dp.solo == &ss->conn)
		session_tun_events(r == 1);
	return 0;
}

static void
session_check_rekeys(struct session *ss)
{
	uint64_t	 n = ss->conn.sp.ops->rekeys(ss->conn.sp.st);

	if (n > ss->rekeys) {
		s.stats->rekeys += n - ss->rekeys;
		s.stats->last_rekey = time(NULL);
		ss->rekeys = n;
	}
}

/*
 * How long the next tick may wait beyond the protocol's own deadline.
 * A session with bytes to send, or whose peer has been quiet longer
 * than a keepalive interval (the peer's keepalive is late: the dead-peer
 * logic of session_tcp_progress() then looks every second), ticks at
 * least every SESSION_TICK_MAX_MS.  An idle session that heard from its
 * peer recently has nothing to do until the protocol's deadline (its
 * next keepalive) or that interval runs out: 10,000 idle sessions then
 * cost a tick each per keepalive, not each second.
 */
static uint64_t
session_tick_cap(const struct session *ss, uint64_t now)
{
	uint64_t	 late = ss->last_rx_ms + tunnel_keepalive_ms();

	if (!ss->up || ss->wr_on || ss->dead_extended ||
	    late <= now + SESSION_TICK_MAX_MS)
		return SESSION_TICK_MAX_MS;
	return late - now;
}

static void
session_arm_tick(struct session *ss, uint64_t now, uint64_t next)
{
	struct timeval	 tv;
	uint64_t	 ms = session_tick_cap(ss, now);

	if (next > now && next - now < ms)
		ms = next - now;
	else if (next <= now)
		ms = 1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(&ss->tick_ev, &tv);
}

/*
 * A version 2 server tells its client its settings right after the
 * handshake, inside the session (a version 1 session has no PUSH).
 */
static void
session_push(struct session *ss)
{
	uint8_t		 buf[PROTO_PUSH_MAX];
	ssize_t		 n;

	if (!s.server || ss->peer->version != PROTO_V2)
		return;
	if ((n = tunnel_push_for(ss->peer, buf, sizeof(buf))) <= 0 ||
	    ss->conn.sp.ops->push(ss->conn.sp.st, buf, n, now_ms()) == -1)
		log_ratelimited(log_warnx, "%s: settings not pushed",
		    ss->peer->name);
	else if (dp_unsent(&ss->conn) > 0)
		(void)session_kick(ss);
}

static void
session_mark_up(struct session *ss)
{
	struct tpeer	*p = ss->peer;

	ss->up = 1;
	s.n_up++;
	s.stats->handshakes++;
	s.stats->last_handshake = time(NULL);
	s.stats->peers_up = s.n_up;
	p->since = p->last_handshake = time(NULL);
	p->cause = CAUSE_NONE;
	p->c.sessions++;
	strlcpy(p->endpoint, ss->endpoint, sizeof(p->endpoint));
	strlcpy(p->cipher, ss->conn.sp.ops->cipher(ss->conn.sp.st),
	    sizeof(p->cipher));
	p->version = ss->conn.sp.ops->version(ss->conn.sp.st);
	session_protocol(ss, p->protocol, sizeof(p->protocol));
	session_update_mode();
	tunnel_session_up(p, ss->endpoint, p->cipher, ss->dgram);
	if (ss->dgram) {
		/* The first probe at once: the TUN MTU waits on it. */
		uint64_t	 now = now_ms(), next = now + SESSION_TICK_MAX_MS;

		pmtu_start(&ss->pmtu, &ss->conn, now);
		pmtu_tick(&ss->pmtu, &ss->conn, now, &next);
	}
	session_push(ss);
}

/* Why the peer closed, as a cause for status (version 2 says). */
static int
session_close_cause(const struct session *ss)
{
	switch (ss->conn.close_reason) {
	case PROTO_CLOSE_REPLACED:
		return CAUSE_REPLACED;
	case PROTO_CLOSE_KICKED:
		return CAUSE_KICKED;
	case PROTO_CLOSE_REMOVED:
		return CAUSE_REMOVED;
	case PROTO_CLOSE_SHUTDOWN:
		return CAUSE_SHUTDOWN;
	}
	return ss->up ? CAUSE_LOST : CAUSE_AUTH;
}

/* And what we tell the peer when we close. */
static int
session_close_reason(int cause)
{
	switch (cause) {
	case CAUSE_REPLACED:
		return PROTO_CLOSE_REPLACED;
	case CAUSE_KICKED:
		return PROTO_CLOSE_KICKED;
	case CAUSE_REMOVED:
	case CAUSE_RELOAD:
		return PROTO_CLOSE_REMOVED;
	case CAUSE_SHUTDOWN:
		return PROTO_CLOSE_SHUTDOWN;
	}
	return PROTO_CLOSE_NONE;
}

/* After input: report a session that came up, end a closed one. */
static void
session_after_input(struct session *ss, int r)
{
	if (r == -1) {
		if (ss->conn.fault >= 0 && ss->conn.fault < DROP_MAX)
			s.stats->drops[ss->conn.fault]++;
		session_fail(ss, ss->conn.why);
		return;
	}
	if (r == 0) {
		session_end(ss, 0, ss->up ? CAUSE_LOST : CAUSE_AUTH,
		    ss->conn.why);
		return;
	}
	if (ss->conn.events & DP_EV_CLOSED) {
		session_end(ss, 0, session_close_cause(ss),
		    ss->conn.close_reason != PROTO_CLOSE_NONE ?
		    proto_close_reason_name(ss->conn.close_reason) :
		    "closed by peer");
		return;
	}
	if ((ss->conn.events & DP_EV_UP) && !ss->up) {
		session_confirmed(ss);
		session_mark_up(ss);
	}
	session_check_rekeys(ss);
	if (dp_unsent(&ss->conn) > 0)
		(void)session_kick(ss);
}

/* Sessions that got bytes from this TUN batch but could not send them
 * all wait for their sockets. */
static void
session_tun_cb(int fd, short ev, void *arg)
{
	struct dp_conn	*c;

	if (dp_tun_read(&s.dp, now_ms()) == -1)
		fatal("read from TUN");
	while ((c = dp_take_backlogged(&s.dp)) != NULL)
		(void)session_kick(c->owner);
}

static void
session_rd_cb(int fd, short ev, void *arg)
{
	struct session	*ss = arg;

	ss->last_rx_ms = now_ms();
	if (ss->dead_extended) {
		ss->conn.sp.ops->set_timers(ss->conn.sp.st, 0,
		    tunnel_dead_ms(), 0, 0);
		ss->dead_extended = 0;
	}
	session_after_input(ss, dp_sock_read(&ss->conn, ss->last_rx_ms));
}

static void
session_wr_cb(int fd, short ev, void *arg)
{
	struct session	*ss = arg;

	ss->conn.blocked = 0;
	(void)session_kick(ss);
}

/*
 * Dead-peer detection: the protocol's own timer counts silence from its
 * last frame received, but under heavy loss the outer TCP may go longer
 * than that without delivering a frame while it still makes progress.
 * Each tick the kernel's view (tcpinfo.h) is read; while the stream
 * moves, the protocol's timeout is stretched to end a full timeout from
 * now, and it is put back at the next bytes read.  A stream the kernel
 * cannot move is dead after the configured timeout, as before.
 */
static void
session_tcp_progress(struct session *ss, uint64_t now)
{
	uint64_t	 quiet = now - ss->last_rx_ms;

	if (tcpinfo_progress(ss->fd, &ss->ti) != 1 || quiet < 1000)
		return;
	if (quiet + tunnel_dead_ms() > UINT32_MAX)
		return;
	ss->conn.sp.ops->set_timers(ss->conn.sp.st, 0,
	    (uint32_t)(quiet + tunnel_dead_ms()), 0, 0);
	ss->dead_extended = 1;
}

/*
 * A datagram that fails to verify never ends a session: the protocol
 * counts it by reason, and the counts join the daemon's here (a corrupt
 * or forged one as auth, a replay as replay, the rest as protocol).
 */
static void
session_dgram_drops(struct session *ss)
{
	const uint64_t	*d;
	uint64_t	 n;
	int		 i, to;
	struct dgram	*dg;

	if ((dg = sproto_dgram_of(&ss->conn.sp)) == NULL)
		return;
	d = dgram_drops(dg);
	for (i = 0; i < DGRAM_DROP_MAX; i++) {
		if ((n = d[i] - ss->dgram_drops[i]) == 0)
			continue;
		ss->dgram_drops[i] = d[i];
		to = i == DGRAM_DROP_AUTH ? DROP_AUTH : i == DGRAM_DROP_REPLAY ?
		    DROP_REPLAY : i == DGRAM_DROP_OUTPUT ? DROP_QUEUE_FULL :
		    DROP_PROTOCOL;
		s.stats->drops[to] += n;
	}
}

/*
 * A client's path that stopped carrying even the probes the server
 * used to acknowledge (the path MTU search calls it a black hole) may
 * be a source address that stayed on the host while its network went:
 * sends succeed and go nowhere.  A fresh socket lets the kernel pick
 * the source it routes by now; if the path only shrank, it costs a
 * port change, which the server follows.
 */
static void
session_black_hole(struct session *ss)
{
	if (ss->pmtu.black_holes == ss->black_holes)
		return;
	ss->black_holes = ss->pmtu.black_holes;
	if (ss->conn.on_src_gone != NULL)
		ss->conn.on_src_gone(&ss->conn);
}

static void
session_tick_cb(int fd, short ev, void *arg)
{
	struct session	*ss = arg;
	uint64_t	 now = now_ms(), next = now + SESSION_TICK_MAX_MS;
	int		 f;

	if (ss->up && !ss->dgram)
		session_tcp_progress(ss, now);
	if (ss->dgram)
		session_dgram_drops(ss);
	if (ss->conn.sp.ops->tick(ss->conn.sp.st, now, &next) == -1) {
		f = ss->conn.sp.ops->fault(ss->conn.sp.st);
		s.stats->drops[f >= 0 && f < DROP_MAX ? f : DROP_TIMEOUT]++;
		session_end(ss, 0, ss->up ? CAUSE_LOST : CAUSE_NO_ANSWER,
		    ss->conn.sp.ops->error(ss->conn.sp.st));
		return;
	}
	/* After the protocol's tick, which sets next: the probes' own
	 * deadline may come sooner. */
	if (ss->dgram && ss->up) {
		pmtu_tick(&ss->pmtu, &ss->conn, now, &next);
		session_black_hole(ss);
	}
	session_check_rekeys(ss);
	if (dp_unsent(&ss->conn) > 0 && session_kick(ss) == -1)
		return;
	session_arm_tick(ss, now, next);
}

static void
session_probe_ack(struct dp_conn *c, uint32_t id, size_t len)
{
	struct session	*ss = c->owner;
	uint64_t	 now = now_ms();

	pmtu_ack(&ss->pmtu, c, id, len, now);
	/* The search goes on at once, not at the next tick. */
	evtimer_del(&ss->tick_ev);
	session_arm_tick(ss, now, now);
}

static void
session_too_big(struct dp_conn *c, size_t len)
{
	struct session	*ss = c->owner;

	if (ss->up)
		pmtu_too_big(&ss->pmtu, c, len, now_ms());
}

/* A client's connected socket lost its source address (roam.c). */
static void
session_src_gone(struct dp_conn *c)
{
	struct session	*ss = c->owner;

	if (ss->up)
		roam_src_gone();
}

static void
session_on_push(struct dp_conn *c, const uint8_t *buf, size_t len)
{
	struct session	*ss = c->owner;

	tunnel_pushed(ss->peer, buf, len);
}

/* The data path's policy: which session a TUN packet goes to. */
static struct dp_conn *
policy_route(void *arg, const uint8_t *ip, size_t len, int *why)
{
	struct tpeer	*p = peertab_dst(ip, len);

	if (p == NULL) {
		*why = DROP_NO_PEER;
		return NULL;
	}
	if (p->sess == NULL || (!p->sess->up &&
	    !p->sess->conn.sp.ops->can_send(p->sess->conn.sp.st))) {
		*why = DROP_NO_SESSION;
		return NULL;
	}
	return &p->sess->conn;
}

/* The source address of a packet the caller has checked is IPv4 or
 * IPv6 and long enough for its header, for a log line. */
static const char *
packet_source(const uint8_t *ip, size_t len, char *buf, size_t size)
{
	if (len >= 20 && ip[0] >> 4 == 4 &&
	    inet_ntop(AF_INET, ip + 12, buf, size) != NULL)
		return buf;
	if (len >= 40 && ip[0] >> 4 == 6 &&
	    inet_ntop(AF_INET6, ip + 8, buf, size) != NULL)
		return buf;
	return "?";
}

/* And whether a session's packet may enter the TUN: its source must
 * be its peer's, and between clients only if allowed. */
static int
policy_admit(void *arg, struct dp_conn *c, const uint8_t *ip, size_t len)
{
	struct session	*ss = c->owner;
	struct tpeer	*dst, *src;
	char		 a[INET6_ADDRSTRLEN];

	if ((src = peertab_src(ip, len)) != ss->peer &&
	    !srccheck_link_scope(ip, len)) {
		log_ratelimited(log_debug, "%s: dropped a packet from %s: %s",
		    ss->peer->name, packet_source(ip, len, a, sizeof(a)),
		    src != NULL ? src->name : "an address no peer owns");
		return DROP_SPOOFED;
	}
	if (s.server && !s.client_to_client &&
	    (dst = peertab_dst(ip, len)) != NULL && dst != ss->peer)
		return DROP_C2C;
	return DROP_MAX;
}

void
session_init(struct tunnel_stats *stats)
{
	struct dp_policy	 pol = { policy_route, policy_admit, NULL };

	memset(&s, 0, sizeof(s));
	s.stats = stats;
	dp_init(&s.dp, stats);
	dp_set_policy(&s.dp, &pol);
}

void
session_set_policy(int server, int client_to_client)
{
	s.server = server;
	s.client_to_client = client_to_client;
}

void
session_set_tun(int fd, int flags, int mtu)
{
	if (s.dp.tun_fd != -1)
		fatalx("a second TUN descriptor");
	dp_set_tun(&s.dp, fd, flags, mtu);
	event_set(&s.tun_ev, fd, EV_READ | EV_PERSIST, session_tun_cb, NULL);
	session_tun_events(1);
}

int
session_active(void)
{
	return s.count > 0;
}

unsigned int
session_count(void)
{
	return s.count;
}

unsigned int
session_up_count(void)
{
	return s.n_up;
}

int
session_is_up(const struct session *ss)
{
	return ss->up;
}

/* The reload's new entry for the same peer: the counters move too. */
void
session_rebind(struct session *ss, struct tpeer *p)
{
	if (ss->peer != p) {
		ss->peer->nsess--;
		p->nsess++;
	}
	ss->peer = p;
	ss->conn.pc = &p->c;
}

/* And every session of the old entry, candidates included. */
void
session_move_peer(struct tpeer *from, struct tpeer *to)
{
	struct session	*ss;

	/* A peer has one session but for DSVPN candidates: with 10,000
	 * peers, a reload must not walk every session for each. */
	if (from->nsess == 1 && from->sess != NULL &&
	    from->sess->peer == from) {
		session_rebind(from->sess, to);
		return;
	}
	for (ss = s.list; ss != NULL && from->nsess > 0; ss = ss->next)
		if (ss->peer == from)
			session_rebind(ss, to);
}

/* The newest session of p other than not, or NULL: a walk only when p
 * has another. */
static struct session *
session_newest(const struct tpeer *p, const struct session *not)
{
	struct session	*ss;

	if (p->nsess == 0 || (p->nsess == 1 && not != NULL &&
	    not->peer == p))
		return NULL;
	for (ss = s.list; ss != NULL; ss = ss->next)
		if (ss->peer == p && ss != not)
			return ss;
	return NULL;
}

/* The protocol a session speaks, for status: "dsvpnd v2", "dsvpn". */
void
session_protocol(const struct session *ss, char *buf, size_t len)
{
	int	 v = ss->conn.sp.ops->version(ss->conn.sp.st);

	if (v > 0)
		snprintf(buf, len, "%s v%d", ss->conn.sp.ops->name, v);
	else
		strlcpy(buf, ss->conn.sp.ops->name, len);
}

/*
 * A candidate proved its key: the peer's other sessions, the confirmed
 * one (replaced, as by a native session) and older candidates (which
 * could be replays, or the same client's abandoned connections), end.
 */
static void
session_confirmed(struct session *ss)
{
	struct tpeer	*p = ss->peer;
	struct session	*o;

	if (!s.server)
		return;
	if (p->sess != NULL && p->sess != ss && p->sess->up)
		session_replace(p, ss->endpoint);
	while ((o = session_newest(p, ss)) != NULL)
		session_end(o, 0, CAUSE_REPLACED, "another session of its key "
		    "was confirmed");
	p->sess = ss;
}

/* At most CANDIDATES_MAX unconfirmed sessions per peer: the oldest
 * goes. */
static void
session_trim_candidates(struct tpeer *p)
{
	struct session	*ss, *oldest = NULL;
	unsigned int	 n = 0;

	for (ss = s.list; ss != NULL; ss = ss->next)
		if (ss->peer == p && !ss->up) {
			n++;
			oldest = ss;
		}
	if (n > CANDIDATES_MAX)
		session_end(oldest, 0, CAUSE_REPLACED, "too many unconfirmed "
		    "sessions");
}

/*
 * A protocol without keepalives of its own (DSVPN) relies on TCP's:
 * probes after keepalive seconds of silence, every keepalive seconds,
 * so that a vanished peer is dropped about the dead-peer timeout after
 * it went silent; TCP_USER_TIMEOUT bounds data left unacknowledged to
 * the same time.
 */
static void
session_tcp_keepalive(int fd)
{
	uint32_t	 ka = tunnel_keepalive_ms() / 1000;
	uint32_t	 dead = tunnel_dead_ms() / 1000;

	if (ka == 0)
		ka = 1;
	(void)sockopt_keepalive(fd, ka, ka, dead > ka ? (dead - ka) / ka :
	    1);
	tcpinfo_user_timeout(fd, tunnel_dead_ms());
}

/*
 * The native protocol finds dead peers itself, and tells a slow stream
 * from a dead one (session_tcp_progress()).  The kernel's user timeout
 * is only a backstop behind it: set to the dead-peer timeout it would
 * end a live session whenever one segment stays unacknowledged that
 * long, which heavy loss and backed-off retransmissions do now and then
 * (seven losses of one segment in a row at 20 % loss both ways).
 */
static unsigned int
session_tcp_backstop_ms(void)
{
	uint64_t	 ms = (uint64_t)tunnel_dead_ms() * SESSION_TCP_BACKSTOP;

	return ms > UINT_MAX ? UINT_MAX : (unsigned int)ms;
}

/* The host part of "host port": to tell a clone from a reconnect. */
static int
same_host(const char *a, const char *b)
{
	size_t	 la = strcspn(a, " "), lb = strcspn(b, " ");

	return la == lb && strncmp(a, b, la) == 0;
}

/*
 * A newer authenticated session replaces the peer's older one at once,
 * wherever it comes from: roaming must never lock a client out behind
 * a connection that went silent.  One that keeps coming from another
 * address than the session it replaces looks like two clients holding
 * one key; that is said once per CLONE_INTERVAL, with a count.
 */
static void
session_replace(struct tpeer *p, const char *endpoint)
{
	struct session	*old = p->sess;
	time_t		 now = time(NULL);

	p->c.replaced++;
	s.stats->replaced++;
	if (old->up && !same_host(old->endpoint, endpoint)) {
		if (p->clones == 0)
			p->clone_since = now;
		p->clones++;
		if (now - p->clone_since >= CLONE_INTERVAL ||
		    p->clones == 3) {
			log_warnx("%s: %u sessions replaced from another "
			    "address in %llds (last %s, then %s): two "
			    "clients may share this key", p->name, p->clones,
			    (long long)(now - p->clone_since), old->endpoint,
			    endpoint);
			if (p->clones > 3)
				p->clones = 0;
		}
	}
	log_ratelimited(log_info, "%s: session from %s replaced by one "
	    "from %s", p->name, old->endpoint, endpoint);
	session_end(old, 1, CAUSE_REPLACED, "replaced by a new session");
}

void
session_set_sources(const struct srccheck *allow)
{
	s.dp.allow = allow;
}

/*
 * A client's proto is new: start it.  A server's comes from the pending
 * table with its handshake done and the client's keys confirmed, so it
 * is up at once, and nothing past the confirmation was read.
 */
struct session *
session_start(int fd, struct sproto sp, const char *endpoint,
    struct tpeer *p)
{
	return session_start_dgram(fd, 0, sp, endpoint, p, NULL, 0, NULL);
}

/*
 * Over UDP (sp.ops->datagram): a client's own connected socket, read
 * here; or (shared) a server's socket, which udp.c reads for every
 * session, sending to the client's address to, from the address local
 * the client sent to (NULL: the kernel's choice).
 */
struct session *
session_start_dgram(int fd, int shared, struct sproto sp,
    const char *endpoint, struct tpeer *p, const struct sockaddr *to,
    socklen_t tolen, const struct udpio_local *local)
{
	struct session	*ss;
	uint64_t	 now = now_ms(), next = now + SESSION_TICK_MAX_MS;
	int		 candidate = s.server && !sp.ops->is_up(sp.st);

	if (p->sess != NULL && !candidate)
		session_replace(p, endpoint);
	if ((ss = calloc(1, sizeof(*ss))) == NULL)
		fatal("%s", __func__);
	ss->peer = p;
	p->nsess++;
	ss->fd = fd;
	ss->dgram = sp.ops->datagram;
	ss->shared_fd = shared;
	ss->last_rx_ms = now;
	strlcpy(ss->endpoint, endpoint, sizeof(ss->endpoint));
	if (!candidate || p->sess == NULL || !p->sess->up)
		p->sess = ss;
	if ((ss->next = s.list) != NULL)
		s.list->pprev = &ss->next;
	ss->pprev = &s.list;
	s.list = ss;
	s.count++;
	dp_conn_init(&ss->conn, &s.dp, &p->c, ss);
	dp_attach(&ss->conn, fd, sp);
	if (to != NULL && tolen <= sizeof(ss->conn.to)) {
		memcpy(&ss->conn.to, to, tolen);
		ss->conn.tolen = tolen;
	}
	if (local != NULL)
		ss->conn.local = *local;
	if (!s.server)
		ss->conn.on_push = session_on_push;
	if (ss->dgram) {
		pmtu_init(&ss->pmtu, &ss->conn, fd, s.server);
		ss->conn.on_probe_ack = session_probe_ack;
		ss->conn.on_too_big = session_too_big;
		if (!s.server && !shared)
			ss->conn.on_src_gone = session_src_gone;
	} else {
		tcpinfo_init(fd, &ss->ti);
		if (sp.ops->tcp_dead)
			session_tcp_keepalive(fd);
		else
			tcpinfo_user_timeout(fd, session_tcp_backstop_ms());
	}
	event_set(&ss->rd_ev, fd, EV_READ | EV_PERSIST, session_rd_cb, ss);
	event_set(&ss->wr_ev, fd, EV_WRITE | EV_PERSIST, session_wr_cb, ss);
	evtimer_set(&ss->tick_ev, session_tick_cb, ss);
	if (!shared)
		event_add(&ss->rd_ev, NULL);
	if (sp.ops->start(sp.st, now) == -1) {
		session_fail(ss, sp.ops->error(sp.st));
		return NULL;
	}
	if (sp.ops->is_up(sp.st))
		session_mark_up(ss);
	if (sp.ops->tick(sp.st, now, &next) == 0)
		session_arm_tick(ss, now, next);
	else
		session_arm_tick(ss, now, now + 1);
	if (dp_unsent(&ss->conn) > 0 && session_kick(ss) == -1)
		return NULL;
	if (candidate)
		session_trim_candidates(p);
	return ss;
}

/* A server's UDP session: its slot in udp.c, forgotten when it ends. */
void
session_set_udp_index(struct session *ss, uint32_t index)
{
	ss->udp_index = index;
}

/*
 * A server's datagram for this session, from from to the server's
 * address local: opened, and if it is the newest authenticated one,
 * from is where the client is now (roaming: no new handshake;
 * doc/PROTOCOL.md section 14.9) and local where answers leave from.
 */
void
session_dgram_input(struct session *ss, uint8_t *buf, size_t len,
    const struct sockaddr_storage *from, socklen_t fromlen,
    const struct udpio_local *local)
{
	char	 endpoint[MSG_ENDPOINT_MAX];
	int	 r, newest;

	ss->last_rx_ms = now_ms();
	ss->conn.events = 0;
	r = dp_dgram_input(&ss->conn, buf, len, ss->last_rx_ms);
	newest = r == 1 &&
	    (sproto_dgram_flags(&ss->conn.sp) & DGRAM_EVF_NEWEST);
	/* Answers leave from the address the client sends to. */
	if (newest)
		ss->conn.local = *local;
	if (newest &&
	    (fromlen != ss->conn.tolen ||
	    memcmp(from, &ss->conn.to, fromlen) != 0) &&
	    fromlen <= sizeof(ss->conn.to)) {
		/* Named only when it moved, not for every datagram. */
		endpoint_str(from, endpoint, sizeof(endpoint));
		log_ratelimited(log_info, "%s: moved from %s to %s",
		    ss->peer->name, ss->endpoint, endpoint);
		memcpy(&ss->conn.to, from, fromlen);
		ss->conn.tolen = fromlen;
		strlcpy(ss->endpoint, endpoint, sizeof(ss->endpoint));
		strlcpy(ss->peer->endpoint, endpoint,
		    sizeof(ss->peer->endpoint));
		s.stats->roamed++;
	}
	session_after_input(ss, r);
}

/* A client's own UDP socket, -1 for any other session. */
int
session_dgram_fd(const struct session *ss)
{
	if (s.server || !ss->dgram || ss->shared_fd || !ss->up)
		return -1;
	return ss->fd;
}

/*
 * Roaming (roam.c): a client's session over UDP moves to a fresh socket
 * to the same server.  Keys, counters and the replay window stay; only
 * the descriptor changes.  A keepalive leaves at once, so the server
 * hears from the new source within a round trip and moves its side.
 */
void
session_resocket(struct session *ss, int fd)
{
	struct dgram	*dg = sproto_dgram_of(&ss->conn.sp);

	event_del(&ss->rd_ev);
	session_wr_events(ss, 0);
	close(ss->fd);
	ss->fd = fd;
	ss->conn.sock_fd = fd;
	ss->conn.blocked = 0;
	/* A new path may take UDP_SEGMENT where the old one refused it. */
	ss->conn.nogso = 0;
	event_set(&ss->rd_ev, fd, EV_READ | EV_PERSIST, session_rd_cb, ss);
	event_set(&ss->wr_ev, fd, EV_WRITE | EV_PERSIST, session_wr_cb, ss);
	event_add(&ss->rd_ev, NULL);
	s.stats->roamed++;
	log_ratelimited(log_info, "moved to a fresh udp socket (the source "
	    "address changed)");
	if (dg != NULL)
		(void)dgram_keepalive(dg, now_ms());
	(void)session_kick(ss);
}

/* For status: the session's transport and its path MTU (UDP). */
void
session_transport(const struct session *ss, int32_t *transport,
    int32_t *path_mtu)
{
	*transport = ss->dgram ? CONF_T_UDP : CONF_T_TCP;
	*path_mtu = ss->dgram && ss->up ? (int32_t)ss->pmtu.plpmtu : 0;
}

/* The data path of a session, for udp.c to deliver its first packet. */
struct dp_conn *
session_conn(struct session *ss)
{
	return &ss->conn;
}

void
session_tun_flush(void)
{
	dp_tun_flush(&s.dp);
}

/* A reload's timers, for the sessions already running: the next tick
 * comes at once, since a deadline may have moved closer. */
void
session_set_timers(uint32_t keepalive_ms, uint32_t dead_ms,
    uint32_t rekey_ms, uint64_t rekey_bytes)
{
	struct session	*ss;
	uint64_t	 now = now_ms();

	for (ss = s.list; ss != NULL; ss = ss->next) {
		ss->conn.sp.ops->set_timers(ss->conn.sp.st, keepalive_ms,
		    dead_ms, rekey_ms, rekey_bytes);
		evtimer_del(&ss->tick_ev);
		session_arm_tick(ss, now, now);
	}
}

static void
session_unlink(struct session *ss)
{
	if (ss->pprev == NULL)
		return;
	if ((*ss->pprev = ss->next) != NULL)
		ss->next->pprev = ss->pprev;
	ss->pprev = NULL;
	s.count--;
}

void
session_end(struct session *ss, int orderly, int cause, const char *why)
{
	char		 reason[128];
	struct tpeer	*p = ss->peer;
	int		 was_up = ss->up;

	/* why may point into the session, which is freed below. */
	strlcpy(reason, why, sizeof(reason));
	if (orderly) {
		ss->conn.sp.ops->close_reason(ss->conn.sp.st,
		    session_close_reason(cause));
		(void)dp_sock_write(&ss->conn);
	}
	event_del(&ss->rd_ev);
	session_wr_events(ss, 0);
	evtimer_del(&ss->tick_ev);
	if (ss->dgram)
		session_dgram_drops(ss);
	ss->conn.sp.ops->free(ss->conn.sp.st);
	dp_detach(&ss->conn);
	if (!ss->shared_fd)
		close(ss->fd);
	if (ss->udp_index != 0)
		udp_forget(ss->udp_index);
	session_unlink(ss);
	p->nsess--;
	if (p->sess == ss)
		p->sess = session_newest(p, NULL);
	if (was_up) {
		s.n_up--;
		s.stats->peers_up = s.n_up;
		p->since = time(NULL);
	}
	p->cause = cause;
	free(ss);
	session_update_mode();
	tunnel_session_down(p, was_up, cause, reason);
}

static void
session_fail(struct session *ss, const char *why)
{
	session_end(ss, 0, ss->up ? CAUSE_LOST : CAUSE_AUTH, why);
}

/* Every session of p, its candidates too. */
void
session_end_peer(struct tpeer *p, int orderly, int cause, const char *why)
{
	while (p->sess != NULL)
		session_end(p->sess, orderly, cause, why);
}

/* Before exit: the close frames, then whatever the sockets take
 * within the time allowed. */
void
session_shutdown(int timeout_ms)
{
	struct session	*ss;
	struct pollfd	 pfd;
	uint64_t	 end = now_ms() + timeout_ms, now;

	for (ss = s.list; ss != NULL; ss = ss->next)
		ss->conn.sp.ops->close_reason(ss->conn.sp.st,
		    PROTO_CLOSE_SHUTDOWN);
	for (ss = s.list; ss != NULL; ss = ss->next)
		while (dp_sock_write(&ss->conn) == 0) {
			if ((now = now_ms()) >= end)
				break;
			pfd.fd = ss->fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, (int)(end - now)) <= 0)
				break;
		}
	while (s.list != NULL)
		session_end(s.list, 0, CAUSE_SHUTDOWN, "shutting down");
}
