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
 * libFuzzer target for the DSVPN compatibility protocol (tunnel/dsvpn.h).
 * Both sides use the key, clock and randoms of the captured session 1
 * of ../shared/vectors/dsvpn, so the seeds (real DSVPN streams) get
 * through the handshake and the frame decoder from the first run.  The
 * first input byte picks a mode:
 *
 *	0  server fed raw bytes: hello, then frames
 *	1  the same, with the hello's T and A1 fixed up first, so that any
 *	   mutation of the frames still meets the frame decoder
 *	2  client after its hello, fed raw bytes: reply, then frames
 *	3  established session: genuine frames of the client, XORed with
 *	   the input, to the server
 *	4  established session: a script of frames sealed by either side
 *	   and delivered in pieces of any size; every byte must arrive
 *	5  the keyless sniffer and the pre-check on raw bytes
 *
 * The second byte sets the size of the pieces the bytes arrive in.
 * Oracles, besides the sanitizers: an event's data lies inside the unit
 * just consumed; a packet delivered in modes 3 and 4 is exactly the one
 * sealed at that place; genuine frames never fail.
 * Built with -DFUZZ_SEEDGEN it is instead a program that writes the seed
 * corpus (fuzz/corpus-dsvpn/) from the vectors' directory.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dsvpn_int.h"

#define FUZZ_BUF	(2 * DSVPN_MAX_FRAME)
#define FUZZ_PKTS	64
#define FUZZ_SEALED	(24 * 1024)	/* per script run, for speed */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Session 1 of the vectors: key 00..1f, T, Rc and Rs (session.txt). */
static const uint64_t	 fuzz_wall = 1795406135ULL;
static const uint8_t	 fuzz_rc[32] = {
	0x31, 0x16, 0x07, 0xe7, 0xa0, 0x01, 0x2c, 0x7c,
	0x5e, 0x1e, 0x51, 0x6f, 0x61, 0xf8, 0x2d, 0x08,
	0x50, 0x0c, 0x6c, 0xff, 0x1b, 0xb6, 0x23, 0x63,
	0xde, 0x50, 0xa4, 0xdb, 0x40, 0xaa, 0x5b, 0x18
};
static const uint8_t	 fuzz_rs[32] = {
	0x5a, 0x05, 0x0f, 0x42, 0x80, 0xe6, 0x51, 0x28,
	0x8e, 0x26, 0x00, 0x50, 0xef, 0x66, 0xe3, 0xf3,
	0x56, 0x76, 0x09, 0x94, 0xa4, 0x6d, 0x74, 0x4a,
	0x50, 0x8a, 0xdf, 0xf0, 0x34, 0xe6, 0xd6, 0x11
};

static struct dsvpn	*est_c, *est_s;	/* after the handshake, up */
static uint64_t		 seen_up, seen_data;	/* for the seed check */
static struct dsvpn	*work_c, *work_s;
static uint8_t		*fbuf, *wire;

/* What a side sealed, to compare with what the other side delivers. */
struct sent {
	size_t		 len[FUZZ_PKTS];
	uint8_t		 first[FUZZ_PKTS];	/* payload byte 0 */
	uint8_t		 fill[FUZZ_PKTS];	/* every later byte */
	size_t		 n, got;
};

static void
fuzz_rng(void *arg, uint8_t *buf, size_t len)
{
	const uint8_t	*r = arg;

	memset(buf, 0, len);
	memcpy(buf, r, len < 32 ? len : 32);
}

static uint64_t
fuzz_clock(void *arg)
{
	return (fuzz_wall);
}

static void
fuzz_params(struct dsvpn_params *pp, enum proto_role role,
    struct dsvpn_replay *r)
{
	int	 i;

	memset(pp, 0, sizeof(*pp));
	pp->role = role;
	for (i = 0; i < DSVPN_KEY_LEN; i++)
		pp->psk[i] = (uint8_t)i;
	pp->replay = r;
	pp->rng = fuzz_rng;
	pp->wallclock = fuzz_clock;
	pp->seam_arg = (void *)(role == PROTO_SERVER ? fuzz_rs : fuzz_rc);
}

/* Move one side's pending output into the other. */
static void
fuzz_pass(struct dsvpn *from, struct dsvpn *to)
{
	struct proto_event	 ev;
	const uint8_t		*out;
	size_t			 n;

	n = dsvpn_pending(from, &out);
	memcpy(fbuf, out, n);
	dsvpn_consume(from, n);
	if (dsvpn_input(to, fbuf, n, 0, &ev) != (ssize_t)n)
		abort();
}

static void
fuzz_init(void)
{
	static struct dsvpn_replay *r;
	struct dsvpn_params	 pp;
	struct proto_event	 ev;

	if (fbuf != NULL)
		return;
	if (sodium_init() == -1 || (fbuf = malloc(FUZZ_BUF)) == NULL ||
	    (wire = malloc(2 * DSVPN_MAX_FRAME)) == NULL ||
	    (r = dsvpn_replay_new(4)) == NULL)
		abort();
	fuzz_params(&pp, PROTO_CLIENT, NULL);
	est_c = dsvpn_new(&pp);
	work_c = dsvpn_new(&pp);
	fuzz_params(&pp, PROTO_SERVER, r);
	est_s = dsvpn_new(&pp);
	work_s = dsvpn_new(&pp);
	if (est_c == NULL || est_s == NULL || work_c == NULL ||
	    work_s == NULL || dsvpn_start(est_c, 0) == -1)
		abort();
	fuzz_pass(est_c, est_s);
	fuzz_pass(est_s, est_c);
	/* A zero-length frame confirms the session to the server. */
	if (dsvpn_seal(est_c, fbuf, 0, 0) != DSVPN_HDR_LEN ||
	    dsvpn_input(est_s, fbuf, DSVPN_HDR_LEN, 0, &ev) != DSVPN_HDR_LEN ||
	    !dsvpn_is_up(est_c) || !dsvpn_is_up(est_s))
		abort();
}

/* An event's packet must match what was sealed at its place, if known. */
static void
fuzz_check(const struct proto_event *ev, const uint8_t *unit, size_t n,
    struct sent *s)
{
	size_t	 i, k;

	if (ev->type == PROTO_EV_NONE)
		return;
	if (ev->type == PROTO_EV_UP)
		seen_up++;
	else
		seen_data++;
	if (ev->len > 0 && (ev->data < unit + DSVPN_HDR_LEN ||
	    ev->data + ev->len != unit + n))
		abort();
	if (s == NULL)
		return;
	/* Zero-length frames deliver nothing: skip them. */
	while (s->got < s->n && s->len[s->got] == 0)
		s->got++;
	if (s->got >= s->n)
		abort();
	k = s->got++;
	if (ev->len != s->len[k] || ev->data[0] != s->first[k])
		abort();
	for (i = 1; i < ev->len; i++)
		if (ev->data[i] != s->fill[k])
			abort();
}

/*
 * Feed `len' bytes of fbuf to p in pieces, as a transport would; -1 if
 * the session ended.
 */
static int
fuzz_feed(struct dsvpn *p, size_t len, size_t chunk, struct sent *s)
{
	struct proto_event	 ev;
	size_t			 have = 0, off = 0;
	ssize_t			 r;

	while (have < len) {
		have += chunk;
		if (have > len)
			have = len;
		while ((r = dsvpn_input(p, fbuf + off, have - off, 0,
		    &ev)) > 0) {
			fuzz_check(&ev, fbuf + off, (size_t)r, s);
			off += (size_t)r;
		}
		if (r < 0)
			return (-1);
		if (dsvpn_need(p) > DSVPN_MAX_FRAME)
			abort();
	}
	return (0);
}

/* The hello's T set to the fuzzer's clock and A1 made with its key. */
static void
fuzz_fixup(uint8_t *hello)
{
	struct dsvpn_params	 pp;
	struct charm		 kx;
	int			 i;

	fuzz_params(&pp, PROTO_SERVER, NULL);
	for (i = 0; i < 8; i++)
		hello[DSVPN_TS_OFF + i] = (uint8_t)(fuzz_wall >> (8 * i));
	dshs_kx_init(&kx, pp.psk);
	charm_hash(&kx, hello + DSVPN_TS_OFF + 8, hello, DSVPN_TS_OFF + 8);
}

static void
fuzz_server(const uint8_t *d, size_t n, size_t chunk, int fixup)
{
	struct dsvpn_params	 pp;
	struct dsvpn_replay	*r;
	struct dsvpn		*p;

	if ((r = dsvpn_replay_new(4)) == NULL)
		abort();
	fuzz_params(&pp, PROTO_SERVER, r);
	if ((p = dsvpn_new(&pp)) == NULL)
		abort();
	memcpy(fbuf, d, n);
	if (fixup && n >= DSVPN_HELLO_LEN)
		fuzz_fixup(fbuf);
	fuzz_feed(p, n, chunk, NULL);
	dsvpn_free(p);
	dsvpn_replay_free(r);
}

static void
fuzz_client(const uint8_t *d, size_t n, size_t chunk)
{
	struct dsvpn_params	 pp;
	struct dsvpn		*p;

	fuzz_params(&pp, PROTO_CLIENT, NULL);
	if ((p = dsvpn_new(&pp)) == NULL || dsvpn_start(p, 0) == -1)
		abort();
	memcpy(fbuf, d, n);
	fuzz_feed(p, n, chunk, NULL);
	dsvpn_free(p);
}

static void
fuzz_restore(void)
{
	memcpy(work_c, est_c, sizeof(*work_c));
	memcpy(work_s, est_s, sizeof(*work_s));
}

/* Seal a packet of len bytes: first byte, then `fill' repeated. */
static size_t
fuzz_seal(struct dsvpn *p, uint8_t *at, size_t len, uint8_t first,
    uint8_t fill, struct sent *s)
{
	if (len > 0) {
		at[DSVPN_HDR_LEN] = first;
		memset(at + DSVPN_HDR_LEN + 1, fill, len - 1);
	}
	if (s->n < FUZZ_PKTS) {
		s->len[s->n] = len;
		s->first[s->n] = first;
		s->fill[s->n] = fill;
		s->n++;
	}
	return (dsvpn_seal(p, at, len, 0));
}

/* Genuine frames from the client, with the input XORed over them. */
static void
fuzz_tamper(const uint8_t *d, size_t n, size_t chunk)
{
	static const size_t	 sizes[] = { 0, 1, 15, 16, 17, 300, 1500 };
	struct sent		 s;
	size_t			 len = 0, i;

	fuzz_restore();
	memset(&s, 0, sizeof(s));
	for (i = 0; i < nitems(sizes); i++)
		len += fuzz_seal(work_c, fbuf + len, sizes[i], (uint8_t)i,
		    (uint8_t)(0x40 + i), &s);
	for (i = 0; i < n && i < len; i++)
		fbuf[i] ^= d[i];
	fuzz_feed(work_s, len, chunk, &s);
}

/*
 * A script of one-byte operations.  0x00-0x3f: the client seals a frame
 * whose length is the next byte times the low six bits (so 0x00 seals
 * an empty one); 0x40-0x7f: the server does.  0x80-0xbf: the server
 * receives what the client sealed, 0xc0-0xff: the client what the
 * server sealed, in pieces of the low six bits plus one.  Every packet
 * must arrive as it was sealed, and none may fail.  At most FUZZ_SEALED
 * bytes are sealed per run, so that a run stays short.
 */
static void
fuzz_deliver(int to, uint8_t *q, size_t len, size_t chunk, struct sent *s)
{
	memcpy(fbuf, q, len);
	if (fuzz_feed(to ? work_c : work_s, len, chunk, s) == -1)
		abort();
	while (s->got < s->n && s->len[s->got] == 0)
		s->got++;
	if (s->got != s->n)
		abort();
	s->n = s->got = 0;
}

static void
fuzz_script(const uint8_t *d, size_t n)
{
	struct sent	 s[2];
	size_t		 wlen[2] = { 0, 0 }, i = 0, len, total = 0;
	uint8_t		*q[2];
	int		 q_of;

	fuzz_restore();
	memset(s, 0, sizeof(s));
	q[0] = wire;
	q[1] = wire + DSVPN_MAX_FRAME;
	while (i < n) {
		/* Queue 0: client to server; queue 1: server to client. */
		q_of = (d[i] & 0x40) != 0;
		if (d[i] & 0x80) {
			fuzz_deliver(q_of, q[q_of], wlen[q_of],
			    (d[i] & 0x3f) + 1, &s[q_of]);
			wlen[q_of] = 0;
			i++;
			continue;
		}
		if (i + 1 >= n)
			break;
		len = (size_t)d[i + 1] * (d[i] & 0x3f);
		total += len;
		if (wlen[q_of] + DSVPN_HDR_LEN + len > DSVPN_MAX_FRAME ||
		    s[q_of].n >= FUZZ_PKTS || total > FUZZ_SEALED)
			break;
		wlen[q_of] += fuzz_seal(q_of ? work_s : work_c,
		    q[q_of] + wlen[q_of], len, d[i + 1], (uint8_t)i,
		    &s[q_of]);
		i += 2;
	}
}

static void
fuzz_pure(const uint8_t *d, size_t n)
{
	struct dsvpn_params	 pp;
	int			 fault;

	fuzz_params(&pp, PROTO_SERVER, NULL);
	(void)dsvpn_hello_sniff(d, n, fuzz_wall, 0);
	if (dsvpn_hello_check(&pp, d, n, &fault) == 0 &&
	    n != DSVPN_HELLO_LEN)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	size_t	 chunk;

	fuzz_init();
	if (n < 2 || n - 2 > DSVPN_MAX_FRAME)
		return (0);
	chunk = d[1] == 0 ? n : d[1];
	switch (d[0] % 6) {
	case 0:
	case 1:
		fuzz_server(d + 2, n - 2, chunk, d[0] % 6);
		break;
	case 2:
		fuzz_client(d + 2, n - 2, chunk);
		break;
	case 3:
		fuzz_tamper(d + 2, n - 2, chunk);
		break;
	case 4:
		fuzz_script(d + 2, n - 2);
		break;
	default:
		fuzz_pure(d + 2, n - 2);
		break;
	}
	return (0);
}

#ifdef FUZZ_SEEDGEN
#include <err.h>
#include <stdio.h>

static void
seed_write(const char *dir, const char *name, uint8_t mode, uint8_t chunk,
    const uint8_t *d, size_t n)
{
	char	 path[1024];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		err(1, "%s", path);
	fputc(mode, f);
	fputc(chunk, f);
	if (fwrite(d, 1, n, f) != n || fclose(f) != 0)
		err(1, "%s", path);
}

/* The first `frames' frames of a vector stream, after its handshake. */
static size_t
seed_prefix(const uint8_t *b, size_t len, size_t hs, size_t frames)
{
	size_t	 off = hs;

	while (frames-- > 0 && off + DSVPN_HDR_LEN <= len)
		off += DSVPN_HDR_LEN + (b[off] | (size_t)b[off + 1] << 8);
	return (off < len ? off : len);
}

/* A seed made from a real stream must get past the handshake. */
static void
seed_check(const char *name, const uint8_t *d, size_t n, uint64_t data)
{
	uint8_t	 in[8192 + 2];

	memcpy(in + 2, d, n);
	in[0] = name[0] == 's' ? 0 : 2;
	in[1] = 0;
	seen_up = seen_data = 0;
	LLVMFuzzerTestOneInput(in, n + 2);
	if (seen_up != 1 || seen_data != data)
		errx(1, "%s: %llu up, %llu packets: the seed does not reach "
		    "the frames", name, (unsigned long long)seen_up,
		    (unsigned long long)seen_data);
}

static uint8_t *
seed_read(const char *dir, const char *name, size_t *len)
{
	static uint8_t	 buf[65536];
	char		 path[1024];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/session1/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		err(1, "%s", path);
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return (buf);
}

int
main(int argc, char *argv[])
{
	static const uint8_t zeros[64], script[] = {
		0x01, 0x05, 0x41, 0x10, 0x00, 0x00, 0x80,	/* to server */
		0xc3,						/* to client */
		0x20, 0xff, 0x03, 0x30, 0x81,			/* big */
		0x7f, 0x02, 0x40, 0x00, 0xc0
	};
	uint8_t		 c2s[8192], s2c[8192], *b;
	size_t		 nc, ns, len;

	if (argc != 3)
		errx(1, "usage: fuzz_dsvpn_seedgen vectors-dir corpus-dir");
	b = seed_read(argv[1], "c2s.bin", &len);
	nc = seed_prefix(b, len, DSVPN_HELLO_LEN, 6);
	if (nc > sizeof(c2s))
		errx(1, "c2s prefix too long");
	memcpy(c2s, b, nc);
	b = seed_read(argv[1], "s2c.bin", &len);
	ns = seed_prefix(b, len, DSVPN_REPLY_LEN, 6);
	if (ns > sizeof(s2c))
		errx(1, "s2c prefix too long");
	memcpy(s2c, b, ns);
	seed_write(argv[2], "server-session", 0, 0, c2s, nc);
	seed_write(argv[2], "server-pieces", 0, 7, c2s, nc);
	seed_write(argv[2], "server-fixup", 1, 0, c2s, nc);
	seed_write(argv[2], "server-hello-only", 0, 0, c2s, DSVPN_HELLO_LEN);
	seed_write(argv[2], "client-session", 2, 0, s2c, ns);
	seed_write(argv[2], "client-pieces", 2, 5, s2c, ns);
	seed_write(argv[2], "tamper-none", 3, 0, zeros, sizeof(zeros));
	seed_write(argv[2], "script", 4, 0, script, sizeof(script));
	seed_write(argv[2], "pure-hello", 5, 0, c2s, DSVPN_HELLO_LEN);
	/* The server's first frame is its EV_UP: five more, the client 6. */
	seed_check("server-session", c2s, nc, 5);
	seed_check("client-session", s2c, ns, 6);
	return (0);
}
#endif /* FUZZ_SEEDGEN */
