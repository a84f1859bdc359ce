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
#include <syslog.h>

#include "log.h"
#include "parent.h"

/* A child's log line: the priority in range, the text terminated. */
static void
forward_log(struct child *kid, struct msg *m)
{
	struct msg_log	*lm = m->data;
	size_t		 len = msg_datalen(m) - sizeof(lm->priority);

	if (lm->priority < LOG_EMERG || lm->priority > LOG_DEBUG ||
	    lm->line[len - 1] != '\0')
		fatalx("bad LOG message from %s", proc_name(kid->id));
	startup_note(lm->priority, lm->line);
	log_forwarded(lm->priority, lm->line);
}

static void
dispatch_tunnel(struct msg *m)
{
	switch (m->hdr.type) {
	case MSG_CONNECT_REQ:
		/* Not before the seal is in (netreq calls back). */
		if (!netreq_hold_connect()) {
			connect_request(env->reconnect_now);
			env->reconnect_now = 0;
		}
		break;
	case MSG_SESSION_UP:
		connect_session_up();
		/* "up" only once netcfg has what the session needs. */
		if (!netreq_session_up(m->data))
			status_session_up(m->data);
		break;
	case MSG_SESSION_DOWN:
		connect_session_down(m->data);
		netreq_session_down();
		status_session_down(m->data);
		break;
	case MSG_STATS:
		memcpy(&env->status.stats, m->data,
		    sizeof(env->status.stats));
		/* A server is up while any of its clients is. */
		if (env->conf.role == ROLE_SERVER)
			status_set_state(env->status.stats.peers_up > 0 ?
			    STATE_UP : STATE_IDLE);
		break;
	case MSG_PEERS_PAGE:
		peers_page(m->hdr.peerid, m->data, msg_datalen(m));
		break;
	case MSG_KICK_RESULT:
		peers_kick_result(m->hdr.peerid, m->data);
		break;
	case MSG_PUSHED:
		pushed_received(m->data, msg_datalen(m));
		break;
	case MSG_PATH_MTU:
		status_path_mtu(m->data);
		break;
	case MSG_RESOCKET_REQ:
		connect_resocket();
		break;
	default:
		log_debug("%s: unexpected %s", __func__,
		    msgcat_name(m->hdr.type));
	}
}

static void
dispatch_netcfg(struct msg *m)
{
	size_t	 len = msg_datalen(m);

	switch (m->hdr.type) {
	case MSG_NETCFG_RESULT:
		netreq_result(m->data);
		break;
	case MSG_NETCFG_STATUS:
		if (((char *)m->data)[len - 1] != '\0')
			fatalx("unterminated NETCFG_STATUS");
		strlcpy(env->netcfg_text, m->data, sizeof(env->netcfg_text));
		break;
	default:
		log_debug("%s: unexpected %s", __func__,
		    msgcat_name(m->hdr.type));
	}
}

static void
dispatch_control(struct child *kid, struct msg *m)
{
	struct msg_result	 res;
	int32_t			 v;
	int			 id;

	switch (m->hdr.type) {
	case MSG_CTL_STATUS:
		status_reply(m->hdr.peerid);
		break;
	case MSG_CTL_PEERS:
		peers_ctl_request(m->hdr.peerid, m->data);
		break;
	case MSG_CTL_KICK:
		peers_ctl_kick(m->hdr.peerid, m->data);
		break;
	case MSG_CTL_RELOAD:
		/* Answered once netcfg has applied it, or failed to. */
		parent_reload(1, m->hdr.peerid);
		break;
	case MSG_CTL_VERBOSE:
		memcpy(&v, m->data, sizeof(v));
		if (v < 0 || v > 3)
			fatalx("CTL_VERBOSE out of range: %d", v);
		env->verbose = v;
		log_setverbose(v);
		for (id = PROC_TUNNEL; id < PROC_MAX; id++)
			if (env->kids[id].pid != 0)
				peer_compose(&env->kids[id].peer, MSG_VERBOSE,
				    0, -1, &v, sizeof(v));
		memset(&res, 0, sizeof(res));
		res.ok = 1;
		snprintf(res.text, sizeof(res.text), "logging %s",
		    v > 0 ? "verbose" : "brief");
		peer_compose(&kid->peer, MSG_CTL_RESULT, m->hdr.peerid, -1,
		    &res, sizeof(res));
		break;
	default:
		log_debug("%s: unexpected %s", __func__,
		    msgcat_name(m->hdr.type));
	}
}

void
parent_dispatch(struct peer *p, struct msg *m)
{
	struct child	*kid = p->arg;

	if (m == NULL) {
		/* SIGCHLD tells why; nothing more to read from it. */
		log_debug("channel to %s closed", proc_name(kid->id));
		return;
	}
	if (m->hdr.type == MSG_LOG) {
		forward_log(kid, m);
		return;
	}
	switch (kid->id) {
	case PROC_TUNNEL:
		dispatch_tunnel(m);
		break;
	case PROC_NETCFG:
		dispatch_netcfg(m);
		break;
	case PROC_CONTROL:
		dispatch_control(kid, m);
		break;
	default:
		fatalx("%s: message from unknown child", __func__);
	}
}
