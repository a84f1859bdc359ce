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

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "msgcat.h"
#include "netcfg_req.h"

#define P	(1U << PROC_PARENT)
#define T	(1U << PROC_TUNNEL)
#define N	(1U << PROC_NETCFG)
#define C	(1U << PROC_CONTROL)
#define KIDS	(T | N | C)
#define FIXED(s)	sizeof(s), sizeof(s)
#define EMPTY		0, 0

/*
 * Every message type: name, senders, receivers, payload size range and
 * whether it must carry a descriptor.  Indexed by type.
 */
static const struct msg_spec catalogue[MSG_TYPE_MAX] = {
	[MSG_LOG] = { MSG_LOG, "LOG", KIDS, P,
	    sizeof(int32_t) + 1, sizeof(int32_t) + MSG_LOG_MAX, 0 },
	[MSG_VERBOSE] = { MSG_VERBOSE, "VERBOSE", P, KIDS,
	    FIXED(int32_t), 0 },
	[MSG_RECONF_BEGIN] = { MSG_RECONF_BEGIN, "RECONF_BEGIN", P, KIDS,
	    EMPTY, 0 },
	[MSG_RECONF_CONF] = { MSG_RECONF_CONF, "RECONF_CONF", P, KIDS,
	    FIXED(struct conf), 0 },
	[MSG_RECONF_KEY] = { MSG_RECONF_KEY, "RECONF_KEY", P, T,
	    FIXED(struct conf_key), 0 },
	[MSG_RECONF_CLIENT] = { MSG_RECONF_CLIENT, "RECONF_CLIENT", P, T,
	    offsetof(struct msg_client, routes), sizeof(struct msg_client),
	    0 },
	[MSG_RECONF_END] = { MSG_RECONF_END, "RECONF_END", P, KIDS,
	    EMPTY, 0 },
	[MSG_SHUTDOWN] = { MSG_SHUTDOWN, "SHUTDOWN", P, KIDS, EMPTY, 0 },
	[MSG_TUN_FD] = { MSG_TUN_FD, "TUN_FD", P, T,
	    FIXED(struct msg_tun), 1 },
	[MSG_LISTEN_FD] = { MSG_LISTEN_FD, "LISTEN_FD", P, T,
	    FIXED(struct msg_endpoint), 1 },
	[MSG_FDS_DONE] = { MSG_FDS_DONE, "FDS_DONE", P, T, EMPTY, 0 },
	[MSG_CONNECT_FD] = { MSG_CONNECT_FD, "CONNECT_FD", P, T,
	    FIXED(struct msg_endpoint), 1 },
	[MSG_RESOCKET_FD] = { MSG_RESOCKET_FD, "RESOCKET_FD", P, T,
	    FIXED(struct msg_endpoint), 1 },
	[MSG_PEERS_REQ] = { MSG_PEERS_REQ, "PEERS_REQ", P, T,
	    FIXED(struct peers_req), 0 },
	[MSG_KICK] = { MSG_KICK, "KICK", P, T, FIXED(struct msg_name), 0 },
	[MSG_PEERS_PAGE] = { MSG_PEERS_PAGE, "PEERS_PAGE", T, P,
	    sizeof(struct peers_page), sizeof(struct peers_page) +
	    PEERS_PAGE_MAX * sizeof(struct peer_status), 0 },
	[MSG_KICK_RESULT] = { MSG_KICK_RESULT, "KICK_RESULT", T, P,
	    FIXED(struct msg_result), 0 },
	[MSG_PUSHED] = { MSG_PUSHED, "PUSHED", T, P, 1, MSG_PUSH_MAX, 0 },
	[MSG_PATH_MTU] = { MSG_PATH_MTU, "PATH_MTU", T, P,
	    FIXED(struct msg_path_mtu), 0 },
	[MSG_RESOCKET_REQ] = { MSG_RESOCKET_REQ, "RESOCKET_REQ", T, P,
	    EMPTY, 0 },
	[MSG_CONNECT_REQ] = { MSG_CONNECT_REQ, "CONNECT_REQ", T, P,
	    EMPTY, 0 },
	[MSG_SESSION_UP] = { MSG_SESSION_UP, "SESSION_UP", T, P,
	    FIXED(struct msg_session), 0 },
	[MSG_SESSION_DOWN] = { MSG_SESSION_DOWN, "SESSION_DOWN", T, P,
	    FIXED(struct msg_session_down), 0 },
	[MSG_STATS] = { MSG_STATS, "STATS", T, P,
	    FIXED(struct tunnel_stats), 0 },
	[MSG_NETCFG_APPLY] = { MSG_NETCFG_APPLY, "NETCFG_APPLY", P, N,
	    FIXED(struct netcfg_req), 0 },
	[MSG_NETCFG_REVERT] = { MSG_NETCFG_REVERT, "NETCFG_REVERT", P, N,
	    EMPTY, 0 },
	[MSG_NETCFG_FLUSH] = { MSG_NETCFG_FLUSH, "NETCFG_FLUSH", P, N,
	    EMPTY, 0 },
	[MSG_NETCFG_LOCK] = { MSG_NETCFG_LOCK, "NETCFG_LOCK", P, N,
	    EMPTY, 1 },
	[MSG_NETCFG_RESULT] = { MSG_NETCFG_RESULT, "NETCFG_RESULT", N, P,
	    FIXED(struct msg_result), 0 },
	[MSG_NETCFG_STATUS] = { MSG_NETCFG_STATUS, "NETCFG_STATUS", N, P,
	    1, MSG_TEXT_MAX, 0 },
	[MSG_CONTROL_FD] = { MSG_CONTROL_FD, "CONTROL_FD", P, C, EMPTY, 1 },
	[MSG_CTL_STATUS_REPLY] = { MSG_CTL_STATUS_REPLY, "CTL_STATUS_REPLY",
	    P, C, sizeof(struct status_info) + 1, MSG_MAX_PAYLOAD, 0 },
	[MSG_CTL_RESULT] = { MSG_CTL_RESULT, "CTL_RESULT", P, C,
	    FIXED(struct msg_result), 0 },
	[MSG_CTL_PEERS_PAGE] = { MSG_CTL_PEERS_PAGE, "CTL_PEERS_PAGE", P, C,
	    sizeof(struct peers_page), sizeof(struct peers_page) +
	    PEERS_PAGE_MAX * sizeof(struct peer_status), 0 },
	[MSG_CTL_PEERS] = { MSG_CTL_PEERS, "CTL_PEERS", C, P,
	    FIXED(struct peers_req), 0 },
	[MSG_CTL_KICK] = { MSG_CTL_KICK, "CTL_KICK", C, P,
	    FIXED(struct msg_name), 0 },
	[MSG_CTL_STATUS] = { MSG_CTL_STATUS, "CTL_STATUS", C, P, EMPTY, 0 },
	[MSG_CTL_RELOAD] = { MSG_CTL_RELOAD, "CTL_RELOAD", C, P, EMPTY, 0 },
	[MSG_CTL_VERBOSE] = { MSG_CTL_VERBOSE, "CTL_VERBOSE", C, P,
	    FIXED(int32_t), 0 },
};

static const char *const proc_names[PROC_MAX] = {
	[PROC_PARENT] = "parent",
	[PROC_TUNNEL] = "tunnel",
	[PROC_NETCFG] = "netcfg",
	[PROC_CONTROL] = "control",
};

const char *
proc_name(enum proc_id id)
{
	if ((unsigned int)id >= PROC_MAX)
		return "unknown";
	return proc_names[id];
}

const struct msg_spec *
msgcat_lookup(uint32_t type)
{
	if (type == MSG_NONE || type >= MSG_TYPE_MAX ||
	    catalogue[type].name == NULL)
		return NULL;
	return &catalogue[type];
}

const char *
msgcat_name(uint32_t type)
{
	const struct msg_spec	*spec = msgcat_lookup(type);

	return spec != NULL ? spec->name : "unknown";
}

const char *
msgcat_verify(enum proc_id from, enum proc_id to, const struct msg *m)
{
	const struct msg_spec	*spec;
	size_t			 len = msg_datalen(m);

	if ((spec = msgcat_lookup(m->hdr.type)) == NULL)
		return "unknown message type";
	if ((spec->from & (1U << from)) == 0 || (spec->to & (1U << to)) == 0)
		return "not allowed on this channel";
	if (len < spec->minlen || len > spec->maxlen)
		return "wrong payload length";
	if (spec->has_fd != (m->fd != -1))
		return spec->has_fd ? "descriptor missing" :
		    "unexpected descriptor";
	return NULL;
}

void
msgcat_check(enum proc_id from, enum proc_id to, const struct msg *m)
{
	const char	*why;

	if ((why = msgcat_verify(from, to, m)) != NULL)
		fatalx("bad message %s (%u) from %s, length %zu: %s",
		    msgcat_name(m->hdr.type), m->hdr.type, proc_name(from),
		    msg_datalen(m), why);
}
