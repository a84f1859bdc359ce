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
 * Fair service between sessions of one data path: two clients on one
 * server TUN; one stops reading its socket.  Its own queue fills to the
 * cap and its packets are dropped and counted; the TUN is never paused
 * for it, and every packet for the other client arrives.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

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
#include "tunnel.h"

#define PKT_LEN		1400
#define ROUNDS		2000

/* A client: its own datapath and TUN stand-in, and the server's end. */
struct client {
	struct datapath		 dp;
	struct dp_conn		 conn;		/* client side */
	struct dp_conn		 sconn;		/* server side */
	struct tunnel_stats	 st;
	struct peer_counters	 pc;
	int			 tun[2];
	int			 up;
};

static struct datapath		 srv;
static struct tunnel_stats	 sst;
static int			 srv_tun[2];
static struct client		 cl[2];
static int			 failures;
static uint64_t			 fake_now = 1000;

#define CHECK(c, ...) do {						\
	if (!(c)) {							\
		fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		failures++;						\
		return -1;						\
	}								\
} while (0)

/* The server's policy: the last byte of the IPv4 destination. */
static struct dp_conn *
route(void *arg, const uint8_t *ip, size_t len, int *why)
{
	if (len < 20 || ip[19] > 1) {
		*why = DROP_NO_PEER;
		return NULL;
	}
	return &cl[ip[19]].sconn;
}

static int
admit(void *arg, struct dp_conn *c, const uint8_t *ip, size_t len)
{
	return DROP_MAX;
}

static struct proto *
new_proto(enum proto_role role, const uint8_t *psk, struct proto_replay *rp)
{
	struct proto_params	 par;
	struct proto		*p;

	memset(&par, 0, sizeof(par));
	par.role = role;
	memcpy(par.psk, psk, PROTO_KEY_LEN);
	par.replay = rp;
	if ((p = proto_new(&par)) == NULL) {
		perror("proto_new");
		exit(1);
	}
	return p;
}

static void
nonblock(int fd)
{
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		exit(1);
}

static void
client_setup(struct client *c, int i, struct proto_replay *rp)
{
	uint8_t		 psk[PROTO_KEY_LEN];
	struct proto	*p;
	int		 sp[2];

	randombytes_buf(psk, sizeof(psk));
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, c->tun) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		exit(1);
	nonblock(c->tun[1]);
	dp_init(&c->dp, &c->st);
	dp_set_tun(&c->dp, c->tun[0], 0, 1500);
	c->dp.aqm = 0;
	p = new_proto(PROTO_CLIENT, psk, NULL);
	dp_conn_init(&c->conn, &c->dp, NULL, c);
	dp_attach(&c->conn, sp[0], sproto_native(p));
	dp_set_solo(&c->dp, &c->conn);
	if (proto_start(p, fake_now) == -1)
		exit(1);
	dp_conn_init(&c->sconn, &srv, &c->pc, c);
	dp_attach(&c->sconn, sp[1], sproto_native(new_proto(PROTO_SERVER,
	    psk, rp)));
	(void)i;
}

static int
readable(int fd)
{
	int	 n = 0;

	return ioctl(fd, FIONREAD, &n) == -1 ? 0 : n;
}

/* Both directions of client c until quiet; the server side of a
 * client that "stopped reading" is left alone when reading is 0. */
static int
pump(struct client *c, int reading)
{
	int	 i;

	for (i = 0; i < 1000; i++) {
		if (dp_sock_write(&c->conn) == -1 ||
		    dp_sock_write(&c->sconn) == -1)
			return -1;
		if (dp_sock_read(&c->sconn, fake_now) != 1)
			return -1;
		if (c->sconn.events & DP_EV_UP)
			c->up = 1;
		if (reading && dp_sock_read(&c->conn, fake_now) != 1)
			return -1;
		if (dp_unsent(&c->conn) == 0 && (dp_unsent(&c->sconn) == 0 ||
		    !reading) && readable(c->sconn.sock_fd) == 0 &&
		    (!reading || readable(c->conn.sock_fd) == 0))
			return 0;
	}
	return -1;
}

static void
make_pkt(uint8_t *b, int dst, uint32_t seq)
{
	memset(b, 0, PKT_LEN);
	b[0] = 0x45;
	b[2] = PKT_LEN >> 8;
	b[3] = PKT_LEN & 0xff;
	memcpy(b + 4, &seq, sizeof(seq));
	b[19] = dst;
}

static int
test_fair(void)
{
	uint8_t		 b[PKT_LEN], got[PKT_LEN + 16];
	uint32_t	 seq, gseq, want = 0;
	ssize_t		 r;
	int		 i, n;

	for (i = 0; i < 2; i++) {
		CHECK(pump(&cl[i], 1) == 0 && cl[i].up, "client %d not up", i);
		CHECK(proto_is_up(cl[i].sconn.sp.st), "server %d not up", i);
	}
	srv.multi = 1;
	/* Client 0 stops reading; packets for both keep coming. */
	for (seq = 0; seq < ROUNDS; seq++) {
		make_pkt(b, seq % 2, seq);
		CHECK(write(srv_tun[1], b, PKT_LEN) == PKT_LEN, "TUN write");
		if (seq % 8 != 7)
			continue;
		n = dp_tun_read(&srv, fake_now);
		CHECK(n == 8, "TUN read took %d of 8: paused for client 0?",
		    n);
		CHECK(pump(&cl[1], 1) == 0, "client 1: %s", cl[1].conn.why);
		while ((r = recv(cl[1].tun[1], got, sizeof(got),
		    MSG_DONTWAIT)) > 0) {
			CHECK(r == PKT_LEN && got[19] == 1, "client 1 got %zd "
			    "bytes for %d", r, got[19]);
			memcpy(&gseq, got + 4, sizeof(gseq));
			CHECK(gseq == want * 2 + 1, "client 1: packet %u, want "
			    "%u", gseq, want * 2 + 1);
			want++;
		}
	}
	CHECK(want == ROUNDS / 2, "client 1 got %u of %u", want, ROUNDS / 2);
	CHECK(cl[0].pc.drops_queue > 0, "client 0's queue never filled");
	CHECK(cl[1].pc.drops_queue == 0, "client 1 lost %llu",
	    (unsigned long long)cl[1].pc.drops_queue);
	CHECK(cl[0].sconn.qlen - cl[0].sconn.qoff <= DP_QUEUE_CAP +
	    DP_FRAME_MAX, "client 0's queue over its cap");
	printf("client 0: %llu packets dropped at its cap, client 1: all %u "
	    "delivered\n", (unsigned long long)cl[0].pc.drops_queue, want);
	return 0;
}

int
main(void)
{
	struct dp_policy	 pol = { route, admit, NULL };
	struct proto_replay	*rp;
	int			 i;

	signal(SIGPIPE, SIG_IGN);
	log_init(1, 0, LOG_DAEMON);
	if (sodium_init() == -1 || (rp = proto_replay_new(0)) == NULL)
		return 1;
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, srv_tun) == -1)
		return 1;
	nonblock(srv_tun[1]);
	dp_init(&srv, &sst);
	dp_set_tun(&srv, srv_tun[0], 0, 1500);
	dp_set_policy(&srv, &pol);
	srv.aqm = 0;
	for (i = 0; i < 2; i++)
		client_setup(&cl[i], i, rp);
	(void)test_fair();
	proto_replay_free(rp);
	if (failures > 0) {
		fprintf(stderr, "test_fair: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_fair: ok\n");
	return 0;
}
