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
 * Internals of the datagram protocol (dgram*.c); nothing outside them,
 * their tests and the fuzzer includes this.
 */
#ifndef DSVPND_DGRAM_INT_H
#define DSVPND_DGRAM_INT_H

#include <sodium.h>

#include "dgram.h"
#include "proto_int.h"
#include "replaywin.h"

/* Inner types: the first encrypted byte of a data datagram. */
#define DI_DATA			1
#define DI_KEEPALIVE		2
#define DI_REKEY		3	/* INIT || E, REPLY || E, DONE */
#define DI_CLOSE		4	/* reason */
#define DI_PUSH			5	/* id(2) index(1) count(1) chunk */
#define DI_TICKET		6	/* id(2) ticket(32) */
#define DI_ACK			7	/* id(2) index(1) */
#define DI_PROBE		8	/* id(4) padding */
#define DI_PROBE_ACK		9	/* id(4) size(4) */

/* Offsets in a data datagram. */
#define DH_FLAGS		1
#define DH_INDEX		4
#define DH_CTR			8
#define DH_CLEAR		16	/* the clear header, the AD */
#define DH_PHASE		0x01

#define PUSH_HDR		4
#define TICKET_BODY		(2 + PROTO_TICKET_LEN)
#define ACK_BODY		3
#define PROBE_ACK_BODY		8
#define PUSH_MAX_FRAGS		((PROTO_PUSH_MAX + DGRAM_FRAG_MAX - 1) / \
				    DGRAM_FRAG_MAX)

/*
 * The output queue: records of be16 length || datagram.  Inline for the
 * usual small datagrams; a push moves it to the heap until drained.
 */
#define DGRAM_OUT_SMALL		640
#define DGRAM_OUT_MAX		(DGRAM_OUT_SMALL + PUSH_MAX_FRAGS * \
				    (2 + DGRAM_OVERHEAD + PUSH_HDR + \
				    DGRAM_FRAG_MAX))

enum dgram_state {
	DS_NEW,			/* client before dgram_start() */
	DS_HELLO_SENT,		/* client: hellos out, no reply yet */
	DS_WAIT_HELLO,		/* server: nothing yet */
	DS_WAIT_CONFIRM,	/* server: replied, nothing from the client */
	DS_UP,
	DS_CLOSED,
	DS_DEAD
};

/* Rekey: the initiator sent INIT; the responder awaits the switch. */
enum dgram_rk { DRK_NONE, DRK_SENT, DRK_WAIT_SWITCH };

/* What the second receive key slot holds. */
enum dgram_other { RX_NONE, RX_PREV, RX_NEXT };

struct dkey_tx {
	crypto_aead_aes256gcm_state	 aes;
	uint8_t				 aead[32];
	uint64_t			 ctr;
	int				 phase;
	int				 valid;
};

struct dkey_rx {
	crypto_aead_aes256gcm_state	 aes;
	uint8_t				 aead[32];
	struct replaywin		 win;
	int				 phase;
	int				 valid;
};

/* A message the server repeats until the client acknowledges it. */
struct dgram_rel {
	int		 active;
	uint8_t		 type;		/* DI_PUSH or DI_TICKET */
	uint16_t	 id;
	uint8_t		 nfrag;
	uint8_t		 acked;		/* bit i: fragment i */
	size_t		 len;
	uint8_t		*data;
	uint64_t	 next_ms;
	uint32_t	 rto;
};

struct dgram {
	struct dkey_tx		 tx, tx_next;
	struct dkey_rx		 rx[2];
	int			 cur;		/* rx[cur]: current key */
	enum dgram_other	 other;		/* rx[!cur] */
	uint64_t		 prev_until;	/* 0: peer not seen with new */
	struct dgram_params	 par;		/* defaults resolved */
	enum dgram_state	 state;
	enum dgram_rk		 rk;
	int			 cipher;
	int			 closing;
	int			 clocked;
	int			 fault;
	const char		*err;
	uint64_t		 start_ms, last_rx, last_tx, keys_ms;
	uint64_t		 tx_bytes, rekeys;
	/* handshake */
	uint8_t			 esk[32], epk[32];
	uint8_t			 hello[DGRAM_HELLO_LEN];
	uint32_t		 local_index, remote_index;
	uint64_t		 hs_next_ms;
	uint32_t		 hs_rto;
	uint8_t			 cookie[COOKIE_LEN];
	uint64_t		 cookie_ms;
	int			 have_cookie;
	/* client: has the server shown it took our confirmation? */
	int			 confirmed;
	uint64_t		 conf_next_ms;
	uint32_t		 conf_rto;
	/* rekey */
	uint8_t			 rk_epk[32], rk_peer[32], chain[32];
	uint64_t		 rk_ms, rk_next_ms;
	uint32_t		 rk_rto;
	/* reliable messages, server: [0] push, [1] ticket */
	struct dgram_rel	 rel[2];
	uint16_t		 msg_id;
	/* client: the newest delivered, and a push in pieces */
	int			 got_push, got_ticket;
	uint16_t		 push_seen, ticket_seen;
	uint8_t			*reasm;
	uint16_t		 reasm_id;
	uint8_t			 reasm_have;
	size_t			 reasm_len;
	uint32_t		 probe_id;
	uint64_t		 drops[DGRAM_DROP_MAX];
	size_t			 outlen, outcap;
	uint8_t			*outbig;
	uint8_t			 out[DGRAM_OUT_SMALL];
};

#define DGRAM_OUT(p)	((p)->outbig != NULL ? (p)->outbig : (p)->out)

/* dgram.c */
int	 dgram_fail(struct dgram *, int, const char *);
void	 dgram_drop(struct dgram *, enum dgram_drop);
int	 dgram_queue(struct dgram *, const uint8_t *, size_t);
int	 dgram_queue_ctl(struct dgram *, uint8_t, const uint8_t *, size_t,
	    uint64_t);
void	 dgram_wipe(struct dgram *);
void	 dgram_out_reset(struct dgram *);
void	 dgram_rel_send(struct dgram *, struct dgram_rel *, uint64_t);
uint32_t dgram_backoff(uint32_t);

/* dgram_frame.c */
void	 dkey_tx_set(struct dkey_tx *, int, const uint8_t *, int);
void	 dkey_rx_set(struct dkey_rx *, int, const uint8_t *, int);
size_t	 dgram_frame_seal(struct dgram *, uint8_t, uint8_t *, size_t);
int	 dgram_frame_open(struct dgram *, uint8_t *, size_t, int *, int *);

/* dgram_hs.c */
int	 dgram_hello_make(struct dgram *, uint64_t);
int	 dgram_hello_input(struct dgram *, const uint8_t *, size_t,
	    uint64_t);
int	 dgram_reply_input(struct dgram *, const uint8_t *, size_t, uint64_t,
	    struct dgram_event *);
int	 dgram_cookie_input(struct dgram *, const uint8_t *, size_t,
	    uint64_t);
const struct hs_suite *dgram_suite(void);

/* dgram_rekey.c */
int	 dgram_rekey_start(struct dgram *, uint64_t);
int	 dgram_rekey_input(struct dgram *, const uint8_t *, size_t, int,
	    uint64_t);
void	 dgram_rekey_switch(struct dgram *, uint64_t);
int	 dgram_rekey_tick(struct dgram *, uint64_t, uint64_t *);

/* dgram_rel.c */
int	 dgram_rel_input(struct dgram *, uint8_t, uint8_t *, size_t,
	    uint64_t, struct dgram_event *);
void	 dgram_rel_tick(struct dgram *, uint64_t, uint64_t *);
void	 dgram_rel_free(struct dgram *);

#endif /* DSVPND_DGRAM_INT_H */
