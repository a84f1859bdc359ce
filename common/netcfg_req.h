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
#include "instance.h"

#define NETCFG_MAX_SERVERS	8	/* addresses of the client's server */
#define NETCFG_MAX_CLIENT_NETS	256	/* server: networks behind clients */
#define NETCFG_NO_UID		(-1)

/*
 * Fixed-size and pointer-free: it travels in one message and is kept
 * whole in the journal.  Flags are 0 or 1; anything else is refused.
 */
struct netcfg_req {
	int32_t			 role;	/* enum conf_role */
	char			 instance[INSTANCE_NAME_MAX];
	uint32_t		 instance_id;
	char			 ifname[IFNAMSIZ];
	int32_t			 mtu;
	int32_t			 tun_created;	/* BSD: destroy it on revert */
	/* 0: the tunnel's addresses are not known yet (a client whose
	 * server pushes them); the seal goes up without them. */
	int32_t			 have_addrs;
	struct in_addr		 inet_local;
	struct in_addr		 inet_peer;
	int32_t			 inet6;
	struct in6_addr		 inet6_local;
	struct in6_addr		 inet6_peer;
	int32_t			 firewall; /* enum conf_firewall */

	/* client */
	int32_t			 default_route;
	int32_t			 block_outside;	/* the seal and kill switch */
	int32_t			 dns_uid;	/* the resolver's, or NO_UID */
	int32_t			 gateway_auto;
	struct conf_prefix	 gateway;
	uint32_t		 n_routes;
	struct conf_prefix	 routes[CONF_MAX_ROUTES];
	/* Host routes around the tunnel where the OS needs them (the BSDs
	 * and macOS); none on Linux, whose transport carries the fwmark. */
	uint32_t		 n_servers;
	struct conf_prefix	 servers[NETCFG_MAX_SERVERS];

	/* server */
	int32_t			 nat;		/* enum conf_nat */
	char			 nat_if[IFNAMSIZ];
	struct conf_prefix	 pool4;		/* af 0: none */
	struct conf_prefix	 pool6;
	uint32_t		 n_client_nets;
	struct conf_prefix	 client_nets[NETCFG_MAX_CLIENT_NETS];
};

#endif /* DSVPND_NETCFG_REQ_H */
