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
 * Loading a captured DSVPN session, and feeding streams to the state
 * machine.  Everything is parsed strictly: a vector file that does not
 * look as described in ../shared/vectors/dsvpn/README.md is an error,
 * never a silently shorter test.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "session.h"
#include "vec.h"

static int
load_bin(const char *dir, const char *file, struct pkt *p)
{
	char	 name[64];

	snprintf(name, sizeof(name), "%s/%s", dir, file);
	if (vec_read(name, &p->b, &p->len) == -1) {
		printf("    cannot read %s\n", name);
		return (-1);
	}
	return (0);
}

/* One packet per line, in hex. */
static int
load_packets(const char *dir, const char *file, struct pkt **out,
    size_t *n)
{
	struct pkt	 text;
	char		*line, *next;
	size_t		 len;

	*out = NULL;
	*n = 0;
	if (load_bin(dir, file, &text) == -1)
		return (-1);
	for (line = (char *)text.b; *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) == NULL)
			next = line + strlen(line);
		else
			*next++ = '\0';
		len = strlen(line);
		if ((*out = reallocarray(*out, *n + 1, sizeof(**out))) ==
		    NULL || ((*out)[*n].b = malloc(len / 2 + 1)) == NULL ||
		    vec_hex(line, len, (*out)[*n].b, len / 2,
		    &(*out)[*n].len) == -1 || len == 0) {
			printf("    bad packet line %zu in %s/%s\n", *n + 1,
			    dir, file);
			free(text.b);
			return (-1);
		}
		(*n)++;
	}
	free(text.b);
	return (0);
}

static int
parse_frame(const char *line, struct vframe *f)
{
	char	 dir[8], t6[16], t16[40];
	size_t	 n;

	if (sscanf(line, "%7s %zu %zu %zu %15s %39s", dir, &f->idx, &f->off,
	    &f->len, t6, t16) != 6)
		return (-1);
	if (strcmp(dir, "c2s") == 0)
		f->dir = C2S;
	else if (strcmp(dir, "s2c") == 0)
		f->dir = S2C;
	else
		return (-1);
	if (vec_hex(t6, strlen(t6), f->tag6, 6, &n) == -1 || n != 6 ||
	    vec_hex(t16, strlen(t16), f->tag16, 16, &n) == -1 || n != 16)
		return (-1);
	return (0);
}

static int
load_frames(const char *dir, struct vsession *s)
{
	struct pkt	 text;
	char		*line, *next;

	if (load_bin(dir, "frames.txt", &text) == -1)
		return (-1);
	for (line = (char *)text.b; *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) == NULL)
			next = line + strlen(line);
		else
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		if ((s->fr = reallocarray(s->fr, s->nfr + 1,
		    sizeof(*s->fr))) == NULL ||
		    parse_frame(line, &s->fr[s->nfr]) == -1) {
			printf("    bad line in %s/frames.txt: %.40s\n", dir,
			    line);
			free(text.b);
			return (-1);
		}
		s->nfr++;
	}
	free(text.b);
	return (0);
}

/* The value of `name' in session.txt: the token after it. */
static int
field_hex(const char *text, const char *name, uint8_t *out, size_t want)
{
	char		 pat[40];
	const char	*s;
	size_t		 n;

	snprintf(pat, sizeof(pat), "\n%s ", name);
	if ((s = strstr(text, pat)) == NULL)
		return (-1);
	s += strlen(pat);
	s += strspn(s, " ");
	n = strcspn(s, " \n");
	if (vec_hex(s, n, out, want, &n) == -1 || n != want)
		return (-1);
	return (0);
}

static int
field_words(const char *text, const char *name, uint32_t w[12])
{
	char		 pat[40], *end;
	const char	*s;
	int		 i;

	snprintf(pat, sizeof(pat), "\n%s ", name);
	if ((s = strstr(text, pat)) == NULL)
		return (-1);
	s += strlen(pat);
	for (i = 0; i < 12; i++) {
		s += strspn(s, " ");
		if (strspn(s, "0123456789abcdef") != 8)
			return (-1);
		w[i] = (uint32_t)strtoul(s, &end, 16);
		s = end;
	}
	return (0);
}

static int
load_handshake(const char *dir, struct vsession *s)
{
	struct pkt	 text;
	uint8_t		 t[8];
	int		 i, rc = 0;

	if (load_bin(dir, "session.txt", &text) == -1)
		return (-1);
	if (field_hex((char *)text.b, "client_random", s->rc, 32) == -1 ||
	    field_hex((char *)text.b, "server_random", s->rs, 32) == -1 ||
	    field_hex((char *)text.b, "client_time", t, 8) == -1 ||
	    field_hex((char *)text.b, "session_key", s->session_key,
	    32) == -1 ||
	    field_words((char *)text.b, "kx_state_after_init",
	    s->kx_init) == -1 ||
	    field_words((char *)text.b, "c2s_state_after_init",
	    s->c2s_init) == -1 ||
	    field_words((char *)text.b, "s2c_state_after_init",
	    s->s2c_init) == -1) {
		printf("    %s/session.txt lacks a handshake field\n", dir);
		rc = -1;
	}
	for (s->ts = 0, i = 7; i >= 0; i--)
		s->ts = s->ts << 8 | t[i];
	free(text.b);
	return (rc);
}

int
vsession_load(struct vsession *s, const char *dir)
{
	struct pkt	 key;

	memset(s, 0, sizeof(*s));
	strlcpy(s->name, dir, sizeof(s->name));
	if (load_bin(dir, "key.bin", &key) == -1)
		return (-1);
	/* DSVPN's rule: the first 32 bytes, the rest ignored. */
	if (key.len < sizeof(s->key)) {
		free(key.b);
		return (-1);
	}
	memcpy(s->key, key.b, sizeof(s->key));
	free(key.b);
	if (load_bin(dir, "c2s.bin", &s->stream[C2S]) == -1 ||
	    load_bin(dir, "s2c.bin", &s->stream[S2C]) == -1 ||
	    load_packets(dir, "tun-client-out.txt", &s->tun[C2S],
	    &s->ntun[C2S]) == -1 ||
	    load_packets(dir, "tun-server-out.txt", &s->tun[S2C],
	    &s->ntun[S2C]) == -1 ||
	    load_frames(dir, s) == -1 || load_handshake(dir, s) == -1)
		return (-1);
	return (0);
}

void
vsession_free(struct vsession *s)
{
	size_t	 i;
	int	 d;

	for (d = 0; d < 2; d++) {
		free(s->stream[d].b);
		for (i = 0; i < s->ntun[d]; i++)
			free(s->tun[d][i].b);
		free(s->tun[d]);
	}
	free(s->fr);
	memset(s, 0, sizeof(*s));
}

void
vseam_rng(void *arg, uint8_t *buf, size_t len)
{
	struct vseam	*v = arg;

	if (v->rand == NULL || len != 32 || v->rand_calls++ > 0) {
		v->bad_calls++;
		memset(buf, 0xee, len);
		return;
	}
	memcpy(buf, v->rand, len);
}

uint64_t
vseam_wall(void *arg)
{
	return (((struct vseam *)arg)->wall);
}

void
vparams(struct dsvpn_params *pp, enum proto_role role, const uint8_t *key,
    struct vseam *seam, struct dsvpn_replay *r)
{
	memset(pp, 0, sizeof(*pp));
	pp->role = role;
	memcpy(pp->psk, key, sizeof(pp->psk));
	pp->replay = r;
	pp->rng = vseam_rng;
	pp->wallclock = vseam_wall;
	pp->seam_arg = seam;
}

static void
recv_record(struct recv *r, const struct proto_event *ev, const uint8_t *unit,
    size_t unitlen, size_t off)
{
	struct got	*g;

	if (ev->type == PROTO_EV_NONE)
		return;
	if (ev->len > 0 && (ev->data < unit || ev->data + ev->len >
	    unit + unitlen))
		r->bad_pointer = 1;
	if ((r->ev = reallocarray(r->ev, r->nev + 1, sizeof(*r->ev))) ==
	    NULL)
		abort();
	g = &r->ev[r->nev++];
	g->type = ev->type;
	g->off = off;
	g->len = ev->len;
	if ((g->data = malloc(ev->len + 1)) == NULL)
		abort();
	if (ev->len > 0)
		memcpy(g->data, ev->data, ev->len);
}

/* The next piece's length: all that is left, or 1..chunk pseudo-random. */
static size_t
recv_piece(size_t left, size_t chunk, uint32_t *seed)
{
	size_t	 n;

	if (chunk == 0)
		return (left);
	*seed = *seed * 1103515245 + 12345;
	n = 1 + (*seed >> 8) % chunk;
	return (n < left ? n : left);
}

void
recv_run(struct recv *r, struct dsvpn *p, const uint8_t *stream, size_t len,
    size_t chunk, uint32_t seed)
{
	struct proto_event	 ev;
	uint8_t			*buf;
	size_t			 have = 0, off = 0;
	ssize_t			 n;

	memset(r, 0, sizeof(*r));
	if ((buf = malloc(len + 1)) == NULL)
		abort();
	do {
		n = recv_piece(len - have, chunk, &seed);
		memcpy(buf + have, stream + have, n);
		have += n;
		while ((n = dsvpn_input(p, buf + off, have - off, 0,
		    &ev)) > 0) {
			recv_record(r, &ev, buf + off, n, off);
			off += n;
		}
	} while (n == 0 && have < len);
	r->consumed = off;
	r->last = n;
	r->fault = n < 0 ? dsvpn_fault(p) : -1;
	sodium_memzero(buf, len);
	free(buf);
}

void
recv_free(struct recv *r)
{
	size_t	 i;

	for (i = 0; i < r->nev; i++)
		free(r->ev[i].data);
	free(r->ev);
	memset(r, 0, sizeof(*r));
}
