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
 * tun_unit_name(): what fdevname(3) says a cloning open of /dev/tun
 * gave (FreeBSD, DragonFly) becomes the interface name only if it is
 * one: "tun" and a unit number.  The BSD code itself is type-checked
 * only (regress/bsd); this pins the parsing it relies on.
 */
#include "compat.h"

#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "tun.h"

static int	 failures;

static void
expect(const char *dev, int ok)
{
	char	 ifname[IFNAMSIZ];
	int	 r;

	memset(ifname, 'x', sizeof(ifname));
	r = tun_unit_name(dev, ifname, sizeof(ifname));
	if (ok && (r != 0 || strcmp(ifname, dev) != 0)) {
		printf("FAIL \"%s\" refused\n", dev);
		failures++;
	} else if (!ok && r != -1) {
		printf("FAIL \"%s\" taken for a unit\n", dev);
		failures++;
	}
}

int
main(void)
{
	char	 small[5];

	expect("tun0", 1);
	expect("tun7", 1);
	expect("tun31", 1);
	expect("tun32767", 1);
	expect("tun", 0);		/* the cloner itself */
	expect("tun01", 0);
	expect("tun-1", 0);
	expect("tun+1", 0);
	expect("tun 1", 0);
	expect("tun1a", 0);
	expect("tun123456", 0);		/* past IF_MAXUNIT's digits */
	expect("tap0", 0);
	expect("/dev/tun0", 0);
	expect("net/tun0", 0);
	expect("", 0);
	expect("TUN0", 0);
	if (tun_unit_name("tun12", small, sizeof(small)) != -1) {
		printf("FAIL tun12 into 5 bytes\n");
		failures++;
	}
	if (failures > 0) {
		printf("test_tunname: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_tunname: ok\n");
	return 0;
}
