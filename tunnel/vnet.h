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
 * The Linux virtio-net header (struct virtio_net_hdr, 10 bytes) that
 * rides in front of a packet between two peers whose TUN devices have
 * IFF_VNET_HDR, as the peer's kernel wrote it.  Its flags, GSO type and
 * size, header length and checksum offsets go to our kernel, which
 * would otherwise cut one frame into as many segments as the peer
 * likes and parse offsets it chose: vnet_check() lets through only what
 * a Linux TUN with checksum and TSO offload (TUNSETOFFLOAD TUN_F_CSUM,
 * TSO4, TSO6, as parent/tun-linux.c sets) produces, made consistent
 * with the packet it describes.  Pure, for the sandbox and the tests.
 */
#ifndef DSVPND_VNET_H
#define DSVPND_VNET_H

#include <stddef.h>
#include <stdint.h>

/* The fields, little-endian (legacy virtio on little-endian Linux). */
#define VNETHDR_FLAGS		0
#define VNETHDR_GSO_TYPE	1
#define VNETHDR_HDR_LEN		2
#define VNETHDR_GSO_SIZE	4
#define VNETHDR_CSUM_START	6
#define VNETHDR_CSUM_OFFSET	8

#define VNETHDR_F_NEEDS_CSUM	0x01	/* checksum left to the device */
#define VNETHDR_F_DATA_VALID	0x02	/* checksum already verified */

#define VNETHDR_GSO_NONE	0
#define VNETHDR_GSO_TCPV4	1
#define VNETHDR_GSO_UDP		3
#define VNETHDR_GSO_TCPV6	4
#define VNETHDR_GSO_UDP_L4	5
#define VNETHDR_GSO_ECN		0x80

/*
 * Checks what the peer sent: a bare IP packet (its first nibble 4 or
 * 6, which a virtio header's flags byte cannot be) or a virtio header
 * and the IP packet it describes.  An accepted header is rewritten in
 * place: DATA_VALID cleared (our kernel checks for itself) and hdr_len
 * set to the packet's own header length.  mtu is our TUN's: no segment
 * may exceed it.  Returns the header bytes in front of the IP packet, 0
 * or TUNHDR_VNET_LEN, or -1 if the frame must be dropped.
 */
int	 vnet_check(uint8_t *frame, size_t len, int mtu);

#endif /* DSVPND_VNET_H */
