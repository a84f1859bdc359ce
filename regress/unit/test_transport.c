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
 * Transport sockets over loopback: listeners for an IPv4, an IPv6 and the
 * "*" address, non-blocking connects to them, the socket options both
 * ends get, resolution and endpoint strings.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "msgcat.h"
#include "sockopt.h"
#include "transport.h"

#define WAIT_MS		10000

static int	failures;
static int	have_v6;
static int	want_cc;	/* the kernel will give us SOCKOPT_CONGESTION */

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static int	getint(int, int, int);
static int	congestion_available(void);
static int	wait_fd(int, short);
static void	check_fd_flags(int, const char *);
static void	check_stream_opts(int, const char *);
static int	listen_on(const char *, int *, size_t);
static void	loopback_addr(int, int, struct sockaddr_storage *,
		    socklen_t *);
static void	connect_and_accept(int, int);
static void	test_listen_v4(void);
static void	test_listen_v6(void);
static void	test_listen_any(void);
static void	test_listen_errors(void);
static void	test_refused(void);
static void	test_resolve(void);

static int
getint(int fd, int level, int name)
{
	socklen_t	 len = sizeof(int);
	int		 v = -1;

	if (getsockopt(fd, level, name, &v, &len) == -1)
		return (-1);
	return (v);
}

/* Root may load any algorithm the kernel has; others what is allowed. */
static int
congestion_available(void)
{
	FILE	*f;
	char	 line[512], *p, *tok;
	int	 found = 0;

	f = fopen(geteuid() == 0 ?
	    "/proc/sys/net/ipv4/tcp_available_congestion_control" :
	    "/proc/sys/net/ipv4/tcp_allowed_congestion_control", "r");
	if (f == NULL)
		return (0);
	if (fgets(line, sizeof(line), f) != NULL) {
		p = line;
		while ((tok = strsep(&p, " \n")) != NULL)
			if (strcmp(tok, SOCKOPT_CONGESTION) == 0)
				found = 1;
	}
	fclose(f);
	return (found);
}

static int
wait_fd(int fd, short events)
{
	struct pollfd	 pfd;

	pfd.fd = fd;
	pfd.events = events;
	return (poll(&pfd, 1, WAIT_MS) == 1);
}

static void
check_fd_flags(int fd, const char *what)
{
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "%s: blocking", what);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "%s: no close-on-exec", what);
}

static void
check_stream_opts(int fd, const char *what)
{
	CHECK(getint(fd, IPPROTO_TCP, TCP_NODELAY) > 0, "%s: TCP_NODELAY",
	    what);
	CHECK(getint(fd, SOL_SOCKET, SO_KEEPALIVE) > 0, "%s: SO_KEEPALIVE",
	    what);
#ifdef TCP_NOTSENT_LOWAT
	CHECK(getint(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT) ==
	    SOCKOPT_NOTSENT_LOWAT, "%s: TCP_NOTSENT_LOWAT %d", what,
	    getint(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT));
#endif
#ifdef TCP_CONGESTION
	if (want_cc) {
		char		 cc[32] = "";
		socklen_t	 len = sizeof(cc) - 1;

		getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &len);
		CHECK(strcmp(cc, SOCKOPT_CONGESTION) == 0,
		    "%s: congestion control \"%s\"", what, cc);
	}
#endif
}

/* One listen entry on port 0; returns the count transport_listen gave. */
static int
listen_on(const char *host, int *fds, size_t maxfds)
{
	struct conf	 conf;
	char		 err[256] = "";
	int		 n;

	memset(&conf, 0, sizeof(conf));
	conf.n_listen = 1;
	strlcpy(conf.listen[0].host, host, sizeof(conf.listen[0].host));
	strlcpy(conf.listen[0].port, "0", sizeof(conf.listen[0].port));
	if ((n = transport_listen(&conf, fds, NULL, maxfds, err,
	    sizeof(err))) < 0)
		printf("listen on %s: %s\n", host, err);
	return (n);
}

/* The loopback address of family af at the port fd is bound to. */
static void
loopback_addr(int fd, int af, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_storage	 bound;
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	socklen_t		 blen = sizeof(bound);
	in_port_t		 port;

	getsockname(fd, (struct sockaddr *)&bound, &blen);
	if (bound.ss_family == AF_INET)
		port = ((struct sockaddr_in *)&bound)->sin_port;
	else
		port = ((struct sockaddr_in6 *)&bound)->sin6_port;
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = port;
		*len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = port;
		*len = sizeof(*sin6);
	}
}

/* What the client loop and the tunnel worker do, on loopback. */
static void
connect_and_accept(int lfd, int af)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 err[256] = "", where[MSG_ENDPOINT_MAX];
	int			 fd, afd;

	loopback_addr(lfd, af, &ss, &len);
	transport_endpoint((struct sockaddr *)&ss, where, sizeof(where));
	if ((fd = transport_connect_start((struct sockaddr *)&ss, len, err,
	    sizeof(err))) == -1) {
		CHECK(0, "connect_start %s: %s", where, err);
		return;
	}
	check_fd_flags(fd, where);
	check_stream_opts(fd, where);
#ifdef SO_MARK
	if (geteuid() == 0)
		CHECK(getint(fd, SOL_SOCKET, SO_MARK) == TRANSPORT_FWMARK,
		    "%s: SO_MARK", where);
#endif
	CHECK(wait_fd(fd, POLLOUT), "%s: never writable", where);
	CHECK(transport_connect_finish(fd, err, sizeof(err)) == 0,
	    "connect_finish %s: %s", where, err);
	CHECK(wait_fd(lfd, POLLIN), "%s: nothing to accept", where);
	if ((afd = accept(lfd, NULL, NULL)) == -1) {
		CHECK(0, "accept from %s: %s", where, strerror(errno));
	} else {
		CHECK(sockopt_tune_stream(afd) == 0, "tune accepted: %s",
		    strerror(errno));
		check_stream_opts(afd, "accepted");
		close(afd);
	}
	close(fd);
}

static void
test_listen_v4(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			 buf[MSG_ENDPOINT_MAX], want[MSG_ENDPOINT_MAX];
	int			 fds[4];

	if (listen_on("127.0.0.1", fds, nitems(fds)) != 1) {
		CHECK(0, "listen on 127.0.0.1");
		return;
	}
	check_fd_flags(fds[0], "listener");
	CHECK(getint(fds[0], SOL_SOCKET, SO_REUSEADDR) > 0, "SO_REUSEADDR");
	getsockname(fds[0], (struct sockaddr *)&sin, &len);
	CHECK(sin.sin_family == AF_INET, "family %d", sin.sin_family);
	transport_endpoint((struct sockaddr *)&sin, buf, sizeof(buf));
	snprintf(want, sizeof(want), "127.0.0.1 %u", ntohs(sin.sin_port));
	CHECK(strcmp(buf, want) == 0, "endpoint \"%s\"", buf);
	connect_and_accept(fds[0], AF_INET);
	close(fds[0]);
}

static void
test_listen_v6(void)
{
	struct sockaddr_in6	 sin6;
	socklen_t		 len = sizeof(sin6);
	char			 buf[MSG_ENDPOINT_MAX], want[MSG_ENDPOINT_MAX];
	int			 fds[4];

	if (!have_v6)
		return;
	if (listen_on("::1", fds, nitems(fds)) != 1) {
		CHECK(0, "listen on ::1");
		return;
	}
	CHECK(getint(fds[0], IPPROTO_IPV6, IPV6_V6ONLY) == 1, "V6ONLY");
	getsockname(fds[0], (struct sockaddr *)&sin6, &len);
	transport_endpoint((struct sockaddr *)&sin6, buf, sizeof(buf));
	snprintf(want, sizeof(want), "::1 %u", ntohs(sin6.sin6_port));
	CHECK(strcmp(buf, want) == 0, "endpoint \"%s\"", buf);
	connect_and_accept(fds[0], AF_INET6);
	close(fds[0]);
}

/* "*": one socket that takes both families. */
static void
test_listen_any(void)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	int			 fds[4];

	if (listen_on("*", fds, nitems(fds)) != 1) {
		CHECK(0, "listen on *");
		return;
	}
	getsockname(fds[0], (struct sockaddr *)&ss, &len);
	if (have_v6) {
		CHECK(ss.ss_family == AF_INET6, "family %d", ss.ss_family);
		CHECK(getint(fds[0], IPPROTO_IPV6, IPV6_V6ONLY) == 0,
		    "V6ONLY set on *");
		connect_and_accept(fds[0], AF_INET6);
	}
	connect_and_accept(fds[0], AF_INET);
	close(fds[0]);
}

/* A failure leaves no descriptor behind. */
static void
test_listen_errors(void)
{
	struct conf	 conf;
	struct sockaddr_in sin;
	socklen_t	 len = sizeof(sin);
	char		 err[256] = "";
	int		 fds[4], probe, n;

	if (listen_on("127.0.0.1", fds, nitems(fds)) != 1)
		return;
	getsockname(fds[0], (struct sockaddr *)&sin, &len);
	memset(&conf, 0, sizeof(conf));
	conf.n_listen = 2;
	strlcpy(conf.listen[0].host, "127.0.0.1", sizeof(conf.listen[0].host));
	strlcpy(conf.listen[0].port, "0", sizeof(conf.listen[0].port));
	strlcpy(conf.listen[1].host, "127.0.0.1", sizeof(conf.listen[1].host));
	snprintf(conf.listen[1].port, sizeof(conf.listen[1].port), "%u",
	    ntohs(sin.sin_port));
	probe = dup(0);
	close(probe);
	n = transport_listen(&conf, fds + 1, NULL, nitems(fds) - 1, err,
	    sizeof(err));
	CHECK(n == -1 && err[0] != '\0', "port in use: n=%d", n);
	CHECK(dup(0) == probe, "a descriptor leaked");
	close(probe);
	conf.listen[1] = conf.listen[0];
	n = transport_listen(&conf, fds + 1, NULL, 1, err, sizeof(err));
	CHECK(n == -1 && strstr(err, "more than") != NULL,
	    "maxfds ignored: n=%d err=%s", n, err);
	CHECK(dup(0) == probe, "a descriptor leaked");
	close(probe);
	close(fds[0]);
}

/* A bound socket that does not listen answers with a reset. */
static void
test_refused(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			 err[256] = "";
	int			 s, fd;

	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s == -1 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(s, (struct sockaddr *)&sin, &len) == -1) {
		CHECK(0, "bind: %s", strerror(errno));
		return;
	}
	fd = transport_connect_start((struct sockaddr *)&sin, len, err,
	    sizeof(err));
	if (fd != -1) {
		CHECK(wait_fd(fd, POLLOUT), "refused connect never finished");
		CHECK(transport_connect_finish(fd, err, sizeof(err)) == -1,
		    "refused connect succeeded");
		close(fd);
	}
	CHECK(strstr(err, strerror(ECONNREFUSED)) != NULL, "error \"%s\"",
	    err);
	close(s);
}

static void
test_resolve(void)
{
	struct sockaddr_storage	 ss[TRANSPORT_MAX_ADDRS];
	socklen_t		 len[TRANSPORT_MAX_ADDRS];
	char			 err[256] = "", buf[MSG_ENDPOINT_MAX];
	int			 i, n;

	n = transport_resolve("localhost", "443", ss, len, nitems(ss), err,
	    sizeof(err));
	CHECK(n >= 1, "localhost: %s", err);
	for (i = 0; i < n; i++) {
		transport_endpoint((struct sockaddr *)&ss[i], buf, sizeof(buf));
		CHECK(strcmp(buf, "127.0.0.1 443") == 0 ||
		    strcmp(buf, "::1 443") == 0, "localhost is \"%s\"", buf);
	}
	n = transport_resolve("192.0.2.7", "443", ss, len, 1, err,
	    sizeof(err));
	CHECK(n == 1 && len[0] == sizeof(struct sockaddr_in), "numeric");
	n = transport_resolve("192.0.2.7", "no-such-service-x", ss, len, 1,
	    err, sizeof(err));
	CHECK(n == -1 && err[0] != '\0', "bad port accepted");
}

int
main(void)
{
	struct sockaddr_in6	 sin6;
	int			 s;

	log_init(1, 0, LOG_DAEMON);
	want_cc = congestion_available();
	/* Loopback IPv6 may be missing (disable_ipv6): test what there is. */
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	if ((s = socket(AF_INET6, SOCK_STREAM, 0)) != -1 &&
	    bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) == 0)
		have_v6 = 1;
	else
		printf("note: no IPv6 on loopback, IPv6 cases skipped\n");
	if (s != -1)
		close(s);
	test_listen_v4();
	test_listen_v6();
	test_listen_any();
	test_listen_errors();
	test_refused();
	test_resolve();
	if (failures > 0) {
		printf("%d failures\n", failures);
		return (1);
	}
	printf("transport: all checks passed\n");
	return (0);
}
