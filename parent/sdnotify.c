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
 * The service manager's readiness protocol, sd_notify(3), without
 * libsystemd: one datagram to the socket named by $NOTIFY_SOCKET (a
 * path, or an abstract name written with a leading @).  Nothing is sent
 * when the variable is unset, as everywhere but under systemd.
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"

static struct sockaddr_un	 notify_sun;
static socklen_t		 notify_len;	/* 0: no service manager */

/* Reads $NOTIFY_SOCKET once and hides it from the children. */
void
sdnotify_init(void)
{
	const char	*path;
	size_t		 len;

	if ((path = getenv("NOTIFY_SOCKET")) == NULL)
		return;
	len = strlen(path);
	if ((path[0] == '/' || path[0] == '@') && len >= 2 &&
	    len < sizeof(notify_sun.sun_path)) {
		memset(&notify_sun, 0, sizeof(notify_sun));
		notify_sun.sun_family = AF_UNIX;
		memcpy(notify_sun.sun_path, path, len);
		if (path[0] == '@')
			notify_sun.sun_path[0] = '\0';
		notify_len = offsetof(struct sockaddr_un, sun_path) + len;
	}
	unsetenv("NOTIFY_SOCKET");
}

/* Sends "READY=1" and the like; a failure is logged, never fatal. */
void
sdnotify(const char *state)
{
	char	 buf[256];
	int	 s, n;

	if (notify_len == 0)
		return;
	n = snprintf(buf, sizeof(buf), "%s\nMAINPID=%ld\n", state,
	    (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	if ((s = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1) {
		log_warn("sd_notify: socket");
		return;
	}
	(void)fcntl(s, F_SETFD, FD_CLOEXEC);
	if (sendto(s, buf, n, 0, (struct sockaddr *)&notify_sun,
	    notify_len) != n)
		log_warn("sd_notify %s", state);
	close(s);
}
