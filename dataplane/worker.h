/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker's state, private to the dataplane. */
#ifndef RACKBOOT_DP_WORKER_H
#define RACKBOOT_DP_WORKER_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "rackboot/counters.h"
#include "rackboot/dataplane.h"

#define RB_BURST 32
/* replies can outnumber requests (a TFTP window): room for several bursts */
#define RB_TX_BUF (RB_BURST * 8)

struct rb_worker {
	struct rb_counters ctr;
	struct rb_dp *dp;
	unsigned int lcore;
	uint16_t queue;
	uint16_t nb_tx;
	uint16_t nb_exc;
	struct rte_mbuf *tx[RB_TX_BUF];
	struct rte_mbuf *exc[RB_BURST];
} __attribute__((aligned(64)));

struct rb_dp {
	struct rb_dp_conf conf;
	struct rte_mempool *pool;
	unsigned int nb_workers;
	int tx_segments; /**< the boot port sends chained mbufs */
	volatile int quit;
	/* tunables the control thread may change while workers run */
	unsigned int idle_sleep_us;
	int answer_arp_icmp;
	/* workers report a quiescent state every loop: what the control
	 * thread replaces is freed once every worker has passed one */
	struct rte_rcu_qsbr *qsbr;
	struct rb_worker workers[RB_DP_MAX_WORKERS];
};

/** The per-lcore loop; @p arg is the dataplane. */
int rb_worker_main(void *arg);

#endif
