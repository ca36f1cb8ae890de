/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DHCP request's facts for profile selectors (see dhcp_facts.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "rackboot/dhcp_facts.h"

/** Copy @p n bytes of option text into @p out, printable only. */
static void
text(const uint8_t *v, size_t n, char *out, size_t cap)
{
	size_t i;

	if (n >= cap)
		n = cap - 1;
	for (i = 0; i < n; i++)
		out[i] = v[i] >= 0x20 && v[i] < 0x7f ? (char)v[i] : '?';
	out[n] = '\0';
}

static void
add(struct rb_dhcp_facts *f, const char *key, const char *value)
{
	f->fact[f->nfacts++] = (struct rb_fact){key, value};
}

void
rb_dhcp_facts(const struct rb_dhcp_msg *msg, const struct rb_pxe_client *pxe,
	      struct rb_dhcp_facts *f)
{
	const struct rb_dhcp_hdr *h = msg->hdr;
	const uint8_t *v;
	size_t n;

	memset(f, 0, sizeof(*f));
	if (h->htype == 1 && h->hlen == 6) {
		memcpy(f->m.mac, h->chaddr, 6);
		f->m.have_mac = 1;
	}
	if (pxe->has_uuid) {
		const uint8_t *u = pxe->uuid;

		/* SMBIOS keeps the first three fields little-endian; the
		 * text is the one PXELINUX asks for and iPXE's ${uuid}
		 * prints, so one selector matches the machine everywhere */
		snprintf(f->m.uuid, sizeof(f->m.uuid),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			 "%02x%02x%02x%02x%02x%02x",
			 u[3], u[2], u[1], u[0], u[5], u[4], u[7], u[6], u[8],
			 u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	}
	if (msg->opt[RB_OPT_CLIENT_ARCH] && msg->opt_len[RB_OPT_CLIENT_ARCH] >= 2) {
		snprintf(f->arch, sizeof(f->arch), "%u", pxe->arch);
		add(f, "arch", f->arch);
	}
	if ((v = msg->opt[RB_OPT_VENDOR_CLASS]) != NULL) {
		text(v, msg->opt_len[RB_OPT_VENDOR_CLASS], f->vendor,
		     sizeof(f->vendor));
		add(f, "vendor", f->vendor);
	}
	if ((v = msg->opt[RB_OPT_USER_CLASS]) != NULL) {
		n = msg->opt_len[RB_OPT_USER_CLASS];
		/* RFC 3004: [len][class]...; a length that fits says so */
		if (n >= 2 && v[0] >= 1 && v[0] < 0x20 && (size_t)v[0] + 1 <= n)
			text(v + 1, v[0], f->user_class, sizeof(f->user_class));
		else
			text(v, n, f->user_class, sizeof(f->user_class));
		add(f, "user_class", f->user_class);
	}
	if (h->giaddr) {
		inet_ntop(AF_INET, &h->giaddr, f->relay, sizeof(f->relay));
		add(f, "relay", f->relay);
	}
}
