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
 * picks a mode (modulo 15):
 *
 *	0  server (either version) fed raw bytes: hello, then frames
 *	1  server fed a v1 hello whose MAC and clock are fixed up first,
 *	   so that the fuzzer gets past the MAC to the frame decoder
 *	2  v1 client after its hello, fed raw bytes: reply, then frames
 *	3  established v1 session: genuine frames, XORed with the input
 *	4  established v1 session: the input scripts frames of any type
 *	   and length that the client seals genuinely (control-frame
 *	   parsing, rekey state machine)
 *	5  as 1 with a v2 hello (its key id is the fuzzer's)
 *	6  as 2 with a v2 client
 *	7  as 3 in a v2 session
 *	8  as 4 in a v2 session
 *	9  as 8, the server sealing to the client (PUSH, TICKET, CLOSE
 *	   reasons; each push is decoded)
 *	10 push_decode() of the raw input; what it takes must encode and
 *	   decode again to the same
 *	11 datagram server fed raw datagrams (fuzz_dgram.c has 11-14)
 *	12 datagram server fed a hello with its MAC fixed up, then raw
 *	   datagrams to the session it made
 *	13 datagram client after its hello, fed raw datagrams
 *	14 two datagram sessions, up, and a script of what the network
 *	   and the ends do: seal, deliver, lose, duplicate, reorder,
 *	   damage, time, rekey, push, ticket, probe, close
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

#include "fuzz.h"
#include "proto_int.h"
#include "push.h"

#define FUZZ_BUF	(2 * (PROTO_MAX_PAYLOAD + PROTO_OVERHEAD))

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

uint64_t		 fuzz_calls;
static uint64_t		 fuzz_now;	/* ms, for proto_tick() */
static struct proto	*est_c[2], *est_s[2];	/* up, per version */
static struct proto	*work_c, *work_s;
static uint8_t		*fbuf;

void
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

uint64_t
fuzz_wall(void *arg)
{
	return (FUZZ_WALL);
}

/* version: the client's; a server accepts both. */
void
fuzz_params(struct proto_params *pp, enum proto_role role,
    struct proto_replay *r, int version)
{
	memset(pp, 0, sizeof(*pp));
	pp->role = role;
	pp->version = role == PROTO_CLIENT ? version : 0;
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

/*
 * What an event may carry: data, a push, a ticket only inside fbuf; a
 * push through the decoder, which must not refuse its own encoding.
 */
void
fuzz_push(const uint8_t *d, size_t n)
{
	static uint8_t	 re[PUSH_MAX_LEN];
	struct push	 a, b;
	const char	*why;
	ssize_t		 m;

	if (push_decode(d, n, &a, &why) == -1)
		return;
	if ((m = push_encode(&a, re, sizeof(re), &why)) < 0 ||
	    push_decode(re, m, &b, &why) == -1 ||
	    memcmp(&a, &b, sizeof(a)) != 0)
		abort();
}

static void
fuzz_event(const struct proto_event *ev)
{
	if (ev->type == PROTO_EV_DATA || ev->type == PROTO_EV_PUSH ||
	    ev->type == PROTO_EV_TICKET) {
		if (ev->data < fbuf || ev->data + ev->len > fbuf + FUZZ_BUF)
			abort();
		if (ev->type == PROTO_EV_TICKET && ev->len != PROTO_TICKET_LEN)
			abort();
		if (ev->type == PROTO_EV_PUSH)
			fuzz_push(ev->data, ev->len);
	}
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
	    (r = proto_input(to, fbuf + off, n - off, 0, &ev)) > 0) {
		off += r;
		fuzz_event(&ev);
	}
}

/* Once: a session of each version up, copied for every session run. */
static void
fuzz_init(void)
{
	static struct proto_replay *r;
	struct proto_params	 pp;
	int			 v;

	if (fbuf != NULL)
		return;
	if (sodium_init() == -1 || (fbuf = malloc(FUZZ_BUF)) == NULL ||
	    (r = proto_replay_new(4)) == NULL)
		abort();
	for (v = 0; v < 2; v++) {
		fuzz_params(&pp, PROTO_CLIENT, NULL, PROTO_V1 + v);
		est_c[v] = proto_new(&pp);
		fuzz_params(&pp, PROTO_SERVER, r, 0);
		est_s[v] = proto_new(&pp);
		if (est_c[v] == NULL || est_s[v] == NULL ||
		    proto_start(est_c[v], 0) == -1)
			abort();
		fuzz_pass(est_c[v], est_s[v]);
		fuzz_pass(est_s[v], est_c[v]);
		fuzz_pass(est_c[v], est_s[v]);
		if (!proto_is_up(est_c[v]) || !proto_is_up(est_s[v]) ||
		    proto_version(est_s[v]) != PROTO_V1 + v)
			abort();
	}
	work_c = proto_new(&pp);
	work_s = proto_new(&pp);
	if (work_c == NULL || work_s == NULL)
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
			if (ev.data != NULL && ev.data + ev.len > fbuf + off)
				abort();
			fuzz_event(&ev);
		}
		if (r < 0)
			return;
	}
}

/* fixup: 0 none, else the version whose hello is made acceptable. */
static void
fuzz_server(const uint8_t *d, size_t n, size_t chunk, int fixup)
{
	struct proto_params	 pp;
	struct proto_replay	*r;
	struct proto		*p;
	const struct hs_suite	*su = hs_suite(fixup);
	uint8_t			 k[32];
	int			 i;

	if ((r = proto_replay_new(4)) == NULL)
		abort();
	fuzz_params(&pp, PROTO_SERVER, r, 0);
	if ((p = proto_new(&pp)) == NULL)
		abort();
	memcpy(fbuf, d, n);
	if (su != NULL && n >= su->hello_len) {
		fbuf[0] = (uint8_t)su->version;
		for (i = 0; i < 8; i++)
			fbuf[4 + i] = (uint8_t)(FUZZ_WALL >> (56 - 8 * i));
		hs_hello_key(k, pp.psk, su);
		crypto_generichash(fbuf + su->mac_off, 32, fbuf, su->mac_off,
		    k, 32);
	}
	fuzz_feed(p, n, chunk);
	proto_free(p);
	proto_replay_free(r);
}

static void
fuzz_client(const uint8_t *d, size_t n, size_t chunk, int version)
{
	struct proto_params	 pp;
	struct proto		*p;

	fuzz_params(&pp, PROTO_CLIENT, NULL, version);
	if ((p = proto_new(&pp)) == NULL || proto_start(p, 0) == -1)
		abort();
	memcpy(fbuf, d, n);
	fuzz_feed(p, n, chunk);
	proto_free(p);
}

/* v: 0 for version 1, 1 for version 2. */
static void
fuzz_restore(int v)
{
	fuzz_now = 0;
	/* The copies own no heap buffer; a run may have left one. */
	proto_out_reset(work_c);
	proto_out_reset(work_s);
	memcpy(work_c, est_c[v], sizeof(*work_c));
	memcpy(work_s, est_s[v], sizeof(*work_s));
}

/* Genuine frames from the client, with the input XORed over them. */
static void
fuzz_tamper(const uint8_t *d, size_t n, size_t chunk, int v)
{
	size_t	 len = 0, i, plen;

	fuzz_restore(v);
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
 * the client (or the server, to_client) seals with its current key
 * whatever the type.
 */
static void
fuzz_script(const uint8_t *d, size_t n, int v, int to_client)
{
	struct proto_event	 ev;
	uint8_t			 f[256 + PROTO_OVERHEAD];
	struct proto		*from, *to;
	size_t			 i = 0, plen;

	fuzz_restore(v);
	from = to_client ? work_s : work_c;
	to = to_client ? work_c : work_s;
	while (i < n && proto_is_up(to)) {
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
		if (frame_seal(&from->tx, from->cipher, d[i], f, plen) == -1)
			abort();
		i += 2 + plen;
		if (proto_input(to, f, plen + PROTO_OVERHEAD, 0, &ev) < 0)
			break;
		if (ev.data != NULL && (ev.data < f ||
		    ev.data + ev.len > f + plen + PROTO_HDR_LEN))
			abort();
		if (ev.type == PROTO_EV_PUSH)
			fuzz_push(ev.data, ev.len);
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
	d += 2;
	n -= 2;
	switch (d[-2] % 15) {
	case 0:
		fuzz_server(d, n, chunk, 0);
		break;
	case 1:
	case 5:
		fuzz_server(d, n, chunk, d[-2] % 15 == 1 ? PROTO_V1 : PROTO_V2);
		break;
	case 2:
	case 6:
		fuzz_client(d, n, chunk, d[-2] % 15 == 2 ? PROTO_V1 : PROTO_V2);
		break;
	case 3:
	case 7:
		fuzz_tamper(d, n, chunk, d[-2] % 15 == 7);
		break;
	case 4:
	case 8:
	case 9:
		fuzz_script(d, n, d[-2] % 15 != 4, d[-2] % 15 == 9);
		break;
	case 10:
		fuzz_push(d, n);
		break;
	default:
		fuzz_dgram(d[-2] % 15 - 11, d, n);
		break;
	}
	return (0);
}

#ifdef FUZZ_SEEDGEN
#include <arpa/inet.h>

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

/* A server's v2 extras for the client seeds: a push and a ticket. */
static void
seed_v2_extras(struct proto *s)
{
	struct push	 p;
	uint8_t		 tlv[256], t[PROTO_TICKET_LEN];
	const char	*why;
	ssize_t		 n;

	memset(&p, 0, sizeof(p));
	p.have4 = 1;
	p.addr4.s_addr = htonl(0xc0a8c001);
	p.plen4 = 24;
	p.peer4.s_addr = htonl(0xc0a8c0fe);
	p.nroute4 = 1;
	p.route4[0].net.s_addr = htonl(0x0a010000);
	p.route4[0].plen = 16;
	p.mtu = 1400;
	if ((n = push_encode(&p, tlv, sizeof(tlv), &why)) < 0 ||
	    proto_push(s, tlv, n, 0) == -1)
		abort();
	memset(t, 0x5a, sizeof(t));
	if (proto_ticket(s, t, 0) == -1)
		abort();
}

static void
seed_session(const char *dir, int version)
{
	static uint8_t		 c2s[8192], s2c[8192], f[600];
	struct proto_params	 pp;
	struct proto_replay	*r;
	struct proto		*c, *s;
	size_t			 nc = 0, ns = 0, i;
	const char		*v = version == PROTO_V1 ? "" : "2";
	char			 name[64];

	if ((r = proto_replay_new(4)) == NULL)
		abort();
	fuzz_params(&pp, PROTO_CLIENT, NULL, version);
	c = proto_new(&pp);
	fuzz_params(&pp, PROTO_SERVER, r, 0);
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
	if (version == PROTO_V2) {
		seed_v2_extras(s);
		ns = seed_take(s, s2c, ns);
		fuzz_pass(s, c);
	}
	for (i = 0; i < 3; i++) {
		memset(f + PROTO_HDR_LEN, 'a' + (int)i, 100 * (i + 1));
		memcpy(c2s + nc, f, proto_seal(c, f, 100 * (i + 1), 0));
		nc += 100 * (i + 1) + PROTO_OVERHEAD;
		memcpy(s2c + ns, f, proto_seal(s, f, 100 * (i + 1), 0));
		ns += 100 * (i + 1) + PROTO_OVERHEAD;
	}
	snprintf(name, sizeof(name), "server%s-session", v);
	seed_write(dir, name, 0, c2s, nc);
	snprintf(name, sizeof(name), "server%s-fixup", v);
	seed_write(dir, name, version == PROTO_V1 ? 1 : 5, c2s, nc);
	snprintf(name, sizeof(name), "server%s-hello-only", v);
	seed_write(dir, name, 0, c2s, proto_hello_len((uint8_t)version));
	snprintf(name, sizeof(name), "client%s-session", v);
	seed_write(dir, name, version == PROTO_V1 ? 2 : 6, s2c, ns);
	proto_free(c);
	proto_free(s);
	proto_replay_free(r);
}

static void
seed_push(const char *dir)
{
	struct push	 p;
	uint8_t		 tlv[PUSH_MAX_LEN];
	const char	*why;
	ssize_t		 n;

	memset(&p, 0, sizeof(p));
	p.have4 = p.have6 = 1;
	p.addr4.s_addr = htonl(0xc0a8c001);
	p.plen4 = 24;
	p.peer4.s_addr = htonl(0xc0a8c0fe);
	p.addr6.s6_addr[0] = 0x20, p.addr6.s6_addr[1] = 0x01;
	p.addr6.s6_addr[15] = 1;
	p.peer6.s6_addr[0] = 0x20, p.peer6.s6_addr[1] = 0x01;
	p.peer6.s6_addr[15] = 2;
	p.plen6 = 64;
	p.defroute = PUSH_DEFAULT_V4 | PUSH_DEFAULT_V6;
	p.mtu = 1400;
	p.nroute4 = 1;
	p.route4[0].net.s_addr = htonl(0x0a010000);
	p.route4[0].plen = 16;
	p.nroute6 = 1;
	p.route6[0].net.s6_addr[0] = 0xfd;
	p.route6[0].plen = 8;
	p.ndns4 = p.ndns6 = 1;
	p.dns4[0].s_addr = htonl(0xc0000235);
	p.dns6[0] = p.addr6;
	p.dns6[0].s6_addr[15] = 0x53;
	if ((n = push_encode(&p, tlv, sizeof(tlv), &why)) < 0)
		errx(1, "seed push: %s", why);
	/* And an item of a later version, which must be skipped. */
	tlv[n++] = 0x30, tlv[n++] = 1, tlv[n++] = 0xee;
	seed_write(dir, "push-sample", 10, tlv, n);
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
	}, closing2[] = {
		0x01, 0x02, 'h', 'i',			/* data */
		0x04, 0x01, 0x02,			/* close, replaced */
		0x01, 0x02, 'h', 'i'			/* refused */
	}, to_client[] = {
		0x05, 0x0b, 0x01, 0x09, 0xc0, 0xa8, 0xc0, 0x01, 0x18,
		    0xc0, 0xa8, 0xc0, 0xfe,		/* push: address */
		0x06, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
		    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
		    29, 30, 31, 32,			/* ticket */
		0x10, 0x80, 0x40, 0x80,			/* server rekey */
		0x05, 0x00,				/* empty push */
		0x04, 0x01, 0x03			/* close, kicked */
	};

	if (argc != 2)
		errx(1, "usage: fuzz_proto_seedgen dir");
	fuzz_init();
	seed_session(argv[1], PROTO_V1);
	seed_session(argv[1], PROTO_V2);
	seed_write(argv[1], "tamper-none", 3, zeros, sizeof(zeros));
	seed_write(argv[1], "tamper2-none", 7, zeros, sizeof(zeros));
	seed_write(argv[1], "script", 4, script, sizeof(script));
	seed_write(argv[1], "script-close", 4, closing, sizeof(closing));
	seed_write(argv[1], "script2", 8, script, sizeof(script));
	seed_write(argv[1], "script2-close", 8, closing2, sizeof(closing2));
	seed_write(argv[1], "script2-to-client", 9, to_client,
	    sizeof(to_client));
	seed_push(argv[1]);
	fuzz_dgram_seeds(argv[1], seed_write);
	return (0);
}
#endif /* FUZZ_SEEDGEN */
