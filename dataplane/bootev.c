/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The boot event queue: an rte_ring of fixed-size elements, many
 * producers (workers, HTTP threads), the control thread consuming.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "rackboot/bootev.h"

_Static_assert(sizeof(struct rb_bootev) == 128, "an event is 128 bytes");

struct rb_bootev_q {
	struct rte_ring *r;
	uint64_t lost;
};

int
rb_bootev_create(unsigned int size, struct rb_bootev_q **out)
{
	struct rb_bootev_q *q = rte_zmalloc("rb_bootev", sizeof(*q), 64);
	char name[32];

	if (q == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "rb_bootev_%p", (void *)q);
	q->r = rte_ring_create_elem(name, sizeof(struct rb_bootev), size,
				    SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (q->r == NULL) {
		rte_free(q);
		return -ENOMEM;
	}
	*out = q;
	return 0;
}

void
rb_bootev_free(struct rb_bootev_q *q)
{
	if (q == NULL)
		return;
	rte_ring_free(q->r);
	rte_free(q);
}

void
rb_bootev_push(struct rb_bootev_q *q, uint8_t kind, uint8_t flags,
	       const uint8_t *mac, uint32_t ip, const char *path)
{
	struct rb_bootev e;
	struct timespec ts;

	if (q == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	memset(&e, 0, sizeof(e));
	e.ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	e.ip = ip;
	e.kind = kind;
	e.flags = flags;
	if (mac) {
		memcpy(e.mac, mac, 6);
		e.flags |= RB_BOOTEV_MAC;
	}
	if (path)
		snprintf(e.path, sizeof(e.path), "%s", path);
	if (rte_ring_enqueue_elem(q->r, &e, sizeof(e)) != 0)
		__atomic_add_fetch(&q->lost, 1, __ATOMIC_RELAXED);
}

unsigned int
rb_bootev_pop(struct rb_bootev_q *q, struct rb_bootev *out, unsigned int n)
{
	return rte_ring_dequeue_burst_elem(q->r, out, sizeof(*out), n, NULL);
}

uint64_t
rb_bootev_lost(const struct rb_bootev_q *q)
{
	return __atomic_load_n(&q->lost, __ATOMIC_RELAXED);
}
