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
 * The dsvpnctl <-> dsvpnd protocol, spoken on the control socket with
 * the msg.h framing.  dsvpnctl sends CTL_HELLO first; the control
 * process answers with its own CTL_HELLO, or with CTL_ERROR and closes
 * if the versions differ.  Then each request gets exactly one answer:
 * CTL_STATUS_REPLY, CTL_PEERS_PAGE, CTL_RESULT or CTL_ERROR.  A table
 * of clients too long for one message is read page by page: each
 * CTL_PEERS names the first entry it wants, and its answer says where
 * the next page starts (version 2).
 *
 * The peer on the other end is not trusted by the daemon, so every
 * message is checked with ctl_verify() and a bad one ends the
 * connection.  CTL_HELLO keeps type 1 and a leading uint32_t version in
 * every future version, so that any two versions can tell each other
 * apart.
 */
#ifndef DSVPND_CTL_H
#define DSVPND_CTL_H

#include <sys/types.h>
#include <netinet/in.h>
#include <stdint.h>

#include "msgcat.h"

#define CTL_PROTOCOL_VERSION	2

enum ctl_type {
	CTL_NONE = 0,
	CTL_HELLO = 1,		/* uint32_t version; both ways */
	/* dsvpnctl -> dsvpnd */
	CTL_STATUS,		/* none */
	CTL_RELOAD,		/* none; root only */
	CTL_LOG_VERBOSE,	/* int32_t level; root only */
	CTL_PEERS,		/* struct peers_req */
	CTL_KICK,		/* struct msg_name; root only */
	/* dsvpnd -> dsvpnctl */
	CTL_STATUS_REPLY,	/* struct status_info + NUL-terminated text */
	CTL_RESULT,		/* struct msg_result */
	CTL_ERROR,		/* NUL-terminated text */
	CTL_PEERS_PAGE,		/* struct peers_page + entries */
	CTL_TYPE_MAX
};

#define CTL_FROM_CLIENT		0x01
#define CTL_FROM_DAEMON		0x02

#define CTL_ERROR_MAX	256	/* bytes of CTL_ERROR text, NUL too */
#define CTL_VERBOSE_MAX	3	/* log levels: 0 (brief) to 3 */

const char	*ctl_type_name(uint32_t type);
/*
 * NULL if msg is a well-formed message of its type, sent in direction
 * "from" (CTL_FROM_CLIENT or CTL_FROM_DAEMON); otherwise why not.  Text
 * payloads must end in a NUL and no message may carry a descriptor.
 */
const char	*ctl_verify(int from, const struct msg *msg);
/* The same rules for a page of the peer table, from any sender. */
const char	*ctl_verify_page(const uint8_t *data, size_t len);

#endif /* DSVPND_CTL_H */
