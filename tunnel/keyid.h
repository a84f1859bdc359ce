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
 * Key identifiers of protocol version 2 (doc/PROTOCOL.md section 3): the
 * 32 bytes in a version 2 hello that let a server find the client's key
 * with one hash lookup, without telling an observer who the client is.
 * Two kinds, alike on the wire (32 random-looking bytes):
 *
 *  - an epoch id, keyid_epoch(): a keyed hash of the hour of the hello's
 *    timestamp under a key derived from the client's PSK.  The server
 *    holds, per client, the ids of every hour its clock window can reach
 *    (keyid_hours()) in an idtable (idtable.h), and updates them as the
 *    window moves: about 2 * window / 3600 + 1 ids per client.
 *  - a ticket, keyid_tickets_make(): 32 bytes the server gave the client
 *    inside its previous session (PROTO_EV_TICKET), sealed under a key
 *    only the server knows, holding the client's stable 32-bit peer id.
 *    The server opens it with keyid_tickets_open() (at most two AEAD
 *    opens: the current and the previous ticket key).
 *
 * Server lookup, cheapest first: proto_hello_peek() (version, length,
 * clock window; no key), then the epoch idtable, then the tickets, then
 * proto_hello_check() with the params of the one client found.  A hello
 * whose id matches nothing is refused without a MAC.
 *
 * Everything here is pure: no state but what the caller passes.
 */
#ifndef DSVPND_KEYID_H
#define DSVPND_KEYID_H

#include <stdint.h>

#define KEYID_LEN		32
#define KEYID_EPOCH_SECS	3600	/* one epoch id per hour */
#define KEYID_TICKET_KEY_LEN	32
#define KEYID_TICKET_NONCE_LEN	12
/*
 * The server rotates its ticket key every KEYID_TICKET_ROTATE seconds
 * and accepts the current and the previous one, so a ticket stays good
 * for at least that long; a client should not use an older one (it
 * would be refused, and the client would learn that only from silence).
 */
#define KEYID_TICKET_ROTATE	3600
#define KEYID_TICKET_LIFETIME	KEYID_TICKET_ROTATE

/* The epoch (hour) of a unix time. */
uint64_t	 keyid_hour(uint64_t);

/* The epoch id of a PSK for one hour. */
void		 keyid_epoch(uint8_t [KEYID_LEN], const uint8_t [32], uint64_t);

/*
 * The hours a server must hold ids for at wall clock `now' (unix s)
 * with a clock window of `window' s: every hour that the timestamp of
 * an acceptable hello can fall in, first to last inclusive.  The range
 * moves at most twice an hour (when now - window or now + window
 * crosses an hour): recompute it every minute or so and add and remove
 * the difference.
 */
void		 keyid_hours(uint64_t, uint32_t, uint64_t *, uint64_t *);

/* One ticket under one key, with the caller's nonce (tests, vectors). */
void		 keyid_ticket_seal(uint8_t [KEYID_LEN],
		    const uint8_t [KEYID_TICKET_KEY_LEN], uint32_t,
		    const uint8_t [KEYID_TICKET_NONCE_LEN]);
int		 keyid_ticket_open(const uint8_t [KEYID_LEN],
		    const uint8_t [KEYID_TICKET_KEY_LEN], uint32_t *);

/* A server's ticket keys: [0] current, [1] previous. */
struct keyid_tickets {
	uint8_t		 key[2][KEYID_TICKET_KEY_LEN];
	int		 nkeys;		/* 0, 1 or 2 usable */
};

/* A new random current key; the current one becomes the previous. */
void		 keyid_tickets_rotate(struct keyid_tickets *);
void		 keyid_tickets_wipe(struct keyid_tickets *);
/* A ticket for peer_id under the current key; -1 if there is none. */
int		 keyid_tickets_make(const struct keyid_tickets *, uint32_t,
		    uint8_t [KEYID_LEN]);
/* 0 and *peer_id if the current or the previous key opens it, else -1. */
int		 keyid_tickets_open(const struct keyid_tickets *,
		    const uint8_t [KEYID_LEN], uint32_t *);

#endif /* DSVPND_KEYID_H */
