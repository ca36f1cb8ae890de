/* SPDX-License-Identifier: BSD-3-Clause */
/* The frame codec: every check, every reply, truncated and hostile frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "frames.h"
#include "rackboot/net.h"

static const uint8_t our_mac[6] = {T_OUR_MAC};
static const uint8_t bcast_mac[6] = {T_BCAST_MAC};
static const uint8_t our_ip[4] = {T_OUR_IP};
static const uint8_t client_ip[4] = {T_CLIENT_IP};
static const uint8_t other_ip[4] = {10, 99, 0, 77};
static const uint8_t zeros[64];

static struct rb_netif nif;

static int
setup(void **state)
{
	(void)state;
	memcpy(nif.mac.addr_bytes, our_mac, 6);
	memcpy(&nif.ip, our_ip, 4);
	nif.netmask = rte_cpu_to_be_32(0xffffff00);
	return 0;
}

/** Check a copy of @p frame in a buffer of exactly @p len bytes, so that
 * a read past the end trips AddressSanitizer. */
static enum rb_frame_kind
check_exact(const uint8_t *frame, size_t len, struct rb_frame *f)
{
	uint8_t *copy = calloc(1, len ? len : 1);
	enum rb_frame_kind k;

	memcpy(copy, frame, len);
	k = rb_frame_check(&nif, copy, (uint32_t)len, f);
	free(copy);
	return k;
}

#define assert_dropped(kind, f, reason)                                       \
	do {                                                                   \
		assert_int_equal((kind), RB_FRAME_DROP);                       \
		assert_string_equal(rb_counter_name((enum rb_counter)(f).drop), \
				    "drop." #reason);                          \
	} while (0)

#define assert_other(kind, f, reason)                                         \
	do {                                                                   \
		assert_int_equal((kind), RB_FRAME_OTHER);                      \
		assert_string_equal(rb_counter_name((enum rb_counter)(f).drop), \
				    "drop." #reason);                          \
	} while (0)

static void
test_arp_request_answered(void **state)
{
	uint8_t buf[64];
	struct rb_frame f;
	size_t len = t_arp_request(buf, our_ip);
	static const uint8_t client_mac[6] = {T_CLIENT_MAC};

	(void)state;
	assert_int_equal(check_exact(buf, len, &f), RB_FRAME_ARP);
	rb_arp_reply(&nif, buf, &f);
	assert_memory_equal(buf, client_mac, 6);       /* eth dst */
	assert_memory_equal(buf + 6, our_mac, 6);      /* eth src */
	assert_int_equal(buf[20] << 8 | buf[21], 2);   /* op reply */
	assert_memory_equal(buf + 22, our_mac, 6);     /* sender mac */
	assert_memory_equal(buf + 28, our_ip, 4);      /* sender ip */
	assert_memory_equal(buf + 32, client_mac, 6);  /* target mac */
	assert_memory_equal(buf + 38, client_ip, 4);   /* target ip */
}

static void
test_arp_other_target(void **state)
{
	uint8_t buf[64];
	struct rb_frame f;
	size_t len = t_arp_request(buf, other_ip);

	(void)state;
	assert_other(check_exact(buf, len, &f), f, arp_not_for_us);
	/* a reply, even naming us, is the kernel's business */
	len = t_arp_request(buf, our_ip);
	buf[21] = 2;
	assert_other(check_exact(buf, len, &f), f, arp_not_for_us);
}

static void
test_arp_malformed(void **state)
{
	uint8_t buf[64];
	struct rb_frame f;

	(void)state;
	t_arp_request(buf, our_ip);
	assert_dropped(check_exact(buf, 14 + 27, &f), f, arp_truncated);
	buf[18] = 7; /* hardware length */
	assert_dropped(check_exact(buf, 60, &f), f, arp_bad_format);
	t_arp_request(buf, our_ip);
	buf[17] = 0xdd; /* protocol 0x08dd */
	assert_dropped(check_exact(buf, 60, &f), f, arp_bad_format);
}

static void
test_ethernet(void **state)
{
	uint8_t buf[64];
	struct rb_frame f;
	static const uint8_t other_mac[6] = {0x02, 0, 0, 0, 0, 0x55};

	(void)state;
	t_arp_request(buf, our_ip);
	assert_dropped(check_exact(buf, 0, &f), f, eth_runt);
	assert_dropped(check_exact(buf, 13, &f), f, eth_runt);
	memcpy(buf, other_mac, 6);
	assert_dropped(check_exact(buf, 60, &f), f, eth_not_for_us);
	memcpy(buf, bcast_mac, 6);
	memcpy(buf + 6, our_mac, 6);
	assert_dropped(check_exact(buf, 60, &f), f, eth_own_source);
	t_arp_request(buf, our_ip);
	t_put16(buf + 12, 0x86dd); /* IPv6 */
	assert_other(check_exact(buf, 60, &f), f, eth_type_other);
	t_put16(buf + 12, 0x8100); /* VLAN tag: not served on the boot port */
	assert_other(check_exact(buf, 60, &f), f, eth_type_other);
}

static void
test_icmp_echo_reply(void **state)
{
	uint8_t buf[1600];
	struct rb_frame f;
	size_t len = t_ping(buf, our_mac, our_ip, 56);
	uint32_t rlen;

	(void)state;
	assert_int_equal(check_exact(buf, len, &f), RB_FRAME_ICMP_ECHO);
	rlen = rb_icmp_echo_reply(&nif, buf, &f);
	assert_int_equal(rlen, len);
	assert_memory_equal(buf + 6, our_mac, 6);
	assert_memory_equal(buf + 14 + 12, our_ip, 4);
	assert_memory_equal(buf + 14 + 16, client_ip, 4);
	assert_int_equal(buf[34], 0); /* echo reply */
	/* both checksums verify to zero when recomputed over the packet */
	assert_int_equal(t_cksum(buf + 14, 20, 0), 0);
	assert_int_equal(t_cksum(buf + 34, len - 34, 0), 0);
	/* data and identifiers come back unchanged */
	assert_int_equal(buf[38] << 8 | buf[39], 0x4242);
	assert_int_equal(buf[42 + 10], 10);
}

static void
test_icmp_padded_frame(void **state)
{
	uint8_t buf[64];
	struct rb_frame f;
	size_t len = t_ping(buf, our_mac, our_ip, 0); /* 42 bytes */

	(void)state;
	memset(buf + len, 0xee, 60 - len); /* Ethernet padding */
	assert_int_equal(check_exact(buf, 60, &f), RB_FRAME_ICMP_ECHO);
	/* the reply is cut to the packet, padding excluded */
	assert_int_equal(rb_icmp_echo_reply(&nif, buf, &f), len);
}

static void
test_icmp_malformed(void **state)
{
	uint8_t buf[1600];
	struct rb_frame f;
	size_t len = t_ping(buf, our_mac, our_ip, 8);
	static const uint8_t bcast_ip[4] = {10, 99, 0, 255};

	(void)state;
	buf[40] ^= 1; /* data changed, checksum not */
	assert_dropped(check_exact(buf, len, &f), f, icmp_bad_checksum);
	len = t_ping(buf, our_mac, our_ip, 8);
	buf[34] = 13; /* timestamp request */
	t_put16(buf + 36, 0);
	t_put16(buf + 36, t_cksum(buf + 34, len - 34, 0));
	assert_other(check_exact(buf, len, &f), f, icmp_type_other);
	/* an ICMP "message" of 4 bytes: IP length says so, frame agrees */
	len = t_ipv4(buf, our_mac, client_ip, our_ip, 1,
		     (const uint8_t *)"\x08\x00\xf7\xff", 4);
	assert_dropped(check_exact(buf, len, &f), f, icmp_truncated);
	len = t_ping(buf, bcast_mac, bcast_ip, 8);
	assert_dropped(check_exact(buf, len, &f), f, icmp_broadcast);
}

static void
test_ipv4_malformed(void **state)
{
	uint8_t buf[1600];
	struct rb_frame f;
	size_t len;
	static const uint8_t mcast[4] = {224, 0, 0, 5};
	static const uint8_t loop[4] = {127, 0, 0, 1};

	(void)state;
	len = t_ping(buf, our_mac, our_ip, 8);
	assert_dropped(check_exact(buf, 14 + 19, &f), f, ip_truncated);
	buf[14] = 0x65; /* version 6 */
	assert_dropped(check_exact(buf, len, &f), f, ip_bad_version);
	buf[14] = 0x44; /* header 16 bytes */
	assert_dropped(check_exact(buf, len, &f), f, ip_bad_header_len);
	buf[14] = 0x4f; /* header 60 bytes, packet 36 */
	assert_dropped(check_exact(buf, len, &f), f, ip_bad_header_len);

	len = t_ping(buf, our_mac, our_ip, 8);
	t_put16(buf + 16, (uint16_t)(len - 14 + 1)); /* one past the frame */
	assert_dropped(check_exact(buf, len, &f), f, ip_bad_total_len);
	t_put16(buf + 16, 19); /* shorter than its header */
	assert_dropped(check_exact(buf, len, &f), f, ip_bad_total_len);

	len = t_ping(buf, our_mac, our_ip, 8);
	buf[14 + 8] = 1; /* TTL changed, checksum not */
	assert_dropped(check_exact(buf, len, &f), f, ip_bad_checksum);

	len = t_ipv4(buf, our_mac, mcast, our_ip, 1, zeros, 8);
	assert_dropped(check_exact(buf, len, &f), f, ip_bad_source);
	len = t_ipv4(buf, our_mac, loop, our_ip, 1, zeros, 8);
	assert_dropped(check_exact(buf, len, &f), f, ip_bad_source);
}

static void
test_ipv4_not_ours(void **state)
{
	uint8_t buf[1600];
	struct rb_frame f;
	size_t len;

	(void)state;
	len = t_ping(buf, our_mac, other_ip, 8);
	assert_other(check_exact(buf, len, &f), f, ip_not_for_us);
	len = t_ipv4(buf, our_mac, client_ip, our_ip, 6, zeros, 20);
	assert_other(check_exact(buf, len, &f), f, ip_proto_other);
	len = t_ping(buf, our_mac, our_ip, 8);
	buf[14 + 6] = 0x20; /* more fragments */
	t_put16(buf + 24, 0);
	t_put16(buf + 24, t_cksum(buf + 14, 20, 0));
	assert_other(check_exact(buf, len, &f), f, ip_fragment);
}

static void
test_ipv4_options_skipped(void **state)
{
	uint8_t buf[1600], ping[1600];
	struct rb_frame f;
	size_t len = t_ping(ping, our_mac, our_ip, 8), i;

	(void)state;
	/* rebuild with a 24-byte header: 4 bytes of NOP options */
	memcpy(buf, ping, 14);
	memcpy(buf + 14, ping + 14, 20);
	memset(buf + 34, 1, 4);
	memcpy(buf + 38, ping + 34, len - 34);
	buf[14] = 0x46;
	t_put16(buf + 16, (uint16_t)(len - 14 + 4));
	t_put16(buf + 24, 0);
	t_put16(buf + 24, t_cksum(buf + 14, 24, 0));
	assert_int_equal(check_exact(buf, len + 4, &f), RB_FRAME_ICMP_ECHO);
	assert_int_equal(f.l4_off, 38);
	for (i = 0; i < 4; i++)
		assert_int_equal(buf[34 + i], 1);
}

static void
test_udp(void **state)
{
	uint8_t buf[1600];
	struct rb_frame f;
	size_t len = t_udp(buf, bcast_mac, (const uint8_t[]){255, 255, 255, 255},
			   68, 67, "hello");

	(void)state;
	assert_int_equal(check_exact(buf, len, &f), RB_FRAME_UDP);
	assert_int_equal(f.src_port, 68);
	assert_int_equal(f.dst_port, 67);
	assert_int_equal(f.payload_len, 5);
	assert_int_equal(f.to_broadcast, 1);
	assert_memory_equal(buf + f.payload_off, "hello", 5);

	len = t_udp(buf, our_mac, our_ip, 1234, 69, "x");
	assert_int_equal(check_exact(buf, len, &f), RB_FRAME_UDP);
	assert_int_equal(f.to_broadcast, 0);
	/* a zero checksum means "none" for UDP over IPv4 */
	t_put16(buf + 40, 0);
	assert_int_equal(check_exact(buf, len, &f), RB_FRAME_UDP);
}

static void
test_udp_malformed(void **state)
{
	uint8_t buf[1600];
	struct rb_frame f;
	size_t len;

	(void)state;
	len = t_udp(buf, our_mac, our_ip, 1234, 69, "payload");
	buf[len - 1] ^= 0x40;
	assert_dropped(check_exact(buf, len, &f), f, udp_bad_checksum);

	len = t_udp(buf, our_mac, our_ip, 1234, 69, "payload");
	t_put16(buf + 38, 7); /* UDP length under its header */
	assert_dropped(check_exact(buf, len, &f), f, udp_bad_length);
	t_put16(buf + 38, (uint16_t)(len - 34 + 1)); /* past the IP payload */
	assert_dropped(check_exact(buf, len, &f), f, udp_bad_length);

	len = t_ipv4(buf, our_mac, client_ip, our_ip, 17,
		     (const uint8_t *)"\x04\xd2\x00\x45\x00", 5);
	assert_dropped(check_exact(buf, len, &f), f, udp_truncated);
}

static void
test_udp_shorter_than_ip(void **state)
{
	uint8_t buf[1600];
	struct rb_frame f;
	size_t len = t_udp(buf, our_mac, our_ip, 1234, 69, "abcdef");

	(void)state;
	/* UDP says 3 payload bytes and checksums those; IP carries 6 */
	t_put16(buf + 38, 11);
	t_udp_cksum(buf);
	assert_int_equal(check_exact(buf, len, &f), RB_FRAME_UDP);
	assert_int_equal(f.payload_len, 3);
}

static void
test_udp_build_round_trip(void **state)
{
	uint8_t buf[1600];
	struct rb_frame f;
	struct rte_ether_addr client;
	uint32_t cip, len;
	static const uint8_t client_mac[6] = {T_CLIENT_MAC};
	struct rb_netif client_nif;

	(void)state;
	memcpy(client.addr_bytes, client_mac, 6);
	memcpy(&cip, client_ip, 4);
	memcpy(buf + RB_UDP_PAYLOAD_OFF, "reply!", 6);
	len = rb_udp_build(buf, &nif.mac, &client, nif.ip, cip, 69, 40000, 6);
	assert_int_equal(len, 14 + 20 + 8 + 6);
	/* the client, checking our frame, finds a valid datagram */
	client_nif.mac = client;
	client_nif.ip = cip;
	client_nif.netmask = nif.netmask;
	assert_int_equal(check_exact(buf, len, &f), RB_FRAME_DROP); /* own src */
	assert_int_equal(rb_frame_check(&client_nif, buf, len, &f),
			 RB_FRAME_UDP);
	assert_int_equal(f.src_port, 69);
	assert_int_equal(f.dst_port, 40000);
	assert_memory_equal(buf + f.payload_off, "reply!", 6);
	/* and a naive checksum over the headers agrees */
	assert_int_equal(t_cksum(buf + 14, 20, 0), 0);
}

static void
test_broadcast_addresses(void **state)
{
	uint8_t buf[1600];
	struct rb_frame f;
	size_t len;
	struct rb_netif saved = nif;

	(void)state;
	len = t_udp(buf, bcast_mac, (const uint8_t[]){10, 99, 0, 255}, 68, 67,
		    "x");
	assert_int_equal(check_exact(buf, len, &f), RB_FRAME_UDP);
	assert_int_equal(f.to_broadcast, 1);
	/* another subnet's broadcast is not ours */
	len = t_udp(buf, bcast_mac, (const uint8_t[]){10, 98, 0, 255}, 68, 67,
		    "x");
	assert_other(check_exact(buf, len, &f), f, ip_not_for_us);
	/* a /31 has no directed broadcast: .255 is then just an address */
	nif.netmask = rte_cpu_to_be_32(0xfffffffe);
	len = t_udp(buf, bcast_mac, (const uint8_t[]){10, 99, 0, 255}, 68, 67,
		    "x");
	assert_other(check_exact(buf, len, &f), f, ip_not_for_us);
	nif = saved;
}

/* Every prefix of valid frames of each kind: never a read past the end
 * (AddressSanitizer checks in the sanitizer run), never "valid" when cut. */
static void
test_every_truncation(void **state)
{
	uint8_t frames[4][1600];
	size_t lens[4], i, cut;
	struct rb_frame f;

	(void)state;
	lens[0] = t_arp_request(frames[0], our_ip);
	lens[1] = t_ping(frames[1], our_mac, our_ip, 100);
	lens[2] = t_udp(frames[2], our_mac, our_ip, 1234, 69, "0123456789");
	lens[3] = t_udp(frames[3], bcast_mac,
			(const uint8_t[]){255, 255, 255, 255}, 68, 67, "dhcp");
	for (i = 0; i < 4; i++) {
		/* ARP is padded: its last 18 bytes are padding */
		size_t need = i == 0 ? 42 : lens[i];

		for (cut = 0; cut < need; cut++)
			assert_int_equal(check_exact(frames[i], cut, &f),
					 RB_FRAME_DROP);
		assert_int_not_equal(check_exact(frames[i], lens[i], &f),
				     RB_FRAME_DROP);
	}
}

/* Random bytes, and valid frames with random bytes flipped: the codec
 * must classify each without crashing, and a frame it accepts as UDP must
 * have offsets inside the buffer. */
static void
test_hostile_random(void **state)
{
	uint8_t base[1600], buf[1600];
	struct rb_frame f;
	unsigned int seed = 12345, n;
	size_t blen = t_udp(base, our_mac, our_ip, 1234, 69, "abcdefghij");

	(void)state;
	for (n = 0; n < 200000; n++) {
		size_t len, i;
		enum rb_frame_kind k;

		if (n & 1) {
			len = (size_t)(rand_r(&seed) % 200);
			for (i = 0; i < len; i++)
				buf[i] = (uint8_t)rand_r(&seed);
			if (len > 14 && (n & 2)) { /* make the header plausible */
				memcpy(buf, our_mac, 6);
				buf[12] = 0x08;
				buf[13] = (n & 4) ? 0x06 : 0x00;
			}
		} else {
			len = blen;
			memcpy(buf, base, len);
			for (i = 0; i < 3; i++)
				buf[rand_r(&seed) % len] =
					(uint8_t)rand_r(&seed);
			len -= (size_t)(rand_r(&seed) % 8);
		}
		k = check_exact(buf, len, &f);
		if (k == RB_FRAME_UDP) {
			assert_true(f.payload_off + f.payload_len <= len);
			assert_true(f.l4_off + f.l4_len <= len);
		}
		if (k == RB_FRAME_DROP || k == RB_FRAME_OTHER)
			assert_true(rb_counter_is_drop(
				(enum rb_counter)f.drop));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_request_answered),
		cmocka_unit_test(test_arp_other_target),
		cmocka_unit_test(test_arp_malformed),
		cmocka_unit_test(test_ethernet),
		cmocka_unit_test(test_icmp_echo_reply),
		cmocka_unit_test(test_icmp_padded_frame),
		cmocka_unit_test(test_icmp_malformed),
		cmocka_unit_test(test_ipv4_malformed),
		cmocka_unit_test(test_ipv4_not_ours),
		cmocka_unit_test(test_ipv4_options_skipped),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_udp_malformed),
		cmocka_unit_test(test_udp_shorter_than_ip),
		cmocka_unit_test(test_udp_build_round_trip),
		cmocka_unit_test(test_broadcast_addresses),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_hostile_random),
	};

	return cmocka_run_group_tests_name("net", tests, setup, NULL);
}
