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
 * The undo journal, in memory and on disk.  The state file holds what is
 * needed to render the applied plans again (request, OS, discovered
 * facts, the original sysctl values among them) and which of their steps
 * may have been applied, written before each step runs.  Outside a
 * transition there is one plan (cur); while a reload changes it there
 * are two, the old one (cur) and the incoming one (next), so that a
 * SIGKILL at any point leaves a state file from which netcfg_flush()
 * undoes everything.
 */
#ifndef DSVPND_NETCFG_JOURNAL_H
#define DSVPND_NETCFG_JOURNAL_H

#include "plan.h"

struct jplan {
	struct plan		*plan;		/* NULL: none */
	enum netcfg_os		 os;
	struct netcfg_req	 req;
	struct netcfg_facts	 facts;
	uint8_t			 applied[NETCFG_MAX_STEPS / 8];
};

struct journal {
	struct jplan		 cur;
	struct jplan		 next;
};

int	 jbit(const struct jplan *, size_t);
void	 jbit_set(struct jplan *, size_t, int);
size_t	 jplan_count(const struct jplan *);
void	 jplan_clear(struct jplan *);

int	 journal_save(const struct journal *, char *, size_t);
/* 1 loaded, 0 no state file, -1 a bad one (removed). */
int	 journal_load(struct journal *, char *, size_t);
void	 journal_remove(void);
int	 journal_exists(void);
void	 journal_set_path(const char *);

#endif /* DSVPND_NETCFG_JOURNAL_H */
