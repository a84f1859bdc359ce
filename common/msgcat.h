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
 * The message catalogue: every message the processes exchange, who may
 * send it to whom, its payload and whether it carries a descriptor.
 * Each receiver calls msgcat_check() first; a trusted peer sending a
 * message that does not fit is a bug, and fatal.
 *
 * The processes form a star around the parent:
 *	parent <-> tunnel	config, TUN and socket fds; sessions, stats
 *	parent <-> netcfg	typed plan requests and their results
 *	parent <-> control	dsvpnctl requests relayed, and the answers
 */
#ifndef DSVPND_MSGCAT_H
#define DSVPND_MSGCAT_H

#include <sys/types.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include "conf.h"
#include "msg.h"

enum proc_id {
	PROC_PARENT = 0,
	PROC_TUNNEL,
	PROC_NETCFG,
	PROC_CONTROL,
	PROC_MAX
};

enum msg_type {
	MSG_NONE = 0,
	/* child -> parent */
	MSG_LOG,		/* struct msg_log, variable */
	/* parent -> child */
	MSG_VERBOSE,		/* int32_t */
	MSG_RECONF_BEGIN,	/* none: a config stream starts */
	MSG_RECONF_CONF,	/* struct conf */
	MSG_RECONF_KEY,		/* struct conf_key, tunnel only */
	MSG_RECONF_CLIENT,	/* struct msg_client, tunnel only; one per
				 * client, after RECONF_CONF */
	MSG_RECONF_END,		/* none: apply what was streamed */
	MSG_SHUTDOWN,		/* none: close orderly and exit */
	/* parent -> tunnel */
	MSG_TUN_FD,		/* struct msg_tun + TUN descriptor */
	MSG_LISTEN_FD,		/* struct msg_endpoint + listening socket */
	MSG_FDS_DONE,		/* none: no more listeners; sandbox shrinks */
	MSG_CONNECT_FD,		/* struct msg_endpoint + connected socket */
	MSG_RESOCKET_FD,	/* struct msg_endpoint + fresh UDP socket */
	MSG_PEERS_REQ,		/* struct peers_req; peerid: ctl conn */
	MSG_KICK,		/* struct msg_name; peerid: ctl conn */
	/* tunnel -> parent */
	MSG_CONNECT_REQ,	/* none: client wants a (new) connection */
	MSG_SESSION_UP,		/* struct msg_session */
	MSG_SESSION_DOWN,	/* struct msg_session_down */
	MSG_STATS,		/* struct tunnel_stats */
	MSG_PEERS_PAGE,		/* struct peers_page + entries */
	MSG_KICK_RESULT,	/* struct msg_result */
	MSG_PUSHED,		/* the server's PUSH payload, as it came */
	MSG_PATH_MTU,		/* struct msg_path_mtu: client, UDP */
	MSG_RESOCKET_REQ,	/* none: client, UDP: its source is gone */
	/* parent -> netcfg */
	MSG_NETCFG_APPLY,	/* struct netcfg_req */
	MSG_NETCFG_REVERT,	/* none: undo the journal */
	MSG_NETCFG_FLUSH,	/* none: remove a dead instance's leftovers */
	MSG_NETCFG_LOCK,	/* none + an instance lock to hold */
	/* netcfg -> parent */
	MSG_NETCFG_RESULT,	/* struct msg_result */
	MSG_NETCFG_STATUS,	/* text: one applied change per line */
	/* parent -> control */
	MSG_CONTROL_FD,		/* none + listening control socket */
	MSG_CTL_STATUS_REPLY,	/* struct status_info + netcfg text */
	MSG_CTL_RESULT,		/* struct msg_result */
	MSG_CTL_PEERS_PAGE,	/* struct peers_page + entries */
	/* control -> parent; peerid names the dsvpnctl connection */
	MSG_CTL_STATUS,		/* none */
	MSG_CTL_RELOAD,		/* none */
	MSG_CTL_VERBOSE,	/* int32_t */
	MSG_CTL_PEERS,		/* struct peers_req */
	MSG_CTL_KICK,		/* struct msg_name */
	MSG_TYPE_MAX
};

#define MSG_LOG_MAX		1024
#define MSG_ENDPOINT_MAX	(INET6_ADDRSTRLEN + 8)
#define MSG_TEXT_MAX		(MSG_MAX_PAYLOAD - 512)
#define MSG_PUSH_MAX		2048	/* tunnel/push.h: PUSH_MAX_LEN */

struct msg_log {
	int32_t		 priority;
	char		 line[];	/* NUL-terminated, < MSG_LOG_MAX */
};

#define TUN_F_AFHEADER		0x01	/* 4-byte address-family header */
#define TUN_F_VNETHDR		0x02	/* Linux virtio-net header */

struct msg_tun {
	char		 ifname[IFNAMSIZ];
	int32_t		 mtu;
	int32_t		 flags;
};

struct msg_endpoint {
	char		 addr[MSG_ENDPOINT_MAX];	/* "host port" numeric */
	int32_t		 protocol;	/* a listener's: CONF_PROTO_* */
	int32_t		 transport;	/* CONF_T_TCP or CONF_T_UDP */
};

/* A client's session of this version gets its server's push next. */
#define MSG_SESSION_PUSHES	2
#define MSG_PROTO_NAME_MAX	16	/* "dsvpnd v2", "dsvpn" */

struct msg_session {
	char		 peer[MSG_ENDPOINT_MAX];
	char		 cipher[32];
	int32_t		 transport;	/* CONF_T_TCP or CONF_T_UDP */
	int32_t		 version;	/* the protocol's, 1 or 2 */
	char		 protocol[MSG_PROTO_NAME_MAX];
};

/*
 * A client over UDP found its path MTU (the largest outer IP packet
 * that gets through, by probing) and wants the TUN MTU that fits in
 * it; the parent, who owns the TUN, sets it and shows both.
 */
struct msg_path_mtu {
	int32_t		 path_mtu;
	int32_t		 tun_mtu;
};

/* Why a client is not up, or a session ended: for status and logs. */
enum down_cause {
	CAUSE_NONE = 0,
	CAUSE_RESOLVE,		/* the server's name was not found */
	CAUSE_CONN_REFUSED,	/* nothing listens at the server's port */
	CAUSE_NO_ANSWER,	/* connect or handshake timed out */
	CAUSE_AUTH,		/* server hung up on our hello: key, clock */
	CAUSE_REPLACED,		/* another session with this key took over */
	CAUSE_KICKED,		/* dsvpnctl kick */
	CAUSE_REMOVED,		/* the client left the configuration */
	CAUSE_RELOAD,		/* a key or server changed on reload */
	CAUSE_SHUTDOWN,		/* a side shut down */
	CAUSE_LOST,		/* silent, reset, or closed by the peer */
	CAUSE_MAX
};

struct msg_session_down {
	char		 reason[128];
	int32_t		 was_up;	/* 0: a handshake that failed */
	int32_t		 cause;		/* enum down_cause */
};

/* One configured client, with its key: parent -> tunnel only. */
struct msg_client {
	char			 name[CONF_NAME_MAX];
	struct conf_key		 key;
	int32_t			 has4;
	int32_t			 has6;
	int32_t			 protocol;	/* CONF_PROTO_DSVPN: on */
	struct in_addr		 inet;
	struct in6_addr		 inet6;
	uint32_t		 n_routes;
	struct conf_prefix	 routes[CONF_CLIENT_ROUTES];
};

struct msg_name {
	char		 name[CONF_NAME_MAX];	/* NUL-terminated */
};

/* A page of the peer table, fetched on demand for dsvpnctl status. */
struct peers_req {
	uint32_t	 start;		/* index of the first peer wanted */
	char		 name[CONF_NAME_MAX];	/* "": all, else just it */
};

struct peer_status {
	char			 name[CONF_NAME_MAX];
	char			 endpoint[MSG_ENDPOINT_MAX];
	char			 cipher[32];
	char			 protocol[MSG_PROTO_NAME_MAX];
	uint32_t		 id;
	int32_t			 up;
	int32_t			 cause;		/* last enum down_cause */
	int32_t			 has4;
	int32_t			 has6;
	struct in_addr		 inet;
	struct in6_addr		 inet6;
	int64_t			 since;		/* up, or last down */
	int64_t			 last_handshake;
	uint64_t		 bytes_in;
	uint64_t		 bytes_out;
	uint64_t		 packets_in;
	uint64_t		 packets_out;
	uint64_t		 sessions;
	uint64_t		 replaced;
	uint64_t		 drops_source;	/* spoofed source addresses */
	uint64_t		 drops_queue;	/* its output queue was full */
	int32_t			 transport;	/* CONF_T_*, 0: no session */
	int32_t			 path_mtu;	/* over UDP: probed, 0 not */
	uint32_t		 n_routes;
	struct conf_prefix	 routes[CONF_CLIENT_ROUTES];
};

struct peers_page {
	uint32_t	 total;		/* peers in the table */
	uint32_t	 next;		/* start of the next page; total: end */
	uint32_t	 n;		/* entries that follow */
	uint32_t	 pad;
	struct peer_status v[];
};

#define PEERS_PAGE_MAX	((MSG_MAX_PAYLOAD - sizeof(struct peers_page)) / \
			    sizeof(struct peer_status))

struct msg_result {
	int32_t		 ok;
	char		 text[512];
};

enum drop_reason {
	DROP_AUTH = 0,		/* frame failed to verify */
	DROP_PROTOCOL,		/* bad length, type, order */
	DROP_HANDSHAKE,		/* handshake refused */
	DROP_REPLAY,		/* replayed or stale handshake */
	DROP_TIMEOUT,		/* handshake or dead-peer timeout */
	DROP_PENDING_FULL,	/* too many unauthenticated connections */
	DROP_NO_SESSION,	/* TUN packet with no session up */
	DROP_QUEUE_FULL,	/* transport could not take it */
	DROP_TUN_WRITE,		/* TUN refused a packet */
	DROP_BAD_PACKET,	/* not IPv4/IPv6 or malformed */
	DROP_BAD_VNET,		/* peer's virtio header refused (vnet.c) */
	DROP_SPOOFED,		/* peer's source not among its prefixes */
	DROP_NO_PEER,		/* TUN packet to an address no peer owns */
	DROP_C2C,		/* client to client, not allowed */
	DROP_TOO_BIG,		/* larger than the UDP path: ICMP sent */
	DROP_MAX
};

struct tunnel_stats {
	uint64_t	 bytes_in;	/* payload bytes, transport -> TUN */
	uint64_t	 bytes_out;	/* payload bytes, TUN -> transport */
	uint64_t	 packets_in;
	uint64_t	 packets_out;
	uint64_t	 handshakes;	/* completed */
	uint64_t	 rekeys;
	uint64_t	 sessions;	/* sessions established */
	uint64_t	 reconnects;	/* sessions after the first */
	uint64_t	 peers_up;	/* sessions up now */
	uint64_t	 replaced;	/* sessions replaced by a newer one */
	uint64_t	 roamed;	/* UDP sessions moved to a new address */
	uint64_t	 cookies;	/* UDP cookie replies sent, under load */
	uint64_t	 drops[DROP_MAX];
	int64_t		 last_handshake;	/* unix time, 0 never */
	int64_t		 last_rekey;
};

enum session_state {
	STATE_IDLE = 0,		/* server: listening, no session */
	STATE_CONNECTING,
	STATE_HANDSHAKING,
	STATE_UP
};

#define STATUS_VERSION		6

struct status_info {
	uint32_t	 version;
	int32_t		 role;		/* enum conf_role */
	int32_t		 state;		/* enum session_state */
	int64_t		 state_since;	/* unix time */
	int64_t		 started;
	char		 peer[MSG_ENDPOINT_MAX];
	char		 ifname[IFNAMSIZ];
	char		 inet_local[INET6_ADDRSTRLEN];
	char		 inet_peer[INET6_ADDRSTRLEN];
	char		 inet6_local[INET6_ADDRSTRLEN];
	char		 inet6_peer[INET6_ADDRSTRLEN];
	char		 cipher[32];
	char		 protocol[MSG_PROTO_NAME_MAX];	/* a client's */
	char		 sandbox[16];
	struct tunnel_stats stats;
	/* a client not up: why (enum down_cause) and in words */
	int32_t		 cause;
	char		 why[160];
	/* a server: configured clients, sessions up */
	uint32_t	 n_clients;
	uint32_t	 n_up;
	/* a client: the transport (CONF_T_*, 0 none), the path MTU (0:
	 * not probed, TCP) and the TUN MTU now */
	int32_t		 transport;
	int32_t		 path_mtu;
	int32_t		 tun_mtu;
	/* a client: the DNS servers pushed or configured (carried, not
	 * applied), and the settings in use: CONF_SET_* bits in pushed
	 * say which came from the server */
	uint32_t	 n_dns;
	struct conf_prefix dns[CONF_MAX_DNS];
	uint32_t	 pushed;
	int32_t		 have_addrs;	/* 0: waiting for the server's */
	int32_t		 mtu;
	int32_t		 default_route;
	int32_t		 block_outside;
	uint32_t	 n_routes;
	struct conf_prefix routes[CONF_MAX_ROUTES];
};

struct msg_spec {
	uint32_t	 type;
	const char	*name;
	uint32_t	 from;		/* bit mask of enum proc_id */
	uint32_t	 to;
	size_t		 minlen;
	size_t		 maxlen;
	int		 has_fd;	/* the message must carry one */
};

const struct msg_spec	*msgcat_lookup(uint32_t type);
const char		*msgcat_name(uint32_t type);
const char		*proc_name(enum proc_id);
/* Fatal, naming the message and the fault, unless msg fits the spec of
 * its type on the channel from -> to. */
void	 msgcat_check(enum proc_id from, enum proc_id to, const struct msg *);
/* The same test without dying: NULL if fine, else why not. */
const char *msgcat_verify(enum proc_id from, enum proc_id to,
	    const struct msg *);

#endif /* DSVPND_MSGCAT_H */
