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
 * coalesce.c against trains of TCP segments built here with their own
 * checksums: what it writes is checked by vnet_check() (what the
 * datapath lets a peer hand our kernel) and cut again by gso.c, the
 * segmenter the kernel's own resembles, and the packets that come out
 * must be the packets that went in, byte for byte and in order, with
 * as many writes as the rules call for.
 */
#include "compat.h"

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coalesce.h"
#include "gso.h"
#include "tunhdr.h"
#include "vnet.h"

#define MTU		1500
#define MAXPKT		256
#define TCP_PSH		0x08
#define TCP_ACK		0x10

static int		 failures;
static struct coalesce	 co;

/* The packets fed in, and those that came out (super-packets cut). */
struct pkt {
	uint8_t	 b[MTU];
	size_t	 len;
};
static struct pkt	 in[MAXPKT], out[MAXPKT];
static size_t		 nin, nout, nwrites, nmerged;
static uint8_t		 frame[TUNHDR_VNET_LEN + COALESCE_MAX];

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static void
put16be(uint8_t *p, unsigned int v)
{
	p[0] = (v >> 8) & 0xff;
	p[1] = v & 0xff;
}

static void
put32be(uint8_t *p, uint32_t v)
{
	put16be(p, v >> 16);
	put16be(p + 2, v & 0xffff);
}

static uint32_t
sum_be(const uint8_t *p, size_t len, uint32_t acc)
{
	size_t	 i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return acc;
}

/* What the kernel would be handed: checked as the datapath checks a
 * peer's frame, then cut as a TSO packet. */
static void
record(void *arg, const uint8_t *vh, const uint8_t *pkt, size_t len,
    size_t nseg)
{
	struct gso	 g;
	size_t		 i;
	int		 zero = 1;

	(void)arg;
	nwrites++;
	for (i = 0; i < TUNHDR_VNET_LEN; i++)
		zero &= vh[i] == 0;
	memcpy(frame, vh, TUNHDR_VNET_LEN);
	memcpy(frame + TUNHDR_VNET_LEN, pkt, len);
	if (nseg == 1) {
		CHECK(zero, "a single packet with a virtio header");
		CHECK(len <= MTU && nout < MAXPKT, "len %zu", len);
		if (len > MTU || nout >= MAXPKT)
			return;
		memcpy(out[nout].b, pkt, len);
		out[nout++].len = len;
		return;
	}
	nmerged++;
	CHECK(!zero, "a super-packet without a virtio header");
	CHECK(vnet_check(frame, TUNHDR_VNET_LEN + len, MTU) ==
	    TUNHDR_VNET_LEN, "vnet_check refuses the super-packet");
	CHECK(frame[VNETHDR_HDR_LEN] == vh[VNETHDR_HDR_LEN],
	    "hdr_len not the packet's own");
	if (gso_prepare(&g, frame, frame + TUNHDR_VNET_LEN, len, MTU) == -1) {
		CHECK(0, "gso_prepare refuses the super-packet");
		return;
	}
	CHECK(g.nseg == nseg, "%zu segments, said %zu", g.nseg, nseg);
	for (i = 0; i < g.nseg && nout < MAXPKT; i++) {
		CHECK(gso_seglen(&g, i) <= MTU, "segment too long");
		if (gso_seglen(&g, i) > MTU)
			return;
		out[nout].len = gso_segment(&g, frame + TUNHDR_VNET_LEN, i,
		    out[nout].b);
		nout++;
	}
}

/* Flow parameters of a segment to build. */
struct flow {
	int		 ver;
	unsigned int	 sport;
	size_t		 optlen;	/* TCP options: timestamps */
	uint32_t	 tsval;
	unsigned int	 ttl;
	unsigned int	 win;		/* added to the window */
	uint32_t	 ack;		/* added to the ack number */
};

/* Appends a segment: payload pay bytes of the stream at seq. */
static struct pkt *
seg(const struct flow *f, uint32_t seq, unsigned int id, int flags,
    size_t pay)
{
	struct pkt	*p = &in[nin++];
	uint8_t		*b = p->b, *t;
	size_t		 l4 = f->ver == 4 ? 20 : 40, doff = 20 + f->optlen, i;
	uint32_t	 acc;

	memset(b, 0, sizeof(p->b));
	p->len = l4 + doff + pay;
	if (f->ver == 4) {
		b[0] = 0x45;
		put16be(b + 2, p->len);
		put16be(b + 4, id);
		b[6] = 0x40;			/* DF */
		b[8] = f->ttl;
		b[9] = IPPROTO_TCP;
		memcpy(b + 12, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);
		put16be(b + 10, ~sum_be(b, 20, 0) & 0xffff);
	} else {
		b[0] = 0x60;
		b[1] = 0x01;			/* a flow label */
		b[2] = 0x23;
		put16be(b + 4, p->len - 40);
		b[6] = IPPROTO_TCP;
		b[7] = f->ttl;
		memcpy(b + 8, "\x20\x01\x0d\xb8", 4);
		b[23] = 1;
		memcpy(b + 24, "\x20\x01\x0d\xb8", 4);
		b[39] = 2;
	}
	t = b + l4;
	put16be(t, f->sport);
	put16be(t + 2, 5201);
	put32be(t + 4, seq);
	put32be(t + 8, 0x01020304 + f->ack);
	t[12] = (doff / 4) << 4;
	t[13] = flags;
	put16be(t + 14, 502 + f->win);
	if (f->optlen == 12) {
		t[20] = 1;
		t[21] = 1;
		t[22] = 8;			/* timestamps */
		t[23] = 10;
		put32be(t + 24, f->tsval);
		put32be(t + 28, 77);
	}
	for (i = 0; i < pay; i++)
		t[doff + i] = (uint8_t)((seq + i) * 7 + (seq + i) / 251);
	if (f->ver == 4)
		acc = sum_be(b + 12, 8, 0);
	else
		acc = sum_be(b + 8, 32, 0);
	acc += IPPROTO_TCP + (uint32_t)(doff + pay);
	put16be(t + 16, ~sum_be(t, doff + pay, acc) & 0xffff);
	return p;
}

static void
reset(void)
{
	coalesce_init(&co, MTU, record, NULL);
	nin = nout = nwrites = nmerged = 0;
}

/* Feeds every built packet as one batch; what came out must be what
 * went in, in writes and super-packets as expected. */
static void
run(const char *what, size_t writes, size_t merged)
{
	size_t	 i;

	for (i = 0; i < nin; i++)
		coalesce_add(&co, in[i].b, in[i].len);
	coalesce_flush(&co);
	CHECK(nout == nin, "%s: %zu packets out of %zu", what, nout, nin);
	for (i = 0; i < nin && i < nout; i++)
		CHECK(out[i].len == in[i].len &&
		    memcmp(out[i].b, in[i].b, in[i].len) == 0,
		    "%s: packet %zu differs", what, i);
	CHECK(nwrites == writes, "%s: %zu writes, want %zu", what, nwrites,
	    writes);
	CHECK(nmerged == merged, "%s: %zu super-packets, want %zu", what,
	    nmerged, merged);
	reset();
}

/* n segments of size sz, the last short (0: as long) with PSH. */
static void
train(const struct flow *f, uint32_t seq, unsigned int id, size_t n,
    size_t sz, size_t last)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		seg(f, seq + (uint32_t)(i * sz), id + i,
		    i + 1 == n ? TCP_ACK | TCP_PSH : TCP_ACK,
		    i + 1 == n && last ? last : sz);
}

static void
test_trains(void)
{
	struct flow	 v4 = { 4, 40000, 0, 0, 64, 0, 0 };
	struct flow	 v6 = { 6, 40001, 0, 0, 64, 0, 0 };
	struct flow	 ts4 = { 4, 40002, 12, 1000, 64, 0, 0 };
	struct flow	 ts6 = { 6, 40003, 12, 1000, 64, 0, 0 };

	train(&v4, 1000, 7, 10, 1460, 0);
	run("ipv4", 1, 1);
	train(&v6, 0xfffff000, 0, 8, 1440, 100);	/* seq wraps */
	run("ipv6 short last", 1, 1);
	train(&ts4, 5, 0xfffe, 20, 1448, 60);		/* id wraps */
	run("ipv4 timestamps", 1, 1);
	train(&ts6, 5, 0, 47, 1428, 0);
	run("ipv6 timestamps, near 64 KiB", 2, 2);
	train(&v4, 1, 1, 1, 1000, 0);
	run("one segment", 1, 0);
	train(&v4, 1, 1, 3, 700, 0);
	train(&v4, 2101, 4, 3, 900, 0);		/* larger: a new one */
	run("sizes", 2, 2);
}

static void
test_breaks(void)
{
	struct flow	 v4 = { 4, 40000, 12, 1000, 64, 0, 0 };
	struct flow	 b = { 6, 40004, 0, 0, 64, 0, 0 };
	struct pkt	*p;

	seg(&v4, 1000, 1, TCP_ACK, 1000);
	seg(&v4, 2000, 2, TCP_ACK, 1000);
	seg(&v4, 5000, 3, TCP_ACK, 1000);	/* a gap */
	seg(&v4, 6000, 4, TCP_ACK, 1000);
	run("gap", 2, 2);
	seg(&v4, 1000, 1, TCP_ACK, 1000);
	seg(&v4, 2000, 2, TCP_ACK, 1000);
	seg(&v4, 3000, 3, TCP_ACK, 1200);	/* larger: a new one */
	seg(&v4, 4200, 4, TCP_ACK, 500);
	seg(&v4, 4700, 5, TCP_ACK, 500);	/* after a short one */
	run("sizes", 3, 2);
	seg(&v4, 1000, 1, TCP_ACK, 1000);
	seg(&v4, 3000, 3, TCP_ACK, 1000);	/* reordered */
	seg(&v4, 2000, 2, TCP_ACK, 1000);
	seg(&v4, 4000, 4, TCP_ACK, 1000);
	run("reordering", 4, 0);
	seg(&v4, 1000, 1, TCP_ACK, 1000);
	seg(&v4, 2000, 2, TCP_ACK, 1000);
	seg(&v4, 3000, 3, TCP_ACK | 0x01, 1000);	/* FIN */
	seg(&v4, 4000, 4, TCP_ACK, 1000);
	run("flag change", 3, 1);
	seg(&v4, 1000, 1, TCP_ACK, 1000);
	seg(&v4, 2000, 2, TCP_ACK | TCP_PSH, 1000);
	seg(&v4, 3000, 3, TCP_ACK, 1000);	/* after PSH: new */
	seg(&v4, 4000, 4, TCP_ACK, 1000);
	run("after push", 2, 2);
	seg(&v4, 1000, 1, TCP_ACK, 1000);
	p = seg(&v4, 2000, 2, TCP_ACK, 1000);
	p->b[p->len - 1] ^= 0x40;		/* a bad TCP checksum */
	seg(&v4, 3000, 3, TCP_ACK, 1000);
	seg(&v4, 4000, 4, TCP_ACK, 1000);
	run("bad checksum", 3, 1);
	seg(&v4, 1000, 1, TCP_ACK, 1000);
	v4.tsval++;				/* a newer timestamp */
	seg(&v4, 2000, 2, TCP_ACK, 1000);
	v4.ttl--;
	seg(&v4, 3000, 3, TCP_ACK, 1000);
	seg(&v4, 4000, 5, TCP_ACK, 1000);	/* an id skipped */
	seg(&v4, 5000, 6, TCP_ACK, 0);		/* a pure ACK */
	seg(&v4, 5000, 7, TCP_ACK, 1000);
	v4.win++;
	seg(&v4, 6000, 8, TCP_ACK, 1000);	/* the window moved */
	v4.ack++;
	seg(&v4, 7000, 9, TCP_ACK, 1000);	/* an ack moved */
	run("options, ttl, id, ack, window", 8, 0);
	seg(&v4, 1000, 1, TCP_ACK, 1000);
	seg(&b, 1000, 0, TCP_ACK, 1000);	/* interleaved flows */
	seg(&v4, 2000, 2, TCP_ACK, 1000);
	seg(&b, 2000, 0, TCP_ACK, 1000);
	seg(&b, 3000, 0, TCP_ACK, 1000);
	seg(&v4, 3000, 3, TCP_ACK, 1000);
	run("interleaved", 5, 1);
	seg(&v4, 1000, 1, TCP_ACK, 30);		/* less than its headers */
	seg(&v4, 1030, 2, TCP_ACK, 30);
	run("tiny", 2, 0);
}

/* Not TCP, or not a packet at all: through as it is. */
static void
test_others(void)
{
	struct flow	 v4 = { 4, 40000, 0, 0, 64, 0, 0 };
	struct pkt	*p;

	seg(&v4, 1000, 1, TCP_ACK, 1000);
	seg(&v4, 2000, 2, TCP_ACK, 1000);
	p = seg(&v4, 3000, 3, TCP_ACK, 1000);
	p->b[9] = IPPROTO_UDP;			/* not TCP (nor its sum) */
	seg(&v4, 3000, 3, TCP_ACK, 1000);
	p = seg(&v4, 4000, 4, TCP_ACK, 1000);
	p->b[6] |= 0x20;			/* MF */
	p = &in[nin++];
	memcpy(p->b, "\x45\x00\x00\x05garbage", 12);
	p->len = 12;
	p = &in[nin++];
	p->len = 0;
	run("others", 6, 1);
}

int
main(void)
{
	reset();
	test_trains();
	test_breaks();
	test_others();
	if (failures > 0) {
		printf("%d failures\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
