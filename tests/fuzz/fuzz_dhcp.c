/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the DHCP parser, PXE classification, the selector facts and
 * a reply written to what was parsed.  Every option pointer the parser
 * hands out must lie inside the message or its scratch space.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rackboot/dhcp.h"
#include "rackboot/dhcp_facts.h"
#include "rackboot/pxe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rb_dhcp_msg m;
	struct rb_pxe_client c;
	struct rb_dhcp_facts f;
	struct rb_dhcp_writer w;
	uint8_t out[576], *copy;
	unsigned int i;

	/* an exact-size copy: a read past the end is a sanitizer error */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (rb_dhcp_parse(copy, size, &m) == RB_DROP_NONE) {
		for (i = 0; i < 256; i++) {
			const uint8_t *p = m.opt[i];

			if (p == NULL)
				continue;
			if (!((p >= copy && p + m.opt_len[i] <= copy + size) ||
			      (p >= m.scratch &&
			       p + m.opt_len[i] <= m.scratch + sizeof(m.scratch))))
				abort();
		}
		rb_pxe_classify(&m, &c);
		rb_dhcp_facts(&m, &c, &f);
		for (i = 0; i < f.nfacts; i++)
			if (strlen(f.fact[i].value) >= RB_DHCP_FACT_MAX)
				abort();
		rb_dhcp_reply_start(&w, out, sizeof(out), &m, RB_DHCPOFFER);
		rb_dhcp_put_str(&w, RB_OPT_VENDOR_CLASS, "PXEClient");
		if (m.opt[RB_OPT_CLIENT_UUID])
			rb_dhcp_put(&w, RB_OPT_CLIENT_UUID, m.opt[RB_OPT_CLIENT_UUID],
				    m.opt_len[RB_OPT_CLIENT_UUID]);
		if (w.len > sizeof(out))
			abort();
	}
	free(copy);
	return 0;
}
