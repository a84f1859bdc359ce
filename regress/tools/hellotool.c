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
 * A flood of UDP hellos for the live tests, from several source
 * addresses, counting what the server answers:
 *
 *	hellotool [-k keyfile] [-n count] [-r rate] [-w ms] host port
 *	    src ...
 *
 * With -k each hello is a real one (the daemon's own datagram code,
 * tunnel/dgram.h, as a client with that key: a fresh ephemeral key and
 * nonce each, so the server's replay cache lets every one through and
 * only its rate limits and cookies stand in the way).  Without -k each
 * is hello-shaped junk: the type, version and length of a hello and
 * random bytes after, which an attacker without a key can send and the
 * server must drop before any key (its key id is none the server
 * knows).  count hellos (default 1000) go out at rate a second
 * (default 1000), each from a source taken at random, from its own
 * socket bound to it (SIGTERM or SIGINT ends the sending early); then
 * the tool reads answers for -w ms more (default 500) and prints one
 * line:
 *
 *	sent N hello_max N answers N replies N cookies N other N answer_max N
 *
 * (hello_max: the longest hello sent; answer_max: the longest answer;
 * replies: handshake replies; cookies: cookie replies).  Exit 0.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "dgram.h"
#include "log.h"

#define SRC_MAX		256
#define TICK_MS		1	/* spread out: no bursts between gaps */

struct tally {
	unsigned long	 sent, answers, replies, cookies, other;
	size_t		 sent_max, answer_max;
};

static uint8_t			 psk[PROTO_KEY_LEN];
static int			 have_key;
static volatile sig_atomic_t	 stop;

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

__dead static void
usage(void)
{
	fprintf(stderr, "usage: hellotool [-k keyfile] [-n count] "
	    "[-r rate] [-w ms] host port src ...\n");
	exit(2);
}

static void
on_signal(int sig)
{
	stop = 1;
}

static void
signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		err(1, "sigaction");
}

static long
number(const char *s, long min, long max)
{
	const char	*e;
	long long	 n;

	n = strtonum(s, min, max, &e);
	if (e != NULL)
		errx(2, "%s: %s", s, e);
	return n;
}

static void
read_key(const char *path)
{
	struct conf_key	 key;
	char		 why[CONF_KEY_ERR_MAX];

	if (load_key(path, &key, why, sizeof(why)) == -1)
		errx(1, "%s", why);
	memcpy(psk, key.psk, sizeof(psk));
	sodium_memzero(&key, sizeof(key));
	have_key = 1;
}

/* A real hello, as a dsvpnd client's first datagram; its length. */
static size_t
real_hello(uint8_t *buf, size_t max)
{
	struct dgram_params	 dp;
	struct dgram		*d;
	const uint8_t		*out;
	size_t			 n;

	memset(&dp, 0, sizeof(dp));
	dp.base.role = PROTO_CLIENT;
	dp.base.version = PROTO_V2;
	memcpy(dp.base.psk, psk, sizeof(dp.base.psk));
	d = dgram_new(&dp);
	sodium_memzero(&dp, sizeof(dp));
	if (d == NULL)
		err(1, "dgram_new");
	if (dgram_start(d, now_ms()) == -1)
		errx(1, "dgram_start: %s", dgram_error(d));
	if ((n = dgram_pending(d, &out)) == 0 || n > max)
		errx(1, "no hello to send");
	memcpy(buf, out, n);
	dgram_free(d);
	return n;
}

/* Shaped as a hello, random after: no key id the server knows. */
static size_t
junk_hello(uint8_t *buf)
{
	randombytes_buf(buf, DGRAM_HELLO_LEN);
	buf[0] = DGRAM_T_HELLO;
	buf[1] = DGRAM_VERSION;
	buf[2] = buf[3] = 0;
	return DGRAM_HELLO_LEN;
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
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(1, "%s %s: %s", host, port, gai_strerror(e));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
}

/* A non-blocking socket bound to src, connected to the server. */
static int
source_socket(const char *src, const struct sockaddr_storage *to,
    socklen_t tolen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd;

	resolve(src, "0", &ss, &len);
	if ((fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1)
		err(1, "socket");
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		err(1, "bind %s", src);
	if (connect(fd, (const struct sockaddr *)to, tolen) == -1)
		err(1, "connect");
	return fd;
}

static void
tally_answer(struct tally *t, const uint8_t *b, ssize_t n)
{
	t->answers++;
	if ((size_t)n > t->answer_max)
		t->answer_max = n;
	if (n > 0 && b[0] == DGRAM_T_REPLY)
		t->replies++;
	else if (n > 0 && b[0] == DGRAM_T_COOKIE)
		t->cookies++;
	else
		t->other++;
}

/* Everything the server sent so far, on every socket. */
static void
drain(struct pollfd *pfd, int nfd, struct tally *t, int ms)
{
	uint8_t	 b[DGRAM_MAX_LEN];
	ssize_t	 n;
	int	 i;

	if (poll(pfd, nfd, ms) <= 0)
		return;
	for (i = 0; i < nfd; i++) {
		if ((pfd[i].revents & (POLLIN | POLLERR)) == 0)
			continue;
		while ((n = recv(pfd[i].fd, b, sizeof(b), 0)) >= 0)
			tally_answer(t, b, n);
	}
}

static void
send_hello(int fd, struct tally *t)
{
	uint8_t	 b[DGRAM_HELLO_LEN * 2];
	size_t	 n;

	n = have_key ? real_hello(b, sizeof(b)) : junk_hello(b);
	/* Refused (ICMP seen), or the buffer full: sent all the same. */
	(void)send(fd, b, n, 0);
	t->sent++;
	if (n > t->sent_max)
		t->sent_max = n;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_storage	 to;
	struct pollfd		 pfd[SRC_MAX];
	struct tally		 t;
	socklen_t		 tolen;
	uint64_t		 start, end, due;
	long			 count = 1000, rate = 1000, wait_ms = 500;
	int			 ch, i, nfd;

	log_init(1, 0, LOG_USER);
	if (sodium_init() == -1)
		errx(1, "sodium_init");
	while ((ch = getopt(argc, argv, "k:n:r:w:")) != -1) {
		switch (ch) {
		case 'k':
			read_key(optarg);
			break;
		case 'n':
			count = number(optarg, 1, 10000000);
			break;
		case 'r':
			rate = number(optarg, 1, 1000000);
			break;
		case 'w':
			wait_ms = number(optarg, 0, 600000);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 3 || argc - 2 > SRC_MAX)
		usage();
	resolve(argv[0], argv[1], &to, &tolen);
	for (nfd = 0; nfd < argc - 2; nfd++) {
		pfd[nfd].fd = source_socket(argv[nfd + 2], &to, tolen);
		pfd[nfd].events = POLLIN;
	}
	memset(&t, 0, sizeof(t));
	signals();
	start = now_ms();
	while ((long)t.sent < count && !stop) {
		/* As many as the rate allows by now, then a short wait. */
		due = (now_ms() - start + TICK_MS) * rate / 1000;
		/*
		 * A source at random each time: in turn, every source
		 * would get past its rate limit in the same round, and
		 * the server's global bucket fill up between rounds.
		 */
		while ((long)t.sent < count && t.sent < due && !stop)
			send_hello(pfd[randombytes_uniform(nfd)].fd, &t);
		drain(pfd, nfd, &t, TICK_MS);
	}
	end = now_ms() + wait_ms;
	while (now_ms() < end)
		drain(pfd, nfd, &t, TICK_MS);
	printf("sent %lu hello_max %zu answers %lu replies %lu cookies %lu "
	    "other %lu answer_max %zu\n", t.sent, t.sent_max, t.answers,
	    t.replies, t.cookies, t.other, t.answer_max);
	for (i = 0; i < nfd; i++)
		close(pfd[i].fd);
	sodium_memzero(psk, sizeof(psk));
	return 0;
}
