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
 * A minimal DNS server for the live tests, so that a client can be
 * given its server by name inside namespaces with no resolver:
 *
 *	dnstool ADDR NAME IPV4
 *		answer UDP queries on ADDR port 53: an A query for NAME
 *		with IPV4, anything else with no answer (NOERROR, or
 *		NXDOMAIN for another name).  One line per datagram on
 *		stdout: "query NAME TYPE" or "bad LEN".
 *
 * It parses only what it must, and checks every length: a datagram
 * that is not one well-formed question is counted "bad" and dropped.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DNS_HDR		12
#define DNS_MAX		512
#define TYPE_A		1

/* The question's name as text (NAME), its end in *end; -1 if bad. */
static int
qname(const unsigned char *p, size_t len, size_t *end, char *name,
    size_t namelen)
{
	size_t	 i = DNS_HDR, n = 0, l;

	name[0] = '\0';
	while (i < len && p[i] != 0) {
		l = p[i++];
		if (l > 63 || i + l > len || n + l + 2 > namelen)
			return (-1);
		if (n > 0)
			name[n++] = '.';
		memcpy(name + n, p + i, l);
		n += l;
		i += l;
	}
	if (i >= len)
		return (-1);
	name[n] = '\0';
	*end = i + 1;
	return (0);
}

static size_t
answer(unsigned char *p, size_t qend, int hit, int found,
    const struct in_addr *a)
{
	static const unsigned char rr[] = {
		0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x04
	};
	size_t	 n = qend + 4;

	p[2] = 0x84 | (p[2] & 0x01);	/* response, authoritative, RD */
	p[3] = found ? 0x00 : 0x03;	/* NOERROR or NXDOMAIN */
	p[4] = 0;
	p[5] = 1;			/* the question */
	memset(p + 6, 0, 6);		/* answers, authority, additional */
	if (!hit)
		return (n);
	p[7] = 1;
	memcpy(p + n, rr, sizeof(rr));
	memcpy(p + n + sizeof(rr), a, 4);
	return (n + sizeof(rr) + 4);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin, from;
	struct in_addr		 a;
	unsigned char		 buf[DNS_MAX + 32];
	char			 name[256];
	socklen_t		 fl;
	ssize_t			 n;
	size_t			 qend, out;
	int			 s, type, found;

	if (argc != 4) {
		fprintf(stderr, "usage: dnstool ADDR NAME IPV4\n");
		return (2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[3], &a) != 1) {
		fprintf(stderr, "dnstool: bad address\n");
		return (2);
	}
	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("dnstool");
		return (1);
	}
	for (;;) {
		fl = sizeof(from);
		n = recvfrom(s, buf, DNS_MAX, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		if (n < DNS_HDR || (buf[2] & 0x80) || buf[4] != 0 ||
		    buf[5] != 1 || qname(buf, n, &qend, name,
		    sizeof(name)) == -1 || qend + 4 > (size_t)n) {
			printf("bad %zd\n", n);
			continue;
		}
		type = buf[qend] << 8 | buf[qend + 1];
		found = strcasecmp(name, argv[2]) == 0;
		printf("query %s %d\n", name, type);
		out = answer(buf, qend, found && type == TYPE_A, found, &a);
		sendto(s, buf, out, 0, (struct sockaddr *)&from, fl);
	}
}
