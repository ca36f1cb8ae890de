/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Finding rackbootd's XDP program on the boot interface (the af_xdp PMD
 * loaded it) and writing its settings map.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rackboot/xdp.h"

#define MAX_MAPS 16

/** The fd of map @p name used by program @p prog_fd, or -1. */
static int
find_map(int prog_fd, const char *name)
{
	struct bpf_prog_info info;
	__u32 ids[MAX_MAPS], len = sizeof(info), i;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = MAX_MAPS;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) < 0)
		return -1;
	for (i = 0; i < info.nr_map_ids && i < MAX_MAPS; i++) {
		struct bpf_map_info minfo;
		__u32 mlen = sizeof(minfo);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		if (bpf_obj_get_info_by_fd(fd, &minfo, &mlen) == 0 &&
		    strcmp(minfo.name, name) == 0 &&
		    minfo.value_size == sizeof(struct rb_xdp_cfg))
			return fd;
		close(fd);
	}
	return -1;
}

int
rb_xdp_configure(const char *ifname, const struct rb_xdp_cfg *cfg, char *err,
		 size_t errlen)
{
	unsigned int ifindex = if_nametoindex(ifname);
	__u32 prog_id = 0, key = 0;
	int prog_fd, map_fd, rc;

	if (ifindex == 0) {
		snprintf(err, errlen, "no interface '%s'", ifname);
		return -1;
	}
	if (bpf_xdp_query_id((int)ifindex, 0, &prog_id) < 0 || prog_id == 0) {
		snprintf(err, errlen, "no XDP program attached to %s", ifname);
		return -1;
	}
	prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (prog_fd < 0) {
		snprintf(err, errlen, "XDP program %u on %s: %s", prog_id,
			 ifname, strerror(errno));
		return -1;
	}
	map_fd = find_map(prog_fd, "rb_cfg");
	close(prog_fd);
	if (map_fd < 0) {
		snprintf(err, errlen,
			 "the XDP program on %s is not rackboot's (no rb_cfg "
			 "map)", ifname);
		return -1;
	}
	rc = bpf_map_update_elem(map_fd, &key, cfg, BPF_ANY);
	if (rc < 0)
		snprintf(err, errlen, "writing rb_cfg on %s: %s", ifname,
			 strerror(errno));
	close(map_fd);
	return rc < 0 ? -1 : 0;
}
