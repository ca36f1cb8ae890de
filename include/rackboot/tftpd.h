/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The TFTP server on the dataplane: read requests on port 69, transfers on
 * the --tftp-ports range, files from the file cache.  Each worker keeps its
 * own sessions and looks at the deadlines of those in use once a
 * millisecond (no syscall and no timer object per session).
 */
#ifndef RACKBOOT_TFTPD_H
#define RACKBOOT_TFTPD_H

#include <stdint.h>

#include "rackboot/filecache.h"
#include "rackboot/net.h"
#include "rackboot/bootev.h"
#include "rackboot/profiles.h"

struct rte_mbuf;
struct rb_worker;
struct rb_tftpd;
struct rb_dhcpd;

struct rb_tftpd_conf {
	uint32_t server_ip;        /**< network order */
	uint16_t port_lo, port_hi; /**< transfer ports (server TIDs) */
	uint32_t max_blksize;      /**< what the port's MTU carries */
	uint32_t sessions;         /**< per worker */
	uint32_t timeout_ms;       /**< first retransmission */
	uint8_t retries;           /**< then the transfer is given up */
	/**
	 * What renders per-machine configs (pxelinux.cfg/, grub.cfg names),
	 * or NULL; worker i renders with the snapshot's slot i.
	 */
	const struct rb_profiles *profiles;
	char http_url[128];        /**< ${http} in templates */
	/**
	 * RFC 2090 multicast: group addresses (host order, inclusive; lo 0
	 * turns multicast off) shared out among the workers, and the UDP
	 * port the groups are sent to.
	 */
	uint32_t mc_addr_lo, mc_addr_hi;
	uint16_t mc_port;
	/**
	 * How long a new group waits after its first request before its
	 * first block, so that machines powered on together join first
	 * instead of asking again for what they missed (0: no wait).
	 */
	uint32_t mc_gather_ms;
	/** boot events: each read request served, or NULL */
	struct rb_bootev_q *track;
	/** the DHCP server whose leases give the asker's arch, or NULL */
	struct rb_dhcpd *dhcpd;
};

/** @return 0, or a negative errno */
int rb_tftpd_create(const struct rb_tftpd_conf *c, struct rb_filecache *cache,
		    unsigned int nb_workers, struct rb_tftpd **out);

/**
 * Serve new files and profiles from here on (a reload).  Transfers in
 * flight finish from the caches they started with.  The old ones may be
 * freed after a dataplane grace period, once rb_filecache_busy() says no
 * transfer and no frame still uses them.  Control thread only.
 *
 * @param t              the server
 * @param cache          the new file cache
 * @param profiles       the new profiles snapshot, or NULL
 * @param old_cache      the cache replaced
 * @param old_profiles   the snapshot replaced
 */
void rb_tftpd_swap(struct rb_tftpd *t, struct rb_filecache *cache,
		   const struct rb_profiles *profiles,
		   struct rb_filecache **old_cache,
		   const struct rb_profiles **old_profiles);
void rb_tftpd_destroy(struct rb_tftpd *t);

/** The UDP handler for port 69 and the transfer ports (ctx: the server). */
void rb_tftpd_handle(void *ctx, struct rb_worker *w, struct rte_mbuf *m,
		     const struct rb_frame *f);

/** The worker poller: retransmissions and timeouts. */
void rb_tftpd_poll(void *ctx, struct rb_worker *w);

/** @return transfers in progress, all workers. */
uint32_t rb_tftpd_active(const struct rb_tftpd *t);

#endif
