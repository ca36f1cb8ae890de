/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Dataplane counters.
 *
 * Every counter, including every drop reason, is named once in the tables
 * below; workers bump their own cache-line-aligned copy and the control
 * thread sums the copies when asked.  A counter name is what `rackbootctl
 * stats` and the metrics print, so names are stable API.
 */
#ifndef RACKBOOT_COUNTERS_H
#define RACKBOOT_COUNTERS_H

#include <stdint.h>

/** Events that are not drops. */
#define RB_EVENT_COUNTERS(X)                                                   \
	X(rx_frames, "frames received on the boot port")                        \
	X(tx_frames, "frames sent on the boot port")                            \
	X(tx_full, "replies dropped because the boot port's tx queue was full") \
	X(arp_replies, "ARP requests for our address answered")                 \
	X(icmp_echo_replies, "ICMP echo requests answered")                     \
	X(udp_delivered, "UDP datagrams handed to a protocol handler")          \
	X(left_to_kernel, "frames left to the kernel, which sees them too")     \
	X(to_exception, "frames forwarded to the exception tap")                \
	X(from_exception, "frames from the exception tap sent on the boot port") \
	X(exception_full, "frames lost because the exception path was full")   \
	X(busy_cycles, "TSC cycles spent in poll loops that had work (load)")  \
	X(loops, "poll loop iterations")                                       \
	X(dhcp_discover, "DHCPDISCOVERs received")                             \
	X(dhcp_request, "DHCPREQUESTs received")                               \
	X(dhcp_decline, "DHCPDECLINEs received")                               \
	X(dhcp_release, "DHCPRELEASEs received")                               \
	X(dhcp_inform, "DHCPINFORMs received")                                 \
	X(dhcp_offer, "DHCPOFFERs sent")                                       \
	X(dhcp_ack, "DHCPACKs sent")                                           \
	X(dhcp_nak, "DHCPNAKs sent")                                           \
	X(dhcp_relayed, "requests that came through a relay (giaddr)")         \
	X(dhcp_pxe_replies, "replies carrying PXE boot information")           \
	X(dhcp_proxy_replies, "proxyDHCP replies (port 67 and 4011)")          \
	X(dhcp_uuid_ignored, "option 97 malformed: ignored, the client served") \
	X(dhcp_acks_pending, "ACKs handed to the journal, not yet durable")    \
	X(dhcp_acks_durable, "ACKs sent after their lease was on disk")        \
	X(dhcp_acks_shortened, "ACKs cut to the lease on disk: journal failing") \
	X(dhcp_profiled, "requests matched to a profile group (boot file, quirks)") \
	X(dhcp_delayed, "replies held for a group's reply_delay_ms quirk")     \
	X(dhcp_delay_full, "replies sent at once: the reply delay queue was full") \
	X(tftp_rrq, "TFTP read requests")                                      \
	X(tftp_rrq_again, "TFTP read requests for a transfer already running") \
	X(tftp_data, "TFTP DATA packets sent, retransmissions included")       \
	X(tftp_retransmits, "TFTP DATA packets sent again after a timeout")    \
	X(tftp_done, "TFTP transfers completed (last block acknowledged)")     \
	X(tftp_bytes, "TFTP file bytes sent, first sends only")               \
	X(tftp_data_bytes, "TFTP file bytes sent, every send counted")         \
	X(tftp_mc_joined, "TFTP clients that joined a multicast group")        \
	X(tftp_mc_masters, "TFTP multicast masters chosen (OACK mc=1)")        \
	X(tftp_rendered, "per-machine configs rendered from templates")

/**
 * Why a frame was dropped.  Malformed input and input that is not ours are
 * both counted: the first means a broken or hostile sender, the second is
 * normal traffic on a shared segment.
 */
#define RB_DROP_REASONS(X)                                                     \
	X(port_missed, "frames the boot port lost before a worker took them: its receive ring was full (--port-frames)") \
	X(eth_runt, "frame shorter than an Ethernet header")                    \
	X(eth_not_for_us, "unicast frame for another MAC address")              \
	X(eth_own_source, "frame from our own MAC: the kernel's own traffic seen on an af_packet port, or a loop")             \
	X(eth_type_other, "ethertype not served (IPv6, LLDP, VLAN, ...)")       \
	X(arp_truncated, "ARP packet shorter than its header")                  \
	X(arp_bad_format, "ARP not Ethernet/IPv4 or with wrong address lengths") \
	X(arp_not_for_us, "ARP request or reply not for our address")           \
	X(ip_truncated, "IPv4 packet shorter than its header")                  \
	X(ip_bad_version, "IP version is not 4")                                \
	X(ip_bad_header_len, "IPv4 header length under 20 or past the packet")  \
	X(ip_bad_total_len, "IPv4 total length inconsistent with the frame")    \
	X(ip_bad_checksum, "IPv4 header checksum wrong")                        \
	X(ip_fragment, "IPv4 fragment (nothing we serve fragments)")            \
	X(ip_bad_source, "IPv4 source is multicast, broadcast or loopback")     \
	X(ip_not_for_us, "IPv4 packet for another address")                     \
	X(ip_proto_other, "IP protocol not served (TCP, IGMP, ...)")            \
	X(icmp_truncated, "ICMP message shorter than its header")               \
	X(icmp_bad_checksum, "ICMP checksum wrong")                             \
	X(icmp_type_other, "ICMP type other than echo request")                 \
	X(icmp_broadcast, "ICMP echo to a broadcast address (not answered)")   \
	X(udp_truncated, "UDP datagram shorter than its header")                \
	X(udp_bad_length, "UDP length inconsistent with the IPv4 length")       \
	X(udp_bad_checksum, "UDP checksum wrong")                               \
	X(udp_port_closed, "UDP to a port rackbootd does not serve")            \
	X(udp_no_handler, "UDP to a held port whose protocol is not running")   \
	X(exception_malformed, "frame from the exception tap too short to send") \
	X(dhcp_truncated, "DHCP message shorter than its fixed part and cookie") \
	X(dhcp_oversized, "DHCP message longer than an Ethernet MTU carries")   \
	X(dhcp_bad_op, "DHCP message that is not a BOOTREQUEST")               \
	X(dhcp_bad_hw, "DHCP hardware length wrong for its type or over 16")   \
	X(dhcp_bad_cookie, "DHCP magic cookie wrong")                           \
	X(dhcp_bad_option, "DHCP option running past the end of its area")     \
	X(dhcp_bad_overload, "DHCP option 52 invalid or inside file/sname")    \
	X(dhcp_option_overflow, "DHCP option repeated past the room to join it") \
	X(dhcp_no_msg_type, "BOOTP or DHCP without a valid option 53")         \
	X(dhcp_bad_msg_type, "DHCP message type a server does not take")       \
	X(dhcp_bad_request, "DHCPREQUEST/DECLINE/RELEASE missing what it needs") \
	X(dhcp_other_server, "DHCPREQUEST choosing another server")            \
	X(dhcp_no_pool, "no pool for the client's subnet (giaddr or local)")   \
	X(dhcp_pool_exhausted, "no free address in the pool")                   \
	X(dhcp_offer_limit, "a new offer past its relay's or port's limit")      \
	X(dhcp_unknown_client, "INIT-REBOOT from a client we hold no lease for") \
	X(dhcp_not_pxe, "proxyDHCP ignores clients that are not PXE")          \
	X(dhcp_journal_full, "ACK dropped: the lease journal could not take it") \
	X(tftp_truncated, "TFTP packet shorter than its fields")               \
	X(tftp_bad_name, "TFTP file name over 255 bytes")                      \
	X(tftp_bad_mode, "TFTP mode neither octet nor netascii")               \
	X(tftp_bad_op, "TFTP opcode a server does not take here")              \
	X(tftp_refused, "TFTP name refused: .., absolute escape, control chars") \
	X(tftp_not_found, "TFTP file not in the served root")                  \
	X(tftp_write_refused, "TFTP write request (refused with an error)")    \
	X(tftp_no_session, "TFTP ACK or ERROR for no transfer (stray TID)")    \
	X(tftp_sessions_full, "TFTP request refused: every session in use")    \
	X(tftp_timed_out, "TFTP transfers given up after their retries")

enum rb_counter {
#define RB_X(name, help) RB_CTR_##name,
	RB_EVENT_COUNTERS(RB_X)
#undef RB_X
	RB_CTR_EVENTS_END,
	RB_CTR_DROP_BASE = RB_CTR_EVENTS_END - 1,
#define RB_X(name, help) RB_CTR_DROP_##name,
	RB_DROP_REASONS(RB_X)
#undef RB_X
	RB_CTR_MAX
};

/** A drop reason: 0 means "not dropped", otherwise an RB_CTR_DROP_* value. */
typedef uint16_t rb_drop_t;
#define RB_DROP_NONE 0

/** One worker's counters, on cache lines of their own. */
struct rb_counters {
	uint64_t v[RB_CTR_MAX];
} __attribute__((aligned(64)));

/**
 * Bump a counter.  Only the owning worker writes; the relaxed store keeps a
 * concurrent reader from seeing a torn value.
 */
static inline void
rb_count(struct rb_counters *c, enum rb_counter id, uint64_t n)
{
	__atomic_store_n(&c->v[id], c->v[id] + n, __ATOMIC_RELAXED);
}

/** Read a counter written by another thread. */
static inline uint64_t
rb_counter_read(const struct rb_counters *c, enum rb_counter id)
{
	return __atomic_load_n(&c->v[id], __ATOMIC_RELAXED);
}

/** @return the counter's stable name ("rx_frames", "drop.ip_bad_checksum"). */
const char *rb_counter_name(enum rb_counter id);
/** @return a one-line description of the counter. */
const char *rb_counter_help(enum rb_counter id);
/** @return whether the counter is a drop reason. */
static inline int
rb_counter_is_drop(enum rb_counter id)
{
	return id > RB_CTR_DROP_BASE && id < RB_CTR_MAX;
}

#endif
