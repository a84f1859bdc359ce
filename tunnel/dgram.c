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
 * The datagram protocol's lifecycle, output queue, counters and calls
 * of the API that need no parsing.  See dgram.h and doc/PROTOCOL.md
 * section 15.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dgram_int.h"

static void
dgram_resolve(struct dgram_params *d, const struct dgram_params *s)
{
	*d = *s;
	proto_resolve(&d->base, &s->base);
	d->base.version = DGRAM_VERSION;
	if (d->base.max_payload > DGRAM_MAX_PAYLOAD)
		d->base.max_payload = DGRAM_MAX_PAYLOAD;
	if (d->retransmit_ms == 0)
		d->retransmit_ms = DGRAM_DEF_RETRANSMIT_MS;
}

uint32_t
dgram_backoff(uint32_t rto)
{
	return (rto >= DGRAM_RETRANSMIT_MAX_MS / 2 ?
	    DGRAM_RETRANSMIT_MAX_MS : rto * 2);
}

/* Empty the output and go back to the inline buffer. */
void
dgram_out_reset(struct dgram *p)
{
	if (p->outbig != NULL) {
		sodium_memzero(p->outbig, DGRAM_OUT_MAX);
		free(p->outbig);
		p->outbig = NULL;
	}
	p->outlen = 0;
	p->outcap = sizeof(p->out);
}

void
dgram_wipe(struct dgram *p)
{
	sodium_memzero(&p->tx, sizeof(p->tx));
	sodium_memzero(&p->tx_next, sizeof(p->tx_next));
	sodium_memzero(p->rx, sizeof(p->rx));
	sodium_memzero(p->esk, sizeof(p->esk));
	sodium_memzero(p->chain, sizeof(p->chain));
	sodium_memzero(p->rk_epk, sizeof(p->rk_epk));
	sodium_memzero(p->cookie, sizeof(p->cookie));
	sodium_memzero(p->par.base.psk, sizeof(p->par.base.psk));
	sodium_memzero(p->par.base.ticket, sizeof(p->par.base.ticket));
	dgram_rel_free(p);
}

int
dgram_fail(struct dgram *p, int fault, const char *why)
{
	if (p->state != DS_DEAD) {
		p->fault = fault;
		p->err = why;
	}
	p->state = DS_DEAD;
	dgram_wipe(p);
	dgram_out_reset(p);
	return (-1);
}

void
dgram_drop(struct dgram *p, enum dgram_drop why)
{
	p->drops[why]++;
}

struct dgram *
dgram_new(const struct dgram_params *par)
{
	struct dgram	*p;
	void		*mem;

	if (sodium_init() == -1) {
		errno = EINVAL;
		return (NULL);
	}
	if ((par->base.cipher == PROTO_CIPHER_AES256GCM &&
	    !crypto_aead_aes256gcm_is_available()) ||
	    (par->base.role == PROTO_SERVER && (par->base.replay == NULL ||
	    par->local_index == 0)) ||
	    (par->base.version != 0 && par->base.version != DGRAM_VERSION)) {
		errno = EINVAL;
		return (NULL);
	}
	if ((errno = posix_memalign(&mem, 64, sizeof(*p))) != 0)
		return (NULL);
	p = mem;
	memset(p, 0, sizeof(*p));
	dgram_resolve(&p->par, par);
	p->outcap = sizeof(p->out);
	p->local_index = par->local_index;
	p->state = p->par.base.role == PROTO_SERVER ? DS_WAIT_HELLO : DS_NEW;
	p->err = "no error";
	return (p);
}

void
dgram_free(struct dgram *p)
{
	if (p == NULL)
		return;
	dgram_wipe(p);
	dgram_out_reset(p);
	free(p->reasm);
	sodium_memzero(p, sizeof(*p));
	free(p);
}

static void
dgram_clock(struct dgram *p, uint64_t now)
{
	if (!p->clocked) {
		p->clocked = 1;
		p->start_ms = now;
	}
}

int
dgram_start(struct dgram *p, uint64_t now)
{
	dgram_clock(p, now);
	if (p->par.base.role == PROTO_SERVER)
		return (p->state == DS_DEAD ? -1 : 0);
	if (p->state != DS_NEW)
		return (dgram_fail(p, PROTO_F_PROTOCOL, "started twice"));
	p->hs_rto = p->par.retransmit_ms;
	if (dgram_hello_make(p, now) == -1)
		return (dgram_fail(p, PROTO_F_HANDSHAKE, "no ephemeral key"));
	p->state = DS_HELLO_SENT;
	return (0);
}

size_t
dgram_pending(struct dgram *p, const uint8_t **out)
{
	const uint8_t	*o = DGRAM_OUT(p);

	if (p->outlen < 2)
		return (0);
	*out = o + 2;
	return ((size_t)o[0] << 8 | o[1]);
}

void
dgram_consume(struct dgram *p)
{
	uint8_t	*o = DGRAM_OUT(p);
	size_t	 n;

	if (p->outlen < 2)
		return;
	n = 2 + ((size_t)o[0] << 8 | o[1]);
	if (n >= p->outlen) {
		/* Drained: an idle session keeps no big buffer. */
		dgram_out_reset(p);
		return;
	}
	memmove(o, o + n, p->outlen - n);
	p->outlen -= n;
}

/* Room for n more bytes of queue, growing once to DGRAM_OUT_MAX. */
static int
dgram_out_room(struct dgram *p, size_t n)
{
	uint8_t	*big;

	if (p->outcap - p->outlen >= n)
		return (0);
	if (n > DGRAM_OUT_MAX - p->outlen || p->outbig != NULL)
		return (-1);
	if ((big = malloc(DGRAM_OUT_MAX)) == NULL)
		return (-1);
	memcpy(big, p->out, p->outlen);
	p->outbig = big;
	p->outcap = DGRAM_OUT_MAX;
	return (0);
}

/*
 * Queue a whole datagram.  A full queue drops it (and counts it): every
 * datagram may be lost anyway, and what must arrive is repeated.
 */
int
dgram_queue(struct dgram *p, const uint8_t *d, size_t len)
{
	uint8_t	*o;

	if (len > DGRAM_MAX_LEN || dgram_out_room(p, len + 2) == -1) {
		dgram_drop(p, DGRAM_DROP_OUTPUT);
		return (-1);
	}
	o = DGRAM_OUT(p) + p->outlen;
	o[0] = (uint8_t)(len >> 8);
	o[1] = (uint8_t)len;
	memcpy(o + 2, d, len);
	p->outlen += len + 2;
	return (0);
}

/* Seal a control datagram of inner type `type' and queue it. */
int
dgram_queue_ctl(struct dgram *p, uint8_t type, const uint8_t *m, size_t len,
    uint64_t now)
{
	uint8_t	 d[DGRAM_OVERHEAD + PUSH_HDR + DGRAM_FRAG_MAX];
	size_t	 n;

	if (len > sizeof(d) - DGRAM_OVERHEAD)
		return (-1);
	if (len > 0)
		memcpy(d + DGRAM_HDR_LEN, m, len);
	if ((n = dgram_frame_seal(p, type, d, len)) == 0)
		return (-1);
	p->last_tx = now;
	return (dgram_queue(p, d, n));
}

int
dgram_is_up(const struct dgram *p)
{
	return (p->state == DS_UP && !p->closing);
}

size_t
dgram_seal(struct dgram *p, uint8_t *buf, size_t len, uint64_t now)
{
	size_t	 n;

	if (!dgram_is_up(p) || len == 0 || len > p->par.base.max_payload)
		return (0);
	if ((n = dgram_frame_seal(p, DI_DATA, buf, len)) == 0)
		return (0);
	p->last_tx = now;
	p->tx_bytes += len;
	if (p->tx_bytes >= p->par.base.rekey_bytes)
		(void)dgram_rekey_start(p, now);
	return (n);
}

size_t
dgram_seal_probe(struct dgram *p, uint8_t *buf, size_t size, uint64_t now,
    uint32_t *id)
{
	uint8_t	*b = buf + DGRAM_HDR_LEN;

	if (!dgram_is_up(p) || size < DGRAM_PROBE_MIN || size > DGRAM_MAX_LEN)
		return (0);
	*id = ++p->probe_id;
	b[0] = (uint8_t)(*id >> 24);
	b[1] = (uint8_t)(*id >> 16);
	b[2] = (uint8_t)(*id >> 8);
	b[3] = (uint8_t)*id;
	memset(b + 4, 0, size - DGRAM_PROBE_MIN);
	if (dgram_frame_seal(p, DI_PROBE, buf, size - DGRAM_OVERHEAD) == 0)
		return (0);
	p->last_tx = now;
	return (size);
}

void
dgram_close(struct dgram *p, int reason)
{
	uint8_t	 r = (uint8_t)reason;
	int	 i;

	if (p->state == DS_UP && !p->closing) {
		/* Not acknowledged: a few copies ride out ordinary loss. */
		for (i = 0; i < DGRAM_CLOSE_COPIES; i++)
			(void)dgram_queue_ctl(p, DI_CLOSE, &r, 1, p->last_tx);
		p->closing = 1;
		dgram_rel_free(p);
		return;
	}
	if (p->state != DS_DEAD && p->state != DS_UP) {
		dgram_wipe(p);
		p->state = DS_CLOSED;
	}
}

/* Keep a copy of a reliable message and send it a first time. */
static int
dgram_rel_start(struct dgram *p, int slot, uint8_t type, const uint8_t *m,
    size_t len, uint64_t now)
{
	struct dgram_rel	*r = &p->rel[slot];
	uint8_t			*copy;

	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		return (-1);
	if (len > 0)
		memcpy(copy, m, len);
	if (r->data != NULL) {
		sodium_memzero(r->data, r->len);
		free(r->data);
	}
	memset(r, 0, sizeof(*r));
	r->active = 1;
	r->type = type;
	r->id = ++p->msg_id;
	r->data = copy;
	r->len = len;
	r->nfrag = type == DI_PUSH && len > DGRAM_FRAG_MAX ? 2 : 1;
	r->rto = p->par.retransmit_ms;
	dgram_rel_send(p, r, now);
	return (0);
}

static int
dgram_server_up(const struct dgram *p)
{
	return (dgram_is_up(p) && p->par.base.role == PROTO_SERVER);
}

int
dgram_push(struct dgram *p, const uint8_t *tlv, size_t len, uint64_t now)
{
	if (!dgram_server_up(p) || len > PROTO_PUSH_MAX) {
		errno = EINVAL;
		return (-1);
	}
	if (dgram_rel_start(p, 0, DI_PUSH, tlv, len, now) == -1) {
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

int
dgram_ticket(struct dgram *p, const uint8_t t[PROTO_TICKET_LEN],
    uint64_t now)
{
	if (!dgram_server_up(p)) {
		errno = EINVAL;
		return (-1);
	}
	if (dgram_rel_start(p, 1, DI_TICKET, t, PROTO_TICKET_LEN,
	    now) == -1) {
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

/*
 * A keepalive now, out of turn: after the client's socket changed, its
 * first authenticated datagram is what moves the server's session to
 * the new source, so it should not wait for traffic or the timer.
 */
int
dgram_keepalive(struct dgram *p, uint64_t now)
{
	if (!dgram_is_up(p)) {
		errno = EINVAL;
		return (-1);
	}
	return (dgram_queue_ctl(p, DI_KEEPALIVE, NULL, 0, now));
}

void
dgram_set_timers(struct dgram *p, uint32_t keepalive_ms, uint32_t dead_ms,
    uint32_t rekey_ms, uint64_t rekey_bytes)
{
	if (keepalive_ms != 0)
		p->par.base.keepalive_ms = keepalive_ms;
	if (dead_ms != 0)
		p->par.base.dead_ms = dead_ms;
	if (rekey_ms != 0)
		p->par.base.rekey_ms = rekey_ms;
	if (rekey_bytes != 0)
		p->par.base.rekey_bytes = rekey_bytes;
}

uint32_t
dgram_local_index(const struct dgram *p)
{
	return (p->local_index);
}

const uint64_t *
dgram_drops(const struct dgram *p)
{
	return (p->drops);
}

const char *
dgram_error(const struct dgram *p)
{
	return (p->err);
}

int
dgram_fault(const struct dgram *p)
{
	return (p->fault);
}

const char *
dgram_cipher_name(const struct dgram *p)
{
	switch (p->cipher) {
	case CIPHER_AES:
		return ("aes256gcm");
	case CIPHER_CHACHA:
		return ("chacha20poly1305");
	default:
		return ("none");
	}
}

uint64_t
dgram_rekeys(const struct dgram *p)
{
	return (p->rekeys);
}

int
dgram_peek(const uint8_t *d, size_t len, uint8_t *type, uint32_t *index)
{
	size_t	 off;

	*index = 0;
	if (len < 1)
		return (-1);
	*type = d[0];
	switch (d[0]) {
	case DGRAM_T_HELLO:
		return (len == DGRAM_HELLO_LEN ? 0 : -1);
	case DGRAM_T_REPLY:
		off = 8;
		if (len != DGRAM_REPLY_LEN)
			return (-1);
		break;
	case DGRAM_T_COOKIE:
		off = 4;
		if (len != DGRAM_COOKIE_REPLY_LEN)
			return (-1);
		break;
	case DGRAM_T_DATA:
		off = DH_INDEX;
		if (len < DGRAM_OVERHEAD)
			return (-1);
		break;
	default:
		return (-1);
	}
	*index = (uint32_t)d[off] | (uint32_t)d[off + 1] << 8 |
	    (uint32_t)d[off + 2] << 16 | (uint32_t)d[off + 3] << 24;
	return (0);
}
