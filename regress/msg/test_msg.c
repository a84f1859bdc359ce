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
 * Unit tests of the message layer (common/msg.c) and the catalogue
 * checks (common/msgcat.c): framing across partial reads and writes,
 * descriptor passing, and malformed messages refused.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "msg.h"
#include "msgcat.h"

static int	 failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: %s\n", __func__, __LINE__, #cond);	\
		failures++;						\
	}								\
} while (0)

static struct msgbuf	 a, b;

static void
pair(int nonblock)
{
	int	 sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1) {
		perror("socketpair");
		exit(1);
	}
	if (nonblock) {
		fcntl(sp[0], F_SETFL, O_NONBLOCK);
		fcntl(sp[1], F_SETFL, O_NONBLOCK);
	}
	msgbuf_init(&a, sp[0]);
	msgbuf_init(&b, sp[1]);
}

static void
unpair(void)
{
	msgbuf_clear(&a);
	msgbuf_clear(&b);
	close(a.fd);
	close(b.fd);
}

static void
test_roundtrip(void)
{
	struct msg	 m;
	int		 v = 42;

	pair(0);
	CHECK(msg_compose(&a, MSG_VERBOSE, 7, 99, -1, &v, sizeof(v)) == 0);
	CHECK(msg_compose(&a, MSG_SHUTDOWN, 0, 99, -1, NULL, 0) == 0);
	CHECK(msgbuf_write(&a) == 0);
	CHECK(!msgbuf_queued(&a));
	CHECK(msgbuf_read(&b) > 0);
	CHECK(msg_get(&b, &m) == 1);
	CHECK(m.hdr.type == MSG_VERBOSE && m.hdr.peerid == 7 &&
	    m.hdr.pid == 99 && msg_datalen(&m) == sizeof(v) && m.fd == -1);
	CHECK(memcmp(m.data, &v, sizeof(v)) == 0);
	CHECK(msg_get(&b, &m) == 1);
	CHECK(m.hdr.type == MSG_SHUTDOWN && msg_datalen(&m) == 0);
	CHECK(msg_get(&b, &m) == 0);
	unpair();
}

/* One byte at a time: nothing comes out until the message is whole. */
static void
test_partial_read(void)
{
	uint8_t		 raw[MSG_HDR_SIZE + 100];
	struct msg_hdr	 hdr;
	struct msg	 m;
	size_t		 i;

	pair(0);
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = MSG_STATS;
	hdr.len = sizeof(raw);
	memcpy(raw, &hdr, sizeof(hdr));
	for (i = 0; i < 100; i++)
		raw[MSG_HDR_SIZE + i] = (uint8_t)i;
	for (i = 0; i < sizeof(raw); i++) {
		CHECK(msg_get(&b, &m) == 0);
		CHECK(write(a.fd, raw + i, 1) == 1);
		CHECK(msgbuf_read(&b) == 1);
	}
	CHECK(msg_get(&b, &m) == 1);
	CHECK(msg_datalen(&m) == 100 && ((uint8_t *)m.data)[99] == 99);
	unpair();
}

/* Many large messages through a small socket buffer, both ends
 * non-blocking: writes stop part-way and resume, reads see pieces. */
static void
test_partial_write(void)
{
	static uint8_t	 payload[MSG_MAX_PAYLOAD];
	struct msg	 m;
	int		 sz = 4096, sent = 0, got = 0, i, rounds = 0;

	pair(1);
	setsockopt(a.fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(b.fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	for (i = 0; i < 64; i++) {
		memset(payload, i, sizeof(payload));
		CHECK(msg_compose(&a, MSG_NETCFG_STATUS, i, 0, -1, payload,
		    sizeof(payload) - i) == 0);
		sent++;
	}
	while (got < sent && rounds++ < 100000) {
		CHECK(msgbuf_write(&a) == 0);
		if (msgbuf_read(&b) == -1 && errno != EAGAIN)
			break;
		while (msg_get(&b, &m) == 1) {
			CHECK(m.hdr.peerid == (uint32_t)got);
			CHECK(msg_datalen(&m) == sizeof(payload) - got);
			CHECK(((uint8_t *)m.data)[0] == got &&
			    ((uint8_t *)m.data)[msg_datalen(&m) - 1] == got);
			got++;
		}
	}
	CHECK(got == sent);
	unpair();
}

static void
test_fdpass(void)
{
	struct msg	 m;
	char		 c = 0;
	int		 p[2];

	pair(0);
	msgbuf_allow_fdpass(&b);
	CHECK(pipe(p) == 0);
	CHECK(msg_compose(&a, MSG_CONTROL_FD, 0, 0, p[1], NULL, 0) == 0);
	CHECK(msg_compose(&a, MSG_SHUTDOWN, 0, 0, -1, NULL, 0) == 0);
	CHECK(msgbuf_write(&a) == 0);
	CHECK(msgbuf_read(&b) > 0);
	CHECK(msg_get(&b, &m) == 1);
	CHECK(m.hdr.type == MSG_CONTROL_FD && m.fd != -1);
	CHECK(write(m.fd, "x", 1) == 1);
	CHECK(read(p[0], &c, 1) == 1 && c == 'x');
	close(m.fd);
	close(p[0]);
	/* The kernel ends a read where a descriptor was attached. */
	if (msg_get(&b, &m) == 0)
		CHECK(msgbuf_read(&b) > 0 && msg_get(&b, &m) == 1);
	CHECK(m.hdr.type == MSG_SHUTDOWN && m.fd == -1);
	unpair();
}

/* A channel that must not carry descriptors refuses (and closes) one. */
static void
test_fd_refused(void)
{
	int	 p[2];

	pair(0);
	CHECK(pipe(p) == 0);
	CHECK(msg_compose(&a, MSG_CONTROL_FD, 0, 0, p[1], NULL, 0) == 0);
	CHECK(msgbuf_write(&a) == 0);
	CHECK(msgbuf_read(&b) == -1 && errno == EBADMSG);
	CHECK(b.nfds == 0);
	/* The writer's copy was closed after sending, ours by the layer:
	 * the read end now sees end of file. */
	{
		char	 c;

		CHECK(read(p[0], &c, 1) == 0);
	}
	close(p[0]);
	unpair();
}

static void
raw_header(int fd, uint32_t type, uint32_t len, uint32_t flags)
{
	struct msg_hdr	 hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = len;
	hdr.flags = flags;
	CHECK(write(fd, &hdr, sizeof(hdr)) == (ssize_t)sizeof(hdr));
}

static void
test_malformed(void)
{
	static uint8_t	 big[MSG_MAX_PAYLOAD + 1];
	struct msg	 m;

	pair(0);
	CHECK(msg_compose(&a, MSG_LOG, 0, 0, -1, big, sizeof(big)) == -1 &&
	    errno == EMSGSIZE);
	raw_header(a.fd, MSG_LOG, MSG_MAX_SIZE + 1, 0);
	CHECK(msgbuf_read(&b) > 0);
	CHECK(msg_get(&b, &m) == -1 && errno == EBADMSG);
	unpair();

	pair(0);
	raw_header(a.fd, MSG_LOG, MSG_HDR_SIZE - 1, 0);
	CHECK(msgbuf_read(&b) > 0);
	CHECK(msg_get(&b, &m) == -1);
	unpair();

	pair(0);
	raw_header(a.fd, MSG_LOG, MSG_HDR_SIZE, 0x80);
	CHECK(msgbuf_read(&b) > 0);
	CHECK(msg_get(&b, &m) == -1);
	unpair();

	/* Claims a descriptor that never came. */
	pair(0);
	msgbuf_allow_fdpass(&b);
	raw_header(a.fd, MSG_CONTROL_FD, MSG_HDR_SIZE, MSG_F_FD);
	CHECK(msgbuf_read(&b) > 0);
	CHECK(msg_get(&b, &m) == -1);
	unpair();

	/* Truncated: the header promises more than ever arrives. */
	pair(0);
	raw_header(a.fd, MSG_LOG, MSG_HDR_SIZE + 100, 0);
	CHECK(write(a.fd, big, 50) == 50);
	shutdown(a.fd, SHUT_WR);
	CHECK(msgbuf_read(&b) > 0);
	CHECK(msg_get(&b, &m) == 0);
	CHECK(msgbuf_read(&b) == 0);
	CHECK(msg_get(&b, &m) == 0);
	unpair();
}

static struct msg
fake(uint32_t type, size_t len, int fd)
{
	struct msg	 m;

	memset(&m, 0, sizeof(m));
	m.hdr.type = type;
	m.hdr.len = MSG_HDR_SIZE + len;
	m.fd = fd;
	return m;
}

static void
test_catalogue(void)
{
	struct msg	 m;

	m = fake(MSG_VERBOSE, sizeof(int32_t), -1);
	CHECK(msgcat_verify(PROC_PARENT, PROC_TUNNEL, &m) == NULL);
	m = fake(MSG_TYPE_MAX + 5, 0, -1);
	CHECK(msgcat_verify(PROC_PARENT, PROC_TUNNEL, &m) != NULL);
	m = fake(MSG_NONE, 0, -1);
	CHECK(msgcat_verify(PROC_PARENT, PROC_TUNNEL, &m) != NULL);
	/* Right type, wrong direction or channel. */
	m = fake(MSG_VERBOSE, sizeof(int32_t), -1);
	CHECK(msgcat_verify(PROC_TUNNEL, PROC_PARENT, &m) != NULL);
	m = fake(MSG_RECONF_KEY, sizeof(struct conf_key), -1);
	CHECK(msgcat_verify(PROC_PARENT, PROC_TUNNEL, &m) == NULL);
	m = fake(MSG_RECONF_KEY, CONF_KEY_LEN, -1);
	CHECK(msgcat_verify(PROC_PARENT, PROC_TUNNEL, &m) != NULL);
	m = fake(MSG_RECONF_KEY, sizeof(struct conf_key), -1);
	CHECK(msgcat_verify(PROC_PARENT, PROC_TUNNEL, &m) == NULL);
	CHECK(msgcat_verify(PROC_PARENT, PROC_CONTROL, &m) != NULL);
	/* Lengths are exact. */
	m = fake(MSG_VERBOSE, sizeof(int32_t) + 1, -1);
	CHECK(msgcat_verify(PROC_PARENT, PROC_TUNNEL, &m) != NULL);
	m = fake(MSG_RECONF_CONF, sizeof(struct conf) - 1, -1);
	CHECK(msgcat_verify(PROC_PARENT, PROC_NETCFG, &m) != NULL);
	m = fake(MSG_RECONF_CONF, sizeof(struct conf), -1);
	CHECK(msgcat_verify(PROC_PARENT, PROC_NETCFG, &m) == NULL);
	/* Descriptors: required where promised, refused elsewhere. */
	m = fake(MSG_TUN_FD, sizeof(struct msg_tun), -1);
	CHECK(msgcat_verify(PROC_PARENT, PROC_TUNNEL, &m) != NULL);
	m = fake(MSG_TUN_FD, sizeof(struct msg_tun), 5);
	CHECK(msgcat_verify(PROC_PARENT, PROC_TUNNEL, &m) == NULL);
	m = fake(MSG_SHUTDOWN, 0, 5);
	CHECK(msgcat_verify(PROC_PARENT, PROC_TUNNEL, &m) != NULL);
	/* Every catalogued type has a name. */
	for (uint32_t t = 1; t < MSG_TYPE_MAX; t++)
		CHECK(msgcat_lookup(t) != NULL &&
		    strcmp(msgcat_name(t), "unknown") != 0);
}

int
main(void)
{
	test_roundtrip();
	test_partial_read();
	test_partial_write();
	test_fdpass();
	test_fd_refused();
	test_malformed();
	test_catalogue();
	printf("%s: %d failures\n", failures ? "FAIL" : "ok", failures);
	return failures ? 1 : 0;
}
