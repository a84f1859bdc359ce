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
 * Linux: the netcfg process keeps uid 0 (it writes sysctls and its
 * journal, both root's files) but only the capabilities its programs
 * need: CAP_NET_ADMIN for ip(8), nft(8) and the net sysctls, and
 * CAP_NET_RAW for iptables' raw socket.  Dropping the others from the
 * bounding set keeps them from every program it runs as well.
 */
#include "compat.h"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netcfg.h"

#define KEEP	((1U << CAP_NET_ADMIN) | (1U << CAP_NET_RAW))

static int
keep(int cap)
{
	return cap < 32 && (KEEP & (1U << cap)) != 0;
}

void
netcfg_drop_privileges(void)
{
	struct __user_cap_header_struct	 hdr;
	struct __user_cap_data_struct	 data[2];
	int				 cap;

	/* CAP_SETPCAP, needed to shrink the bounding set, goes last. */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (keep(cap) || cap == CAP_SETPCAP)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1)
			fatal("PR_CAPBSET_DROP %d", cap);
	}
	if (prctl(PR_CAPBSET_DROP, CAP_SETPCAP, 0, 0, 0) == -1)
		fatal("PR_CAPBSET_DROP CAP_SETPCAP");

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	data[0].effective = data[0].permitted = KEEP;
	if (syscall(SYS_capset, &hdr, data) == -1)
		fatal("capset");
}
