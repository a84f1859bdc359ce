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
 * The dsvpnd.conf grammar.  One run of the parser lives in the static
 * "ps" state, which parse_config() resets; only macros set with -D
 * (cmdline_symset) outlive a run.
 */

%{
#include "compat.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "confcheck.h"
#include "log.h"
#include "netcfg_req.h"

#ifndef DSVPND_USER
#define DSVPND_USER		"_dsvpnd"
#endif
#ifndef DSVPND_CHROOT
#define DSVPND_CHROOT		"/var/empty"
#endif
#ifndef DSVPND_LEASES
#define DSVPND_LEASES		"/var/db/dsvpnd.leases"
#endif
#ifndef DSVPND_SOCKET
#define DSVPND_SOCKET		"/var/run/dsvpnd.sock"
#endif

#define INCLUDE_DEPTH_MAX	8	/* nested include files */
#define STRING_MAX		4096	/* longest word or quoted string */
#define LINE_MAX_BYTES		8192	/* longest physical line */
#define MACRO_TAG		0x100	/* byte came from a macro's value */

/* Ranges of the numeric settings. */
#define MTU_MIN			576
#define MTU_MIN_INET6		1280
#define MTU_MAX			65535
#define KEEPALIVE_MAX		3600
#define DEAD_MAX		86400
#define REKEY_MIN		60
#define REKEY_MAX		604800
#define REKEY_BYTES_MIN		(1ULL << 20)
#define REKEY_BYTES_MAX		(1ULL << 40)
#define WINDOW_MIN		10
#define WINDOW_MAX		86400
#define BACKOFF_MAX		3600

struct cfile {
	FILE		*stream;
	char		*name;
	dev_t		 dev;
	ino_t		 ino;
	int		 lineno;	/* line of the token being read */
	int		 rline;		/* physical line of the reader */
	size_t		 rcol;		/* bytes read on rline so far */
	int		 rline_bad;	/* rline already reported */
	int		 eof;
	int		 tagged;	/* last byte came from a macro */
	int		*unget;
	size_t		 nunget;
	size_t		 unget_size;
	/* An include of a directory or glob: the files still to read
	 * after this one, in order (the list is the last one's to free). */
	char		**sib;
	size_t		 nsib;
	size_t		 isib;
};

struct macro {
	struct macro	*next;
	char		*name;
	char		*value;
	int		 persist;	/* from -D: outlives a run */
};

/* Settings that may appear once; where[] remembers file:line of each. */
enum setting {
	S_KEY, S_CONNECT, S_TUNNEL, S_INET, S_INET6, S_DEFROUTE, S_NAT,
	S_GATEWAY, S_FIREWALL, S_KEEPALIVE, S_DEAD, S_REKEY, S_REKEY_BYTES,
	S_WINDOW, S_BACKOFF, S_USER, S_CHROOT, S_SOCKET, S_LISTEN, S_POOL4,
	S_POOL6, S_C2C, S_PUSHDEF, S_LEASES, S_CLIENT, S_PUSH, S_DNS,
	S_INSTANCE, S_BLOCK, S_PROTOCOL, S_COUNT
};

static struct {
	struct conf	*conf;
	struct cfile	*files[INCLUDE_DEPTH_MAX + 1];
	int		 nfiles;
	const char	*topname;	/* for errors before a file is open */
	int		 errors;
	int		 lexerr;	/* the lexer already said why */
	int		 bol;		/* next token starts a statement */
	int		 instance_id_set;	/* "instance NAME id N" */
	char		*where[S_COUNT];
	struct conf_clients *clients;
	struct conf_client *cur;	/* the client block being read */
	int		 cur_inet, cur_inet6;	/* set in this block */
	int		 cur_proto;
	char		*dsvpn_where;	/* the first DSVPN listener */
	char		*hosts[CONF_MAX_SERVERS];	/* of one connect to */
	int		 nhosts;
	/* The transport words of the line being read, in order. */
	uint8_t		 tr[CONF_MAX_TRANSPORTS];
	int		 ntr;
	/* What a syntax error names: the statement being read (its first
	 * token), whether inside a tunnel block, and the last token. */
	int		 stmt;
	int		 in_block;
	int		 block_closing;	/* '}' read: the block ends next */
	int		 blk_stmt;
	char		 last[64];
} ps;

static struct macro	*macros;
static char		 cmdline_inst[INSTANCE_NAME_MAX];	/* -I */

/* Where a reload collects its errors for dsvpnctl, if anywhere. */
static char		*errbuf;
static size_t		 errbuf_len;

typedef struct {
	union {
		int64_t		 number;
		char		*string;
	} v;
	int lineno;
} YYSTYPE;

int		 yyparse(void);
int		 yylex(void);
void		 yyerror(const char *);
static void	 conferr(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
static void	 errat(const char *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
static int	 pushfile(char *);
static void	 include_many(char *);
static char	*include_path(const char *);
static int	 popfile(void);
static int	 once(enum setting, const char *);
static void	 mark(enum setting);
static char	*macro_get(const char *);
static int	 macro_set(const char *, const char *, int);
static void	 macros_clear(int);
static int	 check_range(const char *, int64_t, int64_t, int64_t);
static int	 parse_addr(const char *, int, void *);
static int	 parse_prefix(const char *, struct conf_prefix *);
static int	 parse_bytes(const char *, const char *, uint64_t *);
static int	 set_listen(const char *, const char *, int);
static int	 protocol_by_name(const char *);
static void	 transport_add(char *);
static int	 set_connect(const char *, const char *);
static int	 set_ifname(const char *);
static int	 set_path(char *, size_t, const char *, const char *);
static int	 set_tunaddr(int, const char *, const char *);
static int	 add_route(const char *);
static int	 set_instance(const char *, int64_t);
static void	 finish_conf(const char *);
static void	 client_begin(const char *);
static void	 client_end(void);
static void	 client_key(const char *);
static void	 client_inet(int, const char *);
static void	 client_route(const char *);
static void	 client_protocol(const char *);
static void	 v6_dsvpn(struct in6_addr *, const struct in_addr *);
static void	 hosts_add(char *);
static void	 hosts_connect(const char *);
static int	 set_pool(const char *);
static int	 add_prefix(struct conf_prefix *, unsigned int *, unsigned int,
		    const char *, const char *);
static int	 add_dns(const char *);

#define CUR		(ps.files[ps.nfiles - 1])

%}

%token	KEY LISTEN ON PORT CONNECT TO TUNNEL AUTO MTU INET INET6 PEER NO
%token	DEFAULT ROUTE NAT EGRESS GATEWAY FIREWALL NFTABLES IPTABLES
%token	KEEPALIVE DEADPEER TIMEOUT REKEY EVERY SECONDS AFTER CLOCK WINDOW
%token	RECONNECT BACKOFF MAXIMUM USER CHROOT CONTROL SOCKET INCLUDE ERROR
%token	INSTANCE ID BLOCK OUTSIDE PROTOCOL TRANSPORT
%token	CLIENT CLIENTTOCLIENT POOL PUSH DNS LEASES
%token	<v.string>	STRING
%token	<v.number>	NUMBER
%type	<v.string>	string word
%type	<v.number>	port seconds listenproto
/* Error recovery drops tokens and values: free their strings. */
%destructor	{ free($$); }	STRING string word

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar INCLUDE STRING '\n' {
			include_many(include_path($3));
			free($3);
		}
		| grammar macro '\n'
		| grammar setting '\n'
		| grammar error '\n'	{
			yyerrok;
			hosts_connect(NULL);
			client_end();
		}
		;

word		: STRING
		| NUMBER {
			if (asprintf(&$$, "%lld", (long long)$1) == -1)
				fatal("%s", __func__);
		}
		;

string		: string word {
			if (asprintf(&$$, "%s %s", $1, $2) == -1)
				fatal("%s", __func__);
			free($1);
			free($2);
		}
		| word
		;

macro		: STRING '=' string {
			const char	*p;

			for (p = $1; *p != '\0'; p++)
				if (!isalnum((unsigned char)*p) && *p != '_')
					break;
			if (*p != '\0' || isdigit((unsigned char)*$1))
				conferr("bad macro name '%s': use letters, "
				    "digits and _", $1);
			else if (macro_set($1, $3, 0) == -1)
				fatal("%s", __func__);
			free($1);
			free($3);
		}
		;

port		: /* empty */		{ $$ = atoi(CONF_DEFAULT_PORT); }
		| PORT NUMBER		{
			if (check_range("port", $2, 1, 65535) == -1)
				$$ = atoi(CONF_DEFAULT_PORT);
			else
				$$ = $2;
		}
		;

/* "transport udp tcp": the words in order; none means TCP alone. */
transports	: /* empty */		{ ps.ntr = 0; }
		| TRANSPORT { ps.ntr = 0; } trlist
		;

trlist		: STRING		{ transport_add($1); }
		| trlist STRING		{ transport_add($2); }
		| trlist ',' STRING	{ transport_add($3); }
		;

listenproto	: /* empty */		{ $$ = CONF_PROTO_NATIVE; }
		| PROTOCOL STRING	{
			$$ = protocol_by_name($2);
			free($2);
		}
		;

seconds		: NUMBER		{ $$ = $1; }
		| NUMBER SECONDS	{ $$ = $1; }
		;

setting		: KEY STRING {
			char	 err[CONF_KEY_ERR_MAX];

			if (once(S_KEY, "key") == 0 &&
			    set_path(ps.conf->keyfile,
			    sizeof(ps.conf->keyfile), $2, "key file") == 0 &&
			    keyfile_check($2, err, sizeof(err)) == -1)
				conferr("%s", err);
			free($2);
		}
		| LISTEN ON STRING port listenproto transports {
			char	 pbuf[16];

			snprintf(pbuf, sizeof(pbuf), "%lld", (long long)$4);
			set_listen($3, pbuf, $5);
			free($3);
		}
		| PROTOCOL STRING {
			int	 pr = protocol_by_name($2);

			if (once(S_PROTOCOL, "protocol") == 0)
				ps.conf->protocol = pr;
			free($2);
		}
		| CONNECT TO hosts port transports {
			char	 pbuf[16];

			snprintf(pbuf, sizeof(pbuf), "%lld", (long long)$4);
			hosts_connect(pbuf);
		}
		| CLIENT STRING { client_begin($2); free($2); } clientblock {
			client_end();
		}
		| POOL STRING {
			set_pool($2);
			free($2);
		}
		| CLIENTTOCLIENT {
			if (once(S_C2C, "client-to-client") == 0)
				ps.conf->client_to_client = 1;
		}
		| NO CLIENTTOCLIENT {
			if (once(S_C2C, "client-to-client") == 0)
				ps.conf->client_to_client = 0;
		}
		| PUSH DEFAULT ROUTE {
			mark(S_PUSH);
			if (once(S_PUSHDEF, "push default route") == 0)
				ps.conf->push_default_route = 1;
		}
		| PUSH NO DEFAULT ROUTE {
			mark(S_PUSH);
			if (once(S_PUSHDEF, "push default route") == 0)
				ps.conf->push_default_route = 0;
		}
		| PUSH ROUTE STRING {
			mark(S_PUSH);
			add_prefix(ps.conf->push_routes,
			    &ps.conf->n_push_routes, CONF_MAX_ROUTES,
			    "push route", $3);
			free($3);
		}
		| PUSH DNS STRING {
			mark(S_PUSH);
			add_dns($3);
			free($3);
		}
		| DNS STRING {
			mark(S_DNS);
			add_dns($2);
			ps.conf->explicit |= CONF_SET_DNS;
			free($2);
		}
		| LEASES STRING {
			if (once(S_LEASES, "leases") == 0)
				set_path(ps.conf->leasefile,
				    sizeof(ps.conf->leasefile), $2,
				    "leases");
			free($2);
		}
		| TUNNEL tunname tunmtu tunblock {
			if (ps.conf->inet6 && ps.conf->mtu < MTU_MIN_INET6)
				conferr("mtu %d is too small for IPv6 (%d at "
				    "least); raise it or add \"no inet6\"",
				    ps.conf->mtu, MTU_MIN_INET6);
		}
		| DEFAULT ROUTE {
			if (once(S_DEFROUTE, "default route") == 0)
				ps.conf->default_route = 1;
		}
		| NO DEFAULT ROUTE {
			if (once(S_DEFROUTE, "default route") == 0)
				ps.conf->default_route = 0;
		}
		| BLOCK OUTSIDE {
			if (once(S_BLOCK, "block outside") == 0)
				ps.conf->block_outside = 1;
		}
		| NO BLOCK OUTSIDE {
			if (once(S_BLOCK, "block outside") == 0)
				ps.conf->block_outside = 0;
		}
		| INSTANCE STRING {
			if (once(S_INSTANCE, "instance") == 0)
				set_instance($2, -1);
			free($2);
		}
		| INSTANCE STRING ID NUMBER {
			if (once(S_INSTANCE, "instance") == 0)
				set_instance($2, $4);
			free($2);
		}
		| ROUTE STRING {
			add_route($2);
			free($2);
		}
		| NAT ON EGRESS {
			if (once(S_NAT, "nat") == 0)
				ps.conf->nat = NAT_EGRESS;
		}
		| NAT ON STRING {
			if (once(S_NAT, "nat") == 0) {
				if (set_ifname($3) == 0) {
					ps.conf->nat = NAT_IFACE;
					strlcpy(ps.conf->nat_if, $3,
					    sizeof(ps.conf->nat_if));
				}
			}
			free($3);
		}
		| NO NAT {
			if (once(S_NAT, "nat") == 0)
				ps.conf->nat = NAT_NONE;
		}
		| GATEWAY AUTO {
			if (once(S_GATEWAY, "gateway") == 0)
				ps.conf->gateway_auto = 1;
		}
		| GATEWAY STRING {
			struct conf_prefix	*g = &ps.conf->gateway;

			if (once(S_GATEWAY, "gateway") == 0) {
				if (parse_addr($2, AF_INET, &g->addr) == 0) {
					g->af = AF_INET;
					g->plen = 32;
					ps.conf->gateway_auto = 0;
				} else if (parse_addr($2, AF_INET6,
				    &g->addr) == 0) {
					g->af = AF_INET6;
					g->plen = 128;
					ps.conf->gateway_auto = 0;
				} else
					conferr("bad gateway address '%s'",
					    $2);
			}
			free($2);
		}
		| FIREWALL AUTO {
			if (once(S_FIREWALL, "firewall") == 0)
				ps.conf->firewall = FW_AUTO;
		}
		| FIREWALL NFTABLES {
			if (once(S_FIREWALL, "firewall") == 0)
				ps.conf->firewall = FW_NFTABLES;
		}
		| FIREWALL IPTABLES {
			if (once(S_FIREWALL, "firewall") == 0)
				ps.conf->firewall = FW_IPTABLES;
		}
		| KEEPALIVE seconds {
			if (once(S_KEEPALIVE, "keepalive") == 0 &&
			    check_range("keepalive", $2, 1,
			    KEEPALIVE_MAX) == 0)
				ps.conf->keepalive = $2;
		}
		| DEADPEER TIMEOUT seconds {
			if (once(S_DEAD, "dead-peer timeout") == 0 &&
			    check_range("dead-peer timeout", $3, 2,
			    DEAD_MAX) == 0)
				ps.conf->dead_timeout = $3;
		}
		| REKEY EVERY seconds {
			if (once(S_REKEY, "rekey every") == 0 &&
			    check_range("rekey every", $3, REKEY_MIN,
			    REKEY_MAX) == 0)
				ps.conf->rekey_interval = $3;
		}
		| REKEY AFTER STRING {
			if (once(S_REKEY_BYTES, "rekey after") == 0)
				parse_bytes($3, NULL, &ps.conf->rekey_bytes);
			free($3);
		}
		| REKEY AFTER NUMBER {
			char	 nbuf[32];

			snprintf(nbuf, sizeof(nbuf), "%lld", (long long)$3);
			if (once(S_REKEY_BYTES, "rekey after") == 0)
				parse_bytes(nbuf, NULL, &ps.conf->rekey_bytes);
		}
		| REKEY AFTER NUMBER STRING {
			char	 nbuf[32];

			snprintf(nbuf, sizeof(nbuf), "%lld", (long long)$3);
			if (once(S_REKEY_BYTES, "rekey after") == 0)
				parse_bytes(nbuf, $4, &ps.conf->rekey_bytes);
			free($4);
		}
		| CLOCK WINDOW seconds {
			if (once(S_WINDOW, "clock window") == 0 &&
			    check_range("clock window", $3, WINDOW_MIN,
			    WINDOW_MAX) == 0)
				ps.conf->clock_window = $3;
		}
		| RECONNECT BACKOFF MAXIMUM seconds {
			if (once(S_BACKOFF, "reconnect backoff max") == 0 &&
			    check_range("reconnect backoff max", $4, 1,
			    BACKOFF_MAX) == 0)
				ps.conf->backoff_max = $4;
		}
		| USER STRING {
			if (once(S_USER, "user") == 0) {
				if (*$2 == '\0')
					conferr("empty user name");
				else if (strlcpy(ps.conf->user, $2,
				    sizeof(ps.conf->user)) >=
				    sizeof(ps.conf->user))
					conferr("user name too long (at most "
					    "%zu bytes)",
					    sizeof(ps.conf->user) - 1);
			}
			free($2);
		}
		| CHROOT STRING {
			if (once(S_CHROOT, "chroot") == 0)
				set_path(ps.conf->chroot,
				    sizeof(ps.conf->chroot), $2, "chroot");
			free($2);
		}
		| CONTROL SOCKET STRING {
			struct sockaddr_un	 sun;

			if (once(S_SOCKET, "control socket") == 0 &&
			    set_path(ps.conf->control_socket,
			    sizeof(ps.conf->control_socket), $3,
			    "control socket") == 0 &&
			    strlen($3) >= sizeof(sun.sun_path))
				conferr("control socket path too long (max "
				    "%zu bytes)", sizeof(sun.sun_path) - 1);
			free($3);
		}
		;

hosts		: STRING		{ hosts_add($1); }
		| hosts ',' STRING	{ hosts_add($3); }
		;

clientblock	: '{' clitems clilast '}'
		;

clitems		: /* empty */
		| clitems cliopt sep
		| clitems sep
		| clitems error sep	{ yyerrok; }
		;

clilast		: /* empty */
		| cliopt
		;

cliopt		: KEY STRING		{ client_key($2); free($2); }
		| INET STRING		{ client_inet(AF_INET, $2); free($2); }
		| INET6 STRING		{ client_inet(AF_INET6, $2); free($2); }
		| ROUTE STRING		{ client_route($2); free($2); }
		| PROTOCOL STRING	{ client_protocol($2); free($2); }
		;

tunname		: AUTO {
			if (once(S_TUNNEL, "tunnel") == 0)
				ps.conf->ifname[0] = '\0';
		}
		| STRING {
			if (once(S_TUNNEL, "tunnel") == 0 &&
			    set_ifname($1) == 0)
				strlcpy(ps.conf->ifname, $1,
				    sizeof(ps.conf->ifname));
			free($1);
		}
		;

tunmtu		: /* empty */
		| MTU NUMBER {
			ps.conf->explicit |= CONF_SET_MTU;
			if (check_range("mtu", $2, MTU_MIN, MTU_MAX) == 0)
				ps.conf->mtu = $2;
		}
		;

tunblock	: /* empty */
		| '{' tunitems tunlast '}'
		/* A bad last item: resume after the brace, not the line. */
		| '{' tunitems error '}'	{ yyerrok; }
		;

tunitems	: /* empty */
		| tunitems tunopt sep
		| tunitems sep
		| tunitems error sep	{ yyerrok; }
		;

tunlast		: /* empty */
		| tunopt
		;

sep		: '\n'
		| ';'
		;

tunopt		: INET STRING PEER STRING {
			if (once(S_INET, "inet") == 0)
				set_tunaddr(AF_INET, $2, $4);
			free($2);
			free($4);
		}
		| INET6 STRING PEER STRING {
			if (once(S_INET6, "inet6") == 0)
				set_tunaddr(AF_INET6, $2, $4);
			free($2);
			free($4);
		}
		| NO INET6 {
			if (once(S_INET6, "inet6") == 0)
				ps.conf->inet6 = 0;
		}
		;

%%

struct keyword {
	const char	*name;
	int		 token;
};

/* Keep sorted: bsearch(3) walks it. */
static const struct keyword	 keywords[] = {
	{ "after",	AFTER },
	{ "auto",	AUTO },
	{ "backoff",	BACKOFF },
	{ "block",	BLOCK },
	{ "chroot",	CHROOT },
	{ "client",	CLIENT },
	{ "client-to-client", CLIENTTOCLIENT },
	{ "clock",	CLOCK },
	{ "connect",	CONNECT },
	{ "control",	CONTROL },
	{ "dead-peer",	DEADPEER },
	{ "default",	DEFAULT },
	{ "dns",	DNS },
	{ "egress",	EGRESS },
	{ "every",	EVERY },
	{ "firewall",	FIREWALL },
	{ "gateway",	GATEWAY },
	{ "id",		ID },
	{ "include",	INCLUDE },
	{ "inet",	INET },
	{ "inet6",	INET6 },
	{ "instance",	INSTANCE },
	{ "iptables",	IPTABLES },
	{ "keepalive",	KEEPALIVE },
	{ "key",	KEY },
	{ "leases",	LEASES },
	{ "listen",	LISTEN },
	{ "max",	MAXIMUM },
	{ "mtu",	MTU },
	{ "nat",	NAT },
	{ "nftables",	NFTABLES },
	{ "no",		NO },
	{ "on",		ON },
	{ "outside",	OUTSIDE },
	{ "peer",	PEER },
	{ "pool",	POOL },
	{ "port",	PORT },
	{ "protocol",	PROTOCOL },
	{ "push",	PUSH },
	{ "reconnect",	RECONNECT },
	{ "rekey",	REKEY },
	{ "route",	ROUTE },
	{ "seconds",	SECONDS },
	{ "socket",	SOCKET },
	{ "timeout",	TIMEOUT },
	{ "to",		TO },
	{ "transport",	TRANSPORT },
	{ "tunnel",	TUNNEL },
	{ "user",	USER },
	{ "window",	WINDOW },
};

static int
keyword_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct keyword *)elem)->name);
}

/* Returns the keyword's token, or STRING for any other word. */
static int
keyword_lookup(const char *word)
{
	const struct keyword	*k;

	k = bsearch(word, keywords, nitems(keywords), sizeof(keywords[0]),
	    keyword_cmp);
	return k != NULL ? k->token : STRING;
}

static const char *
keyword_name(int token)
{
	size_t	 i;

	for (i = 0; i < nitems(keywords); i++)
		if (keywords[i].token == token)
			return keywords[i].name;
	return NULL;
}

/*
 * What each statement looks like, for syntax errors: byacc cannot say
 * what it expected, but the statement's first word tells us.
 */
static const struct {
	int		 token;
	const char	*usage;
} statements[] = {
	{ KEY,		"key FILE" },
	{ LISTEN,	"listen on ADDRESS|* [port PORT] "
			    "[protocol dsvpnd|dsvpn] [transport tcp|udp ...]" },
	{ PROTOCOL,	"protocol dsvpnd|dsvpn" },
	{ CONNECT,	"connect to HOST[, HOST ...] [port PORT] "
			    "[transport udp|tcp ...]" },
	{ CLIENT,	"client NAME { key FILE; [inet ADDRESS]; "
			    "[inet6 ADDRESS]; [route PREFIX ...]; "
			    "[protocol dsvpn] }" },
	{ POOL,		"pool PREFIX" },
	{ CLIENTTOCLIENT, "client-to-client" },
	{ PUSH,		"push [no] default route, push route PREFIX, or "
			    "push dns ADDRESS" },
	{ DNS,		"dns ADDRESS" },
	{ LEASES,	"leases FILE" },
	{ TUNNEL,	"tunnel NAME|auto [mtu BYTES] "
			    "[{ ADDRESS SETTINGS }]" },
	{ DEFAULT,	"default route" },
	{ NO,		"no default route, no block outside, no nat, or "
			    "no client-to-client" },
	{ BLOCK,	"block outside" },
	{ ROUTE,	"route PREFIX" },
	{ NAT,		"nat on INTERFACE|egress" },
	{ GATEWAY,	"gateway auto|ADDRESS" },
	{ FIREWALL,	"firewall auto|nftables|iptables" },
	{ KEEPALIVE,	"keepalive SECONDS" },
	{ DEADPEER,	"dead-peer timeout SECONDS" },
	{ REKEY,	"rekey every SECONDS, or rekey after BYTES[K|M|G]" },
	{ CLOCK,	"clock window SECONDS" },
	{ RECONNECT,	"reconnect backoff max SECONDS" },
	{ USER,		"user NAME" },
	{ CHROOT,	"chroot DIRECTORY" },
	{ CONTROL,	"control socket PATH" },
	{ INSTANCE,	"instance NAME [id NUMBER]" },
	{ INCLUDE,	"include FILE" },
	{ STRING,	"NAME = VALUE (a macro)" },
};

#define BLOCK_USAGE	"inet LOCAL peer PEER, inet6 LOCAL peer PEER or " \
			"no inet6, one per line or separated by ;"

static const char *
statement_usage(int token)
{
	size_t	 i;

	if (ps.in_block)
		return BLOCK_USAGE;
	for (i = 0; i < nitems(statements); i++)
		if (statements[i].token == token)
			return statements[i].usage;
	return NULL;
}

/* Remembers how to name the token just read in an error. */
static void
note_token(int token)
{
	const char	*kw;

	if (token == STRING)
		snprintf(ps.last, sizeof(ps.last), "'%.40s%s'",
		    yylval.v.string, strlen(yylval.v.string) > 40 ? "..." : "");
	else if (token == NUMBER)
		snprintf(ps.last, sizeof(ps.last), "'%lld'",
		    (long long)yylval.v.number);
	else if (token == '\n')
		strlcpy(ps.last, "the end of the line", sizeof(ps.last));
	else if (token == 0)
		strlcpy(ps.last, "the end of the file", sizeof(ps.last));
	else if ((kw = keyword_name(token)) != NULL)
		snprintf(ps.last, sizeof(ps.last), "'%s'", kw);
	else if (token > 0 && token < 0x80)
		snprintf(ps.last, sizeof(ps.last), "'%c'", token);
	else
		strlcpy(ps.last, "this", sizeof(ps.last));
}

/* Tracks the statement (and tunnel block) that the token belongs to. */
static void
note_statement(int token)
{
	if (ps.block_closing) {
		ps.in_block = ps.block_closing = 0;
		ps.blk_stmt = 0;
	}
	if (token == '{' && ps.stmt == TUNNEL) {
		ps.in_block = 1;
		ps.blk_stmt = 0;
	} else if (token == '}')
		ps.block_closing = ps.in_block;
	else if (ps.bol && ps.in_block)
		ps.blk_stmt = token;
	else if (ps.bol)
		ps.stmt = token;
}

/* Error reporting: every message is "file:line: message". */

static void
errbuf_add(const char *name, int line, const char *msg)
{
	char	 lbuf[16] = "";

	if (line > 0)
		snprintf(lbuf, sizeof(lbuf), ":%d", line);
	if (errbuf[0] != '\0')
		strlcat(errbuf, "\n", errbuf_len);
	strlcat(errbuf, name, errbuf_len);
	strlcat(errbuf, lbuf, errbuf_len);
	strlcat(errbuf, ": ", errbuf_len);
	strlcat(errbuf, msg, errbuf_len);
}

void
conf_set_error_buffer(char *buf, size_t len)
{
	errbuf = len > 0 ? buf : NULL;
	errbuf_len = len;
	if (errbuf != NULL)
		errbuf[0] = '\0';
}

static void
verrat(const char *name, int line, const char *fmt, va_list ap)
{
	char	*msg;

	ps.errors++;
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("%s", __func__);
	if (line > 0)
		log_warnx("%s:%d: %s", name, line, msg);
	else
		log_warnx("%s: %s", name, msg);
	if (errbuf != NULL)
		errbuf_add(name, line, msg);
	free(msg);
}

static void
errat(const char *name, int line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	verrat(name, line, fmt, ap);
	va_end(ap);
}

static void
conferr(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	if (ps.nfiles > 0)
		verrat(CUR->name, yylval.lineno, fmt, ap);
	else
		verrat(ps.topname, 0, fmt, ap);
	va_end(ap);
}

/*
 * Called by the parser: the lexer has often said why already.  Else name
 * the token it stopped at and what the statement should look like.
 */
void
yyerror(const char *msg)
{
	const char	*usage;

	if (ps.lexerr) {
		ps.lexerr = 0;
		return;
	}
	usage = statement_usage(ps.in_block ? ps.blk_stmt : ps.stmt);
	if (usage != NULL)
		conferr("%s at %s: expected %s", msg, ps.last, usage);
	else if (ps.in_block)
		conferr("%s at %s: a tunnel block holds %s", msg, ps.last,
		    BLOCK_USAGE);
	else
		conferr("%s at %s: a statement starts with a setting's name "
		    "(see dsvpnd.conf(5)) or a macro's", msg, ps.last);
}

/* An error found after parsing, at a place once() remembered. */
static void
errwhere(enum setting s, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	if (ps.where[s] != NULL)
		verrat(ps.where[s], 0, fmt, ap);
	else
		verrat(ps.topname, 0, fmt, ap);
	va_end(ap);
}

/* Records where a setting was made; a second one is an error. */
static int
once(enum setting s, const char *what)
{
	char	*w;

	if (ps.where[s] != NULL) {
		conferr("%s is already set at %s", what, ps.where[s]);
		return -1;
	}
	if (asprintf(&w, "%s:%d", CUR->name, yylval.lineno) == -1)
		fatal("%s", __func__);
	ps.where[s] = w;
	return 0;
}

/* Records where a setting that may repeat was first made. */
static void
mark(enum setting s)
{
	if (ps.where[s] == NULL && ps.nfiles > 0 &&
	    asprintf(&ps.where[s], "%s:%d", CUR->name, yylval.lineno) == -1)
		fatal("%s", __func__);
}

/* Reading: bytes come from the unget stack (macros, lookahead) first. */

static int
rawgetc(struct cfile *f)
{
	int	 c;

	if ((c = getc(f->stream)) == EOF)
		return EOF;
	if (c == '\n') {
		f->rline++;
		f->rcol = 0;
		f->rline_bad = 0;
		return c;
	}
	if (++f->rcol >= LINE_MAX_BYTES && !f->rline_bad) {
		f->rline_bad = 1;
		errat(f->name, f->rline, "line too long (max %d bytes)",
		    LINE_MAX_BYTES - 1);
	}
	if (c == '\0') {
		if (!f->rline_bad)
			errat(f->name, f->rline, "NUL byte in line");
		f->rline_bad = 1;
		c = ' ';
	}
	return c;
}

static int
igetc(void)
{
	struct cfile	*f = CUR;
	int		 c;

	if (f->nunget > 0) {
		c = f->unget[--f->nunget];
		f->tagged = (c & MACRO_TAG) != 0;
		return c & ~MACRO_TAG;
	}
	f->tagged = 0;
	return rawgetc(f);
}

static void
lungetc_tag(int c, int tag)
{
	struct cfile	*f = CUR;
	int		*p;

	if (c == EOF)
		return;
	if (f->nunget == f->unget_size) {
		p = reallocarray(f->unget, f->unget_size * 2, sizeof(*p));
		if (p == NULL)
			fatal("%s", __func__);
		f->unget = p;
		f->unget_size *= 2;
	}
	f->unget[f->nunget++] = c | (tag ? MACRO_TAG : 0);
}

/* Pushes back the byte just read, keeping its macro tag. */
static void
lungetc(int c)
{
	lungetc_tag(c, CUR->tagged);
}

/*
 * The next byte of the current line: joins backslash-newline lines, and
 * at the end of an included file goes on with the file that included it
 * (after one made-up newline, so an unterminated last line still ends).
 */
static int
lgetc(int quoted)
{
	int	 c, next;

	for (;;) {
		c = igetc();
		if (c == '\\') {
			next = igetc();
			if (next == '\n') {
				CUR->lineno++;
				continue;
			}
			lungetc(next);
			return c;
		}
		if (c != EOF)
			return c;
		if (!CUR->eof) {
			CUR->eof = 1;
			if (quoted)
				return EOF;
			return '\n';
		}
		if (ps.nfiles == 1 || popfile() == -1)
			return EOF;
	}
}

/* Skips the rest of a bad line, leaving its newline for the parser. */
static int
findeol(void)
{
	int	 c;

	while ((c = lgetc(0)) != '\n' && c != EOF)
		;
	lungetc(c);
	ps.lexerr = 1;
	return ERROR;
}

static int
is_wordc(int c)
{
	return c > ' ' && c < 0x7f && strchr("{}()=#;,\"'\\$", c) == NULL;
}

/* $name: pushes the macro's value back as input, tagged. */
static int
expand_macro(void)
{
	char		 name[STRING_MAX];
	const char	*val;
	size_t		 len = 0;
	int		 c;

	while ((c = lgetc(0)) != EOF &&
	    (isalnum((unsigned char)c) || c == '_')) {
		if (len == sizeof(name) - 1) {
			conferr("macro name too long");
			return -1;
		}
		name[len++] = c;
	}
	lungetc(c);
	name[len] = '\0';
	if (len == 0) {
		conferr("'$' must be followed by a macro name");
		return -1;
	}
	if ((val = macro_get(name)) == NULL) {
		conferr("macro '%s' not defined", name);
		return -1;
	}
	len = strlen(val);
	while (len > 0)
		lungetc_tag((unsigned char)val[--len], 1);
	return 0;
}

static int
lex_quoted(int quote)
{
	char	 buf[STRING_MAX];
	size_t	 len = 0;
	int	 c, next;

	for (;;) {
		if ((c = lgetc(1)) == EOF || c == '\n') {
			conferr("unterminated quoted string");
			lungetc('\n');
			return findeol();
		}
		if (c == quote)
			break;
		if (c == '\\') {
			next = lgetc(1);
			if (next == quote || next == '\\')
				c = next;
			else
				lungetc(next);
		}
		if (len == sizeof(buf) - 1) {
			conferr("string too long (max %zu bytes)",
			    sizeof(buf) - 1);
			return findeol();
		}
		buf[len++] = c;
	}
	buf[len] = '\0';
	if ((yylval.v.string = strdup(buf)) == NULL)
		fatal("%s", __func__);
	return STRING;
}

/* A statement starting with a word that is no keyword defines a macro. */
static int
next_is_equals(void)
{
	int	 c;

	while ((c = lgetc(0)) == ' ' || c == '\t')
		;
	lungetc(c);
	return c == '=';
}

static int
lex_word(int c)
{
	char		 buf[STRING_MAX];
	const char	*errstr, *p;
	size_t		 len = 0;
	int		 token;

	do {
		if (len == sizeof(buf) - 1) {
			conferr("string too long (max %zu bytes)",
			    sizeof(buf) - 1);
			return findeol();
		}
		buf[len++] = c;
	} while (is_wordc(c = lgetc(0)));
	lungetc(c);
	buf[len] = '\0';

	p = buf[0] == '-' ? buf + 1 : buf;
	if (*p != '\0' && strspn(p, "0123456789") == strlen(p)) {
		yylval.v.number = strtonum(buf, LLONG_MIN, LLONG_MAX, &errstr);
		if (errstr != NULL) {
			conferr("number %s is %s", buf, errstr);
			return findeol();
		}
		return NUMBER;
	}
	if ((token = keyword_lookup(buf)) != STRING)
		return token;
	if (ps.bol && !next_is_equals()) {
		conferr("unknown keyword '%s'", buf);
		return findeol();
	}
	if ((yylval.v.string = strdup(buf)) == NULL)
		fatal("%s", __func__);
	return STRING;
}

static int
lex_token(void)
{
	int	 c;

 again:
	while ((c = lgetc(0)) == ' ' || c == '\t' || c == '\r')
		;
	yylval.lineno = CUR->lineno;
	if (c == '#')
		while ((c = lgetc(0)) != '\n' && c != EOF)
			;
	if (c == '$' && !CUR->tagged) {
		if (expand_macro() == -1)
			return findeol();
		goto again;
	}
	if (c == '"' || c == '\'')
		return lex_quoted(c);
	if (c == '\n') {
		CUR->lineno++;
		return c;
	}
	if (c == EOF)
		return 0;
	if (is_wordc(c))
		return lex_word(c);
	if (!isprint(c) && c != '\n') {
		conferr("unexpected byte 0x%02x", c);
		return findeol();
	}
	return c;
}

int
yylex(void)
{
	int	 token;

	ps.lexerr = 0;
	token = lex_token();
	note_token(token);
	note_statement(token);
	ps.bol = token == '\n' || token == ';' || token == '{';
	return token;
}

/* Files. */

/*
 * An error about a file being opened, named once: "file: message" for
 * the top file, "includer:line: file: message" for an included one.
 */
static void
fileerr(const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("%s", __func__);
	va_end(ap);
	if (ps.nfiles == 0)
		errat(name, 0, "%s", msg);
	else
		conferr("%s: %s", name, msg);
	free(msg);
}

/*
 * A config file anyone but its owner may change could hand the daemon
 * any key and any routes: refuse it, and say how to fix it.
 */
static int
check_conf_file(int fd, const char *name)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1) {
		fileerr(name, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fileerr(name, "not a regular file");
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != getuid()) {
		fileerr(name, "owned by uid %u, not root or the running user; "
		    "run chown root %s", (unsigned)st.st_uid, name);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		fileerr(name, "writable by group or others; run chmod go-w %s",
		    name);
		return -1;
	}
	return 0;
}

/* Relative includes are taken from the including file's directory. */
static char *
include_path(const char *name)
{
	const char	*slash;
	char		*path;

	if (name[0] == '/' || ps.nfiles == 0 ||
	    (slash = strrchr(CUR->name, '/')) == NULL) {
		if ((path = strdup(name)) == NULL)
			fatal("%s", __func__);
		return path;
	}
	if (asprintf(&path, "%.*s/%s", (int)(slash - CUR->name), CUR->name,
	    name) == -1)
		fatal("%s", __func__);
	return path;
}

static int
file_is_open(const struct stat *st)
{
	int	 i;

	for (i = 0; i < ps.nfiles; i++)
		if (ps.files[i]->dev == st->st_dev &&
		    ps.files[i]->ino == st->st_ino)
			return 1;
	return 0;
}

/* Opens path (which it takes over) and reads on from it. */
static int
pushfile(char *path)
{
	struct cfile	*f;
	struct stat	 st;
	FILE		*fp;

	if (ps.nfiles > INCLUDE_DEPTH_MAX) {
		conferr("include \"%s\": nested too deeply (max %d levels)",
		    path, INCLUDE_DEPTH_MAX);
		goto fail;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		fileerr(path, "%s", strerror(errno));
		goto fail;
	}
	if (check_conf_file(fileno(fp), path) == -1 ||
	    fstat(fileno(fp), &st) == -1)
		goto failclose;
	if (file_is_open(&st)) {
		conferr("include \"%s\": recursive include", path);
		goto failclose;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->unget = calloc(16, sizeof(*f->unget))) == NULL)
		fatal("%s", __func__);
	f->stream = fp;
	f->name = path;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->lineno = f->rline = 1;
	f->unget_size = 16;
	ps.files[ps.nfiles++] = f;
	return 0;
 failclose:
	fclose(fp);
 fail:
	free(path);
	return -1;
}

/* The next file of an include's list that opens, with the rest. */
static void
push_siblings(char **sib, size_t nsib, size_t i)
{
	char	*path;

	for (; i < nsib; i++) {
		if ((path = strdup(sib[i])) == NULL)
			fatal("%s", __func__);
		if (pushfile(path) == 0) {
			CUR->sib = sib;
			CUR->nsib = nsib;
			CUR->isib = i + 1;
			return;
		}
	}
	for (i = 0; i < nsib; i++)
		free(sib[i]);
	free(sib);
}

static int
popfile(void)
{
	struct cfile	*f;

	if (ps.nfiles == 0)
		return -1;
	f = ps.files[--ps.nfiles];
	fclose(f->stream);
	free(f->name);
	free(f->unget);
	if (f->sib != NULL)
		push_siblings(f->sib, f->nsib, f->isib);
	free(f);
	return ps.nfiles > 0 ? 0 : -1;
}

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * include "dir" reads the .conf files in dir, include "pattern" the files
 * a glob matches, each in name order, so tooling can drop one file per
 * client (neither needs to match anything); any other name is one file.
 */
static void
include_many(char *path)
{
	struct stat	 st;
	glob_t		 g;
	char		*pat, **list;
	size_t		 i, n = 0;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (asprintf(&pat, "%s/*.conf", path) == -1)
			fatal("%s", __func__);
	} else if (strpbrk(path, "*?[") != NULL) {
		if ((pat = strdup(path)) == NULL)
			fatal("%s", __func__);
	} else {
		pushfile(path);
		return;
	}
	free(path);
	memset(&g, 0, sizeof(g));
	if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		globfree(&g);
		free(pat);
		return;
	}
	if ((list = calloc(g.gl_pathc, sizeof(*list))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < g.gl_pathc; i++)
		if (stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    (list[n] = strdup(g.gl_pathv[i])) != NULL)
			n++;
	qsort(list, n, sizeof(*list), path_cmp);
	globfree(&g);
	free(pat);
	if (n == 0) {
		free(list);
		return;
	}
	push_siblings(list, n, 0);
}

/* Macros. */

static struct macro *
macro_find(const char *name)
{
	struct macro	*m;

	for (m = macros; m != NULL; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

static char *
macro_get(const char *name)
{
	struct macro	*m;

	return (m = macro_find(name)) != NULL ? m->value : NULL;
}

/* A -D macro wins over one set in the file, as in pf.conf. */
static int
macro_set(const char *name, const char *value, int persist)
{
	struct macro	*m;
	char		*v;

	if ((m = macro_find(name)) != NULL) {
		if (m->persist && !persist)
			return 0;
		if ((v = strdup(value)) == NULL)
			return -1;
		free(m->value);
		m->value = v;
		m->persist = persist;
		return 0;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	if ((m->name = strdup(name)) == NULL ||
	    (m->value = strdup(value)) == NULL) {
		free(m->name);
		free(m);
		return -1;
	}
	m->persist = persist;
	m->next = macros;
	macros = m;
	return 0;
}

/* Drops the macros of the last run (all of them if all is set). */
static void
macros_clear(int all)
{
	struct macro	**mp, *m;

	mp = &macros;
	while ((m = *mp) != NULL) {
		if (m->persist && !all) {
			mp = &m->next;
			continue;
		}
		*mp = m->next;
		free(m->name);
		free(m->value);
		free(m);
	}
}

int
cmdline_symset(const char *s)
{
	const char	*eq;
	char		*name;
	int		 ret;

	if ((eq = strchr(s, '=')) == NULL || eq == s)
		return -1;
	if ((name = strndup(s, eq - s)) == NULL)
		return -1;
	ret = macro_set(name, eq + 1, 1);
	free(name);
	return ret;
}

/* Values. */

static int
check_range(const char *what, int64_t n, int64_t min, int64_t max)
{
	if (n < min || n > max) {
		conferr("%s %lld is out of range (%lld to %lld)", what,
		    (long long)n, (long long)min, (long long)max);
		return -1;
	}
	return 0;
}

static int
parse_addr(const char *s, int af, void *dst)
{
	return inet_pton(af, s, dst) == 1 ? 0 : -1;
}

static int
prefix_hostbits(const struct conf_prefix *p)
{
	const uint8_t	*b = (const uint8_t *)&p->addr;
	int		 i, bits;

	bits = p->af == AF_INET ? 32 : 128;
	for (i = p->plen; i < bits; i++)
		if (b[i / 8] & (0x80 >> (i % 8)))
			return 1;
	return 0;
}

/* ADDRESS[/LEN], the host bits zero; no length means a host route. */
static int
parse_prefix(const char *s, struct conf_prefix *p)
{
	char		 addr[INET6_ADDRSTRLEN];
	const char	*slash, *errstr;
	long long	 plen = -1;
	size_t		 len;

	memset(p, 0, sizeof(*p));
	slash = strchr(s, '/');
	len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (len >= sizeof(addr))
		goto bad;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (parse_addr(addr, AF_INET, &p->addr) == 0)
		p->af = AF_INET;
	else if (parse_addr(addr, AF_INET6, &p->addr) == 0)
		p->af = AF_INET6;
	else
		goto bad;
	if (slash != NULL) {
		plen = strtonum(slash + 1, 0, 255, &errstr);
		if (errstr != NULL || slash[1] == '\0')
			goto bad;
	}
	if (plen > (p->af == AF_INET ? 32 : 128)) {
		conferr("bad prefix '%s': length %lld is too long for %s",
		    s, plen, p->af == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	p->plen = plen >= 0 ? plen : (p->af == AF_INET ? 32 : 128);
	if (prefix_hostbits(p)) {
		conferr("bad prefix '%s': host bits are set", s);
		return -1;
	}
	return 0;
 bad:
	conferr("bad prefix '%s'", s);
	return -1;
}

/* N [K|M|G] bytes, binary units. */
static int
parse_bytes(const char *num, const char *unit, uint64_t *out)
{
	char		 buf[64];
	const char	*errstr;
	uint64_t	 mult = 1;
	long long	 n;
	size_t		 len;

	if (unit == NULL) {
		len = strspn(num, "0123456789");
		unit = num + len;
	} else
		len = strlen(num);
	if (len == 0 || len >= sizeof(buf))
		goto bad;
	memcpy(buf, num, len);
	buf[len] = '\0';
	if (strcasecmp(unit, "K") == 0)
		mult = 1ULL << 10;
	else if (strcasecmp(unit, "M") == 0)
		mult = 1ULL << 20;
	else if (strcasecmp(unit, "G") == 0)
		mult = 1ULL << 30;
	else if (*unit != '\0')
		goto bad;
	n = strtonum(buf, 0, REKEY_BYTES_MAX, &errstr);
	if (errstr != NULL || (uint64_t)n > REKEY_BYTES_MAX / mult ||
	    (uint64_t)n * mult < REKEY_BYTES_MIN) {
		conferr("rekey after %s%s is out of range (1M to 1024G)",
		    buf, unit);
		return -1;
	}
	*out = (uint64_t)n * mult;
	return 0;
 bad:
	conferr("bad byte count '%s%s': use a number with K, M or G", num,
	    unit == num + len ? "" : unit);
	return -1;
}

static int
set_ifname(const char *name)
{
	const char	*p;

	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("_.-", *p) == NULL)
			break;
	if (*name == '\0' || *p != '\0') {
		conferr("bad interface name '%s': use letters, digits, '_', "
		    "'.' and '-'", name);
		return -1;
	}
	if (strlen(name) >= IFNAMSIZ) {
		conferr("interface name '%s' is too long (%zu characters, "
		    "at most %d)", name, strlen(name), IFNAMSIZ - 1);
		return -1;
	}
	return 0;
}

static int
set_path(char *dst, size_t size, const char *path, const char *what)
{
	if (path[0] != '/') {
		conferr("%s \"%s\": the path must be absolute", what, path);
		return -1;
	}
	if (strlcpy(dst, path, size) >= size) {
		conferr("%s: path too long (at most %zu bytes)", what,
		    size - 1);
		return -1;
	}
	return 0;
}

static int
check_host(const char *host)
{
	struct in6_addr	 a6;
	const char	*p;

	if (parse_addr(host, AF_INET6, &a6) == 0)
		return 0;
	for (p = host; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return -1;
	return *host == '\0' || strlen(host) >= CONF_HOST_MAX ? -1 : 0;
}

/*
 * dsvpnd's own protocol, or DSVPN 0.1.5's (doc/PROTOCOL-DSVPN.md); an
 * unknown name is an error and reads as the native protocol.
 */
static int
protocol_by_name(const char *name)
{
	if (strcmp(name, "dsvpn") == 0)
		return CONF_PROTO_DSVPN;
	if (strcmp(name, "dsvpnd") != 0)
		conferr("unknown protocol '%s': use dsvpnd (the default) or "
		    "dsvpn", name);
	return CONF_PROTO_NATIVE;
}

static int
set_listen(const char *host, const char *port, int protocol)
{
	struct conf		*c = ps.conf;
	struct conf_listen	*l;
	struct in6_addr		 a;
	unsigned int		 i;

	if (c->role == ROLE_CLIENT) {
		conferr("listen on: this is a client (connect to at %s); "
		    "use one of listen on or connect to", ps.where[S_CONNECT]);
		return -1;
	}
	if (strcmp(host, "*") != 0 && parse_addr(host, AF_INET, &a) == -1 &&
	    parse_addr(host, AF_INET6, &a) == -1) {
		conferr("bad listen address '%s': use an IP address or *",
		    host);
		return -1;
	}
	for (i = 0; i < c->n_listen; i++)
		if (strcmp(c->listen[i].host, host) == 0 &&
		    strcmp(c->listen[i].port, port) == 0) {
			conferr("listen on %s port %s is already set", host,
			    port);
			return -1;
		}
	if (c->n_listen == CONF_MAX_LISTEN) {
		conferr("too many listen on lines (max %d)", CONF_MAX_LISTEN);
		return -1;
	}
	if (ps.where[S_LISTEN] == NULL)
		once(S_LISTEN, "listen on");
	c->role = ROLE_SERVER;
	l = &c->listen[c->n_listen++];
	strlcpy(l->host, host, sizeof(l->host));
	strlcpy(l->port, port, sizeof(l->port));
	l->transports = 0;
	for (i = 0; i < (unsigned int)ps.ntr; i++)
		l->transports |= ps.tr[i];
	if (l->transports == 0)
		l->transports = CONF_T_TCP;
	l->protocol = protocol;
	if (protocol == CONF_PROTO_DSVPN && ps.dsvpn_where == NULL &&
	    asprintf(&ps.dsvpn_where, "%s:%d", CUR->name,
	    yylval.lineno) == -1)
		fatal("%s", __func__);
	if (protocol == CONF_PROTO_DSVPN && (l->transports & CONF_T_UDP)) {
		conferr("listen on %s port %s: DSVPN's protocol has no UDP "
		    "form", host, port);
		return -1;
	}
	return 0;
}

static int
set_connect(const char *host, const char *port)
{
	struct conf	*c = ps.conf;
	unsigned int	 i;

	if (c->role == ROLE_SERVER) {
		conferr("connect to: this is a server (listen on at %s); "
		    "use one of listen on or connect to", ps.where[S_LISTEN]);
		return -1;
	}
	if (check_host(host) == -1) {
		conferr("bad host '%s': use a host name or IP address", host);
		return -1;
	}
	for (i = 0; i < c->n_servers; i++)
		if (strcmp(c->servers[i].host, host) == 0 &&
		    strcmp(c->servers[i].port, port) == 0) {
			conferr("connect to %s port %s is already set", host,
			    port);
			return -1;
		}
	if (c->n_servers == CONF_MAX_SERVERS) {
		conferr("too many servers to connect to (max %d)",
		    CONF_MAX_SERVERS);
		return -1;
	}
	if (ps.where[S_CONNECT] == NULL)
		once(S_CONNECT, "connect to");
	c->role = ROLE_CLIENT;
	strlcpy(c->servers[c->n_servers].host, host, CONF_HOST_MAX);
	strlcpy(c->servers[c->n_servers].port, port, CONF_PORT_MAX);
	if (ps.ntr == 0) {
		c->servers[c->n_servers].n_transports = 1;
		c->servers[c->n_servers].transports[0] = CONF_T_TCP;
	} else {
		c->servers[c->n_servers].n_transports = ps.ntr;
		memcpy(c->servers[c->n_servers].transports, ps.tr, ps.ntr);
	}
	c->n_servers++;
	return 0;
}

/* One word of "transport udp tcp": each at most once. */
static void
transport_add(char *word)
{
	uint8_t	 t;
	int	 i;

	if (strcmp(word, "tcp") == 0)
		t = CONF_T_TCP;
	else if (strcmp(word, "udp") == 0)
		t = CONF_T_UDP;
	else {
		conferr("unknown transport '%s': use tcp or udp", word);
		free(word);
		return;
	}
	free(word);
	for (i = 0; i < ps.ntr; i++)
		if (ps.tr[i] == t) {
			conferr("transport %s given twice", t == CONF_T_TCP ?
			    "tcp" : "udp");
			return;
		}
	ps.tr[ps.ntr++] = t;
}

/* The hosts of one "connect to a, b port P" line, then the line. */
static void
hosts_add(char *host)
{
	if (ps.nhosts == CONF_MAX_SERVERS) {
		conferr("too many servers to connect to (max %d)",
		    CONF_MAX_SERVERS);
		free(host);
		return;
	}
	ps.hosts[ps.nhosts++] = host;
}

/* port NULL: forget the hosts (error recovery). */
static void
hosts_connect(const char *port)
{
	int	 i;

	for (i = 0; i < ps.nhosts; i++) {
		if (port != NULL)
			set_connect(ps.hosts[i], port);
		free(ps.hosts[i]);
		ps.hosts[i] = NULL;
	}
	ps.nhosts = 0;
}

static int
set_tunaddr(int af, const char *local, const char *peer)
{
	struct conf	*c = ps.conf;
	void		*l, *p;
	const char	*name = af == AF_INET ? "inet" : "inet6";

	l = af == AF_INET ? (void *)&c->inet_local : (void *)&c->inet6_local;
	p = af == AF_INET ? (void *)&c->inet_peer : (void *)&c->inet6_peer;
	if (parse_addr(local, af, l) == -1) {
		conferr("bad %s address '%s'", name, local);
		return -1;
	}
	if (parse_addr(peer, af, p) == -1) {
		conferr("bad %s peer address '%s'", name, peer);
		return -1;
	}
	if (memcmp(l, p, af == AF_INET ? 4 : 16) == 0) {
		conferr("%s: the local and peer addresses are the same", name);
		return -1;
	}
	if (af == AF_INET6)
		c->inet6 = 1;
	return 0;
}

/* Adds prefix text s to a bounded list, refusing a duplicate. */
static int
add_prefix(struct conf_prefix *list, unsigned int *n, unsigned int max,
    const char *what, const char *s)
{
	struct conf_prefix	 p;
	unsigned int		 i;

	if (parse_prefix(s, &p) == -1)
		return -1;
	for (i = 0; i < *n; i++)
		if (memcmp(&list[i], &p, sizeof(p)) == 0) {
			conferr("%s %s is already set", what, s);
			return -1;
		}
	if (*n == max) {
		conferr("too many %s lines (max %u)", what, max);
		return -1;
	}
	list[(*n)++] = p;
	return 0;
}

/* The instance's name; its id, or -1 to derive it from the name. */
static int
set_instance(const char *name, int64_t id)
{
	struct conf	*c = ps.conf;

	if (!instance_name_ok(name)) {
		conferr("bad instance name '%s': up to %d of a-z, 0-9, _ and "
		    "-, starting with a letter or digit", name,
		    INSTANCE_NAME_MAX - 1);
		return -1;
	}
	if (id != -1 && check_range("instance id", id, 0,
	    INSTANCE_ID_MAX) == -1)
		return -1;
	strlcpy(c->instance, name, sizeof(c->instance));
	c->instance_id = id == -1 ? instance_default_id(name) : (uint32_t)id;
	ps.instance_id_set = id != -1;
	return 0;
}

int
cmdline_instance(const char *name)
{
	if (!instance_name_ok(name))
		return -1;
	strlcpy(cmdline_inst, name, sizeof(cmdline_inst));
	return 0;
}

static int
add_route(const char *s)
{
	return add_prefix(ps.conf->routes, &ps.conf->n_routes,
	    CONF_MAX_ROUTES, "route", s);
}

/* A DNS server: one address, no prefix length. */
static int
add_dns(const char *s)
{
	struct conf	*c = ps.conf;
	unsigned int	 before = c->n_dns;

	if (strchr(s, '/') != NULL) {
		conferr("dns %s: give an address, without a length", s);
		return -1;
	}
	return add_prefix(c->dns, &c->n_dns, CONF_MAX_DNS, "dns", s) == 0 &&
	    c->n_dns > before ? 0 : -1;
}

/*
 * pool PREFIX, once per family.  Large enough to mean something, small
 * enough that every address can be told apart: IPv4 /8 to /30, IPv6
 * /64 to /126.
 */
static int
set_pool(const char *s)
{
	struct conf_prefix	 p;
	int			 v4;

	if (parse_prefix(s, &p) == -1)
		return -1;
	v4 = p.af == AF_INET;
	if (once(v4 ? S_POOL4 : S_POOL6, v4 ? "pool (IPv4)" :
	    "pool (IPv6)") == -1)
		return -1;
	if ((v4 && (p.plen < 8 || p.plen > 30)) ||
	    (!v4 && (p.plen < 64 || p.plen > 126))) {
		conferr("pool %s: the length must be %s", s,
		    v4 ? "/8 to /30" : "/64 to /126");
		return -1;
	}
	if (v4)
		ps.conf->pool4 = p;
	else
		ps.conf->pool6 = p;
	return 0;
}

/* Client blocks. */

static int
client_name_ok(const char *name)
{
	const char	*p;

	if (*name == '\0' || strlen(name) >= CONF_NAME_MAX)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("_.-@", *p) == NULL)
			return 0;
	return 1;
}

static void
client_begin(const char *name)
{
	struct conf_clients	*l = ps.clients;
	struct conf_client	*cl;
	size_t			 ncap;
	void			*v;

	ps.cur = NULL;
	if (!client_name_ok(name)) {
		conferr("bad client name \"%s\": use up to %d letters, "
		    "digits and . _ - @", name, CONF_NAME_MAX - 1);
		return;
	}
	if (l->n == CONF_MAX_CLIENTS) {
		conferr("too many clients (max %d)", CONF_MAX_CLIENTS);
		return;
	}
	if (l->n == l->cap) {
		ncap = l->cap == 0 ? 16 : l->cap * 2;
		if ((v = reallocarray(l->v, ncap, sizeof(*l->v))) == NULL)
			fatal("%s", __func__);
		l->v = v;
		l->cap = ncap;
	}
	cl = &l->v[l->n++];
	memset(cl, 0, sizeof(*cl));
	strlcpy(cl->name, name, sizeof(cl->name));
	if (asprintf(&cl->where, "%s:%d", CUR->name, yylval.lineno) == -1)
		fatal("%s", __func__);
	if (ps.where[S_CLIENT] == NULL)
		once(S_CLIENT, "client");
	ps.cur = cl;
	ps.cur_inet = ps.cur_inet6 = ps.cur_proto = 0;
}

/*
 * A stock DSVPN client sets its own tunnel addresses and is told
 * nothing: its block must say the IPv4 address it uses (DSVPN's
 * default is 192.168.192.1), and its IPv6 address is DSVPN's rule,
 * 64:ff9b:: and the IPv4 address, unless the block gives another.
 */
static void
client_dsvpn_addrs(struct conf_client *cl)
{
	if (!cl->fixed4) {
		errat(cl->where, 0, "client \"%s\": protocol dsvpn needs "
		    "the address the DSVPN client sets itself: add inet "
		    "192.168.192.1 (its default) to the block", cl->name);
		return;
	}
	if (cl->fixed6)
		return;
	v6_dsvpn(&cl->inet6, &cl->inet);
	cl->fixed6 = cl->has6 = 1;
}

static void
client_end(void)
{
	if (ps.cur != NULL && ps.cur->keyfile == NULL)
		errat(ps.cur->where, 0, "client \"%s\" has no key: add "
		    "key \"/etc/dsvpnd/clients/%s.key\" to its block",
		    ps.cur->name, ps.cur->name);
	if (ps.cur != NULL && ps.cur->protocol == CONF_PROTO_DSVPN)
		client_dsvpn_addrs(ps.cur);
	ps.cur = NULL;
}

static void
client_protocol(const char *name)
{
	int	 pr = protocol_by_name(name);

	if (ps.cur == NULL)
		return;
	if (ps.cur_proto) {
		conferr("client \"%s\": protocol is already set",
		    ps.cur->name);
		return;
	}
	ps.cur_proto = 1;
	ps.cur->protocol = pr;
}

static void
client_key(const char *path)
{
	char	 err[PATH_MAX * 2 + 128];

	if (ps.cur == NULL)
		return;
	if (ps.cur->keyfile != NULL) {
		conferr("client \"%s\": key is already set", ps.cur->name);
		return;
	}
	if (path[0] != '/') {
		conferr("key file \"%s\": the path must be absolute", path);
		return;
	}
	if (keyfile_check(path, err, sizeof(err)) == -1)
		conferr("%s", err);
	if ((ps.cur->keyfile = strdup(path)) == NULL)
		fatal("%s", __func__);
}

static void
client_inet(int af, const char *s)
{
	struct conf_client	*cl = ps.cur;
	int			*set = af == AF_INET ? &ps.cur_inet :
				    &ps.cur_inet6;
	const char		*what = af == AF_INET ? "inet" : "inet6";

	if (cl == NULL)
		return;
	if (*set) {
		conferr("client \"%s\": %s is already set", cl->name, what);
		return;
	}
	if (parse_addr(s, af, af == AF_INET ? (void *)&cl->inet :
	    (void *)&cl->inet6) == -1) {
		conferr("client \"%s\": bad %s address '%s'", cl->name,
		    what, s);
		return;
	}
	*set = 1;
	if (af == AF_INET)
		cl->fixed4 = cl->has4 = 1;
	else
		cl->fixed6 = cl->has6 = 1;
}

/*
 * Networks behind clients: CONF_CLIENT_ROUTES per client, and netcfg
 * routes NETCFG_MAX_CLIENT_NETS of them in all (one request holds
 * them).  Past either the line is refused: a network the tunnel would
 * accept but the system does not route would fail silently.
 */
static void
client_route(const char *s)
{
	char	 what[CONF_NAME_MAX + 32];
	size_t	 i, total = 0;

	if (ps.cur == NULL)
		return;
	for (i = 0; i < ps.clients->n; i++)
		total += ps.clients->v[i].n_routes;
	if (total == NETCFG_MAX_CLIENT_NETS) {
		conferr("client \"%s\": route %s: more than %d networks "
		    "behind clients in all", ps.cur->name, s,
		    NETCFG_MAX_CLIENT_NETS);
		return;
	}
	snprintf(what, sizeof(what), "client \"%s\": route", ps.cur->name);
	add_prefix(ps.cur->routes, &ps.cur->n_routes, CONF_CLIENT_ROUTES,
	    what, s);
}

/* After the parse: the role decides the defaults and what is allowed. */

/*
 * The default inner IPv6 addresses: a fixed unique local prefix (RFC
 * 4193), fd64:7376:706e::/96 ("dsvpn" in its global ID), followed by
 * the IPv4 address as DSVPN does.  DSVPN itself uses 64:ff9b::/96, the
 * NAT64 well-known prefix, which RFC 6052 section 3.1 forbids for
 * private IPv4 addresses and which clashes where NAT64 runs; configured
 * explicitly, those addresses are still accepted.
 */
static void
v6_from_v4(struct in6_addr *a6, const struct in_addr *a4)
{
	static const uint8_t	 ula[12] = { 0xfd, 0x64, 0x73, 0x76, 0x70,
				    0x6e };

	memcpy(a6->s6_addr, ula, sizeof(ula));
	memcpy(a6->s6_addr + 12, &a4->s_addr, 4);
}

/* DSVPN's own inner IPv6 addresses: 64:ff9b:: and the IPv4 address. */
static void
v6_dsvpn(struct in6_addr *a6, const struct in_addr *a4)
{
	static const uint8_t	 nat64[12] = { 0x00, 0x64, 0xff, 0x9b };

	memcpy(a6->s6_addr, nat64, sizeof(nat64));
	memcpy(a6->s6_addr + 12, &a4->s_addr, 4);
}

int
conf_dsvpn(const struct conf *c)
{
	unsigned int	 i;

	if (c->role == ROLE_CLIENT)
		return c->protocol == CONF_PROTO_DSVPN;
	for (i = 0; i < c->n_listen && i < CONF_MAX_LISTEN; i++)
		if (c->listen[i].protocol == CONF_PROTO_DSVPN)
			return 1;
	return 0;
}

static void
role_defaults(struct conf *c)
{
	struct in_addr	 srv, cli;

	if (ps.where[S_INET] == NULL) {
		inet_pton(AF_INET, "192.168.192.254", &srv);
		inet_pton(AF_INET, "192.168.192.1", &cli);
		c->inet_local = c->role == ROLE_SERVER ? srv : cli;
		c->inet_peer = c->role == ROLE_SERVER ? cli : srv;
	}
	/* A stock DSVPN peer sets DSVPN's addresses: so do we, in the
	 * compatibility mode. */
	if (ps.where[S_INET6] == NULL && conf_dsvpn(c)) {
		c->inet6 = 1;
		v6_dsvpn(&c->inet6_local, &c->inet_local);
		v6_dsvpn(&c->inet6_peer, &c->inet_peer);
	} else if (ps.where[S_INET6] == NULL) {
		c->inet6 = 1;
		v6_from_v4(&c->inet6_local, &c->inet_local);
		v6_from_v4(&c->inet6_peer, &c->inet_peer);
	}
	if (ps.where[S_NAT] == NULL)
		c->nat = c->role == ROLE_SERVER ? NAT_EGRESS : NAT_NONE;
	/* A client that asked for all its traffic in the tunnel gets the
	 * seal; a split tunnel does not (dsvpnd.conf(5) says why). */
	if (ps.where[S_BLOCK] == NULL)
		c->block_outside = c->role == ROLE_CLIENT && c->default_route;
}

static void
required_checks(const char *filename, struct conf *c)
{
	/* Most likely the fallout of an error already reported. */
	if (ps.errors > 0)
		return;
	if (c->role == ROLE_NONE)
		errat(filename, 0, "neither listen on (a server) nor "
		    "connect to (a client) is set");
	if (ps.where[S_KEY] == NULL && ps.clients->n == 0)
		errat(filename, 0, "no key file: add a line such as "
		    "key \"/etc/dsvpnd/vpn.key\"");
}

static int
any_udp_server(const struct conf *c)
{
	unsigned int	 i, j;

	for (i = 0; i < c->n_servers; i++)
		for (j = 0; j < c->servers[i].n_transports; j++)
			if (c->servers[i].transports[j] == CONF_T_UDP)
				return 1;
	return 0;
}

static void
role_checks(struct conf *c)
{
	if (c->role == ROLE_CLIENT && c->protocol == CONF_PROTO_DSVPN &&
	    any_udp_server(c))
		errwhere(S_PROTOCOL, "DSVPN's protocol has no UDP form: no "
		    "transport udp");
	if (c->role == ROLE_CLIENT && c->nat != NAT_NONE)
		errwhere(S_NAT, "nat on is for a server; a client does "
		    "not NAT");
	if (c->role == ROLE_SERVER && ps.where[S_DEFROUTE] != NULL)
		errwhere(S_DEFROUTE, "default route is for a client");
	if (c->role == ROLE_SERVER && ps.where[S_GATEWAY] != NULL)
		errwhere(S_GATEWAY, "gateway is for a client");
	if (c->role == ROLE_SERVER && ps.where[S_BACKOFF] != NULL)
		errwhere(S_BACKOFF, "reconnect backoff max is for a client");
	if (c->role == ROLE_SERVER && ps.where[S_BLOCK] != NULL)
		errwhere(S_BLOCK, "block outside is for a client");
	if (c->role == ROLE_CLIENT) {
		static const enum setting	 srv[] = { S_POOL4, S_POOL6,
		    S_C2C, S_PUSH, S_LEASES, S_CLIENT };
		static const char *const	 what[] = { "pool", "pool",
		    "client-to-client", "push", "leases", "a client block" };
		size_t				 i;

		for (i = 0; i < nitems(srv); i++)
			if (ps.where[srv[i]] != NULL)
				errwhere(srv[i], "%s is for a server", what[i]);
	}
	if (c->role == ROLE_SERVER && ps.where[S_DNS] != NULL)
		errwhere(S_DNS, "dns is for a client; a server tells its "
		    "clients with push dns");
	if (c->role == ROLE_SERVER && ps.where[S_PROTOCOL] != NULL)
		errwhere(S_PROTOCOL, "protocol is for a client; a server "
		    "sets it per listener: listen on * port 443 protocol dsvpn");
	if (c->keepalive >= c->dead_timeout)
		errwhere(ps.where[S_KEEPALIVE] != NULL ? S_KEEPALIVE : S_DEAD,
		    "keepalive %u must be less than dead-peer timeout %u",
		    c->keepalive, c->dead_timeout);
}

/*
 * -I wins over the file's name (its id, if the file gives one, stays);
 * the control socket, unless set, is the instance's own.
 */
static void
instance_defaults(struct conf *c)
{
	char	 sock[sizeof(c->control_socket)];

	if (cmdline_inst[0] != '\0' && strcmp(cmdline_inst, c->instance) != 0) {
		strlcpy(c->instance, cmdline_inst, sizeof(c->instance));
		if (!ps.instance_id_set)
			c->instance_id = instance_default_id(c->instance);
	}
	if (ps.where[S_SOCKET] != NULL)
		return;
	if (instance_socket(c->instance, DSVPND_SOCKET, sock,
	    sizeof(sock)) == -1)
		errwhere(S_INSTANCE, "control socket path too long for "
		    "instance %s", c->instance);
	else
		strlcpy(c->control_socket, sock, sizeof(c->control_socket));
}

static void
confcheck_report(const char *where, const char *msg)
{
	errat(where, 0, "%s", msg);
}

/* Without a pool line, a server with clients takes the /24 (IPv4) and
 * /120 (IPv6) around its own tunnel addresses. */
static void
pool_defaults(struct conf *c)
{
	if (c->pool4.af == 0) {
		c->pool4.af = AF_INET;
		c->pool4.plen = 24;
		c->pool4.addr.v4.s_addr = c->inet_local.s_addr &
		    htonl(0xffffff00);
	}
	if (c->inet6 && c->pool6.af == 0) {
		c->pool6.af = AF_INET6;
		c->pool6.plen = 120;
		c->pool6.addr.v6 = c->inet6_local;
		c->pool6.addr.v6.s6_addr[15] = 0;
	}
}

/*
 * With client blocks, a DSVPN hello is tried against the keys of the
 * clients marked protocol dsvpn only: a compatibility listener needs at
 * least one, and such a client needs a listener that speaks DSVPN.
 */
static void
clients_dsvpn_check(const struct conf *c)
{
	size_t	 i, n = 0;

	for (i = 0; i < ps.clients->n; i++)
		if (ps.clients->v[i].protocol == CONF_PROTO_DSVPN) {
			n++;
			if (!conf_dsvpn(c))
				errat(ps.clients->v[i].where, 0, "client "
				    "\"%s\": protocol dsvpn, but no listen on "
				    "line says protocol dsvpn",
				    ps.clients->v[i].name);
		}
	if (n == 0 && conf_dsvpn(c))
		errat(ps.dsvpn_where, 0, "listen on ... protocol dsvpn: no "
		    "client block says protocol dsvpn, so no key would be "
		    "tried");
}

static void
clients_finish(const char *filename, struct conf *c)
{
	struct confcheck_where	 w;
	struct conf_prefix	 me;
	char			 w_buf4[64];
	const char		*srv = ps.where[S_INET] != NULL ?
				    ps.where[S_INET] : filename;

	if (ps.clients->n == 0 || c->role != ROLE_SERVER)
		return;
	if (ps.where[S_KEY] != NULL)
		errwhere(S_KEY, "key: with client blocks each client's key "
		    "is in its block; remove this line");
	pool_defaults(c);
	prefix_host(&me, AF_INET, &c->inet_local);
	if (!prefix_contains(&c->pool4, &me))
		errwhere(S_POOL4, "pool %s must contain the server's own "
		    "address %s", prefix_str(&c->pool4, w_buf4,
		    sizeof(w_buf4)), inet_ntoa(c->inet_local));
	if (c->inet6) {
		prefix_host(&me, AF_INET6, &c->inet6_local);
		if (!prefix_contains(&c->pool6, &me))
			errwhere(S_POOL6, "pool %s must contain the server's "
			    "own address", prefix_str(&c->pool6, w_buf4,
			    sizeof(w_buf4)));
	} else if (ps.where[S_POOL6] != NULL)
		errwhere(S_POOL6, "an IPv6 pool needs the server's inet6");
	clients_dsvpn_check(c);
	w.server = srv;
	w.pool4 = ps.where[S_POOL4] != NULL ? ps.where[S_POOL4] : srv;
	w.pool6 = ps.where[S_POOL6] != NULL ? ps.where[S_POOL6] : srv;
	if (ps.errors == 0)
		conf_check_clients(c, ps.clients, &w, confcheck_report);
	c->n_clients = ps.clients->n;
}

/* What the client's own file says, which nothing pushed overrides. */
static void
explicit_settings(struct conf *c)
{
	if (ps.where[S_INET] != NULL)
		c->explicit |= CONF_SET_INET;
	if (ps.where[S_INET6] != NULL)
		c->explicit |= CONF_SET_INET6;
	if (ps.where[S_DEFROUTE] != NULL || c->n_routes > 0)
		c->explicit |= CONF_SET_ROUTES;
	if (ps.where[S_BLOCK] != NULL)
		c->explicit |= CONF_SET_BLOCK;
}

static void
finish_conf(const char *filename)
{
	instance_defaults(ps.conf);
	role_defaults(ps.conf);
	explicit_settings(ps.conf);
	required_checks(filename, ps.conf);
	role_checks(ps.conf);
	clients_finish(filename, ps.conf);
}

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->role = ROLE_NONE;
	c->nat = NAT_NONE;
	c->default_route = 1;
	c->gateway_auto = 1;
	c->mtu = CONF_DEFAULT_MTU;
	c->inet6 = 1;
	c->firewall = FW_AUTO;
	c->keepalive = CONF_DEFAULT_KEEPALIVE;
	c->dead_timeout = CONF_DEFAULT_DEAD;
	c->rekey_interval = CONF_DEFAULT_REKEY;
	c->rekey_bytes = CONF_DEFAULT_REKEY_BYTES;
	c->clock_window = CONF_DEFAULT_WINDOW;
	c->backoff_max = CONF_DEFAULT_BACKOFF_MAX;
	c->push_default_route = 1;
	strlcpy(c->leasefile, DSVPND_LEASES, sizeof(c->leasefile));
	strlcpy(c->user, DSVPND_USER, sizeof(c->user));
	strlcpy(c->chroot, DSVPND_CHROOT, sizeof(c->chroot));
	strlcpy(c->control_socket, DSVPND_SOCKET, sizeof(c->control_socket));
	strlcpy(c->instance, INSTANCE_DEFAULT, sizeof(c->instance));
	c->instance_id = 0;
}

static void
parser_reset(void)
{
	int	 i;

	while (ps.nfiles > 0)
		popfile();
	for (i = 0; i < S_COUNT; i++) {
		free(ps.where[i]);
		ps.where[i] = NULL;
	}
	macros_clear(0);
	ps.instance_id_set = 0;
	free(ps.dsvpn_where);
	ps.dsvpn_where = NULL;
	hosts_connect(NULL);
	ps.cur = NULL;
	ps.clients = NULL;
	ps.errors = 0;
	ps.lexerr = 0;
	ps.stmt = ps.in_block = ps.block_closing = ps.blk_stmt = 0;
	ps.last[0] = '\0';
	ps.conf = NULL;
}

int
parse_config(const char *filename, struct conf *conf)
{
	struct conf_clients	 clients;
	int			 errors;

	memset(&clients, 0, sizeof(clients));
	errors = parse_config_clients(filename, conf, &clients);
	conf_clients_free(&clients);
	return errors;
}

void
conf_clients_free(struct conf_clients *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].keyfile);
		free(l->v[i].where);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const struct conf_client *
conf_client_find(const struct conf_clients *l, const char *name)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

int
parse_config_clients(const char *filename, struct conf *conf,
    struct conf_clients *clients)
{
	char	*path;
	int	 errors;

	parser_reset();
	conf_defaults(conf);
	conf_clients_free(clients);
	ps.clients = clients;
	ps.conf = conf;
	ps.topname = filename;
	ps.bol = 1;
	yylval.lineno = 0;
	if ((path = strdup(filename)) == NULL)
		fatal("%s", __func__);
	if (pushfile(path) == 0) {
		yyparse();
		finish_conf(filename);
	}
	errors = ps.errors;
	parser_reset();
	return errors;
}
