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

#include "dgram.h"
#include "log.h"
#include "pmtu.h"
#include "tunnel.h"

#define UDP_HDR		8

static uint8_t	 probe_buf[PMTU_MAX];

/* The outer family: IPv4 also for a dual-stack socket's mapped peer. */
static int
pmtu_is_v4(const struct dp_conn *c, int fd)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len = sizeof(ss);

	if (c->tolen > 0)
		memcpy(&ss, &c->to, sizeof(ss));
	else if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET)
		return 1;
	return ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr);
}

/* A connected socket knows its route's MTU; a server's does not. */
static size_t
pmtu_ceiling(int fd, int v4, int server)
{
	int		 mtu = 1500;
	socklen_t	 len = sizeof(mtu);

#if defined(IP_MTU) && defined(IPV6_MTU)
	if (!server && getsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6,
	    v4 ? IP_MTU : IPV6_MTU, &mtu, &len) == -1)
		mtu = 1500;
#endif
	if (mtu < PMTU_BASE)
		mtu = PMTU_BASE;
	if (mtu > PMTU_MAX)
		mtu = PMTU_MAX;
	return mtu;
}

static void
pmtu_apply(struct pmtu *pm, struct dp_conn *c)
{
	c->max_payload = pm->plpmtu - pm->overhead;
	if (pm->report && pm->plpmtu != pm->reported) {
		pm->reported = pm->plpmtu;
		tunnel_path_mtu(pm->plpmtu, pm->plpmtu - pm->overhead);
	}
}

void
pmtu_init(struct pmtu *pm, struct dp_conn *c, int fd, int server)
{
	int	 v4 = pmtu_is_v4(c, fd);

	memset(pm, 0, sizeof(*pm));
	pm->report = !server;
	pm->overhead = (v4 ? 20 : 40) + UDP_HDR + DGRAM_OVERHEAD;
	pm->ceiling = pmtu_ceiling(fd, v4, server);
	pm->plpmtu = pm->lo = PMTU_BASE;
	pm->hi = pm->ceiling;
	pm->timeout_ms = PMTU_PROBE_MS;
	c->max_payload = pm->plpmtu - pm->overhead;
}

static size_t
pmtu_mid(const struct pmtu *pm)
{
	return pm->lo + (pm->hi - pm->lo + 1) / 2;
}

/* A search from lo (which works) up to hi, the top first. */
static void
pmtu_search(struct pmtu *pm, size_t hi, uint64_t now)
{
	pm->searching = 1;
	pm->top_first = 1;
	pm->lo = pm->plpmtu;
	pm->hi = hi;
	pm->probing = 0;
	pm->tries = 0;
	pm->next = now;
	if (pm->hi < pm->lo + PMTU_STEP)
		pm->searching = 0;
}

void
pmtu_start(struct pmtu *pm, struct dp_conn *c, uint64_t now)
{
	pmtu_apply(pm, c);
	pmtu_search(pm, pm->ceiling, now);
	pm->raise_at = now + PMTU_RAISE_MS;
}

static void
pmtu_done(struct pmtu *pm, uint64_t now)
{
	pm->searching = 0;
	pm->raise_at = now + (pm->plpmtu + PMTU_STEP <= pm->ceiling ?
	    PMTU_RESEARCH_MS : PMTU_RAISE_MS);
	pm->next = now + PMTU_CONFIRM_MS;
	log_debug("path mtu %zu", pm->plpmtu);
}

/* The path dropped below what was confirmed: the base at once. */
static void
pmtu_black_hole(struct pmtu *pm, struct dp_conn *c, size_t bad,
    uint64_t now)
{
	pm->black_holes++;
	log_ratelimited(log_info, "path mtu %zu no longer works: searching "
	    "again from %d", pm->plpmtu, PMTU_BASE);
	pm->plpmtu = PMTU_BASE;
	pmtu_apply(pm, c);
	pmtu_search(pm, bad > PMTU_BASE ? bad - 1 : PMTU_BASE, now);
	if (!pm->searching)
		pmtu_done(pm, now);
}

static void
pmtu_lost(struct pmtu *pm, struct dp_conn *c, uint64_t now)
{
	size_t	 size = pm->probing;

	if (size == 0)
		return;
	log_debug("pmtu: probe %zu lost", size);
	pm->probing = 0;
	if (++pm->tries < PMTU_TRIES) {
		pm->next = now;
		return;
	}
	pm->tries = 0;
	if (!pm->searching) {
		pmtu_black_hole(pm, c, size, now);
		return;
	}
	pm->hi = size - 1;
	pm->top_first = 0;
	pm->next = now;
	if (pm->hi < pm->lo + PMTU_STEP)
		pmtu_done(pm, now);
}

void
pmtu_ack(struct pmtu *pm, struct dp_conn *c, uint32_t id, size_t len,
    uint64_t now)
{
	size_t		 size = len + (pm->overhead - DGRAM_OVERHEAD);
	uint64_t	 rtt;

	if (pm->probing == 0 || id != pm->probe_id || size != pm->probing)
		return;
	rtt = now - pm->sent_at;
	pm->timeout_ms = 4 * rtt + 50;
	if (pm->timeout_ms < PMTU_PROBE_MIN_MS)
		pm->timeout_ms = PMTU_PROBE_MIN_MS;
	if (pm->timeout_ms > PMTU_PROBE_MAX_MS)
		pm->timeout_ms = PMTU_PROBE_MAX_MS;
	pm->probing = 0;
	pm->tries = 0;
	log_debug("pmtu: probe %zu acked in %llu ms", size,
	    (unsigned long long)rtt);
	if (!pm->searching) {
		pm->next = now + PMTU_CONFIRM_MS;
		return;
	}
	pm->lo = pm->plpmtu = size;
	pmtu_apply(pm, c);
	pm->next = now;
	if (pm->hi < pm->lo + PMTU_STEP)
		pmtu_done(pm, now);
}

static void
pmtu_send(struct pmtu *pm, struct dp_conn *c, uint64_t now)
{
	struct dgram	*d = sproto_dgram_of(&c->sp);
	size_t		 size, n;

	size = !pm->searching ? pm->plpmtu : pm->top_first ? pm->hi :
	    pmtu_mid(pm);
	if (size > pm->ceiling || size < PMTU_BASE)
		return;
	if (d == NULL || (n = dgram_seal_probe(d, probe_buf,
	    size - (pm->overhead - DGRAM_OVERHEAD), now,
	    &pm->probe_id)) == 0)
		return;
	pm->probes++;
	log_debug("pmtu: probe %zu (%zu..%zu%s)", size, pm->lo, pm->hi,
	    pm->searching ? "" : ", confirming");
	pm->probing = size;
	pm->sent_at = now;
	pm->next = now + pm->timeout_ms;
	if (dp_dgram_send(c, probe_buf, n) == -1) {
		/* Beyond the interface: no use trying again. */
		pm->tries = PMTU_TRIES - 1;
		pmtu_lost(pm, c, now);
	}
}

void
pmtu_tick(struct pmtu *pm, struct dp_conn *c, uint64_t now,
    uint64_t *next)
{
	if (pm->probing != 0 && now >= pm->next)
		pmtu_lost(pm, c, now);
	if (!pm->searching && pm->probing == 0 && now >= pm->raise_at &&
	    pm->plpmtu + PMTU_STEP <= pm->ceiling) {
		pm->raise_at = now + PMTU_RAISE_MS;
		pmtu_search(pm, pm->ceiling, now);
	}
	/* At the base there is nothing to confirm: lower is not allowed. */
	if (pm->probing == 0 && now >= pm->next &&
	    (pm->searching || pm->plpmtu > PMTU_BASE))
		pmtu_send(pm, c, now);
	else if (pm->probing == 0 && now >= pm->next)
		pm->next = now + PMTU_CONFIRM_MS;
	if (pm->next < *next)
		*next = pm->next;
}

void
pmtu_too_big(struct pmtu *pm, struct dp_conn *c, size_t len, uint64_t now)
{
	size_t	 outer = len + (pm->overhead - DGRAM_OVERHEAD);

	if (outer <= pm->plpmtu && pm->plpmtu > PMTU_BASE)
		pmtu_black_hole(pm, c, outer, now);
}
