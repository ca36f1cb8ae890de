/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane over net_ring: the worker's poll loop answers ARP and
 * ping, dispatches UDP by port, counts every drop by reason, sends bursts
 * whole, and changes its answering mode while running.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "../unit/frames.h"
#include "harness.h"

static const uint8_t bcast_mac[6] = {T_BCAST_MAC};
static const uint8_t our_ip[4] = {T_OUR_IP};
static const uint8_t client_mac[6] = {T_CLIENT_MAC};
static uint8_t our_mac[6];

static struct rbh h;

/* A UDP echo service on port 7: exercises the handler API (the reply is
 * built in the received mbuf and queued with rb_worker_tx). */
static void
echo_handler(void *ctx, struct rb_worker *w, struct rte_mbuf *m,
	     const struct rb_frame *f)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	struct rte_ether_addr dst = eth->src_addr;
	const struct rb_netif *nif = ctx;
	uint32_t len;

	memmove(p + RB_UDP_PAYLOAD_OFF, p + f->payload_off, f->payload_len);
	len = rb_udp_build(p, &nif->mac, &dst, nif->ip, f->src_ip, 7,
			   f->src_port, f->payload_len);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - len));
	rb_worker_tx(w, m);
}

static struct rb_netif echo_nif;

static int
group_setup(void **state)
{
	struct rb_dp_conf conf;

	(void)state;
	if (rbh_eal_init() < 0)
		return -1;
	rbh_conf(&conf, our_ip);
	conf.answer_arp_icmp = 1;
	conf.idle_sleep_us = 50;
	conf.services[conf.nb_services++] =
		(struct rb_udp_service){"echo", 7, 7, echo_handler, &echo_nif};
	conf.services[conf.nb_services++] =
		(struct rb_udp_service){"tftp", 69, 69, NULL, NULL};
	if (rbh_start(&h, &conf) < 0)
		return -1;
	echo_nif = *rb_dp_netif(h.dp);
	memcpy(our_mac, echo_nif.mac.addr_bytes, 6);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rbh_stop(&h);
	rbh_eal_fini();
	return 0;
}

static void
test_arp(void **state)
{
	uint8_t in[64], out[2048];
	uint64_t before = rbh_counter(&h, RB_CTR_arp_replies);
	int len;

	(void)state;
	t_arp_request(in, our_ip);
	assert_int_equal(rbh_inject(&h, in, 60), 0);
	len = rbh_recv(&h, out, sizeof(out), 2000);
	assert_true(len >= 42);
	assert_memory_equal(out, client_mac, 6);
	assert_memory_equal(out + 6, our_mac, 6);
	assert_int_equal(out[21], 2);
	assert_memory_equal(out + 28, our_ip, 4);
	assert_int_equal(rbh_counter(&h, RB_CTR_arp_replies), before + 1);
}

static void
test_ping(void **state)
{
	uint8_t in[256], out[2048];
	size_t len = t_ping(in, our_mac, our_ip, 64);
	int rlen;

	(void)state;
	assert_int_equal(rbh_inject(&h, in, len), 0);
	rlen = rbh_recv(&h, out, sizeof(out), 2000);
	assert_int_equal(rlen, (int)len);
	assert_int_equal(out[34], 0);
	assert_int_equal(t_cksum(out + 14, 20, 0), 0);
	assert_int_equal(t_cksum(out + 34, len - 34, 0), 0);
}

static void
test_udp_dispatch(void **state)
{
	uint8_t in[256], out[2048];
	size_t len = t_udp(in, our_mac, our_ip, 40000, 7, "echo me");
	uint64_t closed = rbh_counter(&h, RB_CTR_DROP_udp_port_closed);
	uint64_t nohandler = rbh_counter(&h, RB_CTR_DROP_udp_no_handler);
	int rlen;

	(void)state;
	assert_int_equal(rbh_inject(&h, in, len), 0);
	rlen = rbh_recv(&h, out, sizeof(out), 2000);
	assert_int_equal(rlen, (int)len);
	assert_memory_equal(out + 42, "echo me", 7);
	assert_int_equal(out[34] << 8 | out[35], 7);     /* source port */
	assert_int_equal(out[36] << 8 | out[37], 40000); /* to the client */

	len = t_udp(in, our_mac, our_ip, 40000, 69, "rrq");
	assert_int_equal(rbh_inject(&h, in, len), 0);
	len = t_udp(in, our_mac, our_ip, 40000, 9999, "nobody");
	assert_int_equal(rbh_inject(&h, in, len), 0);
	rbh_settle(&h);
	assert_int_equal(rbh_recv(&h, out, sizeof(out), 100), -1);
	assert_int_equal(rbh_counter(&h, RB_CTR_DROP_udp_no_handler),
			 nohandler + 1);
	assert_int_equal(rbh_counter(&h, RB_CTR_DROP_udp_port_closed),
			 closed + 1);
}

static void
test_drops_counted(void **state)
{
	uint8_t in[256], out[2048];
	size_t len;
	uint64_t cks = rbh_counter(&h, RB_CTR_DROP_ip_bad_checksum);
	uint64_t runt = rbh_counter(&h, RB_CTR_DROP_eth_runt);
	uint64_t v6 = rbh_counter(&h, RB_CTR_DROP_eth_type_other);

	(void)state;
	len = t_ping(in, our_mac, our_ip, 8);
	in[22] ^= 0xff; /* TTL */
	assert_int_equal(rbh_inject(&h, in, len), 0);
	assert_int_equal(rbh_inject(&h, in, 10), 0);
	t_arp_request(in, our_ip);
	t_put16(in + 12, 0x86dd);
	assert_int_equal(rbh_inject(&h, in, 60), 0);
	rbh_settle(&h);
	assert_int_equal(rbh_recv(&h, out, sizeof(out), 100), -1);
	assert_int_equal(rbh_counter(&h, RB_CTR_DROP_ip_bad_checksum), cks + 1);
	assert_int_equal(rbh_counter(&h, RB_CTR_DROP_eth_runt), runt + 1);
	assert_int_equal(rbh_counter(&h, RB_CTR_DROP_eth_type_other), v6 + 1);
}

static void
test_burst(void **state)
{
	uint8_t in[256], out[2048];
	size_t len;
	int i, got = 0;
	uint64_t rx = rbh_counter(&h, RB_CTR_rx_frames);
	uint64_t tx = rbh_counter(&h, RB_CTR_tx_frames);

	(void)state;
	for (i = 0; i < 1000; i++) {
		len = t_ping(in, our_mac, our_ip, 32);
		in[40] = (uint8_t)(i >> 8); /* sequence in the id field */
		in[41] = (uint8_t)i;
		t_put16(in + 36, 0);
		t_put16(in + 36, t_cksum(in + 34, len - 34, 0));
		assert_int_equal(rbh_inject(&h, in, len), 0);
	}
	while (got < 1000 && rbh_recv(&h, out, sizeof(out), 2000) > 0) {
		assert_int_equal(out[40] << 8 | out[41], got);
		got++;
	}
	assert_int_equal(got, 1000);
	assert_int_equal(rbh_counter(&h, RB_CTR_rx_frames), rx + 1000);
	assert_int_equal(rbh_counter(&h, RB_CTR_tx_frames), tx + 1000);
}

static void
test_kernel_answers_mode(void **state)
{
	uint8_t in[256], out[2048];
	uint64_t left = rbh_counter(&h, RB_CTR_left_to_kernel);
	size_t len;

	(void)state;
	rb_dp_tune(h.dp, 50, 0);
	t_arp_request(in, our_ip);
	assert_int_equal(rbh_inject(&h, in, 60), 0);
	len = t_ping(in, our_mac, our_ip, 8);
	assert_int_equal(rbh_inject(&h, in, len), 0);
	rbh_settle(&h);
	assert_int_equal(rbh_recv(&h, out, sizeof(out), 100), -1);
	assert_int_equal(rbh_counter(&h, RB_CTR_left_to_kernel), left + 2);
	rb_dp_tune(h.dp, 50, 1);
	assert_int_equal(rbh_inject(&h, in, len), 0);
	assert_true(rbh_recv(&h, out, sizeof(out), 2000) > 0);
}

static void
test_broadcast_udp_reaches_service(void **state)
{
	uint8_t in[256], out[2048];
	size_t len = t_udp(in, bcast_mac, (const uint8_t[]){255, 255, 255, 255},
			   68, 7, "discover");

	(void)state;
	assert_int_equal(rbh_inject(&h, in, len), 0);
	assert_true(rbh_recv(&h, out, sizeof(out), 2000) > 0);
	assert_memory_equal(out + 42, "discover", 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_udp_dispatch),
		cmocka_unit_test(test_drops_counted),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_kernel_answers_mode),
		cmocka_unit_test(test_broadcast_udp_reaches_service),
	};

	return cmocka_run_group_tests_name("ring_basic", tests, group_setup,
					   group_teardown);
}
