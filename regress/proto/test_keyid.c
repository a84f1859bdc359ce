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
 * Unit tests of the version 2 key identifiers (tunnel/keyid.c) and of
 * the table the server looks them up in (tunnel/idtable.c).
 */
#include "compat.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "idtable.h"
#include "keyid.h"

#define WALL0		1700000000ULL

static int	 failures, cases;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("    FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++;						\
		return (-1);						\
	}								\
} while (0)

/* The epoch id as doc/PROTOCOL.md spells it, with libsodium alone. */
static void
epoch_by_the_book(uint8_t id[32], const uint8_t psk[32], uint64_t hour)
{
	static const char label[] = "dsvpnd v2 epoch id";
	uint8_t		 k[32], m[sizeof(label) - 1 + 8];
	int		 i;

	crypto_kdf_derive_from_key(k, sizeof(k), 2, "dsvpnd2h", psk);
	memcpy(m, label, sizeof(label) - 1);
	for (i = 0; i < 8; i++)
		m[sizeof(label) - 1 + i] = (uint8_t)(hour >> (56 - 8 * i));
	crypto_generichash(id, 32, m, sizeof(m), k, sizeof(k));
}

static int
t_epoch(void)
{
	uint8_t		 psk[32], psk2[32], a[32], b[32], c[32];
	uint64_t	 h = keyid_hour(WALL0);

	memset(psk, 0x42, sizeof(psk));
	memcpy(psk2, psk, sizeof(psk2));
	psk2[31] ^= 1;
	CHECK(h == WALL0 / 3600);
	CHECK(keyid_hour(h * 3600) == h && keyid_hour(h * 3600 - 1) == h - 1);
	keyid_epoch(a, psk, h);
	epoch_by_the_book(b, psk, h);
	CHECK(memcmp(a, b, 32) == 0);
	keyid_epoch(b, psk, h);
	CHECK(memcmp(a, b, 32) == 0);		/* stable within the hour */
	keyid_epoch(b, psk, h + 1);
	CHECK(memcmp(a, b, 32) != 0);		/* new every hour */
	keyid_epoch(c, psk2, h);
	CHECK(memcmp(a, c, 32) != 0);		/* per key */
	return (0);
}

/* Every acceptable hello's hour is inside keyid_hours(). */
static int
t_hours(void)
{
	static const uint32_t windows[] = { 0, 1, 59, 3600, 5000, 7200 };
	uint64_t	 first, last, now, ts;
	size_t		 i;
	int64_t		 d;

	keyid_hours(WALL0, 7200, &first, &last);
	CHECK(first == (WALL0 - 7200) / 3600 && last == (WALL0 + 7200) / 3600);
	CHECK(last - first + 1 <= 2 * 7200 / 3600 + 1);
	keyid_hours(100, 7200, &first, &last);
	CHECK(first == 0 && last == 2);
	for (i = 0; i < nitems(windows); i++) {
		for (now = WALL0; now < WALL0 + 7300; now += 97) {
			keyid_hours(now, windows[i], &first, &last);
			CHECK(last - first <= 2 * (uint64_t)windows[i] /
			    3600 + 1);
			for (d = -(int64_t)windows[i]; d <= windows[i];
			    d += windows[i] / 7 + 1) {
				ts = now + d;
				CHECK(keyid_hour(ts) >= first &&
				    keyid_hour(ts) <= last);
			}
			ts = now + windows[i];
			CHECK(keyid_hour(ts) <= last);
			ts = now - windows[i];
			CHECK(keyid_hour(ts) >= first);
		}
	}
	return (0);
}

static int
t_ticket(void)
{
	uint8_t		 key[32], key2[32], nonce[12], t[32], t2[32];
	uint32_t	 id;
	size_t		 i;
	int		 bit;

	memset(key, 0x11, sizeof(key));
	memset(key2, 0x12, sizeof(key2));
	memset(nonce, 0x22, sizeof(nonce));
	keyid_ticket_seal(t, key, 0xdeadbeef, nonce);
	CHECK(memcmp(t, nonce, sizeof(nonce)) == 0);
	CHECK(keyid_ticket_open(t, key, &id) == 0 && id == 0xdeadbeef);
	/* Another server's key, and every flipped bit: refused. */
	CHECK(keyid_ticket_open(t, key2, &id) == -1);
	for (i = 0; i < sizeof(t); i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(t2, t, sizeof(t2));
			t2[i] ^= 1 << bit;
			CHECK(keyid_ticket_open(t2, key, &id) == -1);
		}
	/* The nonce makes each ticket of one peer differ. */
	nonce[0] ^= 1;
	keyid_ticket_seal(t2, key, 0xdeadbeef, nonce);
	CHECK(memcmp(t, t2, sizeof(t)) != 0);
	CHECK(keyid_ticket_open(t2, key, &id) == 0 && id == 0xdeadbeef);
	return (0);
}

/* Rotation: a ticket is good under the current and the previous key. */
static int
t_rotation(void)
{
	struct keyid_tickets tk, other;
	uint8_t		 t[32], t2[32];
	uint32_t	 id = 0;

	memset(&tk, 0, sizeof(tk));
	memset(&other, 0, sizeof(other));
	CHECK(keyid_tickets_make(&tk, 7, t) == -1);	/* no key yet */
	CHECK(keyid_tickets_open(&tk, t, &id) == -1);
	keyid_tickets_rotate(&tk);
	keyid_tickets_rotate(&other);
	CHECK(keyid_tickets_make(&tk, 7, t) == 0);
	CHECK(keyid_tickets_make(&tk, 7, t2) == 0);
	CHECK(memcmp(t, t2, sizeof(t)) != 0);
	CHECK(keyid_tickets_open(&tk, t, &id) == 0 && id == 7);
	CHECK(keyid_tickets_open(&other, t, &id) == -1);
	keyid_tickets_rotate(&tk);
	CHECK(tk.nkeys == 2);
	id = 0;
	CHECK(keyid_tickets_open(&tk, t, &id) == 0 && id == 7);
	keyid_tickets_rotate(&tk);
	CHECK(keyid_tickets_open(&tk, t, &id) == -1);	/* expired */
	keyid_tickets_wipe(&tk);
	CHECK(tk.nkeys == 0 && keyid_tickets_make(&tk, 7, t) == -1);
	return (0);
}

static void
id_of(uint8_t id[32], uint32_t n)
{
	uint8_t	 m[4];

	m[0] = (uint8_t)(n >> 24), m[1] = (uint8_t)(n >> 16);
	m[2] = (uint8_t)(n >> 8), m[3] = (uint8_t)n;
	crypto_generichash(id, 32, m, sizeof(m), NULL, 0);
}

static void *
val_of(uint32_t n)
{
	return ((void *)(uintptr_t)(n + 1));
}

static int
t_idtable_basic(void)
{
	struct idtable	*t;
	uint8_t		 a[32], b[32];
	int		 x, y;

	CHECK(idtable_new(0) == NULL);
	CHECK((t = idtable_new(2)) != NULL);
	CHECK(idtable_max(t) == 2 && idtable_count(t) == 0);
	id_of(a, 1);
	id_of(b, 2);
	CHECK(idtable_get(t, a) == NULL);
	CHECK(idtable_put(t, a, NULL) == -1 && errno == EINVAL);
	CHECK(idtable_put(t, a, &x) == 0);
	CHECK(idtable_put(t, a, &y) == -1 && errno == EEXIST);
	CHECK(idtable_get(t, a) == &x);
	CHECK(idtable_put(t, b, &y) == 0 && idtable_count(t) == 2);
	id_of(b, 3);
	CHECK(idtable_put(t, b, &y) == -1 && errno == ENOSPC);
	CHECK(idtable_del(t, b) == -1 && errno == ENOENT);
	CHECK(idtable_del(t, a) == 0 && idtable_get(t, a) == NULL);
	CHECK(idtable_count(t) == 1);
	CHECK(idtable_put(t, b, &y) == 0 && idtable_get(t, b) == &y);
	idtable_clear(t);
	CHECK(idtable_count(t) == 0 && idtable_get(t, b) == NULL);
	idtable_free(t);
	idtable_free(NULL);
	return (0);
}

/*
 * Many ids, removed in a scrambled order and added again, as the
 * hourly window does: every present id is found, no removed one.
 */
static int
t_idtable_churn(void)
{
	enum { N = 20000 };
	struct idtable	*t;
	uint8_t		 id[32];
	uint32_t	 i, k, round;

	CHECK((t = idtable_new(N)) != NULL);
	for (i = 0; i < N; i++) {
		id_of(id, i);
		CHECK(idtable_put(t, id, val_of(i)) == 0);
	}
	for (round = 0; round < 4; round++) {
		/* Remove the ids i with i * 7919 % 3 == round % 3. */
		for (k = 0; k < N; k++) {
			i = (uint32_t)(((uint64_t)k * 7919) % N);
			if (i % 3 != round % 3)
				continue;
			id_of(id, i);
			CHECK(idtable_del(t, id) == 0);
		}
		for (i = 0; i < N; i++) {
			id_of(id, i);
			CHECK(idtable_get(t, id) ==
			    (i % 3 == round % 3 ? NULL : val_of(i)));
		}
		for (i = round % 3; i < N; i += 3) {
			id_of(id, i);
			CHECK(idtable_put(t, id, val_of(i)) == 0);
		}
		CHECK(idtable_count(t) == N);
	}
	idtable_free(t);
	return (0);
}

/*
 * Ids that share their home slot, including the last slot so that the
 * run wraps: deleting from the middle must leave the rest reachable.
 */
static int
t_idtable_collide(void)
{
	struct idtable	*t;
	uint8_t		 id[12][32];
	size_t		 i, j, del;

	for (del = 0; del < nitems(id); del++) {
		CHECK((t = idtable_new(nitems(id))) != NULL);
		for (i = 0; i < nitems(id); i++) {
			memset(id[i], 0, 32);
			/* 32 slots: homes 31 (six ids) and 0 (six ids). */
			id[i][0] = i < 6 ? 31 : 0;
			id[i][31] = (uint8_t)(i + 1);
			CHECK(idtable_put(t, id[i], val_of(i)) == 0);
		}
		CHECK(idtable_del(t, id[del]) == 0);
		for (j = 0; j < nitems(id); j++)
			CHECK(idtable_get(t, id[j]) ==
			    (j == del ? NULL : val_of(j)));
		CHECK(idtable_put(t, id[del], val_of(del)) == 0);
		for (j = 0; j < nitems(id); j++)
			CHECK(idtable_get(t, id[j]) == val_of(j));
		idtable_free(t);
	}
	return (0);
}

static void
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
main(void)
{
	if (sodium_init() == -1)
		errx(1, "sodium_init");
	setvbuf(stdout, NULL, _IOLBF, 0);
	run("epoch ids", t_epoch);
	run("hours of the clock window", t_hours);
	run("tickets", t_ticket);
	run("ticket key rotation", t_rotation);
	run("idtable basics", t_idtable_basic);
	run("idtable churn, 20000 ids", t_idtable_churn);
	run("idtable colliding and wrapping runs", t_idtable_collide);
	printf("%d cases, %d failed\n", cases, failures);
	return (failures == 0 ? 0 : 1);
}
