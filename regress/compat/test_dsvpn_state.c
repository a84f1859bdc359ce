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
 * The DSVPN state machine (tunnel/dsvpn.h) on its own, between two
 * instances of it, without the captured vectors: payload sizes 0 to
 * 65535, zero-length frames, key confirmation, what may be sealed when,
 * the handshake timers on a fake clock, the replay cache's eviction and
 * floor, the keyless hello sniffer, the refusals of misuse, and that
 * every secret is wiped when the session ends (seen through
 * dsvpn_int.h).
 */
#include "compat.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dsvpn_int.h"

#define WALL0		1795406135ULL

static int	 failures, cases;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("    FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++;						\
		return (-1);						\
	}								\
} while (0)

struct pair {
	struct dsvpn_replay	*replay;
	struct dsvpn		*c, *s;
	uint64_t		 wall;
	uint8_t			 buf[2 * DSVPN_MAX_FRAME];
};

static uint64_t
wall(void *arg)
{
	return (((struct pair *)arg)->wall);
}

static void
params(struct dsvpn_params *pp, enum proto_role role, struct pair *p)
{
	memset(pp, 0, sizeof(*pp));
	pp->role = role;
	memset(pp->psk, 0x42, sizeof(pp->psk));
	pp->replay = role == PROTO_SERVER ? p->replay : NULL;
	pp->wallclock = wall;
	pp->seam_arg = p;
}

static int
zeroed(const void *b, size_t n)
{
	const uint8_t	*c = b;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (c[i] != 0)
			return (0);
	return (1);
}

static int
all_bytes(const uint8_t *b, size_t n, int v)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (b[i] != (uint8_t)v)
			return (0);
	return (1);
}

/* Move `from's pending output into `to'; the event of the last unit. */
static ssize_t
pass(struct pair *p, struct dsvpn *from, struct dsvpn *to,
    struct proto_event *ev)
{
	const uint8_t	*out;
	size_t		 n;

	n = dsvpn_pending(from, &out);
	memcpy(p->buf, out, n);
	dsvpn_consume(from, n);
	return (dsvpn_input(to, p->buf, n, 0, ev));
}

/* A client and a server after the hello and the reply. */
static struct pair *
pair_new(void)
{
	struct dsvpn_params	 pp;
	struct proto_event	 ev;
	struct pair		*p;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->replay = dsvpn_replay_new(0)) == NULL)
		return (NULL);
	p->wall = WALL0;
	params(&pp, PROTO_CLIENT, p);
	p->c = dsvpn_new(&pp);
	params(&pp, PROTO_SERVER, p);
	p->s = dsvpn_new(&pp);
	if (p->c == NULL || p->s == NULL || dsvpn_start(p->c, 0) == -1 ||
	    pass(p, p->c, p->s, &ev) != DSVPN_HELLO_LEN ||
	    pass(p, p->s, p->c, &ev) != DSVPN_REPLY_LEN ||
	    ev.type != PROTO_EV_UP)
		return (NULL);
	return (p);
}

static void
pair_free(struct pair *p)
{
	if (p == NULL)
		return;
	dsvpn_free(p->c);
	dsvpn_free(p->s);
	dsvpn_replay_free(p->replay);
	free(p);
}

/* Seal len bytes of `fill' from one side, open them on the other. */
static int
send_one(struct pair *p, struct dsvpn *from, struct dsvpn *to, size_t len,
    int fill, struct proto_event *ev)
{
	uint8_t	*f = p->buf;
	size_t	 n;

	memset(f + DSVPN_HDR_LEN, fill, len);
	n = dsvpn_seal(from, f, len, 0);
	CHECK(n == len + DSVPN_HDR_LEN);
	CHECK(f[0] == (uint8_t)len && f[1] == (uint8_t)(len >> 8));
	/* Encrypted: 16 bytes of `fill' in a row would be 2^-128. */
	CHECK(len < 16 || !all_bytes(f + DSVPN_HDR_LEN, 16, fill));
	CHECK(dsvpn_input(to, f, n - 1, 0, ev) == 0);
	CHECK(dsvpn_need(to) == n);
	CHECK(dsvpn_input(to, f, n, 0, ev) == (ssize_t)n);
	CHECK(ev->len == len && (len == 0 || (ev->data == f + DSVPN_HDR_LEN &&
	    all_bytes(ev->data, len, fill))));
	return (0);
}

static int
t_sizes(void)
{
	struct proto_event	 ev;
	struct pair		*p;
	size_t			 len;

	CHECK((p = pair_new()) != NULL);
	CHECK(dsvpn_is_up(p->c) && !dsvpn_is_up(p->s) && dsvpn_can_send(p->s));
	/* Key confirmation: the client's first frame brings the server up. */
	CHECK(send_one(p, p->c, p->s, 100, 'a', &ev) == 0);
	CHECK(ev.type == PROTO_EV_UP && dsvpn_is_up(p->s));
	for (len = 1; len <= 300; len++) {
		CHECK(send_one(p, p->c, p->s, len, (int)len, &ev) == 0);
		CHECK(ev.type == PROTO_EV_DATA);
		CHECK(send_one(p, p->s, p->c, len, (int)len, &ev) == 0);
		CHECK(ev.type == PROTO_EV_DATA);
	}
	CHECK(send_one(p, p->c, p->s, DSVPN_MAX_PAYLOAD, 'z', &ev) == 0);
	CHECK(send_one(p, p->s, p->c, DSVPN_MAX_PAYLOAD, 'y', &ev) == 0);
	CHECK(ev.type == PROTO_EV_DATA);
	CHECK(dsvpn_seal(p->c, p->buf, DSVPN_MAX_PAYLOAD + 1, 0) == 0);
	/* The length field's largest value: need() says the whole frame. */
	p->buf[0] = p->buf[1] = 0xff;
	CHECK(dsvpn_input(p->s, p->buf, DSVPN_HDR_LEN, 0, &ev) == 0);
	CHECK(dsvpn_need(p->s) == DSVPN_MAX_FRAME);
	pair_free(p);
	return (0);
}

/* A zero-length frame: verified, stream advanced, nothing delivered. */
static int
t_zero_length(void)
{
	struct proto_event	 ev;
	struct pair		*p;

	CHECK((p = pair_new()) != NULL);
	/* As the first frame: key confirmation with nothing to deliver. */
	CHECK(send_one(p, p->c, p->s, 0, 0, &ev) == 0);
	CHECK(ev.type == PROTO_EV_UP && ev.len == 0 && dsvpn_is_up(p->s));
	CHECK(send_one(p, p->c, p->s, 0, 0, &ev) == 0);
	CHECK(ev.type == PROTO_EV_NONE);
	CHECK(send_one(p, p->s, p->c, 0, 0, &ev) == 0);
	CHECK(ev.type == PROTO_EV_NONE);
	CHECK(send_one(p, p->c, p->s, 40, 'q', &ev) == 0);
	CHECK(ev.type == PROTO_EV_DATA);
	/* Its tag is checked too. */
	CHECK(dsvpn_seal(p->c, p->buf, 0, 0) == DSVPN_HDR_LEN);
	p->buf[7] ^= 1;
	CHECK(dsvpn_input(p->s, p->buf, DSVPN_HDR_LEN, 0, &ev) == -1);
	CHECK(dsvpn_fault(p->s) == PROTO_F_AUTH);
	pair_free(p);
	return (0);
}

/* Nothing sealed before the reply verified, nor by a dead session. */
static int
t_when_sealed(void)
{
	struct dsvpn_params	 pp;
	struct proto_event	 ev;
	struct pair		*p;
	struct dsvpn		*c, *s;
	const uint8_t		*out;
	uint8_t			 h[DSVPN_HELLO_LEN];

	CHECK((p = calloc(1, sizeof(*p))) != NULL);
	CHECK((p->replay = dsvpn_replay_new(2)) != NULL);
	p->wall = WALL0;
	params(&pp, PROTO_CLIENT, p);
	CHECK((c = dsvpn_new(&pp)) != NULL);
	CHECK(dsvpn_seal(c, p->buf, 10, 0) == 0);
	CHECK(dsvpn_input(c, p->buf, 1, 0, &ev) == -1);	/* before start */
	CHECK(dsvpn_fault(c) == PROTO_F_PROTOCOL);
	dsvpn_free(c);
	CHECK((c = dsvpn_new(&pp)) != NULL && dsvpn_start(c, 0) == 0);
	CHECK(dsvpn_seal(c, p->buf, 10, 0) == 0 && !dsvpn_can_send(c));
	CHECK(dsvpn_start(c, 0) == -1);			/* twice */
	dsvpn_free(c);
	params(&pp, PROTO_SERVER, p);
	CHECK((s = dsvpn_new(&pp)) != NULL);
	CHECK(dsvpn_seal(s, p->buf, 10, 0) == 0 && !dsvpn_can_send(s));
	memset(h, 0, sizeof(h));
	CHECK(dsvpn_input(s, h, sizeof(h) - 1, 0, &ev) == 0);
	CHECK(dsvpn_need(s) == DSVPN_HELLO_LEN);
	CHECK(dsvpn_input(s, h, sizeof(h), 0, &ev) == -1);
	CHECK(dsvpn_seal(s, p->buf, 10, 0) == 0 && dsvpn_pending(s, &out) == 0);
	CHECK(dsvpn_input(s, h, sizeof(h), 0, &ev) == -1);
	dsvpn_free(s);
	/* A server without a replay cache is refused. */
	pp.replay = NULL;
	errno = 0;
	CHECK(dsvpn_new(&pp) == NULL && errno == EINVAL);
	dsvpn_replay_free(p->replay);
	free(p);
	return (0);
}

/* Secrets: S gone after the handshake, everything at close or failure. */
static int
t_wipe(void)
{
	struct proto_event	 ev;
	struct pair		*p;
	uint8_t			 junk[DSVPN_HDR_LEN + 4];

	CHECK((p = pair_new()) != NULL);
	CHECK(zeroed(&p->c->kx, sizeof(p->c->kx)));
	CHECK(zeroed(&p->s->kx, sizeof(p->s->kx)));
	CHECK(zeroed(p->c->par.psk, DSVPN_KEY_LEN));
	CHECK(zeroed(p->s->par.psk, DSVPN_KEY_LEN));
	CHECK(!zeroed(&p->c->tx, sizeof(p->c->tx)));
	dsvpn_close(p->c);
	CHECK(zeroed(&p->c->tx, sizeof(p->c->tx)));
	CHECK(zeroed(&p->c->rx, sizeof(p->c->rx)));
	CHECK(!dsvpn_is_up(p->c) && !dsvpn_can_send(p->c));
	CHECK(dsvpn_seal(p->c, p->buf, 1, 0) == 0);
	CHECK(dsvpn_input(p->c, junk, sizeof(junk), 0, &ev) == -1);
	CHECK(dsvpn_fault(p->c) == PROTO_F_PROTOCOL);
	memset(junk, 0, sizeof(junk));
	junk[0] = 4;
	CHECK(dsvpn_input(p->s, junk, sizeof(junk), 0, &ev) == -1);
	CHECK(dsvpn_fault(p->s) == PROTO_F_AUTH && zeroed(junk + 8, 4));
	CHECK(zeroed(&p->s->tx, sizeof(p->s->tx)));
	CHECK(zeroed(&p->s->rx, sizeof(p->s->rx)));
	CHECK(dsvpn_need(p->s) == 0);
	pair_free(p);
	return (0);
}

/* A client's hello into a fresh server, at `now' ms; the hello's result. */
static ssize_t
hello_at(struct pair *p, struct dsvpn *c, struct dsvpn *s, uint64_t now)
{
	struct proto_event	 ev;
	const uint8_t		*out;
	size_t			 n;

	if (dsvpn_start(c, now) == -1 ||
	    (n = dsvpn_pending(c, &out)) != DSVPN_HELLO_LEN)
		return (-2);
	memcpy(p->buf, out, n);
	dsvpn_consume(c, n);
	return (dsvpn_input(s, p->buf, n, now, &ev));
}

static int
t_timers_default(struct pair *p)
{
	struct dsvpn_params	 pp;
	struct proto_event	 ev;
	struct dsvpn		*c, *s;
	uint64_t		 next;

	params(&pp, PROTO_SERVER, p);
	CHECK((s = dsvpn_new(&pp)) != NULL && dsvpn_start(s, 1000) == 0);
	CHECK(dsvpn_tick(s, 1000 + 9999, &next) == 0 && next == 11000);
	CHECK(dsvpn_tick(s, 11000, &next) == -1);
	CHECK(dsvpn_fault(s) == PROTO_F_TIMEOUT);
	CHECK(dsvpn_tick(s, 11001, &next) == -1);
	dsvpn_free(s);
	params(&pp, PROTO_CLIENT, p);
	CHECK((c = dsvpn_new(&pp)) != NULL && dsvpn_start(c, 5) == 0);
	CHECK(dsvpn_tick(c, 60004, &next) == 0 && next == 60005);
	CHECK(dsvpn_tick(c, 60005, &next) == -1);
	CHECK(dsvpn_fault(c) == PROTO_F_TIMEOUT);
	dsvpn_free(c);
	/* No limit on the first frame by default: a DSVPN client may idle. */
	params(&pp, PROTO_CLIENT, p);
	CHECK((c = dsvpn_new(&pp)) != NULL);
	params(&pp, PROTO_SERVER, p);
	CHECK((s = dsvpn_new(&pp)) != NULL);
	CHECK(hello_at(p, c, s, 0) == DSVPN_HELLO_LEN);
	CHECK(pass(p, s, c, &ev) == DSVPN_REPLY_LEN && dsvpn_is_up(c));
	CHECK(dsvpn_tick(s, 1000ULL * 86400 * 30, &next) == 0);
	CHECK(next == UINT64_MAX && dsvpn_can_send(s));
	CHECK(dsvpn_tick(c, 1000ULL * 86400 * 30, &next) == 0);
	CHECK(next == UINT64_MAX);
	dsvpn_free(c);
	dsvpn_free(s);
	return (0);
}

static int
t_timers_set(struct pair *p)
{
	struct dsvpn_params	 pp;
	struct proto_event	 ev;
	struct dsvpn		*c, *s;
	uint64_t		 next;
	int			 up;

	for (up = 0; up <= 1; up++) {
		p->wall++;		/* another T: not a replay */
		params(&pp, PROTO_CLIENT, p);
		CHECK((c = dsvpn_new(&pp)) != NULL);
		params(&pp, PROTO_SERVER, p);
		pp.handshake_ms = 2000;
		pp.confirm_ms = 3000;
		CHECK((s = dsvpn_new(&pp)) != NULL);
		CHECK(dsvpn_tick(s, 100, &next) == 0 && next == 2100);
		CHECK(hello_at(p, c, s, 1500) == DSVPN_HELLO_LEN);
		CHECK(pass(p, s, c, &ev) == DSVPN_REPLY_LEN);
		/* The hello came: now the first frame's deadline. */
		CHECK(dsvpn_tick(s, 2500, &next) == 0 && next == 4500);
		if (up) {
			CHECK(send_one(p, c, s, 20, 'u', &ev) == 0);
			CHECK(ev.type == PROTO_EV_UP);
			CHECK(dsvpn_tick(s, 99999, &next) == 0);
			CHECK(next == UINT64_MAX);
		} else {
			CHECK(dsvpn_tick(s, 4500, &next) == -1);
			CHECK(dsvpn_fault(s) == PROTO_F_TIMEOUT);
			CHECK(zeroed(&s->rx, sizeof(s->rx)));
		}
		dsvpn_free(c);
		dsvpn_free(s);
	}
	return (0);
}

static int
t_timers(void)
{
	struct pair	*p;
	int		 rc;

	CHECK((p = calloc(1, sizeof(*p))) != NULL);
	CHECK((p->replay = dsvpn_replay_new(0)) != NULL);
	p->wall = WALL0;
	rc = t_timers_default(p) == 0 && t_timers_set(p) == 0 ? 0 : -1;
	dsvpn_replay_free(p->replay);
	free(p);
	return (rc);
}

/* The cache on its own: table, eviction to the floor, stale slots. */
static int
t_replay_table(void)
{
	struct dsvpn_replay	*r;
	uint8_t			 rc[8][32];
	int			 i;

	for (i = 0; i < 8; i++)
		memset(rc[i], 'A' + i, sizeof(rc[i]));
	CHECK((r = dsvpn_replay_new(4)) != NULL);
	for (i = 0; i < 4; i++) {
		CHECK(!dsvpn_replay_seen(r, rc[i], 1000 + i));
		dsvpn_replay_add(r, rc[i], 1000 + i, 1003, 7200);
		CHECK(dsvpn_replay_seen(r, rc[i], 1000 + i));
	}
	/* Full, nothing stale: the oldest goes and the floor takes it. */
	CHECK(!dsvpn_replay_seen(r, rc[4], 1004));
	dsvpn_replay_add(r, rc[4], 1004, 1004, 7200);
	CHECK(dsvpn_replay_seen(r, rc[0], 1000));	/* by the floor */
	CHECK(dsvpn_replay_seen(r, rc[5], 1000));	/* new, too old */
	CHECK(!dsvpn_replay_seen(r, rc[5], 1001));
	CHECK(dsvpn_replay_seen(r, rc[1], 1001));	/* still listed */
	/* Later, 1001 is stale: its slot is reused first. */
	dsvpn_replay_add(r, rc[5], 9000, 1001 + 7201, 7200);
	CHECK(dsvpn_replay_seen(r, rc[5], 9000));
	CHECK(dsvpn_replay_seen(r, rc[2], 1002));
	/* The clock steps back: what was forgotten is still refused. */
	CHECK(dsvpn_replay_seen(r, rc[1], 1001));
	CHECK(!dsvpn_replay_seen(r, rc[6], 1002 + 1));
	dsvpn_replay_free(r);
	return (0);
}

/* Through the server: a cache of 2, three clients, then two replays. */
static int
t_replay_server(void)
{
	struct dsvpn_params	 pp;
	struct proto_event	 ev;
	struct pair		*p;
	struct dsvpn		*c, *s;
	uint8_t			 hello[3][DSVPN_HELLO_LEN];
	const uint8_t		*out;
	int			 i;

	CHECK((p = calloc(1, sizeof(*p))) != NULL);
	CHECK((p->replay = dsvpn_replay_new(2)) != NULL);
	for (i = 0; i < 3; i++) {
		p->wall = WALL0 + i;
		params(&pp, PROTO_CLIENT, p);
		CHECK((c = dsvpn_new(&pp)) != NULL && dsvpn_start(c, 0) == 0);
		CHECK(dsvpn_pending(c, &out) == DSVPN_HELLO_LEN);
		memcpy(hello[i], out, DSVPN_HELLO_LEN);
		dsvpn_free(c);
		params(&pp, PROTO_SERVER, p);
		CHECK((s = dsvpn_new(&pp)) != NULL);
		memcpy(p->buf, hello[i], DSVPN_HELLO_LEN);
		CHECK(dsvpn_input(s, p->buf, DSVPN_HELLO_LEN, 0, &ev) ==
		    DSVPN_HELLO_LEN);
		dsvpn_free(s);
	}
	for (i = 0; i < 3; i += 2) {
		CHECK((s = dsvpn_new(&pp)) != NULL);
		memcpy(p->buf, hello[i], DSVPN_HELLO_LEN);
		CHECK(dsvpn_input(s, p->buf, DSVPN_HELLO_LEN, 0, &ev) == -1);
		CHECK(dsvpn_fault(s) == PROTO_F_REPLAY);
		CHECK(dsvpn_pending(s, &out) == 0);
		dsvpn_free(s);
	}
	dsvpn_replay_free(p->replay);
	free(p);
	return (0);
}

static int
t_sniff(void)
{
	struct dsvpn_params	 pp;
	struct pair		 p;
	struct dsvpn		*c;
	const uint8_t		*out;
	uint8_t			 h[DSVPN_HELLO_LEN], native[92];
	int			 fault;

	memset(&p, 0, sizeof(p));
	p.wall = WALL0;
	params(&pp, PROTO_CLIENT, &p);
	CHECK((c = dsvpn_new(&pp)) != NULL && dsvpn_start(c, 0) == 0);
	CHECK(dsvpn_pending(c, &out) == DSVPN_HELLO_LEN);
	memcpy(h, out, sizeof(h));
	dsvpn_free(c);
	CHECK(dsvpn_hello_sniff(h, 39, WALL0, 0) == DSVPN_SNIFF_NEED);
	CHECK(dsvpn_hello_sniff(h, 40, WALL0, 0) == DSVPN_SNIFF_DSVPN);
	CHECK(dsvpn_hello_sniff(h, 72, WALL0 - 7200, 0) == DSVPN_SNIFF_DSVPN);
	CHECK(dsvpn_hello_sniff(h, 72, WALL0 + 7201, 0) == DSVPN_SNIFF_OTHER);
	CHECK(dsvpn_hello_sniff(h, 72, WALL0 + 61, 60) == DSVPN_SNIFF_OTHER);
	/* A native hello: version 1, be64 time at 4, random key at 28. */
	memset(native, 0, sizeof(native));
	native[0] = native[1] = native[2] = 1;
	randombytes_buf(native + 12, sizeof(native) - 12);
	CHECK(dsvpn_hello_sniff(native, sizeof(native), WALL0, 0) ==
	    DSVPN_SNIFF_OTHER);
	/* The keyed check refuses what is not exactly a hello. */
	params(&pp, PROTO_SERVER, &p);
	CHECK(dsvpn_hello_check(&pp, h, sizeof(h) - 1, &fault) == -1 &&
	    fault == PROTO_F_PROTOCOL);
	CHECK(dsvpn_hello_check(&pp, native, sizeof(native), &fault) == -1 &&
	    fault == PROTO_F_PROTOCOL);
	CHECK(dsvpn_hello_check(&pp, native, DSVPN_HELLO_LEN, &fault) == -1);
	CHECK(dsvpn_hello_check(&pp, h, sizeof(h), &fault) == 0);
	return (0);
}

int
main(void)
{
	static const struct {
		const char	*what;
		int		(*fn)(void);
	} tests[] = {
		{ "payload sizes 0..300 and 65535, both ways", t_sizes },
		{ "zero-length frames", t_zero_length },
		{ "what may be sealed when; misuse", t_when_sealed },
		{ "secrets wiped", t_wipe },
		{ "handshake timers", t_timers },
		{ "replay cache: eviction, floor, stale", t_replay_table },
		{ "replay cache through the server", t_replay_server },
		{ "hello sniffer and pre-check", t_sniff },
	};
	size_t	 i;
	int	 before;

	if (sodium_init() == -1)
		errx(1, "sodium_init");
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < nitems(tests); i++) {
		before = failures;
		cases++;
		if (tests[i].fn() == -1 && failures == before)
			failures++;
		printf("  %s: %s\n", tests[i].what,
		    failures == before ? "ok" : "FAILED");
	}
	printf("%d cases, %d failed\n", cases, failures);
	return (failures == 0 ? 0 : 1);
}
