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
 * dsvpnd -nv, after the configuration: what its instance is called in
 * the system, as comments so that the output still parses.  Its own
 * file: it needs nothing of the running daemon (the config regress
 * driver links it alone).
 */
#include "compat.h"

#include <limits.h>
#include <stdio.h>

#include "conf.h"
#include "parent.h"

void
show_instance(const struct conf *conf)
{
	struct instance_names	 n;
	char			 pid[PATH_MAX], state[PATH_MAX];

	if (instance_names(conf->instance, conf->instance_id, &n) == -1)
		return;
	if (instance_beside(conf->control_socket, ".pid", pid,
	    sizeof(pid)) == -1 || instance_beside(conf->control_socket,
	    ".netcfg", state, sizeof(state)) == -1)
		return;
	printf("\n# instance %s, id %u, puts these names into the system:\n",
	    n.name, n.id);
	printf("#   nft table inet %s; pf anchor %s\n", n.base, n.base);
	printf("#   iptables chains %s %s %s %s %s\n", n.chain_raw,
	    n.chain_fwd, n.chain_nat, n.chain_out, n.chain_in);
	printf("#   routing table %u, fwmark %u, rule priorities %u %u %u\n",
	    n.table, n.fwmark, n.pref_uid, n.pref_suppress, n.pref_fwmark);
	printf("#   control socket %s\n#   pid file %s\n#   state file %s\n",
	    conf->control_socket, pid, state);
}

