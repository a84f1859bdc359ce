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

#include <stdlib.h>
#include <string.h>

/*
 * State for the setproctitle() replacement.  On Linux the title lives in
 * the argv area, which runs from argv[0] to the end of the last string
 * of argv and environ that follow it contiguously; the environment is
 * copied elsewhere first so that getenv() keeps working.
 */
char	*compat_title_start;
size_t	 compat_title_size;
char	 compat_progname[32] = "dsvpnd";

extern char **environ;

void
compat_init_proctitle(int argc, char **argv)
{
	char	*end, **newenv;
	size_t	 n;
	int	 i;

	if (argc < 1 || argv[0] == NULL)
		return;
	end = argv[0] + strlen(argv[0]) + 1;
	for (i = 1; i < argc && argv[i] == end; i++)
		end = argv[i] + strlen(argv[i]) + 1;
	for (n = 0; environ[n] != NULL; n++)
		continue;
	if ((newenv = calloc(n + 1, sizeof(*newenv))) == NULL)
		return;
	for (i = 0; environ[i] != NULL; i++) {
		if (environ[i] == end)
			end = environ[i] + strlen(environ[i]) + 1;
		if ((newenv[i] = strdup(environ[i])) == NULL)
			return;
	}
	environ = newenv;
	compat_title_start = argv[0];
	compat_title_size = end - argv[0];
	for (i = 1; i < argc; i++)
		argv[i] = NULL;
}
