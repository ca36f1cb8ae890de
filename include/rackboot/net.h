/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ethernet, ARP, IPv4, ICMP and UDP: checking received frames and turning
 * them into replies in place.
 *
 * The functions work on plain byte buffers so that unit tests can drive them
 * without an mbuf or EAL; the worker passes mbuf data.  Nothing here
 * allocates.  Every length is checked before a header is read.
 */
#ifndef RACKBOOT_NET_H
#define RACKBOOT_NET_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "rackboot/counters.h"

/** Our identity on the boot port. */
struct rb_netif {
	struct rte_ether_addr mac;
	uint32_t ip;      /**< our address, network order */
	uint32_t netmask; /**< network order */
};

/** What a received frame is, once checked. */
enum rb_frame_kind {
	RB_FRAME_DROP = 0, /**< malformed or not ours: see rb_frame::drop */
	RB_FRAME_ARP,      /**< ARP request for our address */
	RB_FRAME_ICMP_ECHO, /**< ICMP echo request to our address */
	RB_FRAME_UDP,      /**< UDP datagram to us (unicast or broadcast) */
	RB_FRAME_OTHER,    /**< well-formed traffic we do not serve: the kernel's */
};

/** Offsets and fields of a checked frame.  Addresses in network order. */
struct rb_frame {
	rb_drop_t drop;      /**< why it was dropped, for RB_FRAME_DROP */
	uint16_t ethertype;  /**< host order */
	uint16_t l3_off;     /**< ARP or IPv4 header */
	uint16_t l4_off;     /**< ICMP or UDP header */
	uint16_t l4_len;     /**< ICMP message or UDP datagram, header included */
	uint16_t payload_off; /**< UDP payload */
	uint16_t payload_len;
	uint16_t src_port;   /**< UDP, host order */
	uint16_t dst_port;   /**< UDP, host order */
	uint8_t ip_proto;
	uint8_t to_broadcast; /**< IPv4 destination was a broadcast address */
	uint32_t src_ip;
	uint32_t dst_ip;
};

/**
 * Check a received frame and say what it is.
 *
 * @param nif    our addresses on the port
 * @param frame  the frame, starting at the Ethernet header
 * @param len    bytes in @p frame (Ethernet padding included)
 * @param f      filled with offsets and fields; f->drop set when dropped
 * @return the frame's kind; RB_FRAME_DROP with f->drop set when it is
 *         malformed or addressed elsewhere
 */
enum rb_frame_kind rb_frame_check(const struct rb_netif *nif,
				  const uint8_t *frame, uint32_t len,
				  struct rb_frame *f);

/**
 * Turn an ARP request for our address into its reply, in place.
 *
 * @param nif    our addresses
 * @param frame  a frame rb_frame_check() classified RB_FRAME_ARP
 * @param f      its check result
 */
void rb_arp_reply(const struct rb_netif *nif, uint8_t *frame,
		  const struct rb_frame *f);

/**
 * Turn an ICMP echo request into its reply, in place.
 *
 * @param nif    our addresses
 * @param frame  a frame rb_frame_check() classified RB_FRAME_ICMP_ECHO
 * @param f      its check result
 * @return the reply's frame length (the IPv4 total length plus the
 *         Ethernet header: trailing padding is cut)
 */
uint32_t rb_icmp_echo_reply(const struct rb_netif *nif, uint8_t *frame,
			    const struct rb_frame *f);

/**
 * Write Ethernet, IPv4 and UDP headers in front of a payload already placed
 * at offset RB_UDP_PAYLOAD_OFF, and fill in both checksums.
 *
 * @param frame        start of the frame buffer
 * @param src_mac      Ethernet source
 * @param dst_mac      Ethernet destination
 * @param src_ip       IPv4 source, network order
 * @param dst_ip       IPv4 destination, network order
 * @param src_port     UDP source port, host order
 * @param dst_port     UDP destination port, host order
 * @param payload_len  bytes of payload at frame + RB_UDP_PAYLOAD_OFF
 * @return the frame length
 */
uint32_t rb_udp_build(uint8_t *frame, const struct rte_ether_addr *src_mac,
		      const struct rte_ether_addr *dst_mac, uint32_t src_ip,
		      uint32_t dst_ip, uint16_t src_port, uint16_t dst_port,
		      uint16_t payload_len);

/**
 * Like rb_udp_build(), for a payload in two parts: @p head_len bytes at
 * RB_UDP_PAYLOAD_OFF in @p frame, then @p tail_len bytes at @p tail (in
 * another segment, not copied).  The UDP checksum covers both.
 *
 * @return the length of the first segment (headers and head)
 */
uint32_t rb_udp_build_split(uint8_t *frame,
			    const struct rte_ether_addr *src_mac,
			    const struct rte_ether_addr *dst_mac,
			    uint32_t src_ip, uint32_t dst_ip, uint16_t src_port,
			    uint16_t dst_port, uint16_t head_len,
			    const uint8_t *tail, uint16_t tail_len);

/** Where rb_udp_build() expects the payload. */
#define RB_UDP_PAYLOAD_OFF                                                     \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +          \
	 sizeof(struct rte_udp_hdr))

#endif
