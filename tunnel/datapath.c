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
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coalesce.h"
#include "dgram.h"
#include "gso.h"
#include "icmp.h"
#include "log.h"
#include "msgcat.h"
#include "proto.h"
#include "srccheck.h"
#include "tunhdr.h"
#include "tunnel.h"
#include "udpio.h"
#include "vnet.h"

/*
 * The data path: one TUN, many sessions.  The big buffers are shared
 * and allocated once; a session holds a buffer of its own only while it
 * has data in flight, so an idle session costs no buffer at all.
 *
 * TUN -> transport: each packet is read straight into the shared batch
 * buffer at its frame's payload offset (a BSD AF header lands on the
 * frame header, which sealing then overwrites), the policy says which
 * session it is for, and it is sealed in place.  Consecutive packets of
 * one session make one batch that leaves in one write: the fast path of
 * a single client, unchanged.  When the next packet is for another
 * session the batch is flushed first.  What a socket does not take
 * moves to that session's own queue, capped at DP_QUEUE_CAP: with one
 * session up the caller then stops reading the TUN (the kernel drops at
 * the TUN queue and inner TCP slows down, and CoDel (aqm.c) drops from
 * the ring's head when it holds a standing queue); with several, a full
 * session drops its own packets and nobody else's, so one slow or bulk
 * client cannot stall the others.
 *
 * transport -> TUN: each session's reads go into the shared input
 * buffer (after the partial frame it kept from its last read, if any),
 * each complete frame is verified and decrypted in place and its packet
 * written to the TUN if the policy admits it (its source must be one of
 * the session's peer's prefixes); a partial tail is kept by the session.
 * One read per session per wakeup bounds the work one session gets in a
 * loop turn.
 *
 * A Linux virtio-net header (IFF_VNET_HDR) travels as the first bytes
 * of the payload, so the peer hands the kernel back a 64 KiB GSO packet
 * with its offload metadata.  A packet whose first nibble is 4 or 6 is
 * a bare IP packet, which no virtio header can be (its first byte holds
 * flags 0 or 1), so each receiver copes with a peer of the other kind.
 */

#define VNET_F_NEEDS_CSUM	0x01

static const uint8_t	 vnet_zero[TUNHDR_VNET_LEN];

static void	 dp_tun_joined(void *, const uint8_t *, const uint8_t *, size_t,
		    size_t);

static int	 dp_dgram_out(struct datapath *, struct dp_conn *, uint8_t *,
		    size_t, uint64_t);
static int	 dp_csum_finish(uint8_t *, size_t, size_t, size_t);

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
	dp->stats = stats;
	dp->icap = DP_IBUF_SIZE + DP_FRAME_MAX;
	dp->ocap = DP_OBUF_SIZE + DP_FRAME_MAX + TUNHDR_AF_LEN;
	if ((dp->ibuf = malloc(dp->icap)) == NULL ||
	    (dp->obuf = malloc(dp->ocap)) == NULL ||
	    (dp->co = malloc(sizeof(*dp->co))) == NULL)
		fatal("%s", __func__);
	coalesce_init(dp->co, 1500, dp_tun_joined, dp);
	dp->tun_max = 1500;
	dp->tun_mtu = 1500;
	dp->aqm = 1;
	dp->tun_empty = dp_clock_us();
	codel_init(&dp->codel);
}

static void
dp_nonblock(int fd)
{
	int	 flags;

	/* A server's sockets come from the pending table non-blocking. */
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    ((flags & O_NONBLOCK) == 0 &&
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1))
		fatal("%s: fcntl", __func__);
}

void
dp_set_tun(struct datapath *dp, int fd, int flags, int mtu)
{
	dp_tun_flush(dp);
	dp->tun_fd = fd;
	dp->tun_flags = flags;
	dp->tun_hdr = tunhdr_len(flags & TUN_F_AFHEADER);
	if (mtu < 576 || mtu > 65535)
		mtu = 1500;
	dp->tun_mtu = mtu;
	coalesce_init(dp->co, mtu, dp_tun_joined, dp);
	if (flags & TUN_F_VNETHDR)
		dp->tun_max = DP_VNET_MAX;
	else
		dp->tun_max = mtu;
	if (dp->tun_max > PROTO_MAX_PAYLOAD)
		dp->tun_max = PROTO_MAX_PAYLOAD;
	dp_nonblock(fd);
}

void
dp_set_policy(struct datapath *dp, const struct dp_policy *pol)
{
	dp->policy = *pol;
}

void
dp_set_solo(struct datapath *dp, struct dp_conn *c)
{
	dp->solo = c;
}

void
dp_conn_init(struct dp_conn *c, struct datapath *dp,
    struct peer_counters *pc, void *owner)
{
	memset(c, 0, sizeof(*c));
	c->dp = dp;
	c->sock_fd = -1;
	c->fault = -1;
	c->pc = pc;
	c->owner = owner;
}

void
dp_attach(struct dp_conn *c, int sock_fd, struct sproto sp)
{
	c->sock_fd = sock_fd;
	c->sp = sp;
	c->events = 0;
	c->fault = -1;
	c->why[0] = '\0';
	c->qoff = c->qlen = c->plen = 0;
	dp_nonblock(sock_fd);
}

static void
dp_forget_backlog(struct datapath *dp, struct dp_conn *c)
{
	unsigned int	 i;

	for (i = 0; i < dp->nbacklog; i++)
		if (dp->backlog[i] == c)
			dp->backlog[i] = dp->backlog[--dp->nbacklog];
}

void
dp_detach(struct dp_conn *c)
{
	struct datapath	*dp = c->dp;

	/* Its packets may still be pending: they go to the TUN now. */
	if (dp->co_conn == c) {
		dp_tun_flush(dp);
		dp->co_conn = NULL;
	}
	if (dp->batch == c) {
		dp->batch = NULL;
		dp->olen = 0;
	}
	if (dp->solo == c)
		dp->solo = NULL;
	dp_forget_backlog(dp, c);
	free(c->q);
	free(c->part);
	c->q = c->part = NULL;
	c->qcap = c->qoff = c->qlen = c->plen = 0;
	c->sock_fd = -1;
	c->sp.ops = NULL;
	c->sp.st = NULL;
}

static void
dp_drop(struct datapath *dp, enum drop_reason r)
{
	dp->stats->drops[r]++;
}

const uint8_t *
dp_ip(const struct datapath *dp, const uint8_t *pkt, size_t len,
    size_t *iplen)
{
	int	 ver = len > 0 ? pkt[0] >> 4 : 0;

	/* From our own TUN a vnet packet always has the header; from a
	 * peer it may be bare (first nibble 4 or 6). */
	if ((dp->tun_flags & TUN_F_VNETHDR) && ver != 4 && ver != 6) {
		if (len < TUNHDR_VNET_LEN)
			return NULL;
		pkt += TUNHDR_VNET_LEN;
		len -= TUNHDR_VNET_LEN;
	}
	*iplen = len;
	return pkt;
}

/* Room for n more bytes in c's own queue, within the cap. */
static int
dp_queue_room(struct dp_conn *c, size_t n)
{
	size_t	 need, ncap;
	void	*q;

	if (c->qoff > 0 && c->qoff == c->qlen)
		c->qoff = c->qlen = 0;
	if (c->qlen + n <= c->qcap)
		return 0;
	if (c->qoff > 0) {
		memmove(c->q, c->q + c->qoff, c->qlen - c->qoff);
		c->qlen -= c->qoff;
		c->qoff = 0;
		if (c->qlen + n <= c->qcap)
			return 0;
	}
	need = c->qlen + n;
	if (need > DP_QUEUE_CAP + DP_FRAME_MAX)
		return -1;
	for (ncap = c->qcap ? c->qcap : 16384; ncap < need; ncap *= 2)
		;
	if ((q = realloc(c->q, ncap)) == NULL)
		return -1;
	c->q = q;
	c->qcap = ncap;
	return 0;
}

static void
dp_backlogged(struct dp_conn *c)
{
	struct datapath	*dp = c->dp;
	unsigned int	 i;

	for (i = 0; i < dp->nbacklog; i++)
		if (dp->backlog[i] == c)
			return;
	if (dp->nbacklog < nitems(dp->backlog))
		dp->backlog[dp->nbacklog++] = c;
}

struct dp_conn *
dp_take_backlogged(struct datapath *dp)
{
	return dp->nbacklog > 0 ? dp->backlog[--dp->nbacklog] : NULL;
}

/*
 * Writes buf to c's socket, or appends it to c's queue if one is
 * waiting; what the socket does not take is queued.  -1: the queue is
 * over its cap and nothing was sent.  A failed socket keeps its error
 * in c->why for the session to see at its next write (its write event
 * is armed through the backlog).
 */
static int
dp_send(struct dp_conn *c, const uint8_t *buf, size_t len)
{
	ssize_t	 n = 0;

	if (c->why[0] != '\0') {
		dp_backlogged(c);
		return 0;
	}
	if (c->qlen == c->qoff) {
		n = write(c->sock_fd, buf, len);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR) {
				snprintf(c->why, sizeof(c->why), "write: %s",
				    strerror(errno));
				dp_backlogged(c);
				return 0;
			}
			n = 0;
		}
		if ((size_t)n == len)
			return 0;
	}
	if (n == 0 && dp_queue_room(c, len) == -1)
		return -1;
	/* Part of it is out: the rest must follow, whatever the cap. */
	if (n > 0 && dp_queue_room(c, len - n) == -1)
		fatalx("%s: no memory for a partial write", __func__);
	memcpy(c->q + c->qlen, buf + n, len - n);
	c->qlen += len - n;
	dp_backlogged(c);
	return 0;
}

/*
 * A connected socket whose source address left the host: the session
 * roams to a fresh socket.  Linux says ENETUNREACH (seen here); EINVAL
 * and EADDRNOTAVAIL are what other paths and systems may say (not seen
 * here).  A spurious request costs one socket and a port change.
 */
static void
dp_dgram_src_check(struct dp_conn *c, int error)
{
	if (c->on_src_gone == NULL || c->tolen > 0)
		return;
	if (error == ENETUNREACH || error == EINVAL || error == EADDRNOTAVAIL)
		c->on_src_gone(c);
}

/*
 * One datagram out: 0 sent (or dropped for good), 1 the socket is full
 * (the caller keeps a control datagram for later; a data packet is
 * lost, and the session is marked blocked so that, alone, it stops
 * reading the TUN until the socket drains: the back-pressure that slows
 * the inner flows, as over TCP), -1 EMSGSIZE: larger than the kernel
 * lets out (PROBE mode still refuses what exceeds the interface), for
 * the path MTU search.  ICMP errors reported on a connected socket
 * (refused, unreachable) change nothing: the dead-peer timer decides.
 */
int
dp_dgram_send(struct dp_conn *c, const uint8_t *buf, size_t len)
{
	ssize_t	 n;

	n = udpio_send1(c->sock_fd, (struct sockaddr *)&c->to, c->tolen,
	    &c->local, buf, len);
	if (n != -1)
		return 0;
	if (errno == EMSGSIZE)
		return -1;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
		c->blocked = 1;
		dp_backlogged(c);
		return 1;
	}
	dp_dgram_src_check(c, errno);
	return 0;
}

/* Sends the batch of sealed frames to its session. */
static void
dp_flush_batch(struct datapath *dp)
{
	struct dp_conn	*c = dp->batch;

	dp->batch = NULL;
	if (c == NULL || dp->olen == 0) {
		dp->olen = 0;
		return;
	}
	/* Frames are numbered when sealed, so every one must leave:
	 * dp_tun_read_one() seals only while the queue has room for the
	 * whole batch. */
	if (dp_send(c, dp->obuf, dp->olen) == -1)
		fatalx("%s: sealed frames over the queue cap", __func__);
	dp->olen = 0;
}

/*
 * Moves c's control bytes (handshake, keepalive, rekey, close) out;
 * they must precede the next frame sealed for it.  -1 if they do not
 * fit yet: they stay in the protocol until the queue drains.
 */
static int
dp_pull_pending(struct dp_conn *c)
{
	const uint8_t	*src;
	size_t		 n;

	if (c->sp.ops == NULL)
		return 0;
	/* Datagrams leave one by one, at once; a lost one is repeated by
	 * the protocol's own timers if it matters. */
	if (c->sp.ops->datagram) {
		while ((n = c->sp.ops->pending(c->sp.st, &src)) > 0) {
			if (dp_dgram_send(c, src, n) == 1)
				return -1;
			c->sp.ops->consume(c->sp.st, n);
		}
		return 0;
	}
	if ((n = c->sp.ops->pending(c->sp.st, &src)) == 0)
		return 0;
	if (dp_send(c, src, n) == -1)
		return -1;
	c->sp.ops->consume(c->sp.st, n);
	return 0;
}

size_t
dp_unsent(struct dp_conn *c)
{
	const uint8_t	*src;
	size_t		 n = 0;

	if (c->sp.ops != NULL)
		n = c->sp.ops->pending(c->sp.st, &src);
	if (c->dp->batch == c)
		n += c->dp->olen;
	return n + c->qlen - c->qoff;
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

/* No room for a frame of need bytes behind what c has waiting. */
static int
dp_no_room(const struct dp_conn *c, size_t need)
{
	size_t	 waiting = c->qlen - c->qoff;

	if (c->blocked)
		return 1;
	if (c->dp->batch == c)
		waiting += c->dp->olen;
	return waiting > 0 && waiting + need > DP_QUEUE_CAP;
}

/* No room for another frame of the largest size. */
static int
dp_full(const struct dp_conn *c)
{
	return dp_no_room(c, DP_FRAME_MAX);
}

/* Which session a TUN packet is for: NULL drops it (counted). */
static struct dp_conn *
dp_route(struct datapath *dp, const uint8_t *pkt, size_t len)
{
	const uint8_t	*ip;
	size_t		 iplen;
	int		 why = DROP_NO_SESSION;
	struct dp_conn	*c;

	if (dp->policy.route == NULL)
		c = dp->solo;
	else if ((ip = dp_ip(dp, pkt, len, &iplen)) == NULL)
		c = NULL;
	else
		c = dp->policy.route(dp->policy.arg, ip, iplen, &why);
	if (c == NULL || c->sp.ops == NULL || !c->sp.ops->is_up(c->sp.st)) {
		dp_drop(dp, c == NULL ? why : DROP_NO_SESSION);
		return NULL;
	}
	return c;
}

/* npkts packets of c sealed and handed on, bytes of payload in all. */
static void
dp_count_out(struct datapath *dp, struct dp_conn *c, size_t bytes,
    size_t npkts)
{
	dp->stats->bytes_out += bytes;
	dp->stats->packets_out += npkts;
	if (c->pc != NULL) {
		c->pc->bytes_out += bytes;
		c->pc->packets_out += npkts;
	}
}

/*
 * A bare IP packet for the peer (a datagram, or a frame of a protocol
 * that takes no virtio header): the header goes, and a packet whose
 * checksum was left to the device gets it here (a TSO frame never comes
 * this way: it is cut first).  NULL: drop it.
 */
static uint8_t *
dp_vnet_strip(struct datapath *dp, uint8_t *pkt, size_t *len)
{
	size_t	 start, off;

	if (!(dp->tun_flags & TUN_F_VNETHDR))
		return pkt;
	if (*len <= TUNHDR_VNET_LEN || pkt[1] != 0)
		return NULL;
	if (pkt[0] & VNET_F_NEEDS_CSUM) {
		start = pkt[6] | pkt[7] << 8;
		off = pkt[8] | pkt[9] << 8;
		if (dp_csum_finish(pkt + TUNHDR_VNET_LEN,
		    *len - TUNHDR_VNET_LEN, start, off) == -1)
			return NULL;
	}
	*len -= TUNHDR_VNET_LEN;
	return pkt + TUNHDR_VNET_LEN;
}

/* The header checksum of an IPv4 header of len bytes. */
static uint16_t
dp_sum16(const uint8_t *p, size_t len)
{
	uint32_t	 sum = 0;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Writes a packet we made (an ICMP error) to the TUN, best effort. */
static void
dp_tun_inject(struct datapath *dp, uint8_t *pkt, size_t len)
{
	struct iovec	 iov[2];
	uint8_t		 af[TUNHDR_AF_LEN];
	int		 n = 0;

	dp_tun_flush(dp);
	if (dp->tun_flags & TUN_F_VNETHDR) {
		iov[n].iov_base = (void *)vnet_zero;
		iov[n++].iov_len = sizeof(vnet_zero);
	} else if (dp->tun_hdr > 0) {
		if (tunhdr_put(af, pkt, len, &tunhdr_host) == -1)
			return;
		iov[n].iov_base = af;
		iov[n++].iov_len = sizeof(af);
	}
	iov[n].iov_base = pkt;
	iov[n++].iov_len = len;
	if (writev(dp->tun_fd, iov, n) == -1)
		dp_drop(dp, DROP_TUN_WRITE);
}

/*
 * A packet larger than the session's path takes: its sender is told
 * the largest that fits (icmp.h), as a router would, and it is dropped.
 * max 0: the kernel refused it, so the path MTU search learns first.
 */
static void
dp_too_big(struct dp_conn *c, const uint8_t *pkt, size_t len, size_t max)
{
	static uint8_t	 err[ICMP_ERR_MAX];
	size_t		 n;

	dp_drop(c->dp, DROP_TOO_BIG);
	if (max == 0)
		max = c->max_payload;
	if (max == 0)
		return;
	if ((n = icmp_too_big(err, pkt, len, max)) > 0)
		dp_tun_inject(c->dp, err, n);
}

/*
 * Seals and sends one packet of a datagram session, which lies at
 * slot + the protocol's header length: 1 sent, 0 not.
 */
static int
dp_dgram_seal_send(struct datapath *dp, struct dp_conn *c, uint8_t *slot,
    size_t len, uint64_t now)
{
	size_t	 flen;
	int	 r;

	if ((flen = c->sp.ops->seal(c->sp.st, slot, len, now)) == 0) {
		dp_drop(dp, DROP_NO_SESSION);
		return 0;
	}
	if ((r = dp_dgram_send(c, slot, flen)) == 1) {
		dp_drop(dp, DROP_QUEUE_FULL);
		if (c->pc != NULL)
			c->pc->drops_queue++;
		return 0;
	}
	if (r == -1) {
		if (c->on_too_big != NULL)
			c->on_too_big(c, flen);
		/* Sealed in place: nothing left to quote in an ICMP error;
		 * the path MTU search has learned, the sender retransmits. */
		dp_drop(dp, DROP_TOO_BIG);
		return 0;
	}
	dp_count_out(dp, c, len, 1);
	return 1;
}

/*
 * An IPv4 packet without DF that is too large for the path is
 * fragmented, as a router would (RFC 791): fragments of at most max
 * bytes, offsets in 8-byte units, MF on all but the last.  0, or -1 if
 * it cannot be (DF, malformed, IPv6: those get the ICMP error).
 */
static int
dp_dgram_frag(struct datapath *dp, struct dp_conn *c, const uint8_t *pkt,
    size_t len, size_t max, uint64_t now)
{
	static uint8_t	 fbuf[SPROTO_HDR_MAX + DGRAM_MAX_LEN + DGRAM_TAG_LEN];
	uint8_t		*frag = fbuf + c->sp.ops->hdr_len;
	size_t		 ihl, tot, off, chunk, base;
	uint32_t	 sum;
	int		 mf;

	if (len < 20 || pkt[0] >> 4 != 4 || (pkt[6] & 0x40))
		return -1;
	ihl = (pkt[0] & 0x0f) * 4;
	tot = (size_t)pkt[2] << 8 | pkt[3];
	if (ihl < 20 || tot > len || tot <= ihl || max < ihl + 8 ||
	    max > DGRAM_MAX_PAYLOAD)
		return -1;
	base = ((size_t)(pkt[6] & 0x1f) << 8 | pkt[7]) * 8;
	mf = pkt[6] & 0x20;
	for (off = ihl; off < tot; off += chunk) {
		chunk = tot - off;
		if (chunk > max - ihl)
			chunk = (max - ihl) & ~(size_t)7;
		memcpy(frag, pkt, ihl);
		memcpy(frag + ihl, pkt + off, chunk);
		frag[2] = (ihl + chunk) >> 8;
		frag[3] = (ihl + chunk) & 0xff;
		frag[6] = (((base + off - ihl) / 8) >> 8) & 0x1f;
		if (off + chunk < tot || mf)
			frag[6] |= 0x20;
		frag[7] = ((base + off - ihl) / 8) & 0xff;
		frag[10] = frag[11] = 0;
		sum = dp_sum16(frag, ihl);
		frag[10] = sum >> 8;
		frag[11] = sum & 0xff;
		(void)dp_dgram_seal_send(dp, c, fbuf, ihl + chunk, now);
	}
	return 0;
}

/*
 * What a run of n datagrams of size bytes (total in all) that went out
 * as far as sent did: counted out, or lost.  ovh is the sealing's
 * overhead per datagram.  Returns why the rest of the frame cannot go
 * (the socket is full, or refused the size), or DROP_MAX if it can.
 */
static enum drop_reason
dp_gso_sent(struct datapath *dp, struct dp_conn *c, size_t sent, size_t n,
    size_t size, size_t total, size_t ovh)
{
	size_t			 bytes;
	int			 err = errno;
	enum drop_reason	 r = DROP_QUEUE_FULL, stop = DROP_MAX;

	bytes = sent == n ? total - n * ovh : sent * (size - ovh);
	dp_count_out(dp, c, bytes, sent);
	if (sent == n)
		return DROP_MAX;
	if (err == EMSGSIZE) {
		if (c->on_too_big != NULL)
			c->on_too_big(c, size);
		r = stop = DROP_TOO_BIG;
	} else if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
		c->blocked = 1;
		dp_backlogged(c);
		if (c->pc != NULL)
			c->pc->drops_queue += n - sent;
		stop = DROP_QUEUE_FULL;
	} else
		dp_dgram_src_check(c, err);
	/* Anything else (an ICMP error of an earlier send, a source
	 * address gone) is one loss. */
	for (; sent < n; sent++)
		dp_drop(dp, r);
	return stop;
}

/*
 * Seals the segments of g from *next on, end to end, as many as one
 * send takes (udpio.h), and sends them; *next moves past them.
 * Returns why the rest of the frame cannot go, or DROP_MAX.
 */
static enum drop_reason
dp_gso_run(struct datapath *dp, struct dp_conn *c, const struct gso *g,
    const uint8_t *pkt, size_t *next, uint64_t now)
{
	static uint8_t		 gbuf[UDPIO_BYTES + DP_FRAME_MAX];
	size_t			 hdr = c->sp.ops->hdr_len, n = 0, used = 0;
	size_t			 size = 0, seglen = 0, flen, sent;
	enum drop_reason	 r, left = DROP_MAX;
	int			 nogso;

	for (; *next < g->nseg && n < UDPIO_MAX; (*next)++, n++) {
		if (n > 0 && used + size > UDPIO_BYTES)
			break;
		flen = gso_segment(g, pkt, *next, gbuf + used + hdr);
		if ((flen = c->sp.ops->seal(c->sp.st, gbuf + used, flen,
		    now)) == 0) {
			left = DROP_NO_SESSION;	/* not up any more */
			break;
		}
		if (n == 0) {
			size = flen;
			seglen = gso_seglen(g, *next);
		}
		used += flen;
	}
	if (n > 0) {
		nogso = c->nogso;
		sent = udpio_send(c->sock_fd, (struct sockaddr *)&c->to,
		    c->tolen, &c->local, gbuf, size, n, used, &c->nogso);
		if (c->nogso && !nogso)
			log_info("UDP_SEGMENT refused (%s): sendmmsg instead",
			    strerror(c->nogso));
		if ((r = dp_gso_sent(dp, c, sent, n, size, used,
		    size - seglen)) != DROP_MAX)
			return r;
	}
	return left;
}

/*
 * A TSO frame from the TUN for a datagram session: cut into segments
 * that fit the session's path (gso.c), sealed into datagrams of one
 * size and sent in runs, each in as few system calls as the kernel
 * allows.  Every datagram sealed is sent or counted as dropped, and a
 * full socket blocks the session as dp_dgram_send() does.  Segments
 * after a failed run are dropped too: the sender's TCP repeats them.
 */
static int
dp_dgram_gso(struct datapath *dp, struct dp_conn *c, uint8_t *frame,
    size_t len, uint64_t now)
{
	struct gso		 g;
	size_t			 mtu = c->max_payload > 0 ? c->max_payload :
				    (size_t)dp->tun_mtu;
	size_t			 next = 0;
	enum drop_reason	 r = DROP_MAX;

	if (gso_prepare(&g, frame, frame + TUNHDR_VNET_LEN,
	    len - TUNHDR_VNET_LEN, mtu) == -1) {
		dp_drop(dp, DROP_BAD_PACKET);
		return 0;
	}
	while (next < g.nseg && r == DROP_MAX)
		r = dp_gso_run(dp, c, &g, frame + TUNHDR_VNET_LEN, &next, now);
	for (; next < g.nseg; next++)
		dp_drop(dp, r);
	return 1;
}

/*
 * One TUN packet for a datagram session: sealed in the batch buffer
 * (after the header room) and sent on its own, or if a TSO frame, cut
 * and sent in runs.  One too large for the path is answered for its
 * sender instead.
 */
static int
dp_dgram_out(struct datapath *dp, struct dp_conn *c, uint8_t *pkt,
    size_t len, uint64_t now)
{
	dp_flush_batch(dp);
	if ((dp->tun_flags & TUN_F_VNETHDR) && len > TUNHDR_VNET_LEN &&
	    pkt[VNETHDR_GSO_TYPE] != VNETHDR_GSO_NONE) {
		(void)dp_pull_pending(c);
		return dp_dgram_gso(dp, c, pkt, len, now);
	}
	if ((pkt = dp_vnet_strip(dp, pkt, &len)) == NULL) {
		dp_drop(dp, DROP_BAD_PACKET);
		return 0;
	}
	(void)dp_pull_pending(c);
	if (c->max_payload > 0 && len > c->max_payload) {
		if (dp_dgram_frag(dp, c, pkt, len, c->max_payload, now) == -1)
			dp_too_big(c, pkt, len, c->max_payload);
		return 0;
	}
	memmove(dp->obuf + c->sp.ops->hdr_len, pkt, len);
	return dp_dgram_seal_send(dp, c, dp->obuf, len, now);
}

/*
 * The batch is c's, with room for a frame of len payload bytes, and c's
 * control bytes are out before it; -1 if c's queue has no room left for
 * it.  Only the segment's own size counts: a TSO frame's segments are
 * sealed one after another, and the read loop made room for the frame.
 */
static int
dp_bare_room(struct datapath *dp, struct dp_conn *c, size_t len)
{
	const uint8_t	*ctl;
	size_t		 need = SPROTO_HDR_MAX + PROTO_TAG_LEN + len;

	if (dp->batch != c || dp->ocap - dp->olen < need) {
		dp_flush_batch(dp);
		dp->batch = c;
	}
	if (dp_no_room(c, need))
		return -1;
	if (c->sp.ops->pending(c->sp.st, &ctl) > 0) {
		dp_flush_batch(dp);
		dp->batch = c;
		if (dp_pull_pending(c) == -1)
			return -1;
	}
	return 0;
}

/*
 * A TSO frame from the TUN for a session of bare packets (a DSVPN
 * peer's, sp.ops->bare): cut (gso.c) into packets no larger than the
 * TUN's MTU, each sealed as a frame of the batch as if read on its own.
 * The segments are written where the frame was read, so it is copied
 * out first.  A queue that fills drops the frame's remaining segments
 * (the sender's TCP repeats them).  1 sealed, 0 dropped.
 */
static int
dp_bare_gso(struct datapath *dp, struct dp_conn *c, const uint8_t *frame,
    size_t len, uint64_t now)
{
	static uint8_t		 copy[DP_VNET_MAX];
	struct gso		 g;
	size_t			 i, seglen, flen, hdr = c->sp.ops->hdr_len;
	uint8_t			*slot;
	enum drop_reason	 r = DROP_MAX;

	if (len > sizeof(copy) || gso_prepare(&g, frame,
	    frame + TUNHDR_VNET_LEN, len - TUNHDR_VNET_LEN,
	    (size_t)dp->tun_mtu) == -1) {
		dp_drop(dp, DROP_BAD_PACKET);
		return 0;
	}
	memcpy(copy, frame, len);
	for (i = 0; i < g.nseg && r == DROP_MAX; i++) {
		if (dp_bare_room(dp, c, gso_seglen(&g, i)) == -1) {
			r = DROP_QUEUE_FULL;
			break;
		}
		slot = dp->obuf + dp->olen;
		seglen = gso_segment(&g, copy + TUNHDR_VNET_LEN, i,
		    slot + hdr);
		if ((flen = c->sp.ops->seal(c->sp.st, slot, seglen,
		    now)) == 0) {
			r = DROP_NO_SESSION;
			break;
		}
		dp->olen += flen;
		dp_count_out(dp, c, seglen, 1);
	}
	for (; i < g.nseg; i++) {
		dp_drop(dp, r);
		if (r == DROP_QUEUE_FULL && c->pc != NULL)
			c->pc->drops_queue++;
	}
	return r == DROP_MAX;
}

/*
 * A packet from a vnet TUN for a session of bare packets: a TSO frame
 * is cut (dp_bare_gso(), 2: done with it), any other loses its virtio
 * header, its checksum completed if left to the device, and moves to
 * where the header was (1: go on with it as read).  0: dropped.
 */
static int
dp_bare_out(struct datapath *dp, struct dp_conn *c, uint8_t *pkt,
    size_t *len, uint64_t now)
{
	uint8_t	*bare;

	if (*len > TUNHDR_VNET_LEN &&
	    pkt[VNETHDR_GSO_TYPE] != VNETHDR_GSO_NONE)
		return dp_bare_gso(dp, c, pkt, *len, now) ? 2 : 0;
	if ((bare = dp_vnet_strip(dp, pkt, len)) == NULL) {
		dp_drop(dp, DROP_BAD_PACKET);
		return 0;
	}
	memmove(pkt, bare, *len);
	return 1;
}

/*
 * CoDel on a packet read from the TUN, for sessions over either
 * transport (a UDP session's packets used to skip it): 1 send it (an
 * ECN-capable one may come marked), 0 it was dropped.
 */
static int
dp_tun_admit(struct datapath *dp, uint8_t *pkt, size_t len, uint64_t us)
{
	if (!dp->aqm || !codel_drop(&dp->codel, us - dp->tun_empty, us) ||
	    dp_ecn_mark(dp, pkt, len) == 0)
		return 1;
	dp_drop(dp, DROP_QUEUE_FULL);
	return 0;
}

/*
 * One TUN read into the batch: 1 sealed, 0 dropped, -1 empty.  The
 * packet is read where a frame of the batch's protocol puts its
 * payload; if it turns out to be for another session, the batch is
 * flushed and the packet moved to the front, with that session's
 * header room.
 */
static int
dp_tun_read_one(struct datapath *dp, uint64_t now, uint64_t us)
{
	struct dp_conn	*c;
	size_t		 hdr = dp->batch != NULL ? dp->batch->sp.ops->hdr_len :
			    PROTO_HDR_LEN;
	uint8_t		*pkt = dp->obuf + dp->olen + hdr, *slot;
	const uint8_t	*ctl;
	ssize_t		 n;
	size_t		 len, flen;
	int		 r;

	n = read(dp->tun_fd, pkt - dp->tun_hdr, dp->tun_hdr + dp->tun_max);
	if (n == -1)
		return -1;
	if ((size_t)n <= dp->tun_hdr) {
		dp_drop(dp, DROP_BAD_PACKET);
		return 0;
	}
	len = n - dp->tun_hdr;
	if ((c = dp_route(dp, pkt, len)) == NULL)
		return 0;
	if (!dp_tun_admit(dp, pkt, len, us))
		return 0;
	if (c->sp.ops->datagram)
		return dp_dgram_out(dp, c, pkt, len, now);
	if (c->sp.ops->bare && (dp->tun_flags & TUN_F_VNETHDR) &&
	    (r = dp_bare_out(dp, c, pkt, &len, now)) != 1)
		return r == 2;
	if (c != dp->batch) {
		dp_flush_batch(dp);
		dp->batch = c;
		memmove(dp->obuf + c->sp.ops->hdr_len, pkt, len);
		pkt = dp->obuf + c->sp.ops->hdr_len;
	}
	/* Frames are numbered as they are sealed, so a frame sealed must
	 * be sent: room for the batch is checked before, not after. */
	if (dp_full(c)) {
		dp_drop(dp, DROP_QUEUE_FULL);
		if (c->pc != NULL)
			c->pc->drops_queue++;
		return 0;
	}
	/* Control bytes queued since the last frame go before it: the
	 * batch so far, then them, then this packet's frame. */
	if (c->sp.ops->pending(c->sp.st, &ctl) > 0) {
		dp_flush_batch(dp);
		dp->batch = c;
		if (dp_pull_pending(c) == -1) {
			dp_drop(dp, DROP_QUEUE_FULL);
			return 0;
		}
		memmove(dp->obuf + c->sp.ops->hdr_len, pkt, len);
		pkt = dp->obuf + c->sp.ops->hdr_len;
	}
	slot = pkt - c->sp.ops->hdr_len;
	if ((flen = c->sp.ops->seal(c->sp.st, slot, len, now)) == 0) {
		dp_drop(dp, DROP_NO_SESSION);
		return 0;
	}
	dp->olen = slot + flen - dp->obuf;
	dp_count_out(dp, c, len, 1);
	return 1;
}

int
dp_tun_read(struct datapath *dp, uint64_t now)
{
	uint64_t	 us = dp_clock_us();
	int		 i;

	/* Woken on an empty ring we were watching: the queue is new. */
	if (dp->tun_drained) {
		dp->tun_empty = us;
		dp->tun_drained = 0;
	}
	for (i = 0; i < DP_BATCH; i++) {
		/* One session: while its socket is backed up the packets
		 * wait in the kernel's TUN queue (back-pressure). */
		if (!dp->multi && dp->solo != NULL && dp_full(dp->solo))
			break;
		/* Room for one more frame of the largest size. */
		if (dp->ocap - dp->olen < DP_FRAME_MAX + SPROTO_HDR_MAX)
			dp_flush_batch(dp);
		if (dp_tun_read_one(dp, now, us) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				dp->tun_empty = us;
				dp->tun_drained = 1;
				break;
			}
			if (errno == EINTR)
				break;
			dp_flush_batch(dp);
			return -1;
		}
	}
	dp_flush_batch(dp);
	return i;
}

/* The caller stops watching the TUN: what queues from now on waits. */
void
dp_tun_pause(struct datapath *dp)
{
	dp->tun_drained = 0;
}

int
dp_sock_write(struct dp_conn *c)
{
	ssize_t	 n;

	if (c->dp->batch == c)
		dp_flush_batch(c->dp);
	if (c->why[0] != '\0')
		return -1;
	/* A full datagram socket: wait till it is writable (the write
	 * event clears blocked). */
	if (c->sp.ops != NULL && c->sp.ops->datagram)
		return dp_pull_pending(c) == -1 || c->blocked ? 0 : 1;
	(void)dp_pull_pending(c);
	while (c->qoff < c->qlen) {
		n = write(c->sock_fd, c->q + c->qoff, c->qlen - c->qoff);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			snprintf(c->why, sizeof(c->why), "write: %s",
			    strerror(errno));
			return -1;
		}
		c->qoff += n;
		/* A short write means the socket is full: waiting for it
		 * to become writable saves a futile write. */
		if (c->qoff < c->qlen)
			return 0;
		/* A rekey or keepalive may have queued more meanwhile. */
		c->qoff = c->qlen = 0;
		(void)dp_pull_pending(c);
	}
	c->qoff = c->qlen = 0;
	/* Drained: the buffer goes back, an idle session holds none. */
	if (c->qcap > 0) {
		free(c->q);
		c->q = NULL;
		c->qcap = 0;
	}
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
dp_vnet_adapt(const struct datapath *dp, uint8_t *pkt, size_t *len, int *addhdr)
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

/* The outcome of a TUN write of npkts packets, bytes in all. */
static void
dp_tun_written(struct datapath *dp, struct dp_conn *c, ssize_t n,
    size_t bytes, size_t npkts)
{
	if (n == -1) {
		/* EIO: the interface is down, nothing to worry about. */
		if (errno == EIO)
			log_ratelimited(log_debug, "TUN write: interface down");
		else if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != ENOBUFS)
			log_ratelimited(log_warn, "TUN write");
		dp->stats->drops[DROP_TUN_WRITE] += npkts;
		return;
	}
	dp->stats->bytes_in += bytes;
	dp->stats->packets_in += npkts;
	if (c != NULL && c->pc != NULL) {
		c->pc->bytes_in += bytes;
		c->pc->packets_in += npkts;
	}
}

/*
 * coalesce.c's output: a packet as it came, or a super-packet of nseg
 * (counted as the packets it stands for, their headers included).
 */
static void
dp_tun_joined(void *arg, const uint8_t *vh, const uint8_t *pkt, size_t len,
    size_t nseg)
{
	struct datapath	*dp = arg;
	struct iovec	 iov[2];
	size_t		 bytes = len;
	ssize_t		 n;

	if (nseg > 1)
		bytes += (nseg - 1) * (vh[VNETHDR_HDR_LEN] |
		    vh[VNETHDR_HDR_LEN + 1] << 8);
	iov[0].iov_base = (void *)vh;
	iov[0].iov_len = TUNHDR_VNET_LEN;
	iov[1].iov_base = (void *)pkt;
	iov[1].iov_len = len;
	n = writev(dp->tun_fd, iov, 2);
	dp_tun_written(dp, dp->co_conn, n, bytes, nseg);
}

void
dp_tun_flush(struct datapath *dp)
{
	coalesce_flush(dp->co);
}

/*
 * Hands one verified packet to the TUN.  The bytes before pkt belong to
 * its frame header, already consumed, so an AF header goes there.
 * Writes that fail are drops: a TUN write does not block for long, and
 * waiting would stall the transport.  join: a datagram of a receive
 * batch, which a vnet TUN may get joined with the next ones of its TCP
 * flow (coalesce.h) once it passed every check here; the caller then
 * calls dp_tun_flush() at the end of the batch.
 */
static void
dp_tun_write(struct dp_conn *c, uint8_t *pkt, size_t len, int join)
{
	struct datapath	*dp = c->dp;
	struct iovec	 iov[2];
	const uint8_t	*ip;
	ssize_t		 n;
	size_t		 iplen;
	int		 addhdr, hl, r;

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
	if (dp->policy.admit != NULL) {
		ip = addhdr ? pkt : dp_ip(dp, pkt, len, &iplen);
		if (addhdr)
			iplen = len;
		if (ip == NULL)
			r = DROP_BAD_PACKET;
		else
			r = dp->policy.admit(dp->policy.arg, c, ip, iplen);
		if (r != DROP_MAX) {
			dp_drop(dp, r);
			if (r == DROP_SPOOFED && c->pc != NULL)
				c->pc->drops_source++;
			return;
		}
	}
	if (addhdr && join) {
		if (dp->co_conn != c) {
			dp_tun_flush(dp);
			dp->co_conn = c;
		}
		coalesce_add(dp->co, pkt, len);
		return;
	}
	/* Whatever is pending came first. */
	dp_tun_flush(dp);
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
	dp_tun_written(dp, c, n, len, 1);
}

/* Opens every complete unit in the input buffer; -1 ends the session.
 * A partial tail is kept by the session for its next read. */
static int
dp_open_frames(struct dp_conn *c, size_t ilen, uint64_t now)
{
	struct datapath		*dp = c->dp;
	struct proto_event	 ev;
	size_t			 pos = 0;
	ssize_t			 r;

	while (pos < ilen) {
		memset(&ev, 0, sizeof(ev));
		r = c->sp.ops->input(c->sp.st, dp->ibuf + pos, ilen - pos,
		    now, &ev);
		if (r == -1) {
			c->fault = c->sp.ops->fault(c->sp.st);
			snprintf(c->why, sizeof(c->why), "%s",
			    c->sp.ops->error(c->sp.st));
			return -1;
		}
		if (r == 0)
			break;
		pos += r;
		if (ev.type == PROTO_EV_DATA)
			dp_tun_write(c, ev.data, ev.len, 0);
		else if (ev.type == PROTO_EV_UP) {
			/* A protocol whose key confirmation is a data
			 * frame (DSVPN's) hands over its packet here. */
			c->events |= DP_EV_UP;
			if (ev.data != NULL && ev.len > 0)
				dp_tun_write(c, ev.data, ev.len, 0);
		}
		else if (ev.type == PROTO_EV_PUSH && c->on_push != NULL)
			c->on_push(c, ev.data, ev.len);
		else if (ev.type == PROTO_EV_CLOSED) {
			c->events |= DP_EV_CLOSED;
			c->close_reason = ev.reason;
			return 1;
		}
	}
	if (ilen - pos == dp->icap) {
		snprintf(c->why, sizeof(c->why), "frame too large");
		c->fault = DROP_PROTOCOL;
		return -1;
	}
	if (pos < ilen) {
		if ((c->part = malloc(ilen - pos)) == NULL)
			fatal("%s", __func__);
		memcpy(c->part, dp->ibuf + pos, ilen - pos);
		c->plen = ilen - pos;
	}
	return 1;
}

/* The shared input buffer, starting with c's partial frame (freed). */
static size_t
dp_take_partial(struct dp_conn *c)
{
	size_t	 n = c->plen;

	if (n > 0)
		memcpy(c->dp->ibuf, c->part, n);
	free(c->part);
	c->part = NULL;
	c->plen = 0;
	return n;
}

/*
 * One whole datagram: opened in place, its packet to the TUN.  1 fine
 * (check events), -1 the session is over (why, fault).  A datagram that
 * fails to verify is only counted by the protocol (dgram_drops()).
 */
int
dp_dgram_input(struct dp_conn *c, uint8_t *buf, size_t len, uint64_t now)
{
	struct proto_event	 ev;
	uint32_t		 id;
	size_t			 acked;

	memset(&ev, 0, sizeof(ev));
	if (c->sp.ops->input(c->sp.st, buf, len, now, &ev) == -1) {
		c->fault = c->sp.ops->fault(c->sp.st);
		snprintf(c->why, sizeof(c->why), "%s",
		    c->sp.ops->error(c->sp.st));
		return -1;
	}
	switch (ev.type) {
	case PROTO_EV_UP:
		c->events |= DP_EV_UP;
		/* FALLTHROUGH */
	case PROTO_EV_DATA:
		if (ev.data != NULL && ev.len > 0)
			dp_tun_write(c, ev.data, ev.len, 1);
		break;
	case PROTO_EV_PUSH:
		if (c->on_push != NULL)
			c->on_push(c, ev.data, ev.len);
		break;
	case PROTO_EV_CLOSED:
		c->events |= DP_EV_CLOSED;
		c->close_reason = ev.reason;
		break;
	default:
		break;
	}
	if ((acked = sproto_dgram_ack(&c->sp, &id)) > 0 &&
	    c->on_probe_ack != NULL)
		c->on_probe_ack(c, id, acked);
	return 1;
}

void
dp_deliver(struct dp_conn *c, uint8_t *pkt, size_t len)
{
	dp_tun_write(c, pkt, len, 0);
}

/*
 * One read of a client's connected UDP socket: a datagram, or a run of
 * them (UDP_GRO, udpio.h) of seg bytes but the last, each on its own.
 */
static int
dp_dgram_run(struct dp_conn *c, size_t n, size_t seg, uint64_t now)
{
	uint8_t	*buf = c->dp->ibuf;
	size_t	 off, len;

	for (off = 0; off < n && !(c->events & DP_EV_CLOSED); off += seg) {
		len = n - off < seg ? n - off : seg;
		if (dp_dgram_input(c, buf + off, len, now) == -1)
			return -1;
	}
	return 1;
}

/* A client's connected UDP socket: a batch of reads per wakeup. */
static int
dp_dgram_batch(struct dp_conn *c, uint64_t now)
{
	struct datapath	*dp = c->dp;
	ssize_t		 n;
	size_t		 seg;
	int		 i;

	for (i = 0; i < DP_BATCH && !(c->events & DP_EV_CLOSED); i++) {
		n = udpio_recv(c->sock_fd, dp->ibuf, dp->icap, NULL, NULL,
		    &seg, NULL);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* ICMP errors of earlier sends; EINTR. */
			if (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
			    errno == ENETUNREACH || errno == EMSGSIZE ||
			    errno == EINTR || errno == EHOSTDOWN)
				continue;
			snprintf(c->why, sizeof(c->why), "recv: %s",
			    strerror(errno));
			return -1;
		}
		if (dp_dgram_run(c, n, seg, now) == -1)
			return -1;
	}
	return 1;
}

/* The batch, then what it left pending: no packet waits for the next. */
static int
dp_dgram_read(struct dp_conn *c, uint64_t now)
{
	int	 r;

	r = dp_dgram_batch(c, now);
	dp_tun_flush(c->dp);
	return r;
}

int
dp_sock_read(struct dp_conn *c, uint64_t now)
{
	struct datapath	*dp = c->dp;
	size_t		 have;
	ssize_t		 n;

	c->events = 0;
	if (c->sp.ops->datagram)
		return dp_dgram_read(c, now);
	have = dp_take_partial(c);
	n = read(c->sock_fd, dp->ibuf + have, dp->icap - have);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR) {
			n = 0;
			if (have == 0)
				return 1;
			return dp_open_frames(c, have, now);
		}
		snprintf(c->why, sizeof(c->why), "read: %s", strerror(errno));
		return -1;
	}
	if (n == 0) {
		snprintf(c->why, sizeof(c->why), "connection closed by peer");
		return 0;
	}
	return dp_open_frames(c, have + n, now);
}

/* The server's first bytes came through the pending table. */
int
dp_feed(struct dp_conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	struct datapath	*dp = c->dp;
	size_t		 have;

	c->events = 0;
	have = dp_take_partial(c);
	if (len > dp->icap - have) {
		snprintf(c->why, sizeof(c->why), "hello too large");
		return -1;
	}
	memcpy(dp->ibuf + have, buf, len);
	return dp_open_frames(c, have + len, now);
}
