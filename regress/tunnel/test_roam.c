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
 * roam_fd_fits(): the tunnel takes a fresh socket from the parent only
 * if it is a datagram socket connected to the very address and port the
 * session's socket is connected to.  Tried on loopback: a fit; another
 * port; another address; an unconnected socket on either side; a TCP
 * socket; a socket pair; a pipe; no descriptor; IPv6 against IPv4.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tunnel.h"

static int	 failures;

#define CHECK(c) do {							\
	if (!(c)) {							\
		printf("FAIL %s:%d: %s\n", __func__, __LINE__, #c);	\
		failures++;						\
	}								\
} while (0)

/* A socket of type to addr port (port 0: not connected); -1 if the
 * host cannot make it. */
static int
sock_to(int family, int type, const char *addr, int port)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	int			 fd;

	if ((fd = socket(family, type, 0)) == -1)
		return -1;
	if (port == 0)
		return fd;
	if (family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		inet_pton(AF_INET, addr, &sin.sin_addr);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
			return fd;
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &sin6.sin6_addr);
		if (connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0)
			return fd;
	}
	close(fd);
	return -1;
}

static void
t_udp(void)
{
	int	 old, fd;

	old = sock_to(AF_INET, SOCK_DGRAM, "127.0.0.1", 4443);
	CHECK(old != -1);
	fd = sock_to(AF_INET, SOCK_DGRAM, "127.0.0.1", 4443);
	CHECK(fd != -1 && roam_fd_fits(old, fd) == 1);
	close(fd);
	fd = sock_to(AF_INET, SOCK_DGRAM, "127.0.0.1", 4444);
	CHECK(fd != -1 && roam_fd_fits(old, fd) == 0);
	close(fd);
	fd = sock_to(AF_INET, SOCK_DGRAM, "127.0.0.2", 4443);
	CHECK(fd != -1 && roam_fd_fits(old, fd) == 0);
	close(fd);
	fd = sock_to(AF_INET, SOCK_DGRAM, NULL, 0);
	CHECK(fd != -1 && roam_fd_fits(old, fd) == 0);
	close(fd);
	/* The old one unconnected: nothing fits it. */
	fd = sock_to(AF_INET, SOCK_DGRAM, NULL, 0);
	CHECK(fd != -1 && roam_fd_fits(fd, old) == 0);
	close(fd);
	close(old);
}

static void
t_other(void)
{
	int	 old, fd, lfd, sp[2];
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	/* A TCP connection to where the UDP socket is connected. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	CHECK(lfd != -1 && bind(lfd, (struct sockaddr *)&sin,
	    sizeof(sin)) == 0 && listen(lfd, 1) == 0 &&
	    getsockname(lfd, (struct sockaddr *)&sin, &len) == 0);
	old = sock_to(AF_INET, SOCK_DGRAM, "127.0.0.1", ntohs(sin.sin_port));
	fd = sock_to(AF_INET, SOCK_STREAM, "127.0.0.1", ntohs(sin.sin_port));
	CHECK(old != -1 && fd != -1 && roam_fd_fits(old, fd) == 0);
	close(fd);
	close(lfd);
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) == 0);
	CHECK(roam_fd_fits(old, sp[0]) == 0);
	close(sp[0]);
	close(sp[1]);
	/* A descriptor that is no socket, or none at all. */
	CHECK(pipe(sp) == 0 && roam_fd_fits(old, sp[0]) == 0);
	close(sp[0]);
	close(sp[1]);
	CHECK(roam_fd_fits(old, -1) == 0);
	CHECK(roam_fd_fits(old, 1000) == 0);
	/* IPv6 against IPv4, where the host has IPv6. */
	if ((fd = sock_to(AF_INET6, SOCK_DGRAM, "::1", 4443)) != -1) {
		CHECK(roam_fd_fits(old, fd) == 0);
		close(fd);
	}
	close(old);
}

int
main(void)
{
	t_udp();
	t_other();
	if (failures > 0) {
		printf("%d failures\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
