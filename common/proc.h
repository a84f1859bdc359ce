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
 * The process framework: the parent re-executes its own binary for each
 * child with a hidden role flag, so every child starts with a fresh
 * address space; each pair talks through a "peer", a msgbuf driven by
 * a libevent event.
 */
#ifndef DSVPND_PROC_H
#define DSVPND_PROC_H

#include <sys/types.h>
#include <event.h>

#include "msgcat.h"

#define PROC_CHANNEL_FD		3	/* a child's channel to the parent */
#define PROC_ROLE_FLAG		'P'	/* dsvpnd -P tunnel|netcfg|control */

struct peer {
	struct msgbuf	 mb;
	struct event	 ev;
	short		 events;
	int		 active;
	enum proc_id	 self;
	enum proc_id	 other;
	/* Called for each checked message; msg == NULL: the channel closed. */
	void		(*dispatch)(struct peer *, struct msg *);
	void		*arg;
};

void	 peer_init(struct peer *, int fd, enum proc_id self,
	    enum proc_id other, void (*)(struct peer *, struct msg *), void *);
/* Queues a message and arranges for it to be written; fatal if the
 * trusted peer has stopped reading or the message is malformed. */
void	 peer_compose(struct peer *, uint32_t type, uint32_t peerid,
	    int fd, const void *data, size_t len);
void	 peer_flush(struct peer *);	/* blocking: before exit */
void	 peer_close(struct peer *);

/* Parent side: start a child; returns its pid, *chan is our end. */
pid_t	 proc_spawn(const char *self_path, enum proc_id, int foreground,
	    int verbose, int *chan);
enum proc_id proc_from_name(const char *);
/* Child side: event loop, parent channel, title, logs, signals. */
void	 proc_child_start(enum proc_id, struct peer *parent,
	    void (*)(struct peer *, struct msg *));
/* Child side: title, log name, forward logs through the parent peer. */
void	 proc_child_setup(enum proc_id, struct peer *parent);
/* chroot, chdir "/", setgroups, setresgid, setresuid, no_new_privs;
 * fatal with a clear message if the user or directory is missing. */
void	 proc_drop_privileges(const char *user, const char *chroot_dir);

/* The child entry points, called from main() with -P. */
__dead void	 tunnel_main(int debug, int verbose);
__dead void	 netcfg_main(int debug, int verbose);
__dead void	 control_main(int debug, int verbose);

#endif /* DSVPND_PROC_H */
