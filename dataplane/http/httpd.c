/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP boot file server on io_uring (see httpd.h): threads, each with
 * a ring, a listener (SO_REUSEPORT spreads connections), a table of
 * connections and a pool of registered body buffers; the ring loop;
 * timeouts; metrics; setup.  A connection has at most one operation in
 * the kernel at a time (two while a zero-copy send's notification is
 * due), so its state is simply what it waits for.  Nothing allocates per
 * request but the admin /metrics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/resource.h>

#include <rte_lcore.h>

#include "rackboot/log.h"
#include "httpd_int.h"

static void
arm_accept(struct hthread *t, int fd, uint32_t who)
{
	struct io_uring_sqe *s = get_sqe(t);

	io_uring_prep_multishot_accept(s, fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(s, (uint64_t)who << 8 | OP_ACCEPT);
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
	fprintf(o, "# HELP rackboot_http_send_waits_total Large responses that "
		   "waited for a sender's turn (--http-senders).\n"
		   "# TYPE rackboot_http_send_waits_total counter\n"
		   "rackboot_http_send_waits_total %" PRIu64 "\n",
		SUM(send_waits));
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
			http_accepted(t, cqe->res, idx == ADMIN_LISTENER);
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
			http_conn_free(c);
		return;
	}
	switch (op) {
	case OP_RECV:
		http_received(c, cqe->res);
		break;
	case OP_SEND:
		http_sent(c, cqe->res);
		break;
	case OP_OPEN:
		http_opened(c, cqe->res);
		break;
	case OP_READ:
		http_file_read(c, cqe->res);
		break;
	case OP_SPLICE_IN:
		http_spliced_in(c, cqe->res);
		break;
	case OP_BODY:
		http_body_sent(c, cqe->res, cqe->flags);
		break;
	default:
		break;
	}
}

/**
 * Cut off the connections past their deadline; take the sender's turn
 * from one that held it past its slice while others wait (a reader that
 * stalls would otherwise keep it until the send timeout).
 */
static void
timeouts(struct hthread *t, uint64_t now)
{
	struct conn *c = t->active.next, *next;
	int revoked = 0;

	for (; c != &t->active; c = next) {
		next = c->next;
		if (c->has_turn && http_turn_waiting(t) && now - c->turn_t0 > TURN_NS) {
			http_turn_revoke(c);
			revoked = 1;
		}
		if (c->deadline == 0 || c->deadline > now || c->state == C_CLOSING)
			continue;
		count(&t->st.timeouts[c->state != C_REQUEST ? TO_SEND
				      : c->in_len      ? TO_HEADER
						       : TO_IDLE], 1);
		http_conn_close(c);
	}
	if (revoked)
		http_turn_grant(t);
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
		http_send_more(c);
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
				http_log_flush(t);
			next_tick = now + TICK_NS;
		}
	}
	if (t->log_len)
		http_log_flush(t);
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
		/* the address may come up after us (an exception tap) */
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
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
		struct rb_profiles *profiles, struct rb_httpd **out,
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
	h->profiles = profiles;
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

		/* the ring goes first: nothing of a connection is in flight;
		 * and no waiting connection is handed a buffer meanwhile */
		if (t->ring_ok)
			io_uring_queue_exit(&t->ring);
		t->waitq_head = t->waitq_tail = NULL;
		for (c = t->active.next; c && c != &t->active; c = next) {
			next = c->next;
			c->inflight = 0;
			c->state = C_CLOSING;
			http_conn_free(c);
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
	      struct rb_profiles *profiles)
{
	char err[256];
	int fd = open_root(root, err, sizeof(err)), old;

	if (fd < 0) {
		rb_log(RB_LOG_ERR, "http_reload_failed", "%s", err);
		return -1;
	}
	pthread_mutex_lock(&h->lock);
	h->files = files;
	h->profiles = profiles;
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
