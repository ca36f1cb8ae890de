/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The workers' side of the lease journal: queue a record (and its ACK) for
 * the journal thread, take back ACKs it made durable.  Never blocks.
 */
#include <stddef.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "rackboot/journal.h"

#define CRC_LEN offsetof(struct rb_journal_rec, crc)

void
rb_journal_seal(struct rb_journal_rec *r)
{
	r->magic = RB_JOURNAL_MAGIC;
	r->crc = rte_hash_crc(r, CRC_LEN, 0xffffffffu);
}

int
rb_journal_rec_ok(const struct rb_journal_rec *r)
{
	return r->magic == RB_JOURNAL_MAGIC &&
	       r->crc == rte_hash_crc(r, CRC_LEN, 0xffffffffu) &&
	       r->key.len <= RB_KEY_MAX &&
	       (r->type == RB_JREC_BIND || r->type == RB_JREC_RELEASE ||
		r->type == RB_JREC_DECLINE);
}

int
rb_journal_submit(struct rb_journal *j, const struct rb_journal_rec *rec,
		  struct rte_mbuf *m, uint16_t worker)
{
	struct rb_journal_item it;

	memset(&it, 0, sizeof(it));
	it.rec = *rec;
	it.m = m;
	it.worker = worker;
	return rte_ring_mp_enqueue_elem(j->in, &it, sizeof(it)) == 0 ? 0 : -1;
}

unsigned int
rb_journal_durable(struct rb_journal *j, uint16_t worker,
		   struct rte_mbuf **pkts, unsigned int n)
{
	return rte_ring_sc_dequeue_burst(j->out[worker], (void **)pkts, n,
					 NULL);
}
