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
 * Plans as data: building argv lists, printing them in the one text
 * format the regress goldens and "dsvpnd -nv" share, and choosing the
 * renderer for an OS.
 */
#include "compat.h"

#include <arpa/inet.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static const char *os_names[NETCFG_OS_COUNT] = {
	"linux-nft", "linux-iptables", "openbsd", "macos", "freebsd",
	"dragonfly", "netbsd"
};

struct argv *
argv_new(const char *arg0, ...)
{
	struct argv	*a;
	va_list		 ap;
	const char	*s;
	size_t		 n = 0, i;

	va_start(ap, arg0);
	for (s = arg0; s != NULL; s = va_arg(ap, const char *))
		n++;
	va_end(ap);
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return (NULL);
	if ((a->v = calloc(n + 1, sizeof(char *))) == NULL) {
		free(a);
		return (NULL);
	}
	a->n = n;
	va_start(ap, arg0);
	for (i = 0, s = arg0; s != NULL; s = va_arg(ap, const char *), i++)
		if ((a->v[i] = strdup(s)) == NULL)
			break;
	va_end(ap);
	if (i != n) {
		argv_free(a);
		return (NULL);
	}
	return (a);
}

/* An argv of the words of v, up to its NULL. */
struct argv *
argv_from(const char *const *v)
{
	struct argv	*a;
	size_t		 n, i;

	for (n = 0; v[n] != NULL; n++)
		;
	if (n == 0 || (a = calloc(1, sizeof(*a))) == NULL)
		return (NULL);
	if ((a->v = calloc(n + 1, sizeof(char *))) == NULL) {
		free(a);
		return (NULL);
	}
	a->n = n;
	for (i = 0; i < n; i++)
		if ((a->v[i] = strdup(v[i])) == NULL) {
			argv_free(a);
			return (NULL);
		}
	return (a);
}

/* A copy of a with the first word equal to from replaced by to. */
struct argv *
argv_swap(const struct argv *a, const char *from, const char *to)
{
	struct argv	*b;
	size_t		 i;
	int		 done = 0;

	if (a == NULL || (b = calloc(1, sizeof(*b))) == NULL)
		return (NULL);
	if ((b->v = calloc(a->n + 1, sizeof(char *))) == NULL) {
		free(b);
		return (NULL);
	}
	b->n = a->n;
	for (i = 0; i < a->n; i++) {
		if (!done && strcmp(a->v[i], from) == 0) {
			b->v[i] = strdup(to);
			done = 1;
		} else
			b->v[i] = strdup(a->v[i]);
		if (b->v[i] == NULL) {
			argv_free(b);
			return (NULL);
		}
	}
	return (b);
}

int
argv_input(struct argv *a, const char *input)
{
	if (a == NULL || (a->input = strdup(input)) == NULL)
		return (-1);
	return (0);
}

void
argv_free(struct argv *a)
{
	size_t	 i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	free(a->input);
	free(a);
}

static void
plan_push(struct plan *p, struct argv *apply, struct argv *undo)
{
	struct step	*s;
	size_t		 cap;

	if (p->n == p->cap) {
		cap = p->cap ? p->cap * 2 : 16;
		s = reallocarray(p->steps, cap, sizeof(*s));
		if (s == NULL) {
			p->failed = 1;
			argv_free(apply);
			argv_free(undo);
			return;
		}
		p->steps = s;
		p->cap = cap;
	}
	memset(&p->steps[p->n], 0, sizeof(p->steps[p->n]));
	p->steps[p->n].apply = apply;
	p->steps[p->n].undo = undo;
	p->n++;
}

/* Takes ownership of both; a NULL (allocation failure) fails the plan. */
void
plan_add(struct plan *p, struct argv *apply, struct argv *undo)
{
	if (apply == NULL || undo == NULL || p->failed) {
		p->failed = 1;
		argv_free(apply);
		argv_free(undo);
		return;
	}
	plan_push(p, apply, undo);
}

/* Nothing to apply now; undone at revert (the parent's new unit). */
void
plan_add_undo(struct plan *p, struct argv *undo)
{
	if (undo == NULL || p->failed) {
		p->failed = 1;
		argv_free(undo);
		return;
	}
	plan_push(p, NULL, undo);
}

void
plan_key(struct plan *p, const char *kind, const char *what)
{
	if (p->failed || p->n == 0)
		return;
	snprintf(p->steps[p->n - 1].key, sizeof(p->steps[p->n - 1].key),
	    "%s %s", kind, what);
}

void
plan_add_resource(struct plan *p, const char *res, struct argv *apply,
    struct text *t, struct argv *undo)
{
	if (apply != NULL && (t->failed || argv_input(apply, t->buf) == -1)) {
		argv_free(apply);
		apply = NULL;
	}
	text_free(t);
	plan_add(p, apply, undo);
	if (!p->failed)
		p->steps[p->n - 1].res = res;
}

void
text_init(struct text *t)
{
	t->len = 0;
	t->failed = (t->buf = malloc(PLAN_TEXT_MAX)) == NULL;
	if (!t->failed)
		t->buf[0] = '\0';
}

void
text_add(struct text *t, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (t->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, PLAN_TEXT_MAX - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= PLAN_TEXT_MAX - t->len)
		t->failed = 1;
	else
		t->len += n;
}

void
text_free(struct text *t)
{
	free(t->buf);
	t->buf = NULL;
	t->failed = 1;
}

/* The usual step: undone by the same command with one word changed. */
void
plan_add_swap(struct plan *p, struct argv *apply, const char *from,
    const char *to)
{
	plan_add(p, apply, argv_swap(apply, from, to));
}

const struct step *
plan_step(const struct plan *p, size_t i)
{
	return (i < p->n ? &p->steps[i] : NULL);
}

/* Steps from on are nice to have: if one fails, the plan goes on. */
void
plan_soft(struct plan *p, size_t from)
{
	for (; from < p->n; from++)
		p->steps[from].soft = 1;
}

size_t
plan_nsteps(const struct plan *p)
{
	return (p == NULL ? 0 : p->n);
}

void
plan_free(struct plan *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		argv_free(p->steps[i].apply);
		argv_free(p->steps[i].undo);
	}
	free(p->steps);
	free(p);
}

static int
word_safe(const char *w)
{
	if (*w == '\0')
		return (0);
	for (; *w != '\0'; w++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,:/=@%+!-", *w)
		    == NULL)
			return (0);
	return (1);
}

/* One line, words quoted like sh(1) would need, for logs and goldens. */
int
argv_format(char *buf, size_t len, const struct argv *a)
{
	size_t	 i;
	char	*q;

	if (len == 0)
		return (-1);
	buf[0] = '\0';
	for (i = 0; i < a->n; i++) {
		if (i > 0)
			strlcat(buf, " ", len);
		if (word_safe(a->v[i])) {
			strlcat(buf, a->v[i], len);
			continue;
		}
		strlcat(buf, "'", len);
		for (q = a->v[i]; *q != '\0'; q++) {
			if (*q == '\'')
				strlcat(buf, "'\\''", len);
			else
				strlcat(buf, (char[2]){ *q, '\0' }, len);
		}
		if (strlcat(buf, "'", len) >= len)
			return (-1);
	}
	return (strlen(buf) + 1 >= len ? -1 : 0);
}

/* The argv, then what goes to its stdin, each line after "  | ". */
void
argv_print(FILE *fp, const struct argv *a)
{
	char		 line[4096];
	const char	*s, *e;

	if (argv_format(line, sizeof(line), a) == -1)
		strlcpy(line, "(too long)", sizeof(line));
	fprintf(fp, "%s\n", line);
	for (s = a->input; s != NULL && *s != '\0'; s = e + 1) {
		if ((e = strchr(s, '\n')) == NULL)
			e = s + strlen(s);
		fprintf(fp, "  | %.*s\n", (int)(e - s), s);
		if (*e == '\0')
			break;
	}
}

/* Apply order, or revert order: each step's undo, last step first. */
void
plan_print(FILE *fp, const struct plan *p, int revert)
{
	size_t	 i;

	for (i = 0; i < p->n; i++) {
		if (revert)
			argv_print(fp, p->steps[p->n - 1 - i].undo);
		else if (p->steps[i].apply != NULL)
			argv_print(fp, p->steps[i].apply);
	}
}

const char *
fmt_in(char *buf, size_t len, const struct in_addr *in)
{
	if (inet_ntop(AF_INET, in, buf, len) == NULL)
		strlcpy(buf, "?", len);
	return (buf);
}

const char *
fmt_in6(char *buf, size_t len, const struct in6_addr *in6)
{
	if (inet_ntop(AF_INET6, in6, buf, len) == NULL)
		strlcpy(buf, "?", len);
	return (buf);
}

/* The address of a prefix, without its length. */
const char *
fmt_addr(char *buf, size_t len, const struct conf_prefix *pf)
{
	if (pf->af == AF_INET6)
		return (fmt_in6(buf, len, &pf->addr.v6));
	return (fmt_in(buf, len, &pf->addr.v4));
}

const char *
fmt_gw(char *buf, size_t len, const struct conf_prefix *gw,
    const char *scope)
{
	char	 a[INET6_ADDRSTRLEN];

	fmt_addr(a, sizeof(a), gw);
	if (scope != NULL && scope[0] != '\0')
		snprintf(buf, len, "%s%%%s", a, scope);
	else
		strlcpy(buf, a, len);
	return (buf);
}

const char *
fmt_u(char *buf, size_t len, uint32_t n)
{
	snprintf(buf, len, "%u", n);
	return (buf);
}

const char *
fmt_prefix(char *buf, size_t len, const struct conf_prefix *pf)
{
	char	 a[INET6_ADDRSTRLEN];

	fmt_addr(a, sizeof(a), pf);
	snprintf(buf, len, "%s/%u", a, pf->plen);
	return (buf);
}

int
plan_is_linux(enum netcfg_os os)
{
	return (os == NETCFG_OS_LINUX_NFT || os == NETCFG_OS_LINUX_IPTABLES);
}

const char *
plan_sysctl_path(enum netcfg_os os)
{
	if (plan_is_linux(os))
		return (LINUX_PATH_SYSCTL);
	if (os == NETCFG_OS_MACOS)
		return (MACOS_PATH_SYSCTL);
	return (BSD_PATH_SYSCTL);
}

/*
 * Sets name to value, restoring old on undo.  Nothing to do when it
 * already has the value.  OpenBSD, FreeBSD and DragonFly take a bare
 * name=value; the others want -w.
 */
void
plan_sysctl(struct plan *p, const char *name, const char *value,
    const char *old)
{
	char		 set[256], back[256];
	const char	*path = plan_sysctl_path(p->os);
	int		 bare;

	if (old[0] == '\0') {
		p->failed = 1;		/* discovery must read it first */
		return;
	}
	if (strcmp(old, value) == 0)
		return;
	bare = p->os == NETCFG_OS_OPENBSD || p->os == NETCFG_OS_FREEBSD ||
	    p->os == NETCFG_OS_DRAGONFLY;
	snprintf(set, sizeof(set), "%s=%s", name, value);
	snprintf(back, sizeof(back), "%s=%s", name, old);
	if (bare)
		plan_add(p, argv_new(path, set, NULL),
		    argv_new(path, back, NULL));
	else
		plan_add(p, argv_new(path, "-w", set, NULL),
		    argv_new(path, "-w", back, NULL));
}

const char *
netcfg_os_name(enum netcfg_os os)
{
	if ((unsigned int)os >= NETCFG_OS_COUNT)
		return ("unknown");
	return (os_names[os]);
}

int
netcfg_os_from_name(const char *name, enum netcfg_os *os)
{
	int	 i;

	for (i = 0; i < NETCFG_OS_COUNT; i++)
		if (strcmp(name, os_names[i]) == 0) {
			*os = i;
			return (0);
		}
	return (-1);
}

enum netcfg_os
netcfg_host_os(void)
{
#if defined(__OpenBSD__)
	return (NETCFG_OS_OPENBSD);
#elif defined(__APPLE__)
	return (NETCFG_OS_MACOS);
#elif defined(__DragonFly__)
	return (NETCFG_OS_DRAGONFLY);
#elif defined(__FreeBSD__)
	return (NETCFG_OS_FREEBSD);
#elif defined(__NetBSD__)
	return (NETCFG_OS_NETBSD);
#else
	return (NETCFG_OS_LINUX_NFT);
#endif
}

/* Renders nothing for a request that does not validate. */
struct plan *
plan_render(const struct netcfg_req *req, enum netcfg_os os,
    const struct netcfg_facts *facts)
{
	struct plan	*p;

	if (netcfg_req_validate(req) != NULL ||
	    (unsigned int)os >= NETCFG_OS_COUNT)
		return (NULL);
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (NULL);
	p->os = os;
	if (instance_names(req->instance, req->instance_id, &p->names) == -1)
		p->failed = 1;
	switch (os) {
	case NETCFG_OS_LINUX_NFT:
	case NETCFG_OS_LINUX_IPTABLES:
		plan_render_linux(p, req, facts);
		break;
	case NETCFG_OS_OPENBSD:
		plan_render_openbsd(p, req, facts);
		break;
	default:
		/* macOS, FreeBSD, DragonFly, NetBSD. */
		plan_render_bsd(p, req, facts);
		break;
	}
	if (p->failed || p->n > NETCFG_MAX_STEPS) {
		plan_free(p);
		return (NULL);
	}
	return (p);
}

/* Calls fn for each source the server masquerades: the client's address
 * (bare) or the pool, and the networks behind clients (prefixes). */
void
plan_nat_sources(const struct netcfg_req *req, int af,
    void (*fn)(void *, const char *), void *arg)
{
	char				 a[PLAN_ADDRSTRLEN];
	const struct conf_prefix	*pool;
	uint32_t			 i;

	pool = af == AF_INET ? &req->pool4 : &req->pool6;
	if (pool->af != 0)
		fn(arg, fmt_prefix(a, sizeof(a), pool));
	else if (af == AF_INET)
		fn(arg, fmt_in(a, sizeof(a), &req->inet_peer));
	else
		fn(arg, fmt_in6(a, sizeof(a), &req->inet6_peer));
	for (i = 0; i < req->n_client_nets; i++)
		if (req->client_nets[i].af == af)
			fn(arg, fmt_prefix(a, sizeof(a),
			    &req->client_nets[i]));
}

/* Fails the plan when NAT is on egress but discovery found none. */
const char *
plan_nat_if(struct plan *p, const struct netcfg_req *req,
    const struct netcfg_facts *f)
{
	if (req->role != ROLE_SERVER || req->nat == NAT_NONE)
		return (NULL);
	if (req->nat == NAT_IFACE)
		return (req->nat_if);
	if (f->ext_if[0] == '\0' || memchr(f->ext_if, '\0',
	    sizeof(f->ext_if)) == NULL) {
		p->failed = 1;
		return (NULL);
	}
	return (f->ext_if);
}
