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

#include <stddef.h>
#include <string.h>

#include "ctl.h"

struct ctl_spec {
	const char	*name;
	int		 from;
	size_t		 minlen;
	size_t		 maxlen;
};

static const struct ctl_spec ctl_specs[CTL_TYPE_MAX] = {
	[CTL_HELLO] = { "hello", CTL_FROM_CLIENT | CTL_FROM_DAEMON,
	    sizeof(uint32_t), sizeof(uint32_t) },
	[CTL_STATUS] = { "status", CTL_FROM_CLIENT, 0, 0 },
	[CTL_RELOAD] = { "reload", CTL_FROM_CLIENT, 0, 0 },
	[CTL_LOG_VERBOSE] = { "log-verbose", CTL_FROM_CLIENT,
	    sizeof(int32_t), sizeof(int32_t) },
	[CTL_STATUS_REPLY] = { "status-reply", CTL_FROM_DAEMON,
	    sizeof(struct status_info) + 1, MSG_MAX_PAYLOAD },
	[CTL_RESULT] = { "result", CTL_FROM_DAEMON,
	    sizeof(struct msg_result), sizeof(struct msg_result) },
	[CTL_ERROR] = { "error", CTL_FROM_DAEMON, 1, CTL_ERROR_MAX },
	[CTL_PEERS] = { "peers", CTL_FROM_CLIENT, sizeof(struct peers_req),
	    sizeof(struct peers_req) },
	[CTL_KICK] = { "kick", CTL_FROM_CLIENT, sizeof(struct msg_name),
	    sizeof(struct msg_name) },
	[CTL_PEERS_PAGE] = { "peers-page", CTL_FROM_DAEMON,
	    sizeof(struct peers_page), sizeof(struct peers_page) +
	    PEERS_PAGE_MAX * sizeof(struct peer_status) },
};

static const struct ctl_spec *
ctl_lookup(uint32_t type)
{
	if (type >= CTL_TYPE_MAX || ctl_specs[type].name == NULL)
		return NULL;
	return &ctl_specs[type];
}

const char *
ctl_type_name(uint32_t type)
{
	const struct ctl_spec	*spec;

	if ((spec = ctl_lookup(type)) == NULL)
		return "unknown";
	return spec->name;
}

/* A fixed-size string field must end within its array. */
static int
ctl_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static const char *
ctl_verify_status(const struct status_info *si)
{
	if (!ctl_terminated(si->peer, sizeof(si->peer)) ||
	    !ctl_terminated(si->ifname, sizeof(si->ifname)) ||
	    !ctl_terminated(si->inet_local, sizeof(si->inet_local)) ||
	    !ctl_terminated(si->inet_peer, sizeof(si->inet_peer)) ||
	    !ctl_terminated(si->inet6_local, sizeof(si->inet6_local)) ||
	    !ctl_terminated(si->inet6_peer, sizeof(si->inet6_peer)) ||
	    !ctl_terminated(si->cipher, sizeof(si->cipher)) ||
	    !ctl_terminated(si->sandbox, sizeof(si->sandbox)))
		return "unterminated string in status";
	return NULL;
}

static const char *
ctl_verify_peer(const struct peer_status *ps)
{
	if (!ctl_terminated(ps->name, sizeof(ps->name)) ||
	    !ctl_terminated(ps->endpoint, sizeof(ps->endpoint)) ||
	    !ctl_terminated(ps->cipher, sizeof(ps->cipher)))
		return "unterminated string in a peer";
	if (ps->n_routes > CONF_CLIENT_ROUTES)
		return "too many routes in a peer";
	return NULL;
}

/* The header's count must match the length exactly. */
const char *
ctl_verify_page(const uint8_t *data, size_t len)
{
	struct peers_page	 pg;
	struct peer_status	 ps;
	const char		*why;
	uint32_t		 i;

	if (len < sizeof(pg))
		return "page too short";
	memcpy(&pg, data, sizeof(pg));
	if (pg.n > PEERS_PAGE_MAX ||
	    len != sizeof(pg) + pg.n * sizeof(struct peer_status))
		return "page length does not match its count";
	if (pg.next > pg.total)
		return "page ends past the table";
	for (i = 0; i < pg.n; i++) {
		memcpy(&ps, data + sizeof(pg) + i * sizeof(ps), sizeof(ps));
		if ((why = ctl_verify_peer(&ps)) != NULL)
			return why;
	}
	return NULL;
}

/* The payload's own rules, once its length is known to be in range. */
static const char *
ctl_verify_payload(uint32_t type, const uint8_t *data, size_t len)
{
	struct status_info	 si;
	struct msg_result	 res;

	switch (type) {
	case CTL_STATUS_REPLY:
		if (data[len - 1] != '\0')
			return "unterminated text";
		memcpy(&si, data, sizeof(si));
		return ctl_verify_status(&si);
	case CTL_RESULT:
		memcpy(&res, data, sizeof(res));
		if (!ctl_terminated(res.text, sizeof(res.text)))
			return "unterminated text";
		break;
	case CTL_ERROR:
		if (data[len - 1] != '\0')
			return "unterminated text";
		break;
	case CTL_PEERS:
		if (!ctl_terminated((const char *)data +
		    offsetof(struct peers_req, name), CONF_NAME_MAX))
			return "unterminated name";
		break;
	case CTL_KICK:
		if (!ctl_terminated((const char *)data, CONF_NAME_MAX))
			return "unterminated name";
		break;
	case CTL_PEERS_PAGE:
		return ctl_verify_page(data, len);
	}
	return NULL;
}

const char *
ctl_verify(int from, const struct msg *msg)
{
	const struct ctl_spec	*spec;
	size_t			 len;

	if ((spec = ctl_lookup(msg->hdr.type)) == NULL)
		return "unknown message type";
	if ((spec->from & from) == 0)
		return "message sent in the wrong direction";
	if (msg->fd != -1)
		return "unexpected descriptor";
	len = msg_datalen(msg);
	if (len < spec->minlen)
		return "message too short";
	if (len > spec->maxlen)
		return "message too long";
	if (len == 0)
		return NULL;
	return ctl_verify_payload(msg->hdr.type, msg->data, len);
}
