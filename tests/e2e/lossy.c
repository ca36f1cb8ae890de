/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A lossy, reordering link for the e2e tests, where this kernel has no
 * netem: packets an iptables NFQUEUE rule sends to queue @c -q are dropped
 * with probability @c -l percent, and held back past the next packet
 * with probability @c -r percent (released after 50 ms at the latest).
 * Prints what it did when stopped (SIGTERM or SIGINT).
 *
 *   lossy -q 0 -l 5 -r 5 [-s SEED]
 */
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h> /* NF_ACCEPT, NF_DROP: after netinet/in.h */

#define HOLD_MS 50

static volatile sig_atomic_t stop;
static unsigned int loss_pct, reorder_pct, seed = 1;
static uint64_t seen, dropped, reordered;
static uint32_t held_id;
static int holding;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
chance(unsigned int pct)
{
	return pct && (unsigned int)(rand_r(&seed) % 100) < pct;
}

/** Let the held packet go, after the one just let through. */
static void
release(struct nfq_q_handle *q)
{
	if (holding) {
		nfq_set_verdict(q, held_id, NF_ACCEPT, 0, NULL);
		holding = 0;
	}
}

static int
on_packet(struct nfq_q_handle *q, struct nfgenmsg *msg, struct nfq_data *nfa,
	  void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	uint32_t id;

	(void)msg, (void)data;
	if (ph == NULL)
		return 0;
	id = ntohl(ph->packet_id);
	seen++;
	if (chance(loss_pct)) {
		dropped++;
		return nfq_set_verdict(q, id, NF_DROP, 0, NULL);
	}
	if (!holding && chance(reorder_pct)) {
		reordered++;
		held_id = id;
		holding = 1;
		return 0;
	}
	nfq_set_verdict(q, id, NF_ACCEPT, 0, NULL);
	release(q);
	return 0;
}

int
main(int argc, char **argv)
{
	struct nfq_handle *h;
	struct nfq_q_handle *q;
	uint16_t qnum = 0;
	char buf[65536];
	int opt, fd;

	while ((opt = getopt(argc, argv, "q:l:r:s:")) != -1) {
		switch (opt) {
		case 'q': qnum = (uint16_t)atoi(optarg); break;
		case 'l': loss_pct = (unsigned int)atoi(optarg); break;
		case 'r': reorder_pct = (unsigned int)atoi(optarg); break;
		case 's': seed = (unsigned int)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: lossy -q QUEUE -l LOSS%% -r "
					"REORDER%% [-s SEED]\n");
			return 2;
		}
	}
	h = nfq_open();
	if (h == NULL) {
		perror("lossy: nfq_open");
		return 1;
	}
	q = nfq_create_queue(h, qnum, on_packet, NULL);
	if (q == NULL || nfq_set_mode(q, NFQNL_COPY_META, 0) < 0) {
		perror("lossy: queue");
		nfq_close(h);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fd = nfq_fd(h);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, HOLD_MS);

		if (n == 0) {
			release(q); /* nothing came after it: late, not lost */
			continue;
		}
		if (n < 0)
			continue; /* EINTR: the loop looks at stop */
		n = (int)recv(fd, buf, sizeof(buf), 0);
		/* ENOBUFS: the queue overflowed and the kernel dropped
		 * those, as a congested link would */
		if (n > 0)
			nfq_handle_packet(h, buf, n);
	}
	release(q);
	printf("seen %llu dropped %llu reordered %llu\n",
	       (unsigned long long)seen, (unsigned long long)dropped,
	       (unsigned long long)reordered);
	nfq_destroy_queue(q);
	nfq_close(h);
	return 0;
}
