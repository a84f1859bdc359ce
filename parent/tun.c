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
 * What every TUN backend shares: descriptor flags and the MTU, which all
 * our systems set the same way, with SIOCSIFMTU on any datagram socket.
 */
#include "compat.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tun.h"

int
tun_unit_name(const char *dev, char *ifname, size_t len)
{
	const char	*d;

	if (strncmp(dev, "tun", 3) != 0 || dev[3] == '\0' ||
	    (dev[3] == '0' && dev[4] != '\0') ||
	    strlen(dev) > 3 + TUN_UNIT_DIGITS)
		return (-1);
	for (d = dev + 3; *d != '\0'; d++)
		if (*d < '0' || *d > '9')
			return (-1);
	if (strlcpy(ifname, dev, len) >= len)
		return (-1);
	return (0);
}

int
tun_is_auto(const char *name)
{
	return (name == NULL || name[0] == '\0' || strcmp(name, "auto") == 0);
}

void
tun_init(struct tun_dev *tun)
{
	memset(tun, 0, sizeof(*tun));
	tun->fd = -1;
}

void
tun_close(struct tun_dev *tun)
{
	if (tun->fd != -1)
		close(tun->fd);
	tun->fd = -1;
}

/*
 * Non-blocking for the tunnel's event loop; close-on-exec because the
 * parent re-executes itself for each child, and the TUN reaches the
 * tunnel only as a message, never by inheritance.
 */
int
tun_setup_fd(struct tun_dev *tun, char *err, size_t errlen)
{
	int	 fl;

	if (fcntl(tun->fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    (fl = fcntl(tun->fd, F_GETFL)) == -1 ||
	    fcntl(tun->fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "%s: fcntl: %s", tun->ifname,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/*
 * A refused MTU is not fatal (DSVPN only warns too): the tunnel works at
 * the old MTU, just less efficiently.  tun->mtu ends up as what the
 * interface really has, so the tunnel sizes its buffers from the truth.
 */
void
tun_set_mtu(struct tun_dev *tun, int mtu)
{
	struct ifreq	 ifr;
	int		 s;

	tun->mtu = mtu;
	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		log_warn("%s: socket for SIOCSIFMTU", tun->ifname);
		return;
	}
	memset(&ifr, 0, sizeof(ifr));
	strlcpy(ifr.ifr_name, tun->ifname, sizeof(ifr.ifr_name));
	ifr.ifr_mtu = mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) == -1)
		log_warn("%s: cannot set MTU %d", tun->ifname, mtu);
	memset(&ifr, 0, sizeof(ifr));
	strlcpy(ifr.ifr_name, tun->ifname, sizeof(ifr.ifr_name));
	if (ioctl(s, SIOCGIFMTU, &ifr) == 0)
		tun->mtu = ifr.ifr_mtu;
	close(s);
}
