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
 * The TUN address family header: round trips with every system's family
 * numbers, and refusal of short, non-IP and mismatched packets.
 */
#include "compat.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgcat.h"
#include "tunhdr.h"

struct os_af {
	const char		*os;
	struct tunhdr_af	 af;
};

/* From each system's <sys/socket.h>; AF_INET is 2 everywhere. */
static const struct os_af os_afs[] = {
	{ "openbsd",	{ 2, 24 } },
	{ "netbsd",	{ 2, 24 } },
	{ "freebsd",	{ 2, 28 } },
	{ "dragonfly",	{ 2, 28 } },
	{ "macos",	{ 2, 30 } },
	{ "linux",	{ 2, 10 } },
};

static int	failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static void	make_packet(uint8_t *, size_t, int);
static void	test_lengths(void);
static void	test_roundtrip(const struct os_af *);
static void	test_truncated(const struct os_af *);
static void	test_wrong(const struct os_af *);

/* A buffer with the version nibble set and a recognisable body. */
static void
make_packet(uint8_t *p, size_t len, int version)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	if (len > 0)
		p[0] = (uint8_t)(version << 4 | (version == 4 ? 5 : 0));
}

static void
test_lengths(void)
{
	CHECK(tunhdr_len(0) == 0, "no flags");
	CHECK(tunhdr_len(TUN_F_AFHEADER) == 4, "AF header");
	CHECK(tunhdr_len(TUN_F_VNETHDR) == 10, "vnet header");
	CHECK(tunhdr_host.inet == AF_INET && tunhdr_host.inet6 == AF_INET6,
	    "host families");
}

static void
test_roundtrip(const struct os_af *o)
{
	uint8_t		 buf[4 + 1500], pkt[1500];
	const uint8_t	*out;
	size_t		 outlen, len;
	int		 v;

	for (v = 4; v <= 6; v += 2) {
		len = v == 4 ? 20 : 1280;
		make_packet(pkt, len, v);
		CHECK(tunhdr_put(buf, pkt, len, &o->af) == 0, "%s: put v%d",
		    o->os, v);
		CHECK(buf[0] == 0 && buf[1] == 0 && buf[2] == 0 &&
		    buf[3] == (v == 4 ? o->af.inet : o->af.inet6),
		    "%s: v%d header %02x%02x%02x%02x", o->os, v, buf[0],
		    buf[1], buf[2], buf[3]);
		memcpy(buf + 4, pkt, len);
		out = tunhdr_strip(buf, len + 4, &outlen, &o->af);
		CHECK(out == buf + 4 && outlen == len &&
		    memcmp(out, pkt, len) == 0, "%s: strip v%d", o->os, v);
	}
}

static void
test_truncated(const struct os_af *o)
{
	uint8_t		 buf[4 + 64], pkt[64];
	size_t		 len, outlen;

	make_packet(pkt, sizeof(pkt), 4);
	CHECK(tunhdr_put(buf, pkt, sizeof(pkt), &o->af) == 0, "%s", o->os);
	memcpy(buf + 4, pkt, sizeof(pkt));
	/* 0-3 bytes: not even a header; 4: a header and no packet. */
	for (len = 0; len <= 4; len++)
		CHECK(tunhdr_strip(buf, len, &outlen, &o->af) == NULL,
		    "%s: %zu bytes accepted", o->os, len);
	CHECK(tunhdr_strip(buf, 4 + 19, &outlen, &o->af) == NULL,
	    "%s: 19-byte IPv4 accepted", o->os);
	for (len = 0; len < 20; len++)
		CHECK(tunhdr_put(buf, pkt, len, &o->af) == -1,
		    "%s: put of %zu bytes", o->os, len);
	make_packet(pkt, sizeof(pkt), 6);
	CHECK(tunhdr_put(buf, pkt, 39, &o->af) == -1, "%s: 39-byte v6",
	    o->os);
}

static void
test_wrong(const struct os_af *o)
{
	uint8_t		 buf[4 + 40], pkt[40];
	size_t		 outlen;
	int		 v;

	for (v = 0; v < 16; v++) {
		if (v == 4 || v == 6)
			continue;
		make_packet(pkt, sizeof(pkt), v);
		CHECK(tunhdr_put(buf, pkt, sizeof(pkt), &o->af) == -1,
		    "%s: put version %d", o->os, v);
	}
	/* An IPv6 header carrying the IPv4 family, and the reverse. */
	make_packet(pkt, sizeof(pkt), 6);
	memcpy(buf + 4, pkt, sizeof(pkt));
	memset(buf, 0, 4);
	buf[3] = (uint8_t)o->af.inet;
	CHECK(tunhdr_strip(buf, sizeof(buf), &outlen, &o->af) == NULL,
	    "%s: v6 packet with AF_INET", o->os);
	make_packet(pkt, sizeof(pkt), 4);
	memcpy(buf + 4, pkt, sizeof(pkt));
	buf[3] = (uint8_t)o->af.inet6;
	CHECK(tunhdr_strip(buf, sizeof(buf), &outlen, &o->af) == NULL,
	    "%s: v4 packet with AF_INET6", o->os);
	/* Unknown families, including one in the high byte. */
	buf[3] = 99;
	CHECK(tunhdr_strip(buf, sizeof(buf), &outlen, &o->af) == NULL,
	    "%s: family 99", o->os);
	/* The family in little-endian order, as a careless writer would. */
	buf[0] = (uint8_t)o->af.inet;
	buf[3] = 0;
	CHECK(tunhdr_strip(buf, sizeof(buf), &outlen, &o->af) == NULL,
	    "%s: little-endian family", o->os);
}

int
main(void)
{
	struct os_af	 host = { "this host", tunhdr_host };
	size_t		 i;

	test_lengths();
	for (i = 0; i < nitems(os_afs); i++) {
		test_roundtrip(&os_afs[i]);
		test_truncated(&os_afs[i]);
		test_wrong(&os_afs[i]);
	}
	test_roundtrip(&host);
	test_wrong(&host);
	if (failures > 0) {
		printf("%d failures\n", failures);
		return (1);
	}
	printf("tunhdr: all checks passed\n");
	return (0);
}
