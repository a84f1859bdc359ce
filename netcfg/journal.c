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
 * flush, and checked like any message: magic, version, size, then the
 * request is validated and the plan rendered again from it, so it can
 * name no command that a request could not.
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
#define JOURNAL_VERSION	1

struct journal_rec {
	uint32_t		 magic;
	uint32_t		 version;
	uint32_t		 size;
	int32_t			 os;
	uint32_t		 applied;
	struct netcfg_req	 req;
	struct netcfg_facts	 facts;
};

static char	 statefile[PATH_MAX];

void
journal_set_path(const char *path)
{
	if (path == NULL || strlcpy(statefile, path, sizeof(statefile)) >=
	    sizeof(statefile))
		statefile[0] = '\0';
}

int
journal_save(const struct journal *j, char *err, size_t errlen)
{
	struct journal_rec	 rec;
	char			 tmp[PATH_MAX];
	int			 fd;

	if (statefile[0] == '\0')
		return (0);
	memset(&rec, 0, sizeof(rec));
	rec.magic = JOURNAL_MAGIC;
	rec.version = JOURNAL_VERSION;
	rec.size = sizeof(rec);
	rec.os = j->os;
	rec.applied = j->applied;
	rec.req = j->req;
	rec.facts = j->facts;
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

int
journal_load(struct journal *j, char *err, size_t errlen)
{
	struct journal_rec	 rec;
	int			 rc;

	if (statefile[0] == '\0')
		return (0);
	if ((rc = journal_read(&rec, err, errlen)) != 1)
		goto out;
	if (rec.os < 0 || rec.os >= NETCFG_OS_COUNT ||
	    netcfg_req_validate(&rec.req) != NULL ||
	    (j->plan = plan_render(&rec.req, rec.os, &rec.facts)) == NULL ||
	    rec.applied > plan_nsteps(j->plan)) {
		plan_free(j->plan);
		j->plan = NULL;
		snprintf(err, errlen, "state file %s: bad contents, ignored",
		    statefile);
		rc = -1;
		goto out;
	}
	j->os = rec.os;
	j->applied = rec.applied;
	j->req = rec.req;
	j->facts = rec.facts;
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
