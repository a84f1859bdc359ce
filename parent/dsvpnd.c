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
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "instlock.h"
#include "log.h"
#include "parent.h"
#include "pool.h"
#include "resolve.h"
#include "safepath.h"
#include "transport.h"
#include "tun.h"

struct parent	*env;

static struct parent	 parent_env;
static struct event	 ev_sigterm, ev_sigint, ev_sighup, ev_sigchld;

__dead static void
usage(void)
{
	fprintf(stderr, "usage: dsvpnd [-dnVv] [-D macro=value] [-f file] "
	    "[-I instance] [-s socket]\n");
	exit(1);
}

/* A child role: dsvpnd -P name, with its channel on fd 3. */
__dead static void
run_child(const char *role, int argc, char **argv, int debug, int verbose)
{
	log_init(debug, verbose, LOG_DAEMON);
	compat_init_proctitle(argc, argv);
	if (strcmp(role, "resolver") == 0)
		resolve_child_main();
	switch (proc_from_name(role)) {
	case PROC_TUNNEL:
		tunnel_main(debug, verbose);
	case PROC_NETCFG:
		netcfg_main(debug, verbose);
	case PROC_CONTROL:
		control_main(debug, verbose);
	default:
		fatalx("unknown process role %s", role);
	}
}

/* Children are re-executed from an absolute path, never via $PATH. */
static void
find_self(const char *argv0)
{
	ssize_t	 n;

	if (argv0[0] == '/') {
		strlcpy(env->self, argv0, sizeof(env->self));
		return;
	}
	n = readlink("/proc/self/exe", env->self, sizeof(env->self) - 1);
	if (n <= 0) {
		fprintf(stderr, "dsvpnd: run me by absolute path\n");
		exit(1);
	}
	env->self[n] = '\0';
}

static void
sighandler(int sig, short event, void *arg)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		parent_stop(0, sig == SIGTERM ? "SIGTERM" : "SIGINT");
		break;
	case SIGHUP:
		parent_reload(0, 0);
		break;
	case SIGCHLD:
		parent_sigchld();
		break;
	}
}

/* The lock file beside the control socket stops a second instance
 * using the same socket; it holds our pid for rc.d and humans.  Root
 * opens it, so only in a directory only root may change, and never
 * through a symbolic link (safepath.h). */
static void
lock_pidfile(void)
{
	char	 buf[32], err[PATH_MAX + 128];
	int	 fd;

	if (instance_beside(env->conf.control_socket, ".pid", env->pidfile,
	    sizeof(env->pidfile)) == -1)
		fatalx("pid file path too long");
	if ((fd = safepath_open_pidfile(env->pidfile, err, sizeof(err))) == -1)
		fatalx("pid file: %s", err);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		ssize_t	 n = read(fd, buf, sizeof(buf) - 1);

		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		fatalx("another dsvpnd is running (pid %s, lock %s)",
		    buf[0] ? buf : "?", env->pidfile);
	}
	if (ftruncate(fd, 0) == -1)
		fatal("%s", env->pidfile);
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, strlen(buf)) == -1)
		fatal("%s", env->pidfile);
	/* Kept open (and locked) until we exit. */
}

static void
open_tun(void)
{
	struct tun_dev	 tun;
	char		 err[256];

	/* Offloads on wherever Linux has them, whatever the protocol: a
	 * stock DSVPN peer writes each frame to its TUN as it is, so the
	 * tunnel cuts TSO frames and strips virtio headers for its
	 * sessions (tunnel/datapath.c, dp_bare_out()). */
	if (tun_open(&tun, env->conf.ifname, env->conf.mtu, 1, err,
	    sizeof(err)) == -1)
		fatalx("tunnel interface: %s", err);
	env->tun_fd = tun.fd;
	env->tun_flags = tun.flags;
	env->tun_created = tun.created;
	env->tun_mtu = tun.mtu;
	strlcpy(env->ifname, tun.ifname, sizeof(env->ifname));
	log_info("interface %s, mtu %d%s", tun.ifname, tun.mtu,
	    (tun.flags & TUN_F_VNETHDR) ? ", offloads on" : "");
}

static void
signals_init(void)
{
	signal_set(&ev_sigterm, SIGTERM, sighandler, NULL);
	signal_set(&ev_sigint, SIGINT, sighandler, NULL);
	signal_set(&ev_sighup, SIGHUP, sighandler, NULL);
	signal_set(&ev_sigchld, SIGCHLD, sighandler, NULL);
	signal_add(&ev_sigterm, NULL);
	signal_add(&ev_sigint, NULL);
	signal_add(&ev_sighup, NULL);
	signal_add(&ev_sigchld, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Parses the file with its client blocks, and gives those without
 * fixed addresses theirs from the pools. */
static int
load_config(int write_leases)
{
	char	 err[256];

	if (parse_config_clients(env->conffile, &env->conf,
	    &env->clients) != 0)
		return -1;
	if (pool_prepare(&env->conf, &env->clients, write_leases, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", env->conffile, err);
		return -1;
	}
	return 0;
}

/* dsvpnd -n: the findings of startcheck(), named after the file. */
static void
report_check(int warning, const char *msg)
{
	fprintf(stderr, "%s: %s%s\n", env->conffile,
	    warning ? "warning: " : "", msg);
}

/* A start: the same findings, before anything runs. */
static void
report_start(int warning, const char *msg)
{
	fprintf(stderr, "dsvpnd: %s%s\n", warning ? "warning: " : "", msg);
}

static int
check_config(int verbose, const char *sockpath)
{
	if (load_config(0) == -1)
		return 1;
	if (sockpath != NULL)
		strlcpy(env->conf.control_socket, sockpath,
		    sizeof(env->conf.control_socket));
	if (startcheck(&env->conf, report_check) != 0)
		return 1;
	if (verbose) {
		print_config_clients(&env->conf, &env->clients);
		show_instance(&env->conf);
		if (verbose > 1)
			show_plan(&env->conf);
	}
	else
		fprintf(stderr, "configuration OK\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*role = NULL, *sockpath = NULL;
	char		 err[CONF_KEY_ERR_MAX];
	int		 ch, noaction = 0;

	env = &parent_env;
	memset(env, 0, sizeof(*env));
	env->connect_fd = -1;
	env->tun_fd = -1;
	strlcpy(env->conffile, DSVPND_CONF, sizeof(env->conffile));

	while ((ch = getopt(argc, argv, "D:df:I:nP:s:Vv")) != -1) {
		switch (ch) {
		case 'D':
			if (cmdline_symset(optarg) < 0) {
				fprintf(stderr, "dsvpnd: bad macro "
				    "definition: %s\n", optarg);
				return 1;
			}
			break;
		case 'd':
			env->debug = 1;
			break;
		case 'f':
			strlcpy(env->conffile, optarg, sizeof(env->conffile));
			break;
		case 'I':
			if (cmdline_instance(optarg) == -1) {
				fprintf(stderr, "dsvpnd: bad instance name %s: "
				    "up to %d of a-z, 0-9, _ and -, starting "
				    "with a letter or digit\n", optarg,
				    INSTANCE_NAME_MAX - 1);
				return 1;
			}
			break;
		case 'n':
			noaction = 1;
			break;
		case 'P':
			role = optarg;
			break;
		case 's':
			sockpath = optarg;
			break;
		case 'V':
			printf("dsvpnd %s\n", PACKAGE_VERSION);
			return 0;
		case 'v':
			env->verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (role != NULL)
		run_child(role, argc, argv, env->debug, env->verbose);

	if (sodium_init() == -1) {
		fprintf(stderr, "dsvpnd: libsodium failed to initialise\n");
		return 1;
	}
	/* Until we know where logs go, errors (the config's file:line
	 * messages first) go to stderr. */
	log_init(1, env->verbose, LOG_DAEMON);
	conf_defaults(&env->conf);
	if (noaction)
		return check_config(env->verbose, sockpath);
	if (parse_config_clients(env->conffile, &env->conf,
	    &env->clients) != 0)
		return 1;
	if (sockpath != NULL && strlcpy(env->conf.control_socket, sockpath,
	    sizeof(env->conf.control_socket)) >=
	    sizeof(env->conf.control_socket)) {
		fprintf(stderr, "dsvpnd: -s %s: path too long\n", sockpath);
		return 1;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "dsvpnd: need root privileges\n");
		return 1;
	}
	if (instance_names(env->conf.instance, env->conf.instance_id,
	    &env->names) == -1) {
		fprintf(stderr, "dsvpnd: bad instance %s id %u\n",
		    env->conf.instance, env->conf.instance_id);
		return 1;
	}
	if (startcheck(&env->conf, report_start) != 0)
		return 1;
	find_self(argv[0]);
	/* A server with client blocks reads their keys when it streams
	 * them to the tunnel (peers.c). */
	if (env->conf.n_clients == 0 &&
	    load_key(env->conf.keyfile, &env->key, err, sizeof(err)) == -1) {
		fprintf(stderr, "dsvpnd: %s\n", err);
		return 1;
	}

	/* Before anything touches the system, and while errors still
	 * reach the terminal: one instance of a name, one of an id. */
	if (instlock_take(&env->conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "dsvpnd: %s\n", err);
		return 1;
	}
	transport_set_fwmark(env->names.fwmark);
	/* Leases are written only by a start that holds its instance. */
	if (pool_prepare(&env->conf, &env->clients, 1, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", env->conffile, err);
		return 1;
	}

	sdnotify_init();
	log_init(env->debug, env->verbose, LOG_DAEMON);
	log_procinit("parent");
	/* Without -d the shell's process waits until we are up (or
	 * know why not): every error until then may be the reason. */
	log_set_error_hook(startup_note);
	if (!env->debug)
		startup_detach();
	lock_pidfile();
	log_info("starting dsvpnd %s as %s", PACKAGE_VERSION,
	    env->conf.role == ROLE_SERVER ? "server" : "client");

	event_init();
	signals_init();
	status_init();
	parent_start_child(PROC_NETCFG);
	/* A previous instance killed by SIGKILL left its changes: they go
	 * before anything new is applied, so nothing ever stacks. */
	netreq_flush();
	open_tun();
	parent_start_child(PROC_TUNNEL);
	parent_start_child(PROC_CONTROL);
	/* A server's plan, a client's seal: before the first connection. */
	netreq_start();

	event_dispatch();
	fatalx("event loop ended");
}
