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
 * The server's pending table on a real event loop over loopback: random
 * bytes are refused without a Diffie-Hellman operation, a flood of idle
 * connections evicts the oldest and cannot keep a real client out, a
 * replayed hello is refused without disturbing the session, a hello
 * replayed to a server that forgot it (restart) is answered but cannot
 * end the session, nor can a valid hello whose sender goes silent, a
 * connection that never completes its hello is dropped after the
 * timeout, and a real client's completed handshake replaces the
 * session at once.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <poll.h>
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
#include "proto.h"
#include "peertab.h"
#include "sandbox.h"
#include "tunnel.h"

#define FLOOD		70

static struct tunnel_stats	 st;
static struct proto_replay	*replay, *old_replay;
static uint8_t			 psk[PROTO_KEY_LEN];
static struct sockaddr_in	 srv_addr;
static int			 ups, downs, failures;

#define CHECK(c, ...) do {						\
	if (!(c)) {							\
		fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		failures++;						\
		return -1;						\
	}								\
} while (0)

/* The process-level callbacks tunnel.c would provide. */
void
tunnel_session_up(struct tpeer *p, const char *endpoint, const char *cipher,
    int dgram)
{
	ups++;
}

/* Only a client over UDP reports a path MTU. */
void
tunnel_path_mtu(int path_mtu, int tun_mtu)
{
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
	if (role == PROTO_CLIENT)
		memcpy(par->psk, psk, sizeof(par->psk));
	par->replay = replay;
	par->version = PROTO_V1;	/* as tunnel.c's */
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

void
tunnel_dsvpn_params(struct dsvpn_params *par, enum proto_role role)
{
	memset(par, 0, sizeof(*par));
	par->role = role;
}

/* Version 1 sessions here: nothing is pushed. */
ssize_t
tunnel_push_for(const struct tpeer *p, uint8_t *buf, size_t len)
{
	return -1;
}

void
tunnel_pushed(struct tpeer *p, const uint8_t *buf, size_t len)
{
}

/*
 * The sandbox's hook, as the capsicum backend sees it: every accepted
 * socket must be cut down to a connection's rights (SANDBOX_FD_ACCEPTED),
 * a connected socket and not the listener.  Counts, for the checks.
 */
static unsigned int	 connects, limited, misused;

void
sandbox_limit_fd(enum proc_id proc, int fd, int kind)
{
	socklen_t	 len = sizeof(int);
	int		 listening = -1;

	if (proc != PROC_TUNNEL || kind != SANDBOX_FD_ACCEPTED ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
	    &len) == -1 || listening != 0)
		misused++;
	else
		limited++;
}

static uint64_t
refused(void)
{
	return st.drops[DROP_AUTH] + st.drops[DROP_PROTOCOL] +
	    st.drops[DROP_HANDSHAKE] + st.drops[DROP_REPLAY];
}

static uint64_t
full_drops(void)
{
	return st.drops[DROP_PENDING_FULL];
}

static uint64_t
timeouts(void)
{
	return st.drops[DROP_TIMEOUT];
}

static uint64_t
sessions_up(void)
{
	return ups;
}

/* Runs the loop until counter() reaches want or ms pass. */
static int
spin(uint64_t (*counter)(void), uint64_t want, int ms)
{
	uint64_t	 end = now_ms() + ms;

	while (counter() < want) {
		if (now_ms() >= end)
			return -1;
		event_loop(EVLOOP_NONBLOCK);
		usleep(500);
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
	connects++;
	return s;
}

/* Bytes that are no hello: the same every run. */
static int
test_garbage(void)
{
	uint8_t	 junk[PROTO_HELLO_LEN];
	int	 s = connect_srv();

	memset(junk, 0xa5, sizeof(junk));
	CHECK(write(s, junk, sizeof(junk)) == sizeof(junk), "write");
	CHECK(spin(refused, 1, 3000) == 0, "garbage not refused");
	CHECK(proto_dh_calls() == 0, "%llu DH operations for garbage",
	    (unsigned long long)proto_dh_calls());
	CHECK(!session_active(), "garbage made a session");
	close(s);
	return 0;
}

/* Sends what p has queued on s. */
static int
flush_proto(struct proto *p, int s)
{
	const uint8_t	*out;
	size_t		 n;

	while ((n = proto_pending(p, &out)) > 0) {
		if (write(s, out, n) != (ssize_t)n)
			return -1;
		proto_consume(p, n);
	}
	return 0;
}

/* A client's whole handshake against the worker's loop; *hello gets a
 * copy of its first message. */
static int
handshake(int s, uint8_t hello[PROTO_HELLO_LEN])
{
	struct proto_params	 par;
	struct proto_event	 ev;
	struct proto		*p;
	const uint8_t		*out;
	uint8_t			 buf[4096];
	size_t			 have = 0;
	ssize_t			 n, r;
	uint64_t		 end = now_ms() + 3000;

	tunnel_proto_params(&par, PROTO_CLIENT);
	par.replay = NULL;
	CHECK((p = proto_new(&par)) != NULL, "proto_new");
	CHECK(proto_start(p, now_ms()) == 0, "proto_start");
	CHECK(proto_pending(p, &out) == PROTO_HELLO_LEN, "hello size");
	memcpy(hello, out, PROTO_HELLO_LEN);
	CHECK(flush_proto(p, s) == 0, "send hello");
	fcntl(s, F_SETFL, O_NONBLOCK);
	while (!proto_is_up(p) && now_ms() < end) {
		event_loop(EVLOOP_NONBLOCK);
		if ((n = read(s, buf + have, sizeof(buf) - have)) > 0)
			have += n;
		r = proto_input(p, buf, have, now_ms(), &ev);
		CHECK(r != -1, "client: %s", proto_error(p));
		if (r > 0) {
			memmove(buf, buf + r, have - r);
			have -= r;
		}
		usleep(500);
	}
	CHECK(proto_is_up(p), "client not up");
	CHECK(flush_proto(p, s) == 0, "send confirmation");
	proto_free(p);
	return 0;
}

/* More idle connections than the table holds, then a real client:
 * the oldest are evicted and the client gets its session. */
static int
test_flood(uint8_t hello[PROTO_HELLO_LEN], int *cs)
{
	int	 fl[FLOOD], i;

	for (i = 0; i < FLOOD; i++)
		fl[i] = connect_srv();
	CHECK(spin(full_drops, FLOOD - 64, 3000) == 0,
	    "table not capped: %llu evictions",
	    (unsigned long long)full_drops());
	*cs = connect_srv();
	if (handshake(*cs, hello) == -1)
		return -1;
	CHECK(spin(sessions_up, 1, 3000) == 0, "no session during a flood");
	for (i = 0; i < FLOOD; i++)
		close(fl[i]);
	return 0;
}

/* The hello again, from another connection: refused as a replay, and
 * the session it would have replaced stays. */
static int
test_replay(const uint8_t hello[PROTO_HELLO_LEN])
{
	uint64_t	 before = st.drops[DROP_REPLAY];
	int		 s = connect_srv();

	CHECK(write(s, hello, PROTO_HELLO_LEN) == PROTO_HELLO_LEN, "write");
	CHECK(spin(refused, refused() + 1, 3000) == 0, "replay not refused");
	CHECK(st.drops[DROP_REPLAY] == before + 1, "not counted as replay");
	CHECK(session_active() && downs == 0, "replay ended the session");
	close(s);
	return 0;
}

/* Reads exactly len bytes from s while the worker's loop runs. */
static int
read_full(int s, uint8_t *buf, size_t len, int ms)
{
	uint64_t	 end = now_ms() + ms;
	size_t		 have = 0;
	ssize_t		 n;

	fcntl(s, F_SETFL, O_NONBLOCK);
	while (have < len && now_ms() < end) {
		event_loop(EVLOOP_NONBLOCK);
		if ((n = read(s, buf + have, len - have)) > 0)
			have += n;
		else if (n == 0)
			return -1;
		else
			usleep(500);
	}
	return have == len ? 0 : -1;
}

/*
 * The worker restarted (a fresh replay cache) and someone replays the
 * captured hello: it passes the pre-check and gets its reply, but
 * without the keys it cannot confirm, and the live session stays.
 */
static int
test_restart_replay(const uint8_t hello[PROTO_HELLO_LEN])
{
	uint8_t		 reply[PROTO_REPLY_LEN], junk[PROTO_OVERHEAD];
	uint64_t	 dh = proto_dh_calls(), before = refused();
	int		 s;

	old_replay = replay;
	CHECK((replay = proto_replay_new(0)) != NULL, "proto_replay_new");
	s = connect_srv();
	CHECK(write(s, hello, PROTO_HELLO_LEN) == PROTO_HELLO_LEN, "write");
	CHECK(read_full(s, reply, sizeof(reply), 3000) == 0,
	    "no reply to a hello the cache forgot");
	CHECK(proto_dh_calls() > dh, "the replay was not pre-checked");
	CHECK(session_active() && ups == 1 && downs == 0,
	    "a replayed hello ended the session");
	/* What an attacker can send instead of the confirmation. */
	memset(junk, 0x5a, sizeof(junk));
	CHECK(write(s, junk, sizeof(junk)) == sizeof(junk), "write");
	CHECK(spin(refused, before + 1, 3000) == 0, "junk confirmation kept");
	CHECK(session_active() && ups == 1 && downs == 0,
	    "a failed confirmation ended the session");
	close(s);
	return 0;
}

/*
 * Part of a hello, then silence; and a valid hello, then silence: both
 * dropped after the timeout, and the session stays.
 */
static int
test_slow(void)
{
	struct proto_params	 par;
	struct proto		*p;
	const uint8_t		*out;
	uint8_t			 reply[PROTO_REPLY_LEN];
	uint64_t		 before = timeouts();
	int			 s = connect_srv(), s2 = connect_srv();

	CHECK(write(s, "abc", 3) == 3, "write");
	tunnel_proto_params(&par, PROTO_CLIENT);
	par.replay = NULL;
	CHECK((p = proto_new(&par)) != NULL, "proto_new");
	CHECK(proto_start(p, now_ms()) == 0, "proto_start");
	CHECK(proto_pending(p, &out) == PROTO_HELLO_LEN, "hello size");
	CHECK(write(s2, out, PROTO_HELLO_LEN) == PROTO_HELLO_LEN, "write");
	proto_free(p);
	CHECK(read_full(s2, reply, sizeof(reply), 3000) == 0, "no reply");
	CHECK(session_active() && downs == 0,
	    "a hello without confirmation ended the session");
	CHECK(spin(timeouts, before + 2, 8000) == 0, "slow handshake kept");
	CHECK(session_active() && downs == 0, "the session suffered");
	close(s);
	close(s2);
	return 0;
}

/* A real client from anywhere replaces the session once it is up; the
 * old connection gets its close frame and is closed. */
static int
test_replace(int cs)
{
	uint8_t		 hello[PROTO_HELLO_LEN], buf[4096];
	uint64_t	 end;
	ssize_t		 n = -1;
	int		 s = connect_srv();

	if (handshake(s, hello) == -1)
		return -1;
	CHECK(spin(sessions_up, 2, 3000) == 0, "the new client got no "
	    "session");
	CHECK(downs == 1 && session_active(), "old session not replaced");
	fcntl(cs, F_SETFL, O_NONBLOCK);
	for (end = now_ms() + 3000; now_ms() < end; usleep(500)) {
		event_loop(EVLOOP_NONBLOCK);
		if ((n = read(cs, buf, sizeof(buf))) == 0)
			break;
	}
	CHECK(n == 0, "the old connection stays open");
	close(s);
	return 0;
}

int
main(void)
{
	uint8_t		 hello[PROTO_HELLO_LEN];
	socklen_t	 len = sizeof(srv_addr);
	struct conf_key	 mine;
	int		 lfd, tun[2], cs = -1;

	signal(SIGPIPE, SIG_IGN);
	log_init(1, 0, LOG_DAEMON);
	if (sodium_init() == -1 || (replay = proto_replay_new(0)) == NULL)
		return 1;
	randombytes_buf(psk, sizeof(psk));
	event_init();
	peertab_init();
	session_init(&st);
	pending_init(&st);
	/* The server's table: the single-key one, which alone takes the
	 * version 1 hellos this test sends. */
	peertab_begin();
	memcpy(mine.psk, psk, sizeof(mine.psk));
	peertab_add("client", &mine, 0, NULL, NULL);
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
	pending_listen(lfd, CONF_PROTO_NATIVE);
	if (test_garbage() == 0 && test_flood(hello, &cs) == 0 &&
	    test_replay(hello) == 0 && test_restart_replay(hello) == 0 &&
	    test_slow() == 0)
		(void)test_replace(cs);
	session_shutdown(0);
	/* Every connection the tests made was accepted by now. */
	if (limited != connects || misused != 0) {
		fprintf(stderr, "FAIL %u of %u accepted sockets limited to a "
		    "connection's rights, %u other calls\n", limited,
		    connects, misused);
		failures++;
	}
	pending_clear();
	proto_replay_free(replay);
	proto_replay_free(old_replay);
	if (failures > 0) {
		fprintf(stderr, "test_pending: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_pending: ok\n");
	return 0;
}
