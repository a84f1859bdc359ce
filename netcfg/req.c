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
 * Requests: built from the parsed config in the parent, checked field by
 * field in the netcfg process, which trusts nothing it is sent.
 */
#include "compat.h"

#include <arpa/inet.h>

#include <string.h>
#include <unistd.h>

#include "plan.h"

void
netcfg_req_from_conf(struct netcfg_req *req, const struct conf *conf)
{
	unsigned int	 i;

	memset(req, 0, sizeof(*req));
	req->role = conf->role;
	strlcpy(req->ifname, conf->ifname, sizeof(req->ifname));
	req->mtu = conf->mtu;
	req->inet_local = conf->inet_local;
	req->inet_peer = conf->inet_peer;
	req->inet6 = conf->inet6 != 0;
	req->inet6_local = conf->inet6_local;
	req->inet6_peer = conf->inet6_peer;
	req->default_route = conf->default_route != 0;
	req->n_routes = conf->n_routes;
	if (req->n_routes > CONF_MAX_ROUTES)
		req->n_routes = CONF_MAX_ROUTES;
	for (i = 0; i < req->n_routes; i++)
		req->routes[i] = conf->routes[i];
	req->nat = conf->nat;
	strlcpy(req->nat_if, conf->nat_if, sizeof(req->nat_if));
	req->gateway_auto = conf->gateway_auto != 0;
	req->gateway = conf->gateway;
	req->firewall = conf->firewall;
	/* req->server: the parent fills it in once it has resolved it. */
}

/* An interface name we are willing to put in an argv or a rule. */
static int
ifname_ok(const char *name, size_t size)
{
	size_t	 i, n;

	if ((n = strnlen(name, size)) == size || n == 0 || name[0] == '-')
		return (0);
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.", name[i]) == NULL)
			return (0);
	return (1);
}

static int
in_ok(const struct in_addr *in)
{
	uint32_t	 a = ntohl(in->s_addr);

	return (a != 0 && a != 0xffffffffU && !IN_MULTICAST(a));
}

static int
in6_ok(const struct in6_addr *in6)
{
	return (!IN6_IS_ADDR_UNSPECIFIED(in6) && !IN6_IS_ADDR_MULTICAST(in6) &&
	    !IN6_IS_ADDR_LOOPBACK(in6) && !IN6_IS_ADDR_V4MAPPED(in6));
}

/* A host address (full length), for the gateway and the server. */
static int
host_ok(const struct conf_prefix *pf)
{
	if (pf->af == AF_INET)
		return (pf->plen == 32 && in_ok(&pf->addr.v4));
	if (pf->af == AF_INET6)
		return (pf->plen == 128 && in6_ok(&pf->addr.v6));
	return (0);
}

/* A canonical prefix: no host bits set, which route(8) would reject. */
static int
prefix_ok(const struct conf_prefix *pf)
{
	const uint8_t	*b;
	unsigned int	 max, i;

	if (pf->af == AF_INET) {
		max = 32;
		b = (const uint8_t *)&pf->addr.v4;
	} else if (pf->af == AF_INET6) {
		max = 128;
		b = pf->addr.v6.s6_addr;
	} else
		return (0);
	if (pf->plen > max)
		return (0);
	for (i = pf->plen; i < max; i++)
		if (b[i / 8] & (0x80 >> (i % 8)))
			return (0);
	return (1);
}

static const char *
validate_tunnel(const struct netcfg_req *req)
{
	if (!ifname_ok(req->ifname, sizeof(req->ifname)))
		return ("bad interface name");
	if (req->mtu < 576 || req->mtu > 65535)
		return ("bad mtu");
	if (req->inet6 && req->mtu < 1280)
		return ("mtu below 1280 with inet6");
	if (!in_ok(&req->inet_local) || !in_ok(&req->inet_peer) ||
	    req->inet_local.s_addr == req->inet_peer.s_addr)
		return ("bad tunnel inet addresses");
	if (req->inet6 != 0 && req->inet6 != 1)
		return ("bad inet6 flag");
	if (req->inet6 && (!in6_ok(&req->inet6_local) ||
	    !in6_ok(&req->inet6_peer) ||
	    IN6_ARE_ADDR_EQUAL(&req->inet6_local, &req->inet6_peer)))
		return ("bad tunnel inet6 addresses");
	if (req->firewall != FW_AUTO && req->firewall != FW_NFTABLES &&
	    req->firewall != FW_IPTABLES)
		return ("bad firewall");
	return (NULL);
}

static const char *
validate_routes(const struct netcfg_req *req)
{
	uint32_t	 i;

	if (req->n_routes > CONF_MAX_ROUTES)
		return ("too many routes");
	for (i = 0; i < req->n_routes; i++) {
		if (!prefix_ok(&req->routes[i]))
			return ("bad route prefix");
		if (req->routes[i].af == AF_INET6 && !req->inet6)
			return ("inet6 route without inet6 on the tunnel");
	}
	return (NULL);
}

static const char *
validate_server(const struct netcfg_req *req)
{
	if (req->nat != NAT_NONE && req->nat != NAT_EGRESS &&
	    req->nat != NAT_IFACE)
		return ("bad nat");
	if (req->nat == NAT_IFACE && !ifname_ok(req->nat_if,
	    sizeof(req->nat_if)))
		return ("bad nat interface name");
	if (req->n_routes != 0)
		return ("routes are for clients");
	return (NULL);
}

static const char *
validate_client(const struct netcfg_req *req)
{
	if (req->default_route != 0 && req->default_route != 1)
		return ("bad default route flag");
	if (req->gateway_auto != 0 && req->gateway_auto != 1)
		return ("bad gateway flag");
	if (!req->gateway_auto && !host_ok(&req->gateway))
		return ("bad gateway address");
	if (!host_ok(&req->server))
		return ("bad server address");
	if (req->nat != NAT_NONE)
		return ("nat is for servers");
	return (validate_routes(req));
}

const char *
netcfg_req_validate(const struct netcfg_req *req)
{
	const char	*why;

	if ((why = validate_tunnel(req)) != NULL)
		return (why);
	if (req->role == ROLE_SERVER)
		return (validate_server(req));
	if (req->role == ROLE_CLIENT)
		return (validate_client(req));
	return ("bad role");
}

/*
 * For "dsvpnd -nv" without discovery: placeholders that render a
 * readable plan (no host route for a BSD client: its gateway is only
 * known at apply time).
 */
void
netcfg_facts_unknown(struct netcfg_facts *f)
{
	memset(f, 0, sizeof(*f));
	strlcpy(f->ext_if, "EGRESS", sizeof(f->ext_if));
	strlcpy(f->ip_forward, "OLD", sizeof(f->ip_forward));
	strlcpy(f->ip6_forward, "OLD", sizeof(f->ip6_forward));
	strlcpy(f->cc, "OLD", sizeof(f->cc));
	f->have_bbr = 1;
}

/* nftables unless iptables is asked for or nft(8) is not installed. */
enum netcfg_os
netcfg_req_os(const struct netcfg_req *req)
{
	enum netcfg_os	 os = netcfg_host_os();

	if (!plan_is_linux(os))
		return (os);
	if (req->firewall == FW_IPTABLES)
		return (NETCFG_OS_LINUX_IPTABLES);
	if (req->firewall == FW_AUTO && access(LINUX_PATH_NFT, X_OK) == -1)
		return (NETCFG_OS_LINUX_IPTABLES);
	return (NETCFG_OS_LINUX_NFT);
}
