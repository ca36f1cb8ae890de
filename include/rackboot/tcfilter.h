/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The kernel's share of an af_packet boot port.
 *
 * On an af_packet port the kernel sees every frame the PMD sees, and runs
 * the UDP rackbootd serves through its IP stack up to the held socket
 * that drops it (nicshare.h).  rackboot's ingress program
 * (dataplane/xdp/rb_tc.bpf.c) drops that UDP at the interface's ingress
 * hook instead, after the PMD's packet sockets have taken their copy.  It
 * is attached as a tcx link (Linux 6.6 and later): the link is released
 * with its file descriptor, so the filter leaves with rackbootd even when
 * rackbootd is killed.  Where the kernel has no tcx, the held sockets
 * alone keep doing the job.
 */
#ifndef RACKBOOT_TCFILTER_H
#define RACKBOOT_TCFILTER_H

#include <stddef.h>

#include "rackboot/xdp.h"

/**
 * Load the ingress program from @p obj_path, give it @p cfg (the UDP
 * ports to drop) and attach it to @p ifname.
 *
 * @param ifname    the af_packet boot interface
 * @param obj_path  rb_tc.o
 * @param cfg       the settings: ports served
 * @param err       the reason on failure
 * @param errlen    size of @p err
 * @return the link's file descriptor (close it to detach), or -1 with
 *         @p err set
 */
int rb_tc_filter_attach(const char *ifname, const char *obj_path,
			const struct rb_xdp_cfg *cfg, char *err,
			size_t errlen);

#endif
