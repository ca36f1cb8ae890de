/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rackbootd: brings up EAL and the boot port, runs the dataplane workers on
 * every lcore, and a control thread that owns signals, the control socket
 * and reloads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <ifaddrs.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "ctlsock.h"
#include "rackboot/config.h"
#include "rackboot/dataplane.h"
#include "rackboot/dhcpd.h"
#include "rackboot/profiles.h"
#include "rackboot/filecache.h"
#include "rackboot/httpd.h"
#include "rackboot/tcfilter.h"
#include "rackboot/tftpd.h"
#include "rackboot/journal.h"
#include "rackboot/log.h"
#include "rackboot/machines.h"
#include "rackboot/nicshare.h"
#include "rackboot/port.h"
#include "rackboot/xdp.h"

#define DHCP_SERVER_PORT 67
#define PXE_BOOT_SERVER_PORT 4011
#define TFTP_PORT 69
/* boot events in flight to the control thread, and machines tracked */
#define BOOTEV_QUEUE 65536
#define MACHINES_MAX 65536
/* the control thread takes boot events at least this often */
#define TRACK_MS 100

struct daemon {
	struct rb_config cfg;
	int argc;
	char **argv;
	enum rb_port_kind kind;
	struct rb_dp *dp;
	struct rb_dhcpd *dhcpd;
	struct rb_journal *journal;
	struct rb_filecache *files;
	struct rb_profiles *profiles;
	unsigned int profile_slots;  /* workers, HTTP threads, control */
	struct rb_tftpd *tftpd;
	struct rb_httpd *httpd;
	/* boot tracking: events from the workers and HTTP threads, and the
	 * machines the control thread keeps from them */
	struct rb_bootev_q *bootev;
	struct rb_machines *machines;
	int access_fd;
	/* caches and profiles a reload replaced, freed once nothing uses
	 * them (a storm's transfers can outlast several reloads) */
	struct retired {
		struct rb_filecache *files;
		struct rb_profiles *profiles;
		uint64_t token;
	} retired[32];
	unsigned int nb_retired;
	struct rb_held_ports held;
	int ctl_fd;
	int sig_fd;
	int inotify_fd;          /* the data directory's changes, or -1 */
	int wd[8];
	unsigned int nb_wd;
	uint64_t data_changed;   /* when a change was seen (ms), 0: none */
	uint64_t reload_failures;
	/* the serving snapshot's figures, for /metrics on the HTTP threads
	 * (which must not touch a snapshot the control thread may free) */
	uint64_t snap_gen;
	unsigned int snap_groups, snap_profiles;
	int snap_have;
	int exception_port;
	/* the UDP ports served: held in the kernel, dispatched by the
	 * workers, redirected by the XDP program */
	unsigned int nb_services;
	struct rb_udp_service services[RB_DP_MAX_SERVICES];
	char xdp_prog[PATH_MAX];
	char tc_prog[PATH_MAX];
	int ports_shared;        /* another program holds some of them */
	int tc_link;             /* the ingress filter's tcx link, or -1 */
	int hugepages;           /* EAL was started on hugepages */
	uint64_t generation;
	time_t started;
	int exit_code;
};

static const char *const kind_names[] = {
	[RB_PORT_AF_PACKET] = "af_packet",
	[RB_PORT_AF_XDP] = "af_xdp",
	[RB_PORT_DEVICE] = "device",
	[RB_PORT_PCI] = "pci",
};

static const char *
ip_str(uint32_t ip, char *buf)
{
	return inet_ntop(AF_INET, &ip, buf, INET_ADDRSTRLEN);
}

/** Whether the kernel has address @p ip on interface @p ifname. */
static int
kernel_owns(const char *ifname, uint32_t ip)
{
	struct ifaddrs *ifa, *i;
	int owns = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    strcmp(i->ifa_name, ifname) == 0 &&
		    ((struct sockaddr_in *)(void *)i->ifa_addr)
				    ->sin_addr.s_addr == ip)
			owns = 1;
	freeifaddrs(ifa);
	return owns;
}

/**
 * Whether rackbootd answers ARP and ping itself: not when a kernel
 * interface that sees the same frames owns the address, since the kernel
 * answers then and a second reply would be a duplicate.
 */
static int
answers_arp_icmp(const struct daemon *d, const struct rb_config *c)
{
	if (c->responder != RB_RESPOND_AUTO)
		return c->responder == RB_RESPOND_ON;
	if (c->exception_tap[0])
		return 0;
	if (d->kind == RB_PORT_AF_PACKET || d->kind == RB_PORT_AF_XDP)
		return !kernel_owns(c->port, c->ip);
	return 1;
}

static json_t *
counters_json(struct daemon *d)
{
	uint64_t v[RB_CTR_MAX], drops = 0;
	json_t *o = json_object();
	unsigned int i;

	rb_dp_counters(d->dp, v);
	for (i = 0; i < RB_CTR_MAX; i++) {
		json_object_set_new(o, rb_counter_name((enum rb_counter)i),
				    json_integer((json_int_t)v[i]));
		if (rb_counter_is_drop((enum rb_counter)i))
			drops += v[i];
	}
	return json_pack("{s:o, s:I}", "counters", o, "drops_total",
			 (json_int_t)drops);
}

/** Leases in @p state now (bound, offered), in every pool. */
static uint32_t
leases_in(struct daemon *d, uint8_t state)
{
	uint32_t now = (uint32_t)time(NULL), n = 0;
	unsigned int i;

	for (i = 0; d->dhcpd && i < rb_dhcpd_pools(d->dhcpd); i++)
		n += rb_pool_count(rb_dhcpd_pool(d->dhcpd, i), state, now);
	return n;
}

/** Leases bound now, in every pool. */
static uint32_t
leases_bound(struct daemon *d)
{
	return leases_in(d, RB_LEASE_BOUND);
}

static json_t *status_core(struct daemon *d);

static json_t *
status_json(struct daemon *d)
{
	json_t *o = status_core(d);

	json_object_set_new(o, "data", json_string(d->cfg.data));
	if (d->profiles) {
		json_object_set_new(o, "profiles_generation",
				    json_integer((json_int_t)rb_profiles_generation(
					    d->profiles)));
		json_object_set_new(o, "groups",
				    json_integer(rb_profiles_ngroups(d->profiles)));
		json_object_set_new(o, "profiles",
				    json_integer(rb_profiles_nprofiles(d->profiles)));
	}
	json_object_set_new(o, "reload_failures",
			    json_integer((json_int_t)d->reload_failures));
	json_object_set_new(o, "leases_offered",
			    json_integer(leases_in(d, RB_LEASE_OFFERED)));
	if (d->tftpd)
		json_object_set_new(o, "tftp_transfers",
				    json_integer(rb_tftpd_active(d->tftpd)));
	if (d->journal) {
		json_object_set_new(o, "journal",
				    json_string(rb_journal_failing(d->journal)
							? "failing"
							: "ok"));
		json_object_set_new(o, "journal_errors",
				    json_integer((json_int_t)rb_journal_errors(
					    d->journal)));
	}
	return o;
}

static json_t *
status_core(struct daemon *d)
{
	const struct rb_config *c = &d->cfg;
	const struct rb_netif *nif = rb_dp_netif(d->dp);
	char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[INET_ADDRSTRLEN];
	char lo[INET_ADDRSTRLEN], hi[INET_ADDRSTRLEN];
	int answer = answers_arp_icmp(d, c);

	rte_ether_format_addr(mac, sizeof(mac), &nif->mac);
	return json_pack(
		"{s:s, s:i, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:I, s:s,"
		" s:I, s:s, s:i, s:I, s:s, s:s, s:I, s:I, s:b}",
		"version", "0.1.0", "pid", (int)getpid(), "port", c->port,
		"port_kind", kind_names[d->kind], "mac", mac, "address",
		ip_str(c->ip, ip), "prefix", (int)c->prefix, "dhcp",
		!c->dhcp ? "off" : c->proxy_dhcp ? "proxy" : "server",
		"pool_start", ip_str(c->ranges[0].lo, lo), "pool_end",
		ip_str(c->ranges[0].hi, hi), "pools", (json_int_t)c->nb_ranges,
		"lease_file", c->proxy_dhcp ? "" : c->lease_file,
		"leases_bound", (json_int_t)leases_bound(d), "root", c->root,
		"workers", (int)rb_dp_workers(d->dp), "tsc_hz",
		(json_int_t)rte_get_tsc_hz(), "arp_icmp_answered_by",
		answer ? "rackbootd"
		       : c->exception_tap[0] ? "exception tap" : "kernel",
		"exception_tap", c->exception_tap, "generation",
		(json_int_t)d->generation, "uptime_seconds",
		(json_int_t)(time(NULL) - d->started), "hugepages",
		d->hugepages);
}

static int configure_xdp(struct daemon *d);

/** Log what a file cache holds. */
static void
log_cache(const char *what, const char *dir, const struct rb_filecache *c)
{
	uint64_t files, bytes, skipped, shared;

	rb_filecache_stats(c, &files, &bytes, &skipped, &shared);
	rb_log(RB_LOG_INFO, "files_loaded",
	       "%s %s: %llu files, %llu bytes (%llu unchanged, shared with the "
	       "previous load); %llu left out (over --tftp-max-file or "
	       "--tftp-cache)",
	       what, dir, (unsigned long long)files, (unsigned long long)bytes,
	       (unsigned long long)shared, (unsigned long long)skipped);
}

/**
 * Load the root (and templates) from @p cfg into new caches, sharing the
 * unchanged files of the current ones.
 *
 * @return 0, or -1 with @p err set and nothing loaded
 */
static int
load_caches(struct daemon *d, const struct rb_config *cfg,
	    struct rb_filecache **files, struct rb_profiles **profiles,
	    char *err, size_t errlen)
{
	struct rb_filecache *templates = NULL;
	char why[256];

	*files = NULL;
	*profiles = NULL;
	if (rb_filecache_load(cfg->root, (uint64_t)cfg->tftp_max_file_mb << 20,
			      (uint64_t)cfg->tftp_cache_mb << 20, d->files,
			      files, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (cfg->templates[0] &&
	    rb_filecache_load(cfg->templates, 1 << 20, 64 << 20,
			      d->profiles ? rb_profiles_templates(d->profiles)
					  : NULL,
			      &templates, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "templates: %s", why);
		rb_filecache_free(*files);
		*files = NULL;
		return -1;
	}
	if (templates)
		log_cache("templates", cfg->templates, templates);
	/* the snapshot owns the templates from here on, even on failure */
	if (rb_profiles_load(cfg->data, cfg->root, templates, d->profile_slots,
			     d->generation + (d->profiles ? 1 : 0), profiles, err,
			     errlen) < 0) {
		rb_filecache_free(*files);
		*files = NULL;
		return -1;
	}
	log_cache("root", cfg->root, *files);
	if (cfg->data[0])
		rb_log(RB_LOG_INFO, "profiles_loaded",
		       "%s: generation %llu: %u groups, %u profiles, %u "
		       "templates", cfg->data,
		       (unsigned long long)rb_profiles_generation(*profiles),
		       rb_profiles_ngroups(*profiles),
		       rb_profiles_nprofiles(*profiles),
		       rb_profiles_ntemplates(*profiles));
	return 0;
}

/** Publish the serving snapshot's figures for /metrics. */
static void
note_snapshot(struct daemon *d)
{
	__atomic_store_n(&d->snap_gen, rb_profiles_generation(d->profiles),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&d->snap_groups, rb_profiles_ngroups(d->profiles),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&d->snap_profiles, rb_profiles_nprofiles(d->profiles),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&d->snap_have, 1, __ATOMIC_RELEASE);
}

/** Free the replaced caches nothing uses any more. */
static void
reap_caches(struct daemon *d)
{
	unsigned int i = 0;

	while (i < d->nb_retired) {
		struct retired *r = &d->retired[i];

		if (!rb_dp_grace_done(d->dp, r->token) ||
		    (r->files && rb_filecache_busy(r->files)) ||
		    (r->profiles && rb_profiles_busy(r->profiles))) {
			i++;
			continue;
		}
		rb_filecache_free(r->files);
		rb_profiles_free(r->profiles);
		rb_log(RB_LOG_DEBUG, "cache_freed",
		       "a replaced file cache is no longer used");
		*r = d->retired[--d->nb_retired];
	}
}

/**
 * Serve the files on disk now: transfers in flight finish with what they
 * started with.  On failure the files loaded before keep serving.
 *
 * @return 0, or -1 with @p err set
 */
static int
reload_files(struct daemon *d, const struct rb_config *cfg, char *err,
	     size_t errlen)
{
	struct rb_filecache *files, *old_files;
	struct rb_profiles *profiles;
	const struct rb_profiles *old_profiles;
	struct retired *r;

	if (d->tftpd == NULL && d->httpd == NULL)
		return 0;
	reap_caches(d);
	if (d->nb_retired == sizeof(d->retired) / sizeof(d->retired[0])) {
		snprintf(err, errlen, "files: earlier reloads still have "
			 "transfers in flight; try again when they end");
		return -1;
	}
	if (load_caches(d, cfg, &files, &profiles, err, errlen) < 0)
		return -1;
	if (d->httpd &&
	    rb_httpd_swap(d->httpd, cfg->root, files, profiles) < 0) {
		snprintf(err, errlen, "root %.400s cannot be opened", cfg->root);
		rb_filecache_free(files);
		rb_profiles_free(profiles);
		return -1;
	}
	old_files = d->files;
	old_profiles = d->profiles;
	if (d->tftpd)
		rb_tftpd_swap(d->tftpd, files, profiles, &old_files,
			      &old_profiles);
	if (d->dhcpd)
		rb_dhcpd_set_profiles(d->dhcpd, profiles);
	r = &d->retired[d->nb_retired++];
	r->files = old_files;
	r->profiles = d->profiles;
	r->token = rb_dp_grace_start(d->dp);
	d->files = files;
	d->profiles = profiles;
	note_snapshot(d);
	reap_caches(d);
	return 0;
}

/** SIGHUP or `rackbootctl reload`: re-read the configuration. */
static json_t *
reload(struct daemon *d)
{
	struct rb_config next;
	char err[512], restart[256];

	if (rb_config_load(&next, d->argc, d->argv, err, sizeof(err))) {
		d->reload_failures++;
		rb_log(RB_LOG_ERR, "reload_failed",
		       "%s; generation %llu keeps running", err,
		       (unsigned long long)d->generation);
		return json_pack("{s:s, s:I}", "error", err, "generation",
				 (json_int_t)d->generation);
	}
	rb_config_restart_needed(&d->cfg, &next, restart, sizeof(restart));
	if (reload_files(d, &next, err, sizeof(err)) < 0) {
		d->reload_failures++;
		rb_log(RB_LOG_ERR, "reload_failed",
		       "%s; generation %llu keeps serving its files and "
		       "profiles", err, (unsigned long long)d->generation);
		return json_pack("{s:s, s:I}", "error", err, "generation",
				 (json_int_t)d->generation);
	}
	/* take what can change live; the rest waits for a restart */
	d->cfg.log_json = next.log_json;
	d->cfg.log_level = next.log_level;
	d->cfg.idle_sleep_us = next.idle_sleep_us;
	d->cfg.responder = next.responder;
	memcpy(d->cfg.root, next.root, sizeof(d->cfg.root));
	memcpy(d->cfg.templates, next.templates, sizeof(d->cfg.templates));
	memcpy(d->cfg.data, next.data, sizeof(d->cfg.data));
	d->cfg.tftp_max_file_mb = next.tftp_max_file_mb;
	d->cfg.tftp_cache_mb = next.tftp_cache_mb;
	d->cfg.http_rate = next.http_rate;
	if (d->httpd)
		rb_httpd_set_rate(d->httpd, d->cfg.http_rate);
	rb_log_setup(d->cfg.log_json, (enum rb_log_level)d->cfg.log_level);
	rb_dp_tune(d->dp, d->cfg.idle_sleep_us, answers_arp_icmp(d, &d->cfg));
	if (d->kind == RB_PORT_AF_XDP && configure_xdp(d) < 0)
		return json_pack("{s:s}", "error", "XDP program settings");
	d->generation++;
	if (restart[0])
		rb_log(RB_LOG_WARN, "reload_partial",
		       "changed options need a restart: %s", restart);
	rb_log(RB_LOG_INFO, "reloaded", "configuration generation %llu",
	       (unsigned long long)d->generation);
	return json_pack("{s:I, s:s}", "generation", (json_int_t)d->generation,
			 "restart_needed", restart);
}

static void
lease_json(void *ctx, const struct rb_journal_rec *r)
{
	char ip[INET_ADDRSTRLEN], mac[24], id[RB_KEY_MAX * 3 + 1];
	json_t *arr = ctx;
	unsigned int i;

	if (r->expires <= (uint32_t)time(NULL))
		return;
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", r->mac[0],
		 r->mac[1], r->mac[2], r->mac[3], r->mac[4], r->mac[5]);
	id[0] = '\0';
	/* "01:52:54:...": two hex digits, a colon before each but the first */
	for (i = 0; i < r->key.len && i < RB_KEY_MAX; i++)
		snprintf(id + (i ? 3 * i - 1 : 0), 4, i ? ":%02x" : "%02x",
			 r->key.data[i]);
	json_array_append_new(
		arr, json_pack("{s:s, s:s, s:s, s:I, s:s}", "ip",
			       ip_str(r->ip, ip), "mac", mac, "state",
			       r->type == RB_JREC_DECLINE ? "declined" : "bound",
			       "expires", (json_int_t)r->expires, "client_id",
			       id));
}

/** `rackbootctl leases`: the leases on disk (the journal's mirror). */
static json_t *
leases_json(struct daemon *d)
{
	json_t *arr = json_array();

	if (d->journal)
		rb_journal_foreach(d->journal, lease_json, arr);
	return json_pack("{s:o}", "leases", arr);
}

/**
 * `rackbootctl profile-for MAC [key=value...]`: the group and profile the
 * machine would get now, and the selector terms that chose them.
 */
static json_t *
profile_for(struct daemon *d, const char *args)
{
	struct rb_machine m = {0};
	struct rb_fact extra[16];
	char buf[1024], why[512], *tok, *save = NULL;
	unsigned int n = 0;
	int g;

	if (d->profiles == NULL)
		return json_pack("{s:s}", "error", "no profiles are loaded "
						   "(TFTP and HTTP are off)");
	snprintf(buf, sizeof(buf), "%s", args);
	tok = strtok_r(buf, " ", &save);
	if (tok == NULL || rb_bootcfg_parse_mac(tok, m.mac) < 0)
		return json_pack("{s:s}", "error", "usage: profile-for MAC "
						   "[key=value ...]");
	m.have_mac = 1;
	while ((tok = strtok_r(NULL, " ", &save)) && n < 16) {
		char *eq = strchr(tok, '=');

		if (eq == NULL || eq == tok)
			return json_pack("{s:s, s:s}", "error",
					 "a fact is key=value", "got", tok);
		*eq = '\0';
		if (strcmp(tok, "uuid") == 0)
			snprintf(m.uuid, sizeof(m.uuid), "%s", eq + 1);
		else if (strcmp(tok, "ip") == 0)
			inet_pton(AF_INET, eq + 1, &m.ip);
		else
			extra[n++] = (struct rb_fact){tok, eq + 1};
	}
	g = rb_profiles_match(d->profiles, d->profile_slots - 1, &m, extra, n,
			      why, sizeof(why));
	if (g < 0)
		return json_pack("{s:s, s:I}", "error",
				 rb_profiles_have_data(d->profiles)
					 ? "no group matches, and there is "
					   "no default group"
					 : "no data directory is loaded (--data)",
				 "generation",
				 (json_int_t)rb_profiles_generation(d->profiles));
	return json_pack("{s:s, s:s, s:s, s:s, s:I}", "group",
			 rb_profiles_group_id(d->profiles, g), "group_file",
			 rb_profiles_group_file(d->profiles, g), "profile",
			 rb_profiles_profile_id(d->profiles, g), "why", why,
			 "generation",
			 (json_int_t)rb_profiles_generation(d->profiles));
}

static void watch_data(struct daemon *d);
static void take_boot_events(struct daemon *d);

static json_t *
handle_command(void *ctx, const char *cmd)
{
	struct daemon *d = ctx;

	if (strncmp(cmd, "profile-for ", 12) == 0)
		return profile_for(d, cmd + 12);
	if (strcmp(cmd, "leases") == 0)
		return leases_json(d);
	if (strcmp(cmd, "machines") == 0) {
		take_boot_events(d);
		return json_pack("{s:o, s:I}", "machines",
				 rb_machines_json(d->machines), "events_lost",
				 (json_int_t)rb_bootev_lost(d->bootev));
	}
	if (strcmp(cmd, "stats") == 0)
		return counters_json(d);
	if (strcmp(cmd, "status") == 0)
		return status_json(d);
	if (strcmp(cmd, "reload") == 0) {
		json_t *o = reload(d);

		watch_data(d);
		return o;
	}
	return json_pack("{s:s}", "error", "unknown command");
}

/* the data directory and the subdirectories a snapshot reads */
static const char *const watched[] = {
	"", "groups", "profiles", "templates", "ignition", "cloud", "generic",
};

/**
 * Watch the data directory (again: a reload may name another, and a
 * subdirectory may have been created since).
 */
static void
watch_data(struct daemon *d)
{
	unsigned int i;

	if (d->inotify_fd < 0)
		return;
	for (i = 0; i < d->nb_wd; i++)
		inotify_rm_watch(d->inotify_fd, d->wd[i]);
	d->nb_wd = 0;
	if (!d->cfg.data[0] || d->profiles == NULL)
		return;
	for (i = 0; i < sizeof(watched) / sizeof(watched[0]); i++) {
		char path[PATH_MAX + 16];
		int wd;

		snprintf(path, sizeof(path), "%s/%s", d->cfg.data, watched[i]);
		wd = inotify_add_watch(d->inotify_fd, path,
				       IN_CLOSE_WRITE | IN_MOVED_TO |
					       IN_MOVED_FROM | IN_DELETE |
					       IN_CREATE | IN_ONLYDIR);
		if (wd >= 0)
			d->wd[d->nb_wd++] = wd;
	}
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* a burst of writes (an editor, rsync, git checkout) is one reload */
#define DATA_SETTLE_MS 300

/** Reload once the data directory has been quiet for a moment. */
static void
data_changed(struct daemon *d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	ssize_t n;

	while ((n = read(d->inotify_fd, buf, sizeof(buf))) > 0) {
		ssize_t o = 0;

		while (o + (ssize_t)sizeof(struct inotify_event) <= n) {
			const struct inotify_event *e =
				(const struct inotify_event *)(buf + o);

			/* a watch removed (by watch_data, or with its
			 * directory, whose parent reports the delete) is no
			 * change: reloading on it would loop */
			if (!(e->mask & IN_IGNORED))
				changed = 1;
			o += (ssize_t)sizeof(*e) + e->len;
		}
	}
	if (!changed)
		return;
	if (d->data_changed == 0)
		rb_log(RB_LOG_INFO, "data_changed", "%s changed: reloading "
		       "when it settles", d->cfg.data);
	d->data_changed = now_ms();
}

/** The workers' and HTTP threads' boot events into the machine table. */
static void
take_boot_events(struct daemon *d)
{
	struct rb_bootev ev[64];
	unsigned int n, i;

	if (d->bootev == NULL)
		return;
	while ((n = rb_bootev_pop(d->bootev, ev, 64)) > 0)
		for (i = 0; i < n; i++)
			rb_machines_event(d->machines, &ev[i], d->profiles,
					  d->profile_slots - 1);
}

/** The control thread: signals and the control socket, until stopped. */
static void *
control_main(void *arg)
{
	struct daemon *d = arg;
	struct epoll_event ev[4];
	int ep = epoll_create1(EPOLL_CLOEXEC);

	ev[0] = (struct epoll_event){.events = EPOLLIN, .data.fd = d->sig_fd};
	epoll_ctl(ep, EPOLL_CTL_ADD, d->sig_fd, &ev[0]);
	ev[0] = (struct epoll_event){.events = EPOLLIN, .data.fd = d->ctl_fd};
	epoll_ctl(ep, EPOLL_CTL_ADD, d->ctl_fd, &ev[0]);
	if (d->inotify_fd >= 0) {
		ev[0] = (struct epoll_event){.events = EPOLLIN,
					     .data.fd = d->inotify_fd};
		epoll_ctl(ep, EPOLL_CTL_ADD, d->inotify_fd, &ev[0]);
	}
	watch_data(d);

	for (;;) {
		/* replaced caches are looked at until they are freed */
		int n = epoll_wait(ep, ev, 4,
				   d->data_changed ? DATA_SETTLE_MS / 3
						   : TRACK_MS),
		    i;

		take_boot_events(d);
		reap_caches(d);
		if (d->data_changed &&
		    now_ms() - d->data_changed >= DATA_SETTLE_MS) {
			d->data_changed = 0;
			json_decref(reload(d));
			watch_data(d);
		}

		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			struct signalfd_siginfo si;

			if (ev[i].data.fd == d->ctl_fd) {
				rb_ctl_serve(d->ctl_fd, handle_command, d);
				continue;
			}
			if (ev[i].data.fd == d->inotify_fd) {
				data_changed(d);
				continue;
			}
			if (read(d->sig_fd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGHUP) {
				json_decref(reload(d));
				watch_data(d);
				continue;
			}
			rb_log(RB_LOG_INFO, "stopping", "signal %s",
			       strsignal((int)si.ssi_signo));
			goto out;
		}
	}
out:
	close(ep);
	rb_httpd_stop(d->httpd);
	rb_dp_stop(d->dp);
	return NULL;
}

/** The UDP services; handlers are set once their servers exist. */
static void
define_services(struct daemon *d)
{
	static const struct rb_udp_service dhcp[] = {
		{"dhcp", DHCP_SERVER_PORT, DHCP_SERVER_PORT, NULL, NULL},
		{"pxe-boot-server", PXE_BOOT_SERVER_PORT, PXE_BOOT_SERVER_PORT,
		 NULL, NULL},
	};
	unsigned int i;

	d->nb_services = 0;
	for (i = 0; d->cfg.dhcp && i < sizeof(dhcp) / sizeof(dhcp[0]); i++)
		d->services[d->nb_services++] = dhcp[i];
	if (!d->cfg.tftp)
		return;
	d->services[d->nb_services++] =
		(struct rb_udp_service){"tftp", TFTP_PORT, TFTP_PORT, NULL,
					NULL};
	d->services[d->nb_services++] = (struct rb_udp_service){
		"tftp-transfer", d->cfg.tftp_port_lo, d->cfg.tftp_port_hi,
		NULL, NULL};
}

/**
 * Hold in the kernel every UDP port the dataplane serves, so the kernel,
 * which sees the frames too (af_packet, or af_xdp before its program is
 * set up), never answers them with ICMP port unreachable.
 */
static int
hold_ports(struct daemon *d)
{
	char err[256];
	unsigned int i;
	int taken = 0, rc;

	for (i = 0; i < d->nb_services; i++) {
		rc = rb_ports_hold(&d->held, d->cfg.port,
				   d->services[i].port_lo,
				   d->services[i].port_hi, err, sizeof(err));
		if (rc < 0) {
			rb_log(RB_LOG_ERR, "start_failed", "%s", err);
			return -1;
		}
		taken += rc;
	}
	d->ports_shared = taken > 0;
	if (taken)
		rb_log(RB_LOG_WARN, "ports_shared",
		       "%d of our UDP ports are already bound by another "
		       "program on this host; it will see those datagrams too",
		       taken);
	return 0;
}

/** The settings rackboot's BPF programs read: our address and UDP ports. */
static void
bpf_settings(struct daemon *d, struct rb_xdp_cfg *xc)
{
	unsigned int i;

	memset(xc, 0, sizeof(*xc));
	xc->ip = d->cfg.ip;
	xc->answer_self = (uint32_t)answers_arp_icmp(d, &d->cfg);
	for (i = 0; i < d->nb_services; i++)
		rb_xdp_cfg_ports(xc, d->services[i].port_lo,
				 d->services[i].port_hi);
}

/**
 * On an af_packet port, drop the UDP we serve at the kernel's ingress
 * hook, once the PMD has its copy (rackboot/tcfilter.h).  Not an error
 * when it cannot be done: the held sockets drop that UDP all the same,
 * later in the stack.  Nor done when another program holds some of our
 * ports: it would no longer see their datagrams.
 */
static void
attach_tc_filter(struct daemon *d)
{
	static struct rb_xdp_cfg xc; /* 8 KiB: not on the stack */
	char err[256];

	if (d->ports_shared) {
		rb_log(RB_LOG_INFO, "kernel_filter",
		       "off: another program holds some of our ports");
		return;
	}
	bpf_settings(d, &xc);
	d->tc_link = rb_tc_filter_attach(d->cfg.port, d->tc_prog, &xc, err,
					 sizeof(err));
	if (d->tc_link < 0)
		rb_log(RB_LOG_INFO, "kernel_filter",
		       "off (%s): the kernel's IP stack sees our UDP and the "
		       "held sockets drop it", err);
	else
		rb_log(RB_LOG_INFO, "kernel_filter",
		       "on: our UDP on %s is dropped at ingress once the PMD "
		       "has it (%s)", d->cfg.port, d->tc_prog);
}

/** Tell the XDP program of an af_xdp port what to hand rackbootd. */
static int
configure_xdp(struct daemon *d)
{
	static struct rb_xdp_cfg xc; /* 8 KiB: not on the stack */
	char err[256];

	bpf_settings(d, &xc);
	if (rb_xdp_configure(d->cfg.port, &xc, err, sizeof(err)) < 0) {
		rb_log(RB_LOG_ERR, "xdp_error", "%s", err);
		return -1;
	}
	return 0;
}

/**
 * A BPF object built beside this binary (build tree: control/rackbootd,
 * dataplane/@p name), else the installed one, @p installed.
 */
static void
find_bpf_obj(char *out, size_t len, const char *name, const char *installed)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(out, len, "%s/../dataplane/%s",
					     exe, name) < len &&
			    access(out, R_OK) == 0)
				return;
		}
	}
	snprintf(out, len, "%s", installed);
}

/**
 * The BPF programs: the XDP program to load (--xdp-prog, else rb_xdp.o)
 * and the af_packet ingress filter (rb_tc.o).
 */
static void
find_bpf_progs(struct daemon *d)
{
	if (d->cfg.xdp_prog[0])
		snprintf(d->xdp_prog, sizeof(d->xdp_prog), "%s",
			 d->cfg.xdp_prog);
	else
		find_bpf_obj(d->xdp_prog, sizeof(d->xdp_prog), "rb_xdp.o",
			     RB_XDP_PROG_INSTALLED);
	find_bpf_obj(d->tc_prog, sizeof(d->tc_prog), "rb_tc.o",
		     RB_TC_PROG_INSTALLED);
}

static int
start_eal(struct daemon *d)
{
	struct rb_eal_conf ec;
	char buf[2048], *argv[RB_EAL_MAX_ARGS];
	int argc;

	memset(&ec, 0, sizeof(ec));
	ec.lcores = d->cfg.lcores;
	ec.memory_mb = d->cfg.memory_mb;
	ec.pci = d->kind == RB_PORT_PCI ? d->cfg.port : NULL;
	ec.extra = d->cfg.eal_extra;
	ec.log_level = d->cfg.log_level == RB_LOG_DEBUG ? "7" : "4";
	ec.hugepages = d->hugepages = rb_eal_have_hugepages(d->cfg.memory_mb);
	argc = rb_eal_args(&ec, buf, sizeof(buf), argv);
	if (argc < 0) {
		rb_log(RB_LOG_ERR, "start_failed", "too many EAL arguments");
		return -1;
	}
	if (rte_eal_init(argc, argv) < 0) {
		rb_log(RB_LOG_ERR, "start_failed", "EAL: %s",
		       rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/** Make the lease file's directory (0700) when it is missing. */
static int
lease_dir(const char *file)
{
	char dir[PATH_MAX], *p;

	snprintf(dir, sizeof(dir), "%s", file);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(dir, 0700) < 0 && errno != EEXIST ? -errno : 0;
}

/**
 * The DHCP server: pools and reservations from the config, leases back
 * from the journal, then the journal's thread.
 */
static int
start_dhcp(struct daemon *d)
{
	static struct rb_dhcp_conf dc; /* boot files and pools: not the stack */
	const struct rb_config *c = &d->cfg;
	uint64_t good, cut;
	unsigned int i;
	int rc;

	if (!c->dhcp)
		return 0;
	memset(&dc, 0, sizeof(dc));
	dc.server_ip = c->ip;
	dc.offer_secs = c->offer_secs;
	dc.offer_limit = c->offer_limit;
	dc.decline_secs = 600;
	dc.proxy = c->proxy_dhcp;
	dc.sync = c->lease_sync == RB_SYNC_FSYNC;
	dc.nb_pools = c->nb_ranges;
	for (i = 0; i < c->nb_ranges; i++)
		dc.pools[i] = (struct rb_dhcp_pool_conf){
			c->ranges[i].lo, c->ranges[i].hi,
			c->ranges[i].lo & c->ranges[i].mask, c->ranges[i].mask,
			c->ranges[i].lease_secs};
	dc.nb_hosts = c->nb_hosts;
	dc.hosts = c->hosts;
	memcpy(dc.boot_file, c->boot_file, sizeof(dc.boot_file));
	if (rb_dhcpd_create(&dc, NULL, &d->dhcpd) < 0)
		return -1;
	if (c->proxy_dhcp)
		return 0; /* no addresses, no leases */
	rc = lease_dir(c->lease_file);
	if (rc == 0)
		rc = rb_journal_replay(c->lease_file, rb_dhcpd_restore,
				       d->dhcpd, &good, &cut);
	if (rc < 0) {
		rb_log(RB_LOG_ERR, "start_failed", "lease file %s: %s",
		       c->lease_file, strerror(-rc));
		return -1;
	}
	if (cut)
		rb_log(RB_LOG_WARN, "leases_repaired",
		       "%s: cut %llu bytes of a torn last write",
		       c->lease_file, (unsigned long long)cut);
	rc = rb_journal_start(c->lease_file, dc.sync, rte_lcore_count(),
			      &d->journal);
	if (rc < 0) {
		rb_log(RB_LOG_ERR, "start_failed", "lease journal %s: %s",
		       c->lease_file, strerror(-rc));
		return -1;
	}
	rb_dhcpd_attach_journal(d->dhcpd, d->journal);
	rb_log(RB_LOG_INFO, "leases_loaded", "%s: %llu records, fsync %s",
	       c->lease_file, (unsigned long long)good,
	       dc.sync ? "before each ACK" : "off");
	return 0;
}

/** The file cache from --root, which TFTP and HTTP serve. */
static int
start_files(struct daemon *d)
{
	char err[256];

	if (!d->cfg.tftp && !d->cfg.http)
		return 0;
	d->profile_slots = rte_lcore_count() + d->cfg.http_threads + 1;
	if (load_caches(d, &d->cfg, &d->files, &d->profiles, err,
			sizeof(err)) < 0) {
		rb_log(RB_LOG_ERR, "start_failed", "%s", err);
		return -1;
	}
	note_snapshot(d);
	return 0;
}

/** The TFTP server on the file cache. */
static int
start_tftp(struct daemon *d)
{
	struct rb_tftpd_conf tc;

	if (!d->cfg.tftp)
		return 0;
	memset(&tc, 0, sizeof(tc));
	tc.profiles = d->profiles;
	tc.track = d->bootev;
	tc.dhcpd = d->cfg.proxy_dhcp ? NULL : d->dhcpd;
	snprintf(tc.http_url, sizeof(tc.http_url), "%s", d->cfg.http_url);
	tc.server_ip = d->cfg.ip;
	tc.port_lo = d->cfg.tftp_port_lo;
	tc.port_hi = d->cfg.tftp_port_hi;
	tc.mc_addr_lo = d->cfg.tftp_mc_lo;
	tc.mc_addr_hi = d->cfg.tftp_mc_hi;
	tc.mc_port = d->cfg.tftp_mc_port;
	tc.mc_gather_ms = d->cfg.tftp_mc_gather_ms;
	/* a 1500-byte MTU less IPv4, UDP and TFTP headers (RFC 2348) */
	tc.max_blksize = 1468;
	tc.sessions = 16384;
	tc.timeout_ms = 1000;
	tc.retries = 6;
	return rb_tftpd_create(&tc, d->files, rte_lcore_count(), &d->tftpd) < 0
		       ? -1
		       : 0;
}

/**
 * Give the services starting at ports @p a and @p b their handler, and the
 * workers the server's poller; nothing when the server is off (@p ctx NULL).
 */
static void
serve(struct daemon *d, struct rb_dp_conf *dc, uint16_t a, uint16_t b,
      rb_udp_handler_t handler, rb_poller_t poll, void *ctx)
{
	unsigned int i;

	if (ctx == NULL)
		return;
	for (i = 0; i < d->nb_services; i++) {
		if (d->services[i].port_lo == a || d->services[i].port_lo == b) {
			d->services[i].handler = handler;
			d->services[i].ctx = ctx;
		}
	}
	dc->pollers[dc->nb_pollers].fn = poll;
	dc->pollers[dc->nb_pollers++].ctx = ctx;
}

static int
start_dataplane(struct daemon *d)
{
	struct rb_dp_conf dc;
	uint16_t port, exc;
	char err[256];

	if (rb_port_open(d->kind, d->cfg.port, rte_lcore_count(), d->xdp_prog,
			 d->cfg.port_frames, &port, err, sizeof(err)) < 0) {
		rb_log(RB_LOG_ERR, "start_failed", "boot port: %s", err);
		return -1;
	}
	if (rb_bootev_create(BOOTEV_QUEUE, &d->bootev) < 0 ||
	    rb_machines_create(MACHINES_MAX, &d->machines) < 0) {
		rb_log(RB_LOG_ERR, "start_failed", "boot tracking: out of memory");
		return -1;
	}
	memset(&dc, 0, sizeof(dc));
	dc.port_id = port;
	dc.exception_port = -1;
	if (d->cfg.exception_tap[0]) {
		struct rte_ether_addr mac;

		rte_eth_macaddr_get(port, &mac);
		if (rb_exception_tap_open(d->cfg.exception_tap, &mac, d->cfg.ip,
					  d->cfg.prefix, &exc, err,
					  sizeof(err)) < 0) {
			rb_log(RB_LOG_ERR, "start_failed", "exception tap: %s",
			       err);
			return -1;
		}
		dc.exception_port = exc;
		d->exception_port = exc;
	}
	dc.nif.ip = d->cfg.ip;
	dc.nif.netmask =
		htonl(d->cfg.prefix ? UINT32_MAX << (32 - d->cfg.prefix) : 0);
	dc.answer_arp_icmp = answers_arp_icmp(d, &d->cfg);
	dc.idle_sleep_us = d->cfg.idle_sleep_us;
	dc.main_lcore_works = 1;
	if (start_dhcp(d) < 0)
		return -1;
	if (d->dhcpd) /* not with --no-dhcp */
		rb_dhcpd_set_tracker(d->dhcpd, d->bootev);
	serve(d, &dc, DHCP_SERVER_PORT, PXE_BOOT_SERVER_PORT, rb_dhcpd_handle,
	      rb_dhcpd_poll, d->dhcpd);
	if (start_files(d) < 0 || start_tftp(d) < 0)
		return -1;
	if (d->dhcpd)
		rb_dhcpd_set_profiles(d->dhcpd, d->profiles);
	serve(d, &dc, TFTP_PORT, d->cfg.tftp_port_lo, rb_tftpd_handle,
	      rb_tftpd_poll, d->tftpd);
	memcpy(dc.services, d->services, sizeof(dc.services));
	dc.nb_services = d->nb_services;
	if (rb_dp_create(&dc, &d->dp) < 0)
		return -1;
	/* the PMD attached the XDP program when it set up its queues */
	if (d->kind == RB_PORT_AF_XDP && configure_xdp(d) < 0)
		return -1;
	if (d->kind == RB_PORT_AF_PACKET)
		attach_tc_filter(d);
	return 0;
}

/** /metrics beyond HTTP's own: the workers' counters and the daemon's. */
static void
daemon_metrics(void *ctx, FILE *o)
{
	struct daemon *d = ctx;
	uint64_t v[RB_CTR_MAX];
	unsigned int i;

	rb_dp_counters(d->dp, v);
	fprintf(o, "# HELP rackboot_dataplane_total The DPDK workers' "
		   "counters (rackbootctl stats), drops included.\n"
		   "# TYPE rackboot_dataplane_total counter\n");
	for (i = 0; i < RB_CTR_MAX; i++)
		fprintf(o, "rackboot_dataplane_total{counter=\"%s\"} %llu\n",
			rb_counter_name((enum rb_counter)i),
			(unsigned long long)v[i]);
	fprintf(o, "# HELP rackboot_leases_bound DHCP leases bound now.\n"
		   "# TYPE rackboot_leases_bound gauge\nrackboot_leases_bound %u\n"
		   "# HELP rackboot_generation The configuration generation "
		   "(reloads).\n# TYPE rackboot_generation gauge\n"
		   "rackboot_generation %llu\n",
		leases_bound(d), (unsigned long long)d->generation);
	fprintf(o, "# HELP rackboot_leases_offered DHCP offers holding an "
		   "address now.\n# TYPE rackboot_leases_offered gauge\n"
		   "rackboot_leases_offered %u\n",
		leases_in(d, RB_LEASE_OFFERED));
	if (d->tftpd)
		fprintf(o, "# HELP rackboot_tftp_transfers TFTP transfers in "
			   "progress now, multicast members included.\n"
			   "# TYPE rackboot_tftp_transfers gauge\n"
			   "rackboot_tftp_transfers %u\n",
			rb_tftpd_active(d->tftpd));
	if (d->journal)
		fprintf(o, "# HELP rackboot_journal_errors_total Lease journal "
			   "writes or syncs that failed (a full disk).\n"
			   "# TYPE rackboot_journal_errors_total counter\n"
			   "rackboot_journal_errors_total %llu\n"
			   "# HELP rackboot_journal_failing 1 while the lease "
			   "journal cannot write: new leases wait.\n"
			   "# TYPE rackboot_journal_failing gauge\n"
			   "rackboot_journal_failing %d\n",
			(unsigned long long)rb_journal_errors(d->journal),
			rb_journal_failing(d->journal));
	if (__atomic_load_n(&d->snap_have, __ATOMIC_ACQUIRE))
		fprintf(o, "# HELP rackboot_profiles_generation The profiles "
			   "snapshot serving.\n# TYPE rackboot_profiles_generation "
			   "gauge\nrackboot_profiles_generation %llu\n"
			   "# HELP rackboot_profile_groups Groups in the snapshot.\n"
			   "# TYPE rackboot_profile_groups gauge\n"
			   "rackboot_profile_groups %u\n"
			   "# HELP rackboot_profiles Profiles in the snapshot.\n"
			   "# TYPE rackboot_profiles gauge\nrackboot_profiles %u\n",
			(unsigned long long)__atomic_load_n(&d->snap_gen,
							    __ATOMIC_RELAXED),
			__atomic_load_n(&d->snap_groups, __ATOMIC_RELAXED),
			__atomic_load_n(&d->snap_profiles, __ATOMIC_RELAXED));
	rb_machines_metrics(d->machines, o);
	fprintf(o, "# HELP rackboot_boot_events_lost_total Boot events "
		   "dropped: the queue to the control thread was full.\n"
		   "# TYPE rackboot_boot_events_lost_total counter\n"
		   "rackboot_boot_events_lost_total %llu\n",
		(unsigned long long)rb_bootev_lost(d->bootev));
	fprintf(o, "# HELP rackboot_reload_failures_total Reloads rejected "
		   "(the last good configuration kept serving).\n"
		   "# TYPE rackboot_reload_failures_total counter\n"
		   "rackboot_reload_failures_total %llu\n",
		(unsigned long long)d->reload_failures);
}

/** The HTTP server: the same root and templates, the same leases. */
static int
start_http(struct daemon *d)
{
	const struct rb_config *c = &d->cfg;
	struct rb_httpd_conf hc;
	char err[256];

	d->access_fd = -1;
	if (!c->http)
		return 0;
	memset(&hc, 0, sizeof(hc));
	hc.listen_ip = c->http_ip ? c->http_ip : c->ip;
	hc.listen_port = c->http_port;
	hc.admin_ip = c->http_admin_ip;
	hc.admin_port = c->http_admin_port;
	hc.threads = c->http_threads;
	hc.max_conns = c->http_max_conns;
	hc.send_mode = (enum rb_http_send)c->http_send;
	hc.rate = c->http_rate;
	hc.header_timeout_ms = c->http_header_timeout * 1000;
	hc.idle_timeout_ms = c->http_idle_timeout * 1000;
	hc.send_timeout_ms = c->http_send_timeout * 1000;
	hc.senders = c->http_senders;
	hc.log_json = c->log_json;
	hc.server_ip = c->ip;
	snprintf(hc.http_url, sizeof(hc.http_url), "%s", c->http_url);
	hc.dhcpd = c->proxy_dhcp ? NULL : d->dhcpd;
	hc.metrics = daemon_metrics;
	hc.metrics_ctx = d;
	hc.track = d->bootev;
	if (strcmp(c->http_access_log, "-") == 0) {
		hc.access_log_fd = STDERR_FILENO;
	} else if (c->http_access_log[0]) {
		d->access_fd = open(c->http_access_log,
				    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
				    0640);
		if (d->access_fd < 0) {
			rb_log(RB_LOG_ERR, "start_failed", "access log %s: %s",
			       c->http_access_log, strerror(errno));
			return -1;
		}
		hc.access_log_fd = d->access_fd;
	} else {
		hc.access_log_fd = -1;
	}
	hc.profile_slot = rte_lcore_count();
	if (rb_httpd_create(&hc, c->root, d->files, d->profiles, &d->httpd,
			    err, sizeof(err)) < 0) {
		rb_log(RB_LOG_ERR, "start_failed", "HTTP: %s", err);
		return -1;
	}
	return 0;
}

static void
teardown(struct daemon *d)
{
	char rundir[PATH_MAX];
	uint16_t port;

	/* the journal hands back ACK mbufs: it goes before their pool */
	rb_journal_stop(d->journal);
	rb_dhcpd_destroy(d->dhcpd);
	rb_tftpd_destroy(d->tftpd);
	rb_httpd_destroy(d->httpd);
	rb_bootev_free(d->bootev);
	rb_machines_free(d->machines);
	if (d->access_fd >= 0)
		close(d->access_fd);
	while (d->nb_retired) {
		d->nb_retired--;
		rb_filecache_free(d->retired[d->nb_retired].files);
		rb_profiles_free(d->retired[d->nb_retired].profiles);
	}
	rb_filecache_free(d->files);
	rb_profiles_free(d->profiles);
	rb_dp_destroy(d->dp);
	RTE_ETH_FOREACH_DEV(port)
		rte_eth_dev_close(port);
	/* EAL makes its runtime directory even with --no-shconf and
	 * --in-memory, and leaves it behind, empty */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (rundir[0])
		rmdir(rundir);
}

int
main(int argc, char **argv)
{
	static struct daemon d;
	char err[512], ip[INET_ADDRSTRLEN], lo[INET_ADDRSTRLEN],
		hi[INET_ADDRSTRLEN], kind[64];
	pthread_t control;
	sigset_t sigs;

	d.argc = argc;
	d.argv = argv;
	d.ctl_fd = -1;
	d.inotify_fd = -1;
	d.tc_link = -1;
	d.access_fd = -1;
	/* a peer that closes mid-response is an error code, not a signal */
	signal(SIGPIPE, SIG_IGN);
	d.exception_port = -1;
	if (rb_config_load(&d.cfg, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "rackbootd: %s\n", err);
		return RB_EXIT_CONFIG;
	}
	if (d.cfg.help) {
		rb_config_usage(stdout);
		return 0;
	}
	if (d.cfg.version) {
		printf("rackbootd 0.1.0\n");
		return 0;
	}
	rb_log_setup(d.cfg.log_json, (enum rb_log_level)d.cfg.log_level);
	d.kind = rb_port_kind_of(d.cfg.port, d.cfg.port_driver);
	d.started = time(NULL);

	/* every thread, EAL's included, inherits the mask: the signals
	 * reach only the control thread's signalfd */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	d.sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	d.inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	d.ctl_fd = rb_ctl_listen(d.cfg.control, err, sizeof(err));
	if (d.ctl_fd < 0) {
		rb_log(RB_LOG_ERR, "start_failed", "%s", err);
		return 1;
	}
	define_services(&d);
	find_bpf_progs(&d);
	if ((d.kind == RB_PORT_AF_PACKET || d.kind == RB_PORT_AF_XDP) &&
	    hold_ports(&d) < 0) {
		rb_ctl_close(d.ctl_fd, d.cfg.control);
		return 1;
	}
	if (start_eal(&d) < 0) {
		rb_ports_release(&d.held);
		rb_ctl_close(d.ctl_fd, d.cfg.control);
		return 1;
	}
	if (start_dataplane(&d) < 0 || start_http(&d) < 0) {
		d.exit_code = 1;
		goto out;
	}
	if (d.kind == RB_PORT_AF_PACKET)
		snprintf(kind, sizeof(kind), "%s, rings of %u frames",
			 kind_names[d.kind], d.cfg.port_frames);
	else
		snprintf(kind, sizeof(kind), "%s", kind_names[d.kind]);
	rb_log(RB_LOG_INFO, "started",
	       "port %s (%s), address %s/%u, DHCP %s (pool %s-%s%s), %u "
	       "worker(s) on lcores %s, %u MiB %s, ARP/ping answered by %s, "
	       "control %s",
	       d.cfg.port, kind, ip_str(d.cfg.ip, ip),
	       d.cfg.prefix,
	       !d.cfg.dhcp ? "off" : d.cfg.proxy_dhcp ? "proxy" : "server",
	       ip_str(d.cfg.ranges[0].lo, lo), ip_str(d.cfg.ranges[0].hi, hi),
	       d.cfg.nb_ranges > 1 ? " and more" : "", rb_dp_workers(d.dp),
	       d.cfg.lcores,
	       d.cfg.memory_mb, d.hugepages ? "on hugepages" : "without hugepages",
	       answers_arp_icmp(&d, &d.cfg)
		       ? "rackbootd"
		       : d.cfg.exception_tap[0] ? "the exception tap" : "the kernel",
	       d.cfg.control);
	if (d.httpd) {
		char hip[INET_ADDRSTRLEN];
		uint32_t a = d.cfg.http_ip ? d.cfg.http_ip : d.cfg.ip;

		if (rb_httpd_start(d.httpd) < 0) {
			rb_log(RB_LOG_ERR, "start_failed", "HTTP threads");
			d.exit_code = 1;
			goto out;
		}
		rb_log(RB_LOG_INFO, "http_started",
		       "HTTP on %s:%u, %u thread(s), send %s, %u connections "
		       "at most; admin %s",
		       ip_str(a, hip), d.cfg.http_port, d.cfg.http_threads,
		       (const char *[]){"read", "splice", "zc"}[d.cfg.http_send],
		       d.cfg.http_max_conns,
		       d.cfg.http_admin_port ? "on" : "off");
	}
	if (rte_ctrl_thread_create(&control, "rb-control", NULL, control_main,
				   &d) != 0) {
		rb_log(RB_LOG_ERR, "start_failed", "control thread");
		d.exit_code = 1;
		goto out;
	}
	rb_dp_run(d.dp);
	pthread_join(control, NULL);
out:
	teardown(&d);
	if (d.tc_link >= 0)
		close(d.tc_link);
	rb_ports_release(&d.held);
	rb_ctl_close(d.ctl_fd, d.cfg.control);
	close(d.sig_fd);
	if (d.inotify_fd >= 0)
		close(d.inotify_fd);
	rb_log(RB_LOG_INFO, "stopped", "exit status %d", d.exit_code);
	return d.exit_code;
}
