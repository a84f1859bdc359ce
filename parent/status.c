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

#include <string.h>
#include <time.h>

#include "log.h"
#include "parent.h"
#include "sandbox.h"

/* The parent's view of the daemon, answered to dsvpnctl status. */

void
status_set_state(int state)
{
	if (env->status.state == state)
		return;
	env->status.state = state;
	env->status.state_since = time(NULL);
}

static void
status_fill_conf(struct status_info *st)
{
	st->version = STATUS_VERSION;
	st->role = env->conf.role;
	strlcpy(st->ifname, env->ifname, sizeof(st->ifname));
	inet_ntop(AF_INET, &env->conf.inet_local, st->inet_local,
	    sizeof(st->inet_local));
	inet_ntop(AF_INET, &env->conf.inet_peer, st->inet_peer,
	    sizeof(st->inet_peer));
	st->inet6_local[0] = st->inet6_peer[0] = '\0';
	if (env->conf.inet6) {
		inet_ntop(AF_INET6, &env->conf.inet6_local, st->inet6_local,
		    sizeof(st->inet6_local));
		inet_ntop(AF_INET6, &env->conf.inet6_peer, st->inet6_peer,
		    sizeof(st->inet6_peer));
	}
	strlcpy(st->sandbox, sandbox_name(), sizeof(st->sandbox));
}

void
status_init(void)
{
	memset(&env->status, 0, sizeof(env->status));
	env->status.started = time(NULL);
	status_set_state(env->conf.role == ROLE_CLIENT ? STATE_CONNECTING :
	    STATE_IDLE);
}

void
status_session_up(const struct msg_session *ms)
{
	memcpy(env->status.peer, ms->peer, sizeof(env->status.peer));
	env->status.peer[sizeof(env->status.peer) - 1] = '\0';
	memcpy(env->status.cipher, ms->cipher, sizeof(env->status.cipher));
	env->status.cipher[sizeof(env->status.cipher) - 1] = '\0';
	status_set_state(STATE_UP);
	log_info("session up with %s (%s)", env->status.peer,
	    env->status.cipher);
}

void
status_session_down(const struct msg_session_down *md)
{
	char	 reason[sizeof(md->reason)];

	memcpy(reason, md->reason, sizeof(reason));
	reason[sizeof(reason) - 1] = '\0';
	if (env->status.state == STATE_UP)
		log_info("session with %s down: %s", env->status.peer,
		    reason);
	status_set_state(env->conf.role == ROLE_CLIENT ? STATE_CONNECTING :
	    STATE_IDLE);
}

void
status_reply(uint32_t peerid)
{
	static uint8_t		 buf[sizeof(struct status_info) +
				    MSG_TEXT_MAX];
	struct status_info	*st = (struct status_info *)buf;
	size_t			 textlen;

	memset(buf, 0, sizeof(buf));
	memcpy(st, &env->status, sizeof(*st));
	status_fill_conf(st);
	textlen = strlcpy((char *)buf + sizeof(*st), env->netcfg_text,
	    MSG_TEXT_MAX);
	if (textlen >= MSG_TEXT_MAX)
		textlen = MSG_TEXT_MAX - 1;
	peer_compose(&env->kids[PROC_CONTROL].peer, MSG_CTL_STATUS_REPLY,
	    peerid, -1, buf, sizeof(*st) + textlen + 1);
}
