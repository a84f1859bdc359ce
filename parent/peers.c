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
 * The parent's side of a server's clients: pool addresses and leases at
 * start and reload, each client streamed to the tunnel as its own
 * RECONF_CLIENT message with its key (after RECONF_CONF, so the stream
 * scales to any number of clients without one message having to hold
 * them), and dsvpnctl's requests for the peer table and kicks relayed
 * to the tunnel, which alone knows the sessions and their counters.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "confcheck.h"
#include "ctl.h"
#include "log.h"
#include "parent.h"

static size_t
client_msg(const struct conf_client *c, struct msg_client *mc)
{
	memset(mc, 0, sizeof(*mc));
	strlcpy(mc->name, c->name, sizeof(mc->name));
	mc->has4 = c->has4;
	mc->has6 = c->has6;
	mc->protocol = c->protocol;
	mc->inet = c->inet;
	mc->inet6 = c->inet6;
	mc->n_routes = c->n_routes;
	memcpy(mc->routes, c->routes, c->n_routes * sizeof(c->routes[0]));
	return offsetof(struct msg_client, routes) +
	    c->n_routes * sizeof(c->routes[0]);
}

/* Keys are read here, at the moment they are sent, and wiped at once. */
void
peers_send_config(struct peer *p)
{
	struct msg_client	 mc;
	char			 err[CONF_KEY_ERR_MAX];
	size_t			 i, len;

	for (i = 0; i < env->clients.n; i++) {
		len = client_msg(&env->clients.v[i], &mc);
		if (load_key(env->clients.v[i].keyfile, &mc.key, err,
		    sizeof(err)) == -1)
			fatalx("client %s: %s", mc.name, err);
		peer_compose(p, MSG_RECONF_CLIENT, 0, -1, &mc, len);
		sodium_memzero(&mc, sizeof(mc));
	}
}

static void
ctl_error(uint32_t peerid, const char *text)
{
	struct msg_result	 res;

	memset(&res, 0, sizeof(res));
	strlcpy(res.text, text, sizeof(res.text));
	peer_compose(&env->kids[PROC_CONTROL].peer, MSG_CTL_RESULT, peerid,
	    -1, &res, sizeof(res));
}

void
peers_ctl_request(uint32_t peerid, const struct peers_req *req)
{
	if (memchr(req->name, '\0', sizeof(req->name)) == NULL)
		fatalx("%s: unterminated name", __func__);
	if (env->kids[PROC_TUNNEL].pid == 0) {
		ctl_error(peerid, "the tunnel process is not running");
		return;
	}
	peer_compose(&env->kids[PROC_TUNNEL].peer, MSG_PEERS_REQ, peerid, -1,
	    req, sizeof(*req));
}

void
peers_ctl_kick(uint32_t peerid, const struct msg_name *mn)
{
	if (memchr(mn->name, '\0', sizeof(mn->name)) == NULL)
		fatalx("%s: unterminated name", __func__);
	if (env->kids[PROC_TUNNEL].pid == 0) {
		ctl_error(peerid, "the tunnel process is not running");
		return;
	}
	peer_compose(&env->kids[PROC_TUNNEL].peer, MSG_KICK, peerid, -1, mn,
	    sizeof(*mn));
}

/* The tunnel's page goes on to dsvpnctl as it came, once checked. */
void
peers_page(uint32_t peerid, const void *data, size_t len)
{
	const char	*why;

	if ((why = ctl_verify_page(data, len)) != NULL)
		fatalx("bad PEERS_PAGE from the tunnel: %s", why);
	peer_compose(&env->kids[PROC_CONTROL].peer, MSG_CTL_PEERS_PAGE,
	    peerid, -1, data, len);
}

void
peers_kick_result(uint32_t peerid, const struct msg_result *res)
{
	struct msg_result	 r = *res;

	r.text[sizeof(r.text) - 1] = '\0';
	if (r.ok)
		log_info("%s", r.text);
	peer_compose(&env->kids[PROC_CONTROL].peer, MSG_CTL_RESULT, peerid,
	    -1, &r, sizeof(r));
}
