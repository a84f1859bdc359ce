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
 * The state file: one fixed-size binary record, replaced atomically
 * (write a temporary file, fsync, rename) before each step is applied
 * and after each is undone.  It is read back only by this program's own
 * flush, and checked like any message: magic, version, size; then each
 * request and its facts are validated as strictly as a request from the
 * parent and the plans rendered again from them, so it can name no
 * command that a request could not; a bit for a step the plan does not
 * have refuses it too.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"

#define JOURNAL_MAGIC	0x6473766eU	/* "dsvn" */
#define JOURNAL_VERSION	2

struct journal_rec {
	uint32_t		 magic;
	uint32_t		 version;
	uint32_t		 size;
	int32_t			 os[2];		/* cur, next */
	uint32_t		 have[2];
	struct netcfg_req	 req[2];
	struct netcfg_facts	 facts[2];
	uint8_t			 applied[2][NETCFG_MAX_STEPS / 8];
};

static char	 statefile[PATH_MAX];

int
jbit(const struct jplan *jp, size_t i)
{
	return (i < NETCFG_MAX_STEPS &&
	    (jp->applied[i / 8] & (1U << (i % 8))) != 0);
}

void
jbit_set(struct jplan *jp, size_t i, int on)
{
	if (i >= NETCFG_MAX_STEPS)
		return;
	if (on)
		jp->applied[i / 8] |= 1U << (i % 8);
	else
		jp->applied[i / 8] &= ~(1U << (i % 8));
}

size_t
jplan_count(const struct jplan *jp)
{
	size_t	 i, n = 0;

	for (i = 0; i < NETCFG_MAX_STEPS; i++)
		n += jbit(jp, i);
	return (n);
}

void
jplan_clear(struct jplan *jp)
{
	plan_free(jp->plan);
	memset(jp, 0, sizeof(*jp));
}

void
journal_set_path(const char *path)
{
	if (path == NULL || strlcpy(statefile, path, sizeof(statefile)) >=
	    sizeof(statefile))
		statefile[0] = '\0';
}

static void
rec_put(struct journal_rec *rec, int k, const struct jplan *jp)
{
	rec->have[k] = jp->plan != NULL;
	if (jp->plan == NULL)
		return;
	rec->os[k] = jp->os;
	rec->req[k] = jp->req;
	rec->facts[k] = jp->facts;
	memcpy(rec->applied[k], jp->applied, sizeof(rec->applied[k]));
}

int
journal_save(const struct journal *j, char *err, size_t errlen)
{
	static struct journal_rec	 rec;
	char				 tmp[PATH_MAX];
	int				 fd;

	if (statefile[0] == '\0')
		return (0);
	memset(&rec, 0, sizeof(rec));
	rec.magic = JOURNAL_MAGIC;
	rec.version = JOURNAL_VERSION;
	rec.size = sizeof(rec);
	rec_put(&rec, 0, &j->cur);
	rec_put(&rec, 1, &j->next);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", statefile) >=
	    sizeof(tmp))
		goto fail;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		goto fail;
	if (write(fd, &rec, sizeof(rec)) != (ssize_t)sizeof(rec) ||
	    fsync(fd) == -1) {
		close(fd);
		unlink(tmp);
		goto fail;
	}
	close(fd);
	if (rename(tmp, statefile) == -1) {
		unlink(tmp);
		goto fail;
	}
	return (0);
 fail:
	snprintf(err, errlen, "state file %s: %s", statefile,
	    strerror(errno));
	return (-1);
}

static int
journal_read(struct journal_rec *rec, char *err, size_t errlen)
{
	char	 extra;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(statefile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return (0);
		snprintf(err, errlen, "state file %s: %s", statefile,
		    strerror(errno));
		return (-1);
	}
	n = read(fd, rec, sizeof(*rec));
	if (n == (ssize_t)sizeof(*rec) && read(fd, &extra, 1) != 0)
		n = -1;
	close(fd);
	if (n != (ssize_t)sizeof(*rec) || rec->magic != JOURNAL_MAGIC ||
	    rec->version != JOURNAL_VERSION || rec->size != sizeof(*rec)) {
		snprintf(err, errlen, "state file %s: not ours, ignored",
		    statefile);
		return (-1);
	}
	return (1);
}

/* One plan of the record, checked and rendered again; -1 if bad. */
static int
rec_get(const struct journal_rec *rec, int k, struct jplan *jp)
{
	size_t	 i;

	memset(jp, 0, sizeof(*jp));
	if (rec->have[k] == 0)
		return (0);
	if (rec->have[k] != 1 || rec->os[k] < 0 ||
	    rec->os[k] >= NETCFG_OS_COUNT ||
	    netcfg_req_validate(&rec->req[k]) != NULL ||
	    netcfg_facts_validate(&rec->facts[k]) != NULL)
		return (-1);
	jp->os = rec->os[k];
	jp->req = rec->req[k];
	jp->facts = rec->facts[k];
	memcpy(jp->applied, rec->applied[k], sizeof(jp->applied));
	if ((jp->plan = plan_render(&jp->req, jp->os, &jp->facts)) == NULL)
		return (-1);
	for (i = plan_nsteps(jp->plan); i < NETCFG_MAX_STEPS; i++)
		if (jbit(jp, i))
			return (-1);
	return (0);
}

int
journal_load(struct journal *j, char *err, size_t errlen)
{
	static struct journal_rec	 rec;
	int				 rc;

	if (statefile[0] == '\0')
		return (0);
	if ((rc = journal_read(&rec, err, errlen)) != 1)
		goto out;
	memset(j, 0, sizeof(*j));
	if (rec_get(&rec, 0, &j->cur) == -1 ||
	    rec_get(&rec, 1, &j->next) == -1 ||
	    (j->cur.plan == NULL && j->next.plan != NULL)) {
		jplan_clear(&j->cur);
		jplan_clear(&j->next);
		snprintf(err, errlen, "state file %s: bad contents, ignored",
		    statefile);
		rc = -1;
		goto out;
	}
	return (1);
 out:
	if (rc == -1)
		journal_remove();
	return (rc);
}

void
journal_remove(void)
{
	if (statefile[0] != '\0')
		unlink(statefile);
}

int
journal_exists(void)
{
	return (statefile[0] != '\0' && access(statefile, F_OK) == 0);
}
