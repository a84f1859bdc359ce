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
 * Absolute paths of the programs netcfg runs, per OS.  Fixed at build
 * time (override with -D): netcfg never searches PATH and never runs a
 * shell.
 */
#ifndef DSVPND_NETCFG_PATHS_H
#define DSVPND_NETCFG_PATHS_H

/* Linux: /sbin and /usr/sbin hold these on merged and split /usr alike. */
#ifndef LINUX_PATH_IP
#define LINUX_PATH_IP		"/sbin/ip"
#endif
#ifndef LINUX_PATH_NFT
#define LINUX_PATH_NFT		"/usr/sbin/nft"
#endif
#ifndef LINUX_PATH_IPTABLES
#define LINUX_PATH_IPTABLES	"/usr/sbin/iptables"
#endif
#ifndef LINUX_PATH_IP6TABLES
#define LINUX_PATH_IP6TABLES	"/usr/sbin/ip6tables"
#endif
#ifndef LINUX_PATH_SYSCTL
#define LINUX_PATH_SYSCTL	"/sbin/sysctl"
#endif

/* The BSDs keep the base system's tools in /sbin. */
#ifndef BSD_PATH_ROUTE
#define BSD_PATH_ROUTE		"/sbin/route"
#endif
#ifndef BSD_PATH_IFCONFIG
#define BSD_PATH_IFCONFIG	"/sbin/ifconfig"
#endif
#ifndef BSD_PATH_SYSCTL
#define BSD_PATH_SYSCTL		"/sbin/sysctl"
#endif
#ifndef OPENBSD_PATH_PFCTL
#define OPENBSD_PATH_PFCTL	"/sbin/pfctl"
#endif

/* macOS: sysctl lives in /usr/sbin. */
#ifndef MACOS_PATH_SYSCTL
#define MACOS_PATH_SYSCTL	"/usr/sbin/sysctl"
#endif

#endif /* DSVPND_NETCFG_PATHS_H */
