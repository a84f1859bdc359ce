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
 * Linux: /dev/net/tun with IFF_TUN|IFF_NO_PI, so reads and writes carry
 * bare IP packets.  With want_vnet, each packet is preceded by a struct
 * virtio_net_hdr (10 bytes) and the kernel may hand us unchecksummed TSO
 * super-packets of up to 64 KiB, which saves per-packet work on bulk flows.
 */
#include "compat.h"

#include <sys/ioctl.h>
#include <sys/types.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tun.h"
#include "tunhdr.h"

#define TUN_CLONE_DEV	"/dev/net/tun"

static int	tun_attach(struct tun_dev *, const char *, int, char *, size_t);
static int	tun_offload(struct tun_dev *);

static int
tun_attach(struct tun_dev *tun, const char *name, int vnet, char *err,
    size_t errlen)
{
	struct ifreq	 ifr;

	if ((tun->fd = open(TUN_CLONE_DEV, O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", TUN_CLONE_DEV,
		    strerror(errno));
		return (-1);
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
	if (!tun_is_auto(name))
		strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (ioctl(tun->fd, TUNSETIFF, &ifr) == -1) {
		snprintf(err, errlen, "%s: TUNSETIFF %s: %s", TUN_CLONE_DEV,
		    tun_is_auto(name) ? "(auto)" : name, strerror(errno));
		tun_close(tun);
		return (-1);
	}
	strlcpy(tun->ifname, ifr.ifr_name, sizeof(tun->ifname));
	return (0);
}

/*
 * Checksum and TSO offload is the point of the virtio header; without it
 * the header only costs bytes, so a refusal means: reopen without it.
 */
static int
tun_offload(struct tun_dev *tun)
{
	int	 hdrsz = TUNHDR_VNET_LEN;

	if (ioctl(tun->fd, TUNSETVNETHDRSZ, &hdrsz) == -1)
		return (-1);
	if (ioctl(tun->fd, TUNSETOFFLOAD,
	    (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) == -1)
		return (-1);
	return (0);
}

int
tun_open(struct tun_dev *tun, const char *name, int mtu, int want_vnet,
    char *err, size_t errlen)
{
	tun_init(tun);
	if (!tun_is_auto(name) && strlen(name) >= sizeof(tun->ifname)) {
		snprintf(err, errlen, "%s: interface name too long", name);
		return (-1);
	}
	if (want_vnet && tun_attach(tun, name, 1, err, errlen) == 0) {
		if (tun_offload(tun) == 0)
			tun->flags |= TUN_F_VNETHDR;
		else
			tun_close(tun);
	}
	if (tun->fd == -1 && tun_attach(tun, name, 0, err, errlen) == -1)
		return (-1);
	if (tun_setup_fd(tun, err, errlen) == -1) {
		tun_close(tun);
		return (-1);
	}
	tun_set_mtu(tun, mtu);
	return (0);
}
