/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Rendering per-machine boot configs (pxelinux.cfg, grub.cfg) from
 * templates: ${name} is replaced by the machine's value.  No allocation:
 * workers render into buffers they own.
 */
#ifndef RACKBOOT_TEMPLATE_H
#define RACKBOOT_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

/** One variable: ${name} becomes value. */
struct rb_tvar {
	const char *name;
	const char *value;
};

/**
 * Render @p tmpl into @p out.  Unknown variables are left as written, so a
 * typo shows in the result.
 *
 * @param tmpl  the template
 * @param len   its length
 * @param vars  the variables
 * @param nvars how many
 * @param out   the result (not NUL-terminated)
 * @param cap   size of @p out
 * @return the result's length, or -1 when it does not fit
 */
long rb_template_render(const char *tmpl, size_t len,
			const struct rb_tvar *vars, unsigned int nvars,
			char *out, size_t cap);

#endif
