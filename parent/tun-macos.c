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
 * macOS: utun interfaces are instances of a kernel control.  We look up
 * the control's id by name, then connect a PF_SYSTEM socket to unit N+1,
 * which creates utunN.  Every packet carries a 4-byte address family
 * header in network byte order.
 */
#include "compat.h"

#include <sys/ioctl.h>
#include <sys/kern_control.h>
#include <sys/socket.h>
#include <sys/sys_domain.h>
#include <sys/types.h>
#include <net/if.h>
#include <net/if_utun.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tun.h"

static int	utun_unit(const char *, char *, size_t);
static int	utun_connect(struct tun_dev *, int);
static int	utun_open_auto(struct tun_dev *, char *, size_t);

/* Only "utunN" names a utun: the kernel has no other kind. */
static int
utun_unit(const char *name, char *err, size_t errlen)
{
	const char	*errstr;
	long long	 unit;

	if (strncmp(name, "utun", 4) != 0) {
		snprintf(err, errlen, "%s: macOS tunnels are named utunN",
		    name);
		return (-1);
	}
	unit = strtonum(name + 4, 0, 255, &errstr);
	if (errstr != NULL) {
		snprintf(err, errlen, "%s: unit number is %s", name, errstr);
		return (-1);
	}
	return ((int)unit);
}

/* Connects a new control socket to utun<unit>; -1 with errno if taken. */
static int
utun_connect(struct tun_dev *tun, int unit)
{
	struct ctl_info		 info;
	struct sockaddr_ctl	 sc;
	socklen_t		 len;
	int			 save;

	if ((tun->fd = socket(PF_SYSTEM, SOCK_DGRAM, SYSPROTO_CONTROL)) == -1)
		return (-1);
	memset(&info, 0, sizeof(info));
	strlcpy(info.ctl_name, UTUN_CONTROL_NAME, sizeof(info.ctl_name));
	if (ioctl(tun->fd, CTLIOCGINFO, &info) == -1)
		goto fail;
	memset(&sc, 0, sizeof(sc));
	sc.sc_len = sizeof(sc);
	sc.sc_family = AF_SYSTEM;
	sc.ss_sysaddr = AF_SYS_CONTROL;
	sc.sc_id = info.ctl_id;
	sc.sc_unit = unit + 1;		/* unit 0 would mean "any" */
	if (connect(tun->fd, (struct sockaddr *)&sc, sizeof(sc)) == -1)
		goto fail;
	len = sizeof(tun->ifname);
	if (getsockopt(tun->fd, SYSPROTO_CONTROL, UTUN_OPT_IFNAME,
	    tun->ifname, &len) == -1)
		goto fail;
	return (0);
 fail:
	save = errno;
	tun_close(tun);
	errno = save;
	return (-1);
}

static int
utun_open_auto(struct tun_dev *tun, char *err, size_t errlen)
{
	int	 unit;

	for (unit = 0; unit < TUN_MAX_UNIT; unit++) {
		if (utun_connect(tun, unit) == 0)
			return (0);
		if (errno != EBUSY)
			break;
	}
	snprintf(err, errlen, "no free utun (tried utun0 to utun%d): %s",
	    unit < TUN_MAX_UNIT ? unit : TUN_MAX_UNIT - 1, strerror(errno));
	return (-1);
}

int
tun_open(struct tun_dev *tun, const char *name, int mtu, int want_vnet,
    char *err, size_t errlen)
{
	int	 unit;

	tun_init(tun);
	if (tun_is_auto(name)) {
		if (utun_open_auto(tun, err, errlen) == -1)
			return (-1);
	} else {
		if ((unit = utun_unit(name, err, errlen)) == -1)
			return (-1);
		if (utun_connect(tun, unit) == -1) {
			snprintf(err, errlen, "%s: %s", name, strerror(errno));
			return (-1);
		}
	}
	tun->flags = TUN_F_AFHEADER;
	if (tun_setup_fd(tun, err, errlen) == -1) {
		tun_close(tun);
		return (-1);
	}
	tun_set_mtu(tun, mtu);
	return (0);
}
