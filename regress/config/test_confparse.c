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
 * A stand-in for "dsvpnd -n" while t-config.sh needs one:
 *
 *	test_confparse -n [-v] [-D macro=value] -f file
 *
 * checks (and with -v prints) a configuration file.  Run with no
 * arguments, as regress/run.sh does, it tests load_key() itself, which
 * "dsvpnd -n" never calls.
 */

#include "compat.h"

#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "parent.h"
#include "log.h"
#include "pool.h"

static int	 failures;

static int
write_key(const char *path, const void *data, size_t len, mode_t mode)
{
	int	 fd;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)) == -1)
		err(1, "%s", path);
	if (write(fd, data, len) != (ssize_t)len)
		err(1, "write %s", path);
	if (fchmod(fd, mode) == -1)
		err(1, "chmod %s", path);
	return close(fd);
}

/*
 * load_key on path: refused (want_raw NULL) with a message holding
 * want_err, or accepted with these raw bytes and this PSK (NULL: the
 * raw bytes themselves).
 */
static void
expect_key(const char *what, const char *path, const uint8_t *want_raw,
    const uint8_t *want_psk, const char *want_err)
{
	struct conf_key	 key;
	char		 err[CONF_KEY_ERR_MAX];
	int		 ok;

	err[0] = '\0';
	ok = load_key(path, &key, err, sizeof(err)) == 0;
	if (want_psk == NULL)
		want_psk = want_raw;
	if (ok != (want_raw != NULL) ||
	    (ok && memcmp(key.raw, want_raw, CONF_KEY_LEN) != 0) ||
	    (ok && memcmp(key.psk, want_psk, CONF_KEY_LEN) != 0) ||
	    (!ok && want_err != NULL && strstr(err, want_err) == NULL) ||
	    (!ok && strchr(err, '\n') != NULL)) {
		printf("FAIL: load_key %s: %s (%s)\n", what,
		    ok ? "accepted or wrong key" : "refused", err);
		failures++;
	} else
		printf("ok: load_key %s%s%s\n", what, ok ? "" : ": ", err);
}

static void
hex_decode(uint8_t *out, const char *hex, size_t len)
{
	size_t	 i;
	unsigned int b;

	for (i = 0; i < len; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			errx(1, "bad hex in test");
		out[i] = b;
	}
}

/* What the first bytes of a key file are taken for. */
static void
expect_kind(const char *what, const char *text, enum key_kind want)
{
	enum key_kind	 got;

	got = key_classify((const uint8_t *)text, strlen(text));
	if (got != want) {
		printf("FAIL: key_classify %s: %d, want %d\n", what, got,
		    want);
		failures++;
	} else
		printf("ok: key_classify %s\n", what);
}

static void
classify_tests(void)
{
	const char	*b64 = "mbLX5XSXIGAQ+vlY6IdnoREeN8md1/npdupe8k2fPNU=";
	const char	*url = "mbLX5XSXIGAQ-vlY6IdnoREeN8md1_npdupe8k2fPNU";
	const char	*hex = "00112233445566778899aabbccddeeff"
			    "00112233445566778899AABBCCDDEEFF";

	expect_kind("base64", b64, KEY_BASE64);
	expect_kind("base64 and a newline", "mbLX5XSXIGAQ+vlY6IdnoREeN8md1"
	    "/npdupe8k2fPNU=\n", KEY_BASE64);
	expect_kind("base64 unpadded, url-safe", url, KEY_BASE64);
	expect_kind("hex", hex, KEY_HEX);
	expect_kind("hex, CRLF", "00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff\r\n", KEY_HEX);
	/* Letters only, but not a valid encoding of 32 bytes: the last
	 * character carries bits beyond the key. */
	expect_kind("43 letters", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq",
	    KEY_TEXT);
	expect_kind("63 hex digits and a g", "00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeefg", KEY_TEXT);
	expect_kind("echo key", "0123456789abcdef0123456789ABCDEF\n", KEY_TEXT);
	expect_kind("a control byte", "0123456789abcdef\t123456789ABCDEF",
	    KEY_RAW);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	write_key(path, text, strlen(text), mode);
}

/*
 * A reload parses again in the same process: state left over from an
 * earlier run, good or bad, must not leak into the next.
 */
static void
reparse(const char *dir)
{
	struct conf	 a, b;
	char		 conf[PATH_MAX], key[PATH_MAX], bad[PATH_MAX];
	char		 text[PATH_MAX + 256], msgs[1024];

	snprintf(key, sizeof(key), "%s/vpn.key", dir);
	snprintf(conf, sizeof(conf), "%s/good.conf", dir);
	snprintf(bad, sizeof(bad), "%s/bad.conf", dir);
	write_key(key, "0123456789abcdef0123456789abcdef", 32, 0600);
	snprintf(text, sizeof(text), "m = \"5\"\nkey \"%s\"\n"
	    "connect to x.example\nkeepalive $m\nroute 10.0.0.0/8\n", key);
	write_file(conf, text, 0644);
	write_file(bad, "m = \"7\"\ninclude \"bad.conf\"\nbogus \"\n",
	    0644);

	if (parse_config(conf, &a) != 0 || parse_config(bad, &b) != 2 ||
	    parse_config(conf, &b) != 0 || memcmp(&a, &b, sizeof(a)) != 0) {
		printf("FAIL: parse_config is not the same when run again\n");
		failures++;
	} else
		printf("ok: parse_config runs again cleanly\n");

	conf_set_error_buffer(msgs, sizeof(msgs));
	parse_config(bad, &b);
	conf_set_error_buffer(NULL, 0);
	if (strstr(msgs, "bad.conf:2: include") == NULL ||
	    strstr(msgs, "\n") == NULL) {
		printf("FAIL: conf_set_error_buffer got \"%s\"\n", msgs);
		failures++;
	} else
		printf("ok: conf_set_error_buffer\n");
	unlink(conf);
	unlink(bad);
	unlink(key);
}

static int
selftest(void)
{
	char		 dir[PATH_MAX - 16], path[PATH_MAX];
	const char	*tmp;
	uint8_t		 raw[64], psk[CONF_KEY_LEN];
	const char	*text = "0123456789abcdef0123456789ABCDEF\n";
	/* Argon2id v1.3 of that text, t=3, m=64 MiB, p=1, salt "dsvpnd1
	 * text key" (doc/PROTOCOL.md), as the reference argon2(1) says:
	 * printf %s 0123456789abcdef0123456789ABCDEF |
	 *     argon2 'dsvpnd1 text key' -id -t 3 -k 65536 -p 1 -l 32 -r */
	const char	*text_psk = "4b77f1012142a89eecd079882a1e13c9"
			    "a8d163aea4e70e0bd949121faccaf3aa";
	const char	*b64 =
			    "mbLX5XSXIGAQ+vlY6IdnoREeN8md1/npdupe8k2fPNU=\n";
	size_t		 i;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i * 37 + 11);
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/test_confparse.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		err(1, "mkdtemp");
	snprintf(path, sizeof(path), "%s/vpn.key", dir);

	classify_tests();
	hex_decode(psk, text_psk, sizeof(psk));
	write_key(path, raw, 32, 0600);
	expect_key("32 raw bytes", path, raw, NULL, NULL);
	write_key(path, text, 33, 0600);
	expect_key("33-byte echo key", path, (const uint8_t *)text, psk,
	    NULL);
	write_key(path, raw, 64, 0400);
	expect_key("64 bytes, first 32 used", path, raw, NULL, NULL);
	write_key(path, b64, strlen(b64), 0600);
	expect_key("base64 text", path, NULL, NULL, "base64 -d <");
	write_key(path, "00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff\n", 65, 0600);
	expect_key("hex text", path, NULL, NULL, "xxd -r -p <");
	write_key(path, raw, 31, 0600);
	expect_key("31 bytes", path, NULL, NULL, "31 bytes, a key needs 32");
	write_key(path, raw, 32, 0640);
	expect_key("group-readable", path, NULL, NULL, "chmod 600");
	write_key(path, raw, 32, 0604);
	expect_key("world-readable", path, NULL, NULL, "chmod 600");
	unlink(path);
	expect_key("missing", path, NULL, NULL, "No such file");
	reparse(dir);
	rmdir(dir);
	return failures != 0;
}

static __dead void
usage(void)
{
	fprintf(stderr, "usage: test_confparse -n [-v] [-D macro=value] "
	    "-f file\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct conf		 conf;
	struct conf_clients	 clients;
	char			 err[256];
	const char		*file = NULL;
	int			 ch, check = 0, verbose = 0;

	memset(&clients, 0, sizeof(clients));
	log_init(1, 0, LOG_DAEMON);
	if (argc == 1)
		return selftest();
	while ((ch = getopt(argc, argv, "D:f:nv")) != -1) {
		switch (ch) {
		case 'D':
			if (cmdline_symset(optarg) == -1)
				errx(2, "could not parse macro definition %s",
				    optarg);
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (!check || file == NULL || optind != argc)
		usage();
	if (parse_config_clients(file, &conf, &clients) != 0)
		return 1;
	if (pool_prepare(&conf, &clients, 0, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", file, err);
		return 1;
	}
	if (verbose) {
		print_config_clients(&conf, &clients);
		show_instance(&conf);
	}
	else
		fprintf(stderr, "configuration OK\n");
	return 0;
}
