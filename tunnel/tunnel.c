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
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "log.h"
#include "msgcat.h"
#include "proc.h"
#include "proto.h"
#include "sandbox.h"
#include "srccheck.h"
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
	int			 configured;
	int			 have_tun;
	int			 connecting;	/* CONNECT_REQ unanswered */
	int			 shutting_down;
	int			 violate;	/* test hook, see below */
	struct proto_replay	*replay;
	struct srccheck		 allow;		/* the peer's sources */
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

	tunnel_send_stats();
	evtimer_add(&t.stats_ev, &tv);
}

void
tunnel_proto_params(struct proto_params *par, enum proto_role role)
{
	memset(par, 0, sizeof(*par));
	par->role = role;
	/* The native protocol's PSK; key.raw is DSVPN's, unchanged. */
	memcpy(par->psk, t.key.psk, sizeof(par->psk));
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
	/* Version 1 until the peer table looks key identifiers up. */
	par->version = PROTO_V1;
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

void
tunnel_session_up(const char *peer, const char *cipher)
{
	struct msg_session	 ms;

	t.stats.sessions++;
	if (t.stats.sessions > 1)
		t.stats.reconnects++;
	log_info("session up with %s (%s)", peer, cipher);
	memset(&ms, 0, sizeof(ms));
	strlcpy(ms.peer, peer, sizeof(ms.peer));
	strlcpy(ms.cipher, cipher, sizeof(ms.cipher));
	peer_compose(&t.parent, MSG_SESSION_UP, 0, -1, &ms, sizeof(ms));
	tunnel_send_stats();
}

void
tunnel_session_down(int was_up, const char *why)
{
	struct msg_session_down	 md;

	if (was_up) {
		log_info("session down: %s", why);
		memset(&md, 0, sizeof(md));
		strlcpy(md.reason, why, sizeof(md.reason));
		peer_compose(&t.parent, MSG_SESSION_DOWN, 0, -1, &md,
		    sizeof(md));
		tunnel_send_stats();
	} else
		log_ratelimited(log_info, "handshake failed: %s", why);
	tunnel_want_connection();
}

/* The first configuration says who to become: drop to it, lock in. */
static void
tunnel_lock_in(void)
{
	/* Read before the chroot; the live test uses it to check that a
	 * forbidden system call kills us. */
	t.violate = getenv("DSVPND_TEST_SANDBOX_VIOLATION") != NULL &&
	    strcmp(getenv("DSVPND_TEST_SANDBOX_VIOLATION"), "1") == 0;
	proc_drop_privileges(t.conf.user, t.conf.chroot);
	if (t.violate)
		sandbox_probe(PROC_TUNNEL);
	else
		sandbox_enter(PROC_TUNNEL);
	if (t.conf.role == ROLE_SERVER &&
	    (t.replay = proto_replay_new(0)) == NULL)
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

static void
tunnel_apply_conf(void)
{
	int	 rekey = 0;

	if (!t.next_has_key)
		fatalx("configuration without a key");
	if (t.configured) {
		if (t.next.role != t.conf.role)
			fatalx("the role cannot change on reload");
		rekey = sodium_memcmp(&t.key, &t.nextkey,
		    sizeof(t.key)) != 0 ||
		    (t.conf.role == ROLE_CLIENT &&
		    (strcmp(t.conf.connect_host, t.next.connect_host) != 0 ||
		    strcmp(t.conf.connect_port, t.next.connect_port) != 0));
		/* New timers apply to the running session at once; a new
		 * key or server needs a new session, which takes them. */
		if (!rekey)
			tunnel_apply_timers(&t.conf, &t.next);
	}
	t.conf = t.next;
	srccheck_conf(&t.allow, &t.conf);
	t.key = t.nextkey;
	sodium_memzero(&t.nextkey, sizeof(t.nextkey));
	t.next_has_key = 0;
	if (!t.configured) {
		t.configured = 1;
		tunnel_lock_in();
		return;
	}
	if (rekey) {
		log_info("key or server changed: starting a new session");
		if (t.connecting)
			t.connecting = 2;	/* its socket is stale */
		if (session_active())
			session_end(1, "configuration changed");
	}
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

static void
tunnel_connected(struct msg *m, int fd)
{
	struct msg_endpoint	 ep;
	struct proto_params	 par;
	struct proto		*p;
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
	tunnel_proto_params(&par, PROTO_CLIENT);
	p = proto_new(&par);
	sodium_memzero(&par, sizeof(par));
	if (p == NULL)
		fatal("proto_new");
	log_debug("connected to %s, handshaking", ep.addr);
	(void)session_start(fd, p, ep.addr);
}

static __dead void
tunnel_shutdown(void)
{
	t.shutting_down = 1;
	pending_clear();
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
		if (t.conf.role != ROLE_SERVER || !t.configured)
			fatalx("listening descriptor out of order");
		sandbox_limit_fd(PROC_TUNNEL, m->fd, SANDBOX_FD_LISTEN);
		pending_listen(m->fd);
		break;
	case MSG_FDS_DONE:
		sandbox_shrink(PROC_TUNNEL);
		log_debug("all descriptors received");
		break;
	case MSG_CONNECT_FD:
		tunnel_connected(m, m->fd);
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
	session_init(&t.stats);
	session_set_sources(&t.allow);
	pending_init(&t.stats);
	evtimer_set(&t.stats_ev, tunnel_stats_cb, NULL);
	evtimer_add(&t.stats_ev, &tv);
	log_debug("waiting for the configuration");
	event_dispatch();
	fatalx("event loop ended");
}
