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
 * Systems without abstract sockets: flock(2) on lock files beside the
 * default control socket, one for the name and one for the id.  The
 * kernel drops a flock when the last descriptor of the open file closes,
 * so it too outlives neither the parent nor netcfg.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "instlock.h"

static int	 fds[INSTLOCK_FDS] = { -1, -1 };

/* 1 locked, 0 held by someone else, -1 error (errno). */
static int
lock_file(const char *path, int *fdp)
{
	int	 fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		return (-1);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return (errno == EWOULDBLOCK ? 0 : -1);
	}
	*fdp = fd;
	return (1);
}

static int
lock_path(char *buf, size_t len, const char *what)
{
	char	 stem[PATH_MAX];

	if (instance_beside(DSVPND_SOCKET, "", stem, sizeof(stem)) == -1)
		return (-1);
	return ((size_t)snprintf(buf, len, "%s-%s.lock", stem, what) >= len ?
	    -1 : 0);
}

/* Two names met on one id: say how to give this one its own. */
static void
id_taken(const struct conf *c, char *err, size_t errlen)
{
	snprintf(err, errlen, "instance id %u of instance %s is taken by "
	    "another running instance: give this one its own with "
	    "'instance \"%s\" id N' (0 to %d)", c->instance_id, c->instance,
	    c->instance, INSTANCE_ID_MAX);
}

int
instlock_take(const struct conf *c, char *err, size_t errlen)
{
	char	 path[PATH_MAX], what[32];
	int	 r;

	snprintf(what, sizeof(what), "instance-%s", c->instance);
	r = lock_path(path, sizeof(path), what) == 0 ?
	    lock_file(path, &fds[0]) : -1;
	if (r != 1) {
		if (r == 0)
			snprintf(err, errlen, "instance %s is already running "
			    "(lock %s)", c->instance, path);
		else
			snprintf(err, errlen, "instance lock %s: %s", path,
			    strerror(errno));
		return (-1);
	}
	snprintf(what, sizeof(what), "id-%u", c->instance_id);
	r = lock_path(path, sizeof(path), what) == 0 ?
	    lock_file(path, &fds[1]) : -1;
	if (r != 1) {
		close(fds[0]);
		fds[0] = -1;
		if (r == 0)
			id_taken(c, err, errlen);
		else
			snprintf(err, errlen, "instance lock %s: %s", path,
			    strerror(errno));
		return (-1);
	}
	return (0);
}

int
instlock_fd(int i)
{
	return (i >= 0 && i < INSTLOCK_FDS ? fds[i] : -1);
}
