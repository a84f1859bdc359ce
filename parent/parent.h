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
 * The parent process: root, owns the configuration, the TUN device, the
 * transport sockets and the children; touches no packet and no session
 * key.
 */
#ifndef DSVPND_PARENT_H
#define DSVPND_PARENT_H

#include <sys/types.h>
#include <sys/socket.h>
#include <event.h>
#include <limits.h>

#include "conf.h"
#include "proc.h"

struct child {
	enum proc_id	 id;
	pid_t		 pid;		/* 0: not running */
	struct peer	 peer;
};

struct parent {
	struct conf	 conf;
	struct instance_names names;	/* from conf.instance and its id */
	struct conf_clients clients;	/* a server's client blocks */
	struct conf_key	 key;
	char		 conffile[PATH_MAX];
	char		 self[PATH_MAX];	/* our binary, to re-exec */
	char		 pidfile[PATH_MAX];
	int		 debug;
	int		 verbose;
	struct child	 kids[PROC_MAX];
	int		 tun_fd;
	char		 ifname[IFNAMSIZ];
	int		 tun_flags;
	int		 tun_mtu;	/* what the interface has now */

	int		 stopping;	/* shutdown under way */
	int		 exit_code;
	int		 reverted;	/* netcfg confirmed its revert */
	struct event	 stop_timer;

	/* netcfg */
	char		 netcfg_text[MSG_TEXT_MAX];
	int		 tun_created;	/* BSD: the unit is ours to destroy */

	/* client transport */
	struct event	 connect_ev;	/* backoff timer or connect wait */
	int		 connect_fd;	/* -1: none in progress */
	unsigned int	 backoff;	/* seconds before the next try */
	int		 connect_wanted;
	int		 reconnect_now;	/* a reload changed key or server */
	struct sockaddr_storage server_ss;
	socklen_t	 server_sslen;

	struct status_info status;
};

extern struct parent	*env;

/* dsvpnd.c */
void	 parent_stop(int exit_code, const char *why);
void	 parent_send_config(enum proc_id);

/* supervise.c */
void	 parent_start_child(enum proc_id);
void	 parent_listen(void);
void	 parent_sigchld(void);
void	 parent_dispatch(struct peer *, struct msg *);

/* connect.c */
void	 connect_request(int now);
void	 connect_session_up(void);
void	 connect_session_down(const struct msg_session_down *);
int	 connect_transport(void);
/* Client over UDP: a fresh socket for the running session (roaming). */
void	 connect_resocket(void);
void	 status_path_mtu(const struct msg_path_mtu *);
void	 connect_cancel(void);

/* netreq.c */
void	 netreq_start(void);
int	 netreq_hold_connect(void);
void	 netreq_set_servers(const struct sockaddr_storage *, int);
int	 netreq_route_servers(const struct sockaddr_storage *, int,
	    void (*)(void));
int	 netreq_session_up(const struct msg_session *);
const char *netreq_pushed(void);
void	 netreq_servers(struct conf_prefix *, unsigned int *, unsigned int);
void	 netreq_session_down(void);
int	 netreq_reload(const struct conf *, const struct conf_clients *);
void	 netreq_revert(void);
void	 netreq_reset(void);
void	 netreq_flush(void);
void	 netreq_send_locks(void);
void	 netreq_revert_and_stop(void);
void	 netreq_flush_and_stop(void);
void	 netreq_result(const struct msg_result *);

/* reload.c: SIGHUP and dsvpnctl reload; the answer (and the one log
 * line) once netcfg has applied the new plan, or failed to. */
void	 parent_reload(int from_control, uint32_t peerid);
void	 parent_reload_done(int ok, const char *netcfg_error);

/* startcheck.c: user, group, chroot, socket directory, NAT interface;
 * report(warning, message) for each finding; returns the errors. */
int	 startcheck(const struct conf *, void (*report)(int, const char *));

/* startup.c: a daemonizing start waits for startup_ready() or a failure */
void	 startup_detach(void);
void	 startup_ready(void);
void	 startup_fail(const char *why);
void	 startup_note(int priority, const char *msg);

/* sdnotify.c: READY=1 and the like to systemd, if it is there */
void	 sdnotify_init(void);
void	 sdnotify(const char *state);

/* showplan.c */
void	 show_instance(const struct conf *);
void	 show_plan(const struct conf *);

/* status.c */
void	 status_init(void);
void	 status_session_up(const struct msg_session *);
void	 status_session_down(const struct msg_session_down *);
void	 status_set_state(int state);
void	 status_reply(uint32_t peerid);
void	 status_set_cause(int cause, const char *, ...)
	    __attribute__((__format__ (printf, 2, 3)));
const char *status_cause_name(int cause);

/* peers.c: a server's clients, for the tunnel and dsvpnctl */
void	 peers_send_config(struct peer *);
void	 peers_ctl_request(uint32_t peerid, const struct peers_req *);
void	 peers_ctl_kick(uint32_t peerid, const struct msg_name *);
void	 peers_page(uint32_t peerid, const void *, size_t);
void	 peers_kick_result(uint32_t peerid, const struct msg_result *);

/* pushed.c: a client's settings from its server */
int	 pushed_effective(struct conf *, const struct conf *own,
	    unsigned int *took);
int	 pushed_session_up(int version);
void	 pushed_received(const uint8_t *, size_t);

#endif /* DSVPND_PARENT_H */
