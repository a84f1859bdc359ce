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
 * libFuzzer target for the protocol's decoders.  The first input byte
 * picks a mode:
 *
 *	0  server fed raw bytes: hello, then frames
 *	1  server fed a hello whose MAC and clock are fixed up first, so
 *	   that the fuzzer gets past the MAC to the frame decoder
 *	2  client after its hello, fed raw bytes: reply, then frames
 *	3  established session: genuine frames, XORed with the input
 *	4  established session: the input scripts frames of any type and
 *	   length that the peer seals genuinely (control-frame parsing,
 *	   rekey state machine)
 *
 * The second byte sets the size of the chunks the bytes arrive in.
 * Built with -DFUZZ_SEEDGEN it is instead a program that writes the
 * seed corpus (fuzz/corpus/) into the directory given.
 * Nothing a frame yields may be data unless its tag verified, and the
 * state machine must never crash or read out of bounds.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto_int.h"

#define FUZZ_WALL	1700000000ULL
#define FUZZ_BUF	(2 * (PROTO_MAX_PAYLOAD + PROTO_OVERHEAD))

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint64_t		 fuzz_calls;
static uint64_t		 fuzz_now;	/* ms, for proto_tick() */
static struct proto	*est_c, *est_s;		/* after the handshake */
static struct proto	*work_c, *work_s;
static uint8_t		*fbuf;

static void
fuzz_rng(void *arg, uint8_t *buf, size_t len)
{
	uint8_t	 seed[randombytes_SEEDBYTES];
	int	 i;

	memset(seed, 0, sizeof(seed));
	for (i = 0; i < 8; i++)
		seed[i] = (uint8_t)(fuzz_calls >> (8 * i));
	fuzz_calls++;
	randombytes_buf_deterministic(buf, len, seed);
}

static uint64_t
fuzz_wall(void *arg)
{
	return (FUZZ_WALL);
}

static void
fuzz_params(struct proto_params *pp, enum proto_role role,
    struct proto_replay *r)
{
	memset(pp, 0, sizeof(*pp));
	pp->role = role;
	memset(pp->psk, 0x42, sizeof(pp->psk));
	pp->replay = r;
	pp->rng = fuzz_rng;
	pp->wallclock = fuzz_wall;
	pp->rekey_bytes = 1 << 20;
	pp->rekey_ms = 20000;
	pp->keepalive_ms = 3000;
	pp->dead_ms = 30000;
	pp->max_payload = 2000;
}

/* Move p's output into `to', which parses it. */
static void
fuzz_pass(struct proto *from, struct proto *to)
{
	struct proto_event	 ev;
	const uint8_t		*out;
	size_t			 n, off = 0;
	ssize_t			 r;

	n = proto_pending(from, &out);
	memcpy(fbuf, out, n);
	proto_consume(from, n);
	while (off < n &&
	    (r = proto_input(to, fbuf + off, n - off, 0, &ev)) > 0)
		off += r;
}

/* Once: a session both ways up, copied for every run of modes 3, 4. */
static void
fuzz_init(void)
{
	static struct proto_replay *r;
	struct proto_params	 pp;

	if (fbuf != NULL)
		return;
	if (sodium_init() == -1 || (fbuf = malloc(FUZZ_BUF)) == NULL ||
	    (r = proto_replay_new(4)) == NULL)
		abort();
	fuzz_params(&pp, PROTO_CLIENT, NULL);
	est_c = proto_new(&pp);
	fuzz_params(&pp, PROTO_SERVER, r);
	est_s = proto_new(&pp);
	work_c = proto_new(&pp);
	work_s = proto_new(&pp);
	if (est_c == NULL || est_s == NULL || work_c == NULL ||
	    work_s == NULL || proto_start(est_c, 0) == -1)
		abort();
	fuzz_pass(est_c, est_s);
	fuzz_pass(est_s, est_c);
	fuzz_pass(est_c, est_s);
	if (!proto_is_up(est_c) || !proto_is_up(est_s))
		abort();
}

/* Feed `len' bytes of fbuf to p in chunks, as a transport would. */
static void
fuzz_feed(struct proto *p, size_t len, size_t chunk)
{
	struct proto_event	 ev;
	size_t			 have = 0, off = 0;
	ssize_t			 r;

	while (have < len) {
		have += chunk;
		if (have > len)
			have = len;
		while ((r = proto_input(p, fbuf + off, have - off, 0,
		    &ev)) > 0) {
			off += r;
			if (ev.type == PROTO_EV_DATA &&
			    (ev.data < fbuf || ev.data + ev.len > fbuf + off))
				abort();
		}
		if (r < 0)
			return;
	}
}

static void
fuzz_server(const uint8_t *d, size_t n, size_t chunk, int fixup)
{
	struct proto_params	 pp;
	struct proto_replay	*r;
	struct proto		*p;
	uint8_t			 k[32];
	int			 i;

	if ((r = proto_replay_new(4)) == NULL)
		abort();
	fuzz_params(&pp, PROTO_SERVER, r);
	if ((p = proto_new(&pp)) == NULL)
		abort();
	memcpy(fbuf, d, n);
	if (fixup && n >= PROTO_HELLO_LEN) {
		fbuf[0] = PROTO_V1;
		for (i = 0; i < 8; i++)
			fbuf[4 + i] = (uint8_t)(FUZZ_WALL >> (56 - 8 * i));
		hs_hello_key(k, pp.psk, hs_suite(PROTO_V1));
		crypto_generichash(fbuf + 60, 32, fbuf, 60, k, 32);
	}
	fuzz_feed(p, n, chunk);
	proto_free(p);
	proto_replay_free(r);
}

static void
fuzz_client(const uint8_t *d, size_t n, size_t chunk)
{
	struct proto_params	 pp;
	struct proto		*p;

	fuzz_params(&pp, PROTO_CLIENT, NULL);
	if ((p = proto_new(&pp)) == NULL || proto_start(p, 0) == -1)
		abort();
	memcpy(fbuf, d, n);
	fuzz_feed(p, n, chunk);
	proto_free(p);
}

static void
fuzz_restore(void)
{
	fuzz_now = 0;
	memcpy(work_c, est_c, sizeof(*work_c));
	memcpy(work_s, est_s, sizeof(*work_s));
}

/* Genuine frames from the client, with the input XORed over them. */
static void
fuzz_tamper(const uint8_t *d, size_t n, size_t chunk)
{
	size_t	 len = 0, i, plen;

	fuzz_restore();
	for (i = 0; i < 4; i++) {
		plen = 1 + (i * 397) % 1500;
		memset(fbuf + len + PROTO_HDR_LEN, (int)i, plen);
		len += proto_seal(work_c, fbuf + len, plen, 0);
	}
	for (i = 0; i < n && i < len; i++)
		fbuf[i] ^= d[i];
	fuzz_feed(work_s, len, chunk);
}

static int
fuzz_op(uint8_t op)
{
	uint64_t	 next;

	if (op & 0x80)
		fuzz_pass(work_s, work_c);
	else if (op & 0x40)
		fuzz_pass(work_c, work_s);
	else if (op & 0x20)
		rekey_start(work_c, 0);
	else if (op & 0x10)
		rekey_start(work_s, 0);
	else if (op == 0x08) {
		/* Time passes: keepalives, rekeys on time, timeouts. */
		fuzz_now += 4000;
		(void)proto_tick(work_c, fuzz_now, &next);
		(void)proto_tick(work_s, fuzz_now, &next);
	} else
		return (0);
	return (1);
}

/*
 * A script of one-byte operations (fuzz_op) and of frames: a type byte
 * (below 0x10 but 0x08), a length byte, that many payload bytes, which
 * the client seals with its current key whatever the type.
 */
static void
fuzz_script(const uint8_t *d, size_t n)
{
	struct proto_event	 ev;
	uint8_t			 f[256 + PROTO_OVERHEAD];
	size_t			 i = 0, plen;

	fuzz_restore();
	while (i < n && proto_is_up(work_s)) {
		if (fuzz_op(d[i])) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			break;
		plen = d[i + 1];
		if (plen > n - i - 2)
			plen = n - i - 2;
		memcpy(f + PROTO_HDR_LEN, d + i + 2, plen);
		if (frame_seal(&work_c->tx, work_c->cipher, d[i], f,
		    plen) == -1)
			abort();
		i += 2 + plen;
		if (proto_input(work_s, f, plen + PROTO_OVERHEAD, 0, &ev) < 0)
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	size_t	 chunk;

	fuzz_init();
	fuzz_calls = 0;
	if (n < 2 || n - 2 > FUZZ_BUF)
		return (0);
	chunk = d[1] == 0 ? n : d[1];
	switch (d[0] % 5) {
	case 0:
		fuzz_server(d + 2, n - 2, chunk, 0);
		break;
	case 1:
		fuzz_server(d + 2, n - 2, chunk, 1);
		break;
	case 2:
		fuzz_client(d + 2, n - 2, chunk);
		break;
	case 3:
		fuzz_tamper(d + 2, n - 2, chunk);
		break;
	default:
		fuzz_script(d + 2, n - 2);
		break;
	}
	return (0);
}

#ifdef FUZZ_SEEDGEN
#include <err.h>
#include <stdio.h>

static void
seed_write(const char *dir, const char *name, uint8_t mode,
    const uint8_t *d, size_t n)
{
	char	 path[1024];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		err(1, "%s", path);
	fputc(mode, f);
	fputc(0, f);
	if (fwrite(d, 1, n, f) != n || fclose(f) != 0)
		err(1, "%s", path);
}

/* Append p's output to a record. */
static size_t
seed_take(struct proto *p, uint8_t *rec, size_t len)
{
	const uint8_t	*out;
	size_t		 n;

	n = proto_pending(p, &out);
	memcpy(rec + len, out, n);
	return (len + n);
}

static void
seed_session(const char *dir)
{
	static uint8_t		 c2s[8192], s2c[8192], f[600];
	struct proto_params	 pp;
	struct proto_replay	*r;
	struct proto		*c, *s;
	size_t			 nc = 0, ns = 0, i;

	if ((r = proto_replay_new(4)) == NULL)
		abort();
	fuzz_params(&pp, PROTO_CLIENT, NULL);
	c = proto_new(&pp);
	fuzz_params(&pp, PROTO_SERVER, r);
	s = proto_new(&pp);
	/* The rng calls as the fuzz runs will make them: see above. */
	fuzz_calls = 0;
	proto_start(c, 0);
	nc = seed_take(c, c2s, nc);
	fuzz_calls = 0;
	fuzz_pass(c, s);
	ns = seed_take(s, s2c, ns);
	fuzz_pass(s, c);
	nc = seed_take(c, c2s, nc);
	fuzz_pass(c, s);
	for (i = 0; i < 3; i++) {
		memset(f + PROTO_HDR_LEN, 'a' + (int)i, 100 * (i + 1));
		memcpy(c2s + nc, f, proto_seal(c, f, 100 * (i + 1), 0));
		nc += 100 * (i + 1) + PROTO_OVERHEAD;
		memcpy(s2c + ns, f, proto_seal(s, f, 100 * (i + 1), 0));
		ns += 100 * (i + 1) + PROTO_OVERHEAD;
	}
	seed_write(dir, "server-session", 0, c2s, nc);
	seed_write(dir, "server-fixup", 1, c2s, nc);
	seed_write(dir, "server-hello-only", 0, c2s, PROTO_HELLO_LEN);
	seed_write(dir, "client-session", 2, s2c, ns);
	proto_free(c);
	proto_free(s);
	proto_replay_free(r);
}

int
main(int argc, char *argv[])
{
	static const uint8_t zeros[64], script[] = {
		0x01, 0x05, 'h', 'e', 'l', 'l', 'o',	/* data */
		0x02, 0x00,				/* keepalive */
		0x20, 0x40, 0x80, 0x40,			/* client rekey */
		0x10, 0x80, 0x40, 0x80,			/* server rekey */
		0x08, 0x80, 0x40, 0x08, 0x08, 0x08,	/* time passes */
		0x08, 0x80, 0x40, 0x80, 0x40,		/* rekey on time */
		0x03, 0x01, 0x03			/* stray DONE */
	}, closing[] = {
		0x01, 0x02, 'h', 'i',			/* data */
		0x04, 0x00,				/* close */
		0x01, 0x02, 'h', 'i'			/* refused */
	};

	if (argc != 2)
		errx(1, "usage: fuzz_proto_seedgen dir");
	fuzz_init();
	seed_session(argv[1]);
	seed_write(argv[1], "tamper-none", 3, zeros, sizeof(zeros));
	seed_write(argv[1], "script", 4, script, sizeof(script));
	seed_write(argv[1], "script-close", 4, closing, sizeof(closing));
	return (0);
}
#endif /* FUZZ_SEEDGEN */
