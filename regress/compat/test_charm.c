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
 * Charm / Xoodoo[12] (tunnel/charm.h) against every line of
 * ../shared/vectors/dsvpn/charm-primitives.txt, values upstream DSVPN's
 * own code produced: the permutation, keying, hashing, encryption of 0
 * to 50 bytes and one state carried across several messages.  Each
 * encryption is also decrypted, with the full and the 6-byte tag, and
 * with a bit flipped in the ciphertext and in the tag.  A line of a kind
 * this test does not know, or a missing one, is a failure.
 */
#include "compat.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "charm.h"
#include "vec.h"

#define MSG_MAX		256

static const uint8_t	 iv_kx[CHARM_IV_LEN] = "VPN Key Exchange";
static uint8_t		 key_k[CHARM_KEY_LEN];	/* 00 01 .. 1f */
static int		 failures;

/* What one vector line holds once parsed. */
struct line {
	char		 kind[8], name[8];
	uint32_t	 words[12];
	uint8_t		 msg[MSG_MAX], out[MSG_MAX], tag[CHARM_TAG_LEN];
	size_t		 len, msglen, outlen, taglen;
};

#define FAIL(l, ...) do {						\
	printf("    FAIL %s %s: ", (l)->kind, (l)->name);		\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	failures++;							\
	return (-1);							\
} while (0)

/* The hex after " key=" in a line, up to the next blank. */
static int
field(const char *line, const char *key, uint8_t *out, size_t max,
    size_t *len)
{
	char		 pat[16];
	const char	*s;
	size_t		 n;

	snprintf(pat, sizeof(pat), " %s=", key);
	if ((s = strstr(line, pat)) == NULL)
		return (-1);
	s += strlen(pat);
	n = strcspn(s, " \n");
	return (vec_hex(s, n, out, max, len));
}

/* Twelve words of eight hex digits after the two leading tokens. */
static int
words(const char *rest, uint32_t w[12])
{
	char	*end;
	int	 i;

	for (i = 0; i < 12; i++) {
		while (*rest == ' ')
			rest++;
		if (strspn(rest, "0123456789abcdef") != 8)
			return (-1);
		w[i] = (uint32_t)strtoul(rest, &end, 16);
		rest = end;
	}
	return (strspn(rest, " \n") == strlen(rest) ? 0 : -1);
}

static int
parse(const char *text, struct line *l)
{
	const char	*rest;
	int		 n;

	memset(l, 0, sizeof(*l));
	if (sscanf(text, "%7s %7s%n", l->kind, l->name, &n) != 2)
		return (-1);
	rest = text + n;
	if (strcmp(l->kind, "perm") == 0 || strcmp(l->kind, "init") == 0)
		return (words(rest, l->words));
	l->len = strtoul(l->name, NULL, 10);
	if (field(text, "msg", l->msg, sizeof(l->msg), &l->msglen) == -1 ||
	    l->msglen != l->len)
		return (-1);
	if (strcmp(l->kind, "hash") == 0)
		return (field(text, "out", l->out, sizeof(l->out),
		    &l->outlen));
	if (field(text, "ct", l->out, sizeof(l->out), &l->outlen) == -1 ||
	    l->outlen != l->len)
		return (-1);
	return (field(text, "tag", l->tag, sizeof(l->tag), &l->taglen) ==
	    -1 || l->taglen != CHARM_TAG_LEN ? -1 : 0);
}

static int
same_words(const struct line *l, const uint32_t w[12])
{
	int	 i;

	for (i = 0; i < 12; i++)
		if (w[i] != l->words[i]) {
			printf("    word %d: %08x, expected %08x\n", i,
			    w[i], l->words[i]);
			return (0);
		}
	return (1);
}

static int
check_perm(const struct line *l)
{
	uint32_t	 st[12];
	int		 i;

	memset(st, 0, sizeof(st));
	if (strcmp(l->name, "0to47") == 0) {
		/* Bytes 00 .. 2f, read as little-endian words. */
		for (i = 0; i < 12; i++)
			st[i] = (uint32_t)(4 * i) |
			    (uint32_t)(4 * i + 1) << 8 |
			    (uint32_t)(4 * i + 2) << 16 |
			    (uint32_t)(4 * i + 3) << 24;
	} else if (strcmp(l->name, "zero") != 0)
		FAIL(l, "unknown permutation input");
	xoodoo_permute(st);
	if (!same_words(l, st))
		FAIL(l, "permutation differs");
	return (0);
}

static void
key_state(struct charm *st, const char *which)
{
	uint8_t	 iv[CHARM_IV_LEN];

	memset(iv, 0, sizeof(iv));
	if (strcmp(which, "kx") == 0)
		memcpy(iv, iv_kx, sizeof(iv));
	else if (strcmp(which, "iv1") == 0)
		iv[0] = 1;
	charm_key(st, key_k, iv);
}

static int
check_init(const struct line *l)
{
	struct charm	 st;

	if (strcmp(l->name, "kx") != 0 && strcmp(l->name, "iv0") != 0 &&
	    strcmp(l->name, "iv1") != 0)
		FAIL(l, "unknown IV");
	key_state(&st, l->name);
	if (!same_words(l, st.w))
		FAIL(l, "keyed state differs");
	return (0);
}

static int
check_hash(const struct line *l)
{
	struct charm	 st;
	uint8_t		 h[CHARM_HASH_LEN];

	if (l->outlen != CHARM_HASH_LEN)
		FAIL(l, "bad vector");
	key_state(&st, "kx");
	charm_hash(&st, h, l->msg, l->len);
	if (memcmp(h, l->out, sizeof(h)) != 0)
		FAIL(l, "hash %s", vec_tohex(h, sizeof(h)));
	return (0);
}

/*
 * Decrypt the vector's ciphertext with `st' (a copy of the encrypting
 * state before the call) and expect the message, the same final state
 * as the encrypting side's `after', and refusals of a flipped bit.
 */
static int
check_decrypt(const struct line *l, const struct charm *st,
    const struct charm *after)
{
	struct charm	 d;
	uint8_t		 b[MSG_MAX], tag[CHARM_TAG_LEN], zero[MSG_MAX];
	size_t		 taglen;

	memset(zero, 0, sizeof(zero));
	for (taglen = 6; taglen <= CHARM_TAG_LEN; taglen += 10) {
		d = *st;
		memcpy(b, l->out, l->len);
		if (charm_decrypt(&d, b, l->len, l->tag, taglen) != 0 ||
		    memcmp(b, l->msg, l->len) != 0)
			FAIL(l, "does not decrypt (tag %zu)", taglen);
		if (memcmp(d.w, after->w, sizeof(d.w)) != 0)
			FAIL(l, "decrypting state differs");
	}
	memcpy(tag, l->tag, sizeof(tag));
	tag[5] ^= 0x20;
	d = *st;
	memcpy(b, l->out, l->len);
	if (charm_decrypt(&d, b, l->len, tag, 6) != -1 ||
	    memcmp(b, zero, l->len) != 0)
		FAIL(l, "flipped tag bit accepted or plaintext kept");
	if (l->len > 0) {
		d = *st;
		memcpy(b, l->out, l->len);
		b[l->len - 1] ^= 0x01;
		if (charm_decrypt(&d, b, l->len, l->tag, 6) != -1 ||
		    memcmp(b, zero, l->len) != 0)
			FAIL(l, "flipped ciphertext bit accepted");
	}
	return (0);
}

/* `st' is fresh for "enc", carried over from the line before for "chain". */
static int
check_encrypt(const struct line *l, struct charm *st)
{
	struct charm	 before = *st;
	uint8_t		 b[MSG_MAX], tag[CHARM_TAG_LEN];

	memcpy(b, l->msg, l->len);
	charm_encrypt(st, b, l->len, tag);
	if (memcmp(b, l->out, l->len) != 0)
		FAIL(l, "ciphertext %s", vec_tohex(b, l->len));
	if (memcmp(tag, l->tag, sizeof(tag)) != 0)
		FAIL(l, "tag %s", vec_tohex(tag, sizeof(tag)));
	return (check_decrypt(l, &before, st));
}

/* What the file must hold: every kind, and enc of every length 0..50. */
struct tally {
	int	 perm, init, hash, enc, chain;
	uint64_t enc_lens;
};

static int
check_line(const char *text, struct tally *t, struct charm *chain)
{
	struct line	 l;
	struct charm	 st;

	if (parse(text, &l) == -1) {
		printf("    FAIL unparsable line: %.60s\n", text);
		failures++;
		return (-1);
	}
	if (strcmp(l.kind, "perm") == 0) {
		t->perm++;
		return (check_perm(&l));
	}
	if (strcmp(l.kind, "init") == 0) {
		t->init++;
		return (check_init(&l));
	}
	if (strcmp(l.kind, "hash") == 0) {
		t->hash++;
		return (check_hash(&l));
	}
	if (strcmp(l.kind, "enc") == 0) {
		t->enc++;
		if (l.len <= 50)
			t->enc_lens |= 1ULL << l.len;
		key_state(&st, "iv0");
		return (check_encrypt(&l, &st));
	}
	if (strcmp(l.kind, "chain") == 0) {
		if (t->chain++ == 0)
			key_state(chain, "iv1");
		return (check_encrypt(&l, chain));
	}
	FAIL(&l, "unknown kind of line");
}

/* Bounds of the tag comparison: none compared must never pass. */
static int
check_taglen(void)
{
	struct charm	 st, d;
	uint8_t		 b[20], tag[CHARM_TAG_LEN];
	struct line	 l;

	memset(&l, 0, sizeof(l));
	strlcpy(l.kind, "taglen", sizeof(l.kind));
	key_state(&st, "iv0");
	memset(b, 'x', sizeof(b));
	d = st;
	charm_encrypt(&d, b, sizeof(b), tag);
	d = st;
	if (charm_decrypt(&d, b, sizeof(b), tag, 0) != -1)
		FAIL(&l, "taglen 0 accepted");
	d = st;
	if (charm_decrypt(&d, b, sizeof(b), tag, CHARM_TAG_LEN + 1) != -1)
		FAIL(&l, "taglen 17 accepted");
	charm_wipe(&d);
	if (d.w[0] != 0 || d.w[11] != 0)
		FAIL(&l, "charm_wipe left the state");
	return (0);
}

static int
check_file(char *text)
{
	struct tally	 t;
	struct charm	 chain;
	char		*line, *next;
	int		 lines = 0;

	memset(&t, 0, sizeof(t));
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		lines++;
		(void)check_line(line, &t, &chain);
	}
	printf("  %d vector lines: perm %d, init %d, hash %d, enc %d, "
	    "chain %d\n", lines, t.perm, t.init, t.hash, t.enc, t.chain);
	if (t.perm != 2 || t.init != 3 || t.hash != 10 || t.enc != 51 ||
	    t.chain != 6 || t.enc_lens != (1ULL << 51) - 1 ||
	    lines != t.perm + t.init + t.hash + t.enc + t.chain) {
		printf("    FAIL the vector file is not the expected one\n");
		failures++;
	}
	return (0);
}

int
main(void)
{
	uint8_t	*text;
	size_t	 len, i;

	if (sodium_init() == -1)
		errx(1, "sodium_init");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (vec_dir() == NULL) {
		printf("skipped: no ../shared/vectors/dsvpn beside the "
		    "source tree\n");
		return (VEC_SKIP);
	}
	if (vec_read("charm-primitives.txt", &text, &len) == -1)
		err(1, "charm-primitives.txt");
	for (i = 0; i < sizeof(key_k); i++)
		key_k[i] = (uint8_t)i;
	printf("  vectors: %s\n", vec_dir());
	check_file((char *)text);
	check_taglen();
	free(text);
	printf("charm: %s\n", failures == 0 ? "ok" : "FAILED");
	return (failures == 0 ? 0 : 1);
}
