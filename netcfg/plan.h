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
 * Plans: an ordered list of steps, each an argv to apply and the argv
 * that undoes it.  Built by the per-OS renderers, printed as the golden
 * text, run by the engine.  Nothing here touches the host.
 */
#ifndef DSVPND_NETCFG_PLAN_H
#define DSVPND_NETCFG_PLAN_H

#include "netcfg.h"
#include "paths.h"

#define PLAN_ADDRSTRLEN		64	/* an address with "/len" */

struct argv {
	char			**v;		/* NULL-terminated */
	size_t			 n;
	char			*input;		/* stdin, or NULL */
};

/*
 * A step.  apply may be NULL: nothing to do now, only something to undo
 * (destroying an interface the parent created).  res names a resource
 * the step replaces whole and atomically (an nft table, a pf anchor):
 * in a transition a new step with the same res supersedes the old one,
 * which is then not undone.  key names what two different steps cannot
 * both hold (a tunnel address with another prefix length or peer): in
 * a transition the old one is undone just before the new one runs.
 */
#define PLAN_KEYLEN		64

struct step {
	struct argv		*apply;
	struct argv		*undo;
	const char		*res;		/* static, or NULL */
	char			 key[PLAN_KEYLEN];	/* "" for none */
	int			 soft;		/* may fail: skipped */
	int			 skipped;	/* failed: no undo */
};

struct plan {
	enum netcfg_os		 os;
	struct instance_names	 names;		/* of the request's instance */
	struct step		*steps;
	size_t			 n;
	size_t			 cap;
	int			 failed;	/* out of memory */
};

/* Text fed to nft -f or pfctl -f: a bounded buffer, failing whole. */
#define PLAN_TEXT_MAX		65536

struct text {
	char			*buf;
	size_t			 len;
	int			 failed;
};

/* Building: a failure marks the plan and plan_render returns NULL. */
struct argv	*argv_new(const char *, ...) __attribute__((__sentinel__));
struct argv	*argv_from(const char *const *);
struct argv	*argv_swap(const struct argv *, const char *, const char *);
int		 argv_input(struct argv *, const char *);
void		 argv_free(struct argv *);
void		 plan_add(struct plan *, struct argv *, struct argv *);
void		 plan_add_swap(struct plan *, struct argv *, const char *,
		    const char *);
void		 plan_add_undo(struct plan *, struct argv *);
/* Names the key of the step just added. */
void		 plan_key(struct plan *, const char *, const char *);
/* An atomic replace of res: apply reads input from text (consumed). */
void		 plan_add_resource(struct plan *, const char *res,
		    struct argv *apply, struct text *, struct argv *undo);
void		 text_init(struct text *);
void		 text_add(struct text *, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));
void		 text_free(struct text *);
const struct step *plan_step(const struct plan *, size_t);
/* The same command both ways (argv and input): a transition keeps it. */
int		 plan_step_same(const struct step *, const struct step *);
void		 plan_soft(struct plan *, size_t);
void		 argv_print(FILE *, const struct argv *);
int		 argv_format(char *, size_t, const struct argv *);

/* Formatting helpers: static buffers are avoided, the caller gives one. */
const char	*fmt_in(char *, size_t, const struct in_addr *);
const char	*fmt_in6(char *, size_t, const struct in6_addr *);
const char	*fmt_prefix(char *, size_t, const struct conf_prefix *);
const char	*fmt_addr(char *, size_t, const struct conf_prefix *);
/* A gateway with its scope where it has one: fe80::1%em0. */
const char	*fmt_gw(char *, size_t, const struct conf_prefix *,
		    const char *scope);
const char	*fmt_u(char *, size_t, uint32_t);

/* Common steps. */
void		 plan_sysctl(struct plan *, const char *, const char *,
		    const char *);

/* The NAT interface of a server plan, NULL for none. */
const char	*plan_nat_if(struct plan *, const struct netcfg_req *,
		    const struct netcfg_facts *);

/* Per-OS renderers. */
void		 plan_linux_addrs(struct plan *,
		    const struct netcfg_req *);
void		 plan_linux_server_routes(struct plan *,
		    const struct netcfg_req *);
void		 plan_linux_client_routes(struct plan *,
		    const struct netcfg_req *);
void		 plan_linux_sysctls(struct plan *,
		    const struct netcfg_req *, const struct netcfg_facts *);
void		 plan_linux_nft(struct plan *,
		    const struct netcfg_req *, const struct netcfg_facts *);
void		 plan_linux_iptables(struct plan *,
		    const struct netcfg_req *, const struct netcfg_facts *);
void		 plan_bsd_addrs(struct plan *,
		    const struct netcfg_req *, const struct netcfg_facts *);
void		 plan_bsd_client_routes(struct plan *,
		    const struct netcfg_req *, const struct netcfg_facts *);
void		 plan_bsd_forwarding(struct plan *,
		    const struct netcfg_req *, const struct netcfg_facts *);
void		 plan_bsd_seal(struct plan *, const struct netcfg_req *,
		    const struct netcfg_facts *);
void		 plan_bsd_server_routes(struct plan *,
		    const struct netcfg_req *);
void		 plan_render_linux(struct plan *,
		    const struct netcfg_req *, const struct netcfg_facts *);
void		 plan_render_openbsd(struct plan *,
		    const struct netcfg_req *, const struct netcfg_facts *);
void		 plan_render_bsd(struct plan *,
		    const struct netcfg_req *, const struct netcfg_facts *);

/* The sysctl binary and its "write" flag for an OS. */
const char	*plan_sysctl_path(enum netcfg_os);
int		 plan_is_linux(enum netcfg_os);
int		 plan_pf_render(struct text *, const struct plan *,
		    const struct netcfg_req *);
/* The server's NAT sources: the client's address, or the pool, and
 * the networks behind clients, of one family. */
void		 plan_nat_sources(const struct netcfg_req *, int af,
		    void (*)(void *, const char *), void *);

/* exec.c: run argv (absolute path) with input on stdin; capture. */
int		 netcfg_exec(char *const [], const char *, char *, size_t,
		    char *, size_t);
void		 netcfg_log(int, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));

/* discover.c parsers, exposed for the regress tests.  A gateway's
 * scope, where it has one, goes to scope (IFNAMSIZ). */
int		 discover_parse_ip_route(const char *, char *, size_t,
		    struct conf_prefix *);
int		 discover_parse_route_get(const char *, char *, size_t,
		    struct conf_prefix *, char *scope);
int		 discover_parse_nd6(const char *);

#endif /* DSVPND_NETCFG_PLAN_H */
