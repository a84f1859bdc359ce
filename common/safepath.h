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
 * Paths that root trusts: the chroot directory of the unprivileged
 * children and the directories where the parent, as root, creates its
 * pid file and control socket (and netcfg its journal, beside them).
 * A directory anyone else could change would let them swap in a
 * symbolic link or a file of their own and make root open, truncate,
 * lock or unlink what they choose, or chroot the children into a
 * directory they fill.  The rule is OpenSSH's for its privilege
 * separation directory, every component owned by root and writable by
 * no one else, but for sticky ancestors (below).  dsvpnd -n and the
 * start check the chroot beforehand with safepath_dir_strict(), which
 * refuses a sticky ancestor too.
 */
#ifndef DSVPND_SAFEPATH_H
#define DSVPND_SAFEPATH_H

#include <sys/types.h>
#include <stddef.h>

/*
 * Resolves dir (realpath(3): symbolic links on the way are followed, so
 * /var/run -> /run works) and checks every component of the result:
 * a directory, owned by root, not writable by group or others.  An
 * ancestor may be writable by others if it is sticky, as /tmp is: no
 * one but root may then rename or remove what root owns in it; the
 * directory itself may not.  The resolved path goes to resolved (the
 * caller should use it from then on).  0, or -1 with why in err.
 */
int	 safepath_dir(const char *dir, char *resolved, size_t rlen,
	    char *err, size_t errlen);
/*
 * The same check with no exception for sticky ancestors, for dsvpnd -n
 * and the start: a chroot under /tmp is refused with a way out.
 */
int	 safepath_dir_strict(const char *dir, char *err, size_t errlen);
/*
 * Splits path into its directory (the part before the last '/', "/"
 * for a file at the root, "." for a bare name) and its last component,
 * which must be a plain name, and checks the directory with
 * safepath_dir(), which writes it resolved into resolved.  0, or -1
 * with err.
 */
int	 safepath_parent(const char *path, char *resolved, size_t rlen,
	    const char **base, char *err, size_t errlen);
/*
 * Opens (creating it 0644 if needed) the pid file at path for reading
 * and writing, in a directory safepath_parent() accepts, without
 * following a symbolic link in its place, and only if it is a regular
 * file owned by root with a single link and writable by no one else.
 * The descriptor is close-on-exec, or -1 with err.
 */
int	 safepath_open_pidfile(const char *path, char *err, size_t errlen);

#endif /* DSVPND_SAFEPATH_H */
