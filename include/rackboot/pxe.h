/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What kind of network-boot client a DHCP request comes from, and which
 * boot file that kind gets.
 */
#ifndef RACKBOOT_PXE_H
#define RACKBOOT_PXE_H

#include <stdint.h>

#include "rackboot/dhcp.h"

/** Firmware classes, each with its own boot file. */
enum rb_fw {
	RB_FW_BIOS,       /**< arch 0: legacy PXE ROM */
	RB_FW_EFI_IA32,   /**< arch 6 */
	RB_FW_EFI_X64,    /**< arch 7 and 9: firmware disagrees on which */
	RB_FW_EFI_ARM32,  /**< arch 10 */
	RB_FW_EFI_ARM64,  /**< arch 11 */
	RB_FW_HTTP_IA32,  /**< arch 15: UEFI HTTP Boot */
	RB_FW_HTTP_X64,   /**< arch 16 */
	RB_FW_HTTP_ARM32, /**< arch 18 */
	RB_FW_HTTP_ARM64, /**< arch 19 */
	RB_FW_IPXE,       /**< iPXE asking again: its script's URL */
	RB_FW_COUNT
};

/** @return the class's name as used by --boot-file ("efi-x64"). */
const char *rb_fw_name(enum rb_fw fw);

/** @return the class named @p name, or RB_FW_COUNT. */
enum rb_fw rb_fw_by_name(const char *name);

/** @return whether the class boots over HTTP (its file is a URL). */
int rb_fw_is_http(enum rb_fw fw);

/** A request's network-boot facts. */
struct rb_pxe_client {
	uint8_t netboot;     /**< PXEClient, HTTPClient or iPXE: boot it */
	uint8_t http_client; /**< option 60 starts with HTTPClient */
	uint8_t ipxe;        /**< user class iPXE, or option 175 present */
	uint8_t has_uuid;    /**< option 97 well formed */
	uint16_t arch;       /**< option 93, or from option 60's Arch: */
	enum rb_fw fw;
	uint8_t uuid[16];
};

/**
 * Classify a request.
 *
 * @param m  the parsed request
 * @param c  filled in
 * @return 1 when option 97 was present but malformed (ignored), else 0
 */
int rb_pxe_classify(const struct rb_dhcp_msg *m, struct rb_pxe_client *c);

#endif
