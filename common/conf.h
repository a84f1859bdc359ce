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
 * The parsed configuration.  Fixed-size and pointer-free, so the parent
 * can stream it to the children as RECONF messages and they can check
 * its length exactly.
 */
#ifndef DSVPND_CONF_H
#define DSVPND_CONF_H

#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdint.h>

#define CONF_MAX_ROUTES		64
#define CONF_MAX_LISTEN		8
#define CONF_HOST_MAX		256
#define CONF_PORT_MAX		32
#define CONF_USER_MAX		64
#define CONF_KEY_LEN		32

/*
 * A text key (its first 32 bytes all printable ASCII, as DSVPN's echo-made
 * keys are) gives the native protocol's PSK through Argon2id with these
 * fixed parameters, which both ends must share (doc/PROTOCOL.md).
 */
#define CONF_KEY_SALT		"dsvpnd1 text key"	/* 16 bytes */
#define CONF_KEY_PWHASH_OPS	3
#define CONF_KEY_PWHASH_MEM	(64U << 20)		/* 64 MiB */

#define CONF_DEFAULT_PORT	"443"
#define CONF_DEFAULT_KEEPALIVE	10	/* seconds idle before a keepalive */
#define CONF_DEFAULT_DEAD	45	/* seconds of silence: peer is dead */
#define CONF_DEFAULT_REKEY	3600	/* seconds between rekeys */
#define CONF_DEFAULT_REKEY_BYTES (1ULL << 36)	/* 64 GiB */
#define CONF_DEFAULT_WINDOW	7200	/* handshake clock window, seconds */
#define CONF_DEFAULT_BACKOFF_MAX 30	/* client reconnect backoff cap */
#ifdef __NetBSD__
#define CONF_DEFAULT_MTU	1500
#else
#define CONF_DEFAULT_MTU	9000
#endif

enum conf_role {
	ROLE_NONE = 0,
	ROLE_SERVER,
	ROLE_CLIENT
};

enum conf_nat {
	NAT_NONE = 0,
	NAT_EGRESS,		/* the interface of the default route */
	NAT_IFACE		/* conf.nat_if */
};

enum conf_firewall {
	FW_AUTO = 0,		/* nftables if nft(8) exists, else iptables */
	FW_NFTABLES,
	FW_IPTABLES
};

struct conf_prefix {
	sa_family_t		 af;		/* AF_INET or AF_INET6 */
	uint8_t			 plen;
	union {
		struct in_addr	 v4;
		struct in6_addr	 v6;
	}			 addr;
};

struct conf_listen {
	char			 host[CONF_HOST_MAX];	/* "*": dual-stack */
	char			 port[CONF_PORT_MAX];
};

/*
 * What the parent reads from the key file and hands the tunnel: the
 * native protocol's PSK, and the file's first 32 bytes unchanged for
 * the DSVPN-compatible protocol.  For a raw key both are the same.
 */
struct conf_key {
	uint8_t			 psk[CONF_KEY_LEN];
	uint8_t			 raw[CONF_KEY_LEN];
};

struct conf {
	enum conf_role		 role;
	char			 keyfile[PATH_MAX];

	/* server */
	unsigned int		 n_listen;
	struct conf_listen	 listen[CONF_MAX_LISTEN];
	enum conf_nat		 nat;
	char			 nat_if[IFNAMSIZ];

	/* client */
	char			 connect_host[CONF_HOST_MAX];
	char			 connect_port[CONF_PORT_MAX];
	int			 default_route;	/* 1 unless "no default route" */
	int			 gateway_auto;	/* 1 unless "gateway ADDR" */
	struct conf_prefix	 gateway;	/* plen = full */

	/* tunnel interface */
	char			 ifname[IFNAMSIZ];	/* "" = auto */
	int			 mtu;
	struct in_addr		 inet_local;
	struct in_addr		 inet_peer;
	int			 inet6;		/* 0 after "no inet6" */
	struct in6_addr		 inet6_local;
	struct in6_addr		 inet6_peer;
	unsigned int		 n_routes;
	struct conf_prefix	 routes[CONF_MAX_ROUTES];
	enum conf_firewall	 firewall;

	/* timers, seconds */
	unsigned int		 keepalive;
	unsigned int		 dead_timeout;
	unsigned int		 rekey_interval;
	uint64_t		 rekey_bytes;
	unsigned int		 clock_window;
	unsigned int		 backoff_max;

	/* privilege separation and control */
	char			 user[CONF_USER_MAX];
	char			 chroot[PATH_MAX];
	char			 control_socket[PATH_MAX];
};

/* The parser (parent/parse.y) and printer (parent/printconf.c). */
void	 conf_defaults(struct conf *);
/* Parses filename into *conf (macros defined with -D first); returns the
 * number of errors, each already printed as "file:line: message". */
int	 parse_config(const char *filename, struct conf *conf);
int	 cmdline_symset(const char *);	/* -D name=value */
/* While set, parse errors are also collected here ("file:line: msg",
 * separated by newlines) so a reload can report them to dsvpnctl. */
void	 conf_set_error_buffer(char *buf, size_t len);
void	 print_config(const struct conf *);
/* Reads the key file (parent/keyfile.c): refuses one readable by group
 * or others, shorter than CONF_KEY_LEN bytes, or holding the base64 or
 * hex text of a key; fills key->raw with its first 32 bytes and key->psk
 * with them, or with their Argon2id hash for a text key.  On failure
 * writes why, in one line, into err (CONF_KEY_ERR_MAX is enough). */
#define CONF_KEY_ERR_MAX	(PATH_MAX * 4 + 256)
int	 load_key(const char *path, struct conf_key *key, char *err,
	    size_t errlen);
/* The checks load_key() makes (owner, mode, length, encoding), without
 * deriving the key; on failure writes why and how to fix it into err and
 * returns -1.  parse_config() runs it so that dsvpnd -n catches a bad
 * key file. */
int	 keyfile_check(const char *path, char *err, size_t errlen);
/* What the first bytes of a key file hold (for the checks and tests). */
enum key_kind {
	KEY_RAW,		/* anything else: used as it is */
	KEY_TEXT,		/* first 32 bytes printable: Argon2id */
	KEY_BASE64,		/* the base64 text of a 32-byte key */
	KEY_HEX			/* 64 hex digits */
};
enum key_kind	 key_classify(const uint8_t *buf, size_t len);

#endif /* DSVPND_CONF_H */
