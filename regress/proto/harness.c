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
 * The protocol tests' shared harness; see harness.h.
 */
#include "compat.h"

#include <err.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "harness.h"

int	 failures;
int	 cases;
int	 aes_ok;
int	 test_version = PROTO_V1;

void
seam_rng(void *arg, uint8_t *buf, size_t len)
{
	struct seam	*s = arg;
	uint8_t		 seed[randombytes_SEEDBYTES], n[8];
	int		 i;

	/* A different deterministic stream for every call, any byte order. */
	for (i = 0; i < 8; i++)
		n[i] = (uint8_t)(s->calls >> (8 * i));
	crypto_generichash(seed, sizeof(seed), n, sizeof(n), s->seed,
	    sizeof(s->seed));
	s->calls++;
	randombytes_buf_deterministic(buf, len, seed);
}

uint64_t
seam_wall(void *arg)
{
	return (((struct seam *)arg)->wall);
}

void
seam_init(struct seam *s, uint8_t fill)
{
	memset(s, 0, sizeof(*s));
	memset(s->seed, fill, sizeof(s->seed));
	s->wall = WALL0;
}

void
params(struct proto_params *pp, enum proto_role role, enum proto_cipher c,
    struct seam *seam, struct proto_replay *r)
{
	memset(pp, 0, sizeof(*pp));
	pp->role = role;
	memset(pp->psk, 0x42, sizeof(pp->psk));
	pp->cipher = c;
	pp->replay = r;
	pp->version = test_version;
	pp->rng = seam_rng;
	pp->wallclock = seam_wall;
	pp->seam_arg = seam;
}

void
pipe_put(struct pipe *p, const uint8_t *b, size_t n)
{
	uint8_t	*nb;
	size_t	 ncap;

	if (p->len + n > p->cap) {
		ncap = p->cap == 0 ? 65536 : p->cap;
		while (ncap < p->len + n)
			ncap *= 2;
		if ((nb = realloc(p->buf, ncap)) == NULL)
			err(1, "realloc");
		p->buf = nb;
		p->cap = ncap;
	}
	memcpy(p->buf + p->len, b, n);
	p->len += n;
}

/* Move what `from' wants sent into its outgoing pipe. */
void
drain(struct proto *from, struct pipe *to)
{
	const uint8_t	*out;
	size_t		 n;

	n = proto_pending(from, &out);
	if (n > 0) {
		pipe_put(to, out, n);
		proto_consume(from, n);
	}
}

void
pair_free(struct pair *pr)
{
	proto_free(pr->c);
	proto_free(pr->s);
	proto_replay_free(pr->replay);
	free(pr->c2s.buf);
	free(pr->s2c.buf);
	memset(pr, 0, sizeof(*pr));
}

int
pair_new(struct pair *pr, enum proto_cipher cc, enum proto_cipher sc,
    const struct proto_params *tmpl)
{
	struct proto_params	 pp;

	struct proto_params	 sp;

	if (pair_init(pr) == -1)
		return (-1);
	params(&pp, PROTO_CLIENT, cc, &pr->seam, NULL);
	if (tmpl != NULL) {
		pp.keepalive_ms = tmpl->keepalive_ms;
		pp.dead_ms = tmpl->dead_ms;
		pp.rekey_ms = tmpl->rekey_ms;
		pp.rekey_bytes = tmpl->rekey_bytes;
		pp.max_payload = tmpl->max_payload;
	}
	sp = pp;
	sp.role = PROTO_SERVER;
	sp.cipher = sc;
	sp.replay = pr->replay;
	return (pair_open(pr, &pp, &sp));
}

/* An empty pair: its seam, clock and replay cache, no ends yet. */
int
pair_init(struct pair *pr)
{
	memset(pr, 0, sizeof(*pr));
	seam_init(&pr->seam, 7);
	pr->now = 1000;
	if ((pr->replay = proto_replay_new(64)) == NULL)
		return (-1);
	return (0);
}

/* Both ends from the caller's params (the seam and cache of pr). */
int
pair_open(struct pair *pr, const struct proto_params *cp,
    const struct proto_params *sp)
{
	if ((pr->c = proto_new(cp)) == NULL)
		return (-1);
	if ((pr->s = proto_new(sp)) == NULL)
		return (-1);
	return (0);
}

/*
 * Feed everything in a pipe to a receiver, unit by unit, as a transport
 * reader would.  Returns -1 on a fatal error; DATA events are appended
 * to `got' when it is not NULL.
 */
int
deliver(struct proto *to, struct pipe *in, uint64_t now, struct pipe *got,
    int *ups, int *closes)
{
	struct proto_event	 ev;
	ssize_t			 n;
	size_t			 off = 0;

	while (off < in->len) {
		n = proto_input(to, in->buf + off, in->len - off, now, &ev);
		if (n < 0)
			return (-1);
		if (n == 0)
			break;
		off += n;
		if (ev.type == PROTO_EV_DATA && got != NULL)
			pipe_put(got, ev.data, ev.len);
		if (ev.type == PROTO_EV_UP && ups != NULL)
			(*ups)++;
		if (ev.type == PROTO_EV_CLOSED && closes != NULL)
			(*closes)++;
	}
	memmove(in->buf, in->buf + off, in->len - off);
	in->len -= off;
	return (0);
}

/* The whole handshake; both ends up afterwards. */
int
pair_up(struct pair *pr)
{
	uint8_t	 frame[10 + PROTO_OVERHEAD];
	int	 ups = 0;

	CHECK(proto_start(pr->c, pr->now) == 0);
	CHECK(proto_start(pr->s, pr->now) == 0);
	CHECK(proto_seal(pr->c, frame, 10, pr->now) == 0);
	drain(pr->c, &pr->c2s);
	CHECK(pr->c2s.len == proto_hello_len(proto_version(pr->c)));
	CHECK(deliver(pr->s, &pr->c2s, pr->now, NULL, &ups, NULL) == 0);
	CHECK(!proto_is_up(pr->s));
	drain(pr->s, &pr->s2c);
	CHECK(pr->s2c.len == PROTO_REPLY_LEN);
	CHECK(deliver(pr->c, &pr->s2c, pr->now, NULL, &ups, NULL) == 0);
	CHECK(ups == 1 && proto_is_up(pr->c));
	/* Not up before the client's confirmation: nothing to seal. */
	CHECK(proto_seal(pr->s, frame, 10, pr->now) == 0);
	drain(pr->c, &pr->c2s);
	CHECK(deliver(pr->s, &pr->c2s, pr->now, NULL, &ups, NULL) == 0);
	CHECK(ups == 2 && proto_is_up(pr->s));
	CHECK(strcmp(proto_cipher_name(pr->c), proto_cipher_name(pr->s)) == 0);
	return (0);
}

/* Seal one data frame of `len' bytes of `fill' onto a pipe. */
int
send_data(struct proto *from, struct pipe *to, size_t len, uint8_t fill,
    uint64_t now)
{
	static uint8_t	 frame[PROTO_MAX_PAYLOAD + PROTO_OVERHEAD];
	size_t		 n;

	drain(from, to);
	memset(frame + PROTO_HDR_LEN, fill, len);
	n = proto_seal(from, frame, len, now);
	if (n != len + PROTO_OVERHEAD)
		return (-1);
	pipe_put(to, frame, n);
	return (0);
}

const char *
cipher_str(enum proto_cipher c)
{
	return (c == PROTO_CIPHER_AES256GCM ? "aes256gcm" :
	    "chacha20poly1305");
}

void
hexline(FILE *f, const char *name, const struct pipe *p)
{
	size_t	 i;

	fprintf(f, "%s ", name);
	for (i = 0; i < p->len; i++)
		fprintf(f, "%02x", p->buf[i]);
	fprintf(f, "\n");
}

FILE *
kat_open(const char *name)
{
	char		 path[1024], src[1024];
	const char	*dir = getenv("SRCDIR");
	FILE		*f;

	if (dir != NULL) {
		snprintf(path, sizeof(path), "%s/regress/proto/%s", dir,
		    name);
		return (fopen(path, "r"));
	}
	/* Run by hand: next to this source file, or from the top. */
	strlcpy(src, __FILE__, sizeof(src));
	snprintf(path, sizeof(path), "%s/%s", dirname(src), name);
	if ((f = fopen(path, "r")) != NULL)
		return (f);
	snprintf(path, sizeof(path), "regress/proto/%s", name);
	return (fopen(path, "r"));
}

/* Compare one recorded stream with the named line of a KAT file. */
int
kat_compare(FILE *f, const char *name, const struct pipe *p)
{
	char	*line = NULL, *hex;
	size_t	 cap = 0, i;
	int	 rc = -1;
	unsigned int b;

	rewind(f);
	while (getline(&line, &cap, f) != -1) {
		if ((hex = strchr(line, ' ')) == NULL)
			continue;
		*hex++ = '\0';
		if (strcmp(line, name) != 0)
			continue;
		hex[strcspn(hex, "\r\n")] = '\0';
		if (strlen(hex) != 2 * p->len)
			break;
		for (i = 0; i < p->len; i++)
			if (sscanf(hex + 2 * i, "%2x", &b) != 1 ||
			    b != p->buf[i])
				break;
		rc = i == p->len ? 0 : -1;
		break;
	}
	free(line);
	if (rc == -1)
		printf("    %s differs from the known answer\n", name);
	return (rc);
}

void
run(const char *name, int (*fn)(void))
{
	int	 before = failures;

	cases++;
	printf("  %s\n", name);
	if (fn() == -1 && failures == before)
		failures++;
	printf("  %s: %s\n", name, failures == before ? "ok" : "FAILED");
}

int
kat_flush(struct kat *k)
{
	int	 i;

	/* Until both sides have nothing more to say. */
	for (i = 0; i < 4; i++) {
		drain(k->pr.c, &k->pr.c2s);
		if (k->pr.c2s.len > 0)
			pipe_put(&k->rec_c2s, k->pr.c2s.buf, k->pr.c2s.len);
		CHECK(deliver(k->pr.s, &k->pr.c2s, k->pr.now, NULL, NULL,
		    NULL) == 0);
		drain(k->pr.s, &k->pr.s2c);
		if (k->pr.s2c.len > 0)
			pipe_put(&k->rec_s2c, k->pr.s2c.buf, k->pr.s2c.len);
		CHECK(deliver(k->pr.c, &k->pr.s2c, k->pr.now, NULL, NULL,
		    NULL) == 0);
	}
	return (0);
}

int
kat_send(struct kat *k, int client, const char *text)
{
	static uint8_t	 frame[256 + PROTO_OVERHEAD];
	struct proto	*p = client ? k->pr.c : k->pr.s;
	struct pipe	*w = client ? &k->pr.c2s : &k->pr.s2c;
	size_t		 len = strlen(text), n;

	drain(p, w);
	memcpy(frame + PROTO_HDR_LEN, text, len);
	n = proto_seal(p, frame, len, k->pr.now);
	CHECK(n == len + PROTO_OVERHEAD);
	pipe_put(w, frame, n);
	return (0);
}

void
kat_free(struct kat *k)
{
	pair_free(&k->pr);
	free(k->rec_c2s.buf);
	free(k->rec_s2c.buf);
}
