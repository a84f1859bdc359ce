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

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "parent.h"
#include "sandbox.h"
#include "tun.h"

/* The parent's view of the daemon, answered to dsvpnctl status. */

#ifndef DSVPND_BUILD_TIME
#define DSVPND_BUILD_TIME	0	/* configure sets it */
#endif

void
status_set_state(int state)
{
	if (env->status.state == state)
		return;
	env->status.state = state;
	env->status.state_since = time(NULL);
}

/* A client's settings in use: its file's and its server's. */
static void
status_fill_client(struct status_info *st, struct conf *eff)
{
	unsigned int	 took;

	st->have_addrs = pushed_effective(eff, &env->conf, &took);
	st->pushed = took;
	st->mtu = eff->mtu;
	st->default_route = eff->default_route;
	st->block_outside = eff->block_outside;
	st->n_routes = eff->n_routes;
	memcpy(st->routes, eff->routes, sizeof(st->routes));
	st->n_dns = eff->n_dns;
	memcpy(st->dns, eff->dns, sizeof(st->dns));
}

static void
status_fill_conf(struct status_info *st)
{
	struct conf	 eff = env->conf;

	st->version = STATUS_VERSION;
	st->role = env->conf.role;
	strlcpy(st->ifname, env->ifname, sizeof(st->ifname));
	if (env->conf.role == ROLE_CLIENT)
		status_fill_client(st, &eff);
	else
		st->have_addrs = 1;
	st->inet_local[0] = st->inet_peer[0] = '\0';
	if (st->have_addrs) {
		inet_ntop(AF_INET, &eff.inet_local, st->inet_local,
		    sizeof(st->inet_local));
		inet_ntop(AF_INET, &eff.inet_peer, st->inet_peer,
		    sizeof(st->inet_peer));
	}
	st->inet6_local[0] = st->inet6_peer[0] = '\0';
	if (st->have_addrs && eff.inet6) {
		inet_ntop(AF_INET6, &eff.inet6_local, st->inet6_local,
		    sizeof(st->inet6_local));
		inet_ntop(AF_INET6, &eff.inet6_peer, st->inet6_peer,
		    sizeof(st->inet6_peer));
	}
	strlcpy(st->sandbox, sandbox_name(), sizeof(st->sandbox));
	st->tun_mtu = env->tun_mtu;
}

void
status_init(void)
{
	memset(&env->status, 0, sizeof(env->status));
	env->status.started = env->status.state_since = time(NULL);
	status_set_state(env->conf.role == ROLE_CLIENT ? STATE_CONNECTING :
	    STATE_IDLE);
}

static const char *const cause_names[CAUSE_MAX] = {
	[CAUSE_NONE] = "",
	[CAUSE_RESOLVE] = "name not found",
	[CAUSE_CONN_REFUSED] = "connection refused",
	[CAUSE_NO_ANSWER] = "no answer",
	[CAUSE_AUTH] = "refused by the server",
	[CAUSE_REPLACED] = "replaced by another client with this key",
	[CAUSE_KICKED] = "kicked",
	[CAUSE_REMOVED] = "removed from the configuration",
	[CAUSE_RELOAD] = "configuration changed",
	[CAUSE_SHUTDOWN] = "shut down",
	[CAUSE_LOST] = "connection lost",
};

const char *
status_cause_name(int cause)
{
	if (cause < 0 || cause >= CAUSE_MAX)
		return "unknown";
	return cause_names[cause];
}

/* Why a client is not up, for dsvpnctl status (and cleared at up). */
void
status_set_cause(int cause, const char *fmt, ...)
{
	va_list	 ap;

	env->status.cause = cause;
	va_start(ap, fmt);
	vsnprintf(env->status.why, sizeof(env->status.why), fmt, ap);
	va_end(ap);
}

/*
 * A server that hangs up on a complete hello refused its MAC or its
 * clock; which one it cannot say (it tells nothing to a client that may
 * not hold the key).  A clock before this program was built is surely
 * wrong; otherwise a wrong key is the likelier cause.
 */
static void
status_auth_refused(const char *reason)
{
	time_t	 now = time(NULL);
	int	 clock_bad = now < (time_t)DSVPND_BUILD_TIME;

	status_set_cause(CAUSE_AUTH, "refused by the server (%s): %s",
	    reason, clock_bad ? "this machine's clock is wrong (before the "
	    "build date of dsvpnd); set it, e.g. with NTP" : "most likely "
	    "a wrong key; or a clock more than the clock window off");
}

/* The parent owns the TUN: only it may change the MTU. */
static void
status_tun_mtu(int mtu)
{
	struct tun_dev	 tun;

	if (mtu == env->tun_mtu || env->tun_fd == -1)
		return;
	memset(&tun, 0, sizeof(tun));
	tun.fd = -1;
	strlcpy(tun.ifname, env->ifname, sizeof(tun.ifname));
	tun_set_mtu(&tun, mtu);
	log_info("%s: mtu %d (was %d)", env->ifname, tun.mtu, env->tun_mtu);
	env->tun_mtu = tun.mtu;
}

/*
 * A client over UDP: the path MTU the tunnel found and the TUN MTU that
 * fits in it.  The tunnel is sandboxed and may be compromised, so the
 * value is bounded: between the IPv6 minimum and the configured MTU.
 */
void
status_path_mtu(const struct msg_path_mtu *pm)
{
	int	 mtu = pm->tun_mtu;

	if (env->conf.role != ROLE_CLIENT)
		fatalx("PATH_MTU from a server's tunnel");
	if (pm->path_mtu < 576 || pm->path_mtu > 65535 || mtu < 576 ||
	    mtu >= pm->path_mtu)
		fatalx("PATH_MTU %d for a path of %d", mtu, pm->path_mtu);
	if (mtu > env->conf.mtu)
		mtu = env->conf.mtu;
	if (mtu < 1280 && env->conf.inet6)
		mtu = 1280;
	env->status.path_mtu = pm->path_mtu;
	status_tun_mtu(mtu);
}

void
status_session_up(const struct msg_session *ms)
{
	memcpy(env->status.peer, ms->peer, sizeof(env->status.peer));
	env->status.peer[sizeof(env->status.peer) - 1] = '\0';
	memcpy(env->status.cipher, ms->cipher, sizeof(env->status.cipher));
	env->status.cipher[sizeof(env->status.cipher) - 1] = '\0';
	memcpy(env->status.protocol, ms->protocol,
	    sizeof(env->status.protocol));
	env->status.protocol[sizeof(env->status.protocol) - 1] = '\0';
	env->status.cause = CAUSE_NONE;
	env->status.why[0] = '\0';
	status_set_state(STATE_UP);
	env->status.transport = ms->transport == CONF_T_UDP ? CONF_T_UDP :
	    CONF_T_TCP;
	/* Over TCP the TUN takes the configured MTU again; over UDP the
	 * path's (pmtu.c).  Its offloads stay on either way: the tunnel
	 * cuts TSO frames for datagrams (gso.c). */
	if (env->status.transport == CONF_T_TCP) {
		env->status.path_mtu = 0;
		status_tun_mtu(env->conf.mtu);
	}
	if (env->conf.role == ROLE_CLIENT)
		log_ratelimited(log_info, "session up with %s (%s, %s)",
		    env->status.peer, env->status.protocol,
		    env->status.cipher);
}

void
status_session_down(const struct msg_session_down *md)
{
	char	 reason[sizeof(md->reason)];
	int	 cause = md->cause;

	memcpy(reason, md->reason, sizeof(reason));
	reason[sizeof(reason) - 1] = '\0';
	if (cause <= CAUSE_NONE || cause >= CAUSE_MAX)
		cause = CAUSE_LOST;
	if (env->conf.role != ROLE_CLIENT)
		return;
	if (cause == CAUSE_AUTH)
		status_auth_refused(reason);
	else
		status_set_cause(cause, "%s: %s", status_cause_name(cause),
		    reason);
	if (md->was_up)
		log_ratelimited(log_info, "session with %s down: %s",
		    env->status.peer, reason);
	else
		log_ratelimited(log_warnx, "%s", env->status.why);
	status_set_state(STATE_CONNECTING);
}

void
status_reply(uint32_t peerid)
{
	static uint8_t		 buf[MSG_MAX_PAYLOAD];
	struct status_info	*st = (struct status_info *)buf;
	size_t			 textlen;

	memset(buf, 0, sizeof(buf));
	memcpy(st, &env->status, sizeof(*st));
	status_fill_conf(st);
	if (env->conf.role == ROLE_SERVER) {
		st->n_clients = env->clients.n > 0 ? env->clients.n : 1;
		st->n_up = st->stats.peers_up;
	}
	textlen = strlcpy((char *)buf + sizeof(*st), env->netcfg_text,
	    MSG_MAX_PAYLOAD - sizeof(*st));
	if (textlen >= MSG_MAX_PAYLOAD - sizeof(*st))
		textlen = MSG_MAX_PAYLOAD - sizeof(*st) - 1;
	peer_compose(&env->kids[PROC_CONTROL].peer, MSG_CTL_STATUS_REPLY,
	    peerid, -1, buf, sizeof(*st) + textlen + 1);
}
