/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rackbootd's ingress filter for af_packet boot ports.  The PMD's packet
 * sockets take their copy of every frame before the kernel's ingress
 * hook; the kernel would then also run the UDP that rackbootd serves
 * through its IP stack, up to the held socket that drops it (see
 * nicshare.h).  Dropping that UDP here spares the stack the work: the
 * kernel's share of every DHCP request and TFTP ACK.  Attached as a tcx
 * link, so it goes with rackbootd, crash or not.  Reads the same
 * settings map as rb_xdp.bpf.c, filled by rackbootd.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include "rb_bpf.h"

SEC("tc")
int
rb_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct rb_xdp_cfg *cfg;
	struct iphdr *ip;
	__u32 key = 0;

	cfg = bpf_map_lookup_elem(&rb_cfg, &key);
	if (cfg == NULL || (void *)(eth + 1) > end ||
	    eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC; /* not ours: the next filter, or on */
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return TC_ACT_UNSPEC;
	/* rackbootd has its copy of what it serves */
	return rb_udp_served(cfg, ip, end) ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

char _license[] SEC("license") = "Dual BSD/GPL";
