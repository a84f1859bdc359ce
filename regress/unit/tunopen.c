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
 * tunopen_tool MTU SPEC...: the helper of t-tun.sh, run inside a network
 * namespace of its own.  Each SPEC is "auto" or a name, with ":vnet" to
 * ask for the virtio header.  It opens them all with tun_open(), checks
 * the descriptors, prints "dev NAME MTU FLAGS" for each, then "ready",
 * and holds the devices until its standard input closes.  Run alone, with
 * no arguments, it skips: it must not create interfaces on the host.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "tun.h"

#define MAX_DEVS	8

static int	open_spec(struct tun_dev *, const char *, int);
static int	check_long_name(void);
static int	check_bad_mtu(void);

static int
open_spec(struct tun_dev *tun, const char *spec, int mtu)
{
	char	 name[64], err[256];
	char	*p;
	int	 vnet = 0;

	strlcpy(name, spec, sizeof(name));
	if ((p = strchr(name, ':')) != NULL) {
		*p = '\0';
		vnet = strcmp(p + 1, "vnet") == 0;
	}
	if (tun_open(tun, name, mtu, vnet, err, sizeof(err)) == -1) {
		printf("FAIL tun_open %s: %s\n", spec, err);
		return (-1);
	}
	if (!(fcntl(tun->fd, F_GETFL) & O_NONBLOCK) ||
	    !(fcntl(tun->fd, F_GETFD) & FD_CLOEXEC)) {
		printf("FAIL %s: descriptor blocking or inheritable\n", spec);
		return (-1);
	}
	printf("dev %s %d %d\n", tun->ifname, tun->mtu, tun->flags);
	return (0);
}

/* A name the kernel cannot hold is refused before anything is made. */
static int
check_long_name(void)
{
	struct tun_dev	 tun;
	char		 err[256] = "";

	if (tun_open(&tun, "dsvpnd-name-too-long", 1500, 0, err,
	    sizeof(err)) != -1 || tun.fd != -1 || err[0] == '\0') {
		printf("FAIL a 20-character name was accepted\n");
		tun_close(&tun);
		return (-1);
	}
	return (0);
}

/* A refused MTU only warns, and the device reports the MTU it kept. */
static int
check_bad_mtu(void)
{
	struct tun_dev	 tun;
	char		 err[256] = "";
	int		 ok;

	if (tun_open(&tun, "auto", 1 << 20, 0, err, sizeof(err)) == -1) {
		printf("FAIL a refused MTU failed the open: %s\n", err);
		return (-1);
	}
	ok = tun.mtu > 0 && tun.mtu < (1 << 20);
	if (!ok)
		printf("FAIL %s: mtu %d reported\n", tun.ifname, tun.mtu);
	tun_close(&tun);
	return (ok ? 0 : -1);
}

int
main(int argc, char *argv[])
{
	struct tun_dev	 devs[MAX_DEVS];
	const char	*errstr;
	char		 buf[64];
	int		 i, n, mtu;

	if (argc < 3) {
		printf("skipped: helper of t-tun.sh, needs a namespace\n");
		return (77);
	}
	log_init(1, 0, LOG_DAEMON);
	mtu = strtonum(argv[1], 68, 65535, &errstr);
	if (errstr != NULL || argc - 2 > MAX_DEVS) {
		printf("usage: tunopen_tool MTU SPEC...\n");
		return (2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (check_long_name() == -1 || check_bad_mtu() == -1)
		return (1);
	for (n = 0; n < argc - 2; n++)
		if (open_spec(&devs[n], argv[n + 2], mtu) == -1)
			return (1);
	printf("ready\n");
	while (fgets(buf, sizeof(buf), stdin) != NULL)
		;
	for (i = 0; i < n; i++)
		tun_close(&devs[i]);
	printf("closed\n");
	return (0);
}
