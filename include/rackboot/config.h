/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * rackbootd's configuration.  One table of options serves the command line
 * (`--name value`), the config file (`name = value`, one per line) and
 * `--help`, so every setting can be given either way and is documented
 * once.
 */
#ifndef RACKBOOT_CONFIG_H
#define RACKBOOT_CONFIG_H

#include <limits.h>
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "rackboot/dhcpd.h"
#include "rackboot/lease.h"
#include "rackboot/pxe.h"

#define RB_MAX_RANGES 16
#define RB_MAX_HOSTS 4096
#define RB_URL_MAX 128

/** A --dhcp-range: addresses, the subnet they are in, their lease time. */
struct rb_range {
	uint32_t lo, hi;   /**< network order */
	uint32_t mask;     /**< network order; 0: our own subnet's */
	uint32_t lease_secs;
};

enum rb_lease_sync { RB_SYNC_FSYNC, RB_SYNC_NONE };

enum rb_responder { RB_RESPOND_AUTO, RB_RESPOND_ON, RB_RESPOND_OFF };

struct rb_config {
	char config_file[PATH_MAX];
	char port[256];        /**< interface, device string or PCI address */
	char port_driver[16];  /**< af_packet or af_xdp */
	unsigned int port_frames; /**< --port-frames: af_packet ring size */
	char root[PATH_MAX];
	uint32_t ip;           /**< network order; 0 until set or derived */
	unsigned int prefix;
	unsigned int nb_ranges;
	struct rb_range ranges[RB_MAX_RANGES]; /**< the first is derived if none */
	unsigned int nb_hosts;
	struct rb_dhcp_host hosts[RB_MAX_HOSTS]; /**< --dhcp-host */
	int dhcp;              /**< serve DHCP at all (--no-dhcp) */
	int proxy_dhcp;
	unsigned int offer_secs;  /**< --dhcp-offer-time */
	uint32_t offer_limit;     /**< --dhcp-offer-limit: 0 half the pool,
				   *   UINT32_MAX off */
	char boot_file[RB_FW_COUNT][RB_BOOTFILE_MAX]; /**< set or derived */
	char http_url[RB_URL_MAX]; /**< base of HTTP boot URLs; derived */
	char lease_file[PATH_MAX];
	enum rb_lease_sync lease_sync;
	char lcores[64];
	unsigned int memory_mb;
	char eal_extra[512];
	char control[PATH_MAX];
	int log_json;
	int log_level;         /**< enum rb_log_level */
	enum rb_responder responder;
	char exception_tap[IF_NAMESIZE];
	char xdp_prog[PATH_MAX]; /**< empty: next to the binary, or installed */
	uint16_t tftp_port_lo, tftp_port_hi;
	/* RFC 2090 group addresses (host order; lo 0: off) and port */
	uint32_t tftp_mc_lo, tftp_mc_hi;
	uint16_t tftp_mc_port;
	uint32_t tftp_mc_gather_ms;
	int tftp;                  /**< serve TFTP (--no-tftp) */
	unsigned int tftp_max_file_mb;
	unsigned int tftp_cache_mb;
	char templates[PATH_MAX];  /**< per-machine config templates, or "" */
	char data[PATH_MAX];       /**< a matchbox-format data directory, or "" */
	/* HTTP: where (ip 0: our address), how, limits */
	int http;                  /**< serve HTTP (--http-listen off) */
	uint32_t http_ip;          /**< network order */
	uint16_t http_port;
	uint32_t http_admin_ip;    /**< network order */
	uint16_t http_admin_port;  /**< 0: no admin listener */
	unsigned int http_threads;
	unsigned int http_max_conns;
	int http_send;             /**< enum rb_http_send */
	uint64_t http_rate;        /**< bytes/s per response, 0: none */
	unsigned int http_senders;  /**< --http-senders, 0 off */
	unsigned int http_header_timeout, http_idle_timeout,
		http_send_timeout; /**< seconds */
	char http_access_log[PATH_MAX]; /**< a file, "-" (stderr) or "" */
	unsigned int idle_sleep_us;
	int help, version;
	/* which of the above were given, so derived defaults fill the rest */
	int ip_set;
};

/** Exit status for a bad option or config file. */
#define RB_EXIT_CONFIG 2

/** Set @p c to the embedded defaults. */
void rb_config_defaults(struct rb_config *c);

/**
 * Apply command-line arguments.
 *
 * @param c       the configuration to change
 * @param argc    as main() got it
 * @param argv    as main() got it
 * @param err     "unknown option '--x'" and the like
 * @param errlen  size of @p err
 * @return 0, or -1 with @p err set
 */
int rb_config_parse_args(struct rb_config *c, int argc, char **argv,
			 char *err, size_t errlen);

/**
 * Apply a config file.
 *
 * @param c       the configuration to change
 * @param path    the file
 * @param err     "FILE:LINE: reason"
 * @param errlen  size of @p err
 * @return 0, or -1 with @p err set
 */
int rb_config_parse_file(struct rb_config *c, const char *path, char *err,
			 size_t errlen);

/**
 * Load the whole configuration: defaults, then the file named by --config
 * (if any), then the command line on top, then derived values (the port's
 * address and a DHCP pool in its subnet) and the checks that need them.
 *
 * @param c       filled in
 * @param argc    as main() got it
 * @param argv    as main() got it
 * @param err     the reason it failed, naming the file and line or option
 * @param errlen  size of @p err
 * @return 0, or -1 with @p err set
 */
int rb_config_load(struct rb_config *c, int argc, char **argv, char *err,
		   size_t errlen);

/**
 * Fill in what was not given (address from the interface, pool from the
 * subnet) and check the whole.
 *
 * @return 0, or -1 with @p err set
 */
int rb_config_finish(struct rb_config *c, char *err, size_t errlen);

/** Print `--help` to @p out. */
void rb_config_usage(void *out);

/**
 * Name the options whose values differ between @p a and @p b and that only
 * take effect after a restart.
 *
 * @param a    the running configuration
 * @param b    the newly read one
 * @param buf  a comma-separated list, empty when none
 * @param len  size of @p buf
 */
void rb_config_restart_needed(const struct rb_config *a,
			      const struct rb_config *b, char *buf,
			      size_t len);

#endif
