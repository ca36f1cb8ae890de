/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TFTP load client: N read transfers of one file at once from one
 * process, so that a benchmark measures the server and not a thousand
 * client processes on two cores (one curl per client held every server
 * at the same 80 MB/s).
 *
 * Each flow is a UDP socket of its own: a read request (octet, blksize,
 * and windowsize when it is over 1), an ACK of block 0 for the OACK, an
 * ACK at the end of each window and of the last block, the last block in
 * order acknowledged again on a block out of order (RFC 7440, as EDK2
 * does), the last packet sent again after a second of silence, given up
 * after 6 tries.  What arrives is checked against the local copy of the
 * file byte for byte.
 *
 * The block size and window are what the server's OACK grants (512 and 1
 * without one), so servers without RFC 7440 are measured in lock-step.
 *
 * Output, one line:
 *   completed OK N seconds T bytes B mb_per_s R p50_s P p99_s Q retries X
 *   client_cpu_s C
 * with T the time to the last byte of the last transfer, and C this
 * process's CPU seconds: near T, the client is what holds the figure.
 *
 * The lab's own cap, with the same kernel UDP path and no TFTP server: -S
 * sends 1472-byte datagrams (a 1468-byte block's) to ADDR:PORT for SECONDS
 * as fast as the kernel takes them; -R receives them on PORT and prints
 * "cap_mb_per_s R" once they stop.
 *
 *   tftp-load [-b BLKSIZE] [-w WINDOW] [-l LIMIT_S] SERVER REMOTE N LOCAL
 *   tftp-load -S ADDR PORT SECONDS
 *   tftp-load -R PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define TRIES 6

struct flow {
	int fd;
	uint8_t done, failed, tid_known, tries, oacked;
	uint16_t since_ack;      /* blocks since the last ACK we sent */
	uint64_t block;          /* the last block in order (64-bit: rollover) */
	uint64_t got;            /* bytes received in order */
	double deadline, end;
	struct sockaddr_in peer; /* port 69, then the server's TID */
	uint8_t last[600];       /* the last packet we sent */
	size_t last_len;
};

static struct flow *fl;
static const uint8_t *want; /* the local copy */
static size_t want_len;
static unsigned int blksize = 1468, window = 1; /* asked for */
static unsigned int got_blksize, got_window;     /* granted */
static unsigned long retries;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/** Send @p f's last packet (again), and wait a second for the answer. */
static void
send_last(struct flow *f)
{
	if (sendto(f->fd, f->last, f->last_len, 0, (void *)&f->peer,
		   sizeof(f->peer)) < 0 && errno != EAGAIN && errno != ENOBUFS)
		perror("sendto");
	f->deadline = now() + 1.0;
}

static void
ack(struct flow *f, uint64_t block)
{
	f->last[0] = 0; f->last[1] = 4;
	f->last[2] = (uint8_t)(block >> 8); f->last[3] = (uint8_t)block;
	f->last_len = 4;
	f->tries = 1;
	f->since_ack = 0;
	send_last(f);
}

static void
finish(struct flow *f, int ok)
{
	f->done = 1;
	f->failed = (uint8_t)!ok;
	f->end = now();
	close(f->fd);
	f->fd = -1;
}

/** One DATA packet of @p len payload bytes, block @p b16, for @p f. */
static void
data(struct flow *f, uint16_t b16, const uint8_t *p, size_t len)
{
	if (b16 != (uint16_t)(f->block + 1)) {
		/* a block out of order, or again: where we are (RFC 7440) */
		ack(f, f->block);
		return;
	}
	if (f->got + len > want_len || memcmp(want + f->got, p, len)) {
		fprintf(stderr, "tftp-load: block %llu differs from the file\n",
			(unsigned long long)(f->block + 1));
		finish(f, 0);
		return;
	}
	f->block++;
	f->got += len;
	if (len < got_blksize) {
		ack(f, f->block);
		finish(f, f->got == want_len);
		return;
	}
	if (++f->since_ack >= got_window)
		ack(f, f->block);
}

/**
 * What an OACK of @p len bytes at @p p grants: the block size and the
 * window the transfer then goes by (RFC 2347: options left out are off).
 */
static void
oack(const uint8_t *p, size_t len)
{
	const char *name = NULL;
	size_t i, start = 0;

	got_blksize = 512;
	got_window = 1;
	for (i = 0; i < len; i++) {
		if (p[i] != 0)
			continue;
		if (name == NULL) {
			name = (const char *)p + start;
		} else {
			unsigned int v = (unsigned int)atoi((const char *)p + start);

			if (!strcasecmp(name, "blksize") && v >= 8)
				got_blksize = v;
			else if (!strcasecmp(name, "windowsize") && v >= 1)
				got_window = v;
			name = NULL;
		}
		start = i + 1;
	}
}

static void
receive(struct flow *f)
{
	uint8_t b[65536 + 4];
	struct sockaddr_in from;
	socklen_t sl = sizeof(from);
	ssize_t n;

	while (!f->done &&
	       (n = recvfrom(f->fd, b, sizeof(b), 0, (void *)&from, &sl)) >= 4) {
		uint16_t op = (uint16_t)(b[0] << 8 | b[1]);

		if (f->tid_known && from.sin_port != f->peer.sin_port)
			continue;
		f->peer = from;
		f->tid_known = 1;
		if (op == 3) {
			if (f->block == 0 && !f->oacked) {
				/* no OACK: the server took no option */
				got_blksize = 512;
				got_window = 1;
				f->oacked = 1;
			}
			data(f, (uint16_t)(b[2] << 8 | b[3]), b + 4, (size_t)n - 4);
		} else if (op == 6 && f->block == 0 && f->got == 0) {
			oack(b + 2, (size_t)n - 2);
			f->oacked = 1;
			ack(f, 0);
		}
		else if (op == 5) {
			fprintf(stderr, "tftp-load: error %u: %.*s\n",
				(unsigned)(b[2] << 8 | b[3]), (int)(n - 4), b + 4);
			finish(f, 0);
		}
	}
}

/** -S: send 1472-byte datagrams to @p addr:@p port for @p secs. */
static int
cap_send(const char *addr, int port, double secs)
{
	static uint8_t b[1472];
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	struct mmsghdr mm[64];
	struct iovec iov = {b, sizeof(b)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i;
	double end = now() + secs;

	if (fd < 0 || inet_pton(AF_INET, addr, &to.sin_addr) != 1)
		die("cap sender");
	for (i = 0; i < 64; i++)
		mm[i].msg_hdr = (struct msghdr){.msg_name = &to,
						.msg_namelen = sizeof(to),
						.msg_iov = &iov,
						.msg_iovlen = 1};
	while (now() < end)
		if (sendmmsg(fd, mm, 64, 0) < 0 && errno != ENOBUFS &&
		    errno != EAGAIN)
			die("sendmmsg");
	return 0;
}

/** -R: receive on @p port until a pause after the first; print MB/s. */
static int
cap_recv(int port)
{
	static uint8_t b[64][2048];
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	struct mmsghdr mm[64];
	struct iovec iov[64];
	struct timeval tv = {0, 500000};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), sz = 16 << 20, i, n;
	double t0 = 0, t1 = 0, wait_end = now() + 10;
	uint64_t bytes = 0;

	if (fd < 0 || bind(fd, (void *)&a, sizeof(a)) < 0)
		die("cap receiver");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < 64; i++) {
		iov[i] = (struct iovec){b[i], sizeof(b[i])};
		mm[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i],
						.msg_iovlen = 1};
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		n = recvmmsg(fd, mm, 64, 0, NULL);
		if (n <= 0) {
			if (t0 > 0 || now() > wait_end)
				break;
			continue;
		}
		if (t0 == 0)
			t0 = now();
		for (i = 0; i < n; i++)
			bytes += mm[i].msg_len;
		t1 = now();
	}
	printf("cap_mb_per_s %.1f\n",
	       t1 > t0 ? (double)bytes / (t1 - t0) / 1e6 : 0);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	struct rlimit rl = {1 << 16, 1 << 16};
	struct sockaddr_in srv = {.sin_family = AF_INET, .sin_port = htons(69)};
	double limit = 120, t0, last = 0, *ends;
	unsigned int n, i, left, ok = 0;
	struct stat st;
	int ep, o, lfd;
	uint64_t bytes = 0;

	if (argc == 5 && !strcmp(argv[1], "-S"))
		return cap_send(argv[2], atoi(argv[3]), atof(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "-R"))
		return cap_recv(atoi(argv[2]));
	while ((o = getopt(argc, argv, "b:w:l:")) != -1) {
		switch (o) {
		case 'b': blksize = (unsigned int)atoi(optarg); break;
		case 'w': window = (unsigned int)atoi(optarg); break;
		case 'l': limit = atof(optarg); break;
		default: argc = 0;
		}
	}
	if (argc - optind != 4 || blksize < 8 || blksize > 65464 ||
	    window < 1 || window > 65535 ||
	    inet_pton(AF_INET, argv[optind], &srv.sin_addr) != 1) {
		fprintf(stderr, "usage: tftp-load [-b BLKSIZE] [-w WINDOW] "
				"[-l LIMIT_S] SERVER REMOTE N LOCAL\n");
		return 2;
	}
	n = (unsigned int)atoi(argv[optind + 2]);
	if (n < 1 || n > 60000 || strlen(argv[optind + 1]) > 400)
		return fprintf(stderr, "tftp-load: N is 1..60000\n"), 2;
	lfd = open(argv[optind + 3], O_RDONLY);
	if (lfd < 0 || fstat(lfd, &st) < 0)
		die(argv[optind + 3]);
	want_len = (size_t)st.st_size;
	want = want_len ? mmap(NULL, want_len, PROT_READ, MAP_PRIVATE, lfd, 0)
			: (const uint8_t *)"";
	if (want == MAP_FAILED)
		die("mmap");
	setrlimit(RLIMIT_NOFILE, &rl);
	fl = calloc(n, sizeof(*fl));
	ends = calloc(n, sizeof(*ends));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (fl == NULL || ends == NULL || ep < 0)
		die("setup");

	t0 = now();
	for (i = 0; i < n; i++) {
		struct flow *f = &fl[i];
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};
		int sz = 1 << 20;
		uint8_t *p = f->last;
		const char *r = argv[optind + 1];

		f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (f->fd < 0)
			die("socket");
		/* a window of large blocks arrives at once */
		setsockopt(f->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		epoll_ctl(ep, EPOLL_CTL_ADD, f->fd, &e);
		f->peer = srv;
		*p++ = 0; *p++ = 1;
		memcpy(p, r, strlen(r) + 1); p += strlen(r) + 1;
		p += sprintf((char *)p, "octet") + 1;
		p += sprintf((char *)p, "blksize") + 1;
		p += sprintf((char *)p, "%u", blksize) + 1;
		if (window > 1) {
			p += sprintf((char *)p, "windowsize") + 1;
			p += sprintf((char *)p, "%u", window) + 1;
		}
		f->last_len = (size_t)(p - f->last);
		f->tries = 1;
		send_last(f);
	}
	for (left = n; left > 0 && now() - t0 < limit;) {
		struct epoll_event ev[256];
		int k, m = epoll_wait(ep, ev, 256, 50);

		for (k = 0; k < m; k++)
			if (!fl[ev[k].data.u32].done)
				receive(&fl[ev[k].data.u32]);
		if (now() - last < 0.05)
			continue;
		last = now();
		for (left = 0, i = 0; i < n; i++) {
			struct flow *f = &fl[i];

			if (f->done)
				continue;
			left++;
			if (last < f->deadline)
				continue;
			if (f->tries >= TRIES) {
				fprintf(stderr, "tftp-load: flow %u: no answer "
						"after %d tries\n", i, TRIES);
				finish(f, 0);
				continue;
			}
			f->tries++;
			retries++;
			send_last(f);
		}
	}
	for (i = 0; i < n; i++) {
		if (fl[i].done && !fl[i].failed)
			ends[ok++] = fl[i].end - t0;
		bytes += fl[i].got;
	}
	qsort(ends, ok, sizeof(*ends), cmp_double);
	{
		double t = ok ? ends[ok - 1] : now() - t0;

		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		printf("completed %u %u seconds %.3f bytes %llu mb_per_s %.1f "
		       "p50_s %.3f p99_s %.3f retries %lu client_cpu_s %.3f\n",
		       ok, n, t, (unsigned long long)bytes,
		       t > 0 ? (double)bytes / t / 1e6 : 0,
		       ok ? ends[ok / 2] : 0, ok ? ends[ok * 99 / 100] : 0,
		       retries,
		       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	}
	free(ends);
	free(fl);
	close(ep);
	return ok == n ? 0 : 1;
}
