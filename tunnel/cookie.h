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
 * Cookies for the datagram handshake under load (doc/PROTOCOL.md
 * section 14.3): when a server is busy it answers a hello whose second
 * MAC does not prove that its sender receives datagrams at its source
 * address with a small encrypted cookie instead of a reply, and the
 * client sends the hello again with the second MAC keyed by the cookie.
 * A cookie is a keyed hash of the source address under a server-local
 * secret that rotates every COOKIE_ROTATE_MS; the current and the
 * previous secret are accepted.  Pure: the caller owns the secrets and
 * the clock, and says what a source address is (the same bytes for the
 * same address and port, e.g. family, address and port).
 */
#ifndef DSVPND_COOKIE_H
#define DSVPND_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#define COOKIE_LEN		16
#define COOKIE_MAC_LEN		16
#define COOKIE_SECRET_LEN	32
#define COOKIE_NONCE_LEN	24
#define COOKIE_SEALED_LEN	(COOKIE_NONCE_LEN + COOKIE_LEN + 16)
#define COOKIE_ROTATE_MS	120000
/* A client uses a cookie a little less long than the server keeps it. */
#define COOKIE_USE_MS		(COOKIE_ROTATE_MS - 10000)

struct cookie_secrets {
	uint8_t		 secret[2][COOKIE_SECRET_LEN];	/* current, previous */
	int		 n;
	uint64_t	 rotated_ms;
};

/* Fresh secrets at now_ms; then call cookie_secrets_tick() now and then. */
void	 cookie_secrets_init(struct cookie_secrets *, uint64_t);
/* Rotate if COOKIE_ROTATE_MS passed since the last rotation. */
void	 cookie_secrets_tick(struct cookie_secrets *, uint64_t);
void	 cookie_secrets_wipe(struct cookie_secrets *);

/* The cookie of a source address under one secret. */
void	 cookie_make(uint8_t [COOKIE_LEN], const uint8_t [COOKIE_SECRET_LEN],
	    const void *, size_t);
/* The second MAC of a message under a cookie. */
void	 cookie_mac(uint8_t [COOKIE_MAC_LEN], const uint8_t [COOKIE_LEN],
	    const uint8_t *, size_t);
/* Is mac the second MAC of m under src's current or previous cookie? */
int	 cookie_check(const struct cookie_secrets *, const void *, size_t,
	    const uint8_t *, size_t, const uint8_t [COOKIE_MAC_LEN]);

/*
 * The cookie as sent to the client: XChaCha20-Poly1305 under a key of
 * the client's (from its PSK), with the hello's first MAC as associated
 * data, so that it answers that hello only.  open: 0 or -1.
 */
void	 cookie_seal(uint8_t [COOKIE_SEALED_LEN], const uint8_t [32],
	    const uint8_t [COOKIE_LEN], const uint8_t [32],
	    const uint8_t [COOKIE_NONCE_LEN]);
int	 cookie_open(uint8_t [COOKIE_LEN], const uint8_t [32],
	    const uint8_t [COOKIE_SEALED_LEN], const uint8_t [32]);

#endif /* DSVPND_COOKIE_H */
