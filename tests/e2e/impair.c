/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bad link for the e2e tests, where this kernel has no netem: an
 * Ethernet bridge between two interfaces, in user space, that loses,
 * duplicates, delays and reorders frames, both ways alike.  Every frame
 * passes it (DHCP broadcasts, TFTP, TCP), as on a real bad link.
 *
 *   impair -a IF -b IF [-l LOSS%] [-d DUP%] [-r REORDER%] [-j JITTER_MS]
 *          [-s SEED]
 *
 * Each frame is lost with probability LOSS; else it waits a delay drawn
 * uniformly from 0..JITTER_MS (which reorders frames, as netem's jitter
 * does), except that with probability REORDER it goes at once, ahead of
 * the frames waiting; with probability DUP a copy follows with its own
 * delay.  Frames wait on a 1 ms timer wheel, in a pool of fixed slots: a
 * full pool drops, as a full queue would, and says so.  Prints "ready",
 * then its counts when stopped (SIGTERM or SIGINT).
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#define SLOTS 32768    /* frames waiting at once */
#define FRAME_MAX 1600 /* the lab's MTU is 1500 */
#define WHEEL 256      /* ms: the longest delay is WHEEL - 1 */
#define BURST 64

struct frame {
	uint16_t len;
	uint8_t out;       /* the socket it leaves by */
	int32_t next;      /* the next frame in its wheel slot, or -1 */
	uint8_t data[FRAME_MAX];
};

static struct frame *pool;
static int32_t free_head = -1;
static int32_t wheel_head[WHEEL], wheel_tail[WHEEL];
static int fds[2];
static volatile sig_atomic_t stop;
static unsigned int loss_pct, dup_pct, reorder_pct, jitter_ms, seed = 1;
static uint64_t seen[2], lost, duplicated, reordered, pool_full, send_fail;

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

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/** A raw socket on @p ifname: every frame it receives, none it sends. */
static int
open_port(const char *ifname)
{
	struct sockaddr_ll ll = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_ALL)};
	struct packet_mreq pm = {0};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	int one = 1, big = 64 << 20;

	if (fd < 0)
		return -1;
	ll.sll_ifindex = (int)if_nametoindex(ifname);
	if (ll.sll_ifindex == 0 ||
	    bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		       sizeof(one)) < 0) {
		close(fd);
		return -1;
	}
	pm.mr_ifindex = ll.sll_ifindex;
	pm.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &pm,
		       sizeof(pm)) < 0) {
		close(fd);
		return -1;
	}
	/* bursts of a storm: room for them rather than drops we did not
	 * choose (as root, past rmem_max) */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return fd;
}

static int32_t
slot_get(void)
{
	int32_t i = free_head;

	if (i >= 0)
		free_head = pool[i].next;
	return i;
}

static void
slot_put(int32_t i)
{
	pool[i].next = free_head;
	free_head = i;
}

/** Send a frame now; a full send queue drops it, as a link would. */
static void
send_frame(const struct frame *f)
{
	while (send(fds[f->out], f->data, f->len, 0) < 0) {
		if (errno == EINTR)
			continue;
		send_fail++;
		return;
	}
}

/* the next wheel tick to send: everything before it has left */
static uint64_t next_tick;

/** Put frame @p i on the wheel, @p delay ms from @p now. */
static void
schedule(int32_t i, uint64_t now, unsigned int delay)
{
	uint64_t at = now + delay < next_tick ? next_tick : now + delay;
	unsigned int w = (unsigned int)(at % WHEEL);

	pool[i].next = -1;
	if (wheel_tail[w] >= 0)
		pool[wheel_tail[w]].next = i;
	else
		wheel_head[w] = i;
	wheel_tail[w] = i;
}

static unsigned int
delay_of(void)
{
	return jitter_ms ? (unsigned int)rand_r(&seed) % (jitter_ms + 1) : 0;
}

/** A frame arrived on port @p in: decide its fate. */
static void
arrived(int32_t i, int in, uint64_t now)
{
	seen[in]++;
	pool[i].out = (uint8_t)!in;
	if (chance(loss_pct)) {
		lost++;
		slot_put(i);
		return;
	}
	if (chance(dup_pct)) {
		int32_t j = slot_get();

		if (j < 0) {
			pool_full++;
		} else {
			memcpy(pool[j].data, pool[i].data, pool[i].len);
			pool[j].len = pool[i].len;
			pool[j].out = pool[i].out;
			duplicated++;
			schedule(j, now, delay_of());
		}
	}
	if (chance(reorder_pct)) {
		/* ahead of every frame still waiting */
		reordered++;
		send_frame(&pool[i]);
		slot_put(i);
		return;
	}
	schedule(i, now, delay_of());
}

/** Send every frame due up to @p now. */
static void
release(uint64_t now)
{
	for (; next_tick <= now; next_tick++) {
		unsigned int w = (unsigned int)(next_tick % WHEEL);
		int32_t i = wheel_head[w];

		while (i >= 0) {
			int32_t next = pool[i].next;

			send_frame(&pool[i]);
			slot_put(i);
			i = next;
		}
		wheel_head[w] = wheel_tail[w] = -1;
	}
}

/** Read what port @p in has, up to a burst. */
static void
receive(int in, uint64_t now)
{
	int k;

	for (k = 0; k < BURST; k++) {
		int32_t i = slot_get();
		ssize_t n;

		if (i < 0) {
			/* full: read and drop, or the socket buffer would
			 * hold the link back instead */
			uint8_t sink[FRAME_MAX];

			if (recv(fds[in], sink, sizeof(sink), MSG_TRUNC) < 0)
				return;
			pool_full++;
			continue;
		}
		n = recv(fds[in], pool[i].data, FRAME_MAX, MSG_TRUNC);
		if (n < 0 || n > FRAME_MAX) {
			slot_put(i);
			if (n < 0)
				return;
			continue; /* an offloaded giant: the lab turns them off */
		}
		pool[i].len = (uint16_t)n;
		arrived(i, in, now);
	}
}

int
main(int argc, char **argv)
{
	const char *a = NULL, *b = NULL;
	int32_t i;
	int opt;

	while ((opt = getopt(argc, argv, "a:b:l:d:r:j:s:")) != -1) {
		switch (opt) {
		case 'a': a = optarg; break;
		case 'b': b = optarg; break;
		case 'l': loss_pct = (unsigned int)atoi(optarg); break;
		case 'd': dup_pct = (unsigned int)atoi(optarg); break;
		case 'r': reorder_pct = (unsigned int)atoi(optarg); break;
		case 'j': jitter_ms = (unsigned int)atoi(optarg); break;
		case 's': seed = (unsigned int)atoi(optarg); break;
		default: a = NULL; b = NULL; optind = argc; break;
		}
	}
	if (a == NULL || b == NULL || jitter_ms >= WHEEL || loss_pct > 100 ||
	    dup_pct > 100 || reorder_pct > 100) {
		fprintf(stderr, "usage: impair -a IF -b IF [-l LOSS%%] [-d DUP%%] "
				"[-r REORDER%%] [-j JITTER_MS (< %d)] [-s SEED]\n",
			WHEEL);
		return 2;
	}
	fds[0] = open_port(a);
	fds[1] = open_port(b);
	if (fds[0] < 0 || fds[1] < 0) {
		perror("impair: a raw socket on each interface");
		return 1;
	}
	pool = calloc(SLOTS, sizeof(*pool));
	if (pool == NULL) {
		perror("impair: calloc");
		return 1;
	}
	for (i = SLOTS - 1; i >= 0; i--)
		slot_put(i);
	for (i = 0; i < WHEEL; i++)
		wheel_head[i] = wheel_tail[i] = -1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("ready\n");
	fflush(stdout);
	next_tick = now_ms();
	while (!stop) {
		struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN},
				      {.fd = fds[1], .events = POLLIN}};
		uint64_t now;

		if (poll(p, 2, 1) < 0 && errno != EINTR)
			break;
		now = now_ms();
		if (p[0].revents & POLLIN)
			receive(0, now);
		if (p[1].revents & POLLIN)
			receive(1, now);
		release(now);
	}
	printf("a->b %llu b->a %llu lost %llu duplicated %llu reordered %llu "
	       "pool_full %llu send_failed %llu\n",
	       (unsigned long long)seen[0], (unsigned long long)seen[1],
	       (unsigned long long)lost, (unsigned long long)duplicated,
	       (unsigned long long)reordered, (unsigned long long)pool_full,
	       (unsigned long long)send_fail);
	return 0;
}
