/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the profile/group loader.  The input is split at NUL bytes
 * into a group file, a profile file and a template; the data directory
 * is loaded, and when it loads, a machine is matched and its configs
 * rendered.  A refused directory must say which file and why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rackboot/profiles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[64];

static void
put(const char *rel, const uint8_t *p, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fwrite(p, 1, n, f);
	fclose(f);
}

/* the scratch data directory goes with the process */
static void
cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		return;
}

static void
setup(void)
{
	static const char *const dirs[] = {"data", "data/groups",
					   "data/profiles", "data/templates",
					   "data/ignition", "root"};
	char path[256];
	unsigned int i;

	snprintf(base, sizeof(base), "/tmp/rbfuzzprof.%d", (int)getpid());
	mkdir(base, 0700);
	atexit(cleanup);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", base, dirs[i]);
		mkdir(path, 0755);
	}
	put("root/vmlinuz", (const uint8_t *)"k", 1);
	put("root/initrd.img", (const uint8_t *)"i", 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[3] = {data, NULL, NULL};
	size_t len[3] = {size, 0, 0};
	unsigned int k;
	struct rb_profiles *p = NULL;
	char err[512], out[4096], dir[128], rootdir[128];
	struct rb_machine m = {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}, 1, 0x0500630a, ""};
	const struct rb_render_env env = {0x0100630a, "http://10.99.0.1/"};
	static const struct rb_fact facts[] = {{"arch", "7"}, {"hostname", "node-1"}};
	int g;

	if (base[0] == '\0')
		setup();
	for (k = 0; k < 2; k++) {
		const uint8_t *z = memchr(part[k], 0, len[k]);

		if (z == NULL)
			break;
		part[k + 1] = z + 1;
		len[k + 1] = len[k] - (size_t)(z + 1 - part[k]);
		len[k] = (size_t)(z - part[k]);
	}
	put("data/groups/g.json", part[0], len[0]);
	if (part[1])
		put("data/profiles/p.json", part[1], len[1]);
	else
		put("data/profiles/p.json",
		    (const uint8_t *)"{\"id\": \"p\", \"boot\": {\"kernel\": "
				     "\"/vmlinuz\", \"initrd\": [\"/initrd.img\"]}}",
		    66);
	put("data/templates/t.ipxe", part[2] ? part[2] : (const uint8_t *)"",
	    part[2] ? len[2] : 0);
	snprintf(dir, sizeof(dir), "%s/data", base);
	snprintf(rootdir, sizeof(rootdir), "%s/root", base);
	if (rb_profiles_load(dir, rootdir, NULL, 1, 1, &p, err,
			     sizeof(err)) < 0) {
		/* refused: with the file it blames */
		if (strstr(err, ".json") == NULL && strstr(err, "templates/") == NULL &&
		    strstr(err, base) == NULL)
			abort();
		return 0;
	}
	g = rb_profiles_match(p, 0, &m, facts, 2, err, sizeof(err));
	(void)g;
	rb_profiles_render(p, 0, "boot.ipxe", &m, facts, 2, &env, out,
			   sizeof(out), &g);
	rb_profiles_render(p, 0, "grub.cfg", &m, facts, 2, &env, out,
			   sizeof(out), &g);
	rb_profiles_render(p, 0, "pxelinux.cfg/default", &m, facts, 2, &env,
			   out, sizeof(out), &g);
	rb_profiles_free(p);
	return 0;
}
