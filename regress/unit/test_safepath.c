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
 * safepath: directories only root may change, and the pid file opened
 * there without following a link.  Builds a small tree under a fresh
 * root-owned directory (needs root to chown; skips without it): modes,
 * owners, sticky ancestors, symbolic links to safe and unsafe places,
 * and pid files that are links, hard links, someone else's or not
 * files at all.
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

static int	 failures;
static char	 top[PATH_MAX / 2];

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

/* top/name, made with mode and owner (mkdir's mode is masked). */
static const char *
mkdir_as(const char *name, mode_t mode, uid_t uid)
{
	static char	 path[4][PATH_MAX];
	static int	 slot;
	char		*p = path[slot++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", top, name);
	if (mkdir(p, 0700) == -1 || chmod(p, mode) == -1 ||
	    chown(p, uid, 0) == -1) {
		printf("FAIL setup %s: %s\n", p, strerror(errno));
		exit(1);
	}
	return p;
}

static const char *
at(const char *name)
{
	static char	 path[4][PATH_MAX];
	static int	 slot;
	char		*p = path[slot++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", top, name);
	return p;
}

/* safepath_dir() says ok (want 0) or refuses with text in its reason. */
static void
expect_dir(const char *dir, int want, const char *text)
{
	char	 res[PATH_MAX], err[PATH_MAX + 128] = "", real[PATH_MAX];
	int	 r;

	r = safepath_dir(dir, res, sizeof(res), err, sizeof(err));
	if (want == 0) {
		CHECK(r == 0, "%s refused: %s", dir, err);
		CHECK(r != 0 || (realpath(dir, real) != NULL &&
		    strcmp(res, real) == 0), "%s resolved to %s", dir, res);
	} else {
		CHECK(r == -1, "%s accepted", dir);
		CHECK(r == 0 || strstr(err, text) != NULL,
		    "%s: reason \"%s\" lacks \"%s\"", dir, err, text);
	}
}

static void
test_dirs(void)
{
	expect_dir(top, 0, NULL);
	expect_dir("/", 0, NULL);
	expect_dir(mkdir_as("ok", 0755, 0), 0, NULL);
	expect_dir(mkdir_as("ok/deeper", 0711, 0), 0, NULL);
	expect_dir(mkdir_as("world", 0777, 0), -1, "writable by others");
	expect_dir(mkdir_as("world/below", 0755, 0), -1, "writable by others");
	expect_dir(mkdir_as("group", 0775, 0), -1, "writable by its group");
	expect_dir(mkdir_as("user", 0755, 1), -1, "owned by uid 1");
	expect_dir(mkdir_as("user/below", 0755, 0), -1, "owned by uid 1");
	/* Sticky: an ancestor may be /tmp-like, the directory itself not. */
	expect_dir(mkdir_as("sticky", 01777, 0), -1, "writable by others");
	expect_dir(mkdir_as("sticky/root", 0755, 0), 0, NULL);
	expect_dir(mkdir_as("sticky/theirs", 0755, 1), -1, "owned by uid 1");
	expect_dir(at("missing"), -1, "No such file");
	expect_dir(at("ok/../world"), -1, "writable by others");
}

static void
test_links(void)
{
	char	 res[PATH_MAX], err[256];
	int	 fd;

	CHECK(symlink(at("ok"), at("to-ok")) == 0, "symlink");
	CHECK(symlink(at("world/below"), at("to-world")) == 0, "symlink");
	CHECK(symlink("ok/deeper", at("relative")) == 0, "symlink");
	expect_dir(at("to-ok"), 0, NULL);
	expect_dir(at("relative"), 0, NULL);
	expect_dir(at("to-world"), -1, "writable by others");
	/* Followed: the result names the target, not the link. */
	CHECK(safepath_dir(at("to-ok"), res, sizeof(res), err,
	    sizeof(err)) == 0 && strcmp(res, at("ok")) == 0,
	    "to-ok resolved to %s", res);
	fd = open(at("file"), O_WRONLY | O_CREAT, 0644);
	CHECK(fd != -1, "create file");
	close(fd);
	expect_dir(at("file"), -1, "not a directory");
	CHECK(safepath_dir(at("ok"), res, 4, err, sizeof(err)) == -1 &&
	    strstr(err, "too long") != NULL, "short buffer: %s", err);
}

/* Opens a pid file: want an fd (0) or a refusal naming text. */
static void
expect_pidfile(const char *path, int want, const char *text)
{
	char	 err[PATH_MAX + 128] = "";
	int	 fd;

	fd = safepath_open_pidfile(path, err, sizeof(err));
	if (want == 0)
		CHECK(fd != -1, "%s refused: %s", path, err);
	else {
		CHECK(fd == -1, "%s opened", path);
		CHECK(fd != -1 || strstr(err, text) != NULL,
		    "%s: reason \"%s\" lacks \"%s\"", path, err, text);
	}
	if (fd != -1) {
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "no close-on-exec");
		close(fd);
	}
}

static void
test_pidfile(void)
{
	struct stat	 st;
	char		 victim[PATH_MAX];
	int		 fd;

	expect_pidfile(at("ok/d.pid"), 0, NULL);
	CHECK(stat(at("ok/d.pid"), &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == 0 && (st.st_mode & 0777) == 0644,
	    "pid file not created 0644 by root");
	expect_pidfile(at("ok/d.pid"), 0, NULL);	/* again: exists */

	/* A link in its place is not followed: the target stays. */
	snprintf(victim, sizeof(victim), "%s", at("ok/victim"));
	fd = open(victim, O_WRONLY | O_CREAT, 0600);
	CHECK(fd != -1 && write(fd, "keep", 4) == 4, "victim");
	close(fd);
	CHECK(symlink(victim, at("ok/link.pid")) == 0, "symlink");
	expect_pidfile(at("ok/link.pid"), -1, "symbolic link");
	CHECK(stat(victim, &st) == 0 && st.st_size == 4, "victim changed");
	CHECK(link(victim, at("ok/hard.pid")) == 0, "link");
	expect_pidfile(at("ok/hard.pid"), -1, "links");

	fd = open(at("ok/theirs.pid"), O_WRONLY | O_CREAT, 0644);
	CHECK(fd != -1 && fchown(fd, 1, 1) == 0, "theirs");
	close(fd);
	expect_pidfile(at("ok/theirs.pid"), -1, "owned by uid 1");
	fd = open(at("ok/open.pid"), O_WRONLY | O_CREAT, 0666);
	CHECK(fd != -1 && fchmod(fd, 0666) == 0, "open");
	close(fd);
	expect_pidfile(at("ok/open.pid"), -1, "writable by group or others");
	CHECK(mkdir(at("ok/dir.pid"), 0755) == 0, "mkdir");
	expect_pidfile(at("ok/dir.pid"), -1, "Is a directory");
	CHECK(mkfifo(at("ok/fifo.pid"), 0644) == 0, "mkfifo");
	expect_pidfile(at("ok/fifo.pid"), -1, "not a regular file");

	expect_pidfile(at("world/d.pid"), -1, "writable by others");
	expect_pidfile(at("world/below/d.pid"), -1, "writable by others");
	expect_pidfile(at("sticky/d.pid"), -1, "writable by others");
	expect_pidfile(at("sticky/root/d.pid"), 0, NULL);
	expect_pidfile(at("to-world/d.pid"), -1, "writable by others");
	expect_pidfile(at("ok/"), -1, "not a file name");
	expect_pidfile(at("ok/.."), -1, "not a file name");
}

/* A bare name is in the current directory. */
static void
test_parent(void)
{
	char		 res[PATH_MAX], err[256], cwd[PATH_MAX];
	const char	*base;

	CHECK(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
	CHECK(chdir(at("ok")) == 0, "chdir");
	CHECK(safepath_parent("x.sock", res, sizeof(res), &base, err,
	    sizeof(err)) == 0 && strcmp(base, "x.sock") == 0 &&
	    strcmp(res, at("ok")) == 0, "bare name: %s %s", res, err);
	CHECK(safepath_parent("/x.sock", res, sizeof(res), &base, err,
	    sizeof(err)) == 0 && strcmp(base, "x.sock") == 0 &&
	    strcmp(res, "/") == 0, "at the root: %s %s", res, err);
	CHECK(chdir(at("world")) == 0, "chdir");
	CHECK(safepath_parent("x.sock", res, sizeof(res), &base, err,
	    sizeof(err)) == -1, "bare name in a world-writable directory");
	CHECK(chdir(cwd) == 0, "chdir back");
}

int
main(void)
{
	const char	*tmp = getenv("TMPDIR");
	char		 cmd[PATH_MAX + 16];
	int		 rc;

	if (geteuid() != 0) {
		printf("skipped: needs root to make files of other owners\n");
		return 77;
	}
	snprintf(top, sizeof(top), "%s/safepath.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		printf("FAIL mkdtemp %s: %s\n", top, strerror(errno));
		return 1;
	}
	/* TMPDIR itself may sit below a link (/tmp on some systems). */
	if (realpath(top, cmd) != NULL)
		strlcpy(top, cmd, sizeof(top));
	test_dirs();
	test_links();
	test_pidfile();
	test_parent();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	rc = system(cmd);
	if (failures > 0) {
		printf("test_safepath: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_safepath: ok\n");
	return rc == 0 ? 0 : 1;
}
