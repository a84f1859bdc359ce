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
 * The command line after the global flags, read against tables of
 * tokens: each table lists what may come next, and a word is matched
 * exactly or as an unambiguous prefix of a keyword.  Adding a command
 * means adding rows, not code.
 */

#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "parser.h"

enum token_type {
	ENDTOKEN = 0,		/* end of a table */
	NOTOKEN,		/* the command may end here */
	KEYWORD,
	FLAG,			/* an option such as -j */
	PATH,			/* any word: a file name */
	NAME			/* any word: a client's name */
};

enum token_flag {
	F_NONE = 0,
	F_JSON
};

struct token {
	enum token_type		 type;
	const char		*keyword;
	int			 value;		/* action or flag */
	const struct token	*next;
};

static const struct token t_main[];
static const struct token t_status[];
static const struct token t_log[];
static const struct token t_keygen[];
static const struct token t_status_j[];
static const struct token t_kick[];

static const struct token t_main[] = {
	{ KEYWORD,	"status",	ACT_STATUS,	t_status },
	{ KEYWORD,	"reload",	ACT_RELOAD,	NULL },
	{ KEYWORD,	"log",		ACT_NONE,	t_log },
	{ KEYWORD,	"keygen",	ACT_KEYGEN,	t_keygen },
	{ KEYWORD,	"kick",		ACT_KICK,	t_kick },
	{ ENDTOKEN,	"",		ACT_NONE,	NULL }
};

static const struct token t_status[] = {
	{ NOTOKEN,	"",		ACT_NONE,	NULL },
	{ FLAG,		"-j",		F_JSON,		t_status },
	{ NAME,		"client",	ACT_STATUS,	t_status_j },
	{ ENDTOKEN,	"",		ACT_NONE,	NULL }
};

static const struct token t_status_j[] = {
	{ NOTOKEN,	"",		ACT_NONE,	NULL },
	{ FLAG,		"-j",		F_JSON,		NULL },
	{ ENDTOKEN,	"",		ACT_NONE,	NULL }
};

static const struct token t_kick[] = {
	{ NAME,		"client",	ACT_KICK,	NULL },
	{ ENDTOKEN,	"",		ACT_NONE,	NULL }
};

static const struct token t_log[] = {
	{ KEYWORD,	"verbose",	ACT_LOG_VERBOSE, NULL },
	{ KEYWORD,	"brief",	ACT_LOG_BRIEF,	NULL },
	{ ENDTOKEN,	"",		ACT_NONE,	NULL }
};

static const struct token t_keygen[] = {
	{ NOTOKEN,	"",		ACT_NONE,	NULL },
	{ PATH,		"file",		ACT_KEYGEN,	NULL },
	{ ENDTOKEN,	"",		ACT_NONE,	NULL }
};

static struct parse_result	 res;

void
parser_usage(void)
{
	fprintf(stderr,
	    "usage: dsvpnctl [-I instance] [-f file | -s socket] command "
	    "[argument ...]\n"
	    "commands:\n"
	    "\tstatus [-j] [client]\n"
	    "\tkick client\n"
	    "\treload\n"
	    "\tlog verbose | brief\n"
	    "\tkeygen [file | -]\n");
}

/* The row that word selects in table, or NULL (ambiguous or none). */
static const struct token *
match_token(const char *word, const struct token *table)
{
	const struct token	*t, *found = NULL;
	size_t			 len = strlen(word);
	int			 n = 0;

	for (t = table; t->type != ENDTOKEN; t++) {
		if (t->type == KEYWORD && len > 0 &&
		    strncmp(word, t->keyword, len) == 0) {
			if (strcmp(word, t->keyword) == 0)
				return t;
			found = t;
			n++;
		} else if (t->type == FLAG && strcmp(word, t->keyword) == 0)
			return t;
		else if (t->type == PATH && word[0] != '\0' && n == 0)
			found = t, n = 1;
		/* A client's name never looks like a flag. */
		else if (t->type == NAME && word[0] != '\0' &&
		    word[0] != '-' && n == 0)
			found = t, n = 1;
	}
	return n == 1 ? found : NULL;
}

static void
apply_token(const struct token *t, const char *word)
{
	switch (t->type) {
	case KEYWORD:
		if (t->value != ACT_NONE)
			res.action = t->value;
		break;
	case FLAG:
		if (t->value == F_JSON)
			res.json = 1;
		break;
	case PATH:
		res.action = t->value;
		res.path = word;
		break;
	case NAME:
		res.action = t->value;
		res.name = word;
		break;
	default:
		break;
	}
}

static void
show_valid(const struct token *table)
{
	const struct token	*t;

	fprintf(stderr, "valid here:");
	for (t = table; t->type != ENDTOKEN; t++) {
		if (t->type == NOTOKEN)
			fprintf(stderr, " <end>");
		else if (t->type == PATH || t->type == NAME)
			fprintf(stderr, " <%s>", t->keyword);
		else
			fprintf(stderr, " %s", t->keyword);
	}
	fprintf(stderr, "\n");
}

static int
can_end(const struct token *table)
{
	const struct token	*t;

	if (table == NULL)
		return 1;
	for (t = table; t->type != ENDTOKEN; t++)
		if (t->type == NOTOKEN)
			return 1;
	return 0;
}

struct parse_result *
parse(int argc, char *argv[])
{
	const struct token	*table = t_main, *t;
	int			 i;

	memset(&res, 0, sizeof(res));
	for (i = 0; i < argc; i++) {
		if (table == NULL) {
			fprintf(stderr, "dsvpnctl: superfluous argument: "
			    "%s\n", argv[i]);
			parser_usage();
			return NULL;
		}
		if ((t = match_token(argv[i], table)) == NULL) {
			fprintf(stderr, "dsvpnctl: unknown or ambiguous "
			    "argument: %s\n", argv[i]);
			show_valid(table);
			return NULL;
		}
		apply_token(t, argv[i]);
		table = t->next;
	}
	if (!can_end(table)) {
		fprintf(stderr, "dsvpnctl: missing argument\n");
		show_valid(table);
		return NULL;
	}
	return &res;
}
