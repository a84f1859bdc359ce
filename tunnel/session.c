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
#include <sys/time.h>

#include <errno.h>
#include <event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "msgcat.h"
#include "proto.h"
#include "tunnel.h"

#define SESSION_TICK_MAX_MS	1000

/*
 * The one session: a transport socket, its protocol state and the
 * events that move bytes between it and the TUN.  The TUN's read event
 * is on unless the transport is backed up; with no session it drains
 * the TUN and drops, so nothing stale is sent when a session comes up.
 */
static struct {
	struct datapath		 dp;
	struct tunnel_stats	*stats;
	struct event		 tun_ev;
	struct event		 rd_ev;
	struct event		 wr_ev;
	struct event		 tick_ev;
	int			 tun_on;
	int			 wr_on;
	int			 active;
	int			 up;
	int			 fd;
	struct proto		*proto;
	uint64_t		 rekeys;
	char			 peer[MSG_ENDPOINT_MAX];
} s;

static void	 session_fail(const char *);

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
session_wr_events(int on)
{
	if (on == s.wr_on)
		return;
	if (on)
		event_add(&s.wr_ev, NULL);
	else
		event_del(&s.wr_ev);
	s.wr_on = on;
}

/* Push what is queued; a full socket stops the TUN reads until it
 * drains (the back-pressure that keeps queues short). */
static int
session_kick(void)
{
	int	 r;

	if ((r = dp_sock_write(&s.dp)) == -1) {
		session_fail(s.dp.why);
		return -1;
	}
	session_wr_events(r == 0);
	session_tun_events(r == 1);
	return 0;
}

static void
session_check_rekeys(void)
{
	uint64_t	 n = proto_rekeys(s.proto);

	if (n > s.rekeys) {
		s.stats->rekeys += n - s.rekeys;
		s.stats->last_rekey = time(NULL);
		s.rekeys = n;
	}
}

static void
session_arm_tick(uint64_t now, uint64_t next)
{
	struct timeval	 tv;
	uint64_t	 ms = SESSION_TICK_MAX_MS;

	if (next > now && next - now < ms)
		ms = next - now;
	else if (next <= now)
		ms = 1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(&s.tick_ev, &tv);
}

static void
session_mark_up(void)
{
	s.up = 1;
	s.stats->handshakes++;
	s.stats->last_handshake = time(NULL);
	tunnel_session_up(s.peer, proto_cipher_name(s.proto));
}

/* After input: report a session that came up, end a closed one. */
static void
session_after_input(int r)
{
	if (r == -1) {
		if (s.dp.fault >= 0 && s.dp.fault < DROP_MAX)
			s.stats->drops[s.dp.fault]++;
		session_fail(s.dp.why);
		return;
	}
	if (r == 0 || (s.dp.events & DP_EV_CLOSED)) {
		session_end(0, r == 0 ? s.dp.why : "closed by peer");
		return;
	}
	if ((s.dp.events & DP_EV_UP) && !s.up)
		session_mark_up();
	session_check_rekeys();
	if (dp_unsent(&s.dp) > 0)
		(void)session_kick();
}

static void
session_tun_cb(int fd, short ev, void *arg)
{
	if (dp_tun_read(&s.dp, now_ms()) == -1)
		fatal("read from TUN");
	if (s.active && dp_unsent(&s.dp) > 0)
		(void)session_kick();
}

static void
session_rd_cb(int fd, short ev, void *arg)
{
	session_after_input(dp_sock_read(&s.dp, now_ms()));
}

static void
session_wr_cb(int fd, short ev, void *arg)
{
	(void)session_kick();
}

static void
session_tick_cb(int fd, short ev, void *arg)
{
	uint64_t	 now = now_ms(), next = now + SESSION_TICK_MAX_MS;
	int		 f;

	if (!s.active)
		return;
	if (proto_tick(s.proto, now, &next) == -1) {
		f = proto_fault(s.proto);
		s.stats->drops[f >= 0 && f < DROP_MAX ? f : DROP_TIMEOUT]++;
		session_fail(proto_error(s.proto));
		return;
	}
	session_check_rekeys();
	if (dp_unsent(&s.dp) > 0 && session_kick() == -1)
		return;
	session_arm_tick(now, next);
}

void
session_init(struct tunnel_stats *stats)
{
	memset(&s, 0, sizeof(s));
	s.stats = stats;
	s.fd = -1;
	dp_init(&s.dp, stats);
	evtimer_set(&s.tick_ev, session_tick_cb, NULL);
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
	return s.active;
}

int
session_is_up(void)
{
	return s.up;
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
int
session_start(int fd, struct proto *p, const char *peer)
{
	uint64_t	 now = now_ms(), next = now + SESSION_TICK_MAX_MS;

	/* A newer authenticated client wins at once, wherever it comes
	 * from: roaming must never lock a client out behind a connection
	 * that went silent.  On a server it has proved it holds this
	 * session's keys, so a replayed hello cannot get here. */
	if (s.active)
		session_end(1, "replaced by a new session");
	s.fd = fd;
	s.proto = p;
	s.active = 1;
	s.up = 0;
	s.rekeys = 0;
	strlcpy(s.peer, peer, sizeof(s.peer));
	dp_attach(&s.dp, fd, p);
	event_set(&s.rd_ev, fd, EV_READ | EV_PERSIST, session_rd_cb, NULL);
	event_set(&s.wr_ev, fd, EV_WRITE | EV_PERSIST, session_wr_cb, NULL);
	event_add(&s.rd_ev, NULL);
	s.wr_on = 0;
	if (proto_start(p, now) == -1) {
		session_fail(proto_error(p));
		return -1;
	}
	if (proto_is_up(p))
		session_mark_up();
	if (proto_tick(p, now, &next) == 0)
		session_arm_tick(now, next);
	else
		session_arm_tick(now, now + 1);
	if (dp_unsent(&s.dp) > 0 && session_kick() == -1)
		return -1;
	return 0;
}

/* A reload's timers, for the session already running: the next tick
 * comes at once, since a deadline may have moved closer. */
void
session_set_timers(uint32_t keepalive_ms, uint32_t dead_ms,
    uint32_t rekey_ms, uint64_t rekey_bytes)
{
	uint64_t	 now = now_ms();

	if (!s.active)
		return;
	proto_set_timers(s.proto, keepalive_ms, dead_ms, rekey_ms,
	    rekey_bytes);
	evtimer_del(&s.tick_ev);
	session_arm_tick(now, now);
}

void
session_end(int orderly, const char *why)
{
	char	 reason[128];
	int	 was_up = s.up;

	if (!s.active)
		return;
	/* why may point into the datapath, which is reset below. */
	strlcpy(reason, why, sizeof(reason));
	if (orderly) {
		proto_close(s.proto);
		(void)dp_sock_write(&s.dp);
	}
	event_del(&s.rd_ev);
	session_wr_events(0);
	evtimer_del(&s.tick_ev);
	dp_detach(&s.dp);
	close(s.fd);
	proto_free(s.proto);
	s.proto = NULL;
	s.fd = -1;
	s.active = s.up = 0;
	session_tun_events(1);
	tunnel_session_down(was_up, reason);
}

static void
session_fail(const char *why)
{
	session_end(0, why);
}

/* Before exit: the close frame, then whatever the socket takes within
 * the time allowed. */
void
session_shutdown(int timeout_ms)
{
	struct pollfd	 pfd;
	uint64_t	 end = now_ms() + timeout_ms, now;

	if (!s.active)
		return;
	proto_close(s.proto);
	while (dp_sock_write(&s.dp) == 0) {
		if ((now = now_ms()) >= end)
			break;
		pfd.fd = s.fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)(end - now)) <= 0)
			break;
	}
	session_end(0, "shutting down");
}
