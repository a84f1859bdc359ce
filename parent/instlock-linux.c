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
 * Linux: an abstract UNIX socket bound to "dsvpnd.instance.NAME" and one
 * bound to "dsvpnd.id.N".  The abstract namespace belongs to the network
 * namespace, so two namespaces (test namespaces, containers) each have
 * their own instance "dsvpnd", as they each have their own nft table and
 * routing table 42069; and the kernel releases the name when the last
 * descriptor closes, whatever killed its holder.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "instlock.h"

static int	 fds[INSTLOCK_FDS] = { -1, -1 };

/* 1 bound, 0 held by someone else, -1 error (errno). */
static int
bind_abstract(const char *name, int *fdp)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	/* sun_path[0] stays NUL: the abstract namespace. */
	strlcpy(sun.sun_path + 1, name, sizeof(sun.sun_path) - 1);
	len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (bind(fd, (struct sockaddr *)&sun, len) == -1) {
		close(fd);
		return (errno == EADDRINUSE ? 0 : -1);
	}
	*fdp = fd;
	return (1);
}

static int
id_free(uint32_t id)
{
	char	 name[64];
	int	 fd = -1, r;

	snprintf(name, sizeof(name), "dsvpnd.id.%u", id);
	if ((r = bind_abstract(name, &fd)) == 1)
		close(fd);
	return (r == 1);
}

/* A suggestion for the message: the first id nobody holds right now. */
static uint32_t
free_id(void)
{
	uint32_t	 id;

	for (id = 1; id <= INSTANCE_ID_MAX; id++)
		if (id_free(id))
			return (id);
	return (0);
}

/* Two names met on one id: say how to give this one its own. */
static void
id_taken(const struct conf *c, char *err, size_t errlen)
{
	snprintf(err, errlen, "instance id %u of instance %s is taken by "
	    "another running instance: give this one its own with "
	    "'instance \"%s\" id N' (0 to %d; %u is free now)",
	    c->instance_id, c->instance, c->instance, INSTANCE_ID_MAX,
	    free_id());
}

int
instlock_take(const struct conf *c, char *err, size_t errlen)
{
	char	 name[64];
	int	 r;

	snprintf(name, sizeof(name), "dsvpnd.instance.%s", c->instance);
	if ((r = bind_abstract(name, &fds[0])) != 1) {
		if (r == 0)
			snprintf(err, errlen, "instance %s is already running "
			    "in this network namespace", c->instance);
		else
			snprintf(err, errlen, "instance lock %s: %s", name,
			    strerror(errno));
		return (-1);
	}
	snprintf(name, sizeof(name), "dsvpnd.id.%u", c->instance_id);
	if ((r = bind_abstract(name, &fds[1])) != 1) {
		close(fds[0]);
		fds[0] = -1;
		if (r == 0)
			id_taken(c, err, errlen);
		else
			snprintf(err, errlen, "instance lock %s: %s", name,
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
