/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attaching rackboot's ingress program to an af_packet boot interface as
 * a tcx link (see rackboot/tcfilter.h).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rackboot/tcfilter.h"

/* BPF_TCX_INGRESS (Linux 6.6); Debian 12's UAPI headers predate it */
#define RB_BPF_TCX_INGRESS 46

int
rb_tc_filter_attach(const char *ifname, const char *obj_path,
		    const struct rb_xdp_cfg *cfg, char *err, size_t errlen)
{
	unsigned int ifindex = if_nametoindex(ifname);
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	__u32 key = 0;
	int fd = -1;

	if (ifindex == 0) {
		snprintf(err, errlen, "no interface '%s'", ifname);
		return -1;
	}
	obj = bpf_object__open_file(obj_path, NULL);
	if (obj == NULL) {
		snprintf(err, errlen, "%s: %s", obj_path, strerror(errno));
		return -1;
	}
	if (bpf_object__load(obj) < 0) {
		snprintf(err, errlen, "loading %s: %s", obj_path,
			 strerror(errno));
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, "rb_tc");
	map = bpf_object__find_map_by_name(obj, "rb_cfg");
	if (prog == NULL || map == NULL) {
		snprintf(err, errlen, "%s is not rackboot's (no rb_tc, rb_cfg)",
			 obj_path);
		goto out;
	}
	if (bpf_map__update_elem(map, &key, sizeof(key), cfg, sizeof(*cfg),
				 BPF_ANY) < 0) {
		snprintf(err, errlen, "writing rb_cfg: %s", strerror(errno));
		goto out;
	}
	fd = bpf_link_create(bpf_program__fd(prog), (int)ifindex,
			     (enum bpf_attach_type)RB_BPF_TCX_INGRESS, NULL);
	if (fd < 0) {
		snprintf(err, errlen, "tcx ingress link on %s: %s%s", ifname,
			 strerror(errno),
			 errno == EINVAL ? " (tcx needs Linux 6.6)" : "");
		fd = -1;
	}
out:
	/* the link holds the program, and the program its map */
	bpf_object__close(obj);
	return fd;
}
