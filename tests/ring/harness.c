/* SPDX-License-Identifier: BSD-3-Clause */
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "harness.h"

#define RING_SIZE 4096

int
rbh_eal_init(void)
{
	char prefix[64], lcores[256];
	char *argv[16];
	int argc = 0, used, cpu;
	cpu_set_t set;

	/* three lcores (the test's and two workers) that may float over
	 * every CPU we are allowed: the test keeps working under taskset or
	 * on a one-CPU machine */
	used = snprintf(lcores, sizeof(lcores), "--lcores=(0-2)@(");
	sched_getaffinity(0, sizeof(set), &set);
	for (cpu = 0; cpu < CPU_SETSIZE && used < 240; cpu++)
		if (CPU_ISSET(cpu, &set))
			used += snprintf(lcores + used, sizeof(lcores) - used,
					 "%d,", cpu);
	lcores[used - 1] = ')';
	snprintf(prefix, sizeof(prefix), "--file-prefix=rbtest-%d",
		 (int)getpid());
	argv[argc++] = "rbtest";
	argv[argc++] = lcores;
	argv[argc++] = "--no-huge";
	argv[argc++] = "--no-pci";
	argv[argc++] = "--no-shconf";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "-m";
	argv[argc++] = "256";
	argv[argc++] = prefix;
	argv[argc++] = "--log-level=4";
	argv[argc] = NULL;
	return rte_eal_init(argc, argv) < 0 ? -1 : 0;
}

void
rbh_conf(struct rb_dp_conf *conf, const uint8_t ip[4])
{
	memset(conf, 0, sizeof(*conf));
	conf->exception_port = -1;
	memcpy(&conf->nif.ip, ip, 4);
	conf->nif.netmask = rte_cpu_to_be_32(0xffffff00);
}

void
rbh_eal_fini(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (dir[0])
		rmdir(dir);
}

int
rbh_start_queues(struct rbh *h, struct rb_dp_conf *conf,
		 unsigned int nb_queues)
{
	static int n;
	char name[32];
	unsigned int q;
	int rc;

	memset(h, 0, sizeof(*h));
	if (nb_queues == 0 || nb_queues > RBH_MAX_QUEUES)
		return -1;
	h->nb_queues = nb_queues;
	n++;
	for (q = 0; q < nb_queues; q++) {
		snprintf(name, sizeof(name), "rbh_rx%d_%u", n, q);
		h->rx[q] = rte_ring_create(name, RING_SIZE, 0,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "rbh_tx%d_%u", n, q);
		h->tx[q] = rte_ring_create(name, RING_SIZE, 0,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!h->rx[q] || !h->tx[q])
			return -1;
	}
	snprintf(name, sizeof(name), "rbh_pool%d", n);
	h->pool = rte_pktmbuf_pool_create(name, 16383, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (!h->pool)
		return -1;
	snprintf(name, sizeof(name), "net_ring_rbh%d", n);
	rc = rte_eth_from_rings(name, h->rx, nb_queues, h->tx, nb_queues, 0);
	if (rc < 0)
		return -1;
	h->port = (uint16_t)rc;
	conf->port_id = h->port;
	conf->main_lcore_works = 0;
	conf->nb_workers = nb_queues;
	if (rb_dp_create(conf, &h->dp) < 0)
		return -1;
	return rb_dp_launch(h->dp);
}

int
rbh_start(struct rbh *h, struct rb_dp_conf *conf)
{
	return rbh_start_queues(h, conf, 1);
}

int
rbh_inject_q(struct rbh *h, unsigned int q, const uint8_t *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->pool);
	char *p;

	if (m == NULL || q >= h->nb_queues) {
		rte_pktmbuf_free(m);
		return -1;
	}
	p = rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -1;
	}
	memcpy(p, frame, len);
	if (rte_ring_enqueue(h->rx[q], m) < 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

int
rbh_inject(struct rbh *h, const uint8_t *frame, size_t len)
{
	return rbh_inject_q(h, 0, frame, len);
}

struct rte_mbuf *
rbh_recv_mbuf(struct rbh *h, unsigned int timeout_ms)
{
	uint64_t deadline = rte_get_timer_cycles() +
			    rte_get_timer_hz() * timeout_ms / 1000;
	void *obj;

	for (;;) {
		unsigned int q;

		for (q = 0; q < h->nb_queues; q++)
			if (rte_ring_dequeue(h->tx[q], &obj) == 0)
				return obj;
		if (rte_get_timer_cycles() > deadline)
			return NULL;
		usleep(100);
	}
}

int
rbh_recv(struct rbh *h, uint8_t *buf, size_t buflen, unsigned int timeout_ms)
{
	uint64_t deadline = rte_get_timer_cycles() +
			    rte_get_timer_hz() * timeout_ms / 1000;
	void *obj;

	for (;;) {
		unsigned int q;
		int got = 0;

		for (q = 0; q < h->nb_queues && !got; q++)
			got = rte_ring_dequeue(h->tx[q], &obj) == 0;
		if (got)
			break;
		if (rte_get_timer_cycles() > deadline)
			return -1;
		usleep(100);
	}
	{
		/* frames may be chained (TFTP DATA points into the file
		 * cache): read the whole packet */
		struct rte_mbuf *m = obj;
		uint32_t len = rte_pktmbuf_pkt_len(m);
		const void *p;

		if (len > buflen)
			len = (uint32_t)buflen;
		p = rte_pktmbuf_read(m, 0, len, buf);
		if (p != buf)
			memcpy(buf, p, len);
		rte_pktmbuf_free(m);
		return (int)len;
	}
}

void
rbh_settle(struct rbh *h)
{
	uint64_t before;
	int i;

	for (i = 0; i < 2000 && (rte_ring_count(h->rx[0]) > 0 ||
				 (h->rx[1] && rte_ring_count(h->rx[1]) > 0));
	     i++)
		usleep(500);
	/* the last burst may still be in the worker's hands: wait until the
	 * frame count stops moving */
	do {
		before = rbh_counter(h, RB_CTR_rx_frames);
		usleep(20000);
	} while (rbh_counter(h, RB_CTR_rx_frames) != before);
}

uint64_t
rbh_counter(struct rbh *h, enum rb_counter id)
{
	uint64_t v[RB_CTR_MAX];

	rb_dp_counters(h->dp, v);
	return v[id];
}

void
rbh_stop(struct rbh *h)
{
	void *obj;

	rb_dp_stop(h->dp);
	rb_dp_wait(h->dp);
	rb_dp_destroy(h->dp);
	rte_eth_dev_close(h->port);
	for (unsigned int q = 0; q < h->nb_queues; q++) {
		while (rte_ring_dequeue(h->tx[q], &obj) == 0)
			rte_pktmbuf_free(obj);
		while (rte_ring_dequeue(h->rx[q], &obj) == 0)
			rte_pktmbuf_free(obj);
		rte_ring_free(h->rx[q]);
		rte_ring_free(h->tx[q]);
	}
	rte_mempool_free(h->pool);
}
