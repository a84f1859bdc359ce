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
 * The checks a server's client blocks need once the whole file is read:
 * unique names and keys, and addresses and routes that never overlap
 * between clients or with the server's own, so that every tunnel
 * packet has exactly one owner; and pools large enough for the clients
 * that take their addresses from them.  Sorting keeps each check
 * O(n log n) for tens of thousands of clients.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "confcheck.h"
#include "log.h"

struct owned {
	struct conf_prefix	 p;
	const char		*owner;	/* client name, NULL: the server */
	const char		*where;
};

static void
report(confcheck_err_fn err, const char *where, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err(where, msg);
}

static int
prefix_bits(const struct conf_prefix *p)
{
	return p->af == AF_INET ? 32 : 128;
}

/* Does a contain b (a equal to b included)? */
int
prefix_contains(const struct conf_prefix *a, const struct conf_prefix *b)
{
	const uint8_t	*x = (const uint8_t *)&a->addr;
	const uint8_t	*y = (const uint8_t *)&b->addr;
	unsigned int	 full, rest;

	if (a->af != b->af || a->plen > b->plen)
		return 0;
	full = a->plen / 8;
	rest = a->plen % 8;
	if (memcmp(x, y, full) != 0)
		return 0;
	return rest == 0 || ((x[full] ^ y[full]) & (0xff00 >> rest)) == 0;
}

void
prefix_host(struct conf_prefix *p, int af, const void *addr)
{
	memset(p, 0, sizeof(*p));
	p->af = af;
	p->plen = af == AF_INET ? 32 : 128;
	memcpy(&p->addr, addr, af == AF_INET ? 4 : 16);
}

const char *
prefix_str(const struct conf_prefix *p, char *buf, size_t len)
{
	char	 a[INET6_ADDRSTRLEN];

	if (inet_ntop(p->af, &p->addr, a, sizeof(a)) == NULL)
		strlcpy(a, "?", sizeof(a));
	if (p->plen == prefix_bits(p))
		strlcpy(buf, a, len);
	else
		snprintf(buf, len, "%s/%u", a, p->plen);
	return buf;
}

static int
owned_cmp(const void *va, const void *vb)
{
	const struct owned	*a = va, *b = vb;
	int			 r;

	if (a->p.af != b->p.af)
		return a->p.af < b->p.af ? -1 : 1;
	if ((r = memcmp(&a->p.addr, &b->p.addr, a->p.af == AF_INET ?
	    4 : 16)) != 0)
		return r;
	return a->p.plen < b->p.plen ? -1 : a->p.plen > b->p.plen;
}

static const char *
owner_name(const struct owned *o, char *buf, size_t len)
{
	if (o->owner == NULL)
		strlcpy(buf, "the server's own address", len);
	else
		snprintf(buf, len, "client \"%s\"", o->owner);
	return buf;
}

/*
 * Sorted by address, then length, a prefix overlaps an earlier one
 * exactly when one of the prefixes still open on the stack contains
 * it; only the innermost need be checked, as they nest.
 */
static int
overlap_sweep(struct owned *v, size_t n, confcheck_err_fn err)
{
	struct owned	*stack[129];
	char		 a[64], b[64], oa[CONF_NAME_MAX + 32];
	size_t		 i, depth = 0;
	int		 errors = 0;

	qsort(v, n, sizeof(*v), owned_cmp);
	for (i = 0; i < n; i++) {
		while (depth > 0 && !prefix_contains(&stack[depth - 1]->p,
		    &v[i].p))
			depth--;
		if (depth > 0 && (stack[depth - 1]->owner == NULL ||
		    v[i].owner == NULL ||
		    strcmp(stack[depth - 1]->owner, v[i].owner) != 0)) {
			report(err, v[i].where, "%s overlaps %s of %s (%s)",
			    prefix_str(&v[i].p, a, sizeof(a)),
			    prefix_str(&stack[depth - 1]->p, b, sizeof(b)),
			    owner_name(stack[depth - 1], oa, sizeof(oa)),
			    stack[depth - 1]->where);
			errors++;
			continue;
		}
		if (depth < nitems(stack))
			stack[depth++] = &v[i];
	}
	return errors;
}

static void
owned_add(struct owned *v, size_t *n, const struct conf_prefix *p,
    const char *owner, const char *where)
{
	v[*n].p = *p;
	v[*n].owner = owner;
	v[*n].where = where;
	(*n)++;
}

/* Fixed addresses and routes of every client, and the server's own. */
static int
check_overlaps(const struct conf *c, const struct conf_clients *cl,
    const char *srvwhere, confcheck_err_fn err)
{
	struct owned		*v;
	struct conf_prefix	 p;
	size_t			 i, n = 0, max = 2;
	unsigned int		 j;
	int			 errors;

	for (i = 0; i < cl->n; i++)
		max += 2 + cl->v[i].n_routes;
	if ((v = calloc(max, sizeof(*v))) == NULL)
		fatal("%s", __func__);
	prefix_host(&p, AF_INET, &c->inet_local);
	owned_add(v, &n, &p, NULL, srvwhere);
	if (c->inet6) {
		prefix_host(&p, AF_INET6, &c->inet6_local);
		owned_add(v, &n, &p, NULL, srvwhere);
	}
	for (i = 0; i < cl->n; i++) {
		if (cl->v[i].fixed4) {
			prefix_host(&p, AF_INET, &cl->v[i].inet);
			owned_add(v, &n, &p, cl->v[i].name, cl->v[i].where);
		}
		if (cl->v[i].fixed6) {
			prefix_host(&p, AF_INET6, &cl->v[i].inet6);
			owned_add(v, &n, &p, cl->v[i].name, cl->v[i].where);
		}
		for (j = 0; j < cl->v[i].n_routes; j++)
			owned_add(v, &n, &cl->v[i].routes[j], cl->v[i].name,
			    cl->v[i].where);
	}
	errors = overlap_sweep(v, n, err);
	free(v);
	return errors;
}

static int
name_cmp(const void *va, const void *vb)
{
	const struct conf_client *const	*a = va, *const *b = vb;

	return strcmp((*a)->name, (*b)->name);
}

static int
check_names(const struct conf_clients *cl, confcheck_err_fn err)
{
	const struct conf_client	**v;
	size_t				 i;
	int				 errors = 0;

	if (cl->n < 2)
		return 0;
	if ((v = calloc(cl->n, sizeof(*v))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < cl->n; i++)
		v[i] = &cl->v[i];
	qsort(v, cl->n, sizeof(*v), name_cmp);
	for (i = 1; i < cl->n; i++)
		if (strcmp(v[i - 1]->name, v[i]->name) == 0) {
			report(err, v[i]->where, "client \"%s\" is already "
			    "defined at %s", v[i]->name, v[i - 1]->where);
			errors++;
		}
	free(v);
	return errors;
}

/* A route of a client inside a pool would take pool addresses. */
static int
check_routes_vs_pool(const struct conf_clients *cl,
    const struct conf_prefix *pool, const char *poolwhere,
    confcheck_err_fn err)
{
	char		 a[64], b[64];
	size_t		 i;
	unsigned int	 j;
	int		 errors = 0;

	if (pool->af == 0)
		return 0;
	for (i = 0; i < cl->n; i++)
		for (j = 0; j < cl->v[i].n_routes; j++) {
			const struct conf_prefix *r = &cl->v[i].routes[j];

			if (!prefix_contains(pool, r) &&
			    !prefix_contains(r, pool))
				continue;
			report(err, cl->v[i].where, "client \"%s\": route %s "
			    "overlaps pool %s (%s)", cl->v[i].name,
			    prefix_str(r, a, sizeof(a)),
			    prefix_str(pool, b, sizeof(b)), poolwhere);
			errors++;
		}
	return errors;
}

/* Addresses a pool can hand out: less network and broadcast (IPv4),
 * the subnet-router anycast address (IPv6), and the server's. */
uint64_t
pool_capacity(const struct conf_prefix *pool)
{
	unsigned int	 hostbits = prefix_bits(pool) - pool->plen;

	if (hostbits >= 63)
		return UINT64_MAX;
	return ((uint64_t)1 << hostbits) - (pool->af == AF_INET ? 2 : 1) -
	    1;
}

static int
check_pool(const struct conf_clients *cl, const struct conf_prefix *pool,
    const char *poolwhere, confcheck_err_fn err)
{
	struct conf_prefix	 p;
	char			 a[64], b[64];
	uint64_t		 want = 0, fixed = 0, cap;
	size_t			 i;
	int			 v4 = pool->af == AF_INET, errors = 0;

	for (i = 0; i < cl->n; i++) {
		const struct conf_client *c = &cl->v[i];

		if (!(v4 ? c->fixed4 : c->fixed6)) {
			want++;
			continue;
		}
		if (pool->af == 0)
			continue;
		prefix_host(&p, pool->af, v4 ? (void *)&c->inet :
		    (void *)&c->inet6);
		if (!prefix_contains(pool, &p)) {
			report(err, c->where, "client \"%s\": %s is outside "
			    "pool %s", c->name, prefix_str(&p, a, sizeof(a)),
			    prefix_str(pool, b, sizeof(b)));
			errors++;
		} else if (!pool_usable(pool, &p)) {
			report(err, c->where, "client \"%s\": %s is the "
			    "pool's %s address", c->name,
			    prefix_str(&p, a, sizeof(a)),
			    v4 ? "network or broadcast" : "subnet-router");
			errors++;
		} else
			fixed++;
	}
	if (pool->af == 0 || want == 0)
		return errors;
	cap = pool_capacity(pool);
	if (cap < fixed || cap - fixed < want) {
		report(err, poolwhere, "pool %s is too small: %llu clients "
		    "need an address from it, it has %llu free",
		    prefix_str(pool, a, sizeof(a)), (unsigned long long)want,
		    (unsigned long long)(cap < fixed ? 0 : cap - fixed));
		errors++;
	}
	return errors;
}

/* Not the network, broadcast or subnet-router anycast address. */
int
pool_usable(const struct conf_prefix *pool, const struct conf_prefix *a)
{
	const uint8_t	*b = (const uint8_t *)&a->addr;
	unsigned int	 i, bits = prefix_bits(pool);
	int		 zeros = 1, ones = 1, bit;

	for (i = pool->plen; i < bits; i++) {
		bit = (b[i / 8] >> (7 - i % 8)) & 1;
		zeros &= !bit;
		ones &= bit;
	}
	return !zeros && (pool->af != AF_INET || !ones);
}

struct keyhash {
	uint8_t			 h[16];
	const struct conf_client *c;
};

static int
keyhash_cmp(const void *va, const void *vb)
{
	const struct keyhash	*a = va, *b = vb;

	return memcmp(a->h, b->h, sizeof(a->h));
}

/*
 * Two clients with one key could each take the other's session (and
 * addresses): refused.  Keys are compared by a hash, so no key lingers
 * in the sorted table.
 */
static int
check_keys(const struct conf_clients *cl, confcheck_err_fn err_fn)
{
	struct keyhash	*v;
	struct conf_key	 key;
	char		 err[CONF_KEY_ERR_MAX];
	size_t		 i, n = 0;
	int		 errors = 0;

	if ((v = calloc(cl->n + 1, sizeof(*v))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < cl->n; i++) {
		if (cl->v[i].keyfile == NULL ||
		    load_key(cl->v[i].keyfile, &key, err, sizeof(err)) == -1) {
			if (cl->v[i].keyfile != NULL)
				report(err_fn, cl->v[i].where, "%s", err);
			continue;
		}
		/* The file's bytes decide: two text keys of one passphrase
		 * are one key whatever the KDF makes of them. */
		crypto_generichash(v[n].h, sizeof(v[n].h), key.raw,
		    sizeof(key.raw), NULL, 0);
		v[n++].c = &cl->v[i];
	}
	sodium_memzero(&key, sizeof(key));
	qsort(v, n, sizeof(*v), keyhash_cmp);
	for (i = 1; i < n; i++)
		if (memcmp(v[i - 1].h, v[i].h, sizeof(v[i].h)) == 0) {
			report(err_fn, v[i].c->where, "client \"%s\" has the "
			    "same key as client \"%s\" (%s): each client "
			    "needs a key of its own", v[i].c->name,
			    v[i - 1].c->name, v[i - 1].c->where);
			errors++;
		}
	free(v);
	return errors;
}

int
conf_check_clients(const struct conf *c, const struct conf_clients *cl,
    const struct confcheck_where *w, confcheck_err_fn err)
{
	int	 errors;

	errors = check_names(cl, err);
	errors += check_overlaps(c, cl, w->server, err);
	errors += check_routes_vs_pool(cl, &c->pool4, w->pool4, err);
	errors += check_routes_vs_pool(cl, &c->pool6, w->pool6, err);
	errors += check_pool(cl, &c->pool4, w->pool4, err);
	if (c->inet6)
		errors += check_pool(cl, &c->pool6, w->pool6, err);
	if (errors == 0)
		errors += check_keys(cl, err);
	return errors;
}
