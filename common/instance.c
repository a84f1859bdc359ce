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
 * Names of an instance.  The name's charset is what every consumer
 * accepts as it is (nft identifiers, iptables chains once upper-cased,
 * pf anchors, file names, abstract socket names), and its length keeps
 * the longest chain name within iptables' 28 characters.
 */
#include "compat.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "instance.h"

int
instance_name_ok(const char *name)
{
	size_t	 i, n;

	n = strnlen(name, INSTANCE_NAME_MAX);
	if (n == 0 || n == INSTANCE_NAME_MAX)
		return (0);
	if (!islower((unsigned char)name[0]) &&
	    !isdigit((unsigned char)name[0]))
		return (0);
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789_-",
		    name[i]) == NULL)
			return (0);
	return (1);
}

/*
 * FNV-1a: stable across builds and hosts, so the same name always gets
 * the same table, mark and priorities.  Two names may still meet on one
 * id; the parent's id lock refuses the second of them.
 */
uint32_t
instance_default_id(const char *name)
{
	uint32_t	 h = 2166136261U;

	if (strcmp(name, INSTANCE_DEFAULT) == 0)
		return (0);
	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= 16777619U;
	}
	return (1 + h % INSTANCE_ID_MAX);
}

static int
chain(char *buf, const char *stem, const char *suffix)
{
	size_t	 i;

	if ((size_t)snprintf(buf, INSTANCE_CHAIN_MAX, "%s-%s", stem,
	    suffix) >= INSTANCE_CHAIN_MAX)
		return (-1);
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = toupper((unsigned char)buf[i]);
	return (0);
}

int
instance_names(const char *name, uint32_t id, struct instance_names *n)
{
	struct instance_names	 t;
	int			 dflt;

	if (!instance_name_ok(name) || id > INSTANCE_ID_MAX)
		return (-1);
	memset(&t, 0, sizeof(t));
	strlcpy(t.name, name, sizeof(t.name));
	t.id = id;
	dflt = strcmp(name, INSTANCE_DEFAULT) == 0;
	snprintf(t.base, sizeof(t.base), dflt ? "%s" : INSTANCE_DEFAULT "-%s",
	    name);
	if (chain(t.chain_raw, t.base, "RAW") == -1 ||
	    chain(t.chain_fwd, t.base, "FWD") == -1 ||
	    chain(t.chain_nat, t.base, "NAT") == -1 ||
	    chain(t.chain_out, t.base, "OUT") == -1 ||
	    chain(t.chain_in, t.base, "IN") == -1)
		return (-1);
	t.table = INSTANCE_TABLE_BASE + id;
	t.fwmark = INSTANCE_TABLE_BASE + id;
	t.pref_fwmark = INSTANCE_PREF_BASE - INSTANCE_PREF_STRIDE * id;
	t.pref_suppress = t.pref_fwmark - 1;
	t.pref_uid = t.pref_fwmark - 2;
	*n = t;
	return (0);
}

int
instance_socket(const char *name, const char *dflt, char *buf, size_t len)
{
	size_t	 n = strlen(dflt);
	int	 r;

	if (!instance_name_ok(name))
		return (-1);
	if (strcmp(name, INSTANCE_DEFAULT) == 0)
		r = snprintf(buf, len, "%s", dflt);
	else if (n > 5 && strcmp(dflt + n - 5, ".sock") == 0)
		r = snprintf(buf, len, "%.*s-%s.sock", (int)(n - 5), dflt,
		    name);
	else
		r = snprintf(buf, len, "%s-%s", dflt, name);
	return (r < 0 || (size_t)r >= len ? -1 : 0);
}

int
instance_beside(const char *sock, const char *ext, char *buf, size_t len)
{
	const char	*dot, *slash;
	size_t		 n = strlen(sock);
	int		 r;

	dot = strrchr(sock, '.');
	slash = strrchr(sock, '/');
	if (dot != NULL && (slash == NULL || dot > slash))
		n = dot - sock;
	r = snprintf(buf, len, "%.*s%s", (int)n, sock, ext);
	return (r < 0 || (size_t)r >= len ? -1 : 0);
}
