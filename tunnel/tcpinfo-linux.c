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

/* Linux: TCP_INFO's byte counters (Linux 4.2 and later). */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/tcp.h>

#include <stddef.h>
#include <string.h>

#include "tcpinfo.h"

static int
tcpinfo_read(int fd, uint64_t *acked, uint64_t *received)
{
	struct tcp_info	 ti;
	socklen_t	 len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_received) +
	    sizeof(ti.tcpi_bytes_received))
		return -1;
	*acked = ti.tcpi_bytes_acked;
	*received = ti.tcpi_bytes_received;
	return 0;
}

void
tcpinfo_init(int fd, struct tcpinfo *t)
{
	memset(t, 0, sizeof(*t));
	t->ok = tcpinfo_read(fd, &t->acked, &t->received) == 0;
}

int
tcpinfo_progress(int fd, struct tcpinfo *t)
{
	uint64_t	 acked, received;
	int		 moved;

	if (tcpinfo_read(fd, &acked, &received) == -1) {
		t->ok = 0;
		return -1;
	}
	moved = t->ok && (acked != t->acked || received != t->received);
	t->acked = acked;
	t->received = received;
	t->ok = 1;
	return moved;
}

void
tcpinfo_user_timeout(int fd, unsigned int ms)
{
	(void)setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
}
