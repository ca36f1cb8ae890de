/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL's arguments.  The same rackbootd runs on a lab VM (no hugepages, no
 * PCI NIC) and on a provisioning node (hugepages, a vfio-bound NIC): what
 * differs is found out here, not configured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rackboot/port.h"

int
rb_eal_have_hugepages(unsigned int memory_mb)
{
	char line[128];
	long free_pages = 0, page_kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Free: %ld", &free_pages);
		sscanf(line, "Hugepagesize: %ld kB", &page_kb);
	}
	fclose(f);
	/* a few free pages that cannot hold the pool would make EAL fail:
	 * then --no-huge is the working choice */
	return free_pages * page_kb >= (long)memory_mb * 1024 &&
	       free_pages > 0;
}

/** Append one argument; its string goes into the buffer. */
static int
push(char **argv, int *argc, char *buf, size_t buflen, size_t *used,
     const char *arg)
{
	size_t n = strlen(arg) + 1;

	if (*argc >= RB_EAL_MAX_ARGS - 1 || *used + n > buflen)
		return -1;
	memcpy(buf + *used, arg, n);
	argv[(*argc)++] = buf + *used;
	*used += n;
	return 0;
}

int
rb_eal_args(const struct rb_eal_conf *c, char *buf, size_t buflen,
	    char **argv)
{
	char tmp[96];
	size_t used = 0;
	int argc = 0, rc = 0;

#define PUSH(s) (rc |= push(argv, &argc, buf, buflen, &used, (s)))
	PUSH("rackbootd");
	PUSH("-l");
	PUSH(c->lcores);
	if (c->hugepages) {
		/* hugepage-backed, but no files left behind */
		PUSH("--in-memory");
	} else {
		/* --in-memory refuses --no-huge; --no-shconf keeps the
		 * runtime files out and lets several instances run */
		PUSH("--no-huge");
		PUSH("--no-shconf");
	}
	/* rackbootd has its own control socket; telemetry's would also
	 * outlive EAL cleanup in the runtime directory */
	PUSH("--no-telemetry");
	snprintf(tmp, sizeof(tmp), "%u", c->memory_mb);
	PUSH("-m");
	PUSH(tmp);
	snprintf(tmp, sizeof(tmp), "--file-prefix=rackboot-%ld",
		 (long)getpid());
	PUSH(tmp);
	if (c->pci) {
		PUSH("-a");
		PUSH(c->pci);
	} else {
		PUSH("--no-pci");
	}
	if (c->log_level) {
		snprintf(tmp, sizeof(tmp), "--log-level=%s", c->log_level);
		PUSH(tmp);
	}
	if (c->extra && c->extra[0]) {
		char copy[512], *save = NULL, *tok;

		snprintf(copy, sizeof(copy), "%s", c->extra);
		for (tok = strtok_r(copy, " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save))
			PUSH(tok);
	}
#undef PUSH
	if (rc)
		return -1;
	argv[argc] = NULL;
	return argc;
}
