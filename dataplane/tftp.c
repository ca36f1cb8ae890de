/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TFTP server: RFC 1350 transfers with RFC 2347 negotiation (blksize,
 * tsize, timeout, windowsize), block-number rollover past 65535, and
 * retransmission on timeout only: a duplicate ACK never triggers a resend,
 * so the sorcerer's apprentice cannot happen.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <arpa/inet.h>
#include <stdio.h>

#include "rackboot/dataplane.h"
#include "rackboot/bootcfg.h"
#include "rackboot/tftp.h"
#include "rackboot/dhcpd.h"
#include "rackboot/tftpd.h"
#include "tftp_int.h"

/** Slots are the worker's own: nothing to free when frames let go. */
static void
slot_owned(void *addr, void *opaque)
{
	(void)addr, (void)opaque;
}

int
rb_tftpd_create(const struct rb_tftpd_conf *c, struct rb_filecache *cache,
		unsigned int nb_workers, struct rb_tftpd **out)
{
	struct rb_tftpd *t = rte_zmalloc("rb_tftpd", sizeof(*t), 64);
	unsigned int w;

	if (t == NULL || nb_workers > RB_DP_MAX_WORKERS)
		return -ENOMEM;
	t->conf = *c;
	t->cache = cache;
	t->profiles = c->profiles;
	t->nb_workers = nb_workers;
	t->tsc_ms = rte_get_tsc_hz() / 1000;
	t->ext_pool = rte_pktmbuf_pool_create("rb_tftp_ext", 65535, 256, 0, 0,
					      (int)rte_socket_id());
	if (t->ext_pool == NULL) {
		rte_free(t);
		return -ENOMEM;
	}
	if ((uint32_t)(c->port_hi - c->port_lo + 1) < nb_workers) {
		rte_mempool_free(t->ext_pool);
		rte_free(t);
		return -EINVAL; /* each worker needs a port of its own */
	}
	for (w = 0; w < nb_workers; w++) {
		struct rte_hash_parameters hp;
		uint32_t total = c->port_hi - c->port_lo + 1u;
		char name[32];

		/* the transfer port names the worker that owns the session:
		 * an ACK that the NIC's hash hands to another worker goes on
		 * to the owner */
		t->ws[w].port_lo = (uint16_t)(c->port_lo + total * w / nb_workers);
		t->ws[w].nports = (uint16_t)(c->port_lo +
					     total * (w + 1) / nb_workers -
					     t->ws[w].port_lo);
		snprintf(name, sizeof(name), "rb_tftp_ho%u", w);
		t->ws[w].handoff = rte_ring_create_elem(
			name, sizeof(struct handoff), 4096,
			(int)rte_socket_id(), RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "rb_tftp%u", w);
		memset(&hp, 0, sizeof(hp));
		hp.name = name;
		hp.entries = c->sessions * 2;
		hp.key_len = sizeof(struct key);
		hp.hash_func = rte_jhash;
		hp.socket_id = (int)rte_socket_id();
		t->ws[w].by_key = rte_hash_create(&hp);
		t->ws[w].s = rte_zmalloc("rb_tftp_s",
					 sizeof(struct session) * c->sessions, 64);
		t->ws[w].free_ids = rte_malloc("rb_tftp_free",
					       sizeof(uint32_t) * c->sessions, 64);
		t->ws[w].live = rte_malloc("rb_tftp_live",
					   sizeof(uint32_t) * c->sessions, 64);
		t->ws[w].due = rte_malloc("rb_tftp_due",
					  sizeof(uint64_t) * c->sessions, 64);
		/* taken from the top: session 0 first */
		for (uint32_t i = 0; t->ws[w].free_ids && i < c->sessions; i++)
			t->ws[w].free_ids[i] = c->sessions - 1 - i;
		t->ws[w].nfree = c->sessions;
		t->ws[w].slots = rte_zmalloc("rb_tftp_render",
					     sizeof(struct render_slot) *
						     RENDER_SLOTS, 64);
		for (uint32_t i = 0; t->ws[w].slots && i < RENDER_SLOTS; i++) {
			struct render_slot *r = &t->ws[w].slots[i];

			r->file.data = (const uint8_t *)r->buf;
			/* inside one allocation: rte_malloc_virt2iova wants its start */
			r->file.iova = rte_mem_virt2iova(r->buf);
			r->file.shinfo.free_cb = slot_owned;
			rte_mbuf_ext_refcnt_set(&r->file.shinfo, 1);
		}
		if (!t->ws[w].by_key || !t->ws[w].s || !t->ws[w].handoff ||
		    !t->ws[w].slots || !t->ws[w].free_ids || !t->ws[w].live ||
		    !t->ws[w].due || rb_tftp_mc_init(t, w) < 0) {
			rb_tftpd_destroy(t);
			return -ENOMEM;
		}
	}
	*out = t;
	return 0;
}

void
rb_tftpd_destroy(struct rb_tftpd *t)
{
	unsigned int w;

	if (t == NULL)
		return;
	for (w = 0; w < t->nb_workers; w++) {
		struct handoff ho;

		while (t->ws[w].handoff &&
		       rte_ring_dequeue_elem(t->ws[w].handoff, &ho,
					     sizeof(ho)) == 0)
			rte_pktmbuf_free(ho.m);
		rte_ring_free(t->ws[w].handoff);
		rte_hash_free(t->ws[w].by_key);
		rte_free(t->ws[w].s);
		rte_free(t->ws[w].free_ids);
		rte_free(t->ws[w].live);
		rte_free(t->ws[w].due);
		rte_free(t->ws[w].slots);
		rb_tftp_mc_fini(t, w);
	}
	rte_mempool_free(t->ext_pool);
	rte_free(t);
}

void
rb_tftpd_swap(struct rb_tftpd *t, struct rb_filecache *cache,
	      const struct rb_profiles *profiles,
	      struct rb_filecache **old_cache,
	      const struct rb_profiles **old_profiles)
{
	*old_cache = __atomic_exchange_n(&t->cache, cache, __ATOMIC_ACQ_REL);
	*old_profiles = __atomic_exchange_n(&t->profiles, profiles,
					     __ATOMIC_ACQ_REL);
}

uint32_t
rb_tftpd_active(const struct rb_tftpd *t)
{
	uint32_t n = 0;
	unsigned int w;

	for (w = 0; w < t->nb_workers; w++)
		n += __atomic_load_n(&t->ws[w].active, __ATOMIC_RELAXED);
	return n;
}

/** Turn @p m into a UDP frame to the session's client from its TID. */
static void
send_payload(struct rb_worker *w, const struct session *s, struct rte_mbuf *m,
	     uint16_t len)
{
	const struct rb_netif *nif = rb_worker_netif(w);
	uint32_t flen = rb_udp_build(rte_pktmbuf_mtod(m, uint8_t *), &nif->mac,
				     &s->mac, nif->ip, s->k.ip, s->k.sport,
				     s->k.cport, len);

	m->data_len = (uint16_t)flen;
	m->pkt_len = flen;
	rb_worker_tx(w, m);
}

void
rb_tftp_send_to_client(struct rb_worker *w, const struct session *s,
		       const uint8_t *p, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(rb_worker_pool(w));

	if (m == NULL) {
		rb_count(rb_worker_counters(w), RB_CTR_tx_full, 1);
		return; /* a timer sends it again */
	}
	memcpy(rte_pktmbuf_mtod(m, uint8_t *) + RB_UDP_PAYLOAD_OFF, p, len);
	send_payload(w, s, m, len);
}

int
rb_tftp_send_block(struct rb_tftpd *t, struct rb_worker *w,
		   const struct rb_file *file, uint32_t blksize, uint64_t n,
		   const struct rte_ether_addr *mac, uint32_t ip, uint16_t sport,
		   uint16_t dport, int first)
{
	const struct rb_netif *nif = rb_worker_netif(w);
	struct rb_file *f = (struct rb_file *)(uintptr_t)file;
	struct rte_mbuf *m = rte_pktmbuf_alloc(rb_worker_pool(w)), *d = NULL;
	struct rb_counters *ctr = rb_worker_counters(w);
	uint64_t off = (n - 1) * blksize;
	uint32_t len = f->size > off ? (uint32_t)RTE_MIN(f->size - off, blksize)
				     : 0;
	int chain = len && rb_worker_tx_segments(w);
	uint32_t hlen;
	uint8_t *p;

	if (m && chain && (d = rte_pktmbuf_alloc(t->ext_pool)) == NULL) {
		rte_pktmbuf_free(m);
		m = NULL;
	}
	if (m == NULL) {
		rb_count(ctr, RB_CTR_tx_full, 1);
		return -1;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *) + RB_UDP_PAYLOAD_OFF;
	p[0] = 0;
	p[1] = RB_TFTP_DATA;
	p[2] = (uint8_t)(n >> 8); /* 16 bits on the wire: rolls over to 0 */
	p[3] = (uint8_t)n;
	hlen = rb_udp_build_split(rte_pktmbuf_mtod(m, uint8_t *), &nif->mac,
				  mac, nif->ip, ip, sport, dport, 4,
				  f->data + off, (uint16_t)len);
	m->data_len = (uint16_t)hlen;
	m->pkt_len = hlen + len;
	if (len && !chain) {
		/* max_blksize and a packet buffer's room both fit a
		 * 1500-byte frame */
		RTE_ASSERT(len <= rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, hlen),
		       f->data + off, len);
		m->data_len = (uint16_t)(hlen + len);
	}
	if (d) {
		rte_mbuf_ext_refcnt_update(&f->shinfo, 1);
		rte_pktmbuf_attach_extbuf(d, (void *)(uintptr_t)(f->data + off),
					  f->iova + off, (uint16_t)len,
					  &f->shinfo);
		d->data_len = (uint16_t)len;
		d->pkt_len = len;
		m->next = d;
		m->nb_segs = 2;
	}
	if (rte_is_multicast_ether_addr(mac)) {
		struct rte_ipv4_hdr *iph = rte_pktmbuf_mtod_offset(
			m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));

		/* a group on the boot LAN only: no router takes it further */
		iph->time_to_live = 1;
		iph->hdr_checksum = 0;
		iph->hdr_checksum = rte_ipv4_cksum(iph);
	}
	rb_worker_tx(w, m);
	rb_count(ctr, RB_CTR_tftp_data, 1);
	rb_count(ctr, RB_CTR_tftp_data_bytes, len);
	if (first)
		rb_count(ctr, RB_CTR_tftp_bytes, len);
	return 0;
}

/** Send DATA block @p n of the session to its client. */
static void
send_block(struct rb_tftpd *t, struct rb_worker *w, struct session *s,
	   uint64_t n)
{
	rb_tftp_send_block(t, w, s->file, s->blksize, n, &s->mac, s->k.ip,
			   s->k.sport, s->k.cport, n > s->sent);
}

static void
arm(struct rb_tftpd *t, struct rb_worker *w, struct session *s)
{
	rb_tftp_session_due(&t->ws[rb_worker_index(w)], s,
			    rte_rdtsc() + t->tsc_ms * s->timeout_ms);
}

/**
 * Send the window after the last acknowledged block, from block @p from
 * on (acked + 1 to start it over, sent + 1 to slide it).
 */
static void
send_window(struct rb_tftpd *t, struct rb_worker *w, struct session *s,
	    uint64_t from)
{
	uint64_t n, last = RTE_MIN(s->acked + s->window, s->nblocks);

	if (from <= s->sent) {
		/* blocks go again: remember which, see transfer_packet() */
		s->resent_lo = from;
		s->resent_hi = RTE_MIN(s->sent, last);
	}
	for (n = from; n <= last; n++)
		send_block(t, w, s, n);
	if (last > s->sent)
		s->sent = last;
	arm(t, w, s);
}

void
rb_tftp_session_end(struct worker_state *ws, struct session *s)
{
	uint32_t last = ws->active - 1;

	if (s->slot)
		s->slot->used = 0; /* reused once its frames are gone too */
	if (s->held)
		rb_filecache_release(s->held);
	rte_hash_del_key(ws->by_key, &s->k);
	s->used = 0;
	/* the last one listed takes our place */
	ws->live[s->pos] = ws->live[last];
	ws->due[s->pos] = ws->due[last];
	ws->s[ws->live[s->pos]].pos = s->pos;
	ws->free_ids[ws->nfree++] = (uint32_t)(s - ws->s);
	__atomic_store_n(&ws->active, last, __ATOMIC_RELAXED);
}

/** Reply to a request with an ERROR from port 69, in its own mbuf. */
static void
send_error(struct rb_worker *w, struct rte_mbuf *m, const struct rb_frame *f,
	   uint16_t code, const char *msg)
{
	struct session tmp;
	uint16_t len;

	memset(&tmp, 0, sizeof(tmp));
	tmp.k.ip = f->src_ip;
	tmp.k.cport = f->src_port;
	tmp.k.sport = f->dst_port;
	tmp.mac = rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr;
	len = (uint16_t)rb_tftp_error(rte_pktmbuf_mtod(m, uint8_t *) +
					      RB_UDP_PAYLOAD_OFF,
				      code, msg);
	send_payload(w, &tmp, m, len);
}

/** A free render slot of this worker, or NULL. */
static struct render_slot *
free_slot(struct worker_state *ws)
{
	uint32_t i;

	for (i = 0; i < RENDER_SLOTS; i++) {
		struct render_slot *c = &ws->slots[i];

		if (!c->used && rte_mbuf_ext_refcnt_read(&c->file.shinfo) == 1)
			return c;
	}
	return NULL;
}

/**
 * @p src in netascii (RFC 764): CR LF for a newline, CR NUL for a lone
 * CR, in a render slot.
 *
 * @return the converted file, or NULL (too big for a slot, or no slot)
 */
static struct rb_file *
netascii(struct worker_state *ws, const struct rb_file *src)
{
	struct render_slot *slot = free_slot(ws);
	uint64_t i, o = 0;

	if (slot == NULL)
		return NULL;
	for (i = 0; i < src->size; i++) {
		uint8_t c = src->data[i];

		if (o + 2 > sizeof(slot->buf))
			return NULL;
		if (c == '\n') {
			slot->buf[o++] = '\r';
			slot->buf[o++] = '\n';
		} else if (c == '\r') {
			slot->buf[o++] = '\r';
			slot->buf[o++] = '\0';
		} else {
			slot->buf[o++] = (char)c;
		}
	}
	slot->used = 1;
	slot->file.size = o;
	snprintf(slot->file.name, sizeof(slot->file.name), "%s", src->name);
	return &slot->file;
}

/** The render slot @p file lives in, or NULL for a cached file. */
static struct render_slot *
slot_of(struct worker_state *ws, const struct rb_file *file)
{
	const char *p = (const char *)file, *lo = (const char *)ws->slots;

	if (p < lo || p >= lo + sizeof(struct render_slot) * RENDER_SLOTS)
		return NULL;
	return &ws->slots[(size_t)(p - lo) / sizeof(struct render_slot)];
}

/** A rendered config no session took goes back. */
static void
release_slot(struct worker_state *ws, const struct rb_file *file)
{
	struct render_slot *r = slot_of(ws, file);

	if (r)
		r->used = 0;
}

/** The machine asking: the frame's source MAC and address. */
static struct rb_machine
asker_of(const struct rte_mbuf *m, const struct rb_frame *f)
{
	struct rb_machine a = {.have_mac = 1, .ip = f->src_ip};

	memcpy(a.mac,
	       rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->src_addr.addr_bytes,
	       sizeof(a.mac));
	return a;
}

/**
 * The asker's firmware arch as its DHCP lease knows it (option 93 of
 * its network boot), a fact for selectors and ${arch}.
 *
 * @return how many facts were written to @p fx (0 or 1)
 */
static unsigned int
arch_fact(const struct rb_tftpd *t, uint32_t ip, struct rb_fact *fx,
	  char buf[8])
{
	int a = t->conf.dhcpd ? rb_dhcpd_arch_of(t->conf.dhcpd, ip) : -1;

	if (a < 0)
		return 0;
	snprintf(buf, 8, "%u", (unsigned int)(uint16_t)a);
	fx[0] = (struct rb_fact){"arch", buf};
	return 1;
}

/**
 * A per-machine config for @p name (see rb_bootcfg_classify()), rendered
 * for the requesting machine into a free slot.  A real file an operator
 * wrote under any name is found first and wins.
 *
 * @param pslot  the worker's profiles slot
 * @param m      the machine asking (asker_of())
 * @param fx     more facts about it (arch), @p nfx of them
 * @param busy  set when a config was due but no slot is free
 * @return the rendered file, or NULL
 */
static struct rb_file *
render(struct rb_tftpd *t, struct worker_state *ws,
       const struct rb_profiles *profiles, unsigned int pslot,
       const char *name, struct rb_machine m, const struct rb_fact *fx,
       unsigned int nfx, int *busy)
{
	const struct rb_render_env env = {t->conf.server_ip, t->conf.http_url};
	enum rb_cfg_scope scope;
	struct render_slot *slot;
	struct rb_machine probe;
	long len;
	int group;

	*busy = 0;
	probe = m;
	if (rb_bootcfg_classify(name, &probe, &scope) == RB_CFG_NONE)
		return NULL;
	slot = free_slot(ws);
	if (slot == NULL) {
		*busy = 1;
		return NULL;
	}
	len = rb_profiles_render(profiles, pslot, name, &m, fx, nfx, &env,
				 slot->buf, sizeof(slot->buf), &group);
	if (len < 0)
		return NULL; /* none, or over RENDER_MAX: not found, counted */
	slot->used = 1;
	slot->file.size = (uint64_t)len;
	snprintf(slot->file.name, sizeof(slot->file.name), "%s", name);
	return &slot->file;
}

struct session *
rb_tftp_session_new(struct worker_state *ws)
{
	return ws->nfree ? &ws->s[ws->free_ids[ws->nfree - 1]] : NULL;
}

int
rb_tftp_session_start(struct worker_state *ws, struct session *s,
		      struct rte_mbuf *m, const struct rb_frame *f,
		      uint16_t sport, const struct rb_file *file,
		      struct rb_filecache *cache)
{
	memset(s, 0, sizeof(*s));
	s->k.ip = f->src_ip;
	s->k.cport = f->src_port;
	s->k.sport = sport;
	if (rte_hash_add_key_data(ws->by_key, &s->k, s) < 0)
		return -1;
	RTE_ASSERT(ws->nfree && &ws->s[ws->free_ids[ws->nfree - 1]] == s);
	ws->nfree--;
	s->used = 1;
	s->pos = ws->active;
	ws->live[s->pos] = (uint32_t)(s - ws->s);
	ws->due[s->pos] = UINT64_MAX;
	__atomic_store_n(&ws->active, ws->active + 1, __ATOMIC_RELAXED);
	s->mac = rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr;
	s->file = file;
	s->slot = slot_of(ws, file);
	if (cache) {
		s->held = cache;
		rb_filecache_hold(cache);
	}
	return 0;
}

/**
 * Our TID for a client's request: one of this worker's transfer ports,
 * the same for the same client address and port, so that a request sent
 * again finds the session it started.
 */
static uint16_t
tid_for(const struct worker_state *ws, const struct rb_frame *f)
{
	return (uint16_t)(ws->port_lo +
			  rte_jhash_2words(f->src_ip, f->src_port, 0) %
				  ws->nports);
}

/**
 * A read request from a client we already have a transfer with: it did
 * not hear us.  Before the transfer starts, the OACK goes again (a lost
 * OACK is answered by the client's request, a lost ACK 0 by the client's
 * ACK, so a client that aborts on a second OACK never needs one from a
 * timer); a request while the first block is out is left to the timer;
 * later, the client started over and the old transfer ends.
 *
 * @return 1 when the request was taken care of (and @p m consumed)
 */
static int
request_again(struct rb_worker *w, struct worker_state *ws, struct rte_mbuf *m,
	      const struct rb_frame *f)
{
	struct key k = {f->src_ip, f->src_port, tid_for(ws, f)};
	struct session *s;
	void *data;

	if (rte_hash_lookup_data(ws->by_key, &k, &data) < 0)
		return 0;
	s = data;
	if (s->mc)
		return 0; /* a group member whose TID is this one by chance */
	rb_count(rb_worker_counters(w), RB_CTR_tftp_rrq_again, 1);
	if (s->oack_len && s->sent == 0) {
		memcpy(rte_pktmbuf_mtod(m, uint8_t *) + RB_UDP_PAYLOAD_OFF,
		       s->oack, s->oack_len);
		send_payload(w, s, m, s->oack_len);
		return 1;
	}
	if (s->acked == 0) {
		rte_pktmbuf_free(m);
		return 1;
	}
	rb_tftp_session_end(ws, s);
	return 0;
}

static void
read_request(struct rb_tftpd *t, struct rb_worker *w, struct rte_mbuf *m,
	     const struct rb_frame *f)
{
	struct worker_state *ws = &t->ws[rb_worker_index(w)];
	struct rb_counters *ctr = rb_worker_counters(w);
	const uint8_t *pl = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						    f->payload_off);
	struct rb_tftp_req r;
	struct rb_filecache *cache = __atomic_load_n(&t->cache, __ATOMIC_ACQUIRE);
	const struct rb_profiles *profiles =
		__atomic_load_n(&t->profiles, __ATOMIC_ACQUIRE);
	const struct rb_file *file;
	struct session *s = NULL;
	struct rb_fact fx[1];
	unsigned int nfx = 0;
	char arch[8];
	rb_drop_t why = rb_tftp_parse_req(pl, f->payload_len, &r);

	if (why) {
		rb_count(ctr, why, 1);
		rte_pktmbuf_free(m);
		return;
	}
	if (r.op == RB_TFTP_WRQ) {
		rb_count(ctr, RB_CTR_DROP_tftp_write_refused, 1);
		send_error(w, m, f, RB_TFTP_EACCESS,
			   "write requests are not accepted");
		return;
	}
	if (r.op != RB_TFTP_RRQ) {
		rb_count(ctr, RB_CTR_DROP_tftp_bad_op, 1);
		send_error(w, m, f, RB_TFTP_EBADOP, "illegal TFTP operation");
		return;
	}
	rb_count(ctr, RB_CTR_tftp_rrq, 1);
	if (request_again(w, ws, m, f))
		return;
	if (rb_tftp_clean_name(r.name) < 0) {
		rb_count(ctr, RB_CTR_DROP_tftp_refused, 1);
		send_error(w, m, f, RB_TFTP_EACCESS, "file name not allowed");
		return;
	}
	file = rb_filecache_get(cache, r.name);
	if (profiles && (file == NULL || (r.blksize &&
		rb_profiles_quirk_mask(profiles) & RB_QUIRK_BLKSIZE)))
		nfx = arch_fact(t, f->src_ip, fx, arch);
	if (file == NULL && profiles) {
		int busy;

		file = render(t, ws, profiles, rb_worker_index(w), r.name,
			      asker_of(m, f), fx, nfx, &busy);
		if (busy) {
			rb_count(ctr, RB_CTR_DROP_tftp_sessions_full, 1);
			send_error(w, m, f, RB_TFTP_ENOTDEFINED,
				   "server busy, retry");
			return;
		}
		if (file)
			rb_count(ctr, RB_CTR_tftp_rendered, 1);
	}
	if (file == NULL) {
		rb_count(ctr, RB_CTR_DROP_tftp_not_found, 1);
		send_error(w, m, f, RB_TFTP_ENOTFOUND, "file not found");
		return;
	}
	if (t->conf.track) {
		struct rb_machine a = asker_of(m, f);

		rb_bootev_push(t->conf.track, RB_BOOTEV_TFTP, 0, a.mac, a.ip,
			       r.name);
	}
	if (r.netascii) {
		const struct rb_file *octet = file;

		/* a rendered config converts in place of its slot */
		file = netascii(ws, octet);
		release_slot(ws, octet);
		if (file == NULL) {
			rb_count(ctr, RB_CTR_DROP_tftp_refused, 1);
			send_error(w, m, f, RB_TFTP_ENOTDEFINED,
				   "netascii only for small text files (8 KiB "
				   "converted): use octet");
			return;
		}
	}
	/* a rendered config is the worker's own copy: no cache to hold */
	if (slot_of(ws, file))
		cache = NULL;
	/* the machine's group may cap the block size (firmware that fails
	 * on large blocks) */
	if (profiles && r.blksize &&
	    rb_profiles_quirk_mask(profiles) & RB_QUIRK_BLKSIZE) {
		struct rb_machine mm = asker_of(m, f);
		int g = rb_profiles_match(profiles, rb_worker_index(w), &mm, fx,
					  nfx, NULL, 0);
		if (rb_profiles_quirks(profiles, g)->tftp_blksize_max &&
		    r.blksize > rb_profiles_quirks(profiles, g)->tftp_blksize_max)
			r.blksize = rb_profiles_quirks(profiles, g)->tftp_blksize_max;
	}
	if (r.multicast && cache &&
	    rb_tftp_mc_join(t, w, ws, m, f, &r, file, cache) == 0)
		return;
	s = rb_tftp_session_new(ws);
	if (s == NULL ||
	    rb_tftp_session_start(ws, s, m, f, tid_for(ws, f), file, cache) < 0) {
		release_slot(ws, file);
		rb_count(ctr, RB_CTR_DROP_tftp_sessions_full, 1);
		send_error(w, m, f, RB_TFTP_ENOTDEFINED, "server busy, retry");
		return;
	}
	s->blksize = 512;
	s->window = 1;
	s->timeout_ms = t->conf.timeout_ms;
	if (r.blksize)
		s->blksize = RTE_MIN(r.blksize, t->conf.max_blksize);
	if (r.windowsize)
		s->window = r.windowsize;
	if (r.timeout)
		s->timeout_ms = r.timeout * 1000u;
	s->base_timeout_ms = s->timeout_ms;
	s->nblocks = file->size / s->blksize + 1;
	if (r.blksize || r.has_tsize || r.timeout || r.windowsize) {
		/* RFC 2347: options the server takes go back in an OACK, and
		 * the transfer starts when the client acknowledges block 0 */
		s->oack_len = (uint8_t)rb_tftp_oack(
			s->oack, r.blksize ? s->blksize : 0,
			r.has_tsize ? (int64_t)file->size : -1, r.timeout,
			r.windowsize ? s->window : 0, NULL);
		memcpy(rte_pktmbuf_mtod(m, uint8_t *) + RB_UDP_PAYLOAD_OFF,
		       s->oack, s->oack_len);
		send_payload(w, s, m, s->oack_len);
		arm(t, w, s);
		return;
	}
	rte_pktmbuf_free(m);
	send_window(t, w, s, 1);
}

/** An ACK or ERROR to a transfer port. */
static void
transfer_packet(struct rb_tftpd *t, struct rb_worker *w, struct rte_mbuf *m,
		const struct rb_frame *f)
{
	struct worker_state *ws = &t->ws[rb_worker_index(w)];
	struct rb_counters *ctr = rb_worker_counters(w);
	const uint8_t *pl = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						    f->payload_off);
	struct key k = {f->src_ip, f->src_port, f->dst_port};
	struct session *s;
	uint16_t op, n16;
	uint64_t n;
	void *data;

	if (f->payload_len < 4) {
		rb_count(ctr, RB_CTR_DROP_tftp_truncated, 1);
		rte_pktmbuf_free(m);
		return;
	}
	op = (uint16_t)(pl[0] << 8 | pl[1]);
	if (rte_hash_lookup_data(ws->by_key, &k, &data) < 0) {
		rb_count(ctr, RB_CTR_DROP_tftp_no_session, 1);
		if (op == RB_TFTP_ERROR) {
			rte_pktmbuf_free(m);
			return;
		}
		send_error(w, m, f, RB_TFTP_EBADID, "unknown transfer ID");
		return;
	}
	s = data;
	if (s->mc && (op == RB_TFTP_ACK || op == RB_TFTP_ERROR)) {
		rb_tftp_mc_packet(t, w, ws, s, op, (uint16_t)(pl[2] << 8 | pl[3]));
		rte_pktmbuf_free(m);
		return;
	}
	if (op == RB_TFTP_ERROR) {
		rb_tftp_session_end(ws, s); /* the client gave up */
		rte_pktmbuf_free(m);
		return;
	}
	if (op != RB_TFTP_ACK) {
		rb_count(ctr, RB_CTR_DROP_tftp_bad_op, 1);
		rte_pktmbuf_free(m);
		return;
	}
	n16 = (uint16_t)(pl[2] << 8 | pl[3]);
	rte_pktmbuf_free(m);
	/* the 16-bit block number, placed in the window we sent */
	n = (s->acked & ~(uint64_t)0xffff) | n16;
	if (n < s->acked)
		n += 0x10000;
	if (n > s->sent)
		return; /* ahead of what we sent, or long stale: ignore */
	if (n <= s->acked) {
		/* a duplicate or old ACK: nothing is sent again (no
		 * sorcerer's apprentice), with three exceptions.  An ACK 0
		 * answering the OACK starts the transfer.  The first ACK
		 * of the last block received after a probe (see expire())
		 * restarts the window.  And in a window, the ACK again of
		 * the last block acknowledged while later ones are out is
		 * a receiver telling of a gap (RFC 7440; atftp sends one
		 * such ACK per gap, then ignores blocks until one comes in
		 * order or its 5 s timer fires): the window restarts, once
		 * per block acknowledged, so a duplicated ACK costs one
		 * window at most and never sets off burst after burst. */
		if (n == s->acked && s->probed) {
			s->probed = 0;
			send_window(t, w, s, n + 1);
			return;
		}
		if (n == s->acked && s->window > 1 && s->sent > n &&
		    !s->gap_restarted) {
			s->gap_restarted = 1;
			rb_count(ctr, RB_CTR_tftp_retransmits, s->sent - n);
			send_window(t, w, s, n + 1);
			return;
		}
		if (!(s->oack_len && n == 0 && s->sent == 0))
			return;
	}
	s->probed = 0;
	s->gap_restarted = 0;
	s->slid = 0;
	s->acked = n;
	s->retries = 0;
	/* a loss long ago does not slow the recovery of the next one */
	s->timeout_ms = s->base_timeout_ms;
	if (s->acked >= s->nblocks) {
		rb_count(ctr, RB_CTR_tftp_done, 1);
		rb_tftp_session_end(ws, s);
		return;
	}
	s->oack_len = 0;
	if (n < s->sent && n + 1 >= s->resent_lo && n + 1 <= s->resent_hi) {
		/* RFC 7440 starts the window over after an ACK short of it,
		 * but the next block went again in the last restart and is
		 * on its way: a client that acknowledges on duplicates
		 * (atftp does) would otherwise set off restart after
		 * restart.  Slide the window; a block really lost twice
		 * waits for the timer. */
		s->slid = 1;
		send_window(t, w, s, s->sent + 1);
		return;
	}
	send_window(t, w, s, n + 1);
}

/** The worker that owns transfer port @p port. */
static unsigned int
owner_of(const struct rb_tftpd *t, uint16_t port)
{
	unsigned int o;

	for (o = 0; o + 1 < t->nb_workers; o++)
		if (port < t->ws[o + 1].port_lo)
			break;
	return o;
}

void
rb_tftpd_handle(void *ctx, struct rb_worker *w, struct rte_mbuf *m,
		const struct rb_frame *f)
{
	struct rb_tftpd *t = ctx;
	unsigned int owner;

	if (f->dst_port == TFTP_PORT) {
		read_request(t, w, m, f);
		return;
	}
	owner = owner_of(t, f->dst_port);
	if (owner != rb_worker_index(w)) {
		struct handoff ho = {m, *f};

		if (rte_ring_mp_enqueue_elem(t->ws[owner].handoff, &ho,
					     sizeof(ho)) < 0) {
			rb_count(rb_worker_counters(w), RB_CTR_tx_full, 1);
			rte_pktmbuf_free(m); /* the client sends it again */
		}
		return;
	}
	transfer_packet(t, w, m, f);
}

/** A session whose deadline passed: send again with backoff, or give up. */
static void
expire(struct rb_tftpd *t, struct rb_worker *w, struct worker_state *ws,
       struct session *s)
{
	struct rb_counters *ctr = rb_worker_counters(w);

	if (s->retries >= t->conf.retries) {
		rb_count(ctr, RB_CTR_DROP_tftp_timed_out, 1);
		rb_tftp_session_end(ws, s);
		return;
	}
	s->retries++;
	s->timeout_ms = RTE_MIN(s->timeout_ms * 2, 8000u);
	if (s->oack_len) {
		/* the client speaks first: a lost OACK brings its request
		 * again, a lost ACK 0 its ACK (see request_again()), and
		 * some clients (atftp) abort on an OACK they already had.
		 * Only once the 7 s most clients wait have passed does the
		 * OACK go again, for one that never retransmits. */
		if (s->retries > OACK_QUIET_RETRIES)
			rb_tftp_send_to_client(w, s, s->oack, s->oack_len);
		arm(t, w, s);
		return;
	}
	if ((s->retries + s->slid) % 2 == 1 && s->sent > s->acked + 1) {
		/* Probe with the window's last block alone.  A client that
		 * has the window and whose ACK was lost acknowledges it
		 * again; one that misses blocks acknowledges the last it
		 * has in order (RFC 7440 receivers, atftp and EDK2 answer
		 * both ways): one block instead of the whole window, which
		 * would mostly be blocks the client already has.  If the
		 * probe goes unanswered, the next timeout sends it all;
		 * the one after probes again: a client that ignored the
		 * probe while waiting for a block after a gap (atftp) now
		 * has the window but acknowledges only a full window of
		 * blocks in order, so one block again draws its ACK.
		 * After a slide (see transfer_packet()) the order turns:
		 * silence then means the block the client waits for was
		 * lost twice, and a probe past it is ignored (atftp over
		 * 5 % loss: 79 of 81 such probes drew nothing). */
		rb_count(ctr, RB_CTR_tftp_retransmits, 1);
		s->resent_lo = s->resent_hi = 0; /* its answer restarts */
		s->probed = 1;
		send_block(t, w, s, s->sent);
		arm(t, w, s);
		return;
	}
	/* the whole window again, from the first block not acknowledged */
	rb_count(ctr, RB_CTR_tftp_retransmits,
		 RTE_MIN(s->sent, s->acked + s->window) - s->acked);
	s->probed = 0;
	send_window(t, w, s, s->acked + 1);
}

void
rb_tftpd_poll(void *ctx, struct rb_worker *w)
{
	struct rb_tftpd *t = ctx;
	struct worker_state *ws = &t->ws[rb_worker_index(w)];
	struct handoff ho[32];
	uint64_t now;
	unsigned int i, n;

	n = rte_ring_sc_dequeue_burst_elem(ws->handoff, ho, sizeof(ho[0]), 32,
					   NULL);
	for (i = 0; i < n; i++)
		transfer_packet(t, w, ho[i].m, &ho[i].f);
	if (ws->active == 0)
		return;
	now = rte_rdtsc();
	if (ws->mc_active)
		rb_tftp_mc_poll(t, w, ws, now);
	if (now < ws->next_sweep)
		return;
	ws->next_sweep = now + t->tsc_ms * SWEEP_EVERY_MS;
	/* downwards: a session that ends is replaced by the last one
	 * listed, which has been looked at */
	for (i = ws->active; i-- > 0;) {
		struct session *s = &ws->s[ws->live[i]];

		if (now <= ws->due[i])
			continue;
		if (s->mc)
			ws->due[i] = UINT64_MAX; /* the group's timer runs */
		else
			expire(t, w, ws, s);
	}
}
