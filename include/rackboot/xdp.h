/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Sharing an af_xdp boot port with the kernel.
 *
 * rackbootd's XDP program (dataplane/xdp/rb_xdp.bpf.c) hands the AF_XDP
 * sockets only what rackbootd serves: UDP to its ports, and ARP and IPv4
 * for its address when rackbootd, not the kernel, answers for that
 * address.  Every other frame passes to the kernel, which keeps ARP, TCP
 * (the HTTP path) and everything else.  The program reads its settings
 * from a one-entry array map, filled by rackbootd.  This header is shared
 * by the program and rackbootd.
 */
#ifndef RACKBOOT_XDP_H
#define RACKBOOT_XDP_H

#ifdef __bpf__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
typedef uint32_t __u32;
typedef uint8_t __u8;
#endif

/** The program's settings: the value of key 0 of map "rb_cfg". */
struct rb_xdp_cfg {
	__u32 ip;          /**< rackbootd's address, network order */
	__u32 answer_self; /**< redirect ARP and IPv4 for @p ip too */
	__u8 ports[65536 / 8]; /**< UDP ports served, one bit each */
};

#ifndef __bpf__
/**
 * Mark UDP ports @p lo to @p hi as served.
 *
 * @param c   the settings
 * @param lo  first port, host order
 * @param hi  last port, host order
 */
static inline void
rb_xdp_cfg_ports(struct rb_xdp_cfg *c, uint16_t lo, uint16_t hi)
{
	uint32_t p;

	for (p = lo; p <= hi; p++)
		c->ports[p >> 3] |= (uint8_t)(1u << (p & 7));
}

/**
 * Write the settings of the XDP program attached to @p ifname.
 *
 * @param ifname  the af_xdp boot interface
 * @param cfg     the settings
 * @param err     the reason on failure
 * @param errlen  size of @p err
 * @return 0, or -1 with @p err set (no rackboot program attached, no map)
 */
int rb_xdp_configure(const char *ifname, const struct rb_xdp_cfg *cfg,
		     char *err, size_t errlen);
#endif

#endif
