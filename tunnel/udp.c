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
#include <unistd.h>

#include <sodium.h>

#include "cookie.h"
#include "dgram.h"
#include "log.h"
#include "msgcat.h"
#include "peertab.h"
#include "ratelimit.h"
#include "sandbox.h"
#include "tunnel.h"
#include "udpio.h"

/*
 * A server's UDP sockets (the parent made them; one serves every
 * client).  Each datagram is looked at before any key (dgram.h's call
 * order): a data datagram finds its session by the receiver index it
 * carries, in O(1): the index is a slot of this table in its low bits
 * and random bits above, so a stale or guessed index misses.  A hello
 * passes the per-source and global rate limits, the key id lookup and
 * the MAC (no state, no Diffie-Hellman before); under load (the global
 * bucket empty) it must carry the cookie of its source address too, or
 * is answered with a cookie reply (no larger than the hello).  An
 * accepted hello gets a slot as a pending session, which holds no peer
 * yet: only the client's first datagram that verifies binds it to its
 * peer, and may replace that peer's running session, as over TCP
 * (pending.c) - so a hello replayed to a restarted server cannot push
 * a live client off.  Pending sessions that do not come up within
 * UDP_PENDING_MS are dropped; at most UDP_PENDING_MAX wait, the oldest
 * evicted first.
 */

#define UDP_SLOT_BITS		12
#define UDP_SLOTS		(1 << UDP_SLOT_BITS)
#define UDP_PENDING_MAX		64
#define UDP_PENDING_MS		5000
#define UDP_BATCH		64
#define UDP_RBUF_LEN		65536	/* a datagram, or a UDP_GRO run */
#define UDP_LISTEN_MAX		(CONF_MAX_LISTEN * 2)
#define UDP_HELLO_RATE		50	/* hellos a second before load */
#define UDP_HELLO_BURST		100
#define UDP_SRC_RATE		5	/* hellos a second per source */
#define UDP_SRC_BURST		10
#define UDP_SRC_SLOTS		4096
#define UDP_KEY_MAX		18	/* an address and a port */

struct uslot {
	uint32_t		 index;		/* 0: free */
	int			 fd;		/* the socket it came on */
	struct session		*sess;		/* up: its session */
	struct dgram		*pend;		/* or waiting for its client */
	uint32_t		 peer_id;	/* pend: whose key */
	uint64_t		 since;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	struct udpio_local	 local;		/* the address it came to */
};

struct ulistener {
	int			 fd;
	struct event		 ev;
};

static struct uslot		 slots[UDP_SLOTS];
static struct ulistener		 listeners[UDP_LISTEN_MAX];
static unsigned int		 nlisteners, npending;
static struct tunnel_stats	*ustats;
static struct cookie_secrets	 cookies;
static struct ratelimit		*global_rl, *source_rl;
static struct event		 timer_ev;
/* The address the datagrams being read came to (udp_read_cb()). */
static struct udpio_local	 rx_local;
static uint8_t			*rbuf;

static void	 udp_timer_cb(int, short, void *);

void
udp_init(struct tunnel_stats *stats)
{
	ustats = stats;
	evtimer_set(&timer_ev, udp_timer_cb, NULL);
}

/* The bytes that name a source, for cookies and the rate limit. */
static size_t
src_key(const struct sockaddr_storage *ss, uint8_t key[UDP_KEY_MAX])
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 =
					    (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		memcpy(key, &sin->sin_addr, 4);
		memcpy(key + 4, &sin->sin_port, 2);
		return 6;
	}
	memcpy(key, &sin6->sin6_addr, 16);
	memcpy(key + 16, &sin6->sin6_port, 2);
	return 18;
}

/* The address alone: a source's rate is its host's, whatever port. */
static size_t
host_key(const struct sockaddr_storage *ss, uint8_t key[UDP_KEY_MAX])
{
	return src_key(ss, key) - 2;
}

static void
slot_free(struct uslot *u)
{
	if (u->pend != NULL) {
		dgram_free(u->pend);
		npending--;
	}
	memset(u, 0, sizeof(*u));
}

/* An ended session gives its slot back (session.c). */
void
udp_forget(uint32_t index)
{
	struct uslot	*u = &slots[index & (UDP_SLOTS - 1)];

	if (u->index == index && u->pend == NULL)
		memset(u, 0, sizeof(*u));
}

void
udp_clear(void)
{
	unsigned int	 i;

	for (i = 0; i < UDP_SLOTS; i++)
		if (slots[i].pend != NULL)
			slot_free(&slots[i]);
}

/* A free slot, its index random above the slot bits and never 0. */
static struct uslot *
slot_new(uint32_t *index)
{
	struct uslot	*u, *oldest = NULL;
	uint32_t	 i, start = randombytes_uniform(UDP_SLOTS);

	for (i = 0; i < UDP_SLOTS; i++) {
		u = &slots[(start + i) & (UDP_SLOTS - 1)];
		if (u->index == 0)
			break;
		u = NULL;
	}
	if (npending >= UDP_PENDING_MAX || u == NULL) {
		for (i = 0; i < UDP_SLOTS; i++)
			if (slots[i].pend != NULL && (oldest == NULL ||
			    slots[i].since < oldest->since))
				oldest = &slots[i];
		if (oldest == NULL)
			return NULL;
		ustats->drops[DROP_PENDING_FULL]++;
		slot_free(oldest);
		if (u == NULL)
			u = oldest;
	}
	do
		*index = (randombytes_random() << UDP_SLOT_BITS) |
		    (uint32_t)(u - slots);
	while (*index == 0);
	return u;
}

static void
udp_send_pending(struct uslot *u)
{
	const uint8_t	*out;
	size_t		 n;

	while ((n = dgram_pending(u->pend, &out)) > 0) {
		(void)udpio_send1(u->fd, (const struct sockaddr *)&u->from,
		    u->fromlen, &u->local, out, n);
		dgram_consume(u->pend);
	}
}

static void
udp_params(struct dgram_params *dp)
{
	memset(dp, 0, sizeof(*dp));
	tunnel_proto_params(&dp->base, PROTO_SERVER);
	dp->base.version = PROTO_V2;
	if (dp->base.max_payload > DGRAM_MAX_PAYLOAD)
		dp->base.max_payload = DGRAM_MAX_PAYLOAD;
	dp->cookies = &cookies;
}

/* A newer accepted hello of the same client replaces one waiting. */
static void
pending_of_peer_drop(uint32_t peer_id)
{
	unsigned int	 i;

	for (i = 0; i < UDP_SLOTS; i++)
		if (slots[i].pend != NULL && slots[i].peer_id == peer_id)
			slot_free(&slots[i]);
}

static void
udp_hello(int fd, uint8_t *buf, size_t len, struct sockaddr_storage *from,
    socklen_t fromlen, uint64_t now)
{
	struct dgram_params	 dp;
	struct proto_hello_info	 info;
	struct dgram_event	 ev;
	struct tpeer		*p;
	struct uslot		*u;
	uint8_t			 key[UDP_KEY_MAX], cr[DGRAM_COOKIE_REPLY_LEN];
	size_t			 klen;
	int			 fault, load;
	uint32_t		 index;
	enum dgram_verdict	 v;

	klen = host_key(from, key);
	if (!ratelimit_allow(source_rl, key, klen, now)) {
		ustats->drops[DROP_HANDSHAKE]++;
		return;
	}
	load = !ratelimit_allow(global_rl, "", 0, now);
	udp_params(&dp);
	if (dgram_hello_peek(&dp, buf, len, &info, &fault) == -1 ||
	    (p = peertab_keyid(info.keyid)) == NULL) {
		ustats->drops[DROP_HANDSHAKE]++;
		return;
	}
	memcpy(dp.base.psk, p->psk, sizeof(dp.base.psk));
	klen = src_key(from, key);
	v = dgram_hello_check(&dp, buf, len, key, klen, load, cr, &fault);
	if (v == DGRAM_COOKIE) {
		ustats->cookies++;
		(void)udpio_send1(fd, (struct sockaddr *)from, fromlen,
		    &rx_local, cr, sizeof(cr));
		sodium_memzero(&dp, sizeof(dp));
		return;
	}
	if (v != DGRAM_ACCEPT) {
		ustats->drops[fault == PROTO_F_REPLAY ? DROP_REPLAY :
		    DROP_HANDSHAKE]++;
		sodium_memzero(&dp, sizeof(dp));
		return;
	}
	pending_of_peer_drop(p->id);
	if ((u = slot_new(&index)) == NULL) {
		sodium_memzero(&dp, sizeof(dp));
		return;
	}
	dp.local_index = index;
	u->pend = dgram_new(&dp);
	sodium_memzero(&dp, sizeof(dp));
	if (u->pend == NULL) {
		log_warn("%s: dgram_new", __func__);
		return;
	}
	npending++;
	u->index = index;
	u->fd = fd;
	u->peer_id = p->id;
	u->since = now;
	memcpy(&u->from, from, fromlen);
	u->fromlen = fromlen;
	u->local = rx_local;
	memset(&ev, 0, sizeof(ev));
	if (dgram_input(u->pend, buf, len, now, &ev) == -1) {
		ustats->drops[DROP_HANDSHAKE]++;
		slot_free(u);
		return;
	}
	udp_send_pending(u);
}

/*
 * The client's first datagram that verified: the pending session binds
 * to its peer (if a reload left it) and becomes a session, its packet
 * (if it carried one) delivered.
 */
static void
udp_up(struct uslot *u, const struct dgram_event *ev,
    const struct sockaddr_storage *from, socklen_t fromlen)
{
	struct tpeer	*p;
	struct dgram	*d = u->pend;
	struct session	*ss;
	struct sproto	 sp;
	char		 ep[MSG_ENDPOINT_MAX];
	uint8_t		 pkt[DGRAM_MAX_LEN];
	size_t		 plen = 0;
	uint32_t	 index = u->index;
	int		 fd = u->fd;

	if ((p = peertab_by_id(u->peer_id)) == NULL) {
		slot_free(u);
		return;
	}
	/* The event points into the caller's buffer, which stays. */
	if (ev->type == DGRAM_EV_DATA && ev->len <= sizeof(pkt)) {
		memcpy(pkt, ev->data, ev->len);
		plen = ev->len;
	}
	u->pend = NULL;
	npending--;
	endpoint_str(from, ep, sizeof(ep));
	sp = sproto_dgram(d);
	if (sp.ops == NULL) {
		memset(u, 0, sizeof(*u));
		return;
	}
	u->index = index;
	if ((ss = session_start_dgram(fd, 1, sp, ep, p,
	    (const struct sockaddr *)from, fromlen, &rx_local)) == NULL) {
		memset(u, 0, sizeof(*u));
		return;
	}
	u->sess = ss;
	session_set_udp_index(ss, index);
	if (plen > 0)
		dp_deliver(session_conn(ss), pkt, plen);
}

static void
udp_data(uint8_t *buf, size_t len, uint32_t index,
    struct sockaddr_storage *from, socklen_t fromlen, uint64_t now)
{
	struct uslot		*u = &slots[index & (UDP_SLOTS - 1)];
	struct dgram_event	 ev;

	if (u->index != index || index == 0) {
		ustats->drops[DROP_PROTOCOL]++;
		return;
	}
	if (u->sess != NULL) {
		session_dgram_input(u->sess, buf, len, from, fromlen,
		    &rx_local);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	if (dgram_input(u->pend, buf, len, now, &ev) == -1) {
		slot_free(u);
		return;
	}
	if (ev.flags & DGRAM_EVF_UP)
		udp_up(u, &ev, from, fromlen);
	else if (u->pend != NULL)
		udp_send_pending(u);
}

static void
udp_one(int fd, uint8_t *buf, size_t len, struct sockaddr_storage *from,
    socklen_t fromlen, uint64_t now)
{
	uint8_t		 type;
	uint32_t	 index = 0;

	if (dgram_peek(buf, len, &type, &index) == -1) {
		ustats->drops[DROP_PROTOCOL]++;
		return;
	}
	if (type == DGRAM_T_HELLO)
		udp_hello(fd, buf, len, from, fromlen, now);
	else if (type == DGRAM_T_DATA)
		udp_data(buf, len, index, from, fromlen, now);
	else
		ustats->drops[DROP_PROTOCOL]++;
}

static void
udp_read_cb(int fd, short ev, void *arg)
{
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	ssize_t			 n;
	size_t			 seg, off;
	uint64_t		 now = now_ms();
	int			 i;

	for (i = 0; i < UDP_BATCH; i++) {
		fromlen = sizeof(from);
		n = udpio_recv(fd, rbuf, UDP_RBUF_LEN, &from, &fromlen, &seg,
		    &rx_local);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno != EINTR && errno != ECONNREFUSED)
				log_ratelimited(log_warn, "udp: recvfrom");
			continue;
		}
		if (fromlen > sizeof(from) || (from.ss_family != AF_INET &&
		    from.ss_family != AF_INET6))
			continue;
		/* A UDP_GRO read: datagrams of seg bytes but the last. */
		for (off = 0; off < (size_t)n; off += seg)
			udp_one(fd, rbuf + off, (size_t)n - off < seg ?
			    (size_t)n - off : seg, &from, fromlen, now);
	}
	/* The sessions' packets this batch left joined: none waits. */
	session_tun_flush();
}

/* Pending sessions that did not come up in time; cookie secrets. */
static void
udp_timer_cb(int fd, short ev, void *arg)
{
	struct timeval	 tv = { 1, 0 };
	uint64_t	 now = now_ms();
	unsigned int	 i;

	cookie_secrets_tick(&cookies, now);
	for (i = 0; i < UDP_SLOTS && npending > 0; i++)
		if (slots[i].pend != NULL &&
		    now - slots[i].since >= UDP_PENDING_MS) {
			ustats->drops[DROP_TIMEOUT]++;
			slot_free(&slots[i]);
		}
	evtimer_add(&timer_ev, &tv);
}

void
udp_listen(int fd)
{
	struct ulistener	*l;
	struct timeval		 tv = { 1, 0 };
	int			 flags;

	if (nlisteners == UDP_LISTEN_MAX)
		fatalx("too many UDP sockets");
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		fatal("%s: fcntl", __func__);
	if (nlisteners == 0) {
		if ((rbuf = malloc(UDP_RBUF_LEN)) == NULL ||
		    (global_rl = ratelimit_new(1, UDP_HELLO_RATE,
		    UDP_HELLO_BURST)) == NULL ||
		    (source_rl = ratelimit_new(UDP_SRC_SLOTS, UDP_SRC_RATE,
		    UDP_SRC_BURST)) == NULL)
			fatal("%s", __func__);
		cookie_secrets_init(&cookies, now_ms());
		evtimer_add(&timer_ev, &tv);
	}
	l = &listeners[nlisteners++];
	l->fd = fd;
	event_set(&l->ev, fd, EV_READ | EV_PERSIST, udp_read_cb, NULL);
	event_add(&l->ev, NULL);
}
