/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by rackboot's BPF programs: their settings map, which rackbootd
 * fills, and whether an IPv4 packet is UDP to a port rackbootd serves.
 */
#ifndef RB_BPF_H
#define RB_BPF_H

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "rackboot/xdp.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rb_xdp_cfg);
} rb_cfg SEC(".maps");

/**
 * @param cfg  the settings (ports served)
 * @param ip   an IPv4 header the caller checked lies before @p end
 * @param end  the end of the packet's data
 * @return 1 for unfragmented UDP, without IP options, to a served port
 */
static __always_inline int
rb_udp_served(const struct rb_xdp_cfg *cfg, const struct iphdr *ip,
	      const void *end)
{
	const struct udphdr *udp;
	__u16 port;

	/* fragments and options-laden headers: rackbootd serves neither */
	if (ip->protocol != IPPROTO_UDP || ip->ihl != 5 ||
	    (ip->frag_off & bpf_htons(0x3fff)))
		return 0;
	udp = (const void *)(ip + 1);
	if ((const void *)(udp + 1) > end)
		return 0;
	port = bpf_ntohs(udp->dest);
	return (cfg->ports[port >> 3] >> (port & 7)) & 1;
}

#endif
