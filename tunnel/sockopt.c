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
 * The transport stream's socket options.  Everything here is a plain
 * setsockopt(2) on a descriptor we were given, so it also runs inside the
 * tunnel worker's sandbox.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "sockopt.h"

/*
 * BBR keeps throughput up on the lossy paths a VPN over TCP/443 often
 * crosses, where loss-based algorithms collapse.  Where it is missing or
 * not allowed for unprivileged users, the system default is fine.
 */
void
sockopt_congestion(int fd)
{
#ifdef TCP_CONGESTION
	(void)setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, SOCKOPT_CONGESTION,
	    strlen(SOCKOPT_CONGESTION));
#endif
}

/*
 * TCP_NODELAY: the worker writes whole frames, and gathers what the TUN
 * has ready into one write per loop turn, so Nagle has nothing left to
 * coalesce; it would only hold a small frame (an inner ACK, a DNS query)
 * back for up to a round trip behind unacknowledged data.
 * SO_KEEPALIVE: a backstop only; dead peers are found by the protocol's
 * own keepalives long before the system's timers fire.
 */
int
sockopt_tune_stream(int fd)
{
	int	 on = 1;
#ifdef TCP_NOTSENT_LOWAT
	int	 lowat = SOCKOPT_NOTSENT_LOWAT;
#endif

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) == -1)
		return (-1);
#ifdef TCP_NOTSENT_LOWAT
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat,
	    sizeof(lowat));
#endif
	return (0);
}

int
sockopt_keepalive(int fd, int idle, int intvl, int cnt)
{
	int	 r = 0;

#if defined(TCP_KEEPIDLE)
	r |= setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
#elif defined(TCP_KEEPALIVE)
	r |= setsockopt(fd, IPPROTO_TCP, TCP_KEEPALIVE, &idle, sizeof(idle));
#endif
#ifdef TCP_KEEPINTVL
	r |= setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl));
#endif
#ifdef TCP_KEEPCNT
	r |= setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
#endif
	return (r == 0 ? 0 : -1);
}
