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
 * The pre-shared key file.  Its format is DSVPN's: at least 32 bytes, of
 * which the first 32 are the key, so raw keys from dd(1) and 32-character
 * text keys made with echo(1) (33 bytes with the newline) both work.
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "log.h"

/* A key others can read is no secret: refuse it, saying how to fix it. */
static int
keyfile_stat_ok(const char *path, const struct stat *st, char *err,
    size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "key file %s: not a regular file", path);
		return -1;
	}
	if (st->st_uid != 0 && st->st_uid != getuid()) {
		snprintf(err, errlen, "key file %s: owned by uid %u, not root "
		    "or the running user; run chown root %s", path,
		    (unsigned)st->st_uid, path);
		return -1;
	}
	if (st->st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "key file %s: readable or writable by "
		    "group or others; run chmod 600 %s", path, path);
		return -1;
	}
	if (st->st_size < CONF_KEY_LEN) {
		snprintf(err, errlen, "key file %s: %lld bytes, a key needs "
		    "%d; make one with dd if=/dev/urandom of=%s bs=%d count=1",
		    path, (long long)st->st_size, CONF_KEY_LEN, path,
		    CONF_KEY_LEN);
		return -1;
	}
	return 0;
}

int
keyfile_check(const char *path, char *err, size_t errlen)
{
	struct stat	 st;

	if (stat(path, &st) == -1) {
		snprintf(err, errlen, "key file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return keyfile_stat_ok(path, &st, err, errlen);
}

static int
read_full(int fd, uint8_t *buf, size_t len)
{
	ssize_t	 n;
	size_t	 off = 0;

	while (off < len) {
		n = read(fd, buf + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += n;
	}
	return 0;
}

int
load_key(const char *path, uint8_t key[CONF_KEY_LEN])
{
	struct stat	 st;
	char		 err[PATH_MAX * 3 + 128];
	int		 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("key file %s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		log_warn("key file %s", path);
		return -1;
	}
	if (keyfile_stat_ok(path, &st, err, sizeof(err)) == -1) {
		close(fd);
		log_warnx("%s", err);
		return -1;
	}
	if (read_full(fd, key, CONF_KEY_LEN) == -1) {
		close(fd);
		sodium_memzero(key, CONF_KEY_LEN);
		log_warnx("key file %s: cannot read %d bytes", path,
		    CONF_KEY_LEN);
		return -1;
	}
	close(fd);
	return 0;
}
