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
 * The dsvpnctl protocol's checks (ctl_verify: lengths, directions, text
 * termination, descriptors), the framing of hostile bytes on a real
 * socketpair, and the JSON writer's escaping.
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "dsvpnctl.h"
#include "json.h"

static int	 failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
		failures++;						\
	}								\
} while (0)

static uint8_t	 payload[MSG_MAX_PAYLOAD + 16];

static const char *
verify(int from, uint32_t type, size_t len)
{
	struct msg	 m;

	memset(&m, 0, sizeof(m));
	m.hdr.type = type;
	m.hdr.len = MSG_HDR_SIZE + len;
	m.data = payload;
	m.fd = -1;
	return ctl_verify(from, &m);
}

static void
test_lengths(void)
{
	int	 c = CTL_FROM_CLIENT, d = CTL_FROM_DAEMON;

	memset(payload, 'x', sizeof(payload));
	CHECK(verify(c, CTL_HELLO, 4) == NULL);
	CHECK(verify(d, CTL_HELLO, 4) == NULL);
	CHECK(verify(c, CTL_HELLO, 3) != NULL);
	CHECK(verify(c, CTL_HELLO, 5) != NULL);
	CHECK(verify(c, CTL_HELLO, 0) != NULL);
	CHECK(verify(c, CTL_STATUS, 0) == NULL);
	CHECK(verify(c, CTL_STATUS, 1) != NULL);
	CHECK(verify(c, CTL_RELOAD, 0) == NULL);
	CHECK(verify(c, CTL_RELOAD, 4) != NULL);
	CHECK(verify(c, CTL_LOG_VERBOSE, 4) == NULL);
	CHECK(verify(c, CTL_LOG_VERBOSE, 0) != NULL);
	CHECK(verify(c, CTL_LOG_VERBOSE, 8) != NULL);
	/* Unknown types and answers sent the wrong way. */
	CHECK(verify(c, CTL_NONE, 0) != NULL);
	CHECK(verify(c, CTL_TYPE_MAX, 0) != NULL);
	CHECK(verify(c, 0xffffffff, 0) != NULL);
	CHECK(verify(d, CTL_STATUS, 0) != NULL);
	CHECK(verify(d, CTL_RELOAD, 0) != NULL);
	CHECK(verify(c, CTL_RESULT, sizeof(struct msg_result)) != NULL);
	CHECK(verify(c, CTL_ERROR, 2) != NULL);
	CHECK(strcmp(ctl_type_name(CTL_HELLO), "hello") == 0);
	CHECK(strcmp(ctl_type_name(12345), "unknown") == 0);
}

static void
test_text(void)
{
	struct status_info	 si;
	struct msg_result	 res;
	int			 d = CTL_FROM_DAEMON;

	/* CTL_ERROR: some text and its NUL, within the limit. */
	memcpy(payload, "denied", 7);
	CHECK(verify(d, CTL_ERROR, 7) == NULL);
	CHECK(verify(d, CTL_ERROR, 6) != NULL);
	CHECK(verify(d, CTL_ERROR, 0) != NULL);
	memset(payload, 'x', CTL_ERROR_MAX + 1);
	payload[CTL_ERROR_MAX] = '\0';
	CHECK(verify(d, CTL_ERROR, CTL_ERROR_MAX + 1) != NULL);

	memset(&res, 0, sizeof(res));
	memcpy(payload, &res, sizeof(res));
	CHECK(verify(d, CTL_RESULT, sizeof(res)) == NULL);
	CHECK(verify(d, CTL_RESULT, sizeof(res) - 1) != NULL);
	memset(res.text, 'a', sizeof(res.text));
	memcpy(payload, &res, sizeof(res));
	CHECK(verify(d, CTL_RESULT, sizeof(res)) != NULL);

	/* A status reply: the struct, then text ending in a NUL. */
	memset(&si, 0, sizeof(si));
	memcpy(payload, &si, sizeof(si));
	payload[sizeof(si)] = '\0';
	CHECK(verify(d, CTL_STATUS_REPLY, sizeof(si) + 1) == NULL);
	CHECK(verify(d, CTL_STATUS_REPLY, sizeof(si)) != NULL);
	payload[sizeof(si)] = 'x';
	CHECK(verify(d, CTL_STATUS_REPLY, sizeof(si) + 1) != NULL);
	memset(payload + sizeof(si), 'y', MSG_MAX_PAYLOAD - sizeof(si));
	payload[MSG_MAX_PAYLOAD - 1] = '\0';
	CHECK(verify(d, CTL_STATUS_REPLY, MSG_MAX_PAYLOAD) == NULL);
	CHECK(verify(d, CTL_STATUS_REPLY, MSG_MAX_PAYLOAD + 1) != NULL);
	memset(si.cipher, 'c', sizeof(si.cipher));
	memcpy(payload, &si, sizeof(si));
	payload[sizeof(si)] = '\0';
	CHECK(verify(d, CTL_STATUS_REPLY, sizeof(si) + 1) != NULL);
}

static void
test_fd(void)
{
	struct msg	 m;

	memset(&m, 0, sizeof(m));
	m.hdr.type = CTL_STATUS;
	m.hdr.len = MSG_HDR_SIZE;
	m.data = payload;
	m.fd = 0;
	CHECK(ctl_verify(CTL_FROM_CLIENT, &m) != NULL);
}

/* What a hostile client's bytes look like after the framing. */
static void
test_framing(void)
{
	struct msgbuf	 mb;
	struct msg	 m;
	struct msg_hdr	 hdr;
	uint32_t	 v = CTL_PROTOCOL_VERSION;
	int		 sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1) {
		perror("socketpair");
		exit(1);
	}
	msgbuf_init(&mb, sp[0]);
	CHECK(msg_compose(&mb, CTL_HELLO, 0, getpid(), -1, &v,
	    sizeof(v)) == 0);
	CHECK(msgbuf_write(&mb) == 0);
	msgbuf_init(&mb, sp[1]);
	CHECK(msgbuf_read(&mb) > 0);
	CHECK(msg_get(&mb, &m) == 1);
	CHECK(ctl_verify(CTL_FROM_CLIENT, &m) == NULL);
	CHECK(msg_get(&mb, &m) == 0);

	/* A header claiming more than the largest message. */
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = CTL_STATUS;
	hdr.len = MSG_MAX_SIZE + 1;
	CHECK(write(sp[0], &hdr, sizeof(hdr)) == (ssize_t)sizeof(hdr));
	CHECK(msgbuf_read(&mb) > 0);
	CHECK(msg_get(&mb, &m) == -1);

	/* A truncated header is only "need more". */
	msgbuf_init(&mb, sp[1]);
	CHECK(write(sp[0], &hdr, 7) == 7);
	CHECK(msgbuf_read(&mb) == 7);
	CHECK(msg_get(&mb, &m) == 0);
	close(sp[0]);
	close(sp[1]);
}

static void
check_escape(const char *in, const char *want)
{
	char	 buf[256];
	FILE	*fp;
	size_t	 n;

	if ((fp = tmpfile()) == NULL) {
		perror("tmpfile");
		exit(1);
	}
	json_escape(fp, in);
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	if (strcmp(buf, want) != 0) {
		fprintf(stderr, "json_escape: got %s, want %s\n", buf, want);
		failures++;
	}
}

static void
test_json_escape(void)
{
	check_escape("", "\"\"");
	check_escape("tun0", "\"tun0\"");
	check_escape("a\"b\\c", "\"a\\\"b\\\\c\"");
	check_escape("x\ny\tz\r", "\"x\\ny\\tz\\r\"");
	check_escape("\001\037\177", "\"\\u0001\\u001f\\u007f\"");
	check_escape("/", "\"/\"");
	check_escape("caf\303\251", "\"caf\303\251\"");
	check_escape("\342\202\254", "\"\342\202\254\"");
	check_escape("\360\237\230\200", "\"\360\237\230\200\"");
	/* Not UTF-8: stray bytes, overlong forms, surrogates, cut off. */
	check_escape("\377", "\"\\ufffd\"");
	check_escape("\300\257", "\"\\ufffd\\ufffd\"");
	check_escape("\355\240\200", "\"\\ufffd\\ufffd\\ufffd\"");
	check_escape("\303", "\"\\ufffd\"");
	check_escape("\364\220\200\200", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void
test_json_layout(void)
{
	const char	*want = "{\n  \"a\": 1,\n  \"b\": [\n    \"x\",\n"
	    "    null\n  ],\n  \"c\": {},\n  \"d\": -2\n}\n";
	struct json	 j;
	char		 buf[256];
	FILE		*fp;
	size_t		 n;

	if ((fp = tmpfile()) == NULL) {
		perror("tmpfile");
		exit(1);
	}
	json_init(&j, fp);
	json_begin_object(&j, NULL);
	json_uint(&j, "a", 1);
	json_begin_array(&j, "b");
	json_string(&j, NULL, "x");
	json_string(&j, NULL, NULL);
	json_end_array(&j);
	json_begin_object(&j, "c");
	json_end_object(&j);
	json_int(&j, "d", -2);
	json_end_object(&j);
	json_finish(&j);
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	if (strcmp(buf, want) != 0) {
		fprintf(stderr, "json layout: got\n%s\nwant\n%s\n", buf, want);
		failures++;
	}
}

/* A status full of awkward strings must still print as valid JSON. */
static void
test_status_json(void)
{
	struct status_info	 si;
	const char		*tmp, *netcfg = "ip addr add \"x\"\n\tnft\001"
	    "\377 table\n\nlast line";
	char			 path[1024], cmd[2048];
	FILE			*fp;

	memset(&si, 0, sizeof(si));
	si.version = STATUS_VERSION;
	si.role = 2;
	si.state = 3;
	si.state_since = 1700000000;
	strlcpy(si.peer, "2001:db8::1 443", sizeof(si.peer));
	strlcpy(si.ifname, "tun\"0", sizeof(si.ifname));
	strlcpy(si.inet_local, "192.168.192.1", sizeof(si.inet_local));
	strlcpy(si.inet_peer, "192.168.192.254", sizeof(si.inet_peer));
	strlcpy(si.cipher, "a\\b\x01", sizeof(si.cipher));
	si.stats.bytes_in = UINT64_MAX;
	si.stats.drops[0] = 7;
	if ((tmp = getenv("TMPDIR")) == NULL)
		tmp = "/tmp";
	snprintf(path, sizeof(path), "%s/status-%ld.json", tmp,
	    (long)getpid());
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	status_print_json(fp, &si, netcfg);
	status_print(fp, &si, netcfg, 1700000100);
	fclose(fp);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	status_print_json(fp, &si, netcfg);
	fclose(fp);
	if (system("command -v jq >/dev/null 2>&1") != 0) {
		printf("jq missing: status JSON not validated\n");
		unlink(path);
		return;
	}
	snprintf(cmd, sizeof(cmd), "jq -e '.interface == \"tun\\\"0\" and "
	    ".stats.bytes_in == 18446744073709551615 and "
	    ".peer.port == 443 and (.network_changes | length) == 3 and "
	    ".inet6 == null and .stats.drops.auth == 7' %s >/dev/null", path);
	CHECK(system(cmd) == 0);
	unlink(path);
}

/*
 * A client's settings in use, some from its server: text and JSON say
 * which, and counts past the arrays (a hostile reply) stay bounded.
 */
static void
test_status_pushed(void)
{
	struct status_info	 si;
	char			 buf[8192], cmd[2048];
	const char		*tmp;
	char			 path[1024];
	FILE			*fp;

	memset(&si, 0, sizeof(si));
	si.version = STATUS_VERSION;
	si.role = 2;
	si.have_addrs = 1;
	si.pushed = CONF_SET_INET | CONF_SET_DNS;
	si.mtu = 1400;
	si.n_routes = CONF_MAX_ROUTES + 100;
	si.routes[0].af = AF_INET;
	si.routes[0].plen = 24;
	si.routes[0].addr.v4.s_addr = htonl(0xc0a8c000);
	si.n_dns = CONF_MAX_DNS + 7;
	si.dns[0].af = AF_INET;
	si.dns[0].plen = 32;
	si.dns[0].addr.v4.s_addr = htonl(0xc0000235);
	strlcpy(si.inet_local, "192.168.192.9", sizeof(si.inet_local));
	strlcpy(si.inet_peer, "192.168.192.254", sizeof(si.inet_peer));
	if ((fp = fmemopen(buf, sizeof(buf), "w")) == NULL) {
		perror("fmemopen");
		exit(1);
	}
	status_print(fp, &si, "", 1700000100);
	fclose(fp);
	CHECK(strstr(buf, "192.168.192.9 -> 192.168.192.254 (pushed)\n") !=
	    NULL);
	CHECK(strstr(buf, "192.0.2.53 (pushed, not applied)") != NULL);
	CHECK(strstr(buf, "mtu:             1400\n") != NULL);
	CHECK(strstr(buf, "routes:          192.168.192.0/24\n") != NULL);
	si.have_addrs = 0;
	if ((fp = fmemopen(buf, sizeof(buf), "w")) == NULL)
		exit(1);
	status_print(fp, &si, "", 1700000100);
	fclose(fp);
	CHECK(strstr(buf, "none (waiting for the server's)") != NULL);
	if (system("command -v jq >/dev/null 2>&1") != 0)
		return;
	if ((tmp = getenv("TMPDIR")) == NULL)
		tmp = "/tmp";
	snprintf(path, sizeof(path), "%s/pushed-%ld.json", tmp,
	    (long)getpid());
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	si.have_addrs = 1;
	status_print_json(fp, &si, "");
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "jq -e '.pushed == [\"inet\", \"dns\"] "
	    "and .mtu == 1400 and .have_addrs == true and "
	    "(.routes | length) == 1 and (.dns | length) == 1 and "
	    ".routes[0] == \"192.168.192.0/24\"' %s >/dev/null", path);
	CHECK(system(cmd) == 0);
	unlink(path);
}

int
main(void)
{
	test_lengths();
	test_text();
	test_fd();
	test_framing();
	test_json_escape();
	test_json_layout();
	test_status_json();
	test_status_pushed();
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("ctl protocol and JSON: all checks passed\n");
	return 0;
}
