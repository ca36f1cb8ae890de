/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TFTP packets (RFC 1350) and option negotiation (RFC 2347: blksize 2348,
 * tsize and timeout 2349, windowsize 7440).  Plain buffers, no allocation.
 */
#ifndef RACKBOOT_TFTP_H
#define RACKBOOT_TFTP_H

#include <stddef.h>
#include <stdint.h>

#include "rackboot/counters.h"

enum rb_tftp_op {
	RB_TFTP_RRQ = 1,
	RB_TFTP_WRQ = 2,
	RB_TFTP_DATA = 3,
	RB_TFTP_ACK = 4,
	RB_TFTP_ERROR = 5,
	RB_TFTP_OACK = 6,
};

enum rb_tftp_err {
	RB_TFTP_ENOTDEFINED = 0,
	RB_TFTP_ENOTFOUND = 1,
	RB_TFTP_EACCESS = 2,
	RB_TFTP_EBADOP = 4,
	RB_TFTP_EBADID = 5,
	RB_TFTP_EOPTNEG = 8,
};

#define RB_TFTP_NAME_MAX 255
#define RB_TFTP_BLKSIZE_MIN 8
#define RB_TFTP_BLKSIZE_MAX 65464
#define RB_TFTP_WINDOW_MAX 64

/** A read or write request. */
struct rb_tftp_req {
	uint16_t op;
	char name[RB_TFTP_NAME_MAX + 1];
	uint8_t netascii;        /**< mode netascii (else octet) */
	/* options asked for; 0 when absent or not acceptable */
	uint32_t blksize;
	uint8_t has_tsize;
	uint8_t timeout;         /**< seconds, 1..255 */
	uint16_t windowsize;
	uint8_t multicast;       /**< RFC 2090 asked for (value empty) */
};

/**
 * Parse a read or write request.  Options with values out of their RFC
 * range are left out, as RFC 2347 lets a server do; unknown options are
 * ignored.
 *
 * @param buf  the UDP payload
 * @param len  its length
 * @param r    filled in
 * @return RB_DROP_NONE or a drop reason
 */
rb_drop_t rb_tftp_parse_req(const uint8_t *buf, size_t len,
			    struct rb_tftp_req *r);

/**
 * Check a requested name: relative after leading slashes are stripped, no
 * ".." component, no NUL, printable.  Rewrites @p name in place (strips
 * leading '/', and a stray 0xff some ROMs append).
 *
 * @return 0 when the name may be looked up, -1 when it must be refused
 */
int rb_tftp_clean_name(char *name);

/**
 * Write an OACK with the options accepted.
 *
 * @param buf        at least 112 bytes
 * @param blksize    0 to leave out
 * @param tsize      the file size, or -1 to leave out
 * @param timeout    0 to leave out
 * @param windowsize 0 to leave out
 * @param multicast  "addr,port,mc" (RFC 2090), or NULL to leave out
 * @return the packet length
 */
size_t rb_tftp_oack(uint8_t *buf, uint32_t blksize, int64_t tsize,
		    uint8_t timeout, uint16_t windowsize, const char *multicast);

/**
 * Write an ERROR packet.
 *
 * @param buf   at least 4 + strlen(msg) + 1 bytes
 * @param code  the TFTP error code
 * @param msg   the message
 * @return the packet length
 */
size_t rb_tftp_error(uint8_t *buf, uint16_t code, const char *msg);

#endif
