/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP server's insides, shared by its files: httpd.c (threads, the
 * ring loop, setup), http_conn.c (connections, requests, responses) and
 * http_send.c (bodies: memory, read+send, splice, zero-copy; pacing).
 */
#ifndef RACKBOOT_HTTPD_INT_H
#define RACKBOOT_HTTPD_INT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include <liburing.h>

#include "rackboot/filecache.h"
#include "rackboot/http.h"
#include "rackboot/httpd.h"

#define RING_ENTRIES 4096
#define OUT_MAX 16384         /* response head and a rendered body */
#define BODY_BUF (256 * 1024) /* a registered body buffer */
#define BODY_BUFS 64          /* per thread: 16 MiB */
#define PIPE_SIZE (1 << 20)
#define MEM_CHUNK (1 << 20)   /* a body in memory, per send */
#define TURN_MIN (256 * 1024) /* a body this large waits for a sender's turn */
#define TURN_NS 2000000000ULL /* a turn, while others wait */
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
	C_WAIT_SEND,  /* a large response waiting for a sender's turn */
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
	uint64_t send_waits;     /* large responses that waited their turn */
};

struct hthread;

struct conn {
	struct conn *next, *prev; /* the thread's active list, or free list */
	struct conn *wnext;       /* the wait for a body buffer, or a turn */
	uint8_t has_turn;         /* counted in the thread's senders */
	uint8_t large_done;       /* large bodies this connection finished */
	uint64_t turn_t0;         /* when it got its turn */
	struct hthread *t;
	uint32_t idx;
	int fd;
	enum cstate state;
	uint8_t admin, keep_alive, head_only, after_zc;
	uint16_t zc_wait;         /* zero-copy sends not yet notified */
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
	uint64_t rate;           /* this response's cap (a group's quirk) */
	struct msghdr msg;       /* the head (and a body in memory) in flight */
	struct iovec iov[2];
	struct rb_http_req req;  /* the request answered */
	char in[RB_HTTP_HEAD_MAX];
	char out[OUT_MAX];
};

struct hthread {
	struct rb_httpd *h;
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
	struct conn *sendq_head, *sendq_tail; /* C_WAIT_SEND, by wnext */
	struct conn *moreq_head, *moreq_tail; /* C_WAIT_SEND, ahead of sendq */
	unsigned int senders;    /* large responses sending now */
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
	struct rb_profiles *profiles;
	int root_fd, old_root_fd;
	unsigned int conns;      /* open, all threads (atomic) */
	uint64_t rate;           /* atomic */
	int stop;                /* atomic */
	struct hthread *t;
};

static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline void
count(uint64_t *c, uint64_t n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

static inline struct io_uring_sqe *
get_sqe(struct hthread *t)
{
	struct io_uring_sqe *s = io_uring_get_sqe(&t->ring);

	if (s == NULL) {
		io_uring_submit(&t->ring);
		s = io_uring_get_sqe(&t->ring);
	}
	return s; /* never NULL: the ring was just emptied */
}

static inline void
tag(struct io_uring_sqe *s, struct conn *c, enum op op)
{
	io_uring_sqe_set_data64(s, (uint64_t)c->idx << 8 | op);
	c->inflight++;
}

/* http_conn.c */

/** A connection @p fd was accepted (@p admin: on the admin listener). */
void http_accepted(struct hthread *t, int fd, int admin);
/** Close @p c now, or once the kernel has none of its operations. */
void http_conn_close(struct conn *c);
/** Free @p c: nothing of it may be in the kernel. */
void http_conn_free(struct conn *c);
/** A receive ended with @p res. */
void http_received(struct conn *c, int res);
/** An open ended with @p res (a descriptor or -errno). */
void http_opened(struct conn *c, int res);
/** The response is out: log it, then the next request or close. */
void http_finish(struct conn *c);
/** Write the access log lines kept so far. */
void http_log_flush(struct hthread *t);

/* http_send.c */

/** Send the response framed in c->out, c->mem and c->left. */
void http_send_out(struct conn *c);
/** Go on sending: the head, a body in memory, then a file body. */
void http_send_more(struct conn *c);
/** A head or memory send ended with @p res. */
void http_sent(struct conn *c, int res);
/** Give c's sender's turn back (a waiting response takes it). */
void http_turn_put(struct conn *c);
/** Take c's turn away (held past its slice); grant it with the next. */
void http_turn_revoke(struct conn *c);
/** Give waiting responses the turns free now. */
void http_turn_grant(struct hthread *t);
/** Whether large responses wait for a turn on @p t. */
static inline int
http_turn_waiting(const struct hthread *t)
{
	return t->sendq_head != NULL || t->moreq_head != NULL;
}
/** Drop @p c from a wait queue (by wnext), when it closes waiting. */
void http_unqueue(struct conn **head, struct conn **tail, struct conn *c);
/** Give c's body buffer back (a waiting connection takes it). */
void http_buf_put(struct hthread *t, struct conn *c);
/** A file read into c's buffer ended with @p res. */
void http_file_read(struct conn *c, int res);
/** A splice from the file into c's pipe ended with @p res. */
void http_spliced_in(struct conn *c, int res);
/** A body send (buffer or pipe) ended with @p res, or its zero-copy
 * notification came (@p flags). */
void http_body_sent(struct conn *c, int res, unsigned int flags);

#endif
