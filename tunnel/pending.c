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

#include "conf.h"
#include "log.h"
#include "msgcat.h"
#include "proto.h"
#include "sockopt.h"
#include "tunnel.h"

/*
 * The server's unauthenticated connections.  Until a connection has
 * sent its whole hello within PENDING_TIMEOUT_MS it costs one slot of
 * a fixed table and no crypto; the hello is then pre-checked (MAC,
 * clock, replay) before any Diffie-Hellman.  A full table evicts its
 * oldest entry, so a flood cannot keep the real client out, and a
 * slow sender cannot stall anything: every read here is non-blocking.
 */
#define PENDING_MAX		64
#define PENDING_TIMEOUT_MS	5000
#define ACCEPT_BATCH		16
#define PENDING_LISTEN_MAX	(CONF_MAX_LISTEN * 2)
#define ACCEPT_PAUSE_MS		1000

struct pending {
	int		 fd;		/* -1: free slot */
	struct event	 ev;
	uint64_t	 since;
	size_t		 have;
	uint8_t		 hello[PROTO_HELLO_LEN];
	char		 peer[MSG_ENDPOINT_MAX];
};

struct listener {
	int		 fd;
	struct event	 ev;
};

static struct pending		 table[PENDING_MAX];
static struct listener		 listeners[PENDING_LISTEN_MAX];
static unsigned int		 nlisteners;
static struct event		 pause_ev;
static struct tunnel_stats	*pstats;

static void	 pending_read_cb(int, short, void *);
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

static void
pending_free(struct pending *pe, int close_fd)
{
	event_del(&pe->ev);
	if (close_fd)
		close(pe->fd);
	sodium_memzero(pe->hello, sizeof(pe->hello));
	pe->fd = -1;
	pe->have = 0;
}

void
pending_clear(void)
{
	unsigned int	 i;

	for (i = 0; i < PENDING_MAX; i++)
		if (table[i].fd != -1)
			pending_free(&table[i], 1);
}

static void
pending_arm(struct pending *pe, uint64_t now)
{
	struct timeval	 tv;
	uint64_t	 left = 1;

	if (pe->since + PENDING_TIMEOUT_MS > now)
		left = pe->since + PENDING_TIMEOUT_MS - now;
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	event_add(&pe->ev, &tv);
}

static void
peer_endpoint(int fd, char *buf, size_t len)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 sslen = sizeof(ss);
	char			 a[INET6_ADDRSTRLEN];

	strlcpy(buf, "?", len);
	if (getpeername(fd, (struct sockaddr *)&ss, &sslen) == -1)
		return;
	if (ss.ss_family == AF_INET &&
	    inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) != NULL)
		snprintf(buf, len, "%s %u", a, ntohs(sin->sin_port));
	else if (ss.ss_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a)) != NULL)
		snprintf(buf, len, "%s %u", a, ntohs(sin6->sin6_port));
}

static struct pending *
pending_slot(void)
{
	struct pending	*oldest = NULL;
	unsigned int	 i;

	for (i = 0; i < PENDING_MAX; i++) {
		if (table[i].fd == -1)
			return &table[i];
		if (oldest == NULL || table[i].since < oldest->since)
			oldest = &table[i];
	}
	pstats->drops[DROP_PENDING_FULL]++;
	log_ratelimited(log_warnx, "too many unauthenticated connections, "
	    "dropping %s", oldest->peer);
	pending_free(oldest, 1);
	return oldest;
}

void
pending_add(int fd)
{
	struct pending	*pe;
	int		 flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		log_warn("%s: fcntl", __func__);
		close(fd);
		return;
	}
	(void)sockopt_tune_stream(fd);
	pe = pending_slot();
	pe->fd = fd;
	pe->have = 0;
	pe->since = now_ms();
	peer_endpoint(fd, pe->peer, sizeof(pe->peer));
	log_debug("connection from %s", pe->peer);
	event_set(&pe->ev, fd, EV_READ, pending_read_cb, pe);
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

/* The hello is complete: check it cheaply, then hand it on. */
static void
pending_complete(struct pending *pe)
{
	struct proto_params	 par;
	struct proto		*p;
	int			 fault = PROTO_F_PROTOCOL, fd = pe->fd;
	char			 peer[MSG_ENDPOINT_MAX];

	tunnel_proto_params(&par, PROTO_SERVER);
	if (proto_hello_check(&par, pe->hello, sizeof(pe->hello),
	    &fault) == -1) {
		if (fault < 0 || fault >= DROP_MAX)
			fault = DROP_HANDSHAKE;
		pstats->drops[fault]++;
		log_ratelimited(log_info, "refused %s: %s", pe->peer,
		    fault_name(fault));
		pending_free(pe, 1);
		sodium_memzero(&par, sizeof(par));
		return;
	}
	p = proto_new(&par);
	sodium_memzero(&par, sizeof(par));
	if (p == NULL) {
		log_warn("%s: proto_new", __func__);
		pending_free(pe, 1);
		return;
	}
	strlcpy(peer, pe->peer, sizeof(peer));
	/* The slot is free before the session may replace anything. */
	event_del(&pe->ev);
	pe->fd = -1;
	(void)session_start(fd, p, peer, pe->hello, sizeof(pe->hello));
	sodium_memzero(pe->hello, sizeof(pe->hello));
	pe->have = 0;
}

static void
pending_read_cb(int fd, short ev, void *arg)
{
	struct pending	*pe = arg;
	uint64_t	 now = now_ms();
	ssize_t		 n;

	if ((ev & EV_TIMEOUT) || now >= pe->since + PENDING_TIMEOUT_MS) {
		pstats->drops[DROP_TIMEOUT]++;
		log_ratelimited(log_info, "%s: no handshake in time",
		    pe->peer);
		pending_free(pe, 1);
		return;
	}
	n = read(fd, pe->hello + pe->have, sizeof(pe->hello) - pe->have);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		log_debug("%s: closed before its handshake", pe->peer);
		pending_free(pe, 1);
		return;
	}
	if (n > 0)
		pe->have += n;
	if (pe->have == sizeof(pe->hello)) {
		pending_complete(pe);
		return;
	}
	pending_arm(pe, now);
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
	int	 i, fd;

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
		pending_add(fd);
	}
}

void
pending_listen(int fd)
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
	event_set(&l->ev, fd, EV_READ | EV_PERSIST, pending_accept_cb, NULL);
	event_add(&l->ev, NULL);
}
