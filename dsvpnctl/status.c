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
 * dsvpnctl status: the daemon's status_info and netcfg's list of
 * applied changes, as aligned "key: value" lines or as JSON with the
 * same figures (times as Unix seconds, null where there is nothing).
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "dsvpnctl.h"
#include "json.h"

#define KEY_WIDTH	17

static const char *drop_names[DROP_MAX] = {
	[DROP_AUTH] = "auth",
	[DROP_PROTOCOL] = "protocol",
	[DROP_HANDSHAKE] = "handshake",
	[DROP_REPLAY] = "replay",
	[DROP_TIMEOUT] = "timeout",
	[DROP_PENDING_FULL] = "pending_full",
	[DROP_NO_SESSION] = "no_session",
	[DROP_QUEUE_FULL] = "queue_full",
	[DROP_TUN_WRITE] = "tun_write",
	[DROP_BAD_PACKET] = "bad_packet",
	[DROP_BAD_VNET] = "bad_vnet",
	[DROP_SPOOFED] = "spoofed",
	[DROP_NO_PEER] = "no_peer",
	[DROP_C2C] = "client_to_client",
	[DROP_TOO_BIG] = "too_big",
};

static const char *cause_names[CAUSE_MAX] = {
	[CAUSE_NONE] = "none",
	[CAUSE_RESOLVE] = "name_not_found",
	[CAUSE_CONN_REFUSED] = "connection_refused",
	[CAUSE_NO_ANSWER] = "no_answer",
	[CAUSE_AUTH] = "refused_by_server",
	[CAUSE_REPLACED] = "replaced",
	[CAUSE_KICKED] = "kicked",
	[CAUSE_REMOVED] = "removed",
	[CAUSE_RELOAD] = "reconfigured",
	[CAUSE_SHUTDOWN] = "shutdown",
	[CAUSE_LOST] = "lost",
};

static const char *
cause_name(int c)
{
	return c >= 0 && c < CAUSE_MAX && cause_names[c] != NULL ?
	    cause_names[c] : "unknown";
}

static const char *
drop_name(int i, char *buf, size_t len)
{
	if (drop_names[i] != NULL)
		return drop_names[i];
	snprintf(buf, len, "reason%d", i);
	return buf;
}

static const char *
role_name(int role)
{
	switch (role) {
	case ROLE_SERVER:
		return "server";
	case ROLE_CLIENT:
		return "client";
	}
	return "unknown";
}

static const char *
state_name(int state)
{
	switch (state) {
	case STATE_IDLE:
		return "idle";
	case STATE_CONNECTING:
		return "connecting";
	case STATE_HANDSHAKING:
		return "handshaking";
	case STATE_UP:
		return "up";
	}
	return "unknown";
}

/* "198.18.0.1 443" into host and port; port is NULL if absent. */
static void
split_endpoint(const char *ep, char *host, size_t len, const char **port)
{
	const char	*sp;

	strlcpy(host, ep, len);
	*port = NULL;
	if ((sp = strrchr(ep, ' ')) != NULL && (size_t)(sp - ep) < len) {
		host[sp - ep] = '\0';
		*port = sp + 1;
	}
}

static void
kv(FILE *fp, const char *key, const char *fmt, ...)
    __attribute__((__format__ (printf, 3, 4)));

static void
kv(FILE *fp, const char *key, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(fp, "%s:%*s", key, (int)(KEY_WIDTH - strlen(key) - 1), "");
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
}

static void
fmt_duration(int64_t secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 86400)
		snprintf(buf, len, "%lldd%02lldh%02lldm",
		    (long long)secs / 86400, (long long)secs % 86400 / 3600,
		    (long long)secs % 3600 / 60);
	else if (secs >= 3600)
		snprintf(buf, len, "%lldh%02lldm%02llds",
		    (long long)secs / 3600, (long long)secs % 3600 / 60,
		    (long long)secs % 60);
	else if (secs >= 60)
		snprintf(buf, len, "%lldm%02llds", (long long)secs / 60,
		    (long long)secs % 60);
	else
		snprintf(buf, len, "%llds", (long long)secs);
}

/* "2026-11-23 04:20:00 UTC (5m02s ago)", or "never" for 0. */
static void
fmt_time(int64_t when, time_t now, char *buf, size_t len)
{
	char		 dur[32];
	struct tm	*tm;
	time_t		 t = (time_t)when;
	size_t		 n;

	if (when <= 0 || (tm = localtime(&t)) == NULL) {
		strlcpy(buf, "never", len);
		return;
	}
	n = strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", tm);
	fmt_duration(now - when, dur, sizeof(dur));
	snprintf(buf + n, len - n, " (%s ago)", dur);
}

static void
fmt_bytes(uint64_t n, char *buf, size_t len)
{
	const char	*units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double		 v = n;
	int		 u = -1;

	while (v >= 1024 && u + 1 < (int)nitems(units)) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
	else
		snprintf(buf, len, "%llu bytes (%.1f %s)",
		    (unsigned long long)n, v, units[u]);
}

static void
print_addrs_from(FILE *fp, const char *key, const char *local,
    const char *peer, const char *from)
{
	if (local[0] == '\0')
		kv(fp, key, "none%s", from);
	else
		kv(fp, key, "%s -> %s%s", local, peer[0] ? peer : "?", from);
}

static void
print_addrs(FILE *fp, const char *key, const char *local, const char *peer)
{
	print_addrs_from(fp, key, local, peer, "");
}

static void
print_drops(FILE *fp, const struct tunnel_stats *ts)
{
	char	 line[512], name[32], item[64];
	int	 i;

	line[0] = '\0';
	for (i = 0; i < DROP_MAX; i++) {
		if (ts->drops[i] == 0)
			continue;
		snprintf(item, sizeof(item), "%s%s %llu",
		    line[0] ? ", " : "", drop_name(i, name, sizeof(name)),
		    (unsigned long long)ts->drops[i]);
		strlcat(line, item, sizeof(line));
	}
	kv(fp, "drops", "%s", line[0] ? line : "none");
}

static void
print_traffic(FILE *fp, const struct tunnel_stats *ts)
{
	char	 b[64];

	fmt_bytes(ts->bytes_in, b, sizeof(b));
	kv(fp, "received", "%s, %llu packets", b,
	    (unsigned long long)ts->packets_in);
	fmt_bytes(ts->bytes_out, b, sizeof(b));
	kv(fp, "sent", "%s, %llu packets", b,
	    (unsigned long long)ts->packets_out);
}

static void
print_netcfg(FILE *fp, const char *netcfg)
{
	const char	*p, *nl;

	if (netcfg[0] == '\0') {
		kv(fp, "network changes", "none");
		return;
	}
	fprintf(fp, "network changes:\n");
	for (p = netcfg; *p != '\0'; p = nl + (*nl != '\0')) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (nl > p)
			fprintf(fp, "  %.*s\n", (int)(nl - p), p);
	}
}

static const char *
transport_name(int t)
{
	switch (t) {
	case CONF_T_TCP:
		return "tcp";
	case CONF_T_UDP:
		return "udp";
	}
	return "none";
}

/* A client's transport, and over UDP the path MTU it probed. */
static void
print_transport(FILE *fp, const struct status_info *si)
{
	if (si->state != STATE_UP)
		kv(fp, "transport", "none");
	else if (si->transport == CONF_T_UDP && si->path_mtu > 0)
		kv(fp, "transport", "udp, path mtu %d", si->path_mtu);
	else
		kv(fp, "transport", "%s", transport_name(si->transport));
	kv(fp, "tun mtu", "%d", si->tun_mtu);
}

static void	 peer_prefix(const struct conf_prefix *, char *, size_t);

/* A route of a family we can print; others are skipped, as DNS are. */
static int
route_af_ok(const struct conf_prefix *p)
{
	return p->af == AF_INET || p->af == AF_INET6;
}

/* Which of a client's settings came from its server (CONF_SET_*). */
static const struct {
	unsigned int	 bit;
	const char	*name;
} pushed_names[] = {
	{ CONF_SET_INET, "inet" },
	{ CONF_SET_INET6, "inet6" },
	{ CONF_SET_ROUTES, "routes" },
	{ CONF_SET_MTU, "mtu" },
	{ CONF_SET_DNS, "dns" },
};

static const char *
pushed_tag(const struct status_info *si, unsigned int bit)
{
	return (si->pushed & bit) ? " (pushed)" : "";
}

static void
print_dns(FILE *fp, const struct status_info *si)
{
	char		 a[INET6_ADDRSTRLEN], line[256] = "";
	unsigned int	 i;

	for (i = 0; i < si->n_dns && i < CONF_MAX_DNS; i++) {
		if (inet_ntop(si->dns[i].af, &si->dns[i].addr, a,
		    sizeof(a)) == NULL)
			continue;
		if (line[0] != '\0')
			strlcat(line, " ", sizeof(line));
		strlcat(line, a, sizeof(line));
	}
	/* Carried and shown; applying them is for a later version. */
	if (line[0] != '\0')
		kv(fp, "dns", "%s (%snot applied)", line,
		    (si->pushed & CONF_SET_DNS) ? "pushed, " : "");
}

/* A client's routes in use: the default route or the prefixes. */
static void
print_routes(FILE *fp, const struct status_info *si)
{
	char		 line[1024] = "", pf[INET6_ADDRSTRLEN + 8];
	unsigned int	 i;

	if (si->default_route)
		strlcpy(line, "default", sizeof(line));
	for (i = 0; i < si->n_routes && i < CONF_MAX_ROUTES; i++) {
		if (!route_af_ok(&si->routes[i]))
			continue;
		peer_prefix(&si->routes[i], pf, sizeof(pf));
		if (line[0] != '\0')
			strlcat(line, " ", sizeof(line));
		strlcat(line, pf, sizeof(line));
	}
	kv(fp, "routes", "%s%s%s", line[0] ? line : "none",
	    si->block_outside ? ", sealed" : "",
	    pushed_tag(si, CONF_SET_ROUTES));
}

static void
print_client(FILE *fp, const struct status_info *si)
{
	if (!si->have_addrs) {
		kv(fp, "inet", "none (waiting for the server's)");
		kv(fp, "inet6", "none (waiting for the server's)");
	} else {
		print_addrs_from(fp, "inet", si->inet_local, si->inet_peer,
		    pushed_tag(si, CONF_SET_INET));
		print_addrs_from(fp, "inet6", si->inet6_local,
		    si->inet6_peer, pushed_tag(si, CONF_SET_INET6));
	}
	kv(fp, "mtu", "%d%s", si->mtu, pushed_tag(si, CONF_SET_MTU));
	print_routes(fp, si);
}

void
status_print(FILE *fp, const struct status_info *si, const char *netcfg,
    time_t now)
{
	char		 t[128], host[MSG_ENDPOINT_MAX];
	const char	*port;

	kv(fp, "role", "%s", role_name(si->role));
	fmt_time(si->state_since, now, t, sizeof(t));
	if (si->state_since > 0)
		kv(fp, "state", "%s since %s", state_name(si->state), t);
	else
		kv(fp, "state", "%s", state_name(si->state));
	split_endpoint(si->peer, host, sizeof(host), &port);
	if (host[0] == '\0')
		kv(fp, "peer", "none");
	else if (port == NULL)
		kv(fp, "peer", "%s", host);
	else
		kv(fp, "peer", strchr(host, ':') ? "[%s]:%s" : "%s:%s",
		    host, port);
	if (si->why[0] != '\0' && si->state != STATE_UP)
		kv(fp, "not up", "%s", si->why);
	if (si->role == ROLE_SERVER)
		kv(fp, "clients", "%u configured, %u up", si->n_clients,
		    si->n_up);
	if (si->role == ROLE_CLIENT)
		print_transport(fp, si);
	kv(fp, "interface", "%s", si->ifname[0] ? si->ifname : "none");
	if (si->role == ROLE_CLIENT) {
		print_client(fp, si);
		kv(fp, "protocol", "%s", si->protocol[0] ? si->protocol :
		    "none");
	} else {
		print_addrs(fp, "inet", si->inet_local, si->inet_peer);
		print_addrs(fp, "inet6", si->inet6_local, si->inet6_peer);
	}
	kv(fp, "cipher", "%s", si->cipher[0] ? si->cipher : "none");
	print_dns(fp, si);
	fmt_time(si->stats.last_handshake, now, t, sizeof(t));
	kv(fp, "last handshake", "%s", t);
	fmt_time(si->stats.last_rekey, now, t, sizeof(t));
	kv(fp, "last rekey", "%s", t);
	print_traffic(fp, &si->stats);
	kv(fp, "handshakes", "%llu", (unsigned long long)si->stats.handshakes);
	kv(fp, "rekeys", "%llu", (unsigned long long)si->stats.rekeys);
	kv(fp, "sessions", "%llu", (unsigned long long)si->stats.sessions);
	kv(fp, "reconnects", "%llu", (unsigned long long)si->stats.reconnects);
	kv(fp, "roamed", "%llu", (unsigned long long)si->stats.roamed);
	if (si->role != ROLE_CLIENT)
		kv(fp, "cookie replies", "%llu",
		    (unsigned long long)si->stats.cookies);
	print_drops(fp, &si->stats);
	kv(fp, "sandbox", "%s", si->sandbox[0] ? si->sandbox : "unknown");
	fmt_time(si->started, now, t, sizeof(t));
	kv(fp, "started", "%s", t);
	print_netcfg(fp, netcfg);
}

static void
json_time(struct json *j, const char *key, int64_t when)
{
	if (when <= 0)
		json_null(j, key);
	else
		json_int(j, key, when);
}

static void
json_text(struct json *j, const char *key, const char *s)
{
	json_string(j, key, s[0] != '\0' ? s : NULL);
}

static void
json_pair(struct json *j, const char *key, const char *local,
    const char *peer)
{
	if (local[0] == '\0') {
		json_null(j, key);
		return;
	}
	json_begin_object(j, key);
	json_text(j, "local", local);
	json_text(j, "peer", peer);
	json_end_object(j);
}

static void
json_peer(struct json *j, const char *ep)
{
	char		 host[MSG_ENDPOINT_MAX];
	const char	*port, *errstr;
	long long	 n;

	split_endpoint(ep, host, sizeof(host), &port);
	if (host[0] == '\0') {
		json_null(j, "peer");
		return;
	}
	json_begin_object(j, "peer");
	json_string(j, "address", host);
	n = port ? strtonum(port, 0, 65535, &errstr) : 0;
	if (port == NULL || errstr != NULL)
		json_string(j, "port", port);
	else
		json_int(j, "port", n);
	json_end_object(j);
}

/* The counters, named as in struct tunnel_stats. */
static void
json_stats(struct json *j, const struct tunnel_stats *ts)
{
	char	 name[32];
	int	 i;

	json_begin_object(j, "stats");
	json_uint(j, "bytes_in", ts->bytes_in);
	json_uint(j, "bytes_out", ts->bytes_out);
	json_uint(j, "packets_in", ts->packets_in);
	json_uint(j, "packets_out", ts->packets_out);
	json_uint(j, "handshakes", ts->handshakes);
	json_uint(j, "rekeys", ts->rekeys);
	json_uint(j, "sessions", ts->sessions);
	json_uint(j, "reconnects", ts->reconnects);
	json_uint(j, "roamed", ts->roamed);
	json_uint(j, "cookie_replies", ts->cookies);
	json_time(j, "last_handshake", ts->last_handshake);
	json_time(j, "last_rekey", ts->last_rekey);
	json_begin_object(j, "drops");
	for (i = 0; i < DROP_MAX; i++)
		json_uint(j, drop_name(i, name, sizeof(name)), ts->drops[i]);
	json_end_object(j);
	json_end_object(j);
}

static void
json_netcfg(struct json *j, const char *netcfg)
{
	char		 line[MSG_MAX_PAYLOAD];
	const char	*p, *nl;
	size_t		 n;

	json_begin_array(j, "network_changes");
	for (p = netcfg; *p != '\0'; p = nl + (*nl != '\0')) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if ((n = nl - p) == 0)
			continue;
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		json_string(j, NULL, line);
	}
	json_end_array(j);
}

static void
json_client(struct json *j, const struct status_info *si)
{
	char		 pf[INET6_ADDRSTRLEN + 8];
	unsigned int	 i;

	json_bool(j, "have_addrs", si->have_addrs);
	json_int(j, "mtu", si->mtu);
	json_bool(j, "default_route", si->default_route);
	json_bool(j, "block_outside", si->block_outside);
	json_begin_array(j, "routes");
	for (i = 0; i < si->n_routes && i < CONF_MAX_ROUTES; i++)
		if (route_af_ok(&si->routes[i])) {
			peer_prefix(&si->routes[i], pf, sizeof(pf));
			json_string(j, NULL, pf);
		}
	json_end_array(j);
	json_begin_array(j, "pushed");
	for (i = 0; i < nitems(pushed_names); i++)
		if (si->pushed & pushed_names[i].bit)
			json_string(j, NULL, pushed_names[i].name);
	json_end_array(j);
}

void
status_json_fields(struct json *jp, const struct status_info *si,
    const char *netcfg)
{
	struct json	 j = *jp;
	char		 a[INET6_ADDRSTRLEN];
	unsigned int	 i;

	json_string(&j, "role", role_name(si->role));
	if (si->state != STATE_UP && si->cause != CAUSE_NONE) {
		json_string(&j, "cause", cause_name(si->cause));
		json_text(&j, "why", si->why);
	}
	if (si->role == ROLE_SERVER) {
		json_uint(&j, "clients_configured", si->n_clients);
		json_uint(&j, "clients_up", si->n_up);
	}
	json_begin_array(&j, "dns");
	for (i = 0; i < si->n_dns && i < CONF_MAX_DNS; i++)
		if (inet_ntop(si->dns[i].af, &si->dns[i].addr, a,
		    sizeof(a)) != NULL)
			json_string(&j, NULL, a);
	json_end_array(&j);
	json_string(&j, "state", state_name(si->state));
	json_time(&j, "state_since", si->state_since);
	json_time(&j, "started", si->started);
	json_peer(&j, si->peer);
	json_text(&j, "interface", si->ifname);
	json_pair(&j, "inet", si->inet_local, si->inet_peer);
	json_pair(&j, "inet6", si->inet6_local, si->inet6_peer);
	if (si->role == ROLE_CLIENT)
		json_client(&j, si);
	json_text(&j, "protocol", si->protocol);
	json_text(&j, "cipher", si->cipher);
	if (si->role == ROLE_CLIENT) {
		json_string(&j, "transport", transport_name(si->transport));
		json_int(&j, "path_mtu", si->path_mtu);
		json_int(&j, "tun_mtu", si->tun_mtu);
	}
	json_text(&j, "sandbox", si->sandbox);
	json_stats(&j, &si->stats);
	json_netcfg(&j, netcfg);
	*jp = j;
}

void
status_print_json(FILE *fp, const struct status_info *si,
    const char *netcfg)
{
	struct json	 j;

	json_init(&j, fp);
	json_begin_object(&j, NULL);
	status_json_fields(&j, si, netcfg);
	json_end_object(&j);
	json_finish(&j);
}

static const char *
peer_addr(int has, int af, const void *a, char *buf, size_t len)
{
	if (!has || inet_ntop(af, a, buf, len) == NULL)
		return "-";
	return buf;
}

static void
peer_prefix(const struct conf_prefix *p, char *buf, size_t len)
{
	char	 a[INET6_ADDRSTRLEN];

	if (inet_ntop(p->af, &p->addr, a, sizeof(a)) == NULL)
		strlcpy(a, "?", sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->plen);
}

/* The table of clients: one line each, for a server's status. */
void
peers_print_header(FILE *fp)
{
	fprintf(fp, "\n%-16s %-5s %-21s %-15s %-9s %9s %9s %s\n", "client",
	    "state", "endpoint", "inet", "up since", "in", "out",
	    "last handshake");
}

void
peers_print_row(FILE *fp, const struct peer_status *ps, time_t now)
{
	char	 a[INET6_ADDRSTRLEN], since[64], hs[64], in[32], out[32];

	fmt_duration(ps->up ? now - ps->since : 0, since, sizeof(since));
	fmt_time(ps->last_handshake, now, hs, sizeof(hs));
	fmt_bytes(ps->bytes_in, in, sizeof(in));
	fmt_bytes(ps->bytes_out, out, sizeof(out));
	fprintf(fp, "%-16s %-5s %-21s %-15s %-9s %9s %9s %s\n", ps->name,
	    ps->up ? "up" : "down", ps->up ? ps->endpoint : "-",
	    peer_addr(ps->has4, AF_INET, &ps->inet, a, sizeof(a)),
	    ps->up ? since : "-", in, out, hs);
}

/* One client in full, for status NAME. */
void
peers_print_one(FILE *fp, const struct peer_status *ps, time_t now)
{
	char		 a[INET6_ADDRSTRLEN], t[128], b[64];
	unsigned int	 i;

	kv(fp, "client", "%s", ps->name);
	kv(fp, "id", "%08x", ps->id);
	fmt_time(ps->since, now, t, sizeof(t));
	if (ps->up)
		kv(fp, "state", "up since %s", t);
	else if (ps->since > 0)
		kv(fp, "state", "down since %s (%s)", t,
		    cause_name(ps->cause));
	else
		kv(fp, "state", "never connected");
	kv(fp, "endpoint", "%s", ps->endpoint[0] ? ps->endpoint : "none");
	kv(fp, "inet", "%s", peer_addr(ps->has4, AF_INET, &ps->inet, a,
	    sizeof(a)));
	kv(fp, "inet6", "%s", peer_addr(ps->has6, AF_INET6, &ps->inet6, a,
	    sizeof(a)));
	for (i = 0; i < ps->n_routes && i < CONF_CLIENT_ROUTES; i++) {
		peer_prefix(&ps->routes[i], b, sizeof(b));
		kv(fp, "route", "%s", b);
	}
	kv(fp, "protocol", "%s", ps->protocol[0] ? ps->protocol : "none");
	kv(fp, "cipher", "%s", ps->cipher[0] ? ps->cipher : "none");
	fmt_time(ps->last_handshake, now, t, sizeof(t));
	kv(fp, "last handshake", "%s", t);
	fmt_bytes(ps->bytes_in, a, sizeof(a));
	fmt_bytes(ps->bytes_out, b, sizeof(b));
	kv(fp, "traffic", "in %s (%llu packets), out %s (%llu packets)", a,
	    (unsigned long long)ps->packets_in, b,
	    (unsigned long long)ps->packets_out);
	kv(fp, "sessions", "%llu (%llu replaced)",
	    (unsigned long long)ps->sessions,
	    (unsigned long long)ps->replaced);
	kv(fp, "drops", "source %llu, queue_full %llu",
	    (unsigned long long)ps->drops_source,
	    (unsigned long long)ps->drops_queue);
	if (ps->up && ps->transport == CONF_T_UDP)
		kv(fp, "transport", "udp, path mtu %d", ps->path_mtu);
	else if (ps->up)
		kv(fp, "transport", "tcp");
}

void
peers_json(struct json *jp, const struct peer_status *ps)
{
	struct json	 j = *jp;
	char		 a[INET6_ADDRSTRLEN], b[64];
	unsigned int	 i;

	json_begin_object(&j, NULL);
	json_string(&j, "name", ps->name);
	json_uint(&j, "id", ps->id);
	json_string(&j, "state", ps->up ? "up" : "down");
	json_time(&j, ps->up ? "up_since" : "down_since", ps->since);
	if (!ps->up)
		json_string(&j, "cause", cause_name(ps->cause));
	json_text(&j, "endpoint", ps->endpoint);
	json_string(&j, "inet", ps->has4 ? peer_addr(1, AF_INET, &ps->inet,
	    a, sizeof(a)) : NULL);
	json_string(&j, "inet6", ps->has6 ? peer_addr(1, AF_INET6,
	    &ps->inet6, a, sizeof(a)) : NULL);
	json_begin_array(&j, "routes");
	for (i = 0; i < ps->n_routes && i < CONF_CLIENT_ROUTES; i++) {
		peer_prefix(&ps->routes[i], b, sizeof(b));
		json_string(&j, NULL, b);
	}
	json_end_array(&j);
	json_text(&j, "protocol", ps->protocol);
	json_text(&j, "cipher", ps->cipher);
	json_time(&j, "last_handshake", ps->last_handshake);
	json_uint(&j, "bytes_in", ps->bytes_in);
	json_uint(&j, "bytes_out", ps->bytes_out);
	json_uint(&j, "packets_in", ps->packets_in);
	json_uint(&j, "packets_out", ps->packets_out);
	json_uint(&j, "sessions", ps->sessions);
	json_uint(&j, "replaced", ps->replaced);
	json_uint(&j, "drops_source", ps->drops_source);
	json_uint(&j, "drops_queue", ps->drops_queue);
	if (ps->up) {
		json_string(&j, "transport", transport_name(ps->transport));
		json_int(&j, "path_mtu", ps->path_mtu);
	}
	json_end_object(&j);
	*jp = j;
}
