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
 * A protocol peer for the live tests: a client of the real protocol
 * (tunnel/proto.h, the key read by the daemon's own load_key()) that
 * sends what no dsvpnd client would, frame by frame, and counts what
 * comes back.
 *
 *	peertool [-w MS] keyfile host port word ...
 *
 * After the handshake, each word in turn:
 *
 *	vnet=F,T,H,S,C,O	put a virtio-net header (flags, gso_type,
 *				hdr_len, gso_size, csum_start, csum_offset)
 *				in front of the next packet; with flags 1 the
 *				transport checksum is left to the receiver,
 *				as Linux leaves it
 *	tcp=SRC,DST,PORT,LEN	a TCP (PSH|ACK) packet of LEN bytes
 *	udp=SRC,DST,PORT,LEN	a UDP packet of LEN bytes
 *	ping=SRC,DST,SEQ	an ICMP or ICMPv6 echo request
 *	hex=HEX			a payload given byte by byte
 *	count=N			send the next packet N times
 *	wait=MS			read and answer the session for MS ms
 *
 * Sources and destinations are IPv4 or IPv6 addresses (the family of
 * SRC decides).  Payloads carry PEERTOOL_MARK, so a capture of the
 * underlay can be searched for clear text.  At the end it waits -w ms
 * (default 500), closes the session and prints one line:
 *
 *	sent N received N replies N
 *
 * (replies: echo replies among the frames received).  Exit 0 if the
 * session came up and stayed up, 1 otherwise.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "log.h"
#include "proto.h"

#define PEERTOOL_MARK	"PEERTOOL-CLEARTEXT-MARK"
#define PKT_MAX		65535
#define VNET_LEN	10
#define IBUF_SIZE	(256 * 1024)
#define HANDSHAKE_MS	10000

struct peer {
	int		 fd;
	struct proto	*p;
	uint8_t		*ibuf;
	size_t		 ilen;
	uint8_t		 vnet[VNET_LEN];
	int		 has_vnet;	/* for the next packet */
	long		 count;		/* sends of the next packet */
	unsigned long	 sent, received, replies;
	int		 failed;
};

struct addr {
	int		 ver;		/* 4 or 6 */
	uint8_t		 a[16];
};

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

__dead static void
usage(void)
{
	fprintf(stderr, "usage: peertool [-w ms] keyfile host port "
	    "word ...\n");
	exit(2);
}

static int
write_all(int fd, const uint8_t *b, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, b, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += n;
		len -= n;
	}
	return 0;
}

/* The protocol's control bytes go out before anything sealed next. */
static void
flush_pending(struct peer *pr)
{
	const uint8_t	*out;
	size_t		 n;

	while ((n = proto_pending(pr->p, &out)) > 0) {
		if (write_all(pr->fd, out, n) == -1) {
			warn("write");
			pr->failed = 1;
			return;
		}
		proto_consume(pr->p, n);
	}
}

/* An echo reply, behind a virtio header or not. */
static int
is_echo_reply(const uint8_t *d, size_t len)
{
	if (len > VNET_LEN && d[0] >> 4 != 4 && d[0] >> 4 != 6) {
		d += VNET_LEN;
		len -= VNET_LEN;
	}
	if (len >= 28 && d[0] >> 4 == 4 && d[9] == IPPROTO_ICMP)
		return d[(d[0] & 0x0f) * 4] == 0;
	if (len >= 48 && d[0] >> 4 == 6 && d[6] == IPPROTO_ICMPV6)
		return d[40] == 129;
	return 0;
}

/* Opens every complete frame read so far; -1 when the session ended. */
static int
open_frames(struct peer *pr, uint64_t now, int *up)
{
	struct proto_event	 ev;
	size_t			 pos = 0;
	ssize_t			 r;

	while (pos < pr->ilen) {
		r = proto_input(pr->p, pr->ibuf + pos, pr->ilen - pos, now,
		    &ev);
		if (r == -1) {
			warnx("session failed: %s", proto_error(pr->p));
			return -1;
		}
		if (r == 0)
			break;
		pos += r;
		if (ev.type == PROTO_EV_UP)
			*up = 1;
		else if (ev.type == PROTO_EV_CLOSED) {
			warnx("closed by the server");
			return -1;
		} else if (ev.type == PROTO_EV_DATA) {
			pr->received++;
			pr->replies += is_echo_reply(ev.data, ev.len);
		}
	}
	memmove(pr->ibuf, pr->ibuf + pos, pr->ilen - pos);
	pr->ilen -= pos;
	return 0;
}

/* Reads, answers and ticks until ms have passed (or, if up is not
 * NULL, the session is up); -1 if the session ended. */
static int
pump(struct peer *pr, uint64_t ms, int *up)
{
	struct pollfd	 pfd;
	uint64_t	 end = now_ms() + ms, now, next;
	ssize_t		 n;
	int		 dummy = 0;

	while ((now = now_ms()) < end && (up == NULL || !*up)) {
		flush_pending(pr);
		pfd.fd = pr->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(end - now)) == -1 && errno != EINTR)
			return -1;
		now = now_ms();
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(pr->fd, pr->ibuf + pr->ilen,
			    IBUF_SIZE - pr->ilen);
			if (n <= 0) {
				warnx("connection closed");
				return -1;
			}
			pr->ilen += n;
			if (open_frames(pr, now, up != NULL ? up :
			    &dummy) == -1)
				return -1;
		}
		if (proto_tick(pr->p, now, &next) == -1) {
			warnx("session failed: %s", proto_error(pr->p));
			return -1;
		}
	}
	flush_pending(pr);
	return pr->failed ? -1 : 0;
}

static int
parse_addr(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1)
		a->ver = 4;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		a->ver = 6;
	else
		return -1;
	return 0;
}

/* Splits "a,b,c" into at most max fields, in place. */
static int
fields(char *s, char **f, int max)
{
	int	 n = 0;

	while (n < max && (f[n] = strsep(&s, ",")) != NULL)
		n++;
	return s == NULL ? n : -1;
}

static uint32_t
sum16(const uint8_t *b, size_t len, uint32_t sum)
{
	size_t	 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (i < len)
		sum += (uint32_t)b[i] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static void
put16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* The IP header for a transport payload of l4len bytes; its length. */
static size_t
ip_header(uint8_t *p, const struct addr *src, const struct addr *dst,
    int proto, size_t l4len)
{
	static uint16_t	 id;

	if (src->ver == 4) {
		memset(p, 0, 20);
		p[0] = 0x45;
		put16(p + 2, 20 + l4len);
		put16(p + 4, ++id);
		p[6] = 0x40;
		p[8] = 64;
		p[9] = proto;
		memcpy(p + 12, src->a, 4);
		memcpy(p + 16, dst->a, 4);
		put16(p + 10, ~fold(sum16(p, 20, 0)) & 0xffff);
		return 20;
	}
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, l4len);
	p[6] = proto;
	p[7] = 64;
	memcpy(p + 8, src->a, 16);
	memcpy(p + 24, dst->a, 16);
	return 40;
}

/* The sum of the pseudo header: addresses, protocol, length. */
static uint32_t
pseudo_sum(const uint8_t *ip, int proto, size_t l4len)
{
	if (ip[0] >> 4 == 4)
		return sum16(ip + 12, 8, proto + l4len);
	return sum16(ip + 8, 32, proto + l4len);
}

/*
 * The transport checksum at l4 + off: complete, or with NEEDS_CSUM in
 * the virtio header only the pseudo header's sum, as Linux leaves it.
 */
static void
l4_checksum(struct peer *pr, uint8_t *ip, size_t iphl, int proto,
    size_t l4len, size_t off)
{
	uint8_t		*l4 = ip + iphl;
	uint32_t	 sum = pseudo_sum(ip, proto, l4len);

	l4[off] = l4[off + 1] = 0;
	if (pr->has_vnet && (pr->vnet[0] & 1)) {
		put16(l4 + off, fold(sum));
		return;
	}
	sum = ~fold(sum16(l4, l4len, sum)) & 0xffff;
	/* 0 means "no checksum" to UDP; 0xffff is the same sum. */
	put16(l4 + off, sum == 0 ? 0xffff : sum);
}

static void
fill_payload(uint8_t *p, size_t len)
{
	size_t	 i, m = sizeof(PEERTOOL_MARK) - 1;

	for (i = 0; i < len; i++)
		p[i] = PEERTOOL_MARK[i % m];
}

/* tcp/udp/ping: into pkt, the length, or 0 if the word is wrong. */
static size_t
make_packet(struct peer *pr, const char *kind, char *args, uint8_t *pkt)
{
	struct addr	 src, dst;
	char		*f[4];
	size_t		 len, hl, l4len;
	long		 port, n;
	int		 tcp = strcmp(kind, "tcp") == 0;
	int		 ping = strcmp(kind, "ping") == 0;
	int		 proto;

	if (fields(args, f, 4) != (ping ? 3 : 4) ||
	    parse_addr(f[0], &src) == -1 || parse_addr(f[1], &dst) == -1 ||
	    src.ver != dst.ver)
		return 0;
	port = strtol(f[2], NULL, 10);
	len = ping ? 64 : (size_t)strtol(f[3], NULL, 10);
	hl = src.ver == 4 ? 20 : 40;
	if (len < hl + (tcp ? 20 : 8) || len > PKT_MAX || port < 0 ||
	    port > 65535)
		return 0;
	l4len = len - hl;
	proto = ping ? (src.ver == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) :
	    tcp ? IPPROTO_TCP : IPPROTO_UDP;
	ip_header(pkt, &src, &dst, proto, l4len);
	fill_payload(pkt + hl, l4len);
	memset(pkt + hl, 0, tcp ? 20 : 8);
	if (ping) {
		pkt[hl] = src.ver == 4 ? 8 : 128;
		put16(pkt + hl + 4, 0x5054);		/* "PT" */
		put16(pkt + hl + 6, port);		/* the sequence */
		if (src.ver == 4)
			put16(pkt + hl + 2, ~fold(sum16(pkt + hl, l4len, 0)) &
			    0xffff);
		else
			l4_checksum(pr, pkt, hl, proto, l4len, 2);
		return len;
	}
	put16(pkt + hl, 40000);
	put16(pkt + hl + 2, port);
	if (tcp) {
		n = random();
		memcpy(pkt + hl + 4, &n, 4);
		pkt[hl + 12] = 0x50;
		pkt[hl + 13] = 0x18;			/* PSH, ACK */
		put16(pkt + hl + 14, 65535);
		l4_checksum(pr, pkt, hl, proto, l4len, 16);
	} else {
		put16(pkt + hl + 4, l4len);
		l4_checksum(pr, pkt, hl, proto, l4len, 6);
	}
	return len;
}

static size_t
parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t		 n = 0;
	unsigned int	 b;

	while (s[0] != '\0' && s[1] != '\0' && n < max) {
		if (sscanf(s, "%2x", &b) != 1)
			return 0;
		out[n++] = b;
		s += 2;
	}
	return s[0] == '\0' ? n : 0;
}

static int
parse_vnet(struct peer *pr, char *args)
{
	char	*f[6];
	long	 v;
	int	 i;

	if (fields(args, f, 6) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		v = strtol(f[i], NULL, 0);
		if (v < 0 || v > 65535)
			return -1;
		if (i < 2)
			pr->vnet[i] = v;
		else {
			/* Little-endian, as a Linux peer writes them. */
			pr->vnet[2 * i - 2] = v & 0xff;
			pr->vnet[2 * i - 1] = v >> 8;
		}
	}
	pr->has_vnet = 1;
	return 0;
}

/* Seals a copy of one payload (sealing encrypts in place) and sends
 * it. */
static int
send_payload(struct peer *pr, uint8_t *buf, const uint8_t *payload,
    size_t len)
{
	size_t	 flen;

	flush_pending(pr);
	memcpy(buf + PROTO_HDR_LEN, payload, len);
	if ((flen = proto_seal(pr->p, buf, len, now_ms())) == 0) {
		warnx("proto_seal refused %zu bytes", len);
		return -1;
	}
	if (write_all(pr->fd, buf, flen) == -1) {
		warn("write");
		return -1;
	}
	pr->sent++;
	return 0;
}

static int
do_word(struct peer *pr, char *word, uint8_t *buf, uint8_t *payload)
{
	char	*eq = strchr(word, '=');
	size_t	 len = 0, vl;
	long	 i;

	if (eq == NULL)
		return -1;
	*eq++ = '\0';
	if (strcmp(word, "vnet") == 0)
		return parse_vnet(pr, eq);
	if (strcmp(word, "count") == 0)
		return (pr->count = strtol(eq, NULL, 10)) > 0 ? 0 : -1;
	if (strcmp(word, "wait") == 0)
		return pump(pr, strtol(eq, NULL, 10), NULL);
	vl = pr->has_vnet ? VNET_LEN : 0;
	if (vl > 0)
		memcpy(payload, pr->vnet, VNET_LEN);
	if (strcmp(word, "hex") == 0)
		len = parse_hex(eq, payload + vl, PKT_MAX);
	else if (strcmp(word, "tcp") == 0 || strcmp(word, "udp") == 0 ||
	    strcmp(word, "ping") == 0)
		len = make_packet(pr, word, eq, payload + vl);
	if (len == 0)
		return -1;
	for (i = 0; i < pr->count; i++)
		if (send_payload(pr, buf, payload, len + vl) == -1)
			return -1;
	pr->has_vnet = 0;
	pr->count = 1;
	return 0;
}

static int
dial(const char *host, const char *port)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd = -1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(1, "%s: %s", host, gai_strerror(e));
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd == -1)
		err(1, "connect %s %s", host, port);
	return fd;
}

static void
peer_start(struct peer *pr, const char *keyfile)
{
	struct proto_params	 par;
	struct conf_key		 key;
	char			 why[CONF_KEY_ERR_MAX];
	int			 up = 0;

	memset(&par, 0, sizeof(par));
	par.role = PROTO_CLIENT;
	/* What tunnel_proto_params() asks for, as a dsvpnd client. */
	par.version = PROTO_V1;
	/* The daemon's own reading: raw keys as they are, text keys
	 * through the same KDF. */
	if (load_key(keyfile, &key, why, sizeof(why)) == -1)
		errx(1, "%s", why);
	memcpy(par.psk, key.psk, sizeof(par.psk));
	sodium_memzero(&key, sizeof(key));
	if ((pr->p = proto_new(&par)) == NULL)
		err(1, "proto_new");
	sodium_memzero(&par, sizeof(par));
	if (proto_start(pr->p, now_ms()) == -1)
		errx(1, "proto_start: %s", proto_error(pr->p));
	if (pump(pr, HANDSHAKE_MS, &up) == -1 || !up)
		errx(1, "no session");
}

int
main(int argc, char *argv[])
{
	struct peer	 pr;
	uint8_t		*buf, *payload;
	long		 wait_ms = 500;
	int		 ch, i;

	log_init(1, 0, LOG_USER);
	while ((ch = getopt(argc, argv, "w:")) != -1) {
		switch (ch) {
		case 'w':
			wait_ms = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 3)
		usage();
	if (sodium_init() == -1)
		errx(1, "sodium_init");
	memset(&pr, 0, sizeof(pr));
	pr.count = 1;
	if ((pr.ibuf = malloc(IBUF_SIZE)) == NULL ||
	    (buf = malloc(PROTO_OVERHEAD + VNET_LEN + PKT_MAX)) == NULL ||
	    (payload = malloc(VNET_LEN + PKT_MAX)) == NULL)
		err(1, NULL);
	pr.fd = dial(argv[1], argv[2]);
	peer_start(&pr, argv[0]);
	for (i = 3; i < argc; i++)
		if (do_word(&pr, argv[i], buf, payload) == -1)
			errx(1, "%s: failed", argv[i]);
	if (pump(&pr, wait_ms, NULL) == -1)
		pr.failed = 1;
	proto_close(pr.p);
	flush_pending(&pr);
	printf("sent %lu received %lu replies %lu\n", pr.sent, pr.received,
	    pr.replies);
	proto_free(pr.p);
	close(pr.fd);
	return pr.failed ? 1 : 0;
}
