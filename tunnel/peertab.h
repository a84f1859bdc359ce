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
 * The tunnel's table of peers (DESIGN.md 8): every configured client
 * of a server, or the one server of a client, with its key, addresses
 * and routes, its session if one is up, and its counters.  Two tries
 * map an address to the peer that owns it: the destination of a TUN
 * packet picks its session, and the source of a packet from a session
 * must belong to that session's peer.
 */
#ifndef DSVPND_PEERTAB_H
#define DSVPND_PEERTAB_H

#include <sys/types.h>
#include <netinet/in.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "msgcat.h"
#include "trie.h"
#include "tunnel.h"

struct session;
struct dsvpn_replay;

struct tpeer {
	uint32_t		 id;	/* random, kept across reloads */
	char			 name[CONF_NAME_MAX];
	uint8_t			 psk[CONF_KEY_LEN];	/* native */
	uint8_t			 raw[CONF_KEY_LEN];	/* DSVPN's */
	int			 any;		/* owns 0/0 and ::/0 */
	int			 has4;
	int			 has6;
	struct in_addr		 inet;
	struct in6_addr		 inet6;
	unsigned int		 n_routes;
	struct conf_prefix	 routes[CONF_CLIENT_ROUTES];
	struct session		*sess;		/* NULL: none */
	struct peer_counters	 c;
	int64_t			 since;		/* up, or last down */
	int64_t			 last_handshake;
	int			 cause;		/* why it last went down */
	char			 endpoint[MSG_ENDPOINT_MAX];
	char			 cipher[32];
	int			 version;	/* of its last session */
	char			 protocol[MSG_PROTO_NAME_MAX];	/* of it */
	/* DSVPN hellos are tried with this peer's key (a server's
	 * single peer, or a client block marked protocol dsvpn), and
	 * the ones it accepted are remembered for the clock window. */
	int			 dsvpn;
	struct dsvpn_replay	*dreplay;	/* made at its first hello */
	/* sessions replaced from another address, this interval */
	time_t			 clone_since;
	unsigned int		 clones;
	int			 mark;		/* peertab_commit's */
	unsigned int		 nsess;		/* sessions bound to it, its
						 * candidates included */
	int			 fresh;		/* its id drawn by this commit */
};

struct peertab {
	struct tpeer		**v;
	size_t			 n;
	size_t			 cap;
	struct trie		 t4;
	struct trie		 t6;
	uint64_t		 gen;		/* bumped by every commit */
	/* Version 2 hellos: every peer's epoch ids for the hours the
	 * clock window reaches, to its entry (keyid.h, idtable.h). */
	struct idtable		*ids;
	uint64_t		 ids_first;	/* hours held, inclusive */
	uint64_t		 ids_last;
	uint32_t		 ids_window;
	int			 single;	/* the single-key table */
	/* v sorted by id (unique), for peertab_by_id() */
	struct tpeer		**byid;
	/* the table a reload is building */
	struct tpeer		**nv;
	size_t			 nn;
	size_t			 ncap;
};

extern struct peertab	 peertab;

void	 peertab_init(void);
/* A reload: the new peers, then commit, which keeps the session, id
 * and counters of every peer whose name and key are the same, and calls
 * gone() for each other old peer before freeing it. */
void	 peertab_begin(void);
void	 peertab_add_client(const struct msg_client *);
void	 peertab_add(const char *name, const struct conf_key *, int any,
	    const struct in_addr *, const struct in6_addr *);
void	 peertab_commit(void (*gone)(struct tpeer *, int cause));
void	 peertab_abort(void);
struct tpeer *peertab_dst(const uint8_t *ip, size_t len);
struct tpeer *peertab_src(const uint8_t *ip, size_t len);
struct tpeer *peertab_find(const char *name);
struct tpeer *peertab_by_id(uint32_t id);
/* The epoch ids for a clock window around now (unix seconds): built
 * again when the hours they cover move (every call is cheap if not). */
void	 peertab_keyids(uint64_t now, uint32_t window);
/* The peer whose epoch id this is, or NULL: one lookup. */
struct tpeer *peertab_keyid(const uint8_t *keyid);

#endif /* DSVPND_PEERTAB_H */
