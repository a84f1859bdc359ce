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
 * Transport sockets: the server's listeners and the client's connects.
 * Made here, in the root parent, because only it may bind port 443 and
 * set SO_MARK; the tunnel worker gets the descriptors.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "msgcat.h"
#include "sockopt.h"
#include "transport.h"

static uint32_t	transport_fwmark = TRANSPORT_FWMARK;

static int	transport_fdflags(int);
static int	listen_addr(const struct addrinfo *, int, char *, size_t);
static int	listen_any(const char *, int, char *, size_t);
static int	listen_entry(const struct conf_listen *, int, int *, size_t,
		    size_t *, char *, size_t);

/* Close-on-exec: the parent re-executes itself for its children. */
static int
transport_fdflags(int fd)
{
	int	 fl;

	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    (fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return (-1);
	return (0);
}

/*
 * A server's UDP socket reports the address each datagram came to, so
 * that the tunnel answers from it (tunnel/udpio.h): on a wildcard
 * socket of a host with several addresses the kernel's own choice of
 * source may be another, which the client's connected socket ignores.
 * A dual-stack socket reports IPv4 ones through IPV6_PKTINFO too.
 * Linux only, as udpio-linux.c reads it.  Best effort: without it the
 * kernel chooses, as before.
 */
static void
udp_want_local(int fd, int family)
{
	int	 on = 1;

#if defined(__linux__) && defined(IPV6_RECVPKTINFO)
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
		    sizeof(on));
#endif
#if defined(__linux__) && defined(IP_PKTINFO)
	if (family == AF_INET)
		(void)setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
#endif
}

/*
 * No TCP_DEFER_ACCEPT: the tunnel worker times out silent connections
 * itself, and a deferred accept would hide them from its cap on
 * unauthenticated connections.  The congestion control is set here
 * because accepted sockets inherit it and the worker may lack the
 * privilege to choose a non-default algorithm.
 */
static int
listen_addr(const struct addrinfo *ai, int v6only, char *err,
    size_t errlen)
{
	char	 where[MSG_ENDPOINT_MAX];
	int	 fd, on = 1, save;

	transport_endpoint(ai->ai_addr, where, sizeof(where));
	if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) == -1) {
		save = errno;
		snprintf(err, errlen, "listen on %s: socket: %s", where,
		    strerror(errno));
		errno = save;
		return (-1);
	}
	if (transport_fdflags(fd) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &v6only, sizeof(v6only)) == -1) ||
	    (ai->ai_socktype == SOCK_DGRAM &&
	    transport_udp_options(fd, ai->ai_family) == -1) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    (ai->ai_socktype == SOCK_STREAM &&
	    listen(fd, TRANSPORT_BACKLOG) == -1)) {
		save = errno;
		snprintf(err, errlen, "listen on %s: %s", where,
		    strerror(errno));
		close(fd);
		errno = save;
		return (-1);
	}
	if (ai->ai_socktype == SOCK_STREAM)
		sockopt_congestion(fd);
	else
		udp_want_local(fd, ai->ai_family);
	return (fd);
}

/* "*": one dual-stack [::] socket, or 0.0.0.0 on a host without IPv6. */
static int
listen_any(const char *port, int socktype, char *err, size_t errlen)
{
	struct addrinfo	 hints, *ai;
	const char	*any[] = { "::", "0.0.0.0" };
	size_t		 i;
	int		 fd = -1, error;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
	for (i = 0; i < nitems(any) && fd == -1; i++) {
		if ((error = getaddrinfo(any[i], port, &hints, &ai)) != 0) {
			snprintf(err, errlen, "listen on %s %s: %s", any[i],
			    port, gai_strerror(error));
			return (-1);
		}
		fd = listen_addr(ai, 0, err, errlen);
		freeaddrinfo(ai);
		if (fd == -1 && errno != EAFNOSUPPORT &&
		    errno != EPROTONOSUPPORT && errno != EADDRNOTAVAIL)
			break;
	}
	return (fd);
}

static int
listen_entry(const struct conf_listen *l, int socktype, int *fds,
    size_t maxfds, size_t *n, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res, *ai;
	int		 error, fd;

	if (strcmp(l->host, "*") == 0) {
		if (*n >= maxfds)
			goto full;
		if ((fd = listen_any(l->port, socktype, err, errlen)) == -1)
			return (-1);
		fds[(*n)++] = fd;
		return (0);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_PASSIVE;
	if ((error = getaddrinfo(l->host, l->port, &hints, &res)) != 0) {
		snprintf(err, errlen, "listen on %s %s: %s", l->host,
		    l->port, gai_strerror(error));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (*n >= maxfds) {
			freeaddrinfo(res);
			goto full;
		}
		/* A named v6 address means only that address. */
		if ((fd = listen_addr(ai, 1, err, errlen)) == -1) {
			freeaddrinfo(res);
			return (-1);
		}
		fds[(*n)++] = fd;
	}
	freeaddrinfo(res);
	return (0);
 full:
	snprintf(err, errlen, "listen on %s: more than %zu addresses",
	    l->host, maxfds);
	return (-1);
}

/* A listen entry's transports; none set is TCP, as before they existed. */
static int
listen_has(const struct conf_listen *l, uint8_t t)
{
	uint8_t	 set = l->transports != 0 ? l->transports : CONF_T_TCP;

	return (set & t) != 0;
}

static int
listen_all(const struct conf *conf, uint8_t t, int *fds, int *protos,
    size_t maxfds, char *err, size_t errlen)
{
	size_t		 n = 0, k;
	unsigned int	 i;
	int		 socktype = t == CONF_T_UDP ? SOCK_DGRAM : SOCK_STREAM;

	for (i = 0; i < conf->n_listen && i < CONF_MAX_LISTEN; i++) {
		if (!listen_has(&conf->listen[i], t))
			continue;
		k = n;
		if (listen_entry(&conf->listen[i], socktype, fds, maxfds, &n,
		    err, errlen) == -1) {
			while (n > 0)
				close(fds[--n]);
			return (-1);
		}
		while (protos != NULL && k < n)
			protos[k++] = conf->listen[i].protocol;
	}
	return ((int)n);
}

int
transport_listen(const struct conf *conf, int *fds, int *protos,
    size_t maxfds, char *err, size_t errlen)
{
	return (listen_all(conf, CONF_T_TCP, fds, protos, maxfds, err,
	    errlen));
}

int
transport_listen_udp(const struct conf *conf, int *fds, int *protos,
    size_t maxfds, char *err, size_t errlen)
{
	return (listen_all(conf, CONF_T_UDP, fds, protos, maxfds, err,
	    errlen));
}

/*
 * Every outer datagram carries DF, and the kernel's own path-MTU guess
 * is not used to refuse our sends: the tunnel finds the path MTU itself
 * by probing (PLPMTUD, RFC 8899), which works where ICMP is filtered.
 * PROBE means exactly that on Linux; elsewhere DF alone.  Large socket
 * buffers absorb a burst of datagrams between two loop turns.
 */
static int
udp_dont_fragment(int fd, int family)
{
#if defined(IP_MTU_DISCOVER) && defined(IP_PMTUDISC_PROBE)
	int	 v4 = IP_PMTUDISC_PROBE, v6 = IPV6_PMTUDISC_PROBE;

	/* A dual-stack socket's IPv4 side follows the IPv4 option. */
	if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4,
	    sizeof(v4)) == -1 && family == AF_INET)
		return (-1);
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_MTU_DISCOVER, &v6, sizeof(v6)) == -1)
		return (-1);
#else
	int	 on = 1;

#ifdef IP_DONTFRAG
	if (family == AF_INET && setsockopt(fd, IPPROTO_IP, IP_DONTFRAG, &on,
	    sizeof(on)) == -1)
		return (-1);
#endif
#ifdef IPV6_DONTFRAG
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG,
	    &on, sizeof(on)) == -1)
		return (-1);
#endif
#endif
	return (0);
}

/*
 * Linux 5.0 and later: the kernel may hand the tunnel a run of equal
 * datagrams of one sender in one read (tunnel/udpio.h), as a UDP_SEGMENT
 * send made them or its GRO joined them.  Best effort: without it, one
 * datagram per read.
 */
static void
udp_gro(int fd)
{
#ifdef UDP_GRO
	int	 on = 1;

	(void)setsockopt(fd, IPPROTO_UDP, UDP_GRO, &on, sizeof(on));
#endif
}

int
transport_udp_options(int fd, int family)
{
	int	 buf = TRANSPORT_UDP_BUF, save;

	if (udp_dont_fragment(fd, family) == -1)
		return (-1);
	save = errno;
	/* Best effort: a smaller buffer only costs drops under a burst. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	udp_gro(fd);
	errno = save;
	return (0);
}

/*
 * Client, UDP: a socket connected to the server (so that only its
 * datagrams arrive and ICMP errors are reported), with the transport's
 * mark like a TCP one, so that the policy routing and the seal let it
 * out.  A connect on UDP only sets the destination: it cannot fail for
 * want of an answer, which the tunnel's handshake timer has to find.
 */
int
transport_udp_connect(const struct sockaddr *sa, socklen_t salen,
    char *err, size_t errlen)
{
	char	 where[MSG_ENDPOINT_MAX];
	int	 fd;
#ifdef SO_MARK
	int	 mark = transport_fwmark;
#endif

	transport_endpoint(sa, where, sizeof(where));
	if ((fd = socket(sa->sa_family, SOCK_DGRAM, 0)) == -1) {
		snprintf(err, errlen, "udp to %s: socket: %s", where,
		    strerror(errno));
		return (-1);
	}
#ifdef SO_MARK
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == -1)
		log_warn("transport: SO_MARK %d", mark);
#endif
	if (transport_fdflags(fd) == -1 ||
	    transport_udp_options(fd, sa->sa_family) == -1 ||
	    connect(fd, sa, salen) == -1) {
		snprintf(err, errlen, "udp to %s: %s", where,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	return (fd);
}

int
transport_resolve(const char *host, const char *port,
    struct sockaddr_storage *out, socklen_t *outlen, size_t max,
    char *err, size_t errlen)
{
	struct addrinfo	 hints, *res, *ai;
	size_t		 n = 0;
	int		 error;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s port %s: %s", host, port,
		    gai_strerror(error));
		return (-1);
	}
	for (ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(*out))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(&out[n], ai->ai_addr, ai->ai_addrlen);
		outlen[n++] = ai->ai_addrlen;
	}
	freeaddrinfo(res);
	if (n == 0) {
		snprintf(err, errlen, "%s port %s: no usable address", host,
		    port);
		return (-1);
	}
	return ((int)n);
}

/*
 * The mark lets the client's policy routing send the transport itself
 * around the tunnel.  Without it the stream would be routed into the
 * tunnel it carries, so a refusal is worth a warning, but the connection
 * is still tried: with "no default route" nothing depends on the mark.
 */
void
transport_set_fwmark(uint32_t mark)
{
	transport_fwmark = mark;
}

void
transport_tune(int fd)
{
#ifdef SO_MARK
	int	 mark = transport_fwmark;

	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == -1)
		log_warn("transport: SO_MARK %d", mark);
#endif
	if (sockopt_tune_stream(fd) == -1)
		log_warn("transport: socket options");
	sockopt_congestion(fd);
}

int
transport_connect_start(const struct sockaddr *sa, socklen_t salen,
    char *err, size_t errlen)
{
	char	 where[MSG_ENDPOINT_MAX];
	int	 fd;

	transport_endpoint(sa, where, sizeof(where));
	if ((fd = socket(sa->sa_family, SOCK_STREAM, 0)) == -1) {
		snprintf(err, errlen, "connect to %s: socket: %s", where,
		    strerror(errno));
		return (-1);
	}
	if (transport_fdflags(fd) == -1) {
		snprintf(err, errlen, "connect to %s: fcntl: %s", where,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	transport_tune(fd);
	if (connect(fd, sa, salen) == -1 && errno != EINPROGRESS) {
		snprintf(err, errlen, "connect to %s: %s", where,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	return (fd);
}

int
transport_connect_finish(int fd, char *err, size_t errlen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(int);
	int			 soerr = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr != 0) {
		snprintf(err, errlen, "connect: %s", strerror(soerr));
		errno = soerr;	/* the caller tells refused from silent */
		return (-1);
	}
	/* Writable and no error, yet not connected: called too early. */
	len = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		return (-1);
	}
	return (0);
}

void
transport_endpoint(const struct sockaddr *sa, char *buf, size_t len)
{
	char		 host[NI_MAXHOST], port[NI_MAXSERV];
	socklen_t	 salen;

	switch (sa->sa_family) {
	case AF_INET:
		salen = sizeof(struct sockaddr_in);
		break;
	case AF_INET6:
		salen = sizeof(struct sockaddr_in6);
		break;
	default:
		strlcpy(buf, "?", len);
		return;
	}
	if (getnameinfo(sa, salen, host, sizeof(host), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		strlcpy(buf, "?", len);
		return;
	}
	snprintf(buf, len, "%s %s", host, port);
}
