/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP boot file server on io_uring (see httpd.h).
 *
 * Each thread owns a ring, a listener (SO_REUSEPORT spreads connections),
 * a table of connections and a pool of registered body buffers.  A
 * connection has at most one operation in the kernel at a time (two while
 * a zero-copy send's notification is due), so its state is simply what
 * it waits for.  Nothing allocates per request but the admin /metrics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>
#include <rte_lcore.h>

#include "rackboot/bootcfg.h"
#include "rackboot/dhcpd.h"
#include "rackboot/http.h"
#include "rackboot/httpd.h"
#include "rackboot/log.h"

#define RING_ENTRIES 4096
#define OUT_MAX 16384         /* response head and a rendered body */
#define BODY_BUF (256 * 1024) /* a registered body buffer */
#define BODY_BUFS 64          /* per thread: 16 MiB */
#define PIPE_SIZE (1 << 20)
#define TICK_NS 200000000ULL  /* the timeout scan */
#define PACE_TICK_NS 5000000ULL
#define LISTENER UINT32_MAX
#define ADMIN_LISTENER (UINT32_MAX - 1)

enum op {
	OP_ACCEPT = 1,
	OP_RECV,
	OP_SEND,      /* the head, and a body in memory */
	OP_OPEN,
	OP_READ,
	OP_BODY,      /* a body buffer's bytes, or the pipe's */
	OP_SPLICE_IN,
};

enum cstate {
	C_FREE,
	C_REQUEST,    /* waiting for (more of) a request */
	C_OPEN,
	C_SEND,
	C_BODY,
	C_WAIT_BUF,   /* no body buffer free yet */
	C_PACED,      /* over its rate: resumes at @p wake */
	C_CLOSING,
};

/** The statuses counted by code. */
static const int counted_status[] = {200, 206, 304, 400, 403, 404, 405,
				     408, 414, 416, 431, 500, 503, 505};
#define NSTATUS (sizeof(counted_status) / sizeof(counted_status[0]))

enum timeout_kind { TO_HEADER, TO_IDLE, TO_SEND, TO_MAX };

struct stats {
	uint64_t requests[NSTATUS];
	uint64_t bytes;
	uint64_t accepted, rejected_limit, rendered, disk, cached;
	uint64_t timeouts[TO_MAX];
	uint64_t parse_errors[RB_HTTP_E_MAX];
	uint64_t not_found, outside_root, resets;
};

struct hthread;

struct conn {
	struct conn *next, *prev; /* the thread's active list, or free list */
	struct conn *wnext;       /* the wait for a body buffer */
	struct hthread *t;
	uint32_t idx;
	int fd;
	enum cstate state;
	uint8_t admin, keep_alive, head_only, zc_wait, after_zc;
	uint16_t inflight;       /* operations the kernel has */
	struct sockaddr_in peer;
	uint64_t deadline;       /* monotonic ns; 0: none */
	uint64_t t_req;          /* the request's first byte */
	uint32_t in_len, consumed;
	/* the response */
	int status;
	uint32_t out_len, out_off;
	const uint8_t *mem;      /* a body in memory (cache, out, heap) */
	uint64_t mem_len, mem_off;
	char *heap;              /* the admin body */
	struct rb_filecache *held;
	int file_fd;
	uint64_t off, left, body_bytes;
	int buf;                 /* body buffer, or -1 */
	uint32_t buf_len, buf_off;
	int pipe_r, pipe_w;
	uint32_t in_pipe;
	uint64_t pace_t0, pace_sent, wake;
	struct rb_http_req req;  /* the request answered */
	char in[RB_HTTP_HEAD_MAX];
	char out[OUT_MAX];
};

struct hthread {
	struct rb_httpd *h;
	unsigned int id;
	struct io_uring ring;
	int ring_ok;
	int lfd, afd;
	pthread_t tid;
	int started;
	struct conn *conns;
	struct conn *free;
	struct conn active;      /* list head */
	uint8_t *bufmem;
	int buf_free[BODY_BUFS];
	int nb_free;
	struct conn *waitq_head, *waitq_tail; /* C_WAIT_BUF, by wnext */
	uint32_t unused;         /* conns[unused..] were never used */
	unsigned int paced;
	struct stats st;
	char date[32];
	time_t date_at;
	char log[65536];
	size_t log_len;
};

struct rb_httpd {
	struct rb_httpd_conf conf;
	pthread_mutex_t lock;    /* the served content, against swaps */
	unsigned int per_thread; /* connections a thread's table holds */
	struct rb_filecache *files;
	const struct rb_filecache *templates;
	int root_fd, old_root_fd;
	unsigned int conns;      /* open, all threads (atomic) */
	uint64_t rate;           /* atomic */
	int stop;                /* atomic */
	struct hthread *t;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
count(uint64_t *c, uint64_t n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

/* ---- submission ---- */

static struct io_uring_sqe *
get_sqe(struct hthread *t)
{
	struct io_uring_sqe *s = io_uring_get_sqe(&t->ring);

	if (s == NULL) {
		io_uring_submit(&t->ring);
		s = io_uring_get_sqe(&t->ring);
	}
	return s; /* never NULL: the ring was just emptied */
}

static void
tag(struct io_uring_sqe *s, struct conn *c, enum op op)
{
	io_uring_sqe_set_data64(s, (uint64_t)c->idx << 8 | op);
	c->inflight++;
}

static void
arm_accept(struct hthread *t, int fd, uint32_t who)
{
	struct io_uring_sqe *s = get_sqe(t);

	io_uring_prep_multishot_accept(s, fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(s, (uint64_t)who << 8 | OP_ACCEPT);
}

/* ---- connections ---- */

static void
list_del(struct conn *c)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
}

/** Give back what a response holds: cache, file, buffer, heap. */
static void buf_put(struct hthread *t, struct conn *c);

static void
response_release(struct conn *c)
{
	if (c->held) {
		rb_filecache_release(c->held);
		c->held = NULL;
	}
	if (c->file_fd >= 0) {
		close(c->file_fd);
		c->file_fd = -1;
	}
	if (c->buf >= 0)
		buf_put(c->t, c);
	free(c->heap);
	c->heap = NULL;
	c->mem = NULL;
}

static void
conn_free(struct conn *c)
{
	struct hthread *t = c->t;

	response_release(c);
	if (c->pipe_r >= 0) {
		close(c->pipe_r);
		close(c->pipe_w);
		c->pipe_r = c->pipe_w = -1;
	}
	close(c->fd);
	list_del(c);
	c->state = C_FREE;
	c->next = t->free;
	t->free = c;
	__atomic_sub_fetch(&t->h->conns, 1, __ATOMIC_RELAXED);
}

/**
 * Close @p c: at once when the kernel has nothing of it, else once its
 * operations end (shutdown makes them end now).
 */
static void
conn_close(struct conn *c)
{
	struct hthread *t = c->t;

	if (c->state == C_WAIT_BUF) {
		struct conn **p = &t->waitq_head, *prev = NULL;

		while (*p && *p != c) {
			prev = *p;
			p = &(*p)->wnext;
		}
		if (*p) {
			*p = c->wnext;
			if (t->waitq_tail == c)
				t->waitq_tail = prev;
		}
	}
	if (c->state == C_PACED)
		t->paced--;
	c->state = C_CLOSING;
	c->deadline = 0;
	if (c->inflight == 0) {
		conn_free(c);
		return;
	}
	shutdown(c->fd, SHUT_RDWR);
}

static void
accepted(struct hthread *t, int fd, int admin)
{
	struct rb_httpd *h = t->h;
	struct conn *c = t->free;
	socklen_t sl = sizeof(c->peer);
	int one = 1;

	count(&t->st.accepted, 1);
	if (c == NULL && t->unused < h->per_thread)
		c = &t->conns[t->unused];
	if (c == NULL || __atomic_add_fetch(&h->conns, 1, __ATOMIC_RELAXED) >
				 h->conf.max_conns) {
		static const char busy[] =
			"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
			"Content-Length: 28\r\nRetry-After: 1\r\n\r\n"
			"connection limit reached\r\n\r\n";

		if (c)
			__atomic_sub_fetch(&h->conns, 1, __ATOMIC_RELAXED);
		count(&t->st.rejected_limit, 1);
		count(&t->st.requests[12], 1); /* 503 */
		if (send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			count(&t->st.resets, 1);
		close(fd);
		return;
	}
	if (c == &t->conns[t->unused]) {
		c->t = t;
		c->idx = t->unused++;
	} else {
		t->free = c->next;
	}
	c->fd = fd;
	c->pipe_r = c->pipe_w = -1;
	c->admin = (uint8_t)admin;
	c->inflight = 0;
	c->in_len = c->consumed = 0;
	c->t_req = 0;
	c->file_fd = c->buf = -1;
	c->heap = NULL;
	c->held = NULL;
	c->zc_wait = 0;
	if (getpeername(fd, (struct sockaddr *)&c->peer, &sl) < 0)
		memset(&c->peer, 0, sizeof(c->peer));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->next = t->active.next;
	c->prev = &t->active;
	t->active.next->prev = c;
	t->active.next = c;
	c->state = C_REQUEST;
	c->deadline = now_ns() + (uint64_t)h->conf.header_timeout_ms * 1000000;
	{
		struct io_uring_sqe *s = get_sqe(t);

		io_uring_prep_recv(s, fd, c->in, sizeof(c->in), 0);
		tag(s, c, OP_RECV);
	}
}

/* ---- the access log ---- */

static void
log_flush(struct hthread *t)
{
	size_t off = 0;

	while (off < t->log_len) {
		ssize_t n = write(t->h->conf.access_log_fd, t->log + off,
				  t->log_len - off);

		if (n <= 0)
			break; /* a full disk loses log lines, not service */
		off += (size_t)n;
	}
	t->log_len = 0;
}

/** @p s with '"' and '\\' escaped, as JSON and the text form need. */
static void
escaped(char *dst, size_t cap, const char *s)
{
	size_t o = 0;

	for (; *s && o + 3 < cap; s++) {
		if (*s == '"' || *s == '\\')
			dst[o++] = '\\';
		dst[o++] = *s;
	}
	dst[o] = '\0';
}

static void
access_log(struct conn *c)
{
	struct hthread *t = c->t;
	char ip[INET_ADDRSTRLEN], ts[32], path[2 * RB_HTTP_PATH_MAX];
	struct timespec now;
	struct tm tm;
	double secs = (double)(now_ns() - c->t_req) / 1e9;
	int n;

	if (t->h->conf.access_log_fd < 0)
		return;
	if (t->log_len > sizeof(t->log) - 1024)
		log_flush(t);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	inet_ntop(AF_INET, &c->peer.sin_addr, ip, sizeof(ip));
	escaped(path, sizeof(path), c->req.path);
	if (t->h->conf.log_json)
		n = snprintf(t->log + t->log_len, sizeof(t->log) - t->log_len,
			     "{\"ts\":\"%s.%03ldZ\",\"event\":\"http\",\"client\":"
			     "\"%s:%u\",\"method\":\"%s\",\"path\":\"/%s\","
			     "\"status\":%d,\"bytes\":%" PRIu64
			     ",\"seconds\":%.6f}\n",
			     ts, now.tv_nsec / 1000000, ip, ntohs(c->peer.sin_port),
			     c->req.method_name, path, c->status, c->body_bytes, secs);
	else
		n = snprintf(t->log + t->log_len, sizeof(t->log) - t->log_len,
			     "%s.%03ldZ http %s:%u \"%s /%s\" %d %" PRIu64
			     " %.6f\n",
			     ts, now.tv_nsec / 1000000, ip, ntohs(c->peer.sin_port),
			     c->req.method_name, path, c->status, c->body_bytes, secs);
	if (n > 0 && (size_t)n < sizeof(t->log) - t->log_len)
		t->log_len += (size_t)n;
}

/* ---- responses ---- */

static void
count_status(struct hthread *t, int status)
{
	unsigned int i;

	for (i = 0; i < NSTATUS; i++)
		if (counted_status[i] == status)
			count(&t->st.requests[i], 1);
}

static const char *
date_now(struct hthread *t)
{
	time_t now = time(NULL);

	if (now != t->date_at) {
		rb_http_date(now, t->date);
		t->date_at = now;
	}
	return t->date;
}

/** Start the response head in c->out: status line and common fields. */
static void
head_begin(struct conn *c, int status)
{
	c->status = status;
	c->out_len = (uint32_t)snprintf(c->out, sizeof(c->out),
					"HTTP/1.1 %d %s\r\nServer: rackboot/0.1.0"
					"\r\nDate: %s\r\n",
					status, rb_http_reason(status),
					date_now(c->t));
}

static void
head_add(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
head_add(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->out + c->out_len, sizeof(c->out) - c->out_len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(c->out) - c->out_len)
		c->out_len += (uint32_t)n;
}

static void
head_end(struct conn *c)
{
	if (!c->keep_alive)
		head_add(c, "Connection: close\r\n");
	head_add(c, "\r\n");
}

static void send_out(struct conn *c);

/**
 * A short text response for @p status; @p why is its body.  Framing
 * errors close the connection: what follows cannot be trusted.
 */
static void
respond_error(struct conn *c, int status, const char *why)
{
	size_t n = strlen(why);

	if (status == 400 || status == 408 || status == 414 || status == 431 ||
	    status == 505 || status == 500)
		c->keep_alive = 0;
	head_begin(c, status);
	head_add(c, "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Length: %zu\r\n",
		 c->head_only ? 0 : n + 1);
	if (status == 405)
		head_add(c, "Allow: GET, HEAD\r\n");
	head_end(c);
	if (!c->head_only && c->out_len + n + 1 < sizeof(c->out)) {
		memcpy(c->out + c->out_len, why, n);
		c->out[c->out_len + n] = '\n';
		c->out_len += (uint32_t)n + 1;
		c->body_bytes = n + 1;
	}
	c->mem = NULL;
	c->left = 0;
	send_out(c);
}

/** Validators of a file: its entity tag and modification time. */
struct validators {
	char etag[64];
	time_t mtime;
};

static void
validators_of(struct validators *v, uint64_t ino, uint64_t size,
	      const struct timespec *mtime)
{
	snprintf(v->etag, sizeof(v->etag), "\"%" PRIx64 "-%" PRIx64 "-%" PRIx64 "\"",
		 ino, size,
		 (uint64_t)((uint64_t)mtime->tv_sec * 1000000000U +
			    (uint64_t)mtime->tv_nsec));
	v->mtime = mtime->tv_sec;
}

/**
 * Frame a file's response: conditionals, range, head.  Sets the body's
 * offset and length in c->off and c->left (0 when none is sent).
 */
static void
respond_file_head(struct conn *c, const struct rb_http_req *r,
		  uint64_t size, const struct validators *v)
{
	char lm[32];
	uint64_t off, len;
	int status;
	struct rb_http_range range = r->range;

	rb_http_date(v->mtime, lm);
	if (r->if_none_match[0] ? rb_http_etag_match(r->if_none_match, v->etag)
				: r->if_modified_since &&
					  v->mtime <= r->if_modified_since) {
		head_begin(c, 304);
		head_add(c, "ETag: %s\r\nLast-Modified: %s\r\n", v->etag, lm);
		head_end(c);
		c->left = 0;
		return;
	}
	/* If-Range: the range only if the client's copy is still this one */
	if (range.set && r->if_range[0] &&
	    (r->if_range[0] == '"' ? strcmp(r->if_range, v->etag) != 0
				   : rb_http_parse_date(r->if_range) != v->mtime))
		range.set = 0;
	status = rb_http_range_resolve(&range, size, &off, &len);
	head_begin(c, status);
	if (status == 416) {
		head_add(c, "Content-Range: bytes */%" PRIu64
			    "\r\nContent-Length: 0\r\n", size);
		head_end(c);
		c->left = 0;
		return;
	}
	head_add(c, "Content-Type: %s\r\nContent-Length: %" PRIu64
		    "\r\nLast-Modified: %s\r\nETag: %s\r\nAccept-Ranges: bytes\r\n",
		 rb_http_content_type(c->req.path), len, lm, v->etag);
	if (status == 206)
		head_add(c, "Content-Range: bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64
			    "\r\n", off, off + len - 1, size);
	head_end(c);
	c->off = off;
	c->left = c->head_only ? 0 : len;
}

/** The machine asking: ?mac= / ?uuid=, else its DHCP lease. */
static void
machine_of(struct conn *c, const struct rb_http_req *r, struct rb_machine *m)
{
	char v[64];

	memset(m, 0, sizeof(*m));
	m->ip = c->peer.sin_addr.s_addr;
	if (rb_http_query_get(r->query, "mac", v, sizeof(v)) > 0 &&
	    rb_bootcfg_parse_mac(v, m->mac) == 0)
		m->have_mac = 1;
	if (rb_http_query_get(r->query, "uuid", v, sizeof(v)) > 0 &&
	    rb_bootcfg_is_uuid(v))
		memcpy(m->uuid, v, RB_UUID_LEN + 1);
	if (!m->have_mac && c->t->h->conf.dhcpd &&
	    rb_dhcpd_mac_of(c->t->h->conf.dhcpd, m->ip, m->mac) == 0)
		m->have_mac = 1;
}

static void metrics_response(struct conn *c);

/** Answer the request in c->req. */
static void
handle(struct conn *c)
{
	const struct rb_http_req *r = &c->req;
	struct hthread *t = c->t;
	struct rb_httpd *h = t->h;
	const struct rb_filecache *templates;
	const struct rb_file *f;
	int root_fd;

	c->head_only = r->method == RB_HTTP_HEAD;
	c->keep_alive = r->keep_alive;
	if (c->admin) {
		if (strcmp(c->req.path, "metrics") == 0) {
			metrics_response(c);
			return;
		}
		count(&t->st.not_found, 1);
		respond_error(c, 404, "not found: the admin listener serves "
				      "/metrics");
		return;
	}
	pthread_mutex_lock(&h->lock);
	c->held = h->files;
	templates = h->templates;
	root_fd = h->root_fd;
	if (c->held)
		rb_filecache_hold(c->held);
	pthread_mutex_unlock(&h->lock);

	f = c->held ? rb_filecache_get(c->held, c->req.path) : NULL;
	if (f) {
		struct validators v;

		count(&t->st.cached, 1);
		validators_of(&v, f->ino, f->size, &f->mtime);
		respond_file_head(c, r, f->size, &v);
		c->mem = f->data + c->off;
		c->mem_len = c->left;
		c->left = 0;
		send_out(c);
		return;
	}
	if (templates) {
		struct rb_machine m;
		const struct rb_file *tmpl;

		machine_of(c, r, &m);
		tmpl = rb_bootcfg_template(templates, c->req.path, &m);
		if (tmpl) {
			/* the body after a head of at most 1 KiB */
			char *body = c->out + 1024;
			long n = rb_bootcfg_render(tmpl, &m, h->conf.server_ip,
						   h->conf.http_url, body,
						   sizeof(c->out) - 1024);

			if (n < 0) {
				respond_error(c, 500, "rendered config too large");
				return;
			}
			count(&t->st.rendered, 1);
			head_begin(c, 200);
			head_add(c, "Content-Type: %s\r\nContent-Length: %ld\r\n"
				    "Cache-Control: no-store\r\n",
				 rb_http_content_type(c->req.path), c->head_only ? 0 : n);
			head_end(c);
			c->mem = (const uint8_t *)body;
			c->mem_len = c->head_only ? 0 : (uint64_t)n;
			send_out(c);
			return;
		}
	}
	if (c->req.path[0] == '\0') {
		count(&t->st.not_found, 1);
		respond_error(c, 404, "not found: no file is served at /");
		return;
	}
	/* beyond the cache: the disk, never past the root (symlinks
	 * included: the kernel refuses what resolves outside it) */
	{
		static struct open_how how = {
			.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
		};
		struct io_uring_sqe *s = get_sqe(t);

		io_uring_prep_openat2(s, root_fd, c->req.path, &how);
		tag(s, c, OP_OPEN);
		c->state = C_OPEN;
		c->deadline = now_ns() +
			      (uint64_t)h->conf.send_timeout_ms * 1000000;
	}
}

static void
opened(struct conn *c, int res)
{
	struct hthread *t = c->t;
	struct validators v;
	struct stat st;

	if (res < 0) {
		if (res == -ENOENT || res == -ENOTDIR) {
			count(&t->st.not_found, 1);
			respond_error(c, 404, "not found");
		} else if (res == -EXDEV || res == -ELOOP) {
			count(&t->st.outside_root, 1);
			respond_error(c, 403, "forbidden: the path leaves the root");
		} else if (res == -EACCES || res == -EPERM) {
			respond_error(c, 403, "forbidden: not readable");
		} else {
			respond_error(c, 500, strerror(-res));
		}
		return;
	}
	c->file_fd = res;
	if (fstat(res, &st) < 0 || !S_ISREG(st.st_mode)) {
		count(&t->st.not_found, 1);
		respond_error(c, 404, "not found: not a file");
		return;
	}
	count(&t->st.disk, 1);
	validators_of(&v, (uint64_t)st.st_ino, (uint64_t)st.st_size, &st.st_mtim);
	respond_file_head(c, &c->req, (uint64_t)st.st_size, &v);
	send_out(c);
}

/* ---- sending ---- */

/**
 * How many of @p want bytes the rate cap lets go now; 0 parks @p c until
 * it may send again.
 */
static uint64_t
pace(struct conn *c, uint64_t want)
{
	uint64_t rate = __atomic_load_n(&c->t->h->rate, __ATOMIC_RELAXED);
	uint64_t burst, now, allowed;

	if (rate == 0)
		return want;
	burst = rate / 10 < 1460 ? 1460 : rate / 10;
	if (burst > BODY_BUF)
		burst = BODY_BUF;
	now = now_ns();
	allowed = (uint64_t)((double)rate * (double)(now - c->pace_t0) / 1e9) +
		  burst;
	if (allowed > c->pace_sent) {
		allowed -= c->pace_sent;
		return want < allowed ? want : allowed;
	}
	/* back when a burst's worth is allowed again */
	c->wake = c->pace_t0 +
		  (uint64_t)((double)(c->pace_sent + 1460 - burst) * 1e9 /
			     (double)rate);
	c->state = C_PACED;
	c->deadline = 0;
	c->t->paced++;
	return 0;
}

static void body_next(struct conn *c);
static void finish(struct conn *c);

/** Send what is left of the head and a body in memory, then the rest. */
static void
send_more(struct conn *c)
{
	struct hthread *t = c->t;
	struct io_uring_sqe *s;
	struct iovec iov[2];
	struct msghdr msg;
	unsigned int n = 0;

	if (c->out_off == c->out_len && c->mem_off == c->mem_len) {
		if (c->left)
			body_next(c);
		else
			finish(c);
		return;
	}
	if (c->out_off < c->out_len)
		iov[n++] = (struct iovec){c->out + c->out_off,
					  c->out_len - c->out_off};
	if (c->mem_off < c->mem_len) {
		uint64_t want = c->mem_len - c->mem_off, ok = pace(c, want);

		if (ok == 0 && n == 0)
			return; /* parked */
		if (ok == 0 && c->state == C_PACED) {
			/* the head goes now; the body when allowed */
			c->state = C_SEND;
			c->t->paced--;
		}
		if (ok)
			iov[n++] = (struct iovec){(void *)(c->mem + c->mem_off),
						  ok};
	}
	/* the msghdr is copied at submission: the stack is enough
	 * (IORING_FEAT_SUBMIT_STABLE) */
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = n;
	c->state = C_SEND;
	s = get_sqe(t);
	io_uring_prep_sendmsg(s, c->fd, &msg, MSG_NOSIGNAL);
	tag(s, c, OP_SEND);
	io_uring_submit(&t->ring);
	c->deadline = now_ns() + (uint64_t)t->h->conf.send_timeout_ms * 1000000;
}

/** Start sending the response framed in c->out (and c->mem, c->left). */
static void
send_out(struct conn *c)
{
	c->out_off = 0;
	c->mem_off = 0;
	if (c->mem == NULL)
		c->mem_len = 0;
	c->body_bytes = c->mem_len + c->left;
	c->pace_t0 = now_ns();
	c->pace_sent = 0;
	send_more(c);
}

static void
sent(struct conn *c, int res)
{
	uint64_t n = (uint64_t)res, head;

	if (res < 0) {
		count(&c->t->st.resets, 1);
		conn_close(c);
		return;
	}
	count(&c->t->st.bytes, n);
	head = c->out_len - c->out_off;
	if (n <= head) {
		c->out_off += (uint32_t)n;
	} else {
		c->out_off = c->out_len;
		c->mem_off += n - head;
		c->pace_sent += n - head;
	}
	send_more(c);
}

static void
buf_put(struct hthread *t, struct conn *c)
{
	struct conn *w = t->waitq_head;

	t->buf_free[t->nb_free++] = c->buf;
	c->buf = -1;
	if (w == NULL)
		return;
	t->waitq_head = w->wnext;
	if (t->waitq_head == NULL)
		t->waitq_tail = NULL;
	w->state = C_BODY;
	body_next(w);
}

static int
pipe_open(struct conn *c)
{
	int p[2];

	if (c->pipe_r >= 0)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	/* as large as allowed: fewer round trips per file */
	fcntl(p[1], F_SETPIPE_SZ, PIPE_SIZE);
	c->pipe_r = p[0];
	c->pipe_w = p[1];
	return 0;
}

/** The next piece of a file body. */
static void
body_next(struct conn *c)
{
	struct hthread *t = c->t;
	enum rb_http_send mode = t->h->conf.send_mode;
	struct io_uring_sqe *s;
	uint64_t n;

	c->state = C_BODY;
	c->deadline = now_ns() + (uint64_t)t->h->conf.send_timeout_ms * 1000000;
	if (mode == RB_HTTP_SEND_SPLICE) {
		if (pipe_open(c) < 0) {
			count(&t->st.resets, 1);
			conn_close(c);
			return;
		}
		n = pace(c, c->left < PIPE_SIZE ? c->left : PIPE_SIZE);
		if (n == 0)
			return;
		s = get_sqe(t);
		io_uring_prep_splice(s, c->file_fd, (int64_t)c->off, c->pipe_w,
				     -1, (unsigned int)n, 0);
		tag(s, c, OP_SPLICE_IN);
		return;
	}
	if (c->buf < 0) {
		if (t->nb_free == 0) {
			c->state = C_WAIT_BUF;
			c->deadline = 0;
			c->wnext = NULL;
			if (t->waitq_tail)
				t->waitq_tail->wnext = c;
			else
				t->waitq_head = c;
			t->waitq_tail = c;
			return;
		}
		c->buf = t->buf_free[--t->nb_free];
	}
	n = pace(c, c->left < BODY_BUF ? c->left : BODY_BUF);
	if (n == 0) {
		buf_put(t, c); /* nobody waits on a paced connection's buffer */
		return;
	}
	s = get_sqe(t);
	io_uring_prep_read_fixed(s, c->file_fd,
				 t->bufmem + (size_t)c->buf * BODY_BUF,
				 (unsigned int)n, c->off, c->buf);
	tag(s, c, OP_READ);
}

/** Send bytes @p c->buf_off.. of the body buffer. */
static void
buf_send(struct conn *c)
{
	struct hthread *t = c->t;
	struct io_uring_sqe *s = get_sqe(t);
	uint8_t *p = t->bufmem + (size_t)c->buf * BODY_BUF + c->buf_off;
	size_t n = c->buf_len - c->buf_off;

	if (t->h->conf.send_mode == RB_HTTP_SEND_ZC)
		io_uring_prep_send_zc_fixed(s, c->fd, p, n, MSG_NOSIGNAL, 0,
					    (unsigned int)c->buf);
	else
		io_uring_prep_send(s, c->fd, p, n, MSG_NOSIGNAL);
	tag(s, c, OP_BODY);
}

static void
file_read(struct conn *c, int res)
{
	if (res <= 0) {
		/* the file shrank under us: the length sent cannot be kept */
		count(&c->t->st.resets, 1);
		conn_close(c);
		return;
	}
	c->buf_len = (uint32_t)res;
	c->buf_off = 0;
	c->off += (uint64_t)res;
	c->left -= (uint64_t)res;
	buf_send(c);
}

static void
spliced_in(struct conn *c, int res)
{
	struct io_uring_sqe *s;

	if (res <= 0) {
		count(&c->t->st.resets, 1);
		conn_close(c);
		return;
	}
	c->in_pipe = (uint32_t)res;
	c->off += (uint64_t)res;
	c->left -= (uint64_t)res;
	s = get_sqe(c->t);
	io_uring_prep_splice(s, c->pipe_r, -1, c->fd, -1, c->in_pipe, 0);
	tag(s, c, OP_BODY);
}

/** A body piece went (or a zero-copy send's buffer is free again). */
static void
body_sent(struct conn *c, int res, unsigned int flags)
{
	struct hthread *t = c->t;

	if (flags & IORING_CQE_F_NOTIF) {
		c->zc_wait = 0;
		if (c->after_zc) {
			c->after_zc = 0;
			buf_put(t, c);
			send_more(c);
		}
		return;
	}
	if (flags & IORING_CQE_F_MORE)
		c->zc_wait = 1;
	if (res <= 0) {
		count(&t->st.resets, 1);
		conn_close(c);
		return;
	}
	count(&t->st.bytes, (uint64_t)res);
	c->pace_sent += (uint64_t)res;
	c->deadline = now_ns() + (uint64_t)t->h->conf.send_timeout_ms * 1000000;
	if (t->h->conf.send_mode == RB_HTTP_SEND_SPLICE) {
		struct io_uring_sqe *s;

		c->in_pipe -= (uint32_t)res;
		if (c->in_pipe == 0) {
			send_more(c);
			return;
		}
		s = get_sqe(t);
		io_uring_prep_splice(s, c->pipe_r, -1, c->fd, -1, c->in_pipe, 0);
		tag(s, c, OP_BODY);
		return;
	}
	c->buf_off += (uint32_t)res;
	if (c->buf_off < c->buf_len) {
		buf_send(c);
		return;
	}
	if (c->zc_wait) {
		c->after_zc = 1; /* the kernel still reads the buffer */
		return;
	}
	buf_put(t, c);
	send_more(c);
}

/* ---- requests ---- */

static void try_request(struct conn *c);

static void
recv_more(struct conn *c)
{
	struct io_uring_sqe *s = get_sqe(c->t);

	io_uring_prep_recv(s, c->fd, c->in + c->in_len,
			   sizeof(c->in) - c->in_len, 0);
	tag(s, c, OP_RECV);
}

/** The response is out: log it, then the next request or close. */
static void
finish(struct conn *c)
{
	struct hthread *t = c->t;
	uint64_t now = now_ns();

	count_status(t, c->status);
	access_log(c);
	response_release(c);
	if (!c->keep_alive) {
		conn_close(c);
		return;
	}
	memmove(c->in, c->in + c->consumed, c->in_len - c->consumed);
	c->in_len -= c->consumed;
	c->consumed = 0;
	c->state = C_REQUEST;
	if (c->in_len) {
		c->t_req = now;
		c->deadline = now + (uint64_t)t->h->conf.header_timeout_ms * 1000000;
		try_request(c);
		return;
	}
	c->t_req = 0;
	c->deadline = now + (uint64_t)t->h->conf.idle_timeout_ms * 1000000;
	recv_more(c);
}

static void
try_request(struct conn *c)
{
	long n = rb_http_parse(c->in, c->in_len, &c->req);

	if (n == 0) {
		recv_more(c);
		return;
	}
	if (n < 0) {
		count(&c->t->st.parse_errors[c->req.error], 1);
		c->head_only = c->req.method == RB_HTTP_HEAD;
		c->keep_alive = 0; /* where the next request starts is unsure */
		c->consumed = c->in_len;
		respond_error(c, rb_http_error_status(c->req.error),
			      rb_http_error_name(c->req.error));
		return;
	}
	c->consumed = (uint32_t)n;
	handle(c);
}

static void
received(struct conn *c, int res)
{
	uint64_t now;

	if (res <= 0) {
		if (res < 0)
			count(&c->t->st.resets, 1);
		conn_close(c);
		return;
	}
	c->in_len += (uint32_t)res;
	if (c->t_req == 0) {
		now = now_ns();
		c->t_req = now;
		c->deadline = now + (uint64_t)c->t->h->conf.header_timeout_ms *
					    1000000;
	}
	try_request(c);
}

/* ---- metrics ---- */

static const char *const parse_error_label[RB_HTTP_E_MAX] = {
	[RB_HTTP_E_NONE] = "none",         [RB_HTTP_E_SYNTAX] = "syntax",
	[RB_HTTP_E_NO_HOST] = "no_host",   [RB_HTTP_E_BODY] = "body",
	[RB_HTTP_E_BAD_PATH] = "bad_path", [RB_HTTP_E_TRAVERSAL] = "traversal",
	[RB_HTTP_E_METHOD] = "method",     [RB_HTTP_E_URI_LONG] = "uri_too_long",
	[RB_HTTP_E_HEAD_LARGE] = "header_too_large",
	[RB_HTTP_E_VERSION] = "version",
};

#define SUM(field)                                                           \
	({                                                                   \
		uint64_t s_ = 0;                                             \
		for (unsigned int i_ = 0; i_ < h->conf.threads; i_++)        \
			s_ += __atomic_load_n(&h->t[i_].st.field,            \
					      __ATOMIC_RELAXED);             \
		s_;                                                          \
	})

void
rb_httpd_metrics(struct rb_httpd *h, FILE *o)
{
	static const char *const to[TO_MAX] = {"header", "idle", "send"};
	unsigned int i;

	fprintf(o, "# HELP rackboot_http_requests_total HTTP responses by "
		   "status code.\n# TYPE rackboot_http_requests_total counter\n");
	for (i = 0; i < NSTATUS; i++)
		fprintf(o, "rackboot_http_requests_total{code=\"%d\"} %" PRIu64 "\n",
			counted_status[i], SUM(requests[i]));
	fprintf(o, "# HELP rackboot_http_sent_bytes_total Bytes sent, heads "
		   "included.\n# TYPE rackboot_http_sent_bytes_total counter\n"
		   "rackboot_http_sent_bytes_total %" PRIu64 "\n", SUM(bytes));
	fprintf(o, "# HELP rackboot_http_responses_total Files served, by where "
		   "they came from.\n# TYPE rackboot_http_responses_total counter\n"
		   "rackboot_http_responses_total{source=\"cache\"} %" PRIu64 "\n"
		   "rackboot_http_responses_total{source=\"disk\"} %" PRIu64 "\n"
		   "rackboot_http_responses_total{source=\"rendered\"} %" PRIu64 "\n",
		SUM(cached), SUM(disk), SUM(rendered));
	fprintf(o, "# HELP rackboot_http_connections_active Open connections.\n"
		   "# TYPE rackboot_http_connections_active gauge\n"
		   "rackboot_http_connections_active %u\n"
		   "# HELP rackboot_http_connections_max The connection limit.\n"
		   "# TYPE rackboot_http_connections_max gauge\n"
		   "rackboot_http_connections_max %u\n"
		   "# HELP rackboot_http_connections_total Connections accepted.\n"
		   "# TYPE rackboot_http_connections_total counter\n"
		   "rackboot_http_connections_total %" PRIu64 "\n"
		   "# HELP rackboot_http_connections_rejected_total Connections "
		   "refused at the limit.\n"
		   "# TYPE rackboot_http_connections_rejected_total counter\n"
		   "rackboot_http_connections_rejected_total{reason=\"limit\"} %"
		   PRIu64 "\n",
		__atomic_load_n(&h->conns, __ATOMIC_RELAXED), h->conf.max_conns,
		SUM(accepted), SUM(rejected_limit));
	fprintf(o, "# HELP rackboot_http_timeouts_total Connections cut off.\n"
		   "# TYPE rackboot_http_timeouts_total counter\n");
	for (i = 0; i < TO_MAX; i++)
		fprintf(o, "rackboot_http_timeouts_total{kind=\"%s\"} %" PRIu64 "\n",
			to[i], SUM(timeouts[i]));
	fprintf(o, "# HELP rackboot_http_errors_total Requests refused or failed, "
		   "by reason.\n# TYPE rackboot_http_errors_total counter\n");
	for (i = 1; i < RB_HTTP_E_MAX; i++)
		fprintf(o, "rackboot_http_errors_total{reason=\"%s\"} %" PRIu64 "\n",
			parse_error_label[i], SUM(parse_errors[i]));
	fprintf(o, "rackboot_http_errors_total{reason=\"not_found\"} %" PRIu64 "\n"
		   "rackboot_http_errors_total{reason=\"outside_root\"} %" PRIu64 "\n"
		   "rackboot_http_errors_total{reason=\"reset\"} %" PRIu64 "\n",
		SUM(not_found), SUM(outside_root), SUM(resets));
}

static void
metrics_response(struct conn *c)
{
	struct rb_httpd *h = c->t->h;
	size_t len = 0;
	FILE *o = open_memstream(&c->heap, &len);

	if (o == NULL) {
		respond_error(c, 500, "out of memory");
		return;
	}
	rb_httpd_metrics(h, o);
	if (h->conf.metrics)
		h->conf.metrics(h->conf.metrics_ctx, o);
	fclose(o);
	head_begin(c, 200);
	head_add(c, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		    "Content-Length: %zu\r\nCache-Control: no-store\r\n",
		 c->head_only ? 0 : len);
	head_end(c);
	c->mem = (const uint8_t *)c->heap;
	c->mem_len = c->head_only ? 0 : len;
	send_out(c);
}

/* ---- the loop ---- */

static void
dispatch(struct hthread *t, struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	uint32_t idx = (uint32_t)(data >> 8);
	enum op op = (enum op)(data & 0xff);
	struct conn *c;

	if (op == OP_ACCEPT) {
		if (cqe->res >= 0)
			accepted(t, cqe->res, idx == ADMIN_LISTENER);
		if (!(cqe->flags & IORING_CQE_F_MORE) &&
		    !__atomic_load_n(&t->h->stop, __ATOMIC_RELAXED))
			arm_accept(t, idx == ADMIN_LISTENER ? t->afd : t->lfd, idx);
		return;
	}
	c = &t->conns[idx];
	if (!(cqe->flags & IORING_CQE_F_MORE))
		c->inflight--;
	if (c->state == C_CLOSING) {
		if (op == OP_OPEN && cqe->res >= 0)
			close(cqe->res);
		if (c->inflight == 0)
			conn_free(c);
		return;
	}
	switch (op) {
	case OP_RECV:
		received(c, cqe->res);
		break;
	case OP_SEND:
		sent(c, cqe->res);
		break;
	case OP_OPEN:
		opened(c, cqe->res);
		break;
	case OP_READ:
		file_read(c, cqe->res);
		break;
	case OP_SPLICE_IN:
		spliced_in(c, cqe->res);
		break;
	case OP_BODY:
		body_sent(c, cqe->res, cqe->flags);
		break;
	default:
		break;
	}
}

/** Cut off the connections past their deadline. */
static void
timeouts(struct hthread *t, uint64_t now)
{
	struct conn *c = t->active.next, *next;

	for (; c != &t->active; c = next) {
		next = c->next;
		if (c->deadline == 0 || c->deadline > now || c->state == C_CLOSING)
			continue;
		count(&t->st.timeouts[c->state != C_REQUEST ? TO_SEND
				      : c->in_len      ? TO_HEADER
						       : TO_IDLE], 1);
		conn_close(c);
	}
}

/** Resume the paced connections whose time has come. */
static void
unpace(struct hthread *t, uint64_t now)
{
	struct conn *c = t->active.next, *next;

	for (; c != &t->active && t->paced; c = next) {
		next = c->next;
		if (c->state != C_PACED || c->wake > now)
			continue;
		t->paced--;
		c->state = C_SEND;
		send_more(c);
	}
}

static void *
thread_main(void *arg)
{
	struct hthread *t = arg;
	struct rb_httpd *h = t->h;
	uint64_t next_tick = now_ns() + TICK_NS;

	arm_accept(t, t->lfd, LISTENER);
	if (t->afd >= 0)
		arm_accept(t, t->afd, ADMIN_LISTENER);
	while (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED)) {
		struct __kernel_timespec ts = {
			0, (long long)(t->paced ? PACE_TICK_NS : TICK_NS)};
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;
		uint64_t now;

		io_uring_submit_and_wait_timeout(&t->ring, &cqe, 1, &ts, NULL);
		io_uring_for_each_cqe(&t->ring, head, cqe) {
			dispatch(t, cqe);
			n++;
		}
		io_uring_cq_advance(&t->ring, n);
		now = now_ns();
		if (t->paced)
			unpace(t, now);
		if (now >= next_tick) {
			timeouts(t, now);
			if (t->log_len)
				log_flush(t);
			next_tick = now + TICK_NS;
		}
	}
	if (t->log_len)
		log_flush(t);
	return NULL;
}

/* ---- setup ---- */

static int
listen_on(uint32_t ip, uint16_t port, int reuseport, char *err, size_t errlen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = ip};
	char a[INET_ADDRSTRLEN];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (reuseport)
			setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    listen(fd, 4096) == 0)
			return fd;
	}
	snprintf(err, errlen, "listen %s:%u: %s",
		 inet_ntop(AF_INET, &ip, a, sizeof(a)), port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int
thread_init(struct rb_httpd *h, struct hthread *t, unsigned int id, char *err,
	    size_t errlen)
{
	struct io_uring_params p;
	struct iovec iov[BODY_BUFS];
	unsigned int i;
	int rc;

	t->h = h;
	t->id = id;
	t->lfd = t->afd = -1;
	t->active.next = t->active.prev = &t->active;
	t->lfd = listen_on(h->conf.listen_ip, h->conf.listen_port,
			   h->conf.threads > 1, err, errlen);
	if (t->lfd < 0)
		return -1;
	if (id == 0 && h->conf.admin_port) {
		t->afd = listen_on(h->conf.admin_ip, h->conf.admin_port, 0, err,
				   errlen);
		if (t->afd < 0)
			return -1;
	}
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN;
	p.cq_entries = RING_ENTRIES * 4;
	rc = io_uring_queue_init_params(RING_ENTRIES, &t->ring, &p);
	if (rc == -EINVAL) {
		p.flags = IORING_SETUP_CQSIZE;
		rc = io_uring_queue_init_params(RING_ENTRIES, &t->ring, &p);
	}
	if (rc < 0) {
		snprintf(err, errlen, "io_uring: %s", strerror(-rc));
		return -1;
	}
	t->ring_ok = 1;
	/* lazily touched: only what connections use becomes resident */
	t->conns = calloc(h->per_thread, sizeof(*t->conns));
	t->bufmem = aligned_alloc(4096, (size_t)BODY_BUF * BODY_BUFS);
	if (t->conns == NULL || t->bufmem == NULL) {
		snprintf(err, errlen, "out of memory for %u connections",
			 h->per_thread);
		return -1;
	}
	for (i = 0; i < BODY_BUFS; i++) {
		iov[i] = (struct iovec){t->bufmem + (size_t)i * BODY_BUF, BODY_BUF};
		t->buf_free[i] = (int)(BODY_BUFS - 1 - i);
	}
	t->nb_free = BODY_BUFS;
	rc = io_uring_register_buffers(&t->ring, iov, BODY_BUFS);
	if (rc < 0) {
		snprintf(err, errlen, "io_uring buffers: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

static int
open_root(const char *root, char *err, size_t errlen)
{
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		snprintf(err, errlen, "root %s: %s", root, strerror(errno));
	return fd;
}

int
rb_httpd_create(const struct rb_httpd_conf *c, const char *root,
		struct rb_filecache *files,
		const struct rb_filecache *templates, struct rb_httpd **out,
		char *err, size_t errlen)
{
	struct rb_httpd *h = calloc(1, sizeof(*h));
	struct rlimit rl;
	unsigned int i;

	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h->conf = *c;
	if (h->conf.threads == 0)
		h->conf.threads = 1;
	h->per_thread = h->conf.max_conns;
	h->rate = c->rate;
	h->files = files;
	h->templates = templates;
	h->old_root_fd = -1;
	pthread_mutex_init(&h->lock, NULL);
	/* every connection is a descriptor, and a response may add two */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	h->t = calloc(h->conf.threads, sizeof(*h->t));
	h->root_fd = open_root(root, err, errlen);
	if (h->t == NULL || h->root_fd < 0)
		goto fail;
	for (i = 0; i < h->conf.threads; i++)
		if (thread_init(h, &h->t[i], i, err, errlen) < 0)
			goto fail;
	*out = h;
	return 0;
fail:
	rb_httpd_destroy(h);
	return -1;
}

int
rb_httpd_start(struct rb_httpd *h)
{
	unsigned int i;
	char name[24];

	for (i = 0; i < h->conf.threads; i++) {
		snprintf(name, sizeof(name), "rb-http%u", i);
		if (rte_ctrl_thread_create(&h->t[i].tid, name, NULL, thread_main,
					   &h->t[i]) != 0)
			return -1;
		h->t[i].started = 1;
	}
	return 0;
}

void
rb_httpd_stop(struct rb_httpd *h)
{
	unsigned int i;

	if (h == NULL)
		return;
	__atomic_store_n(&h->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < h->conf.threads; i++)
		if (h->t[i].started) {
			pthread_join(h->t[i].tid, NULL);
			h->t[i].started = 0;
		}
}

void
rb_httpd_destroy(struct rb_httpd *h)
{
	unsigned int i;

	if (h == NULL)
		return;
	rb_httpd_stop(h);
	for (i = 0; h->t && i < h->conf.threads; i++) {
		struct hthread *t = &h->t[i];
		struct conn *c, *next;

		/* the ring goes first: nothing of a connection is in flight */
		if (t->ring_ok)
			io_uring_queue_exit(&t->ring);
		for (c = t->active.next; c && c != &t->active; c = next) {
			next = c->next;
			c->inflight = 0;
			c->state = C_CLOSING;
			conn_free(c);
		}
		if (t->lfd >= 0)
			close(t->lfd);
		if (t->afd >= 0)
			close(t->afd);
		free(t->conns);
		free(t->bufmem);
	}
	free(h->t);
	if (h->root_fd >= 0)
		close(h->root_fd);
	if (h->old_root_fd >= 0)
		close(h->old_root_fd);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

int
rb_httpd_swap(struct rb_httpd *h, const char *root, struct rb_filecache *files,
	      const struct rb_filecache *templates)
{
	char err[256];
	int fd = open_root(root, err, sizeof(err)), old;

	if (fd < 0) {
		rb_log(RB_LOG_ERR, "http_reload_failed", "%s", err);
		return -1;
	}
	pthread_mutex_lock(&h->lock);
	h->files = files;
	h->templates = templates;
	/* an open in flight may still use the last root: it goes next time */
	old = h->old_root_fd;
	h->old_root_fd = h->root_fd;
	h->root_fd = fd;
	pthread_mutex_unlock(&h->lock);
	if (old >= 0)
		close(old);
	return 0;
}

void
rb_httpd_set_rate(struct rb_httpd *h, uint64_t rate)
{
	__atomic_store_n(&h->rate, rate, __ATOMIC_RELAXED);
}
