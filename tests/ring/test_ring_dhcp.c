/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DHCP server on the real dataplane over net_ring, with a real lease
 * journal: every message type and client state, relays, reservations, PXE
 * answers per firmware class, and two workers sharing one pool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_byteorder.h>

#include "../unit/dhcpmsg.h"
#include "../unit/frames.h"
#include "harness.h"
#include "rackboot/dhcpd.h"

static const uint8_t bcast_mac[6] = {T_BCAST_MAC};
static const uint8_t zero_ip[4] = {0, 0, 0, 0};
static const uint8_t bcast_ip[4] = {255, 255, 255, 255};
static const uint8_t server_ip[4] = {10, 99, 0, 1};
static const uint8_t relay_ip[4] = {10, 99, 8, 1};
static const uint8_t reserved_mac[6] = {0x52, 0x54, 0, 0, 0, 0x77};

static struct rbh h;
static struct rb_dhcpd *dhcpd;
static struct rb_journal *journal;
static char dir[64];
static uint8_t our_mac[6];

/* --- helpers --- */

static void
mac_of(uint8_t mac[6], unsigned int n)
{
	mac[0] = 0x52; mac[1] = 0x54; mac[2] = 0x01;
	mac[3] = (uint8_t)(n >> 16); mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

/** Send a DHCP message on queue @p q: from @p src:@p sport. */
static void
send_q(unsigned int q, struct tmsg *t, const uint8_t src[4],
       const uint8_t dst[4], uint16_t sport, uint16_t dport)
{
	uint8_t frame[1600];
	size_t len = t_udp_raw(frame, dst == bcast_ip ? bcast_mac : our_mac,
			       src, dst, sport, dport, t->b, t->len);

	/* the client's own MAC as the frame source */
	memcpy(frame + 6, t->b + 28, 6);
	assert_int_equal(rbh_inject_q(&h, q, frame, len), 0);
}

static void
send_bcast(struct tmsg *t)
{
	send_q(0, t, zero_ip, bcast_ip, 68, 67);
}

/** A DISCOVER from machine @p n behind @p relay, on queue @p q. */
static void
send_relayed_discover(unsigned int q, unsigned int n, uint32_t xid,
		      const uint8_t relay[4])
{
	uint8_t mac[6];
	struct tmsg t;

	mac_of(mac, n);
	tmsg_start(&t, mac, xid);
	tmsg_addr(&t, TMSG_GIADDR, relay);
	tmsg_type(&t, 1);
	tmsg_end(&t);
	send_q(q, &t, relay, server_ip, 67, 67);
}

/** The next frame sent: its DHCP payload (returned) and addresses. */
struct reply {
	int len;
	uint8_t frame[1600];
	const uint8_t *dhcp;
	size_t dlen;
	uint8_t dst_mac[6];
	uint8_t dst_ip[4];
	uint16_t sport, dport;
};

static int
recv_reply(struct reply *r, unsigned int ms)
{
	r->len = rbh_recv(&h, r->frame, sizeof(r->frame), ms);
	if (r->len < 0)
		return -1;
	assert_true(r->len > 42 + 240);
	memcpy(r->dst_mac, r->frame, 6);
	memcpy(r->dst_ip, r->frame + 30, 4);
	r->sport = (uint16_t)(r->frame[34] << 8 | r->frame[35]);
	r->dport = (uint16_t)(r->frame[36] << 8 | r->frame[37]);
	r->dhcp = r->frame + 42;
	r->dlen = (size_t)r->len - 42;
	/* every reply's checksums verify */
	assert_int_equal(t_cksum(r->frame + 14, 20, 0), 0);
	return 0;
}

static uint8_t
rtype(const struct reply *r)
{
	uint8_t n;
	const uint8_t *v = tmsg_find(r->dhcp, r->dlen, 53, &n);

	assert_non_null(v);
	return v[0];
}

static const uint8_t *
ropt(const struct reply *r, uint8_t code, uint8_t *n)
{
	return tmsg_find(r->dhcp, r->dlen, code, n);
}

/** DISCOVER from @p mac; the offered address is returned in @p ip. */
static void
discover(const uint8_t mac[6], uint32_t xid, uint8_t ip[4])
{
	struct tmsg t;
	struct reply r;

	tmsg_start(&t, mac, xid);
	tmsg_type(&t, 1);
	tmsg_end(&t);
	send_bcast(&t);
	assert_int_equal(recv_reply(&r, 3000), 0);
	assert_int_equal(rtype(&r), 2);
	memcpy(ip, r.dhcp + 16, 4);
}

/** REQUEST (selecting) for @p ip from @p mac; returns the reply type. */
static int
request(const uint8_t mac[6], uint32_t xid, const uint8_t ip[4],
	const uint8_t server[4], struct reply *r)
{
	struct tmsg t;

	tmsg_start(&t, mac, xid);
	tmsg_type(&t, 3);
	tmsg_ip(&t, 50, ip);
	if (server)
		tmsg_ip(&t, 54, server);
	tmsg_end(&t);
	send_bcast(&t);
	if (recv_reply(r, 3000) < 0)
		return -1;
	return rtype(r);
}

/* --- the tests --- */

static void
test_offer_and_ack(void **state)
{
	uint8_t mac[6], ip[4], n;
	struct reply r;
	const uint8_t *v;

	(void)state;
	mac_of(mac, 1);
	discover(mac, 0x1001, ip);
	assert_int_equal(ip[0], 10);
	assert_int_equal(ip[3] >= 100 && ip[3] <= 199, 1);
	assert_int_equal(request(mac, 0x1002, ip, server_ip, &r), 5);
	assert_memory_equal(r.dhcp + 16, ip, 4);        /* yiaddr */
	assert_memory_equal(r.dhcp + 4, "\x00\x00\x10\x02", 4); /* xid */
	/* no broadcast flag: unicast to the new address and chaddr */
	assert_memory_equal(r.dst_mac, mac, 6);
	assert_memory_equal(r.dst_ip, ip, 4);
	assert_int_equal(r.sport, 67);
	assert_int_equal(r.dport, 68);
	v = ropt(&r, 54, &n);
	assert_memory_equal(v, server_ip, 4);
	v = ropt(&r, 51, &n);
	assert_int_equal(v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3], 3600);
	v = ropt(&r, 58, &n);
	assert_int_equal(v[2] << 8 | v[3], 1800);
	v = ropt(&r, 1, &n);
	assert_memory_equal(v, "\xff\xff\xff\x00", 4);
	assert_null(ropt(&r, 67, &n)); /* not a PXE client: no boot file */
	/* the ACK left only after the journal had it */
	assert_true(rbh_counter(&h, RB_CTR_dhcp_acks_durable) >= 1);
	assert_true(journal->syncs >= 1);
}

static void
test_broadcast_flag(void **state)
{
	uint8_t mac[6];
	struct tmsg t;
	struct reply r;

	(void)state;
	mac_of(mac, 2);
	tmsg_start(&t, mac, 0x2001);
	t.b[10] = 0x80;
	tmsg_type(&t, 1);
	tmsg_end(&t);
	send_bcast(&t);
	assert_int_equal(recv_reply(&r, 3000), 0);
	assert_memory_equal(r.dst_mac, bcast_mac, 6);
	assert_memory_equal(r.dst_ip, bcast_ip, 4);
}

static void
test_selecting_other_server(void **state)
{
	uint8_t mac[6], ip[4];
	static const uint8_t other[4] = {10, 99, 0, 2};
	struct reply r;
	uint64_t before = rbh_counter(&h, RB_CTR_DROP_dhcp_other_server);

	(void)state;
	mac_of(mac, 3);
	discover(mac, 0x3001, ip);
	assert_int_equal(request(mac, 0x3002, ip, other, &r), -1);
	assert_int_equal(rbh_counter(&h, RB_CTR_DROP_dhcp_other_server),
			 before + 1);
}

static void
test_init_reboot(void **state)
{
	uint8_t mac[6], ip[4], stranger[6];
	static const uint8_t elsewhere[4] = {10, 98, 0, 7};
	static const uint8_t free_ip[4] = {10, 99, 0, 198};
	struct reply r;
	uint64_t unknown = rbh_counter(&h, RB_CTR_DROP_dhcp_unknown_client);

	(void)state;
	mac_of(mac, 4);
	discover(mac, 0x4001, ip);
	assert_int_equal(request(mac, 0x4002, ip, server_ip, &r), 5);
	/* rebooting, it asks for its address again: ACK */
	assert_int_equal(request(mac, 0x4003, ip, NULL, &r), 5);
	/* another network's address: NAK, broadcast */
	assert_int_equal(request(mac, 0x4004, elsewhere, NULL, &r), 6);
	assert_memory_equal(r.dst_mac, bcast_mac, 6);
	assert_memory_equal(r.dhcp + 16, zero_ip, 4);
	/* a client we hold nothing for: silence (another server may) */
	mac_of(stranger, 444);
	assert_int_equal(request(stranger, 0x4005, free_ip, NULL, &r), -1);
	assert_int_equal(rbh_counter(&h, RB_CTR_DROP_dhcp_unknown_client),
			 unknown + 1);
	/* someone else's address, selecting us: NAK */
	assert_int_equal(request(stranger, 0x4006, ip, server_ip, &r), 6);
}

static void
test_renew_and_inform(void **state)
{
	uint8_t mac[6], ip[4], n;
	struct tmsg t;
	struct reply r;

	(void)state;
	mac_of(mac, 5);
	discover(mac, 0x5001, ip);
	assert_int_equal(request(mac, 0x5002, ip, server_ip, &r), 5);
	/* RENEWING: unicast from ciaddr, no 50/54 */
	tmsg_start(&t, mac, 0x5003);
	tmsg_addr(&t, TMSG_CIADDR, ip);
	tmsg_type(&t, 3);
	tmsg_end(&t);
	send_q(0, &t, ip, server_ip, 68, 67);
	assert_int_equal(recv_reply(&r, 3000), 0);
	assert_int_equal(rtype(&r), 5);
	assert_memory_equal(r.dst_ip, ip, 4);
	assert_memory_equal(r.dhcp + 12, ip, 4);  /* ciaddr echoed */
	assert_memory_equal(r.dhcp + 16, ip, 4);
	/* INFORM: configuration only, to ciaddr, no lease time */
	tmsg_start(&t, mac, 0x5004);
	tmsg_addr(&t, TMSG_CIADDR, ip);
	tmsg_type(&t, 8);
	tmsg_end(&t);
	send_q(0, &t, ip, server_ip, 68, 67);
	assert_int_equal(recv_reply(&r, 3000), 0);
	assert_int_equal(rtype(&r), 5);
	assert_memory_equal(r.dst_ip, ip, 4);
	assert_memory_equal(r.dhcp + 16, zero_ip, 4);
	assert_null(ropt(&r, 51, &n));
	assert_non_null(ropt(&r, 1, &n));
}

static void
test_decline_and_release(void **state)
{
	uint8_t mac[6], ip[4], ip2[4];
	struct tmsg t;
	struct reply r;

	(void)state;
	mac_of(mac, 6);
	discover(mac, 0x6001, ip);
	assert_int_equal(request(mac, 0x6002, ip, server_ip, &r), 5);
	/* the address answers ARP elsewhere: DECLINE, then a new one */
	tmsg_start(&t, mac, 0x6003);
	tmsg_type(&t, 4);
	tmsg_ip(&t, 50, ip);
	tmsg_ip(&t, 54, server_ip);
	tmsg_end(&t);
	send_bcast(&t);
	discover(mac, 0x6004, ip2);
	assert_memory_not_equal(ip, ip2, 4);
	assert_int_equal(request(mac, 0x6005, ip2, server_ip, &r), 5);
	/* RELEASE: no reply; the address goes back */
	tmsg_start(&t, mac, 0x6006);
	tmsg_addr(&t, TMSG_CIADDR, ip2);
	tmsg_type(&t, 7);
	tmsg_ip(&t, 54, server_ip);
	tmsg_end(&t);
	send_q(0, &t, ip2, server_ip, 68, 67);
	assert_int_equal(recv_reply(&r, 300), -1);
	assert_true(rbh_counter(&h, RB_CTR_dhcp_release) >= 1);
	assert_true(rbh_counter(&h, RB_CTR_dhcp_decline) >= 1);
}

static void
test_relayed(void **state)
{
	uint8_t mac[6], n, relay_mac[6] = {0x02, 0xaa, 0, 0, 0, 1};
	static const uint8_t agent[] = {1, 4, 'p', 'o', 'r', 't'};
	uint8_t frame[1600];
	struct tmsg t;
	struct reply r;
	const uint8_t *v;
	size_t len;

	(void)state;
	mac_of(mac, 7);
	tmsg_start(&t, mac, 0x7001);
	t.b[3] = 1; /* hops */
	tmsg_addr(&t, TMSG_GIADDR, relay_ip);
	tmsg_type(&t, 1);
	tmsg_opt(&t, 82, agent, sizeof(agent));
	tmsg_end(&t);
	/* relays unicast from their own address and port 67 */
	len = t_udp_raw(frame, our_mac, relay_ip, server_ip, 67, 67, t.b, t.len);
	memcpy(frame + 6, relay_mac, 6);
	assert_int_equal(rbh_inject(&h, frame, len), 0);
	assert_int_equal(recv_reply(&r, 3000), 0);
	assert_int_equal(rtype(&r), 2);
	/* from the relay's pool, back to the relay's server port */
	assert_int_equal(r.dhcp[16], 10);
	assert_int_equal(r.dhcp[17], 99);
	assert_int_equal(r.dhcp[18], 8);
	assert_memory_equal(r.dst_ip, relay_ip, 4);
	assert_memory_equal(r.dst_mac, relay_mac, 6);
	assert_int_equal(r.dport, 67);
	assert_memory_equal(r.dhcp + 24, relay_ip, 4); /* giaddr kept */
	v = ropt(&r, 82, &n);
	assert_non_null(v);
	assert_int_equal(n, sizeof(agent));
	assert_memory_equal(v, agent, sizeof(agent));
	v = ropt(&r, 3, &n); /* the relay is the router */
	assert_memory_equal(v, relay_ip, 4);
	/* a relay from a subnet nobody serves: dropped */
	tmsg_addr(&t, TMSG_GIADDR, (const uint8_t[]){10, 97, 0, 1});
	len = t_udp_raw(frame, our_mac, relay_ip, server_ip, 67, 67, t.b, t.len);
	assert_int_equal(rbh_inject(&h, frame, len), 0);
	assert_int_equal(recv_reply(&r, 300), -1);
	assert_true(rbh_counter(&h, RB_CTR_DROP_dhcp_no_pool) >= 1);
}

static void
test_reservation(void **state)
{
	uint8_t ip[4], other[6];
	struct reply r;
	static const uint8_t want[4] = {10, 99, 0, 150};

	(void)state;
	discover(reserved_mac, 0x8001, ip);
	assert_memory_equal(ip, want, 4);
	assert_int_equal(request(reserved_mac, 0x8002, ip, server_ip, &r), 5);
	/* nobody else can have it */
	mac_of(other, 8);
	assert_int_equal(request(other, 0x8003, want, server_ip, &r), 6);
}

static void
test_pxe_classes(void **state)
{
	static const struct {
		uint16_t arch;
		const char *vendor, *uclass, *file;
	} cases[] = {
		{0, "PXEClient:Arch:00000:UNDI:002001", NULL, "undionly.kpxe"},
		{7, "PXEClient:Arch:00007:UNDI:003016", NULL, "ipxe.efi"},
		{9, "PXEClient:Arch:00009:UNDI:003016", NULL, "ipxe.efi"},
		{11, "PXEClient:Arch:00011:UNDI:003016", NULL, "ipxe-arm64.efi"},
		{16, "HTTPClient:Arch:00016:UNDI:003000", NULL,
		 "http://10.99.0.1/ipxe.efi"},
		{19, "HTTPClient:Arch:00019:UNDI:003000", NULL,
		 "http://10.99.0.1/ipxe-arm64.efi"},
		{0, "PXEClient:Arch:00000:UNDI:002001", "iPXE",
		 "http://10.99.0.1/boot.ipxe"},
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t mac[6], n;
		struct tmsg t;
		struct reply r;
		const uint8_t *v;

		mac_of(mac, 100 + i);
		tmsg_start(&t, mac, 0x9000 + i);
		tmsg_type(&t, 1);
		tmsg_str(&t, 60, cases[i].vendor);
		tmsg_arch(&t, cases[i].arch);
		if (cases[i].uclass)
			tmsg_str(&t, 77, cases[i].uclass);
		tmsg_end(&t);
		send_bcast(&t);
		assert_int_equal(recv_reply(&r, 3000), 0);
		assert_string_equal((const char *)r.dhcp + 108, cases[i].file);
		v = ropt(&r, 67, &n);
		assert_int_equal(n, strlen(cases[i].file));
		assert_memory_equal(v, cases[i].file, n);
		assert_memory_equal(r.dhcp + 20, server_ip, 4); /* siaddr */
		v = ropt(&r, 60, &n);
		assert_memory_equal(v, cases[i].vendor, n);
	}
}

/* two workers, each fed on its own queue, 1,000 clients each, one pool:
 * every ACK names a different address */
static void
test_two_workers_one_pool(void **state)
{
	static uint8_t owner[4096];
	unsigned int i, acks = 0, offers = 0;
	struct reply r;

	(void)state;
	for (i = 0; i < 2000; i++)
		send_relayed_discover(i % 2, 10000 + i, 0xa0000 + i,
				      (const uint8_t[]){10, 99, 16, 1});
	/* each OFFER is answered with a REQUEST on the other worker's
	 * queue, so both workers bind into the pool at once; OFFERs and ACKs
	 * come back in whatever order the workers finish them */
	while (acks < 2000 && recv_reply(&r, 5000) == 0) {
		struct tmsg t;
		uint8_t mac[6], ip[4];
		uint32_t idx;

		if (rtype(&r) == 2) {
			memcpy(mac, r.dhcp + 28, 6);
			memcpy(ip, r.dhcp + 16, 4);
			tmsg_start(&t, mac, 0xb0000 + offers);
			tmsg_addr(&t, TMSG_GIADDR,
				  (const uint8_t[]){10, 99, 16, 1});
			tmsg_type(&t, 3);
			tmsg_ip(&t, 50, ip);
			tmsg_ip(&t, 54, server_ip);
			tmsg_end(&t);
			send_q((offers + 1) % 2, &t,
			       (const uint8_t[]){10, 99, 16, 1}, server_ip, 67,
			       67);
			offers++;
			continue;
		}
		assert_int_equal(rtype(&r), 5);
		idx = (uint32_t)(r.dhcp[18] - 16) * 256 + r.dhcp[19];
		assert_true(idx < 4096);
		assert_int_equal(owner[idx], 0);
		owner[idx] = 1;
		acks++;
	}
	assert_int_equal(offers, 2000);
	assert_int_equal(acks, 2000);
}

/*
 * The default offer limit, three quarters of the pool: 100 machines
 * powered on together behind one relay in a pool of 100, never
 * requesting, get 75 offers; the other 25 DISCOVERs are counted and
 * dropped.  (Half the pool held back 905 of a 5,000-machine storm.)
 */
static void
test_default_offer_limit(void **state)
{
	const uint8_t relay[4] = {10, 99, 40, 1};
	uint64_t limited = rbh_counter(&h, RB_CTR_DROP_dhcp_offer_limit);
	unsigned int i, offers = 0;
	struct reply r;

	(void)state;
	for (i = 0; i < 100; i++)
		send_relayed_discover(i % 2, 30000 + i, 0xc0000 + i, relay);
	while (recv_reply(&r, 1000) == 0) {
		assert_int_equal(rtype(&r), 2);
		offers++;
	}
	assert_int_equal(offers, 75);
	assert_int_equal(rbh_counter(&h, RB_CTR_DROP_dhcp_offer_limit),
			 limited + 25);
}

/* --- setup --- */

static int
group_setup(void **state)
{
	static struct rb_dhcp_conf dc;
	static struct rb_dhcp_host host;
	struct rb_dp_conf conf;
	char path[128];
	unsigned int i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rbringdhcp.XXXXXX");
	if (mkdtemp(dir) == NULL || rbh_eal_init() < 0)
		return -1;
	memset(&dc, 0, sizeof(dc));
	memcpy(&dc.server_ip, server_ip, 4);
	dc.offer_secs = 30;
	dc.decline_secs = 600;
	dc.sync = 1;
	dc.nb_pools = 4;
	dc.pools[0] = (struct rb_dhcp_pool_conf){
		rte_cpu_to_be_32(0x0a630064), rte_cpu_to_be_32(0x0a6300c7),
		rte_cpu_to_be_32(0x0a630000), rte_cpu_to_be_32(0xffffff00), 3600};
	dc.pools[1] = (struct rb_dhcp_pool_conf){
		rte_cpu_to_be_32(0x0a63080a), rte_cpu_to_be_32(0x0a6308fa),
		rte_cpu_to_be_32(0x0a630800), rte_cpu_to_be_32(0xffffff00), 3600};
	dc.pools[2] = (struct rb_dhcp_pool_conf){
		rte_cpu_to_be_32(0x0a631002), rte_cpu_to_be_32(0x0a631ffe),
		rte_cpu_to_be_32(0x0a631000), rte_cpu_to_be_32(0xfffff000), 3600};
	dc.pools[3] = (struct rb_dhcp_pool_conf){ /* 100 addresses */
		rte_cpu_to_be_32(0x0a63280a), rte_cpu_to_be_32(0x0a63286d),
		rte_cpu_to_be_32(0x0a632800), rte_cpu_to_be_32(0xffffff00), 3600};
	host.key.len = 7;
	host.key.data[0] = 1;
	memcpy(host.key.data + 1, reserved_mac, 6);
	memcpy(&host.ip, (const uint8_t[]){10, 99, 0, 150}, 4);
	dc.hosts = &host;
	dc.nb_hosts = 1;
	snprintf(dc.boot_file[RB_FW_BIOS], RB_BOOTFILE_MAX, "undionly.kpxe");
	snprintf(dc.boot_file[RB_FW_EFI_X64], RB_BOOTFILE_MAX, "ipxe.efi");
	snprintf(dc.boot_file[RB_FW_EFI_ARM64], RB_BOOTFILE_MAX,
		 "ipxe-arm64.efi");
	for (i = RB_FW_HTTP_IA32; i <= RB_FW_HTTP_ARM64; i++)
		snprintf(dc.boot_file[i], RB_BOOTFILE_MAX, "http://10.99.0.1/%s",
			 i == RB_FW_HTTP_ARM64 ? "ipxe-arm64.efi" : "ipxe.efi");
	snprintf(dc.boot_file[RB_FW_IPXE], RB_BOOTFILE_MAX,
		 "http://10.99.0.1/boot.ipxe");
	if (rb_dhcpd_create(&dc, NULL, &dhcpd) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/leases", dir);
	if (rb_journal_start(path, 1, 2, &journal) < 0)
		return -1;
	rb_dhcpd_attach_journal(dhcpd, journal);

	rbh_conf(&conf, server_ip);
	conf.idle_sleep_us = 20;
	conf.services[conf.nb_services++] =
		(struct rb_udp_service){"dhcp", 67, 67, rb_dhcpd_handle, dhcpd};
	conf.services[conf.nb_services++] = (struct rb_udp_service){
		"pxe", 4011, 4011, rb_dhcpd_handle, dhcpd};
	conf.pollers[conf.nb_pollers].fn = rb_dhcpd_poll;
	conf.pollers[conf.nb_pollers++].ctx = dhcpd;
	if (rbh_start_queues(&h, &conf, 2) < 0)
		return -1;
	memcpy(our_mac, rb_dp_netif(h.dp)->mac.addr_bytes, 6);
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	rb_dp_stop(h.dp);
	rb_dp_wait(h.dp);
	rb_journal_stop(journal);
	rbh_stop(&h);
	rb_dhcpd_destroy(dhcpd);
	rbh_eal_fini();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer_and_ack),
		cmocka_unit_test(test_broadcast_flag),
		cmocka_unit_test(test_selecting_other_server),
		cmocka_unit_test(test_init_reboot),
		cmocka_unit_test(test_renew_and_inform),
		cmocka_unit_test(test_decline_and_release),
		cmocka_unit_test(test_relayed),
		cmocka_unit_test(test_reservation),
		cmocka_unit_test(test_pxe_classes),
		cmocka_unit_test(test_two_workers_one_pool),
		cmocka_unit_test(test_default_offer_limit),
	};

	return cmocka_run_group_tests_name("ring_dhcp", tests, group_setup,
					   group_teardown);
}
