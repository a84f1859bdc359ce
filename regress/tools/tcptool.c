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
 * A small TCP tool for the live tests, standing in for a hostile peer or
 * a broken middlebox:
 *
 *	tcptool relay LPORT HOST PORT [-f N] [-r FILE] [-n LEN]
 *		accept connections on LPORT and relay each to HOST PORT;
 *		-f N: flip one bit in every N bytes relayed (client to
 *		server); -r FILE: record the first LEN (-n) bytes the client
 *		sent on the first connection.  SIGUSR1 cuts every connection.
 *	tcptool send HOST PORT FILE [WAIT]
 *		connect, send the file's bytes, wait WAIT seconds for the
 *		peer to answer; prints how many bytes came back.
 *	tcptool slow HOST PORT INTERVAL COUNT
 *		connect and send one random byte every INTERVAL seconds,
 *		COUNT times (a slowloris).
 *	tcptool random HOST PORT LEN
 *		connect and send LEN random bytes, then read until closed.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN	64

static volatile sig_atomic_t	 cut;

__attribute__((noreturn)) static void
usage(void)
{
	fprintf(stderr, "usage: tcptool relay LPORT HOST PORT [-f N] "
	    "[-r FILE -n LEN]\n"
	    "       tcptool send HOST PORT FILE [WAIT]\n"
	    "       tcptool slow HOST PORT INTERVAL COUNT\n"
	    "       tcptool random HOST PORT LEN\n");
	exit(2);
}

static int
dial(const char *host, const char *port)
{
	struct addrinfo	 hints, *res, *ai;
	int		 s = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((s = socket(ai->ai_family, SOCK_STREAM, 0)) == -1)
			continue;
		if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(s);
		s = -1;
	}
	freeaddrinfo(res);
	return s;
}

static int
listen_on(const char *port)
{
	struct sockaddr_in6	 sin6;
	int			 s, on = 1, off = 0;

	if ((s = socket(AF_INET6, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(atoi(port));
	if (bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) == -1 ||
	    listen(s, 16) == -1)
		return -1;
	return s;
}

static void
on_usr1(int sig)
{
	(void)sig;
	cut = 1;
}

struct pairing {
	int	 c, s;		/* client side, server side */
	size_t	 seen;		/* client bytes relayed */
};

static int
relay(int argc, char **argv)
{
	struct pairing	 p[MAXCONN];
	struct pollfd	 pfd[1 + 2 * MAXCONN];
	const char	*record = NULL;
	char		 buf[65536];
	size_t		 reclen = 0, np = 0, i, k;
	long		 flip = 0;
	int		 l, ch, recorded = 0, n;
	FILE		*rf;

	if (argc < 4)
		usage();
	optind = 4;
	while ((ch = getopt(argc, argv, "f:r:n:")) != -1) {
		switch (ch) {
		case 'f': flip = atol(optarg); break;
		case 'r': record = optarg; break;
		case 'n': reclen = atol(optarg); break;
		default: usage();
		}
	}
	if ((l = listen_on(argv[1])) == -1) {
		perror("listen");
		return 1;
	}
	signal(SIGUSR1, on_usr1);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		if (cut) {
			for (i = 0; i < np; i++) {
				close(p[i].c);
				close(p[i].s);
			}
			np = 0;
			cut = 0;
		}
		pfd[0].fd = l;
		pfd[0].events = POLLIN;
		for (i = 0; i < np; i++) {
			pfd[1 + 2 * i].fd = p[i].c;
			pfd[1 + 2 * i].events = POLLIN;
			pfd[2 + 2 * i].fd = p[i].s;
			pfd[2 + 2 * i].events = POLLIN;
		}
		if (poll(pfd, 1 + 2 * np, 1000) == -1) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if ((pfd[0].revents & POLLIN) && np < MAXCONN) {
			int	 c = accept(l, NULL, NULL), s;

			if (c != -1 && (s = dial(argv[2], argv[3])) != -1) {
				p[np].c = c;
				p[np].s = s;
				p[np].seen = 0;
				np++;
			} else if (c != -1)
				close(c);
			continue;
		}
		for (i = 0; i < np; i++) {
			for (k = 0; k < 2; k++) {
				struct pollfd	*f = &pfd[1 + 2 * i + k];
				int		 to = k == 0 ? p[i].s : p[i].c;

				if (!(f->revents & (POLLIN | POLLHUP | POLLERR)))
					continue;
				n = read(f->fd, buf, sizeof(buf));
				if (n <= 0)
					goto drop;
				if (k == 0 && record && !recorded &&
				    p[i].seen < reclen) {
					size_t	 m = reclen - p[i].seen;

					if (m > (size_t)n)
						m = n;
					if ((rf = fopen(record, "ab")) != NULL) {
						fwrite(buf, 1, m, rf);
						fclose(rf);
					}
					if (p[i].seen + m >= reclen)
						recorded = 1;
				}
				if (k == 0 && flip > 0) {
					long	 j;

					for (j = 0; j < n; j++)
						if ((p[i].seen + j) % flip ==
						    (size_t)flip - 1)
							buf[j] ^= 0x10;
				}
				if (k == 0)
					p[i].seen += n;
				if (write(to, buf, n) != n)
					goto drop;
			}
			continue;
 drop:
			close(p[i].c);
			close(p[i].s);
			p[i] = p[--np];
			break;
		}
	}
}

static int
sendfile_cmd(int argc, char **argv)
{
	char	 buf[65536];
	FILE	*f;
	size_t	 n, got = 0;
	int	 s, wait = argc > 4 ? atoi(argv[4]) : 2;
	ssize_t	 r;
	struct pollfd	 pfd;

	if (argc < 4)
		usage();
	if ((s = dial(argv[1], argv[2])) == -1) {
		perror("connect");
		return 1;
	}
	if ((f = fopen(argv[3], "rb")) == NULL) {
		perror(argv[3]);
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (write(s, buf, n) != (ssize_t)n)
			break;
	fclose(f);
	pfd.fd = s;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, wait * 1000) > 0) {
		if ((r = read(s, buf, sizeof(buf))) <= 0)
			break;
		got += r;
	}
	printf("%zu\n", got);
	return 0;
}

static int
slow(int argc, char **argv)
{
	int	 s, i, count;
	char	 c;

	if (argc < 5)
		usage();
	count = atoi(argv[4]);
	if ((s = dial(argv[1], argv[2])) == -1)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < count; i++) {
		c = (char)rand();
		if (write(s, &c, 1) != 1)
			break;
		sleep(atoi(argv[3]));
	}
	return 0;
}

static int
random_cmd(int argc, char **argv)
{
	char	 buf[4096];
	long	 len, i;
	int	 s;

	if (argc < 4)
		usage();
	len = atol(argv[3]);
	if ((s = dial(argv[1], argv[2])) == -1)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	srand(time(NULL) ^ getpid());
	while (len > 0) {
		for (i = 0; i < (long)sizeof(buf); i++)
			buf[i] = (char)rand();
		i = len < (long)sizeof(buf) ? len : (long)sizeof(buf);
		if (write(s, buf, i) != i)
			break;
		len -= i;
	}
	while (read(s, buf, sizeof(buf)) > 0)
		continue;
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	argc--;
	argv++;
	if (strcmp(argv[0], "relay") == 0)
		return relay(argc, argv);
	if (strcmp(argv[0], "send") == 0)
		return sendfile_cmd(argc, argv);
	if (strcmp(argv[0], "slow") == 0)
		return slow(argc, argv);
	if (strcmp(argv[0], "random") == 0)
		return random_cmd(argc, argv);
	usage();
}
