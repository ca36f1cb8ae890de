/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What a DHCP request says about the machine, as facts for profile
 * selectors: mac, uuid (option 97, in the text PXELINUX and iPXE use), and the keys only DHCP knows, arch
 * (option 93, decimal), vendor (option 60), user_class (option 77) and
 * relay (giaddr).  Pure and allocation-free: the strings live in the
 * result.
 */
#ifndef RACKBOOT_DHCP_FACTS_H
#define RACKBOOT_DHCP_FACTS_H

#include "rackboot/bootcfg.h"
#include "rackboot/dhcp.h"
#include "rackboot/pxe.h"
#include "rackboot/selector.h"

/** Option text kept for a fact (longer values are cut). */
#define RB_DHCP_FACT_MAX 64

struct rb_dhcp_facts {
	struct rb_machine m;      /**< mac, uuid; ip left 0 */
	struct rb_fact fact[4];   /**< arch, vendor, user_class, relay */
	unsigned int nfacts;
	char arch[8];
	char vendor[RB_DHCP_FACT_MAX];
	char user_class[RB_DHCP_FACT_MAX];
	char relay[16];
};

/**
 * Read the facts of request @p msg, classified as @p pxe.
 *
 * Option text is kept printable (other bytes become '?').  A user class
 * in RFC 3004's form (length-prefixed) gives its first class; iPXE's bare
 * "iPXE" is taken as it is.  Absent options give no fact.
 *
 * @param msg  the parsed request
 * @param pxe  rb_pxe_classify()'s result for it
 * @param out  filled in; out->fact points into it
 */
void rb_dhcp_facts(const struct rb_dhcp_msg *msg,
		   const struct rb_pxe_client *pxe, struct rb_dhcp_facts *out);

#endif
