/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * DHCP messages (RFC 2131, 2132): parsing a request into an option table,
 * and writing a reply.  Plain byte buffers, no allocation.
 *
 * Options are found in the options field, then in `file` and `sname` when
 * option 52 says they are overloaded (each area is read once, so no
 * overload can loop).  An option that appears more than once is
 * concatenated (RFC 3396) into the message's scratch space.
 */
#ifndef RACKBOOT_DHCP_H
#define RACKBOOT_DHCP_H

#include <stddef.h>
#include <stdint.h>

#include "rackboot/counters.h"

/* message types (option 53) */
enum rb_dhcp_type {
	RB_DHCPDISCOVER = 1,
	RB_DHCPOFFER = 2,
	RB_DHCPREQUEST = 3,
	RB_DHCPDECLINE = 4,
	RB_DHCPACK = 5,
	RB_DHCPNAK = 6,
	RB_DHCPRELEASE = 7,
	RB_DHCPINFORM = 8,
};

/* option codes rackbootd reads or writes */
enum rb_dhcp_option {
	RB_OPT_PAD = 0,
	RB_OPT_SUBNET_MASK = 1,
	RB_OPT_ROUTER = 3,
	RB_OPT_HOSTNAME = 12,
	RB_OPT_VENDOR = 43,
	RB_OPT_REQUESTED_IP = 50,
	RB_OPT_LEASE_TIME = 51,
	RB_OPT_OVERLOAD = 52,
	RB_OPT_MSG_TYPE = 53,
	RB_OPT_SERVER_ID = 54,
	RB_OPT_PARAM_LIST = 55,
	RB_OPT_MESSAGE = 56,
	RB_OPT_MAX_SIZE = 57,
	RB_OPT_RENEWAL_TIME = 58,
	RB_OPT_REBINDING_TIME = 59,
	RB_OPT_VENDOR_CLASS = 60,
	RB_OPT_CLIENT_ID = 61,
	RB_OPT_TFTP_SERVER = 66,
	RB_OPT_BOOTFILE = 67,
	RB_OPT_USER_CLASS = 77,
	RB_OPT_RELAY_INFO = 82,
	RB_OPT_CLIENT_ARCH = 93,
	RB_OPT_CLIENT_NDI = 94,
	RB_OPT_CLIENT_UUID = 97,
	RB_OPT_IPXE = 175,
	RB_OPT_END = 255,
};

#define RB_DHCP_FIXED_LEN 236      /**< op .. file */
#define RB_DHCP_MIN_LEN 240        /**< fixed part and magic cookie */
#define RB_DHCP_MAX_LEN 1472       /**< a 1500-byte MTU's UDP payload */
#define RB_DHCP_MAGIC 0x63825363u
#define RB_DHCP_FLAG_BROADCAST 0x8000
#define RB_DHCP_SCRATCH 512        /**< room for concatenated options */

/** The fixed part of a DHCP message, as on the wire. */
struct rb_dhcp_hdr {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
	uint8_t sname[64];
	uint8_t file[128];
	uint32_t magic;
} __attribute__((packed));

/** A parsed request: the header and where each option's value is. */
struct rb_dhcp_msg {
	const struct rb_dhcp_hdr *hdr;
	uint8_t type;                 /**< option 53 */
	const uint8_t *opt[256];      /**< value of option N, or NULL */
	uint16_t opt_len[256];        /**< its length (joined: at most 255) */
	uint16_t scratch_used;
	uint8_t scratch[RB_DHCP_SCRATCH];
};

/**
 * Parse and check a DHCP request.
 *
 * @param buf  the UDP payload
 * @param len  its length
 * @param m    filled in; its pointers point into @p buf or m->scratch
 * @return RB_DROP_NONE, or the drop reason
 */
rb_drop_t rb_dhcp_parse(const uint8_t *buf, size_t len, struct rb_dhcp_msg *m);

/**
 * Read a 4-byte option (an address) in network order.
 *
 * @return 0 when the option is absent or not 4 bytes long
 */
uint32_t rb_dhcp_opt_ip(const struct rb_dhcp_msg *m, uint8_t code);

/** Writing a reply's options into a bounded buffer. */
struct rb_dhcp_writer {
	uint8_t *buf;
	size_t len;  /**< bytes written, header included */
	size_t cap;  /**< the most the reply may hold */
	int overflow; /**< an option did not fit (it was left out) */
};

/**
 * Start a reply to @p req in @p buf: BOOTREPLY, the request's xid, flags,
 * giaddr, chaddr; the magic cookie; option 53 = @p type.
 *
 * @param w     the writer
 * @param buf   at least RB_DHCP_MIN_LEN + 3 bytes
 * @param cap   the reply's size limit (the client's option 57, if larger
 *              than 576, bounded by the buffer)
 * @param req   the request being answered
 * @param type  the reply's message type
 */
void rb_dhcp_reply_start(struct rb_dhcp_writer *w, uint8_t *buf, size_t cap,
			 const struct rb_dhcp_msg *req, uint8_t type);

/** The reply's fixed header, to set yiaddr, siaddr, file... */
static inline struct rb_dhcp_hdr *
rb_dhcp_reply_hdr(struct rb_dhcp_writer *w)
{
	return (struct rb_dhcp_hdr *)(void *)w->buf;
}

/** Append option @p code with @p len bytes of @p val. */
void rb_dhcp_put(struct rb_dhcp_writer *w, uint8_t code, const void *val,
		 size_t len);
/** Append a 4-byte option in network order. */
void rb_dhcp_put_u32(struct rb_dhcp_writer *w, uint8_t code, uint32_t be);
/** Append a NUL-free string option. */
void rb_dhcp_put_str(struct rb_dhcp_writer *w, uint8_t code, const char *s);

/**
 * Close the options with END and pad to the BOOTP minimum of 300 bytes.
 *
 * @return the reply's length
 */
size_t rb_dhcp_finish(struct rb_dhcp_writer *w);

#endif
