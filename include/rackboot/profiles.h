/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Machine profiles: which machine boots what.  A snapshot is read from a
 * data directory in matchbox's format (groups/NAME.json, profiles/NAME.json,
 * and the templates they name), validated whole, and published read-only
 * to the workers and the HTTP threads; a reload builds a new one beside
 * it.  The snapshot also carries the --templates directory's per-MAC
 * templates, which answer when no group does.
 *
 * Matching and rendering are allocation-free: each thread that calls them
 * owns a slot (its Hyperscan scratch and render buffer), numbered as the
 * daemon hands them out (workers, HTTP threads, the control thread).
 */
#ifndef RACKBOOT_PROFILES_H
#define RACKBOOT_PROFILES_H

#include <stddef.h>
#include <stdint.h>

#include "rackboot/bootcfg.h"
#include "rackboot/filecache.h"
#include "rackboot/pxe.h"
#include "rackboot/selector.h"

struct rb_profiles;

/** Per-group (or per-profile) workarounds for firmware; 0 is "none". */
struct rb_quirks {
	uint32_t reply_delay_ms;   /**< hold DHCP replies this long */
	uint8_t omit_option_43;    /**< no PXE vendor options in replies */
	uint32_t tftp_blksize_max; /**< cap the TFTP blksize offered */
	uint64_t http_rate;        /**< HTTP bytes per second per response */
};

/** The facts a render knows that rb_machine does not: our addresses. */
struct rb_render_env {
	uint32_t server;       /**< network order */
	const char *http_url;  /**< "http://10.99.0.1/" */
};

/**
 * Build a snapshot.
 *
 * @param data       the data directory, or NULL / "" for none
 * @param root       the served root: profiles' local kernel and initrd
 *                   paths must exist under it
 * @param templates  the --templates cache or NULL; the snapshot owns it
 *                   from here on, freed with it (also on failure)
 * @param nslots     the threads that will match and render
 * @param generation shown in logs, metrics and `rackbootctl`
 * @param out        the snapshot
 * @param err        on failure, the file and the reason
 * @param errlen     size of @p err
 * @return 0 or -1
 */
int rb_profiles_load(const char *data, const char *root,
		     struct rb_filecache *templates, unsigned int nslots,
		     uint64_t generation, struct rb_profiles **out, char *err,
		     size_t errlen);

void rb_profiles_free(struct rb_profiles *p);

/** Keep @p p alive while a thread outside the dataplane uses it. */
void rb_profiles_hold(struct rb_profiles *p);
void rb_profiles_release(struct rb_profiles *p);
/** Whether a hold is still out. */
int rb_profiles_busy(const struct rb_profiles *p);

uint64_t rb_profiles_generation(const struct rb_profiles *p);
unsigned int rb_profiles_ngroups(const struct rb_profiles *p);
unsigned int rb_profiles_nprofiles(const struct rb_profiles *p);
unsigned int rb_profiles_ntemplates(const struct rb_profiles *p);
/** The --templates cache the snapshot owns, or NULL. */
const struct rb_filecache *rb_profiles_templates(const struct rb_profiles *p);
/** rb_profiles_quirk_mask(): some group has this quirk. */
#define RB_QUIRK_REPLY_DELAY (1u << 0)
#define RB_QUIRK_OMIT_43 (1u << 1)
#define RB_QUIRK_BLKSIZE (1u << 2)
#define RB_QUIRK_HTTP_RATE (1u << 3)
/** Some profile names its own boot files (DHCP must match machines). */
#define RB_QUIRK_BOOT_FILE (1u << 4)

/** A profile's boot file is shorter than this (DHCP's file field). */
#define RB_PROFILE_BOOTFILE_MAX 128

/**
 * Which quirks some group has: a hot path matches the machine only when
 * a quirk it applies is in use.
 */
unsigned int rb_profiles_quirk_mask(const struct rb_profiles *p);
/** Whether a data directory was loaded (else only --templates). */
int rb_profiles_have_data(const struct rb_profiles *p);

/**
 * The group of machine @p m.
 *
 * @param slot    the caller's slot
 * @param extra   more facts (HTTP query labels: hostname, serial...)
 * @param nextra  how many
 * @param why     if not NULL, the terms that matched
 * @return the group's index, or -1
 */
int rb_profiles_match(const struct rb_profiles *p, unsigned int slot,
		      const struct rb_machine *m, const struct rb_fact *extra,
		      unsigned int nextra, char *why, size_t whylen);

/** A group's id, file, profile id; NULL for -1. */
const char *rb_profiles_group_id(const struct rb_profiles *p, int g);
const char *rb_profiles_group_file(const struct rb_profiles *p, int g);
const char *rb_profiles_profile_id(const struct rb_profiles *p, int g);
/** A group's quirks (its profile's, overridden by its own). */
const struct rb_quirks *rb_profiles_quirks(const struct rb_profiles *p,
					   int g);

/**
 * The boot file group @p g's profile gives firmware class @p fw
 * ("boot_files"), "" for none at all, or NULL when the profile leaves it
 * to the daemon's --boot-file.
 */
const char *rb_profiles_boot_file(const struct rb_profiles *p, int g,
				  enum rb_fw fw);

/** Group @p g's profile's kernel, or NULL. */
const char *rb_profiles_kernel(const struct rb_profiles *p, int g);
/** Its initrd @p i (as written, iPXE options included), or NULL past the last. */
const char *rb_profiles_initrd(const struct rb_profiles *p, int g,
			       unsigned int i);

/** rb_profiles_render() results besides a length. */
#define RB_RENDER_NONE (-1)     /**< not a config this snapshot answers */
#define RB_RENDER_TOO_BIG (-2)  /**< larger than @p cap */

/**
 * The per-machine config @p name (see rb_bootcfg_classify()) rendered
 * for @p m: from the machine's group and profile when a data directory
 * is loaded, else (or when no group matches) from --templates.
 *
 * @param name    the path asked for, relative to the root
 * @param m       the machine; a MAC or UUID in @p name replaces its own
 * @param group   set to the group used, or -1
 * @return the length, RB_RENDER_NONE or RB_RENDER_TOO_BIG
 */
long rb_profiles_render(const struct rb_profiles *p, unsigned int slot,
			const char *name, struct rb_machine *m,
			const struct rb_fact *extra, unsigned int nextra,
			const struct rb_render_env *env, char *out, size_t cap,
			int *group);

#endif
