/* SPDX-License-Identifier: BSD-3-Clause */
/* Boot tracking: stages from events, a new boot, the profile's kernel
 * and initrd paths, a full table, the JSON and the metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rackboot/machines.h"
#include "testfiles.h"

static const uint8_t mac1[6] = {0x52, 0x54, 0x00, 0x99, 0x01, 0x01};
static uint64_t clock_ns = 1000000000000ull;

/** An event @p ms after the previous one. */
static void
ev(struct rb_machines *t, const struct rb_profiles *p, unsigned int ms,
   uint8_t kind, uint8_t flags, const uint8_t *mac, const char *ip,
   const char *path)
{
	struct rb_bootev e;

	memset(&e, 0, sizeof(e));
	clock_ns += (uint64_t)ms * 1000000u;
	e.ns = clock_ns;
	e.kind = kind;
	e.flags = flags;
	if (mac) {
		memcpy(e.mac, mac, 6);
		e.flags |= RB_BOOTEV_MAC;
	}
	if (ip) {
		unsigned int a, b, c, d;

		sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d);
		e.ip = (uint32_t)(a | b << 8 | c << 16 | d << 24);
	}
	if (path)
		snprintf(e.path, sizeof(e.path), "%s", path);
	rb_machines_event(t, &e, p, 0);
}

/** The machine @p mac in the JSON, or NULL. */
static json_t *
machine(struct rb_machines *t, json_t **all, const char *mac)
{
	size_t i;
	json_t *m;

	*all = rb_machines_json(t);
	json_array_foreach(*all, i, m)
		if (strcmp(json_string_value(json_object_get(m, "mac")), mac) == 0)
			return m;
	return NULL;
}

static const char *
str(json_t *m, const char *k)
{
	return json_string_value(json_object_get(m, k));
}

/* a PXE ROM chaining iPXE, then the OS asking for an address */
static void
test_chain_without_profiles(void **state)
{
	struct rb_machines *t;
	json_t *all, *m, *times;
	char buf[8192];
	FILE *o;

	(void)state;
	assert_int_equal(rb_machines_create(16, &t), 0);
	ev(t, NULL, 0, RB_BOOTEV_DISCOVER, RB_BOOTEV_PXE, mac1, NULL, NULL);
	ev(t, NULL, 10, RB_BOOTEV_OFFER, RB_BOOTEV_PXE, mac1, "10.99.0.128", NULL);
	ev(t, NULL, 10, RB_BOOTEV_ACK, RB_BOOTEV_PXE, mac1, "10.99.0.128", NULL);
	ev(t, NULL, 100, RB_BOOTEV_TFTP, 0, mac1, "10.99.0.128", "undionly.kpxe");
	m = machine(t, &all, "52:54:00:99:01:01");
	assert_string_equal(str(m, "stage"), "boot_program");
	json_decref(all);
	/* iPXE's own DHCP is not a new boot */
	ev(t, NULL, 500, RB_BOOTEV_DISCOVER, RB_BOOTEV_PXE, mac1, NULL, NULL);
	ev(t, NULL, 10, RB_BOOTEV_ACK, RB_BOOTEV_PXE, mac1, "10.99.0.128", NULL);
	ev(t, NULL, 100, RB_BOOTEV_HTTP, 0, mac1, "10.99.0.128", "boot.ipxe");
	/* the kernel and initrd asked for by address only (no lease known) */
	ev(t, NULL, 100, RB_BOOTEV_HTTP, 0, NULL, "10.99.0.128", "vmlinuz");
	ev(t, NULL, 2000, RB_BOOTEV_HTTP, 0, NULL, "10.99.0.128", "initrd.img");
	m = machine(t, &all, "52:54:00:99:01:01");
	assert_string_equal(str(m, "stage"), "initrd");
	assert_string_equal(str(m, "ip"), "10.99.0.128");
	json_decref(all);
	/* the OS's own DHCP (not PXE): done */
	ev(t, NULL, 5000, RB_BOOTEV_DISCOVER, 0, mac1, NULL, NULL);
	m = machine(t, &all, "52:54:00:99:01:01");
	assert_string_equal(str(m, "stage"), "done");
	assert_int_equal(json_integer_value(json_object_get(m, "boots")), 1);
	times = json_object_get(m, "times");
	assert_int_equal(json_object_size(times), RB_STAGES);
	assert_true(json_real_value(json_object_get(times, "done")) -
			    json_real_value(json_object_get(times, "discover")) >
		    7.8);
	json_decref(all);

	o = fmemopen(buf, sizeof(buf), "w");
	rb_machines_metrics(t, o);
	fclose(o);
	assert_non_null(strstr(buf, "rackboot_boot_stage_total{stage=\"done\"} 1\n"));
	assert_non_null(strstr(buf, "rackboot_boot_stage_total{stage=\"boot_program\"} 1\n"));
	/* done came 7.83 s after the DISCOVER: in the 10 s bucket, not 5 */
	assert_non_null(strstr(buf, "rackboot_boot_stage_seconds_bucket{stage=\"done\",le=\"5\"} 0\n"));
	assert_non_null(strstr(buf, "rackboot_boot_stage_seconds_bucket{stage=\"done\",le=\"10\"} 1\n"));
	assert_non_null(strstr(buf, "rackboot_boot_stage_seconds_count{stage=\"kernel\"} 1\n"));

	/* firmware again after the kernel: a new boot */
	ev(t, NULL, 60000, RB_BOOTEV_DISCOVER, RB_BOOTEV_PXE, mac1, NULL, NULL);
	m = machine(t, &all, "52:54:00:99:01:01");
	assert_string_equal(str(m, "stage"), "discover");
	assert_int_equal(json_integer_value(json_object_get(m, "boots")), 2);
	assert_int_equal(json_object_size(json_object_get(m, "times")), 1);
	json_decref(all);
	rb_machines_free(t);
}

static char base[64];

/* the kernel and initrd are the profile's paths, whatever their names;
 * PXELINUX's own files before its config are the boot program */
static void
test_profile_paths(void **state)
{
	struct rb_machines *t;
	struct rb_profiles *p;
	char data[128], root[128], err[256], cmd[128];
	json_t *all, *m;

	(void)state;
	snprintf(base, sizeof(base), "/tmp/rbmach.XXXXXX");
	assert_non_null(mkdtemp(base));
	snprintf(data, sizeof(data), "%s/data", base);
	snprintf(root, sizeof(root), "%s/root", base);
	mkdir_in(base, "data");
	mkdir_in(base, "root");
	mkdir_in(data, "groups");
	mkdir_in(data, "profiles");
	mkdir_in(root, "os");
	put(root, "os/k-6.1", "k");
	put(root, "os/fs.cpio", "i");
	put(data, "profiles/p.json", "{\"id\": \"p\", \"boot\": {\"kernel\": "
				     "\"http://10.99.0.1/os/k-6.1\", \"initrd\": "
				     "[\"--name fs /os/fs.cpio\"]}}");
	put(data, "groups/g.json", "{\"id\": \"rack\", \"profile\": \"p\"}");
	assert_int_equal(rb_profiles_load(data, root, NULL, 1, 1, &p, err,
					  sizeof(err)), 0);
	assert_int_equal(rb_machines_create(16, &t), 0);
	ev(t, p, 0, RB_BOOTEV_DISCOVER, RB_BOOTEV_PXE, mac1, NULL, NULL);
	ev(t, p, 5, RB_BOOTEV_ACK, RB_BOOTEV_PXE, mac1, "10.99.0.130", NULL);
	ev(t, p, 5, RB_BOOTEV_TFTP, 0, mac1, "10.99.0.130", "pxelinux.0");
	ev(t, p, 5, RB_BOOTEV_TFTP, 0, mac1, "10.99.0.130", "ldlinux.c32");
	ev(t, p, 5, RB_BOOTEV_TFTP, 0, mac1, "10.99.0.130",
	   "pxelinux.cfg/01-52-54-00-99-01-01");
	/* a vmlinuz that is not the profile's kernel is nothing */
	ev(t, p, 5, RB_BOOTEV_TFTP, 0, mac1, "10.99.0.130", "/vmlinuz");
	m = machine(t, &all, "52:54:00:99:01:01");
	assert_string_equal(str(m, "stage"), "script");
	assert_string_equal(str(m, "group"), "rack");
	json_decref(all);
	ev(t, p, 5, RB_BOOTEV_HTTP, 0, mac1, "10.99.0.130", "os/k-6.1");
	ev(t, p, 5, RB_BOOTEV_TFTP, 0, mac1, "10.99.0.130", "/os/fs.cpio");
	m = machine(t, &all, "52:54:00:99:01:01");
	assert_string_equal(str(m, "stage"), "initrd");
	json_decref(all);
	/* the callback URL */
	ev(t, p, 5, RB_BOOTEV_HTTP, 0, mac1, "10.99.0.130", "done?mac=x");
	m = machine(t, &all, "52:54:00:99:01:01");
	assert_string_equal(str(m, "stage"), "done");
	json_decref(all);
	rb_machines_free(t);
	rb_profiles_free(p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	assert_int_equal(system(cmd), 0);
}

/* more machines than the table keeps: counted, the first ones kept */
static void
test_full(void **state)
{
	struct rb_machines *t;
	uint8_t mac[6] = {0x52, 0x54, 0, 0, 0, 0};
	char buf[8192];
	unsigned int i;
	json_t *all;
	FILE *o;

	(void)state;
	assert_int_equal(rb_machines_create(16, &t), 0); /* 64 slots, 32 kept */
	for (i = 0; i < 40; i++) {
		mac[5] = (uint8_t)i;
		ev(t, NULL, 1, RB_BOOTEV_DISCOVER, RB_BOOTEV_PXE, mac, NULL, NULL);
	}
	all = rb_machines_json(t);
	assert_int_equal(json_array_size(all), 32);
	json_decref(all);
	o = fmemopen(buf, sizeof(buf), "w");
	rb_machines_metrics(t, o);
	fclose(o);
	assert_non_null(strstr(buf, "rackboot_machines_untracked_total 8\n"));
	assert_non_null(strstr(buf, "rackboot_boot_stage_total{stage=\"discover\"} 32\n"));
	rb_machines_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_without_profiles),
		cmocka_unit_test(test_profile_paths),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
