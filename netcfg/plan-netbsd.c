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
 * NetBSD plans.  A server gets addresses and forwarding; NAT (npf) is
 * not automatic.  A client gets the BSD routes.  NetBSD's sysctl wants
 * -w, which plan_sysctl() knows.
 */
#include "compat.h"

#include "plan.h"

void
plan_render_netbsd(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	if (req->role == ROLE_SERVER)
		plan_bsd_forwarding(p, req, f);
	plan_bsd_addrs(p, req);
	if (req->role == ROLE_CLIENT)
		plan_bsd_client_routes(p, req, f);
}
