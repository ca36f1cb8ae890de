/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The HTTP boot file server: kernel TCP sockets driven by io_uring, one
 * ring per thread, beside the DPDK workers.  It serves the root TFTP
 * serves (small files from the shared file cache, the rest from disk),
 * per-machine iPXE scripts and boot configs rendered from templates, and
 * an admin listener with /metrics.
 */
#ifndef RACKBOOT_HTTPD_H
#define RACKBOOT_HTTPD_H

#include <stdint.h>
#include <stdio.h>

#include "rackboot/filecache.h"
#include "rackboot/profiles.h"

struct rb_dhcpd;
struct rb_httpd;
struct rb_bootev_q;

/** How a body that is not in memory goes out (see bench/http). */
enum rb_http_send {
	RB_HTTP_SEND_READ,   /**< read into a registered buffer, then send */
	RB_HTTP_SEND_SPLICE, /**< file to pipe to socket, no user copy */
	RB_HTTP_SEND_ZC,     /**< read, then zero-copy send of the buffer */
};

struct rb_httpd_conf {
	uint32_t listen_ip;         /**< network order */
	uint16_t listen_port;
	uint32_t admin_ip;          /**< network order */
	uint16_t admin_port;        /**< 0: no admin listener */
	unsigned int threads;       /**< rings, each with its own listener */
	unsigned int max_conns;     /**< open connections, all threads */
	enum rb_http_send send_mode;
	uint64_t rate;              /**< bytes/s per response; 0: no cap */
	unsigned int header_timeout_ms; /**< a request head's first to last byte */
	unsigned int idle_timeout_ms;   /**< between requests on keep-alive */
	unsigned int send_timeout_ms;   /**< a response without progress */
	/**
	 * Large responses each thread sends at once (0: no limit); the
	 * others wait their turn, and one that held its turn past a slice
	 * goes to the back while others wait.
	 */
	unsigned int senders;
	int access_log_fd;          /**< -1: none */
	int log_json;               /**< the access log in JSON lines */
	uint32_t server_ip;         /**< for ${server}; network order */
	char http_url[128];         /**< for ${http} */
	struct rb_dhcpd *dhcpd;     /**< who leases an address; may be NULL */
	unsigned int profile_slot;  /**< thread i uses profiles slot this + i */
	/** more /metrics lines from the daemon (workers' counters) */
	void (*metrics)(void *ctx, FILE *out);
	void *metrics_ctx;
	/** boot events: each request, with the machine asking, or NULL */
	struct rb_bootev_q *track;
};

/**
 * Create the server: its listeners are bound when this returns.
 *
 * @param c          the configuration (copied)
 * @param root       the served directory (files beyond the cache)
 * @param files      the file cache of @p root; may be NULL
 * @param profiles   what renders per-machine configs; may be NULL
 * @param out        the server
 * @param err        the reason on failure ("listen 10.99.0.1:80: ...")
 * @param errlen     size of @p err
 * @return 0 or -1
 */
int rb_httpd_create(const struct rb_httpd_conf *c, const char *root,
		    struct rb_filecache *files, struct rb_profiles *profiles,
		    struct rb_httpd **out, char *err, size_t errlen);

/** Start the threads (EAL control threads, off the workers' lcores). */
int rb_httpd_start(struct rb_httpd *h);

/** Stop the threads; open connections are closed. */
void rb_httpd_stop(struct rb_httpd *h);

/** Free the server (after rb_httpd_stop()). */
void rb_httpd_destroy(struct rb_httpd *h);

/**
 * Serve new files and profiles from now on.  A response in flight keeps
 * the cache it started with (it holds it: rb_filecache_busy() says when
 * it is done); a render holds its snapshot (rb_profiles_busy()).
 *
 * @param root  the served directory, which a reload may change
 * @return 0, or -1 when @p root cannot be opened (nothing changed)
 */
int rb_httpd_swap(struct rb_httpd *h, const char *root,
		  struct rb_filecache *files, struct rb_profiles *profiles);

/** Change the per-response rate cap (bytes/s, 0 none) live. */
void rb_httpd_set_rate(struct rb_httpd *h, uint64_t rate);

/** The HTTP metrics in the Prometheus text format. */
void rb_httpd_metrics(struct rb_httpd *h, FILE *out);

#endif
