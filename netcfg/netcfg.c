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

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "netcfg.h"
#include "proc.h"

/*
 * The netcfg process: root, unsandboxed (it runs ip, nft, route, pfctl),
 * but it only ever acts on typed requests from the parent and keeps a
 * journal of what it changed.  When the parent goes away, for whatever
 * reason, it reverts everything and exits.
 */

static struct peer	 parent;
static struct conf	 conf;
static struct event	 ev_sigterm;
/* The instance locks, held (never used) until this process exits, so
 * that no new start sweeps what we are still reverting. */
static int		 locks[2] = { -1, -1 };
static struct instance_names names;

__dead static void
netcfg_exit(int revert)
{
	char	 err[512];

	if (revert && netcfg_revert(err, sizeof(err)) == -1)
		log_warnx("revert: %s", err);
	peer_flush(&parent);
	exit(0);
}

static void
send_result(int rv, const char *err)
{
	struct msg_result	 res;
	static char		 text[MSG_TEXT_MAX];

	memset(&res, 0, sizeof(res));
	res.ok = rv == 0;
	strlcpy(res.text, err, sizeof(res.text));
	peer_compose(&parent, MSG_NETCFG_RESULT, 0, -1, &res, sizeof(res));
	memset(text, 0, sizeof(text));
	netcfg_status(text, sizeof(text) - 1);
	peer_compose(&parent, MSG_NETCFG_STATUS, 0, -1, text,
	    strlen(text) + 1);
}

/* The state file lives beside the control socket, like the pid file,
 * so two instances with their own sockets never share one. */
static void
set_statefile(void)
{
	char	 path[PATH_MAX];

	if (memchr(conf.control_socket, '\0', sizeof(conf.control_socket)) ==
	    NULL || instance_beside(conf.control_socket, ".netcfg", path,
	    sizeof(path)) == -1)
		fatalx("state file path too long");
	netcfg_set_statefile(path);
}

static void
keep_lock(int fd)
{
	size_t	 i;

	for (i = 0; i < nitems(locks); i++)
		if (locks[i] == -1) {
			locks[i] = fd;
			return;
		}
	fatalx("%s: more locks than expected", __func__);
}

static void
dispatch_parent(struct peer *p, struct msg *m)
{
	const struct netcfg_req	*req;
	const char		*why;
	char			 err[512];
	static int		 checked;
	int32_t			 v;
	int			 rv;

	if (m == NULL) {
		log_info("parent gone: reverting");
		netcfg_exit(1);
	}
	err[0] = '\0';
	switch (m->hdr.type) {
	case MSG_RECONF_BEGIN:
		break;
	case MSG_RECONF_CONF:
		memcpy(&conf, m->data, sizeof(conf));
		set_statefile();
		if (memchr(conf.instance, '\0', sizeof(conf.instance)) ==
		    NULL || instance_names(conf.instance, conf.instance_id,
		    &names) == -1 ||
		    netcfg_set_instance(conf.instance, conf.instance_id) == -1)
			fatalx("bad instance in the configuration");
		break;
	case MSG_RECONF_END:
		if (!checked) {
			checked = 1;
			if (netcfg_startup_check(&names, err, sizeof(err)))
				log_warnx("%s", err);
		}
		break;
	case MSG_VERBOSE:
		memcpy(&v, m->data, sizeof(v));
		log_setverbose(v);
		break;
	case MSG_NETCFG_APPLY:
		req = m->data;
		if ((why = netcfg_req_validate(req)) != NULL)
			fatalx("invalid APPLY request: %s", why);
		rv = netcfg_apply(req, err, sizeof(err));
		send_result(rv, err);
		break;
	case MSG_NETCFG_REVERT:
		rv = netcfg_revert(err, sizeof(err));
		send_result(rv, err);
		break;
	case MSG_NETCFG_FLUSH:
		rv = netcfg_flush(err, sizeof(err));
		send_result(rv, err);
		break;
	case MSG_NETCFG_LOCK:
		keep_lock(m->fd);
		break;
	case MSG_SHUTDOWN:
		netcfg_exit(0);
	default:
		log_debug("%s: unexpected %s", __func__,
		    msgcat_name(m->hdr.type));
	}
}

static void
engine_log(int priority, const char *line)
{
	if (strncmp(line, "netcfg: ", 8) == 0)
		line += 8;
	log_emit_fmt(priority, "%s", line);
}

static void
on_sigterm(int sig, short event, void *arg)
{
	log_info("SIGTERM: reverting");
	netcfg_exit(1);
}

__dead void
netcfg_main(int debug, int verbose)
{
	const char	*fail;
	const char	*errstr;
	int		 n;

	proc_child_start(PROC_NETCFG, &parent, dispatch_parent);
	netcfg_set_logger(engine_log);
	netcfg_drop_privileges();
	signal_set(&ev_sigterm, SIGTERM, on_sigterm, NULL);
	signal_add(&ev_sigterm, NULL);
	/* Test hooks: make the Nth step of the next plan fail, or exit
	 * right after it as if killed. */
	if ((fail = getenv("DSVPND_NETCFG_FAIL_STEP")) != NULL) {
		n = strtonum(fail, 1, 1000, &errstr);
		if (errstr == NULL)
			netcfg_fail_step(n);
	}
	if ((fail = getenv("DSVPND_NETCFG_CRASH_STEP")) != NULL) {
		n = strtonum(fail, 1, 1000, &errstr);
		if (errstr == NULL)
			netcfg_crash_step(n);
	}
	event_dispatch();
	fatalx("event loop ended");
}
