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
 * Unit tests of the tunnel wire protocol (tunnel/proto.h): two
 * instances talk through in-memory pipes on a fake clock.
 *
 *	test_proto		run every case
 *	test_proto -g		print the known-answer vectors (kat.txt)
 */
#include "compat.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "harness.h"

/* Handshake, then frames of many sizes both ways, back to back. */
static int
t_exchange(enum proto_cipher c)
{
	static const size_t sizes[] = { 1, 2, 15, 16, 17, 40, 1400, 1500,
	    9000, 65535, 65536, PROTO_MAX_PAYLOAD };
	struct pair	 pr;
	struct pipe	 got = { NULL, 0, 0 };
	size_t		 i, want = 0, off;
	int		 rc = -1;

	if (pair_new(&pr, c, PROTO_CIPHER_AUTO, NULL) == -1 ||
	    pair_up(&pr) == -1)
		goto out;
	if (strcmp(proto_cipher_name(pr.c), cipher_str(c)) != 0)
		goto out;
	for (i = 0; i < nitems(sizes); i++) {
		if (send_data(pr.c, &pr.c2s, sizes[i], (uint8_t)i, pr.now) ||
		    send_data(pr.s, &pr.s2c, sizes[i], (uint8_t)~i, pr.now))
			goto out;
		want += sizes[i];
	}
	/* All frames sit in one buffer; the receiver loops over it. */
	if (deliver(pr.s, &pr.c2s, pr.now, &got, NULL, NULL) == -1 ||
	    got.len != want || pr.c2s.len != 0)
		goto out;
	for (i = 0, off = 0; i < nitems(sizes); off += sizes[i++])
		if (got.buf[off] != (uint8_t)i ||
		    got.buf[off + sizes[i] - 1] != (uint8_t)i)
			goto out;
	got.len = 0;
	if (deliver(pr.c, &pr.s2c, pr.now, &got, NULL, NULL) == -1 ||
	    got.len != want)
		goto out;
	/* Size limits of proto_seal(). */
	if (proto_seal(pr.c, got.buf, 0, pr.now) != 0 ||
	    proto_seal(pr.c, got.buf, PROTO_MAX_PAYLOAD + 1, pr.now) != 0)
		goto out;
	rc = 0;
out:
	free(got.buf);
	pair_free(&pr);
	CHECK(rc == 0);
	return (0);
}

static int
t_negotiation(void)
{
	struct pair	 pr;
	int		 rc;

	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO,
	    PROTO_CIPHER_CHACHA20POLY1305, NULL) == 0);
	rc = pair_up(&pr);
	CHECK(rc == 0);
	CHECK(strcmp(proto_cipher_name(pr.s), "chacha20poly1305") == 0);
	pair_free(&pr);
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(pair_up(&pr) == 0);
	CHECK(strcmp(proto_cipher_name(pr.s), aes_ok ? "aes256gcm" :
	    "chacha20poly1305") == 0);
	pair_free(&pr);
	if (!aes_ok)
		return (0);
	/* Nothing in common: the server refuses, silently. */
	CHECK(pair_new(&pr, PROTO_CIPHER_AES256GCM,
	    PROTO_CIPHER_CHACHA20POLY1305, NULL) == 0);
	proto_start(pr.c, pr.now);
	drain(pr.c, &pr.c2s);
	rc = deliver(pr.s, &pr.c2s, pr.now, NULL, NULL, NULL);
	drain(pr.s, &pr.s2c);
	CHECK(rc == -1 && pr.s2c.len == 0);
	CHECK(proto_fault(pr.s) == PROTO_F_HANDSHAKE);
	pair_free(&pr);
	return (0);
}

/* A fresh server refuses hello `h'; it must answer nothing, spend no DH. */
/* The length of a hello of the version under test. */
#define HLEN	proto_hello_len((uint8_t)test_version)

static int
refused_hello(const uint8_t *h, int fault)
{
	struct pair	 pr;
	struct proto_event ev;
	struct proto_params pp;
	const uint8_t	*out;
	uint8_t		 copy[PROTO_HELLO_MAX];
	uint64_t	 dh;
	int		 f = -1;

	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	params(&pp, PROTO_SERVER, PROTO_CIPHER_AUTO, &pr.seam, pr.replay);
	memcpy(copy, h, HLEN);
	dh = proto_dh_calls();
	CHECK(proto_hello_check(&pp, copy, HLEN, &f) == -1);
	CHECK(fault < 0 || f == fault);
	CHECK(proto_input(pr.s, copy, HLEN, pr.now, &ev) == -1);
	CHECK(fault < 0 || proto_fault(pr.s) == fault);
	CHECK(proto_dh_calls() == dh);
	CHECK(proto_pending(pr.s, &out) == 0);
	CHECK(ev.type == PROTO_EV_NONE);
	pair_free(&pr);
	return (0);
}

static int
make_hello(uint8_t h[PROTO_HELLO_MAX], struct seam *seam,
    enum proto_cipher c)
{
	struct proto_params	 pp;
	struct proto		*p;
	const uint8_t		*out;

	params(&pp, PROTO_CLIENT, c, seam, NULL);
	CHECK((p = proto_new(&pp)) != NULL);
	CHECK(proto_start(p, 0) == 0);
	CHECK(proto_pending(p, &out) == HLEN);
	memcpy(h, out, HLEN);
	proto_free(p);
	return (0);
}

static int
t_tamper_hello(void)
{
	struct seam	 seam;
	uint8_t		 h[PROTO_HELLO_MAX];
	size_t		 i;
	int		 bit;

	seam_init(&seam, 1);
	CHECK(make_hello(h, &seam, PROTO_CIPHER_AUTO) == 0);
	for (i = 0; i < HLEN; i++)
		for (bit = 0; bit < 8; bit++) {
			h[i] ^= 1 << bit;
			CHECK(refused_hello(h, -1) == 0);
			h[i] ^= 1 << bit;
		}
	return (0);
}

/* Recompute the hello MAC as doc/PROTOCOL.md says, after an edit. */
static void
remac_hello(uint8_t *h)
{
	uint8_t	 psk[PROTO_KEY_LEN], k[32];

	memset(psk, 0x42, sizeof(psk));
	crypto_kdf_derive_from_key(k, 32, 1, "dsvpnd1h", psk);
	crypto_generichash(h + 60, 32, h, 60, k, 32);
}

static int
t_version_and_key(void)
{
	struct proto_params pp;
	struct seam	 seam;
	struct pair	 pr;
	uint8_t		 h[PROTO_HELLO_MAX];
	int		 rc;

	seam_init(&seam, 2);
	CHECK(make_hello(h, &seam, PROTO_CIPHER_AUTO) == 0);
	/* Version 1 bytes claiming version 2, MACed with the v1 key. */
	h[0] = 2;
	remac_hello(h);
	CHECK(refused_hello(h, PROTO_F_HANDSHAKE) == 0);
	/* The remac itself is right: version 1 passes. */
	h[0] = PROTO_V1;
	remac_hello(h);
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	params(&pp, PROTO_SERVER, PROTO_CIPHER_AUTO, &seam, pr.replay);
	CHECK(proto_hello_check(&pp, h, PROTO_HELLO_LEN, NULL) == 0);
	pair_free(&pr);
	/* Wrong key: a client with another PSK. */
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	proto_free(pr.c);
	params(&pp, PROTO_CLIENT, PROTO_CIPHER_AUTO, &pr.seam, NULL);
	pp.psk[0] ^= 1;
	CHECK((pr.c = proto_new(&pp)) != NULL);
	CHECK(proto_start(pr.c, pr.now) == 0);
	drain(pr.c, &pr.c2s);
	rc = deliver(pr.s, &pr.c2s, pr.now, NULL, NULL, NULL);
	drain(pr.s, &pr.s2c);
	CHECK(rc == -1);
	CHECK(proto_fault(pr.s) == PROTO_F_HANDSHAKE);
	CHECK(pr.s2c.len == 0);
	pair_free(&pr);
	return (0);
}

static int
t_tamper_reply(void)
{
	struct pair	 pr;
	struct proto_event ev;
	uint8_t		 r[PROTO_REPLY_LEN];
	size_t		 i;
	int		 bit;

	/* Every bit of every byte; a fresh client each time (it dies). */
	for (i = 0; i < PROTO_REPLY_LEN * 8; i++) {
		CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO,
		    NULL) == 0);
		proto_start(pr.c, pr.now);
		drain(pr.c, &pr.c2s);
		CHECK(deliver(pr.s, &pr.c2s, pr.now, NULL, NULL, NULL) == 0);
		drain(pr.s, &pr.s2c);
		CHECK(pr.s2c.len == PROTO_REPLY_LEN);
		memcpy(r, pr.s2c.buf, sizeof(r));
		bit = (int)(i % 8);
		r[i / 8] ^= (uint8_t)(1 << bit);
		CHECK(proto_input(pr.c, r, sizeof(r), pr.now, &ev) == -1);
		CHECK(ev.type == PROTO_EV_NONE && !proto_is_up(pr.c));
		pair_free(&pr);
	}
	return (0);
}

/*
 * Feed a damaged frame; if the damaged length asks for more, give it
 * more (zeros), as a patient attacker would.  It must end in -1 and
 * never in data.
 */
static int
frame_refused(struct proto *to, uint8_t *f, size_t len, uint64_t now)
{
	static uint8_t		 buf[PROTO_MAX_PAYLOAD + PROTO_OVERHEAD];
	struct proto_event	 ev;
	ssize_t			 n;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, f, len);
	for (;;) {
		n = proto_input(to, buf, len, now, &ev);
		CHECK(ev.type != PROTO_EV_DATA);
		if (n == -1)
			return (0);
		CHECK(n == 0 && proto_need(to) > len &&
		    proto_need(to) <= sizeof(buf));
		len = proto_need(to);
	}
}

static int
t_tamper_frame(enum proto_cipher c)
{
	struct pair	 pr;
	uint8_t		 f[100 + PROTO_OVERHEAD];
	size_t		 i;

	for (i = 0; i < sizeof(f); i++) {
		CHECK(pair_new(&pr, c, PROTO_CIPHER_AUTO, NULL) == 0);
		CHECK(pair_up(&pr) == 0);
		CHECK(send_data(pr.c, &pr.c2s, 100, 0xaa, pr.now) == 0);
		CHECK(pr.c2s.len == sizeof(f));
		memcpy(f, pr.c2s.buf, sizeof(f));
		f[i] ^= 0x80;
		CHECK(frame_refused(pr.s, f, sizeof(f), pr.now) == 0);
		CHECK(!proto_is_up(pr.s));
		pair_free(&pr);
	}
	return (0);
}

/* Every prefix of a hello, a reply and a frame asks for more. */
static int
t_truncation(void)
{
	struct pair	 pr;
	struct proto_event ev;
	uint8_t		 buf[200];
	size_t		 i, flen;

	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	proto_start(pr.c, pr.now);
	drain(pr.c, &pr.c2s);
	for (i = 0; i < HLEN; i++) {
		CHECK(proto_input(pr.s, pr.c2s.buf, i, pr.now, &ev) == 0);
		CHECK(ev.type == PROTO_EV_NONE);
		/* No hello is shorter; then the first byte tells. */
		CHECK(proto_need(pr.s) == (i == 0 ? PROTO_HELLO_LEN : HLEN));
	}
	CHECK(deliver(pr.s, &pr.c2s, pr.now, NULL, NULL, NULL) == 0);
	drain(pr.s, &pr.s2c);
	for (i = 0; i < PROTO_REPLY_LEN; i++) {
		CHECK(proto_input(pr.c, pr.s2c.buf, i, pr.now, &ev) == 0);
		CHECK(ev.type == PROTO_EV_NONE);
		CHECK(proto_need(pr.c) == PROTO_REPLY_LEN);
	}
	CHECK(deliver(pr.c, &pr.s2c, pr.now, NULL, NULL, NULL) == 0);
	drain(pr.c, &pr.c2s);
	CHECK(deliver(pr.s, &pr.c2s, pr.now, NULL, NULL, NULL) == 0);
	CHECK(send_data(pr.c, &pr.c2s, 100, 0x55, pr.now) == 0);
	flen = pr.c2s.len;
	for (i = 0; i < flen; i++) {
		memcpy(buf, pr.c2s.buf, flen);
		CHECK(proto_input(pr.s, buf, i, pr.now, &ev) == 0);
		CHECK(ev.type == PROTO_EV_NONE);
		CHECK(proto_need(pr.s) == (i < PROTO_HDR_LEN ?
		    PROTO_OVERHEAD : flen));
	}
	CHECK(proto_input(pr.s, pr.c2s.buf, flen, pr.now, &ev) ==
	    (ssize_t)flen);
	CHECK(ev.type == PROTO_EV_DATA && ev.len == 100 && ev.data[0] == 0x55);
	pair_free(&pr);
	return (0);
}

static int
t_replayed_hello(void)
{
	struct pair	 pr;
	struct proto_params pp;
	uint8_t		 h[PROTO_HELLO_MAX];
	struct proto	*s2;
	struct proto_event ev;
	uint64_t	 dh;
	int		 f;

	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	proto_start(pr.c, pr.now);
	drain(pr.c, &pr.c2s);
	memcpy(h, pr.c2s.buf, HLEN);
	params(&pp, PROTO_SERVER, PROTO_CIPHER_AUTO, &pr.seam, pr.replay);
	CHECK(proto_hello_check(&pp, h, HLEN, NULL) == 0);
	CHECK(deliver(pr.s, &pr.c2s, pr.now, NULL, NULL, NULL) == 0);
	/* Another connection of the same server sees it again. */
	CHECK((s2 = proto_new(&pp)) != NULL);
	dh = proto_dh_calls();
	CHECK(proto_hello_check(&pp, h, HLEN, &f) == -1);
	CHECK(f == PROTO_F_REPLAY);
	CHECK(proto_input(s2, h, HLEN, pr.now, &ev) == -1);
	CHECK(proto_fault(s2) == PROTO_F_REPLAY);
	CHECK(proto_dh_calls() == dh);
	CHECK(proto_pending(s2, &(const uint8_t *){ NULL }) == 0);
	proto_free(s2);
	pair_free(&pr);
	return (0);
}

/* Hellos at the edges of the clock window, and just outside. */
static int
t_timestamps(void)
{
	static const struct { int64_t skew; int ok; } t[] = {
		{ -7200, 1 }, { -7201, 0 }, { 7200, 1 }, { 7201, 0 },
		{ -1000000, 0 }, { 1000000, 0 }, { 0, 1 }
	};
	struct seam	 seam;
	struct pair	 pr;
	struct proto_event ev;
	uint8_t		 h[PROTO_HELLO_MAX];
	size_t		 i;
	ssize_t		 n;

	for (i = 0; i < nitems(t); i++) {
		seam_init(&seam, 10 + i);
		seam.wall = WALL0 + t[i].skew;
		CHECK(make_hello(h, &seam, PROTO_CIPHER_AUTO) == 0);
		if (!t[i].ok) {
			CHECK(refused_hello(h, PROTO_F_REPLAY) == 0);
			continue;
		}
		CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO,
		    NULL) == 0);
		n = proto_input(pr.s, h, HLEN, pr.now, &ev);
		CHECK(n == (ssize_t)HLEN);
		pair_free(&pr);
	}
	return (0);
}

/* A replayed, reordered or dropped frame ends the session. */
static int
t_frame_order(void)
{
	struct pair	 pr;
	struct proto_event ev;
	uint8_t		 f[3][10 + PROTO_OVERHEAD];
	size_t		 flen = sizeof(f[0]);
	int		 i, k;
	static const int order[3][2] = { { 0, 0 }, { 0, 2 }, { 1, 0 } };

	for (k = 0; k < 3; k++) {
		CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO,
		    NULL) == 0);
		CHECK(pair_up(&pr) == 0);
		for (i = 0; i < 3; i++) {
			CHECK(send_data(pr.c, &pr.c2s, 10, i, pr.now) == 0);
			memcpy(f[i], pr.c2s.buf + i * flen, flen);
		}
		/* First as sent (if it is first), then the wrong one. */
		i = order[k][0];
		if (i == 0) {
			/* Replay f0 or drop f1: f0 passes first. */
			CHECK(proto_input(pr.s, f[0], flen, pr.now, &ev) ==
			    (ssize_t)flen);
			CHECK(ev.type == PROTO_EV_DATA);
		} else
			CHECK(frame_refused(pr.s, f[i], flen, pr.now) == 0);
		if (proto_is_up(pr.s))
			CHECK(frame_refused(pr.s, f[order[k][1]], flen,
			    pr.now) == 0);
		CHECK(proto_fault(pr.s) == PROTO_F_AUTH);
		pair_free(&pr);
	}
	return (0);
}

static int
t_oversize(void)
{
	struct proto_params tmpl, pp;
	struct pair	 pr;
	struct proto_event ev;
	uint8_t		 hdr[PROTO_HDR_LEN];

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.max_payload = 1000;
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, &tmpl) == 0);
	CHECK(pair_up(&pr) == 0);
	/* The sender refuses too... */
	CHECK(send_data(pr.c, &pr.c2s, 1001, 1, pr.now) == -1);
	CHECK(send_data(pr.c, &pr.c2s, 1000, 1, pr.now) == 0);
	CHECK(deliver(pr.s, &pr.c2s, pr.now, NULL, NULL, NULL) == 0);
	pair_free(&pr);
	/* ...and a receiver with a smaller limit dies at the header. */
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	proto_free(pr.s);
	params(&pp, PROTO_SERVER, PROTO_CIPHER_AUTO, &pr.seam, pr.replay);
	pp.max_payload = 1000;
	CHECK((pr.s = proto_new(&pp)) != NULL);
	CHECK(pair_up(&pr) == 0);
	CHECK(send_data(pr.c, &pr.c2s, 1001, 1, pr.now) == 0);
	memcpy(hdr, pr.c2s.buf, sizeof(hdr));
	CHECK(proto_input(pr.s, hdr, sizeof(hdr), pr.now, &ev) == -1);
	CHECK(proto_fault(pr.s) == PROTO_F_AUTH);
	CHECK(strcmp(proto_error(pr.s), "frame length over maximum") == 0);
	pair_free(&pr);
	return (0);
}

/* xorshift64*: the traffic scripts' own deterministic dice. */
static uint64_t
dice(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (*s * 2685821657736338717ULL);
}

struct nonce_rec {
	uint8_t		 id[16];
	uint64_t	 ctr;
};

struct traffic {
	struct pair		 pr;
	struct pipe		 wire_c2s, wire_s2c;	/* not yet read */
	struct pipe		 sent_c, sent_s, got_c, got_s;
	struct nonce_rec	*log;
	size_t			 nlog, maxlog;
	uint64_t		 dice;
};

static int
traffic_send(struct traffic *t, int client)
{
	static uint8_t	 frame[PROTO_MAX_PAYLOAD + PROTO_OVERHEAD];
	struct proto	*p = client ? t->pr.c : t->pr.s;
	struct pipe	*w = client ? &t->wire_c2s : &t->wire_s2c;
	size_t		 len, i, n;
	uint64_t	 r = dice(&t->dice);

	len = r % 16 == 0 ? PROTO_MAX_PAYLOAD : 1 + r % 3000;
	for (i = 0; i < len; i++)
		frame[PROTO_HDR_LEN + i] = (uint8_t)(r >> (i % 56)) + i;
	pipe_put(client ? &t->sent_c : &t->sent_s, frame + PROTO_HDR_LEN,
	    len);
	drain(p, w);
	CHECK(t->nlog < t->maxlog);
	proto_tx_state(p, t->log[t->nlog].id, &t->log[t->nlog].ctr);
	t->nlog++;
	n = proto_seal(p, frame, len, t->pr.now);
	CHECK(n == len + PROTO_OVERHEAD);
	pipe_put(w, frame, n);
	return (0);
}

/* Move a random part of the wire to the reader, which parses it. */
static int
traffic_read(struct traffic *t, int to_server, int all)
{
	struct pipe	*w = to_server ? &t->wire_c2s : &t->wire_s2c;
	struct pipe	*in = to_server ? &t->pr.c2s : &t->pr.s2c;
	struct proto	*p = to_server ? t->pr.s : t->pr.c;
	size_t		 k;

	k = all ? w->len : dice(&t->dice) % (w->len + 1);
	if (k > 0)
		pipe_put(in, w->buf, k);
	memmove(w->buf, w->buf + k, w->len - k);
	w->len -= k;
	CHECK(deliver(p, in, t->pr.now, to_server ? &t->got_s : &t->got_c,
	    NULL, NULL) == 0);
	drain(p, to_server ? &t->wire_s2c : &t->wire_c2s);
	return (0);
}

static int
traffic_tick(struct traffic *t)
{
	uint64_t	 next;

	t->pr.now += dice(&t->dice) % 5;
	CHECK(proto_tick(t->pr.c, t->pr.now, &next) == 0);
	CHECK(next > t->pr.now);
	drain(t->pr.c, &t->wire_c2s);
	CHECK(proto_tick(t->pr.s, t->pr.now, &next) == 0);
	CHECK(next > t->pr.now);
	drain(t->pr.s, &t->wire_s2c);
	return (0);
}

static int
nonce_cmp(const void *a, const void *b)
{
	return (memcmp(a, b, sizeof(struct nonce_rec)));
}

static void
traffic_free(struct traffic *t)
{
	pair_free(&t->pr);
	free(t->wire_c2s.buf);
	free(t->wire_s2c.buf);
	free(t->sent_c.buf);
	free(t->sent_s.buf);
	free(t->got_c.buf);
	free(t->got_s.buf);
	free(t->log);
}

static int
traffic_check(struct traffic *t)
{
	size_t	 i;

	CHECK(traffic_read(t, 1, 1) == 0 && traffic_read(t, 0, 1) == 0);
	CHECK(traffic_read(t, 1, 1) == 0 && traffic_read(t, 0, 1) == 0);
	CHECK(t->got_s.len == t->sent_c.len);
	CHECK(memcmp(t->got_s.buf, t->sent_c.buf, t->sent_c.len) == 0);
	CHECK(t->got_c.len == t->sent_s.len);
	CHECK(memcmp(t->got_c.buf, t->sent_s.buf, t->sent_s.len) == 0);
	qsort(t->log, t->nlog, sizeof(t->log[0]), nonce_cmp);
	for (i = 1; i < t->nlog; i++)
		CHECK(nonce_cmp(&t->log[i - 1], &t->log[i]) != 0);
	return (0);
}

/* Both sides send, read in random pieces and rekey, over and over. */
static int
t_rekey_traffic(enum proto_cipher c, uint64_t seed)
{
	struct proto_params tmpl;
	struct traffic	 t;
	int		 step, rc = -1;
	uint64_t	 r;

	memset(&t, 0, sizeof(t));
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.rekey_bytes = 200000;
	tmpl.rekey_ms = 300;
	tmpl.keepalive_ms = 20;
	tmpl.dead_ms = 1000000;
	t.dice = seed;
	t.maxlog = 20000;
	if ((t.log = calloc(t.maxlog, sizeof(*t.log))) == NULL)
		goto out;
	if (pair_new(&t.pr, c, PROTO_CIPHER_AUTO, &tmpl) == -1 ||
	    pair_up(&t.pr) == -1)
		goto out;
	for (step = 0; step < 12000; step++) {
		r = dice(&t.dice) % 8;
		if ((r < 2 && traffic_send(&t, 1) == -1) ||
		    (r >= 2 && r < 4 && traffic_send(&t, 0) == -1) ||
		    (r == 4 && traffic_read(&t, 1, 0) == -1) ||
		    (r == 5 && traffic_read(&t, 0, 0) == -1) ||
		    (r >= 6 && traffic_tick(&t) == -1))
			goto out;
		/* Keep the fake transport from growing without end. */
		if (t.wire_c2s.len + t.wire_s2c.len > WIRE_MAX &&
		    (traffic_read(&t, 1, 1) == -1 ||
		    traffic_read(&t, 0, 1) == -1))
			goto out;
	}
	if (traffic_check(&t) == -1)
		goto out;
	printf("    %s: %llu/%llu rekeys, %zu data frames, %zu bytes\n",
	    proto_cipher_name(t.pr.c),
	    (unsigned long long)proto_rekeys(t.pr.c),
	    (unsigned long long)proto_rekeys(t.pr.s), t.nlog,
	    t.sent_c.len + t.sent_s.len);
	if (proto_rekeys(t.pr.c) < 20 || proto_rekeys(t.pr.s) < 20)
		goto out;
	rc = 0;
out:
	traffic_free(&t);
	CHECK(rc == 0);
	return (0);
}

static int
t_timers(void)
{
	struct proto_params tmpl;
	struct pair	 pr;
	uint64_t	 next;
	const uint8_t	*out;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.keepalive_ms = 1000;
	tmpl.dead_ms = 5000;
	tmpl.rekey_ms = 1000000;
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, &tmpl) == 0);
	CHECK(pair_up(&pr) == 0);		/* at 1000 */
	CHECK(proto_tick(pr.c, 1500, &next) == 0 && next == 2000);
	CHECK(proto_pending(pr.c, &out) == 0);
	CHECK(proto_tick(pr.c, 2000, &next) == 0 && next == 3000);
	CHECK(proto_pending(pr.c, &out) == PROTO_OVERHEAD);
	drain(pr.c, &pr.c2s);
	CHECK(deliver(pr.s, &pr.c2s, 2000, NULL, NULL, NULL) == 0);
	/* Sending data is activity: no keepalive. */
	CHECK(send_data(pr.c, &pr.c2s, 10, 1, 2500) == 0);
	CHECK(proto_tick(pr.c, 3000, &next) == 0 && next == 3500);
	CHECK(proto_pending(pr.c, &out) == 0);
	/* The server hears the client; the client hears nothing more. */
	CHECK(proto_tick(pr.s, 2000, &next) == 0);
	drain(pr.s, &pr.s2c);
	CHECK(deliver(pr.c, &pr.s2c, 2000, NULL, NULL, NULL) == 0);
	CHECK(proto_tick(pr.c, 6999, &next) == 0 && next == 7000);
	CHECK(proto_tick(pr.c, 7000, &next) == -1);
	CHECK(proto_fault(pr.c) == PROTO_F_TIMEOUT);
	CHECK(proto_seal(pr.c, pr.c2s.buf, 10, 7000) == 0);
	pair_free(&pr);
	/* Handshake timeouts, both ends. */
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(proto_start(pr.c, 1000) == 0 && proto_start(pr.s, 1000) == 0);
	CHECK(proto_tick(pr.c, 10999, &next) == 0 && next == 11000);
	CHECK(proto_tick(pr.s, 10999, &next) == 0 && next == 11000);
	CHECK(proto_tick(pr.c, 11000, &next) == -1);
	CHECK(proto_tick(pr.s, 11000, &next) == -1);
	CHECK(proto_fault(pr.s) == PROTO_F_TIMEOUT);
	pair_free(&pr);
	return (0);
}

/* A reload's timers on a running session; 0 keeps a value. */
static int
t_set_timers(void)
{
	struct proto_params tmpl;
	struct pair	 pr;
	uint64_t	 next, now;
	const uint8_t	*out;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.keepalive_ms = 1000;
	tmpl.dead_ms = 5000;
	tmpl.rekey_ms = 1000000;
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, &tmpl) == 0);
	CHECK(pair_up(&pr) == 0);		/* at 1000 */
	drain(pr.c, &pr.c2s);
	CHECK(proto_tick(pr.c, 1000, &next) == 0 && next == 2000);
	/* Keepalive every 300 ms from now on, counted from the last send. */
	proto_set_timers(pr.c, 300, 0, 0, 0);
	CHECK(proto_tick(pr.c, 1000, &next) == 0 && next == 1300);
	CHECK(proto_tick(pr.c, 1299, &next) == 0 && next == 1300);
	CHECK(proto_pending(pr.c, &out) == 0);
	CHECK(proto_tick(pr.c, 1300, &next) == 0 && next == 1600);
	CHECK(proto_pending(pr.c, &out) == PROTO_OVERHEAD);
	drain(pr.c, &pr.c2s);
	CHECK(deliver(pr.s, &pr.c2s, 1300, NULL, NULL, NULL) == 0);
	/* Zeros keep the rest: the dead-peer deadline is still 1000+5000. */
	proto_set_timers(pr.c, 10000, 0, 0, 0);
	CHECK(proto_tick(pr.c, 1300, &next) == 0 && next == 6000);
	proto_set_timers(pr.c, 300, 0, 0, 0);
	CHECK(proto_tick(pr.c, 1300, &next) == 0 && next == 1600);
	/* The server: a time rekey due at 1000 + 8000 + 8000/8. */
	proto_set_timers(pr.s, 100000, 100000, 8000, 0);
	CHECK(proto_tick(pr.s, 1300, &next) == 0 && next == 10000);
	/* And a volume rekey after 100 bytes. */
	proto_set_timers(pr.s, 0, 0, 0, 100);
	CHECK(send_data(pr.s, &pr.s2c, 60, 1, 1300) == 0);
	CHECK(proto_pending(pr.s, &out) == 0);
	CHECK(send_data(pr.s, &pr.s2c, 60, 2, 1300) == 0);
	CHECK(proto_pending(pr.s, &out) == 33 + PROTO_OVERHEAD);
	/* A shorter dead-peer timeout, from the last frame received. */
	proto_set_timers(pr.c, 0, 2000, 0, 0);
	for (now = 1600; now < 3000; now += 300) {
		CHECK(proto_tick(pr.c, now, &next) == 0);
		CHECK(proto_pending(pr.c, &out) == PROTO_OVERHEAD);
		drain(pr.c, &pr.c2s);
	}
	CHECK(proto_tick(pr.c, 2999, &next) == 0 && next == 3000);
	CHECK(proto_tick(pr.c, 3000, &next) == -1);
	CHECK(proto_fault(pr.c) == PROTO_F_TIMEOUT);
	pair_free(&pr);
	return (0);
}

/* Time-driven rekey with a fake clock; the client leads. */
static int
t_rekey_time(void)
{
	struct proto_params tmpl;
	struct pair	 pr;
	uint64_t	 next;
	int		 i;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.rekey_ms = 10000;
	tmpl.keepalive_ms = 100000;
	tmpl.dead_ms = 1000000;
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, &tmpl) == 0);
	CHECK(pair_up(&pr) == 0);
	CHECK(proto_tick(pr.c, 1000, &next) == 0 && next == 11000);
	CHECK(proto_tick(pr.s, 1000, &next) == 0 && next == 12250);
	for (i = 0; i < 3; i++) {
		pr.now += 10000;
		CHECK(proto_tick(pr.c, pr.now, &next) == 0);
		drain(pr.c, &pr.c2s);
		CHECK(pr.c2s.len == 33 + PROTO_OVERHEAD);
		CHECK(deliver(pr.s, &pr.c2s, pr.now, NULL, NULL, NULL) == 0);
		drain(pr.s, &pr.s2c);
		CHECK(deliver(pr.c, &pr.s2c, pr.now, NULL, NULL, NULL) == 0);
		drain(pr.c, &pr.c2s);
		CHECK(deliver(pr.s, &pr.c2s, pr.now, NULL, NULL, NULL) == 0);
		CHECK(proto_rekeys(pr.c) == (uint64_t)i + 1);
		CHECK(proto_rekeys(pr.s) == (uint64_t)i + 1);
	}
	CHECK(send_data(pr.s, &pr.s2c, 10, 1, pr.now) == 0);
	CHECK(deliver(pr.c, &pr.s2c, pr.now, NULL, NULL, NULL) == 0);
	pair_free(&pr);
	return (0);
}

static int
t_close(void)
{
	struct pair	 pr;
	struct proto_event ev;
	int		 closes = 0;
	const uint8_t	*out;

	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(pair_up(&pr) == 0);
	CHECK(send_data(pr.c, &pr.c2s, 10, 1, pr.now) == 0);
	proto_close(pr.c);
	CHECK(!proto_is_up(pr.c));
	CHECK(proto_seal(pr.c, pr.s2c.buf, 10, pr.now) == 0);
	/* Version 2 says why, in one byte (none given here). */
	CHECK(proto_pending(pr.c, &out) == PROTO_OVERHEAD +
	    (test_version >= PROTO_V2 ? 1 : 0));
	drain(pr.c, &pr.c2s);
	CHECK(deliver(pr.s, &pr.c2s, pr.now, NULL, NULL, &closes) == 0);
	CHECK(closes == 1 && !proto_is_up(pr.s));
	CHECK(proto_input(pr.s, (uint8_t *)"xxxxxxxxxxxxxxxxxxxx",
	    PROTO_OVERHEAD, pr.now, &ev) == -1);
	pair_free(&pr);
	return (0);
}

/* A full cache evicts, and what it evicted stays refused. */
static int
t_replay_cache(void)
{
	struct proto_replay *r;
	struct proto_params pp;
	struct seam	 seam;
	uint8_t		 h[4][PROTO_HELLO_MAX];
	struct proto	*s;
	struct proto_event ev;
	int		 i, f;

	CHECK((r = proto_replay_new(2)) != NULL);
	for (i = 0; i < 4; i++) {
		seam_init(&seam, 40 + i);
		seam.wall = WALL0 - 30 + 10 * i;
		CHECK(make_hello(h[i], &seam, PROTO_CIPHER_AUTO) == 0);
	}
	seam_init(&seam, 50);
	params(&pp, PROTO_SERVER, PROTO_CIPHER_AUTO, &seam, r);
	for (i = 0; i < 3; i++) {
		CHECK((s = proto_new(&pp)) != NULL);
		CHECK(proto_input(s, h[i], HLEN, 0, &ev) == (ssize_t)HLEN);
		proto_free(s);
	}
	for (i = 0; i < 3; i++) {
		CHECK(proto_hello_check(&pp, h[i], HLEN, &f) == -1);
		CHECK(f == PROTO_F_REPLAY);
	}
	CHECK(proto_hello_check(&pp, h[3], HLEN, &f) == 0);
	proto_replay_free(r);
	return (0);
}

/*
 * Known answers: a scripted session with a fixed rng and clock; what
 * each side wrote is compared with regress/proto/kat.txt.
 */
static int
kat_run(struct kat *k, enum proto_cipher c)
{
	struct proto_params tmpl;

	memset(k, 0, sizeof(*k));
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.rekey_bytes = 64;
	CHECK(pair_new(&k->pr, c, PROTO_CIPHER_AUTO, &tmpl) == 0);
	CHECK(proto_start(k->pr.c, k->pr.now) == 0);
	CHECK(kat_flush(k) == 0);
	CHECK(proto_is_up(k->pr.c) && proto_is_up(k->pr.s));
	CHECK(kat_send(k, 1, "first frame, client to server") == 0);
	CHECK(kat_send(k, 0, "first frame, server to client") == 0);
	/* Over rekey_bytes: the client's INIT follows this frame. */
	CHECK(kat_send(k, 1, "second frame from the client, which crosses "
	    "the rekey byte limit") == 0);
	CHECK(kat_flush(k) == 0);
	CHECK(proto_rekeys(k->pr.c) == 1 && proto_rekeys(k->pr.s) == 1);
	CHECK(kat_send(k, 1, "after rekey, client") == 0);
	CHECK(kat_send(k, 0, "after rekey, server") == 0);
	proto_close(k->pr.c);
	CHECK(kat_flush(k) == 0);
	return (0);
}

static int
kat_generate(void)
{
	static const enum proto_cipher cs[] = { PROTO_CIPHER_AES256GCM,
	    PROTO_CIPHER_CHACHA20POLY1305 };
	struct kat	 k;
	char		 name[64];
	size_t		 i;

	if (!aes_ok)
		errx(1, "no AES-GCM here: cannot make every vector");
	printf("# regress/proto/kat.txt: made by test_proto -g; see "
	    "doc/PROTOCOL.md.\n# PSK 32 x 0x42, clock %llu, rng as in "
	    "test_proto.c seam_rng().\n", (unsigned long long)WALL0);
	for (i = 0; i < nitems(cs); i++) {
		if (kat_run(&k, cs[i]) == -1)
			errx(1, "kat_run failed");
		snprintf(name, sizeof(name), "%s.c2s", cipher_str(cs[i]));
		hexline(stdout, name, &k.rec_c2s);
		snprintf(name, sizeof(name), "%s.s2c", cipher_str(cs[i]));
		hexline(stdout, name, &k.rec_s2c);
		kat_free(&k);
	}
	return (0);
}

static int
t_kat(enum proto_cipher c)
{
	struct kat	 k;
	char		 name[64];
	FILE		*f;
	int		 rc;

	CHECK((f = kat_open("kat.txt")) != NULL);
	CHECK(kat_run(&k, c) == 0);
	snprintf(name, sizeof(name), "%s.c2s", cipher_str(c));
	rc = kat_compare(f, name, &k.rec_c2s);
	snprintf(name, sizeof(name), "%s.s2c", cipher_str(c));
	if (kat_compare(f, name, &k.rec_s2c) == -1)
		rc = -1;
	kat_free(&k);
	fclose(f);
	CHECK(rc == 0);
	return (0);
}

/* Per-cipher cases, run once for each cipher this machine has. */
static enum proto_cipher cur;

static int c_exchange(void) { return (t_exchange(cur)); }
static int c_tamper_frame(void) { return (t_tamper_frame(cur)); }
static int c_rekey1(void) { return (t_rekey_traffic(cur, 0x1234567)); }
static int c_rekey2(void) { return (t_rekey_traffic(cur, 0xfeedbeef)); }
static int c_kat(void) { return (t_kat(cur)); }

static void
vrun(const char *what, int (*fn)(void))
{
	char	 name[96];

	snprintf(name, sizeof(name), "v%d %s", test_version, what);
	run(name, fn);
}

static void
per_cipher(const char *what, int (*fn)(void))
{
	char	 name[80];

	snprintf(name, sizeof(name), "%s %s", what, cipher_str(cur));
	vrun(name, fn);
}

/*
 * Every case that means the same in both versions, run in each; the
 * version 2 specifics are in test_proto2.c.
 */
static void
run_version(int version)
{
	static const enum proto_cipher cs[] = { PROTO_CIPHER_AES256GCM,
	    PROTO_CIPHER_CHACHA20POLY1305 };
	size_t	 i;

	test_version = version;
	for (i = 0; i < nitems(cs); i++) {
		cur = cs[i];
		if (cur == PROTO_CIPHER_AES256GCM && !aes_ok) {
			printf("  aes256gcm cases: skipped (no AES-NI)\n");
			continue;
		}
		per_cipher("handshake and data exchange", c_exchange);
		per_cipher("tampered frame, every byte", c_tamper_frame);
		per_cipher("rekey under traffic (1)", c_rekey1);
		per_cipher("rekey under traffic (2)", c_rekey2);
		if (version == PROTO_V1)
			per_cipher("known-answer vectors", c_kat);
	}
	vrun("cipher negotiation", t_negotiation);
	vrun("tampered hello, every bit", t_tamper_hello);
	vrun("tampered reply, every bit", t_tamper_reply);
	if (version == PROTO_V1)
		vrun("wrong version, wrong key", t_version_and_key);
	vrun("truncation at every length", t_truncation);
	vrun("replayed hello", t_replayed_hello);
	vrun("stale and future timestamps", t_timestamps);
	vrun("replayed, reordered, dropped frames", t_frame_order);
	vrun("oversized length", t_oversize);
	vrun("keepalive, dead peer, handshake timeout", t_timers);
	vrun("timers changed on a running session", t_set_timers);
	vrun("rekey on time", t_rekey_time);
	vrun("orderly close", t_close);
	vrun("replay cache eviction", t_replay_cache);
}

int
main(int argc, char *argv[])
{
	if (sodium_init() == -1)
		errx(1, "sodium_init");
	aes_ok = crypto_aead_aes256gcm_is_available();
	if (argc == 2 && strcmp(argv[1], "-g") == 0)
		return (kat_generate());
	setvbuf(stdout, NULL, _IOLBF, 0);
	run_version(PROTO_V1);
	run_version(PROTO_V2);
	printf("%d cases, %d failed\n", cases, failures > 0 ? failures : 0);
	return (failures == 0 ? 0 : 1);
}
