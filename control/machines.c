/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Boot tracking (see machines.h): an open-addressing table of machines by
 * MAC, owned by the control thread; the per-stage counts and histograms
 * are atomics, so /metrics reads them from the HTTP threads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rackboot/bootcfg.h"
#include "rackboot/machines.h"

/* histogram bounds: seconds from DISCOVER */
static const double bounds[] = {0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600};
#define NB_BOUNDS (sizeof(bounds) / sizeof(bounds[0]))

struct rec {
	uint8_t used;
	uint8_t mac[6];
	uint8_t stage;        /* the furthest reached, or 0xff: none yet */
	uint32_t ip;
	uint32_t boots;
	int group;            /* in the snapshot of `gen`, or -1 */
	uint64_t gen;
	uint64_t t[RB_STAGES]; /* ns, 0: not reached in this boot */
	char group_id[48];
};

struct rb_machines {
	struct rec *recs;
	unsigned int cap, n;
	uint64_t full;        /* machines not kept: the table was full */
	uint64_t reached[RB_STAGES];
	uint64_t hist[RB_STAGES][NB_BOUNDS + 1];
	uint64_t sum_ms[RB_STAGES];
};

static const char *const stage_names[RB_STAGES] = {
	"discover", "offer", "ack", "boot_program", "script", "kernel",
	"initrd", "done",
};

const char *
rb_stage_name(enum rb_stage s)
{
	return s < RB_STAGES ? stage_names[s] : "?";
}

int
rb_machines_create(unsigned int cap, struct rb_machines **out)
{
	struct rb_machines *t = calloc(1, sizeof(*t));
	unsigned int c = 64;

	while (c < cap * 2)
		c <<= 1;
	if (t == NULL || (t->recs = calloc(c, sizeof(*t->recs))) == NULL) {
		free(t);
		return -ENOMEM;
	}
	t->cap = c;
	*out = t;
	return 0;
}

void
rb_machines_free(struct rb_machines *t)
{
	if (t == NULL)
		return;
	free(t->recs);
	free(t);
}

static unsigned int
hash_mac(const uint8_t *m)
{
	uint64_t v = 0;

	memcpy(&v, m, 6);
	v *= 0x9e3779b97f4a7c15ull;
	return (unsigned int)(v >> 32);
}

/** The machine with @p mac, added when @p add; NULL when absent or full. */
static struct rec *
find(struct rb_machines *t, const uint8_t *mac, int add)
{
	unsigned int i = hash_mac(mac) & (t->cap - 1);

	for (;;) {
		struct rec *r = &t->recs[i];

		if (!r->used) {
			/* half full at most: probes stay short */
			if (!add || t->n >= t->cap / 2) {
				if (add)
					__atomic_add_fetch(&t->full, 1,
							   __ATOMIC_RELAXED);
				return NULL;
			}
			r->used = 1;
			memcpy(r->mac, mac, 6);
			r->stage = 0xff;
			r->group = -1;
			t->n++;
			return r;
		}
		if (memcmp(r->mac, mac, 6) == 0)
			return r;
		i = (i + 1) & (t->cap - 1);
	}
}

/** The machine that holds address @p ip (HTTP without a known MAC). */
static struct rec *
find_ip(struct rb_machines *t, uint32_t ip)
{
	unsigned int i;

	for (i = 0; ip && i < t->cap; i++)
		if (t->recs[i].used && t->recs[i].ip == ip)
			return &t->recs[i];
	return NULL;
}

/** Stage @p s reached at @p ns, the first time in this boot. */
static void
reach(struct rb_machines *t, struct rec *r, enum rb_stage s, uint64_t ns)
{
	double secs;
	unsigned int b;

	if (r->t[s])
		return;
	r->t[s] = ns;
	if (r->stage == 0xff || s > r->stage)
		r->stage = (uint8_t)s;
	__atomic_add_fetch(&t->reached[s], 1, __ATOMIC_RELAXED);
	if (r->t[RB_STAGE_DISCOVER] == 0)
		return; /* no start to time it from (tracking began later) */
	secs = (double)(ns - r->t[RB_STAGE_DISCOVER]) / 1e9;
	for (b = 0; b < NB_BOUNDS && secs > bounds[b]; b++)
		;
	__atomic_add_fetch(&t->hist[s][b], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&t->sum_ms[s], (uint64_t)(secs * 1000),
			   __ATOMIC_RELAXED);
}

/** The tail of a profile's path as a request names it ("/a/b" is "a/b"). */
static const char *
tail(const char *s)
{
	const char *sp = strrchr(s, ' ');

	if (sp) /* iPXE options before an initrd path */
		s = sp + 1;
	if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0 ||
	    strncmp(s, "tftp://", 7) == 0) {
		const char *slash = strchr(strstr(s, "://") + 3, '/');

		s = slash ? slash : "";
	}
	while (*s == '/')
		s++;
	return s;
}

/** Is @p path the kernel (1) or an initrd (2) of the machine's profile? */
static int
boot_file_of(const struct rb_profiles *p, struct rec *r, const char *path)
{
	const char *k;
	unsigned int i;

	if (p && r->group >= 0) {
		k = rb_profiles_kernel(p, r->group);
		if (k && strcmp(tail(k), path) == 0)
			return 1;
		for (i = 0; (k = rb_profiles_initrd(p, r->group, i)); i++)
			if (strcmp(tail(k), path) == 0)
				return 2;
		return 0;
	}
	/* no profile: the names everyone uses */
	k = strrchr(path, '/');
	k = k ? k + 1 : path;
	if (strncmp(k, "vmlinuz", 7) == 0 || strcmp(k, "linux") == 0 ||
	    strncmp(k, "bzImage", 7) == 0)
		return 1;
	if (strncmp(k, "initrd", 6) == 0 || strncmp(k, "initramfs", 9) == 0)
		return 2;
	return 0;
}

/** A file asked for over TFTP or HTTP. */
static void
file_event(struct rb_machines *t, struct rec *r, const struct rb_bootev *e,
	   const struct rb_profiles *p)
{
	struct rb_machine m = {.have_mac = 1, .ip = e->ip};
	enum rb_cfg_scope scope;
	enum rb_cfg_kind kind;
	const char *path = e->path;
	int which;

	while (*path == '/')
		path++;
	if (r->stage != 0xff && r->stage >= RB_STAGE_INITRD &&
	    !r->t[RB_STAGE_DONE]) {
		/* the OS asks for something: it booted */
		if (boot_file_of(p, r, path) == 0) {
			reach(t, r, RB_STAGE_DONE, e->ns);
			return;
		}
	}
	if (strcmp(path, "done") == 0 || strncmp(path, "done?", 5) == 0) {
		reach(t, r, RB_STAGE_DONE, e->ns);
		return;
	}
	memcpy(m.mac, r->mac, 6);
	kind = rb_bootcfg_classify(path, &m, &scope);
	if (kind == RB_CFG_IPXE || kind == RB_CFG_GRUB ||
	    kind == RB_CFG_PXELINUX) {
		reach(t, r, RB_STAGE_SCRIPT, e->ns);
		return;
	}
	which = boot_file_of(p, r, path);
	if (which == 1)
		reach(t, r, RB_STAGE_KERNEL, e->ns);
	else if (which == 2)
		reach(t, r, RB_STAGE_INITRD, e->ns);
	else if (kind == RB_CFG_NONE && !r->t[RB_STAGE_SCRIPT])
		reach(t, r, RB_STAGE_BOOTPROG, e->ns);
}

/** The machine's group in snapshot @p p (matched again after a reload). */
static void
group_of(struct rec *r, const struct rb_profiles *p, unsigned int slot)
{
	struct rb_machine m = {.have_mac = 1, .ip = r->ip};
	const char *id;

	if (p == NULL || !rb_profiles_have_data(p)) {
		r->group = -1;
		r->group_id[0] = '\0';
		return;
	}
	if (r->group >= 0 && r->gen == rb_profiles_generation(p))
		return;
	memcpy(m.mac, r->mac, 6);
	r->group = rb_profiles_match(p, slot, &m, NULL, 0, NULL, 0);
	r->gen = rb_profiles_generation(p);
	id = rb_profiles_group_id(p, r->group);
	snprintf(r->group_id, sizeof(r->group_id), "%s", id ? id : "");
}

void
rb_machines_event(struct rb_machines *t, const struct rb_bootev *e,
		  const struct rb_profiles *p, unsigned int slot)
{
	struct rec *r;
	/* a machine starts being tracked when it network-boots or asks for
	 * a file; a plain DHCP client's address alone does not add it */
	int add = e->kind == RB_BOOTEV_TFTP || e->kind == RB_BOOTEV_HTTP ||
		  (e->kind == RB_BOOTEV_DISCOVER && (e->flags & RB_BOOTEV_PXE));

	if (e->flags & RB_BOOTEV_MAC)
		r = find(t, e->mac, add);
	else
		r = find_ip(t, e->ip);
	if (r == NULL)
		return;
	group_of(r, p, slot);
	switch (e->kind) {
	case RB_BOOTEV_DISCOVER:
		if (!(e->flags & RB_BOOTEV_PXE)) {
			/* the OS's own DHCP client, after the initrd */
			if (r->stage != 0xff && r->stage >= RB_STAGE_INITRD)
				reach(t, r, RB_STAGE_DONE, e->ns);
			break;
		}
		if (r->stage != 0xff && r->stage >= RB_STAGE_KERNEL) {
			/* firmware again: a new boot */
			memset(r->t, 0, sizeof(r->t));
			r->stage = 0xff;
		}
		if (r->stage == 0xff)
			r->boots++;
		reach(t, r, RB_STAGE_DISCOVER, e->ns);
		break;
	case RB_BOOTEV_OFFER:
		if (r->t[RB_STAGE_DISCOVER])
			reach(t, r, RB_STAGE_OFFER, e->ns);
		break;
	case RB_BOOTEV_ACK:
		if (e->ip)
			r->ip = e->ip;
		if (r->t[RB_STAGE_DISCOVER] && !(r->stage != 0xff &&
						 r->stage >= RB_STAGE_INITRD))
			reach(t, r, RB_STAGE_ACK, e->ns);
		break;
	case RB_BOOTEV_TFTP:
	case RB_BOOTEV_HTTP:
		if (e->ip && r->ip == 0)
			r->ip = e->ip;
		file_event(t, r, e, p);
		break;
	}
}

json_t *
rb_machines_json(const struct rb_machines *t)
{
	json_t *arr = json_array();
	unsigned int i, s;

	for (i = 0; i < t->cap; i++) {
		const struct rec *r = &t->recs[i];
		char mac[18], ip[INET_ADDRSTRLEN] = "";
		json_t *o, *st;

		if (!r->used)
			continue;
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 r->mac[0], r->mac[1], r->mac[2], r->mac[3], r->mac[4],
			 r->mac[5]);
		if (r->ip)
			inet_ntop(AF_INET, &r->ip, ip, sizeof(ip));
		st = json_object();
		for (s = 0; s < RB_STAGES; s++)
			if (r->t[s])
				json_object_set_new(st, stage_names[s],
						    json_real((double)r->t[s] / 1e9));
		o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:o}", "mac", mac,
			      "ip", ip, "group", r->group_id, "stage",
			      r->stage == 0xff ? "" : stage_names[r->stage],
			      "boots", (int)r->boots, "times", st);
		json_array_append_new(arr, o);
	}
	return arr;
}

void
rb_machines_metrics(const struct rb_machines *t, FILE *o)
{
	unsigned int s, b;

	fprintf(o, "# HELP rackboot_boot_stage_total Machines that reached "
		   "each boot stage.\n# TYPE rackboot_boot_stage_total counter\n");
	for (s = 0; s < RB_STAGES; s++)
		fprintf(o, "rackboot_boot_stage_total{stage=\"%s\"} %llu\n",
			stage_names[s],
			(unsigned long long)__atomic_load_n(&t->reached[s],
							    __ATOMIC_RELAXED));
	fprintf(o, "# HELP rackboot_boot_stage_seconds Seconds from DISCOVER "
		   "to each boot stage.\n# TYPE rackboot_boot_stage_seconds "
		   "histogram\n");
	for (s = 1; s < RB_STAGES; s++) {
		uint64_t cum = 0;

		for (b = 0; b <= NB_BOUNDS; b++) {
			cum += __atomic_load_n(&t->hist[s][b], __ATOMIC_RELAXED);
			if (b < NB_BOUNDS)
				fprintf(o, "rackboot_boot_stage_seconds_bucket"
					   "{stage=\"%s\",le=\"%g\"} %llu\n",
					stage_names[s], bounds[b],
					(unsigned long long)cum);
			else
				fprintf(o, "rackboot_boot_stage_seconds_bucket"
					   "{stage=\"%s\",le=\"+Inf\"} %llu\n",
					stage_names[s], (unsigned long long)cum);
		}
		fprintf(o, "rackboot_boot_stage_seconds_sum{stage=\"%s\"} %.3f\n"
			   "rackboot_boot_stage_seconds_count{stage=\"%s\"} %llu\n",
			stage_names[s],
			(double)__atomic_load_n(&t->sum_ms[s], __ATOMIC_RELAXED) /
				1000,
			stage_names[s], (unsigned long long)cum);
	}
	fprintf(o, "# HELP rackboot_machines_untracked_total Machines not "
		   "tracked: the table was full.\n# TYPE "
		   "rackboot_machines_untracked_total counter\n"
		   "rackboot_machines_untracked_total %llu\n",
		(unsigned long long)__atomic_load_n(&t->full, __ATOMIC_RELAXED));
}
