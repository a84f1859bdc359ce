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
 * Settings a version 2 server pushes to its client inside the session
 * (the PUSH frame, doc/PROTOCOL.md section 6): the client's tunnel
 * addresses, the routes it should send into the tunnel, the TUN MTU and
 * DNS servers, as a list of TLVs.  Pure encode and decode; decoding is
 * strict (a server holding the key is still hostile): a malformed or
 * out-of-range item refuses the whole push, unknown items are skipped
 * unless marked critical.
 */
#ifndef DSVPND_PUSH_H
#define DSVPND_PUSH_H

#include <sys/types.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#define PUSH_MAX_ROUTES		64	/* per family */
#define PUSH_MAX_DNS		4	/* per family */
#define PUSH_MAX_LEN		2048	/* encoded; = PROTO_PUSH_MAX */
#define PUSH_MTU_MIN		576
#define PUSH_MTU_MIN6		1280	/* when an IPv6 address is pushed */

/* struct push.defroute */
#define PUSH_DEFAULT_V4		0x01
#define PUSH_DEFAULT_V6		0x02

struct push_route4 {
	struct in_addr	 net;
	uint8_t		 plen;		/* 1 .. 32, no host bits */
};

struct push_route6 {
	struct in6_addr	 net;
	uint8_t		 plen;		/* 1 .. 128, no host bits */
};

struct push {
	int			 have4;		/* addr4, plen4, peer4 set */
	struct in_addr		 addr4;		/* the client's address */
	uint8_t			 plen4;		/* its prefix length */
	struct in_addr		 peer4;		/* the server's tunnel end */
	int			 have6;
	struct in6_addr		 addr6;
	uint8_t			 plen6;
	struct in6_addr		 peer6;
	uint8_t			 defroute;	/* PUSH_DEFAULT_* */
	uint16_t		 mtu;		/* TUN MTU; 0: not pushed */
	size_t			 nroute4, nroute6;
	struct push_route4	 route4[PUSH_MAX_ROUTES];
	struct push_route6	 route6[PUSH_MAX_ROUTES];
	size_t			 ndns4, ndns6;
	struct in_addr		 dns4[PUSH_MAX_DNS];
	struct in6_addr		 dns6[PUSH_MAX_DNS];
};

/*
 * Encode p into buf (cap bytes).  The length, or -1 if p would not
 * decode (the same checks as push_decode(); *why says which) or does
 * not fit.
 */
ssize_t	 push_encode(const struct push *, uint8_t *, size_t, const char **);
/* Decode and check len bytes into *p.  0, or -1 and *why. */
int	 push_decode(const uint8_t *, size_t, struct push *, const char **);
/* push_decode()'s checks of what the items say, on a struct push. */
int	 push_check(const struct push *, const char **);

#endif /* DSVPND_PUSH_H */
