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
	strlcpy(req->instance, conf->instance, sizeof(req->instance));
	req->instance_id = conf->instance_id;
	strlcpy(req->ifname, conf->ifname, sizeof(req->ifname));
	req->mtu = conf->mtu;
	req->have_addrs = 1;
	req->inet_local = conf->inet_local;
	req->inet_peer = conf->inet_peer;
	req->inet6 = conf->inet6 != 0;
	req->inet6_local = conf->inet6_local;
	req->inet6_peer = conf->inet6_peer;
	req->firewall = conf->firewall;
	req->dns_uid = NETCFG_NO_UID;
	if (conf->role == ROLE_CLIENT) {
		req->default_route = conf->default_route != 0;
		req->block_outside = conf->block_outside != 0;
		req->gateway_auto = conf->gateway_auto != 0;
		req->gateway = conf->gateway;
	}
	req->n_routes = conf->n_routes;
	if (req->n_routes > CONF_MAX_ROUTES)
		req->n_routes = CONF_MAX_ROUTES;
	for (i = 0; i < req->n_routes; i++)
		req->routes[i] = conf->routes[i];
	req->nat = conf->nat;
	strlcpy(req->nat_if, conf->nat_if, sizeof(req->nat_if));
	/* The parent fills in what it learns at run time: the servers'
	 * addresses, the resolver's uid, a unit it created, pools. */
}

/*
 * An interface name we are willing to put in an argv or a rule: what
 * the config grammar accepts (letters, digits, "_", "." and "-"), never
 * an option-like leading "-", never a quote, space or separator.
 */
int
netcfg_ifname_ok(const char *name, size_t size)
{
	size_t	 i, n;

	if ((n = strnlen(name, size)) == size || n == 0 || name[0] == '-')
		return (0);
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", name[i]) == NULL)
			return (0);
	return (1);
}

static int
flag_ok(int32_t f)
{
	return (f == 0 || f == 1);
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

/* A host address (full length), for gateways and servers. */
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

/* Is the address a (of pf's family) inside pf? */
static int
prefix_has(const struct conf_prefix *pf, const void *a)
{
	const uint8_t	*p, *x = a;
	unsigned int	 i;

	p = pf->af == AF_INET ? (const uint8_t *)&pf->addr.v4 :
	    pf->addr.v6.s6_addr;
	for (i = 0; i < pf->plen; i++)
		if ((p[i / 8] ^ x[i / 8]) & (0x80 >> (i % 8)))
			return (0);
	return (1);
}

static int
zero(const void *p, size_t n)
{
	const uint8_t	*b = p;

	while (n-- > 0)
		if (*b++ != 0)
			return (0);
	return (1);
}

static const char *
validate_instance(const struct netcfg_req *req)
{
	if (memchr(req->instance, '\0', sizeof(req->instance)) == NULL ||
	    !instance_name_ok(req->instance))
		return ("bad instance name");
	if (req->instance_id > INSTANCE_ID_MAX)
		return ("bad instance id");
	return (NULL);
}

static const char *
validate_addrs(const struct netcfg_req *req)
{
	if (!req->have_addrs) {
		/* Nothing half-known: the addresses come all at once. */
		if (!zero(&req->inet_local, sizeof(req->inet_local)) ||
		    !zero(&req->inet_peer, sizeof(req->inet_peer)) ||
		    !zero(&req->inet6_local, sizeof(req->inet6_local)) ||
		    !zero(&req->inet6_peer, sizeof(req->inet6_peer)))
			return ("addresses given with have_addrs 0");
		return (NULL);
	}
	if (!in_ok(&req->inet_local) || !in_ok(&req->inet_peer) ||
	    req->inet_local.s_addr == req->inet_peer.s_addr)
		return ("bad tunnel inet addresses");
	if (req->inet6 && (!in6_ok(&req->inet6_local) ||
	    !in6_ok(&req->inet6_peer) ||
	    IN6_ARE_ADDR_EQUAL(&req->inet6_local, &req->inet6_peer)))
		return ("bad tunnel inet6 addresses");
	return (NULL);
}

static const char *
validate_tunnel(const struct netcfg_req *req)
{
	const char	*why;

	if ((why = validate_instance(req)) != NULL)
		return (why);
	if (!netcfg_ifname_ok(req->ifname, sizeof(req->ifname)))
		return ("bad interface name");
	if (req->mtu < 576 || req->mtu > 65535)
		return ("bad mtu");
	if (!flag_ok(req->inet6) || !flag_ok(req->have_addrs) ||
	    !flag_ok(req->tun_created))
		return ("bad flag");
	if (req->inet6 && req->mtu < 1280)
		return ("mtu below 1280 with inet6");
	if ((why = validate_addrs(req)) != NULL)
		return (why);
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

/* A pool: none (all zero), or a prefix holding our own address. */
static const char *
validate_pool(const struct conf_prefix *pool, int af, const void *local,
    int enabled)
{
	if (pool->af == 0)
		return (zero(pool, sizeof(*pool)) ? NULL : "bad pool");
	if (pool->af != af || !prefix_ok(pool) || !enabled)
		return ("bad pool");
	if (af == AF_INET && (pool->plen < 8 || pool->plen > 30))
		return ("inet pool length out of range (8 to 30)");
	if (af == AF_INET6 && (pool->plen < 64 || pool->plen > 126))
		return ("inet6 pool length out of range (64 to 126)");
	if (!prefix_has(pool, local))
		return ("the pool does not hold the tunnel's own address");
	return (NULL);
}

static const char *
validate_server(const struct netcfg_req *req)
{
	const char	*why;
	uint32_t	 i;

	if (!req->have_addrs)
		return ("a server has its addresses");
	if (req->nat != NAT_NONE && req->nat != NAT_EGRESS &&
	    req->nat != NAT_IFACE)
		return ("bad nat");
	if (req->nat == NAT_IFACE && !netcfg_ifname_ok(req->nat_if,
	    sizeof(req->nat_if)))
		return ("bad nat interface name");
	if (req->n_routes != 0 || req->n_servers != 0 ||
	    req->default_route != 0 || req->block_outside != 0 ||
	    req->dns_uid != NETCFG_NO_UID || req->gateway_auto != 0 ||
	    !zero(&req->gateway, sizeof(req->gateway)))
		return ("client settings on a server");
	if ((why = validate_pool(&req->pool4, AF_INET, &req->inet_local,
	    1)) != NULL ||
	    (why = validate_pool(&req->pool6, AF_INET6, &req->inet6_local,
	    req->inet6)) != NULL)
		return (why);
	if (req->n_client_nets > NETCFG_MAX_CLIENT_NETS)
		return ("too many client networks");
	for (i = 0; i < req->n_client_nets; i++) {
		if (!prefix_ok(&req->client_nets[i]) ||
		    req->client_nets[i].plen == 0)
			return ("bad client network");
		if (req->client_nets[i].af == AF_INET6 && !req->inet6)
			return ("inet6 client network without inet6");
	}
	return (NULL);
}

static const char *
validate_client(const struct netcfg_req *req)
{
	uint32_t	 i;

	if (!flag_ok(req->default_route) || !flag_ok(req->block_outside) ||
	    !flag_ok(req->gateway_auto))
		return ("bad flag");
	if (!req->gateway_auto && !host_ok(&req->gateway))
		return ("bad gateway address");
	if (req->dns_uid != NETCFG_NO_UID && req->dns_uid <= 0)
		return ("bad resolver uid");
	if (req->n_servers > NETCFG_MAX_SERVERS)
		return ("too many server addresses");
	for (i = 0; i < req->n_servers; i++)
		if (!host_ok(&req->servers[i]))
			return ("bad server address");
	if (req->nat != NAT_NONE || req->nat_if[0] != '\0' ||
	    req->pool4.af != 0 || req->pool6.af != 0 ||
	    req->n_client_nets != 0)
		return ("server settings on a client");
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

/* A sysctl value as we would write it back: a short plain word. */
static int
sysctl_ok(const char *v, size_t size)
{
	size_t	 n;

	if ((n = strnlen(v, size)) == size)
		return (0);
	return (strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n &&
	    (n == 0 || v[0] != '-'));
}

/*
 * Facts from discovery or from the state file: every string is
 * terminated and of the charset its consumers expect, every address a
 * host address, every flag 0 or 1.
 */
const char *
netcfg_facts_validate(const struct netcfg_facts *f)
{
	if (f->ext_if[0] != '\0' && !netcfg_ifname_ok(f->ext_if,
	    sizeof(f->ext_if)))
		return ("bad external interface name");
	if (!flag_ok(f->have_gw4) || !flag_ok(f->have_gw6) ||
	    !flag_ok(f->have_bbr) || !flag_ok(f->ifdisabled))
		return ("bad flag in the facts");
	if (f->have_gw4 && (f->gw4.af != AF_INET || !host_ok(&f->gw4)))
		return ("bad IPv4 gateway");
	if (f->have_gw6 && (f->gw6.af != AF_INET6 || !host_ok(&f->gw6)))
		return ("bad IPv6 gateway");
	if (f->gw6_scope[0] != '\0' && (!f->have_gw6 ||
	    !IN6_IS_ADDR_LINKLOCAL(&f->gw6.addr.v6) ||
	    !netcfg_ifname_ok(f->gw6_scope, sizeof(f->gw6_scope))))
		return ("bad IPv6 gateway scope");
	if (!sysctl_ok(f->ip_forward, sizeof(f->ip_forward)) ||
	    !sysctl_ok(f->ip6_forward, sizeof(f->ip6_forward)) ||
	    !sysctl_ok(f->cc, sizeof(f->cc)))
		return ("bad sysctl value");
	return (NULL);
}

/*
 * For "dsvpnd -nvv" where discovery cannot run: placeholders that
 * render a readable plan.
 */
void
netcfg_facts_unknown(struct netcfg_facts *f)
{
	memset(f, 0, sizeof(*f));
	strlcpy(f->ext_if, "EGRESS", sizeof(f->ext_if));
	/* An old gateway too, so the BSD host routes show. */
	f->have_gw4 = 1;
	f->gw4.af = AF_INET;
	f->gw4.plen = 32;
	inet_pton(AF_INET, "192.0.2.254", &f->gw4.addr.v4);
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

/*
 * The BSDs and macOS keep the transport out of the tunnel with host
 * routes to the servers through the old gateway: their client plans
 * need the addresses before anything is routed into the tunnel.
 */
int
netcfg_needs_servers(enum netcfg_os os, const struct netcfg_req *req)
{
	return (!plan_is_linux(os) && req->role == ROLE_CLIENT &&
	    (req->default_route || req->block_outside));
}

/* The servers' resolved addresses into the request, up to its bound. */
void
netcfg_req_set_servers(struct netcfg_req *req,
    const struct sockaddr_storage *ss, int n)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	struct conf_prefix		*p;
	int				 i;

	req->n_servers = 0;
	memset(req->servers, 0, sizeof(req->servers));
	for (i = 0; i < n && req->n_servers < NETCFG_MAX_SERVERS; i++) {
		p = &req->servers[req->n_servers];
		if (ss[i].ss_family == AF_INET) {
			sin = (const struct sockaddr_in *)&ss[i];
			p->af = AF_INET;
			p->plen = 32;
			p->addr.v4 = sin->sin_addr;
		} else if (ss[i].ss_family == AF_INET6) {
			sin6 = (const struct sockaddr_in6 *)&ss[i];
			p->af = AF_INET6;
			p->plen = 128;
			p->addr.v6 = sin6->sin6_addr;
		} else
			continue;
		req->n_servers++;
	}
}
