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
 * What can be checked before anything starts: dsvpnd -n runs these after
 * the configuration parses, and a start runs them before it detaches, so
 * that a missing user or an unsafe chroot is said on the terminal rather
 * than found by a child once the daemon is in the background (where the
 * first to fail used to be the control socket, which needs the user's
 * group, so that a missing user read as a control socket error).
 */

#include "compat.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <net/if.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "safepath.h"
#include "parent.h"

#define CHECK_MSG_MAX	(PATH_MAX * 3 + 256)

/* The unprivileged user and its group, which the children become. */
static int
check_user(const struct conf *c, void (*report)(int, const char *))
{
	char		 msg[CHECK_MSG_MAX];
	struct passwd	*pw;

	if ((pw = getpwnam(c->user)) == NULL) {
		snprintf(msg, sizeof(msg), "user %s does not exist: create "
		    "it, e.g. with useradd -r -d %s -s /usr/sbin/nologin %s",
		    c->user, c->chroot, c->user);
		report(0, msg);
		return 1;
	}
	if (pw->pw_uid == 0) {
		snprintf(msg, sizeof(msg), "user %s is root: name an "
		    "unprivileged user", c->user);
		report(0, msg);
		return 1;
	}
	if (getgrgid(pw->pw_gid) == NULL) {
		snprintf(msg, sizeof(msg), "user %s: its group %u does not "
		    "exist", c->user, (unsigned)pw->pw_gid);
		report(0, msg);
		return 1;
	}
	return 0;
}

static int
check_chroot(const struct conf *c, void (*report)(int, const char *))
{
	char	 err[CHECK_MSG_MAX], msg[CHECK_MSG_MAX + 32];

	if (safepath_dir_strict(c->chroot, err, sizeof(err)) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "chroot directory %s", err);
	report(0, msg);
	return 1;
}

/* The control socket is made at start: its directory must be there. */
static int
check_socket_dir(const struct conf *c, void (*report)(int, const char *))
{
	char		 dir[PATH_MAX], msg[CHECK_MSG_MAX];
	struct stat	 st;
	const char	*why;
	char		*slash;

	strlcpy(dir, c->control_socket, sizeof(dir));
	if ((slash = strrchr(dir, '/')) == NULL)
		return 0;
	if (slash == dir)
		slash++;
	*slash = '\0';
	if (stat(dir, &st) == -1)
		why = strerror(errno);
	else if (!S_ISDIR(st.st_mode))
		why = "not a directory";
	else
		return 0;
	snprintf(msg, sizeof(msg), "control socket %s: directory %s: %s",
	    c->control_socket, dir, why);
	report(0, msg);
	return 1;
}

/* nat on IFACE may name one that comes later (ppp0): only a warning. */
static void
check_nat_if(const struct conf *c, void (*report)(int, const char *))
{
	char	 msg[128];

	if (c->role != ROLE_SERVER || c->nat != NAT_IFACE ||
	    if_nametoindex(c->nat_if) != 0)
		return;
	snprintf(msg, sizeof(msg), "nat on %s: no such interface now; the "
	    "rules apply to it once it exists", c->nat_if);
	report(1, msg);
}

/* What DSVPN's protocol cannot do, said wherever it is configured. */
static void
check_dsvpn(const struct conf *c, void (*report)(int, const char *))
{
	if (!conf_dsvpn(c))
		return;
	report(1, "protocol dsvpn: DSVPN's wire protocol has no forward "
	    "secrecy (whoever gets the key file later decrypts every "
	    "recorded session), 48-bit tags and no rekeying; use it only "
	    "for peers that cannot speak dsvpnd's own protocol "
	    "(dsvpnd.conf(5))");
}

int
startcheck(const struct conf *c, void (*report)(int, const char *))
{
	int	 errors = 0;

	errors += check_user(c, report);
	errors += check_chroot(c, report);
	errors += check_socket_dir(c, report);
	check_nat_if(c, report);
	check_dsvpn(c, report);
	return errors;
}
