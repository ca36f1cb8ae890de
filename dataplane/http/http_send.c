/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP bodies: a head and a body in memory go in one sendmsg; a file body
 * goes in pieces through a registered buffer (read, then send or
 * zero-copy send) or a pipe (splice), at most one piece in the kernel at a
 * time; a rate cap parks a connection until it may send again.
 *
 * Large bodies take turns: a thread sends at most conf.senders of them at
 * once, the others wait in order.  A storm's thousand downloads at once
 * overflow the queues of the switch and the NICs on the way; TCP then
 * loses the tails of whole windows, and the retransmission timeouts that
 * follow (doubling from 200 ms) leave the last machines waiting tens of
 * seconds for bytes the link had room for.  A turn held past TURN_NS
 * goes to the back while others wait, so a slow reader or a large image
 * cannot hold the rest up.
 *
 * A connection that already finished a large body (a machine that has its
 * kernel and now asks for its initrd) waits ahead of those asking for
 * their first: the link's bytes are the same either way, but machines
 * then finish one after another instead of all at the end, so half of a
 * storm boots in about half the time while the last machine's time stays.
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
#include <sys/uio.h>

#include "httpd_int.h"

/* ---- sending ---- */

/**
 * How many of @p want bytes the rate cap lets go now; 0 parks @p c until
 * it may send again.
 */
static uint64_t
pace(struct conn *c, uint64_t want)
{
	uint64_t rate = c->rate ? c->rate
				: __atomic_load_n(&c->t->h->rate, __ATOMIC_RELAXED);
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

/**
 * Queue @p c for a sender's turn.
 *
 * @param c      a connection with a large body to send
 * @param ahead  whether it waits ahead of first downloads: a new body on
 *               a connection that finished one; not a turn that ran out
 */
static void
turn_wait(struct conn *c, int ahead)
{
	struct hthread *t = c->t;
	struct conn **head = ahead ? &t->moreq_head : &t->sendq_head;
	struct conn **tail = ahead ? &t->moreq_tail : &t->sendq_tail;

	c->state = C_WAIT_SEND;
	c->deadline = 0;
	c->wnext = NULL;
	if (*tail)
		(*tail)->wnext = c;
	else
		*head = c;
	*tail = c;
	count(&t->st.send_waits, 1);
}

void
http_turn_grant(struct hthread *t)
{
	while (http_turn_waiting(t) && t->senders < t->h->conf.senders) {
		struct conn **head = t->moreq_head ? &t->moreq_head : &t->sendq_head;
		struct conn **tail = t->moreq_head ? &t->moreq_tail : &t->sendq_tail;
		struct conn *c = *head;

		*head = c->wnext;
		if (*head == NULL)
			*tail = NULL;
		c->has_turn = 1;
		c->turn_t0 = now_ns();
		t->senders++;
		c->state = C_SEND;
		http_send_more(c);
	}
}

void
http_turn_revoke(struct conn *c)
{
	if (!c->has_turn)
		return;
	c->has_turn = 0;
	c->t->senders--;
}

void
http_turn_put(struct conn *c)
{
	if (!c->has_turn)
		return;
	http_turn_revoke(c);
	http_turn_grant(c->t);
}

void
http_unqueue(struct conn **head, struct conn **tail, struct conn *c)
{
	struct conn **p = head, *prev = NULL;

	while (*p && *p != c) {
		prev = *p;
		p = &(*p)->wnext;
	}
	if (*p) {
		*p = c->wnext;
		if (*tail == c)
			*tail = prev;
	}
}

/**
 * Whether @p c may send its next piece now: small bodies always; a large
 * one with its turn, unless that ran out while others wait; otherwise it
 * waits for one.
 */
static int
turn_ok(struct conn *c)
{
	struct hthread *t = c->t;

	if (t->h->conf.senders == 0 || c->body_bytes < TURN_MIN)
		return 1;
	if (c->has_turn) {
		if (!http_turn_waiting(t) || now_ns() - c->turn_t0 < TURN_NS)
			return 1;
		http_turn_revoke(c); /* to the back */
		turn_wait(c, 0);
		http_turn_grant(t);
		return 0;
	}
	if (!http_turn_waiting(t) && t->senders < t->h->conf.senders) {
		c->has_turn = 1;
		c->turn_t0 = now_ns();
		t->senders++;
		return 1;
	}
	/* a body begun had its turn taken by timeouts(): to the back */
	turn_wait(c, c->large_done > 0 && c->mem_off == 0 &&
			     c->mem_len + c->left == c->body_bytes);
	return 0;
}

/** Send what is left of the head and a body in memory, then the rest. */
void
http_send_more(struct conn *c)
{
	struct hthread *t = c->t;
	struct iovec *iov = c->iov;
	struct io_uring_sqe *s;
	unsigned int n = 0;

	if (c->out_off == c->out_len && c->mem_off == c->mem_len) {
		if (c->left) {
			if (turn_ok(c))
				body_next(c);
		} else {
			http_finish(c);
		}
		return;
	}
	if (!turn_ok(c))
		return;
	if (c->out_off < c->out_len)
		iov[n++] = (struct iovec){c->out + c->out_off,
					  c->out_len - c->out_off};
	if (c->mem_off < c->mem_len) {
		uint64_t want = c->mem_len - c->mem_off, ok;

		/* a socket buffer's worth at a time, as from a file */
		if (want > MEM_CHUNK)
			want = MEM_CHUNK;
		ok = pace(c, want);

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
	/* in the connection: it must stay until the loop submits it */
	memset(&c->msg, 0, sizeof(c->msg));
	c->msg.msg_iov = iov;
	c->msg.msg_iovlen = n;
	c->state = C_SEND;
	s = get_sqe(t);
	io_uring_prep_sendmsg(s, c->fd, &c->msg, MSG_NOSIGNAL);
	tag(s, c, OP_SEND);
	c->deadline = now_ns() + (uint64_t)t->h->conf.send_timeout_ms * 1000000;
}

/** Start sending the response framed in c->out (and c->mem, c->left). */
void
http_send_out(struct conn *c)
{
	c->out_off = 0;
	c->mem_off = 0;
	if (c->mem == NULL)
		c->mem_len = 0;
	c->body_bytes = c->mem_len + c->left;
	c->pace_t0 = now_ns();
	c->pace_sent = 0;
	http_send_more(c);
}

void
http_sent(struct conn *c, int res)
{
	uint64_t n = (uint64_t)res, head;

	if (res < 0) {
		count(&c->t->st.resets, 1);
		http_conn_close(c);
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
	http_send_more(c);
}

void
http_buf_put(struct hthread *t, struct conn *c)
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
			http_conn_close(c);
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
		http_buf_put(t, c); /* nobody waits on a paced connection's buffer */
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

void
http_file_read(struct conn *c, int res)
{
	if (res <= 0) {
		/* the file shrank under us: the length sent cannot be kept */
		count(&c->t->st.resets, 1);
		http_conn_close(c);
		return;
	}
	c->buf_len = (uint32_t)res;
	c->buf_off = 0;
	c->off += (uint64_t)res;
	c->left -= (uint64_t)res;
	buf_send(c);
}

void
http_spliced_in(struct conn *c, int res)
{
	struct io_uring_sqe *s;

	if (res <= 0) {
		count(&c->t->st.resets, 1);
		http_conn_close(c);
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
void
http_body_sent(struct conn *c, int res, unsigned int flags)
{
	struct hthread *t = c->t;

	if (flags & IORING_CQE_F_NOTIF) {
		/* every zero-copy send of the buffer must be done with it */
		if (--c->zc_wait == 0 && c->after_zc) {
			c->after_zc = 0;
			http_buf_put(t, c);
			http_send_more(c);
		}
		return;
	}
	if (flags & IORING_CQE_F_MORE)
		c->zc_wait++; /* its notification comes later */
	if (res <= 0) {
		count(&t->st.resets, 1);
		http_conn_close(c);
		return;
	}
	count(&t->st.bytes, (uint64_t)res);
	c->pace_sent += (uint64_t)res;
	c->deadline = now_ns() + (uint64_t)t->h->conf.send_timeout_ms * 1000000;
	if (t->h->conf.send_mode == RB_HTTP_SEND_SPLICE) {
		struct io_uring_sqe *s;

		c->in_pipe -= (uint32_t)res;
		if (c->in_pipe == 0) {
			http_send_more(c);
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
	http_buf_put(t, c);
	http_send_more(c);
}

