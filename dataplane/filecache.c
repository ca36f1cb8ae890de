/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading the served root into DPDK memory.  Control thread only: it reads
 * the disk and allocates; workers only look up.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "rackboot/filecache.h"

#define MAX_FILES 65536

struct rb_filecache {
	struct rte_hash *by_name;
	struct rb_file **files;
	const struct rb_filecache *prev; /* while loading */
	uint32_t nb;
	uint32_t users;                  /* transfers holding it (atomic) */
	uint64_t bytes, skipped, shared;
	char root[PATH_MAX];
};

/** The cache frees file memory itself, once no worker runs. */
static void
cache_owned(void *addr, void *opaque)
{
	(void)addr, (void)opaque;
}

/** @p rel in the previous cache when the file on disk is the same. */
static struct rb_file *
unchanged(const struct rb_filecache *c, const char *rel, const struct stat *st)
{
	struct rb_file *f =
		(struct rb_file *)(uintptr_t)rb_filecache_get(c->prev, rel);

	if (f == NULL || f->dev != st->st_dev || f->ino != st->st_ino ||
	    f->size != (uint64_t)st->st_size ||
	    f->mtime.tv_sec != st->st_mtim.tv_sec ||
	    f->mtime.tv_nsec != st->st_mtim.tv_nsec ||
	    f->ctime.tv_sec != st->st_ctim.tv_sec ||
	    f->ctime.tv_nsec != st->st_ctim.tv_nsec)
		return NULL;
	return f;
}

/** Read @p fd whole into a new rb_file, or NULL. */
static struct rb_file *
read_file(int fd, const struct stat *st, const char *rel)
{
	struct rb_file *f = calloc(1, sizeof(*f));
	uint8_t *data =
		rte_malloc("rb_file", st->st_size ? (size_t)st->st_size : 1, 64);
	uint64_t off = 0;

	if (f == NULL || data == NULL) {
		free(f);
		rte_free(data);
		return NULL;
	}
	while (off < (uint64_t)st->st_size) {
		ssize_t n = read(fd, data + off, (size_t)st->st_size - off);

		if (n <= 0)
			break;
		off += (uint64_t)n;
	}
	f->data = data;
	f->size = off;
	f->iova = rte_malloc_virt2iova(data);
	f->shinfo.free_cb = cache_owned;
	f->shinfo.fcb_opaque = f;
	rte_mbuf_ext_refcnt_set(&f->shinfo, 1);
	snprintf(f->name, sizeof(f->name), "%s", rel);
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->mtime = st->st_mtim;
	f->ctime = st->st_ctim;
	return f;
}

static void
drop_file(struct rb_file *f)
{
	if (--f->caches)
		return;
	rte_free((void *)(uintptr_t)f->data);
	free(f);
}

static int
load_file(struct rb_filecache *c, const char *path, const char *rel,
	  uint64_t max_file, uint64_t budget)
{
	char key[RB_PATH_KEY] = {0};
	struct stat st;
	struct rb_file *f;
	int fd;

	if (strlen(rel) >= RB_PATH_KEY || c->nb == MAX_FILES)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if ((uint64_t)st.st_size > max_file ||
	    c->bytes + (uint64_t)st.st_size > budget) {
		c->skipped++;
		close(fd);
		return 0;
	}
	f = unchanged(c, rel, &st);
	if (f)
		c->shared++;
	else
		f = read_file(fd, &st, rel);
	close(fd);
	if (f == NULL) {
		c->skipped++;
		return 0;
	}
	f->caches++;
	memcpy(key, rel, strlen(rel));
	if (rte_hash_add_key_data(c->by_name, key, f) < 0) {
		drop_file(f);
		return 0;
	}
	c->files[c->nb++] = f;
	c->bytes += f->size;
	return 0;
}

/** Whether @p path resolves inside the root (links may not leave it). */
static int
inside_root(const struct rb_filecache *c, const char *path)
{
	char real[PATH_MAX];
	size_t n = strlen(c->root);

	if (realpath(path, real) == NULL)
		return 0;
	return strncmp(real, c->root, n) == 0 &&
	       (real[n] == '/' || real[n] == '\0');
}

static void
walk(struct rb_filecache *c, const char *dir, const char *rel, int depth,
     uint64_t max_file, uint64_t budget)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL || depth > 16) {
		if (d)
			closedir(d);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char path[PATH_MAX], r[PATH_MAX];
		struct stat st;

		if (e->d_name[0] == '.' &&
		    (e->d_name[1] == 0 || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(r, sizeof(r), "%s%s%s", rel, *rel ? "/" : "",
			 e->d_name);
		if (!inside_root(c, path) || stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(c, path, r, depth + 1, max_file, budget);
		else if (S_ISREG(st.st_mode))
			load_file(c, path, r, max_file, budget);
	}
	closedir(d);
}

int
rb_filecache_load(const char *root, uint64_t max_file, uint64_t budget,
		  const struct rb_filecache *prev, struct rb_filecache **out,
		  char *err, size_t errlen)
{
	static unsigned int gen;
	struct rte_hash_parameters hp;
	struct rb_filecache *c = calloc(1, sizeof(*c));
	char name[32];

	if (c == NULL || realpath(root, c->root) == NULL) {
		snprintf(err, errlen, "root %s: %s", root, strerror(errno));
		free(c);
		return -1;
	}
	c->files = calloc(MAX_FILES, sizeof(*c->files));
	snprintf(name, sizeof(name), "rb_files%u", gen++);
	memset(&hp, 0, sizeof(hp));
	hp.name = name;
	hp.entries = MAX_FILES;
	hp.key_len = RB_PATH_KEY;
	hp.hash_func = rte_jhash;
	hp.socket_id = 0;
	c->by_name = rte_hash_create(&hp);
	if (c->files == NULL || c->by_name == NULL) {
		snprintf(err, errlen, "file cache: out of memory");
		rb_filecache_free(c);
		return -1;
	}
	c->prev = prev;
	walk(c, c->root, "", 0, max_file, budget);
	c->prev = NULL;
	*out = c;
	return 0;
}

const struct rb_file *
rb_filecache_get(const struct rb_filecache *c, const char *name)
{
	char key[RB_PATH_KEY] = {0};
	size_t n = strlen(name);
	void *data;

	if (c == NULL || n >= RB_PATH_KEY)
		return NULL;
	memcpy(key, name, n);
	if (rte_hash_lookup_data(c->by_name, key, &data) < 0)
		return NULL;
	return data;
}

void
rb_filecache_stats(const struct rb_filecache *c, uint64_t *files,
		   uint64_t *bytes, uint64_t *skipped, uint64_t *shared)
{
	*files = c ? c->nb : 0;
	*bytes = c ? c->bytes : 0;
	*skipped = c ? c->skipped : 0;
	*shared = c ? c->shared : 0;
}

void
rb_filecache_hold(struct rb_filecache *c)
{
	__atomic_add_fetch(&c->users, 1, __ATOMIC_ACQ_REL);
}

void
rb_filecache_release(struct rb_filecache *c)
{
	__atomic_sub_fetch(&c->users, 1, __ATOMIC_ACQ_REL);
}

int
rb_filecache_busy(const struct rb_filecache *c)
{
	uint32_t i;

	if (__atomic_load_n(&c->users, __ATOMIC_ACQUIRE))
		return 1;
	/* a file the next cache shares stays: its frames do not matter */
	for (i = 0; i < c->nb; i++)
		if (c->files[i]->caches == 1 &&
		    rte_mbuf_ext_refcnt_read(&c->files[i]->shinfo) != 1)
			return 1;
	return 0;
}

void
rb_filecache_free(struct rb_filecache *c)
{
	uint32_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nb; i++)
		drop_file(c->files[i]);
	rte_hash_free(c->by_name);
	free(c->files);
	free(c);
}
