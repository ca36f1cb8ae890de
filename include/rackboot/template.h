/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Rendering per-machine boot configs and provisioning documents from
 * templates.  Two spellings of a variable are understood: ${name}, the
 * one rackboot's own templates use, and {{.name}} (with optional spaces
 * and Go's {{- / -}} whitespace trimming), the one matchbox data
 * directories use, so their cloud-config, ignition and generic templates
 * render unchanged when they only substitute values.  No allocation:
 * workers render into buffers they own.
 */
#ifndef RACKBOOT_TEMPLATE_H
#define RACKBOOT_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

/** One variable: ${name} and {{.name}} become value. */
struct rb_tvar {
	const char *name;
	const char *value;
};

/** A list of variables; earlier lists win over later ones. */
struct rb_tvars {
	const struct rb_tvar *v;
	unsigned int n;
};

/**
 * Render @p tmpl into @p out.  An unknown ${name} is left as written: it
 * may be the boot loader's own (iPXE's ${net0/mac}), and a typo shows.
 * An unknown {{.name}} renders empty, as a missing key does in matchbox.
 *
 * @param tmpl   the template
 * @param len    its length
 * @param lists  the variables, in order of precedence
 * @param nlists how many lists
 * @param out    the result (not NUL-terminated)
 * @param cap    size of @p out
 * @return the result's length, or -1 when it does not fit
 */
long rb_template_render_lists(const char *tmpl, size_t len,
			      const struct rb_tvars *lists, unsigned int nlists,
			      char *out, size_t cap);

/** rb_template_render_lists() with one list. */
long rb_template_render(const char *tmpl, size_t len,
			const struct rb_tvar *vars, unsigned int nvars,
			char *out, size_t cap);

/**
 * Check that every {{ ... }} action in @p tmpl is one the renderer
 * understands (a {{.name}} reference), so a template that needs Go's
 * control flow is refused at load time instead of rendering wrong.
 *
 * @param err     on failure, the line and the reason
 * @param errlen  size of @p err
 * @return 0 or -1
 */
int rb_template_check(const char *tmpl, size_t len, char *err, size_t errlen);

#endif
