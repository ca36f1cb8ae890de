/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TFTP multicast (RFC 2090): one group per file being sent, its DATA sent
 * once to a multicast address for every member.  The oldest member, the
 * master client, acknowledges; its ACK of block n asks for block n + 1,
 * so a member that joined late asks for the blocks it missed when its
 * turn as master comes.  A master that finishes, leaves with an ERROR or
 * stops answering hands the role to the next oldest member.
 *
 * Members are ordinary sessions (keyed by client address, client port and
 * the group's TID) chained in join order; the group, not the session,
 * carries the timer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "tftp_int.h"

/* RFC 2090 block numbers do not roll over: atftp's client keeps a bitmap
 * of 65535 blocks and reads the 16-bit number as it is */
#define MC_MAX_BLOCKS 65535u
/* OACKs naming a new master before the next oldest member is asked */
#define MC_OFFERS 3

enum mc_state {
	MC_FREE,
	MC_OFFERED, /* OACK mc=1 sent to the master, its first ACK awaited */
	MC_SENDING, /* a block sent to the group, the master's ACK awaited */
	MC_GATHERING, /* block 1 asked for, held until the gathering ends */
};

struct mc_group {
	const struct rb_file *file;
	struct rb_filecache *held;   /* the cache of @file, while it runs */
	struct session *head, *tail; /* members, oldest (the master) first */
	uint64_t nblocks;
	uint64_t sent;               /* the block last sent */
	uint64_t highest;            /* the highest block ever sent */
	uint64_t deadline;
	uint64_t gather_end;         /* no block before this TSC */
	uint32_t addr;               /* network order */
	uint32_t blksize;
	uint32_t timeout_ms, base_timeout_ms;
	uint16_t sport;              /* our TID, for every member */
	uint8_t state, retries;
	struct rte_ether_addr mac;   /* of the group address */
};

int
rb_tftp_mc_init(struct rb_tftpd *t, unsigned int w)
{
	struct worker_state *ws = &t->ws[w];
	uint32_t total, share;

	ws->groups = rte_zmalloc("rb_tftp_mc",
				 sizeof(struct mc_group) * RB_TFTP_MC_GROUPS, 64);
	if (ws->groups == NULL)
		return -ENOMEM;
	if (t->conf.mc_addr_lo == 0 || t->conf.mc_addr_hi < t->conf.mc_addr_lo)
		return 0; /* multicast off: no addresses */
	/* each worker its own addresses, so two groups never share one */
	total = t->conf.mc_addr_hi - t->conf.mc_addr_lo + 1;
	share = total / t->nb_workers;
	ws->mc_base = t->conf.mc_addr_lo + share * w;
	ws->mc_count = (uint16_t)RTE_MIN(share, (uint32_t)RB_TFTP_MC_GROUPS);
	return 0;
}

void
rb_tftp_mc_fini(struct rb_tftpd *t, unsigned int w)
{
	struct worker_state *ws = &t->ws[w];
	unsigned int i;

	for (i = 0; ws->groups && i < RB_TFTP_MC_GROUPS; i++)
		if (ws->groups[i].state != MC_FREE)
			rb_filecache_release(ws->groups[i].held);
	rte_free(ws->groups);
	ws->groups = NULL;
}

static void
arm(struct rb_tftpd *t, struct mc_group *g)
{
	g->deadline = rte_rdtsc() + t->tsc_ms * g->timeout_ms;
}

/**
 * Send member @p s its OACK from the group's TID: the options of its
 * request the group takes (kept in s->oack), then "multicast" with the
 * group's address and port and whether @p s is the master.
 */
static void
send_oack(struct rb_tftpd *t, struct rb_worker *w, const struct mc_group *g,
	  const struct session *s, int master)
{
	uint8_t buf[sizeof(s->oack) + 48];
	uint32_t a = rte_be_to_cpu_32(g->addr);
	int n;

	memcpy(buf, s->oack, s->oack_len);
	memcpy(buf + s->oack_len, "multicast", 10);
	n = snprintf((char *)buf + s->oack_len + 10, 38, "%u.%u.%u.%u,%u,%d",
		     a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff,
		     t->conf.mc_port, master);
	rb_tftp_send_to_client(w, s, buf, (uint16_t)(s->oack_len + 10 + n + 1));
}

/** Make the oldest member the master: an OACK with mc=1 tells it. */
static void
promote(struct rb_tftpd *t, struct rb_worker *w, struct mc_group *g)
{
	g->state = MC_OFFERED;
	g->retries = 0;
	g->timeout_ms = g->base_timeout_ms;
	send_oack(t, w, g, g->head, 1);
	rb_count(rb_worker_counters(w), RB_CTR_tftp_mc_masters, 1);
	arm(t, g);
}

/** Drop member @p s (done or gone); the next oldest may become master. */
static void
leave(struct rb_tftpd *t, struct rb_worker *w, struct worker_state *ws,
      struct mc_group *g, struct session *s)
{
	int was_master = s == g->head;

	if (s->mc_prev)
		s->mc_prev->mc_next = s->mc_next;
	else
		g->head = s->mc_next;
	if (s->mc_next)
		s->mc_next->mc_prev = s->mc_prev;
	else
		g->tail = s->mc_prev;
	rb_tftp_session_end(ws, s);
	if (g->head == NULL) {
		rb_filecache_release(g->held);
		g->held = NULL;
		g->state = MC_FREE;
		ws->mc_active--;
	} else if (was_master) {
		promote(t, w, g);
	}
}

/** The MAC of group @p addr: 01:00:5e and its low 23 bits (RFC 1112). */
static void
group_mac(struct rte_ether_addr *mac, uint32_t addr)
{
	uint32_t a = rte_be_to_cpu_32(addr);

	mac->addr_bytes[0] = 0x01;
	mac->addr_bytes[1] = 0x00;
	mac->addr_bytes[2] = 0x5e;
	mac->addr_bytes[3] = (uint8_t)((a >> 16) & 0x7f);
	mac->addr_bytes[4] = (uint8_t)(a >> 8);
	mac->addr_bytes[5] = (uint8_t)a;
}

/**
 * The group sending @p file that a client asking for @p blksize (0: not
 * asked, so 512) can join, or a new one; NULL when none is free.
 */
static struct mc_group *
find_group(struct rb_tftpd *t, struct worker_state *ws,
	   const struct rb_file *file, uint32_t blksize, uint8_t timeout)
{
	struct mc_group *free = NULL;
	uint32_t want = blksize ? RTE_MIN(blksize, t->conf.max_blksize) : 512;
	unsigned int i;

	for (i = 0; i < ws->mc_count; i++) {
		struct mc_group *g = &ws->groups[i];

		if (g->state == MC_FREE) {
			if (free == NULL)
				free = g;
			continue;
		}
		/* the group's blocks must be the size the client reads:
		 * asked for, it may be smaller (RFC 2348); not asked, 512 */
		if (g->file == file &&
		    (blksize ? g->blksize <= want : g->blksize == 512))
			return g;
	}
	if (free == NULL || file->size / want + 1 > MC_MAX_BLOCKS)
		return NULL;
	i = (unsigned int)(free - ws->groups);
	memset(free, 0, sizeof(*free));
	free->file = file;
	free->nblocks = file->size / want + 1;
	free->blksize = want;
	free->base_timeout_ms = timeout ? timeout * 1000u : t->conf.timeout_ms;
	free->addr = rte_cpu_to_be_32(ws->mc_base + i);
	free->sport = (uint16_t)(ws->port_lo + i % ws->nports);
	group_mac(&free->mac, free->addr);
	return free;
}

int
rb_tftp_mc_join(struct rb_tftpd *t, struct rb_worker *w,
		struct worker_state *ws, struct rte_mbuf *m,
		const struct rb_frame *f, const struct rb_tftp_req *r,
		const struct rb_file *file, struct rb_filecache *cache)
{
	struct mc_group *g = find_group(t, ws, file, r->blksize, r->timeout);
	struct session *s;
	int fresh;

	if (g == NULL)
		return -1;
	fresh = g->state == MC_FREE;
	s = rb_tftp_session_new(ws);
	if (s == NULL ||
	    rb_tftp_session_start(ws, s, m, f, g->sport, file, NULL) < 0)
		return -1; /* a fresh group stays free */
	if (fresh) {
		g->held = cache;
		rb_filecache_hold(cache);
		g->state = MC_OFFERED;
		g->gather_end = rte_rdtsc() + t->tsc_ms * t->conf.mc_gather_ms;
		ws->mc_active++;
	}
	s->mc = g;
	s->blksize = g->blksize;
	s->nblocks = g->nblocks;
	s->window = 1;
	s->oack_len = (uint8_t)rb_tftp_oack(
		s->oack, r->blksize ? g->blksize : 0,
		r->has_tsize ? (int64_t)file->size : -1, r->timeout, 0, NULL);
	s->mc_prev = g->tail;
	if (g->tail)
		g->tail->mc_next = s;
	else
		g->head = s;
	g->tail = s;
	rte_pktmbuf_free(m);
	rb_count(rb_worker_counters(w), RB_CTR_tftp_mc_joined, 1);
	if (fresh)
		promote(t, w, g);
	else
		send_oack(t, w, g, s, 0); /* it listens until its turn */
	return 0;
}

/** Send block @p n to the whole group. */
static void
send_to_group(struct rb_tftpd *t, struct rb_worker *w, struct mc_group *g,
	      uint64_t n)
{
	rb_tftp_send_block(t, w, g->file, g->blksize, n, &g->mac, g->addr,
			   g->sport, t->conf.mc_port, n > g->highest);
	if (n > g->highest)
		g->highest = n;
	g->sent = n;
}

void
rb_tftp_mc_packet(struct rb_tftpd *t, struct rb_worker *w,
		  struct worker_state *ws, struct session *s, uint16_t op,
		  uint16_t n16)
{
	struct mc_group *g = s->mc;
	uint64_t want = (uint64_t)n16 + 1;

	if (op == RB_TFTP_ERROR) {
		leave(t, w, ws, g, s); /* the client gave up */
		return;
	}
	if (n16 == g->nblocks) {
		/* RFC 2090: every member ends by acknowledging the last
		 * block, master or not */
		rb_count(rb_worker_counters(w), RB_CTR_tftp_done, 1);
		leave(t, w, ws, g, s);
		return;
	}
	/* only the master asks; and an ACK asking again for the block just
	 * sent is a duplicate: the timer resends, never the ACK (no
	 * sorcerer's apprentice) */
	if (s != g->head || want > g->nblocks || g->state == MC_GATHERING ||
	    (g->state == MC_SENDING && want == g->sent))
		return;
	if (g->highest == 0 && rte_rdtsc() < g->gather_end) {
		/* a new group: machines powered on together are still
		 * asking; each that joins now gets every block the first
		 * time instead of asking again for the ones it missed */
		g->state = MC_GATHERING;
		g->deadline = g->gather_end;
		return;
	}
	g->state = MC_SENDING;
	g->retries = 0;
	g->timeout_ms = g->base_timeout_ms;
	send_to_group(t, w, g, want);
	arm(t, g);
}

void
rb_tftp_mc_poll(struct rb_tftpd *t, struct rb_worker *w,
		struct worker_state *ws, uint64_t now)
{
	struct rb_counters *ctr = rb_worker_counters(w);
	unsigned int i;

	for (i = 0; i < ws->mc_count; i++) {
		struct mc_group *g = &ws->groups[i];

		if (g->state == MC_FREE || now <= g->deadline)
			continue;
		if (g->state == MC_GATHERING) {
			g->state = MC_SENDING;
			g->retries = 0;
			g->timeout_ms = g->base_timeout_ms;
			send_to_group(t, w, g, 1);
			arm(t, g);
			continue;
		}
		if (g->retries >= (g->state == MC_OFFERED ? MC_OFFERS
							   : t->conf.retries)) {
			/* the master is gone: the next oldest takes over */
			rb_count(ctr, RB_CTR_DROP_tftp_timed_out, 1);
			leave(t, w, ws, g, g->head);
			continue;
		}
		g->retries++;
		if (g->state == MC_OFFERED) {
			send_oack(t, w, g, g->head, 1);
		} else {
			g->timeout_ms = RTE_MIN(g->timeout_ms * 2, 8000u);
			rb_count(ctr, RB_CTR_tftp_retransmits, 1);
			send_to_group(t, w, g, g->sent);
		}
		arm(t, g);
	}
}
