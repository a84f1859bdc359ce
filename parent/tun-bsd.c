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
 * OpenBSD, FreeBSD, DragonFly and NetBSD: the /dev/tunN character
 * devices.  Opening one creates tunN if it did not exist (on FreeBSD
 * through devfs cloning).  DragonFly's devfs has no /dev/tunN before the
 * unit exists, only the cloning node /dev/tun, which makes the lowest
 * free unit; FreeBSD has it too.  Which unit a cloning open made only
 * fdevname(3) says (tun(4): "use devname(3) to determine which").
 *
 * We always run with the 4-byte address family header: OpenBSD has
 * nothing else, and on the others TUNSIFHEAD turns it on, without which
 * IPv6 cannot be written (a headerless write is taken for IPv4).  And
 * on FreeBSD, DragonFly and NetBSD the interface is made point-to-point
 * on every open (TUNSIFMODE): the mode survives a close, and a unit
 * another program left IFF_BROADCAST would take the peer address of
 * "ifconfig tunN inet LOCAL PEER" for a broadcast address, so the
 * routes through the peer would fail.  OpenBSD's tun is point-to-point
 * and nothing else.
 */
#include "compat.h"

#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <net/if.h>
#ifdef __DragonFly__
#include <net/tun/if_tun.h>
#else
#include <net/if_tun.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tun.h"

#if defined(__FreeBSD__) || defined(__DragonFly__)
#define TUN_CLONING	1	/* /dev/tun makes a unit; fdevname(3) */
#endif
#if defined(TUNSIFMODE) && !defined(__OpenBSD__)
#define TUN_SETMODE	1
#endif

static int	tundev_open(struct tun_dev *, const char *);
static int	tundev_open_auto(struct tun_dev *, char *, size_t);
static int	tundev_name(struct tun_dev *, char *, size_t);
static int	tundev_mode(struct tun_dev *, char *, size_t);
static int	tundev_afheader(struct tun_dev *, char *, size_t);

static int
tundev_open(struct tun_dev *tun, const char *name)
{
	char	 path[sizeof("/dev/") + IFNAMSIZ];
	int	 existed;

	snprintf(path, sizeof(path), "/dev/%s", name);
	/* A unit that only the open made is ours to destroy at revert. */
	existed = if_nametoindex(name) != 0;
	if ((tun->fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		return (-1);
	strlcpy(tun->ifname, name, sizeof(tun->ifname));
	tun->created = !existed;
	return (0);
}

#ifdef __DragonFly__
/* Only the cloning node exists: it gives the lowest free unit. */
static int
tundev_open_auto(struct tun_dev *tun, char *err, size_t errlen)
{
	if (tundev_open(tun, "tun") == 0)
		return (0);
	snprintf(err, errlen, "/dev/tun: %s", strerror(errno));
	return (-1);
}
#else
/*
 * EBUSY is a unit in use; ENOENT and ENXIO a unit without a device node
 * or driver instance, which a higher unit may still have.  Anything else
 * (EACCES, say) will not get better by trying the next unit.
 */
static int
tundev_open_auto(struct tun_dev *tun, char *err, size_t errlen)
{
	char	 name[IFNAMSIZ];
	int	 unit;

	for (unit = 0; unit < TUN_MAX_UNIT; unit++) {
		snprintf(name, sizeof(name), "tun%d", unit);
		if (tundev_open(tun, name) == 0)
			return (0);
		if (errno != EBUSY && errno != ENOENT && errno != ENXIO)
			break;
	}
	snprintf(err, errlen, "no free tun device (last tried /dev/%s): %s",
	    name, strerror(errno));
	return (-1);
}
#endif

#ifdef TUN_CLONING
/*
 * The unit the device node really is: after "/dev/tun" (auto on
 * DragonFly, or "tunnel tun") the name asked for is not the
 * interface's, and the plan would configure one called "tun".
 */
static int
tundev_name(struct tun_dev *tun, char *err, size_t errlen)
{
	const char	*dev;

	if ((dev = fdevname(tun->fd)) == NULL) {
		snprintf(err, errlen, "/dev/%s: fdevname: %s", tun->ifname,
		    strerror(errno));
		return (-1);
	}
	if (tun_unit_name(dev, tun->ifname, sizeof(tun->ifname)) == -1) {
		snprintf(err, errlen, "/dev/%s: opened %s, not a tun unit",
		    tun->ifname, dev);
		return (-1);
	}
	return (0);
}
#else
/* No cloning node: the device opened is the unit named. */
static int
tundev_name(struct tun_dev *tun, char *err, size_t errlen)
{
	return (0);
}
#endif

#ifdef TUN_SETMODE
/* TUNSIFMODE wants the interface down; the plan brings it up. */
static int
tundev_down(const char *ifname)
{
	struct ifreq	 ifr;
	int		 s, r = -1;

	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return (-1);
	memset(&ifr, 0, sizeof(ifr));
	strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags &= ~IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return (r);
}

static int
tundev_mode(struct tun_dev *tun, char *err, size_t errlen)
{
	int	 mode = IFF_POINTOPOINT | IFF_MULTICAST;

	if (ioctl(tun->fd, TUNSIFMODE, &mode) == 0)
		return (0);
	if (errno == EBUSY && tundev_down(tun->ifname) == 0 &&
	    ioctl(tun->fd, TUNSIFMODE, &mode) == 0)
		return (0);
	snprintf(err, errlen, "%s: TUNSIFMODE point-to-point: %s",
	    tun->ifname, strerror(errno));
	return (-1);
}
#else
static int
tundev_mode(struct tun_dev *tun, char *err, size_t errlen)
{
	return (0);
}
#endif

static int
tundev_afheader(struct tun_dev *tun, char *err, size_t errlen)
{
#ifdef TUNSIFHEAD
	int	 on = 1;

	if (ioctl(tun->fd, TUNSIFHEAD, &on) == -1) {
		snprintf(err, errlen, "%s: TUNSIFHEAD: %s", tun->ifname,
		    strerror(errno));
		return (-1);
	}
#endif
	tun->flags |= TUN_F_AFHEADER;
	return (0);
}

/* The name given in the configuration: its unit, or the cloner. */
static int
tundev_open_named(struct tun_dev *tun, const char *name, char *err,
    size_t errlen)
{
	if (strchr(name, '/') != NULL || strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "%s: not a tun device name", name);
		return (-1);
	}
	if (tundev_open(tun, name) == 0)
		return (0);
#ifdef __DragonFly__
	if (errno == ENOENT) {
		snprintf(err, errlen, "/dev/%s: no such unit (create it with "
		    "\"ifconfig %s create\", or use \"tunnel auto\")", name,
		    name);
		return (-1);
	}
#endif
	snprintf(err, errlen, "/dev/%s: %s", name, strerror(errno));
	return (-1);
}

int
tun_open(struct tun_dev *tun, const char *name, int mtu, int want_vnet,
    char *err, size_t errlen)
{
	tun_init(tun);
	if (tun_is_auto(name)) {
		if (tundev_open_auto(tun, err, errlen) == -1)
			return (-1);
	} else if (tundev_open_named(tun, name, err, errlen) == -1)
		return (-1);
	if (tundev_name(tun, err, errlen) == -1 ||
	    tundev_mode(tun, err, errlen) == -1 ||
	    tundev_afheader(tun, err, errlen) == -1 ||
	    tun_setup_fd(tun, err, errlen) == -1) {
		tun_close(tun);
		return (-1);
	}
	tun_set_mtu(tun, mtu);
	return (0);
}
