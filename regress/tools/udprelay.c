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
 * A lossy UDP relay for the live tests, standing in for a bad path:
 *
 *	udprelay [-o FILE] [-S SEED] [-U SPEC] [-D SPEC] -T SECONDS
 *	    LADDR LPORT HOST PORT
 *
 * It listens on LADDR LPORT and forwards each datagram to HOST PORT
 * (numeric addresses, IPv4 or IPv6), and each reply back to the client;
 * the client is the source of the first datagram, and datagrams from
 * any other source are counted as foreign and dropped.  -U applies to
 * the datagrams going up (client to server), -D to those coming down,
 * each a comma-separated list of
 *
 *	drop=P		drop it
 *	corrupt=P	flip random bits in one random byte
 *	dup=P		send it twice
 *	reorder=P	hold it back, and send it after the next N
 *			datagrams of that direction (or after HOLD_MS,
 *			so that a quiet path does not keep it forever)
 *	hold=N		that N (default 3, at most HOLD_MAX)
 *
 * with P a probability in percent (decimals allowed); the choices are
 * independent and made in that order, a dropped datagram having no
 * others.  -S seeds the choices (default 1), so that a run can be
 * repeated.  The relay exits after -T seconds whatever happens, so a
 * test that fails never leaves it behind.  On SIGUSR1 and at exit
 * (the timeout, SIGTERM, SIGINT) it writes its counts to -o FILE
 * (replaced whole, by a rename), or to standard output, one line each
 * direction:
 *
 *	up received N sent N dropped N duplicated N reordered N corrupted N
 *	down received N sent N dropped N duplicated N reordered N corrupted N
 *	foreign N
 *
 * (sent counts every datagram sent, duplicates included).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DGRAM_MAX	65536
#define HOLD_MAX	64
#define HOLD_MS		50
#define SOCKBUF		(4 * 1024 * 1024)
#define PCT_SCALE	1000000		/* probabilities in millionths */

enum dir { UP, DOWN, NDIR };

struct held {
	uint8_t		*buf;
	size_t		 len;
	unsigned int	 after;		/* datagrams still to pass it */
	uint64_t	 since;
};

struct impair {
	uint32_t	 drop, dup, reorder, corrupt;	/* millionths */
	unsigned int	 hold;
};

struct counts {
	uint64_t	 received, sent, dropped, duplicated, reordered;
	uint64_t	 corrupted;
};

struct path {
	struct impair	 imp;
	struct counts	 n;
	struct held	 q[HOLD_MAX];
	unsigned int	 nq;
	int		 fd;		/* where this direction sends */
	int		 connected;	/* up: fd is connected to the server */
};

static struct path		 paths[NDIR];
static struct sockaddr_storage	 client;
static socklen_t		 clientlen;
static uint64_t			 foreign, rng;
static volatile sig_atomic_t	 want_counts, want_exit;

__attribute__((noreturn)) static void
usage(void)
{
	fprintf(stderr, "usage: udprelay [-o file] [-S seed] [-U spec] "
	    "[-D spec] -T seconds\n"
	    "                laddr lport host port\n"
	    "spec: drop=P,dup=P,reorder=P,hold=N,corrupt=P (P in %%)\n");
	exit(2);
}

__attribute__((noreturn)) static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* splitmix64: small, and the same sequence for the same seed. */
static uint64_t
rnd(void)
{
	uint64_t	 z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
chance(uint32_t millionths)
{
	return millionths > 0 && rnd() % PCT_SCALE < millionths;
}

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t
parse_pct(const char *s)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || d < 0 || d > 100)
		usage();
	return (uint32_t)(d * (PCT_SCALE / 100) + 0.5);
}

static void
parse_spec(struct impair *imp, char *spec)
{
	char	*item, *val;
	long	 n;

	while ((item = strsep(&spec, ",")) != NULL) {
		if ((val = strchr(item, '=')) == NULL)
			usage();
		*val++ = '\0';
		if (strcmp(item, "drop") == 0)
			imp->drop = parse_pct(val);
		else if (strcmp(item, "dup") == 0)
			imp->dup = parse_pct(val);
		else if (strcmp(item, "reorder") == 0)
			imp->reorder = parse_pct(val);
		else if (strcmp(item, "corrupt") == 0)
			imp->corrupt = parse_pct(val);
		else if (strcmp(item, "hold") == 0) {
			n = strtol(val, &val, 10);
			if (*val != '\0' || n < 1 || n > HOLD_MAX)
				usage();
			imp->hold = n;
		} else
			usage();
	}
}

static void
resolve(const char *host, const char *port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct addrinfo	 hints, *res;
	int		 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		fprintf(stderr, "udprelay: %s %s: %s\n", host, port,
		    gai_strerror(e));
		exit(1);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
}

/* A socket with buffers large enough that the kernel drops nothing. */
static int
udp_socket(int family)
{
	int	 fd, n = SOCKBUF;

	if ((fd = socket(family, SOCK_DGRAM, 0)) == -1)
		die("socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &n, sizeof(n));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &n, sizeof(n));
	return fd;
}

static void
send_one(struct path *p, const uint8_t *buf, size_t len)
{
	ssize_t	 r;

	if (p->connected)
		r = send(p->fd, buf, len, 0);
	else
		r = sendto(p->fd, buf, len, 0, (struct sockaddr *)&client,
		    clientlen);
	if (r == (ssize_t)len)
		p->n.sent++;
}

static void
release(struct path *p, unsigned int i)
{
	send_one(p, p->q[i].buf, p->q[i].len);
	free(p->q[i].buf);
	p->q[i] = p->q[--p->nq];
}

/* One more datagram went by: those held long enough follow it. */
static void
held_pass(struct path *p)
{
	unsigned int	 i = 0;

	while (i < p->nq)
		if (--p->q[i].after == 0)
			release(p, i);
		else
			i++;
}

static void
held_expire(struct path *p, uint64_t now)
{
	unsigned int	 i = 0;

	while (i < p->nq)
		if (now - p->q[i].since >= HOLD_MS)
			release(p, i);
		else
			i++;
}

static int
hold(struct path *p, const uint8_t *buf, size_t len)
{
	struct held	*h;

	if (p->nq == HOLD_MAX)
		return 0;
	h = &p->q[p->nq];
	if ((h->buf = malloc(len > 0 ? len : 1)) == NULL)
		return 0;
	memcpy(h->buf, buf, len);
	h->len = len;
	h->after = p->imp.hold;
	h->since = now_ms();
	p->nq++;
	return 1;
}

static void
corrupt(uint8_t *buf, size_t len)
{
	uint8_t	 mask;

	do
		mask = rnd() & 0xff;
	while (mask == 0);
	buf[rnd() % len] ^= mask;
}

/*
 * The impairments of one direction, in the order the header gives: a
 * corrupted datagram is duplicated corrupted, and of a duplicated one
 * that is held back, the copy goes at once.
 */
static void
forward(struct path *p, uint8_t *buf, size_t len)
{
	int	 copies = 1, late;

	p->n.received++;
	if (chance(p->imp.drop)) {
		p->n.dropped++;
		return;
	}
	if (chance(p->imp.corrupt) && len > 0) {
		p->n.corrupted++;
		corrupt(buf, len);
	}
	if (chance(p->imp.dup)) {
		p->n.duplicated++;
		copies++;
	}
	late = chance(p->imp.reorder) && p->nq < HOLD_MAX;
	if (late)
		copies--;
	while (copies-- > 0)
		send_one(p, buf, len);
	held_pass(p);
	if (late && hold(p, buf, len))
		p->n.reordered++;
	else if (late)
		send_one(p, buf, len);
}

static void
write_counts(const char *file)
{
	static const char	*names[NDIR] = { "up", "down" };
	char			 tmp[4096];
	FILE			*fp = stdout;
	int			 d;

	if (file != NULL) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", file);
		if ((fp = fopen(tmp, "w")) == NULL)
			die(tmp);
	}
	for (d = 0; d < NDIR; d++)
		fprintf(fp, "%s received %llu sent %llu dropped %llu "
		    "duplicated %llu reordered %llu corrupted %llu\n",
		    names[d], (unsigned long long)paths[d].n.received,
		    (unsigned long long)paths[d].n.sent,
		    (unsigned long long)paths[d].n.dropped,
		    (unsigned long long)paths[d].n.duplicated,
		    (unsigned long long)paths[d].n.reordered,
		    (unsigned long long)paths[d].n.corrupted);
	fprintf(fp, "foreign %llu\n", (unsigned long long)foreign);
	if (file == NULL) {
		fflush(fp);
		return;
	}
	if (fclose(fp) == EOF || rename(tmp, file) == -1)
		die(file);
}

static int
same_addr(const struct sockaddr_storage *a, socklen_t alen,
    const struct sockaddr_storage *b, socklen_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* From the client: the first one names it; others are foreign. */
static void
from_client(int lfd, uint8_t *buf)
{
	struct sockaddr_storage	 from;
	socklen_t		 fromlen = sizeof(from);
	ssize_t			 n;

	n = recvfrom(lfd, buf, DGRAM_MAX, 0, (struct sockaddr *)&from,
	    &fromlen);
	if (n == -1)
		return;
	if (clientlen == 0) {
		memcpy(&client, &from, fromlen);
		clientlen = fromlen;
	} else if (!same_addr(&client, clientlen, &from, fromlen)) {
		foreign++;
		return;
	}
	forward(&paths[UP], buf, n);
}

static void
from_server(int sfd, uint8_t *buf)
{
	ssize_t	 n;

	/* Connected: only the server's datagrams arrive here. */
	if ((n = recv(sfd, buf, DGRAM_MAX, 0)) == -1)
		return;
	if (clientlen == 0)
		return;
	forward(&paths[DOWN], buf, n);
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_counts = 1;
	else
		want_exit = 1;
}

static void
signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		die("sigaction");
}

static void
relay(int lfd, int sfd, uint64_t deadline, const char *file)
{
	struct pollfd	 pfd[2];
	uint8_t		*buf;
	uint64_t	 now;
	int		 d, wait;

	if ((buf = malloc(DGRAM_MAX)) == NULL)
		die("malloc");
	pfd[0].fd = lfd;
	pfd[1].fd = sfd;
	pfd[0].events = pfd[1].events = POLLIN;
	while (!want_exit && (now = now_ms()) < deadline) {
		if (want_counts) {
			want_counts = 0;
			write_counts(file);
		}
		for (d = 0; d < NDIR; d++)
			held_expire(&paths[d], now);
		wait = paths[UP].nq + paths[DOWN].nq > 0 ? HOLD_MS / 5 :
		    deadline - now > 1000 ? 1000 : (int)(deadline - now);
		if (poll(pfd, 2, wait) == -1) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (pfd[0].revents & (POLLIN | POLLERR))
			from_client(lfd, buf);
		if (pfd[1].revents & (POLLIN | POLLERR))
			from_server(sfd, buf);
	}
	free(buf);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_storage	 laddr, saddr;
	socklen_t		 llen, slen;
	const char		*file = NULL;
	char			*end;
	long long		 secs = 0;
	int			 ch, lfd, sfd;

	rng = 1;
	paths[UP].imp.hold = paths[DOWN].imp.hold = 3;
	while ((ch = getopt(argc, argv, "D:o:S:T:U:")) != -1) {
		switch (ch) {
		case 'D':
			parse_spec(&paths[DOWN].imp, optarg);
			break;
		case 'o':
			file = optarg;
			break;
		case 'S':
			rng = strtoull(optarg, &end, 10);
			if (*end != '\0')
				usage();
			break;
		case 'T':
			secs = strtoll(optarg, &end, 10);
			if (*end != '\0' || secs < 1 || secs > 86400)
				usage();
			break;
		case 'U':
			parse_spec(&paths[UP].imp, optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 4 || secs == 0)
		usage();
	resolve(argv[0], argv[1], &laddr, &llen);
	resolve(argv[2], argv[3], &saddr, &slen);
	lfd = udp_socket(laddr.ss_family);
	sfd = udp_socket(saddr.ss_family);
	if (bind(lfd, (struct sockaddr *)&laddr, llen) == -1)
		die("bind");
	if (connect(sfd, (struct sockaddr *)&saddr, slen) == -1)
		die("connect");
	paths[UP].fd = sfd;
	paths[UP].connected = 1;
	paths[DOWN].fd = lfd;
	signals();
	relay(lfd, sfd, now_ms() + (uint64_t)secs * 1000, file);
	write_counts(file);
	return 0;
}
