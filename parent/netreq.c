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
#include <sys/socket.h>
#include <netinet/in.h>

#include <string.h>

#include "log.h"
#include "netcfg.h"
#include "parent.h"

/*
 * Requests to netcfg are answered in order, one MSG_NETCFG_RESULT each;
 * a small ring remembers what each answer is for.
 */
enum netreq_kind { NR_APPLY, NR_REVERT, NR_FLUSH };

#define NETREQ_RING	8

static enum netreq_kind	 ring[NETREQ_RING];
static unsigned int	 ring_head, ring_count;

/* A new netcfg process answers nothing its predecessor was asked. */
void
netreq_reset(void)
{
	ring_head = ring_count = 0;
}

static void
netreq_send(enum netreq_kind kind, uint32_t type, const void *data,
    size_t len)
{
	struct child	*kid = &env->kids[PROC_NETCFG];

	if (kid->pid == 0)
		return;
	if (ring_count == NETREQ_RING)
		fatalx("%s: too many requests outstanding", __func__);
	ring[(ring_head + ring_count++) % NETREQ_RING] = kind;
	peer_compose(&kid->peer, type, 0, -1, data, len);
}

/* The request for the current state: config, interface, server. */
static void
netreq_build(struct netcfg_req *req)
{
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;

	netcfg_req_from_conf(req, &env->conf);
	strlcpy(req->ifname, env->ifname, sizeof(req->ifname));
	if (env->server_ss.ss_family == AF_INET) {
		sin = (struct sockaddr_in *)&env->server_ss;
		req->server.af = AF_INET;
		req->server.plen = 32;
		req->server.addr.v4 = sin->sin_addr;
	} else if (env->server_ss.ss_family == AF_INET6) {
		sin6 = (struct sockaddr_in6 *)&env->server_ss;
		req->server.af = AF_INET6;
		req->server.plen = 128;
		req->server.addr.v6 = sin6->sin6_addr;
	}
}

void
netreq_apply(void)
{
	struct netcfg_req	 req;
	const char		*why;

	memset(&req, 0, sizeof(req));
	netreq_build(&req);
	if ((why = netcfg_req_validate(&req)) != NULL)
		fatalx("network configuration request invalid: %s", why);
	netreq_send(NR_APPLY, MSG_NETCFG_APPLY, &req, sizeof(req));
	env->netcfg_applied = 1;
}

void
netreq_revert(void)
{
	netreq_send(NR_REVERT, MSG_NETCFG_REVERT, NULL, 0);
	env->netcfg_applied = 0;
}

void
netreq_revert_and_stop(void)
{
	netreq_revert();
	peer_compose(&env->kids[PROC_NETCFG].peer, MSG_SHUTDOWN, 0, -1,
	    NULL, 0);
}

void
netreq_flush(void)
{
	netreq_send(NR_FLUSH, MSG_NETCFG_FLUSH, NULL, 0);
}

void
netreq_flush_and_stop(void)
{
	netreq_send(NR_FLUSH, MSG_NETCFG_FLUSH, NULL, 0);
	peer_compose(&env->kids[PROC_NETCFG].peer, MSG_SHUTDOWN, 0, -1,
	    NULL, 0);
}

void
netreq_result(const struct msg_result *res)
{
	enum netreq_kind	 kind;
	char			 text[sizeof(res->text)];

	if (ring_count == 0)
		fatalx("%s: unexpected result from netcfg", __func__);
	kind = ring[ring_head];
	ring_head = (ring_head + 1) % NETREQ_RING;
	ring_count--;
	memcpy(text, res->text, sizeof(text));
	text[sizeof(text) - 1] = '\0';
	switch (kind) {
	case NR_APPLY:
		if (res->ok) {
			log_info("network configuration applied");
			/* A server is up once its first plan is in. */
			if (env->conf.role == ROLE_SERVER)
				startup_ready();
			break;
		}
		/* netcfg has undone the steps it made. */
		env->netcfg_applied = 0;
		log_warnx("network configuration failed: %s", text);
		parent_stop(1, "network configuration failed");
		break;
	case NR_REVERT:
		env->reverted = env->stopping;
		if (res->ok)
			log_info("network configuration reverted");
		else
			log_warnx("revert incomplete: %s", text);
		break;
	case NR_FLUSH:
		if (!res->ok)
			log_warnx("removing leftovers: %s", text);
		else if (text[0] != '\0')
			log_info("%s", text);
		break;
	}
}

/* Does a new config change what netcfg has applied? */
int
netreq_differs(const struct conf *a, const struct conf *b)
{
	struct netcfg_req	 ra, rb;

	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	netcfg_req_from_conf(&ra, a);
	netcfg_req_from_conf(&rb, b);
	return memcmp(&ra, &rb, sizeof(ra)) != 0;
}
