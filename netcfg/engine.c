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
 * The engine: applies a plan all or nothing, undoes the journal in
 * reverse on request, and flushes what a killed predecessor left behind.
 * Every step's undo is recorded (on disk too) before the step runs.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "journal.h"
#include "sweep.h"

static struct journal	 jr;
static int		 fail_step;	/* test seam, 1-based; 0 = off */

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

/*
 * Undoes steps applied-1 .. 0; goes on past failures, keeps the first.
 * A flush expects failures (the interface may be gone): it logs them
 * at debug level.
 */
static int
undo_all(struct journal *j, int flush, char *err, size_t errlen)
{
	char		 e[NETCFG_ERRLEN];
	struct step	*s;
	int		 rc = 0;

	while (j->applied > 0) {
		s = &j->plan->steps[j->applied - 1];
		if (!s->skipped && run_argv(s->undo, flush ? LOG_DEBUG :
		    LOG_WARNING, e, sizeof(e)) == -1 && rc == 0) {
			snprintf(err, errlen, "revert step %zu: %s",
			    j->applied, e);
			rc = -1;
		}
		j->applied--;
		if (journal_save(j, e, sizeof(e)) == -1)
			netcfg_log(LOG_WARNING, "netcfg: %s", e);
	}
	plan_free(j->plan);
	memset(j, 0, sizeof(*j));
	journal_remove();
	return (rc);
}

static int
apply_step(struct journal *j, size_t k, char *err, size_t errlen)
{
	char		 e[NETCFG_ERRLEN], line[256];
	struct step	*s = &j->plan->steps[k];

	j->applied = k + 1;		/* write-ahead: undo may be needed */
	if (journal_save(j, err, errlen) == -1)
		return (-1);
	if (fail_step == (int)k + 1) {
		snprintf(err, errlen, "step %zu: failure injected", k + 1);
		return (-1);
	}
	if (run_argv(s->apply, LOG_WARNING, e, sizeof(e)) == 0)
		return (0);
	argv_format(line, sizeof(line), s->apply);
	if (s->soft) {
		netcfg_log(LOG_WARNING, "netcfg: skipped: %s", line);
		s->skipped = 1;
		return (0);
	}
	snprintf(err, errlen, "step %zu (%s): %s", k + 1, line, e);
	return (-1);
}

static int
apply_prepare(const struct netcfg_req *req, char *err, size_t errlen)
{
	const char	*why;

	if ((why = netcfg_req_validate(req)) != NULL) {
		snprintf(err, errlen, "bad request: %s", why);
		return (-1);
	}
	/* Never stack: undo our own plan, then any predecessor's. */
	if (jr.plan != NULL && netcfg_revert(err, errlen) == -1)
		netcfg_log(LOG_WARNING, "netcfg: %s", err);
	if (journal_exists() && netcfg_flush(err, errlen) == -1)
		return (-1);
	memset(&jr, 0, sizeof(jr));
	jr.req = *req;
	jr.os = netcfg_req_os(req);
	if (netcfg_discover(req, jr.os, &jr.facts, err, errlen) == -1)
		return (-1);
	if ((jr.plan = plan_render(req, jr.os, &jr.facts)) == NULL) {
		snprintf(err, errlen, "cannot render the %s plan",
		    netcfg_os_name(jr.os));
		return (-1);
	}
	return (0);
}

int
netcfg_apply(const struct netcfg_req *req, char *err, size_t errlen)
{
	char	 e[NETCFG_ERRLEN];
	size_t	 k;
	int	 inject = fail_step;

	fail_step = 0;
	/* The same request again (a reconnect): nothing to change. */
	if (jr.plan != NULL && memcmp(&jr.req, req, sizeof(*req)) == 0)
		return (0);
	if (apply_prepare(req, err, errlen) == -1) {
		plan_free(jr.plan);
		memset(&jr, 0, sizeof(jr));
		return (-1);
	}
	fail_step = inject;
	for (k = 0; k < jr.plan->n; k++) {
		if (apply_step(&jr, k, err, errlen) == 0)
			continue;
		fail_step = 0;
		jr.applied = k;		/* step k did not happen */
		if (undo_all(&jr, 0, e, sizeof(e)) == -1)
			netcfg_log(LOG_WARNING, "netcfg: rollback: %s", e);
		return (-1);
	}
	fail_step = 0;
	netcfg_log(LOG_INFO, "netcfg: applied %zu steps (%s)", jr.applied,
	    netcfg_os_name(jr.os));
	return (0);
}

/* Without a journal in memory, the state file's (another process's). */
int
netcfg_revert(char *err, size_t errlen)
{
	if (jr.plan == NULL && journal_load(&jr, err, errlen) == -1)
		return (-1);
	if (jr.plan == NULL)
		return (0);
	netcfg_log(LOG_INFO, "netcfg: reverting %zu steps", jr.applied);
	return (undo_all(&jr, 0, err, errlen));
}

/*
 * Startup (and before an apply, if a state file is left): undo a
 * predecessor's journal, errors expected (its interface may be gone),
 * then sweep our namespaces for anything else.
 */
int
netcfg_flush(char *err, size_t errlen)
{
	char	 e[NETCFG_ERRLEN];

	if (jr.plan != NULL && undo_all(&jr, 0, e, sizeof(e)) == -1)
		netcfg_log(LOG_WARNING, "netcfg: flush: %s", e);
	if (journal_load(&jr, e, sizeof(e)) == -1)
		netcfg_log(LOG_WARNING, "netcfg: %s", e);
	if (jr.plan != NULL) {
		netcfg_log(LOG_INFO, "netcfg: flush: undoing %zu steps left "
		    "by a previous instance", jr.applied);
		if (undo_all(&jr, 1, e, sizeof(e)) == -1)
			netcfg_log(LOG_INFO, "netcfg: flush: %s", e);
	}
	return (sweep_host(netcfg_host_os(), err, errlen));
}

size_t
netcfg_status(char *buf, size_t len)
{
	char	 line[1024];
	size_t	 i;

	if (len == 0)
		return (0);
	buf[0] = '\0';
	for (i = 0; jr.plan != NULL && i < jr.applied; i++) {
		if (jr.plan->steps[i].skipped)
			continue;
		argv_format(line, sizeof(line), plan_step(jr.plan, i)->apply);
		strlcat(buf, line, len);
		strlcat(buf, "\n", len);
	}
	return (strlen(buf));
}
