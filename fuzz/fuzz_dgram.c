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
 * The datagram modes of the protocol fuzzer (fuzz_proto.c, modes 11 to
 * 14).  Inputs of modes 0-2 are datagrams, each as a be16 length and
 * its bytes.  Mode 3 is a script over two sessions that are up, with a
 * network the script drives; what the ends send is genuine, so neither
 * may ever fail but by a timeout, a datagram the script damaged must
 * never verify, and data must arrive intact and at most once.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dgram_int.h"
#include "fuzz.h"
#include "keyid.h"

#define DG_INDEX	0x1234
#define DQ_MAX		32
#define DQ_SLOT		2304
#define SEQ_MAX		4096

/* A datagram in flight, and a hash of it as sent: damaged if it differs. */
struct dq {
	uint8_t		 b[DQ_SLOT];
	size_t		 len;
	uint8_t		 sent[16];
};

static struct proto_replay	*dreplay;
static struct cookie_secrets	 dcookies;
static struct dgram		*est_dc, *est_ds, *work_dc, *work_ds;
static struct dq		 qc[DQ_MAX], qs[DQ_MAX];
static int			 nc, ns;
static uint8_t			 seen_c[SEQ_MAX], seen_s[SEQ_MAX];
static uint32_t			 seq_c, seq_s;
static uint64_t			 dnow;
static uint8_t			 dbuf[DGRAM_MAX_LEN];

static void
dq_seal(struct dq *q)
{
	crypto_generichash(q->sent, sizeof(q->sent), q->b, q->len, NULL, 0);
}

static int
dq_damaged(const struct dq *q)
{
	uint8_t	 now[16];

	crypto_generichash(now, sizeof(now), q->b, q->len, NULL, 0);
	return (memcmp(now, q->sent, sizeof(now)) != 0);
}

static void
dg_params(struct dgram_params *dp, enum proto_role role)
{
	memset(dp, 0, sizeof(*dp));
	fuzz_params(&dp->base, role, role == PROTO_SERVER ? dreplay : NULL,
	    0);
	dp->local_index = role == PROTO_SERVER ? DG_INDEX : 0;
	dp->cookies = &dcookies;
}

/* Move one end's output into a queue, as far as it goes. */
static void
dg_drain(struct dgram *p, struct dq *q, int *n)
{
	const uint8_t	*out;
	size_t		 len;

	while ((len = dgram_pending(p, &out)) > 0) {
		if (*n < DQ_MAX && len <= DQ_SLOT) {
			memcpy(q[*n].b, out, len);
			q[*n].len = len;
			dq_seal(&q[*n]);
			(*n)++;
		}
		dgram_consume(p);
	}
}

static void
dg_pop(struct dq *q, int *n)
{
	memmove(q, q + 1, (size_t)(*n - 1) * sizeof(*q));
	(*n)--;
}

/* Once: two ends up, confirmed, nothing queued. */
static void
dg_init(void)
{
	struct dgram_params	 dp;
	struct dgram_event	 ev;
	const uint8_t		*out;
	size_t			 len;

	if (est_dc != NULL)
		return;
	if ((dreplay = proto_replay_new(64)) == NULL)
		abort();
	cookie_secrets_init(&dcookies, 0);
	dg_params(&dp, PROTO_CLIENT);
	est_dc = dgram_new(&dp);
	work_dc = dgram_new(&dp);
	dg_params(&dp, PROTO_SERVER);
	est_ds = dgram_new(&dp);
	work_ds = dgram_new(&dp);
	if (est_dc == NULL || est_ds == NULL || work_dc == NULL ||
	    work_ds == NULL || dgram_start(est_dc, 0) == -1)
		abort();
	len = dgram_pending(est_dc, &out);
	memcpy(dbuf, out, len);
	dgram_consume(est_dc);
	if (dgram_input(est_ds, dbuf, len, 0, &ev) == -1)
		abort();
	nc = ns = 0;
	dg_drain(est_ds, qs, &ns);
	dgram_input(est_dc, qs[0].b, qs[0].len, 0, &ev);
	dg_drain(est_dc, qc, &nc);
	dgram_input(est_ds, qc[0].b, qc[0].len, 0, &ev);
	ns = 0;
	dg_drain(est_ds, qs, &ns);
	dgram_input(est_dc, qs[0].b, qs[0].len, 0, &ev);
	if (!dgram_is_up(est_dc) || !dgram_is_up(est_ds) ||
	    !est_dc->confirmed)
		abort();
	nc = ns = 0;
}

/* The copies own no heap buffers; what a run left is freed first. */
static void
dg_restore(void)
{
	dgram_out_reset(work_dc);
	dgram_out_reset(work_ds);
	dgram_rel_free(work_dc);
	dgram_rel_free(work_ds);
	memcpy(work_dc, est_dc, sizeof(*work_dc));
	memcpy(work_ds, est_ds, sizeof(*work_ds));
	nc = ns = 0;
	seq_c = seq_s = 0;
	memset(seen_c, 0, sizeof(seen_c));
	memset(seen_s, 0, sizeof(seen_s));
	dnow = 0;
}

/* Data payloads: a sequence number, then bytes that follow from it. */
static void
dg_fill(uint8_t *b, size_t len, uint32_t seq)
{
	size_t	 i;

	memcpy(b, &seq, sizeof(seq));
	for (i = sizeof(seq); i < len; i++)
		b[i] = (uint8_t)(seq + i);
}

static void
dg_check_data(const struct dgram_event *ev, uint8_t *seen)
{
	uint32_t	 seq;
	size_t		 i;

	if (ev->len < sizeof(seq))
		abort();
	memcpy(&seq, ev->data, sizeof(seq));
	if (seq >= SEQ_MAX || seen[seq])
		abort();		/* never sent, or twice */
	seen[seq] = 1;
	for (i = sizeof(seq); i < ev->len; i++)
		if (ev->data[i] != (uint8_t)(seq + i))
			abort();
}

static void
dg_check_push(const struct dgram_event *ev)
{
	size_t	 i;

	for (i = 0; i < ev->len; i++)
		if (ev->data[i] != (uint8_t)(ev->len + i))
			abort();
	fuzz_push(ev->data, ev->len);
}

/* Genuine traffic ends a session only by a timeout or a close. */
static void
dg_check_alive(const struct dgram *p)
{
	if (p->state == DS_DEAD && p->fault != PROTO_F_TIMEOUT) {
		fprintf(stderr, "session broken: %s\n", p->err);
		abort();
	}
}

/* Deliver the first of a queue, checking the invariants above. */
static void
dg_deliver(struct dgram *to, struct dq *q, int *n, uint8_t *seen)
{
	struct dgram_event	 ev;
	int			 damaged = dq_damaged(&q[0]);
	size_t			 len = q[0].len;

	memcpy(dbuf, q[0].b, len);
	dg_pop(q, n);
	(void)dgram_input(to, dbuf, len, dnow, &ev);
	dg_check_alive(to);
	if (damaged && (ev.flags != 0 || ev.type != DGRAM_EV_NONE))
		abort();
	if (ev.data != NULL && (ev.data < dbuf || ev.data + ev.len >
	    dbuf + len) && (ev.type != DGRAM_EV_PUSH || ev.data != to->reasm))
		abort();
	if (ev.type == DGRAM_EV_DATA)
		dg_check_data(&ev, seen);
	else if (ev.type == DGRAM_EV_PUSH)
		dg_check_push(&ev);
	else if (ev.type == DGRAM_EV_TICKET && ev.len != PROTO_TICKET_LEN)
		abort();
}

static void
dg_seal(struct dgram *p, size_t len, uint32_t *seq, struct dq *q, int *n)
{
	size_t	 m;

	if (len > 1500 || *seq >= SEQ_MAX || *n >= DQ_MAX)
		return;
	dg_fill(dbuf + DGRAM_HDR_LEN, len, *seq);
	if ((m = dgram_seal(p, dbuf, len, dnow)) == 0)
		return;
	(*seq)++;
	memcpy(q[*n].b, dbuf, m);
	q[*n].len = m;
	dq_seal(&q[*n]);
	(*n)++;
}

static void
dg_probe(struct dgram *p, size_t size, struct dq *q, int *n)
{
	uint32_t	 id;

	if (*n >= DQ_MAX || size > DQ_SLOT ||
	    dgram_seal_probe(p, dbuf, size, dnow, &id) == 0)
		return;
	memcpy(q[*n].b, dbuf, size);
	q[*n].len = size;
	dq_seal(&q[*n]);
	(*n)++;
}

static void
dg_push(struct dgram *s, size_t len)
{
	uint8_t	 b[PROTO_PUSH_MAX];
	size_t	 i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(len + i);
	(void)dgram_push(s, b, len, dnow);
}

static void
dg_rotate(struct dq *q, int n)
{
	struct dq	 t;

	if (n < 2)
		return;
	memcpy(&t, &q[0], sizeof(t));
	memmove(q, q + 1, (size_t)(n - 1) * sizeof(*q));
	memcpy(&q[n - 1], &t, sizeof(t));
}

static void
dg_damage(struct dq *q, int n, uint8_t arg)
{
	if (n < 1)
		return;
	q[0].b[(arg * 7u) % q[0].len] ^= (uint8_t)(1 << (arg % 8));
}

static void
dg_tick(uint8_t arg)
{
	uint64_t	 next;

	dnow += (uint64_t)arg * 50;
	(void)dgram_tick(work_dc, dnow, &next);
	(void)dgram_tick(work_ds, dnow, &next);
	dg_check_alive(work_dc);
	dg_check_alive(work_ds);
}

/* One operation of the script; arg is the byte after it. */
static void
dg_op(uint8_t op, uint8_t arg)
{
	struct dgram	*c = work_dc, *s = work_ds;

	switch (op % 16) {
	case 0:
		dg_seal(c, 4 + arg * 5u, &seq_c, qc, &nc);
		break;
	case 1:
		dg_seal(s, 4 + arg * 5u, &seq_s, qs, &ns);
		break;
	case 2:
		if (nc > 0)
			dg_deliver(s, qc, &nc, seen_s);
		break;
	case 3:
		if (ns > 0)
			dg_deliver(c, qs, &ns, seen_c);
		break;
	case 4:
		if (nc > 0)
			dg_pop(qc, &nc);
		break;
	case 5:
		if (ns > 0)
			dg_pop(qs, &ns);
		break;
	case 6:
		if (nc > 0 && nc < DQ_MAX)
			memcpy(&qc[nc++], &qc[0], sizeof(qc[0]));
		break;
	case 7:
		dg_rotate(qc, nc);
		break;
	case 8:
		dg_rotate(qs, ns);
		break;
	case 9:
		dg_tick(arg);
		break;
	case 10:
		(void)dgram_rekey_start(arg & 1 ? c : s, dnow);
		break;
	case 11:
		dg_push(s, (size_t)arg * 8);
		break;
	case 12:
		(void)dgram_ticket(s, (uint8_t [PROTO_TICKET_LEN]){ 1, 2, 3 },
		    dnow);
		break;
	case 13:
		if (arg & 1)
			dg_probe(c, DGRAM_PROBE_MIN + (arg >> 1) * 16u, qc,
			    &nc);
		else
			dg_probe(s, DGRAM_PROBE_MIN + (arg >> 1) * 16u, qs,
			    &ns);
		break;
	case 14:
		if (arg & 1)
			dg_damage(qc, nc, arg);
		else
			dg_damage(qs, ns, arg);
		break;
	default:
		dgram_close(arg & 1 ? c : s, arg >> 1);
		break;
	}
	dg_drain(c, qc, &nc);
	dg_drain(s, qs, &ns);
}

static void
dg_script(const uint8_t *d, size_t n)
{
	size_t	 i;

	dg_restore();
	for (i = 0; i + 1 < n; i += 2)
		dg_op(d[i], d[i + 1]);
}

/* The next datagram of an input: be16 length, bytes. */
static size_t
dg_next(const uint8_t *d, size_t n, size_t *off)
{
	size_t	 len;

	if (n - *off < 2) {
		*off = n;
		return (0);
	}
	len = (size_t)d[*off] << 8 | d[*off + 1];
	*off += 2;
	if (len > n - *off)
		len = n - *off;
	memcpy(dbuf, d + *off, len);
	*off += len;
	return (len);
}

/* A hello made acceptable: shape, clock, index, a MAC under the PSK. */
static void
dg_fixup(uint8_t *h, size_t len)
{
	uint8_t	 k[32], psk[32];
	int	 i;

	if (len != DGRAM_HELLO_LEN)
		return;
	memset(psk, 0x42, sizeof(psk));
	h[0] = DGRAM_T_HELLO;
	h[1] = DGRAM_VERSION;
	h[3] = 0;
	h[4] |= 1;
	for (i = 0; i < 8; i++)
		h[8 + i] = (uint8_t)(FUZZ_WALL >> (56 - 8 * i));
	crypto_kdf_derive_from_key(k, sizeof(k), 1, "dsvpndDh", psk);
	crypto_generichash(h + 96, 32, h, 96, k, sizeof(k));
}

/* A server as the tunnel runs one, for raw datagrams. */
static void
dg_server(const uint8_t *d, size_t n, int fixup)
{
	struct dgram_params	 dp;
	struct proto_hello_info	 info;
	struct dgram_event	 ev;
	struct dgram		*s = NULL;
	struct proto_replay	*r;
	uint8_t			 cr[DGRAM_COOKIE_REPLY_LEN], type;
	uint32_t		 index, src = 7;
	size_t			 off = 1, len;
	int			 f, first = 1;

	if (n < 1)
		return;
	if ((r = proto_replay_new(8)) == NULL)
		abort();
	dg_params(&dp, PROTO_SERVER);
	dp.base.replay = r;
	while ((len = dg_next(d, n, &off)) > 0 || off < n) {
		if (fixup && first)
			dg_fixup(dbuf, len);
		first = 0;
		if (dgram_peek(dbuf, len, &type, &index) == -1)
			continue;
		if (type == DGRAM_T_HELLO) {
			if (dgram_hello_peek(&dp, dbuf, len, &info, &f) == -1 ||
			    info.keyid != dbuf + 64)
				continue;
			/* The first byte says whether the server is busy. */
			if (dgram_hello_check(&dp, dbuf, len, &src, 4, d[0] & 1,
			    cr, &f) != DGRAM_ACCEPT)
				continue;
			dgram_free(s);
			if ((s = dgram_new(&dp)) == NULL)
				abort();
			/* Checked: only the DH can still find fault. */
			if (dgram_input(s, dbuf, len, 0, &ev) == -1 &&
			    strcmp(dgram_error(s), "bad client key") != 0)
				abort();
		} else if (s != NULL)
			(void)dgram_input(s, dbuf, len, 0, &ev);
	}
	dgram_free(s);
	proto_replay_free(r);
}

static void
dg_client(const uint8_t *d, size_t n)
{
	struct dgram_params	 dp;
	struct dgram_event	 ev;
	struct dgram		*c;
	size_t			 off = 0, len;

	dg_params(&dp, PROTO_CLIENT);
	if ((c = dgram_new(&dp)) == NULL || dgram_start(c, 0) == -1)
		abort();
	while ((len = dg_next(d, n, &off)) > 0 || off < n)
		if (dgram_input(c, dbuf, len, 0, &ev) == -1)
			break;
	dgram_free(c);
}

void
fuzz_dgram(int mode, const uint8_t *d, size_t n)
{
	dg_init();
	fuzz_calls = 0;
	switch (mode) {
	case 0:
	case 1:
		dg_server(d, n, mode == 1);
		break;
	case 2:
		dg_client(d, n);
		break;
	default:
		dg_script(d, n);
		break;
	}
}

/*
 * Seeds: a real exchange recorded for the raw modes, and scripts that
 * reach rekeys, pushes in two pieces, probes and damage.
 */
static size_t
seed_put(uint8_t *rec, size_t off, const uint8_t *b, size_t len)
{
	rec[off] = (uint8_t)(len >> 8);
	rec[off + 1] = (uint8_t)len;
	memcpy(rec + off + 2, b, len);
	return (off + 2 + len);
}

void
fuzz_dgram_seeds(const char *dir, void (*put)(const char *, const char *,
    uint8_t, const uint8_t *, size_t))
{
	static uint8_t		 c2s[8192], s2c[8192];
	static const uint8_t	 rekey[] = {
		0x00, 0x10, 0x01, 0x20, 0x02, 0, 0x03, 0,	/* data */
		0x0a, 0x01, 0x02, 0, 0x03, 0, 0x02, 0,		/* rekey */
		0x00, 0x05, 0x07, 0, 0x02, 0, 0x02, 0,		/* reorder */
		0x0a, 0x00, 0x03, 0, 0x04, 0, 0x09, 0x20,	/* lost */
		0x03, 0, 0x02, 0, 0x03, 0, 0x02, 0
	}, push[] = {
		0x0b, 0xf0, 0x05, 0, 0x03, 0, 0x02, 0,		/* 2 parts */
		0x09, 0x28, 0x03, 0, 0x03, 0, 0x02, 0, 0x02, 0,
		0x0c, 0x00, 0x06, 0, 0x03, 0, 0x02, 0, 0x02, 0,	/* ticket */
		0x0d, 0x41, 0x02, 0, 0x03, 0,			/* probe */
		0x01, 0x09, 0x0e, 0x00, 0x03, 0,		/* damaged */
		0x0f, 0x05, 0x02, 0, 0x02, 0, 0x02, 0		/* close */
	};
	struct dgram_event	 ev;
	const uint8_t		*out;
	size_t			 nc2s = 0, ns2c = 0, len;

	dg_init();
	dg_restore();
	/* The raw seeds: the established pair's own handshake again. */
	fuzz_calls = 0;
	{
		struct dgram_params	 dp;
		struct dgram		*c, *s;

		dg_params(&dp, PROTO_CLIENT);
		c = dgram_new(&dp);
		dg_params(&dp, PROTO_SERVER);
		dp.base.replay = proto_replay_new(8);
		s = dgram_new(&dp);
		if (c == NULL || s == NULL || dgram_start(c, 0) == -1)
			abort();
		len = dgram_pending(c, &out);
		nc2s = seed_put(c2s, nc2s, out, len);
		memcpy(dbuf, out, len);
		dgram_consume(c);
		fuzz_calls = 0;
		(void)dgram_input(s, dbuf, len, 0, &ev);
		while ((len = dgram_pending(s, &out)) > 0) {
			ns2c = seed_put(s2c, ns2c, out, len);
			memcpy(dbuf, out, len);
			dgram_consume(s);
			(void)dgram_input(c, dbuf, len, 0, &ev);
		}
		while ((len = dgram_pending(c, &out)) > 0) {
			nc2s = seed_put(c2s, nc2s, out, len);
			dgram_consume(c);
		}
		proto_replay_free(dp.base.replay);
		dgram_free(c);
		dgram_free(s);
	}
	/* Mode 11's first byte says "busy": 0 here; 12 fixes the hello. */
	memmove(c2s + 1, c2s, nc2s);
	c2s[0] = 0;
	put(dir, "dgram-server", 11, c2s, nc2s + 1);
	put(dir, "dgram-server-fixup", 12, c2s, nc2s + 1);
	c2s[0] = 1;
	put(dir, "dgram-server-busy", 11, c2s, nc2s + 1);
	put(dir, "dgram-client", 13, s2c, ns2c);
	put(dir, "dgram-script-rekey", 14, rekey, sizeof(rekey));
	put(dir, "dgram-script-push", 14, push, sizeof(push));
}
