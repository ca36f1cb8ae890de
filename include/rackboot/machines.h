/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Boot tracking: every machine's way through its network boot, kept by
 * the control thread from the events the workers and the HTTP threads
 * push (rackboot/bootev.h).
 *
 * Stages, each timed when first reached in a boot: DISCOVER, OFFER, ACK,
 * the boot program (a file fetched before any boot config), the script
 * (boot.ipxe, pxelinux.cfg, grub.cfg), the kernel and the initrd (the
 * paths of the machine's profile; "vmlinuz"/"initrd" names without one),
 * and done: the machine's first request after its initrd (its OS asking
 * for anything: DHCP, /ignition, an image, or GET /done).  A PXE
 * DISCOVER after the kernel starts a new boot.
 */
#ifndef RACKBOOT_MACHINES_H
#define RACKBOOT_MACHINES_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "rackboot/bootev.h"
#include "rackboot/profiles.h"

enum rb_stage {
	RB_STAGE_DISCOVER,
	RB_STAGE_OFFER,
	RB_STAGE_ACK,
	RB_STAGE_BOOTPROG,
	RB_STAGE_SCRIPT,
	RB_STAGE_KERNEL,
	RB_STAGE_INITRD,
	RB_STAGE_DONE,
	RB_STAGES
};

/** "discover", "offer", "ack", "boot_program", "script", ... */
const char *rb_stage_name(enum rb_stage s);

struct rb_machines;

/**
 * @param cap  the most machines tracked (more are counted, not kept)
 * @return 0, or a negative errno
 */
int rb_machines_create(unsigned int cap, struct rb_machines **out);
void rb_machines_free(struct rb_machines *t);

/**
 * Take one event: find or add its machine and move it on.
 *
 * @param p     the profiles snapshot serving (the machine's kernel and
 *              initrd paths), or NULL
 * @param slot  the caller's profiles slot
 */
void rb_machines_event(struct rb_machines *t, const struct rb_bootev *e,
		       const struct rb_profiles *p, unsigned int slot);

/** Every machine: mac, ip, group, stage, boots, and each stage's time. */
json_t *rb_machines_json(const struct rb_machines *t);

/**
 * Per-stage counts and histograms of the seconds from DISCOVER to each
 * stage, in the Prometheus text format; any thread.
 */
void rb_machines_metrics(const struct rb_machines *t, FILE *o);

#endif
