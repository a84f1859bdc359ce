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
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netcfg.h"

#define KEEP	((1U << CAP_NET_ADMIN) | (1U << CAP_NET_RAW))

/* For messages, by number, as capabilities(7) and systemd name them. */
static const char *const cap_names[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID",
	"KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE",
	"NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
	"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT",
	"SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
	"AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE",
	"MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
	"PERFMON", "BPF", "CHECKPOINT_RESTORE"
};

static int
keep(int cap)
{
	return cap < 32 && (KEEP & (1U << cap)) != 0;
}

/*
 * Shrinks the bounding set to KEEP, then the capability sets.  A service
 * manager may have bounded us already (systemd's CapabilityBoundingSet):
 * what is gone need not be dropped, and only a capability that is still
 * there and cannot be dropped (CAP_SETPCAP is what drops them) stops us,
 * naming it.
 */
void
netcfg_drop_privileges(void)
{
	struct __user_cap_header_struct	 hdr;
	struct __user_cap_data_struct	 data[2];
	char				 name[32];
	int				 cap, in;

	for (cap = 0; (in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0;
	    cap++) {
		if ((size_t)cap < nitems(cap_names))
			snprintf(name, sizeof(name), "CAP_%s", cap_names[cap]);
		else
			snprintf(name, sizeof(name), "capability %d", cap);
		if (keep(cap) && in == 0)
			fatalx("%s is not in the capability bounding set; "
			    "netcfg needs it", name);
		/* CAP_SETPCAP, needed to shrink the set, goes last. */
		if (keep(cap) || cap == CAP_SETPCAP || in == 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1)
			fatal("cannot drop %s from the capability bounding "
			    "set (that needs CAP_SETPCAP)", name);
	}
	if (prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0) == 1 &&
	    prctl(PR_CAPBSET_DROP, CAP_SETPCAP, 0, 0, 0) == -1)
		fatal("cannot drop CAP_SETPCAP from the capability bounding "
		    "set");

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	data[0].effective = data[0].permitted = KEEP;
	if (syscall(SYS_capset, &hdr, data) == -1)
		fatal("capset");
}
