/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The lease journal: an append-only file of fixed-size records, each with
 * a sequence number and a CRC, written by one journal thread in batches
 * with one fdatasync per batch (group commit).
 *
 * Workers never touch the disk.  A worker that acknowledges a lease hands
 * the journal the lease record together with the ACK frame; the journal
 * thread writes and syncs the batch, then gives each frame back to its
 * worker, which sends it.  So an ACK leaves only once its lease is on
 * disk, and a crash at any instant loses no acknowledged lease.  With
 * sync off (--lease-sync none) the worker sends at once and the record
 * follows: faster, and a crash may lose the last leases acknowledged.
 *
 * The file compacts itself: when it holds many more records than live
 * leases, the live ones are written to a new file that replaces it
 * (rename), so a crash during compaction leaves the old or the new file.
 *
 * When writes fail (a full disk), the file keeps its last good record
 * and nothing new is acknowledged, except leases the file already holds,
 * and those only until the end it holds (rb_journal_durable).
 */
#ifndef RACKBOOT_JOURNAL_H
#define RACKBOOT_JOURNAL_H

#include <pthread.h>
#include <stdint.h>

#include "rackboot/lease.h"

struct rte_mbuf;
struct rte_ring;

#define RB_JOURNAL_MAGIC 0x4a4c4252u /* "RBLJ" */

enum rb_journal_type {
	RB_JREC_BIND = 1,    /**< a lease acknowledged (or renewed) */
	RB_JREC_RELEASE = 2, /**< given back */
	RB_JREC_DECLINE = 3, /**< address in use elsewhere, kept off */
};

/** One record, as on disk (host byte order, this machine's file). */
struct rb_journal_rec {
	uint32_t magic;
	uint32_t seq;
	uint8_t type;
	uint8_t pad[3];
	uint32_t ip;        /**< network order */
	uint32_t expires;   /**< epoch seconds */
	uint8_t mac[6];
	uint8_t pad2[2];
	struct rb_client_key key;
	uint32_t crc;       /**< CRC32C of everything before it */
} __attribute__((packed));

_Static_assert(sizeof(struct rb_journal_rec) == 64, "journal record size");

/**
 * Fill in magic and CRC.
 *
 * @param r    the record, seq set by the writer
 */
void rb_journal_seal(struct rb_journal_rec *r);

/** @return whether @p r carries the magic and a matching CRC. */
int rb_journal_rec_ok(const struct rb_journal_rec *r);

/**
 * Read a journal file and call @p apply for each good record in order.
 * A torn or corrupt tail (a crash during a write) is cut off the file.
 *
 * @param path   the journal
 * @param apply  called per record
 * @param ctx    passed to @p apply
 * @param good   number of good records
 * @param cut    bytes cut off the end
 * @return 0 (a missing file is an empty journal), or a negative errno
 */
int rb_journal_replay(const char *path,
		      void (*apply)(void *ctx, const struct rb_journal_rec *r),
		      void *ctx, uint64_t *good, uint64_t *cut);

#define RB_JOURNAL_MAX_WORKERS 64

/** The journal; fields are its own, shown so workers can inline. */
struct rb_journal {
	struct rte_ring *in;   /**< from workers: records and their ACKs */
	struct rte_ring *out[RB_JOURNAL_MAX_WORKERS]; /**< ACKs back, durable */
	int sync;              /**< hold ACKs until the record is synced */
	int fd;
	char path[4096];
	uint32_t seq;
	uint64_t written;      /**< records in the file */
	uint64_t syncs;        /**< fdatasync calls */
	uint64_t errors;       /**< failed writes or syncs (atomic) */
	int failing;           /**< the last write failed (atomic) */
	volatile int quit;
	pthread_t thread;
	pthread_mutex_t lock;  /**< guards the mirror for readers */
	struct rb_journal_mirror *mirror; /**< live leases by address */
};

/** What a worker hands the journal. */
struct rb_journal_item {
	struct rb_journal_rec rec;
	struct rte_mbuf *m;    /**< the ACK to send once durable, or NULL */
	uint16_t worker;
	uint16_t pad[3];
};

/**
 * Open (create) the journal file for appending and start its thread.
 * Replay it first with rb_journal_replay(): open appends after what is
 * there and loads the live leases into its mirror.
 *
 * @param path        the file
 * @param sync        hold ACKs until synced
 * @param nb_workers  workers that submit
 * @param out         the journal
 * @return 0 or a negative errno
 */
int rb_journal_start(const char *path, int sync, unsigned int nb_workers,
		     struct rb_journal **out);

/** Write what is queued, stop the thread, close the file. */
void rb_journal_stop(struct rb_journal *j);

/**
 * Hand the journal a record (worker side, never blocks).
 *
 * @param j       the journal
 * @param rec     the record (seq and CRC are the writer's)
 * @param m       the ACK to send once durable; NULL to send nothing
 * @param worker  the worker's index, where the ACK comes back
 * @return 0, or -1 when the journal's queue is full
 */
int rb_journal_submit(struct rb_journal *j, const struct rb_journal_rec *rec,
		      struct rte_mbuf *m, uint16_t worker);

/**
 * Take ACKs made durable for this worker (worker side).  An ACK whose
 * record could not be written comes back only when the file already
 * holds a lease of the same client and address with a minute or more to
 * run; its mbuf's hash.usr then carries that lease's end (epoch
 * seconds), and the ACK must promise no more.  Otherwise hash.usr is 0.
 *
 * @return how many were put in @p pkts
 */
unsigned int rb_journal_durable(struct rb_journal *j, uint16_t worker,
				struct rte_mbuf **pkts, unsigned int n);

/** @return whether the last write failed (any thread). */
static inline int
rb_journal_failing(const struct rb_journal *j)
{
	return __atomic_load_n(&j->failing, __ATOMIC_RELAXED);
}

/** @return how many writes or syncs failed (any thread). */
static inline uint64_t
rb_journal_errors(const struct rb_journal *j)
{
	return __atomic_load_n(&j->errors, __ATOMIC_RELAXED);
}

/**
 * Call @p fn for each live lease (control side; takes the mirror lock).
 */
void rb_journal_foreach(struct rb_journal *j,
			void (*fn)(void *ctx, const struct rb_journal_rec *r),
			void *ctx);

#endif
