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

/*
 * A load generator for a many-client server: N real version 2 client
 * sessions from one process (the daemon's own protocol code, tunnel/
 * proto.h, one key each, real framing, no TUN), so that scale is
 * measured without N daemons.
 *
 *	loadgen [-c conc] [-d data] [-h hold] [-k keepalive] [-n sessions]
 *	    [-r rate] [-t timeout] keys host port
 *
 * keys is a file of 32-byte raw keys, key i at offset 32 * i (the
 * server's key files for its clients are the same bytes cut apart).
 *
 * Establish: connects and handshakes n sessions, at most conc at a
 * time (the server's table of unauthenticated connections is small
 * and evicts under a flood, as it should); a session counts as
 * established when the server's PUSH arrived, that is once the server
 * itself took the session up.  Then one line:
 *
 *	established N of N in MS ms: RATE/s, failed F
 *
 * Hold: keeps every session for hold seconds, ticking each (a
 * keepalive after keepalive seconds of silence, 10 by default, as a
 * dsvpnd client; the server's counted) while the first data
 * sessions each send rate ICMP echo requests a second from their
 * pushed address to the server's tunnel address, and check each reply
 * (source, destination, identifier, sequence).  Then:
 *
 *	held S s: up N of N, lost L, keepalives K
 *	data: sessions D sent N replies N late N rtt min/median/max MS
 *
 * Every failure is counted by kind on a "failures:" line; exit 0 only
 * if there was none (a figure from a run with failures is no figure),
 * 1 otherwise.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "proto.h"
#include "push.h"

#define TICK_MS		100
#define DRAIN_MS	1000		/* after the last ping */
#define IBUF_START	4096
#define OBUF_MAX	(1024 * 1024)	/* a server that stopped reading */
#define VNET_LEN	10		/* struct virtio_net_hdr */
#define PING_LEN	64		/* IPv4 + ICMP + 36 payload bytes */
#define RTT_MAX		100000		/* samples kept for the median */
#define LOADGEN_MARK	"LOADGEN-CLEARTEXT-MARK"

enum lstate { L_IDLE, L_CONNECTING, L_HANDSHAKE, L_UP, L_DONE };

enum lfail {
	F_CONNECT, F_CLOSED, F_PROTOCOL, F_TIMEOUT, F_PUSH, F_OVERFLOW,
	F_LOST, F_NOREPLY, F_MAX
};

static const char *fail_names[F_MAX] = {
	"connect", "closed", "protocol", "timeout", "push", "overflow",
	"lost", "no_reply"
};

struct lsess {
	unsigned int	 idx;
	int		 fd;
	enum lstate	 state;
	struct proto	*p;
	struct event	 rd_ev, wr_ev;
	int		 wr_on;
	uint8_t		*ibuf, *obuf;
	size_t		 ilen, icap, olen, ocap;
	uint64_t	 started;
	struct in_addr	 addr4, peer4;	/* pushed */
	uint16_t	 seq;
	uint64_t	 sent, replies;
};

static struct {
	struct lsess	*v;
	unsigned int	 n, conc, ndata, next, inflight;
	unsigned int	 up, done;
	unsigned int	 hold_s, rate, keepalive_s;
	uint64_t	 timeout_ms;
	uint8_t		*keys;
	struct sockaddr_storage ss;
	socklen_t	 sslen;
	struct event	 tick_ev;
	uint64_t	 t0, t_est, hold_end;
	int		 holding;
	int		 draining;	/* no more pings: replies land */
	unsigned long	 fails[F_MAX];
	uint64_t	 keepalives;	/* empty frames received */
	uint64_t	 late;		/* replies that matched no request */
	uint32_t	*rtt_us;
	size_t		 nrtt;
	uint8_t		 sealbuf[PROTO_OVERHEAD + PING_LEN];
} g;

static void	 sess_fail(struct lsess *, enum lfail, const char *);
static void	 check_established(void);

static uint64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t
now_ms(void)
{
	return now_us() / 1000;
}

__dead static void
usage(void)
{
	fprintf(stderr, "usage: loadgen [-c conc] [-d data] [-h hold] "
	    "[-k keepalive] [-n sessions] [-r rate] [-t timeout] keys host port\n");
	exit(2);
}

static long
number(const char *s, long min, long max)
{
	const char	*errstr;
	long		 v;

	v = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		errx(2, "%s: %s", s, errstr);
	return v;
}

static void
wr_events(struct lsess *ls, int on)
{
	if (on == ls->wr_on)
		return;
	if (on)
		event_add(&ls->wr_ev, NULL);
	else
		event_del(&ls->wr_ev);
	ls->wr_on = on;
}

/* Appends to the output queue; -1 (the session failed) if it overflows. */
static int
out_append(struct lsess *ls, const uint8_t *b, size_t len)
{
	size_t	 cap = ls->ocap;
	uint8_t	*nb;

	if (ls->olen + len > OBUF_MAX) {
		sess_fail(ls, F_OVERFLOW, "the server does not read");
		return -1;
	}
	while (cap < ls->olen + len)
		cap = cap == 0 ? 4096 : cap * 2;
	if (cap != ls->ocap) {
		if ((nb = realloc(ls->obuf, cap)) == NULL)
			err(1, NULL);
		ls->obuf = nb;
		ls->ocap = cap;
	}
	memcpy(ls->obuf + ls->olen, b, len);
	ls->olen += len;
	return 0;
}

/* What the protocol queued goes out before anything sealed next. */
static int
take_pending(struct lsess *ls)
{
	const uint8_t	*out;
	size_t		 n;

	while ((n = proto_pending(ls->p, &out)) > 0) {
		if (out_append(ls, out, n) == -1)
			return -1;
		proto_consume(ls->p, n);
	}
	return 0;
}

/* Writes what it can; the rest waits for the socket. */
static int
flush_out(struct lsess *ls)
{
	ssize_t	 n;

	if (take_pending(ls) == -1)
		return -1;
	while (ls->olen > 0) {
		n = write(ls->fd, ls->obuf, ls->olen);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			sess_fail(ls, F_CLOSED, strerror(errno));
			return -1;
		}
		memmove(ls->obuf, ls->obuf + n, ls->olen - n);
		ls->olen -= n;
	}
	wr_events(ls, ls->olen > 0);
	return 0;
}

static void
sess_release(struct lsess *ls)
{
	wr_events(ls, 0);
	event_del(&ls->rd_ev);
	if (ls->fd != -1)
		close(ls->fd);
	ls->fd = -1;
	proto_free(ls->p);
	ls->p = NULL;
	free(ls->ibuf);
	free(ls->obuf);
	ls->ibuf = ls->obuf = NULL;
	ls->ilen = ls->icap = ls->olen = ls->ocap = 0;
}

static void
sess_fail(struct lsess *ls, enum lfail why, const char *msg)
{
	if (ls->state == L_DONE)
		return;
	if (ls->state == L_UP) {
		g.up--;
		if (g.holding)
			why = F_LOST;
	} else {
		g.inflight--;
		g.done++;
	}
	g.fails[why]++;
	if (g.fails[why] <= 5)
		warnx("session %u: %s: %s", ls->idx, fail_names[why], msg);
	ls->state = L_DONE;
	sess_release(ls);
	check_established();
}

static uint16_t
ip_sum(const uint8_t *b, size_t len)
{
	uint32_t	 sum = 0;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (i < len)
		sum += (uint32_t)b[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void
put16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static unsigned int
get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* An echo request from the pushed address to the server's end: the
 * identifier names the session, the payload carries the send time. */
static void
make_ping(struct lsess *ls, uint8_t *pkt)
{
	uint64_t	 t = now_us();
	size_t		 i, m = sizeof(LOADGEN_MARK) - 1;

	memset(pkt, 0, PING_LEN);
	pkt[0] = 0x45;
	put16(pkt + 2, PING_LEN);
	pkt[6] = 0x40;
	pkt[8] = 64;
	pkt[9] = IPPROTO_ICMP;
	memcpy(pkt + 12, &ls->addr4, 4);
	memcpy(pkt + 16, &ls->peer4, 4);
	put16(pkt + 10, ip_sum(pkt, 20));
	pkt[20] = 8;
	put16(pkt + 24, ls->idx & 0xffff);
	put16(pkt + 26, ++ls->seq);
	memcpy(pkt + 28, &t, sizeof(t));
	for (i = 28 + sizeof(t); i < PING_LEN; i++)
		pkt[i] = LOADGEN_MARK[i % m];
	put16(pkt + 22, ip_sum(pkt + 20, PING_LEN - 20));
}

static int
send_ping(struct lsess *ls)
{
	size_t	 flen;

	if (take_pending(ls) == -1)
		return -1;
	make_ping(ls, g.sealbuf + PROTO_HDR_LEN);
	if ((flen = proto_seal(ls->p, g.sealbuf, PING_LEN, now_ms())) == 0) {
		sess_fail(ls, F_PROTOCOL, "proto_seal refused a ping");
		return -1;
	}
	if (out_append(ls, g.sealbuf, flen) == -1)
		return -1;
	ls->sent++;
	return flush_out(ls);
}

/* A reply to one of this session's requests, or counted as late. */
static void
on_data(struct lsess *ls, const uint8_t *d, size_t len)
{
	uint64_t	 t;
	unsigned int	 seq;

	/* A Linux server with offloads puts a virtio-net header first;
	 * a bare packet starts with its version (doc/PROTOCOL.md). */
	if (len > VNET_LEN && d[0] >> 4 != 4 && d[0] >> 4 != 6) {
		d += VNET_LEN;
		len -= VNET_LEN;
	}
	if (len < PING_LEN || d[0] != 0x45 || d[9] != IPPROTO_ICMP ||
	    d[20] != 0 || memcmp(d + 12, &ls->peer4, 4) != 0 ||
	    memcmp(d + 16, &ls->addr4, 4) != 0 ||
	    get16(d + 24) != (ls->idx & 0xffff)) {
		g.late++;
		return;
	}
	seq = get16(d + 26);
	if (seq == 0 || seq > ls->seq || ls->replies >= ls->sent) {
		g.late++;
		return;
	}
	ls->replies++;
	memcpy(&t, d + 28, sizeof(t));
	if (g.nrtt < RTT_MAX)
		g.rtt_us[g.nrtt++] = (uint32_t)(now_us() - t);
}

static void
on_push(struct lsess *ls, const uint8_t *d, size_t len)
{
	struct push	 ps;
	const char	*why = NULL;

	if (push_decode(d, len, &ps, &why) == -1) {
		sess_fail(ls, F_PUSH, why != NULL ? why : "bad push");
		return;
	}
	if (!ps.have4) {
		sess_fail(ls, F_PUSH, "no IPv4 address pushed");
		return;
	}
	ls->addr4 = ps.addr4;
	ls->peer4 = ps.peer4;
	if (ls->state != L_HANDSHAKE)
		return;
	ls->state = L_UP;
	g.inflight--;
	g.up++;
	g.done++;
	check_established();
}

/* Opens every complete frame; -1 when the session ended. */
static int
open_frames(struct lsess *ls, uint64_t now)
{
	struct proto_event	 ev;
	size_t			 pos = 0;
	ssize_t			 r;

	while (pos < ls->ilen && ls->state != L_DONE) {
		r = proto_input(ls->p, ls->ibuf + pos, ls->ilen - pos, now,
		    &ev);
		if (r == -1) {
			sess_fail(ls, F_PROTOCOL, proto_error(ls->p));
			return -1;
		}
		if (r == 0)
			break;
		pos += r;
		if (ev.type == PROTO_EV_CLOSED) {
			sess_fail(ls, F_CLOSED, proto_close_reason_name(
			    ev.reason));
			return -1;
		}
		if (ev.type == PROTO_EV_NONE && ls->state == L_UP)
			g.keepalives++;
		else if (ev.type == PROTO_EV_DATA)
			on_data(ls, ev.data, ev.len);
		else if (ev.type == PROTO_EV_PUSH)
			on_push(ls, ev.data, ev.len);
	}
	if (ls->state == L_DONE)
		return -1;
	memmove(ls->ibuf, ls->ibuf + pos, ls->ilen - pos);
	ls->ilen -= pos;
	return 0;
}

/* Room for the next frame as proto_need() names it. */
static int
in_room(struct lsess *ls)
{
	size_t	 want = proto_need(ls->p), cap = ls->icap;
	uint8_t	*nb;

	if (want < IBUF_START)
		want = IBUF_START;
	if (want > PROTO_MAX_PAYLOAD + PROTO_OVERHEAD) {
		sess_fail(ls, F_PROTOCOL, "frame too long");
		return -1;
	}
	while (cap < want)
		cap = cap == 0 ? IBUF_START : cap * 2;
	if (cap != ls->icap) {
		if ((nb = realloc(ls->ibuf, cap)) == NULL)
			err(1, NULL);
		ls->ibuf = nb;
		ls->icap = cap;
	}
	return 0;
}

static void
rd_cb(int fd, short ev, void *arg)
{
	struct lsess	*ls = arg;
	ssize_t		 n;

	if (in_room(ls) == -1)
		return;
	n = read(fd, ls->ibuf + ls->ilen, ls->icap - ls->ilen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		sess_fail(ls, F_CLOSED, n == 0 ? "connection closed" :
		    strerror(errno));
		return;
	}
	ls->ilen += n;
	if (open_frames(ls, now_ms()) == 0)
		(void)flush_out(ls);
}

static void
wr_cb(int fd, short ev, void *arg)
{
	struct lsess	*ls = arg;
	socklen_t	 len = sizeof(int);
	int		 e = 0;

	if (ls->state == L_CONNECTING) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1 ||
		    e != 0) {
			sess_fail(ls, F_CONNECT, strerror(e != 0 ? e : errno));
			return;
		}
		ls->state = L_HANDSHAKE;
		event_add(&ls->rd_ev, NULL);
	}
	(void)flush_out(ls);
}

static struct proto *
sess_proto(unsigned int i)
{
	struct proto_params	 par;
	struct proto		*p;

	memset(&par, 0, sizeof(par));
	par.role = PROTO_CLIENT;
	par.version = PROTO_V2;
	par.keepalive_ms = g.keepalive_s * 1000;
	memcpy(par.psk, g.keys + 32 * (size_t)i, sizeof(par.psk));
	p = proto_new(&par);
	sodium_memzero(&par, sizeof(par));
	if (p == NULL)
		err(1, "proto_new");
	return p;
}

static void
sess_open(struct lsess *ls)
{
	int	 fd;

	ls->started = now_ms();
	ls->state = L_CONNECTING;
	g.inflight++;
	ls->p = sess_proto(ls->idx);
	if (proto_start(ls->p, ls->started) == -1)
		errx(1, "proto_start: %s", proto_error(ls->p));
	if ((fd = socket(g.ss.ss_family, SOCK_STREAM, 0)) == -1) {
		sess_fail(ls, F_CONNECT, strerror(errno));
		return;
	}
	ls->fd = fd;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		err(1, "fcntl");
	event_set(&ls->rd_ev, fd, EV_READ | EV_PERSIST, rd_cb, ls);
	event_set(&ls->wr_ev, fd, EV_WRITE | EV_PERSIST, wr_cb, ls);
	if (connect(fd, (struct sockaddr *)&g.ss, g.sslen) == -1 &&
	    errno != EINPROGRESS) {
		sess_fail(ls, F_CONNECT, strerror(errno));
		return;
	}
	if (take_pending(ls) == 0)
		wr_events(ls, 1);
}

static void
launch(void)
{
	while (g.next < g.n && g.inflight < g.conc)
		sess_open(&g.v[g.next++]);
}

static int
rtt_cmp(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
report(void)
{
	uint64_t	 sent = 0, replies = 0;
	unsigned int	 i, nf = 0;

	printf("held %u s: up %u of %u, lost %lu, keepalives %llu\n",
	    g.hold_s, g.up, g.n, g.fails[F_LOST],
	    (unsigned long long)g.keepalives);
	for (i = 0; i < g.ndata && i < g.n; i++) {
		sent += g.v[i].sent;
		replies += g.v[i].replies;
	}
	printf("data: sessions %u sent %llu replies %llu late %llu", g.ndata,
	    (unsigned long long)sent, (unsigned long long)replies,
	    (unsigned long long)g.late);
	if (g.nrtt > 0) {
		qsort(g.rtt_us, g.nrtt, sizeof(g.rtt_us[0]), rtt_cmp);
		printf(" rtt %.3f/%.3f/%.3f ms", g.rtt_us[0] / 1000.0,
		    g.rtt_us[g.nrtt / 2] / 1000.0,
		    g.rtt_us[g.nrtt - 1] / 1000.0);
	}
	printf("\n");
	/* The last pings had DRAIN_MS to come back: a TCP transport
	 * loses nothing, so every missing reply is a failure. */
	if (sent > replies)
		g.fails[F_NOREPLY] += sent - replies;
	printf("failures:");
	for (i = 0; i < F_MAX; i++)
		if (g.fails[i] > 0) {
			printf(" %s %lu", fail_names[i], g.fails[i]);
			nf++;
		}
	printf("%s\n", nf == 0 ? " none" : "");
	fflush(stdout);
}

static void
finish(void)
{
	unsigned int	 i;
	struct lsess	*ls;

	report();
	for (i = 0; i < g.n; i++) {
		ls = &g.v[i];
		if (ls->state == L_UP) {
			proto_close_reason(ls->p, PROTO_CLOSE_SHUTDOWN);
			(void)take_pending(ls);
			if (ls->olen > 0)
				(void)write(ls->fd, ls->obuf, ls->olen);
		}
		if (ls->state != L_DONE)
			sess_release(ls);
	}
	event_loopexit(NULL);
}

/* Once every session is up or failed: the figure, then the hold. */
static void
check_established(void)
{
	uint64_t	 now, ms;
	unsigned int	 failed;

	if (g.holding || g.done < g.n)
		return;
	now = now_ms();
	ms = now - g.t0;
	failed = g.done - g.up;
	printf("established %u of %u in %llu ms: %.0f/s, failed %u\n", g.up,
	    g.n, (unsigned long long)ms, ms > 0 ? g.up * 1000.0 / ms : 0.0,
	    failed);
	fflush(stdout);
	g.t_est = now;
	g.holding = 1;
	g.hold_end = now + g.hold_s * 1000ULL;
}

/* Every session's timers; data sessions send their share of pings. */
static void
tick_all(uint64_t now)
{
	uint64_t	 next, due;
	unsigned int	 i;
	struct lsess	*ls;

	for (i = 0; i < g.n; i++) {
		ls = &g.v[i];
		if (ls->state == L_HANDSHAKE || ls->state == L_CONNECTING) {
			if (now - ls->started > g.timeout_ms)
				sess_fail(ls, F_TIMEOUT, "no session in time");
			continue;
		}
		if (ls->state != L_UP)
			continue;
		if (proto_tick(ls->p, now, &next) == -1) {
			sess_fail(ls, F_PROTOCOL, proto_error(ls->p));
			continue;
		}
		/* rate a second each, from the end of the establishing. */
		due = g.rate * (now - g.t_est) / 1000;
		while (g.holding && !g.draining && i < g.ndata &&
		    ls->state == L_UP && ls->sent < due)
			if (send_ping(ls) == -1)
				break;
		if (ls->state == L_UP)
			(void)flush_out(ls);
	}
}

static void
tick_cb(int fd, short ev, void *arg)
{
	struct timeval	 tv = { 0, TICK_MS * 1000 };
	uint64_t	 now = now_ms();

	tick_all(now);
	launch();
	check_established();
	if (g.holding && !g.draining && now >= g.hold_end) {
		g.draining = 1;
		g.hold_end = now + DRAIN_MS;
	} else if (g.draining && now >= g.hold_end) {
		finish();
		return;
	}
	evtimer_add(&g.tick_ev, &tv);
}

static void
resolve(const char *host, const char *port)
{
	struct addrinfo	 hints, *res;
	int		 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(1, "%s: %s", host, gai_strerror(e));
	memcpy(&g.ss, res->ai_addr, res->ai_addrlen);
	g.sslen = res->ai_addrlen;
	freeaddrinfo(res);
}

static void
read_keys(const char *path)
{
	size_t	 len = 32 * (size_t)g.n;
	FILE	*f;

	if ((g.keys = malloc(len)) == NULL)
		err(1, NULL);
	if ((f = fopen(path, "rb")) == NULL)
		err(1, "%s", path);
	if (fread(g.keys, 1, len, f) != len)
		errx(1, "%s: fewer than %u keys", path, g.n);
	fclose(f);
}

/* One descriptor a session, and a few for the rest. */
static void
raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(1, "getrlimit");
	if (rl.rlim_cur >= g.n + 64)
		return;
	rl.rlim_cur = g.n + 64;
	if (rl.rlim_max < rl.rlim_cur)
		rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(1, "setrlimit RLIMIT_NOFILE %u", g.n + 64);
}

int
main(int argc, char *argv[])
{
	struct timeval	 tv = { 0, TICK_MS * 1000 };
	unsigned int	 i;
	int		 ch;

	log_init(1, 0, LOG_USER);
	g.n = 100;
	g.conc = 32;
	g.timeout_ms = 10000;
	g.rate = 10;
	while ((ch = getopt(argc, argv, "c:d:h:k:n:r:t:")) != -1) {
		switch (ch) {
		case 'c':
			g.conc = number(optarg, 1, 4096);
			break;
		case 'd':
			g.ndata = number(optarg, 0, 1000000);
			break;
		case 'h':
			g.hold_s = number(optarg, 0, 86400);
			break;
		case 'k':
			g.keepalive_s = number(optarg, 1, 3600);
			break;
		case 'n':
			g.n = number(optarg, 1, 1000000);
			break;
		case 'r':
			g.rate = number(optarg, 0, 10000);
			break;
		case 't':
			g.timeout_ms = number(optarg, 1, 3600) * 1000;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3)
		usage();
	if (g.ndata > g.n)
		errx(2, "-d %u: more than the %u sessions", g.ndata, g.n);
	if (sodium_init() == -1)
		errx(1, "sodium_init");
	read_keys(argv[0]);
	resolve(argv[1], argv[2]);
	raise_nofile();
	if ((g.v = calloc(g.n, sizeof(*g.v))) == NULL ||
	    (g.rtt_us = calloc(RTT_MAX, sizeof(*g.rtt_us))) == NULL)
		err(1, NULL);
	for (i = 0; i < g.n; i++) {
		g.v[i].idx = i;
		g.v[i].fd = -1;
	}
	event_init();
	evtimer_set(&g.tick_ev, tick_cb, NULL);
	g.t0 = now_ms();
	launch();
	evtimer_add(&g.tick_ev, &tv);
	event_dispatch();
	for (i = 0; i < F_MAX; i++)
		if (g.fails[i] > 0)
			return 1;
	return 0;
}
