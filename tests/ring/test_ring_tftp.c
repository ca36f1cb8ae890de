/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TFTP server on the real dataplane over net_ring, files from a real
 * file cache: lock-step and windowed transfers byte for byte, a lost block
 * in a window, a repeated ACK restarting it once and then nothing,
 * timeouts resending, block numbers rolling over past 65535, errors, a
 * full session table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_byteorder.h>

#include "../unit/frames.h"
#include "harness.h"
#include "rackboot/tftp.h"
#include "rackboot/tftpd.h"

static const uint8_t server_ip[4] = {10, 99, 0, 1};
static const uint8_t client_ip[4] = {T_CLIENT_IP};
static struct rbh h;
static struct rb_filecache *cache;
static struct rb_tftpd *tftpd;
static char dir[64];
static uint8_t our_mac[6];
static uint8_t *small, *big;
#define SMALL_LEN 3000
#define BIG_LEN (65600u * 512u)   /* past block 65535 at blksize 512 */

/* the queue (so the worker) the test's next packets arrive on */
static unsigned int queue;

static void
send_udp(uint16_t sport, uint16_t dport, const uint8_t *p, size_t len)
{
	uint8_t frame[1600];
	size_t flen = t_udp_raw(frame, our_mac, client_ip, server_ip, sport,
				dport, p, len);

	assert_int_equal(rbh_inject_q(&h, queue, frame, flen), 0);
}

static void
rrq(uint16_t sport, const char *name, const char *const *opts, int nopts)
{
	uint8_t b[512];
	size_t off = 2;
	int i;

	b[0] = 0;
	b[1] = RB_TFTP_RRQ;
	memcpy(b + off, name, strlen(name) + 1);
	off += strlen(name) + 1;
	memcpy(b + off, "octet", 6);
	off += 6;
	for (i = 0; i < nopts; i++) {
		memcpy(b + off, opts[i], strlen(opts[i]) + 1);
		off += strlen(opts[i]) + 1;
	}
	send_udp(sport, 69, b, off);
}

static void
ack(uint16_t sport, uint16_t tid, uint16_t block)
{
	uint8_t b[4] = {0, RB_TFTP_ACK, (uint8_t)(block >> 8), (uint8_t)block};

	send_udp(sport, tid, b, 4);
}

/** The next TFTP packet sent: its payload, length, and source port. */
struct pkt {
	uint8_t frame[2048];
	const uint8_t *p;
	int len;
	uint16_t sport, dport;
};

/** The UDP checksum of a received frame verifies (computed naively). */
static void
assert_udp_cksum(const uint8_t *frame, int len)
{
	const uint8_t *ip = frame + 14;
	uint16_t ulen = (uint16_t)(ip[24] << 8 | ip[25]);
	uint32_t sum = 0;

	assert_int_equal(14 + 20 + ulen, len);
	sum += (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]);
	sum += (uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]);
	sum += 17 + ulen;
	assert_int_equal(t_cksum(ip + 20, ulen, sum), 0);
}

static int
next(struct pkt *k, unsigned int ms)
{
	int n = rbh_recv(&h, k->frame, sizeof(k->frame), ms);

	if (n < 0)
		return -1;
	assert_udp_cksum(k->frame, n);
	k->p = k->frame + 42;
	k->len = n - 42;
	k->sport = (uint16_t)(k->frame[34] << 8 | k->frame[35]);
	k->dport = (uint16_t)(k->frame[36] << 8 | k->frame[37]);
	return 0;
}

static uint16_t
op(const struct pkt *k)
{
	return (uint16_t)(k->p[0] << 8 | k->p[1]);
}

static uint16_t
blk(const struct pkt *k)
{
	return (uint16_t)(k->p[2] << 8 | k->p[3]);
}

/**
 * Fetch @p name with @p opts, acknowledging each window's last block;
 * compare with @p want.  Returns the blocks received.
 */
static uint64_t
fetch(uint16_t sport, const char *name, const char *const *opts, int nopts,
      uint32_t blksize, uint16_t window, const uint8_t *want, uint64_t size)
{
	struct pkt k;
	uint64_t got = 0, n = 0, nblocks = size / blksize + 1;
	uint16_t tid;

	rrq(sport, name, opts, nopts);
	assert_int_equal(next(&k, 3000), 0);
	tid = k.sport;
	assert_true(tid >= 61000 && tid <= 61063);
	assert_int_equal(k.dport, sport);
	if (nopts) {
		assert_int_equal(op(&k), RB_TFTP_OACK);
		ack(sport, tid, 0);
		assert_int_equal(next(&k, 3000), 0);
	}
	for (;;) {
		uint32_t len;

		assert_int_equal(op(&k), RB_TFTP_DATA);
		n++;
		assert_int_equal(blk(&k), (uint16_t)n);
		len = (uint32_t)k.len - 4;
		assert_true(len <= blksize);
		assert_memory_equal(k.p + 4, want + got, len);
		got += len;
		if (n == nblocks) {
			assert_true(len < blksize);
			ack(sport, tid, (uint16_t)n);
			break;
		}
		assert_int_equal(len, blksize);
		if (n % window == 0)
			ack(sport, tid, (uint16_t)n);
		assert_int_equal(next(&k, 3000), 0);
	}
	assert_int_equal(got, size);
	return n;
}

static void
test_lock_step(void **state)
{
	uint64_t done = rbh_counter(&h, RB_CTR_tftp_done);

	(void)state;
	assert_int_equal(fetch(40001, "small.bin", NULL, 0, 512, 1, small,
			       SMALL_LEN), SMALL_LEN / 512 + 1);
	rbh_settle(&h);
	assert_int_equal(rbh_counter(&h, RB_CTR_tftp_done), done + 1);
	assert_int_equal(rb_tftpd_active(tftpd), 0);
}

static void
test_options_and_window(void **state)
{
	static const char *const o[] = {"blksize", "1400", "tsize", "0",
					"windowsize", "4"};
	struct pkt k;

	(void)state;
	/* the OACK says what the server took: tsize is the file's size */
	rrq(40002, "small.bin", o, 6);
	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(op(&k), RB_TFTP_OACK);
	assert_memory_equal(k.p + 2, "blksize\0" "1400\0tsize\0" "3000\0"
				     "windowsize\0" "4\0", 37);
	ack(40002, k.sport, 0);
	/* the whole file fits in one window of three blocks */
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(next(&k, 3000), 0);
		assert_int_equal(blk(&k), i);
	}
	ack(40002, k.sport, 3);
	/* and a full windowed transfer, compared byte for byte */
	assert_int_equal(fetch(40003, "small.bin", o, 6, 1400, 4, small,
			       SMALL_LEN), 3);
}

static void
test_request_again(void **state)
{
	static const char *const o[] = {"blksize", "1024"};
	struct pkt k;
	uint16_t tid;

	(void)state;
	queue = 0;
	rrq(40010, "small.bin", o, 2);
	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(op(&k), RB_TFTP_OACK);
	tid = k.sport;
	/* the OACK was lost: the client asks again and hears it again, from
	 * the same TID, with no second transfer */
	rrq(40010, "small.bin", o, 2);
	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(op(&k), RB_TFTP_OACK);
	assert_int_equal(k.sport, tid);
	assert_int_equal(rb_tftpd_active(tftpd), 1);
	/* its ACK 0 was lost: no OACK from our timer for the seconds a
	 * client waits before sending it again */
	assert_int_equal(next(&k, 2500), -1);
	ack(40010, tid, 0);
	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(blk(&k), 1);
	ack(40010, tid, 1);
	assert_int_equal(next(&k, 3000), 0);
	ack(40010, tid, 2);
	assert_int_equal(next(&k, 3000), 0);
	ack(40010, tid, 3);
	rbh_settle(&h);
	assert_int_equal(rb_tftpd_active(tftpd), 0);
}

static void
test_blksize_clamped(void **state)
{
	static const char *const o[] = {"blksize", "9000"};
	struct pkt k;

	(void)state;
	rrq(40004, "small.bin", o, 2);
	assert_int_equal(next(&k, 3000), 0);
	/* a 1500-byte MTU carries 1468 bytes of TFTP data */
	assert_memory_equal(k.p + 2, "blksize\0" "1468\0", 13);
	ack(40004, k.sport, 0);
	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(k.len, 4 + 1468);
	assert_int_equal(k.frame[16] << 8 | k.frame[17], 20 + 8 + 4 + 1468);
	ack(40004, k.sport, 1);
	assert_int_equal(next(&k, 3000), 0);
	ack(40004, k.sport, 2);
	assert_int_equal(next(&k, 3000), 0);
	ack(40004, k.sport, 3);
}

static void
test_lost_block_and_duplicate_ack(void **state)
{
	static const char *const o[] = {"windowsize", "4", "timeout", "1"};
	struct pkt k;
	uint16_t tid;
	uint64_t rexmit, done;

	(void)state;
	rrq(40005, "small.bin", o, 4);
	assert_int_equal(next(&k, 3000), 0);
	tid = k.sport;
	ack(40005, tid, 0);
	for (int i = 1; i <= 4; i++)
		assert_int_equal(next(&k, 3000), 0);
	/* block 3 was lost: the client acknowledges 2 (RFC 7440); the
	 * server sends the window after it: 3, 4, 5, 6 */
	ack(40005, tid, 2);
	for (int i = 3; i <= 6; i++) {
		assert_int_equal(next(&k, 3000), 0);
		assert_int_equal(blk(&k), i);
	}
	/* the same ACK again while 3-6 are out: a receiver telling of
	 * another gap (RFC 7440; atftp sends one per gap): the window
	 * once more */
	ack(40005, tid, 2);
	for (int i = 3; i <= 6; i++) {
		assert_int_equal(next(&k, 3000), 0);
		assert_int_equal(blk(&k), i);
	}
	/* again, or an older one: nothing (no sorcerer's apprentice) */
	ack(40005, tid, 2);
	ack(40005, tid, 2);
	ack(40005, tid, 1);
	assert_int_equal(next(&k, 300), -1);
	/* silence: after its 1 s timeout the server probes with the
	 * window's last block alone; answered with the ACK it already had
	 * (3 was lost again), it sends the window after it, once */
	rexmit = rbh_counter(&h, RB_CTR_tftp_retransmits);
	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(blk(&k), 6);
	assert_int_equal(next(&k, 300), -1);
	assert_int_equal(rbh_counter(&h, RB_CTR_tftp_retransmits), rexmit + 1);
	ack(40005, tid, 2);
	for (int i = 3; i <= 6; i++) {
		assert_int_equal(next(&k, 3000), 0);
		assert_int_equal(blk(&k), i);
	}
	ack(40005, tid, 2);
	assert_int_equal(next(&k, 300), -1);
	/* no progress since: the next timeout (2 s, backed off) sends the
	 * whole window, not another probe */
	rexmit = rbh_counter(&h, RB_CTR_tftp_retransmits);
	for (int i = 3; i <= 6; i++) {
		assert_int_equal(next(&k, 4000), 0);
		assert_int_equal(blk(&k), i);
	}
	assert_int_equal(rbh_counter(&h, RB_CTR_tftp_retransmits), rexmit + 4);
	/* still silence (a client that ignored the probe while it waited
	 * for block 3, then took 3-6 but acknowledges only a full window):
	 * the next timeout (4 s) probes again, one block */
	rexmit = rbh_counter(&h, RB_CTR_tftp_retransmits);
	assert_int_equal(next(&k, 6000), 0);
	assert_int_equal(blk(&k), 6);
	assert_int_equal(next(&k, 300), -1);
	assert_int_equal(rbh_counter(&h, RB_CTR_tftp_retransmits), rexmit + 1);
	/* 3,000 bytes are six blocks: the ACK of the sixth ends it */
	done = rbh_counter(&h, RB_CTR_tftp_done);
	ack(40005, tid, 6);
	assert_int_equal(next(&k, 300), -1);
	rbh_settle(&h);
	assert_int_equal(rbh_counter(&h, RB_CTR_tftp_done), done + 1);
}

/* a window slid past a block the client still waits for: when silence
 * follows, the first timeout sends the whole window, not a probe */
static void
test_slide_then_timeout(void **state)
{
	static const char *const o[] = {"windowsize", "4", "timeout", "1"};
	struct pkt k;
	uint16_t tid;
	uint64_t rexmit;

	(void)state;
	rrq(40012, "small.bin", o, 4);
	assert_int_equal(next(&k, 3000), 0);
	tid = k.sport;
	ack(40012, tid, 0);
	for (int i = 1; i <= 4; i++)
		assert_int_equal(next(&k, 3000), 0);
	/* 2 was lost: the window restarts after 1 (2-5) */
	ack(40012, tid, 1);
	for (int i = 2; i <= 5; i++) {
		assert_int_equal(next(&k, 3000), 0);
		assert_int_equal(blk(&k), i);
	}
	/* an ACK of 2 while 3 went again in that restart: the window
	 * slides (6 alone) instead of starting over */
	ack(40012, tid, 2);
	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(blk(&k), 6);
	assert_int_equal(next(&k, 300), -1);
	/* silence: 3 was lost twice; the timeout sends 3-6 */
	rexmit = rbh_counter(&h, RB_CTR_tftp_retransmits);
	for (int i = 3; i <= 6; i++) {
		assert_int_equal(next(&k, 3000), 0);
		assert_int_equal(blk(&k), i);
	}
	assert_int_equal(next(&k, 300), -1);
	assert_int_equal(rbh_counter(&h, RB_CTR_tftp_retransmits), rexmit + 4);
	/* and the next one probes */
	assert_int_equal(next(&k, 4000), 0);
	assert_int_equal(blk(&k), 6);
	assert_int_equal(next(&k, 300), -1);
	ack(40012, tid, 6);
	rbh_settle(&h);
}

/* a DATA frame's file bytes are not copied: the second segment of the
 * chain is an external buffer inside the cached file */
static void
test_zero_copy(void **state)
{
	const struct rb_file *f = rb_filecache_get(cache, "small.bin");
	struct rte_mbuf *m;
	struct pkt k;
	uint16_t tid;

	(void)state;
	assert_non_null(f);
	rrq(40011, "small.bin", NULL, 0);
	m = rbh_recv_mbuf(&h, 3000);
	assert_non_null(m);
	assert_int_equal(m->nb_segs, 2);
	assert_non_null(m->next);
	assert_true(RTE_MBUF_HAS_EXTBUF(m->next));
	assert_ptr_equal(rte_pktmbuf_mtod(m->next, const uint8_t *), f->data);
	assert_int_equal(rte_pktmbuf_data_len(m->next), 512);
	/* one more reference on the file while the frame lives */
	assert_true(rte_mbuf_ext_refcnt_read(&f->shinfo) >= 2);
	tid = (uint16_t)(rte_pktmbuf_mtod(m, uint8_t *)[34] << 8 |
			 rte_pktmbuf_mtod(m, uint8_t *)[35]);
	rte_pktmbuf_free(m);
	/* finish the transfer: six blocks in all */
	for (int i = 1; i <= 6; i++) {
		ack(40011, tid, (uint16_t)i);
		if (i < 6) {
			assert_int_equal(next(&k, 3000), 0);
			assert_int_equal(blk(&k), i + 1);
		}
	}
	assert_int_equal(next(&k, 300), -1);
}

static void
test_rollover(void **state)
{
	static const char *const o[] = {"windowsize", "16"};

	(void)state;
	/* 65,601 blocks of 512: block numbers wrap from 65535 to 0 */
	assert_int_equal(fetch(40006, "big.bin", o, 2, 512, 16, big, BIG_LEN),
			 65601);
}

/* two workers: the request reaches one, every ACK the other (as a NIC's
 * hash may do, the ports differing); the owner of the transfer port gets
 * them and the transfer completes, both ways round */
static void
test_acks_on_other_worker(void **state)
{
	struct pkt k;
	uint16_t tid[2];
	int dir;

	(void)state;
	for (dir = 0; dir < 2; dir++) {
		uint64_t done;

		/* the previous transfer's last ACK may still be on its way
		 * between workers: let it land before counting */
		rbh_settle(&h);
		done = rbh_counter(&h, RB_CTR_tftp_done);

		queue = (unsigned int)dir;
		rrq((uint16_t)(40100 + dir), "small.bin", NULL, 0);
		assert_int_equal(next(&k, 3000), 0);
		tid[dir] = k.sport;
		queue = 1u - (unsigned int)dir;
		for (int i = 1; i <= 6; i++) {
			assert_int_equal(blk(&k), i);
			ack((uint16_t)(40100 + dir), tid[dir], (uint16_t)i);
			if (i < 6)
				assert_int_equal(next(&k, 3000), 0);
		}
		rbh_settle(&h);
		assert_int_equal(rbh_counter(&h, RB_CTR_tftp_done), done + 1);
	}
	/* each worker hands out ports of its own half of the range */
	assert_true(tid[0] < 61032 && tid[1] >= 61032);
	queue = 0;
}

static void
test_errors(void **state)
{
	struct pkt k;
	uint8_t wrq[32] = {0, RB_TFTP_WRQ, 'x', 0, 'o', 'c', 't', 'e', 't', 0};

	(void)state;
	rrq(40007, "nosuch.bin", NULL, 0);
	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(op(&k), RB_TFTP_ERROR);
	assert_int_equal(k.p[3], RB_TFTP_ENOTFOUND);
	rrq(40008, "../etc/passwd", NULL, 0);
	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(k.p[3], RB_TFTP_EACCESS);
	send_udp(40009, 69, wrq, 10);
	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(op(&k), RB_TFTP_ERROR);
	assert_int_equal(k.p[3], RB_TFTP_EACCESS);
	/* an ACK to a transfer port nobody uses */
	ack(40010, 61005, 1);
	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(k.p[3], RB_TFTP_EBADID);
	assert_true(rbh_counter(&h, RB_CTR_DROP_tftp_write_refused) >= 1);
	assert_true(rbh_counter(&h, RB_CTR_DROP_tftp_refused) >= 1);
}

/** The next packet to client port @p dport (retransmissions skipped). */
static void
next_to(struct pkt *k, uint16_t dport)
{
	do
		assert_int_equal(next(k, 3000), 0);
	while (k->dport != dport);
}

/** Wait up to 3 s for rb_tftpd_active() to read @p want. */
static void
wait_active(uint32_t want)
{
	for (int i = 0; i < 300 && rb_tftpd_active(tftpd) != want; i++)
		usleep(10000);
	assert_int_equal(rb_tftpd_active(tftpd), want);
}

/**
 * A full session table: each of the worker's 256 sessions taken, the
 * next request is told the server is busy (counted); a session that ends
 * is free for the next request at once; every session left, moved about
 * in the timer list by the ones that ended, still times out and sends
 * its block again.
 */
static void
test_table_full(void **state)
{
	static const uint8_t bye[5] = {0, RB_TFTP_ERROR, 0, 0, 0};
	static uint16_t tid[257];
	static uint8_t again[257];
	uint64_t full0 = rbh_counter(&h, RB_CTR_DROP_tftp_sessions_full);
	uint32_t a0 = rb_tftpd_active(tftpd);
	unsigned int i, left;
	struct pkt k;

	(void)state;
	queue = 0;
	for (i = 0; i < 256; i++) {
		rrq((uint16_t)(42000 + i), "small.bin", NULL, 0);
		next_to(&k, (uint16_t)(42000 + i));
		assert_int_equal(op(&k), RB_TFTP_DATA);
		assert_int_equal(blk(&k), 1);
		tid[i] = k.sport;
	}
	rrq(42256, "small.bin", NULL, 0);
	next_to(&k, 42256);
	assert_int_equal(op(&k), RB_TFTP_ERROR);
	assert_string_equal((const char *)k.p + 4, "server busy, retry");
	assert_int_equal(rbh_counter(&h, RB_CTR_DROP_tftp_sessions_full),
			 full0 + 1);
	/* clients give up in the middle of the list: one session's place
	 * serves the next request */
	for (i = 10; i < 256; i += 20)
		send_udp((uint16_t)(42000 + i), tid[i], bye, sizeof(bye));
	wait_active(a0 + 256 - 13);
	rrq(42256, "small.bin", NULL, 0);
	next_to(&k, 42256);
	assert_int_equal(op(&k), RB_TFTP_DATA);
	tid[256] = k.sport;
	/* the rest time out (1 s) and send block 1 again, each of them */
	for (i = 0, left = 0; i <= 256; i++)
		left += (again[i] = i % 20 == 10 && i < 256) == 0;
	while (left > 0) {
		assert_int_equal(next(&k, 3000), 0);
		i = k.dport - 42000u;
		if (i <= 256 && !again[i] && op(&k) == RB_TFTP_DATA &&
		    blk(&k) == 1) {
			again[i] = 1;
			left--;
		}
	}
	/* and the table empties for the tests after */
	for (i = 0; i <= 256; i++)
		if (i % 20 != 10 || i == 256)
			send_udp((uint16_t)(42000 + i), tid[i], bye, sizeof(bye));
	wait_active(a0);
	rrq(42257, "small.bin", NULL, 0);
	next_to(&k, 42257);
	assert_int_equal(op(&k), RB_TFTP_DATA);
	send_udp(42257, k.sport, bye, sizeof(bye));
	wait_active(a0);
	assert_int_equal(rbh_counter(&h, RB_CTR_DROP_tftp_sessions_full),
			 full0 + 1);
}

/** An RRQ for small.bin asking for multicast (RFC 2090). */
static void
mc_rrq(uint16_t sport)
{
	static const char *const o[] = {"multicast", "", "timeout", "1"};

	rrq(sport, "small.bin", o, 4);
}

/** The next packet is an OACK to @p dport naming master @p mc. */
static uint16_t
expect_mc_oack(uint16_t dport, int mc)
{
	char want[64];
	struct pkt k;
	int n;

	assert_int_equal(next(&k, 5000), 0);
	assert_int_equal(op(&k), RB_TFTP_OACK);
	assert_int_equal(k.dport, dport);
	n = snprintf(want, sizeof(want), "timeout%c1%cmulticast%c"
		     "239.255.99.0,1758,%d", 0, 0, 0, mc);
	assert_int_equal(k.len, 2 + n + 1);
	assert_memory_equal(k.p + 2, want, (size_t)n + 1);
	return k.sport;
}

/** The next packet is DATA block @p n to the group, TTL 1. */
static void
expect_group_block(uint16_t tid, uint16_t n)
{
	static const uint8_t gmac[6] = {0x01, 0x00, 0x5e, 0x7f, 0x63, 0x00};
	struct pkt k;

	assert_int_equal(next(&k, 3000), 0);
	assert_int_equal(op(&k), RB_TFTP_DATA);
	assert_int_equal(blk(&k), n);
	assert_memory_equal(k.frame, gmac, 6);
	assert_int_equal(k.frame[22], 1);                   /* TTL */
	assert_memory_equal(k.frame + 30, "\xef\xff\x63\x00", 4); /* dst */
	assert_int_equal(k.sport, tid);
	assert_int_equal(k.dport, 1758);
	assert_memory_equal(k.p + 4, small + (n - 1) * 512u,
			    RTE_MIN(512u, SMALL_LEN - (n - 1) * 512u));
}

static void
test_multicast(void **state)
{
	struct pkt k;
	uint16_t tid, n;

	(void)state;
	queue = 0;
	/* the first client is master, the second listens; one TID */
	mc_rrq(40200);
	tid = expect_mc_oack(40200, 1);
	mc_rrq(40201);
	assert_int_equal(expect_mc_oack(40201, 0), tid);
	/* the master's ACK n asks for block n + 1, sent to the group; a
	 * new group's first block waits 200 ms for more to join, and the
	 * master asking again changes nothing */
	ack(40200, tid, 0);
	assert_int_equal(next(&k, 100), -1);
	ack(40200, tid, 0);
	expect_group_block(tid, 1);
	/* a duplicate ACK and a listener's ACK send nothing */
	ack(40200, tid, 0);
	ack(40201, tid, 3);
	assert_int_equal(next(&k, 300), -1);
	ack(40200, tid, 1);
	expect_group_block(tid, 2);
	/* the master leaves: the listener becomes master, and asks for the
	 * block it missed first */
	{
		static const uint8_t err[] = {0, RB_TFTP_ERROR, 0, 0, 'x', 0};

		send_udp(40200, tid, err, sizeof(err));
	}
	assert_int_equal(expect_mc_oack(40201, 1), tid);
	ack(40201, tid, 0);
	expect_group_block(tid, 1);
	/* two more join; the master ends with the last ACK; the next one
	 * never answers its OACKs, so the one after it is master */
	mc_rrq(40202);
	assert_int_equal(expect_mc_oack(40202, 0), tid);
	mc_rrq(40203);
	assert_int_equal(expect_mc_oack(40203, 0), tid);
	ack(40201, tid, SMALL_LEN / 512 + 1);
	for (n = 0; n < 4; n++)  /* the first and three more, a second apart */
		assert_int_equal(expect_mc_oack(40202, 1), tid);
	assert_int_equal(expect_mc_oack(40203, 1), tid);
	/* it fetches everything and ends with the last ACK */
	for (n = 0; n < SMALL_LEN / 512 + 1; n++) {
		ack(40203, tid, n);
		expect_group_block(tid, (uint16_t)(n + 1));
	}
	ack(40203, tid, n);
	rbh_settle(&h);
	assert_int_equal(rb_tftpd_active(tftpd), 0);
}

/** Write @p len bytes of @p fill at @p name in the root, by rename. */
static void
put_file(const char *name, uint8_t fill, size_t len)
{
	char tmp[128], path[128];
	uint8_t *b = malloc(len);
	FILE *f;

	memset(b, fill, len);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(tmp, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	assert_int_equal(rename(tmp, path), 0);
	free(b);
}

/** Load the root again, serve it, and free what it replaced once idle. */
static struct rb_filecache *
reload(uint64_t want_shared)
{
	struct rb_filecache *next, *old;
	const struct rb_profiles *old_t;
	uint64_t files, bytes, skipped, shared;
	char err[128];

	assert_int_equal(rb_filecache_load(dir, 64 << 20, 128 << 20, cache,
					   &next, err, sizeof(err)), 0);
	rb_filecache_stats(next, &files, &bytes, &skipped, &shared);
	assert_int_equal(shared, want_shared);
	rb_tftpd_swap(tftpd, next, NULL, &old, &old_t);
	assert_ptr_equal(old, cache);
	assert_null(old_t);
	cache = next;
	return old;
}

/** Free @p old once a grace period passed and nothing uses it. */
static void
free_when_idle(struct rb_filecache *old)
{
	uint64_t token = rb_dp_grace_start(h.dp);
	int i;

	for (i = 0; i < 200 && !rb_dp_grace_done(h.dp, token); i++)
		usleep(10000);
	assert_true(rb_dp_grace_done(h.dp, token));
	assert_false(rb_filecache_busy(old));
	rb_filecache_free(old);
}

static void
test_reload(void **state)
{
	uint8_t a[3000], b[2000];
	struct rb_filecache *first, *second;
	struct pkt k;
	uint16_t tid, n;

	(void)state;
	memset(a, 'A', sizeof(a));
	memset(b, 'B', sizeof(b));
	put_file("swap.bin", 'A', sizeof(a));
	/* small.bin and big.bin did not change: shared, not read again */
	first = reload(2);
	free_when_idle(first);

	/* a transfer starts on the first content ... */
	queue = 0;
	rrq(40100, "swap.bin", NULL, 0);
	assert_int_equal(next(&k, 3000), 0);
	tid = k.sport;
	assert_int_equal(blk(&k), 1);
	assert_memory_equal(k.p + 4, a, 512);

	/* ... the file is replaced and the root loaded again ... */
	put_file("swap.bin", 'B', sizeof(b));
	second = reload(2);
	assert_true(rb_filecache_busy(second)); /* the transfer holds it */

	/* ... a new request gets the new content ... */
	fetch(40101, "swap.bin", NULL, 0, 512, 1, b, sizeof(b));

	/* ... and the one in flight finishes with what it started with */
	for (n = 1; n <= sizeof(a) / 512; n++) {
		ack(40100, tid, n);
		assert_int_equal(next(&k, 3000), 0);
		assert_int_equal(blk(&k), n + 1);
		assert_memory_equal(k.p + 4, a + n * 512,
				    RTE_MIN(512u, sizeof(a) - n * 512u));
	}
	ack(40100, tid, n);
	rbh_settle(&h);
	assert_int_equal(rb_tftpd_active(tftpd), 0);
	free_when_idle(second);
}

static int
group_setup(void **state)
{
	struct rb_tftpd_conf tc;
	struct rb_dp_conf conf;
	char path[128], err[256];
	FILE *f;
	uint64_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rbringtftp.XXXXXX");
	if (mkdtemp(dir) == NULL || rbh_eal_init() < 0)
		return -1;
	small = malloc(SMALL_LEN);
	big = malloc(BIG_LEN);
	for (i = 0; i < SMALL_LEN; i++)
		small[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < BIG_LEN; i++)
		big[i] = (uint8_t)(i ^ (i >> 9));
	snprintf(path, sizeof(path), "%s/small.bin", dir);
	f = fopen(path, "w");
	fwrite(small, 1, SMALL_LEN, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/big.bin", dir);
	f = fopen(path, "w");
	fwrite(big, 1, BIG_LEN, f);
	fclose(f);
	if (rb_filecache_load(dir, 64 << 20, 128 << 20, NULL, &cache, err,
			      sizeof(err)) < 0)
		return -1;
	memset(&tc, 0, sizeof(tc));
	memcpy(&tc.server_ip, server_ip, 4);
	tc.port_lo = 61000;
	tc.port_hi = 61063;
	tc.max_blksize = 1468;
	tc.sessions = 256;
	tc.timeout_ms = 1000;
	tc.retries = 3;
	tc.mc_addr_lo = 0xefff6300; /* 239.255.99.0-1 */
	tc.mc_addr_hi = 0xefff6301;
	tc.mc_port = 1758;
	tc.mc_gather_ms = 200;
	if (rb_tftpd_create(&tc, cache, 2, &tftpd) < 0)
		return -1;
	rbh_conf(&conf, server_ip);
	conf.services[conf.nb_services++] =
		(struct rb_udp_service){"tftp", 69, 69, rb_tftpd_handle, tftpd};
	conf.services[conf.nb_services++] = (struct rb_udp_service){
		"tftp-transfer", 61000, 61063, rb_tftpd_handle, tftpd};
	conf.pollers[conf.nb_pollers].fn = rb_tftpd_poll;
	conf.pollers[conf.nb_pollers++].ctx = tftpd;
	if (rbh_start_queues(&h, &conf, 2) < 0)
		return -1;
	memcpy(our_mac, rb_dp_netif(h.dp)->mac.addr_bytes, 6);
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	rbh_stop(&h);
	rb_tftpd_destroy(tftpd);
	rb_filecache_free(cache);
	rbh_eal_fini();
	free(small);
	free(big);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_step),
		cmocka_unit_test(test_options_and_window),
		cmocka_unit_test(test_request_again),
		cmocka_unit_test(test_blksize_clamped),
		cmocka_unit_test(test_lost_block_and_duplicate_ack),
		cmocka_unit_test(test_slide_then_timeout),
		cmocka_unit_test(test_zero_copy),
		cmocka_unit_test(test_rollover),
		cmocka_unit_test(test_acks_on_other_worker),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_multicast),
	};

	return cmocka_run_group_tests_name("ring_tftp", tests, group_setup,
					   group_teardown);
}
