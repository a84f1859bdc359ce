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

#ifndef DSVPNCTL_H
#define DSVPNCTL_H

#include <sys/types.h>
#include <netinet/in.h>
#include <stdio.h>
#include <time.h>

#include "msgcat.h"

/* status.c: a status reply, for people or as JSON. */
void	 status_print(FILE *, const struct status_info *,
	    const char *netcfg, time_t now);
void	 status_print_json(FILE *, const struct status_info *,
	    const char *netcfg);
struct json;
void	 status_json_fields(struct json *, const struct status_info *,
	    const char *netcfg);
/* A server's clients (struct peer_status), table or JSON. */
void	 peers_print_header(FILE *);
void	 peers_print_row(FILE *, const struct peer_status *, time_t now);
void	 peers_print_one(FILE *, const struct peer_status *, time_t now);
void	 peers_json(struct json *, const struct peer_status *);

#endif /* DSVPNCTL_H */
