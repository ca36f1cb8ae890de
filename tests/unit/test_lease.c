/* SPDX-License-Identifier: BSD-3-Clause */
/* The lease allocator: offers, binds, expiry, declines, releases,
 * reservations, restores, and two threads sharing one pool. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>
#include <rte_byteorder.h>

#include "../ring/harness.h"
#include "rackboot/lease.h"

#define IP(a, b, c, d) rte_cpu_to_be_32((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define SRC 0x01000000u /* port 0 */
#define NOW 1000000u

static struct rb_pool pool;
static int npool;

static struct rb_client_key
key_of(unsigned int n)
{
	struct rb_client_key k;

	memset(&k, 0, sizeof(k));
	k.len = 7;
	k.data[0] = 1;
	k.data[3] = (uint8_t)(n >> 16);
	k.data[4] = (uint8_t)(n >> 8);
	k.data[5] = (uint8_t)n;
	return k;
}

static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};

/* a fresh pool of 10.99.0.100 - 10.99.0.109 for each test */
static int
fresh(void **state)
{
	char name[16];

	(void)state;
	snprintf(name, sizeof(name), "t%d", npool++);
	return rb_pool_init(&pool, name, IP(10, 99, 0, 100), IP(10, 99, 0, 109),
			    IP(10, 99, 0, 0), IP(255, 255, 255, 0));
}

static int
done(void **state)
{
	(void)state;
	rb_pool_free(&pool);
	return 0;
}

static void
test_offer_stable_and_distinct(void **state)
{
	struct rb_client_key a = key_of(1), b = key_of(2);
	uint32_t ip1, ip2, ip3;

	(void)state;
	assert_int_equal(rb_pool_offer(&pool, &a, mac, 0, SRC, NOW, 30, &ip1), 0);
	assert_int_equal(rb_pool_offer(&pool, &a, mac, 0, SRC, NOW, 30, &ip2), 0);
	assert_int_equal(ip1, ip2);
	assert_int_equal(rb_pool_offer(&pool, &b, mac, 0, SRC, NOW, 30, &ip3), 0);
	assert_int_not_equal(ip1, ip3);
	assert_true(rb_pool_has(&pool, ip1) && rb_pool_has(&pool, ip3));
}

/* the firmware arch noted on a lease: a fact while the lease lives */
static void
test_arch(void **state)
{
	struct rb_client_key a = key_of(1);
	uint32_t ip;

	(void)state;
	assert_int_equal(rb_pool_offer(&pool, &a, mac, 0, SRC, NOW, 30, &ip), 0);
	assert_int_equal(rb_pool_arch_of(&pool, ip, NOW), -1);
	rb_pool_set_arch(&pool, ip, 7);
	assert_int_equal(rb_pool_arch_of(&pool, ip, NOW), 7);
	rb_pool_set_arch(&pool, ip, 0);
	assert_int_equal(rb_pool_arch_of(&pool, ip, NOW), 0);
	/* not a network boot: none known */
	rb_pool_set_arch(&pool, ip, -1);
	assert_int_equal(rb_pool_arch_of(&pool, ip, NOW), -1);
	rb_pool_set_arch(&pool, ip, 9);
	/* the offer expired: nobody's arch */
	assert_int_equal(rb_pool_arch_of(&pool, ip, NOW + 31), -1);
	/* outside the pool */
	assert_int_equal(rb_pool_arch_of(&pool, IP(10, 99, 1, 1), NOW), -1);
	rb_pool_set_arch(&pool, IP(10, 99, 1, 1), 7);
}

static void
test_requested_address(void **state)
{
	struct rb_client_key a = key_of(1), b = key_of(2);
	uint32_t ip;

	(void)state;
	assert_int_equal(rb_pool_offer(&pool, &a, mac, IP(10, 99, 0, 105), SRC, NOW,
				       30, &ip), 0);
	assert_int_equal(ip, IP(10, 99, 0, 105));
	/* taken: b gets another; outside the range: ignored */
	assert_int_equal(rb_pool_offer(&pool, &b, mac, IP(10, 99, 0, 105), SRC, NOW,
				       30, &ip), 0);
	assert_int_not_equal(ip, IP(10, 99, 0, 105));
}

static void
test_exhaustion_and_expiry(void **state)
{
	struct rb_client_key k;
	uint32_t ip, seen[10], i, j;

	(void)state;
	for (i = 0; i < 10; i++) {
		k = key_of(i);
		assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, SRC, NOW, 30, &ip),
				 0);
		for (j = 0; j < i; j++)
			assert_int_not_equal(seen[j], ip);
		seen[i] = ip;
	}
	k = key_of(100);
	assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, SRC, NOW, 30, &ip), -1);
	/* offers hold 30 s: after that the address goes to a newcomer */
	assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, SRC, NOW + 31, 30, &ip),
			 0);
}

static void
test_bind_rules(void **state)
{
	struct rb_client_key a = key_of(1), b = key_of(2);
	uint32_t ip, other, exp;

	(void)state;
	assert_int_equal(rb_pool_offer(&pool, &a, mac, 0, SRC, NOW, 30, &ip), 0);
	assert_int_equal(rb_pool_bind(&pool, &a, mac, ip, NOW, 3600, 0, &exp),
			 RB_BIND_OK);
	assert_int_equal(exp, NOW + 3600);
	assert_int_equal(rb_pool_count(&pool, RB_LEASE_BOUND, NOW), 1);
	/* someone else's bound address: never, even when renewing */
	assert_int_equal(rb_pool_bind(&pool, &b, mac, ip, NOW, 3600, 1, &exp),
			 RB_BIND_WRONG);
	/* a free address: only a renewing client may take it */
	other = IP(10, 99, 0, 109);
	assert_int_equal(rb_pool_bind(&pool, &b, mac, other, NOW, 3600, 0, &exp),
			 RB_BIND_WRONG);
	assert_int_equal(rb_pool_bind(&pool, &b, mac, other, NOW, 3600, 1, &exp),
			 RB_BIND_OK);
	/* outside the range */
	assert_int_equal(rb_pool_bind(&pool, &b, mac, IP(10, 99, 0, 5), NOW,
				      3600, 1, &exp),
			 RB_BIND_WRONG);
	/* one lease per client: moving frees the old address */
	assert_int_equal(rb_pool_bind(&pool, &b, mac, IP(10, 99, 0, 108), NOW,
				      3600, 1, &exp),
			 RB_BIND_OK);
	assert_int_equal(rb_pool_count(&pool, RB_LEASE_BOUND, NOW), 2);
	assert_true(rb_pool_knows(&pool, &b, NOW));
	/* an expired lease is gone */
	assert_int_equal(rb_pool_count(&pool, RB_LEASE_BOUND, NOW + 3600), 0);
	assert_false(rb_pool_knows(&pool, &b, NOW + 3601));
}

static void
test_decline_and_release(void **state)
{
	struct rb_client_key a = key_of(1), b = key_of(2);
	uint32_t ip, ip2, exp, i;

	(void)state;
	assert_int_equal(rb_pool_offer(&pool, &a, mac, 0, SRC, NOW, 30, &ip), 0);
	assert_int_equal(rb_pool_bind(&pool, &a, mac, ip, NOW, 3600, 0, &exp),
			 RB_BIND_OK);
	assert_int_equal(rb_pool_decline(&pool, &b, ip, NOW, 600), -1);
	assert_int_equal(rb_pool_decline(&pool, &a, ip, NOW, 600), 0);
	/* nobody gets the declined address for 600 s, a included */
	for (i = 0; i < 9; i++) {
		struct rb_client_key k = key_of(10 + i);

		assert_int_equal(rb_pool_offer(&pool, &k, mac, ip, SRC, NOW + 1, 30,
					       &ip2), 0);
		assert_int_not_equal(ip2, ip);
	}
	assert_int_equal(rb_pool_offer(&pool, &a, mac, ip, SRC, NOW + 1, 30, &ip2),
			 -1); /* the other 9 hold the rest */
	assert_int_equal(rb_pool_offer(&pool, &a, mac, ip, SRC, NOW + 601, 30, &ip2),
			 0);

	/* release: the address frees, and comes back to the same client */
	assert_int_equal(rb_pool_bind(&pool, &a, mac, ip2, NOW + 601, 3600, 0,
				      &exp), RB_BIND_OK);
	assert_int_equal(rb_pool_release(&pool, &b, ip2), -1);
	assert_int_equal(rb_pool_release(&pool, &a, ip2), 0);
	assert_int_equal(rb_pool_count(&pool, RB_LEASE_BOUND, NOW + 602), 0);
	assert_int_equal(rb_pool_offer(&pool, &a, mac, 0, SRC, NOW + 602, 30, &ip),
			 0);
	assert_int_equal(ip, ip2);
}

static void
test_pinned(void **state)
{
	struct rb_client_key a = key_of(1), k;
	uint32_t ip, i, exp;

	(void)state;
	assert_int_equal(rb_pool_pin(&pool, &a, IP(10, 99, 0, 100)), 0);
	assert_int_equal(rb_pool_pin(&pool, &a, IP(10, 99, 0, 100)), -1);
	assert_int_equal(rb_pool_pin(&pool, &a, IP(10, 99, 1, 100)), -1);
	for (i = 0; i < 9; i++) {
		k = key_of(10 + i);
		assert_int_equal(rb_pool_offer(&pool, &k, mac, IP(10, 99, 0, 100), SRC,
					       NOW, 30, &ip), 0);
		assert_int_not_equal(ip, IP(10, 99, 0, 100));
	}
	k = key_of(50);
	assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, SRC, NOW, 30, &ip), -1);
	assert_int_equal(rb_pool_bind(&pool, &k, mac, IP(10, 99, 0, 100), NOW,
				      60, 1, &exp), RB_BIND_WRONG);
	assert_int_equal(rb_pool_bind(&pool, &a, mac, IP(10, 99, 0, 100), NOW,
				      60, 1, &exp), RB_BIND_OK);
}

static void
test_restore(void **state)
{
	struct rb_client_key a = key_of(1), b = key_of(2);
	uint32_t ip, exp;

	(void)state;
	rb_pool_restore(&pool, &a, mac, IP(10, 99, 0, 103), RB_LEASE_BOUND,
			NOW + 100);
	/* a later record moves the client */
	rb_pool_restore(&pool, &a, mac, IP(10, 99, 0, 104), RB_LEASE_BOUND,
			NOW + 200);
	assert_int_equal(rb_pool_count(&pool, RB_LEASE_BOUND, NOW), 1);
	assert_int_equal(rb_pool_offer(&pool, &a, mac, 0, SRC, NOW, 30, &ip), 0);
	assert_int_equal(ip, IP(10, 99, 0, 104));
	assert_int_equal(rb_pool_bind(&pool, &b, mac, IP(10, 99, 0, 104), NOW,
				      60, 1, &exp), RB_BIND_WRONG);
	assert_int_equal(rb_pool_bind(&pool, &b, mac, IP(10, 99, 0, 103), NOW,
				      60, 1, &exp), RB_BIND_OK);
	rb_pool_restore(&pool, &a, mac, IP(10, 99, 0, 102), RB_LEASE_DECLINED,
			NOW + 50);
	assert_int_equal(rb_pool_count(&pool, RB_LEASE_DECLINED, NOW), 1);
}

/* a flood from one source holds at most the offer limit: others still
 * get addresses, a bound offer or a swept expired one frees a place */
static void
test_offer_limit(void **state)
{
	const uint32_t src_b = IP(10, 99, 1, 1); /* a relay */
	struct rb_client_key k;
	uint32_t ip, first = 0, exp, i;

	(void)state;
	pool.offer_limit = 4;
	for (i = 0; i < 4; i++) {
		k = key_of(200 + i);
		assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, SRC, NOW, 30,
					       &ip), 0);
		if (i == 0)
			first = ip;
	}
	assert_int_equal(rb_pool_offers_of(&pool, SRC), 4);
	k = key_of(300);
	assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, SRC, NOW, 30, &ip),
			 RB_OFFER_LIMITED);
	/* a repeated DISCOVER of a client holding an offer is answered */
	k = key_of(200);
	assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, SRC, NOW + 1, 30,
				       &ip), 0);
	assert_int_equal(ip, first);
	assert_int_equal(rb_pool_offers_of(&pool, SRC), 4);
	/* another source is not held back */
	for (i = 0; i < 4; i++) {
		k = key_of(400 + i);
		assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, src_b, NOW, 30,
					       &ip), 0);
	}
	k = key_of(404);
	assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, src_b, NOW, 30, &ip),
			 RB_OFFER_LIMITED);
	/* a bound offer no longer counts */
	k = key_of(200);
	assert_int_equal(rb_pool_bind(&pool, &k, mac, first, NOW, 3600, 0, &exp),
			 RB_BIND_OK);
	assert_int_equal(rb_pool_offers_of(&pool, SRC), 3);
	k = key_of(300);
	assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, SRC, NOW, 30, &ip), 0);
	k = key_of(301);
	assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, SRC, NOW, 30, &ip),
			 RB_OFFER_LIMITED);
	/* expired offers count until a sweep frees them; the bound lease
	 * stays */
	assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, SRC, NOW + 31, 30,
				       &ip), RB_OFFER_LIMITED);
	assert_int_equal(rb_pool_expire_offers(&pool, NOW + 31, 1000), 8);
	assert_int_equal(rb_pool_offers_of(&pool, SRC), 0);
	assert_int_equal(rb_pool_offers_of(&pool, src_b), 0);
	assert_int_equal(rb_pool_count(&pool, RB_LEASE_BOUND, NOW + 31), 1);
	assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, SRC, NOW + 31, 30,
				       &ip), 0);
	assert_int_not_equal(ip, first);
	/* a swept offer's owner gets its address back first */
	k = key_of(400);
	assert_int_equal(rb_pool_offer(&pool, &k, mac, 0, src_b, NOW + 32, 30,
				       &ip), 0);
	assert_int_equal(rb_pool_offers_of(&pool, src_b), 1);
}

/* two threads, 4,000 clients each, one pool of 10,000: every bound
 * address belongs to exactly one client */
static struct rb_pool big;

static void *
hammer(void *arg)
{
	unsigned int base = (unsigned int)(uintptr_t)arg, i;
	static uint32_t got[2][4000];

	for (i = 0; i < 4000; i++) {
		struct rb_client_key k = key_of(base * 100000 + i);
		uint32_t ip, exp;

		if (rb_pool_offer(&big, &k, mac, 0, SRC, NOW, 30, &ip) < 0 ||
		    rb_pool_bind(&big, &k, mac, ip, NOW, 3600, 0, &exp) !=
			    RB_BIND_OK)
			return (void *)1;
		got[base][i] = ip;
	}
	return got[base];
}

static void
test_two_threads(void **state)
{
	pthread_t t[2];
	uint32_t *res[2];
	static uint8_t owner[10000];
	unsigned int i, n;

	(void)state;
	assert_int_equal(rb_pool_init(&big, "big", IP(10, 99, 0, 0),
				      IP(10, 99, 39, 15), IP(10, 99, 0, 0),
				      IP(255, 255, 0, 0)),
			 0);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, hammer, (void *)(uintptr_t)i);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], (void **)&res[i]);
		assert_true((uintptr_t)res[i] > 1);
	}
	for (i = 0; i < 2; i++)
		for (n = 0; n < 4000; n++) {
			uint32_t idx = rte_be_to_cpu_32(res[i][n]) -
				       rte_be_to_cpu_32(IP(10, 99, 0, 0));

			assert_true(idx < 10000);
			assert_int_equal(owner[idx], 0);
			owner[idx] = 1;
		}
	assert_int_equal(rb_pool_count(&big, RB_LEASE_BOUND, NOW), 8000);
	rb_pool_free(&big);
}

static int
group_setup(void **state)
{
	(void)state;
	return rbh_eal_init();
}

static int
group_teardown(void **state)
{
	(void)state;
	rbh_eal_fini();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offer_stable_and_distinct,
						fresh, done),
		cmocka_unit_test_setup_teardown(test_arch, fresh, done),
		cmocka_unit_test_setup_teardown(test_requested_address, fresh,
						done),
		cmocka_unit_test_setup_teardown(test_exhaustion_and_expiry,
						fresh, done),
		cmocka_unit_test_setup_teardown(test_bind_rules, fresh, done),
		cmocka_unit_test_setup_teardown(test_decline_and_release, fresh,
						done),
		cmocka_unit_test_setup_teardown(test_pinned, fresh, done),
		cmocka_unit_test_setup_teardown(test_offer_limit, fresh, done),
		cmocka_unit_test_setup_teardown(test_restore, fresh, done),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests_name("lease", tests, group_setup,
					   group_teardown);
}
