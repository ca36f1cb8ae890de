/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ring harness: the real dataplane, its workers on their own lcore, over a
 * net_ring port whose other ends the test holds.  No root, no kernel
 * interface.  EAL starts once per process.
 */
#ifndef RB_RING_HARNESS_H
#define RB_RING_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "rackboot/dataplane.h"

struct rte_ring;
struct rte_mempool;

#define RBH_MAX_QUEUES 2

struct rbh {
	unsigned int nb_queues;
	struct rte_ring *rx[RBH_MAX_QUEUES]; /**< injected: the port's rx */
	struct rte_ring *tx[RBH_MAX_QUEUES]; /**< what the dataplane sent */
	struct rte_mempool *pool;
	struct rb_dp *dp;
	uint16_t port;
};

/**
 * The base of a test dataplane: no exception port, our address @p ip on a
 * /24; the caller adds services and pollers.
 */
void rbh_conf(struct rb_dp_conf *conf, const uint8_t ip[4]);

/** Start EAL with a main lcore for the test and two worker lcores. */
int rbh_eal_init(void);

/** Clean up EAL and remove its runtime directory (once, at the end). */
void rbh_eal_fini(void);

/**
 * Create a ring port of @p nb_queues queue pairs and a dataplane with a
 * worker per queue, and launch the workers.
 *
 * @param h          filled in
 * @param conf       the dataplane setup; port_id is set by the harness
 * @param nb_queues  1 or 2
 * @return 0 or -1
 */
int rbh_start_queues(struct rbh *h, struct rb_dp_conf *conf,
		     unsigned int nb_queues);

/** rbh_start_queues() with one queue. */
int rbh_start(struct rbh *h, struct rb_dp_conf *conf);

/** Hand a frame to the dataplane as if it came off the wire. */
int rbh_inject(struct rbh *h, const uint8_t *frame, size_t len);

/** The same, on queue @p q (so the frame goes to worker @p q). */
int rbh_inject_q(struct rbh *h, unsigned int q, const uint8_t *frame,
		 size_t len);

/**
 * Take the next frame the dataplane sent.
 *
 * @param h           the harness
 * @param buf         the frame is copied here
 * @param buflen      size of @p buf
 * @param timeout_ms  how long to wait
 * @return its length, or -1 when none came in time
 */
int rbh_recv(struct rbh *h, uint8_t *buf, size_t buflen,
	     unsigned int timeout_ms);

/**
 * Take the next frame the dataplane sent, as it is (the caller frees it).
 *
 * @return the mbuf, or NULL when none came in @p timeout_ms
 */
struct rte_mbuf *rbh_recv_mbuf(struct rbh *h, unsigned int timeout_ms);

/**
 * Wait until the dataplane has taken every injected frame off its rx ring
 * and finished the burst, so that counters are final.
 */
void rbh_settle(struct rbh *h);

/** @return one summed counter of the dataplane. */
uint64_t rbh_counter(struct rbh *h, enum rb_counter id);

/** Stop the worker and free everything. */
void rbh_stop(struct rbh *h);

#endif
