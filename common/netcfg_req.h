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
 * The request the parent sends the netcfg process (MSG_NETCFG_APPLY).
 * It crosses processes, so it lives here in common/, below every
 * process: the message catalogue checks its size, the parent builds
 * it (netcfg_req_from_conf) and netcfg validates it field by field
 * (netcfg_req_validate) before rendering a plan from it.
 */
#ifndef DSVPND_NETCFG_REQ_H
#define DSVPND_NETCFG_REQ_H

#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include "conf.h"

/* Fixed-size and pointer-free: it travels in one message. */
struct netcfg_req {
	int32_t			 role;	/* enum conf_role */
	char			 ifname[IFNAMSIZ];
	int32_t			 mtu;
	struct in_addr		 inet_local;
	struct in_addr		 inet_peer;
	int32_t			 inet6;
	struct in6_addr		 inet6_local;
	struct in6_addr		 inet6_peer;
	int32_t			 default_route;
	uint32_t		 n_routes;
	struct conf_prefix	 routes[CONF_MAX_ROUTES];
	int32_t			 nat;		/* enum conf_nat */
	char			 nat_if[IFNAMSIZ];
	int32_t			 gateway_auto;
	struct conf_prefix	 gateway;
	struct conf_prefix	 server;	/* client: transport peer */
	int32_t			 firewall; /* enum conf_firewall */
};

#endif /* DSVPND_NETCFG_REQ_H */
