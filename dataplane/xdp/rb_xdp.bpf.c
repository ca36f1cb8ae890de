/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rackbootd's XDP program for af_xdp boot ports: redirect to the AF_XDP
 * socket of the receiving queue only what rackbootd serves, pass the rest
 * to the kernel.  Loaded by DPDK's af_xdp PMD (xdp_prog=), which fills
 * xsks_map; rackbootd fills rb_cfg.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>

#include "rb_bpf.h"

#define ETH_P_ARP_BE bpf_htons(ETH_P_ARP)
#define ETH_P_IP_BE bpf_htons(ETH_P_IP)

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* An ARP packet for IPv4 over Ethernet, as far as the target address. */
struct arp_eth_ipv4 {
	__be16 htype, ptype;
	__u8 hlen, plen;
	__be16 op;
	__u8 sha[6];
	__be32 spa;
	__u8 tha[6];
	__be32 tpa;
} __attribute__((packed));

static __always_inline int
to_rackbootd(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

SEC("xdp")
int
rb_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct rb_xdp_cfg *cfg;
	struct iphdr *ip;
	__u32 key = 0;

	cfg = bpf_map_lookup_elem(&rb_cfg, &key);
	if (cfg == NULL || (void *)(eth + 1) > end)
		return XDP_PASS;

	if (eth->h_proto == ETH_P_ARP_BE) {
		struct arp_eth_ipv4 *arp = (void *)(eth + 1);

		if ((void *)(arp + 1) > end)
			return XDP_PASS;
		if (cfg->answer_self && arp->tpa == cfg->ip)
			return to_rackbootd(ctx);
		return XDP_PASS;
	}
	if (eth->h_proto != ETH_P_IP_BE)
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	if (cfg->answer_self && ip->daddr == cfg->ip)
		return to_rackbootd(ctx);
	return rb_udp_served(cfg, ip, end) ? to_rackbootd(ctx) : XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
