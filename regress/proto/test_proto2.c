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
 * Unit tests of what protocol version 2 adds (the cases both versions
 * share run in test_proto.c for each): the key identifier and the
 * server's lookup, tickets, negotiation with version 1 peers, downgrade
 * attempts, the PUSH, TICKET and CLOSE reason frames, and the version 2
 * known answers (regress/proto/kat2.txt).
 *
 *	test_proto2		run every case
 *	test_proto2 -g		print the known-answer vectors (kat2.txt)
 */
#include "compat.h"

#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "harness.h"
#include "idtable.h"
#include "keyid.h"
#include "proto_int.h"
#include "push.h"

#define NPEERS		50

/*
 * A server as the tunnel runs it: peers with their own PSKs and peer
 * ids, the epoch ids of every peer for the hours of the clock window,
 * ticket keys, one replay cache.
 */
struct srv_peer {
	uint32_t	 id;
	uint8_t		 psk[PROTO_KEY_LEN];
};

struct srv {
	struct srv_peer		 peer[NPEERS];
	struct idtable		*epochs;
	struct keyid_tickets	 tickets;
	struct proto_replay	*replay;
	struct seam		 seam;
	int			 version;	/* accepted; 0 both */
	uint64_t		 lookups, ticket_hits;
};

static void
peer_psk(uint8_t psk[PROTO_KEY_LEN], int i)
{
	memset(psk, 0x42, PROTO_KEY_LEN);
	psk[0] ^= (uint8_t)i;
}

static int
srv_init(struct srv *sv)
{
	uint64_t	 first, last, h;
	uint8_t		 id[KEYID_LEN];
	int		 i;

	memset(sv, 0, sizeof(*sv));
	seam_init(&sv->seam, 99);
	keyid_hours(sv->seam.wall, PROTO_DEF_CLOCK_WINDOW, &first, &last);
	CHECK((sv->epochs = idtable_new(NPEERS * (last - first + 1))) !=
	    NULL);
	CHECK((sv->replay = proto_replay_new(256)) != NULL);
	for (i = 0; i < NPEERS; i++) {
		/* Peer 0 has the PSK the harness gives every client. */
		peer_psk(sv->peer[i].psk, i);
		sv->peer[i].id = 0x10000 + (uint32_t)i * 7;
		for (h = first; h <= last; h++) {
			keyid_epoch(id, sv->peer[i].psk, h);
			CHECK(idtable_put(sv->epochs, id, &sv->peer[i]) == 0);
		}
	}
	keyid_tickets_rotate(&sv->tickets);
	return (0);
}

static void
srv_free(struct srv *sv)
{
	idtable_free(sv->epochs);
	proto_replay_free(sv->replay);
	keyid_tickets_wipe(&sv->tickets);
}

static struct srv_peer *
srv_by_id(struct srv *sv, uint32_t id)
{
	int	 i;

	for (i = 0; i < NPEERS; i++)
		if (sv->peer[i].id == id)
			return (&sv->peer[i]);
	return (NULL);
}

static void
srv_params(struct srv *sv, struct proto_params *pp, const uint8_t *psk)
{
	params(pp, PROTO_SERVER, PROTO_CIPHER_AUTO, &sv->seam, sv->replay);
	pp->version = sv->version;
	if (psk != NULL)
		memcpy(pp->psk, psk, PROTO_KEY_LEN);
}

/*
 * The tunnel's order: peek (no key), epoch table, tickets, then the
 * MAC with the one peer's key.  NULL if no peer matches; *fault.
 */
static struct srv_peer *
srv_lookup(struct srv *sv, const uint8_t *h, size_t len, int *fault)
{
	struct proto_params	 pp;
	struct proto_hello_info	 info;
	struct srv_peer		*pe;
	uint32_t		 id;

	srv_params(sv, &pp, NULL);
	*fault = -1;
	if (proto_hello_peek(&pp, h, len, &info, fault) == -1)
		return (NULL);
	if (info.keyid == NULL)
		return (&sv->peer[0]);	/* v1: the single-key peer */
	sv->lookups++;
	if ((pe = idtable_get(sv->epochs, info.keyid)) != NULL)
		return (pe);
	if (keyid_tickets_open(&sv->tickets, info.keyid, &id) == 0 &&
	    (pe = srv_by_id(sv, id)) != NULL) {
		sv->ticket_hits++;
		return (pe);
	}
	*fault = PROTO_F_HANDSHAKE;
	return (NULL);
}

/* A server session for a hello, or NULL and *fault if refused. */
static struct proto *
srv_accept(struct srv *sv, uint8_t *h, size_t len, int *fault)
{
	struct proto_params	 pp;
	struct proto_event	 ev;
	struct srv_peer		*pe;
	struct proto		*p;

	if ((pe = srv_lookup(sv, h, len, fault)) == NULL)
		return (NULL);
	srv_params(sv, &pp, pe->psk);
	if (proto_hello_check(&pp, h, len, fault) == -1)
		return (NULL);
	if ((p = proto_new(&pp)) == NULL)
		return (NULL);
	if (proto_input(p, h, len, 1000, &ev) != (ssize_t)len) {
		*fault = proto_fault(p);
		proto_free(p);
		return (NULL);
	}
	return (p);
}

/* A version 2 client of peer i, its hello made; ticket if not NULL. */
static struct proto *
client(struct seam *seam, int i, int version, const uint8_t *ticket)
{
	struct proto_params	 pp;
	struct proto		*p;

	params(&pp, PROTO_CLIENT, PROTO_CIPHER_AUTO, seam, NULL);
	pp.version = version;
	peer_psk(pp.psk, i);
	if (ticket != NULL) {
		pp.ticket_set = 1;
		memcpy(pp.ticket, ticket, PROTO_TICKET_LEN);
	}
	if ((p = proto_new(&pp)) == NULL || proto_start(p, 1000) == -1) {
		proto_free(p);
		return (NULL);
	}
	return (p);
}

/* The rest of a handshake after the server accepted the hello. */
static int
finish(struct pair *pr)
{
	int	 ups = 0;

	drain(pr->s, &pr->s2c);
	CHECK(pr->s2c.len == PROTO_REPLY_LEN);
	CHECK(deliver(pr->c, &pr->s2c, pr->now, NULL, &ups, NULL) == 0);
	drain(pr->c, &pr->c2s);
	CHECK(deliver(pr->s, &pr->c2s, pr->now, NULL, &ups, NULL) == 0);
	CHECK(ups == 2 && proto_is_up(pr->c) && proto_is_up(pr->s));
	CHECK(proto_version(pr->c) == proto_version(pr->s));
	return (0);
}

/* Client i's hello through srv; the pair is up or the call fails. */
static int
connect_peer(struct srv *sv, struct pair *pr, int i, const uint8_t *ticket)
{
	const uint8_t	*out;
	uint8_t		 h[PROTO_HELLO_MAX];
	size_t		 n;
	int		 fault;

	memset(pr, 0, sizeof(*pr));
	pr->now = 1000;
	CHECK((pr->c = client(&sv->seam, i, PROTO_V2, ticket)) != NULL);
	CHECK((n = proto_pending(pr->c, &out)) == PROTO_HELLO2_LEN);
	memcpy(h, out, n);
	proto_consume(pr->c, n);
	CHECK((pr->s = srv_accept(sv, h, n, &fault)) != NULL);
	return (finish(pr));
}

/* The server hands out a ticket; the client's event carries it. */
static int
get_ticket(struct srv *sv, struct pair *pr, uint32_t id, uint8_t t[32])
{
	struct proto_event	 ev;
	uint8_t			 mine[PROTO_TICKET_LEN];
	ssize_t			 n;

	CHECK(keyid_tickets_make(&sv->tickets, id, mine) == 0);
	CHECK(proto_ticket(pr->s, mine, pr->now) == 0);
	drain(pr->s, &pr->s2c);
	CHECK(pr->s2c.len == PROTO_TICKET_LEN + PROTO_OVERHEAD);
	n = proto_input(pr->c, pr->s2c.buf, pr->s2c.len, pr->now, &ev);
	CHECK(n == (ssize_t)pr->s2c.len);
	CHECK(ev.type == PROTO_EV_TICKET && ev.len == PROTO_TICKET_LEN);
	CHECK(memcmp(ev.data, mine, PROTO_TICKET_LEN) == 0);
	memcpy(t, ev.data, PROTO_TICKET_LEN);
	pr->s2c.len = 0;
	return (0);
}

static void
pair_drop(struct pair *pr)
{
	proto_free(pr->c);
	proto_free(pr->s);
	free(pr->c2s.buf);
	free(pr->s2c.buf);
	memset(pr, 0, sizeof(*pr));
}

/* Epoch ids: many peers, each found by one lookup, with its own key. */
static int
t_epoch_lookup(void)
{
	struct srv	 sv;
	struct pair	 pr;
	struct proto_params pp;
	struct proto_hello_info info;
	const uint8_t	*out;
	uint8_t		 h[PROTO_HELLO_MAX], id[KEYID_LEN];
	int		 i, f;

	CHECK(srv_init(&sv) == 0);
	for (i = 0; i < NPEERS; i += 7) {
		CHECK(connect_peer(&sv, &pr, i, NULL) == 0);
		CHECK(proto_version(pr.c) == PROTO_V2);
		pair_drop(&pr);
	}
	CHECK(sv.lookups == (NPEERS + 6) / 7 && sv.ticket_hits == 0);
	/* The id is the epoch id of the hello's own hour. */
	CHECK((pr.c = client(&sv.seam, 3, PROTO_V2, NULL)) != NULL);
	CHECK(proto_pending(pr.c, &out) == PROTO_HELLO2_LEN);
	memcpy(h, out, PROTO_HELLO2_LEN);
	srv_params(&sv, &pp, NULL);
	CHECK(proto_hello_peek(&pp, h, PROTO_HELLO2_LEN, &info, &f) == 0);
	CHECK(info.version == PROTO_V2 && info.timestamp == WALL0);
	CHECK(info.keyid == h + 60);
	keyid_epoch(id, sv.peer[3].psk, keyid_hour(WALL0));
	CHECK(memcmp(info.keyid, id, KEYID_LEN) == 0);
	proto_free(pr.c);
	srv_free(&sv);
	return (0);
}

/*
 * A ticket from one session opens the next; it links to nothing: the
 * two hellos' ids differ, and neither tells the other.
 */
static int
t_ticket_session(void)
{
	struct srv	 sv;
	struct pair	 pr;
	uint8_t		 t[PROTO_TICKET_LEN], t2[PROTO_TICKET_LEN];
	uint8_t		 epoch[KEYID_LEN];
	const uint8_t	*out;

	CHECK(srv_init(&sv) == 0);
	CHECK(connect_peer(&sv, &pr, 5, NULL) == 0);
	CHECK(get_ticket(&sv, &pr, sv.peer[5].id, t) == 0);
	pair_drop(&pr);
	CHECK(connect_peer(&sv, &pr, 5, t) == 0);
	CHECK(sv.ticket_hits == 1);
	/* The next one, over the ticketed session. */
	CHECK(get_ticket(&sv, &pr, sv.peer[5].id, t2) == 0);
	CHECK(memcmp(t, t2, sizeof(t)) != 0);
	pair_drop(&pr);
	/* The hello carries the ticket, not the epoch id. */
	CHECK((pr.c = client(&sv.seam, 5, PROTO_V2, t2)) != NULL);
	CHECK(proto_pending(pr.c, &out) == PROTO_HELLO2_LEN);
	CHECK(memcmp(out + 60, t2, sizeof(t2)) == 0);
	keyid_epoch(epoch, sv.peer[5].psk, keyid_hour(WALL0));
	CHECK(memcmp(out + 60, epoch, sizeof(epoch)) != 0);
	proto_free(pr.c);
	srv_free(&sv);
	return (0);
}

/*
 * Refused tickets: another server's, an expired one, a tampered one, a
 * removed peer's.  Each costs the server no MAC and no DH (srv_lookup
 * finds no peer); the client's fallback to its epoch id works.
 */
static int
t_ticket_refused(void)
{
	struct srv	 sv, other;
	struct pair	 pr;
	struct proto	*c;
	const uint8_t	*out;
	uint8_t		 t[4][PROTO_TICKET_LEN], h[PROTO_HELLO_MAX];
	uint64_t	 dh;
	int		 i, f;

	CHECK(srv_init(&sv) == 0);
	CHECK(srv_init(&other) == 0);
	CHECK(connect_peer(&sv, &pr, 2, NULL) == 0);
	CHECK(get_ticket(&sv, &pr, sv.peer[2].id, t[1]) == 0);
	CHECK(get_ticket(&sv, &pr, sv.peer[2].id, t[2]) == 0);
	CHECK(get_ticket(&sv, &pr, 0xabcdef, t[3]) == 0);
	pair_drop(&pr);
	CHECK(keyid_tickets_make(&other.tickets, sv.peer[2].id, t[0]) == 0);
	t[2][17] ^= 0x04;			/* tampered */
	keyid_tickets_rotate(&sv.tickets);
	keyid_tickets_rotate(&sv.tickets);	/* t[1] expired */
	for (i = 0; i < 4; i++) {
		CHECK((c = client(&sv.seam, 2, PROTO_V2, t[i])) != NULL);
		CHECK(proto_pending(c, &out) == PROTO_HELLO2_LEN);
		memcpy(h, out, PROTO_HELLO2_LEN);
		proto_free(c);
		dh = proto_dh_calls();
		CHECK(srv_lookup(&sv, h, PROTO_HELLO2_LEN, &f) == NULL);
		CHECK(f == PROTO_F_HANDSHAKE && proto_dh_calls() == dh);
	}
	CHECK(connect_peer(&sv, &pr, 2, NULL) == 0);
	pair_drop(&pr);
	srv_free(&sv);
	srv_free(&other);
	return (0);
}

/* The key id names peer A, but the hello is checked with B's key. */
static int
t_wrong_peer(void)
{
	struct srv	 sv;
	struct proto_params pp;
	struct proto	*c, *s;
	struct proto_event ev;
	const uint8_t	*out;
	uint8_t		 h[PROTO_HELLO_MAX];
	uint64_t	 dh;
	int		 f;

	CHECK(srv_init(&sv) == 0);
	CHECK((c = client(&sv.seam, 8, PROTO_V2, NULL)) != NULL);
	CHECK(proto_pending(c, &out) == PROTO_HELLO2_LEN);
	memcpy(h, out, PROTO_HELLO2_LEN);
	CHECK(srv_lookup(&sv, h, PROTO_HELLO2_LEN, &f) == &sv.peer[8]);
	srv_params(&sv, &pp, sv.peer[9].psk);
	dh = proto_dh_calls();
	CHECK(proto_hello_check(&pp, h, PROTO_HELLO2_LEN, &f) == -1);
	CHECK(f == PROTO_F_HANDSHAKE);
	CHECK((s = proto_new(&pp)) != NULL);
	CHECK(proto_input(s, h, PROTO_HELLO2_LEN, 1000, &ev) == -1);
	CHECK(proto_pending(s, &out) == 0 && proto_dh_calls() == dh);
	CHECK(strcmp(proto_error(s), "hello MAC mismatch (wrong key?)") == 0);
	proto_free(s);
	proto_free(c);
	srv_free(&sv);
	return (0);
}

/* A v2 client against servers of each kind, with its v1 fallback. */
static int
t_negotiate(void)
{
	static const struct { int cv, sv, ok; } t[] = {
		{ PROTO_V1, 0, PROTO_V1 }, { PROTO_V2, 0, PROTO_V2 },
		{ 0, 0, PROTO_V2 }, { PROTO_V1, PROTO_V1, PROTO_V1 },
		{ PROTO_V2, PROTO_V2, PROTO_V2 }, { PROTO_V2, PROTO_V1, 0 },
		{ PROTO_V1, PROTO_V2, 0 }, { 0, PROTO_V1, 0 }
	};
	struct srv	 sv;
	struct pair	 pr;
	const uint8_t	*out;
	uint8_t		 h[PROTO_HELLO_MAX];
	size_t		 i, n;
	uint64_t	 dh;
	int		 f;

	for (i = 0; i < nitems(t); i++) {
		CHECK(srv_init(&sv) == 0);
		sv.version = t[i].sv;
		memset(&pr, 0, sizeof(pr));
		pr.now = 1000;
		CHECK((pr.c = client(&sv.seam, 0, t[i].cv, NULL)) != NULL);
		n = proto_pending(pr.c, &out);
		CHECK(n == proto_hello_len(t[i].cv == 0 ? PROTO_VERSION :
		    t[i].cv));
		memcpy(h, out, n);
		proto_consume(pr.c, n);
		dh = proto_dh_calls();
		pr.s = srv_accept(&sv, h, n, &f);
		if (t[i].ok == 0) {
			/* Refused in silence, before any key. */
			CHECK(pr.s == NULL && f == PROTO_F_HANDSHAKE);
			CHECK(proto_dh_calls() == dh);
		} else {
			CHECK(pr.s != NULL && finish(&pr) == 0);
			CHECK(proto_version(pr.s) == t[i].ok);
		}
		pair_drop(&pr);
		srv_free(&sv);
	}
	/* The fallback: no reply to version 2, so retry as version 1. */
	CHECK(srv_init(&sv) == 0);
	sv.version = PROTO_V1;
	memset(&pr, 0, sizeof(pr));
	CHECK((pr.c = client(&sv.seam, 0, PROTO_V1, NULL)) != NULL);
	n = proto_pending(pr.c, &out);
	memcpy(h, out, n);
	proto_consume(pr.c, n);
	CHECK((pr.s = srv_accept(&sv, h, n, &f)) != NULL);
	CHECK(finish(&pr) == 0 && proto_version(pr.c) == PROTO_V1);
	pair_drop(&pr);
	srv_free(&sv);
	return (0);
}

/*
 * Downgrades: nothing of a v2 hello or reply passes as v1, nor the
 * reverse, and the same randomness yields unrelated keys per version.
 */
static int
t_downgrade(void)
{
	struct srv	 sv;
	struct pair	 pr;
	struct proto_event ev;
	const uint8_t	*out;
	uint8_t		 h[PROTO_HELLO_MAX + 32], k[32], fr[2][40];
	uint64_t	 dh;
	int		 f, v;

	CHECK(srv_init(&sv) == 0);
	CHECK((pr.c = client(&sv.seam, 0, PROTO_V2, NULL)) != NULL);
	CHECK(proto_pending(pr.c, &out) == PROTO_HELLO2_LEN);
	memcpy(h, out, PROTO_HELLO2_LEN);
	proto_free(pr.c);
	dh = proto_dh_calls();
	/* Relabelled v1: cut to 92 bytes, so the "MAC" is the key id. */
	h[0] = PROTO_V1;
	CHECK(srv_accept(&sv, h, PROTO_HELLO_LEN, &f) == NULL);
	CHECK(f == PROTO_F_HANDSHAKE);
	/* Even with the MAC moved to where v1 has it. */
	memcpy(h + 60, h + 92, 32);
	CHECK(srv_accept(&sv, h, PROTO_HELLO_LEN, &f) == NULL);
	/* A v2 hello MACed with the v1 key (a holder of both keys). */
	h[0] = PROTO_V2;
	hs_hello_key(k, sv.peer[0].psk, hs_suite(PROTO_V1));
	crypto_generichash(h + 92, 32, h, 92, k, 32);
	CHECK(srv_accept(&sv, h, PROTO_HELLO2_LEN, &f) == NULL);
	CHECK(proto_dh_calls() == dh);
	/* A v1 hello padded out to v2's length and relabelled. */
	CHECK((pr.c = client(&sv.seam, 0, PROTO_V1, NULL)) != NULL);
	CHECK(proto_pending(pr.c, &out) == PROTO_HELLO_LEN);
	memcpy(h, out, PROTO_HELLO_LEN);
	proto_free(pr.c);
	memcpy(h + 92, h + 60, 32);
	keyid_epoch(h + 60, sv.peer[0].psk, keyid_hour(WALL0));
	h[0] = PROTO_V2;
	dh = proto_dh_calls();
	CHECK(srv_accept(&sv, h, PROTO_HELLO2_LEN, &f) == NULL);
	CHECK(f == PROTO_F_HANDSHAKE && proto_dh_calls() == dh);
	/* A v2 reply relabelled v1: the client refuses it. */
	memset(&pr, 0, sizeof(pr));
	CHECK((pr.c = client(&sv.seam, 0, PROTO_V2, NULL)) != NULL);
	drain(pr.c, &pr.c2s);
	CHECK((pr.s = srv_accept(&sv, pr.c2s.buf, pr.c2s.len, &f)) != NULL);
	drain(pr.s, &pr.s2c);
	pr.s2c.buf[0] = PROTO_V1;
	CHECK(proto_input(pr.c, pr.s2c.buf, pr.s2c.len, 1000, &ev) == -1);
	CHECK(proto_fault(pr.c) == PROTO_F_HANDSHAKE);
	pair_drop(&pr);
	/* One seam, both versions: the first data frames differ. */
	for (v = PROTO_V1; v <= PROTO_V2; v++) {
		test_version = v;
		CHECK(pair_new(&pr, PROTO_CIPHER_CHACHA20POLY1305,
		    PROTO_CIPHER_AUTO, NULL) == 0);
		CHECK(pair_up(&pr) == 0);
		pr.c2s.len = 0;
		CHECK(send_data(pr.c, &pr.c2s, 20, 0, pr.now) == 0);
		memcpy(fr[v - 1], pr.c2s.buf, sizeof(fr[0]));
		pair_free(&pr);
	}
	test_version = PROTO_V2;
	CHECK(memcmp(fr[0], fr[1], sizeof(fr[0])) != 0);
	srv_free(&sv);
	return (0);
}

/* Every refusal of proto_hello_peek(), none with a key. */
static int
t_peek(void)
{
	struct proto_params pp;
	struct proto_hello_info info;
	struct seam	 seam;
	struct proto	*c;
	const uint8_t	*out;
	uint8_t		 h[PROTO_HELLO_MAX];
	int		 f;

	seam_init(&seam, 3);
	CHECK((c = client(&seam, 0, PROTO_V2, NULL)) != NULL);
	CHECK(proto_pending(c, &out) == PROTO_HELLO2_LEN);
	memcpy(h, out, PROTO_HELLO2_LEN);
	proto_free(c);
	params(&pp, PROTO_SERVER, PROTO_CIPHER_AUTO, &seam, NULL);
	pp.version = 0;
	memset(pp.psk, 0, sizeof(pp.psk));	/* unused */
	CHECK(proto_hello_peek(&pp, h, PROTO_HELLO2_LEN, &info, &f) == 0);
	CHECK(proto_hello_peek(&pp, h, PROTO_HELLO2_LEN - 1, &info, &f) ==
	    -1 && f == PROTO_F_HANDSHAKE && info.keyid == NULL);
	CHECK(proto_hello_peek(&pp, h, 0, &info, &f) == -1);
	pp.version = PROTO_V1;
	CHECK(proto_hello_peek(&pp, h, PROTO_HELLO2_LEN, &info, &f) == -1);
	pp.version = PROTO_V2;
	h[1] = 2;
	CHECK(proto_hello_peek(&pp, h, PROTO_HELLO2_LEN, &info, &f) == -1);
	h[1] = 1;
	h[3] = 1;
	CHECK(proto_hello_peek(&pp, h, PROTO_HELLO2_LEN, &info, &f) == -1);
	h[3] = 0;
	h[0] = 3;
	CHECK(proto_hello_len(h[0]) == 0);
	CHECK(proto_hello_peek(&pp, h, PROTO_HELLO2_LEN, &info, &f) == -1);
	h[0] = PROTO_V2;
	seam.wall = WALL0 + PROTO_DEF_CLOCK_WINDOW + 1;
	CHECK(proto_hello_peek(&pp, h, PROTO_HELLO2_LEN, &info, &f) == -1);
	CHECK(f == PROTO_F_REPLAY);
	seam.wall = WALL0 - PROTO_DEF_CLOCK_WINDOW - 1;
	CHECK(proto_hello_peek(&pp, h, PROTO_HELLO2_LEN, &info, &f) == -1);
	CHECK(f == PROTO_F_REPLAY);
	CHECK(proto_hello_len(PROTO_V1) == PROTO_HELLO_LEN);
	CHECK(proto_hello_len(PROTO_V2) == PROTO_HELLO2_LEN);
	CHECK(proto_hello_len(0) == 0);
	return (0);
}

static size_t
sample_push(uint8_t *buf, size_t cap)
{
	struct push	 p;
	const char	*why;
	ssize_t		 n;

	memset(&p, 0, sizeof(p));
	p.have4 = 1;
	inet_pton(AF_INET, "192.168.192.1", &p.addr4);
	p.plen4 = 24;
	inet_pton(AF_INET, "192.168.192.254", &p.peer4);
	p.defroute = PUSH_DEFAULT_V4;
	p.mtu = 1400;
	p.ndns4 = 1;
	inet_pton(AF_INET, "192.0.2.53", &p.dns4[0]);
	n = push_encode(&p, buf, cap, &why);
	return (n < 0 ? 0 : (size_t)n);
}

static int
up_v2(struct pair *pr, const struct proto_params *tmpl)
{
	test_version = PROTO_V2;
	CHECK(pair_new(pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, tmpl) == 0);
	CHECK(pair_up(pr) == 0);
	return (0);
}

/* PUSH: what the client gets, the limits, who may send one. */
static int
t_push(void)
{
	static uint8_t	 big[PROTO_PUSH_MAX + 1];
	struct proto_params tmpl;
	struct pair	 pr;
	struct proto_event ev;
	struct push	 got;
	const uint8_t	*out;
	uint8_t		 tlv[PROTO_PUSH_MAX];
	size_t		 n;
	const char	*why;

	CHECK(up_v2(&pr, NULL) == 0);
	CHECK((n = sample_push(tlv, sizeof(tlv))) > 0);
	CHECK(proto_push(pr.s, tlv, n, pr.now) == 0);
	drain(pr.s, &pr.s2c);
	CHECK(pr.s2c.len == n + PROTO_OVERHEAD);
	CHECK(proto_input(pr.c, pr.s2c.buf, pr.s2c.len, pr.now, &ev) ==
	    (ssize_t)(n + PROTO_OVERHEAD));
	CHECK(ev.type == PROTO_EV_PUSH && ev.len == n);
	CHECK(memcmp(ev.data, tlv, n) == 0);
	CHECK(push_decode(ev.data, ev.len, &got, &why) == 0);
	CHECK(got.have4 && got.mtu == 1400);
	pr.s2c.len = 0;
	/* Who may not: a client, and nobody beyond the limit. */
	CHECK(proto_push(pr.c, tlv, n, pr.now) == -1 && errno == EINVAL);
	CHECK(proto_ticket(pr.c, tlv, pr.now) == -1 && errno == EINVAL);
	CHECK(proto_push(pr.s, big, sizeof(big), pr.now) == -1 &&
	    errno == EINVAL);
	CHECK(proto_is_up(pr.c) && proto_is_up(pr.s));
	/* The largest push, twice (the big buffer comes and goes). */
	memset(big, 0x20, sizeof(big));
	CHECK(proto_push(pr.s, big, PROTO_PUSH_MAX, pr.now) == 0);
	CHECK(proto_pending(pr.s, &out) == PROTO_PUSH_MAX + PROTO_OVERHEAD);
	drain(pr.s, &pr.s2c);
	CHECK(proto_push(pr.s, big, PROTO_PUSH_MAX, pr.now) == 0);
	drain(pr.s, &pr.s2c);
	CHECK(proto_input(pr.c, pr.s2c.buf, pr.s2c.len, pr.now, &ev) ==
	    PROTO_PUSH_MAX + PROTO_OVERHEAD && ev.type == PROTO_EV_PUSH);
	CHECK(proto_input(pr.c, pr.s2c.buf + PROTO_PUSH_MAX + PROTO_OVERHEAD,
	    pr.s2c.len - PROTO_PUSH_MAX - PROTO_OVERHEAD, pr.now, &ev) ==
	    PROTO_PUSH_MAX + PROTO_OVERHEAD && ev.type == PROTO_EV_PUSH);
	CHECK(ev.len == PROTO_PUSH_MAX && ev.data[0] == 0x20);
	pr.s2c.len = 0;
	/* Not drained: the second big push does not fit. */
	CHECK(proto_push(pr.s, big, PROTO_PUSH_MAX, pr.now) == 0);
	CHECK(proto_push(pr.s, big, PROTO_PUSH_MAX, pr.now) == -1 &&
	    errno == ENOBUFS);
	CHECK(strcmp(proto_error(pr.s), "control output not drained") == 0);
	pair_free(&pr);
	/* A client with a small max_payload still takes a full push. */
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.max_payload = 1000;
	CHECK(up_v2(&pr, &tmpl) == 0);
	CHECK(proto_push(pr.s, big, PROTO_PUSH_MAX, pr.now) == 0);
	drain(pr.s, &pr.s2c);
	CHECK(proto_input(pr.c, pr.s2c.buf, pr.s2c.len, pr.now, &ev) ==
	    PROTO_PUSH_MAX + PROTO_OVERHEAD && ev.type == PROTO_EV_PUSH);
	/* But no data frame over its limit, even a genuine one. */
	pr.s2c.len = 0;
	memset(big + PROTO_HDR_LEN, 1, 1001);
	CHECK(frame_seal(&pr.s->tx, pr.s->cipher, FRAME_DATA, big,
	    1001) == 0);
	CHECK(proto_input(pr.c, big, 1001 + PROTO_OVERHEAD, pr.now,
	    &ev) == -1 && ev.type == PROTO_EV_NONE);
	CHECK(strcmp(proto_error(pr.c), "data frame over maximum") == 0);
	pair_free(&pr);
	return (0);
}

/* Not before up, not in version 1, not from a server in WAIT_CONFIRM. */
static int
t_push_when(void)
{
	struct pair	 pr;
	uint8_t		 tlv[64], t[PROTO_TICKET_LEN];
	size_t		 n;

	memset(t, 1, sizeof(t));
	CHECK((n = sample_push(tlv, sizeof(tlv))) > 0);
	test_version = PROTO_V1;
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(pair_up(&pr) == 0);
	CHECK(proto_push(pr.s, tlv, n, pr.now) == -1 && errno == EINVAL);
	CHECK(proto_ticket(pr.s, t, pr.now) == -1 && errno == EINVAL);
	CHECK(proto_is_up(pr.s));
	pair_free(&pr);
	test_version = PROTO_V2;
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(proto_push(pr.s, tlv, n, pr.now) == -1);
	proto_start(pr.c, pr.now);
	drain(pr.c, &pr.c2s);
	CHECK(deliver(pr.s, &pr.c2s, pr.now, NULL, NULL, NULL) == 0);
	CHECK(proto_push(pr.s, tlv, n, pr.now) == -1 && errno == EINVAL);
	CHECK(proto_ticket(pr.s, t, pr.now) == -1 && errno == EINVAL);
	pair_free(&pr);
	return (0);
}

/*
 * Genuinely sealed frames of the wrong kind for their receiver, as a
 * peer holding the key could send them: each ends the session.
 */
static int
bad_frame(int version, int from_client, uint8_t type, size_t len,
    const char *why)
{
	static uint8_t	 f[PROTO_PUSH_MAX + 64];
	struct pair	 pr;
	struct proto	*from, *to;
	struct proto_event ev;

	test_version = version;
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(pair_up(&pr) == 0);
	from = from_client ? pr.c : pr.s;
	to = from_client ? pr.s : pr.c;
	memset(f, 0, sizeof(f));
	CHECK(frame_seal(&from->tx, from->cipher, type, f, len) == 0);
	CHECK(proto_input(to, f, len + PROTO_OVERHEAD, pr.now, &ev) == -1);
	CHECK(ev.type == PROTO_EV_NONE);
	CHECK(proto_fault(to) == PROTO_F_PROTOCOL);
	if (strcmp(proto_error(to), why) != 0) {
		printf("    v%d type %u len %zu: \"%s\"\n", version, type, len,
		    proto_error(to));
		CHECK(0);
	}
	pair_free(&pr);
	return (0);
}

static int
t_bad_frames(void)
{
	CHECK(bad_frame(PROTO_V2, 1, FRAME_PUSH, 10,
	    "server frame from a client") == 0);
	CHECK(bad_frame(PROTO_V2, 1, FRAME_TICKET, 32,
	    "server frame from a client") == 0);
	CHECK(bad_frame(PROTO_V2, 0, FRAME_TICKET, 31,
	    "bad control frame length") == 0);
	CHECK(bad_frame(PROTO_V2, 0, FRAME_TICKET, 33,
	    "bad control frame length") == 0);
	CHECK(bad_frame(PROTO_V2, 0, FRAME_PUSH, PROTO_PUSH_MAX + 1,
	    "bad control frame length") == 0);
	CHECK(bad_frame(PROTO_V2, 0, FRAME_CLOSE, 0,
	    "bad control frame length") == 0);
	CHECK(bad_frame(PROTO_V2, 1, FRAME_CLOSE, 2,
	    "bad control frame length") == 0);
	CHECK(bad_frame(PROTO_V2, 0, 7, 0, "unknown frame type") == 0);
	/* Version 1 never heard of them. */
	CHECK(bad_frame(PROTO_V1, 0, FRAME_PUSH, 10,
	    "unknown frame type") == 0);
	CHECK(bad_frame(PROTO_V1, 0, FRAME_TICKET, 32,
	    "unknown frame type") == 0);
	CHECK(bad_frame(PROTO_V1, 0, FRAME_CLOSE, 1,
	    "bad control frame length") == 0);
	return (0);
}

/* Every reason arrives as sent, unknown ones too. */
static int
t_close_reason(void)
{
	static const int reasons[] = { PROTO_CLOSE_NONE, PROTO_CLOSE_SHUTDOWN,
	    PROTO_CLOSE_REPLACED, PROTO_CLOSE_KICKED, PROTO_CLOSE_REMOVED,
	    200 };
	struct pair	 pr;
	struct proto_event ev;
	size_t		 i;
	int		 from_client;

	for (i = 0; i < nitems(reasons); i++)
		for (from_client = 0; from_client < 2; from_client++) {
			CHECK(up_v2(&pr, NULL) == 0);
			proto_close_reason(from_client ? pr.c : pr.s,
			    reasons[i]);
			drain(from_client ? pr.c : pr.s, &pr.s2c);
			CHECK(pr.s2c.len == PROTO_OVERHEAD + 1);
			CHECK(proto_input(from_client ? pr.s : pr.c,
			    pr.s2c.buf, pr.s2c.len, pr.now, &ev) ==
			    PROTO_OVERHEAD + 1);
			CHECK(ev.type == PROTO_EV_CLOSED);
			CHECK(ev.reason == reasons[i]);
			pair_free(&pr);
		}
	/* Version 1: an empty close, reason none. */
	test_version = PROTO_V1;
	CHECK(pair_new(&pr, PROTO_CIPHER_AUTO, PROTO_CIPHER_AUTO, NULL) == 0);
	CHECK(pair_up(&pr) == 0);
	proto_close_reason(pr.s, PROTO_CLOSE_KICKED);
	drain(pr.s, &pr.s2c);
	CHECK(pr.s2c.len == PROTO_OVERHEAD);
	CHECK(proto_input(pr.c, pr.s2c.buf, pr.s2c.len, pr.now, &ev) ==
	    PROTO_OVERHEAD);
	CHECK(ev.type == PROTO_EV_CLOSED && ev.reason == PROTO_CLOSE_NONE);
	pair_free(&pr);
	CHECK(strcmp(proto_close_reason_name(PROTO_CLOSE_REPLACED),
	    "replaced by a newer session with this key") == 0);
	CHECK(strcmp(proto_close_reason_name(200), "no reason given") == 0);
	return (0);
}

/*
 * Known answers, version 2: a session with a push, a ticket, data, a
 * rekey and a close with a reason; then a second session that presents
 * the ticket; then the pure helpers' outputs.
 */
#define KAT_TICKET_PEER	0x01020304

static void
kat_ticket(uint8_t t[PROTO_TICKET_LEN])
{
	uint8_t	 key[KEYID_TICKET_KEY_LEN], nonce[KEYID_TICKET_NONCE_LEN];

	memset(key, 0x11, sizeof(key));
	memset(nonce, 0x22, sizeof(nonce));
	keyid_ticket_seal(t, key, KAT_TICKET_PEER, nonce);
}

static int
kat2_run(struct kat *k, enum proto_cipher c)
{
	struct proto_params tmpl;
	uint8_t		 tlv[256], t[PROTO_TICKET_LEN];
	size_t		 n;

	test_version = PROTO_V2;
	memset(k, 0, sizeof(*k));
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.rekey_bytes = 64;
	CHECK(pair_new(&k->pr, c, PROTO_CIPHER_AUTO, &tmpl) == 0);
	CHECK(proto_start(k->pr.c, k->pr.now) == 0);
	CHECK(kat_flush(k) == 0);
	CHECK(proto_is_up(k->pr.c) && proto_is_up(k->pr.s));
	CHECK((n = sample_push(tlv, sizeof(tlv))) > 0);
	CHECK(proto_push(k->pr.s, tlv, n, k->pr.now) == 0);
	kat_ticket(t);
	CHECK(proto_ticket(k->pr.s, t, k->pr.now) == 0);
	CHECK(kat_send(k, 1, "first frame, client to server") == 0);
	CHECK(kat_send(k, 0, "first frame, server to client") == 0);
	CHECK(kat_send(k, 1, "second frame from the client, which crosses "
	    "the rekey byte limit") == 0);
	CHECK(kat_flush(k) == 0);
	CHECK(proto_rekeys(k->pr.c) == 1 && proto_rekeys(k->pr.s) == 1);
	CHECK(kat_send(k, 1, "after rekey, client") == 0);
	CHECK(kat_send(k, 0, "after rekey, server") == 0);
	proto_close_reason(k->pr.s, PROTO_CLOSE_REPLACED);
	CHECK(kat_flush(k) == 0);
	return (0);
}

/* The second session: the client presents the ticket of the first. */
static int
kat2_ticket_run(struct kat *k, enum proto_cipher c)
{
	struct proto_params cp, sp;

	test_version = PROTO_V2;
	memset(k, 0, sizeof(*k));
	CHECK(pair_init(&k->pr) == 0);
	k->pr.seam.wall += 600;
	params(&cp, PROTO_CLIENT, c, &k->pr.seam, NULL);
	cp.ticket_set = 1;
	kat_ticket(cp.ticket);
	params(&sp, PROTO_SERVER, PROTO_CIPHER_AUTO, &k->pr.seam,
	    k->pr.replay);
	sp.version = 0;
	CHECK(pair_open(&k->pr, &cp, &sp) == 0);
	CHECK(proto_start(k->pr.c, k->pr.now) == 0);
	CHECK(kat_flush(k) == 0);
	CHECK(proto_is_up(k->pr.c) && proto_is_up(k->pr.s));
	CHECK(kat_send(k, 1, "ticketed, client") == 0);
	CHECK(kat_send(k, 0, "ticketed, server") == 0);
	proto_close_reason(k->pr.c, PROTO_CLOSE_SHUTDOWN);
	CHECK(kat_flush(k) == 0);
	return (0);
}

/* The helpers' vectors, as "name hex" into one pipe per line. */
static void
kat2_helpers(struct pipe *epoch, struct pipe *ticket, struct pipe *push)
{
	uint8_t		 psk[PROTO_KEY_LEN], b[256];
	size_t		 n;

	memset(psk, 0x42, sizeof(psk));
	keyid_epoch(b, psk, keyid_hour(WALL0));
	pipe_put(epoch, b, KEYID_LEN);
	kat_ticket(b);
	pipe_put(ticket, b, PROTO_TICKET_LEN);
	n = sample_push(b, sizeof(b));
	pipe_put(push, b, n);
}

static int
kat2_each(enum proto_cipher c, FILE *gen, FILE *cmp)
{
	struct kat	 k;
	char		 name[64];
	int		 rc = 0, i;

	for (i = 0; i < 2; i++) {
		if ((i == 0 ? kat2_run(&k, c) : kat2_ticket_run(&k, c)) == -1)
			return (-1);
		snprintf(name, sizeof(name), "%s%s.c2s", cipher_str(c),
		    i == 0 ? "" : ".ticket");
		if (gen != NULL)
			hexline(gen, name, &k.rec_c2s);
		else if (kat_compare(cmp, name, &k.rec_c2s) == -1)
			rc = -1;
		snprintf(name, sizeof(name), "%s%s.s2c", cipher_str(c),
		    i == 0 ? "" : ".ticket");
		if (gen != NULL)
			hexline(gen, name, &k.rec_s2c);
		else if (kat_compare(cmp, name, &k.rec_s2c) == -1)
			rc = -1;
		kat_free(&k);
	}
	return (rc);
}

static int
kat2_helpers_each(FILE *gen, FILE *cmp)
{
	struct pipe	 p[3];
	static const char *names[] = { "keyid.epoch", "keyid.ticket",
	    "push.sample" };
	size_t		 i;
	int		 rc = 0;

	memset(p, 0, sizeof(p));
	kat2_helpers(&p[0], &p[1], &p[2]);
	for (i = 0; i < nitems(p); i++) {
		if (gen != NULL)
			hexline(gen, names[i], &p[i]);
		else if (kat_compare(cmp, names[i], &p[i]) == -1)
			rc = -1;
		free(p[i].buf);
	}
	return (rc);
}

static int
kat2_generate(void)
{
	if (!aes_ok)
		errx(1, "no AES-GCM here: cannot make every vector");
	printf("# regress/proto/kat2.txt: made by test_proto2 -g; see "
	    "doc/PROTOCOL.md.\n# PSK 32 x 0x42, clock %llu, rng as in "
	    "harness.c seam_rng(); ticket key\n# 32 x 0x11, nonce 12 x 0x22, "
	    "peer id 0x%08x.\n", (unsigned long long)WALL0, KAT_TICKET_PEER);
	if (kat2_each(PROTO_CIPHER_AES256GCM, stdout, NULL) == -1 ||
	    kat2_each(PROTO_CIPHER_CHACHA20POLY1305, stdout, NULL) == -1 ||
	    kat2_helpers_each(stdout, NULL) == -1)
		errx(1, "kat2 failed");
	return (0);
}

static int
t_kat2(void)
{
	FILE	*f;
	int	 rc = 0;

	CHECK((f = kat_open("kat2.txt")) != NULL);
	if (aes_ok && kat2_each(PROTO_CIPHER_AES256GCM, NULL, f) == -1)
		rc = -1;
	if (kat2_each(PROTO_CIPHER_CHACHA20POLY1305, NULL, f) == -1)
		rc = -1;
	if (kat2_helpers_each(NULL, f) == -1)
		rc = -1;
	fclose(f);
	CHECK(rc == 0);
	return (0);
}

/*
 * The replay cache under churn: whatever was ever added stays refused
 * (still in the ring, or at or below the floor), and a fresh nonce
 * above the floor passes.  Timestamps arrive out of order.
 */
static int
t_replay_index(void)
{
	enum { CAP = 700, N = 6000 };
	struct proto_replay *r;
	uint8_t		 n[16];
	uint64_t	*ts, seed = 0x9e3779b97f4a7c15ULL;
	uint32_t	 i, j;

	CHECK((r = proto_replay_new(CAP)) != NULL);
	CHECK((ts = calloc(N, sizeof(*ts))) != NULL);
	memset(n, 0, sizeof(n));
	for (i = 0; i < N; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		ts[i] = WALL0 + i / 4 + seed % 50;
		memcpy(n, &i, sizeof(i));
		CHECK(!replay_seen(r, n, UINT64_MAX));
		replay_add(r, n, ts[i]);
		replay_add(r, n, ts[i]);	/* a second add is a no-op */
		CHECK(replay_seen(r, n, ts[i]));
		if (i % 97 != 0 && i != N - 1)
			continue;
		for (j = 0; j <= i; j++) {
			memcpy(n, &j, sizeof(j));
			CHECK(replay_seen(r, n, ts[j]));
		}
		/* Fresh nonces above any evicted timestamp pass. */
		j = N + i;
		memcpy(n, &j, sizeof(j));
		CHECK(!replay_seen(r, n, WALL0 + N));
	}
	free(ts);
	proto_replay_free(r);
	return (0);
}

/* Each case starts from version 2; some switch. */
static void
run2(const char *name, int (*fn)(void))
{
	test_version = PROTO_V2;
	run(name, fn);
}

int
main(int argc, char *argv[])
{
	if (sodium_init() == -1)
		errx(1, "sodium_init");
	aes_ok = crypto_aead_aes256gcm_is_available();
	if (argc == 2 && strcmp(argv[1], "-g") == 0)
		return (kat2_generate());
	setvbuf(stdout, NULL, _IOLBF, 0);
	run2("epoch ids: lookup among many peers", t_epoch_lookup);
	run2("ticket from an earlier session", t_ticket_session);
	run2("refused tickets, epoch id fallback", t_ticket_refused);
	run2("key id of one peer, key of another", t_wrong_peer);
	run2("version negotiation and v1 fallback", t_negotiate);
	run2("downgrade attempts", t_downgrade);
	run2("hello peek without a key", t_peek);
	run2("push frames", t_push);
	run2("push and ticket only when allowed", t_push_when);
	run2("control frames of the wrong kind", t_bad_frames);
	run2("close reasons", t_close_reason);
	run2("replay cache index under churn", t_replay_index);
	run2("known-answer vectors v2", t_kat2);
	printf("%d cases, %d failed\n", cases, failures);
	return (failures == 0 ? 0 : 1);
}
