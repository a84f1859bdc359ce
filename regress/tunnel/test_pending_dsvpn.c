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
 * A DSVPN listener's pending table and the sessions it makes, on a real
 * event loop over loopback (doc/PROTOCOL-DSVPN.md section 10): bytes
 * that are no hello get no answer and no session; a genuine hello gets
 * its 64-byte reply and an unconfirmed session, which its first frame
 * confirms, delivering that frame's packet to the TUN; the same hello
 * again is refused without an answer; a second client's session stays
 * unconfirmed beside the confirmed one, takes none of its traffic and
 * replaces it only when its own first frame verifies; a hello replayed
 * after the cache was lost gets a reply but never becomes more than a
 * candidate, and its forged frame ends only itself; at most 4
 * unconfirmed sessions are kept for a peer.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "dsvpn.h"
#include "log.h"
#include "msgcat.h"
#include "peertab.h"
#include "proto.h"
#include "sandbox.h"
#include "tunnel.h"

#define PKT_LEN		60

static struct tunnel_stats	 st;
static uint8_t			 key[DSVPN_KEY_LEN];
static struct sockaddr_in	 srv_addr;
static int			 ups, downs, failures, tun[2];

#define CHECK(c, ...) do {						\
	if (!(c)) {							\
		fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		failures++;						\
		return -1;						\
	}								\
} while (0)

/* What tunnel.c provides to the sessions and the pending table. */
void
tunnel_path_mtu(int path_mtu, int tun_mtu)
{
}

void
tunnel_session_up(struct tpeer *p, const char *endpoint, const char *cipher,
    int dgram)
{
	ups++;
}

void
tunnel_session_down(struct tpeer *p, int was_up, int cause, const char *why)
{
	downs++;
}

void
tunnel_proto_params(struct proto_params *par, enum proto_role role)
{
	memset(par, 0, sizeof(*par));
	par->role = role;
}

void
tunnel_dsvpn_params(struct dsvpn_params *par, enum proto_role role)
{
	memset(par, 0, sizeof(*par));
	par->role = role;
}

uint32_t
tunnel_dead_ms(void)
{
	return PROTO_DEF_DEAD_MS;
}

uint32_t
tunnel_keepalive_ms(void)
{
	return PROTO_DEF_KEEPALIVE_MS;
}

ssize_t
tunnel_push_for(const struct tpeer *p, uint8_t *buf, size_t len)
{
	return -1;
}

void
tunnel_pushed(struct tpeer *p, const uint8_t *buf, size_t len)
{
}

void
sandbox_limit_fd(enum proc_id proc, int fd, int kind)
{
}

static uint64_t
refused(void)
{
	return st.drops[DROP_AUTH] + st.drops[DROP_PROTOCOL] +
	    st.drops[DROP_HANDSHAKE] + st.drops[DROP_REPLAY];
}

static void
turn(void)
{
	event_loop(EVLOOP_NONBLOCK);
	usleep(500);
}

/* Runs the loop for ms, for what must not happen. */
static void
settle(int ms)
{
	uint64_t	 end = now_ms() + ms;

	while (now_ms() < end)
		turn();
}

/* Runs the loop until *v reaches want or ms pass. */
static int
spin_int(const int *v, int want, int ms)
{
	uint64_t	 end = now_ms() + ms;

	while (*v < want) {
		if (now_ms() >= end)
			return -1;
		turn();
	}
	return 0;
}

static int
spin_refused(uint64_t want, int ms)
{
	uint64_t	 end = now_ms() + ms;

	while (refused() < want) {
		if (now_ms() >= end)
			return -1;
		turn();
	}
	return 0;
}

static int
connect_srv(void)
{
	int	 s;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&srv_addr, sizeof(srv_addr)) == -1) {
		perror("connect");
		exit(1);
	}
	fcntl(s, F_SETFL, O_NONBLOCK);
	return s;
}

/* Reads len bytes (0: until closed) while the loop runs; bytes read, or
 * -1 on a timeout. */
static ssize_t
read_some(int s, uint8_t *buf, size_t len, int ms)
{
	uint64_t	 end = now_ms() + ms;
	size_t		 have = 0;
	ssize_t		 n;

	while (now_ms() < end) {
		turn();
		n = read(s, buf + have, len - have);
		if (n == 0)
			return have;
		if (n > 0 && (have += n) == len)
			return have;
	}
	return -1;
}

/* A DSVPN client on its own connection: hello sent, reply verified. */
struct dclient {
	struct dsvpn	*d;
	int		 s;
	uint8_t		 hello[DSVPN_HELLO_LEN];
};

static int
dclient_open(struct dclient *c)
{
	struct dsvpn_params	 par;
	struct proto_event	 ev;
	const uint8_t		*out;
	uint8_t			 reply[DSVPN_REPLY_LEN];

	memset(&par, 0, sizeof(par));
	par.role = PROTO_CLIENT;
	memcpy(par.psk, key, sizeof(par.psk));
	CHECK((c->d = dsvpn_new(&par)) != NULL, "dsvpn_new");
	CHECK(dsvpn_start(c->d, now_ms()) == 0, "dsvpn_start");
	CHECK(dsvpn_pending(c->d, &out) == DSVPN_HELLO_LEN, "hello size");
	memcpy(c->hello, out, sizeof(c->hello));
	dsvpn_consume(c->d, DSVPN_HELLO_LEN);
	c->s = connect_srv();
	CHECK(write(c->s, c->hello, sizeof(c->hello)) == DSVPN_HELLO_LEN,
	    "write hello");
	CHECK(read_some(c->s, reply, sizeof(reply), 3000) == sizeof(reply),
	    "no reply");
	memset(&ev, 0, sizeof(ev));
	CHECK(dsvpn_input(c->d, reply, sizeof(reply), now_ms(), &ev) ==
	    DSVPN_REPLY_LEN && ev.type == PROTO_EV_UP, "reply refused");
	return 0;
}

/* An IPv4 packet from the client's tunnel address, marked with tag. */
static void
packet(uint8_t *p, uint8_t tag)
{
	memset(p, 0, PKT_LEN);
	p[0] = 0x45;
	p[3] = PKT_LEN;
	p[8] = 64;
	p[9] = 17;
	p[12] = 192, p[13] = 168, p[14] = 192, p[15] = 1;
	p[16] = 192, p[17] = 168, p[18] = 192, p[19] = 254;
	p[PKT_LEN - 1] = tag;
}

static int
dclient_send(struct dclient *c, uint8_t tag)
{
	uint8_t	 frame[DSVPN_HDR_LEN + PKT_LEN];
	size_t	 n;

	packet(frame + DSVPN_HDR_LEN, tag);
	n = dsvpn_seal(c->d, frame, PKT_LEN, now_ms());
	CHECK(n == sizeof(frame), "seal");
	CHECK(write(c->s, frame, n) == (ssize_t)n, "write frame");
	return 0;
}

static void
dclient_close(struct dclient *c)
{
	dsvpn_free(c->d);
	close(c->s);
}

/* The packet that reached the TUN carries tag. */
static int
tun_got(uint8_t tag)
{
	uint8_t	 buf[2048];
	ssize_t	 n = -1;
	uint64_t end = now_ms() + 3000;

	while (now_ms() < end) {
		turn();
		if ((n = recv(tun[1], buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			break;
	}
	CHECK(n == PKT_LEN, "TUN got %zd bytes", n);
	CHECK(buf[PKT_LEN - 1] == tag, "TUN got packet %u, want %u",
	    buf[PKT_LEN - 1], tag);
	return 0;
}

static int
test_garbage(void)
{
	uint8_t		 junk[DSVPN_HELLO_LEN], b[16];
	uint64_t	 before = refused();
	int		 s = connect_srv();

	memset(junk, 0xa5, sizeof(junk));
	CHECK(write(s, junk, sizeof(junk)) == sizeof(junk), "write");
	CHECK(spin_refused(before + 1, 3000) == 0, "garbage not refused");
	CHECK(read_some(s, b, sizeof(b), 1000) == 0, "garbage answered");
	CHECK(!session_active(), "garbage made a session");
	close(s);
	return 0;
}

/* A genuine client: unconfirmed until its first frame, whose packet
 * then reaches the TUN. */
static int
test_confirm(struct dclient *c)
{
	if (dclient_open(c) == -1)
		return -1;
	settle(100);
	CHECK(session_count() == 1, "no session after the reply");
	CHECK(ups == 0 && session_up_count() == 0,
	    "up before the client's first frame");
	if (dclient_send(c, 1) == -1)
		return -1;
	CHECK(spin_int(&ups, 1, 3000) == 0, "the first frame confirmed "
	    "nothing");
	return tun_got(1);
}

static int
test_replay(const uint8_t *hello)
{
	uint8_t		 b[DSVPN_REPLY_LEN];
	uint64_t	 before = st.drops[DROP_REPLAY];
	int		 s = connect_srv();

	CHECK(write(s, hello, DSVPN_HELLO_LEN) == DSVPN_HELLO_LEN, "write");
	CHECK(read_some(s, b, sizeof(b), 3000) == 0, "a replay answered");
	CHECK(st.drops[DROP_REPLAY] == before + 1, "not counted as replay");
	CHECK(downs == 0 && session_up_count() == 1, "the replay hurt");
	close(s);
	return 0;
}

/*
 * A second client: unconfirmed beside the confirmed one, which keeps
 * its place until the newcomer's first frame verifies; then the old
 * connection is closed.
 */
static int
test_roam(struct dclient *old, struct dclient *c)
{
	uint8_t	 b[256];

	if (dclient_open(c) == -1)
		return -1;
	settle(200);
	CHECK(session_count() == 2 && ups == 1 && downs == 0,
	    "a candidate replaced the session");
	if (dclient_send(old, 2) == -1 || tun_got(2) == -1)
		return -1;
	if (dclient_send(c, 3) == -1)
		return -1;
	CHECK(spin_int(&ups, 2, 3000) == 0, "the newcomer never confirmed");
	if (tun_got(3) == -1)
		return -1;
	CHECK(downs == 1 && session_count() == 1, "the old session stays");
	CHECK(read_some(old->s, b, sizeof(b), 3000) == 0,
	    "the old connection stays open");
	return 0;
}

/*
 * The cache forgotten (a restarted worker): the replayed hello is
 * answered and becomes a candidate that never confirms; its forged
 * frame ends it alone.
 */
static int
test_restart_replay(const uint8_t *hello)
{
	uint8_t		 b[DSVPN_REPLY_LEN], junk[DSVPN_HDR_LEN + PKT_LEN];
	int		 s, d0 = downs;

	dsvpn_replay_free(peertab.v[0]->dreplay);
	peertab.v[0]->dreplay = NULL;
	s = connect_srv();
	CHECK(write(s, hello, DSVPN_HELLO_LEN) == DSVPN_HELLO_LEN, "write");
	CHECK(read_some(s, b, sizeof(b), 3000) == sizeof(b),
	    "no reply to a hello the cache forgot");
	settle(200);
	CHECK(ups == 2 && session_count() == 2 && session_up_count() == 1,
	    "the replay got more than a candidate");
	memset(junk, 0x5a, sizeof(junk));
	junk[0] = PKT_LEN;
	junk[1] = 0;
	CHECK(write(s, junk, sizeof(junk)) == sizeof(junk), "write");
	CHECK(spin_int(&downs, d0 + 1, 3000) == 0, "the forged frame kept");
	CHECK(session_count() == 1 && session_up_count() == 1 && ups == 2,
	    "the forged frame hurt the real session");
	close(s);
	return 0;
}

/* Five candidates for one peer: the oldest goes. */
static int
test_cap(void)
{
	struct dclient	 c[5];
	int		 i, d0 = downs;

	for (i = 0; i < 5; i++)
		if (dclient_open(&c[i]) == -1)
			return -1;
	CHECK(spin_int(&downs, d0 + 1, 1000) == 0 && downs == d0 + 1,
	    "%d candidates ended, want 1", downs - d0);
	CHECK(session_count() == 5 && session_up_count() == 1,
	    "%u sessions, %u up", session_count(), session_up_count());
	for (i = 0; i < 5; i++)
		dclient_close(&c[i]);
	return 0;
}

int
main(void)
{
	struct dclient	 first, second;
	struct conf_key	 mine;
	struct in_addr	 a4;
	socklen_t	 len = sizeof(srv_addr);
	int		 lfd;

	signal(SIGPIPE, SIG_IGN);
	log_init(1, 0, LOG_DAEMON);
	if (sodium_init() == -1)
		return 1;
	randombytes_buf(key, sizeof(key));
	event_init();
	peertab_init();
	session_init(&st);
	pending_init(&st);
	peertab_begin();
	memcpy(mine.psk, key, sizeof(mine.psk));
	memcpy(mine.raw, key, sizeof(mine.raw));
	inet_pton(AF_INET, "192.168.192.1", &a4);
	peertab_add("client", &mine, 0, &a4, NULL);
	peertab.single = 1;
	peertab_commit(NULL);
	session_set_policy(1, 0);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, tun) == -1)
		return 1;
	session_set_tun(tun[0], 0, 1500);
	memset(&srv_addr, 0, sizeof(srv_addr));
	srv_addr.sin_family = AF_INET;
	srv_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&srv_addr, sizeof(srv_addr)) == -1 ||
	    listen(lfd, 128) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&srv_addr, &len) == -1) {
		perror("listen");
		return 1;
	}
	pending_listen(lfd, CONF_PROTO_DSVPN);
	if (test_garbage() == 0 && test_confirm(&first) == 0 &&
	    test_replay(first.hello) == 0 &&
	    test_roam(&first, &second) == 0 &&
	    test_restart_replay(first.hello) == 0)
		(void)test_cap();
	dclient_close(&first);
	dclient_close(&second);
	session_shutdown(0);
	pending_clear();
	if (failures > 0) {
		fprintf(stderr, "test_pending_dsvpn: %d failure(s)\n",
		    failures);
		return 1;
	}
	printf("test_pending_dsvpn: ok\n");
	return 0;
}
