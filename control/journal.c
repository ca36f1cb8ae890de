/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lease journal's thread and file: group commit, replay with a torn
 * tail cut off, compaction by rename, and a mirror of the live leases for
 * listing and compaction.  Off the hot path: it may allocate and block.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "rackboot/journal.h"
#include "rackboot/log.h"

#define BATCH 256
#define RING_SIZE 8192
#define REC ((ssize_t)sizeof(struct rb_journal_rec))

/* --- the mirror: live records by address, open addressing --- */

struct slot {
	uint8_t used;   /* 0 empty, 1 full, 2 deleted */
	struct rb_journal_rec rec;
};

struct rb_journal_mirror {
	size_t cap, used, live;
	struct slot *slots;
};

static size_t
slot_of(const struct rb_journal_mirror *mi, uint32_t ip)
{
	return (size_t)((ip * 2654435761u) & (mi->cap - 1));
}

static int
mirror_grow(struct rb_journal_mirror *mi)
{
	struct rb_journal_mirror n = {mi->cap ? mi->cap * 2 : 1024, 0, 0, NULL};
	size_t i;

	n.slots = calloc(n.cap, sizeof(*n.slots));
	if (n.slots == NULL)
		return -1;
	for (i = 0; i < mi->cap; i++) {
		size_t s;

		if (mi->slots[i].used != 1)
			continue;
		for (s = slot_of(&n, mi->slots[i].rec.ip); n.slots[s].used;
		     s = (s + 1) & (n.cap - 1))
			;
		n.slots[s] = mi->slots[i];
		n.used++;
		n.live++;
	}
	free(mi->slots);
	*mi = n;
	return 0;
}

/** Apply one record: BIND and DECLINE set the address, RELEASE clears it. */
static void
mirror_apply(struct rb_journal_mirror *mi, const struct rb_journal_rec *r)
{
	size_t s, tomb = SIZE_MAX;

	if (mi->used + 1 > mi->cap / 2 && mirror_grow(mi) < 0)
		return;
	for (s = slot_of(mi, r->ip); mi->slots[s].used;
	     s = (s + 1) & (mi->cap - 1)) {
		if (mi->slots[s].used == 2) {
			if (tomb == SIZE_MAX)
				tomb = s;
			continue;
		}
		if (mi->slots[s].rec.ip == r->ip)
			break;
	}
	if (mi->slots[s].used == 1) {
		if (r->type == RB_JREC_RELEASE) {
			mi->slots[s].used = 2;
			mi->live--;
		} else {
			mi->slots[s].rec = *r;
		}
		return;
	}
	if (r->type == RB_JREC_RELEASE)
		return;
	if (tomb != SIZE_MAX)
		s = tomb;
	else
		mi->used++;
	mi->slots[s].used = 1;
	mi->slots[s].rec = *r;
	mi->live++;
}

/** The live record of @p ip, or NULL. */
static const struct rb_journal_rec *
mirror_find(const struct rb_journal_mirror *mi, uint32_t ip)
{
	size_t s;

	if (mi->cap == 0)
		return NULL;
	for (s = slot_of(mi, ip); mi->slots[s].used;
	     s = (s + 1) & (mi->cap - 1))
		if (mi->slots[s].used == 1 && mi->slots[s].rec.ip == ip)
			return &mi->slots[s].rec;
	return NULL;
}

/**
 * When a record could not be written: the end of the lease the file
 * already holds for the same client and address, if it has a minute or
 * more to run, else 0.  An ACK up to that end promises nothing the disk
 * does not hold, so a known machine keeps being served on a full disk.
 */
static uint32_t
durable_until(const struct rb_journal *j, const struct rb_journal_rec *r)
{
	const struct rb_journal_rec *d = mirror_find(j->mirror, r->ip);
	uint32_t now = (uint32_t)time(NULL);

	if (d == NULL || d->type != RB_JREC_BIND || r->type != RB_JREC_BIND ||
	    d->key.len != r->key.len ||
	    memcmp(d->key.data, r->key.data, d->key.len) != 0 ||
	    d->expires < now + 60)
		return 0;
	return d->expires;
}

/* --- replay --- */

int
rb_journal_replay(const char *path,
		  void (*apply)(void *ctx, const struct rb_journal_rec *r),
		  void *ctx, uint64_t *good, uint64_t *cut)
{
	struct rb_journal_rec r;
	off_t off = 0, size;
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	*good = *cut = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	size = st.st_size;
	while ((n = pread(fd, &r, sizeof(r), off)) == REC) {
		if (!rb_journal_rec_ok(&r))
			break;
		apply(ctx, &r);
		(*good)++;
		off += REC;
	}
	if (off < size) {
		/* a crash mid-write leaves a short or half-written record */
		*cut = (uint64_t)(size - off);
		if (ftruncate(fd, off) < 0 || fsync(fd) < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
	}
	close(fd);
	return 0;
}

/* --- the thread --- */

static void
mirror_load(void *ctx, const struct rb_journal_rec *r)
{
	struct rb_journal *j = ctx;

	mirror_apply(j->mirror, r);
	j->written++;
	if (r->seq > j->seq)
		j->seq = r->seq;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/** Sync the directory, so a new or renamed file's name is durable too. */
static int
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	int fd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

/** Rewrite the file with only the live records; atomic by rename. */
static int
compact(struct rb_journal *j)
{
	char tmp[sizeof(j->path) + 8];
	struct rb_journal_mirror *mi = j->mirror;
	uint32_t now = (uint32_t)time(NULL), seq = 0;
	uint64_t kept = 0;
	size_t i;
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", j->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	pthread_mutex_lock(&j->lock);
	for (i = 0; i < mi->cap && rc == 0; i++) {
		struct rb_journal_rec r;

		if (mi->slots[i].used != 1)
			continue;
		if (mi->slots[i].rec.expires <= now) {
			/* expired: it leaves the file and the mirror */
			mi->slots[i].used = 2;
			mi->live--;
			continue;
		}
		r = mi->slots[i].rec;
		r.seq = ++seq;
		rb_journal_seal(&r);
		rc = write_all(fd, &r, sizeof(r));
		kept++;
	}
	pthread_mutex_unlock(&j->lock);
	if (rc == 0 && fdatasync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, j->path) < 0)
		rc = -errno;
	if (rc == 0)
		rc = sync_dir(j->path);
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	close(j->fd);
	j->fd = open(j->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (j->fd < 0)
		return -errno;
	j->seq = seq;
	j->written = kept;
	return 0;
}

static void *
journal_main(void *arg)
{
	struct rb_journal *j = arg;
	static struct rb_journal_item items[BATCH];
	static struct rb_journal_rec buf[BATCH];
	time_t last_sync = time(NULL);
	unsigned int idle = 0;

	for (;;) {
		unsigned int n, i;
		int rc;

		n = rte_ring_sc_dequeue_burst_elem(j->in, items, sizeof(items[0]),
						   BATCH, NULL);
		if (n == 0) {
			if (__atomic_load_n(&j->quit, __ATOMIC_RELAXED))
				break;
			/* a little latency when idle, none under load */
			usleep(idle++ < 100 ? 20 : 500);
			if (!j->sync && time(NULL) != last_sync) {
				fdatasync(j->fd);
				last_sync = time(NULL);
			}
			continue;
		}
		idle = 0;
		for (i = 0; i < n; i++) {
			buf[i] = items[i].rec;
			buf[i].seq = ++j->seq;
			rb_journal_seal(&buf[i]);
		}
		rc = write_all(j->fd, buf, n * sizeof(buf[0]));
		if (rc == 0 && j->sync) {
			rc = fdatasync(j->fd) < 0 ? -errno : 0;
			j->syncs++;
		}
		if (rc < 0) {
			/* never leave a half batch in the middle of the file */
			off_t good = (off_t)j->written * REC;

			if (ftruncate(j->fd, good) < 0) {
				/* replay cuts what follows the last good record */
			}
			__atomic_fetch_add(&j->errors, 1, __ATOMIC_RELAXED);
			j->seq -= n;
			if (!j->failing)
				rb_log(RB_LOG_ERR, "journal_error",
				       "%s: %s: new leases are not acknowledged "
				       "until they can be written; known ones "
				       "only to the end the file holds",
				       j->path, strerror(-rc));
			__atomic_store_n(&j->failing, 1, __ATOMIC_RELAXED);
		} else {
			if (j->failing)
				rb_log(RB_LOG_INFO, "journal_ok",
				       "%s: writing again", j->path);
			__atomic_store_n(&j->failing, 0, __ATOMIC_RELAXED);
			j->written += n;
			pthread_mutex_lock(&j->lock);
			for (i = 0; i < n; i++)
				mirror_apply(j->mirror, &buf[i]);
			pthread_mutex_unlock(&j->lock);
		}
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = items[i].m;

			if (m == NULL)
				continue;
			/* an ACK whose lease is not on disk is not sent (the
			 * client asks again), unless the file holds an
			 * earlier one of the same lease: the worker cuts the
			 * ACK's lease time to what that one promises */
			m->hash.usr = 0;
			if (rc < 0) {
				m->hash.usr = durable_until(j, &items[i].rec);
				if (m->hash.usr == 0) {
					rte_pktmbuf_free(m);
					continue;
				}
			}
			if (rte_ring_sp_enqueue(j->out[items[i].worker], m) < 0)
				rte_pktmbuf_free(m);
		}
		if (rc == 0 && j->written > 4 * j->mirror->live + 4096) {
			rc = compact(j);
			if (rc < 0)
				rb_log(RB_LOG_ERR, "journal_error",
				       "%s: compaction: %s", j->path,
				       strerror(-rc));
		}
	}
	return NULL;
}

int
rb_journal_start(const char *path, int sync, unsigned int nb_workers,
		 struct rb_journal **out)
{
	struct rb_journal *j;
	uint64_t good, cut;
	unsigned int w;
	char name[32];
	int rc;

	if (nb_workers == 0 || nb_workers > RB_JOURNAL_MAX_WORKERS)
		return -EINVAL;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -ENOMEM;
	j->mirror = calloc(1, sizeof(*j->mirror));
	if (j->mirror == NULL || mirror_grow(j->mirror) < 0) {
		rc = -ENOMEM;
		goto fail;
	}
	pthread_mutex_init(&j->lock, NULL);
	snprintf(j->path, sizeof(j->path), "%s", path);
	j->sync = sync;
	j->fd = -1;
	rc = rb_journal_replay(path, mirror_load, j, &good, &cut);
	if (rc < 0)
		goto fail;
	j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0 || sync_dir(path) < 0) {
		rc = -errno;
		goto fail;
	}
	j->in = rte_ring_create_elem("rb_journal_in",
				     sizeof(struct rb_journal_item), RING_SIZE,
				     (int)rte_socket_id(), RING_F_SC_DEQ);
	if (j->in == NULL) {
		rc = -rte_errno;
		goto fail;
	}
	for (w = 0; w < nb_workers; w++) {
		snprintf(name, sizeof(name), "rb_journal_out%u", w);
		j->out[w] = rte_ring_create(name, RING_SIZE,
					    (int)rte_socket_id(),
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (j->out[w] == NULL) {
			rc = -rte_errno;
			goto fail;
		}
	}
	rc = -rte_ctrl_thread_create(&j->thread, "rb-journal", NULL,
				     journal_main, j);
	if (rc < 0)
		goto fail;
	*out = j;
	return 0;
fail:
	for (w = 0; w < RB_JOURNAL_MAX_WORKERS; w++)
		rte_ring_free(j->out[w]);
	rte_ring_free(j->in);
	if (j->fd >= 0)
		close(j->fd);
	if (j->mirror)
		free(j->mirror->slots);
	free(j->mirror);
	free(j);
	return rc;
}

void
rb_journal_stop(struct rb_journal *j)
{
	unsigned int w;
	void *m;

	if (j == NULL)
		return;
	__atomic_store_n(&j->quit, 1, __ATOMIC_RELAXED);
	pthread_join(j->thread, NULL);
	fdatasync(j->fd);
	close(j->fd);
	for (w = 0; w < RB_JOURNAL_MAX_WORKERS; w++) {
		while (j->out[w] && rte_ring_dequeue(j->out[w], &m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(j->out[w]);
	}
	rte_ring_free(j->in);
	free(j->mirror->slots);
	free(j->mirror);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

void
rb_journal_foreach(struct rb_journal *j,
		   void (*fn)(void *ctx, const struct rb_journal_rec *r),
		   void *ctx)
{
	size_t i;

	pthread_mutex_lock(&j->lock);
	for (i = 0; i < j->mirror->cap; i++)
		if (j->mirror->slots[i].used == 1)
			fn(ctx, &j->mirror->slots[i].rec);
	pthread_mutex_unlock(&j->lock);
}
