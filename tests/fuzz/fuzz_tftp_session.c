/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the TFTP server's sessions, driven as a worker drives them.
 * One input is one client's conversation: records of a 2-byte length (big
 * endian) and that many bytes of UDP payload; the first goes to port 69,
 * the others to the transfer port the server answered from last (port 69
 * until it has), a record of length 0 runs the worker's timer sweep.
 * The server runs on a real mempool and file cache (EAL without
 * hugepages, started once), on a worker whose sent frames the harness
 * takes after each record.
 *
 * Checked besides the sanitizers: every frame sent is a whole
 * Ethernet/IPv4/UDP frame within the MTU, to the client (or a multicast
 * group), with a TFTP opcode a server may send; DATA carries at most the
 * block size and, in octet mode, exactly the file's bytes at that block's
 * offset; once the client of a single request sends ERROR, its session
 * is gone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "../../dataplane/worker.h"
#include "rackboot/filecache.h"
#include "rackboot/net.h"
#include "rackboot/tftp.h"
#include "rackboot/tftpd.h"

#define SERVER_IP RTE_IPV4(10, 99, 0, 1)
#define CLIENT_IP RTE_IPV4(10, 99, 0, 50)
#define PORT_LO 61000
#define PORT_HI 61007
#define MTU 1500

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rb_dp dp;
static struct rb_worker *w;
static struct rb_tftpd *tftpd;
static struct rb_filecache *cache;
static char root[64];
static const struct rte_ether_addr client_mac = {{2, 0, 0, 0, 0, 0x50}};
/* what the checks saw, printed per input with RB_FUZZ_VERBOSE set */
static unsigned long frames, data_frames, bytes_compared;

/* every file holds the same bytes at the same offsets */
static uint8_t
pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + 3 + (off >> 8));
}

static void
put_file(const char *name, size_t len)
{
	char path[128];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	f = fopen(path, "wb");
	if (f == NULL)
		abort();
	for (i = 0; i < len; i++)
		fputc(pattern(i), f);
	fclose(f);
}

static void
cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_tftp_session: %s left behind\n", root);
	rte_eal_cleanup();
}

static void
server_create(void)
{
	struct rb_tftpd_conf tc;

	memset(&tc, 0, sizeof(tc));
	tc.server_ip = rte_cpu_to_be_32(SERVER_IP);
	tc.port_lo = PORT_LO;
	tc.port_hi = PORT_HI;
	tc.max_blksize = MTU - 32;
	tc.sessions = 64;
	tc.timeout_ms = 1000;
	tc.retries = 3;
	tc.mc_addr_lo = 0xefff6300u; /* 239.255.99.0-1 */
	tc.mc_addr_hi = 0xefff6301u;
	tc.mc_port = 1758;
	if (rb_tftpd_create(&tc, cache, 1, &tftpd) < 0)
		abort();
}

/** EAL, a mempool, a file cache and the server: once per process. */
static void
setup(void)
{
	char prefix[64], err[256];
	char *argv[] = {"fuzz", "-l", "0", "--no-huge", "--no-pci",
			"--no-shconf", "--no-telemetry", "-m", "128",
			prefix, "--log-level=1", NULL};

	snprintf(prefix, sizeof(prefix), "--file-prefix=rbfuzz-%d",
		 (int)getpid());
	if (rte_eal_init(11, argv) < 0)
		abort();
	snprintf(root, sizeof(root), "/tmp/rbfuzz-tftp.XXXXXX");
	if (mkdtemp(root) == NULL)
		abort();
	atexit(cleanup);
	put_file("empty", 0);
	put_file("one", 512);
	put_file("small", 3000);
	put_file("big", 70000);
	if (rb_filecache_load(root, 1 << 20, 4 << 20, NULL, &cache, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	dp.pool = rte_pktmbuf_pool_create("fuzz", 1023, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (dp.pool == NULL)
		abort();
	dp.nb_workers = 1;
	dp.conf.nif.ip = rte_cpu_to_be_32(SERVER_IP);
	dp.conf.nif.netmask = rte_cpu_to_be_32(0xffffff00);
	dp.conf.nif.mac = (struct rte_ether_addr){{2, 0, 0, 0, 0, 1}};
	w = &dp.workers[0];
	w->dp = &dp;
	server_create();
}

/** What the conversation negotiated, learnt from the request and OACK. */
struct conv {
	int octet;
	uint32_t blksize;
	uint16_t tid;       /**< the server's transfer port, 0 until known */
	int multicast;
};

/** Check one frame the server sent; learn its transfer port. */
static void
check_sent(struct rte_mbuf *m, struct conv *c, uint16_t client_port)
{
	uint8_t hdr[14 + 20 + 8 + 4], data[65536 + 1];
	const struct rte_ipv4_hdr *ip = (const void *)(hdr + 14);
	const struct rte_udp_hdr *udp = (const void *)(hdr + 34);
	uint32_t len = rte_pktmbuf_pkt_len(m), ulen;
	uint16_t op, block;
	const uint8_t *p;

	frames++;
	if (len > 14 + MTU || len < sizeof(hdr))
		abort();
	p = rte_pktmbuf_read(m, 0, sizeof(hdr), hdr);
	if (p != hdr)
		memcpy(hdr, p, sizeof(hdr));
	if (ip->next_proto_id != IPPROTO_UDP ||
	    rte_be_to_cpu_16(ip->total_length) != len - 14)
		abort();
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen != len - 34)
		abort();
	/* 224.0.0.0/4 (not RTE_IS_IPV4_MCAST: it shifts a signed int) */
	if ((rte_be_to_cpu_32(ip->dst_addr) >> 28) != 0xe &&
	    (ip->dst_addr != rte_cpu_to_be_32(CLIENT_IP) ||
	     rte_be_to_cpu_16(udp->dst_port) != client_port))
		abort();
	op = (uint16_t)(hdr[42] << 8 | hdr[43]);
	if (op != RB_TFTP_DATA && op != RB_TFTP_ERROR && op != RB_TFTP_OACK)
		abort();
	if (rte_be_to_cpu_16(udp->src_port) != 69)
		c->tid = rte_be_to_cpu_16(udp->src_port);
	if (op == RB_TFTP_OACK) {
		/* "blksize\0N\0" among the options taken */
		uint32_t n = ulen - 8 - 2, i;

		p = rte_pktmbuf_read(m, 44, n, data);
		if (p != data)
			memcpy(data, p, n);
		data[n] = '\0';
		for (i = 0; i + 8 < n; i++)
			if (memcmp(data + i, "blksize", 8) == 0)
				c->blksize = (uint32_t)atoi((const char *)data + i + 8);
		if (c->blksize < 8 || c->blksize > 65464)
			abort();
		return;
	}
	if (op != RB_TFTP_DATA)
		return;
	data_frames++;
	block = (uint16_t)(hdr[44] << 8 | hdr[45]);
	if (ulen - 12 > c->blksize)
		abort();
	if (c->octet && !c->multicast && block) {
		uint32_t n = ulen - 12, i;
		uint64_t off = (uint64_t)(block - 1) * c->blksize;

		p = rte_pktmbuf_read(m, 46, n, data);
		for (i = 0; i < n; i++)
			if (p[i] != pattern(off + i))
				abort();
		bytes_compared += n;
	}
}

/** Take and check everything the worker queued to send. */
static void
drain(struct conv *c, uint16_t client_port)
{
	uint16_t i;

	for (i = 0; i < w->nb_tx; i++) {
		check_sent(w->tx[i], c, client_port);
		rte_pktmbuf_free(w->tx[i]);
	}
	w->nb_tx = 0;
}

/** Hand the server one datagram from the client. */
static void
deliver(const uint8_t *pl, size_t n, uint16_t sport, uint16_t dport,
	struct conv *c)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.pool);
	struct rb_frame f;
	uint8_t *frame;
	uint32_t len;

	if (m == NULL)
		abort();
	frame = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(42 + n));
	if (frame == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(frame + 42, pl, n);
	len = rb_udp_build(frame, &client_mac, &dp.conf.nif.mac,
			   rte_cpu_to_be_32(CLIENT_IP),
			   rte_cpu_to_be_32(SERVER_IP), sport, dport,
			   (uint16_t)n);
	if (rb_frame_check(&dp.conf.nif, frame, len, &f) != RB_FRAME_UDP) {
		rte_pktmbuf_free(m);
		return;
	}
	rb_tftpd_handle(tftpd, w, m, &f);
	drain(c, sport);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static uint16_t next_port = 1024;
	struct conv c = {0, 512, 0, 0};
	struct rb_tftp_req req;
	uint16_t sport = next_port;
	uint8_t copy[MTU], end[] = {0, RB_TFTP_ERROR, 0, 0, 'x', 0};
	size_t off = 0;
	int first = 1, rrqs = 0;

	if (!ready) {
		setup();
		ready = 1;
	}
	/* a port of its own per conversation, as clients pick them */
	next_port = next_port == 65535 ? 1024 : next_port + 1;
	while (off + 2 <= size) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];
		uint16_t dport;

		off += 2;
		if (n == 0) {
			rb_tftpd_poll(tftpd, w);
			drain(&c, sport);
			continue;
		}
		if (n > MTU - 28)
			n = MTU - 28;
		if (n > size - off)
			n = size - off;
		dport = first || !c.tid ? 69 : c.tid;
		if (dport == 69) {
			/* a request starts a conversation over: what it asks
			 * for is what the checks expect */
			rrqs++;
			memcpy(copy, data + off, n);
			c = (struct conv){0, 512, 0, 0};
			if (rb_tftp_parse_req(copy, n, &req) == RB_DROP_NONE) {
				c.octet = !req.netascii;
				c.multicast = req.multicast;
			}
		}
		deliver(data + off, n, sport, dport, &c);
		first = 0;
		off += n;
	}
	/* the client gives up: its session must go at once */
	if (c.tid) {
		deliver(end, sizeof(end), sport, c.tid, &c);
		if (rrqs == 1 && !c.multicast && rb_tftpd_active(tftpd) != 0)
			abort();
	}
	if (getenv("RB_FUZZ_VERBOSE"))
		fprintf(stderr, "frames %lu data %lu bytes compared %lu active %u\n",
			frames, data_frames, bytes_compared,
			rb_tftpd_active(tftpd));
	frames = data_frames = bytes_compared = 0;
	/* sessions the conversation left (multicast groups, refused TIDs)
	 * must not pile up across inputs */
	if (rb_tftpd_active(tftpd) > 16) {
		rb_tftpd_destroy(tftpd);
		server_create();
	}
	return 0;
}
