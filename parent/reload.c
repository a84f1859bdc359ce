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

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "parent.h"
#include "pool.h"

/*
 * Reload, for SIGHUP and dsvpnctl reload alike.  A file that does not
 * parse changes nothing.  Settings that shape the processes themselves
 * (role, interface, listeners, user, chroot, control socket, instance)
 * need a restart and are refused; everything else is applied: timers
 * at once, key and endpoint by a clean session restart in the tunnel,
 * addresses, routes and NAT by netcfg, which changes its plan
 * make-before-break.  Nothing is committed until netcfg has answered:
 * a plan netcfg cannot apply leaves the old configuration in force,
 * whole.  The answer to dsvpnctl, and the one log line, come then.
 */

static struct {
	int			 pending;
	int			 from_control;
	uint32_t		 peerid;
	struct conf		 conf;
	struct conf_clients	 clients;	/* a server's client blocks */
	struct conf_key		 key;
} rl;

/* Name the first setting that only a restart can change, or NULL. */
static const char *
needs_restart(const struct conf *o, const struct conf *n)
{
	if (o->role != n->role)
		return "the role (listen on / connect to)";
	if (strcmp(o->ifname, n->ifname) != 0 || o->mtu != n->mtu)
		return "the tunnel interface or its mtu";
	if (o->n_listen != n->n_listen ||
	    memcmp(o->listen, n->listen, sizeof(o->listen)) != 0)
		return "the listen addresses";
	/* The session's framing: kept across a reload, as the role. */
	if (o->protocol != n->protocol)
		return "the protocol";
	if (strcmp(o->user, n->user) != 0 ||
	    strcmp(o->chroot, n->chroot) != 0)
		return "the user or chroot directory";
	if (strcmp(o->control_socket, n->control_socket) != 0)
		return "the control socket";
	if (strcmp(o->instance, n->instance) != 0 ||
	    o->instance_id != n->instance_id)
		return "the instance";
	return NULL;
}

/* What a reload that does not go ahead leaves: nothing. */
static void
reload_discard(void)
{
	conf_clients_free(&rl.clients);
	memset(&rl.clients, 0, sizeof(rl.clients));
	sodium_memzero(&rl.key, sizeof(rl.key));
}

/* Parses and checks the file into rl; -1 with why in msg. */
static int
reload_prepare(char *msg, size_t msglen)
{
	const char	*what;

	msg[0] = '\0';
	memset(&rl.clients, 0, sizeof(rl.clients));
	memset(&rl.key, 0, sizeof(rl.key));
	conf_defaults(&rl.conf);
	conf_set_error_buffer(msg, msglen);
	if (parse_config_clients(env->conffile, &rl.conf,
	    &rl.clients) != 0) {
		conf_set_error_buffer(NULL, 0);
		return -1;
	}
	conf_set_error_buffer(NULL, 0);
	if (pool_prepare(&rl.conf, &rl.clients, 1, msg, msglen) == -1)
		return -1;
	/* The command line's socket wins, as at startup. */
	strlcpy(rl.conf.control_socket, env->conf.control_socket,
	    sizeof(rl.conf.control_socket));
	if ((what = needs_restart(&env->conf, &rl.conf)) != NULL) {
		snprintf(msg, msglen, "%s changed: restart dsvpnd to apply "
		    "it", what);
		return -1;
	}
	if (rl.conf.n_clients == 0 && load_key(rl.conf.keyfile, &rl.key, msg,
	    msglen) == -1)
		return -1;
	return 0;
}

/* One log line, and the answer to dsvpnctl if it asked. */
static void
reload_answer(int from_control, uint32_t peerid, int ok, const char *text)
{
	struct msg_result	 res;

	if (ok)
		log_info("reloaded %s", env->conffile);
	else
		log_warnx("reload failed, old configuration kept: %s", text);
	if (!from_control)
		return;
	memset(&res, 0, sizeof(res));
	res.ok = ok;
	strlcpy(res.text, ok ? "reloaded" : text, sizeof(res.text));
	peer_compose(&env->kids[PROC_CONTROL].peer, MSG_CTL_RESULT,
	    peerid, -1, &res, sizeof(res));
}

static void
reload_commit(void)
{
	int	 id;

	/* A client whose key or servers changed reconnects at once. */
	if (rl.conf.role == ROLE_CLIENT && (sodium_memcmp(&rl.key,
	    &env->key, sizeof(rl.key)) != 0 ||
	    rl.conf.n_servers != env->conf.n_servers ||
	    memcmp(rl.conf.servers, env->conf.servers,
	    sizeof(rl.conf.servers)) != 0))
		env->reconnect_now = 1;
	memcpy(&env->conf, &rl.conf, sizeof(rl.conf));
	conf_clients_free(&env->clients);
	env->clients = rl.clients;
	memset(&rl.clients, 0, sizeof(rl.clients));
	memcpy(&env->key, &rl.key, sizeof(rl.key));
	sodium_memzero(&rl.key, sizeof(rl.key));
	for (id = PROC_TUNNEL; id < PROC_MAX; id++)
		if (env->kids[id].pid != 0)
			parent_send_config(id);
	/* An attempt under way (maybe waiting out a backoff) starts over
	 * with the new settings; the flag covers the tunnel's own request
	 * that follows when it ends its session or drops a stale socket. */
	if (env->reconnect_now && env->connect_wanted)
		connect_request(1);
}

void
parent_reload(int from_control, uint32_t peerid)
{
	char	 msg[sizeof(((struct msg_result *)0)->text)];
	int	 r;

	if (rl.pending) {
		/* The one under way answers its own asker. */
		reload_answer(from_control, peerid, 0,
		    "a reload is already under way");
		return;
	}
	rl.from_control = from_control;
	rl.peerid = peerid;
	if (reload_prepare(msg, sizeof(msg)) == -1) {
		reload_discard();
		reload_answer(from_control, peerid, 0, msg);
		return;
	}
	rl.pending = 1;
	if ((r = netreq_reload(&rl.conf, &rl.clients)) == 1)
		return;		/* parent_reload_done() follows */
	parent_reload_done(r == 0, "invalid network configuration request");
}

void
parent_reload_done(int ok, const char *netcfg_error)
{
	char	 msg[sizeof(((struct msg_result *)0)->text)];

	if (!rl.pending)
		return;
	rl.pending = 0;
	if (ok)
		reload_commit();
	else {
		reload_discard();
		snprintf(msg, sizeof(msg), "network configuration: %s",
		    netcfg_error);
	}
	reload_answer(rl.from_control, rl.peerid, ok, ok ? "" : msg);
}
