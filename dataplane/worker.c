/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker: one lcore, one rx/tx queue pair of the boot port, a burst
 * poll loop in the shape of DPDK's l3fwd.  rx burst -> check each frame ->
 * answer ARP/ICMP in place or hand UDP to its service -> tx burst.
 * Nothing here allocates or blocks except the idle sleep.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "worker.h"

/*
 * How long a worker keeps polling after its last work before it sleeps
 * between polls.  Longer than a lock-step client takes to answer a block
 * (30-100 us here): a worker that slept after 256 empty polls (about
 * 50 us) slept, and waited for the VM to wake it, at every block of a
 * lock-step transfer, 4x slower (tftp-hpa, 8 MiB: 1.6 s, 0.4 s polling).
 * Not much longer: a worker that polls on between requests a few
 * milliseconds apart takes a core from the lease journal and the rest.
 */
#define IDLE_SPIN_US 500
/* tx_burst retries before giving up on the rest of a burst */
#define TX_RETRIES 4

void
rb_worker_tx(struct rb_worker *w, struct rte_mbuf *m)
{
	if (w->nb_tx == RB_TX_BUF) {
		/* a handler that queues more than a few bursts: send early */
		uint16_t n = rte_eth_tx_burst(w->dp->conf.port_id, w->queue,
					      w->tx, w->nb_tx);

		rb_count(&w->ctr, RB_CTR_tx_frames, n);
		if (n < w->nb_tx) {
			rb_count(&w->ctr, RB_CTR_tx_full, w->nb_tx - n);
			rte_pktmbuf_free_bulk(w->tx + n, w->nb_tx - n);
		}
		w->nb_tx = 0;
	}
	w->tx[w->nb_tx++] = m;
}

struct rb_counters *
rb_worker_counters(struct rb_worker *w)
{
	return &w->ctr;
}

uint16_t
rb_worker_index(const struct rb_worker *w)
{
	return w->queue;
}

const struct rb_netif *
rb_worker_netif(const struct rb_worker *w)
{
	return &w->dp->conf.nif;
}

struct rte_mempool *
rb_worker_pool(struct rb_worker *w)
{
	return w->dp->pool;
}

int
rb_worker_tx_segments(const struct rb_worker *w)
{
	return w->dp->tx_segments;
}

/** Send everything queued on @p port / @p queue; free what does not fit. */
static uint16_t
flush(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
      uint16_t *lost)
{
	uint16_t sent = 0;
	int tries = 0;

	while (sent < n && tries++ < TX_RETRIES)
		sent += rte_eth_tx_burst(port, queue, pkts + sent, n - sent);
	*lost = n - sent;
	if (sent < n)
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	return sent;
}

static void
flush_all(struct rb_worker *w)
{
	const struct rb_dp_conf *c = &w->dp->conf;
	uint16_t lost;

	if (w->nb_tx) {
		rb_count(&w->ctr, RB_CTR_tx_frames,
			 flush(c->port_id, w->queue, w->tx, w->nb_tx, &lost));
		rb_count(&w->ctr, RB_CTR_tx_full, lost);
		w->nb_tx = 0;
	}
	if (w->nb_exc) {
		rb_count(&w->ctr, RB_CTR_to_exception,
			 flush((uint16_t)c->exception_port, w->queue, w->exc,
			       w->nb_exc, &lost));
		rb_count(&w->ctr, RB_CTR_exception_full, lost);
		w->nb_exc = 0;
	}
}

/**
 * A well-formed frame that is not ours to answer: the exception tap gets it
 * when there is one, otherwise the kernel sees it anyway (af_packet) or
 * nobody does; either way count why rackbootd did not take it.
 */
static void
not_ours(struct rb_worker *w, struct rte_mbuf *m, enum rb_counter why)
{
	if (w->dp->conf.exception_port >= 0) {
		w->exc[w->nb_exc++] = m;
		return;
	}
	rb_count(&w->ctr, why, 1);
	rte_pktmbuf_free(m);
}

static void
handle_udp(struct rb_worker *w, struct rte_mbuf *m, const struct rb_frame *f)
{
	const struct rb_dp_conf *c = &w->dp->conf;
	unsigned int i;

	for (i = 0; i < c->nb_services; i++) {
		const struct rb_udp_service *s = &c->services[i];

		if (f->dst_port < s->port_lo || f->dst_port > s->port_hi)
			continue;
		if (s->handler == NULL) {
			rb_count(&w->ctr, RB_CTR_DROP_udp_no_handler, 1);
			rte_pktmbuf_free(m);
			return;
		}
		rb_count(&w->ctr, RB_CTR_udp_delivered, 1);
		s->handler(s->ctx, w, m, f);
		return;
	}
	not_ours(w, m, RB_CTR_DROP_udp_port_closed);
}

/** Check one received frame and act on it. */
static void
handle_frame(struct rb_worker *w, struct rte_mbuf *m, int answer)
{
	const struct rb_netif *nif = &w->dp->conf.nif;
	struct rb_frame f;
	enum rb_frame_kind kind;
	uint32_t len;

	/* one segment always: the pool's buffers hold a whole MTU frame */
	kind = rb_frame_check(nif, rte_pktmbuf_mtod(m, const uint8_t *),
			      rte_pktmbuf_data_len(m), &f);
	switch (kind) {
	case RB_FRAME_ARP:
		if (!answer) {
			not_ours(w, m, RB_CTR_left_to_kernel);
			return;
		}
		rb_arp_reply(nif, rte_pktmbuf_mtod(m, uint8_t *), &f);
		rb_count(&w->ctr, RB_CTR_arp_replies, 1);
		rb_worker_tx(w, m);
		return;
	case RB_FRAME_ICMP_ECHO:
		if (!answer) {
			not_ours(w, m, RB_CTR_left_to_kernel);
			return;
		}
		len = rb_icmp_echo_reply(nif, rte_pktmbuf_mtod(m, uint8_t *),
					 &f);
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - len));
		rb_count(&w->ctr, RB_CTR_icmp_echo_replies, 1);
		rb_worker_tx(w, m);
		return;
	case RB_FRAME_UDP:
		handle_udp(w, m, &f);
		return;
	case RB_FRAME_OTHER:
		not_ours(w, m, (enum rb_counter)f.drop);
		return;
	case RB_FRAME_DROP:
	default:
		rb_count(&w->ctr, f.drop, 1);
		rte_pktmbuf_free(m);
		return;
	}
}

/** Frames the kernel sent out of the exception tap go to the wire. */
static uint16_t
poll_exception(struct rb_worker *w)
{
	struct rte_mbuf *pkts[RB_BURST];
	uint16_t n, i;

	n = rte_eth_rx_burst((uint16_t)w->dp->conf.exception_port, 0, pkts,
			     RB_BURST);
	for (i = 0; i < n; i++) {
		if (rte_pktmbuf_data_len(pkts[i]) <
		    sizeof(struct rte_ether_hdr)) {
			rb_count(&w->ctr, RB_CTR_DROP_exception_malformed, 1);
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		rb_count(&w->ctr, RB_CTR_from_exception, 1);
		rb_worker_tx(w, pkts[i]);
	}
	return n;
}

int
rb_worker_main(void *arg)
{
	struct rb_dp *dp = arg;
	unsigned int lcore = rte_lcore_id();
	struct rb_worker *w = NULL;
	struct rte_mbuf *pkts[RB_BURST];
	const uint64_t spin = rte_get_tsc_hz() / 1000000 * IDLE_SPIN_US;
	uint64_t last_work = rte_rdtsc();
	unsigned int i;

	for (i = 0; i < dp->nb_workers; i++)
		if (dp->workers[i].lcore == lcore)
			w = &dp->workers[i];
	if (w == NULL)
		return 0; /* an lcore that is not a worker */

	rte_rcu_qsbr_thread_register(dp->qsbr, (unsigned int)(w - dp->workers));
	rte_rcu_qsbr_thread_online(dp->qsbr, (unsigned int)(w - dp->workers));
	while (!__atomic_load_n(&dp->quit, __ATOMIC_RELAXED)) {
		/* a polling worker shows 100 % CPU whatever its load: the
		 * cycles of loops that had work are the load it carries */
		uint64_t t0 = rte_rdtsc();
		uint16_t n = rte_eth_rx_burst(dp->conf.port_id, w->queue, pkts,
					      RB_BURST);
		/* read after the burst: a frame that arrived after a change
		 * of mode is handled by the new mode */
		int answer = __atomic_load_n(&dp->answer_arp_icmp,
					     __ATOMIC_ACQUIRE);
		uint16_t busy = n;

		rb_count(&w->ctr, RB_CTR_rx_frames, n);
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1],
							       void *));
			handle_frame(w, pkts[i], answer);
		}
		if (dp->conf.exception_port >= 0 && w->queue == 0)
			busy += poll_exception(w);
		for (i = 0; i < dp->conf.nb_pollers; i++)
			dp->conf.pollers[i].fn(dp->conf.pollers[i].ctx, w);
		busy += w->nb_tx;
		flush_all(w);
		rb_count(&w->ctr, RB_CTR_loops, 1);
		/* no reference to shared state is held between loops */
		rte_rcu_qsbr_quiescent(dp->qsbr,
				       (unsigned int)(w - dp->workers));

		if (busy) {
			last_work = rte_rdtsc();
			rb_count(&w->ctr, RB_CTR_busy_cycles, last_work - t0);
		} else if (t0 - last_work > spin) {
			unsigned int us = __atomic_load_n(&dp->idle_sleep_us,
							  __ATOMIC_RELAXED);
			if (us)
				rte_delay_us_sleep(us);
		}
	}
	rte_rcu_qsbr_thread_offline(dp->qsbr, (unsigned int)(w - dp->workers));
	rte_rcu_qsbr_thread_unregister(dp->qsbr,
				       (unsigned int)(w - dp->workers));
	return 0;
}
