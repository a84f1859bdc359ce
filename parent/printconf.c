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
 * Prints a parsed configuration in canonical form, every setting
 * explicit (defaults too), so dsvpnd -nv shows what is in effect.  The
 * output parses again to the same output.
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

/* A quoted string, escaped as the lexer reads it back. */
static void
print_quoted(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

/*
 * Interface and host names print bare where they cannot be mistaken for
 * a keyword or a number: with a letter and a digit, or a dot or colon.
 */
static void
print_name(const char *s)
{
	int	 alpha = 0, digit = 0;
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++) {
		if (isalpha((unsigned char)s[i]))
			alpha = 1;
		else if (isdigit((unsigned char)s[i]))
			digit = 1;
	}
	if ((alpha && digit) || strpbrk(s, ".:") != NULL)
		fputs(s, stdout);
	else
		print_quoted(s);
}

static const char *
addr_str(int af, const void *addr, char *buf, size_t len)
{
	if (inet_ntop(af, addr, buf, len) == NULL)
		strlcpy(buf, "?", len);
	return buf;
}

static void
print_prefix(const char *keyword, const struct conf_prefix *p, int plen)
{
	char	 buf[INET6_ADDRSTRLEN];

	printf("%s %s", keyword, addr_str(p->af, &p->addr, buf, sizeof(buf)));
	if (plen)
		printf("/%u", p->plen);
	putchar('\n');
}

static void	 print_prefix(const char *, const struct conf_prefix *, int);

static const char *
transport_name(uint8_t t)
{
	return t == CONF_T_UDP ? "udp" : "tcp";
}

/* TCP alone is the default, printed as nothing. */
static void
print_listen_transports(uint8_t set)
{
	if (set == CONF_T_TCP)
		return;
	printf(" transport");
	if (set & CONF_T_TCP)
		printf(" tcp");
	if (set & CONF_T_UDP)
		printf(" udp");
}

static void
print_server_transports(const struct conf_server *sv)
{
	unsigned int	 i;

	if (sv->n_transports == 1 && sv->transports[0] == CONF_T_TCP)
		return;
	printf(" transport");
	for (i = 0; i < sv->n_transports; i++)
		printf(" %s", transport_name(sv->transports[i]));
}

static void
print_endpoint(const struct conf *c)
{
	unsigned int	 i;

	if (c->role == ROLE_SERVER) {
		for (i = 0; i < c->n_listen; i++) {
			printf("listen on %s port %s%s", c->listen[i].host,
			    c->listen[i].port, c->listen[i].protocol ==
			    CONF_PROTO_DSVPN ? " protocol dsvpn" : "");
			print_listen_transports(c->listen[i].transports);
			putchar('\n');
		}
	} else if (c->role == ROLE_CLIENT) {
		for (i = 0; i < c->n_servers; i++) {
			printf("connect to ");
			print_name(c->servers[i].host);
			printf(" port %s", c->servers[i].port);
			print_server_transports(&c->servers[i]);
			putchar('\n');
		}
		if (c->protocol == CONF_PROTO_DSVPN)
			printf("protocol dsvpn\n");
	}
}

static void
print_tunnel(const struct conf *c)
{
	char		 l[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN];
	/* On a client, what its file leaves unsaid a push may set: shown
	 * as a comment, so the printed file leaves it unsaid too. */
	int		 cl = c->role == ROLE_CLIENT;
	const char	*i4 = cl && !(c->explicit & CONF_SET_INET) ? "# " : "";
	const char	*i6 = cl && !(c->explicit & CONF_SET_INET6) ? "# " : "";

	printf("tunnel ");
	if (c->ifname[0] != '\0')
		print_name(c->ifname);
	else
		printf("auto");
	if (cl && !(c->explicit & CONF_SET_MTU))
		printf(" {\t# mtu %d unless pushed\n", c->mtu);
	else
		printf(" mtu %d {\n", c->mtu);
	printf("\t%sinet %s peer %s\n", i4,
	    addr_str(AF_INET, &c->inet_local, l, sizeof(l)),
	    addr_str(AF_INET, &c->inet_peer, p, sizeof(p)));
	if (c->inet6)
		printf("\t%sinet6 %s peer %s\n", i6,
		    addr_str(AF_INET6, &c->inet6_local, l, sizeof(l)),
		    addr_str(AF_INET6, &c->inet6_peer, p, sizeof(p)));
	else
		printf("\t%sno inet6\n", i6);
	printf("}\n");
}

static void
print_routing(const struct conf *c)
{
	static const char	*fw[] = { "auto", "nftables", "iptables" };
	unsigned int		 i;

	if (c->role == ROLE_CLIENT) {
		printf("%s%sdefault route\n", c->explicit & CONF_SET_ROUTES ?
		    "" : "# ", c->default_route ? "" : "no ");
		/* Unsaid, it follows the default route, pushed or not. */
		printf("%s%sblock outside\n", c->explicit & CONF_SET_BLOCK ?
		    "" : "# ", c->block_outside ? "" : "no ");
		if (c->gateway_auto)
			printf("gateway auto\n");
		else
			print_prefix("gateway", &c->gateway, 0);
	}
	for (i = 0; i < c->n_routes; i++)
		print_prefix("route", &c->routes[i], 1);
	if (c->nat == NAT_EGRESS)
		printf("nat on egress\n");
	else if (c->nat == NAT_IFACE) {
		printf("nat on ");
		print_name(c->nat_if);
		putchar('\n');
	} else
		printf("no nat\n");
	if ((size_t)c->firewall < nitems(fw))
		printf("firewall %s\n", fw[c->firewall]);
	if (c->role == ROLE_CLIENT)
		for (i = 0; i < c->n_dns; i++)
			print_prefix("dns", &c->dns[i], 0);
}

/* What a server tells its clients after the handshake. */
static void
print_push(const struct conf *c)
{
	unsigned int	 i;

	printf("push %sdefault route\n", c->push_default_route ? "" : "no ");
	for (i = 0; i < c->n_push_routes; i++)
		print_prefix("push route", &c->push_routes[i], 1);
	for (i = 0; i < c->n_dns; i++)
		print_prefix("push dns", &c->dns[i], 0);
}

/*
 * A client takes from the server what its own file leaves unsaid: the
 * comment says which of its settings stand and which a push may set.
 */
static void
print_client_explicit(const struct conf *c)
{
	static const struct {
		unsigned int	 bit;
		const char	*name;
	} set[] = {
		{ CONF_SET_INET, "inet" },
		{ CONF_SET_INET6, "inet6" },
		{ CONF_SET_ROUTES, "routes" },
		{ CONF_SET_MTU, "mtu" },
		{ CONF_SET_DNS, "dns" },
	};
	size_t	 i;
	int	 n;

	/* DSVPN's protocol pushes nothing: the file and its defaults. */
	if (c->protocol == CONF_PROTO_DSVPN) {
		printf("# protocol dsvpn: nothing is pushed, these settings "
		    "stand as they are\n");
		return;
	}
	printf("# kept over what the server pushes:");
	for (i = 0, n = 0; i < nitems(set); i++)
		if (c->explicit & set[i].bit)
			printf("%s %s", n++ ? "," : "", set[i].name);
	printf("%s\n# taken from the server's push when it sends them:",
	    n ? "" : " none");
	for (i = 0, n = 0; i < nitems(set); i++)
		if (!(c->explicit & set[i].bit))
			printf("%s %s", n++ ? "," : "", set[i].name);
	printf("%s\n", n ? "" : " none");
}

static void
print_server_clients(const struct conf *c, const struct conf_clients *cl)
{
	char		 a[INET6_ADDRSTRLEN];
	size_t		 i;
	unsigned int	 j;

	if (c->pool4.af != 0)
		print_prefix("pool", &c->pool4, 1);
	if (c->pool6.af != 0)
		print_prefix("pool", &c->pool6, 1);
	printf("%sclient-to-client\n", c->client_to_client ? "" : "no ");
	printf("leases ");
	print_quoted(c->leasefile);
	putchar('\n');
	for (i = 0; cl != NULL && i < cl->n; i++) {
		const struct conf_client *k = &cl->v[i];

		printf("client ");
		print_quoted(k->name);
		printf(" {\n\tkey ");
		print_quoted(k->keyfile != NULL ? k->keyfile : "");
		putchar('\n');
		if (k->fixed4)
			printf("\tinet %s\n", addr_str(AF_INET, &k->inet, a,
			    sizeof(a)));
		else if (k->has4)
			printf("\t# inet %s from the pool\n",
			    addr_str(AF_INET, &k->inet, a, sizeof(a)));
		if (k->fixed6)
			printf("\tinet6 %s\n", addr_str(AF_INET6, &k->inet6,
			    a, sizeof(a)));
		else if (k->has6)
			printf("\t# inet6 %s from the pool\n",
			    addr_str(AF_INET6, &k->inet6, a, sizeof(a)));
		for (j = 0; j < k->n_routes; j++) {
			putchar('\t');
			print_prefix("route", &k->routes[j], 1);
		}
		if (k->protocol == CONF_PROTO_DSVPN)
			printf("\tprotocol dsvpn\n");
		printf("}\n");
	}
}

/* Byte counts in the largest binary unit that divides them exactly. */
static void
print_bytes(const char *keyword, uint64_t n)
{
	static const char	 units[] = "GMK";
	int			 i, shift;

	for (i = 0, shift = 30; i < 3; i++, shift -= 10)
		if (n >= (1ULL << shift) && n % (1ULL << shift) == 0) {
			printf("%s %llu%c\n", keyword,
			    (unsigned long long)(n >> shift), units[i]);
			return;
		}
	printf("%s %llu\n", keyword, (unsigned long long)n);
}

static void
print_timers(const struct conf *c)
{
	printf("keepalive %u\n", c->keepalive);
	printf("dead-peer timeout %u\n", c->dead_timeout);
	printf("rekey every %u\n", c->rekey_interval);
	print_bytes("rekey after", c->rekey_bytes);
	printf("clock window %u\n", c->clock_window);
	if (c->role == ROLE_CLIENT)
		printf("reconnect backoff max %u\n", c->backoff_max);
}

static void
print_privsep(const struct conf *c)
{
	printf("instance ");
	print_quoted(c->instance);
	printf(" id %u\n", c->instance_id);
	printf("user ");
	print_quoted(c->user);
	printf("\nchroot ");
	print_quoted(c->chroot);
	printf("\ncontrol socket ");
	print_quoted(c->control_socket);
	putchar('\n');
}

void
print_config(const struct conf *c)
{
	print_config_clients(c, NULL);
}

void
print_config_clients(const struct conf *c, const struct conf_clients *cl)
{
	if (c->n_clients == 0) {
		printf("key ");
		print_quoted(c->keyfile);
		putchar('\n');
	}
	print_endpoint(c);
	print_tunnel(c);
	print_routing(c);
	if (c->role == ROLE_SERVER && (c->n_clients > 0 ||
	    !c->push_default_route || c->n_push_routes > 0 || c->n_dns > 0))
		print_push(c);
	if (c->role == ROLE_CLIENT)
		print_client_explicit(c);
	print_timers(c);
	print_privsep(c);
	if (c->role == ROLE_SERVER && c->n_clients > 0)
		print_server_clients(c, cl);
}
