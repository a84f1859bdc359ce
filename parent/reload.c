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
 * (role, interface, listeners, user, chroot, control socket) need a
 * restart and are refused; everything else is applied: timers at once,
 * key and endpoint by a clean session restart in the tunnel, addresses,
 * routes and NAT by netcfg reverting and applying again.
 */

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
	if (strcmp(o->user, n->user) != 0 ||
	    strcmp(o->chroot, n->chroot) != 0)
		return "the user or chroot directory";
	if (strcmp(o->control_socket, n->control_socket) != 0)
		return "the control socket";
	return NULL;
}

int
parent_reload(char *msg, size_t msglen)
{
	static struct conf	 nc;
	struct conf_clients	 ncl;
	struct conf_key		 key;
	const char		*what;
	int			 id, renet;

	msg[0] = '\0';
	memset(&ncl, 0, sizeof(ncl));
	conf_defaults(&nc);
	conf_set_error_buffer(msg, msglen);
	if (parse_config_clients(env->conffile, &nc, &ncl) != 0) {
		conf_set_error_buffer(NULL, 0);
		conf_clients_free(&ncl);
		return -1;
	}
	conf_set_error_buffer(NULL, 0);
	if (pool_prepare(&nc, &ncl, 1, msg, msglen) == -1) {
		conf_clients_free(&ncl);
		return -1;
	}
	/* The command line's socket wins, as at startup. */
	strlcpy(nc.control_socket, env->conf.control_socket,
	    sizeof(nc.control_socket));
	if ((what = needs_restart(&env->conf, &nc)) != NULL) {
		snprintf(msg, msglen, "%s changed: restart dsvpnd to apply "
		    "it", what);
		conf_clients_free(&ncl);
		return -1;
	}
	memset(&key, 0, sizeof(key));
	if (nc.n_clients == 0 && load_key(nc.keyfile, &key, msg,
	    msglen) == -1) {
		conf_clients_free(&ncl);
		return -1;
	}
	/* A client whose key or servers changed reconnects at once. */
	if (nc.role == ROLE_CLIENT && (sodium_memcmp(&key, &env->key,
	    sizeof(key)) != 0 || nc.n_servers != env->conf.n_servers ||
	    memcmp(nc.servers, env->conf.servers, sizeof(nc.servers)) != 0))
		env->reconnect_now = 1;
	renet = env->netcfg_applied && netreq_differs(&env->conf, &nc);
	memcpy(&env->conf, &nc, sizeof(nc));
	conf_clients_free(&env->clients);
	env->clients = ncl;
	memcpy(&env->key, &key, sizeof(key));
	sodium_memzero(&key, sizeof(key));
	for (id = PROC_TUNNEL; id < PROC_MAX; id++)
		if (env->kids[id].pid != 0)
			parent_send_config(id);
	/* An attempt under way (maybe waiting out a backoff) starts over
	 * with the new settings; the flag covers the tunnel's own request
	 * that follows when it ends its session or drops a stale socket. */
	if (env->reconnect_now && env->connect_wanted)
		connect_request(1);
	if (renet) {
		netreq_revert();
		netreq_apply();
	}
	return 0;
}
