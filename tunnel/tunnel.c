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

#include <event.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "dgram.h"
#include "dsvpn.h"
#include "log.h"
#include "msgcat.h"
#include "proc.h"
#include "peertab.h"
#include "proto.h"
#include "push.h"
#include "sandbox.h"
#include "tunnel.h"

/*
 * The tunnel worker: unprivileged, chrooted and sandboxed, it works
 * only on the descriptors the parent hands it.  It owns the session
 * keys; the parent never sees a packet or a key, only session events
 * and counters.
 */

#define STATS_INTERVAL_MS	1000
#define SHUTDOWN_FLUSH_MS	1000

static struct {
	struct peer		 parent;
	struct conf		 conf;
	struct conf		 next;
	struct conf_key		 key;
	struct conf_key		 nextkey;
	int			 next_has_key;
	uint32_t		 next_clients;	/* RECONF_CLIENTs seen */
	int			 client_version;	/* to speak */
	int			 server_spoke_v2;	/* never fall back */
	int			 configured;
	int			 have_tun;
	int			 connecting;	/* CONNECT_REQ unanswered */
	int			 shutting_down;
	int			 violate;	/* test hook, see below */
	struct proto_replay	*replay;
	struct tunnel_stats	 stats;
	struct tunnel_stats	 sent;
	struct event		 stats_ev;
} t;

static void	 tunnel_dispatch(struct peer *, struct msg *);

static void
tunnel_send_stats(void)
{
	if (memcmp(&t.stats, &t.sent, sizeof(t.stats)) == 0)
		return;
	t.sent = t.stats;
	peer_compose(&t.parent, MSG_STATS, 0, -1, &t.stats, sizeof(t.stats));
}

static void
tunnel_stats_cb(int fd, short ev, void *arg)
{
	struct timeval	 tv = { STATS_INTERVAL_MS / 1000, 0 };

	/* The epoch ids move with the hour (cheap when they do not). */
	if (t.configured && t.conf.role == ROLE_SERVER)
		peertab_keyids(time(NULL), t.conf.clock_window);
	tunnel_send_stats();
	evtimer_add(&t.stats_ev, &tv);
}

uint32_t
tunnel_dead_ms(void)
{
	return t.conf.dead_timeout * 1000;
}

uint32_t
tunnel_keepalive_ms(void)
{
	return t.conf.keepalive > 0 ? t.conf.keepalive * 1000 :
	    PROTO_DEF_KEEPALIVE_MS;
}

/* DSVPN's own timeouts; only the clock window is ours to set. */
void
tunnel_dsvpn_params(struct dsvpn_params *par, enum proto_role role)
{
	memset(par, 0, sizeof(*par));
	par->role = role;
	par->clock_window = t.conf.clock_window;
}

void
tunnel_proto_params(struct proto_params *par, enum proto_role role)
{
	memset(par, 0, sizeof(*par));
	par->role = role;
	par->clock_window = t.conf.clock_window;
	par->keepalive_ms = t.conf.keepalive * 1000;
	par->dead_ms = t.conf.dead_timeout * 1000;
	par->rekey_ms = t.conf.rekey_interval * 1000;
	par->rekey_bytes = t.conf.rekey_bytes;
	/* Accept what a peer with a larger MTU sends; our own TUN reads
	 * are bounded by our MTU in the data path. */
	par->max_payload = PROTO_MAX_PAYLOAD;
	par->cipher = PROTO_CIPHER_AUTO;
	par->replay = t.replay;
	/* A server takes both versions (a version 1 hello only in the
	 * single-key configuration: pending.c); a client speaks the one
	 * its fallback chose. */
	par->version = role == PROTO_SERVER ? 0 : t.client_version;
}

static void
push_prefix(struct push *ps, const struct conf_prefix *pf)
{
	if (pf->af == AF_INET && ps->nroute4 < PUSH_MAX_ROUTES) {
		ps->route4[ps->nroute4].net = pf->addr.v4;
		ps->route4[ps->nroute4++].plen = pf->plen;
	} else if (pf->af == AF_INET6 && ps->nroute6 < PUSH_MAX_ROUTES) {
		ps->route6[ps->nroute6].net = pf->addr.v6;
		ps->route6[ps->nroute6++].plen = pf->plen;
	}
}

/*
 * What a server tells a client (push.h): its addresses with the pool's
 * length and the server's end, all traffic or the pushed routes and the
 * pools, the MTU and the DNS servers.
 */
ssize_t
tunnel_push_for(const struct tpeer *p, uint8_t *buf, size_t len)
{
	struct push	 ps;
	const char	*why;
	unsigned int	 i;
	ssize_t		 n;

	memset(&ps, 0, sizeof(ps));
	if (p->has4) {
		ps.have4 = 1;
		ps.addr4 = p->inet;
		ps.plen4 = t.conf.pool4.af != 0 ? t.conf.pool4.plen : 32;
		ps.peer4 = t.conf.inet_local;
	}
	if (p->has6 && t.conf.inet6) {
		ps.have6 = 1;
		ps.addr6 = p->inet6;
		ps.plen6 = t.conf.pool6.af != 0 ? t.conf.pool6.plen : 128;
		ps.peer6 = t.conf.inet6_local;
	}
	if (t.conf.push_default_route)
		ps.defroute = PUSH_DEFAULT_V4 | PUSH_DEFAULT_V6;
	else {
		for (i = 0; i < t.conf.n_push_routes; i++)
			push_prefix(&ps, &t.conf.push_routes[i]);
		if (t.conf.pool4.af != 0)
			push_prefix(&ps, &t.conf.pool4);
		if (t.conf.inet6 && t.conf.pool6.af != 0)
			push_prefix(&ps, &t.conf.pool6);
	}
	ps.mtu = t.conf.mtu;
	for (i = 0; i < t.conf.n_dns; i++) {
		if (t.conf.dns[i].af == AF_INET && ps.ndns4 < PUSH_MAX_DNS)
			ps.dns4[ps.ndns4++] = t.conf.dns[i].addr.v4;
		else if (t.conf.dns[i].af == AF_INET6 &&
		    ps.ndns6 < PUSH_MAX_DNS)
			ps.dns6[ps.ndns6++] = t.conf.dns[i].addr.v6;
	}
	if ((n = push_encode(&ps, buf, len, &why)) == -1)
		log_ratelimited(log_warnx, "%s: push: %s", p->name, why);
	return n;
}

#if MSG_SESSION_PUSHES != PROTO_V2
#error "the parent waits for a push after a session of PROTO_V2"
#endif

/* Client: a push is checked here (push_decode() refuses anything
 * malformed) and again by the parent, which decides what to take. */
void
tunnel_pushed(struct tpeer *p, const uint8_t *buf, size_t len)
{
	struct push	 ps;
	const char	*why;

	if (len == 0 || len > MSG_PUSH_MAX ||
	    push_decode(buf, len, &ps, &why) == -1) {
		log_ratelimited(log_warnx, "the server pushed bad settings: "
		    "%s", len == 0 || len > MSG_PUSH_MAX ? "length" : why);
		return;
	}
	peer_compose(&t.parent, MSG_PUSHED, 0, -1, buf, len);
}

/* Client: ask the parent for a connection unless one is on its way. */
static void
tunnel_want_connection(void)
{
	if (t.conf.role != ROLE_CLIENT || !t.configured || !t.have_tun ||
	    t.shutting_down || t.connecting || session_active())
		return;
	t.connecting = 1;
	peer_compose(&t.parent, MSG_CONNECT_REQ, 0, -1, NULL, 0);
}

/*
 * Session events.  A client tells the parent each one (its status and
 * its reconnecting depend on them); a server only counts them, and the
 * parent learns how many sessions are up from the stats.  The lines
 * are rate-limited: a peer can make sessions come and go at will.
 */
void
tunnel_path_mtu(int path_mtu, int tun_mtu)
{
	struct msg_path_mtu	 pm;

	if (t.conf.role != ROLE_CLIENT)
		return;
	memset(&pm, 0, sizeof(pm));
	pm.path_mtu = path_mtu;
	pm.tun_mtu = tun_mtu;
	peer_compose(&t.parent, MSG_PATH_MTU, 0, -1, &pm, sizeof(pm));
}

void
tunnel_session_up(struct tpeer *p, const char *endpoint, const char *cipher,
    int dgram)
{
	struct msg_session	 ms;

	t.stats.sessions++;
	if (t.stats.sessions > 1)
		t.stats.reconnects++;
	if (t.conf.role == ROLE_SERVER)
		log_ratelimited(log_info, "%s: session up from %s (%s, %s)",
		    p->name, endpoint, p->protocol, cipher);
	else {
		log_ratelimited(log_info, "session up with %s (%s, %s)",
		    endpoint, p->protocol, cipher);
		memset(&ms, 0, sizeof(ms));
		strlcpy(ms.peer, endpoint, sizeof(ms.peer));
		strlcpy(ms.cipher, cipher, sizeof(ms.cipher));
		ms.transport = dgram ? CONF_T_UDP : CONF_T_TCP;
		ms.version = p->version;
		strlcpy(ms.protocol, p->protocol, sizeof(ms.protocol));
		peer_compose(&t.parent, MSG_SESSION_UP, 0, -1, &ms,
		    sizeof(ms));
	}
	tunnel_send_stats();
}

void
tunnel_session_down(struct tpeer *p, int was_up, int cause, const char *why)
{
	struct msg_session_down	 md;

	if (t.conf.role == ROLE_SERVER) {
		if (was_up)
			log_ratelimited(log_info, "%s: session down: %s",
			    p->name, why);
		else
			log_ratelimited(log_info, "%s: handshake failed: %s",
			    p->name, why);
		tunnel_send_stats();
		return;
	}
	if (was_up)
		log_ratelimited(log_info, "session down: %s", why);
	else
		log_ratelimited(log_info, "handshake failed: %s", why);
	/*
	 * A server that hangs up on our hello without a reply refused it
	 * (key, clock) or does not speak version 2: unless it spoke
	 * version 2 before, the next try alternates the version, so an
	 * old server is reached and a refusal is still seen as one.
	 */
	if (p->version == PROTO_V2 && was_up)
		t.server_spoke_v2 = 1;
	if (!was_up && cause == CAUSE_AUTH && !t.server_spoke_v2)
		t.client_version = t.client_version == PROTO_V1 ? PROTO_V2 :
		    PROTO_V1;
	memset(&md, 0, sizeof(md));
	strlcpy(md.reason, why, sizeof(md.reason));
	md.was_up = was_up;
	md.cause = cause;
	peer_compose(&t.parent, MSG_SESSION_DOWN, 0, -1, &md, sizeof(md));
	tunnel_send_stats();
	tunnel_want_connection();
}

/* A server with a UDP listener: its tunnel sends to addresses. */
static int
tunnel_serves_udp(void)
{
	unsigned int	 i;

	if (t.conf.role != ROLE_SERVER)
		return 0;
	for (i = 0; i < t.conf.n_listen && i < CONF_MAX_LISTEN; i++)
		if (t.conf.listen[i].transports & CONF_T_UDP)
			return 1;
	return 0;
}

/* The first configuration says who to become: drop to it, lock in. */
static void
tunnel_lock_in(void)
{
	/* Read before the chroot; the live test uses it to check that a
	 * forbidden system call kills us. */
	t.violate = getenv("DSVPND_TEST_SANDBOX_VIOLATION") != NULL &&
	    strcmp(getenv("DSVPND_TEST_SANDBOX_VIOLATION"), "1") == 0;
	/* A descriptor a session: raised while still root. */
	if (t.conf.role == ROLE_SERVER)
		sandbox_set_nofile(budget_nofile(t.conf.n_clients));
	if (tunnel_serves_udp())
		sandbox_want_sendto();
	proc_drop_privileges(t.conf.user, t.conf.chroot);
	if (t.violate)
		sandbox_probe(PROC_TUNNEL);
	else
		sandbox_enter(PROC_TUNNEL);
	if (t.conf.role == ROLE_SERVER &&
	    (t.replay = proto_replay_new(budget_replay(
	    t.conf.n_clients))) == NULL)
		fatal("proto_replay_new");
	log_debug("privileges dropped, waiting for descriptors");
}

/* The running session takes a reload's timers; 0 keeps one as is. */
static void
tunnel_apply_timers(const struct conf *old, const struct conf *new)
{
	uint32_t	 ka = 0, dead = 0, rk = 0;
	uint64_t	 bytes = 0;

	if (new->keepalive != old->keepalive)
		ka = new->keepalive * 1000;
	if (new->dead_timeout != old->dead_timeout)
		dead = new->dead_timeout * 1000;
	if (new->rekey_interval != old->rekey_interval)
		rk = new->rekey_interval * 1000;
	if (new->rekey_bytes != old->rekey_bytes)
		bytes = new->rekey_bytes;
	if (!session_active() || (ka == 0 && dead == 0 && rk == 0 &&
	    bytes == 0))
		return;
	log_info("new timers applied to the current session");
	session_set_timers(ka, dead, rk, bytes);
}

/* A peer that left the configuration, or whose key changed, is cut
 * off at once: its session cannot outlive its authorisation. */
static void
tunnel_peer_gone(struct tpeer *p, int cause)
{
	if (p->sess == NULL)
		return;
	log_info("%s: %s, session closed", p->name, cause == CAUSE_REMOVED ?
	    "removed from the configuration" : "its key changed");
	session_end_peer(p, 1, cause, cause == CAUSE_REMOVED ?
	    "removed from the configuration" : "key changed");
}

/* The single-key peers: a server's one client, a client's server. */
static void
tunnel_single_peer(void)
{
	if (t.next.role == ROLE_CLIENT)
		peertab_add("server", &t.nextkey, 1, NULL, NULL);
	else
		peertab_add("client", &t.nextkey, 0, &t.next.inet_peer,
		    t.next.inet6 ? &t.next.inet6_peer : NULL);
}

static void
tunnel_apply_conf(void)
{
	int	 moved = 0;

	if (t.next.n_clients != t.next_clients)
		fatalx("configuration of %u clients, %u streamed",
		    t.next.n_clients, t.next_clients);
	if (t.next.n_clients == 0 && !t.next_has_key)
		fatalx("configuration without a key");
	if (t.configured) {
		if (t.next.role != t.conf.role)
			fatalx("the role cannot change on reload");
		moved = t.conf.role == ROLE_CLIENT &&
		    (t.conf.n_servers != t.next.n_servers ||
		    memcmp(t.conf.servers, t.next.servers,
		    sizeof(t.conf.servers)) != 0);
		/* New timers apply to the running sessions at once; a new
		 * key or server needs a new session, which takes them. */
		tunnel_apply_timers(&t.conf, &t.next);
	}
	if (t.next.n_clients == 0)
		tunnel_single_peer();
	peertab.single = t.next.n_clients == 0;
	peertab.ids_window = t.next.clock_window;
	t.conf = t.next;
	t.key = t.nextkey;
	sodium_memzero(&t.nextkey, sizeof(t.nextkey));
	t.next_has_key = 0;
	peertab_commit(t.configured ? tunnel_peer_gone : NULL);
	session_set_policy(t.conf.role == ROLE_SERVER,
	    t.conf.client_to_client);
	if (!t.configured) {
		t.configured = 1;
		tunnel_lock_in();
		return;
	}
	if (t.conf.role == ROLE_SERVER)
		budget_check(t.conf.n_clients);
	/* A new key needs nothing here: the peer table ended the session
	 * it no longer trusts, and a connection on its way will handshake
	 * with the new key.  A connection to a server no longer listed is
	 * stale, though. */
	if (moved) {
		log_info("servers changed: starting a new session");
		t.server_spoke_v2 = 0;
		t.client_version = PROTO_V2;
		if (t.connecting)
			t.connecting = 2;
		session_end_peer(peertab.v[0], 1, CAUSE_RELOAD,
		    "configuration changed");
	}
}

/* A page of the peer table for dsvpnctl, counters read now. */
static void
tunnel_peer_status(const struct tpeer *p, struct peer_status *ps)
{
	memset(ps, 0, sizeof(*ps));
	strlcpy(ps->name, p->name, sizeof(ps->name));
	strlcpy(ps->endpoint, p->endpoint, sizeof(ps->endpoint));
	strlcpy(ps->cipher, p->cipher, sizeof(ps->cipher));
	strlcpy(ps->protocol, p->protocol, sizeof(ps->protocol));
	ps->id = p->id;
	ps->up = p->sess != NULL && session_is_up(p->sess);
	ps->cause = p->cause;
	ps->has4 = p->has4;
	ps->has6 = p->has6;
	ps->inet = p->inet;
	ps->inet6 = p->inet6;
	ps->since = p->since;
	ps->last_handshake = p->last_handshake;
	ps->bytes_in = p->c.bytes_in;
	ps->bytes_out = p->c.bytes_out;
	ps->packets_in = p->c.packets_in;
	ps->packets_out = p->c.packets_out;
	ps->sessions = p->c.sessions;
	ps->replaced = p->c.replaced;
	ps->drops_source = p->c.drops_source;
	ps->drops_queue = p->c.drops_queue;
	if (p->sess != NULL)
		session_transport(p->sess, &ps->transport, &ps->path_mtu);
	ps->n_routes = p->n_routes;
	memcpy(ps->routes, p->routes, sizeof(ps->routes));
}

static void
tunnel_peers_page(uint32_t ctl, const struct peers_req *req)
{
	static uint8_t		 buf[MSG_MAX_PAYLOAD];
	struct peers_page	*pg = (struct peers_page *)buf;
	struct peer_status	 ps;
	const struct tpeer	*p;
	size_t			 i;

	if (memchr(req->name, '\0', sizeof(req->name)) == NULL)
		fatalx("%s: unterminated name", __func__);
	memset(pg, 0, sizeof(*pg));
	if (req->name[0] != '\0') {
		if ((p = peertab_find(req->name)) != NULL) {
			tunnel_peer_status(p, &ps);
			memcpy(buf + sizeof(*pg), &ps, sizeof(ps));
			pg->n = pg->total = pg->next = 1;
		}
	} else {
		pg->total = peertab.n;
		for (i = req->start; i < peertab.n && pg->n < PEERS_PAGE_MAX;
		    i++) {
			tunnel_peer_status(peertab.v[i], &ps);
			memcpy(buf + sizeof(*pg) + pg->n * sizeof(ps), &ps,
			    sizeof(ps));
			pg->n++;
		}
		pg->next = i < peertab.n ? i : peertab.n;
	}
	peer_compose(&t.parent, MSG_PEERS_PAGE, ctl, -1, buf,
	    sizeof(*pg) + pg->n * sizeof(ps));
}

static void
tunnel_kick(uint32_t ctl, const struct msg_name *mn)
{
	struct msg_result	 res;
	struct tpeer		*p;

	if (memchr(mn->name, '\0', sizeof(mn->name)) == NULL)
		fatalx("%s: unterminated name", __func__);
	memset(&res, 0, sizeof(res));
	if ((p = peertab_find(mn->name)) == NULL)
		snprintf(res.text, sizeof(res.text), "no client %s",
		    mn->name);
	else if (p->sess == NULL)
		snprintf(res.text, sizeof(res.text), "%s has no session",
		    p->name);
	else {
		session_end_peer(p, 1, CAUSE_KICKED, "kicked");
		res.ok = 1;
		snprintf(res.text, sizeof(res.text), "%s: session ended",
		    p->name);
	}
	peer_compose(&t.parent, MSG_KICK_RESULT, ctl, -1, &res, sizeof(res));
}

static void
tunnel_reconf_client(struct msg *m)
{
	struct msg_client	 mc;
	size_t			 len = msg_datalen(m);

	memset(&mc, 0, sizeof(mc));
	memcpy(&mc, m->data, len);
	sodium_memzero(m->data, len);
	if (mc.n_routes > CONF_CLIENT_ROUTES ||
	    len != offsetof(struct msg_client, routes) +
	    mc.n_routes * sizeof(mc.routes[0]))
		fatalx("RECONF_CLIENT of %zu bytes for %u routes", len,
		    mc.n_routes);
	peertab_add_client(&mc);
	sodium_memzero(&mc, sizeof(mc));
	t.next_clients++;
}

static void
tunnel_tun(struct msg *m, int fd)
{
	struct msg_tun	 mt;

	if (!t.configured || t.have_tun)
		fatalx("TUN descriptor out of order");
	memcpy(&mt, m->data, sizeof(mt));
	mt.ifname[sizeof(mt.ifname) - 1] = '\0';
	sandbox_limit_fd(PROC_TUNNEL, fd, SANDBOX_FD_TUN);
	session_set_tun(fd, mt.flags, mt.mtu);
	t.have_tun = 1;
	log_debug("TUN %s, mtu %d%s%s", mt.ifname, mt.mtu,
	    (mt.flags & TUN_F_AFHEADER) ? ", AF header" : "",
	    (mt.flags & TUN_F_VNETHDR) ? ", virtio header" : "");
	tunnel_want_connection();
}

/* A client's UDP socket: the datagram form, version 2 only, with a
 * short handshake bound so that the parent falls back to TCP soon. */
static struct sproto
tunnel_udp_proto(void)
{
	struct dgram_params	 dp;
	struct dgram		*d;

	memset(&dp, 0, sizeof(dp));
	tunnel_proto_params(&dp.base, PROTO_CLIENT);
	dp.base.version = PROTO_V2;
	dp.base.handshake_ms = DGRAM_CLIENT_HANDSHAKE_MS;
	if (dp.base.max_payload > DGRAM_MAX_PAYLOAD)
		dp.base.max_payload = DGRAM_MAX_PAYLOAD;
	memcpy(dp.base.psk, peertab.v[0]->psk, sizeof(dp.base.psk));
	d = dgram_new(&dp);
	sodium_memzero(&dp, sizeof(dp));
	if (d == NULL)
		fatal("dgram_new");
	return sproto_dgram(d);
}

/* A client's protocol for a new connection, with the server's key. */
static struct sproto
tunnel_client_proto(void)
{
	struct proto_params	 par;
	struct dsvpn_params	 dpar;
	struct proto		*p;
	struct dsvpn		*d;

	if (t.conf.protocol == CONF_PROTO_DSVPN) {
		tunnel_dsvpn_params(&dpar, PROTO_CLIENT);
		memcpy(dpar.psk, peertab.v[0]->raw, sizeof(dpar.psk));
		d = dsvpn_new(&dpar);
		sodium_memzero(&dpar, sizeof(dpar));
		if (d == NULL)
			fatal("dsvpn_new");
		return sproto_dsvpn(d);
	}
	tunnel_proto_params(&par, PROTO_CLIENT);
	memcpy(par.psk, peertab.v[0]->psk, sizeof(par.psk));
	p = proto_new(&par);
	sodium_memzero(&par, sizeof(par));
	if (p == NULL)
		fatal("proto_new");
	return sproto_native(p);
}

static void
tunnel_listen(struct msg *m, int fd)
{
	struct msg_endpoint	 ep;

	if (t.conf.role != ROLE_SERVER || !t.configured)
		fatalx("listening descriptor out of order");
	memcpy(&ep, m->data, sizeof(ep));
	if (ep.protocol != CONF_PROTO_NATIVE &&
	    ep.protocol != CONF_PROTO_DSVPN)
		fatalx("listening descriptor of protocol %d", ep.protocol);
	/* A UDP socket serves every client itself (udp.c), natively. */
	if (ep.transport == CONF_T_UDP) {
		if (ep.protocol != CONF_PROTO_NATIVE)
			fatalx("a UDP socket for DSVPN's protocol");
		sandbox_limit_fd(PROC_TUNNEL, fd, SANDBOX_FD_DGRAM_SERVER);
		udp_listen(fd);
		return;
	}
	sandbox_limit_fd(PROC_TUNNEL, fd, SANDBOX_FD_LISTEN);
	pending_listen(fd, ep.protocol);
}

static void
tunnel_connected(struct msg *m, int fd)
{
	struct msg_endpoint	 ep;
	struct sproto		 sp;
	int			 stale = t.connecting == 2;

	if (t.conf.role != ROLE_CLIENT || !t.have_tun)
		fatalx("connection descriptor out of order");
	t.connecting = 0;
	if (t.shutting_down || stale) {
		close(fd);
		tunnel_want_connection();
		return;
	}
	memcpy(&ep, m->data, sizeof(ep));
	ep.addr[sizeof(ep.addr) - 1] = '\0';
	sandbox_limit_fd(PROC_TUNNEL, fd, SANDBOX_FD_CONN);
	if (ep.transport == CONF_T_UDP) {
		if (t.conf.protocol != CONF_PROTO_NATIVE)
			fatalx("a UDP socket for DSVPN's protocol");
		sp = tunnel_udp_proto();
		if (sp.ops == NULL)
			fatal("sproto_dgram");
		log_debug("udp to %s, handshaking", ep.addr);
		(void)session_start_dgram(fd, 0, sp, ep.addr, peertab.v[0],
		    NULL, 0, NULL);
		return;
	}
	log_debug("connected to %s, handshaking", ep.addr);
	(void)session_start(fd, tunnel_client_proto(), ep.addr,
	    peertab.v[0]);
}

static __dead void
tunnel_shutdown(void)
{
	t.shutting_down = 1;
	pending_clear();
	udp_clear();
	session_shutdown(SHUTDOWN_FLUSH_MS);
	tunnel_send_stats();
	peer_flush(&t.parent);
	exit(0);
}

static void
tunnel_dispatch(struct peer *p, struct msg *m)
{
	int32_t	 v;

	if (m == NULL) {
		/* The parent is gone: nothing here may outlive it. */
		_exit(0);
	}
	switch (m->hdr.type) {
	case MSG_VERBOSE:
		memcpy(&v, m->data, sizeof(v));
		log_setverbose(v);
		break;
	case MSG_RECONF_BEGIN:
		memset(&t.next, 0, sizeof(t.next));
		t.next_has_key = 0;
		t.next_clients = 0;
		peertab_begin();
		break;
	case MSG_RECONF_CLIENT:
		tunnel_reconf_client(m);
		break;
	case MSG_PEERS_REQ:
		tunnel_peers_page(m->hdr.peerid, m->data);
		break;
	case MSG_KICK:
		tunnel_kick(m->hdr.peerid, m->data);
		break;
	case MSG_RECONF_CONF:
		memcpy(&t.next, m->data, sizeof(t.next));
		break;
	case MSG_RECONF_KEY:
		memcpy(&t.nextkey, m->data, sizeof(t.nextkey));
		sodium_memzero(m->data, sizeof(t.nextkey));
		t.next_has_key = 1;
		break;
	case MSG_RECONF_END:
		tunnel_apply_conf();
		break;
	case MSG_SHUTDOWN:
		tunnel_shutdown();
		/* NOTREACHED */
	case MSG_TUN_FD:
		tunnel_tun(m, m->fd);
		break;
	case MSG_LISTEN_FD:
		tunnel_listen(m, m->fd);
		break;
	case MSG_FDS_DONE:
		sandbox_shrink(PROC_TUNNEL);
		log_debug("all descriptors received");
		break;
	case MSG_CONNECT_FD:
		tunnel_connected(m, m->fd);
		break;
	case MSG_RESOCKET_FD:
		if (t.conf.role != ROLE_CLIENT || !t.have_tun)
			fatalx("RESOCKET_FD out of order");
		roam_socket(m->fd);
		break;
	default:
		fatalx("unexpected %s from the parent",
		    msgcat_name(m->hdr.type));
	}
}

__dead void
tunnel_main(int debug, int verbose)
{
	struct timeval	 tv = { STATS_INTERVAL_MS / 1000, 0 };

	if (sodium_init() == -1)
		fatalx("sodium_init");
	proc_child_start(PROC_TUNNEL, &t.parent, tunnel_dispatch);
	peertab_init();
	t.client_version = PROTO_V2;
	/* Sources are checked per peer by the peer table's tries
	 * (session.c's policy), which replace srccheck's one list. */
	session_init(&t.stats);
	pending_init(&t.stats);
	udp_init(&t.stats);
	roam_init(&t.parent);
	evtimer_set(&t.stats_ev, tunnel_stats_cb, NULL);
	evtimer_add(&t.stats_ev, &tv);
	log_debug("waiting for the configuration");
	event_dispatch();
	fatalx("event loop ended");
}
