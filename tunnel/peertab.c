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

#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "dsvpn.h"
#include "idtable.h"
#include "keyid.h"
#include "log.h"
#include "peertab.h"

struct peertab	 peertab;

void
peertab_init(void)
{
	memset(&peertab, 0, sizeof(peertab));
	trie_init(&peertab.t4, 32);
	trie_init(&peertab.t6, 128);
}

static void
peer_free(struct tpeer *p)
{
	sodium_memzero(p->psk, sizeof(p->psk));
	sodium_memzero(p->raw, sizeof(p->raw));
	dsvpn_replay_free(p->dreplay);
	free(p);
}

void
peertab_begin(void)
{
	peertab_abort();
}

void
peertab_abort(void)
{
	size_t	 i;

	for (i = 0; i < peertab.nn; i++)
		peer_free(peertab.nv[i]);
	free(peertab.nv);
	peertab.nv = NULL;
	peertab.nn = peertab.ncap = 0;
}

static struct tpeer *
peertab_new(const char *name)
{
	struct tpeer	*p;
	void		*v;
	size_t		 ncap;

	if (peertab.nn == peertab.ncap) {
		ncap = peertab.ncap == 0 ? 16 : peertab.ncap * 2;
		if ((v = reallocarray(peertab.nv, ncap, sizeof(*peertab.nv)))
		    == NULL)
			fatal("%s", __func__);
		peertab.nv = v;
		peertab.ncap = ncap;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("%s", __func__);
	strlcpy(p->name, name, sizeof(p->name));
	peertab.nv[peertab.nn++] = p;
	return p;
}

/* A client block as the parent streamed it: every field checked. */
void
peertab_add_client(const struct msg_client *mc)
{
	struct tpeer	*p;

	if (memchr(mc->name, '\0', sizeof(mc->name)) == NULL ||
	    mc->name[0] == '\0' || mc->n_routes > CONF_CLIENT_ROUTES)
		fatalx("%s: bad client", __func__);
	p = peertab_new(mc->name);
	memcpy(p->psk, mc->key.psk, sizeof(p->psk));
	memcpy(p->raw, mc->key.raw, sizeof(p->raw));
	p->has4 = mc->has4 != 0;
	p->has6 = mc->has6 != 0;
	p->dsvpn = mc->protocol == CONF_PROTO_DSVPN;
	p->inet = mc->inet;
	p->inet6 = mc->inet6;
	p->n_routes = mc->n_routes;
	memcpy(p->routes, mc->routes, mc->n_routes * sizeof(p->routes[0]));
}

/* The single-key case: the one client of a server (its tunnel
 * addresses), or the one server of a client (any address). */
void
peertab_add(const char *name, const struct conf_key *key, int any,
    const struct in_addr *a4, const struct in6_addr *a6)
{
	struct tpeer	*p = peertab_new(name);

	memcpy(p->psk, key->psk, sizeof(p->psk));
	memcpy(p->raw, key->raw, sizeof(p->raw));
	p->any = any;
	p->dsvpn = 1;
	if (a4 != NULL) {
		p->has4 = 1;
		p->inet = *a4;
	}
	if (a6 != NULL) {
		p->has6 = 1;
		p->inet6 = *a6;
	}
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp((*(struct tpeer *const *)a)->name,
	    (*(struct tpeer *const *)b)->name);
}

static void
trie_add(const struct conf_prefix *pf, struct tpeer *p)
{
	struct trie	*t = pf->af == AF_INET ? &peertab.t4 : &peertab.t6;

	/* The parser refused overlaps; a duplicate keeps the first. */
	if (trie_insert(t, (const uint8_t *)&pf->addr, pf->plen, p) == -1)
		fatal("%s", __func__);
}

static void
tries_build(void)
{
	struct conf_prefix	 pf;
	struct tpeer		*p;
	size_t			 i;
	unsigned int		 j;

	trie_clear(&peertab.t4);
	trie_clear(&peertab.t6);
	for (i = 0; i < peertab.n; i++) {
		p = peertab.v[i];
		memset(&pf, 0, sizeof(pf));
		if (p->any) {
			pf.af = AF_INET;
			trie_add(&pf, p);
			pf.af = AF_INET6;
			trie_add(&pf, p);
		}
		if (p->has4) {
			pf.af = AF_INET;
			pf.plen = 32;
			pf.addr.v4 = p->inet;
			trie_add(&pf, p);
		}
		if (p->has6) {
			pf.af = AF_INET6;
			pf.plen = 128;
			pf.addr.v6 = p->inet6;
			trie_add(&pf, p);
		}
		for (j = 0; j < p->n_routes; j++)
			trie_add(&p->routes[j], p);
	}
}

static void
peer_draw_id(struct tpeer *p)
{
	do
		randombytes_buf(&p->id, sizeof(p->id));
	while (p->id == 0);
}

static int
id_cmp(const void *a, const void *b)
{
	uint32_t	 x = (*(struct tpeer * const *)a)->id;
	uint32_t	 y = (*(struct tpeer * const *)b)->id;

	return x < y ? -1 : x > y;
}

/*
 * The id index: sorted, and every id unique.  A handshake names its
 * peer by id across a reload (pending.c), so two peers with one id
 * would let a session be bound to the wrong client: a fresh id that
 * meets another (1 % likely among 10,000 peers) is drawn again.  Kept
 * ids are unique already, so one of two equal ids is always fresh.
 */
static void
ids_index(void)
{
	struct tpeer	**v;
	size_t		 k;
	int		 again;

	free(peertab.byid);
	peertab.byid = NULL;
	if (peertab.n == 0)
		return;
	if ((peertab.byid = calloc(peertab.n, sizeof(*v))) == NULL)
		fatal("%s", __func__);
	v = peertab.byid;
	do {
		memcpy(v, peertab.v, peertab.n * sizeof(*v));
		qsort(v, peertab.n, sizeof(*v), id_cmp);
		again = 0;
		for (k = 1; k < peertab.n; k++)
			if (v[k]->id == v[k - 1]->id) {
				peer_draw_id(v[k]->fresh ? v[k] : v[k - 1]);
				again = 1;
			}
	} while (again);
}

/* Takes over what the old entry had that the new one keeps. */
static void
peer_carry(struct tpeer *n, struct tpeer *o)
{
	n->id = o->id;
	n->sess = o->sess;
	n->c = o->c;
	n->since = o->since;
	n->last_handshake = o->last_handshake;
	n->cause = o->cause;
	memcpy(n->endpoint, o->endpoint, sizeof(n->endpoint));
	memcpy(n->cipher, o->cipher, sizeof(n->cipher));
	n->version = o->version;
	memcpy(n->protocol, o->protocol, sizeof(n->protocol));
	/* The same key: the hellos it accepted stay refused. */
	n->dreplay = o->dreplay;
	o->dreplay = NULL;
	session_move_peer(o, n);
	o->sess = NULL;
}

/*
 * The new table replaces the old.  Old and new are matched by name in
 * two sorted views; a peer whose key changed is a new peer (its
 * session cannot be trusted to be the new key's holder).
 */
void
peertab_commit(void (*gone)(struct tpeer *, int cause))
{
	struct tpeer	**os = NULL, **ns = NULL, *o, *n;
	size_t		 i = 0, j = 0, k;
	int		 c;

	if (peertab.n > 0 && (os = calloc(peertab.n, sizeof(*os))) == NULL)
		fatal("%s", __func__);
	if (peertab.nn > 0 && (ns = calloc(peertab.nn, sizeof(*ns))) == NULL)
		fatal("%s", __func__);
	if (os != NULL)
		memcpy(os, peertab.v, peertab.n * sizeof(*os));
	if (ns != NULL)
		memcpy(ns, peertab.nv, peertab.nn * sizeof(*ns));
	qsort(os, peertab.n, sizeof(*os), name_cmp);
	qsort(ns, peertab.nn, sizeof(*ns), name_cmp);
	for (k = 0; k < peertab.n; k++)
		os[k]->mark = 0;
	while (i < peertab.n && j < peertab.nn) {
		o = os[i];
		n = ns[j];
		if ((c = strcmp(o->name, n->name)) < 0) {
			i++;
			continue;
		}
		if (c > 0) {
			j++;
			continue;
		}
		if (sodium_memcmp(o->psk, n->psk, sizeof(o->psk)) == 0) {
			peer_carry(n, o);
			o->mark = 1;	/* kept */
		} else
			o->mark = 2;	/* key changed */
		i++;
		j++;
	}
	for (k = 0; k < peertab.nn; k++)
		if ((ns[k]->fresh = ns[k]->id == 0))
			peer_draw_id(ns[k]);
	/* Sessions move to their new entries before anything is freed. */
	for (k = 0; k < peertab.nn; k++)
		if (peertab.nv[k]->sess != NULL)
			session_rebind(peertab.nv[k]->sess, peertab.nv[k]);
	for (k = 0; k < peertab.n; k++) {
		o = peertab.v[k];
		if (o->mark != 1 && gone != NULL)
			gone(o, o->mark == 2 ? CAUSE_RELOAD : CAUSE_REMOVED);
		peer_free(o);
	}
	free(peertab.v);
	free(os);
	free(ns);
	peertab.v = peertab.nv;
	peertab.n = peertab.nn;
	peertab.cap = peertab.ncap;
	peertab.nv = NULL;
	peertab.nn = peertab.ncap = 0;
	peertab.gen++;
	ids_index();
	tries_build();
	/* The ids name entries that are gone: build them again. */
	peertab.ids_first = peertab.ids_last = 0;
	peertab_keyids(time(NULL), peertab.ids_window);
}

/*
 * All ids of all peers for the hours first .. last.  Rebuilt whole when
 * the range moves (twice an hour at most): 10,000 peers and a 2-hour
 * window are 50,000 keyed hashes, a few milliseconds.
 */
void
peertab_keyids(uint64_t now, uint32_t window)
{
	uint8_t		 id[KEYID_LEN];
	uint64_t	 first, last, h;
	size_t		 i, want;

	keyid_hours(now, window, &first, &last);
	if (peertab.ids != NULL && first == peertab.ids_first &&
	    last == peertab.ids_last && window == peertab.ids_window)
		return;
	idtable_free(peertab.ids);
	want = peertab.n * (last - first + 1);
	if ((peertab.ids = idtable_new(want > 0 ? want : 1)) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < peertab.n; i++)
		for (h = first; h <= last; h++) {
			keyid_epoch(id, peertab.v[i]->psk, h);
			/* Two keys with one id: astronomically unlikely;
			 * the first keeps it, the second uses v1 or a
			 * ticket. */
			if (idtable_put(peertab.ids, id, peertab.v[i]) == -1 &&
			    errno != EEXIST)
				fatal("%s: idtable_put", __func__);
		}
	sodium_memzero(id, sizeof(id));
	peertab.ids_first = first;
	peertab.ids_last = last;
	peertab.ids_window = window;
}

struct tpeer *
peertab_keyid(const uint8_t *keyid)
{
	if (peertab.ids == NULL)
		return NULL;
	return idtable_get(peertab.ids, keyid);
}

static struct tpeer *
lookup(const uint8_t *ip, size_t len, int dst)
{
	int	 ver = len > 0 ? ip[0] >> 4 : 0;

	if (ver == 4 && len >= 20)
		return trie_lookup(&peertab.t4, ip + (dst ? 16 : 12));
	if (ver == 6 && len >= 40)
		return trie_lookup(&peertab.t6, ip + (dst ? 24 : 8));
	return NULL;
}

struct tpeer *
peertab_dst(const uint8_t *ip, size_t len)
{
	return lookup(ip, len, 1);
}

struct tpeer *
peertab_src(const uint8_t *ip, size_t len)
{
	return lookup(ip, len, 0);
}

struct tpeer *
peertab_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < peertab.n; i++)
		if (strcmp(peertab.v[i]->name, name) == 0)
			return peertab.v[i];
	return NULL;
}

/* One binary search: once per handshake, whatever the table's size. */
struct tpeer *
peertab_by_id(uint32_t id)
{
	size_t	 lo = 0, hi = peertab.n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (peertab.byid[mid]->id == id)
			return peertab.byid[mid];
		if (peertab.byid[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
