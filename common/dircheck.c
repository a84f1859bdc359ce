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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dircheck.h"

/*
 * One component: a directory only root may change.  The fix is named
 * for the directory itself; one above it (such as /tmp) is not ours to
 * change, so another directory is the way out.
 */
static int
component_ok(const char *path, const char *what, int last, char *err,
    size_t errlen)
{
	struct stat	 st;

	if (lstat(path, &st) == -1) {
		snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s is not a directory", what, path);
		return -1;
	}
	if (st.st_uid != 0 && last) {
		snprintf(err, errlen, "%s: owned by uid %u, not root; run "
		    "chown root %s", what, (unsigned)st.st_uid, path);
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && last) {
		snprintf(err, errlen, "%s: writable by group or others; run "
		    "chmod go-w %s", what, path);
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(err, errlen, "%s: %s, above it, is %s; use a "
		    "directory that only root can change", what, path,
		    st.st_uid != 0 ? "not owned by root" :
		    "writable by group or others");
		return -1;
	}
	return 0;
}

int
dir_check_safe(const char *path, char *err, size_t errlen)
{
	char	 real[PATH_MAX], part[PATH_MAX];
	char	*slash;

	/* Resolved first: on macOS /var is a link to /private/var, and
	 * only the directories it leads to matter. */
	if (realpath(path, real) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (component_ok("/", path, strcmp(real, "/") == 0, err,
	    errlen) == -1)
		return -1;
	if (strcmp(real, "/") == 0)
		return 0;
	slash = real;
	while ((slash = strchr(slash + 1, '/')) != NULL) {
		snprintf(part, sizeof(part), "%.*s", (int)(slash - real),
		    real);
		if (component_ok(part, path, 0, err, errlen) == -1)
			return -1;
	}
	return component_ok(real, path, 1, err, errlen);
}
