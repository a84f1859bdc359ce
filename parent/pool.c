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
 * Pool addresses for clients without fixed ones, stable across restarts
 * and reloads.  A client keeps the address its lease (a small text file
 * the parent keeps, one "name inet inet6" line per client) records, as
 * long as that address is still in the pool and not fixed to another.
 * A new client takes the first free address from a point derived from a
 * hash of its name, so most clients land on the same address even if
 * the lease file is lost.  Leases of clients no longer configured are
 * kept, so a client removed and added back gets its old address, and
 * their addresses are given to others only when the pool has no other.
 */
#include "compat.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "confcheck.h"
#include "log.h"
#include "pool.h"

#define LEASE_LINE_MAX	256

/* An open-addressing set of 16-byte addresses (IPv4 in the first 4). */
struct addrset {
	uint8_t		(*v)[17];	/* [16]: 1 when the slot is used */
	size_t		 cap;		/* a power of two */
};

static void
addrset_init(struct addrset *s, size_t n)
{
	s->cap = 16;
	while (s->cap < 2 * n + 16)
		s->cap *= 2;
	if ((s->v = calloc(s->cap, sizeof(*s->v))) == NULL)
		fatal("%s", __func__);
}

static size_t
addrset_slot(const struct addrset *s, const uint8_t a[16])
{
	uint64_t	 h;
	size_t		 i;

	crypto_shorthash((uint8_t *)&h, a, 16, (const uint8_t *)
	    "dsvpnd-addrset!!");
	for (i = h & (s->cap - 1); s->v[i][16] &&
	    memcmp(s->v[i], a, 16) != 0; i = (i + 1) & (s->cap - 1))
		;
	return i;
}

static int
addrset_has(const struct addrset *s, const uint8_t a[16])
{
	return s->v[addrset_slot(s, a)][16];
}

static void
addrset_add(struct addrset *s, const uint8_t a[16])
{
	size_t	 i = addrset_slot(s, a);

	memcpy(s->v[i], a, 16);
	s->v[i][16] = 1;
}

static void
key16(uint8_t k[16], int af, const void *addr)
{
	memset(k, 0, 16);
	memcpy(k, addr, af == AF_INET ? 4 : 16);
}

void
leases_free(struct leases *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static struct lease *
lease_add(struct leases *l, const char *name)
{
	void	*v;
	size_t	 ncap;

	if (l->n == l->cap) {
		ncap = l->cap == 0 ? 64 : l->cap * 2;
		if ((v = reallocarray(l->v, ncap, sizeof(*l->v))) == NULL)
			fatal("%s", __func__);
		l->v = v;
		l->cap = ncap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	strlcpy(l->v[l->n].name, name, sizeof(l->v[0].name));
	return &l->v[l->n++];
}

static int
lease_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lease *)a)->name,
	    ((const struct lease *)b)->name);
}

static struct lease *
lease_find(const struct leases *l, const char *name)
{
	struct lease	 key;

	if (l->n == 0)
		return NULL;
	strlcpy(key.name, name, sizeof(key.name));
	return bsearch(&key, l->v, l->n, sizeof(l->v[0]), lease_cmp);
}

/* One line: name inet inet6, "-" for none.  Bad lines are skipped. */
static void
lease_parse(struct leases *l, char *line)
{
	char		*name, *a4, *a6, *end;
	struct lease	*le;

	if ((end = strchr(line, '\n')) != NULL)
		*end = '\0';
	if ((name = strtok(line, " \t")) == NULL || *name == '#' ||
	    (a4 = strtok(NULL, " \t")) == NULL ||
	    (a6 = strtok(NULL, " \t")) == NULL ||
	    strlen(name) >= CONF_NAME_MAX)
		return;
	le = lease_add(l, name);
	le->has4 = inet_pton(AF_INET, a4, &le->inet) == 1;
	le->has6 = inet_pton(AF_INET6, a6, &le->inet6) == 1;
}

int
leases_load(const char *path, struct leases *l)
{
	char	 line[LEASE_LINE_MAX];
	FILE	*fp;

	memset(l, 0, sizeof(*l));
	if ((fp = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		lease_parse(l, line);
	fclose(fp);
	qsort(l->v, l->n, sizeof(l->v[0]), lease_cmp);
	return 0;
}

/* Written whole to a temporary file and renamed: never half a file. */
int
leases_save(const char *path, const struct leases *l)
{
	char	 tmp[PATH_MAX], a4[INET6_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];
	FILE	*fp;
	size_t	 i;
	int	 fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	fprintf(fp, "# dsvpnd pool leases: name inet inet6\n");
	for (i = 0; i < l->n; i++) {
		if (!l->v[i].has4 || inet_ntop(AF_INET, &l->v[i].inet, a4,
		    sizeof(a4)) == NULL)
			strlcpy(a4, "-", sizeof(a4));
		if (!l->v[i].has6 || inet_ntop(AF_INET6, &l->v[i].inet6, a6,
		    sizeof(a6)) == NULL)
			strlcpy(a6, "-", sizeof(a6));
		fprintf(fp, "%s %s %s\n", l->v[i].name, a4, a6);
	}
	if (fflush(fp) == EOF || fsync(fd) == -1) {
		fclose(fp);
		unlink(tmp);
		return -1;
	}
	fclose(fp);
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The index-th address of pool, counting from its network address. */
static void
pool_nth(const struct conf_prefix *pool, uint64_t index, uint8_t out[16])
{
	int	 i, bytes = pool->af == AF_INET ? 4 : 16;

	key16(out, pool->af, &pool->addr);
	for (i = bytes - 1; i >= 0 && index > 0; i--) {
		index += out[i];
		out[i] = index & 0xff;
		index >>= 8;
	}
}

static int
pool_free_at(const struct conf_prefix *pool, const struct addrset *taken,
    const struct addrset *leased, const uint8_t a[16], int use_leased)
{
	struct conf_prefix	 p;

	prefix_host(&p, pool->af, a);
	return pool_usable(pool, &p) && !addrset_has(taken, a) &&
	    (use_leased || !addrset_has(leased, a));
}

/* A new client's address: from a hash of its name, the first free. */
static int
pool_pick(const struct conf_prefix *pool, const char *name,
    const struct addrset *taken, const struct addrset *leased,
    uint8_t out[16])
{
	unsigned int	 hostbits = (pool->af == AF_INET ? 32 : 128) -
			    pool->plen;
	uint64_t	 size, h, i;
	int		 pass;

	size = hostbits >= 64 ? UINT64_MAX : (uint64_t)1 << hostbits;
	crypto_shorthash((uint8_t *)&h, (const uint8_t *)name, strlen(name),
	    (const uint8_t *)"dsvpnd-pool-key!");
	/* The lease holders of removed clients only when nothing else is
	 * left; the search is bounded by the pool size (small for IPv4). */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < size && i < (1ULL << 24); i++) {
			pool_nth(pool, (h + i) % size, out);
			if (pool_free_at(pool, taken, leased, out, pass))
				return 0;
		}
	return -1;
}

static void
client_addr(struct conf_client *c, int af, int *has, uint8_t k[16])
{
	*has = 1;
	if (af == AF_INET)
		memcpy(&c->inet, k, 4);
	else
		memcpy(&c->inet6, k, 16);
}

/* One family: fixed addresses, then leases, then hashed picks. */
static int
pool_family(const struct conf *conf, struct conf_clients *cl,
    struct leases *l, const struct conf_prefix *pool, char *err,
    size_t errlen)
{
	struct addrset	 taken, leased;
	struct lease	*le;
	uint8_t		 k[16];
	size_t		 i;
	int		 v4 = pool->af == AF_INET, *has, fixed;
	int		 ret = 0;

	addrset_init(&taken, cl->n + 1);
	addrset_init(&leased, l->n);
	key16(k, pool->af, v4 ? (const void *)&conf->inet_local :
	    (const void *)&conf->inet6_local);
	addrset_add(&taken, k);
	for (i = 0; i < cl->n; i++) {
		fixed = v4 ? cl->v[i].fixed4 : cl->v[i].fixed6;
		if (fixed) {
			key16(k, pool->af, v4 ? (void *)&cl->v[i].inet :
			    (void *)&cl->v[i].inet6);
			addrset_add(&taken, k);
		}
	}
	for (i = 0; i < l->n; i++)
		if (v4 ? l->v[i].has4 : l->v[i].has6) {
			key16(k, pool->af, v4 ? (void *)&l->v[i].inet :
			    (void *)&l->v[i].inet6);
			addrset_add(&leased, k);
		}
	/* Leases first, so a new client never takes a kept address. */
	for (i = 0; i < cl->n; i++) {
		has = v4 ? &cl->v[i].has4 : &cl->v[i].has6;
		if (*has || (le = lease_find(l, cl->v[i].name)) == NULL ||
		    !(v4 ? le->has4 : le->has6))
			continue;
		key16(k, pool->af, v4 ? (void *)&le->inet :
		    (void *)&le->inet6);
		if (pool_free_at(pool, &taken, &leased, k, 1)) {
			client_addr(&cl->v[i], pool->af, has, k);
			addrset_add(&taken, k);
		}
	}
	for (i = 0; i < cl->n && ret == 0; i++) {
		has = v4 ? &cl->v[i].has4 : &cl->v[i].has6;
		if (*has)
			continue;
		if (pool_pick(pool, cl->v[i].name, &taken, &leased, k) == -1) {
			snprintf(err, errlen, "pool exhausted at client %s",
			    cl->v[i].name);
			ret = -1;
			break;
		}
		client_addr(&cl->v[i], pool->af, has, k);
		addrset_add(&taken, k);
	}
	free(taken.v);
	free(leased.v);
	return ret;
}

/* The leases after an assignment: every client's, and the old ones of
 * clients no longer configured. */
static void
leases_update(struct leases *l, const struct conf_clients *cl)
{
	struct lease	*le;
	size_t		 i, old = l->n;

	for (i = 0; i < cl->n; i++) {
		if ((le = old > 0 ? bsearch(cl->v[i].name, l->v, old,
		    sizeof(l->v[0]), lease_cmp) : NULL) == NULL)
			le = lease_add(l, cl->v[i].name);
		le->has4 = cl->v[i].has4 && !cl->v[i].fixed4;
		le->has6 = cl->v[i].has6 && !cl->v[i].fixed6;
		le->inet = cl->v[i].inet;
		le->inet6 = cl->v[i].inet6;
	}
	qsort(l->v, l->n, sizeof(l->v[0]), lease_cmp);
}

int
pool_assign(const struct conf *conf, struct conf_clients *cl,
    struct leases *l, char *err, size_t errlen)
{
	if (conf->pool4.af != 0 &&
	    pool_family(conf, cl, l, &conf->pool4, err, errlen) == -1)
		return -1;
	if (conf->inet6 && conf->pool6.af != 0 &&
	    pool_family(conf, cl, l, &conf->pool6, err, errlen) == -1)
		return -1;
	leases_update(l, cl);
	return 0;
}

/*
 * Pool addresses for the clients without fixed ones.  write_leases: a
 * real start or reload records them; dsvpnd -n only reads.
 */
int
pool_prepare(struct conf *conf, struct conf_clients *cl, int write_leases,
    char *err, size_t errlen)
{
	struct leases	 l;
	int		 ret;

	if (cl->n == 0)
		return 0;
	if (leases_load(conf->leasefile, &l) == -1) {
		snprintf(err, errlen, "leases %s: %s", conf->leasefile,
		    strerror(errno));
		return -1;
	}
	ret = pool_assign(conf, cl, &l, err, errlen);
	if (ret == 0 && write_leases &&
	    leases_save(conf->leasefile, &l) == -1) {
		/* Addresses stay valid for this run; say so and go on. */
		log_warn("cannot write leases %s", conf->leasefile);
	}
	leases_free(&l);
	return ret;
}
