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
 * netcfg: the host configuration engine.  The parent turns its config
 * into a typed, fixed-size request; the netcfg process validates it,
 * discovers what it needs (external interface, gateway, sysctl values),
 * renders a plan (pure data: argv lists, the same on any host) and
 * applies it step by step, journaling each step so it can be undone.
 */
#ifndef DSVPND_NETCFG_H
#define DSVPND_NETCFG_H

#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "netcfg_req.h"

/*
 * Names and numbers (nft table, iptables chains, pf anchor, routing
 * table, fwmark, rule priorities below main's 32766) come from the
 * request's instance: common/instance.h.
 */
#define NETCFG_ERRLEN		1024	/* size for err buffers */
#define NETCFG_MAX_STEPS	1024	/* a plan longer than this is refused */

enum netcfg_os {
	NETCFG_OS_LINUX_NFT = 0,
	NETCFG_OS_LINUX_IPTABLES,
	NETCFG_OS_OPENBSD,
	NETCFG_OS_MACOS,
	NETCFG_OS_FREEBSD,
	NETCFG_OS_DRAGONFLY,
	NETCFG_OS_NETBSD,
	NETCFG_OS_COUNT
};

#define NETCFG_SYSCTL_MAX	64

/*
 * What discovery found on the host; rendering reads only this.  It is
 * journaled with the request, and checked as strictly as a request
 * whether it comes from a program's output or from the state file.
 */
struct netcfg_facts {
	char			 ext_if[IFNAMSIZ];	/* server NAT */
	/* BSD client: the gateways the servers' host routes take; an IPv6
	 * one that is link-local keeps its scope (fe80::1%em0). */
	int32_t			 have_gw4;
	struct conf_prefix	 gw4;
	int32_t			 have_gw6;
	struct conf_prefix	 gw6;
	char			 gw6_scope[IFNAMSIZ];	/* "" or a link */
	char			 ip_forward[NETCFG_SYSCTL_MAX];
	char			 ip6_forward[NETCFG_SYSCTL_MAX];
	char			 cc[NETCFG_SYSCTL_MAX]; /* Linux client */
	int32_t			 have_bbr;
	int32_t			 ifdisabled;	/* FreeBSD: inet6 was off */
};

struct plan;

void		 netcfg_req_from_conf(struct netcfg_req *,
		    const struct conf *);
const char	*netcfg_req_validate(const struct netcfg_req *);
const char	*netcfg_facts_validate(const struct netcfg_facts *);
/* An interface name we put in an argv or a rule: [A-Za-z0-9_.-]. */
int		 netcfg_ifname_ok(const char *, size_t);
/* The servers' resolved addresses into the request, up to its bound. */
void		 netcfg_req_set_servers(struct netcfg_req *,
		    const struct sockaddr_storage *, int);
/* Does this OS's plan need the server's addresses (host routes)? */
int		 netcfg_needs_servers(enum netcfg_os,
		    const struct netcfg_req *);

/* Rendering: pure, any OS on any OS. */
struct plan	*plan_render(const struct netcfg_req *, enum netcfg_os,
		    const struct netcfg_facts *);
void		 plan_print(FILE *, const struct plan *, int revert);
void		 plan_free(struct plan *);
size_t		 plan_nsteps(const struct plan *);
const char	*netcfg_os_name(enum netcfg_os);
int		 netcfg_os_from_name(const char *, enum netcfg_os *);
enum netcfg_os	 netcfg_host_os(void);
/* The backend the engine would use here for this request. */
enum netcfg_os	 netcfg_req_os(const struct netcfg_req *);

/* Discovery (runs programs): fills facts for this request and OS. */
void		 netcfg_facts_unknown(struct netcfg_facts *);
int		 netcfg_discover(const struct netcfg_req *, enum netcfg_os,
		    struct netcfg_facts *, char *, size_t);
/* A transition keeps what the old plan's discovery saw of the state
 * before us: the original sysctl values, the old gateways. */
void		 netcfg_facts_carry(struct netcfg_facts *,
		    const struct netcfg_facts *);

/* Engine: runs as root in the netcfg process. */
int		 netcfg_apply(const struct netcfg_req *, char *, size_t);
int		 netcfg_revert(char *, size_t);
int		 netcfg_flush(char *, size_t);
/* The instance a flush sweeps when no journal names one. */
int		 netcfg_set_instance(const char *, uint32_t);
size_t		 netcfg_status(char *, size_t);
void		 netcfg_set_statefile(const char *);
void		 netcfg_fail_step(int);
/* Test seam: exit right after the Nth step an apply runs (a SIGKILL). */
void		 netcfg_crash_step(int);
/* Each command run and its captured output go here (default: none). */
void		 netcfg_set_logger(void (*)(int, const char *));
/* 0: fine; 1: a warning for the startup log is in msg (pf anchor). */
int		 netcfg_startup_check(const struct instance_names *, char *,
		    size_t);

/* Keep only what the plans' programs need (caps-linux.c, caps-stub.c). */
void		 netcfg_drop_privileges(void);

#endif /* DSVPND_NETCFG_H */
