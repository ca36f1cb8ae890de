/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's life: pool and queue setup, launching the workers on
 * their lcores, stopping them, and summing their counters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "rackboot/log.h"
#include "rackboot/port.h"
#include "worker.h"

#define RX_DESC 1024
#define TX_DESC 1024
#define POOL_CACHE 256

/**
 * Configure one port with @p nb_rx rx queues and @p nb_tx tx queues.
 *
 * @return 0 or a negative errno, logged
 */
static int
setup_port(uint16_t port, uint16_t nb_rx, uint16_t nb_tx,
	   struct rte_mempool *pool, int *segments)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint16_t rxd = RX_DESC, txd = TX_DESC, q;
	int socket = rte_eth_dev_socket_id(port);
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc < 0) {
		rb_log(RB_LOG_ERR, "port_error", "port %u: device info: %s",
		       port, rte_strerror(-rc));
		return rc;
	}
	/* TFTP DATA frames are a header mbuf chained to the cached file:
	 * asked for where the port can (vector tx paths of NICs send one
	 * segment unless told), copied into one mbuf where it cannot */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (segments)
		*segments = !!(conf.txmode.offloads &
			       RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
	rc = rte_eth_dev_configure(port, nb_rx, nb_tx, &conf);
	if (rc < 0) {
		rb_log(RB_LOG_ERR, "port_error",
		       "port %u: configuring %u rx/%u tx queues: %s", port,
		       nb_rx, nb_tx, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (rc < 0)
		return rc;
	for (q = 0; q < nb_rx; q++) {
		rc = rte_eth_rx_queue_setup(port, q, rxd,
					    socket < 0 ? 0 : (unsigned)socket,
					    NULL, pool);
		if (rc < 0) {
			rb_log(RB_LOG_ERR, "port_error",
			       "port %u: rx queue %u: %s", port, q,
			       rte_strerror(-rc));
			return rc;
		}
	}
	for (q = 0; q < nb_tx; q++) {
		rc = rte_eth_tx_queue_setup(port, q, txd,
					    socket < 0 ? 0 : (unsigned)socket,
					    NULL);
		if (rc < 0) {
			rb_log(RB_LOG_ERR, "port_error",
			       "port %u: tx queue %u: %s", port, q,
			       rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port);
	if (rc < 0) {
		rb_log(RB_LOG_ERR, "port_error", "port %u: start: %s", port,
		       rte_strerror(-rc));
		return rc;
	}
	/* frames for other hosts are of no use; not every PMD can say no */
	(void)rte_eth_promiscuous_disable(port);
	return 0;
}

int
rb_dp_create(const struct rb_dp_conf *conf, struct rb_dp **out)
{
	struct rb_dp *dp;
	unsigned int lcore, nb = 0;
	unsigned int nb_mbufs;
	int rc;

	dp = rte_zmalloc("rb_dp", sizeof(*dp), 64);
	if (dp == NULL)
		return -ENOMEM;
	dp->conf = *conf;
	dp->idle_sleep_us = conf->idle_sleep_us;
	dp->answer_arp_icmp = conf->answer_arp_icmp;

	RTE_LCORE_FOREACH(lcore) {
		if (nb == RB_DP_MAX_WORKERS ||
		    (conf->nb_workers && nb == conf->nb_workers))
			break;
		if (lcore == rte_get_main_lcore() && !conf->main_lcore_works)
			continue;
		dp->workers[nb].dp = dp;
		dp->workers[nb].lcore = lcore;
		dp->workers[nb].queue = (uint16_t)nb;
		nb++;
	}
	if (nb == 0) {
		rb_log(RB_LOG_ERR, "dataplane_error",
		       "no lcore left for a worker: give EAL more lcores");
		rte_free(dp);
		return -EINVAL;
	}
	dp->nb_workers = nb;
	dp->qsbr = rte_zmalloc("rb_qsbr", rte_rcu_qsbr_get_memsize(nb), 64);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, nb) < 0) {
		rte_free(dp->qsbr);
		rte_free(dp);
		return -ENOMEM;
	}

	/* per worker: both rings full, a tx buffer, and a burst in hand */
	nb_mbufs = nb * (RX_DESC + TX_DESC + RB_TX_BUF + RB_BURST) +
		   (conf->exception_port >= 0 ? RX_DESC + nb * TX_DESC : 0) +
		   POOL_CACHE * (nb + 1);
	dp->pool = rte_pktmbuf_pool_create("rb_pkts", nb_mbufs, POOL_CACHE, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	if (dp->pool == NULL) {
		rb_log(RB_LOG_ERR, "dataplane_error",
		       "packet pool of %u buffers: %s (raise --memory)",
		       nb_mbufs, rte_strerror(rte_errno));
		rte_free(dp);
		return -ENOMEM;
	}
	rc = setup_port(conf->port_id, (uint16_t)nb, (uint16_t)nb, dp->pool,
			&dp->tx_segments);
	if (rc == 0 && conf->exception_port >= 0)
		rc = setup_port((uint16_t)conf->exception_port, 1, (uint16_t)nb,
				dp->pool, NULL);
	if (rc < 0) {
		rb_dp_destroy(dp);
		return rc;
	}
	if (rte_is_zero_ether_addr(&dp->conf.nif.mac))
		rte_eth_macaddr_get(conf->port_id, &dp->conf.nif.mac);
	*out = dp;
	return 0;
}

int
rb_dp_launch(struct rb_dp *dp)
{
	unsigned int i;
	int rc;

	for (i = 0; i < dp->nb_workers; i++) {
		if (dp->workers[i].lcore == rte_get_main_lcore())
			continue;
		rc = rte_eal_remote_launch(rb_worker_main, dp,
					   dp->workers[i].lcore);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
rb_dp_run(struct rb_dp *dp)
{
	int rc = rb_dp_launch(dp);

	if (rc < 0)
		return rc;
	if (dp->conf.main_lcore_works)
		rb_worker_main(dp);
	rb_dp_wait(dp);
	return 0;
}

void
rb_dp_wait(struct rb_dp *dp)
{
	unsigned int i;

	for (i = 0; i < dp->nb_workers; i++)
		if (dp->workers[i].lcore != rte_get_main_lcore())
			rte_eal_wait_lcore(dp->workers[i].lcore);
}

void
rb_dp_stop(struct rb_dp *dp)
{
	__atomic_store_n(&dp->quit, 1, __ATOMIC_RELAXED);
}

void
rb_dp_tune(struct rb_dp *dp, unsigned int idle_sleep_us, int answer_arp_icmp)
{
	__atomic_store_n(&dp->idle_sleep_us, idle_sleep_us, __ATOMIC_RELAXED);
	__atomic_store_n(&dp->answer_arp_icmp, answer_arp_icmp,
			 __ATOMIC_RELAXED);
}

uint64_t
rb_dp_grace_start(struct rb_dp *dp)
{
	return rte_rcu_qsbr_start(dp->qsbr);
}

int
rb_dp_grace_done(struct rb_dp *dp, uint64_t token)
{
	return rte_rcu_qsbr_check(dp->qsbr, token, false) == 1;
}

unsigned int
rb_dp_workers(const struct rb_dp *dp)
{
	return dp->nb_workers;
}

const struct rb_netif *
rb_dp_netif(const struct rb_dp *dp)
{
	return &dp->conf.nif;
}

void
rb_dp_counters(const struct rb_dp *dp, uint64_t out[RB_CTR_MAX])
{
	unsigned int i, c;

	memset(out, 0, sizeof(uint64_t) * RB_CTR_MAX);
	for (i = 0; i < dp->nb_workers; i++)
		for (c = 0; c < RB_CTR_MAX; c++)
			out[c] += rb_counter_read(&dp->workers[i].ctr,
						  (enum rb_counter)c);
	/* the one drop no worker sees: the port's own */
	out[RB_CTR_DROP_port_missed] = rb_port_missed(dp->conf.port_id);
}

void
rb_dp_destroy(struct rb_dp *dp)
{
	if (dp == NULL)
		return;
	rte_eth_dev_stop(dp->conf.port_id);
	if (dp->conf.exception_port >= 0)
		rte_eth_dev_stop((uint16_t)dp->conf.exception_port);
	rte_mempool_free(dp->pool);
	rte_free(dp->qsbr);
	rte_free(dp);
}
