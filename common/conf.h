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

#include "instance.h"

#define CONF_MAX_ROUTES		64
#define CONF_MAX_LISTEN		8
#define CONF_HOST_MAX		256
#define CONF_PORT_MAX		32
#define CONF_USER_MAX		64
#define CONF_KEY_LEN		32
/* More than any sun_path (104 or 108 bytes), which the parser checks;
 * the conf travels in one message, so no PATH_MAX here. */
#define CONF_SOCKET_MAX		128
#define CONF_NAME_MAX		64	/* a client's name, NUL too */
#define CONF_CLIENT_ROUTES	16	/* networks behind one client */
#define CONF_MAX_CLIENTS	65536
#define CONF_MAX_SERVERS	8	/* connect to, in failover order */
#define CONF_MAX_DNS		4	/* pushed DNS servers */

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

/*
 * Transports: TCP (the stream form of the protocol) and UDP (the datagram
 * form, doc/PROTOCOL.md section 14).  A listener serves a set of them on
 * one port number; a client tries its list in order, falling back to the
 * next when one gets no answer (parent/connect.c).
 */
#define CONF_T_TCP		0x01
#define CONF_T_UDP		0x02
#define CONF_MAX_TRANSPORTS	2

struct conf_server {
	char			 host[CONF_HOST_MAX];
	char			 port[CONF_PORT_MAX];
	uint8_t			 n_transports;	/* 1 or 2 */
	uint8_t			 transports[CONF_MAX_TRANSPORTS]; /* in order */
};

/*
 * The wire protocol of a listener, a client block or a client: dsvpnd's
 * own (doc/PROTOCOL.md) or DSVPN 0.1.5's, unchanged, for stock DSVPN
 * peers (doc/PROTOCOL-DSVPN.md).
 */
#define CONF_PROTO_NATIVE	0
#define CONF_PROTO_DSVPN	1

struct conf_listen {
	char			 host[CONF_HOST_MAX];	/* "*": dual-stack */
	char			 port[CONF_PORT_MAX];
	uint8_t			 transports;	/* CONF_T_* bits */
	int			 protocol;	/* CONF_PROTO_* */
};

#define CONF_SET_INET		0x01
#define CONF_SET_INET6		0x02
#define CONF_SET_ROUTES		0x04	/* default route or route lines */
#define CONF_SET_MTU		0x08
#define CONF_SET_DNS		0x10
#define CONF_SET_BLOCK		0x20	/* block outside, either way */
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

	/* server with client blocks (the clients themselves are streamed
	 * on their own, see struct conf_clients) */
	uint32_t		 n_clients;
	struct conf_prefix	 pool4;		/* af 0: none */
	struct conf_prefix	 pool6;
	int			 client_to_client;	/* 0: refused */
	char			 leasefile[PATH_MAX];
	/* server: what clients are told after the handshake */
	int			 push_default_route;
	unsigned int		 n_push_routes;
	struct conf_prefix	 push_routes[CONF_MAX_ROUTES];
	unsigned int		 n_dns;
	struct conf_prefix	 dns[CONF_MAX_DNS];	/* plen = full */

	/* client: the servers, tried in this order, and the protocol
	 * spoken to them (CONF_PROTO_*) */
	int			 protocol;
	unsigned int		 n_servers;
	struct conf_server	 servers[CONF_MAX_SERVERS];
	/* CONF_SET_*: what the client's own file says, which pushed
	 * settings never override */
	unsigned int		 explicit;
	int			 default_route;	/* 1 unless "no default route" */
	int			 gateway_auto;	/* 1 unless "gateway ADDR" */
	struct conf_prefix	 gateway;	/* plen = full */
	int			 block_outside;	/* sealed from start to stop */

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
	char			 control_socket[CONF_SOCKET_MAX];

	/* instance: every name dsvpnd puts into the system */
	char			 instance[INSTANCE_NAME_MAX];
	uint32_t		 instance_id;
};

/*
 * One client block of a server.  The parent's own: it holds pointers and
 * never crosses a process boundary (the tunnel gets a struct
 * msg_client per client, with the key and without the paths).
 */
struct conf_client {
	char			 name[CONF_NAME_MAX];
	char			*keyfile;
	char			*where;		/* "file:line" of the block */
	int			 fixed4;	/* inet given in the block */
	int			 fixed6;
	int			 protocol;	/* CONF_PROTO_DSVPN: on */
	int			 has4;		/* fixed or from the pool */
	int			 has6;
	struct in_addr		 inet;
	struct in6_addr		 inet6;
	unsigned int		 n_routes;
	struct conf_prefix	 routes[CONF_CLIENT_ROUTES];
};

struct conf_clients {
	struct conf_client	*v;
	size_t			 n;
	size_t			 cap;
};

void	 conf_clients_free(struct conf_clients *);
const struct conf_client *conf_client_find(const struct conf_clients *,
	    const char *name);

/* The parser (parent/parse.y) and printer (parent/printconf.c). */
void	 conf_defaults(struct conf *);
/* Parses filename into *conf (macros defined with -D first); returns the
 * number of errors, each already printed as "file:line: message". */
int	 parse_config(const char *filename, struct conf *conf);
/* The same, with a server's client blocks into *clients (emptied first;
 * the caller frees it with conf_clients_free).  Pool addresses are not
 * assigned yet: see pool.h. */
int	 parse_config_clients(const char *filename, struct conf *conf,
	    struct conf_clients *clients);
int	 cmdline_symset(const char *);	/* -D name=value */
/* -I name: the instance, whatever the file says; kept across reloads. */
int	 cmdline_instance(const char *);
/* While set, parse errors are also collected here ("file:line: msg",
 * separated by newlines) so a reload can report them to dsvpnctl. */
void	 conf_set_error_buffer(char *buf, size_t len);
void	 print_config(const struct conf *);
/* A listener or the client speaks DSVPN's protocol. */
int	 conf_dsvpn(const struct conf *);
void	 print_config_clients(const struct conf *,
	    const struct conf_clients *);
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
