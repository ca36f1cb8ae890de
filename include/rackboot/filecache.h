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
};

struct rb_filecache;

/**
 * Load every regular file under @p root (recursively) of at most
 * @p max_file bytes, until @p budget bytes are used.  Symbolic links are
 * followed only while they stay inside the root.
 *
 * @param root      the served directory
 * @param max_file  the largest file taken (bigger ones: HTTP)
 * @param budget    the most memory used in all
 * @param out       the cache
 * @param err       a reason on failure
 * @param errlen    size of @p err
 * @return 0 or -1
 */
int rb_filecache_load(const char *root, uint64_t max_file, uint64_t budget,
		      struct rb_filecache **out, char *err, size_t errlen);

/** The file @p name (relative, cleaned), or NULL. */
const struct rb_file *rb_filecache_get(const struct rb_filecache *c,
				       const char *name);

/** Files and bytes loaded, and files left out (too big, over budget). */
void rb_filecache_stats(const struct rb_filecache *c, uint64_t *files,
			uint64_t *bytes, uint64_t *skipped);

void rb_filecache_free(struct rb_filecache *c);

#endif
