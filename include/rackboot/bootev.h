/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Boot events: what the DHCP and TFTP workers and the HTTP threads saw a
 * machine do, pushed to the control thread, which keeps each machine's
 * boot stages (control/machines.c).  One multi-producer ring, drained by
 * one consumer; a full ring drops the event and counts it, never blocks
 * a worker.
 */
#ifndef RACKBOOT_BOOTEV_H
#define RACKBOOT_BOOTEV_H

#include <stddef.h>
#include <stdint.h>

enum rb_bootev_kind {
	RB_BOOTEV_DISCOVER,  /**< a DHCPDISCOVER (flags: RB_BOOTEV_PXE) */
	RB_BOOTEV_OFFER,     /**< an offer sent (proxy offers too) */
	RB_BOOTEV_ACK,       /**< an ACK sent */
	RB_BOOTEV_TFTP,      /**< a TFTP read request served: path */
	RB_BOOTEV_HTTP,      /**< an HTTP request: path */
};

/** The request came from network-boot firmware (PXE, iPXE, HTTP Boot). */
#define RB_BOOTEV_PXE 0x01
/** The MAC is known (HTTP finds it by the lease or the query). */
#define RB_BOOTEV_MAC 0x02

#define RB_BOOTEV_PATH 100

/** One event; 128 bytes. */
struct rb_bootev {
	uint64_t ns;        /**< CLOCK_REALTIME */
	uint32_t ip;        /**< the machine's address, network order, or 0 */
	uint8_t kind;       /**< enum rb_bootev_kind */
	uint8_t flags;      /**< RB_BOOTEV_* */
	uint8_t mac[6];
	char path[RB_BOOTEV_PATH]; /**< TFTP/HTTP: the name asked for */
	uint8_t pad[8];
};

struct rb_bootev_q;

/** @return 0, or a negative errno */
int rb_bootev_create(unsigned int size, struct rb_bootev_q **out);
void rb_bootev_free(struct rb_bootev_q *q);

/**
 * Push an event; any thread.  A full queue drops it (counted).
 *
 * @param q     the queue, or NULL (tracking off: nothing happens)
 * @param kind  enum rb_bootev_kind
 * @param flags RB_BOOTEV_*
 * @param mac   the machine's MAC, or NULL
 * @param ip    its address (network order), or 0
 * @param path  the name asked for, or NULL
 */
void rb_bootev_push(struct rb_bootev_q *q, uint8_t kind, uint8_t flags,
		    const uint8_t *mac, uint32_t ip, const char *path);

/** Take up to @p n events; the one consumer only. @return how many */
unsigned int rb_bootev_pop(struct rb_bootev_q *q, struct rb_bootev *out,
			   unsigned int n);

/** Events dropped because the queue was full. */
uint64_t rb_bootev_lost(const struct rb_bootev_q *q);

#endif
