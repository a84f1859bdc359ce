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
 * Options for the transport TCP stream, settable without privileges: the
 * parent applies them to the sockets it connects and the tunnel worker,
 * which may only setsockopt(2), to the sockets it accepts.
 */
#ifndef DSVPND_SOCKOPT_H
#define DSVPND_SOCKOPT_H

/*
 * Unsent bytes the kernel keeps before the socket stops being writable.
 * This couples the tunnelled flows' congestion control to the outer
 * stream's: beyond it the tunnel worker sees EAGAIN and drops TUN
 * packets, so inner TCP backs off instead of piling up seconds of queue
 * in the socket buffer.  128 KiB is DSVPN's tuned value: 14 jumbo frames,
 * about 1 ms of refill time at 1 Gbit/s for our single-threaded loop, and
 * 10 ms of added queueing at 100 Mbit/s.  Lower favours latency on slow
 * links at some cost in throughput on fast ones.
 */
#define SOCKOPT_NOTSENT_LOWAT	(128 * 1024)
#define SOCKOPT_CONGESTION	"bbr"

/*
 * Prefers SOCKOPT_CONGESTION where the kernel has it; failure is quiet.
 * The parent's business only: on the listeners (accepted sockets
 * inherit it) and the sockets it connects.  The tunnel worker's seccomp
 * filter kills it for TCP_CONGESTION.
 */
void	 sockopt_congestion(int fd);
/*
 * TCP_NODELAY, SO_KEEPALIVE and TCP_NOTSENT_LOWAT where the system has
 * it: what both the parent and the tunnel worker set.  Returns 0, or -1
 * with errno if one of the first two, which every system has, was
 * refused.  Any option added here must also be allowed in the tunnel's
 * seccomp filter (common/sandbox-seccomp.c, sc_tunnel).
 */
int	 sockopt_tune_stream(int fd);
/*
 * TCP keepalive probes after idle seconds of silence, every intvl
 * seconds, cnt of them unanswered ending the connection, where the
 * system lets a socket choose (TCP_KEEPIDLE, or macOS's TCP_KEEPALIVE,
 * TCP_KEEPINTVL, TCP_KEEPCNT); SO_KEEPALIVE is on from
 * sockopt_tune_stream().  -1 if one the system has was refused.
 */
int	 sockopt_keepalive(int fd, int idle, int intvl, int cnt);

#endif /* DSVPND_SOCKOPT_H */
