/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The DHCP server on the dataplane: full DHCP with pools, reservations and
 * PXE boot information; proxyDHCP on port 67 and the PXE boot-server port
 * 4011.  Its handler is a UDP service of the workers; leases go through
 * the journal.
 */
#ifndef RACKBOOT_DHCPD_H
#define RACKBOOT_DHCPD_H

#include <stdint.h>

#include "rackboot/journal.h"
#include "rackboot/lease.h"
#include "rackboot/net.h"
#include "rackboot/pxe.h"

#define RB_DHCP_MAX_POOLS 16
#define RB_BOOTFILE_MAX 128

struct rte_mbuf;
struct rb_worker;

/** One pool: a range in a subnet, local or behind a relay. */
struct rb_dhcp_pool_conf {
	uint32_t lo, hi;      /**< network order */
	uint32_t net, mask;   /**< network order */
	uint32_t lease_secs;
};

/** A fixed address for one client. */
struct rb_dhcp_host {
	struct rb_client_key key; /**< 1 + MAC, or a client identifier */
	uint32_t ip;              /**< network order */
};

/** How the server answers; copied by rb_dhcpd_create(). */
struct rb_dhcp_conf {
	uint32_t server_ip;   /**< option 54, siaddr; network order */
	uint32_t offer_secs;  /**< how long an offer holds its address */
	/** offers one relay or port may hold in a pool: 0 half the pool,
	 *  UINT32_MAX no limit */
	uint32_t offer_limit;
	uint32_t decline_secs; /**< how long a declined address stays off */
	int proxy;            /**< proxyDHCP: boot information only */
	int sync;             /**< ACKs wait for the journal's fsync */
	unsigned int nb_pools;
	struct rb_dhcp_pool_conf pools[RB_DHCP_MAX_POOLS];
	unsigned int nb_hosts;
	const struct rb_dhcp_host *hosts; /**< copied */
	/** per firmware class: a TFTP file name, or a URL for HTTP classes */
	char boot_file[RB_FW_COUNT][RB_BOOTFILE_MAX];
};

struct rb_dhcpd;
struct rb_profiles;
struct rb_bootev_q;

/**
 * Create the server: pools, reservations.
 *
 * @param c        the configuration
 * @param journal  where leases go; NULL keeps them in memory only (tests)
 * @param out      the server
 * @return 0, or a negative errno with a message logged
 */
int rb_dhcpd_create(const struct rb_dhcp_conf *c, struct rb_journal *journal,
		    struct rb_dhcpd **out);

/**
 * Give the server its journal, once the journal's replay has filled the
 * pools (rb_dhcpd_restore) and the journal runs.
 */
void rb_dhcpd_attach_journal(struct rb_dhcpd *d, struct rb_journal *j);

/**
 * Answer from this profiles snapshot from here on (at start and on each
 * reload): a group's profile may name the boot file per firmware class
 * and carry the reply_delay_ms and omit_option_43 quirks.  The replaced
 * snapshot is freed only after a dataplane grace period.  Control thread.
 *
 * @param d  the server
 * @param p  the snapshot, or NULL; worker i matches with its slot i
 */
void rb_dhcpd_set_profiles(struct rb_dhcpd *d, const struct rb_profiles *p);

/** Push boot events (DISCOVER, OFFER, ACK) to @p q from here on. */
void rb_dhcpd_set_tracker(struct rb_dhcpd *d, struct rb_bootev_q *q);

/** Free the server (after the workers stopped). */
void rb_dhcpd_destroy(struct rb_dhcpd *d);

/** The UDP handler for ports 67 and 4011 (ctx: the server). */
void rb_dhcpd_handle(void *ctx, struct rb_worker *w, struct rte_mbuf *m,
		     const struct rb_frame *f);

/** The worker poller: sends ACKs the journal made durable. */
void rb_dhcpd_poll(void *ctx, struct rb_worker *w);

/** Put a lease read back from the journal into its pool (ctx: server). */
void rb_dhcpd_restore(void *ctx, const struct rb_journal_rec *r);

/** The pool holding @p ip (network order), or -1. */
int rb_dhcpd_pool_of(const struct rb_dhcpd *d, uint32_t ip);

/**
 * The MAC of the machine that leases @p ip (network order) from any pool.
 *
 * @return 0, or -1 when nobody does
 */
int rb_dhcpd_mac_of(struct rb_dhcpd *d, uint32_t ip, uint8_t mac[6]);

/**
 * The firmware architecture (option 93) the client leasing @p ip gave
 * when it network-booted, or -1: the arch fact for TFTP and HTTP.
 */
int rb_dhcpd_arch_of(struct rb_dhcpd *d, uint32_t ip);

/** @return the pool's lease table, to count or list. */
struct rb_pool *rb_dhcpd_pool(struct rb_dhcpd *d, unsigned int i);

/** @return the number of pools. */
unsigned int rb_dhcpd_pools(const struct rb_dhcpd *d);

#endif
