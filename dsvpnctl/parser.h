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

#ifndef DSVPNCTL_PARSER_H
#define DSVPNCTL_PARSER_H

enum ctl_action {
	ACT_NONE = 0,
	ACT_STATUS,
	ACT_RELOAD,
	ACT_LOG_VERBOSE,
	ACT_LOG_BRIEF,
	ACT_KEYGEN,
	ACT_KICK
};

struct parse_result {
	enum ctl_action	 action;
	int		 json;		/* status -j */
	const char	*path;		/* keygen FILE */
	const char	*name;		/* status NAME, kick NAME */
};

/* NULL after printing why the words are not a command. */
struct parse_result	*parse(int argc, char *argv[]);
void			 parser_usage(void);

#endif /* DSVPNCTL_PARSER_H */
