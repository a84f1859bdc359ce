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

#include "compat.h"

#include <sys/types.h>
#include <arpa/inet.h>

#include <string.h>

#include "fixture.h"

void
fixture_req(struct netcfg_req *r, int role, const char *ifname, int mtu)
{
	int	 server = role == ROLE_SERVER;

	memset(r, 0, sizeof(*r));
	r->role = role;
	strlcpy(r->ifname, ifname, sizeof(r->ifname));
	r->mtu = mtu;
	inet_pton(AF_INET, server ? "192.168.192.254" : "192.168.192.1",
	    &r->inet_local);
	inet_pton(AF_INET, server ? "192.168.192.1" : "192.168.192.254",
	    &r->inet_peer);
	r->inet6 = 1;
	inet_pton(AF_INET6, server ? "64:ff9b::c0a8:c0fe" :
	    "64:ff9b::c0a8:c001", &r->inet6_local);
	inet_pton(AF_INET6, server ? "64:ff9b::c0a8:c001" :
	    "64:ff9b::c0a8:c0fe", &r->inet6_peer);
	strlcpy(r->instance, INSTANCE_DEFAULT, sizeof(r->instance));
	r->have_addrs = 1;
	r->dns_uid = NETCFG_NO_UID;
	r->gateway_auto = !server;
	r->firewall = FW_AUTO;
}
