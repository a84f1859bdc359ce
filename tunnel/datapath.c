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

#include "compat.h"

#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "msgcat.h"
#include "proto.h"
#include "srccheck.h"
#include "tunhdr.h"
#include "tunnel.h"
#include "vnet.h"

/*
 * The data path.  Both buffers are allocated once for the life of the
 * process and every packet is handled in place:
 *
 * TUN -> transport: each packet is read straight into the output buffer
 * at its frame's payload offset (a BSD AF header lands on the frame
 * header, which sealing then overwrites), sealed in place, and the
 * frames of a whole batch leave in one write.  While that write is
 * incomplete the caller stops reading the TUN: the kernel then drops
 * at the TUN queue and the inner TCP flows slow down, instead of
 * queueing seconds of data here; and CoDel (aqm.c) drops from the TUN
 * ring's head when it holds a standing queue, whatever the cause.
 *
 * transport -> TUN: big reads into the input buffer, each complete frame
 * verified and decrypted in place by proto_input() and its packet
 * written to the TUN from there; the partial tail moves to the front.
 *
 * A Linux virtio-net header (IFF_VNET_HDR) travels as the first bytes
 * of the payload, so the peer hands the kernel back a 64 KiB GSO packet
 * with its offload metadata.  A packet whose first nibble is 4 or 6 is
 * a bare IP packet, which no virtio header can be (its first byte holds
 * flags 0 or 1), so each receiver copes with a peer of the other kind.
 */

#define VNET_F_NEEDS_CSUM	0x01

static const uint8_t	 vnet_zero[TUNHDR_VNET_LEN];

static uint64_t
dp_clock_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
dp_init(struct datapath *dp, struct tunnel_stats *stats)
{
	memset(dp, 0, sizeof(*dp));
	dp->tun_fd = -1;
	dp->sock_fd = -1;
	dp->fault = -1;
	dp->stats = stats;
	dp->icap = DP_IBUF_SIZE + DP_FRAME_MAX;
	dp->ocap = DP_OBUF_SIZE + DP_FRAME_MAX + TUNHDR_AF_LEN;
	if ((dp->ibuf = malloc(dp->icap)) == NULL ||
	    (dp->obuf = malloc(dp->ocap)) == NULL)
		fatal("%s", __func__);
	dp->tun_max = 1500;
	dp->tun_mtu = 1500;
	dp->aqm = 1;
	codel_init(&dp->codel);
}

static void
dp_nonblock(int fd)
{
	int	 flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		fatal("%s: fcntl", __func__);
}

void
dp_set_tun(struct datapath *dp, int fd, int flags, int mtu)
{
	dp->tun_fd = fd;
	dp->tun_flags = flags;
	dp->tun_hdr = tunhdr_len(flags & TUN_F_AFHEADER);
	if (mtu < 576 || mtu > 65535)
		mtu = 1500;
	dp->tun_mtu = mtu;
	if (flags & TUN_F_VNETHDR)
		dp->tun_max = DP_VNET_MAX;
	else
		dp->tun_max = mtu;
	if (dp->tun_max > PROTO_MAX_PAYLOAD)
		dp->tun_max = PROTO_MAX_PAYLOAD;
	dp_nonblock(fd);
}

void
dp_attach(struct datapath *dp, int sock_fd, struct proto *p)
{
	dp->sock_fd = sock_fd;
	dp->proto = p;
	dp->events = 0;
	dp->fault = -1;
	dp->why[0] = '\0';
	dp->ooff = dp->olen = dp->ilen = 0;
	dp->tun_empty = dp_clock_us();
	dp->tun_drained = 0;
	codel_init(&dp->codel);
	dp_nonblock(sock_fd);
}

void
dp_detach(struct datapath *dp)
{
	dp->sock_fd = -1;
	dp->proto = NULL;
	dp->ooff = dp->olen = dp->ilen = 0;
}

static void
dp_drop(struct datapath *dp, enum drop_reason r)
{
	dp->stats->drops[r]++;
}

/*
 * Moves the protocol's control bytes (handshake, keepalive, rekey,
 * close) to the output buffer; they must precede the next sealed frame.
 * -1 if they do not fit yet: they stay in proto until the buffer drains.
 */
static int
dp_pull_pending(struct datapath *dp)
{
	const uint8_t	*src;
	size_t		 n;

	if (dp->proto == NULL ||
	    (n = proto_pending(dp->proto, &src)) == 0)
		return 0;
	if (n > dp->ocap - dp->olen && dp->ooff > 0) {
		memmove(dp->obuf, dp->obuf + dp->ooff, dp->olen - dp->ooff);
		dp->olen -= dp->ooff;
		dp->ooff = 0;
	}
	if (n > dp->ocap - dp->olen)
		return -1;
	memcpy(dp->obuf + dp->olen, src, n);
	dp->olen += n;
	proto_consume(dp->proto, n);
	return 0;
}

size_t
dp_unsent(struct datapath *dp)
{
	const uint8_t	*src;
	size_t		 n = 0;

	if (dp->proto != NULL)
		n = proto_pending(dp->proto, &src);
	return n + dp->olen - dp->ooff;
}

/*
 * CoDel's signal for a flow that negotiated ECN: Congestion Experienced
 * instead of a loss.  -1 if the packet is not ECN-capable.
 */
static int
dp_ecn_mark(struct datapath *dp, uint8_t *pkt, size_t len)
{
	uint32_t	 sum;
	uint8_t		 old;

	if (dp->tun_flags & TUN_F_VNETHDR) {
		if (len < TUNHDR_VNET_LEN)
			return -1;
		pkt += TUNHDR_VNET_LEN;
		len -= TUNHDR_VNET_LEN;
	}
	if (len >= 20 && pkt[0] >> 4 == 4 && (pkt[1] & 3) != 0) {
		if ((pkt[1] & 3) == 3)
			return 0;
		/* RFC 1624 incremental update of the header checksum. */
		old = pkt[1];
		pkt[1] |= 3;
		sum = (uint16_t)~(pkt[10] << 8 | pkt[11]);
		sum += (uint16_t)~old + pkt[1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		sum = ~sum & 0xffff;
		pkt[10] = sum >> 8;
		pkt[11] = sum & 0xff;
		return 0;
	}
	if (len >= 40 && pkt[0] >> 4 == 6 && (pkt[1] & 0x30) != 0) {
		pkt[1] |= 0x30;
		return 0;
	}
	return -1;
}

/* One TUN read into slot's payload: 1 sealed, 0 dropped, -1 empty. */
static int
dp_tun_read_one(struct datapath *dp, int up, uint64_t now, uint64_t us)
{
	uint8_t		*slot = dp->obuf + dp->olen;
	ssize_t		 n;
	size_t		 len, flen;

	n = read(dp->tun_fd, slot + PROTO_HDR_LEN - dp->tun_hdr,
	    dp->tun_hdr + dp->tun_max);
	if (n == -1)
		return -1;
	if ((size_t)n <= dp->tun_hdr) {
		dp_drop(dp, DROP_BAD_PACKET);
		return 0;
	}
	len = n - dp->tun_hdr;
	if (!up) {
		dp_drop(dp, DROP_NO_SESSION);
		return 0;
	}
	if (dp->aqm && codel_drop(&dp->codel, us - dp->tun_empty, us) &&
	    dp_ecn_mark(dp, slot + PROTO_HDR_LEN, len) == -1) {
		dp_drop(dp, DROP_QUEUE_FULL);
		return 0;
	}
	if ((flen = proto_seal(dp->proto, slot, len, now)) == 0) {
		dp_drop(dp, DROP_NO_SESSION);
		return 0;
	}
	dp->olen += flen;
	dp->stats->bytes_out += len;
	dp->stats->packets_out++;
	return 1;
}

int
dp_tun_read(struct datapath *dp, uint64_t now)
{
	uint64_t	 us = dp_clock_us();
	int		 i, up;

	/* Woken on an empty ring we were watching: the queue is new. */
	if (dp->tun_drained) {
		dp->tun_empty = us;
		dp->tun_drained = 0;
	}
	up = dp->proto != NULL && proto_is_up(dp->proto);
	for (i = 0; i < DP_BATCH; i++) {
		if (up && dp_pull_pending(dp) == -1)
			break;
		/* Room for one more frame of the largest size. */
		if (dp->ocap - dp->olen < DP_FRAME_MAX)
			break;
		if (dp_tun_read_one(dp, up, now, us) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				dp->tun_empty = us;
				dp->tun_drained = 1;
				break;
			}
			if (errno == EINTR)
				break;
			return -1;
		}
	}
	return i;
}

/* The caller stops watching the TUN: what queues from now on waits. */
void
dp_tun_pause(struct datapath *dp)
{
	dp->tun_drained = 0;
}

int
dp_sock_write(struct datapath *dp)
{
	ssize_t	 n;

	(void)dp_pull_pending(dp);
	while (dp->ooff < dp->olen) {
		n = write(dp->sock_fd, dp->obuf + dp->ooff,
		    dp->olen - dp->ooff);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			snprintf(dp->why, sizeof(dp->why), "write: %s",
			    strerror(errno));
			return -1;
		}
		dp->ooff += n;
		/* A short write means the socket is full: waiting for it
		 * to become writable saves a futile write. */
		if (dp->ooff < dp->olen)
			return 0;
		/* A rekey or keepalive may have queued more meanwhile. */
		dp->ooff = dp->olen = 0;
		(void)dp_pull_pending(dp);
	}
	dp->ooff = dp->olen = 0;
	return 1;
}

/*
 * The transport checksum a Linux peer left to the device: the field
 * holds the pseudo-header sum, the rest is the ones' complement sum
 * from csum_start to the end.  -1 if the offsets do not fit.
 */
static int
dp_csum_finish(uint8_t *pkt, size_t len, size_t start, size_t off)
{
	uint32_t	 sum = 0;
	size_t		 i;
	uint16_t	 c;

	if (start >= len || off > len - start || len - start - off < 2)
		return -1;
	for (i = start; i + 1 < len; i += 2)
		sum += (uint32_t)pkt[i] << 8 | pkt[i + 1];
	if (i < len)
		sum += (uint32_t)pkt[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = ~sum & 0xffff;
	/* 0 means "no checksum" to UDP; 0xffff is the same to TCP. */
	if (c == 0)
		c = 0xffff;
	pkt[start + off] = c >> 8;
	pkt[start + off + 1] = c & 0xff;
	return 0;
}

/*
 * A packet from a peer of the other kind.  A vnet TUN gets a neutral
 * virtio header in front of a bare packet.  A plain TUN gets the
 * packet without the peer's header, its checksum completed in software
 * if the peer left it to an offload; a GSO packet is handed over whole,
 * as a large receive offload would: the local stack takes it, only a
 * forwarder would have to fragment it.  NULL: drop it.
 */
static uint8_t *
dp_vnet_adapt(struct datapath *dp, uint8_t *pkt, size_t *len, int *addhdr)
{
	int	 ver = *len > 0 ? pkt[0] >> 4 : 0;
	int	 is_ip = ver == 4 || ver == 6;
	size_t	 start, off;

	*addhdr = 0;
	if (dp->tun_flags & TUN_F_VNETHDR) {
		*addhdr = is_ip;
		return pkt;
	}
	if (is_ip)
		return pkt;
	if (*len <= TUNHDR_VNET_LEN)
		return NULL;
	/* Little-endian fields, as every Linux the peer may run on. */
	start = pkt[6] | pkt[7] << 8;
	off = pkt[8] | pkt[9] << 8;
	if ((pkt[0] & VNET_F_NEEDS_CSUM) &&
	    dp_csum_finish(pkt + TUNHDR_VNET_LEN, *len - TUNHDR_VNET_LEN,
	    start, off) == -1) {
		log_ratelimited(log_warnx, "peer sent a bad virtio header");
		return NULL;
	}
	*len -= TUNHDR_VNET_LEN;
	return pkt + TUNHDR_VNET_LEN;
}

/*
 * Hands one verified packet to the TUN.  The bytes before pkt belong to
 * its frame header, already consumed, so an AF header goes there.
 * Writes that fail are drops: a TUN write does not block for long, and
 * waiting would stall the transport.
 */
static void
dp_tun_write(struct datapath *dp, uint8_t *pkt, size_t len)
{
	struct iovec	 iov[2];
	ssize_t		 n;
	int		 addhdr, hl;

	/* The peer's offload metadata and source, before the kernel. */
	if ((hl = vnet_check(pkt, len, dp->tun_mtu)) == -1 ||
	    !srccheck_allowed(dp->allow, pkt + hl, len - hl)) {
		dp_drop(dp, hl == -1 ? DROP_BAD_VNET : DROP_SPOOFED);
		return;
	}
	if ((pkt = dp_vnet_adapt(dp, pkt, &len, &addhdr)) == NULL) {
		dp_drop(dp, DROP_BAD_PACKET);
		return;
	}
	if (addhdr) {
		iov[0].iov_base = (void *)vnet_zero;
		iov[0].iov_len = sizeof(vnet_zero);
		iov[1].iov_base = pkt;
		iov[1].iov_len = len;
		n = writev(dp->tun_fd, iov, 2);
	} else if (dp->tun_hdr > 0) {
		if (tunhdr_put(pkt - dp->tun_hdr, pkt, len,
		    &tunhdr_host) == -1) {
			dp_drop(dp, DROP_BAD_PACKET);
			return;
		}
		n = write(dp->tun_fd, pkt - dp->tun_hdr, len + dp->tun_hdr);
	} else
		n = write(dp->tun_fd, pkt, len);
	if (n == -1) {
		/* EIO: the interface is down, nothing to worry about. */
		if (errno == EIO)
			log_ratelimited(log_debug, "TUN write: interface down");
		else if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != ENOBUFS)
			log_ratelimited(log_warn, "TUN write");
		dp_drop(dp, DROP_TUN_WRITE);
		return;
	}
	dp->stats->bytes_in += len;
	dp->stats->packets_in++;
}

/* Opens every complete unit in the input buffer; -1 ends the session. */
static int
dp_open_frames(struct datapath *dp, uint64_t now)
{
	struct proto_event	 ev;
	size_t			 pos = 0;
	ssize_t			 r;

	while (pos < dp->ilen) {
		r = proto_input(dp->proto, dp->ibuf + pos, dp->ilen - pos,
		    now, &ev);
		if (r == -1) {
			dp->fault = proto_fault(dp->proto);
			snprintf(dp->why, sizeof(dp->why), "%s",
			    proto_error(dp->proto));
			dp->ilen = 0;
			return -1;
		}
		if (r == 0)
			break;
		pos += r;
		if (ev.type == PROTO_EV_DATA)
			dp_tun_write(dp, ev.data, ev.len);
		else if (ev.type == PROTO_EV_UP)
			dp->events |= DP_EV_UP;
		else if (ev.type == PROTO_EV_CLOSED) {
			dp->events |= DP_EV_CLOSED;
			dp->ilen = 0;
			return 1;
		}
	}
	if (pos > 0) {
		memmove(dp->ibuf, dp->ibuf + pos, dp->ilen - pos);
		dp->ilen -= pos;
	}
	if (dp->ilen == dp->icap) {
		snprintf(dp->why, sizeof(dp->why), "frame too large");
		dp->fault = DROP_PROTOCOL;
		return -1;
	}
	return 1;
}

int
dp_sock_read(struct datapath *dp, uint64_t now)
{
	ssize_t	 n;

	dp->events = 0;
	n = read(dp->sock_fd, dp->ibuf + dp->ilen, dp->icap - dp->ilen);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 1;
		snprintf(dp->why, sizeof(dp->why), "read: %s",
		    strerror(errno));
		return -1;
	}
	if (n == 0) {
		snprintf(dp->why, sizeof(dp->why), "connection closed "
		    "by peer");
		return 0;
	}
	dp->ilen += n;
	return dp_open_frames(dp, now);
}

/* The server's first bytes came through the pending table. */
int
dp_feed(struct datapath *dp, const uint8_t *buf, size_t len, uint64_t now)
{
	if (len > dp->icap - dp->ilen) {
		snprintf(dp->why, sizeof(dp->why), "hello too large");
		return -1;
	}
	dp->events = 0;
	memcpy(dp->ibuf + dp->ilen, buf, len);
	dp->ilen += len;
	return dp_open_frames(dp, now);
}
