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
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safepath.h"

/*
 * One component comp of the directory dir, as lstat(2) sees it; last:
 * dir itself.  A sticky ancestor (/tmp) writable by others passes
 * unless strict: no one but root may rename or remove what root owns
 * in it.  Messages start with dir; the fix is named for dir itself,
 * since a directory above it is not ours to change: another directory
 * is the way out then.
 */
static int
safepath_component(const char *dir, const char *comp, int last, int strict,
    char *err, size_t errlen)
{
	struct stat	 st;
	const char	*what = NULL;
	char		 why[64];

	if (lstat(comp, &st) == -1) {
		snprintf(err, errlen, "%s: %s: %s", dir, comp,
		    strerror(errno));
		return (-1);
	}
	if (S_ISLNK(st.st_mode))	/* resolved a moment ago: a race */
		what = "is a symbolic link";
	else if (!S_ISDIR(st.st_mode))
		what = "is not a directory";
	else if (st.st_uid != 0) {
		snprintf(why, sizeof(why), "owned by uid %lu, not by root",
		    (unsigned long)st.st_uid);
		what = why;
	} else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (last || strict || (st.st_mode & S_ISVTX) == 0)) {
		snprintf(why, sizeof(why), "writable by %s (mode %04o)",
		    (st.st_mode & S_IWOTH) ? "others" : "its group",
		    (unsigned int)(st.st_mode & 07777));
		what = why;
	}
	if (what == NULL)
		return (0);
	if (last)
		snprintf(err, errlen, "%s: %s%s%s", dir, what,
		    st.st_uid != 0 ? "; run chown root " : "; run chmod go-w ",
		    comp);
	else
		snprintf(err, errlen, "%s: %s, above it, is %s; use a directory "
		    "that only root can change", dir, comp, what);
	return (-1);
}

/* realpath(3) of dir, then every component of it checked. */
static int
safepath_walk(const char *dir, int strict, char *resolved, size_t rlen,
    char *err, size_t errlen)
{
	char	 real[PATH_MAX], comp[PATH_MAX];
	size_t	 i, len;

	if (realpath(dir, real) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	len = strlen(real);
	if (strlcpy(resolved, real, rlen) >= rlen) {
		snprintf(err, errlen, "%s: path too long", dir);
		return (-1);
	}
	/* "/", then every prefix ending before a '/', then the whole. */
	if (safepath_component(dir, "/", len == 1, strict, err,
	    errlen) == -1)
		return (-1);
	for (i = 1; i <= len; i++) {
		if (i < len && real[i] != '/')
			continue;
		memcpy(comp, real, i);
		comp[i] = '\0';
		if (safepath_component(dir, comp, i == len, strict, err,
		    errlen) == -1)
			return (-1);
	}
	return (0);
}

int
safepath_dir(const char *dir, char *resolved, size_t rlen, char *err,
    size_t errlen)
{
	return (safepath_walk(dir, 0, resolved, rlen, err, errlen));
}

int
safepath_dir_strict(const char *dir, char *err, size_t errlen)
{
	char	 resolved[PATH_MAX];

	return (safepath_walk(dir, 1, resolved, sizeof(resolved), err,
	    errlen));
}

int
safepath_parent(const char *path, char *resolved, size_t rlen,
    const char **base, char *err, size_t errlen)
{
	char		 dir[PATH_MAX];
	const char	*slash;
	size_t		 n;

	if ((slash = strrchr(path, '/')) == NULL) {
		*base = path;
		strlcpy(dir, ".", sizeof(dir));
	} else {
		*base = slash + 1;
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir)) {
			snprintf(err, errlen, "%s: path too long", path);
			return (-1);
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (**base == '\0' || strcmp(*base, ".") == 0 ||
	    strcmp(*base, "..") == 0) {
		snprintf(err, errlen, "%s: not a file name", path);
		return (-1);
	}
	return (safepath_dir(dir, resolved, rlen, err, errlen));
}

/* The file that openat() gave: ours alone, or refused. */
static int
safepath_check_file(int fd, const char *path, char *err, size_t errlen)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (!S_ISREG(st.st_mode))
		snprintf(err, errlen, "%s: not a regular file", path);
	else if (st.st_uid != 0)
		snprintf(err, errlen, "%s: owned by uid %lu, not by root",
		    path, (unsigned long)st.st_uid);
	else if (st.st_nlink != 1)
		snprintf(err, errlen, "%s: has %lu links", path,
		    (unsigned long)st.st_nlink);
	else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		snprintf(err, errlen, "%s: writable by group or others "
		    "(mode %04o)", path, (unsigned int)(st.st_mode & 07777));
	else
		return (0);
	return (-1);
}

int
safepath_open_pidfile(const char *path, char *err, size_t errlen)
{
	char		 resolved[PATH_MAX];
	const char	*base;
	int		 dfd, fd, save;

	if (safepath_parent(path, resolved, sizeof(resolved), &base, err,
	    errlen) == -1)
		return (-1);
	/* Relative to the directory just checked, not the path again. */
	if ((dfd = open(resolved, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", resolved, strerror(errno));
		return (-1);
	}
	fd = openat(dfd, base, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0644);
	save = errno;
	close(dfd);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, save == ELOOP ?
		    "is a symbolic link" : strerror(save));
		return (-1);
	}
	if (safepath_check_file(fd, path, err, errlen) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}
