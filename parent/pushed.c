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
 * A client's pushed settings.  A version 2 server sends them right after
 * every handshake (the tunnel checks the bytes and passes them on as
 * they came; the parent decodes and checks them again, itself, and
 * against its own network: pushset.c).  What the client's own file
 * leaves unsaid comes from the last push it took; until a push came,
 * addresses the file does not give are unknown (netcfg's have_addrs 0:
 * the seal is up, the tunnel has no address).  A version 1 session
 * pushes nothing, nor does DSVPN's protocol (a client with "protocol
 * dsvpn" has its addresses from the start): the file and its defaults
 * hold, as before pushes.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include "log.h"
#include "parent.h"
#include "push.h"
#include "pushset.h"
#include "tun.h"

enum push_state {
	PUSH_NONE = 0,		/* no session yet */
	PUSH_V1,		/* the server pushes nothing */
	PUSH_GOT		/* the server's last push, taken */
};

static enum push_state	 state;
static struct push	 pushed;

/*
 * *eff: what the client runs with, from own (its file, or a reload's).
 * Returns 1 if the tunnel's addresses are known; *took (if not NULL)
 * gets the CONF_SET_* bits that came from the server.
 */
int
pushed_effective(struct conf *eff, const struct conf *own,
    unsigned int *took)
{
	unsigned int	 t = 0;

	if (state == PUSH_GOT)
		t = pushset_merge(eff, own, &pushed);
	else
		*eff = *own;
	if (took != NULL)
		*took = t;
	/* DSVPN's protocol pushes nothing: the file and its defaults. */
	if (state != PUSH_NONE || own->protocol == CONF_PROTO_DSVPN)
		return (1);
	/* Before the first session: only what the file says. */
	if (!(own->explicit & CONF_SET_INET6))
		eff->inet6 = 0;
	return ((own->explicit & CONF_SET_INET) != 0);
}

/* A session came up speaking this version: 1 if a push will follow. */
int
pushed_session_up(int version)
{
	if (version == MSG_SESSION_PUSHES)
		return (1);
	if (state == PUSH_GOT)
		log_info("this server pushes nothing: the file's settings "
		    "and their defaults hold");
	state = PUSH_V1;
	return (0);
}

/* The server's addresses we know and our own networks. */
static void
push_context(struct pushset_ctx *ctx)
{
	const struct sockaddr_storage	*ss = &env->server_ss;
	struct conf_prefix		*pf;

	memset(ctx, 0, sizeof(*ctx));
	netreq_servers(ctx->servers, &ctx->n_servers, NETCFG_MAX_SERVERS);
	if (ctx->n_servers < NETCFG_MAX_SERVERS && (ss->ss_family ==
	    AF_INET || ss->ss_family == AF_INET6)) {
		pf = &ctx->servers[ctx->n_servers++];
		pf->af = ss->ss_family;
		if (pf->af == AF_INET) {
			pf->plen = 32;
			pf->addr.v4 = ((const struct sockaddr_in *)
			    (const void *)ss)->sin_addr;
		} else {
			pf->plen = 128;
			pf->addr.v6 = ((const struct sockaddr_in6 *)
			    (const void *)ss)->sin6_addr;
		}
	}
	if (pushset_underlay(ctx, env->ifname) == -1)
		log_warn("getifaddrs: pushed addresses not checked against "
		    "the local networks");
}

static void
log_push(const struct push *ps)
{
	char	 a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	if (!ps->have4 || !inet_ntop(AF_INET, &ps->addr4, a, sizeof(a)))
		strlcpy(a, "-", sizeof(a));
	if (!ps->have6 || !inet_ntop(AF_INET6, &ps->addr6, b, sizeof(b)))
		strlcpy(b, "-", sizeof(b));
	log_ratelimited(log_info, "the server pushed inet %s, inet6 %s, %s, "
	    "%zu routes, mtu %u, %zu DNS servers", a, b, ps->defroute ?
	    "default route" : "no default route", ps->nroute4 + ps->nroute6,
	    ps->mtu, ps->ndns4 + ps->ndns6);
}

/* A push lowers the TUN's MTU (or lifts it back to the file's). */
static void
follow_mtu(int mtu)
{
	static int	 current;
	struct tun_dev	 tun;

	if (current == 0)
		current = env->conf.mtu;
	if (mtu == current || mtu < 576 || mtu > env->conf.mtu)
		return;
	memset(&tun, 0, sizeof(tun));
	strlcpy(tun.ifname, env->ifname, sizeof(tun.ifname));
	tun_set_mtu(&tun, mtu);
	current = tun.mtu;
	log_info("%s: mtu %d", env->ifname, current);
}

static void
refuse(const char *why)
{
	log_ratelimited(log_warnx, "the server pushed bad settings, "
	    "refused (nothing changed): %s", why);
	status_set_cause(CAUSE_NONE, "the server's settings were refused: "
	    "%s", why);
}

/*
 * The tunnel's PUSHED: the bytes as they came.  A push refused changes
 * nothing; one taken goes to netcfg as a transition from what is in.
 */
void
pushed_received(const uint8_t *buf, size_t len)
{
	struct pushset_ctx	 ctx;
	struct push		 ps, old = pushed;
	enum push_state		 old_state = state;
	struct conf		 eff;
	const char		*why;

	if (env->conf.role != ROLE_CLIENT)
		fatalx("%s: a server's tunnel was pushed to", __func__);
	if (push_decode(buf, len, &ps, &why) == -1) {
		refuse(why);
		return;
	}
	push_context(&ctx);
	if ((why = pushset_check(&ps, &ctx)) != NULL) {
		refuse(why);
		return;
	}
	log_push(&ps);
	pushed = ps;
	state = PUSH_GOT;
	if ((why = netreq_pushed()) != NULL) {
		pushed = old;
		state = old_state;
		refuse(why);
		return;
	}
	(void)pushed_effective(&eff, &env->conf, NULL);
	follow_mtu(eff.mtu);
}
