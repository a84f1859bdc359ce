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
 * The engine: applies a plan all or nothing, changes an applied plan
 * into another make-before-break, undoes the journal in reverse on
 * request, and flushes what a killed predecessor left behind.  Every
 * step's undo is recorded (on disk too) before the step runs.
 *
 * A transition (a reload, or addresses that arrive with the session)
 * renders the new plan with the facts of the old one (the original
 * sysctl values, the old gateway), applies the steps the old plan does
 * not have, in order, then undoes the old steps the new one does not
 * have, last first.  A step that replaces a resource whole (an nft table,
 * a pf anchor: step.res) supersedes the old one atomically, so the
 * kill switch is never absent.  The one change that cannot be made
 * before the break is a tunnel address taking another peer or prefix
 * length (step.key): the old form goes just before the new one comes.
 * A failure before the old steps go rolls the new ones back and puts
 * superseded and pushed-out steps back as they were: the old plan
 * stays applied, whole.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "journal.h"
#include "sweep.h"

static struct journal		 jr;
static struct instance_names	 inst;		/* what a flush sweeps */
static int			 have_inst;
static int			 fail_step;	/* test seam, 1-based; 0 off */
static int			 crash_step;	/* test seam: exit after it */
static int			 nexec;		/* steps run by this apply */

void
netcfg_set_statefile(const char *path)
{
	journal_set_path(path);
}

void
netcfg_fail_step(int n)
{
	fail_step = n > 0 ? n : 0;
}

void
netcfg_crash_step(int n)
{
	crash_step = n > 0 ? n : 0;
}

int
netcfg_set_instance(const char *name, uint32_t id)
{
	if (instance_names(name, id, &inst) == -1)
		return (-1);
	have_inst = 1;
	return (0);
}

/* Runs one argv of a plan, logging it and what it said on failure. */
static int
run_argv(const struct argv *a, int failpri, char *err, size_t errlen)
{
	char	 line[1024];

	argv_format(line, sizeof(line), a);
	netcfg_log(LOG_DEBUG, "netcfg: %s", line);
	if (netcfg_exec(a->v, a->input, NULL, 0, err, errlen) == -1) {
		netcfg_log(failpri, "netcfg: %s: %s", line, err);
		return (-1);
	}
	return (0);
}

static void
save_or_warn(void)
{
	char	 e[NETCFG_ERRLEN];

	if (journal_save(&jr, e, sizeof(e)) == -1)
		netcfg_log(LOG_WARNING, "netcfg: %s", e);
}

/* Undoes step i of jp if it may be applied; 0, or -1 with err. */
static int
undo_one(struct jplan *jp, size_t i, int quiet, char *err, size_t errlen)
{
	char		 e[NETCFG_ERRLEN];
	struct step	*s;
	int		 rc = 0;

	if (jp->plan == NULL || i >= jp->plan->n || !jbit(jp, i))
		return (0);
	s = &jp->plan->steps[i];
	if (!s->skipped && run_argv(s->undo, quiet ? LOG_DEBUG : LOG_WARNING,
	    e, sizeof(e)) == -1) {
		snprintf(err, errlen, "revert step %zu: %.900s", i + 1, e);
		rc = -1;
	}
	jbit_set(jp, i, 0);
	save_or_warn();
	return (rc);
}

/* Undoes what may be applied of jp, last first; keeps the first error. */
static int
undo_plan(struct jplan *jp, int quiet, char *err, size_t errlen)
{
	char	 e[NETCFG_ERRLEN];
	size_t	 i;
	int	 rc = 0;

	for (i = jp->plan != NULL ? jp->plan->n : 0; i > 0; i--)
		if (undo_one(jp, i - 1, quiet, e, sizeof(e)) == -1 &&
		    rc == 0) {
			strlcpy(err, e, errlen);
			rc = -1;
		}
	return (rc);
}

static void
forget(void)
{
	jplan_clear(&jr.cur);
	jplan_clear(&jr.next);
	memset(&jr, 0, sizeof(jr));
	journal_remove();
}

/*
 * Undoes everything, both plans of an unfinished transition too: by
 * position, last first, so the first steps of both (the kill switch)
 * go last.
 */
static int
undo_all(int quiet, char *err, size_t errlen)
{
	char	 e[NETCFG_ERRLEN];
	size_t	 i, n;
	int	 rc = 0;

	n = plan_nsteps(jr.cur.plan);
	if (plan_nsteps(jr.next.plan) > n)
		n = plan_nsteps(jr.next.plan);
	for (i = n; i > 0; i--) {
		if (undo_one(&jr.next, i - 1, quiet, e, sizeof(e)) == -1 &&
		    rc == 0) {
			strlcpy(err, e, errlen);
			rc = -1;
		}
		if (undo_one(&jr.cur, i - 1, quiet, e, sizeof(e)) == -1 &&
		    rc == 0) {
			strlcpy(err, e, errlen);
			rc = -1;
		}
	}
	forget();
	return (rc);
}

/*
 * Applies step k of jp, its undo recorded first.  A soft step that fails
 * is skipped (and left without an undo); a step with nothing to apply
 * is only recorded.
 */
static int
apply_step(struct jplan *jp, size_t k, char *err, size_t errlen)
{
	char		 e[NETCFG_ERRLEN], line[256];
	struct step	*s = &jp->plan->steps[k];

	jbit_set(jp, k, 1);		/* write-ahead: undo may be needed */
	if (journal_save(&jr, err, errlen) == -1) {
		jbit_set(jp, k, 0);
		return (-1);
	}
	if (s->apply == NULL)
		return (0);
	if (++nexec == fail_step) {
		jbit_set(jp, k, 0);
		save_or_warn();
		snprintf(err, errlen, "step %zu: failure injected", k + 1);
		return (-1);
	}
	if (run_argv(s->apply, LOG_WARNING, e, sizeof(e)) == 0) {
		if (nexec == crash_step)
			_exit(99);	/* as if killed right after it */
		return (0);
	}
	argv_format(line, sizeof(line), s->apply);
	jbit_set(jp, k, 0);
	save_or_warn();
	if (s->soft) {
		netcfg_log(LOG_WARNING, "netcfg: skipped: %s", line);
		s->skipped = 1;
		return (0);
	}
	snprintf(err, errlen, "step %zu (%.200s): %.700s", k + 1, line, e);
	return (-1);
}

static int
prepare(struct jplan *jp, const struct netcfg_req *req,
    const struct netcfg_facts *carry, char *err, size_t errlen)
{
	jp->req = *req;
	jp->os = netcfg_req_os(req);
	if (netcfg_discover(req, jp->os, &jp->facts, err, errlen) == -1)
		return (-1);
	if (carry != NULL)
		netcfg_facts_carry(&jp->facts, carry);
	if ((jp->plan = plan_render(req, jp->os, &jp->facts)) == NULL) {
		snprintf(err, errlen, "cannot render the %s plan",
		    netcfg_os_name(jp->os));
		return (-1);
	}
	return (0);
}

static int
fresh_apply(const struct netcfg_req *req, char *err, size_t errlen)
{
	char	 e[NETCFG_ERRLEN];
	size_t	 k;

	forget();
	if (prepare(&jr.cur, req, NULL, err, errlen) == -1) {
		forget();
		return (-1);
	}
	for (k = 0; k < jr.cur.plan->n; k++) {
		if (apply_step(&jr.cur, k, err, errlen) == 0)
			continue;
		if (undo_plan(&jr.cur, 0, e, sizeof(e)) == -1)
			netcfg_log(LOG_WARNING, "netcfg: rollback: %s", e);
		forget();
		return (-1);
	}
	netcfg_log(LOG_INFO, "netcfg: applied %zu steps (%s)",
	    jplan_count(&jr.cur), netcfg_os_name(jr.cur.os));
	return (0);
}

static int
argv_same(const struct argv *a, const struct argv *b)
{
	size_t	 i;

	if (a == NULL || b == NULL)
		return (a == b);
	if (a->n != b->n || (a->input == NULL) != (b->input == NULL) ||
	    (a->input != NULL && strcmp(a->input, b->input) != 0))
		return (0);
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return (0);
	return (1);
}

int
plan_step_same(const struct step *a, const struct step *b)
{
	return (argv_same(a->apply, b->apply) && argv_same(a->undo, b->undo));
}

/*
 * For each step of the new plan: the old step it keeps as it is
 * (same[i]), the old resource it replaces atomically (repl[i]), or the
 * old step it cannot stand beside (clash[i]); -1 for none.
 */
static void
transition_map(const struct jplan *old, const struct jplan *nx, int *same,
    int *repl, int *clash)
{
	const struct step	*s, *o;
	uint8_t			 used[NETCFG_MAX_STEPS];
	size_t			 i, j;

	memset(used, 0, sizeof(used));
	for (i = 0; i < nx->plan->n; i++) {
		same[i] = repl[i] = clash[i] = -1;
		s = &nx->plan->steps[i];
		for (j = 0; j < old->plan->n; j++) {
			o = &old->plan->steps[j];
			if (used[j] || !jbit(old, j) || o->skipped)
				continue;
			if (plan_step_same(s, o)) {
				same[i] = j;
				break;
			}
			if (s->res != NULL && o->res != NULL &&
			    strcmp(s->res, o->res) == 0 && repl[i] == -1)
				repl[i] = j;
			if (s->key[0] != '\0' && strcmp(s->key, o->key) == 0 &&
			    clash[i] == -1)
				clash[i] = j;
		}
		if (same[i] != -1)
			repl[i] = clash[i] = -1;
		if (same[i] != -1)
			used[same[i]] = 1;
		if (repl[i] != -1)
			used[repl[i]] = 1;
		if (clash[i] != -1)
			used[clash[i]] = 1;
	}
}

/* Puts old step j back (its apply again) and records it. */
static void
reapply_old(size_t j)
{
	char		 e[NETCFG_ERRLEN];
	struct jplan	*old = &jr.cur;

	jbit_set(old, j, 1);
	save_or_warn();
	if (run_argv(old->plan->steps[j].apply, LOG_WARNING, e,
	    sizeof(e)) == -1)
		netcfg_log(LOG_WARNING, "netcfg: rollback: %s", e);
}

/*
 * The new steps go, last first; replaced resources come back as they
 * were (replacing again, never deleting: the kill switch stays), and
 * so do old steps a new one had to push out.
 */
static void
transition_rollback(size_t upto, const int *repl, const int *clash,
    const uint8_t *pushed)
{
	char		 e[NETCFG_ERRLEN];
	struct jplan	*nx = &jr.next;
	size_t		 i;

	for (i = upto; i > 0; i--) {
		if (jbit(nx, i - 1) && repl[i - 1] != -1) {
			jbit_set(nx, i - 1, 0);
			reapply_old(repl[i - 1]);
			continue;
		}
		if (jbit(nx, i - 1) && undo_one(nx, i - 1, 0, e,
		    sizeof(e)) == -1)
			netcfg_log(LOG_WARNING, "netcfg: rollback: %s", e);
		if (clash[i - 1] != -1 && pushed[clash[i - 1]])
			reapply_old(clash[i - 1]);
	}
	jplan_clear(nx);
	save_or_warn();
}

/* What the new steps keep of the old plan, and what they make go. */
struct tmap {
	int		 same[NETCFG_MAX_STEPS];
	int		 repl[NETCFG_MAX_STEPS];
	int		 clash[NETCFG_MAX_STEPS];
	uint8_t		 kept[NETCFG_MAX_STEPS];	/* old index */
	uint8_t		 pushed[NETCFG_MAX_STEPS];	/* old index */
};

/* Make: the new plan's own steps, in order, counted in added; 0 or -1. */
static int
transition_add(struct tmap *m, size_t *added, char *err, size_t errlen)
{
	char		 e[NETCFG_ERRLEN];
	struct jplan	*old = &jr.cur, *nx = &jr.next;
	size_t		 i;

	for (i = 0; i < nx->plan->n; i++) {
		if (m->same[i] != -1) {
			m->kept[m->same[i]] = 1;
			continue;
		}
		/* The one kind of change made break-before-make. */
		if (m->clash[i] != -1 && jbit(old, m->clash[i])) {
			if (undo_one(old, m->clash[i], 0, e, sizeof(e)) == -1)
				netcfg_log(LOG_WARNING, "netcfg: %s", e);
			m->pushed[m->clash[i]] = 1;
		}
		if (m->repl[i] != -1)
			jbit_set(old, m->repl[i], 0);	/* superseded */
		if (apply_step(nx, i, err, errlen) == -1) {
			if (m->repl[i] != -1)
				jbit_set(old, m->repl[i], 1);
			transition_rollback(i + 1, m->repl, m->clash,
			    m->pushed);
			return (-1);
		}
		(*added)++;
	}
	return (0);
}

/* Break: only now, with the new in place, the old steps it has not. */
static size_t
transition_remove(const struct tmap *m)
{
	char		 e[NETCFG_ERRLEN];
	struct jplan	*old = &jr.cur;
	size_t		 i, removed = 0;

	for (i = old->plan->n; i > 0; i--) {
		if (m->kept[i - 1] || !jbit(old, i - 1))
			continue;
		if (undo_one(old, i - 1, 0, e, sizeof(e)) == -1)
			netcfg_log(LOG_WARNING, "netcfg: %s", e);
		removed++;
	}
	return (removed);
}

static int
transition(const struct netcfg_req *req, char *err, size_t errlen)
{
	static struct tmap	 m;
	struct jplan		*old = &jr.cur, *nx = &jr.next;
	size_t			 i, added = 0, removed;

	if (prepare(nx, req, &old->facts, err, errlen) == -1) {
		jplan_clear(nx);
		return (-1);
	}
	memset(&m, 0, sizeof(m));
	transition_map(old, nx, m.same, m.repl, m.clash);
	if (transition_add(&m, &added, err, errlen) == -1)
		return (-1);
	removed = transition_remove(&m);
	/* The kept steps are the new plan's now. */
	for (i = 0; i < nx->plan->n; i++)
		if (m.same[i] != -1)
			jbit_set(nx, i, 1);
	jplan_clear(old);
	*old = *nx;
	memset(nx, 0, sizeof(*nx));
	save_or_warn();
	netcfg_log(LOG_INFO, "netcfg: changed the plan: %zu steps added, "
	    "%zu removed (%s)", added, removed, netcfg_os_name(jr.cur.os));
	return (0);
}

/*
 * Can the applied plan change into one for req step by step?  Between
 * the Linux firewall backends too: the new kill switch comes up before
 * the old goes, and the routes, which both plans share, stay.
 */
static int
transitionable(const struct netcfg_req *req)
{
	const struct netcfg_req	*a = &jr.cur.req;
	enum netcfg_os		 os = netcfg_req_os(req);

	return (jr.cur.plan != NULL && jr.next.plan == NULL &&
	    a->role == req->role && a->instance_id == req->instance_id &&
	    strcmp(a->instance, req->instance) == 0 &&
	    strcmp(a->ifname, req->ifname) == 0 &&
	    (os == jr.cur.os || (plan_is_linux(os) &&
	    plan_is_linux(jr.cur.os))));
}

int
netcfg_apply(const struct netcfg_req *req, char *err, size_t errlen)
{
	const char	*why;
	int		 rc;

	nexec = 0;
	/* The same request again (a reconnect): nothing to change. */
	if (jr.cur.plan != NULL && jr.next.plan == NULL &&
	    memcmp(&jr.cur.req, req, sizeof(*req)) == 0)
		return (0);
	if ((why = netcfg_req_validate(req)) != NULL) {
		snprintf(err, errlen, "bad request: %s", why);
		return (-1);
	}
	if (transitionable(req))
		rc = transition(req, err, errlen);
	else {
		/* Never stack: undo our own plan, then any predecessor's. */
		if (jr.cur.plan != NULL && netcfg_revert(err, errlen) == -1)
			netcfg_log(LOG_WARNING, "netcfg: %s", err);
		if (journal_exists() && netcfg_flush(err, errlen) == -1)
			return (-1);
		rc = fresh_apply(req, err, errlen);
	}
	fail_step = crash_step = 0;
	return (rc);
}

/* Without a journal in memory, the state file's (another process's). */
int
netcfg_revert(char *err, size_t errlen)
{
	if (jr.cur.plan == NULL && journal_load(&jr, err, errlen) == -1)
		return (-1);
	if (jr.cur.plan == NULL)
		return (0);
	netcfg_log(LOG_INFO, "netcfg: reverting %zu steps",
	    jplan_count(&jr.cur) + jplan_count(&jr.next));
	return (undo_all(0, err, errlen));
}

/*
 * Startup (and before an apply, if a state file is left): undo a
 * predecessor's journal, errors expected (its interface may be gone),
 * then sweep the instance's names for anything else.
 */
int
netcfg_flush(char *err, size_t errlen)
{
	char	 e[NETCFG_ERRLEN];

	if (jr.cur.plan != NULL && undo_all(0, e, sizeof(e)) == -1)
		netcfg_log(LOG_WARNING, "netcfg: flush: %s", e);
	if (journal_load(&jr, e, sizeof(e)) == -1)
		netcfg_log(LOG_WARNING, "netcfg: %s", e);
	if (jr.cur.plan != NULL) {
		netcfg_log(LOG_INFO, "netcfg: flush: undoing %zu steps left "
		    "by a previous instance", jplan_count(&jr.cur) +
		    jplan_count(&jr.next));
		if (undo_all(1, e, sizeof(e)) == -1)
			netcfg_log(LOG_INFO, "netcfg: flush: %s", e);
	}
	if (!have_inst)
		return (0);
	return (sweep_host(netcfg_host_os(), &inst, err, errlen));
}

size_t
netcfg_status(char *buf, size_t len)
{
	char			 line[1024];
	const struct step	*s;
	size_t			 i;

	if (len == 0)
		return (0);
	buf[0] = '\0';
	for (i = 0; i < plan_nsteps(jr.cur.plan); i++) {
		s = plan_step(jr.cur.plan, i);
		if (!jbit(&jr.cur, i) || s->skipped || s->apply == NULL)
			continue;
		argv_format(line, sizeof(line), s->apply);
		strlcat(buf, line, len);
		strlcat(buf, "\n", len);
	}
	return (strlen(buf));
}
