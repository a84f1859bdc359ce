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
 * The DSVPN compatibility protocol (tunnel/dsvpn.h) against the three
 * sessions captured from upstream DSVPN 0.1.5 in ../shared/vectors/dsvpn
 * (README.md section 6 there), byte for byte:
 *
 *	- the handshake's values recomputed with Charm alone;
 *	- the streams' frame layout equals frames.txt, full tags included;
 *	- as client, with Rc and T from session.txt: the hello is exactly
 *	  c2s.bin[0..72), the server's stream decrypts into exactly
 *	  tun-server-out.txt, sealing tun-client-out.txt gives exactly the
 *	  rest of c2s.bin; as server, with Rs and the clock at T, the
 *	  mirror image; both with the stream in one piece and in small
 *	  random pieces;
 *	- refusals: a flipped bit anywhere in a frame, dropped, duplicated
 *	  and reordered frames, a wrong key on either side, a hello outside
 *	  the clock window or altered, and a replayed hello, which the
 *	  server refuses, or after a restart cannot bring up.
 */
#include "compat.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "charm.h"
#include "dsvpn.h"
#include "session.h"
#include "vec.h"

#define NSESSIONS	3

static struct vsession	 sess[NSESSIONS];
static int		 failures, cases;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("    FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++;						\
		return (-1);						\
	}								\
} while (0)

static void
run(const char *what, struct vsession *s, int (*fn)(struct vsession *))
{
	int	 before = failures;

	cases++;
	if (fn(s) == -1 && failures == before)
		failures++;
	printf("  %s %s: %s\n", s->name, what,
	    failures == before ? "ok" : "FAILED");
}

/* README 6.2: the handshake's values with nothing but Charm. */
static int
t_handshake_values(struct vsession *s)
{
	static const uint8_t	 kx_iv[] = "VPN Key Exchange";
	struct charm		 st, d;
	uint8_t			 h[32], k[32], iv[16];
	const uint8_t		*c2s = s->stream[C2S].b;
	const uint8_t		*s2c = s->stream[S2C].b;

	charm_key(&st, s->key, kx_iv);
	CHECK(memcmp(st.w, s->kx_init, sizeof(st.w)) == 0);
	charm_hash(&st, h, c2s, 40);
	CHECK(memcmp(h, c2s + 40, 32) == 0);
	charm_hash(&st, h, s2c, 32);
	CHECK(memcmp(h, s2c + 32, 32) == 0);
	charm_hash(&st, k, NULL, 0);
	CHECK(memcmp(k, s->session_key, 32) == 0);
	memset(iv, 0, sizeof(iv));
	charm_key(&d, k, iv);
	CHECK(memcmp(d.w, s->c2s_init, sizeof(d.w)) == 0);
	iv[0] = 1;
	charm_key(&d, k, iv);
	CHECK(memcmp(d.w, s->s2c_init, sizeof(d.w)) == 0);
	CHECK(memcmp(c2s, s->rc, 32) == 0 && memcmp(s2c, s->rs, 32) == 0);
	return (0);
}

/*
 * README 6.3: the frames of one direction, parsed by their length
 * fields, are the rows of frames.txt, the last ending at the end of the
 * file; and every full 16-byte tag is what Charm computes.
 */
static int
layout_dir(struct vsession *s, int dir, size_t off, const uint32_t init[12])
{
	const struct pkt	*st = &s->stream[dir];
	struct charm		 d;
	uint8_t			 tag[16], *b;
	size_t			 i, idx = 0, len;

	memcpy(d.w, init, sizeof(d.w));
	for (i = 0; i < s->nfr; i++) {
		if (s->fr[i].dir != dir)
			continue;
		CHECK(s->fr[i].idx == idx && s->fr[i].off == off);
		CHECK(off + 8 <= st->len);
		len = (size_t)st->b[off] | (size_t)st->b[off + 1] << 8;
		CHECK(len == s->fr[i].len && off + 8 + len <= st->len);
		CHECK(memcmp(st->b + off + 2, s->fr[i].tag6, 6) == 0);
		CHECK(idx < s->ntun[dir] && s->tun[dir][idx].len == len);
		CHECK((b = malloc(len + 1)) != NULL);
		memcpy(b, s->tun[dir][idx].b, len);
		charm_encrypt(&d, b, len, tag);
		CHECK(memcmp(b, st->b + off + 8, len) == 0);
		free(b);
		CHECK(memcmp(tag, s->fr[i].tag16, 16) == 0);
		off += 8 + len;
		idx++;
	}
	CHECK(off == st->len && idx == s->ntun[dir]);
	return (0);
}

static int
t_layout(struct vsession *s)
{
	CHECK(layout_dir(s, C2S, DSVPN_HELLO_LEN, s->c2s_init) == 0);
	CHECK(layout_dir(s, S2C, DSVPN_REPLY_LEN, s->s2c_init) == 0);
	return (0);
}

/* What the receiver got is exactly the recorded packets of `dir'. */
static int
same_packets(const struct vsession *s, int dir, const struct recv *r,
    size_t first, int up_first)
{
	size_t	 i;

	CHECK(!r->bad_pointer);
	CHECK(r->nev == first + s->ntun[dir]);
	for (i = 0; i < s->ntun[dir]; i++) {
		CHECK(r->ev[first + i].type == (i == 0 && up_first ?
		    PROTO_EV_UP : PROTO_EV_DATA));
		CHECK(r->ev[first + i].len == s->tun[dir][i].len);
		CHECK(memcmp(r->ev[first + i].data, s->tun[dir][i].b,
		    s->tun[dir][i].len) == 0);
	}
	return (0);
}

/* Sealing recorded packets [from, to) of `dir' reproduces its stream. */
static int
same_stream(struct dsvpn *p, const struct vsession *s, int dir, size_t from,
    size_t to)
{
	const struct pkt	*st = &s->stream[dir];
	uint8_t			*f;
	size_t			 i, off, n;

	off = dir == C2S ? DSVPN_HELLO_LEN : DSVPN_REPLY_LEN;
	for (i = 0; i < from; i++)
		off += DSVPN_HDR_LEN + s->tun[dir][i].len;
	CHECK((f = malloc(DSVPN_MAX_FRAME)) != NULL);
	for (i = from; i < to; i++) {
		memcpy(f + DSVPN_HDR_LEN, s->tun[dir][i].b, s->tun[dir][i].len);
		n = dsvpn_seal(p, f, s->tun[dir][i].len, 0);
		CHECK(n == DSVPN_HDR_LEN + s->tun[dir][i].len);
		CHECK(off + n <= st->len && memcmp(f, st->b + off, n) == 0);
		off += n;
	}
	free(f);
	CHECK(to < s->ntun[dir] || off == st->len);
	return (0);
}

static int
client_role(struct vsession *s, size_t chunk)
{
	struct dsvpn_params	 pp;
	struct vseam		 seam = { s->rc, 0, 0, s->ts };
	struct dsvpn		*c;
	struct recv		 r;
	const uint8_t		*out;
	int			 rc = -1;

	vparams(&pp, PROTO_CLIENT, s->key, &seam, NULL);
	CHECK((c = dsvpn_new(&pp)) != NULL);
	if (dsvpn_start(c, 0) == 0 &&
	    dsvpn_pending(c, &out) == DSVPN_HELLO_LEN &&
	    memcmp(out, s->stream[C2S].b, DSVPN_HELLO_LEN) == 0) {
		dsvpn_consume(c, DSVPN_HELLO_LEN);
		recv_run(&r, c, s->stream[S2C].b, s->stream[S2C].len, chunk,
		    (uint32_t)chunk);
		if (r.last == 0 && r.consumed == s->stream[S2C].len &&
		    r.nev > 0 && r.ev[0].type == PROTO_EV_UP &&
		    same_packets(s, S2C, &r, 1, 0) == 0 &&
		    same_stream(c, s, C2S, 0, s->ntun[C2S]) == 0)
			rc = 0;
		recv_free(&r);
	}
	CHECK(seam.bad_calls == 0 && seam.rand_calls == 1);
	dsvpn_free(c);
	CHECK(rc == 0);
	return (0);
}

static int
t_client(struct vsession *s)
{
	CHECK(client_role(s, 0) == 0);
	CHECK(client_role(s, 7) == 0);
	CHECK(client_role(s, 300) == 0);
	return (0);
}

/*
 * The server seals its first packet before the client's first frame has
 * confirmed the session (DSVPN's server may speak first), and the rest
 * after it has.
 */
static int
server_role(struct vsession *s, size_t chunk, uint64_t wall)
{
	struct dsvpn_params	 pp;
	struct vseam		 seam = { s->rs, 0, 0, wall };
	struct dsvpn_replay	*rp;
	struct dsvpn		*p;
	struct recv		 r;
	const uint8_t		*out;
	ssize_t			 n;
	struct proto_event	 ev;
	uint8_t			 hello[DSVPN_HELLO_LEN];
	int			 rc = -1;

	CHECK((rp = dsvpn_replay_new(0)) != NULL);
	vparams(&pp, PROTO_SERVER, s->key, &seam, rp);
	CHECK((p = dsvpn_new(&pp)) != NULL);
	memcpy(hello, s->stream[C2S].b, sizeof(hello));
	CHECK(dsvpn_hello_check(&pp, hello, sizeof(hello), NULL) == 0);
	n = dsvpn_input(p, hello, sizeof(hello), 0, &ev);
	if (n == DSVPN_HELLO_LEN && ev.type == PROTO_EV_NONE &&
	    !dsvpn_is_up(p) && dsvpn_can_send(p) &&
	    dsvpn_pending(p, &out) == DSVPN_REPLY_LEN &&
	    memcmp(out, s->stream[S2C].b, DSVPN_REPLY_LEN) == 0) {
		dsvpn_consume(p, DSVPN_REPLY_LEN);
		if (same_stream(p, s, S2C, 0, 1) == 0)
			rc = 0;
	}
	CHECK(rc == 0);
	recv_run(&r, p, s->stream[C2S].b + DSVPN_HELLO_LEN,
	    s->stream[C2S].len - DSVPN_HELLO_LEN, chunk, (uint32_t)chunk + 1);
	rc = r.last == 0 && r.consumed == s->stream[C2S].len -
	    DSVPN_HELLO_LEN && dsvpn_is_up(p) &&
	    same_packets(s, C2S, &r, 0, 1) == 0 &&
	    same_stream(p, s, S2C, 1, s->ntun[S2C]) == 0 ? 0 : -1;
	recv_free(&r);
	CHECK(seam.bad_calls == 0 && seam.rand_calls == 1);
	dsvpn_free(p);
	dsvpn_replay_free(rp);
	CHECK(rc == 0);
	return (0);
}

static int
t_server(struct vsession *s)
{
	CHECK(server_role(s, 0, s->ts) == 0);
	CHECK(server_role(s, 5, s->ts + 3600) == 0);
	CHECK(server_role(s, 1000, s->ts - 3600) == 0);
	return (0);
}

/* Session 3 is the length sweep: every length mod 16, both ways. */
static int
t_lengths(struct vsession *s)
{
	unsigned int	 mod[2] = { 0, 0 };
	size_t		 i, big = 0;

	for (i = 0; i < s->nfr; i++) {
		mod[s->fr[i].dir] |= 1U << (s->fr[i].len % 16);
		if (s->fr[i].len == 8028 || s->fr[i].len == 2048 ||
		    s->fr[i].len == 28)
			big++;
	}
	CHECK(mod[C2S] == 0xffff && mod[S2C] == 0xffff);
	CHECK(big >= 6);
	return (0);
}

/* The offset of frame idx of a direction, past the handshake. */
static size_t
frame_off(const struct vsession *s, int dir, size_t idx)
{
	size_t	 i;

	for (i = 0; i < s->nfr; i++)
		if (s->fr[i].dir == dir && s->fr[i].idx == idx)
			return (s->fr[i].off);
	return (0);
}

/* A fresh side of the session past the handshake, at the first frame. */
static struct dsvpn *
fresh_side(const struct vsession *s, int dir, struct dsvpn_replay **rp,
    struct vseam *seam)
{
	struct dsvpn_params	 pp;
	struct proto_event	 ev;
	struct dsvpn		*p;
	uint8_t			 hs[DSVPN_HELLO_LEN];

	memset(seam, 0, sizeof(*seam));
	seam->wall = s->ts;
	*rp = NULL;
	if (dir == C2S) {
		/* The server receives c2s. */
		seam->rand = s->rs;
		if ((*rp = dsvpn_replay_new(4)) == NULL)
			return (NULL);
		vparams(&pp, PROTO_SERVER, s->key, seam, *rp);
		memcpy(hs, s->stream[C2S].b, DSVPN_HELLO_LEN);
		if ((p = dsvpn_new(&pp)) == NULL ||
		    dsvpn_input(p, hs, DSVPN_HELLO_LEN, 0, &ev) !=
		    DSVPN_HELLO_LEN)
			return (NULL);
	} else {
		seam->rand = s->rc;
		vparams(&pp, PROTO_CLIENT, s->key, seam, NULL);
		memcpy(hs, s->stream[S2C].b, DSVPN_REPLY_LEN);
		if ((p = dsvpn_new(&pp)) == NULL || dsvpn_start(p, 0) == -1 ||
		    dsvpn_input(p, hs, DSVPN_REPLY_LEN, 0, &ev) !=
		    DSVPN_REPLY_LEN)
			return (NULL);
	}
	dsvpn_consume(p, DSVPN_HELLO_LEN);
	return (p);
}

/*
 * Feed an altered stream of `dir' (frames only) and expect the first
 * `good' packets delivered as recorded and nothing after: the session
 * ends with PROTO_F_AUTH, or, if allowed, waits for bytes that never
 * come (a length made longer than what is left).
 */
static int
expect_cut(const struct vsession *s, int dir, const uint8_t *b, size_t len,
    size_t good, int may_wait)
{
	struct dsvpn_replay	*rp;
	struct vseam		 seam;
	struct dsvpn		*p;
	struct recv		 r;
	size_t			 i;
	int			 rc = 0;

	CHECK((p = fresh_side(s, dir, &rp, &seam)) != NULL);
	recv_run(&r, p, b, len, 0, 0);
	if (r.nev != good || r.bad_pointer)
		rc = -1;
	for (i = 0; rc == 0 && i < good; i++)
		if (r.ev[i].len != s->tun[dir][i].len ||
		    memcmp(r.ev[i].data, s->tun[dir][i].b, r.ev[i].len) != 0)
			rc = -1;
	if (!(r.last == -1 && r.fault == PROTO_F_AUTH) &&
	    !(may_wait && r.last == 0 && r.consumed < len))
		rc = -1;
	if (rc == -1)
		printf("    cut after %zu: got %zu events, last %zd, "
		    "fault %d\n", good, r.nev, r.last, r.fault);
	recv_free(&r);
	dsvpn_free(p);
	dsvpn_replay_free(rp);
	return (rc);
}

/* Every bit of frame idx of `dir' flipped in turn. */
static int
flip_frame(const struct vsession *s, int dir, size_t idx)
{
	size_t		 hs = dir == C2S ? DSVPN_HELLO_LEN : DSVPN_REPLY_LEN;
	size_t		 flen, foff, len, bit;
	uint8_t		*b;
	int		 rc = 0;

	len = s->stream[dir].len - hs;
	foff = frame_off(s, dir, idx) - hs;
	flen = DSVPN_HDR_LEN + s->tun[dir][idx].len;
	CHECK((b = malloc(len)) != NULL);
	for (bit = 0; rc == 0 && bit < 8 * flen; bit++) {
		memcpy(b, s->stream[dir].b + hs, len);
		b[foff + bit / 8] ^= (uint8_t)(1 << (bit % 8));
		rc = expect_cut(s, dir, b, len, idx, bit < 16);
		if (rc == -1)
			printf("    %s frame %zu, bit %zu\n",
			    dir == C2S ? "c2s" : "s2c", idx, bit);
	}
	free(b);
	return (rc);
}

static int
t_flip(struct vsession *s)
{
	CHECK(flip_frame(s, C2S, 0) == 0);
	CHECK(flip_frame(s, C2S, 3) == 0);
	CHECK(flip_frame(s, S2C, 0) == 0);
	CHECK(flip_frame(s, S2C, s->ntun[S2C] - 1) == 0);
	return (0);
}

/*
 * The frames of `dir' rearranged: order[] lists frame indices; the
 * stream is cut at the first position where order[i] != i.
 */
static int
rearranged(const struct vsession *s, int dir, const size_t *order, size_t n)
{
	size_t		 i, len = 0, good = n, flen;
	uint8_t		*b;
	int		 rc;

	CHECK((b = malloc(2 * s->stream[dir].len)) != NULL);
	for (i = 0; i < n; i++) {
		flen = DSVPN_HDR_LEN + s->tun[dir][order[i]].len;
		memcpy(b + len, s->stream[dir].b + frame_off(s, dir,
		    order[i]), flen);
		len += flen;
		if (good == n && order[i] != i)
			good = i;
	}
	rc = expect_cut(s, dir, b, len, good, 0);
	free(b);
	return (rc);
}

static int
t_order(struct vsession *s)
{
	size_t	 order[128], n, i, k, j;
	int	 dir;

	for (dir = C2S; dir <= S2C; dir++) {
		n = s->ntun[dir];
		CHECK(n >= 4 && n + 1 <= nitems(order));
		for (k = 0; k + 1 < n; k += n / 4) {
			/* Dropped. */
			for (i = 0, j = 0; i < n; i++)
				if (i != k)
					order[j++] = i;
			CHECK(rearranged(s, dir, order, n - 1) == 0);
			/* Duplicated: k twice; the copy fails. */
			for (i = 0, j = 0; i < n; i++) {
				order[j++] = i;
				if (i == k)
					order[j++] = i;
			}
			CHECK(rearranged(s, dir, order, n + 1) == 0);
			/* Reordered: k and k+1 swapped. */
			for (i = 0; i < n; i++)
				order[i] = i;
			order[k] = k + 1;
			order[k + 1] = k;
			CHECK(rearranged(s, dir, order, n) == 0);
		}
	}
	return (0);
}

/* A server given this hello at this wall clock: its fault, or -1 if ok. */
static int
server_verdict(const struct vsession *s, const uint8_t *key,
    const uint8_t *hello, uint64_t wall, uint32_t window, int *sent)
{
	struct dsvpn_params	 pp;
	struct vseam		 seam = { s->rs, 0, 0, wall };
	struct dsvpn_replay	*rp;
	struct dsvpn		*p;
	struct proto_event	 ev;
	const uint8_t		*out;
	uint8_t			 h[DSVPN_HELLO_LEN];
	int			 pre, fault = -2;

	if ((rp = dsvpn_replay_new(0)) == NULL)
		return (-2);
	vparams(&pp, PROTO_SERVER, key, &seam, rp);
	pp.clock_window = window;
	if (dsvpn_hello_check(&pp, hello, DSVPN_HELLO_LEN, &pre) == 0)
		pre = -1;
	memcpy(h, hello, sizeof(h));
	if ((p = dsvpn_new(&pp)) != NULL) {
		if (dsvpn_input(p, h, sizeof(h), 0, &ev) == -1)
			fault = dsvpn_fault(p);
		else
			fault = -1;
		*sent = dsvpn_pending(p, &out) > 0;
	}
	dsvpn_free(p);
	dsvpn_replay_free(rp);
	/* The pre-check must agree with the real thing. */
	return (pre == fault ? fault : -3);
}

static int
t_window(struct vsession *s)
{
	const uint8_t	*h = s->stream[C2S].b;
	uint64_t	 now;
	int		 sent;

	CHECK(server_verdict(s, s->key, h, s->ts + 7200, 0, &sent) == -1);
	CHECK(server_verdict(s, s->key, h, s->ts - 7200, 0, &sent) == -1);
	CHECK(server_verdict(s, s->key, h, s->ts + 7201, 0, &sent) ==
	    PROTO_F_REPLAY && !sent);
	CHECK(server_verdict(s, s->key, h, s->ts - 7201, 0, &sent) ==
	    PROTO_F_REPLAY && !sent);
	/* Today's clock: the captures are refused, as README 6.5 says. */
	now = (uint64_t)time(NULL);
	CHECK(server_verdict(s, s->key, h, now, 0, &sent) ==
	    (now + 7200 < s->ts || now > s->ts + 7200 ? PROTO_F_REPLAY : -1));
	/* The window is configurable. */
	CHECK(server_verdict(s, s->key, h, s->ts + 60, 60, &sent) == -1);
	CHECK(server_verdict(s, s->key, h, s->ts + 61, 60, &sent) ==
	    PROTO_F_REPLAY && !sent);
	CHECK(server_verdict(s, s->key, h, s->ts - 61, 60, &sent) ==
	    PROTO_F_REPLAY);
	return (0);
}

/* A wrong key: the server refuses A1, the client refuses A2. */
static int
t_wrong_key(struct vsession *s)
{
	struct dsvpn_params	 pp;
	struct vseam		 seam = { s->rc, 0, 0, 0 };
	struct proto_event	 ev;
	struct dsvpn		*c;
	const uint8_t		*out;
	uint8_t			 key[32], reply[DSVPN_REPLY_LEN];
	size_t			 i;
	int			 sent;

	seam.wall = s->ts;
	for (i = 0; i < 32; i += 31) {
		memcpy(key, s->key, 32);
		key[i] ^= 0x80;
		CHECK(server_verdict(s, key, s->stream[C2S].b, s->ts, 0,
		    &sent) == PROTO_F_HANDSHAKE && !sent);
		seam.rand_calls = 0;
		vparams(&pp, PROTO_CLIENT, key, &seam, NULL);
		CHECK((c = dsvpn_new(&pp)) != NULL && dsvpn_start(c, 0) == 0);
		CHECK(dsvpn_pending(c, &out) == DSVPN_HELLO_LEN &&
		    memcmp(out, s->stream[C2S].b, 40) == 0 &&
		    memcmp(out + 40, s->stream[C2S].b + 40, 32) != 0);
		memcpy(reply, s->stream[S2C].b, sizeof(reply));
		CHECK(dsvpn_input(c, reply, sizeof(reply), 0, &ev) == -1);
		CHECK(dsvpn_fault(c) == PROTO_F_AUTH && !dsvpn_is_up(c));
		CHECK(ev.type == PROTO_EV_NONE);
		dsvpn_free(c);
	}
	return (0);
}

/* Any byte of the hello altered: A1 fails (or T leaves the window). */
static int
t_hello_altered(struct vsession *s)
{
	uint8_t	 h[DSVPN_HELLO_LEN];
	size_t	 i;
	int	 v, sent;

	for (i = 0; i < sizeof(h); i++) {
		memcpy(h, s->stream[C2S].b, sizeof(h));
		h[i] ^= 0x01;
		v = server_verdict(s, s->key, h, s->ts, 0, &sent);
		CHECK(!sent);
		CHECK(v == PROTO_F_HANDSHAKE ||
		    (i >= 32 && i < 40 && v == PROTO_F_REPLAY));
	}
	return (0);
}

/*
 * The same hello twice: a server sharing the cache refuses it without a
 * word; a restarted one (empty cache) answers, but with its own Rs the
 * recorded frames fail and the session never comes up.
 */
static int
t_replay(struct vsession *s)
{
	struct dsvpn_params	 pp;
	struct vseam		 seam = { s->rs, 0, 0, 0 };
	struct dsvpn_replay	*rp;
	struct proto_event	 ev;
	struct dsvpn		*a, *b;
	struct recv		 r;
	const uint8_t		*out;
	uint8_t			 h[DSVPN_HELLO_LEN], other_rs[32];
	int			 fault;

	seam.wall = s->ts + 10;
	CHECK((rp = dsvpn_replay_new(0)) != NULL);
	vparams(&pp, PROTO_SERVER, s->key, &seam, rp);
	memcpy(h, s->stream[C2S].b, sizeof(h));
	CHECK((a = dsvpn_new(&pp)) != NULL);
	CHECK(dsvpn_input(a, h, sizeof(h), 0, &ev) == DSVPN_HELLO_LEN);
	memcpy(h, s->stream[C2S].b, sizeof(h));
	CHECK(dsvpn_hello_check(&pp, h, sizeof(h), &fault) == -1 &&
	    fault == PROTO_F_REPLAY);
	CHECK((b = dsvpn_new(&pp)) != NULL);
	CHECK(dsvpn_input(b, h, sizeof(h), 0, &ev) == -1);
	CHECK(dsvpn_fault(b) == PROTO_F_REPLAY && dsvpn_pending(b, &out) == 0);
	dsvpn_free(a);
	dsvpn_free(b);
	dsvpn_replay_free(rp);

	/* After a restart: answered, never up. */
	memset(other_rs, 0x5a, sizeof(other_rs));
	seam.rand = other_rs;
	seam.rand_calls = 0;
	CHECK((rp = dsvpn_replay_new(0)) != NULL);
	pp.replay = rp;
	memcpy(pp.psk, s->key, sizeof(pp.psk));
	CHECK((a = dsvpn_new(&pp)) != NULL);
	recv_run(&r, a, s->stream[C2S].b, s->stream[C2S].len, 0, 0);
	CHECK(r.consumed == DSVPN_HELLO_LEN && r.nev == 0 && r.last == -1);
	CHECK(r.fault == PROTO_F_AUTH && !dsvpn_is_up(a));
	recv_free(&r);
	dsvpn_free(a);
	dsvpn_replay_free(rp);
	return (0);
}

int
main(void)
{
	static const struct {
		const char	*what;
		int		(*fn)(struct vsession *);
		int		 all;	/* every session, or only the first */
	} tests[] = {
		{ "handshake values (Charm alone)", t_handshake_values, 1 },
		{ "frame layout and full tags", t_layout, 1 },
		{ "client role, byte for byte", t_client, 1 },
		{ "server role, byte for byte", t_server, 1 },
		{ "flipped bits in frames", t_flip, 1 },
		{ "dropped, duplicated, reordered frames", t_order, 1 },
		{ "clock window", t_window, 0 },
		{ "wrong key, both sides", t_wrong_key, 1 },
		{ "altered hello", t_hello_altered, 0 },
		{ "replayed hello", t_replay, 1 },
	};
	char	 name[16];
	size_t	 i, j;

	if (sodium_init() == -1)
		errx(1, "sodium_init");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (vec_dir() == NULL) {
		printf("skipped: no ../shared/vectors/dsvpn beside the "
		    "source tree\n");
		return (VEC_SKIP);
	}
	for (i = 0; i < NSESSIONS; i++) {
		snprintf(name, sizeof(name), "session%zu", i + 1);
		if (vsession_load(&sess[i], name) == -1)
			errx(1, "%s: cannot load the vectors", name);
	}
	for (i = 0; i < nitems(tests); i++)
		for (j = 0; j < NSESSIONS; j++)
			if (tests[i].all || j == 0)
				run(tests[i].what, &sess[j], tests[i].fn);
	cases++;
	printf("  session3 length sweep: %s\n",
	    t_lengths(&sess[2]) == 0 ? "ok" : "FAILED");
	for (i = 0; i < NSESSIONS; i++)
		vsession_free(&sess[i]);
	printf("%d cases, %d failed\n", cases, failures);
	return (failures == 0 ? 0 : 1);
}
