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
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "dsvpn.h"
#include "log.h"
#include "msgcat.h"
#include "peertab.h"
#include "proto.h"
#include "sandbox.h"
#include "sockopt.h"
#include "tunnel.h"

/*
 * The server's connections that have not finished their handshake.
 * Until a connection has sent its whole hello it costs one slot of a
 * fixed table and no crypto; the hello is then pre-checked (MAC, clock,
 * replay) before any Diffie-Hellman.  A connection whose hello passes
 * stays here while the reply goes out and until its first frame
 * confirms the keys: only a client that holds them can replace the
 * live session, not one replaying a hello to a restarted server (its
 * replay cache is empty).  PENDING_TIMEOUT_MS bounds the whole
 * handshake.  A full table evicts its oldest entry, preferring one
 * still reading its hello, so a flood cannot keep the real client
 * out, and a slow sender cannot stall anything: every read and write
 * here is non-blocking.
 *
 * A DSVPN listener's connections (doc/PROTOCOL-DSVPN.md) send a 72-byte
 * hello, vetted the same way (clock, then each DSVPN key's MAC, then
 * that key's replay cache) before any state is made.  Their keys are
 * confirmed by the client's first data frame, which a stock client with
 * nothing to send may never send: so a DSVPN connection leaves here as
 * soon as its reply is out, as an unconfirmed session that session.c
 * never lets replace a confirmed one.
 */
#define PENDING_MAX		64
#define PENDING_TIMEOUT_MS	5000
#define ACCEPT_BATCH		16
#define PENDING_LISTEN_MAX	(CONF_MAX_LISTEN * 2)
#define ACCEPT_PAUSE_MS		1000

/* The hello, then the client's first frame: an empty keepalive. */
#define PENDING_BUF		PROTO_HELLO_MAX

enum pending_state {
	PE_HELLO,		/* reading the hello */
	PE_REPLY,		/* writing the reply */
	PE_CONFIRM		/* reading the key-confirming frame */
};

struct pending {
	int			 fd;	/* -1: free slot */
	enum pending_state	 state;
	struct event		 ev;
	short			 ev_what;	/* what ev waits for */
	uint64_t		 since;
	struct proto		*proto;	/* from the vetted hello on */
	struct dsvpn		*ds;	/* the same, for DSVPN */
	int			 protocol;	/* CONF_PROTO_* */
	size_t			 hello_len;	/* 0: first byte not read */
	uint32_t		 peer_id;	/* whose key it proved */
	size_t			 have;
	uint8_t			 buf[PENDING_BUF];
	char			 peer[MSG_ENDPOINT_MAX];
};

struct listener {
	int		 fd;
	int		 protocol;	/* CONF_PROTO_* */
	struct event	 ev;
};

static struct pending		 table[PENDING_MAX];
static struct listener		 listeners[PENDING_LISTEN_MAX];
static unsigned int		 nlisteners;
static struct event		 pause_ev;
static struct tunnel_stats	*pstats;

static void	 pending_cb(int, short, void *);
static void	 pending_resume_cb(int, short, void *);

void
pending_init(struct tunnel_stats *stats)
{
	unsigned int	 i;

	pstats = stats;
	for (i = 0; i < PENDING_MAX; i++)
		table[i].fd = -1;
	evtimer_set(&pause_ev, pending_resume_cb, NULL);
}

/* Forgets the slot's state; the caller owns fd when close_fd is 0. */
static void
pending_free(struct pending *pe, int close_fd)
{
	event_del(&pe->ev);
	if (close_fd)
		close(pe->fd);
	proto_free(pe->proto);
	pe->proto = NULL;
	dsvpn_free(pe->ds);
	pe->ds = NULL;
	sodium_memzero(pe->buf, sizeof(pe->buf));
	pe->fd = -1;
	pe->state = PE_HELLO;
	pe->have = pe->hello_len = 0;
}

void
pending_clear(void)
{
	unsigned int	 i;

	for (i = 0; i < PENDING_MAX; i++)
		if (table[i].fd != -1)
			pending_free(&table[i], 1);
}

/* (Re)starts waiting for what the state needs, within the deadline. */
static void
pending_arm(struct pending *pe, uint64_t now)
{
	struct timeval	 tv;
	uint64_t	 left = 1;
	short		 what = pe->state == PE_REPLY ? EV_WRITE : EV_READ;

	if (pe->since + PENDING_TIMEOUT_MS > now)
		left = pe->since + PENDING_TIMEOUT_MS - now;
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	/* Waiting for the same again: only the deadline is set anew, no
	 * call to the kernel (a handshake costs enough of those). */
	if (pe->ev_what != what) {
		event_del(&pe->ev);
		event_set(&pe->ev, pe->fd, what, pending_cb, pe);
		pe->ev_what = what;
	}
	event_add(&pe->ev, &tv);
}

static void
peer_endpoint(int fd, char *buf, size_t len)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);

	strlcpy(buf, "?", len);
	if (getpeername(fd, (struct sockaddr *)&ss, &sslen) == -1)
		return;
	endpoint_str(&ss, buf, len);
}

/* "ADDR PORT" of a peer, a dual-stack listener's IPv4 peer as IPv4;
 * "?" if it is neither family.  For log lines and status. */
void
endpoint_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 =
					    (const struct sockaddr_in6 *)ss;
	char				 a[INET6_ADDRSTRLEN];

	strlcpy(buf, "?", len);
	if (ss->ss_family == AF_INET &&
	    inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) != NULL)
		snprintf(buf, len, "%s %u", a, ntohs(sin->sin_port));
	else if (ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
	    inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], a,
	    sizeof(a)) != NULL)
		snprintf(buf, len, "%s %u", a, ntohs(sin6->sin6_port));
	else if (ss->ss_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a)) != NULL)
		snprintf(buf, len, "%s %u", a, ntohs(sin6->sin6_port));
}

/*
 * A free slot, else the oldest connection still reading its hello: one
 * whose hello passed the MAC is worth more (a real client one round
 * trip from its session) than one that proved nothing yet.
 */
static struct pending *
pending_slot(void)
{
	struct pending	*oldest = NULL, *pe;
	unsigned int	 i;

	for (i = 0; i < PENDING_MAX; i++) {
		pe = &table[i];
		if (pe->fd == -1)
			return pe;
		if (oldest == NULL ||
		    (oldest->state != PE_HELLO && pe->state == PE_HELLO) ||
		    ((oldest->state == PE_HELLO) == (pe->state == PE_HELLO) &&
		    pe->since < oldest->since))
			oldest = pe;
	}
	pstats->drops[DROP_PENDING_FULL]++;
	log_ratelimited(log_warnx, "too many unauthenticated connections, "
	    "dropping %s", oldest->peer);
	pending_free(oldest, 1);
	return oldest;
}

void
pending_add(int fd, int protocol)
{
	struct pending	*pe;
	int		 flags;

	sandbox_limit_fd(PROC_TUNNEL, fd, SANDBOX_FD_ACCEPTED);
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		log_warn("%s: fcntl", __func__);
		close(fd);
		return;
	}
	(void)sockopt_tune_stream(fd);
	pe = pending_slot();
	pe->fd = fd;
	pe->protocol = protocol;
	pe->state = PE_HELLO;
	pe->have = pe->hello_len = 0;
	pe->since = now_ms();
	peer_endpoint(fd, pe->peer, sizeof(pe->peer));
	log_debug("connection from %s", pe->peer);
	event_set(&pe->ev, fd, EV_READ, pending_cb, pe);
	pe->ev_what = EV_READ;
	pending_arm(pe, pe->since);
}

static const char *
fault_name(int fault)
{
	switch (fault) {
	case PROTO_F_AUTH:
		return "authentication failed";
	case PROTO_F_HANDSHAKE:
		return "handshake refused";
	case PROTO_F_REPLAY:
		return "replayed or stale handshake";
	case PROTO_F_TIMEOUT:
		return "timed out";
	default:
		return "protocol error";
	}
}

/* A failed handshake: counted, logged at most once a second, closed. */
static void
pending_refuse(struct pending *pe, int fault, const char *why)
{
	if (fault < 0 || fault >= DROP_MAX)
		fault = DROP_HANDSHAKE;
	pstats->drops[fault]++;
	log_ratelimited(log_info, "refused %s: %s", pe->peer,
	    why != NULL ? why : fault_name(fault));
	pending_free(pe, 1);
}

/*
 * Reads until the buffer holds want bytes, never more: what follows the
 * handshake belongs to the session.  -1 if the connection ended (the
 * slot is then free).
 */
static int
pending_read(struct pending *pe, size_t want)
{
	ssize_t	 n;

	if (pe->have >= want)
		return 0;
	n = read(pe->fd, pe->buf + pe->have, want - pe->have);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		if (pe->state == PE_HELLO)
			log_debug("%s: closed before its handshake",
			    pe->peer);
		else
			log_ratelimited(log_info, "%s: closed during its "
			    "handshake", pe->peer);
		pending_free(pe, 1);
		return -1;
	}
	if (n > 0)
		pe->have += n;
	return 0;
}

static void	 pending_dsvpn_up(struct pending *);

/* The connection's protocol, whichever it speaks. */
static struct sproto
pending_sproto(struct pending *pe)
{
	return pe->ds != NULL ? sproto_dsvpn(pe->ds) :
	    sproto_native(pe->proto);
}

/* Sends what the protocol queued (the reply); then waits for the
 * client's confirmation, or for DSVPN becomes a session. */
static void
pending_send(struct pending *pe, uint64_t now)
{
	struct sproto	 sp = pending_sproto(pe);
	const uint8_t	*out;
	size_t		 len;
	ssize_t		 n;

	while ((len = sp.ops->pending(sp.st, &out)) > 0) {
		if ((n = write(pe->fd, out, len)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			log_ratelimited(log_info, "%s: write: %s", pe->peer,
			    strerror(errno));
			pending_free(pe, 1);
			return;
		}
		sp.ops->consume(sp.st, n);
	}
	if (len == 0 && pe->ds != NULL) {
		pending_dsvpn_up(pe);
		return;
	}
	pe->state = len > 0 ? PE_REPLY : PE_CONFIRM;
	pending_arm(pe, now);
}

/*
 * The peer whose DSVPN key made this hello.  Nothing in a DSVPN hello
 * names its key, so each key that may speak DSVPN is tried: the single
 * peer, or the client blocks marked protocol dsvpn, one Charm hash
 * each (the clock is checked first, for free).
 */
static struct tpeer *
pending_dsvpn_peer(struct dsvpn_params *par, const uint8_t *hello,
    int *fault)
{
	struct tpeer	*p;
	size_t		 i;

	/* Outside the clock window for every key: no hash at all. */
	if (dsvpn_hello_sniff(hello, DSVPN_HELLO_LEN, time(NULL),
	    par->clock_window) != DSVPN_SNIFF_DSVPN) {
		*fault = PROTO_F_REPLAY;
		return NULL;
	}
	*fault = PROTO_F_HANDSHAKE;
	for (i = 0; i < peertab.n; i++) {
		p = peertab.v[i];
		if (!p->dsvpn)
			continue;
		if (p->dreplay == NULL &&
		    (p->dreplay = dsvpn_replay_new(0)) == NULL)
			fatal("dsvpn_replay_new");
		memcpy(par->psk, p->raw, sizeof(par->psk));
		par->replay = p->dreplay;
		if (dsvpn_hello_check(par, hello, DSVPN_HELLO_LEN,
		    fault) == 0)
			return p;
		sodium_memzero(par->psk, sizeof(par->psk));
		/* Its MAC verified, the cache knew it: this key's replay. */
		if (*fault == PROTO_F_REPLAY)
			return NULL;
	}
	return NULL;
}

/* A DSVPN hello is complete: vetted, then answered. */
static void
pending_dsvpn_hello(struct pending *pe, uint64_t now)
{
	struct dsvpn_params	 par;
	struct proto_event	 ev;
	struct tpeer		*peer;
	int			 fault = PROTO_F_PROTOCOL;
	ssize_t			 r;

	tunnel_dsvpn_params(&par, PROTO_SERVER);
	if ((peer = pending_dsvpn_peer(&par, pe->buf, &fault)) == NULL) {
		sodium_memzero(&par, sizeof(par));
		pending_refuse(pe, fault, NULL);
		return;
	}
	pe->peer_id = peer->id;
	pe->ds = dsvpn_new(&par);
	sodium_memzero(&par, sizeof(par));
	if (pe->ds == NULL) {
		log_warn("%s: dsvpn_new", __func__);
		pending_free(pe, 1);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	if (dsvpn_start(pe->ds, now) == 0)
		r = dsvpn_input(pe->ds, pe->buf, DSVPN_HELLO_LEN, now, &ev);
	else
		r = -1;
	sodium_memzero(pe->buf, sizeof(pe->buf));
	pe->have = 0;
	if (r != DSVPN_HELLO_LEN) {
		pending_refuse(pe, dsvpn_fault(pe->ds), dsvpn_error(pe->ds));
		return;
	}
	pending_send(pe, now);
}

/*
 * Whose key the hello is made with, at the cost of one lookup: a
 * version 2 hello names its key by an epoch id (keyid.h), looked up in
 * the peer table's id table; only then is that one key's MAC checked.
 * A version 1 hello names nothing, so only the single-key table (one
 * peer) takes one: a server with client blocks never tries key after
 * key, whatever arrives.
 */
static struct tpeer *
pending_find_peer(struct proto_params *par, const uint8_t *hello,
    size_t len, int *fault)
{
	struct proto_hello_info	 info;
	struct tpeer		*p;

	if (proto_hello_peek(par, hello, len, &info, fault) == -1)
		return NULL;
	*fault = PROTO_F_HANDSHAKE;
	if (info.version == PROTO_V2)
		p = peertab_keyid(info.keyid);
	else
		p = peertab.single && peertab.n == 1 ? peertab.v[0] : NULL;
	if (p == NULL)
		return NULL;
	memcpy(par->psk, p->psk, sizeof(par->psk));
	if (proto_hello_check(par, hello, len, fault) == -1) {
		sodium_memzero(par->psk, sizeof(par->psk));
		return NULL;
	}
	return p;
}

/* The hello is complete: check it cheaply, then answer it. */
static void
pending_hello(struct pending *pe, uint64_t now)
{
	struct proto_params	 par;
	struct proto_event	 ev;
	struct tpeer		*peer;
	int			 fault = PROTO_F_PROTOCOL;
	ssize_t			 r;

	tunnel_proto_params(&par, PROTO_SERVER);
	if ((peer = pending_find_peer(&par, pe->buf, pe->hello_len,
	    &fault)) == NULL) {
		sodium_memzero(&par, sizeof(par));
		pending_refuse(pe, fault, NULL);
		return;
	}
	pe->peer_id = peer->id;
	pe->proto = proto_new(&par);
	sodium_memzero(&par, sizeof(par));
	if (pe->proto == NULL) {
		log_warn("%s: proto_new", __func__);
		pending_free(pe, 1);
		return;
	}
	r = proto_input(pe->proto, pe->buf, pe->hello_len, now, &ev);
	sodium_memzero(pe->buf, sizeof(pe->buf));
	pe->have = 0;
	if (r != (ssize_t)pe->hello_len) {
		pending_refuse(pe, proto_fault(pe->proto),
		    proto_error(pe->proto));
		return;
	}
	pending_send(pe, now);
}

/*
 * Reads the hello: the shortest there is first, then as much as the
 * version its first byte names.  1 when complete, 0 to wait, -1 if the
 * slot is gone.
 */
static int
pending_read_hello(struct pending *pe)
{
	if (pe->hello_len == 0) {
		if (pending_read(pe, PROTO_HELLO_LEN) == -1)
			return -1;
		if (pe->have < PROTO_HELLO_LEN)
			return 0;
		if ((pe->hello_len = proto_hello_len(pe->buf[0])) == 0 ||
		    pe->hello_len > sizeof(pe->buf)) {
			pending_refuse(pe, PROTO_F_HANDSHAKE,
			    "unknown protocol version");
			return -1;
		}
	}
	if (pending_read(pe, pe->hello_len) == -1)
		return -1;
	return pe->have == pe->hello_len;
}

/* Key confirmed: the slot is free before the session may replace
 * anything, and the socket goes on with no byte of the session read. */
static void
pending_up(struct pending *pe)
{
	struct proto	*p = pe->proto;
	struct tpeer	*tp;
	int		 fd = pe->fd;
	char		 peer[MSG_ENDPOINT_MAX];

	/* A reload while it handshook may have removed its peer, or
	 * changed its key: then it proved nothing that still counts. */
	if ((tp = peertab_by_id(pe->peer_id)) == NULL) {
		pending_refuse(pe, PROTO_F_HANDSHAKE, "its client was "
		    "removed or rekeyed");
		return;
	}
	strlcpy(peer, pe->peer, sizeof(peer));
	pe->proto = NULL;
	pending_free(pe, 0);
	log_debug("%s: %s: handshake complete", peer, tp->name);
	(void)session_start(fd, sproto_native(p), peer, tp);
}

/* A DSVPN reply is out: the session takes over, unconfirmed. */
static void
pending_dsvpn_up(struct pending *pe)
{
	struct dsvpn	*ds = pe->ds;
	struct tpeer	*tp;
	int		 fd = pe->fd;
	char		 peer[MSG_ENDPOINT_MAX];

	if ((tp = peertab_by_id(pe->peer_id)) == NULL || !tp->dsvpn) {
		pending_refuse(pe, PROTO_F_HANDSHAKE, "its client was "
		    "removed or rekeyed");
		return;
	}
	strlcpy(peer, pe->peer, sizeof(peer));
	pe->ds = NULL;
	pending_free(pe, 0);
	log_debug("%s: %s: DSVPN handshake answered", peer, tp->name);
	(void)session_start(fd, sproto_dsvpn(ds), peer, tp);
}

/* The client's first frame, read exactly as long as proto_need() says. */
static void
pending_confirm(struct pending *pe, uint64_t now)
{
	struct proto_event	 ev;
	size_t			 need = proto_need(pe->proto);
	ssize_t			 r;

	/* Its length is not authenticated yet; a keepalive is empty. */
	if (need > sizeof(pe->buf)) {
		pending_refuse(pe, PROTO_F_PROTOCOL,
		    "first frame is no key confirmation");
		return;
	}
	if (pending_read(pe, need) == -1)
		return;
	if (pe->have < need) {
		pending_arm(pe, now);
		return;
	}
	r = proto_input(pe->proto, pe->buf, pe->have, now, &ev);
	if (r == -1) {
		pending_refuse(pe, proto_fault(pe->proto),
		    proto_error(pe->proto));
		return;
	}
	if (r == 0) {
		/* The header asked for more: read on. */
		pending_arm(pe, now);
		return;
	}
	if (ev.type != PROTO_EV_UP) {
		pending_refuse(pe, PROTO_F_PROTOCOL, "not up after its "
		    "first frame");
		return;
	}
	pending_up(pe);
}

static void
pending_cb(int fd, short ev, void *arg)
{
	struct pending	*pe = arg;
	uint64_t	 now = now_ms();

	if ((ev & EV_TIMEOUT) || now >= pe->since + PENDING_TIMEOUT_MS) {
		pstats->drops[DROP_TIMEOUT]++;
		log_ratelimited(log_info, "%s: no handshake in time",
		    pe->peer);
		pending_free(pe, 1);
		return;
	}
	switch (pe->state) {
	case PE_HELLO:
		if (pe->protocol == CONF_PROTO_DSVPN) {
			if (pending_read(pe, DSVPN_HELLO_LEN) == -1)
				break;
			if (pe->have == DSVPN_HELLO_LEN)
				pending_dsvpn_hello(pe, now);
			else
				pending_arm(pe, now);
			break;
		}
		switch (pending_read_hello(pe)) {
		case 1:
			pending_hello(pe, now);
			break;
		case 0:
			pending_arm(pe, now);
			break;
		}
		break;
	case PE_REPLY:
		pending_send(pe, now);
		break;
	case PE_CONFIRM:
		pending_confirm(pe, now);
		break;
	}
}

static void
pending_resume_cb(int fd, short ev, void *arg)
{
	unsigned int	 i;

	for (i = 0; i < nlisteners; i++)
		event_add(&listeners[i].ev, NULL);
}

/* Out of descriptors: stop accepting for a while rather than spin. */
static void
pending_pause(void)
{
	struct timeval	 tv = { ACCEPT_PAUSE_MS / 1000, 0 };
	unsigned int	 i;

	if (evtimer_pending(&pause_ev, NULL))
		return;
	for (i = 0; i < nlisteners; i++)
		event_del(&listeners[i].ev);
	evtimer_add(&pause_ev, &tv);
}

static void
pending_accept_cb(int lfd, short ev, void *arg)
{
	struct listener	*l = arg;
	int		 i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EMFILE || errno == ENFILE) {
				log_ratelimited(log_warn, "accept");
				pending_pause();
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_ratelimited(log_warn, "accept");
			return;
		}
		pending_add(fd, l->protocol);
	}
}

void
pending_listen(int fd, int protocol)
{
	struct listener	*l;
	int		 flags;

	if (nlisteners == PENDING_LISTEN_MAX)
		fatalx("too many listening sockets");
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		fatal("%s: fcntl", __func__);
	l = &listeners[nlisteners++];
	l->fd = fd;
	l->protocol = protocol;
	event_set(&l->ev, fd, EV_READ | EV_PERSIST, pending_accept_cb, l);
	event_add(&l->ev, NULL);
}
