/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-machine boot configs rendered on request, the same for TFTP and
 * HTTP: which names are per-machine configs (seed 002's pxelinux.cfg and
 * grub.cfg names, and boot.ipxe), which template renders one for a
 * machine, and the machine's facts the template sees.  No allocation.
 */
#ifndef RACKBOOT_BOOTCFG_H
#define RACKBOOT_BOOTCFG_H

#include <stddef.h>
#include <stdint.h>

#include "rackboot/filecache.h"

/** The RFC 4122 text form's length. */
#define RB_UUID_LEN 36

/** What is known of the machine a config is rendered for. */
struct rb_machine {
	uint8_t mac[6];
	uint8_t have_mac;
	uint32_t ip;                 /**< the asker's address, network order */
	char uuid[RB_UUID_LEN + 1];  /**< "" when unknown */
};

/** What kind of per-machine config a name asks for. */
enum rb_cfg_kind {
	RB_CFG_NONE,      /**< not a per-machine config */
	RB_CFG_IPXE,      /**< boot.ipxe, and matchbox's /ipxe */
	RB_CFG_GRUB,      /**< grub.cfg names, and /grub */
	RB_CFG_PXELINUX,  /**< pxelinux.cfg/ names */
	RB_CFG_IGNITION,  /**< /ignition (HTTP) */
	RB_CFG_CLOUD,     /**< /cloud: cloud-config (HTTP) */
	RB_CFG_GENERIC,   /**< /generic (HTTP) */
	RB_CFG_METADATA,  /**< /metadata: KEY=value lines (HTTP) */
	RB_CFG_KINDS
};

/** Whose config a name asks for. */
enum rb_cfg_scope {
	RB_SCOPE_DEFAULT,  /**< the default one (pxelinux.cfg/default) */
	RB_SCOPE_MACHINE,  /**< the machine's, else the default (01-<mac>) */
	RB_SCOPE_OWN,      /**< only one of the machine's own (<uuid>, hex IP):
			    *   other machines fall through to the next name */
};

/**
 * Classify @p name, a path relative to the root.  A MAC named in
 * @p name replaces the machine's (any host may fetch a machine's config);
 * a UUID name sets its uuid.
 *
 * @param name   the path asked for
 * @param m      the machine asking
 * @param scope  whose config is asked for
 * @return the kind, RB_CFG_NONE when @p name is not a per-machine config
 */
enum rb_cfg_kind rb_bootcfg_classify(const char *name, struct rb_machine *m,
				     enum rb_cfg_scope *scope);

/** The kind's name as a template knows it ("boot.ipxe", "grub.cfg"...). */
const char *rb_bootcfg_kind_name(enum rb_cfg_kind kind);

/**
 * The template that renders per-machine config @p name for @p m:
 * pxelinux.cfg/01-<mac>, grub.cfg-01-<mac> and boot.ipxe render the
 * machine's template (`<kind>-01-<mac>`), or the default one (`<kind>`);
 * pxelinux.cfg/default and grub.cfg the default; pxelinux.cfg/<uuid>,
 * pxelinux.cfg/<hex IP> and grub.cfg-<hex IP> (the asker's address,
 * shortened or not) only a template of the machine's own, so that other
 * machines fall through to the next name as firmware does.
 *
 * @param templates  the template files
 * @param name       the path asked for, relative to the root
 * @param m          the machine; a MAC named in @p name replaces its own
 * @return the template, or NULL when @p name is not a per-machine config
 *         or no template fits
 */
const struct rb_file *rb_bootcfg_template(const struct rb_filecache *templates,
					  const char *name,
					  struct rb_machine *m);

/**
 * Render @p tmpl for @p m.  The variables: ${mac} (52:54:00:12:34:56),
 * ${mac_dash}, ${mac_hex}, ${ip}, ${uuid}, ${server}, ${http}.
 *
 * @param server    our address, network order
 * @param http_url  the base of our HTTP URLs ("http://10.99.0.1/")
 * @param out       the result
 * @param cap       its size
 * @return the length, or -1 when it does not fit
 */
long rb_bootcfg_render(const struct rb_file *tmpl, const struct rb_machine *m,
		       uint32_t server, const char *http_url, char *out,
		       size_t cap);

/**
 * Read a MAC written with colons, dashes or as bare hex
 * ("52:54:00:12:34:56", "52-54-...", "525400123456").
 *
 * @return 0, or -1 when @p s is not one
 */
int rb_bootcfg_parse_mac(const char *s, uint8_t mac[6]);

/** A MAC in the three spellings configs use. */
struct rb_mac_text {
	char colon[18];  /**< 52:54:00:12:34:56 (${mac}) */
	char dash[18];   /**< 52-54-00-12-34-56 (${mac_dash}, 01-<mac> names) */
	char hex[13];    /**< 525400123456 (${mac_hex}) */
};

/** Write @p mac in every spelling of struct rb_mac_text. */
void rb_bootcfg_mac_text(const uint8_t mac[6], struct rb_mac_text *t);

/** Whether @p s is a UUID in its 8-4-4-4-12 hex text form. */
int rb_bootcfg_is_uuid(const char *s);

#endif
