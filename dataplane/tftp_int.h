/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TFTP server's state, shared by its unicast part (tftp.c) and its
 * multicast part (tftp_mcast.c).  Private to the dataplane.
 */
#ifndef RACKBOOT_DP_TFTP_INT_H
#define RACKBOOT_DP_TFTP_INT_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "rackboot/dataplane.h"
#include "rackboot/filecache.h"
#include "rackboot/tftp.h"
#include "rackboot/tftpd.h"

#define TFTP_PORT 69
/* how often a worker looks for deadlines passed: timeouts are whole
 * seconds, so a millisecond late is nothing */
#define SWEEP_EVERY_MS 1
/* timeouts (1 + 2 + 4 s) an OACK waits for the client's own retry */
#define OACK_QUIET_RETRIES 3

struct key {
	uint32_t ip;
	uint16_t cport, sport;
};

#define RENDER_SLOTS 256   /* per worker: configs being sent at once */
#define RENDER_MAX 8192    /* the largest rendered config */

/**
 * A rendered config: its bytes and the rb_file a session sends them
 * from.  Free when no session uses it and no frame points into it.
 */
struct render_slot {
	struct rb_file file;
	uint8_t used;
	char buf[RENDER_MAX] __attribute__((aligned(64)));
};

struct mc_group;

struct session {
	struct render_slot *slot; /**< the rendered config sent, or NULL */
	struct rb_filecache *held; /**< the cache @p file is in, or NULL */
	struct key k;
	struct rte_ether_addr mac;
	const struct rb_file *file;
	uint64_t nblocks;  /**< blocks in the transfer, the last one short */
	uint64_t acked;    /**< highest block acknowledged */
	uint64_t sent;     /**< highest block sent */
	uint64_t resent_lo, resent_hi; /**< sent again in the last restart */
	uint32_t pos;      /**< where the session is in live[] and due[] */
	uint32_t blksize;
	uint32_t timeout_ms;      /**< doubles with each retry ... */
	uint32_t base_timeout_ms; /**< ... and comes back on progress */
	uint16_t window;
	uint8_t used, retries, oack_len;
	uint8_t probed;     /**< a timeout sent the last block alone */
	uint8_t gap_restarted; /**< a repeated ACK of @p acked restarted */
	uint8_t slid;       /**< the last ACK slid the window, see expire() */
	uint8_t oack[112];  /**< kept to send again while ACK 0 is missing */
	/* a member of a multicast group: the group's timer runs, not ours */
	struct mc_group *mc;
	struct session *mc_next, *mc_prev; /**< younger and older members */
};

/*
 * A worker's sessions.  Free ones are a stack of indices, so a request
 * takes one at once however full the table is; the ones in use are
 * listed densely with their deadlines beside them, so the timer sweep
 * reads a few kilobytes of deadlines instead of session after session
 * (64 sessions of the table each poll, a cache miss each, were a fifth
 * of the worker's time at 1,000 transfers).
 */
struct worker_state {
	struct session *s;
	struct render_slot *slots;
	struct rte_ring *handoff; /**< packets for our sessions, from others */
	uint16_t port_lo, nports; /**< our slice of the transfer ports */
	struct rte_hash *by_key;
	uint32_t *free_ids;       /**< free sessions, a stack ... */
	uint32_t nfree;           /**< ... this deep */
	uint32_t *live;           /**< sessions in use, @p active of them */
	uint64_t *due;            /**< TSC of each one's next retransmission
				       (UINT64_MAX: none, or a group's) */
	uint64_t next_sweep;      /**< TSC of the next look at @p due */
	uint32_t active;
	struct mc_group *groups;  /**< RB_TFTP_MC_GROUPS of them */
	uint32_t mc_base;         /**< our slice of the group addresses */
	uint16_t mc_count;        /**< (host order base, how many) */
	uint16_t mc_active;       /**< groups in use */
} __attribute__((aligned(64)));

/* a packet for another worker's session, with its check result */
struct handoff {
	struct rte_mbuf *m;
	struct rb_frame f;
};

struct rb_tftpd {
	struct rb_tftpd_conf conf;
	/* replaced by rb_tftpd_swap() while workers run: read once per
	 * request, and a transfer holds the cache its file is in */
	struct rb_filecache *cache;
	const struct rb_profiles *profiles;
	/* data-less mbufs that DATA frames attach to the cached file with,
	 * so every client's frames point into one copy of it */
	struct rte_mempool *ext_pool;
	unsigned int nb_workers;
	uint64_t tsc_ms;
	struct worker_state ws[RB_DP_MAX_WORKERS];
};


/* multicast groups per worker (RFC 2090): a group per file sent */
#define RB_TFTP_MC_GROUPS 32

/**
 * Send DATA block @p n of @p file at @p blksize, pointing into the file
 * (no copy), from our TID @p sport to @p ip:@p dport at @p mac.
 *
 * @param first  whether the block is sent for the first time (bytes count)
 * @return 0, or -1 when no mbuf was free (the timer sends it again)
 */
int rb_tftp_send_block(struct rb_tftpd *t, struct rb_worker *w,
		       const struct rb_file *file, uint32_t blksize, uint64_t n,
		       const struct rte_ether_addr *mac, uint32_t ip,
		       uint16_t sport, uint16_t dport, int first);

/** Send @p len bytes at @p p to the session's client from its TID. */
void rb_tftp_send_to_client(struct rb_worker *w, const struct session *s,
			    const uint8_t *p, uint16_t len);

/** A free session of the worker (the next to be taken), or NULL. */
struct session *rb_tftp_session_new(struct worker_state *ws);

/**
 * Take session @p s, the one rb_tftp_session_new() just gave, for the
 * request in @p m from @p f, on our TID
 * @p sport, sending @p file (held in @p cache when not NULL).
 *
 * @return 0, or -1 (the key is taken; the session stays free)
 */
int rb_tftp_session_start(struct worker_state *ws, struct session *s,
			  struct rte_mbuf *m, const struct rb_frame *f,
			  uint16_t sport, const struct rb_file *file,
			  struct rb_filecache *cache);

/** End a session: its key, slot and cache hold are let go. */
void rb_tftp_session_end(struct worker_state *ws, struct session *s);

/** Set session @p s's next retransmission to TSC @p tsc (UINT64_MAX: none). */
static inline void
rb_tftp_session_due(struct worker_state *ws, const struct session *s,
		    uint64_t tsc)
{
	ws->due[s->pos] = tsc;
}

/** Allocate the worker's groups and address slice; 0 or -ENOMEM. */
int rb_tftp_mc_init(struct rb_tftpd *t, unsigned int w);

/** Free them. */
void rb_tftp_mc_fini(struct rb_tftpd *t, unsigned int w);

/**
 * A read request asking for multicast: join the group sending @p file,
 * or start one.  The OACK goes back from the group's TID.
 *
 * @return 0 when the request was taken (@p m is consumed), -1 when it
 *         must be served by unicast (no group or address free, a block
 *         size the group cannot share, a file over 65535 blocks)
 */
int rb_tftp_mc_join(struct rb_tftpd *t, struct rb_worker *w,
		    struct worker_state *ws, struct rte_mbuf *m,
		    const struct rb_frame *f, const struct rb_tftp_req *r,
		    const struct rb_file *file, struct rb_filecache *cache);

/** An ACK (@p op, block @p n16) or ERROR from a group member. */
void rb_tftp_mc_packet(struct rb_tftpd *t, struct rb_worker *w,
		       struct worker_state *ws, struct session *s, uint16_t op,
		       uint16_t n16);

/** The groups' timers. */
void rb_tftp_mc_poll(struct rb_tftpd *t, struct rb_worker *w,
		     struct worker_state *ws, uint64_t now);

#endif
