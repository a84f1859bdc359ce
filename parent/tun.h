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
 * Opening the TUN device: one backend file per OS behind this interface
 * (tun-linux.c, tun-macos.c, tun-bsd.c, tun-stub.c), chosen by configure.
 * Only the root parent calls it; the descriptor then travels to the
 * tunnel worker as MSG_TUN_FD and the parent closes its own copy.
 */
#ifndef DSVPND_TUN_H
#define DSVPND_TUN_H

#include <sys/types.h>
#include <net/if.h>
#include <netinet/in.h>	/* msgcat.h needs INET6_ADDRSTRLEN */
#include <stddef.h>

#include "msgcat.h"

#define TUN_MAX_UNIT	32	/* "auto" tries units 0 to 31 */

/*
 * fd is non-blocking and close-on-exec, -1 once closed; mtu is what the
 * interface really has, which may not be what was asked for.
 */
struct tun_dev {
	int		 fd;
	char		 ifname[IFNAMSIZ];
	int		 mtu;
	int		 flags;		/* TUN_F_AFHEADER, TUN_F_VNETHDR */
	int		 created;	/* BSD: the open made the unit */
};

/*
 * Opens the device called name ("" or "auto": the kernel's choice on Linux,
 * the first free utun0..31 on macOS, /dev/tun0..31 on the BSDs), sets its
 * MTU (a refusal is only logged) and makes it non-blocking.  want_vnet asks
 * Linux for IFF_VNET_HDR with checksum and TSO offload; TUN_F_VNETHDR in
 * flags says whether it was granted.  Returns 0, or -1 with a message in err.
 */
int	 tun_open(struct tun_dev *, const char *name, int mtu, int want_vnet,
	    char *err, size_t errlen);
void	 tun_close(struct tun_dev *);

/* For the backends (parent/tun.c). */
/*
 * The interface behind a BSD tun device node's name ("tun7", as
 * fdevname(3) gives it after a cloning open of /dev/tun) into ifname:
 * "tun" and a unit number, no sign, no leading zero, no path.  -1 if
 * dev is anything else or ifname too short.
 */
int	 tun_unit_name(const char *dev, char *ifname, size_t len);
#define TUN_UNIT_DIGITS	5	/* IF_MAXUNIT is 32767 on the BSDs */
int	 tun_is_auto(const char *);
void	 tun_init(struct tun_dev *);
int	 tun_setup_fd(struct tun_dev *, char *, size_t);
void	 tun_set_mtu(struct tun_dev *, int);

#endif /* DSVPND_TUN_H */
