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
 * The protocol state machine: lifecycle, input dispatch, timers and the
 * queue of control output.  See proto.h for the calling rules and
 * doc/PROTOCOL.md for the bytes.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "proto_int.h"

static uint64_t	 dh_calls;

uint64_t
proto_dh_calls(void)
{
	return (dh_calls);
}

void
proto_rng(const struct proto_params *par, uint8_t *buf, size_t len)
{
	if (par->rng != NULL)
		par->rng(par->seam_arg, buf, len);
	else
		randombytes_buf(buf, len);
}

uint64_t
proto_wallclock(const struct proto_params *par)
{
	if (par->wallclock != NULL)
		return (par->wallclock(par->seam_arg));
	return ((uint64_t)time(NULL));
}

/* A fresh ephemeral X25519 key pair from the params' rng. */
int
proto_keypair_make(const struct proto_params *par, uint8_t sk[32],
    uint8_t pk[32])
{
	dh_calls++;
	proto_rng(par, sk, 32);
	return (crypto_scalarmult_base(pk, sk) == 0 ? 0 : -1);
}

/* A fresh ephemeral X25519 key pair in p->esk, p->epk. */
int
proto_keypair(struct proto *p)
{
	return (proto_keypair_make(&p->par, p->esk, p->epk));
}

/* X25519; refuses a peer key that yields the all-zero secret. */
int
proto_dh(uint8_t out[32], const uint8_t sk[32], const uint8_t pk[32])
{
	dh_calls++;
	return (crypto_scalarmult(out, sk, pk) == 0 ? 0 : -1);
}

void
proto_resolve(struct proto_params *d, const struct proto_params *s)
{
	*d = *s;
	if (d->clock_window == 0)
		d->clock_window = PROTO_DEF_CLOCK_WINDOW;
	if (d->keepalive_ms == 0)
		d->keepalive_ms = PROTO_DEF_KEEPALIVE_MS;
	if (d->dead_ms == 0)
		d->dead_ms = PROTO_DEF_DEAD_MS;
	if (d->rekey_ms == 0)
		d->rekey_ms = PROTO_DEF_REKEY_MS;
	if (d->rekey_bytes == 0)
		d->rekey_bytes = PROTO_DEF_REKEY_BYTES;
	if (d->max_payload == 0 || d->max_payload > PROTO_MAX_PAYLOAD)
		d->max_payload = PROTO_MAX_PAYLOAD;
	if (d->handshake_ms == 0)
		d->handshake_ms = PROTO_DEF_HANDSHAKE_MS;
	if (d->role == PROTO_CLIENT && d->version == 0)
		d->version = PROTO_VERSION;
}

static void
proto_wipe_keys(struct proto *p)
{
	frame_key_wipe(&p->tx);
	frame_key_wipe(&p->rx);
	frame_key_wipe(&p->rx_next);
	sodium_memzero(p->esk, sizeof(p->esk));
	sodium_memzero(p->chain, sizeof(p->chain));
	sodium_memzero(p->par.psk, sizeof(p->par.psk));
	sodium_memzero(p->par.ticket, sizeof(p->par.ticket));
}

/* Empty the control output and go back to the inline buffer. */
void
proto_out_reset(struct proto *p)
{
	if (p->outbig != NULL) {
		sodium_memzero(p->outbig, PROTO_OUT_MAX);
		free(p->outbig);
		p->outbig = NULL;
	}
	sodium_memzero(p->out, sizeof(p->out));
	p->outlen = 0;
	p->outcap = sizeof(p->out);
}

/* The session is over: wipe every secret, send nothing more. */
int
proto_fail(struct proto *p, int fault, const char *why)
{
	if (p->state != ST_DEAD) {
		p->fault = fault;
		p->err = why;
	}
	p->state = ST_DEAD;
	proto_wipe_keys(p);
	proto_out_reset(p);
	p->need = 0;
	return (-1);
}

struct proto *
proto_new(const struct proto_params *par)
{
	struct proto	*p;
	void		*mem;

	if (sodium_init() == -1) {
		errno = EINVAL;
		return (NULL);
	}
	if (par->cipher == PROTO_CIPHER_AES256GCM &&
	    !crypto_aead_aes256gcm_is_available()) {
		errno = ENOTSUP;
		return (NULL);
	}
	if ((par->role == PROTO_SERVER && par->replay == NULL) ||
	    (par->version != 0 && hs_suite(par->version) == NULL)) {
		errno = EINVAL;
		return (NULL);
	}
	/* The AES-GCM state wants 16-byte alignment; be generous. */
	if ((errno = posix_memalign(&mem, 64, sizeof(*p))) != 0)
		return (NULL);
	p = mem;
	memset(p, 0, sizeof(*p));
	proto_resolve(&p->par, par);
	p->outcap = sizeof(p->out);
	/* A server learns the version from the hello's first byte. */
	if (p->par.role == PROTO_CLIENT)
		p->suite = hs_suite(p->par.version);
	p->state = p->par.role == PROTO_SERVER ? ST_WAIT_HELLO : ST_NEW;
	p->need = p->par.role == PROTO_SERVER ? PROTO_HELLO_LEN :
	    PROTO_REPLY_LEN;
	p->err = "no error";
	return (p);
}

void
proto_free(struct proto *p)
{
	if (p == NULL)
		return;
	proto_out_reset(p);
	sodium_memzero(p, sizeof(*p));
	free(p);
}

static void
proto_clock(struct proto *p, uint64_t now)
{
	if (!p->clocked) {
		p->clocked = 1;
		p->start_ms = now;
	}
}

int
proto_start(struct proto *p, uint64_t now)
{
	proto_clock(p, now);
	if (p->par.role == PROTO_SERVER)
		return (p->state == ST_DEAD ? -1 : 0);
	if (p->state != ST_NEW)
		return (proto_fail(p, PROTO_F_PROTOCOL, "started twice"));
	if (hs_hello_make(p) == -1)
		return (proto_fail(p, PROTO_F_HANDSHAKE, "no ephemeral key"));
	p->state = ST_HELLO_SENT;
	return (0);
}

size_t
proto_pending(struct proto *p, const uint8_t **out)
{
	*out = PROTO_OUT(p);
	return (p->outlen);
}

void
proto_consume(struct proto *p, size_t n)
{
	uint8_t	*o = PROTO_OUT(p);

	if (n >= p->outlen) {
		/* Drained: an idle session keeps no big buffer. */
		proto_out_reset(p);
		return;
	}
	memmove(o, o + n, p->outlen - n);
	p->outlen -= n;
}

/*
 * Room for n more bytes of control output.  Only a version 2 session
 * (a PUSH) ever needs more than the inline buffer.
 */
static int
proto_out_room(struct proto *p, size_t n)
{
	size_t	 max = proto_version(p) >= PROTO_V2 ? PROTO_OUT_MAX :
	    sizeof(p->out);
	uint8_t	*big;

	if (p->outcap - p->outlen >= n)
		return (0);
	if (n > max - p->outlen)
		return (proto_fail(p, PROTO_F_PROTOCOL,
		    "control output not drained"));
	if ((big = malloc(PROTO_OUT_MAX)) == NULL)
		return (proto_fail(p, PROTO_F_PROTOCOL,
		    "no memory for control output"));
	memcpy(big, p->out, p->outlen);
	sodium_memzero(p->out, sizeof(p->out));
	p->outbig = big;
	p->outcap = PROTO_OUT_MAX;
	return (0);
}

/* Seal a control frame onto the output queue. */
int
proto_queue(struct proto *p, uint8_t type, const uint8_t *m, size_t len,
    uint64_t now)
{
	uint8_t	*f;

	if (proto_out_room(p, len + PROTO_OVERHEAD) == -1)
		return (-1);
	f = PROTO_OUT(p) + p->outlen;
	if (len > 0)
		memcpy(f + PROTO_HDR_LEN, m, len);
	if (frame_seal(&p->tx, p->cipher, type, f, len) == -1)
		return (proto_fail(p, PROTO_F_PROTOCOL, "counter exhausted"));
	p->outlen += len + PROTO_OVERHEAD;
	p->last_tx = now;
	return (0);
}

size_t
proto_need(const struct proto *p)
{
	return (p->need);
}

int
proto_is_up(const struct proto *p)
{
	return (p->state == ST_UP && !p->closing);
}

size_t
proto_seal(struct proto *p, uint8_t *frame, size_t len, uint64_t now)
{
	if (!proto_is_up(p) || len == 0 || len > p->par.max_payload)
		return (0);
	if (frame_seal(&p->tx, p->cipher, FRAME_DATA, frame, len) == -1) {
		proto_fail(p, PROTO_F_PROTOCOL, "counter exhausted");
		return (0);
	}
	p->last_tx = now;
	p->tx_bytes += len;
	/* Queued after this frame: the caller sends it next. */
	if (p->tx_bytes >= p->par.rekey_bytes)
		rekey_start(p, now);
	return (len + PROTO_OVERHEAD);
}

void
proto_set_timers(struct proto *p, uint32_t keepalive_ms, uint32_t dead_ms,
    uint32_t rekey_ms, uint64_t rekey_bytes)
{
	if (keepalive_ms != 0)
		p->par.keepalive_ms = keepalive_ms;
	if (dead_ms != 0)
		p->par.dead_ms = dead_ms;
	if (rekey_ms != 0)
		p->par.rekey_ms = rekey_ms;
	if (rekey_bytes != 0)
		p->par.rekey_bytes = rekey_bytes;
}

void
proto_close(struct proto *p)
{
	proto_close_reason(p, PROTO_CLOSE_NONE);
}

void
proto_close_reason(struct proto *p, int reason)
{
	uint8_t	 r = (uint8_t)reason;
	size_t	 len = proto_version(p) >= PROTO_V2 ? 1 : 0;

	if (p->state == ST_UP && !p->closing) {
		if (proto_queue(p, FRAME_CLOSE, &r, len, p->last_tx) == -1)
			return;
		p->closing = 1;
		return;
	}
	if (p->state != ST_DEAD && p->state != ST_UP) {
		proto_wipe_keys(p);
		p->state = ST_CLOSED;
	}
}

const char *
proto_close_reason_name(int reason)
{
	switch (reason) {
	case PROTO_CLOSE_SHUTDOWN:
		return ("peer shutting down");
	case PROTO_CLOSE_REPLACED:
		return ("replaced by a newer session with this key");
	case PROTO_CLOSE_KICKED:
		return ("ended by the administrator");
	case PROTO_CLOSE_REMOVED:
		return ("client removed or its key changed");
	default:
		return ("no reason given");
	}
}

int
proto_version(const struct proto *p)
{
	return (p->suite != NULL ? p->suite->version : 0);
}

/* May this session carry a server's v2 control frame now? */
static int
proto_v2_server_up(const struct proto *p)
{
	return (proto_is_up(p) && p->par.role == PROTO_SERVER &&
	    proto_version(p) >= PROTO_V2);
}

int
proto_push(struct proto *p, const uint8_t *tlv, size_t len, uint64_t now)
{
	if (!proto_v2_server_up(p) || len > PROTO_PUSH_MAX) {
		errno = EINVAL;
		return (-1);
	}
	if (proto_queue(p, FRAME_PUSH, tlv, len, now) == -1) {
		errno = ENOBUFS;
		return (-1);
	}
	return (0);
}

int
proto_ticket(struct proto *p, const uint8_t ticket[PROTO_TICKET_LEN],
    uint64_t now)
{
	if (!proto_v2_server_up(p)) {
		errno = EINVAL;
		return (-1);
	}
	if (proto_queue(p, FRAME_TICKET, ticket, PROTO_TICKET_LEN,
	    now) == -1) {
		errno = ENOBUFS;
		return (-1);
	}
	return (0);
}

const char *
proto_error(const struct proto *p)
{
	return (p->err);
}

int
proto_fault(const struct proto *p)
{
	return (p->fault);
}

const char *
proto_cipher_name(const struct proto *p)
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
proto_rekeys(const struct proto *p)
{
	return (p->rekeys);
}

void
proto_tx_state(const struct proto *p, uint8_t id[16], uint64_t *ctr)
{
	crypto_generichash(id, 16, p->tx.aead, sizeof(p->tx.aead), NULL, 0);
	*ctr = p->tx.ctr;
}

int
proto_hello_peek(const struct proto_params *par, const uint8_t *hello,
    size_t len, struct proto_hello_info *info, int *fault)
{
	struct proto_params	 r;
	const struct hs_suite	*su;
	const char		*why;
	int			 f = PROTO_F_HANDSHAKE, rc;

	memset(info, 0, sizeof(*info));
	proto_resolve(&r, par);
	rc = hs_hello_shape(&r, hello, len, &su, &f, &why);
	sodium_memzero(&r, sizeof(r));
	if (rc == -1) {
		if (fault != NULL)
			*fault = f;
		return (-1);
	}
	info->version = su->version;
	info->timestamp = (uint64_t)hello[4] << 56 |
	    (uint64_t)hello[5] << 48 | (uint64_t)hello[6] << 40 |
	    (uint64_t)hello[7] << 32 | (uint64_t)hello[8] << 24 |
	    (uint64_t)hello[9] << 16 | (uint64_t)hello[10] << 8 | hello[11];
	/* The key identifier sits right before the MAC. */
	if (su->version >= PROTO_V2)
		info->keyid = hello + su->mac_off - PROTO_KEYID_LEN;
	return (0);
}

int
proto_hello_check(const struct proto_params *par, const uint8_t *hello,
    size_t len, int *fault)
{
	struct proto_params	 r;
	const char		*why;
	int			 f = PROTO_F_PROTOCOL, rc;

	if (sodium_init() == -1)
		return (-1);
	proto_resolve(&r, par);
	rc = hs_hello_verify(&r, hello, len, 0, &f, &why);
	sodium_memzero(&r, sizeof(r));
	if (rc == -1 && fault != NULL)
		*fault = f;
	return (rc);
}
