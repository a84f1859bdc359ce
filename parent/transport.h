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
 * The transport sockets, made by the root parent and handed to the tunnel
 * worker (MSG_LISTEN_FD, MSG_CONNECT_FD), which may not create sockets.
 * Every descriptor returned is non-blocking and close-on-exec.
 */
#ifndef DSVPND_TRANSPORT_H
#define DSVPND_TRANSPORT_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>

#include "conf.h"

#define TRANSPORT_FWMARK	42069	/* Linux policy routing, as DSVPN */
#define TRANSPORT_BACKLOG	128
#define TRANSPORT_MAX_ADDRS	16	/* a sane cap for transport_resolve */
#define TRANSPORT_UDP_BUF	(4 << 20)	/* UDP socket buffers */

/*
 * Server: listening sockets for conf->listen[].  Host "*" is one [::]
 * socket accepting IPv4 too (0.0.0.0 where IPv6 is missing); a name gets
 * one socket per address it resolves to.  Returns how many are in fds,
 * or -1 with err (and none left open); protos, unless NULL, gets the
 * protocol (CONF_PROTO_*) of each socket's listen line.
 */
int	 transport_listen(const struct conf *, int *fds, int *protos,
	    size_t maxfds, char *err, size_t errlen);

/* The same for the entries with "transport udp": bound UDP sockets. */
int	 transport_listen_udp(const struct conf *, int *fds, int *protos,
	    size_t maxfds, char *err, size_t errlen);
/* DF on every datagram (PLPMTUD: the tunnel probes), big buffers. */
int	 transport_udp_options(int fd, int family);
/* Client: a UDP socket connected to the server, marked; fd or -1. */
int	 transport_udp_connect(const struct sockaddr *, socklen_t,
	    char *err, size_t errlen);

/*
 * Client: resolves host and port afresh on every call, so a server that
 * moves is found again.  Fills out[] and outlen[] with up to max
 * addresses; returns how many, or -1 with err.
 */
int	 transport_resolve(const char *host, const char *port,
	    struct sockaddr_storage *out, socklen_t *outlen, size_t max,
	    char *err, size_t errlen);
/* Starts a non-blocking connect; returns the fd, or -1 with err. */
int	 transport_connect_start(const struct sockaddr *, socklen_t,
	    char *err, size_t errlen);
/* After the fd became writable: 0 connected, -1 with err and errno
 * (close it). */
int	 transport_connect_finish(int fd, char *err, size_t errlen);
/* A connecting socket's options: SO_MARK, sockopt_tune_stream, bbr. */
void	 transport_tune(int fd);
/* The instance's mark (TRANSPORT_FWMARK until set). */
void	 transport_set_fwmark(uint32_t);
/* "addr port", numeric; "?" if it cannot be printed. */
void	 transport_endpoint(const struct sockaddr *, char *buf, size_t len);

#endif /* DSVPND_TRANSPORT_H */
