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
 *
 * A text key is a password more often than not, and one recorded hello
 * lets an eavesdropper test guesses against it offline: the native
 * protocol's PSK is therefore Argon2id of it, which makes each guess
 * cost what it costs us once at load.  A raw key is used as it is.  The
 * base64 or hex text of a key, which is what people copy and paste, is
 * refused with the command that decodes it: taken as a text key it would
 * silently differ from the other end's raw one.
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "log.h"

/* Enough to tell 64 hex digits and a newline from a longer file. */
#define KEY_HEAD	128

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

static int
is_hex(const uint8_t *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (!isxdigit(buf[i]))
			return 0;
	return 1;
}

/* Exactly one 32-byte key in any of the four usual base64 alphabets. */
static int
is_base64_key(const uint8_t *buf, size_t len)
{
	static const int	 variants[] = {
		sodium_base64_VARIANT_ORIGINAL,
		sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
		sodium_base64_VARIANT_URLSAFE,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING
	};
	uint8_t			 bin[CONF_KEY_LEN];
	const char		*end;
	size_t			 binlen, i;
	int			 ok = 0;

	if (len != 43 && len != 44)
		return 0;
	for (i = 0; i < nitems(variants) && !ok; i++)
		ok = sodium_base642bin(bin, sizeof(bin), (const char *)buf,
		    len, NULL, &binlen, &end, variants[i]) == 0 &&
		    binlen == sizeof(bin) && end == (const char *)buf + len;
	sodium_memzero(bin, sizeof(bin));
	return ok;
}

enum key_kind
key_classify(const uint8_t *buf, size_t len)
{
	size_t	 i;

	/* The text may end in one newline, as base64(1) and editors
	 * leave it. */
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 2 * CONF_KEY_LEN && is_hex(buf, len))
		return KEY_HEX;
	if (is_base64_key(buf, len))
		return KEY_BASE64;
	if (len < CONF_KEY_LEN)
		return KEY_RAW;
	for (i = 0; i < CONF_KEY_LEN; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return KEY_RAW;
	return KEY_TEXT;
}

static int
read_head(int fd, uint8_t *buf, size_t len)
{
	ssize_t	 n;
	size_t	 off = 0;

	while (off < len) {
		n = read(fd, buf + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		off += n;
	}
	return (int)off;
}

/*
 * Opens, checks and reads the start of a key file into buf; returns the
 * number of bytes read, or -1 with the reason in err.
 */
static int
keyfile_read(const char *path, uint8_t buf[KEY_HEAD], char *err,
    size_t errlen)
{
	struct stat	 st;
	int		 fd, n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "key file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "key file %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (keyfile_stat_ok(path, &st, err, errlen) == -1) {
		close(fd);
		return -1;
	}
	n = read_head(fd, buf, KEY_HEAD);
	close(fd);
	if (n < CONF_KEY_LEN) {
		snprintf(err, errlen, "key file %s: cannot read %d bytes%s%s",
		    path, CONF_KEY_LEN, n == -1 ? ": " : "",
		    n == -1 ? strerror(errno) : "");
		return -1;
	}
	return n;
}

/* Refuses the text of a key, saying how to turn it into the key. */
static int
keyfile_encoded(const char *path, enum key_kind kind, char *err,
    size_t errlen)
{
	if (kind == KEY_BASE64) {
		snprintf(err, errlen, "key file %s holds the base64 text of a "
		    "key, not the key; decode it with (umask 077; base64 -d "
		    "< %s > %s.raw) and name %s.raw", path, path, path, path);
		return -1;
	}
	if (kind == KEY_HEX) {
		snprintf(err, errlen, "key file %s holds 64 hex digits, not "
		    "the key; decode them with (umask 077; xxd -r -p < %s > "
		    "%s.raw) and name %s.raw", path, path, path, path);
		return -1;
	}
	return 0;
}

int
keyfile_check(const char *path, char *err, size_t errlen)
{
	uint8_t	 buf[KEY_HEAD];
	int	 n, r;

	if ((n = keyfile_read(path, buf, err, errlen)) == -1)
		return -1;
	r = keyfile_encoded(path, key_classify(buf, n), err, errlen);
	sodium_memzero(buf, sizeof(buf));
	return r;
}

/* The native PSK of a text key: both ends derive the same one. */
static int
key_from_text(uint8_t psk[CONF_KEY_LEN], const uint8_t text[CONF_KEY_LEN])
{
	uint8_t	 salt[crypto_pwhash_SALTBYTES];

	memcpy(salt, CONF_KEY_SALT, sizeof(salt));
	return crypto_pwhash(psk, CONF_KEY_LEN, (const char *)text,
	    CONF_KEY_LEN, salt, CONF_KEY_PWHASH_OPS, CONF_KEY_PWHASH_MEM,
	    crypto_pwhash_ALG_ARGON2ID13);
}

int
load_key(const char *path, struct conf_key *key, char *err, size_t errlen)
{
	uint8_t		 buf[KEY_HEAD];
	enum key_kind	 kind;
	int		 n;

	memset(key, 0, sizeof(*key));
	if ((n = keyfile_read(path, buf, err, errlen)) == -1)
		return -1;
	kind = key_classify(buf, n);
	if (keyfile_encoded(path, kind, err, errlen) == -1) {
		sodium_memzero(buf, sizeof(buf));
		return -1;
	}
	memcpy(key->raw, buf, sizeof(key->raw));
	sodium_memzero(buf, sizeof(buf));
	if (kind == KEY_RAW) {
		memcpy(key->psk, key->raw, sizeof(key->psk));
		return 0;
	}
	if (key_from_text(key->psk, key->raw) != 0) {
		sodium_memzero(key, sizeof(*key));
		snprintf(err, errlen, "key file %s: a text key, and Argon2id "
		    "could not have the %u MiB of memory it needs", path,
		    CONF_KEY_PWHASH_MEM >> 20);
		return -1;
	}
	log_debug("key file %s: a text key, hashed with Argon2id", path);
	return 0;
}
