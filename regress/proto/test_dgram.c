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
 * Unit tests of the datagram form of the protocol (tunnel/dgram.h): a
 * client and a server as the tunnel would run them, over a simulated
 * network that loses, duplicates, reorders and corrupts datagrams, on a
 * fake clock.  Every datagram a session is given must either verify or
 * be counted as dropped, exactly once; nothing damaged ever verifies.
 *
 *	test_dgram		run every case
 *	test_dgram -g		print the known-answer vectors (kat-dgram.txt)
 */
#include "compat.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cookie.h"
#include "dgram_int.h"
#include "harness.h"
#include "keyid.h"

#define QMAX		8192
#define SRC_CLIENT	0x0a000001	/* "addresses", 4 bytes each */
#define SRC_ROAMED	0x0a000002
#define SRC_EVIL	0x0a0000ee

struct flight {
	uint8_t		*b;
	size_t		 len;
	uint64_t	 at;		/* delivery time */
	uint32_t	 src;
	int		 damaged;
};

/* One direction of the network. */
struct link {
	struct flight	 q[QMAX];
	size_t		 n;
	unsigned int	 loss, dup, corrupt;	/* per mille */
	unsigned int	 jitter;		/* ms of random delay */
	uint64_t	 sent, lost, dups, damaged;
};

struct net {
	uint64_t		 now, dice;
	struct link		 c2s, s2c;
	struct seam		 seam;
	struct proto_replay	*replay;
	struct cookie_secrets	 cookies;
	int			 under_load;
	uint32_t		 csrc;		/* client's source now */
	uint32_t		 endpoint;	/* where the server sends */
	struct dgram		*c, *s;
	uint32_t		 next_index;
	enum proto_cipher	 cipher;
	struct proto_params	 tmpl;		/* timers for both ends */
	/* what arrived */
	uint32_t		 sent_c, sent_s;	/* sequence numbers */
	uint8_t			*got_c, *got_s;		/* by sequence */
	uint64_t		 ups_c, ups_s, hellos, cookies_sent;
	uint64_t		 pushes, tickets, closes, probe_acks;
	uint64_t		 moves, verified;
	int			 close_reason;
	uint8_t			 push_got[PROTO_PUSH_MAX];
	size_t			 push_len;
	size_t			 probe_len;
	uint32_t		 probe_id;
	int			 record;	/* known answers: keep all */
	struct pipe		 rec_c2s, rec_s2c;
};

static uint64_t
roll(struct net *n)
{
	n->dice ^= n->dice << 13;
	n->dice ^= n->dice >> 7;
	n->dice ^= n->dice << 17;
	return (n->dice);
}

static void
link_put(struct net *n, struct link *l, const uint8_t *d, size_t len,
    uint32_t src)
{
	struct flight	*f;
	int		 copies = 1, i;

	l->sent++;
	if (n->record) {
		uint8_t	 be[2] = { (uint8_t)(len >> 8), (uint8_t)len };
		struct pipe *r = l == &n->c2s ? &n->rec_c2s : &n->rec_s2c;

		pipe_put(r, be, 2);
		pipe_put(r, d, len);
	}
	if (roll(n) % 1000 < l->loss) {
		l->lost++;
		return;
	}
	if (roll(n) % 1000 < l->dup) {
		l->dups++;
		copies = 2;
	}
	for (i = 0; i < copies && l->n < QMAX; i++) {
		f = &l->q[l->n++];
		if ((f->b = malloc(len)) == NULL)
			err(1, "malloc");
		memcpy(f->b, d, len);
		f->len = len;
		f->src = src;
		f->at = n->now + (l->jitter ? roll(n) % l->jitter : 0);
		f->damaged = 0;
		if (roll(n) % 1000 < l->corrupt) {
			f->b[roll(n) % len] ^= (uint8_t)(1 << roll(n) % 8);
			f->damaged = 1;
			l->damaged++;
		}
	}
}

/* Take the earliest datagram due; 0 if none. */
static int
link_take(struct net *n, struct link *l, struct flight *out)
{
	size_t	 i, best = SIZE_MAX;

	for (i = 0; i < l->n; i++)
		if (l->q[i].at <= n->now &&
		    (best == SIZE_MAX || l->q[i].at < l->q[best].at))
			best = i;
	if (best == SIZE_MAX)
		return (0);
	*out = l->q[best];
	memmove(&l->q[best], &l->q[best + 1],
	    (l->n - best - 1) * sizeof(l->q[0]));
	l->n--;
	return (1);
}

static void
link_free(struct link *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->q[i].b);
	l->n = 0;
}

static uint64_t
drops_sum(const struct dgram *p)
{
	const uint64_t	*d = dgram_drops(p);
	uint64_t	 s = 0;
	int		 i;

	for (i = 0; i < DGRAM_DROP_MAX; i++)
		s += d[i];
	return (s);
}

static void
dparams(struct net *n, struct dgram_params *dp, enum proto_role role)
{
	memset(dp, 0, sizeof(*dp));
	params(&dp->base, role, role == PROTO_CLIENT ? n->cipher :
	    PROTO_CIPHER_AUTO, &n->seam, role == PROTO_SERVER ? n->replay :
	    NULL);
	dp->base.version = 0;
	dp->base.keepalive_ms = n->tmpl.keepalive_ms;
	dp->base.dead_ms = n->tmpl.dead_ms;
	dp->base.rekey_ms = n->tmpl.rekey_ms;
	dp->base.rekey_bytes = n->tmpl.rekey_bytes;
	dp->base.handshake_ms = n->tmpl.handshake_ms;
	dp->cookies = &n->cookies;
}

static int
net_init(struct net *n, enum proto_cipher c, const struct proto_params *t)
{
	struct dgram_params	 dp;

	memset(n, 0, sizeof(*n));
	seam_init(&n->seam, 5);
	n->dice = 0x2545f4914f6cdd1dULL;
	n->now = 1000;
	n->cipher = c;
	n->csrc = SRC_CLIENT;
	n->next_index = 0x100;
	if (t != NULL)
		n->tmpl = *t;
	if ((n->replay = proto_replay_new(4096)) == NULL)
		return (-1);
	cookie_secrets_init(&n->cookies, n->now);
	n->got_c = calloc(1 << 20, 1);
	n->got_s = calloc(1 << 20, 1);
	if (n->got_c == NULL || n->got_s == NULL)
		return (-1);
	dparams(n, &dp, PROTO_CLIENT);
	if ((n->c = dgram_new(&dp)) == NULL)
		return (-1);
	return (0);
}

static void
net_free(struct net *n)
{
	dgram_free(n->c);
	dgram_free(n->s);
	link_free(&n->c2s);
	link_free(&n->s2c);
	proto_replay_free(n->replay);
	cookie_secrets_wipe(&n->cookies);
	free(n->got_c);
	free(n->got_s);
	free(n->rec_c2s.buf);
	free(n->rec_s2c.buf);
}

/* Move what each end queued onto the network. */
static void
net_drain(struct net *n)
{
	const uint8_t	*out;
	size_t		 len;

	while ((len = dgram_pending(n->c, &out)) > 0) {
		link_put(n, &n->c2s, out, len, n->csrc);
		dgram_consume(n->c);
	}
	while (n->s != NULL && (len = dgram_pending(n->s, &out)) > 0) {
		link_put(n, &n->s2c, out, len, n->endpoint);
		dgram_consume(n->s);
	}
}

/* A data payload: its sequence number, then a pattern from it. */
static size_t
payload(uint8_t *b, uint32_t seq, size_t len)
{
	size_t	 i;

	memcpy(b, &seq, 4);
	for (i = 4; i < len; i++)
		b[i] = (uint8_t)(seq * 31 + i);
	return (len);
}

static int
payload_ok(const uint8_t *b, size_t len, uint32_t *seq)
{
	size_t	 i;

	if (len < 4)
		return (0);
	memcpy(seq, b, 4);
	for (i = 4; i < len; i++)
		if (b[i] != (uint8_t)(*seq * 31 + i))
			return (0);
	return (1);
}

/* Account for one delivered event of either end. */
static int
on_event(struct net *n, int client, const struct dgram_event *ev)
{
	uint32_t	 seq;
	uint8_t		*got = client ? n->got_c : n->got_s;

	if (ev->flags & DGRAM_EVF_UP)
		(*(client ? &n->ups_c : &n->ups_s))++;
	switch (ev->type) {
	case DGRAM_EV_DATA:
		CHECK(payload_ok(ev->data, ev->len, &seq));
		CHECK(seq < (1 << 20) && got[seq] == 0);	/* once */
		got[seq] = 1;
		break;
	case DGRAM_EV_PUSH:
		CHECK(client && ev->len <= sizeof(n->push_got));
		memcpy(n->push_got, ev->data, ev->len);
		n->push_len = ev->len;
		n->pushes++;
		break;
	case DGRAM_EV_TICKET:
		CHECK(client && ev->len == PROTO_TICKET_LEN);
		n->tickets++;
		break;
	case DGRAM_EV_CLOSED:
		n->closes++;
		n->close_reason = ev->reason;
		break;
	case DGRAM_EV_PROBE_ACK:
		n->probe_acks++;
		n->probe_len = ev->len;
		n->probe_id = ev->id;
		break;
	default:
		break;
	}
	return (0);
}

/* The server's side of one datagram, as the tunnel would do it. */
static int
srv_rx(struct net *n, struct flight *f)
{
	struct dgram_params	 dp;
	struct proto_hello_info	 info;
	struct dgram_event	 ev;
	struct dgram		*s;
	uint8_t			 cr[DGRAM_COOKIE_REPLY_LEN], id[KEYID_LEN];
	uint8_t			 type;
	uint32_t		 index;
	uint64_t		 before;
	enum dgram_verdict	 v;
	int			 fault;

	if (dgram_peek(f->b, f->len, &type, &index) == -1)
		return (0);
	if (type == DGRAM_T_HELLO) {
		dparams(n, &dp, PROTO_SERVER);
		if (dgram_hello_peek(&dp, f->b, f->len, &info, &fault) == -1)
			return (0);
		/* One peer: its epoch id names it; anything else, nobody. */
		keyid_epoch(id, dp.base.psk, keyid_hour(info.timestamp));
		if (memcmp(id, info.keyid, sizeof(id)) != 0)
			return (0);
		v = dgram_hello_check(&dp, f->b, f->len, &f->src, 4,
		    n->under_load, cr, &fault);
		CHECK(!f->damaged || v == DGRAM_REFUSE);
		if (v == DGRAM_COOKIE) {
			n->cookies_sent++;
			link_put(n, &n->s2c, cr, sizeof(cr), f->src);
		}
		if (v != DGRAM_ACCEPT)
			return (0);
		dp.local_index = n->next_index++;
		CHECK((s = dgram_new(&dp)) != NULL);
		CHECK(dgram_input(s, f->b, f->len, n->now, &ev) == 0);
		/* A newer hello of the peer replaces its pending session. */
		dgram_free(n->s);
		n->s = s;
		n->endpoint = f->src;
		n->hellos++;
		return (0);
	}
	if (n->s == NULL || index != dgram_local_index(n->s))
		return (0);
	before = drops_sum(n->s);
	if (dgram_input(n->s, f->b, f->len, n->now, &ev) == -1)
		return (-1);
	CHECK(!f->damaged || !(ev.flags & DGRAM_EVF_AUTH));
	if (ev.flags & DGRAM_EVF_AUTH)
		n->verified++;
	else
		CHECK(drops_sum(n->s) == before + 1 || ev.type ==
		    DGRAM_EV_CLOSED);
	if ((ev.flags & DGRAM_EVF_NEWEST) && n->endpoint != f->src) {
		n->endpoint = f->src;
		n->moves++;
	}
	return (on_event(n, 0, &ev));
}

static int
cli_rx(struct net *n, struct flight *f)
{
	struct dgram_event	 ev;
	uint64_t		 before = drops_sum(n->c);
	int			 cookie;

	cookie = f->len > 0 && f->b[0] == DGRAM_T_COOKIE;
	if (dgram_input(n->c, f->b, f->len, n->now, &ev) == -1)
		return (-1);
	CHECK(!f->damaged || !(ev.flags & DGRAM_EVF_AUTH));
	CHECK(!f->damaged || ev.type == DGRAM_EV_NONE);
	if (!(ev.flags & DGRAM_EVF_AUTH) && ev.type != DGRAM_EV_CLOSED)
		CHECK(drops_sum(n->c) == before + 1 ||
		    (cookie && !f->damaged));
	return (on_event(n, 1, &ev));
}

/* Deliver everything due, then tick both ends; -1 if a session died. */
static int
net_step(struct net *n)
{
	struct flight	 f;
	uint64_t	 next;
	int		 got, rc;

	do {
		net_drain(n);
		got = 0;
		if (link_take(n, &n->c2s, &f)) {
			got = 1;
			rc = srv_rx(n, &f);
			free(f.b);
			if (rc == -1)
				return (-1);
		}
		if (link_take(n, &n->s2c, &f)) {
			got = 1;
			rc = cli_rx(n, &f);
			free(f.b);
			if (rc == -1)
				return (-1);
		}
	} while (got);
	if (dgram_tick(n->c, n->now, &next) == -1)
		return (-1);
	if (n->s != NULL && dgram_tick(n->s, n->now, &next) == -1)
		return (-1);
	net_drain(n);
	return (0);
}

/* One data datagram from an end, sequence numbered. */
static int
send_one(struct net *n, int client, size_t len)
{
	static uint8_t	 b[DGRAM_MAX_LEN];
	struct dgram	*p = client ? n->c : n->s;
	uint32_t	*seq = client ? &n->sent_c : &n->sent_s;
	size_t		 m;

	if (p == NULL || !dgram_is_up(p))
		return (0);
	payload(b + DGRAM_HDR_LEN, *seq, len);
	if ((m = dgram_seal(p, b, len, n->now)) == 0)
		return (0);
	CHECK(m == len + DGRAM_OVERHEAD);
	(*seq)++;
	link_put(n, client ? &n->c2s : &n->s2c, b, m, client ? n->csrc :
	    n->endpoint);
	return (0);
}

/* Time passes in small steps, each side sending now and then. */
static int
net_run(struct net *n, uint64_t ms, unsigned int send_permille)
{
	uint64_t	 end = n->now + ms;

	while (n->now < end) {
		n->now += 1 + roll(n) % 4;
		if (roll(n) % 1000 < send_permille &&
		    send_one(n, 1, 40 + roll(n) % 1400) == -1)
			return (-1);
		if (roll(n) % 1000 < send_permille &&
		    send_one(n, 0, 40 + roll(n) % 1400) == -1)
			return (-1);
		if (net_step(n) == -1)
			return (-1);
	}
	return (0);
}

static int
net_up(struct net *n, uint64_t within)
{
	CHECK(dgram_start(n->c, n->now) == 0);
	CHECK(net_run(n, within, 0) == 0);
	CHECK(dgram_is_up(n->c));
	CHECK(n->s != NULL && dgram_is_up(n->s));
	return (0);
}

static uint32_t
count(const uint8_t *got, uint32_t n)
{
	uint32_t	 i, c = 0;

	for (i = 0; i < n; i++)
		c += got[i];
	return (c);
}

static int
t_clean(enum proto_cipher c)
{
	struct net	 n;
	int		 rc = -1;

	if (net_init(&n, c, NULL) == -1 || net_up(&n, 50) == -1)
		goto out;
	if (n.hellos != 1 || n.ups_c != 1 || n.ups_s != 1 ||
	    strcmp(dgram_cipher_name(n.c), dgram_cipher_name(n.s)) != 0 ||
	    strcmp(dgram_cipher_name(n.c), cipher_str(c)) != 0)
		goto out;
	if (net_run(&n, 2000, 200) == -1 || net_run(&n, 200, 0) == -1)
		goto out;
	/* No loss: everything arrives, nothing is dropped. */
	if (n.sent_c < 100 || count(n.got_s, n.sent_c) != n.sent_c ||
	    count(n.got_c, n.sent_s) != n.sent_s || drops_sum(n.c) != 0 ||
	    drops_sum(n.s) != 0)
		goto out;
	rc = 0;
out:
	net_free(&n);
	CHECK(rc == 0);
	return (0);
}

static size_t
big_push(uint8_t *b, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	return (len);
}

/*
 * The whole life of a session on a bad network: handshake, data both
 * ways, rekeys, a push in two fragments, a ticket, probes; then a calm
 * end so that what must arrive arrives.
 */
static int
t_lossy(enum proto_cipher c, unsigned int loss, unsigned int dup,
    unsigned int corrupt, unsigned int jitter)
{
	struct proto_params tmpl;
	struct net	 n;
	uint8_t		 push[PROTO_PUSH_MAX], t[PROTO_TICKET_LEN];
	uint8_t		 probe[1500];
	uint32_t	 id, got_c, got_s;
	int		 rc = -1, i;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.rekey_bytes = 60000;
	tmpl.keepalive_ms = 300;
	tmpl.dead_ms = 30000;
	tmpl.handshake_ms = 60000;
	if (net_init(&n, c, &tmpl) == -1)
		goto out;
	n.c2s.loss = n.s2c.loss = loss;
	n.c2s.dup = n.s2c.dup = dup;
	n.c2s.corrupt = n.s2c.corrupt = corrupt;
	n.c2s.jitter = n.s2c.jitter = jitter;
	if (net_up(&n, 30000) == -1)
		goto out;
	big_push(push, sizeof(push));
	memset(t, 0x77, sizeof(t));
	if (dgram_push(n.s, push, sizeof(push), n.now) == -1 ||
	    dgram_ticket(n.s, t, n.now) == -1)
		goto out;
	for (i = 0; i < 20; i++) {
		if (net_run(&n, 500, 300) == -1)
			goto out;
		if (dgram_seal_probe(n.c, probe, 1200 + i, n.now, &id) == 0)
			goto out;
		link_put(&n, &n.c2s, probe, 1200 + i, n.csrc);
	}
	/* The network heals: retransmissions finish. */
	n.c2s.loss = n.s2c.loss = n.c2s.corrupt = n.s2c.corrupt = 0;
	n.c2s.dup = n.s2c.dup = 0;
	if (net_run(&n, 20000, 0) == -1)
		goto out;
	got_c = count(n.got_c, n.sent_s);
	got_s = count(n.got_s, n.sent_c);
	printf("    %s loss %u dup %u corrupt %u jitter %u: %u/%u %u/%u "
	    "data, %llu/%llu rekeys, %llu hellos, drops c %llu s %llu\n",
	    cipher_str(c), loss, dup, corrupt, jitter, got_s, n.sent_c, got_c,
	    n.sent_s, (unsigned long long)dgram_rekeys(n.c),
	    (unsigned long long)dgram_rekeys(n.s),
	    (unsigned long long)n.hellos,
	    (unsigned long long)drops_sum(n.c),
	    (unsigned long long)drops_sum(n.s));
	if (!dgram_is_up(n.c) || !dgram_is_up(n.s))
		goto out;
	if (dgram_rekeys(n.c) < 3 || dgram_rekeys(n.s) < 3)
		goto out;
	/* All that was not lost arrived (intact and once: on_event). */
	if (got_s + got_s / 10 + 20 < n.sent_c - n.sent_c * loss / 1000 ||
	    got_c + got_c / 10 + 20 < n.sent_s - n.sent_s * loss / 1000)
		goto out;
	if (n.pushes != 1 || n.push_len != sizeof(push) ||
	    memcmp(n.push_got, push, sizeof(push)) != 0 || n.tickets != 1)
		goto out;
	if (n.s->rel[0].active || n.s->rel[1].active)
		goto out;
	if (corrupt > 0 && drops_sum(n.c) + drops_sum(n.s) == 0)
		goto out;
	if (n.probe_acks == 0)
		goto out;
	rc = 0;
out:
	net_free(&n);
	CHECK(rc == 0);
	return (0);
}

/* Copies of verified datagrams, again: each dropped as a replay. */
static int
t_replay(void)
{
	struct net	 n;
	struct flight	 saved[64];
	size_t		 ns = 0, i;
	uint64_t	 before;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(net_up(&n, 50) == 0);
	for (i = 0; i < 40; i++)
		CHECK(send_one(&n, 1, 100) == 0);
	for (i = 0; i < n.c2s.n && ns < nitems(saved); i++) {
		saved[ns] = n.c2s.q[i];
		CHECK((saved[ns].b = malloc(saved[ns].len)) != NULL);
		memcpy(saved[ns].b, n.c2s.q[i].b, saved[ns].len);
		ns++;
	}
	CHECK(net_step(&n) == 0);
	CHECK(count(n.got_s, n.sent_c) == n.sent_c);
	before = dgram_drops(n.s)[DGRAM_DROP_REPLAY];
	for (i = 0; i < ns; i++) {
		saved[i].at = n.now;
		n.c2s.q[n.c2s.n++] = saved[i];
	}
	CHECK(net_step(&n) == 0);
	CHECK(dgram_drops(n.s)[DGRAM_DROP_REPLAY] == before + ns);
	CHECK(count(n.got_s, n.sent_c) == n.sent_c);
	net_free(&n);
	return (0);
}

/*
 * Roaming: the client's address changes and the server follows, at the
 * first newest datagram; neither a replay nor a held-back older
 * datagram from elsewhere moves it.
 */
static int
t_roaming(void)
{
	struct net	 n;
	struct flight	 held;
	uint64_t	 dh;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(net_up(&n, 50) == 0);
	CHECK(n.endpoint == SRC_CLIENT);
	/* One datagram held back by an attacker, from before the move. */
	CHECK(send_one(&n, 1, 100) == 0);
	CHECK(n.c2s.n == 1);
	held = n.c2s.q[0];
	n.c2s.n = 0;
	dh = proto_dh_calls();
	n.csrc = SRC_ROAMED;
	CHECK(send_one(&n, 1, 100) == 0);
	CHECK(net_step(&n) == 0);
	CHECK(n.endpoint == SRC_ROAMED && n.moves == 1);
	/* No new handshake, and the replies go to the new address. */
	CHECK(proto_dh_calls() == dh && n.hellos == 1);
	CHECK(send_one(&n, 0, 100) == 0);
	CHECK(n.s2c.n == 1 && n.s2c.q[0].src == SRC_ROAMED);
	CHECK(net_step(&n) == 0);
	/* The held-back one, from elsewhere: verifies, moves nothing. */
	held.src = SRC_EVIL;
	held.at = n.now;
	n.c2s.q[n.c2s.n++] = held;
	CHECK(net_step(&n) == 0);
	CHECK(n.endpoint == SRC_ROAMED && n.moves == 1);
	CHECK(n.got_s[0] == 1);
	net_free(&n);
	return (0);
}

/* Hellos: handshake under load, cookies, and floods of each kind. */
static int
t_cookie(void)
{
	struct net	 n;
	struct dgram_params dp;
	uint8_t		 h[DGRAM_HELLO_LEN], cr[DGRAM_COOKIE_REPLY_LEN];
	const uint8_t	*out;
	uint64_t	 dh;
	uint32_t	 src = SRC_EVIL, sent;
	int		 i, f;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	n.under_load = 1;
	CHECK(dgram_start(n.c, n.now) == 0);
	CHECK(dgram_pending(n.c, &out) == DGRAM_HELLO_LEN);
	memcpy(h, out, sizeof(h));
	CHECK(net_run(&n, 50, 0) == 0);
	/* One cookie, then the same hello with its second MAC. */
	CHECK(n.cookies_sent == 1 && n.hellos == 1 && dgram_is_up(n.c));
	CHECK(n.c->hello[0] == h[0] &&
	    memcmp(n.c->hello, h, 128) == 0);
	/* The session flows while hellos flood in. */
	dparams(&n, &dp, PROTO_SERVER);
	dh = proto_dh_calls();
	sent = n.sent_c;
	for (i = 0; i < 300; i++) {
		/* Its own first hello, replayed (no second MAC). */
		CHECK(dgram_hello_check(&dp, h, sizeof(h), &src, 4, 1, cr,
		    &f) == DGRAM_REFUSE && f == PROTO_F_REPLAY);
		/* Junk of the right shape. */
		h[64 + i % 32] ^= 1;
		CHECK(dgram_hello_check(&dp, h, sizeof(h), &src, 4, 1, cr,
		    &f) == DGRAM_REFUSE);
		h[64 + i % 32] ^= 1;
		CHECK(send_one(&n, 1, 200) == 0);
		CHECK(net_step(&n) == 0);
	}
	CHECK(proto_dh_calls() == dh);
	CHECK(count(n.got_s, n.sent_c) == n.sent_c && n.sent_c - sent == 300);
	net_free(&n);
	return (0);
}

/* Cookies bound to the source address and to the secret's age. */
static int
t_cookie_bind(void)
{
	struct cookie_secrets cs;
	uint8_t		 ck[COOKIE_LEN], mac[COOKIE_MAC_LEN], m[100], k[32];
	uint8_t		 sealed[COOKIE_SEALED_LEN], ad[32], back[COOKIE_LEN];
	uint8_t		 nonce[COOKIE_NONCE_LEN];
	uint32_t	 a = 1, b = 2;

	memset(m, 0x33, sizeof(m));
	cookie_secrets_init(&cs, 0);
	cookie_make(ck, cs.secret[0], &a, sizeof(a));
	cookie_mac(mac, ck, m, sizeof(m));
	CHECK(cookie_check(&cs, &a, sizeof(a), m, sizeof(m), mac));
	CHECK(!cookie_check(&cs, &b, sizeof(b), m, sizeof(m), mac));
	m[5] ^= 1;
	CHECK(!cookie_check(&cs, &a, sizeof(a), m, sizeof(m), mac));
	m[5] ^= 1;
	cookie_secrets_tick(&cs, COOKIE_ROTATE_MS - 1);
	CHECK(cs.n == 1);
	cookie_secrets_tick(&cs, COOKIE_ROTATE_MS);
	CHECK(cs.n == 2 && cookie_check(&cs, &a, sizeof(a), m, sizeof(m),
	    mac));
	cookie_secrets_tick(&cs, 2 * COOKIE_ROTATE_MS);
	CHECK(!cookie_check(&cs, &a, sizeof(a), m, sizeof(m), mac));
	/* Sealed for one client and one hello. */
	memset(k, 9, sizeof(k));
	memset(ad, 8, sizeof(ad));
	memset(nonce, 7, sizeof(nonce));
	cookie_seal(sealed, k, ck, ad, nonce);
	CHECK(cookie_open(back, k, sealed, ad) == 0 &&
	    memcmp(back, ck, sizeof(ck)) == 0);
	ad[0] ^= 1;
	CHECK(cookie_open(back, k, sealed, ad) == -1);
	ad[0] ^= 1;
	k[0] ^= 1;
	CHECK(cookie_open(back, k, sealed, ad) == -1);
	cookie_secrets_wipe(&cs);
	return (0);
}

/*
 * A client whose cookie no longer holds when its hello comes back
 * (it moved, or the server rotated twice) gets another and gets in.
 */
static int
cookie_again(int rotations, int move, uint64_t want_cookies)
{
	struct net	 n;
	struct flight	 f;
	int		 i;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	n.under_load = 1;
	CHECK(dgram_start(n.c, n.now) == 0);
	net_drain(&n);
	CHECK(link_take(&n, &n.c2s, &f));
	CHECK(srv_rx(&n, &f) == 0);
	free(f.b);
	CHECK(n.cookies_sent == 1 && n.s2c.n == 1);
	for (i = 1; i <= rotations; i++)
		cookie_secrets_tick(&n.cookies,
		    n.now + (uint64_t)i * COOKIE_ROTATE_MS);
	if (move)
		n.csrc = SRC_ROAMED;
	CHECK(net_run(&n, 50, 0) == 0);
	CHECK(n.cookies_sent == want_cookies);
	CHECK(dgram_is_up(n.c) && n.hellos == 1);
	net_free(&n);
	return (0);
}

static int
t_cookie_again(void)
{
	CHECK(cookie_again(0, 0, 1) == 0);
	CHECK(cookie_again(1, 0, 1) == 0);
	CHECK(cookie_again(2, 0, 2) == 0);
	CHECK(cookie_again(0, 1, 2) == 0);
	return (0);
}

/* Every flipped bit of a hello, every truncation: refused, no DH. */
static int
t_hello_tamper(void)
{
	struct net	 n;
	struct dgram_params dp;
	struct proto_hello_info info;
	const uint8_t	*out;
	uint8_t		 h[DGRAM_HELLO_LEN], cr[DGRAM_COOKIE_REPLY_LEN];
	uint32_t	 src = SRC_CLIENT;
	uint64_t	 dh;
	size_t		 i, len;
	int		 bit, f;
	enum dgram_verdict v;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(dgram_start(n.c, n.now) == 0);
	CHECK(dgram_pending(n.c, &out) == DGRAM_HELLO_LEN);
	memcpy(h, out, sizeof(h));
	dparams(&n, &dp, PROTO_SERVER);
	dh = proto_dh_calls();
	CHECK(dgram_hello_check(&dp, h, sizeof(h), &src, 4, 0, cr, &f) ==
	    DGRAM_ACCEPT);
	for (i = 0; i < sizeof(h); i++)
		for (bit = 0; bit < 8; bit++) {
			h[i] ^= 1 << bit;
			v = dgram_hello_check(&dp, h, sizeof(h), &src, 4, 0,
			    cr, &f);
			/* The second MAC counts only under load. */
			CHECK(v == (i < 128 ? DGRAM_REFUSE : DGRAM_ACCEPT));
			v = dgram_hello_check(&dp, h, sizeof(h), &src, 4, 1,
			    cr, &f);
			CHECK(v == (i < 128 ? DGRAM_REFUSE : DGRAM_COOKIE));
			h[i] ^= 1 << bit;
		}
	for (len = 0; len < sizeof(h); len++) {
		CHECK(dgram_hello_check(&dp, h, len, &src, 4, 0, cr, &f) ==
		    DGRAM_REFUSE);
		CHECK(dgram_hello_peek(&dp, h, len, &info, &f) == -1);
	}
	CHECK(proto_dh_calls() == dh);
	/* No answer is larger than the hello it answers. */
	CHECK(DGRAM_REPLY_LEN < DGRAM_HELLO_LEN);
	CHECK(DGRAM_COOKIE_REPLY_LEN < DGRAM_HELLO_LEN);
	net_free(&n);
	return (0);
}

/*
 * Damaged replies are dropped and counted and the handshake goes on;
 * a reply to an older hello costs the client no DH.
 */
static int
t_reply_tamper(void)
{
	struct net	 n;
	struct flight	 f, r;
	struct dgram_event ev;
	uint8_t		 copy[DGRAM_REPLY_LEN];
	uint64_t	 before, dh, next;
	size_t		 i;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(dgram_start(n.c, n.now) == 0);
	net_drain(&n);
	CHECK(link_take(&n, &n.c2s, &f) && srv_rx(&n, &f) == 0);
	free(f.b);
	net_drain(&n);
	CHECK(link_take(&n, &n.s2c, &r) && r.len == DGRAM_REPLY_LEN);
	for (i = 0; i < DGRAM_REPLY_LEN * 8; i++) {
		memcpy(copy, r.b, sizeof(copy));
		copy[i / 8] ^= (uint8_t)(1 << (i % 8));
		before = drops_sum(n.c);
		CHECK(dgram_input(n.c, copy, sizeof(copy), n.now, &ev) == 0);
		CHECK(ev.flags == 0 && ev.type == DGRAM_EV_NONE);
		CHECK(drops_sum(n.c) == before + 1 && !dgram_is_up(n.c));
	}
	CHECK(dgram_input(n.c, r.b, r.len, n.now, &ev) == 0);
	CHECK((ev.flags & DGRAM_EVF_UP) && dgram_is_up(n.c));
	free(r.b);
	net_free(&n);
	/* The client gave up on hello 1 and sent hello 2: reply 1 late. */
	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(dgram_start(n.c, n.now) == 0);
	net_drain(&n);
	CHECK(link_take(&n, &n.c2s, &f) && srv_rx(&n, &f) == 0);
	free(f.b);
	net_drain(&n);
	CHECK(link_take(&n, &n.s2c, &r));
	n.now += DGRAM_DEF_RETRANSMIT_MS;
	CHECK(dgram_tick(n.c, n.now, &next) == 0);
	dh = proto_dh_calls();
	CHECK(dgram_input(n.c, r.b, r.len, n.now, &ev) == 0);
	CHECK(dgram_drops(n.c)[DGRAM_DROP_INDEX] == 1);
	CHECK(proto_dh_calls() == dh && !dgram_is_up(n.c));
	free(r.b);
	net_free(&n);
	return (0);
}

/* The hello's backoff and the handshake, keepalive and dead timers. */
static int
t_timers(void)
{
	struct proto_params tmpl;
	struct net	 n;
	const uint8_t	*out;
	uint64_t	 t, next, at[8];
	int		 hellos = 0;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.handshake_ms = 10000;
	CHECK(net_init(&n, PROTO_CIPHER_AUTO, &tmpl) == 0);
	CHECK(dgram_start(n.c, 1000) == 0);
	for (t = 1000; t < 11000; t++) {
		CHECK(dgram_tick(n.c, t, &next) == 0);
		CHECK(next > t && next <= 11000);
		while (dgram_pending(n.c, &out) > 0) {
			CHECK(hellos < 8);
			at[hellos++] = t;
			dgram_consume(n.c);
		}
	}
	CHECK(hellos == 4 && at[0] == 1000 && at[1] == 2000 &&
	    at[2] == 4000 && at[3] == 8000);
	CHECK(dgram_tick(n.c, 11000, &next) == -1);
	CHECK(dgram_fault(n.c) == PROTO_F_TIMEOUT);
	net_free(&n);
	/* Idle: keepalives; the peer silent: dead. */
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.keepalive_ms = 1000;
	tmpl.dead_ms = 5000;
	CHECK(net_init(&n, PROTO_CIPHER_AUTO, &tmpl) == 0);
	CHECK(net_up(&n, 50) == 0);
	n.s2c.loss = 1000;
	t = n.now;
	CHECK(net_run(&n, 4900, 0) == 0);
	CHECK(n.c2s.sent >= 4 && dgram_is_up(n.c));
	while (net_run(&n, 10, 0) == 0 && n.now < t + 6000)
		;
	CHECK(!dgram_is_up(n.c) && dgram_fault(n.c) == PROTO_F_TIMEOUT);
	CHECK(strcmp(dgram_error(n.c), "peer silent") == 0);
	net_free(&n);
	return (0);
}

/* Send and capture one client datagram without delivering it. */
static int
steal(struct net *n, struct flight *f)
{
	CHECK(send_one(n, 1, 64) == 0);
	CHECK(n->c2s.n == 1);
	*f = n->c2s.q[0];
	n->c2s.n = 0;
	return (0);
}

/*
 * The client's confirmation lost, the client idle: it repeats the
 * confirmation until the server shows it is up; no new handshake.
 */
static int
t_confirm_lost(void)
{
	struct net	 n;
	struct flight	 f;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(dgram_start(n.c, n.now) == 0);
	net_drain(&n);
	CHECK(link_take(&n, &n.c2s, &f) && srv_rx(&n, &f) == 0);
	free(f.b);
	net_drain(&n);
	CHECK(link_take(&n, &n.s2c, &f) && cli_rx(&n, &f) == 0);
	free(f.b);
	CHECK(dgram_is_up(n.c) && !dgram_is_up(n.s));
	n.c2s.loss = 1000;
	net_drain(&n);
	n.c2s.loss = 0;
	CHECK(net_run(&n, 3000, 0) == 0);
	CHECK(dgram_is_up(n.s) && n.ups_s == 1 && n.hellos == 1);
	CHECK(n.c->confirmed);
	/* Confirmed: no more repeats, only keepalives when idle. */
	f.len = n.c2s.sent;
	CHECK(net_run(&n, 5000, 0) == 0);
	CHECK(n.c2s.sent == f.len);
	net_free(&n);
	return (0);
}

/* Each rekey message lost in turn; stragglers under the old key. */
static int
t_rekey_loss(void)
{
	struct net	 n;
	struct flight	 f, old;
	struct dgram_event ev;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(net_up(&n, 50) == 0);
	/* INIT lost: it comes again. */
	CHECK(dgram_rekey_start(n.c, n.now) == 0);
	n.c2s.loss = 1000;
	net_drain(&n);
	n.c2s.loss = 0;
	CHECK(net_run(&n, 3000, 0) == 0);
	CHECK(dgram_rekeys(n.c) == 1 && dgram_rekeys(n.s) == 1);
	/* REPLY lost: the repeated INIT gets the same REPLY again. */
	CHECK(dgram_rekey_start(n.c, n.now) == 0);
	net_drain(&n);
	CHECK(link_take(&n, &n.c2s, &f) && srv_rx(&n, &f) == 0);
	free(f.b);
	n.s2c.loss = 1000;
	net_drain(&n);
	n.s2c.loss = 0;
	CHECK(n.s->rk == DRK_WAIT_SWITCH);
	CHECK(net_run(&n, 3000, 0) == 0);
	CHECK(dgram_rekeys(n.c) == 2 && dgram_rekeys(n.s) == 2);
	/* DONE lost: the next datagram switches the server. */
	CHECK(steal(&n, &old) == 0);
	CHECK(dgram_rekey_start(n.c, n.now) == 0);
	net_drain(&n);
	CHECK(link_take(&n, &n.c2s, &f) && srv_rx(&n, &f) == 0);
	free(f.b);
	net_drain(&n);
	CHECK(link_take(&n, &n.s2c, &f) && cli_rx(&n, &f) == 0);
	free(f.b);
	CHECK(n.c->rk == DRK_NONE && dgram_rekeys(n.c) == 3);
	n.c2s.loss = 1000;
	net_drain(&n);
	n.c2s.loss = 0;
	CHECK(n.s->rk == DRK_WAIT_SWITCH);
	CHECK(send_one(&n, 1, 64) == 0);
	CHECK(net_step(&n) == 0);
	CHECK(n.s->rk == DRK_NONE && dgram_rekeys(n.s) == 3);
	/* A straggler under the old key: taken, but never the newest. */
	CHECK(dgram_input(n.s, old.b, old.len, n.now, &ev) == 0);
	CHECK((ev.flags & DGRAM_EVF_AUTH) && !(ev.flags & DGRAM_EVF_NEWEST));
	CHECK(ev.type == DGRAM_EV_DATA);
	/* Once the old key is gone, old datagrams find no key. */
	CHECK(steal(&n, &f) == 0);
	CHECK(dgram_rekey_start(n.c, n.now) == 0);
	CHECK(net_run(&n, DGRAM_PREV_KEEP_MS + 500, 100) == 0);
	CHECK(dgram_rekeys(n.s) == 4 && n.s->other == RX_NONE);
	CHECK(dgram_input(n.s, f.b, f.len, n.now, &ev) == 0);
	CHECK(ev.flags == 0 && dgram_drops(n.s)[DGRAM_DROP_KEY] == 1);
	free(f.b);
	free(old.b);
	net_free(&n);
	return (0);
}

static int
t_probe(void)
{
	struct net	 n;
	uint8_t		 b[2000];
	uint32_t	 id;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(net_up(&n, 50) == 0);
	CHECK(dgram_seal_probe(n.c, b, 1400, n.now, &id) == 1400);
	link_put(&n, &n.c2s, b, 1400, n.csrc);
	CHECK(net_step(&n) == 0);
	CHECK(n.probe_acks == 1 && n.probe_len == 1400 && n.probe_id == id);
	CHECK(dgram_seal_probe(n.s, b, DGRAM_PROBE_MIN, n.now, &id) ==
	    DGRAM_PROBE_MIN);
	link_put(&n, &n.s2c, b, DGRAM_PROBE_MIN, n.endpoint);
	CHECK(net_step(&n) == 0);
	CHECK(n.probe_acks == 2 && n.probe_len == DGRAM_PROBE_MIN);
	CHECK(dgram_seal_probe(n.c, b, DGRAM_PROBE_MIN - 1, n.now, &id) == 0);
	CHECK(dgram_seal_probe(n.c, b, DGRAM_MAX_LEN + 1, n.now, &id) == 0);
	net_free(&n);
	return (0);
}

/* Copies of old push fragments and tickets: acked, never redelivered. */
static int
t_push_once(void)
{
	struct net	 n;
	struct flight	 saved[8];
	uint8_t		 push[1500], t[PROTO_TICKET_LEN];
	size_t		 ns = 0, i;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(net_up(&n, 50) == 0);
	big_push(push, sizeof(push));
	memset(t, 1, sizeof(t));
	CHECK(dgram_push(n.s, push, sizeof(push), n.now) == 0);
	CHECK(dgram_ticket(n.s, t, n.now) == 0);
	net_drain(&n);
	CHECK(n.s2c.n == 3);		/* two fragments, a ticket */
	for (i = 0; i < n.s2c.n; i++) {
		saved[ns] = n.s2c.q[i];
		CHECK((saved[ns].b = malloc(saved[ns].len)) != NULL);
		memcpy(saved[ns].b, n.s2c.q[i].b, saved[ns].len);
		ns++;
	}
	CHECK(net_step(&n) == 0);
	CHECK(n.pushes == 1 && n.tickets == 1 && n.push_len == sizeof(push));
	CHECK(!n.s->rel[0].active && !n.s->rel[1].active);
	/* A newer push, then the old copies: the new one stands. */
	CHECK(dgram_push(n.s, push, 10, n.now) == 0);
	CHECK(net_step(&n) == 0);
	CHECK(n.pushes == 2 && n.push_len == 10);
	/* Old copies arrive fresh (the server re-sealed nothing) only if
	 * they were never delivered; these were, so: replays. */
	for (i = 0; i < ns; i++) {
		saved[i].at = n.now;
		n.s2c.q[n.s2c.n++] = saved[i];
	}
	CHECK(net_step(&n) == 0);
	CHECK(n.pushes == 2 && n.tickets == 1 && n.push_len == 10);
	CHECK(dgram_drops(n.c)[DGRAM_DROP_REPLAY] == ns);
	net_free(&n);
	return (0);
}

/* Retransmitted copies of an old push, re-sealed: acked, not taken. */
static int
t_push_stale(void)
{
	struct net	 n;
	uint8_t		 push[100];

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(net_up(&n, 50) == 0);
	big_push(push, sizeof(push));
	CHECK(dgram_push(n.s, push, sizeof(push), n.now) == 0);
	/* The client gets it, its ack is lost: the server repeats. */
	net_drain(&n);
	n.c2s.loss = 1000;
	CHECK(net_step(&n) == 0);
	n.c2s.loss = 0;
	CHECK(n.pushes == 1 && n.s->rel[0].active);
	CHECK(net_run(&n, 3000, 0) == 0);
	CHECK(n.pushes == 1 && !n.s->rel[0].active);
	net_free(&n);
	return (0);
}

static int
t_close(void)
{
	struct net	 n;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(net_up(&n, 50) == 0);
	dgram_close(n.s, PROTO_CLOSE_KICKED);
	CHECK(!dgram_is_up(n.s));
	CHECK(dgram_seal(n.s, (uint8_t [64]){ 0 }, 10, n.now) == 0);
	net_drain(&n);
	CHECK(n.s2c.n == DGRAM_CLOSE_COPIES);
	CHECK(net_step(&n) == 0);
	CHECK(n.closes == 1 && n.close_reason == PROTO_CLOSE_KICKED);
	CHECK(!dgram_is_up(n.c));
	CHECK(dgram_drops(n.c)[DGRAM_DROP_STATE] == DGRAM_CLOSE_COPIES - 1);
	net_free(&n);
	return (0);
}

/* Authenticated datagrams that break the protocol end the session. */
static int
bad_inner(uint8_t type, size_t len, int from_client, const char *why)
{
	struct net	 n;
	struct dgram_event ev;
	struct dgram	*from, *to;
	uint8_t		 b[256];
	size_t		 m;

	CHECK(net_init(&n, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(net_up(&n, 50) == 0);
	from = from_client ? n.c : n.s;
	to = from_client ? n.s : n.c;
	memset(b, 0, sizeof(b));
	CHECK((m = dgram_frame_seal(from, type, b, len)) == len +
	    DGRAM_OVERHEAD);
	CHECK(dgram_input(to, b, m, n.now, &ev) == -1);
	CHECK(dgram_fault(to) == PROTO_F_PROTOCOL);
	if (strcmp(dgram_error(to), why) != 0) {
		printf("    type %u: %s\n", type, dgram_error(to));
		CHECK(0);
	}
	net_free(&n);
	return (0);
}

static int
t_bad_inner(void)
{
	CHECK(bad_inner(99, 0, 1, "unknown datagram type") == 0);
	CHECK(bad_inner(DI_DATA, 0, 1, "bad data datagram length") == 0);
	CHECK(bad_inner(DI_KEEPALIVE, 1, 0,
	    "bad control datagram length") == 0);
	CHECK(bad_inner(DI_PUSH, 10, 1, "malformed push") == 0);
	CHECK(bad_inner(DI_TICKET, 34, 1, "malformed ticket") == 0);
	CHECK(bad_inner(DI_ACK, 3, 0, "malformed ack") == 0);
	CHECK(bad_inner(DI_REKEY, 5, 0, "malformed rekey") == 0);
	CHECK(bad_inner(DI_PROBE_ACK, 8, 0, "bad probe ack") == 0);
	CHECK(bad_inner(DI_CLOSE, 0, 0, "bad control datagram length") == 0);
	return (0);
}

/*
 * Known answers: a scripted session with the fixed rng and clock; every
 * datagram each side sent, as be16 length || bytes, must match
 * regress/proto/kat-dgram.txt.
 */
static int
kat_dgram_run(struct net *n, enum proto_cipher c)
{
	uint8_t		 tlv[100], t[PROTO_TICKET_LEN], b[400];
	uint32_t	 id;
	int		 i;

	CHECK(net_init(n, c, NULL) == 0);
	n->record = 1;
	CHECK(dgram_start(n->c, n->now) == 0);
	CHECK(net_step(n) == 0);
	CHECK(dgram_is_up(n->c) && dgram_is_up(n->s));
	big_push(tlv, sizeof(tlv));
	memset(t, 0x5a, sizeof(t));
	CHECK(dgram_push(n->s, tlv, sizeof(tlv), n->now) == 0);
	CHECK(dgram_ticket(n->s, t, n->now) == 0);
	for (i = 0; i < 2; i++) {
		CHECK(send_one(n, 1, 50 + i) == 0);
		CHECK(send_one(n, 0, 60 + i) == 0);
	}
	CHECK(dgram_seal_probe(n->c, b, 300, n->now, &id) == 300);
	link_put(n, &n->c2s, b, 300, n->csrc);
	n->now += 10;
	CHECK(net_step(n) == 0);
	CHECK(dgram_rekey_start(n->c, n->now) == 0);
	n->now += 10;
	CHECK(net_step(n) == 0);
	CHECK(send_one(n, 1, 70) == 0);
	CHECK(send_one(n, 0, 80) == 0);
	n->now += 10;
	CHECK(net_step(n) == 0);
	CHECK(dgram_rekeys(n->c) == 1 && dgram_rekeys(n->s) == 1);
	CHECK(n->pushes == 1 && n->tickets == 1 && n->probe_acks == 1);
	dgram_close(n->s, PROTO_CLOSE_KICKED);
	CHECK(net_step(n) == 0);
	CHECK(n->closes == 1);
	return (0);
}

static int
kat_dgram_each(enum proto_cipher c, FILE *gen, FILE *cmp)
{
	struct net	 n;
	char		 name[64];
	int		 rc = 0;

	if (kat_dgram_run(&n, c) == -1) {
		net_free(&n);
		return (-1);
	}
	snprintf(name, sizeof(name), "%s.c2s", cipher_str(c));
	if (gen != NULL)
		hexline(gen, name, &n.rec_c2s);
	else if (kat_compare(cmp, name, &n.rec_c2s) == -1)
		rc = -1;
	snprintf(name, sizeof(name), "%s.s2c", cipher_str(c));
	if (gen != NULL)
		hexline(gen, name, &n.rec_s2c);
	else if (kat_compare(cmp, name, &n.rec_s2c) == -1)
		rc = -1;
	net_free(&n);
	return (rc);
}

static int
kat_dgram_generate(void)
{
	if (!aes_ok)
		errx(1, "no AES-GCM here: cannot make every vector");
	printf("# regress/proto/kat-dgram.txt: made by test_dgram -g; see "
	    "doc/PROTOCOL.md.\n# PSK 32 x 0x42, clock %llu, rng as in "
	    "harness.c seam_rng(); each datagram\n# as be16 length || "
	    "bytes, in the order sent.\n", (unsigned long long)WALL0);
	if (kat_dgram_each(PROTO_CIPHER_AES256GCM, stdout, NULL) == -1 ||
	    kat_dgram_each(PROTO_CIPHER_CHACHA20POLY1305, stdout, NULL) == -1)
		errx(1, "kat failed");
	return (0);
}

static enum proto_cipher cur;

static int c_clean(void) { return (t_clean(cur)); }
static int c_lossy1(void) { return (t_lossy(cur, 100, 50, 20, 30)); }
static int c_lossy2(void) { return (t_lossy(cur, 300, 0, 0, 0)); }
static int c_lossy3(void) { return (t_lossy(cur, 50, 100, 50, 150)); }

static int
c_kat(void)
{
	FILE	*f;
	int	 rc;

	CHECK((f = kat_open("kat-dgram.txt")) != NULL);
	rc = kat_dgram_each(cur, NULL, f);
	fclose(f);
	CHECK(rc == 0);
	return (0);
}

static void
per_cipher(const char *what, int (*fn)(void))
{
	char	 name[80];

	snprintf(name, sizeof(name), "%s %s", what, cipher_str(cur));
	run(name, fn);
}

int
main(int argc, char *argv[])
{
	static const enum proto_cipher cs[] = { PROTO_CIPHER_AES256GCM,
	    PROTO_CIPHER_CHACHA20POLY1305 };
	size_t	 i;

	if (sodium_init() == -1)
		errx(1, "sodium_init");
	aes_ok = crypto_aead_aes256gcm_is_available();
	test_version = PROTO_V2;
	if (argc == 2 && strcmp(argv[1], "-g") == 0)
		return (kat_dgram_generate());
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < nitems(cs); i++) {
		cur = cs[i];
		if (cur == PROTO_CIPHER_AES256GCM && !aes_ok) {
			printf("  aes256gcm cases: skipped (no AES-NI)\n");
			continue;
		}
		per_cipher("handshake and data, clean network", c_clean);
		per_cipher("loss, duplicates, corruption, reordering",
		    c_lossy1);
		per_cipher("30% loss", c_lossy2);
		per_cipher("heavy reordering and duplication", c_lossy3);
		per_cipher("known-answer vectors", c_kat);
	}
	run("replayed datagrams", t_replay);
	run("roaming", t_roaming);
	run("handshake under load, floods", t_cookie);
	run("cookies bound to address and time", t_cookie_bind);
	run("cookie no longer good", t_cookie_again);
	run("every bit of a hello flipped, every truncation", t_hello_tamper);
	run("every bit of a reply flipped, a late reply", t_reply_tamper);
	run("retransmit backoff, keepalive, dead peer", t_timers);
	run("confirmation lost", t_confirm_lost);
	run("rekey messages lost, old-key stragglers", t_rekey_loss);
	run("path-MTU probes", t_probe);
	run("push and ticket delivered once", t_push_once);
	run("push repeated until acknowledged", t_push_stale);
	run("close with a reason", t_close);
	run("authenticated datagrams that break the protocol", t_bad_inner);
	printf("%d cases, %d failed\n", cases, failures);
	return (failures == 0 ? 0 : 1);
}
