/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checking received frames (Ethernet, ARP, IPv4, ICMP, UDP) and building
 * replies.  A frame either gets a kind we serve, or RB_FRAME_OTHER (well
 * formed, the kernel's business), or RB_FRAME_DROP (malformed or not for
 * this host); in the last two f->drop names the reason so it can be counted.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_icmp.h>

#include "rackboot/net.h"

#define ETH_LEN ((uint32_t)sizeof(struct rte_ether_hdr))
#define ARP_LEN ((uint32_t)sizeof(struct rte_arp_hdr))
#define IP_MIN_LEN ((uint32_t)sizeof(struct rte_ipv4_hdr))
#define UDP_LEN ((uint32_t)sizeof(struct rte_udp_hdr))
#define ICMP_LEN ((uint32_t)sizeof(struct rte_icmp_hdr))

#define DROP(reason) (f->drop = RB_CTR_DROP_##reason, RB_FRAME_DROP)
#define OTHER(reason) (f->drop = RB_CTR_DROP_##reason, RB_FRAME_OTHER)

/** Whether @p ip (network order) is a broadcast address on our subnet. */
static int
is_broadcast(const struct rb_netif *nif, uint32_t ip)
{
	if (ip == UINT32_MAX)
		return 1;
	/* a /31 or /32 has no directed broadcast */
	if (nif->netmask == 0 ||
	    rte_be_to_cpu_32(nif->netmask) >= 0xfffffffeu)
		return 0;
	return (ip & nif->netmask) == (nif->ip & nif->netmask) &&
	       (ip | nif->netmask) == UINT32_MAX;
}

/** Whether @p ip (network order) can never be a sender's address. */
static int
is_bad_source(uint32_t ip)
{
	uint32_t h = rte_be_to_cpu_32(ip);

	return (h >> 28) == 0xe     /* multicast */
	       || h == UINT32_MAX    /* limited broadcast */
	       || (h >> 24) == 127;  /* loopback */
}

/** Check an ARP packet at f->l3_off. */
static enum rb_frame_kind
check_arp(const struct rb_netif *nif, const uint8_t *frame, uint32_t len,
	  struct rb_frame *f)
{
	const struct rte_arp_hdr *arp;

	if (len - f->l3_off < ARP_LEN)
		return DROP(arp_truncated);
	arp = (const struct rte_arp_hdr *)(frame + f->l3_off);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return DROP(arp_bad_format);
	f->src_ip = arp->arp_data.arp_sip;
	f->dst_ip = arp->arp_data.arp_tip;
	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) &&
	    arp->arp_data.arp_tip == nif->ip && nif->ip != 0)
		return RB_FRAME_ARP;
	return OTHER(arp_not_for_us);
}

/** Check an ICMP message at f->l4_off, f->l4_len bytes long. */
static enum rb_frame_kind
check_icmp(const uint8_t *frame, struct rb_frame *f)
{
	const struct rte_icmp_hdr *icmp;

	if (f->l4_len < ICMP_LEN)
		return DROP(icmp_truncated);
	icmp = (const struct rte_icmp_hdr *)(frame + f->l4_off);
	if (rte_raw_cksum(icmp, f->l4_len) != 0xffff)
		return DROP(icmp_bad_checksum);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0)
		return OTHER(icmp_type_other);
	if (f->to_broadcast)
		return DROP(icmp_broadcast);
	return RB_FRAME_ICMP_ECHO;
}

/**
 * Sum of the UDP pseudo-header, using the UDP length field (which may be
 * shorter than the IPv4 payload) rather than the IPv4 total length.
 */
static uint32_t
udp_pseudo_sum(const struct rte_ipv4_hdr *ip, uint16_t udp_len)
{
	uint32_t sum = 0;

	/* rte_raw_cksum sums 16-bit words as stored: add the rest likewise */
	sum += rte_raw_cksum(&ip->src_addr, 8); /* source and destination */
	sum += rte_cpu_to_be_16(IPPROTO_UDP);
	sum += rte_cpu_to_be_16(udp_len);
	return sum;
}

/** Fold a 32-bit one's-complement sum to 16 bits. */
static uint16_t
fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/** Check a UDP datagram at f->l4_off; f->l4_len is the IPv4 payload. */
static enum rb_frame_kind
check_udp(const uint8_t *frame, struct rb_frame *f)
{
	const struct rte_ipv4_hdr *ip =
		(const struct rte_ipv4_hdr *)(frame + f->l3_off);
	const struct rte_udp_hdr *udp;
	uint16_t ulen;

	if (f->l4_len < UDP_LEN)
		return DROP(udp_truncated);
	udp = (const struct rte_udp_hdr *)(frame + f->l4_off);
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	/* trailing bytes past the UDP length are tolerated, as Linux does */
	if (ulen < UDP_LEN || ulen > f->l4_len)
		return DROP(udp_bad_length);
	if (udp->dgram_cksum != 0) {
		uint32_t sum = udp_pseudo_sum(ip, ulen);

		sum += rte_raw_cksum(udp, ulen);
		if (fold(sum) != 0xffff)
			return DROP(udp_bad_checksum);
	}
	f->l4_len = ulen;
	f->src_port = rte_be_to_cpu_16(udp->src_port);
	f->dst_port = rte_be_to_cpu_16(udp->dst_port);
	f->payload_off = (uint16_t)(f->l4_off + UDP_LEN);
	f->payload_len = (uint16_t)(ulen - UDP_LEN);
	return RB_FRAME_UDP;
}

/** Check an IPv4 packet at f->l3_off, then its ICMP or UDP payload. */
static enum rb_frame_kind
check_ipv4(const struct rb_netif *nif, const uint8_t *frame, uint32_t len,
	   struct rb_frame *f)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t avail = len - f->l3_off;
	uint32_t hlen, tot;

	if (avail < IP_MIN_LEN)
		return DROP(ip_truncated);
	ip = (const struct rte_ipv4_hdr *)(frame + f->l3_off);
	if ((ip->version_ihl >> 4) != 4)
		return DROP(ip_bad_version);
	hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (hlen < IP_MIN_LEN || hlen > avail)
		return DROP(ip_bad_header_len);
	tot = rte_be_to_cpu_16(ip->total_length);
	/* frames may carry padding past the packet, never less than it */
	if (tot < hlen || tot > avail)
		return DROP(ip_bad_total_len);
	if (rte_raw_cksum(ip, hlen) != 0xffff)
		return DROP(ip_bad_checksum);
	f->ip_proto = ip->next_proto_id;
	f->src_ip = ip->src_addr;
	f->dst_ip = ip->dst_addr;
	f->l4_off = (uint16_t)(f->l3_off + hlen);
	f->l4_len = (uint16_t)(tot - hlen);
	if (is_bad_source(ip->src_addr))
		return DROP(ip_bad_source);
	if (ip->dst_addr != nif->ip || nif->ip == 0) {
		if (!is_broadcast(nif, ip->dst_addr))
			return OTHER(ip_not_for_us);
		f->to_broadcast = 1;
	}
	if (ip->fragment_offset &
	    rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return OTHER(ip_fragment);
	switch (ip->next_proto_id) {
	case IPPROTO_UDP:
		return check_udp(frame, f);
	case IPPROTO_ICMP:
		return check_icmp(frame, f);
	default:
		return OTHER(ip_proto_other);
	}
}

enum rb_frame_kind
rb_frame_check(const struct rb_netif *nif, const uint8_t *frame, uint32_t len,
	       struct rb_frame *f)
{
	const struct rte_ether_hdr *eth;

	memset(f, 0, sizeof(*f));
	if (len < ETH_LEN)
		return DROP(eth_runt);
	eth = (const struct rte_ether_hdr *)frame;
	if (rte_is_same_ether_addr(&eth->src_addr, &nif->mac))
		return DROP(eth_own_source);
	if (rte_is_unicast_ether_addr(&eth->dst_addr) &&
	    !rte_is_same_ether_addr(&eth->dst_addr, &nif->mac))
		return DROP(eth_not_for_us);
	f->ethertype = rte_be_to_cpu_16(eth->ether_type);
	f->l3_off = (uint16_t)ETH_LEN;
	switch (f->ethertype) {
	case RTE_ETHER_TYPE_ARP:
		return check_arp(nif, frame, len, f);
	case RTE_ETHER_TYPE_IPV4:
		return check_ipv4(nif, frame, len, f);
	default:
		return OTHER(eth_type_other);
	}
}

void
rb_arp_reply(const struct rb_netif *nif, uint8_t *frame,
	     const struct rb_frame *f)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(frame + f->l3_off);

	/* reply to the ARP sender, which need not be the frame's source */
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &eth->dst_addr);
	rte_ether_addr_copy(&nif->mac, &eth->src_addr);
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	rte_ether_addr_copy(&nif->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = nif->ip;
}

uint32_t
rb_icmp_echo_reply(const struct rb_netif *nif, uint8_t *frame,
		   const struct rb_frame *f)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + f->l3_off);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(frame + f->l4_off);

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&nif->mac, &eth->src_addr);
	ip->dst_addr = ip->src_addr;
	ip->src_addr = nif->ip;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, f->l4_len);
	return (uint32_t)f->l4_off + f->l4_len;
}

/** Ethernet, IPv4 and UDP headers for a UDP length of @p ulen, checksum 0. */
static void
udp_headers(uint8_t *frame, const struct rte_ether_addr *src_mac,
	    const struct rte_ether_addr *dst_mac, uint32_t src_ip,
	    uint32_t dst_ip, uint16_t src_port, uint16_t dst_port,
	    uint16_t ulen)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	rte_ether_addr_copy(dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(src_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(IP_MIN_LEN + ulen));
	ip->packet_id = 0;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = src_ip;
	ip->dst_addr = dst_ip;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(src_port);
	udp->dst_port = rte_cpu_to_be_16(dst_port);
	udp->dgram_len = rte_cpu_to_be_16(ulen);
	udp->dgram_cksum = 0;
}

uint32_t
rb_udp_build(uint8_t *frame, const struct rte_ether_addr *src_mac,
	     const struct rte_ether_addr *dst_mac, uint32_t src_ip,
	     uint32_t dst_ip, uint16_t src_port, uint16_t dst_port,
	     uint16_t payload_len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + ETH_LEN);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t ulen = (uint16_t)(UDP_LEN + payload_len);

	udp_headers(frame, src_mac, dst_mac, src_ip, dst_ip, src_port,
		    dst_port, ulen);
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	return ETH_LEN + IP_MIN_LEN + ulen;
}

uint32_t
rb_udp_build_split(uint8_t *frame, const struct rte_ether_addr *src_mac,
		   const struct rte_ether_addr *dst_mac, uint32_t src_ip,
		   uint32_t dst_ip, uint16_t src_port, uint16_t dst_port,
		   uint16_t head_len, const uint8_t *tail, uint16_t tail_len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + ETH_LEN);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t ulen = (uint16_t)(UDP_LEN + head_len + tail_len);
	uint32_t sum;

	udp_headers(frame, src_mac, dst_mac, src_ip, dst_ip, src_port,
		    dst_port, ulen);
	/* the head is even-sized (the caller's bytes after an 8-byte UDP
	 * header), so the tail's 16-bit words line up with the whole's */
	sum = udp_pseudo_sum(ip, ulen);
	sum += rte_raw_cksum(udp, UDP_LEN + head_len);
	sum += rte_raw_cksum(tail, tail_len);
	udp->dgram_cksum = (uint16_t)~fold(sum);
	if (udp->dgram_cksum == 0)
		udp->dgram_cksum = 0xffff;
	return ETH_LEN + IP_MIN_LEN + UDP_LEN + head_len;
}
