/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Profiles: a data directory in matchbox's format loads, machines get
 * their group by precedence, every config kind renders each fact, and
 * every bad data directory is refused with its file and reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "rackboot/profiles.h"
#include "testfiles.h"

static char base[64], data[96], root[96];


/* the good directory every case starts from */
static const char *const good[][2] = {
	{"profiles/install.json",
	 "{\"id\": \"install\", \"name\": \"Install\", \"boot\": {"
	 "\"kernel\": \"/assets/vmlinuz\", \"initrd\": [\"--name main "
	 "/assets/initrd.img\", \"/assets/extra.img\"], \"args\": "
	 "[\"initrd=main\", \"token=${mac_hex}\", \"role={{.role}}\", "
	 "\"ign=${http}ignition?mac=${mac}\"]}, \"ignition_id\": "
	 "\"node.ign\", \"quirks\": {\"tftp_blksize_max\": 1024}}"},
	{"profiles/legacy.json",
	 "{\"id\": \"legacy\", \"boot\": {\"kernel\": "
	 "\"http://10.99.0.1/assets/vmlinuz\", \"initrd\": "
	 "[\"http://10.99.0.1/assets/initrd.img\"], \"cmdline\": "
	 "{\"console\": \"ttyS0\", \"quiet\": \"\"}}}"},
	{"profiles/custom.json",
	 "{\"id\": \"custom\", \"boot\": {\"kernel\": \"assets/vmlinuz\"}, "
	 "\"templates\": {\"ipxe\": \"custom.ipxe\"}, \"generic_id\": "
	 "\"env.txt\", \"cloud_id\": \"cloud.yaml\"}"},
	{"groups/default.json",
	 "{\"id\": \"default\", \"profile\": \"legacy\"}"},
	{"groups/node1.json",
	 "{\"id\": \"node1\", \"name\": \"Node 1\", \"profile\": \"install\", "
	 "\"selector\": {\"mac\": \"52-54-00-AA-00-01\"}, \"metadata\": "
	 "{\"role\": \"etcd\", \"etcd\": {\"name\": \"node1\", \"port\": 2379}, "
	 "\"on\": true}, \"quirks\": {\"http_rate\": 1000000}}"},
	{"groups/rack.json",
	 "{\"id\": \"rack\", \"profile\": \"custom\", \"selector\": "
	 "{\"mac\": \"52:54:00:bb:*\", \"os\": \"installed\"}, \"metadata\": "
	 "{\"rack\": \"r7\"}}"},
	{"groups/racknos.json",
	 "{\"id\": \"racknos\", \"profile\": \"install\", \"selector\": "
	 "{\"mac\": \"52:54:00:bb:*\"}, \"metadata\": {\"role\": \"worker\"}}"},
	{"groups/named.json",
	 "{\"id\": \"named\", \"profile\": \"custom\", \"selector\": "
	 "{\"hostname\": \"~node-[0-9]+\\\\.lab\"}}"},
	{"ignition/node.ign",
	 "{\"ignition\": {\"version\": \"3.3.0\"}, \"etcd\": \"{{.etcd.name}}:"
	 "{{ .etcd.port }}\", \"mac\": \"{{.mac}}\", \"on\": {{.on}}}\n"},
	{"templates/custom.ipxe",
	 "#!ipxe\necho ${group} ${profile} ${uuid} rack={{.rack}}\n"
	 "kernel ${kernel} ${args}\nboot\n"},
	{"generic/env.txt", "GROUP={{.group}}\nHOST={{.hostname}}\n"},
	{"cloud/cloud.yaml", "#cloud-config\nhostname: {{.hostname}}\n"},
};

static void
write_good(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		put(data, good[i][0], good[i][1]);
}

static int
setup(void **state)
{
	char path[256];
	static const char *const dirs[] = {"groups", "profiles", "ignition",
					   "templates", "generic", "cloud"};
	unsigned int i;

	(void)state;
	snprintf(base, sizeof(base), "/tmp/rbprofXXXXXX");
	assert_non_null(mkdtemp(base));
	snprintf(data, sizeof(data), "%s/data", base);
	snprintf(root, sizeof(root), "%s/root", base);
	mkdir(data, 0755);
	mkdir(root, 0755);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", data, dirs[i]);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path), "%s/assets", root);
	mkdir(path, 0755);
	put(root, "assets/vmlinuz", "k");
	put(root, "assets/initrd.img", "i");
	put(root, "assets/extra.img", "e");
	write_good();
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	return system(cmd);
}

static struct rb_profiles *
load_ok(void)
{
	struct rb_profiles *p;
	char err[512];

	if (rb_profiles_load(data, root, NULL, 2, 7, &p, err, sizeof(err)) < 0)
		fail_msg("the good directory was refused: %s", err);
	return p;
}

static struct rb_machine
machine(const char *mac)
{
	struct rb_machine m = {0};

	if (mac) {
		assert_int_equal(rb_bootcfg_parse_mac(mac, m.mac), 0);
		m.have_mac = 1;
	}
	m.ip = htonl(0x0a630080); /* 10.99.0.128 */
	return m;
}

static const char *
group_of(struct rb_profiles *p, const char *mac, const struct rb_fact *f,
	 unsigned int n)
{
	struct rb_machine m = machine(mac);
	char why[256];

	return rb_profiles_group_id(p, rb_profiles_match(p, 1, &m, f, n, why,
							   sizeof(why)));
}

static void
test_loads_and_precedence(void **state)
{
	static const struct rb_fact installed[] = {{"os", "installed"}};
	static const struct rb_fact host[] = {{"hostname", "NODE-12.lab"}};
	static const struct rb_fact badhost[] = {{"hostname", "node-x.lab"}};
	struct rb_profiles *p = load_ok();

	(void)state;
	assert_int_equal(rb_profiles_ngroups(p), 5);
	assert_int_equal(rb_profiles_nprofiles(p), 3);
	assert_int_equal(rb_profiles_generation(p), 7);
	/* the selector's MAC spelled with dashes and capitals still holds */
	assert_string_equal(group_of(p, "52:54:00:aa:00:01", NULL, 0), "node1");
	/* two terms beat one */
	assert_string_equal(group_of(p, "52:54:00:bb:00:09", installed, 1),
			    "rack");
	assert_string_equal(group_of(p, "52:54:00:bb:00:09", NULL, 0),
			    "racknos");
	assert_string_equal(group_of(p, "52:54:00:cc:00:01", host, 1), "named");
	assert_string_equal(group_of(p, "52:54:00:cc:00:01", badhost, 1),
			    "default");
	assert_string_equal(group_of(p, NULL, NULL, 0), "default");
	/* groups are read in file name order: default, named, node1... */
	assert_string_equal(rb_profiles_group_id(p, 2), "node1");
	assert_string_equal(rb_profiles_profile_id(p, 2), "install");
	assert_string_equal(rb_profiles_group_file(p, 2), "groups/node1.json");
	/* quirks: the profile's, then the group's own */
	{
		struct rb_machine m = machine("52:54:00:aa:00:01");
		int g = rb_profiles_match(p, 0, &m, NULL, 0, NULL, 0);

		assert_int_equal(rb_profiles_quirks(p, g)->tftp_blksize_max,
				 1024);
		assert_int_equal(rb_profiles_quirks(p, g)->http_rate, 1000000);
		assert_int_equal(rb_profiles_quirk_mask(p),
				 RB_QUIRK_BLKSIZE | RB_QUIRK_HTTP_RATE);
	}
	rb_profiles_free(p);
}

static long
render(struct rb_profiles *p, const char *name, const char *mac,
       const struct rb_fact *f, unsigned int n, char *out, size_t cap,
       int *group)
{
	struct rb_machine m = machine(mac);
	const struct rb_render_env env = {htonl(0x0a630001),
					  "http://10.99.0.1/"};
	long len = rb_profiles_render(p, 0, name, &m, f, n, &env, out, cap - 1,
				      group);

	if (len >= 0)
		out[len] = '\0';
	return len;
}

static void
test_render_kinds(void **state)
{
	static const struct rb_fact host[] = {{"hostname", "node-3.lab"}};
	struct rb_profiles *p = load_ok();
	char out[4096];
	int g;

	(void)state;
	/* iPXE from the profile's boot: every fact and metadata */
	assert_true(render(p, "boot.ipxe", "52:54:00:aa:00:01", NULL, 0, out,
			   sizeof(out), &g) > 0);
	assert_string_equal(rb_profiles_group_id(p, g), "node1");
	assert_string_equal(out,
		"#!ipxe\nkernel /assets/vmlinuz initrd=main token=525400aa0001 "
		"role=etcd ign=http://10.99.0.1/ignition?mac=52:54:00:aa:00:01\n"
		"initrd --name main /assets/initrd.img\ninitrd /assets/extra.img\n"
		"boot\n");
	/* matchbox's /ipxe is the same script */
	assert_true(render(p, "ipxe", "52:54:00:aa:00:01", NULL, 0, out,
			   sizeof(out), &g) > 0);
	assert_non_null(strstr(out, "token=525400aa0001"));
	/* GRUB: the MAC in the name; http:// turned into (http,host) */
	assert_true(render(p, "grub.cfg-01-52-54-00-aa-00-01", NULL, NULL, 0,
			   out, sizeof(out), &g) > 0);
	assert_string_equal(out,
		"set default=0\nset timeout=0\nmenuentry \"Install\" {\n"
		"\tlinux /assets/vmlinuz initrd=main token=525400aa0001 role=etcd "
		"ign=http://10.99.0.1/ignition?mac=52:54:00:aa:00:01\n"
		"\tinitrd /assets/initrd.img /assets/extra.img\n}\n");
	assert_true(render(p, "grub.cfg", "52:54:00:dd:00:01", NULL, 0, out,
			   sizeof(out), &g) > 0);
	assert_non_null(strstr(out, "linux (http,10.99.0.1)/assets/vmlinuz "
				    "console=ttyS0 quiet\n"));
	/* PXELINUX */
	assert_true(render(p, "pxelinux.cfg/01-52-54-00-aa-00-01", NULL, NULL,
			   0, out, sizeof(out), &g) > 0);
	assert_string_equal(out,
		"DEFAULT rackboot\nLABEL rackboot\n\tKERNEL /assets/vmlinuz\n"
		"\tINITRD /assets/initrd.img,/assets/extra.img\n\tAPPEND "
		"initrd=main token=525400aa0001 role=etcd "
		"ign=http://10.99.0.1/ignition?mac=52:54:00:aa:00:01\n");
	/* a UUID or hex-IP name: only a machine's own group answers */
	assert_int_equal(render(p, "pxelinux.cfg/0A630080", "52:54:00:dd:00:01",
				NULL, 0, out, sizeof(out), &g), RB_RENDER_NONE);
	assert_true(render(p, "pxelinux.cfg/0A630080", "52:54:00:aa:00:01",
			   NULL, 0, out, sizeof(out), &g) > 0);
	assert_true(render(p, "pxelinux.cfg/12345678-1234-1234-1234-"
			      "123456789abc", "52:54:00:aa:00:01", NULL, 0, out,
			   sizeof(out), &g) > 0);
	/* ignition from metadata, nested keys and non-strings */
	assert_true(render(p, "ignition", "52:54:00:aa:00:01", NULL, 0, out,
			   sizeof(out), &g) > 0);
	assert_string_equal(out, "{\"ignition\": {\"version\": \"3.3.0\"}, "
				 "\"etcd\": \"node1:2379\", \"mac\": "
				 "\"52:54:00:aa:00:01\", \"on\": true}\n");
	/* the custom iPXE template, generic and cloud with a query label */
	assert_true(render(p, "boot.ipxe", "52:54:00:cc:00:02", host, 1, out,
			   sizeof(out), &g) > 0);
	assert_string_equal(out, "#!ipxe\necho named custom ${uuid} rack=\n"
				 "kernel assets/vmlinuz \nboot\n");
	assert_true(render(p, "generic", "52:54:00:cc:00:02", host, 1, out,
			   sizeof(out), &g) > 0);
	assert_string_equal(out, "GROUP=named\nHOST=node-3.lab\n");
	assert_true(render(p, "cloud", "52:54:00:cc:00:02", host, 1, out,
			   sizeof(out), &g) > 0);
	assert_string_equal(out, "#cloud-config\nhostname: node-3.lab\n");
	/* a kind the profile has none of */
	assert_int_equal(render(p, "ignition", "52:54:00:dd:00:01", NULL, 0, out,
				sizeof(out), &g), RB_RENDER_NONE);
	/* /metadata */
	assert_true(render(p, "metadata", "52:54:00:aa:00:01", NULL, 0, out,
			   sizeof(out), &g) > 0);
	assert_non_null(strstr(out, "MAC=52:54:00:aa:00:01\n"));
	assert_non_null(strstr(out, "ETCD_NAME=node1\nETCD_PORT=2379\n"));
	/* not a config name; and too large for the buffer */
	assert_int_equal(render(p, "assets/vmlinuz", "52:54:00:aa:00:01", NULL,
				0, out, sizeof(out), &g), RB_RENDER_NONE);
	assert_int_equal(render(p, "boot.ipxe", "52:54:00:aa:00:01", NULL, 0,
				out, 40, &g), RB_RENDER_TOO_BIG);
	rb_profiles_free(p);
}

/* each bad directory: a file to write (or remove), the error expected */
static const struct {
	const char *file, *text; /* text NULL: remove the file */
	const char *want_file, *want;
} bad[] = {
	{"groups/x.json", "{\"id\": \"x\", \"profile\": \"nope\"}",
	 "groups/x.json", "profile \"nope\" is not defined"},
	{"profiles/k.json", "{\"id\": \"k\", \"boot\": {\"kernel\": "
			    "\"/assets/missing\"}}",
	 "profiles/k.json", "kernel /assets/missing: no such file"},
	{"profiles/k.json", "{\"id\": \"k\", \"boot\": {\"kernel\": "
			    "\"/assets/vmlinuz\", \"initrd\": [\"/../etc/passwd\"]}}",
	 "profiles/k.json", "leaves the root"},
	{"templates/custom.ipxe", "#!ipxe\n{{if .x}}kernel{{end}}\n",
	 "templates/custom.ipxe", "line 2: unsupported template action"},
	{"ignition/node.ign", NULL, "profiles/install.json",
	 "template ignition/node.ign"},
	{"groups/y.json", "{\"id\": \"y\", \"profile\": \"legacy\", "
			  "\"selector\": {\"hostname\": \"~node-[0-9\"}}",
	 "groups/y.json", "selector hostname=~node-[0-9"},
	{"groups/z.json", "{\"id\": \"node1\", \"profile\": \"legacy\"}",
	 "groups/z.json", "duplicate group id \"node1\" (also in "
			  "groups/node1.json)"},
	{"profiles/z.json", "{\"id\": \"install\"}",
	 "profiles/z.json", "duplicate profile id \"install\""},
	{"groups/j.json", "{\"id\": \"j\",\n \"profile\": }",
	 "groups/j.json", "line 2"},
	{"groups/j.json", "[1, 2]", "groups/j.json", "not a JSON object"},
	{"groups/j.json", "{\"id\": \"j\", \"profile\": \"legacy\", "
			  "\"selector\": {\"mac\": 5}}",
	 "groups/j.json", "selector \"mac\" must be a string"},
	{"groups/j.json", "{\"profile\": \"legacy\"}", "groups/j.json",
	 "\"id\" is missing"},
	{"groups/j.json", "{\"id\": \"j\", \"profile\": \"legacy\", "
			  "\"quirks\": {\"turbo\": 1}}",
	 "groups/j.json", "unknown quirk \"turbo\""},
	{"groups/j.json", "{\"id\": \"j\", \"profile\": \"legacy\", "
			  "\"quirks\": {\"tftp_blksize_max\": 7}}",
	 "groups/j.json", "8 to 65464"},
	{"profiles/t.json", "{\"id\": \"t\", \"templates\": {\"grub\": "
			    "\"../../etc/passwd\"}}",
	 "profiles/t.json", "is not a file name in templates/"},
	{"groups/j.json", "{\"id\": \"j\", \"profile\": \"legacy\", "
			  "\"id\": \"k\"}",
	 "groups/j.json", "duplicate object key"},
	{"profiles/b.json", "{\"id\": \"b\", \"boot_files\": "
			    "{\"bios-x\": \"a.0\"}}",
	 "profiles/b.json", "\"bios-x\" is not a firmware class"},
	{"profiles/b.json", "{\"id\": \"b\", \"boot_files\": "
			    "{\"bios\": \"/assets/missing.0\"}}",
	 "profiles/b.json", "boot file /assets/missing.0: no such file"},
	{"profiles/b.json", "{\"id\": \"b\", \"boot_files\": "
			    "{\"ipxe\": \"boot.ipxe\"}}",
	 "profiles/b.json", "boot_files.ipxe: iPXE needs a URL"},
	{"profiles/b.json", "{\"id\": \"b\", \"boot_files\": "
			    "{\"http-x64\": \"tftp://10.99.0.1/a.efi\"}}",
	 "profiles/b.json", "boot_files.http-x64: UEFI HTTP Boot needs"},
	{"profiles/b.json", "{\"id\": \"b\", \"boot_files\": "
			    "{\"bios\": 7}}",
	 "profiles/b.json", "boot_files.bios must be a string"},
};

static void
test_bad_directories(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rb_profiles *p = (struct rb_profiles *)1;
		char err[512], want[256];

		if (bad[i].text)
			put(data, bad[i].file, bad[i].text);
		else
			rm(data, bad[i].file);
		if (rb_profiles_load(data, root, NULL, 1, 1, &p, err,
				     sizeof(err)) == 0)
			fail_msg("case %u (%s) was accepted", i, bad[i].file);
		assert_null(p);
		snprintf(want, sizeof(want), "%s: ", bad[i].want_file);
		if (strncmp(err, want, strlen(want)) != 0 ||
		    strstr(err, bad[i].want) == NULL)
			fail_msg("case %u: '%s', want '%s...%s'", i, err, want,
				 bad[i].want);
		/* back to the good directory, which loads again */
		rm(data, bad[i].file);
		write_good();
		rb_profiles_free(load_ok());
	}
}

/* a profile's boot files by firmware class; DHCP's facts as selectors */
static void
test_boot_files_and_dhcp_facts(void **state)
{
	static const struct rb_fact uefi[] = {{"arch", "7"},
					      {"vendor", "PXEClient:Arch:00007"}};
	static const struct rb_fact bios[] = {{"arch", "0"}};
	struct rb_machine m = machine("52:54:00:cc:00:01");
	struct rb_profiles *p;
	int g;

	(void)state;
	put(root, "assets/pxelinux.0", "p");
	put(root, "assets/grubx64.efi", "g");
	put(data, "profiles/boots.json",
	    "{\"id\": \"boots\", \"boot_files\": {\"bios\": "
	    "\"/assets/pxelinux.0\", \"efi-x64\": \"assets/grubx64.efi\", "
	    "\"ipxe\": \"tftp://10.99.0.1/assets/pxelinux.0\", "
	    "\"http-x64\": \"http://10.99.0.1/assets/grubx64.efi\", "
	    "\"efi-arm64\": \"\"}}");
	put(data, "groups/uefi.json",
	    "{\"id\": \"uefi\", \"profile\": \"boots\", \"selector\": "
	    "{\"arch\": \"7\", \"vendor\": \"PXEClient*\"}}");
	p = load_ok();
	assert_true(rb_profiles_quirk_mask(p) & RB_QUIRK_BOOT_FILE);
	/* the arch and vendor facts only DHCP has pick the group */
	g = rb_profiles_match(p, 0, &m, uefi, 2, NULL, 0);
	assert_string_equal(rb_profiles_group_id(p, g), "uefi");
	assert_string_equal(rb_profiles_boot_file(p, g, RB_FW_BIOS),
			    "/assets/pxelinux.0");
	assert_string_equal(rb_profiles_boot_file(p, g, RB_FW_EFI_X64),
			    "assets/grubx64.efi");
	assert_string_equal(rb_profiles_boot_file(p, g, RB_FW_IPXE),
			    "tftp://10.99.0.1/assets/pxelinux.0");
	/* "": this class gets no boot file; absent: the daemon's default */
	assert_string_equal(rb_profiles_boot_file(p, g, RB_FW_EFI_ARM64), "");
	assert_null(rb_profiles_boot_file(p, g, RB_FW_EFI_IA32));
	g = rb_profiles_match(p, 0, &m, bios, 1, NULL, 0);
	assert_string_equal(rb_profiles_group_id(p, g), "default");
	assert_null(rb_profiles_boot_file(p, g, RB_FW_BIOS));
	assert_null(rb_profiles_boot_file(p, -1, RB_FW_BIOS));
	rb_profiles_free(p);
	rm(data, "groups/uefi.json");
	rm(data, "profiles/boots.json");
}

static void
test_not_a_data_directory(void **state)
{
	struct rb_profiles *p;
	char err[512];

	(void)state;
	assert_int_equal(rb_profiles_load(root, root, NULL, 1, 1, &p, err,
					  sizeof(err)), -1);
	assert_non_null(strstr(err, "not a data directory"));
	assert_int_equal(rb_profiles_load("/nonexistent-rb", root, NULL, 1, 1,
					  &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent-rb: "));
	/* no data directory at all: a snapshot that answers nothing */
	assert_int_equal(rb_profiles_load("", root, NULL, 1, 1, &p, err,
					  sizeof(err)), 0);
	assert_false(rb_profiles_have_data(p));
	{
		struct rb_machine m = machine("52:54:00:aa:00:01");
		const struct rb_render_env env = {0, ""};
		char out[64];
		int g;

		assert_int_equal(rb_profiles_render(p, 0, "boot.ipxe", &m, NULL,
						    0, &env, out, sizeof(out),
						    &g),
				 RB_RENDER_NONE);
	}
	rb_profiles_free(p);
}

/* the bundled example directory (examples/data) loads and renders */
static void
test_example_dir(void **state)
{
	static const struct rb_fact legacy[] = {{"vendor", "Legacy-BMC-2"}};
	const char *src = getenv("RB_SRC");
	char dir[512], err[512], out[4096];
	struct rb_profiles *p;
	json_error_t je;
	json_t *j;
	int g;

	(void)state;
	if (src == NULL)
		skip();
	snprintf(dir, sizeof(dir), "%s/examples/data", src);
	mkdir(strcat(strcpy(err, root), "/assets/linux"), 0755);
	assert_int_equal(rb_profiles_load(dir, root, NULL, 1, 1, &p, err,
					  sizeof(err)), -1);
	assert_non_null(strstr(err, "kernel /assets/linux/vmlinuz: no such file"));
	put(root, "assets/linux/vmlinuz", "k");
	put(root, "assets/linux/initrd.img", "i");
	if (rb_profiles_load(dir, root, NULL, 2, 1, &p, err, sizeof(err)) < 0)
		fail_msg("examples/data: %s", err);
	assert_int_equal(rb_profiles_ngroups(p), 4);
	assert_int_equal(rb_profiles_nprofiles(p), 3);
	assert_string_equal(group_of(p, "52:54:00:99:01:01", NULL, 0), "node1");
	assert_string_equal(group_of(p, "52:54:00:99:01:07", NULL, 0), "rack1");
	assert_string_equal(group_of(p, "52:54:00:99:02:01", legacy, 1),
			    "old-bmc");
	assert_string_equal(group_of(p, "52:54:00:99:02:01", NULL, 0),
			    "default");
	/* the ignition document renders to valid JSON */
	assert_true(render(p, "ignition", "52:54:00:99:01:01", NULL, 0, out,
			   sizeof(out), &g) > 0);
	j = json_loads(out, 0, &je);
	if (j == NULL)
		fail_msg("ignition is not JSON: %s: %s", je.text, out);
	json_decref(j);
	assert_non_null(strstr(out, "data:,node1-525400990101"));
	assert_non_null(strstr(out, "role etcd rack 1"));
	assert_true(render(p, "cloud", "52:54:00:99:01:07", NULL, 0, out,
			   sizeof(out), &g) > 0);
	assert_non_null(strstr(out, "ssh_authorized_keys: [\"ssh-ed25519 "));
	assert_true(render(p, "boot.ipxe", "52:54:00:99:02:01", legacy, 1, out,
			   sizeof(out), &g) > 0);
	assert_non_null(strstr(out, "echo rackboot: old-bmc (52:54:00:99:02:01)"));
	assert_int_equal(rb_profiles_quirks(p, g)->tftp_blksize_max, 1024);
	assert_true(render(p, "pxelinux.cfg/01-52-54-00-99-00-05", NULL, NULL,
			   0, out, sizeof(out), &g) > 0);
	assert_non_null(strstr(out, "rackboot.token=rescue-525400990005"));
	rb_profiles_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads_and_precedence),
		cmocka_unit_test(test_render_kinds),
		cmocka_unit_test(test_bad_directories),
		cmocka_unit_test(test_boot_files_and_dhcp_facts),
		cmocka_unit_test(test_not_a_data_directory),
		cmocka_unit_test(test_example_dir),
	};

	return cmocka_run_group_tests_name("profiles", tests, setup, teardown);
}
