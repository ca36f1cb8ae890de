/* SPDX-License-Identifier: BSD-3-Clause */
/* The lease journal: records written and read back, a torn last record
 * cut off, a corrupt record ending the replay, compaction, ACKs handed
 * back only after their batch is written, and a full disk. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "../ring/harness.h"
#include "rackboot/journal.h"

static char dir[64], path[128];
static struct rte_mempool *pool;

static struct rb_journal_rec
rec(uint8_t type, uint32_t ip, uint32_t expires)
{
	struct rb_journal_rec r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.ip = ip;
	r.expires = expires;
	r.key.len = 7;
	r.key.data[0] = 1;
	r.key.data[6] = (uint8_t)ip;
	return r;
}

struct seen {
	unsigned int n;
	struct rb_journal_rec r[20000];
};

static void
collect(void *ctx, const struct rb_journal_rec *r)
{
	struct seen *s = ctx;

	if (s->n < 20000)
		s->r[s->n] = *r;
	s->n++;
}

static off_t
file_size(void)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* run a journal, feed it records, wait until all are written, stop */
static void
write_records(const struct rb_journal_rec *r, unsigned int n)
{
	struct rb_journal *j;
	unsigned int i;

	assert_int_equal(rb_journal_start(path, 1, 1, &j), 0);
	for (i = 0; i < n; i++)
		while (rb_journal_submit(j, &r[i], NULL, 0) < 0)
			usleep(100);
	rb_journal_stop(j);
}

static int
fresh(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void
test_round_trip(void **state)
{
	struct rb_journal_rec r[3];
	static struct seen s;
	uint64_t good, cut;
	uint32_t later = (uint32_t)time(NULL) + 3600;

	(void)state;
	r[0] = rec(RB_JREC_BIND, 0x0a630064, later);
	r[1] = rec(RB_JREC_DECLINE, 0x0a630065, later);
	r[2] = rec(RB_JREC_RELEASE, 0x0a630064, 0);
	write_records(r, 3);
	assert_int_equal(file_size(), 3 * 64);
	s.n = 0;
	assert_int_equal(rb_journal_replay(path, collect, &s, &good, &cut), 0);
	assert_int_equal(good, 3);
	assert_int_equal(cut, 0);
	assert_int_equal(s.r[0].type, RB_JREC_BIND);
	assert_int_equal(s.r[0].seq, 1);
	assert_int_equal(s.r[2].seq, 3);
	assert_int_equal(s.r[1].ip, 0x0a630065);
	assert_memory_equal(&s.r[0].key, &r[0].key, sizeof(r[0].key));
	/* a journal that does not exist yet is empty, not an error */
	unlink(path);
	assert_int_equal(rb_journal_replay(path, collect, &s, &good, &cut), 0);
	assert_int_equal(good, 0);
}

static void
test_torn_tail(void **state)
{
	struct rb_journal_rec r[5];
	static struct seen s;
	uint64_t good, cut;
	unsigned int i;
	int fd;

	(void)state;
	for (i = 0; i < 5; i++)
		r[i] = rec(RB_JREC_BIND, 0x0a630064 + i, 2000000000u);
	write_records(r, 5);
	/* a crash in the middle of the sixth write */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &r[0], 30), 30);
	close(fd);
	s.n = 0;
	assert_int_equal(rb_journal_replay(path, collect, &s, &good, &cut), 0);
	assert_int_equal(good, 5);
	assert_int_equal(cut, 30);
	assert_int_equal(file_size(), 5 * 64); /* the tail was cut off */
	/* and the journal appends after the good records */
	r[0] = rec(RB_JREC_BIND, 0x0a6300ff, 2000000000u);
	write_records(r, 1);
	s.n = 0;
	assert_int_equal(rb_journal_replay(path, collect, &s, &good, &cut), 0);
	assert_int_equal(good, 6);
	assert_int_equal(s.r[5].ip, 0x0a6300ff);
	assert_int_equal(s.r[5].seq, 6);
}

static void
test_corrupt_record(void **state)
{
	struct rb_journal_rec r[4];
	static struct seen s;
	uint64_t good, cut;
	unsigned int i;
	uint8_t flip = 0xff;
	int fd;

	(void)state;
	for (i = 0; i < 4; i++)
		r[i] = rec(RB_JREC_BIND, 0x0a630064 + i, 2000000000u);
	write_records(r, 4);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &flip, 1, 2 * 64 + 20), 1);
	close(fd);
	s.n = 0;
	assert_int_equal(rb_journal_replay(path, collect, &s, &good, &cut), 0);
	assert_int_equal(good, 2);
	assert_int_equal(cut, 2 * 64);
}

static void
test_compaction(void **state)
{
	static struct rb_journal_rec r[12000];
	static struct seen s;
	uint64_t good, cut;
	uint32_t later = (uint32_t)time(NULL) + 3600;
	unsigned int i;

	(void)state;
	/* 100 addresses renewed 120 times each: 12,000 records, 100 live */
	for (i = 0; i < 12000; i++)
		r[i] = rec(RB_JREC_BIND, 0x0a630000 + i % 100, later + i);
	write_records(r, 12000);
	assert_true(file_size() < 12000 * 64 / 2);
	s.n = 0;
	assert_int_equal(rb_journal_replay(path, collect, &s, &good, &cut), 0);
	assert_int_equal(cut, 0);
	/* whatever the file holds, the last word on each address is the
	 * last record written for it */
	{
		static uint32_t last[100];

		for (i = 0; i < s.n; i++)
			last[s.r[i].ip - 0x0a630000] = s.r[i].expires;
		for (i = 0; i < 100; i++)
			assert_int_equal(last[i], later + 11900 + i);
	}
}

static void
test_durable_ack(void **state)
{
	struct rb_journal *j;
	struct rb_journal_rec r = rec(RB_JREC_BIND, 0x0a630064, 2000000000u);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *back[4];
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 5;
	unsigned int n = 0;

	(void)state;
	assert_non_null(m);
	assert_int_equal(rb_journal_start(path, 1, 2, &j), 0);
	assert_int_equal(rb_journal_submit(j, &r, m, 1), 0);
	while (n == 0 && rte_get_timer_cycles() < deadline) {
		n = rb_journal_durable(j, 1, back, 4);
		usleep(100);
	}
	assert_int_equal(n, 1);
	assert_ptr_equal(back[0], m);
	/* by then it is on disk, and nothing went to the other worker */
	assert_int_equal(file_size(), 64);
	assert_true(j->syncs >= 1);
	assert_int_equal(rb_journal_durable(j, 0, back, 4), 0);
	rte_pktmbuf_free(m);
	rb_journal_stop(j);
}

/* the ACK handed back to worker 0 within @p secs, or NULL */
static struct rte_mbuf *
back_within(struct rb_journal *j, double secs)
{
	uint64_t deadline = rte_get_timer_cycles() +
			    (uint64_t)(rte_get_timer_hz() * secs);
	struct rte_mbuf *m;

	while (rte_get_timer_cycles() < deadline) {
		if (rb_journal_durable(j, 0, &m, 1) == 1)
			return m;
		usleep(100);
	}
	return NULL;
}

/* a full disk (RLIMIT_FSIZE makes writes fail with EFBIG, as ENOSPC
 * would): the file keeps its good records whole; a new lease's ACK is
 * not sent; a known lease's renewal comes back capped at the end the
 * file holds, unless that is under a minute away; writing again once
 * there is room */
static void
test_disk_full(void **state)
{
	uint32_t now = (uint32_t)time(NULL);
	struct rb_journal_rec known = rec(RB_JREC_BIND, 0x0a630064, now + 3600);
	struct rb_journal_rec ending = rec(RB_JREC_BIND, 0x0a630066, now + 30);
	struct rb_journal_rec fresh_lease = rec(RB_JREC_BIND, 0x0a630065,
						now + 3600);
	struct rlimit unlimited, full;
	struct rb_journal *j;
	struct rte_mbuf *m;
	static struct seen s;
	uint64_t good, cut;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &unlimited), 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(rb_journal_start(path, 1, 1, &j), 0);
	assert_int_equal(rb_journal_submit(j, &known, rte_pktmbuf_alloc(pool), 0), 0);
	m = back_within(j, 5);
	assert_non_null(m);
	assert_int_equal(m->hash.usr, 0);
	rte_pktmbuf_free(m);
	assert_int_equal(rb_journal_submit(j, &ending, rte_pktmbuf_alloc(pool), 0), 0);
	m = back_within(j, 5);
	assert_non_null(m);
	rte_pktmbuf_free(m);
	assert_int_equal(file_size(), 128);

	/* the disk is full: room for half a record */
	full = unlimited;
	full.rlim_cur = 128 + 32;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &full), 0);
	known.expires = now + 7200; /* a renewal */
	assert_int_equal(rb_journal_submit(j, &known, rte_pktmbuf_alloc(pool), 0), 0);
	m = back_within(j, 5);
	assert_non_null(m);
	assert_int_equal(m->hash.usr, now + 3600);
	rte_pktmbuf_free(m);
	assert_true(rb_journal_failing(j));
	assert_true(rb_journal_errors(j) >= 1);
	assert_int_equal(rb_journal_submit(j, &fresh_lease, rte_pktmbuf_alloc(pool), 0), 0);
	assert_null(back_within(j, 0.3));
	ending.expires = now + 3600;
	assert_int_equal(rb_journal_submit(j, &ending, rte_pktmbuf_alloc(pool), 0), 0);
	assert_null(back_within(j, 0.3));
	/* the half-written batch was cut: whole records only */
	assert_int_equal(file_size(), 128);

	/* room again */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &unlimited), 0);
	assert_int_equal(rb_journal_submit(j, &fresh_lease, rte_pktmbuf_alloc(pool), 0), 0);
	m = back_within(j, 5);
	assert_non_null(m);
	assert_int_equal(m->hash.usr, 0);
	rte_pktmbuf_free(m);
	assert_false(rb_journal_failing(j));
	rb_journal_stop(j);

	s.n = 0;
	assert_int_equal(rb_journal_replay(path, collect, &s, &good, &cut), 0);
	assert_int_equal(good, 3);
	assert_int_equal(cut, 0);
	assert_int_equal(s.r[0].expires, now + 3600);
	assert_int_equal(s.r[2].ip, 0x0a630065);
	assert_int_equal(s.r[2].seq, 3);
}

static int
group_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rbjournal.XXXXXX");
	if (mkdtemp(dir) == NULL || rbh_eal_init() < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/leases", dir);
	pool = rte_pktmbuf_pool_create("jt", 63, 0, 0, 256, 0);
	return pool ? 0 : -1;
}

static int
group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	rte_mempool_free(pool);
	rbh_eal_fini();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_round_trip, fresh),
		cmocka_unit_test_setup(test_torn_tail, fresh),
		cmocka_unit_test_setup(test_corrupt_record, fresh),
		cmocka_unit_test_setup(test_compaction, fresh),
		cmocka_unit_test_setup(test_durable_ack, fresh),
		cmocka_unit_test_setup(test_disk_full, fresh),
	};

	return cmocka_run_group_tests_name("journal", tests, group_setup,
					   group_teardown);
}
