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
 * Instances: every name dsvpnd puts into the system comes from one
 * instance name and one instance id, so that instances never touch each
 * other.  Strings (nft table, iptables chains, pf anchor, control socket,
 * locks) come from the name; numbers (routing table, fwmark, rule
 * priorities) from the id.  The default instance, "dsvpnd" with id 0,
 * keeps the names dsvpnd has always used.  Pure: the parent, netcfg and
 * dsvpnctl all derive the same names from the same two values.
 */
#ifndef DSVPND_INSTANCE_H
#define DSVPND_INSTANCE_H

#include <stddef.h>
#include <stdint.h>

#define INSTANCE_DEFAULT	"dsvpnd"
/* 15 characters: "DSVPND-" NAME "-RAW" stays within iptables' 28. */
#define INSTANCE_NAME_MAX	16		/* with the NUL */
#define INSTANCE_ID_MAX		1023
#define INSTANCE_TABLE_BASE	42069		/* table and fwmark of id 0 */
#define INSTANCE_PREF_BASE	32069		/* rule priority of id 0 */
#define INSTANCE_PREF_STRIDE	3		/* rules per instance */
#define INSTANCE_CHAIN_MAX	29		/* iptables: 28 and the NUL */

struct instance_names {
	char		 name[INSTANCE_NAME_MAX];
	uint32_t	 id;
	char		 base[INSTANCE_NAME_MAX + 8];	/* "dsvpnd[-NAME]" */
	char		 chain_raw[INSTANCE_CHAIN_MAX];
	char		 chain_fwd[INSTANCE_CHAIN_MAX];
	char		 chain_nat[INSTANCE_CHAIN_MAX];
	char		 chain_out[INSTANCE_CHAIN_MAX];
	char		 chain_in[INSTANCE_CHAIN_MAX];
	uint32_t	 table;		/* Linux policy routing table */
	uint32_t	 fwmark;	/* the transport's SO_MARK */
	uint32_t	 pref_uid;	/* the resolver's lookups: main */
	uint32_t	 pref_suppress;	/* main, suppress_prefixlength 0 */
	uint32_t	 pref_fwmark;	/* not fwmark: our table */
};

/* 1 for a name made of [a-z0-9_-], starting with a letter or digit. */
int		 instance_name_ok(const char *name);
/* The id of an instance that names none: 0 for the default, else a
 * stable hash of the name in 1..INSTANCE_ID_MAX. */
uint32_t	 instance_default_id(const char *name);
/* Fills n from a valid name and id; -1 (n untouched) otherwise. */
int		 instance_names(const char *name, uint32_t id,
		    struct instance_names *n);
/* The default control socket of an instance, from the build's default
 * socket path: ".../dsvpnd.sock" becomes ".../dsvpnd-NAME.sock". */
int		 instance_socket(const char *name, const char *dflt,
		    char *buf, size_t len);
/* A file beside the control socket: its path less the extension, plus
 * ext (".pid", ".netcfg"), so instances with private sockets keep their
 * pid and state files apart too. */
int		 instance_beside(const char *sock, const char *ext, char *buf,
		    size_t len);

#endif /* DSVPND_INSTANCE_H */
