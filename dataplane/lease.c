/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DHCP pools: one lease entry per address, a hash from client key to
 * entry, a spinlock per pool.  Everything is sized at init; the paths the
 * workers take only look up, compare and store.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "rackboot/lease.h"

static int
same_key(const struct rb_client_key *a, const struct rb_client_key *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static struct rb_lease *
entry(struct rb_pool *p, uint32_t ip)
{
	return &p->leases[rte_be_to_cpu_32(ip) - p->lo];
}

/** Whether @p l is held for its client: bound or offered, not expired. */
static int
live(const struct rb_lease *l, uint32_t now)
{
	return (l->state == RB_LEASE_BOUND || l->state == RB_LEASE_OFFERED) &&
	       l->expires > now;
}

static uint32_t
ip_of(const struct rb_pool *p, const struct rb_lease *l)
{
	return rte_cpu_to_be_32(p->lo + (uint32_t)(l - p->leases));
}

/** The slot of source @p id, added when new; the last slot is shared. */
static struct rb_pool_src *
source(struct rb_pool *p, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < p->nb_src; i++)
		if (p->src[i].id == id)
			return &p->src[i];
	if (p->nb_src < RB_POOL_SOURCES) {
		p->src[p->nb_src].id = id;
		return &p->src[p->nb_src++];
	}
	return &p->src[RB_POOL_SOURCES - 1];
}

/** Entry @p l stops being an offer: its source may make another. */
static void
offer_done(struct rb_pool *p, struct rb_lease *l)
{
	if (l->state == RB_LEASE_OFFERED && l->src &&
	    p->src[l->src - 1].offered)
		p->src[l->src - 1].offered--;
	l->src = 0;
}

/** Whether @p l can go to a new client now. */
static int
takeable(const struct rb_lease *l, uint32_t now)
{
	if (l->pinned)
		return 0;
	return l->state == RB_LEASE_FREE || l->expires <= now;
}

/**
 * Forget entry @p l's owner: its key leaves the hash only if it still
 * points here (an owner that moved on keeps its new entry).
 */
static void
unlink_owner(struct rb_pool *p, struct rb_lease *l)
{
	void *data;

	if (l->key.len &&
	    rte_hash_lookup_data(p->by_key, &l->key, &data) >= 0 &&
	    (uintptr_t)data == (uintptr_t)(l - p->leases))
		rte_hash_del_key(p->by_key, &l->key);
	memset(&l->key, 0, sizeof(l->key));
}

/** Give entry @p l to client @p key, dropping its previous owner. */
static void
take(struct rb_pool *p, struct rb_lease *l, const struct rb_client_key *key,
     const uint8_t mac[6])
{
	uint32_t idx = (uint32_t)(l - p->leases);

	if (!same_key(&l->key, key))
		unlink_owner(p, l);
	l->key = *key;
	memcpy(l->mac, mac, 6);
	/* a failed add can only mean the table is full, which sizing at
	 * twice the pool rules out; the entry still holds the key */
	(void)rte_hash_add_key_data(p->by_key, key, (void *)(uintptr_t)idx);
}

/** The client's entry, or NULL. */
static struct rb_lease *
find(struct rb_pool *p, const struct rb_client_key *key)
{
	void *data;

	if (rte_hash_lookup_data(p->by_key, key, &data) < 0)
		return NULL;
	return &p->leases[(uintptr_t)data];
}

int
rb_pool_init(struct rb_pool *p, const char *name, uint32_t lo, uint32_t hi,
	     uint32_t net, uint32_t mask)
{
	struct rte_hash_parameters hp;
	char hname[RTE_HASH_NAMESIZE];

	memset(p, 0, sizeof(*p));
	lo = rte_be_to_cpu_32(lo);
	hi = rte_be_to_cpu_32(hi);
	if (hi < lo || hi - lo >= (1u << 20))
		return -EINVAL;
	p->lo = lo;
	p->hi = hi;
	p->size = hi - lo + 1;
	p->net = net;
	p->mask = mask;
	rte_spinlock_init(&p->lock);
	p->leases = rte_zmalloc(name, sizeof(*p->leases) * p->size, 64);
	if (p->leases == NULL)
		return -ENOMEM;
	snprintf(hname, sizeof(hname), "rbk_%s", name);
	memset(&hp, 0, sizeof(hp));
	hp.name = hname;
	/* room for every address's owner and as many departed ones */
	hp.entries = p->size * 2 < 64 ? 64 : p->size * 2;
	hp.key_len = sizeof(struct rb_client_key);
	hp.hash_func = rte_jhash;
	hp.socket_id = (int)rte_socket_id();
	p->by_key = rte_hash_create(&hp);
	if (p->by_key == NULL) {
		rte_free(p->leases);
		p->leases = NULL;
		return -ENOMEM;
	}
	return 0;
}

void
rb_pool_free(struct rb_pool *p)
{
	rte_hash_free(p->by_key);
	rte_free(p->leases);
	memset(p, 0, sizeof(*p));
}

int
rb_pool_pin(struct rb_pool *p, const struct rb_client_key *key, uint32_t ip)
{
	static const uint8_t nomac[6];
	struct rb_lease *l;

	if (!rb_pool_has(p, ip))
		return -1;
	l = entry(p, ip);
	if (l->pinned)
		return -1;
	take(p, l, key, nomac);
	l->pinned = 1;
	return 0;
}

int
rb_pool_offer(struct rb_pool *p, const struct rb_client_key *key,
	      const uint8_t mac[6], uint32_t requested, uint32_t source_id,
	      uint32_t now, uint32_t hold, uint32_t *ip)
{
	struct rb_pool_src *src;
	struct rb_lease *l;
	uint32_t i;
	int rc = RB_OFFER_EXHAUSTED;

	rte_spinlock_lock(&p->lock);
	src = source(p, source_id);
	l = find(p, key);
	/* the client's own entry, unless it expired into someone else's */
	if (l && !same_key(&l->key, key))
		l = NULL;
	/* a client that holds nothing live needs a new offer, which counts
	 * against its source; a repeated DISCOVER does not */
	if ((l == NULL || !live(l, now)) && p->offer_limit &&
	    src->offered >= p->offer_limit) {
		rte_spinlock_unlock(&p->lock);
		return RB_OFFER_LIMITED;
	}
	if (l == NULL && requested && rb_pool_has(p, requested) &&
	    takeable(entry(p, requested), now))
		l = entry(p, requested);
	for (i = 0; l == NULL && i < p->size; i++) {
		struct rb_lease *c = &p->leases[(p->cursor + i) % p->size];

		if (takeable(c, now)) {
			l = c;
			p->cursor = (uint32_t)(c - p->leases + 1) % p->size;
		}
	}
	if (l) {
		if (!same_key(&l->key, key))
			take(p, l, key, mac);
		memcpy(l->mac, mac, 6);
		if (l->state != RB_LEASE_BOUND || l->expires <= now) {
			offer_done(p, l);
			l->state = RB_LEASE_OFFERED;
			l->expires = now + hold;
			l->src = (uint8_t)(src - p->src + 1);
			src->offered++;
		}
		*ip = ip_of(p, l);
		rc = 0;
	}
	rte_spinlock_unlock(&p->lock);
	return rc;
}

uint32_t
rb_pool_expire_offers(struct rb_pool *p, uint32_t now, uint32_t max)
{
	uint32_t i, freed = 0;

	if (max > p->size)
		max = p->size;
	rte_spinlock_lock(&p->lock);
	for (i = 0; i < max; i++) {
		struct rb_lease *l = &p->leases[p->sweep];

		if (l->state == RB_LEASE_OFFERED && l->expires <= now) {
			/* the entry keeps its owner: it gets it back first */
			offer_done(p, l);
			l->state = RB_LEASE_FREE;
			l->expires = 0;
			freed++;
		}
		p->sweep = (p->sweep + 1) % p->size;
		/* let the workers in between long stretches */
		if ((i & 4095) == 4095) {
			rte_spinlock_unlock(&p->lock);
			rte_spinlock_lock(&p->lock);
		}
	}
	rte_spinlock_unlock(&p->lock);
	return freed;
}

uint32_t
rb_pool_offers_of(struct rb_pool *p, uint32_t source_id)
{
	uint32_t i, n = 0;

	rte_spinlock_lock(&p->lock);
	for (i = 0; i < p->nb_src; i++)
		if (p->src[i].id == source_id)
			n = p->src[i].offered;
	rte_spinlock_unlock(&p->lock);
	return n;
}

enum rb_bind_result
rb_pool_bind(struct rb_pool *p, const struct rb_client_key *key,
	     const uint8_t mac[6], uint32_t ip, uint32_t now, uint32_t secs,
	     int may_take, uint32_t *expires)
{
	enum rb_bind_result r = RB_BIND_WRONG;
	struct rb_lease *l;

	struct rb_lease *old;

	if (!rb_pool_has(p, ip))
		return RB_BIND_WRONG;
	rte_spinlock_lock(&p->lock);
	l = entry(p, ip);
	old = find(p, key);
	if (old && !same_key(&old->key, key))
		old = NULL;
	if (same_key(&l->key, key) && l->state != RB_LEASE_DECLINED) {
		r = RB_BIND_OK;
	} else if (may_take && takeable(l, now)) {
		/* one lease per client: a different entry it held goes back */
		if (old && old != l && !old->pinned) {
			unlink_owner(p, old);
			offer_done(p, old);
			old->state = RB_LEASE_FREE;
			old->expires = 0;
		}
		take(p, l, key, mac);
		r = RB_BIND_OK;
	}
	if (r == RB_BIND_OK) {
		memcpy(l->mac, mac, 6);
		offer_done(p, l);
		l->state = RB_LEASE_BOUND;
		l->expires = now + secs;
		*expires = l->expires;
	}
	rte_spinlock_unlock(&p->lock);
	return r;
}

int
rb_pool_knows(struct rb_pool *p, const struct rb_client_key *key,
	      uint32_t now)
{
	struct rb_lease *l;
	int known;

	rte_spinlock_lock(&p->lock);
	l = find(p, key);
	known = l && same_key(&l->key, key) && live(l, now);
	rte_spinlock_unlock(&p->lock);
	return known;
}

int
rb_pool_release(struct rb_pool *p, const struct rb_client_key *key,
		uint32_t ip)
{
	struct rb_lease *l;
	int rc = -1;

	if (!rb_pool_has(p, ip))
		return -1;
	rte_spinlock_lock(&p->lock);
	l = entry(p, ip);
	if (same_key(&l->key, key) && l->state == RB_LEASE_BOUND) {
		/* the entry keeps its owner: the client gets it back first */
		l->state = RB_LEASE_FREE;
		l->expires = 0;
		rc = 0;
	}
	rte_spinlock_unlock(&p->lock);
	return rc;
}

int
rb_pool_decline(struct rb_pool *p, const struct rb_client_key *key,
		uint32_t ip, uint32_t now, uint32_t secs)
{
	struct rb_lease *l;
	int rc = -1;

	if (!rb_pool_has(p, ip))
		return -1;
	rte_spinlock_lock(&p->lock);
	l = entry(p, ip);
	if (same_key(&l->key, key) && !l->pinned) {
		/* nobody's: the next DISCOVER of this client gets another */
		unlink_owner(p, l);
		offer_done(p, l);
		l->state = RB_LEASE_DECLINED;
		l->expires = now + secs;
		rc = 0;
	}
	rte_spinlock_unlock(&p->lock);
	return rc;
}

void
rb_pool_restore(struct rb_pool *p, const struct rb_client_key *key,
		const uint8_t mac[6], uint32_t ip, uint8_t state,
		uint32_t expires)
{
	struct rb_lease *l;

	if (!rb_pool_has(p, ip))
		return;
	rte_spinlock_lock(&p->lock);
	l = entry(p, ip);
	if (state == RB_LEASE_DECLINED) {
		unlink_owner(p, l);
	} else if (key->len) {
		struct rb_lease *old = find(p, key);

		/* a later record moves the client: its earlier entry frees */
		if (old && old != l && same_key(&old->key, key) &&
		    !old->pinned) {
			unlink_owner(p, old);
			offer_done(p, old);
			old->state = RB_LEASE_FREE;
			old->expires = 0;
		}
		take(p, l, key, mac);
	}
	offer_done(p, l);
	l->state = state;
	l->expires = expires;
	rte_spinlock_unlock(&p->lock);
}

/** A copy of the live lease of @p ip (bound or offered): 0, or -1. */
static int
live_copy(struct rb_pool *p, uint32_t ip, uint32_t now, struct rb_lease *out)
{
	int rc = -1;

	if (!rb_pool_has(p, ip))
		return -1;
	rte_spinlock_lock(&p->lock);
	if (live(entry(p, ip), now)) {
		*out = *entry(p, ip);
		rc = 0;
	}
	rte_spinlock_unlock(&p->lock);
	return rc;
}

int
rb_pool_mac_of(struct rb_pool *p, uint32_t ip, uint32_t now, uint8_t mac[6])
{
	struct rb_lease l;

	if (live_copy(p, ip, now, &l) < 0)
		return -1;
	memcpy(mac, l.mac, 6);
	return 0;
}

void
rb_pool_set_arch(struct rb_pool *p, uint32_t ip, int arch)
{
	if (!rb_pool_has(p, ip))
		return;
	rte_spinlock_lock(&p->lock);
	entry(p, ip)->arch = (uint16_t)(arch < 0 ? 0 : arch + 1);
	rte_spinlock_unlock(&p->lock);
}

int
rb_pool_arch_of(struct rb_pool *p, uint32_t ip, uint32_t now)
{
	struct rb_lease l;

	return live_copy(p, ip, now, &l) < 0 || l.arch == 0 ? -1
							     : l.arch - 1;
}

uint32_t
rb_pool_count(struct rb_pool *p, uint8_t state, uint32_t now)
{
	uint32_t i, n = 0;

	rte_spinlock_lock(&p->lock);
	for (i = 0; i < p->size; i++)
		if (p->leases[i].state == state && p->leases[i].expires > now)
			n++;
	rte_spinlock_unlock(&p->lock);
	return n;
}
