/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Boot-storm generator: N network-boot clients through the whole path,
 * from one process, against any DHCP + TFTP + HTTP stack.
 *
 * Each client does what a PXE ROM chaining iPXE does:
 *   1. DHCP with PXE options (option 60 PXEClient, 93, 94, 97), the PXE
 *      ROM's timers (4, 8, 16, 32 s);
 *   2. TFTP of the boot file the ACK names (blksize 1468, tsize);
 *   3. DHCP again as iPXE (user class "iPXE", option 175), iPXE's timers
 *      (1, 2, 4, 8 s); the filename is the script's URL (${mac:hexhyp}
 *      and ${mac} expanded as iPXE does);
 *   4. HTTP GET of the script, then of the kernel and initrds it names,
 *      on one keep-alive connection per host.
 * DHCP goes out as raw frames from each client's own MAC (broadcast flag
 * set, so every server broadcasts its replies); TFTP and HTTP use kernel
 * sockets bound to the leased address, so the client interface must hold
 * the pool's addresses (bench/storm adds them).
 *
 * A client whose boot fails (its firmware gave up: DHCP unanswered after
 * four tries, a TFTP error, a broken HTTP download) reboots after
 * REBOOT_PAUSE seconds and starts over, as machines told to retry the
 * network boot do, up to -r times (default 0: it stays failed).
 *
 * Output: one CSV line per client (stage times in seconds from the
 * storm's start; the address of its first ACK and how often a later ACK
 * gave another; reboots; an FNV-1a hash of the boot program and of the
 * kernel it got, to tell whole files from mixes), and a summary on
 * stdout.
 *
 *   storm-gen [-r REBOOTS] IFACE N RAMP_SECONDS CSV [TIMEOUT_SECONDS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* stage times recorded for each client */
enum stage {
	T_START, T_OFFER, T_ACK, T_BOOTPROG, T_IPXE_ACK, T_SCRIPT, T_KERNEL,
	T_INITRD, T_COUNT
};
static const char *const stage_name[T_COUNT] = {
	"start", "offer", "ack", "boot_program", "ipxe_ack", "script",
	"kernel", "initrd",
};

enum state { S_WAIT, S_DISC, S_REQ, S_TFTP, S_IDISC, S_IREQ, S_HTTP, S_DONE,
	     S_FAIL };

#define MAX_URLS 4
#define URL_MAX 256
#define REBOOT_PAUSE 2.0
#define FNV_OFFSET 0xcbf29ce484222325ull

struct client {
	uint8_t mac[6];
	uint32_t xid;
	enum state st;
	int tries;          /**< sends of the current DHCP/TFTP message */
	double deadline;    /**< when to resend (or give up) */
	double t[T_COUNT];
	unsigned int dhcp_retries, tftp_retries;
	uint32_t ip, server_id, next_server;
	char file[URL_MAX];
	const char *why;    /**< the failure */
	double wake;        /**< S_WAIT: when to power on, from the start */
	unsigned int reboots;
	const char *last_why; /**< what made it reboot last */
	uint32_t first_ip;  /**< the address of its first ACK */
	unsigned int ip_changes; /**< later ACKs with another address */
	uint64_t boot_hash, kernel_hash; /**< FNV-1a of what it got */
	int fd;
	/* TFTP */
	struct sockaddr_in tid;
	uint16_t block;
	size_t tftp_bytes;
	uint8_t last[600];  /**< the last TFTP packet sent, for a resend */
	size_t last_len;
	int tid_known;
	/* HTTP */
	char urls[MAX_URLS][URL_MAX];
	int nurls, cur;
	uint32_t conn_host; /**< the connected host:port, to reuse it */
	uint16_t conn_port;
	char hbuf[8192];
	size_t hlen;
	long long body_left;
	int in_body;
	size_t http_bytes;
	int connecting;     /**< the request waits for the connection */
	char req[512];
};

static struct client *cl;
static int nclients;
static int ifindex;
static uint8_t if_mac[6];
static int rawfd, ep;
static double t0;
static unsigned int max_reboots;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

/** The boot failed: reboot and start over, or stay failed. */
static void
fail(struct client *c, const char *why)
{
	int k;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->reboots >= max_reboots) {
		c->st = S_FAIL;
		c->why = why;
		return;
	}
	c->reboots++;
	c->last_why = why;
	for (k = T_OFFER; k < T_COUNT; k++)
		c->t[k] = 0;
	c->st = S_WAIT;
	c->wake = now() - t0 + REBOOT_PAUSE;
}

/* --- DHCP --- */

static uint16_t
csum(const void *p, size_t n, uint32_t sum)
{
	const uint8_t *b = p;

	for (; n > 1; n -= 2, b += 2)
		sum += (uint32_t)(b[0] << 8 | b[1]);
	if (n)
		sum += (uint32_t)(b[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/** PXE ROM timers, then iPXE's: seconds before send number @p try. */
static double
dhcp_timeout(const struct client *c)
{
	static const double pxe[] = {4, 8, 16, 32}, ipxe[] = {1, 2, 4, 8};
	int i = c->tries - 1 < 3 ? c->tries - 1 : 3;

	return (c->st == S_DISC || c->st == S_REQ) ? pxe[i] : ipxe[i];
}

/** Send the DHCP message of the client's state, as a raw frame. */
static void
dhcp_send(struct client *c)
{
	/* two bytes ahead, so the IP header after Ethernet's 14 is aligned */
	uint8_t buf[602] __attribute__((aligned(8))), *f = buf + 2;
	struct ether_header *eh = (void *)f;
	struct iphdr *ih = (void *)(f + 14);
	struct udphdr *uh = (void *)(f + 34);
	uint8_t *d = f + 42, *o;
	int ipxe = c->st == S_IDISC || c->st == S_IREQ;
	int req = c->st == S_REQ || c->st == S_IREQ;
	size_t dlen;
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_ifindex = ifindex, .sll_halen = 6};
	uint32_t a;
	double nowt = now();

	memset(f, 0, 600);
	memset(eh->ether_dhost, 0xff, 6);
	memcpy(eh->ether_shost, c->mac, 6);
	eh->ether_type = htons(ETHERTYPE_IP);
	d[0] = 1; d[1] = 1; d[2] = 6;
	memcpy(d + 4, &c->xid, 4);
	a = htons((uint16_t)(nowt - t0 - c->t[T_START]));
	memcpy(d + 8, &a, 2);
	d[10] = 0x80; /* broadcast flag */
	memcpy(d + 28, c->mac, 6);
	d[236] = 99; d[237] = 130; d[238] = 83; d[239] = 99;
	o = d + 240;
	*o++ = 53; *o++ = 1; *o++ = req ? 3 : 1;
	if (req) {
		*o++ = 50; *o++ = 4; memcpy(o, &c->ip, 4); o += 4;
		*o++ = 54; *o++ = 4; memcpy(o, &c->server_id, 4); o += 4;
	}
	*o++ = 57; *o++ = 2; *o++ = 0x05; *o++ = 0xc0;
	*o++ = 55; *o++ = 8;
	memcpy(o, "\x01\x03\x06\x0c\x2b\x3c\x42\x43", 8); o += 8;
	*o++ = 60; *o++ = 32;
	memcpy(o, "PXEClient:Arch:00000:UNDI:002001", 32); o += 32;
	*o++ = 93; *o++ = 2; *o++ = 0; *o++ = 0;
	*o++ = 94; *o++ = 3; *o++ = 1; *o++ = 2; *o++ = 1;
	*o++ = 97; *o++ = 17; *o++ = 0;
	memset(o, 0x5a, 10); memcpy(o + 10, c->mac, 6); o += 16;
	if (ipxe) {
		*o++ = 77; *o++ = 4; memcpy(o, "iPXE", 4); o += 4;
		/* option 175: iPXE's encapsulated features (bzImage, HTTP) */
		*o++ = 175; *o++ = 6;
		*o++ = 19; *o++ = 1; *o++ = 1; *o++ = 24; *o++ = 1; *o++ = 1;
	}
	*o++ = 255;
	dlen = (size_t)(o - d);
	if (dlen < 300)
		dlen = 300;
	uh->source = htons(68);
	uh->dest = htons(67);
	uh->len = htons((uint16_t)(8 + dlen));
	ih->version = 4; ih->ihl = 5; ih->ttl = 64; ih->protocol = IPPROTO_UDP;
	ih->tot_len = htons((uint16_t)(28 + dlen));
	ih->daddr = INADDR_BROADCAST;
	ih->check = htons(csum(ih, 20, 0));
	{
		/* UDP checksum over the pseudo-header */
		uint32_t s = 0;
		uint16_t ulen = (uint16_t)(8 + dlen);

		s += 0xffff + 0xffff; /* daddr 255.255.255.255, saddr 0 */
		s += IPPROTO_UDP + ulen;
		uh->check = htons(csum(uh, ulen, s));
		if (uh->check == 0)
			uh->check = 0xffff;
	}
	memset(to.sll_addr, 0xff, 6);
	if (sendto(rawfd, f, 42 + dlen, 0, (void *)&to, sizeof(to)) < 0)
		perror("sendto dhcp");
	c->deadline = nowt + dhcp_timeout(c);
}

/** Enter a DHCP state and send its first message. */
static void
dhcp_enter(struct client *c, enum state st)
{
	c->st = st;
	c->tries = 1;
	dhcp_send(c);
}

/** An option of a DHCP reply's option area, or NULL. */
static const uint8_t *
dhcp_opt(const uint8_t *o, size_t n, uint8_t code, uint8_t *len)
{
	size_t i = 0;

	while (i < n && o[i] != 255) {
		if (o[i] == 0) {
			i++;
			continue;
		}
		if (i + 1 >= n || i + 2 + o[i + 1] > n)
			return NULL;
		if (o[i] == code) {
			*len = o[i + 1];
			return o + i + 2;
		}
		i += 2u + o[i + 1];
	}
	return NULL;
}

static void tftp_start(struct client *c);
static void http_next(struct client *c);

/** Expand iPXE's ${mac:hexhyp} and ${mac} / ${net0/mac} in a filename. */
static void
expand(struct client *c, const char *in, char *out, size_t cap)
{
	size_t n = 0;
	char m[24];

	while (*in && n + 20 < cap) {
		if (strncmp(in, "${mac:hexhyp}", 13) == 0) {
			n += (size_t)snprintf(out + n, cap - n,
					      "%02x-%02x-%02x-%02x-%02x-%02x",
					      c->mac[0], c->mac[1], c->mac[2],
					      c->mac[3], c->mac[4], c->mac[5]);
			in += 13;
		} else if (strncmp(in, "${mac}", 6) == 0 ||
			   strncmp(in, "${net0/mac}", 11) == 0) {
			snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x",
				 c->mac[0], c->mac[1], c->mac[2], c->mac[3],
				 c->mac[4], c->mac[5]);
			n += (size_t)snprintf(out + n, cap - n, "%s", m);
			in += in[2] == 'm' ? 6 : 11;
		} else {
			out[n++] = *in++;
		}
	}
	out[n] = '\0';
}

/** A DHCP reply on the wire: advance the client it is for. */
static void
dhcp_recv(const uint8_t *f, size_t n)
{
	const struct iphdr *ih = (const void *)(f + 14);
	const uint8_t *d, *v;
	uint8_t len, type;
	uint32_t xid;
	size_t ihl, dn;
	struct client *c;
	double t = now() - t0;
	long idx;

	if (n < 14 + 20 + 8 + 240 || ((const uint16_t *)f)[6] != htons(ETHERTYPE_IP))
		return;
	ihl = (size_t)ih->ihl * 4;
	if (ih->protocol != IPPROTO_UDP || n < 14 + ihl + 8 + 240)
		return;
	if (((const struct udphdr *)(f + 14 + ihl))->dest != htons(68))
		return;
	d = f + 14 + ihl + 8;
	dn = n - 14 - ihl - 8;
	if (d[0] != 2)
		return;
	memcpy(&xid, d + 4, 4);
	idx = (long)(ntohl(xid) & 0xffffff);
	if (idx >= nclients)
		return;
	c = &cl[idx];
	if (c->xid != xid || memcmp(d + 28, c->mac, 6) != 0)
		return;
	v = dhcp_opt(d + 240, dn - 240, 53, &len);
	if (v == NULL || len != 1)
		return;
	type = v[0];
	if (type == 2 && (c->st == S_DISC || c->st == S_IDISC)) {
		uint32_t yi;

		memcpy(&yi, d + 16, 4);
		v = dhcp_opt(d + 240, dn - 240, 54, &len);
		if (yi == 0 || v == NULL || len != 4)
			return; /* a proxy offer: no address in it */
		c->ip = yi;
		memcpy(&c->server_id, v, 4);
		if (c->st == S_DISC)
			c->t[T_OFFER] = t;
		dhcp_enter(c, c->st == S_DISC ? S_REQ : S_IREQ);
	} else if (type == 5 && (c->st == S_REQ || c->st == S_IREQ)) {
		char raw[URL_MAX];

		v = dhcp_opt(d + 240, dn - 240, 67, &len);
		if (v) {
			memcpy(raw, v, len);
			raw[len] = '\0';
		} else {
			memcpy(raw, d + 108, 128);
			raw[127] = '\0';
		}
		memcpy(&c->next_server, d + 20, 4);
		{
			uint32_t yi;

			memcpy(&yi, d + 16, 4);
			if (c->first_ip == 0)
				c->first_ip = yi;
			else if (yi != c->first_ip)
				c->ip_changes++;
			c->ip = yi;
		}
		if (raw[0] == '\0')
			return fail(c, "ACK without a boot file");
		if (c->st == S_REQ) {
			c->t[T_ACK] = t;
			snprintf(c->file, sizeof(c->file), "%s", raw);
			tftp_start(c);
		} else {
			c->t[T_IPXE_ACK] = t;
			expand(c, raw, c->urls[0], URL_MAX);
			c->nurls = 1;
			c->cur = 0;
			c->st = S_HTTP;
			http_next(c);
		}
	} else if (type == 6 && (c->st == S_REQ || c->st == S_IREQ)) {
		c->dhcp_retries++;
		dhcp_enter(c, c->st == S_REQ ? S_DISC : S_IDISC);
	}
}

/* --- TFTP --- */

static void
watch(struct client *c, uint32_t events)
{
	struct epoll_event e = {.events = events, .data.u32 = (uint32_t)(c - cl)};

	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e) < 0)
		die("epoll_ctl");
}

/** A socket of @p type bound to the client's leased address. */
static int
bound_socket(struct client *c, int type)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = c->ip};
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	if (bind(fd, (void *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
tftp_sendlast(struct client *c)
{
	if (sendto(c->fd, c->last, c->last_len, 0, (void *)&c->tid,
		   sizeof(c->tid)) < 0 && errno != EAGAIN)
		perror("sendto tftp");
	c->deadline = now() + (c->tries < 5 ? (1 << (c->tries - 1)) : 16);
}

static void
tftp_start(struct client *c)
{
	uint8_t *p = c->last;
	size_t fl = strlen(c->file);

	c->fd = bound_socket(c, SOCK_DGRAM);
	if (c->fd < 0)
		return fail(c, "the leased address is not on the interface");
	c->st = S_TFTP;
	c->tid = (struct sockaddr_in){.sin_family = AF_INET,
				      .sin_port = htons(69),
				      .sin_addr.s_addr = c->next_server ?
							 c->next_server :
							 c->server_id};
	c->tid_known = 0;
	c->block = 0;
	c->tftp_bytes = 0;
	c->boot_hash = FNV_OFFSET;
	*p++ = 0; *p++ = 1;
	memcpy(p, c->file, fl + 1); p += fl + 1;
	memcpy(p, "octet", 6); p += 6;
	memcpy(p, "blksize\0" "1468", 13); p += 13;
	memcpy(p, "tsize\0" "0", 8); p += 8;
	c->last_len = (size_t)(p - c->last);
	c->tries = 1;
	watch(c, EPOLLIN);
	tftp_sendlast(c);
}

static void
tftp_ack(struct client *c, uint16_t block)
{
	c->last[0] = 0; c->last[1] = 4;
	c->last[2] = (uint8_t)(block >> 8); c->last[3] = (uint8_t)block;
	c->last_len = 4;
	c->tries = 1;
	tftp_sendlast(c);
}

static void
tftp_recv(struct client *c)
{
	uint8_t b[1600];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	while ((n = recvfrom(c->fd, b, sizeof(b), 0, (void *)&from, &fl)) >= 0) {
		uint16_t op, blk;

		if (n < 4)
			continue;
		if (c->tid_known && from.sin_port != c->tid.sin_port)
			continue; /* another TID: RFC 1350 says ignore (we do) */
		op = (uint16_t)(b[0] << 8 | b[1]);
		blk = (uint16_t)(b[2] << 8 | b[3]);
		c->tid = from;
		c->tid_known = 1;
		if (op == 5)
			return fail(c, "TFTP error");
		if (op == 6) { /* OACK */
			if (c->block == 0)
				tftp_ack(c, 0);
			continue;
		}
		if (op != 3)
			continue;
		if (blk == (uint16_t)(c->block + 1)) {
			c->block = blk;
			c->tftp_bytes += (size_t)n - 4;
			c->boot_hash = fnv(c->boot_hash, b + 4, (size_t)n - 4);
			tftp_ack(c, blk);
			if ((size_t)n - 4 < 1468) {
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				c->fd = -1;
				c->t[T_BOOTPROG] = now() - t0;
				dhcp_enter(c, S_IDISC);
				return;
			}
		} else if (blk == c->block) {
			tftp_ack(c, blk); /* our ACK was lost */
		}
	}
}

/* --- HTTP --- */

/** Split http://host[:port]/path. */
static int
url_split(const char *u, uint32_t *host, uint16_t *port, const char **path)
{
	char h[64];
	const char *s, *slash, *colon;

	if (strncmp(u, "http://", 7))
		return -1;
	s = u + 7;
	slash = strchr(s, '/');
	if (slash == NULL || (size_t)(slash - s) >= sizeof(h))
		return -1;
	memcpy(h, s, (size_t)(slash - s));
	h[slash - s] = '\0';
	colon = strchr(h, ':');
	*port = 80;
	if (colon) {
		*port = (uint16_t)atoi(colon + 1);
		h[colon - h] = '\0';
	}
	if (inet_pton(AF_INET, h, host) != 1)
		return -1;
	*path = slash;
	return 0;
}

/** Send the GET for the current URL, connecting when needed. */
static void
http_next(struct client *c)
{
	uint32_t host;
	uint16_t port;
	const char *path;
	char req[512];
	int n;

	if (url_split(c->urls[c->cur], &host, &port, &path) < 0)
		return fail(c, "a URL that is not http://IP/");
	if (c->fd >= 0 && (host != c->conn_host || port != c->conn_port)) {
		close(c->fd);
		c->fd = -1;
	}
	if (c->fd < 0) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_port = htons(port),
					.sin_addr.s_addr = host};

		c->fd = bound_socket(c, SOCK_STREAM);
		if (c->fd < 0)
			return fail(c, "the leased address is not on the interface");
		if (connect(c->fd, (void *)&a, sizeof(a)) < 0 &&
		    errno != EINPROGRESS)
			return fail(c, "connect");
		c->conn_host = host;
		c->conn_port = port;
		c->connecting = 1;
		watch(c, EPOLLOUT);
	}
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: iPXE/1.0.0\r\n"
		     "Connection: keep-alive\r\n\r\n",
		     path, c->urls[c->cur] + 7);
	/* Host: the authority only */
	{
		char *h = strstr(req, "Host: ") + 6, *e = strchr(h, '/');
		char *cr = strstr(h, "\r\n");

		if (e && e < cr)
			memmove(e, cr, strlen(cr) + 1);
		n = (int)strlen(req);
	}
	c->hlen = 0;
	c->in_body = 0;
	c->deadline = now() + 60;
	if (c->connecting) {
		/* sent once connected: EPOLLOUT */
		memcpy(c->req, req, (size_t)n + 1);
		return;
	}
	if (send(c->fd, req, (size_t)n, MSG_NOSIGNAL) != n)
		return fail(c, "send");
}

/** A new connection is up: send the request that waited for it. */
static void
http_connected(struct client *c)
{
	struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)(c - cl)};
	size_t n = strlen(c->req);
	int err = 0;
	socklen_t el = sizeof(err);

	c->connecting = 0;
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err)
		return fail(c, "HTTP connect refused or failed");
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
	if (send(c->fd, c->req, n, MSG_NOSIGNAL) != (ssize_t)n)
		return fail(c, "send");
}


/** Resolve a path the script names against the script's URL. */
static void
resolve(const char *base, const char *ref, char *out)
{
	if (strncmp(ref, "http://", 7) == 0) {
		snprintf(out, URL_MAX, "%s", ref);
	} else if (ref[0] == '/') {
		const char *slash = strchr(base + 7, '/');

		snprintf(out, URL_MAX, "%.*s%s", (int)(slash - base), base, ref);
	} else {
		const char *q = strchr(base, '?'), *slash;
		size_t n = q ? (size_t)(q - base) : strlen(base);

		slash = memrchr(base, '/', n);
		snprintf(out, URL_MAX, "%.*s%s", (int)(slash - base + 1), base,
			 ref);
	}
}

/** The script: "kernel URL args" and "initrd URL" lines become URLs. */
static void
script_parse(struct client *c, char *s)
{
	char *line, *save = NULL;
	char base[URL_MAX];

	snprintf(base, sizeof(base), "%s", c->urls[0]);
	c->nurls = 1;
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *w, *ws = NULL, *arg;
		int kernel;

		w = strtok_r(line, " \t\r", &ws);
		if (w == NULL)
			continue;
		kernel = !strcmp(w, "kernel") || !strcmp(w, "chain");
		if (!kernel && strcmp(w, "initrd"))
			continue;
		/* skip iPXE options (--name x) before the URL */
		while ((arg = strtok_r(NULL, " \t\r", &ws)) && arg[0] == '-')
			if (!strcmp(arg, "--name") || !strcmp(arg, "-n"))
				strtok_r(NULL, " \t\r", &ws);
		if (arg && c->nurls < MAX_URLS)
			resolve(base, arg, c->urls[c->nurls++]);
	}
}

static void
http_recv(struct client *c)
{
	for (;;) {
		char buf[65536];
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
		size_t off = 0;

		if (n == 0)
			return fail(c, "HTTP connection closed early");
		if (n < 0) {
			if (errno == EAGAIN)
				return;
			return fail(c, "HTTP recv");
		}
		c->deadline = now() + 60;
		while (off < (size_t)n) {
			if (!c->in_body) {
				char *end, *cl_;
				size_t take = (size_t)n - off;

				if (take > sizeof(c->hbuf) - 1 - c->hlen)
					take = sizeof(c->hbuf) - 1 - c->hlen;
				memcpy(c->hbuf + c->hlen, buf + off, take);
				c->hlen += take;
				c->hbuf[c->hlen] = '\0';
				end = strstr(c->hbuf, "\r\n\r\n");
				if (end == NULL) {
					if (c->hlen >= sizeof(c->hbuf) - 1)
						return fail(c, "HTTP header too long");
					off += take;
					continue;
				}
				if (strncmp(c->hbuf + 9, "200", 3))
					return fail(c, "HTTP status not 200");
				cl_ = strcasestr(c->hbuf, "\r\ncontent-length:");
				if (cl_ == NULL)
					return fail(c, "HTTP without Content-Length");
				c->body_left = atoll(cl_ + 17);
				if (c->cur == 1)
					c->kernel_hash = FNV_OFFSET;
				/* what followed the header in this read */
				off += take - (c->hlen - (size_t)(end + 4 - c->hbuf));
				c->in_body = 1;
				c->hlen = 0;
			}
			{
				size_t take = (size_t)n - off;

				if ((long long)take > c->body_left)
					take = (size_t)c->body_left;
				if (c->cur == 0 && c->hlen + take < sizeof(c->hbuf)) {
					memcpy(c->hbuf + c->hlen, buf + off, take);
					c->hlen += take;
				}
				if (c->cur == 1)
					c->kernel_hash = fnv(c->kernel_hash,
							     buf + off, take);
				c->body_left -= (long long)take;
				c->http_bytes += take;
				off += take;
			}
			if (c->body_left == 0) {
				double t = now() - t0;

				if (c->cur == 0) {
					c->hbuf[c->hlen] = '\0';
					c->t[T_SCRIPT] = t;
					script_parse(c, c->hbuf);
					if (c->nurls < 2)
						return fail(c, "script names no kernel");
				} else if (c->cur == 1) {
					c->t[T_KERNEL] = t;
				}
				if (++c->cur == c->nurls) {
					c->t[T_INITRD] = t;
					c->st = S_DONE;
					close(c->fd);
					c->fd = -1;
					return;
				}
				c->in_body = 0;
				c->hlen = 0;
				if (off < (size_t)n)
					return fail(c, "HTTP data after the body");
				http_next(c);
				if (c->st != S_HTTP)
					return;
				break;
			}
		}
	}
}

/* --- the storm --- */

static void
timeouts(double t)
{
	int i;

	for (i = 0; i < nclients; i++) {
		struct client *c = &cl[i];

		if (c->st == S_WAIT) {
			if (t - t0 >= c->wake)
				dhcp_enter(c, S_DISC);
			continue;
		}
		if (c->st == S_DONE || c->st == S_FAIL || t < c->deadline)
			continue;
		switch (c->st) {
		case S_DISC: case S_REQ: case S_IDISC: case S_IREQ:
			if (c->tries >= 4) {
				fail(c, "DHCP: no answer after 4 tries");
				break;
			}
			c->tries++;
			c->dhcp_retries++;
			/* a lost REQUEST or ACK: start over, as firmware does */
			if (c->st == S_REQ || c->st == S_IREQ)
				c->st = c->st == S_REQ ? S_DISC : S_IDISC;
			dhcp_send(c);
			break;
		case S_TFTP:
			if (c->tries >= 6) {
				fail(c, "TFTP: no answer after 6 tries");
				break;
			}
			c->tries++;
			c->tftp_retries++;
			tftp_sendlast(c);
			break;
		case S_HTTP:
			fail(c, "HTTP: 60 s without data");
			break;
		default:
			break;
		}
	}
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	struct rlimit rl = {65536, 65536};
	struct ifreq ifr;
	struct sockaddr_ll ll = {.sll_family = AF_PACKET};
	struct packet_mreq pm = {0};
	double ramp, limit, last = 0;
	FILE *csv;
	int i, s, left, booted = 0;
	uint32_t salt;

	while ((i = getopt(argc, argv, "r:")) != -1) {
		if (i != 'r')
			argc = 0;
		else
			max_reboots = (unsigned int)atoi(optarg);
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 5) {
		fprintf(stderr, "usage: storm-gen [-r REBOOTS] IFACE N "
				"RAMP_SECONDS CSV [TIMEOUT_SECONDS]\n");
		return 2;
	}
	nclients = atoi(argv[2]);
	ramp = atof(argv[3]);
	limit = argc > 5 ? atof(argv[5]) : 600;
	if (nclients < 1 || nclients > 0xffffff)
		return fprintf(stderr, "storm-gen: N is 1..16777215\n"), 2;
	setrlimit(RLIMIT_NOFILE, &rl);
	csv = fopen(argv[4], "w");
	if (csv == NULL)
		die(argv[4]);

	rawfd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_IP));
	if (rawfd < 0)
		die("socket(AF_PACKET)");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(rawfd, SIOCGIFINDEX, &ifr) < 0)
		die(argv[1]);
	ifindex = ifr.ifr_ifindex;
	if (ioctl(rawfd, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR");
	memcpy(if_mac, ifr.ifr_hwaddr.sa_data, 6);
	ll.sll_protocol = htons(ETH_P_IP);
	ll.sll_ifindex = ifindex;
	if (bind(rawfd, (void *)&ll, sizeof(ll)) < 0)
		die("bind(AF_PACKET)");
	/* only DHCP replies: the TFTP and HTTP data on this interface would
	 * otherwise fill the socket's buffer and crowd them out */
	{
		static struct sock_filter code[] = {
			BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IP, 0, 8),
			BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
			BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
			BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
			BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
			BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 68, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, 65535),
			BPF_STMT(BPF_RET | BPF_K, 0),
		};
		struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};

		if (setsockopt(rawfd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			       sizeof(prog)) < 0)
			die("SO_ATTACH_FILTER");
	}
	/* replies to our clients' MACs: broadcast, but some servers unicast */
	pm.mr_ifindex = ifindex;
	pm.mr_type = PACKET_MR_PROMISC;
	setsockopt(rawfd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &pm, sizeof(pm));
	/* a storm's replies arrive in bursts: room for all of them, past
	 * rmem_max (we run as root) */
	s = 64 << 20;
	if (setsockopt(rawfd, SOL_SOCKET, SO_RCVBUFFORCE, &s, sizeof(s)) < 0)
		setsockopt(rawfd, SOL_SOCKET, SO_RCVBUF, &s, sizeof(s));

	ep = epoll_create1(EPOLL_CLOEXEC);
	{
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = UINT32_MAX};

		epoll_ctl(ep, EPOLL_CTL_ADD, rawfd, &e);
	}
	cl = calloc((size_t)nclients, sizeof(*cl));
	if (cl == NULL)
		die("calloc");
	salt = (uint32_t)getpid() & 0xff;
	for (i = 0; i < nclients; i++) {
		struct client *c = &cl[i];

		/* 02:rb:... locally administered, unique per client */
		c->mac[0] = 0x02; c->mac[1] = 0x72; c->mac[2] = (uint8_t)salt;
		c->mac[3] = (uint8_t)(i >> 16); c->mac[4] = (uint8_t)(i >> 8);
		c->mac[5] = (uint8_t)i;
		c->xid = htonl((salt << 24) | (uint32_t)i);
		c->fd = -1;
		c->t[T_START] = nclients > 1 ? ramp * i / (nclients - 1) : 0;
		c->wake = c->t[T_START];
		c->st = S_WAIT;
	}

	t0 = now();
	for (left = nclients; left > 0 && now() - t0 < limit;) {
		struct epoll_event ev[256];
		int n = epoll_wait(ep, ev, 256, 10), k;

		for (k = 0; k < n; k++) {
			uint32_t id = ev[k].data.u32;

			if (id == UINT32_MAX) {
				/* the IP header 4-aligned, after Ethernet's 14 */
				uint8_t buf[2050] __attribute__((aligned(8)));
				uint8_t *f = buf + 2;
				ssize_t r;

				while ((r = recv(rawfd, f, 2048, 0)) > 0)
					dhcp_recv(f, (size_t)r);
				continue;
			}
			if (cl[id].st == S_TFTP)
				tftp_recv(&cl[id]);
			else if (cl[id].st == S_HTTP && cl[id].connecting)
				http_connected(&cl[id]);
			else if (cl[id].st == S_HTTP)
				http_recv(&cl[id]);
		}
		if (now() - last >= 0.05) {
			last = now();
			timeouts(last);
			for (left = 0, i = 0; i < nclients; i++)
				left += cl[i].st != S_DONE && cl[i].st != S_FAIL;
		}
	}

	fprintf(csv, "client,mac,ip");
	for (i = 0; i < T_COUNT; i++)
		fprintf(csv, ",%s", stage_name[i]);
	fprintf(csv, ",dhcp_retries,tftp_retries,tftp_bytes,http_bytes,"
		     "first_ip,ip_changes,reboots,last_reboot_why,boot_hash,"
		     "kernel_hash,result\n");
	for (i = 0; i < nclients; i++) {
		struct client *c = &cl[i];
		char ip[INET_ADDRSTRLEN];
		int k;

		inet_ntop(AF_INET, &c->ip, ip, sizeof(ip));
		fprintf(csv, "%d,%02x:%02x:%02x:%02x:%02x:%02x,%s", i, c->mac[0],
			c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5], ip);
		for (k = 0; k < T_COUNT; k++)
			fprintf(csv, ",%.6f", c->t[k]);
		inet_ntop(AF_INET, &c->first_ip, ip, sizeof(ip));
		fprintf(csv, ",%u,%u,%zu,%zu,%s,%u,%u,%s,%016llx,%016llx,%s\n",
			c->dhcp_retries, c->tftp_retries, c->tftp_bytes,
			c->http_bytes, ip, c->ip_changes, c->reboots,
			c->last_why ? c->last_why : "",
			(unsigned long long)c->boot_hash,
			(unsigned long long)c->kernel_hash,
			c->st == S_DONE ? "booted"
			: c->st == S_FAIL ? c->why : "unfinished");
		booted += c->st == S_DONE;
	}
	fclose(csv);

	/* summary: each stage's latency from the stage before it */
	{
		double *v = calloc((size_t)nclients, sizeof(double)), ttl = 0;
		unsigned long dr = 0, tr = 0;
		int k;

		printf("clients %d booted %d failed %d\n", nclients, booted,
		       nclients - booted);
		printf("%-14s %9s %9s %9s %9s\n", "stage", "p50_s", "p90_s",
		       "p99_s", "max_s");
		for (k = 1; k < T_COUNT; k++) {
			int m = 0;

			for (i = 0; i < nclients; i++)
				if (cl[i].st == S_DONE)
					v[m++] = cl[i].t[k] - cl[i].t[k - 1];
			if (m == 0)
				break;
			qsort(v, (size_t)m, sizeof(double), cmp_d);
			printf("%-14s %9.3f %9.3f %9.3f %9.3f\n", stage_name[k],
			       v[m / 2], v[m * 9 / 10], v[m * 99 / 100],
			       v[m - 1]);
		}
		for (i = 0; i < nclients; i++) {
			dr += cl[i].dhcp_retries;
			tr += cl[i].tftp_retries;
			if (cl[i].st == S_DONE && cl[i].t[T_INITRD] > ttl)
				ttl = cl[i].t[T_INITRD];
		}
		printf("time_to_last_booted_s %.3f\n", ttl);
		printf("dhcp_retries %lu tftp_retries %lu\n", dr, tr);
		{
			unsigned long rb = 0, rbc = 0, ipc = 0;

			for (i = 0; i < nclients; i++) {
				rb += cl[i].reboots;
				rbc += cl[i].reboots > 0;
				ipc += cl[i].ip_changes;
			}
			printf("reboots %lu clients_rebooted %lu ip_changes %lu\n",
			       rb, rbc, ipc);
		}
		free(v);
	}
	return booted == nclients ? 0 : 1;
}
