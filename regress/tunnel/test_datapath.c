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
 * The tunnel worker's data path without a kernel TUN: datagram
 * socketpairs stand in for the two TUN devices (one packet per
 * datagram, like a TUN) and a stream socketpair for the transport.
 * Checks the handshake over the real code, batching and coalescing,
 * frames that arrive a byte at a time, back-pressure from a full
 * socket, and that a corrupted byte ends the session with nothing of
 * the bad frame forwarded.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "msgcat.h"
#include "proto.h"
#include "srccheck.h"
#include "tunnel.h"

#define PKT_MAX		9000

struct end {
	struct datapath		 dp;
	struct dp_conn		 conn;
	struct tunnel_stats	 st;
	struct proto		*p;
	int			 tun[2];	/* [0] the worker's, [1] ours */
	int			 up;
};

static struct end	 cli, srv;
static int		 failures;
static uint64_t		 fake_now = 1000;

#define CHECK(c, ...) do {						\
	if (!(c)) {							\
		fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		failures++;						\
		return -1;						\
	}								\
} while (0)

static void
nonblock(int fd)
{
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
		perror("fcntl");
		exit(1);
	}
}

/* A recognisable IPv4-looking packet: seq in bytes 4-7, len varies. */
static size_t
make_pkt(uint8_t *b, uint32_t seq, size_t len)
{
	size_t	 i;

	b[0] = 0x45;
	b[1] = 0;
	b[2] = len >> 8;
	b[3] = len & 0xff;
	memcpy(b + 4, &seq, sizeof(seq));
	for (i = 8; i < len; i++)
		b[i] = (uint8_t)(seq * 31 + i);
	return len;
}

static size_t
pkt_len(uint32_t seq, size_t max)
{
	return 64 + (seq * 977) % (max - 64);
}

static void
end_setup(struct end *e, int sock, enum proto_role role,
    struct proto_replay *rp, const uint8_t *psk)
{
	struct proto_params	 par;

	memset(e, 0, sizeof(*e));
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, e->tun) == -1) {
		perror("socketpair");
		exit(1);
	}
	nonblock(e->tun[1]);
	memset(&par, 0, sizeof(par));
	par.role = role;
	memcpy(par.psk, psk, PROTO_KEY_LEN);
	par.replay = rp;
	if ((e->p = proto_new(&par)) == NULL) {
		perror("proto_new");
		exit(1);
	}
	dp_init(&e->dp, &e->st);
	dp_set_tun(&e->dp, e->tun[0], 0, PKT_MAX);
	dp_conn_init(&e->conn, &e->dp, NULL, e);
	dp_attach(&e->conn, sock, sproto_native(e->p));
	dp_set_solo(&e->dp, &e->conn);
	/* Timing-dependent; test_codel() checks it with a fake clock. */
	e->dp.aqm = 0;
}

static int
readable(int fd)
{
	int	 n = 0;

	if (ioctl(fd, FIONREAD, &n) == -1)
		return 0;
	return n;
}

static int
busy(int tun_too)
{
	struct end	*e[2] = { &cli, &srv };
	int		 i;

	for (i = 0; i < 2; i++) {
		if (dp_unsent(&e[i]->conn) > 0 || readable(e[i]->conn.sock_fd))
			return 1;
		if (tun_too && readable(e[i]->tun[0]))
			return 1;
	}
	return 0;
}

/* Moves bytes both ways until nothing is left; -1 if a side failed. */
static int
pump(int tun_too)
{
	struct end	*e[2] = { &cli, &srv };
	int		 i, rounds;

	for (rounds = 0; rounds < 100000 && busy(tun_too); rounds++) {
		for (i = 0; i < 2; i++) {
			if (tun_too && dp_tun_read(&e[i]->dp, fake_now) == -1)
				return -1;
			if (dp_sock_write(&e[i]->conn) == -1)
				return -1;
			if (dp_sock_read(&e[i]->conn, fake_now) != 1)
				return -1;
			if (e[i]->conn.events & DP_EV_UP)
				e[i]->up = 1;
		}
	}
	return busy(tun_too) ? -1 : 0;
}

/* Writes packets first.. into e's TUN; returns how many fitted. */
static int
send_pkts(struct end *e, uint32_t first, int n, size_t max)
{
	uint8_t	 b[PKT_MAX];
	size_t	 len;
	int	 i;

	for (i = 0; i < n; i++) {
		len = make_pkt(b, first + i, pkt_len(first + i, max));
		if (write(e->tun[1], b, len) == -1)
			break;
	}
	return i;
}

/* Exactly packets first.. came out of e's TUN, intact and in order. */
static int
expect_pkts(struct end *e, uint32_t first, int n, size_t max)
{
	uint8_t	 want[PKT_MAX], got[PKT_MAX + 16];
	size_t	 len;
	ssize_t	 r;
	int	 i;

	for (i = 0; i < n; i++) {
		len = make_pkt(want, first + i, pkt_len(first + i, max));
		r = recv(e->tun[1], got, sizeof(got), MSG_DONTWAIT);
		CHECK(r == (ssize_t)len, "packet %u: got %zd bytes, want %zu",
		    first + i, r, len);
		CHECK(memcmp(got, want, len) == 0, "packet %u differs",
		    first + i);
	}
	r = recv(e->tun[1], got, sizeof(got), MSG_DONTWAIT);
	CHECK(r == -1 && errno == EAGAIN, "unexpected extra packet (%zd)", r);
	return 0;
}

static int
test_handshake(void)
{
	CHECK(pump(0) == 0, "handshake pump failed: %s / %s", cli.conn.why,
	    srv.conn.why);
	CHECK(cli.up && srv.up, "session not up (client %d, server %d)",
	    cli.up, srv.up);
	CHECK(proto_is_up(cli.p) && proto_is_up(srv.p), "proto not up");
	return 0;
}

/* One wakeup reads at most a batch; the frames sit back to back. */
static int
test_batch(void)
{
	size_t	 want = 0;
	int	 i, n;

	CHECK(send_pkts(&cli, 0, 100, 1400) == 100, "TUN queue too small");
	n = dp_tun_read(&cli.dp, fake_now);
	CHECK(n == DP_BATCH, "first batch read %d packets", n);
	for (i = 0; i < DP_BATCH; i++)
		want += pkt_len(i, 1400) + PROTO_OVERHEAD;
	CHECK(readable(srv.conn.sock_fd) == (int)want &&
	    dp_unsent(&cli.conn) == 0,
	    "batch not sent whole: %d bytes arrived, want %zu",
	    readable(srv.conn.sock_fd), want);
	CHECK(dp_sock_write(&cli.conn) == 1, "batch write incomplete");
	n = dp_tun_read(&cli.dp, fake_now);
	CHECK(n == 100 - DP_BATCH, "second batch read %d packets", n);
	CHECK(pump(0) == 0, "pump: %s", srv.conn.why);
	if (expect_pkts(&srv, 0, 100, 1400) == -1)
		return -1;
	CHECK(cli.st.packets_out == 100 && srv.st.packets_in == 100,
	    "counters %llu/%llu", (unsigned long long)cli.st.packets_out,
	    (unsigned long long)srv.st.packets_in);
	return 0;
}

/* Frames trickling in a byte at a time come out whole, once. */
static int
test_partial(void)
{
	uint8_t		*copy;
	uint8_t		 junk[16];
	size_t		 len, i, first;
	int		 n;

	CHECK(send_pkts(&srv, 1000, 20, PKT_MAX) == 20, "TUN queue full");
	n = dp_tun_read(&srv.dp, fake_now);
	CHECK(n == 20, "read %d", n);
	/* The batch went to the socket: take it back out raw. */
	len = readable(cli.conn.sock_fd);
	first = pkt_len(1000, PKT_MAX) + PROTO_OVERHEAD;
	copy = malloc(len);
	CHECK(read(cli.conn.sock_fd, copy, len) == (ssize_t)len, "raw read");
	for (i = 0; i < len; i++) {
		CHECK(dp_feed(&cli.conn, copy + i, 1, fake_now) == 1,
		    "read at %zu: %s", i, cli.conn.why);
		CHECK(cli.conn.plen == (i + 1 < len ? cli.conn.plen : 0),
		    "tail kept after the last frame");
		if (i == first - 2)
			CHECK(recv(cli.tun[1], junk, sizeof(junk),
			    MSG_DONTWAIT) == -1, "packet before its tag");
	}
	free(copy);
	return expect_pkts(&cli, 1000, 20, PKT_MAX);
}

/* Client to server until n packets from first arrived, read as they
 * come: the datagram pair standing in for the TUN holds few. */
static int
drain_check(uint32_t first, uint32_t n)
{
	uint8_t		 want[PKT_MAX], got[PKT_MAX + 16];
	uint32_t	 next = first;
	size_t		 len;
	ssize_t		 r;
	int		 rounds;

	for (rounds = 0; rounds < 100000 && next < first + n; rounds++) {
		CHECK(dp_tun_read(&cli.dp, fake_now) >= 0, "TUN read");
		CHECK(dp_sock_write(&cli.conn) >= 0, "write: %s", cli.conn.why);
		CHECK(dp_sock_read(&srv.conn, fake_now) == 1, "read: %s",
		    srv.conn.why);
		while ((r = recv(srv.tun[1], got, sizeof(got),
		    MSG_DONTWAIT)) != -1) {
			len = make_pkt(want, next, pkt_len(next, PKT_MAX));
			CHECK(r == (ssize_t)len && memcmp(got, want, len) == 0,
			    "packet %u missing or damaged", next);
			next++;
		}
	}
	CHECK(next == first + n, "%u of %u packets arrived", next - first,
	    n);
	CHECK(srv.st.drops[DROP_TUN_WRITE] == 0, "TUN write drops");
	return expect_pkts(&srv, 0, 0, PKT_MAX);
}

/*
 * The server stops reading: the client's socket fills, its output
 * buffer stays bounded, and it stops taking packets from the TUN (the
 * kernel's queue is where they wait or drop).  Once the server reads
 * again, everything arrives in order.
 */
static int
test_backpressure(void)
{
	uint32_t	 sent = 0;
	int		 i, r, w = 1, stalled = 0, sz = 16384;

	CHECK(setsockopt(cli.conn.sock_fd, SOL_SOCKET, SO_SNDBUF, &sz,
	    sizeof(sz)) == 0, "SO_SNDBUF");
	for (i = 0; i < 10000 && !stalled; i++) {
		sent += send_pkts(&cli, 2000 + sent, 4, PKT_MAX);
		r = dp_tun_read(&cli.dp, fake_now);
		CHECK(r >= 0, "TUN read failed");
		if ((w = dp_sock_write(&cli.conn)) == -1)
			CHECK(0, "write: %s", cli.conn.why);
		stalled = r == 0 && w == 0 && readable(cli.tun[0]) > 0;
	}
	CHECK(stalled, "no back-pressure after %u packets", sent);
	CHECK(cli.conn.qlen - cli.conn.qoff <= DP_QUEUE_CAP + DP_FRAME_MAX,
	    "output overran");
	CHECK(dp_unsent(&cli.conn) >= DP_OBUF_SIZE,
	    "stalled with only %zu bytes queued", dp_unsent(&cli.conn));
	/* Still stalled on a second try: nothing more is taken. */
	CHECK(dp_tun_read(&cli.dp, fake_now) == 0, "read past a full buffer");
	CHECK(sent > 60, "only %u packets", sent);
	return drain_check(2000, sent);
}

/*
 * Once everything is sent and read, neither session holds a buffer of
 * its own: an idle session costs its structures only, whatever it
 * carried (test_backpressure queued over a megabyte).
 */
static int
test_idle_memory(void)
{
	struct end	*e[2] = { &cli, &srv };
	int		 i;

	CHECK(pump(1) == 0, "pump: %s / %s", cli.conn.why, srv.conn.why);
	for (i = 0; i < 2; i++)
		CHECK(e[i]->conn.q == NULL && e[i]->conn.qcap == 0 &&
		    e[i]->conn.part == NULL && e[i]->conn.plen == 0,
		    "end %d idle with %zu queue and %zu partial bytes held", i,
		    e[i]->conn.qcap, e[i]->conn.plen);
	return 0;
}

/* The ones' complement sum of a range, folded: 0xffff if it holds a
 * valid checksum. */
static uint16_t
csum_fold(const uint8_t *b, size_t len)
{
	uint32_t	 sum = 0;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (i < len)
		sum += (uint32_t)b[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * A virtio-net header rides in the payload.  A vnet TUN gets a neutral
 * header in front of a bare packet; a plain TUN gets the packet without
 * the header, its checksum completed if the peer left it to offload.
 */
static int
test_vnet(void)
{
	uint8_t		 b[PKT_MAX], got[PKT_MAX];
	uint64_t	 bad = cli.st.drops[DROP_BAD_VNET];
	uint32_t	 sum;
	size_t		 len;
	ssize_t		 r;

	srv.dp.tun_flags |= TUN_F_VNETHDR;
	CHECK(send_pkts(&cli, 5000, 1, 1400) == 1, "send");
	CHECK(pump(1) == 0, "pump");
	len = make_pkt(b, 5000, pkt_len(5000, 1400));
	r = recv(srv.tun[1], got, sizeof(got), MSG_DONTWAIT);
	CHECK(r == (ssize_t)(len + 10), "vnet TUN got %zd bytes", r);
	memset(b + len, 0, 10);
	CHECK(memcmp(got, b + len, 10) == 0 && memcmp(got + 10, b, len) == 0,
	    "vnet header or packet wrong");

	/* No offload: the header is only stripped. */
	memset(got, 0, 10);
	memcpy(got + 10, b, len);
	CHECK(write(srv.tun[1], got, len + 10) == (ssize_t)(len + 10), "w");
	CHECK(pump(1) == 0, "pump");
	if (expect_pkts(&cli, 5000, 1, 1400) == -1)
		return -1;

	/* Checksum offload: start 20, field at +16, as for TCP/IPv4;
	 * the packet becomes TCP, unfragmented, for the header to fit. */
	got[0] = 1;
	got[6] = 20;
	got[8] = 16;
	got[10 + 6] = got[10 + 7] = 0;
	got[10 + 9] = 6;
	got[10 + 32] = 0x50;
	CHECK(write(srv.tun[1], got, len + 10) == (ssize_t)(len + 10), "w");
	CHECK(pump(1) == 0, "pump");
	r = recv(cli.tun[1], b, sizeof(b), MSG_DONTWAIT);
	CHECK(r == (ssize_t)len, "checksummed packet: %zd bytes", r);
	/* Valid: with the pseudo-header sum the field held, all ones. */
	sum = csum_fold(b + 20, len - 20) + (got[46] << 8 | got[47]);
	sum = (sum & 0xffff) + (sum >> 16);
	CHECK(sum == 0xffff, "checksum not valid (%x)", sum);
	CHECK(memcmp(b, got + 10, 36) == 0 &&
	    memcmp(b + 38, got + 48, len - 38) == 0, "packet altered");

	/* Offsets past the end: refused, and counted as such. */
	got[6] = 0xff;
	got[7] = 0xff;
	CHECK(write(srv.tun[1], got, len + 10) == (ssize_t)(len + 10), "w");
	CHECK(pump(1) == 0, "pump");
	CHECK(cli.st.drops[DROP_BAD_VNET] == bad + 1, "bad header taken");
	srv.dp.tun_flags &= ~TUN_F_VNETHDR;
	return expect_pkts(&cli, 0, 0, 1400);
}

/* An unfragmented TCP/IPv4 packet from src to 198.19.0.2. */
static size_t
make_tcp4(uint8_t *b, size_t len, const uint8_t src[4])
{
	static const uint8_t	 dst[4] = { 198, 19, 0, 2 };
	size_t			 i;

	memset(b, 0, 40);
	b[0] = 0x45;
	b[2] = len >> 8;
	b[3] = len & 0xff;
	b[6] = 0x40;		/* DF */
	b[8] = 64;
	b[9] = 6;
	memcpy(b + 12, src, 4);
	memcpy(b + 16, dst, 4);
	b[20] = 0x30;		/* ports 12345 -> 5555 */
	b[21] = 0x39;
	b[22] = 0x15;
	b[23] = 0xb3;
	b[32] = 0x50;		/* data offset 5 */
	b[33] = 0x18;		/* PSH, ACK */
	for (i = 40; i < len; i++)
		b[i] = (uint8_t)i;
	return len;
}

/* A virtio header in front of a packet, as a vnet peer sends it. */
static void
put_vnet(uint8_t *h, int flags, int gso_type, size_t hdr_len,
    size_t gso_size, size_t start, size_t off)
{
	h[0] = flags;
	h[1] = gso_type;
	h[2] = hdr_len & 0xff;
	h[3] = hdr_len >> 8;
	h[4] = gso_size & 0xff;
	h[5] = gso_size >> 8;
	h[6] = start & 0xff;
	h[7] = start >> 8;
	h[8] = off & 0xff;
	h[9] = off >> 8;
}

/* One frame from the client's side; what the server's TUN got. */
static ssize_t
via_server(const uint8_t *frame, size_t len, uint8_t *got, size_t size)
{
	if (write(cli.tun[1], frame, len) != (ssize_t)len ||
	    pump(1) != 0)
		return -2;
	return recv(srv.tun[1], got, size, MSG_DONTWAIT);
}

/* The IPv4 and TCP checksums of a packet verify. */
static int
tcp4_sums_ok(const uint8_t *p, size_t len)
{
	uint32_t	 sum;

	if (csum_fold(p, 20) != 0xffff)
		return 0;
	/* The pseudo-header: addresses, protocol, TCP length. */
	sum = csum_fold(p + 12, 8) + 6 + (uint32_t)(len - 20) +
	    csum_fold(p + 20, len - 20);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/*
 * A session whose protocol carries bare packets (DSVPN's) on a vnet TUN:
 * a TSO frame from the TUN leaves as packets of gso_size payload, each
 * with its own valid checksums, in order and whole; a packet whose
 * checksum was left to the device leaves stripped and completed.
 */
static int
test_bare(void)
{
	static const uint8_t	 src[4] = { 192, 168, 192, 1 };
	static struct sproto_ops bare_ops;
	const struct sproto_ops	*was = srv.conn.sp.ops;
	uint8_t			 f[10 + 40 + 3000], got[PKT_MAX];
	uint64_t		 out = srv.st.packets_out;
	uint32_t		 seq0, seq, pseudo;
	ssize_t			 r;
	int			 i;

	bare_ops = *was;
	bare_ops.bare = 1;
	srv.conn.sp.ops = &bare_ops;
	srv.dp.tun_flags |= TUN_F_VNETHDR;
	make_tcp4(f + 10, 40 + 3000, src);
	put_vnet(f, 1, 1, 40, 1000, 20, 16);	/* NEEDS_CSUM, TCPV4 */
	CHECK(write(srv.tun[1], f, sizeof(f)) == (ssize_t)sizeof(f), "w");
	CHECK(pump(1) == 0, "pump");
	memcpy(&seq0, f + 10 + 24, 4);
	for (i = 0; i < 3; i++) {
		r = recv(cli.tun[1], got, sizeof(got), MSG_DONTWAIT);
		CHECK(r == 1040, "segment %d: %zd bytes", i, r);
		CHECK(tcp4_sums_ok(got, (size_t)r), "segment %d: checksums",
		    i);
		memcpy(&seq, got + 24, 4);
		CHECK(ntohl(seq) == ntohl(seq0) + 1000 * i, "segment %d: seq",
		    i);
		CHECK(memcmp(got + 40, f + 10 + 40 + 1000 * i, 1000) == 0,
		    "segment %d: payload", i);
	}
	CHECK(srv.st.packets_out == out + 3, "%llu packets counted",
	    (unsigned long long)(srv.st.packets_out - out));
	/* No TSO, checksum left to the device: completed, header gone. */
	make_tcp4(f + 10, 40 + 500, src);
	put_vnet(f, 1, 0, 0, 0, 20, 16);
	/* As Linux leaves it: the IP header's checksum done, the
	 * pseudo-header's sum in the TCP one. */
	pseudo = ~csum_fold(f + 10, 20) & 0xffff;
	f[10 + 10] = pseudo >> 8;
	f[10 + 11] = pseudo & 0xff;
	pseudo = csum_fold(f + 10 + 12, 8) + 6 + 520;
	pseudo = (pseudo & 0xffff) + (pseudo >> 16);
	f[10 + 36] = pseudo >> 8;
	f[10 + 37] = pseudo & 0xff;
	CHECK(write(srv.tun[1], f, 10 + 540) == 10 + 540, "w");
	CHECK(pump(1) == 0, "pump");
	r = recv(cli.tun[1], got, sizeof(got), MSG_DONTWAIT);
	CHECK(r == 540 && tcp4_sums_ok(got, 540) &&
	    memcmp(got + 40, f + 50, 500) == 0, "plain packet: %zd bytes", r);
	srv.dp.tun_flags &= ~TUN_F_VNETHDR;
	srv.conn.sp.ops = was;
	return expect_pkts(&cli, 0, 0, 1400);
}

/*
 * What the peer sends is admitted only if it is sane.  A TSO header
 * that would make the server's kernel burst (gso_size 1) is dropped and
 * counted, a well-formed one reaches the vnet TUN rebuilt (hdr_len the
 * real header length); with a source list, a spoofed source is dropped
 * and counted, bare or behind a header, and the peer's own passes.
 */
static int
test_admission(void)
{
	static const uint8_t	 peer[4] = { 192, 168, 192, 1 };
	static const uint8_t	 spoof[4] = { 10, 99, 0, 1 };
	struct srccheck		 allow;
	uint8_t			 f[PKT_MAX + 10], got[PKT_MAX + 10];
	uint64_t		 vnet0 = srv.st.drops[DROP_BAD_VNET];
	uint64_t		 spoof0 = srv.st.drops[DROP_SPOOFED];
	size_t			 len = 8000;
	ssize_t			 r;

	srccheck_init(&allow, 0);
	CHECK(srccheck_add(&allow, 4, peer, 32) == 0, "srccheck_add");
	srv.dp.allow = &allow;
	srv.dp.tun_flags |= TUN_F_VNETHDR;

	make_tcp4(f + 10, len, peer);
	put_vnet(f, 1, 1, 54, 1, 20, 16);	/* gso_size 1: a burst */
	r = via_server(f, len + 10, got, sizeof(got));
	CHECK(r == -1 && srv.st.drops[DROP_BAD_VNET] == vnet0 + 1,
	    "gso_size 1 reached the TUN (%zd)", r);
	put_vnet(f, 1, 1, 54, 1448, 20, 16);
	r = via_server(f, len + 10, got, sizeof(got));
	CHECK(r == (ssize_t)len + 10, "TSO frame: %zd bytes", r);
	CHECK(got[0] == 1 && got[1] == 1 && got[2] == 40 && got[3] == 0 &&
	    got[4] == (1448 & 0xff) && got[5] == 1448 >> 8 &&
	    memcmp(got + 10, f + 10, len) == 0, "TSO frame altered");

	make_tcp4(f + 10, 1400, spoof);
	r = via_server(f, 1410, got, sizeof(got));
	CHECK(r == -1 && srv.st.drops[DROP_SPOOFED] == spoof0 + 1,
	    "spoofed source behind a header (%zd)", r);
	r = via_server(f + 10, 1400, got, sizeof(got));
	CHECK(r == -1 && srv.st.drops[DROP_SPOOFED] == spoof0 + 2,
	    "spoofed bare packet (%zd)", r);
	make_tcp4(f + 10, 1400, peer);
	r = via_server(f + 10, 1400, got, sizeof(got));
	CHECK(r == 1410 && memcmp(got + 10, f + 10, 1400) == 0,
	    "the peer's own packet (%zd)", r);
	CHECK(srv.st.drops[DROP_BAD_VNET] == vnet0 + 1 &&
	    srv.st.drops[DROP_SPOOFED] == spoof0 + 2, "other drops");

	srv.dp.tun_flags &= ~TUN_F_VNETHDR;
	srv.dp.allow = NULL;
	return expect_pkts(&srv, 0, 0, 1400);
}

/* Three frames, the middle one with a flipped bit: the first is
 * delivered, then the session fails and nothing else gets through. */
static int
test_corrupt(void)
{
	uint8_t		*copy;
	size_t		 len, f1;
	int		 r;

	CHECK(send_pkts(&cli, 7000, 3, 1400) == 3, "send");
	CHECK(dp_tun_read(&cli.dp, fake_now) == 3, "read");
	len = readable(srv.conn.sock_fd);
	copy = malloc(len);
	CHECK(read(srv.conn.sock_fd, copy, len) == (ssize_t)len, "raw read");
	f1 = pkt_len(7000, 1400) + PROTO_OVERHEAD;
	copy[f1 + PROTO_HDR_LEN + 20] ^= 0x10;
	r = dp_feed(&srv.conn, copy, len, fake_now);
	free(copy);
	CHECK(r == -1, "corrupted frame accepted (%d)", r);
	CHECK(srv.conn.fault == DROP_AUTH, "fault %d, want DROP_AUTH",
	    srv.conn.fault);
	return expect_pkts(&srv, 7000, 1, 1400);
}

/* A queue standing above target for an interval gets drops, spaced
 * by interval / sqrt(n), until it falls below target. */
static int
test_codel(void)
{
	struct codel	 c;
	uint64_t	 t, drops[8];
	int		 n = 0;

	codel_init(&c);
	for (t = 0; t <= 400000 && n < 8; t += 1000)
		if (codel_drop(&c, 10000, t))
			drops[n++] = t;
	CHECK(n >= 4, "%d drops in 400 ms of standing queue", n);
	CHECK(drops[0] == CODEL_INTERVAL_US, "first drop at %llu us",
	    (unsigned long long)drops[0]);
	CHECK(drops[1] - drops[0] == CODEL_INTERVAL_US &&
	    drops[2] - drops[1] >= 70000 && drops[2] - drops[1] <= 71000,
	    "drops spaced %llu, %llu us",
	    (unsigned long long)(drops[1] - drops[0]),
	    (unsigned long long)(drops[2] - drops[1]));
	CHECK(drops[3] - drops[2] < drops[2] - drops[1], "not speeding up");
	CHECK(codel_drop(&c, 1000, t + 1000) == 0, "dropped below target");
	CHECK(c.dropping == 0, "still dropping below target");
	for (n = 0; n < 1000; n++)
		CHECK(codel_drop(&c, 4000, t + 2000 + n * 1000) == 0,
		    "dropped a queue under target");
	return 0;
}

/* Sparse packets on an idle tunnel: no standing queue, no drops. */
static int
test_codel_idle(void)
{
	int	 i;

	cli.dp.aqm = 1;
	for (i = 0; i < 4; i++) {
		CHECK(send_pkts(&cli, 6000 + i, 1, 1400) == 1, "send");
		CHECK(pump(1) == 0, "pump");
		if (expect_pkts(&srv, 6000 + i, 1, 1400) == -1)
			return -1;
		usleep(CODEL_INTERVAL_US + 20000);
	}
	CHECK(cli.st.drops[DROP_QUEUE_FULL] == 0, "%llu drops while idle",
	    (unsigned long long)cli.st.drops[DROP_QUEUE_FULL]);
	cli.dp.aqm = 0;
	return 0;
}

int
main(void)
{
	struct proto_replay	*rp;
	uint8_t			 psk[PROTO_KEY_LEN];
	int			 sp[2];

	signal(SIGPIPE, SIG_IGN);
	log_init(1, 0, LOG_DAEMON);
	if (sodium_init() == -1 || (rp = proto_replay_new(0)) == NULL) {
		fprintf(stderr, "FAIL: sodium or replay cache\n");
		return 1;
	}
	randombytes_buf(psk, sizeof(psk));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1) {
		perror("socketpair");
		return 1;
	}
	end_setup(&cli, sp[0], PROTO_CLIENT, NULL, psk);
	end_setup(&srv, sp[1], PROTO_SERVER, rp, psk);
	if (proto_start(cli.p, fake_now) == -1) {
		fprintf(stderr, "FAIL: proto_start\n");
		return 1;
	}
	(void)test_codel();
	if (test_handshake() == 0 && test_batch() == 0 &&
	    test_partial() == 0 && test_backpressure() == 0 &&
	    test_idle_memory() == 0 &&
	    test_vnet() == 0 && test_bare() == 0 && test_admission() == 0 &&
	    test_codel_idle() == 0)
		(void)test_corrupt();
	if (failures > 0) {
		fprintf(stderr, "test_datapath: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_datapath: ok\n");
	return 0;
}
