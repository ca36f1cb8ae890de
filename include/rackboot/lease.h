/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * DHCP address pools and their leases.
 *
 * One pool per subnet served (the local one, and one per relay subnet).
 * A pool is a table with one entry per address of its range and a hash
 * from client key to entry; workers share it under the pool's spinlock.
 * Nothing allocates after rb_pool_init().  Times are seconds since the
 * epoch, so that leases read back from the journal mean the same thing.
 */
#ifndef RACKBOOT_LEASE_H
#define RACKBOOT_LEASE_H

#include <stdint.h>

#include <rte_spinlock.h>

#define RB_KEY_MAX 31

/**
 * Who a lease belongs to: the client identifier (option 61) when the client
 * sends one, otherwise the hardware type followed by chaddr (the form
 * RFC 2132 gives client identifiers made from a MAC).
 */
struct rb_client_key {
	uint8_t len;
	uint8_t data[RB_KEY_MAX];
};

enum rb_lease_state {
	RB_LEASE_FREE = 0,
	RB_LEASE_OFFERED,  /**< held for a client until its REQUEST */
	RB_LEASE_BOUND,    /**< acknowledged */
	RB_LEASE_DECLINED, /**< a client found it in use: kept off for a while */
};

struct rb_lease {
	struct rb_client_key key;
	uint8_t mac[6];
	uint8_t state;
	uint8_t pinned;      /**< reserved for key by a --dhcp-host */
	uint32_t expires;    /**< epoch seconds */
	uint16_t arch;       /**< the holder's firmware arch (option 93) + 1,
			      *   0 unknown: a fact for TFTP and HTTP */
	uint8_t src;         /**< OFFERED: its source's slot + 1, else 0 */
};

#define RB_POOL_SOURCES 32

/**
 * Where DISCOVERs come from (a relay's address, or one of our ports) and
 * how many offers of this pool it holds: a flood from one source may hold
 * at most the pool's offer limit.  Sources past the table's size share
 * its last slot.
 */
struct rb_pool_src {
	uint32_t id;
	uint32_t offered;
};

struct rb_pool {
	uint32_t net, mask;  /**< the subnet, network order */
	uint32_t lo, hi;     /**< the range, host order */
	uint32_t size;
	uint32_t cursor;     /**< where the next free-address search starts */
	uint32_t sweep;      /**< where the next expired-offer sweep starts */
	uint32_t offer_limit; /**< offers one source may hold; 0: no limit */
	uint32_t nb_src;
	struct rb_pool_src src[RB_POOL_SOURCES];
	rte_spinlock_t lock;
	struct rte_hash *by_key;
	struct rb_lease *leases;
};

/** rb_pool_offer() failures. */
enum rb_offer_error {
	RB_OFFER_EXHAUSTED = -1, /**< no free address */
	RB_OFFER_LIMITED = -2,   /**< the source holds its limit of offers */
};

/** What rb_pool_bind() decided. */
enum rb_bind_result {
	RB_BIND_OK,      /**< bound: send ACK */
	RB_BIND_WRONG,   /**< the address is not the client's: send NAK */
};

/**
 * Create pool @p name for addresses @p lo..@p hi of subnet @p net/@p mask.
 *
 * @return 0 or a negative errno
 */
int rb_pool_init(struct rb_pool *p, const char *name, uint32_t lo,
		 uint32_t hi, uint32_t net, uint32_t mask);

/** Free a pool's memory. */
void rb_pool_free(struct rb_pool *p);

/** @return whether address @p ip (network order) is in the pool's range. */
static inline int
rb_pool_has(const struct rb_pool *p, uint32_t ip)
{
	uint32_t h = __builtin_bswap32(ip);

	return h >= p->lo && h <= p->hi;
}

/** @return whether @p ip (network order) is in the pool's subnet. */
static inline int
rb_pool_in_subnet(const struct rb_pool *p, uint32_t ip)
{
	return (ip & p->mask) == p->net;
}

/**
 * Reserve @p ip for client @p key for good (a --dhcp-host in the range).
 *
 * @return 0, or -1 when @p ip is outside the range or already pinned
 */
int rb_pool_pin(struct rb_pool *p, const struct rb_client_key *key,
		uint32_t ip);

/**
 * Choose an address to offer and hold it for @p hold seconds: the client's
 * own lease if it has one, else @p requested if free, else the next free
 * address.  A client without a live lease here needs a new offer, which
 * @p source may make only while it holds fewer than the pool's offer
 * limit.
 *
 * @param p          the pool
 * @param key        the client
 * @param mac        its hardware address
 * @param requested  option 50, network order, or 0
 * @param source     where the DISCOVER came from (relay address, or a
 *                   port tag that is not an address)
 * @param now        the time
 * @param hold       how long the offer holds the address
 * @param ip         the address offered, network order
 * @return 0, or an rb_offer_error
 */
int rb_pool_offer(struct rb_pool *p, const struct rb_client_key *key,
		  const uint8_t mac[6], uint32_t requested, uint32_t source,
		  uint32_t now, uint32_t hold, uint32_t *ip);

/**
 * Free up to @p max entries' expired offers, from where the last call
 * stopped, so their sources may offer again.  Called about once a second
 * per pool; takes the lock once.
 *
 * @return how many offers it freed
 */
uint32_t rb_pool_expire_offers(struct rb_pool *p, uint32_t now, uint32_t max);

/** How many offers of the pool @p source holds (expired ones included
 * until a sweep frees them). */
uint32_t rb_pool_offers_of(struct rb_pool *p, uint32_t source);

/**
 * Bind @p ip to the client for @p secs: when it is the client's lease, or
 * free and @p may_take (a renewing client whose lease we lost).
 *
 * @param expires  the lease's new end
 */
enum rb_bind_result rb_pool_bind(struct rb_pool *p,
				 const struct rb_client_key *key,
				 const uint8_t mac[6], uint32_t ip,
				 uint32_t now, uint32_t secs, int may_take,
				 uint32_t *expires);

/** @return whether the client holds any lease (offered or bound) here. */
int rb_pool_knows(struct rb_pool *p, const struct rb_client_key *key,
		  uint32_t now);

/**
 * The client gives @p ip back.
 *
 * @return 0, or -1 when it was not the client's
 */
int rb_pool_release(struct rb_pool *p, const struct rb_client_key *key,
		    uint32_t ip);

/**
 * The client found @p ip in use by someone else: keep it off for @p secs.
 *
 * @return 0, or -1 when it was not the client's
 */
int rb_pool_decline(struct rb_pool *p, const struct rb_client_key *key,
		    uint32_t ip, uint32_t now, uint32_t secs);

/**
 * Put a lease read back from the journal in place, whatever the table
 * held for that address.
 */
void rb_pool_restore(struct rb_pool *p, const struct rb_client_key *key,
		     const uint8_t mac[6], uint32_t ip, uint8_t state,
		     uint32_t expires);

/**
 * Note the firmware architecture (option 93) of the client given @p ip,
 * or that none is known (@p arch -1).  Not journalled: the client says
 * it again on its next boot.
 */
void rb_pool_set_arch(struct rb_pool *p, uint32_t ip, int arch);

/** The architecture noted for the live lease of @p ip, or -1. */
int rb_pool_arch_of(struct rb_pool *p, uint32_t ip, uint32_t now);

/**
 * The MAC of the machine leasing @p ip (network order), bound or offered
 * and not expired: how the HTTP path knows who asks.
 *
 * @return 0, or -1 when nobody leases it
 */
int rb_pool_mac_of(struct rb_pool *p, uint32_t ip, uint32_t now,
		   uint8_t mac[6]);

/** Count the leases in @p state that have not expired. */
uint32_t rb_pool_count(struct rb_pool *p, uint8_t state, uint32_t now);

#endif
