/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DHCP server (RFC 2131) with PXE boot information, and proxyDHCP.
 *
 * A request is parsed into its option table, classified (PXE, UEFI HTTP,
 * iPXE), matched to a pool by the relay's address or our own subnet, and
 * answered by rewriting the request's mbuf.  An ACK that binds a lease
 * goes to the journal first and leaves when the journal gives it back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "rackboot/bootev.h"
#include "rackboot/dataplane.h"
#include "rackboot/dhcp.h"
#include "rackboot/dhcp_facts.h"
#include "rackboot/dhcpd.h"
#include "rackboot/log.h"
#include "rackboot/profiles.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define PXE_PORT 4011
/* the biggest reply we build: RFC 2131's 576-byte minimum is plenty */
#define REPLY_CAP 576
/* replies a worker holds for the reply_delay_ms quirk at once */
#define DELAY_SLOTS 256

/** A worker's replies waiting out a group's reply delay. */
struct delayq {
	unsigned int n;
	struct rte_mbuf *m[DELAY_SLOTS];
	uint64_t due[DELAY_SLOTS]; /**< TSC */
};

struct rb_dhcpd {
	struct rb_dhcp_conf conf;
	struct rb_pool pools[RB_DHCP_MAX_POOLS];
	struct rte_hash *hosts;       /**< client key -> reserved address */
	struct rb_journal *journal;
	char server_str[INET_ADDRSTRLEN]; /**< option 66 */
	/* per worker: the reply is built here, then copied into the mbuf,
	 * because the request's options are read while writing it */
	uint8_t scratch[RB_DP_MAX_WORKERS][REPLY_CAP] __attribute__((aligned(64)));
	const struct rb_profiles *profiles; /**< atomic: reloads swap it */
	struct delayq delay[RB_DP_MAX_WORKERS];
	struct rb_bootev_q *track;          /**< boot events, or NULL */
	uint64_t next_sweep;                /**< TSC of the next offer sweep */
};

/** Everything about the request being answered. */
struct req {
	struct rb_dhcpd *d;
	struct rb_worker *w;
	struct rb_counters *ctr;
	struct rte_mbuf *m;
	const struct rb_frame *f;
	struct rb_dhcp_msg msg;
	struct rb_pxe_client pxe;
	struct rb_client_key key;
	struct rb_client_key hwkey;
	uint32_t now;
	int to_4011;
	/* the machine's profile group, when the snapshot needs DHCP to know */
	const struct rb_profiles *profiles;
	int group;                      /**< -1: none, or not looked up */
	const struct rb_quirks *quirks; /**< the group's, or NULL */
};

static uint32_t
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (uint32_t)ts.tv_sec;
}

/* --- setup --- */

int
rb_dhcpd_create(const struct rb_dhcp_conf *c, struct rb_journal *journal,
		struct rb_dhcpd **out)
{
	struct rte_hash_parameters hp;
	struct rb_dhcpd *d;
	unsigned int i;
	char name[32];
	int rc;

	d = rte_zmalloc("rb_dhcpd", sizeof(*d), 64);
	if (d == NULL)
		return -ENOMEM;
	d->conf = *c;
	d->conf.hosts = NULL;
	d->journal = journal;
	inet_ntop(AF_INET, &c->server_ip, d->server_str, sizeof(d->server_str));
	for (i = 0; i < c->nb_pools; i++) {
		snprintf(name, sizeof(name), "pool%u", i);
		rc = rb_pool_init(&d->pools[i], name, c->pools[i].lo,
				  c->pools[i].hi, c->pools[i].net,
				  c->pools[i].mask);
		if (rc < 0) {
			rb_log(RB_LOG_ERR, "dhcp_error", "pool %u: %s", i,
			       strerror(-rc));
			rb_dhcpd_destroy(d);
			return rc;
		}
		/* three quarters: a storm of machines powered on together
		 * (5,000 in a pool of 8,190) all get offers at once, and a
		 * flood still leaves a quarter to the other sources */
		if (c->offer_limit == 0)
			d->pools[i].offer_limit =
				(uint32_t)(((uint64_t)d->pools[i].size * 3 + 3) / 4);
		else if (c->offer_limit != UINT32_MAX)
			d->pools[i].offer_limit = c->offer_limit;
	}
	memset(&hp, 0, sizeof(hp));
	hp.name = "rb_dhcp_hosts";
	hp.entries = c->nb_hosts < 64 ? 64 : c->nb_hosts * 2;
	hp.key_len = sizeof(struct rb_client_key);
	hp.hash_func = rte_jhash;
	hp.socket_id = (int)rte_socket_id();
	d->hosts = rte_hash_create(&hp);
	if (d->hosts == NULL) {
		rb_dhcpd_destroy(d);
		return -ENOMEM;
	}
	for (i = 0; i < c->nb_hosts; i++) {
		const struct rb_dhcp_host *h = &c->hosts[i];
		int p = rb_dhcpd_pool_of(d, h->ip);

		rte_hash_add_key_data(d->hosts, &h->key,
				      (void *)(uintptr_t)h->ip);
		/* a reserved address inside a range is never pooled out */
		if (p >= 0 && rb_pool_has(&d->pools[p], h->ip))
			rb_pool_pin(&d->pools[p], &h->key, h->ip);
	}
	*out = d;
	return 0;
}

void
rb_dhcpd_attach_journal(struct rb_dhcpd *d, struct rb_journal *j)
{
	d->journal = j;
}

void
rb_dhcpd_set_profiles(struct rb_dhcpd *d, const struct rb_profiles *p)
{
	__atomic_store_n(&d->profiles, p, __ATOMIC_RELEASE);
}

void
rb_dhcpd_set_tracker(struct rb_dhcpd *d, struct rb_bootev_q *q)
{
	__atomic_store_n(&d->track, q, __ATOMIC_RELEASE);
}

/** A boot event about this request's client. */
static void
track(const struct req *q, uint8_t kind, uint32_t ip)
{
	struct rb_bootev_q *t = __atomic_load_n(&q->d->track, __ATOMIC_ACQUIRE);

	if (t && q->msg.hdr->hlen == 6)
		rb_bootev_push(t, kind, q->pxe.netboot ? RB_BOOTEV_PXE : 0,
			       q->msg.hdr->chaddr, ip, NULL);
}

void
rb_dhcpd_destroy(struct rb_dhcpd *d)
{
	unsigned int i;

	if (d == NULL)
		return;
	for (i = 0; i < RB_DP_MAX_WORKERS; i++)
		rte_pktmbuf_free_bulk(d->delay[i].m, d->delay[i].n);
	for (i = 0; i < d->conf.nb_pools; i++)
		if (d->pools[i].leases)
			rb_pool_free(&d->pools[i]);
	rte_hash_free(d->hosts);
	rte_free(d);
}

int
rb_dhcpd_pool_of(const struct rb_dhcpd *d, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < d->conf.nb_pools; i++)
		if (rb_pool_in_subnet(&d->pools[i], ip))
			return (int)i;
	return -1;
}

int
rb_dhcpd_mac_of(struct rb_dhcpd *d, uint32_t ip, uint8_t mac[6])
{
	int p = rb_dhcpd_pool_of(d, ip);

	return p < 0 ? -1
		     : rb_pool_mac_of(&d->pools[p], ip, (uint32_t)time(NULL),
				      mac);
}

int
rb_dhcpd_arch_of(struct rb_dhcpd *d, uint32_t ip)
{
	int p = rb_dhcpd_pool_of(d, ip);

	return p < 0 ? -1
		     : rb_pool_arch_of(&d->pools[p], ip, (uint32_t)time(NULL));
}

/** Note the client's firmware arch on its lease of @p ip. */
static void
note_arch(const struct req *q, uint32_t ip)
{
	int p = rb_dhcpd_pool_of(q->d, ip);

	if (p >= 0)
		rb_pool_set_arch(&q->d->pools[p], ip,
				 q->pxe.netboot ? (int)q->pxe.arch : -1);
}

struct rb_pool *
rb_dhcpd_pool(struct rb_dhcpd *d, unsigned int i)
{
	return i < d->conf.nb_pools ? &d->pools[i] : NULL;
}

unsigned int
rb_dhcpd_pools(const struct rb_dhcpd *d)
{
	return d->conf.nb_pools;
}

void
rb_dhcpd_restore(void *ctx, const struct rb_journal_rec *r)
{
	struct rb_dhcpd *d = ctx;
	int p = rb_dhcpd_pool_of(d, r->ip);
	static const struct rb_client_key none;

	if (p < 0)
		return; /* a subnet no longer served */
	switch (r->type) {
	case RB_JREC_BIND:
		rb_pool_restore(&d->pools[p], &r->key, r->mac, r->ip,
				RB_LEASE_BOUND, r->expires);
		break;
	case RB_JREC_RELEASE:
		rb_pool_restore(&d->pools[p], &r->key, r->mac, r->ip,
				RB_LEASE_FREE, 0);
		break;
	case RB_JREC_DECLINE:
		rb_pool_restore(&d->pools[p], &none, r->mac, r->ip,
				RB_LEASE_DECLINED, r->expires);
		break;
	}
}

/* --- reading the request --- */

/** The client's key: its client identifier, else htype + chaddr. */
static void
client_keys(struct req *q)
{
	const struct rb_dhcp_hdr *h = q->msg.hdr;
	const uint8_t *id = q->msg.opt[RB_OPT_CLIENT_ID];
	uint16_t idlen = q->msg.opt_len[RB_OPT_CLIENT_ID];

	memset(&q->hwkey, 0, sizeof(q->hwkey));
	q->hwkey.len = (uint8_t)(1 + h->hlen);
	q->hwkey.data[0] = h->htype;
	memcpy(q->hwkey.data + 1, h->chaddr, h->hlen);
	if (id && idlen >= 1 && idlen <= RB_KEY_MAX) {
		memset(&q->key, 0, sizeof(q->key));
		q->key.len = (uint8_t)idlen;
		memcpy(q->key.data, id, idlen);
	} else {
		q->key = q->hwkey;
	}
}

/** The client's reserved address (by client id, then by MAC), or 0. */
static uint32_t
reserved_ip(const struct req *q)
{
	void *data;

	if (rte_hash_lookup_data(q->d->hosts, &q->key, &data) >= 0 ||
	    rte_hash_lookup_data(q->d->hosts, &q->hwkey, &data) >= 0)
		return (uint32_t)(uintptr_t)data;
	return 0;
}

/** The request's pool: the relay's subnet, else our own; or -1. */
static int
pool_for(const struct req *q)
{
	uint32_t giaddr = q->msg.hdr->giaddr;

	return rb_dhcpd_pool_of(q->d, giaddr ? giaddr : q->d->conf.server_ip);
}

/* --- writing the reply --- */

/** PXE and HTTP boot information, when the client boots from the network. */
static void
put_boot_info(struct req *q, struct rb_dhcp_writer *wr)
{
	struct rb_dhcp_hdr *h = rb_dhcp_reply_hdr(wr);
	const char *file = q->d->conf.boot_file[q->pxe.fw], *own;
	size_t flen;

	/* the machine's profile may choose its own boot path */
	if (q->group >= 0 &&
	    (own = rb_profiles_boot_file(q->profiles, q->group, q->pxe.fw)))
		file = own;
	flen = strnlen(file, RB_BOOTFILE_MAX);

	if (!q->pxe.netboot || flen == 0)
		return;
	h->siaddr = q->d->conf.server_ip;
	if (flen < sizeof(h->file))
		memcpy(h->file, file, flen);
	if (!rb_fw_is_http(q->pxe.fw))
		rb_dhcp_put_str(wr, RB_OPT_TFTP_SERVER, q->d->server_str);
	rb_dhcp_put(wr, RB_OPT_BOOTFILE, file, flen);
	if (q->pxe.http_client) {
		/* UEFI HTTP Boot takes a URL only with HTTPClient echoed */
		rb_dhcp_put_str(wr, RB_OPT_VENDOR_CLASS, "HTTPClient");
	} else {
		static const uint8_t discovery[] = {
			/* PXE_DISCOVERY_CONTROL: boot the file in this reply,
			 * no boot-server discovery */
			6, 1, 8, 255};

		rb_dhcp_put_str(wr, RB_OPT_VENDOR_CLASS, "PXEClient");
		/* omit_option_43: firmware that chokes on vendor options */
		if (!q->pxe.ipxe &&
		    !(q->quirks && q->quirks->omit_option_43))
			rb_dhcp_put(wr, RB_OPT_VENDOR, discovery,
				    sizeof(discovery));
	}
	if (q->pxe.has_uuid) {
		uint8_t uuid[17] = {0};

		memcpy(uuid + 1, q->pxe.uuid, 16);
		rb_dhcp_put(wr, RB_OPT_CLIENT_UUID, uuid, sizeof(uuid));
	}
	if (q->pxe.ipxe) {
		/* iPXE's no-pxedhcp: do not wait for proxyDHCP offers */
		static const uint8_t no_pxedhcp[] = {176, 1, 1};

		rb_dhcp_put(wr, RB_OPT_IPXE, no_pxedhcp, sizeof(no_pxedhcp));
	}
	rb_count(q->ctr, RB_CTR_dhcp_pxe_replies, 1);
}

/** Lease times, mask and router of an address reply. */
static void
put_lease(struct req *q, struct rb_dhcp_writer *wr, int pool, uint32_t secs)
{
	const struct rb_dhcp_pool_conf *pc = &q->d->conf.pools[pool];

	rb_dhcp_put_u32(wr, RB_OPT_LEASE_TIME, rte_cpu_to_be_32(secs));
	rb_dhcp_put_u32(wr, RB_OPT_RENEWAL_TIME, rte_cpu_to_be_32(secs / 2));
	rb_dhcp_put_u32(wr, RB_OPT_REBINDING_TIME,
			rte_cpu_to_be_32(secs / 8 * 7));
	rb_dhcp_put_u32(wr, RB_OPT_SUBNET_MASK, pc->mask);
	/* behind a relay, the relay is the way out */
	if (q->msg.hdr->giaddr)
		rb_dhcp_put_u32(wr, RB_OPT_ROUTER, q->msg.hdr->giaddr);
}

/** Start a reply of @p type in this worker's scratch space. */
static void
reply_start(struct req *q, struct rb_dhcp_writer *wr, uint8_t type)
{
	size_t cap = REPLY_CAP;

	rb_dhcp_reply_start(wr, q->d->scratch[rb_worker_index(q->w)], cap,
			    &q->msg, type);
	rb_dhcp_put_u32(wr, RB_OPT_SERVER_ID, q->d->conf.server_ip);
}

/**
 * Finish the reply and turn the request's mbuf into its frame, addressed
 * as RFC 2131 4.1 says.
 */
static void
reply_frame(struct req *q, struct rb_dhcp_writer *wr, uint8_t type)
{
	const struct rb_netif *nif = rb_worker_netif(q->w);
	const struct rb_dhcp_hdr *rq = q->msg.hdr;
	struct rb_dhcp_hdr *h = rb_dhcp_reply_hdr(wr);
	static const struct rte_ether_addr bcast = {
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct rte_ether_addr dst_mac, src_mac;
	uint8_t *frame = rte_pktmbuf_mtod(q->m, uint8_t *);
	uint32_t dst_ip, len;
	uint16_t sport, dport;

	/* a relayed request's option 82 goes back to the relay as it came */
	if (rq->giaddr && q->msg.opt[RB_OPT_RELAY_INFO])
		rb_dhcp_put(wr, RB_OPT_RELAY_INFO, q->msg.opt[RB_OPT_RELAY_INFO],
			    q->msg.opt_len[RB_OPT_RELAY_INFO]);
	len = (uint32_t)rb_dhcp_finish(wr);

	src_mac = ((const struct rte_ether_hdr *)frame)->src_addr;
	sport = q->to_4011 ? PXE_PORT : DHCP_SERVER_PORT;
	dport = DHCP_CLIENT_PORT;
	if (rq->giaddr) {
		/* relayed: unicast to the relay's server port */
		dst_ip = rq->giaddr;
		dst_mac = src_mac;
		dport = DHCP_SERVER_PORT;
		if (type == RB_DHCPNAK)
			h->flags |= rte_cpu_to_be_16(RB_DHCP_FLAG_BROADCAST);
	} else if (q->to_4011 && q->f->src_ip) {
		/* the boot-server exchange answers where it was asked from */
		dst_ip = q->f->src_ip;
		dst_mac = src_mac;
		dport = q->f->src_port;
	} else if (type == RB_DHCPNAK) {
		dst_ip = UINT32_MAX;
		dst_mac = bcast;
	} else if (rq->ciaddr) {
		dst_ip = rq->ciaddr;
		dst_mac = src_mac;
	} else if ((rq->flags & rte_cpu_to_be_16(RB_DHCP_FLAG_BROADCAST)) ||
		   h->yiaddr == 0 || rq->htype != 1) {
		dst_ip = UINT32_MAX;
		dst_mac = bcast;
	} else {
		/* the client has no address yet: straight to its MAC */
		dst_ip = h->yiaddr;
		memcpy(dst_mac.addr_bytes, rq->chaddr, 6);
	}
	memcpy(frame + RB_UDP_PAYLOAD_OFF, wr->buf, len);
	len = rb_udp_build(frame, &nif->mac, &dst_mac, q->d->conf.server_ip,
			   dst_ip, sport, dport, (uint16_t)len);
	q->m->data_len = (uint16_t)len;
	q->m->pkt_len = len;
	switch (type) {
	case RB_DHCPOFFER:
		rb_count(q->ctr, RB_CTR_dhcp_offer, 1);
		break;
	case RB_DHCPACK:
		rb_count(q->ctr, RB_CTR_dhcp_ack, 1);
		break;
	case RB_DHCPNAK:
		rb_count(q->ctr, RB_CTR_dhcp_nak, 1);
		break;
	}
}

static void
send_now(struct req *q)
{
	rb_worker_tx(q->w, q->m);
	q->m = NULL;
}

/**
 * Send a reply now, or hold it for the group's reply_delay_ms (firmware
 * that misses a reply arriving too soon after its request).  A full
 * queue sends at once: a late quirk beats a lost reply.
 */
static void
send_reply(struct req *q)
{
	struct delayq *dq = &q->d->delay[rb_worker_index(q->w)];

	if (q->quirks == NULL || q->quirks->reply_delay_ms == 0) {
		send_now(q);
		return;
	}
	if (dq->n == DELAY_SLOTS) {
		rb_count(q->ctr, RB_CTR_dhcp_delay_full, 1);
		send_now(q);
		return;
	}
	dq->m[dq->n] = q->m;
	dq->due[dq->n] = rte_get_timer_cycles() +
			 rte_get_timer_hz() * q->quirks->reply_delay_ms / 1000;
	dq->n++;
	q->m = NULL;
	rb_count(q->ctr, RB_CTR_dhcp_delayed, 1);
}

/** Send the held replies whose delay is over, keeping the others' order. */
static void
delay_flush(struct delayq *dq, struct rb_worker *w)
{
	uint64_t now = rte_get_timer_cycles();
	unsigned int i, k = 0;

	for (i = 0; i < dq->n; i++) {
		if (dq->due[i] <= now) {
			rb_worker_tx(w, dq->m[i]);
		} else {
			dq->m[k] = dq->m[i];
			dq->due[k++] = dq->due[i];
		}
	}
	dq->n = k;
}

/**
 * Find the machine's group when the snapshot has something for DHCP
 * (boot files or DHCP quirks): its facts are the request's mac, uuid,
 * arch, vendor class, user class and relay.
 */
static void
match_group(struct req *q)
{
	const struct rb_profiles *p =
		__atomic_load_n(&q->d->profiles, __ATOMIC_ACQUIRE);
	struct rb_dhcp_facts facts;

	q->profiles = p;
	q->group = -1;
	q->quirks = NULL;
	if (p == NULL || !rb_profiles_have_data(p) ||
	    !(rb_profiles_quirk_mask(p) &
	      (RB_QUIRK_BOOT_FILE | RB_QUIRK_REPLY_DELAY | RB_QUIRK_OMIT_43)))
		return;
	rb_dhcp_facts(&q->msg, &q->pxe, &facts);
	q->group = rb_profiles_match(p, rb_worker_index(q->w), &facts.m,
				     facts.fact, facts.nfacts, NULL, 0);
	if (q->group >= 0) {
		q->quirks = rb_profiles_quirks(p, q->group);
		rb_count(q->ctr, RB_CTR_dhcp_profiled, 1);
	}
}

static void
drop(struct req *q, enum rb_counter why)
{
	rb_count(q->ctr, why, 1);
	rte_pktmbuf_free(q->m);
	q->m = NULL;
}

/** A journal record for the lease @p ip of this client. */
static void
journal_rec(const struct req *q, struct rb_journal_rec *r, uint8_t type,
	    uint32_t ip, uint32_t expires)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->ip = ip;
	r->expires = expires;
	memcpy(r->mac, q->msg.hdr->chaddr, 6);
	r->key = q->key;
}

/**
 * Send an ACK that binds a lease: through the journal, so it leaves once
 * the lease is on disk (or at once, record following, without sync).
 */
static void
send_bound_ack(struct req *q, uint32_t ip, uint32_t expires)
{
	struct rb_journal_rec r;
	struct rb_journal *j = q->d->journal;

	track(q, RB_BOOTEV_ACK, ip);
	note_arch(q, ip);
	if (j == NULL) {
		send_now(q);
		return;
	}
	journal_rec(q, &r, RB_JREC_BIND, ip, expires);
	if (!q->d->conf.sync) {
		if (rb_journal_submit(j, &r, NULL, rb_worker_index(q->w)) < 0)
			rb_count(q->ctr, RB_CTR_DROP_dhcp_journal_full, 1);
		send_now(q);
		return;
	}
	if (rb_journal_submit(j, &r, q->m, rb_worker_index(q->w)) < 0) {
		drop(q, RB_CTR_DROP_dhcp_journal_full);
		return;
	}
	rb_count(q->ctr, RB_CTR_dhcp_acks_pending, 1);
	q->m = NULL;
}

static void
send_nak(struct req *q, const char *why)
{
	struct rb_dhcp_writer wr;

	reply_start(q, &wr, RB_DHCPNAK);
	rb_dhcp_put_str(&wr, RB_OPT_MESSAGE, why);
	reply_frame(q, &wr, RB_DHCPNAK);
	send_now(q);
}

/* --- the message types --- */

/**
 * Where a DISCOVER came from, for the pool's offer limit: the relay's
 * address, else the port it arrived on as 0.0.0.N (no relay has it).
 */
static uint32_t
offer_source(const struct req *q)
{
	if (q->msg.hdr->giaddr)
		return q->msg.hdr->giaddr;
	return rte_cpu_to_be_32((uint32_t)q->m->port + 1);
}

static void
discover(struct req *q)
{
	struct rb_dhcp_writer wr;
	int p = pool_for(q);
	uint32_t ip = reserved_ip(q);
	uint32_t secs;

	rb_count(q->ctr, RB_CTR_dhcp_discover, 1);
	if (p < 0) {
		drop(q, RB_CTR_DROP_dhcp_no_pool);
		return;
	}
	secs = q->d->conf.pools[p].lease_secs;
	if (ip == 0) {
		int rc = rb_pool_offer(&q->d->pools[p], &q->key,
				       q->msg.hdr->chaddr,
				       rb_dhcp_opt_ip(&q->msg, RB_OPT_REQUESTED_IP),
				       offer_source(q), q->now,
				       q->d->conf.offer_secs, &ip);

		if (rc < 0) {
			drop(q, rc == RB_OFFER_LIMITED
					? RB_CTR_DROP_dhcp_offer_limit
					: RB_CTR_DROP_dhcp_pool_exhausted);
			return;
		}
	}
	reply_start(q, &wr, RB_DHCPOFFER);
	rb_dhcp_reply_hdr(&wr)->yiaddr = ip;
	put_lease(q, &wr, p, secs);
	put_boot_info(q, &wr);
	reply_frame(q, &wr, RB_DHCPOFFER);
	track(q, RB_BOOTEV_OFFER, ip);
	note_arch(q, ip);
	send_reply(q);
}

static void
request(struct req *q)
{
	const struct rb_dhcp_hdr *h = q->msg.hdr;
	uint32_t server = rb_dhcp_opt_ip(&q->msg, RB_OPT_SERVER_ID);
	uint32_t requested = rb_dhcp_opt_ip(&q->msg, RB_OPT_REQUESTED_IP);
	uint32_t resv = reserved_ip(q), ip, expires = 0, secs;
	int p = pool_for(q), init_reboot = 0, renewing = 0;
	struct rb_dhcp_writer wr;

	rb_count(q->ctr, RB_CTR_dhcp_request, 1);
	if (server) {
		/* SELECTING: the client chose among offers */
		if (server != q->d->conf.server_ip) {
			drop(q, RB_CTR_DROP_dhcp_other_server);
			return;
		}
		ip = requested;
	} else if (requested) {
		ip = requested; /* INIT-REBOOT */
		init_reboot = 1;
	} else if (h->ciaddr) {
		ip = h->ciaddr; /* RENEWING or REBINDING */
		renewing = 1;
	} else {
		drop(q, RB_CTR_DROP_dhcp_bad_request);
		return;
	}
	if (ip == 0) {
		drop(q, RB_CTR_DROP_dhcp_bad_request);
		return;
	}
	if (p < 0) {
		drop(q, RB_CTR_DROP_dhcp_no_pool);
		return;
	}
	if (!rb_pool_in_subnet(&q->d->pools[p], ip)) {
		send_nak(q, "wrong network");
		return;
	}
	secs = q->d->conf.pools[p].lease_secs;
	if (resv) {
		if (ip != resv) {
			send_nak(q, "address reserved for another");
			return;
		}
		if (rb_pool_has(&q->d->pools[p], ip))
			rb_pool_bind(&q->d->pools[p], &q->key,
				     q->msg.hdr->chaddr, ip, q->now, secs, 1,
				     &expires);
		else
			expires = q->now + secs;
	} else {
		/* RFC 2131 4.3.2: no record of an INIT-REBOOT client, no
		 * answer (another server may hold its lease) */
		if (init_reboot &&
		    !rb_pool_knows(&q->d->pools[p], &q->key, q->now)) {
			drop(q, RB_CTR_DROP_dhcp_unknown_client);
			return;
		}
		if (rb_pool_bind(&q->d->pools[p], &q->key, q->msg.hdr->chaddr,
				 ip, q->now, secs, renewing,
				 &expires) != RB_BIND_OK) {
			send_nak(q, "address not available");
			return;
		}
	}
	reply_start(q, &wr, RB_DHCPACK);
	rb_dhcp_reply_hdr(&wr)->yiaddr = ip;
	rb_dhcp_reply_hdr(&wr)->ciaddr = h->ciaddr;
	put_lease(q, &wr, p, secs);
	put_boot_info(q, &wr);
	reply_frame(q, &wr, RB_DHCPACK);
	send_bound_ack(q, ip, expires);
}

/** RELEASE and DECLINE: the lease changes, nothing is sent. */
static void
give_back(struct req *q, int decline)
{
	uint32_t server = rb_dhcp_opt_ip(&q->msg, RB_OPT_SERVER_ID);
	uint32_t ip = decline ? rb_dhcp_opt_ip(&q->msg, RB_OPT_REQUESTED_IP)
			      : q->msg.hdr->ciaddr;
	int p = rb_dhcpd_pool_of(q->d, ip);
	struct rb_journal_rec r;
	int rc;

	rb_count(q->ctr, decline ? RB_CTR_dhcp_decline : RB_CTR_dhcp_release,
		 1);
	if ((server && server != q->d->conf.server_ip) || ip == 0 || p < 0) {
		drop(q, RB_CTR_DROP_dhcp_bad_request);
		return;
	}
	if (decline)
		rc = rb_pool_decline(&q->d->pools[p], &q->key, ip, q->now,
				     q->d->conf.decline_secs);
	else
		rc = rb_pool_release(&q->d->pools[p], &q->key, ip);
	if (rc == 0 && q->d->journal) {
		journal_rec(q, &r, decline ? RB_JREC_DECLINE : RB_JREC_RELEASE,
			    ip, decline ? q->now + q->d->conf.decline_secs : 0);
		if (rb_journal_submit(q->d->journal, &r, NULL,
				      rb_worker_index(q->w)) < 0)
			rb_count(q->ctr, RB_CTR_DROP_dhcp_journal_full, 1);
	}
	rte_pktmbuf_free(q->m);
	q->m = NULL;
}

static void
inform(struct req *q)
{
	struct rb_dhcp_writer wr;
	int p = rb_dhcpd_pool_of(q->d, q->msg.hdr->ciaddr);

	rb_count(q->ctr, RB_CTR_dhcp_inform, 1);
	if (q->msg.hdr->ciaddr == 0) {
		drop(q, RB_CTR_DROP_dhcp_bad_request);
		return;
	}
	/* configuration only: no address, no lease time (RFC 2131 3.4) */
	reply_start(q, &wr, RB_DHCPACK);
	rb_dhcp_reply_hdr(&wr)->ciaddr = q->msg.hdr->ciaddr;
	if (p >= 0)
		rb_dhcp_put_u32(&wr, RB_OPT_SUBNET_MASK,
				q->d->conf.pools[p].mask);
	put_boot_info(q, &wr);
	reply_frame(q, &wr, RB_DHCPACK);
	send_now(q);
}

/**
 * proxyDHCP (port 67 in proxy mode) and the PXE boot server (port 4011 in
 * any mode): boot information only, no address, no lease.
 */
static void
proxy(struct req *q)
{
	struct rb_dhcp_writer wr;
	uint32_t server = rb_dhcp_opt_ip(&q->msg, RB_OPT_SERVER_ID);
	uint8_t type;

	if (!q->pxe.netboot) {
		drop(q, RB_CTR_DROP_dhcp_not_pxe);
		return;
	}
	switch (q->msg.type) {
	case RB_DHCPDISCOVER:
		rb_count(q->ctr, RB_CTR_dhcp_discover, 1);
		if (q->to_4011) {
			drop(q, RB_CTR_DROP_dhcp_bad_msg_type);
			return;
		}
		type = RB_DHCPOFFER;
		break;
	case RB_DHCPREQUEST:
	case RB_DHCPINFORM:
		rb_count(q->ctr, q->msg.type == RB_DHCPREQUEST
					 ? RB_CTR_dhcp_request
					 : RB_CTR_dhcp_inform,
			 1);
		/* on port 67 a REQUEST is for the address server unless it
		 * names us */
		if (!q->to_4011 && server != q->d->conf.server_ip) {
			drop(q, RB_CTR_DROP_dhcp_other_server);
			return;
		}
		type = RB_DHCPACK;
		break;
	default:
		drop(q, RB_CTR_DROP_dhcp_bad_msg_type);
		return;
	}
	reply_start(q, &wr, type);
	rb_dhcp_reply_hdr(&wr)->ciaddr = q->msg.hdr->ciaddr;
	put_boot_info(q, &wr);
	reply_frame(q, &wr, type);
	rb_count(q->ctr, RB_CTR_dhcp_proxy_replies, 1);
	track(q, RB_BOOTEV_OFFER, 0);
	send_reply(q);
}

void
rb_dhcpd_handle(void *ctx, struct rb_worker *w, struct rte_mbuf *m,
		const struct rb_frame *f)
{
	struct req q;
	rb_drop_t why;

	q.d = ctx;
	q.w = w;
	q.ctr = rb_worker_counters(w);
	q.m = m;
	q.f = f;
	q.now = now_secs();
	q.to_4011 = f->dst_port == PXE_PORT;
	why = rb_dhcp_parse(rte_pktmbuf_mtod_offset(m, const uint8_t *,
						    f->payload_off),
			    f->payload_len, &q.msg);
	if (why) {
		drop(&q, (enum rb_counter)why);
		return;
	}
	if (rb_pxe_classify(&q.msg, &q.pxe))
		rb_count(q.ctr, RB_CTR_dhcp_uuid_ignored, 1);
	client_keys(&q);
	match_group(&q);
	if (q.msg.hdr->giaddr)
		rb_count(q.ctr, RB_CTR_dhcp_relayed, 1);
	if (q.d->conf.proxy && q.msg.type == RB_DHCPDISCOVER)
		track(&q, RB_BOOTEV_DISCOVER, 0);
	if (q.d->conf.proxy || q.to_4011) {
		proxy(&q);
		return;
	}
	switch (q.msg.type) {
	case RB_DHCPDISCOVER:
		track(&q, RB_BOOTEV_DISCOVER, 0);
		discover(&q);
		break;
	case RB_DHCPREQUEST:
		request(&q);
		break;
	case RB_DHCPDECLINE:
		give_back(&q, 1);
		break;
	case RB_DHCPRELEASE:
		give_back(&q, 0);
		break;
	case RB_DHCPINFORM:
		inform(&q);
		break;
	}
}

/**
 * Cut a built ACK's lease to end at @p until (epoch seconds): the lease
 * the journal holds, when the renewal could not be written.  Options 51,
 * 58 and 59 are rewritten in place and the UDP checksum redone.
 *
 * @param m      the ACK frame, as reply_frame() built it
 * @param until  the end the journal holds, in the future
 */
static void
shorten_ack(struct rte_mbuf *m, uint32_t until)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame +
				   sizeof(struct rte_ether_hdr));
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *o = (uint8_t *)(udp + 1) + RB_DHCP_FIXED_LEN + 4;
	uint8_t *end = frame + rte_pktmbuf_data_len(m);
	uint32_t now = now_secs(), secs = until > now ? until - now : 1, v;

	while (o + 1 < end && o[0] != RB_OPT_END) {
		if (o[0] == RB_OPT_PAD) {
			o++;
			continue;
		}
		if (o + 2 + o[1] > end)
			break;
		v = o[0] == RB_OPT_LEASE_TIME	   ? secs
		    : o[0] == RB_OPT_RENEWAL_TIME   ? secs / 2
		    : o[0] == RB_OPT_REBINDING_TIME ? secs / 8 * 7
						    : 0;
		if (v && o[1] == 4) {
			v = rte_cpu_to_be_32(v);
			memcpy(o + 2, &v, 4);
		}
		o += 2 + o[1];
	}
	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
}

/**
 * Free expired offers, so that a source that hit its offer limit (a
 * flood) may offer again soon after: every pool walked once a second, in
 * tenths, by the first worker.
 */
static void
expire_offers(struct rb_dhcpd *d)
{
	uint64_t t = rte_rdtsc();
	unsigned int i;

	if (t < d->next_sweep)
		return;
	d->next_sweep = t + rte_get_tsc_hz() / 10;
	for (i = 0; i < d->conf.nb_pools; i++)
		rb_pool_expire_offers(&d->pools[i], now_secs(),
				      d->pools[i].size / 10 + 1);
}

void
rb_dhcpd_poll(void *ctx, struct rb_worker *w)
{
	struct rb_dhcpd *d = ctx;
	struct rte_mbuf *pkts[32];
	unsigned int n, i;

	if (d->delay[rb_worker_index(w)].n)
		delay_flush(&d->delay[rb_worker_index(w)], w);
	if (rb_worker_index(w) == 0)
		expire_offers(d);
	if (d->journal == NULL || !d->conf.sync)
		return;
	n = rb_journal_durable(d->journal, rb_worker_index(w), pkts, 32);
	for (i = 0; i < n; i++) {
		if (pkts[i]->hash.usr) {
			shorten_ack(pkts[i], pkts[i]->hash.usr);
			rb_count(rb_worker_counters(w),
				 RB_CTR_dhcp_acks_shortened, 1);
		}
		rb_worker_tx(w, pkts[i]);
	}
	if (n)
		rb_count(rb_worker_counters(w), RB_CTR_dhcp_acks_durable, n);
}
