/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP connections: accepting, reading requests, answering them (files
 * from the cache or beneath the root, rendered configs, /metrics, errors),
 * the access log, closing.
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
#include <linux/openat2.h>
#include <netinet/tcp.h>

#include "rackboot/bootev.h"
#include "rackboot/bootcfg.h"
#include "rackboot/dhcpd.h"
#include "httpd_int.h"

/* ---- connections ---- */

static void count_status(struct hthread *t, int status);

static void
list_del(struct conn *c)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
}

/** Give back what a response holds: cache, file, buffer, heap. */

static void
response_release(struct conn *c)
{
	http_turn_put(c);
	if (c->held) {
		rb_filecache_release(c->held);
		c->held = NULL;
	}
	if (c->file_fd >= 0) {
		close(c->file_fd);
		c->file_fd = -1;
	}
	if (c->buf >= 0)
		http_buf_put(c->t, c);
	free(c->heap);
	c->heap = NULL;
	c->mem = NULL;
}

void
http_conn_free(struct conn *c)
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
void
http_conn_close(struct conn *c)
{
	struct hthread *t = c->t;

	if (c->state == C_WAIT_BUF)
		http_unqueue(&t->waitq_head, &t->waitq_tail, c);
	if (c->state == C_PACED)
		t->paced--;
	if (c->state == C_WAIT_SEND) {
		http_unqueue(&t->sendq_head, &t->sendq_tail, c);
		http_unqueue(&t->moreq_head, &t->moreq_tail, c);
	}
	c->state = C_CLOSING;
	c->deadline = 0;
	if (c->inflight == 0) {
		http_conn_free(c);
		return;
	}
	shutdown(c->fd, SHUT_RDWR);
}

void
http_accepted(struct hthread *t, int fd, int admin)
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
		count_status(t, 503);
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
	c->has_turn = 0;
	c->large_done = 0;
	c->heap = NULL;
	c->held = NULL;
	c->zc_wait = 0;
	c->after_zc = 0;
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

void
http_log_flush(struct hthread *t)
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
		http_log_flush(t);
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
	else if (c->req.minor == 0)
		head_add(c, "Connection: keep-alive\r\n");
	head_add(c, "\r\n");
}


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
	http_send_out(c);
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

/** A query's labels, decoded into @p buf: matchbox selects on them. */
struct labels {
	struct rb_fact f[16];
	unsigned int n;
	size_t used;  /**< bytes of @p buf the labels take */
	char buf[1024];
};

/**
 * Split "a=1&b=2" into facts.  Labels that are empty, not decodable or
 * beyond the first 16 are left out: they cannot match a selector anyway.
 * (A query is at most RB_HTTP_QUERY_MAX bytes, so @p l's buffer holds it
 * decoded; the bound is checked all the same.)
 */
static void
labels_of(const char *query, struct labels *l)
{
	const char *p = query;
	size_t o = 0;

	l->n = 0;
	while (p && *p && l->n < sizeof(l->f) / sizeof(l->f[0])) {
		const char *amp = strchr(p, '&'), *eq;
		size_t seg = amp ? (size_t)(amp - p) : strlen(p), k;
		char key[RB_SEL_KEY_MAX];
		int n;

		eq = memchr(p, '=', seg);
		k = eq ? (size_t)(eq - p) : 0;
		/* room for the key, its NUL and at least a byte of value */
		if (k > 0 && k < sizeof(key) && o + k + 3 <= sizeof(l->buf)) {
			memcpy(key, p, k);
			key[k] = '\0';
			n = rb_http_query_get(p, key, l->buf + o + k + 1,
					      sizeof(l->buf) - o - k - 1);
			if (n > 0) {
				memcpy(l->buf + o, key, k + 1);
				l->f[l->n++] = (struct rb_fact){l->buf + o,
								l->buf + o + k + 1};
				o += k + 1 + (size_t)n + 1;
			}
		}
		p = amp ? amp + 1 : NULL;
	}
	l->used = o;
}

/**
 * The asker's firmware arch from its DHCP lease (option 93 of its
 * network boot), as a label, unless the query gave one.
 */
static void
arch_label(const struct conn *c, struct labels *l, uint32_t ip)
{
	static const char key[] = "arch";
	size_t o = l->used;
	unsigned int i;
	int a;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->f[i].key, key) == 0)
			return;
	if (l->n == sizeof(l->f) / sizeof(l->f[0]) || !c->t->h->conf.dhcpd ||
	    o + sizeof(key) + 8 > sizeof(l->buf) ||
	    (a = rb_dhcpd_arch_of(c->t->h->conf.dhcpd, ip)) < 0)
		return;
	memcpy(l->buf + o, key, sizeof(key));
	snprintf(l->buf + o + sizeof(key), 8, "%u", (unsigned int)(uint16_t)a);
	l->f[l->n++] = (struct rb_fact){l->buf + o, l->buf + o + sizeof(key)};
	l->used = o + sizeof(key) + strlen(l->buf + o + sizeof(key)) + 1;
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

/** The profiles slot of the thread @p c is on. */
static unsigned int
slot_of(const struct conn *c)
{
	return c->t->h->conf.profile_slot + (unsigned int)(c->t - c->t->h->t);
}

/** The machine asking and its query labels, worked out once a request. */
struct asker {
	struct rb_machine m;
	struct labels l;
	int known;
};

static struct asker *
asker_of(struct conn *c, struct asker *a)
{
	if (!a->known) {
		machine_of(c, &c->req, &a->m);
		labels_of(c->req.query, &a->l);
		arch_label(c, &a->l, a->m.ip);
		a->known = 1;
	}
	return a;
}

/** The pacing quirk of the group the machine asking belongs to. */
static uint64_t
group_rate(struct conn *c, const struct rb_profiles *p, struct asker *a)
{
	asker_of(c, a);
	return rb_profiles_quirks(p, rb_profiles_match(p, slot_of(c), &a->m,
							a->l.f, a->l.n, NULL, 0))
		->http_rate;
}

/**
 * Answer a per-machine config (boot.ipxe, grub.cfg, matchbox's /ipxe,
 * /ignition...) rendered from @p p for the machine asking.
 *
 * @return whether the request was answered
 */
static int
rendered(struct conn *c, struct rb_profiles *p, struct asker *a)
{
	struct hthread *t = c->t;
	struct rb_httpd *h = t->h;
	const struct rb_render_env env = {h->conf.server_ip, h->conf.http_url};
	unsigned int slot = slot_of(c);
	/* the body after a head of at most 1 KiB */
	char *body = c->out + 1024;
	int group;
	long n;

	asker_of(c, a);
	n = rb_profiles_render(p, slot, c->req.path, &a->m, a->l.f, a->l.n, &env,
			       body, sizeof(c->out) - 1024, &group);
	if (n == RB_RENDER_NONE)
		return 0;
	if (n < 0) {
		respond_error(c, 500, "rendered config too large");
		return 1;
	}
	count(&t->st.rendered, 1);
	head_begin(c, 200);
	head_add(c, "Content-Type: %s\r\nContent-Length: %ld\r\n"
		    "Cache-Control: no-store\r\n",
		 rb_http_content_type(c->req.path), c->head_only ? 0 : n);
	head_end(c);
	c->mem = (const uint8_t *)body;
	c->mem_len = c->head_only ? 0 : (uint64_t)n;
	http_send_out(c);
	return 1;
}

/** Answer the request in c->req. */
static void
handle(struct conn *c)
{
	const struct rb_http_req *r = &c->req;
	struct hthread *t = c->t;
	struct rb_httpd *h = t->h;
	struct rb_profiles *profiles;
	const struct rb_file *f;
	struct asker a;
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
	profiles = h->profiles;
	root_fd = h->root_fd;
	if (c->held)
		rb_filecache_hold(c->held);
	if (profiles)
		rb_profiles_hold(profiles);
	pthread_mutex_unlock(&h->lock);
	c->rate = 0;
	a.known = 0;
	if (h->conf.track) {
		asker_of(c, &a);
		rb_bootev_push(h->conf.track, RB_BOOTEV_HTTP, 0,
			       a.m.have_mac ? a.m.mac : NULL, a.m.ip,
			       c->req.path);
	}
	if (profiles && rb_profiles_quirk_mask(profiles) & RB_QUIRK_HTTP_RATE)
		c->rate = group_rate(c, profiles, &a);
	/* a file an operator wrote under any name wins, as over TFTP */
	f = c->held ? rb_filecache_get(c->held, c->req.path) : NULL;
	if (f == NULL && profiles && rendered(c, profiles, &a)) {
		rb_profiles_release(profiles);
		return;
	}
	if (profiles)
		rb_profiles_release(profiles);
	/* the callback an OS hits once it is up (boot tracking's "done",
	 * noted from the request itself): a short plain answer */
	if (f == NULL && strcmp(c->req.path, "done") == 0) {
		respond_error(c, 200, "done: noted");
		return;
	}
	if (f) {
		struct validators v;

		count(&t->st.cached, 1);
		validators_of(&v, f->ino, f->size, &f->mtime);
		respond_file_head(c, r, f->size, &v);
		c->mem = f->data + c->off;
		c->mem_len = c->left;
		c->left = 0;
		http_send_out(c);
		return;
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

void
http_opened(struct conn *c, int res)
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
	http_send_out(c);
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
void
http_finish(struct conn *c)
{
	struct hthread *t = c->t;
	uint64_t now = now_ns();

	count_status(t, c->status);
	access_log(c);
	if (c->body_bytes >= TURN_MIN && c->large_done < UINT8_MAX)
		c->large_done++;
	response_release(c);
	if (!c->keep_alive) {
		http_conn_close(c);
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

void
http_received(struct conn *c, int res)
{
	uint64_t now;

	if (res <= 0) {
		if (res < 0)
			count(&c->t->st.resets, 1);
		http_conn_close(c);
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
	http_send_out(c);
}

