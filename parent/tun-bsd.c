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
 * devices.  Opening one creates tunN if it did not exist.  We always run
 * with the 4-byte address family header: OpenBSD has nothing else, and on
 * the others TUNSIFHEAD turns it on, without which IPv6 cannot be written
 * (a headerless write is taken for IPv4).
 */
#include "compat.h"

#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#ifdef __DragonFly__
#include <net/tun/if_tun.h>
#else
#include <net/if_tun.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tun.h"

static int	tundev_open(struct tun_dev *, const char *);
static int	tundev_open_auto(struct tun_dev *, char *, size_t);
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

int
tun_open(struct tun_dev *tun, const char *name, int mtu, int want_vnet,
    char *err, size_t errlen)
{
	tun_init(tun);
	if (tun_is_auto(name)) {
		if (tundev_open_auto(tun, err, errlen) == -1)
			return (-1);
	} else {
		if (strchr(name, '/') != NULL || strlen(name) >= IFNAMSIZ) {
			snprintf(err, errlen, "%s: not a tun device name",
			    name);
			return (-1);
		}
		if (tundev_open(tun, name) == -1) {
			snprintf(err, errlen, "/dev/%s: %s", name,
			    strerror(errno));
			return (-1);
		}
	}
	if (tundev_afheader(tun, err, errlen) == -1 ||
	    tun_setup_fd(tun, err, errlen) == -1) {
		tun_close(tun);
		return (-1);
	}
	tun_set_mtu(tun, mtu);
	return (0);
}
