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
 * What a server's tunnel sizes from the number of its clients, once,
 * when it locks itself in (the sandbox allows no new limit later): its
 * descriptor budget and its replay cache.
 */
#include "compat.h"

#include <sys/types.h>

#include <stdint.h>

#include "log.h"
#include "proto.h"
#include "sandbox.h"
#include "tunnel.h"

/* Listeners, the pending table, TUN, channel, and a few sessions: the
 * budget of a client and of a single-key server. */
#define BUDGET_FD_BASE		1024
#define BUDGET_REPLAY_PER	4	/* hellos remembered per client */
#define BUDGET_REPLAY_MAX	(1UL << 22)

/*
 * One descriptor a session (a client holds at most one; a newer one
 * replaces it), a quarter more for clients that reloads add, and the
 * base.
 */
unsigned long
budget_nofile(uint32_t clients)
{
	return BUDGET_FD_BASE + clients + clients / 4;
}

/*
 * Room for every client's hello a few times over, so that a restart
 * that reconnects all clients at once evicts nothing: the cache's
 * floor (doc/PROTOCOL.md, "Replay cache") then never rises during the
 * burst, and no client is refused for a clock a little behind the
 * others, however fast the handshakes come.
 */
size_t
budget_replay(uint32_t clients)
{
	unsigned long	 cap = (unsigned long)clients * BUDGET_REPLAY_PER;

	if (cap < PROTO_DEF_REPLAY_CAP)
		return PROTO_DEF_REPLAY_CAP;
	return cap > BUDGET_REPLAY_MAX ? BUDGET_REPLAY_MAX : cap;
}

/* A reload past the budget fixed at the start is said once. */
void
budget_check(uint32_t clients)
{
	static uint32_t	 warned;

	if (budget_nofile(clients) - clients / 4 <= sandbox_nofile() ||
	    clients <= warned)
		return;
	warned = clients;
	log_warnx("%u clients, but this tunnel process may hold only %lu "
	    "descriptors, set at its start: restart dsvpnd before that "
	    "many sessions come up", clients, sandbox_nofile());
}
