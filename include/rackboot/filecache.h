/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The read-only file cache: the files under the served root, loaded into
 * DPDK memory by the control thread, so workers never touch the disk and
 * N clients fetching one file share one copy.
 */
#ifndef RACKBOOT_FILECACHE_H
#define RACKBOOT_FILECACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <rte_mbuf.h>

#define RB_PATH_KEY 256

/** One cached file. */
struct rb_file {
	const uint8_t *data;
	uint64_t size;
	rte_iova_t iova;         /**< of data, for external-buffer mbufs */
	/**
	 * Shared by every DATA mbuf attached to this file.  Its count starts
	 * at one, held by the cache, so frames in flight never free it.
	 */
	struct rte_mbuf_ext_shared_info shinfo;
	char name[RB_PATH_KEY];  /**< relative to the root */
	/* the control thread's: how many caches hold this file (a reload
	 * shares what did not change), and what "did not change" means */
	uint32_t caches;
	dev_t dev;
	ino_t ino;
	struct timespec mtime, ctime;
};

struct rb_filecache;

/**
 * Load every regular file under @p root (recursively) of at most
 * @p max_file bytes, until @p budget bytes are used.  Symbolic links are
 * followed only while they stay inside the root.  Control thread only.
 *
 * @param root      the served directory
 * @param max_file  the largest file taken (bigger ones: HTTP)
 * @param budget    the most memory used in all
 * @param prev      the cache this one replaces, or NULL: its files that
 *                  did not change on disk (device, inode, size, mtime,
 *                  ctime) are shared, not read again
 * @param out       the cache
 * @param err       a reason on failure
 * @param errlen    size of @p err
 * @return 0 or -1
 */
int rb_filecache_load(const char *root, uint64_t max_file, uint64_t budget,
		      const struct rb_filecache *prev,
		      struct rb_filecache **out, char *err, size_t errlen);

/** The file @p name (relative, cleaned), or NULL. */
const struct rb_file *rb_filecache_get(const struct rb_filecache *c,
				       const char *name);

/**
 * Files and bytes held, files left out (too big, over budget), and files
 * shared with the cache it replaced.
 */
void rb_filecache_stats(const struct rb_filecache *c, uint64_t *files,
			uint64_t *bytes, uint64_t *skipped, uint64_t *shared);

/** A worker starts using files of @p c beyond its current poll loop. */
void rb_filecache_hold(struct rb_filecache *c);

/** ... and stops: every hold is matched by one release. */
void rb_filecache_release(struct rb_filecache *c);

/**
 * Whether @p c is still in use: held by a transfer, or a frame in flight
 * points into a file only this cache holds.  A replaced cache is freed
 * when this turns 0 (after a dataplane grace period, see dataplane.h).
 */
int rb_filecache_busy(const struct rb_filecache *c);

/** Free @p c and the files no other cache shares; nothing may use it. */
void rb_filecache_free(struct rb_filecache *c);

#endif
