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
 * The asynchronous resolver (parent/resolve.c): its reply checker
 * refuses every malformed reply; an address is answered through the
 * event loop without a child; a cancelled lookup never calls back; and,
 * as root with the dsvpnd binary and its user at hand, the child
 * resolves localhost as the unprivileged user and is reaped.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <event.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent.h"
#include "resolve.h"

struct parent		*env;
static struct parent	 penv;
static int		 failures, calls, got_n;
static char		 got_err[RESOLVE_ERRLEN];
static struct sockaddr_storage got_ss;

#define CHECK(c, ...) do {						\
	if (!(c)) {							\
		failures++;						\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

static void
good(struct resolve_reply *r)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&r->addrs[0].ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&r->addrs[1].ss;

	memset(r, 0, sizeof(*r));
	r->n = 2;
	r->addrs[0].family = AF_INET;
	r->addrs[0].len = sizeof(*sin);
	sin->sin_family = AF_INET;
	r->addrs[1].family = AF_INET6;
	r->addrs[1].len = sizeof(*sin6);
	sin6->sin6_family = AF_INET6;
}

static void
test_check(void)
{
	struct resolve_reply	 r;

	good(&r);
	CHECK(resolve_reply_check(&r) == NULL, "a good reply refused");
	good(&r);
	r.n = RESOLVE_MAX_ADDRS + 1;
	CHECK(resolve_reply_check(&r) != NULL, "too many addresses");
	good(&r);
	r.addrs[0].family = AF_UNIX;
	CHECK(resolve_reply_check(&r) != NULL, "a bad family");
	good(&r);
	r.addrs[1].len = sizeof(struct sockaddr_storage);
	CHECK(resolve_reply_check(&r) != NULL, "a bad length");
	good(&r);
	r.addrs[0].ss.ss_family = AF_INET6;
	CHECK(resolve_reply_check(&r) != NULL, "a family that disagrees");
	good(&r);
	memset(r.error, 'x', sizeof(r.error));
	CHECK(resolve_reply_check(&r) != NULL, "an unterminated error");
	CHECK(resolve_is_numeric("203.0.113.1") &&
	    resolve_is_numeric("2001:db8::1") &&
	    !resolve_is_numeric("vpn.example.com"), "numeric hosts");
}

static void
cb(int n, const struct sockaddr_storage *ss, const socklen_t *len,
    const char *err, void *arg)
{
	calls++;
	got_n = n;
	strlcpy(got_err, err, sizeof(got_err));
	if (n > 0)
		memcpy(&got_ss, &ss[0], sizeof(got_ss));
}

static void
test_numeric(void)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&got_ss;
	char			 a[INET_ADDRSTRLEN];

	calls = 0;
	CHECK(resolve_start("203.0.113.1", "443", cb, NULL) == 0,
	    "a numeric lookup did not start");
	CHECK(calls == 0, "called back before the loop ran");
	event_dispatch();
	CHECK(calls == 1 && got_n == 1 && sin->sin_family == AF_INET &&
	    ntohs(sin->sin_port) == 443 &&
	    strcmp(inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)),
	    "203.0.113.1") == 0, "a numeric lookup: %d calls, n %d",
	    calls, got_n);
	calls = 0;
	CHECK(resolve_start("203.0.113.1", "443", cb, NULL) == 0,
	    "a numeric lookup did not start");
	resolve_cancel();
	event_dispatch();
	CHECK(calls == 0, "a cancelled lookup called back");
}

/* The child, for real: only as root, with the binary and its user. */
static void
test_child(void)
{
	const char	*self = getenv("DSVPND");

	if (geteuid() != 0 || self == NULL || getpwnam("_dsvpnd") == NULL) {
		printf("child lookup not tested (needs root, DSVPND and the "
		    "user _dsvpnd)\n");
		return;
	}
	strlcpy(penv.self, self, sizeof(penv.self));
	strlcpy(penv.conf.user, "_dsvpnd", sizeof(penv.conf.user));
	calls = 0;
	CHECK(resolve_start("localhost", "443", cb, NULL) == 0,
	    "a lookup by name did not start");
	event_dispatch();
	CHECK(calls == 1 && got_n >= 1, "localhost: %d calls, n %d (%s)",
	    calls, got_n, got_err);
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD,
	    "the resolver child was not reaped");
}

int
main(void)
{
	env = &penv;
	event_init();
	test_check();
	test_numeric();
	test_child();
	if (failures) {
		printf("test_resolve: %d failures\n", failures);
		return (1);
	}
	printf("test_resolve: ok\n");
	return (0);
}
