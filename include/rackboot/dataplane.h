/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The dataplane: worker lcores polling the boot port.
 *
 * The caller brings up EAL and opens the boot port (see port.h); the
 * dataplane then owns the port's queues, one rx/tx queue pair per worker,
 * and answers what it serves.  One handle per process.
 */
#ifndef RACKBOOT_DATAPLANE_H
#define RACKBOOT_DATAPLANE_H

#include <stdint.h>

#include "rackboot/counters.h"
#include "rackboot/net.h"

struct rte_mbuf;
struct rb_worker;

/** An opaque dataplane. */
struct rb_dp;

/**
 * A UDP handler.  It owns @p m from here on: it either queues a reply built
 * in @p m (or in other mbufs) with rb_worker_tx(), or frees it.
 *
 * @param ctx  the context registered with the service
 * @param w    the calling worker
 * @param m    the received frame
 * @param f    the frame's check result (payload offsets, ports, addresses)
 */
typedef void (*rb_udp_handler_t)(void *ctx, struct rb_worker *w,
				 struct rte_mbuf *m, const struct rb_frame *f);

/**
 * Called by each worker once per poll loop, after its rx burst: for work
 * that arrives from elsewhere than the port (ACKs made durable).
 *
 * @param ctx  the context registered with the poller
 * @param w    the calling worker
 */
typedef void (*rb_poller_t)(void *ctx, struct rb_worker *w);

/** A UDP port range served by the dataplane. */
struct rb_udp_service {
	const char *name;         /**< for logs: "dhcp", "tftp" */
	uint16_t port_lo, port_hi; /**< inclusive, host order */
	rb_udp_handler_t handler; /**< NULL: port held, protocol not running */
	void *ctx;
};

#define RB_DP_MAX_SERVICES 16
#define RB_DP_MAX_POLLERS 4
#define RB_DP_MAX_WORKERS 64

/** How a dataplane is set up. */
struct rb_dp_conf {
	uint16_t port_id;      /**< the boot port, opened but not configured */
	int exception_port;    /**< kernel tap for frames we do not handle, or -1 */
	struct rb_netif nif;   /**< our address on the boot port */
	/**
	 * Whether rackbootd answers ARP and ICMP echo for its address.  Off
	 * when a kernel interface that sees the same frames owns the address
	 * (af_packet on an addressed interface, or an exception tap): the
	 * kernel answers then, and a second answer would be a duplicate.
	 */
	int answer_arp_icmp;
	unsigned int idle_sleep_us; /**< sleep when idle; 0 polls without pause */
	/**
	 * Whether the main lcore runs a worker too (rackbootd: yes, its
	 * control thread is a separate thread; tests: no, the main lcore
	 * drives the test).
	 */
	int main_lcore_works;
	/** how many lcores run workers; 0: all of them */
	unsigned int nb_workers;
	unsigned int nb_services;
	struct rb_udp_service services[RB_DP_MAX_SERVICES];
	unsigned int nb_pollers;
	struct {
		rb_poller_t fn;
		void *ctx;
	} pollers[RB_DP_MAX_POLLERS];
};

/**
 * Configure the boot port (and exception port) for the worker lcores of
 * this EAL and create the packet pool.
 *
 * @param conf  the setup; copied
 * @param out   the new dataplane
 * @return 0, or a negative errno with a message logged
 */
int rb_dp_create(const struct rb_dp_conf *conf, struct rb_dp **out);

/**
 * Run the workers on their lcores, the calling (main) lcore included when
 * the conf says so, until rb_dp_stop() is called from another thread.
 *
 * @param dp  the dataplane
 * @return 0 when every worker has returned, or a negative errno
 */
int rb_dp_run(struct rb_dp *dp);

/**
 * Start the workers of the lcores other than the main one and return.
 *
 * @param dp  the dataplane
 * @return 0 or a negative errno
 */
int rb_dp_launch(struct rb_dp *dp);

/** Wait for the workers started by rb_dp_launch() to return. */
void rb_dp_wait(struct rb_dp *dp);

/** @return our addresses on the boot port (MAC filled in from the port). */
const struct rb_netif *rb_dp_netif(const struct rb_dp *dp);

/** Ask the workers to return; safe from any thread. */
void rb_dp_stop(struct rb_dp *dp);

/**
 * Change what may change while running (idle sleep, ARP/ICMP answering).
 *
 * @param dp             the dataplane
 * @param idle_sleep_us  new idle sleep
 * @param answer_arp_icmp  new answering mode
 */
void rb_dp_tune(struct rb_dp *dp, unsigned int idle_sleep_us,
		int answer_arp_icmp);

/**
 * Start a grace period: state the workers could see before this call may
 * be freed once rb_dp_grace_done() says every worker has since finished a
 * poll loop (a quiescent state: handlers hold nothing between loops).
 *
 * @param dp  the dataplane
 * @return a token for rb_dp_grace_done()
 */
uint64_t rb_dp_grace_start(struct rb_dp *dp);

/**
 * @param dp     the dataplane
 * @param token  from rb_dp_grace_start()
 * @return 1 when every running worker has passed a quiescent state since
 *         the token was taken, else 0 (never blocks)
 */
int rb_dp_grace_done(struct rb_dp *dp, uint64_t token);

/** @return the number of workers. */
unsigned int rb_dp_workers(const struct rb_dp *dp);

/**
 * Sum every worker's counters.
 *
 * @param dp   the dataplane
 * @param out  RB_CTR_MAX values
 */
void rb_dp_counters(const struct rb_dp *dp, uint64_t out[RB_CTR_MAX]);

/** Stop the ports and free the dataplane; workers must have returned. */
void rb_dp_destroy(struct rb_dp *dp);

/**
 * Queue a frame for the boot port; sent at the end of the worker's burst.
 *
 * @param w  the calling worker
 * @param m  the frame; owned by the worker from here on
 */
void rb_worker_tx(struct rb_worker *w, struct rte_mbuf *m);

/** @return the calling worker's counters, for handlers to bump. */
struct rb_counters *rb_worker_counters(struct rb_worker *w);

/** @return the worker's index, 0 .. workers - 1. */
uint16_t rb_worker_index(const struct rb_worker *w);

/** @return our addresses on the boot port. */
const struct rb_netif *rb_worker_netif(const struct rb_worker *w);

/** @return the packet pool, for handlers that send new frames. */
struct rte_mempool *rb_worker_pool(struct rb_worker *w);

/**
 * @return whether the boot port sends frames of more than one mbuf
 * (RTE_ETH_TX_OFFLOAD_MULTI_SEGS); when not, a handler copies a frame
 * into one mbuf (af_xdp in DPDK 22.11 sends only the first segment).
 */
int rb_worker_tx_segments(const struct rb_worker *w);

#endif
