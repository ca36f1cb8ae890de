/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network-boot client classification (PXE 2.1, RFC 4578, UEFI 2.5 HTTP
 * Boot): a table from client architecture to firmware class.
 */
#include <stdlib.h>
#include <string.h>

#include "rackboot/pxe.h"

static const struct {
	const char *name;
	uint8_t http;
} fw_table[RB_FW_COUNT] = {
	[RB_FW_BIOS] = {"bios", 0},
	[RB_FW_EFI_IA32] = {"efi-ia32", 0},
	[RB_FW_EFI_X64] = {"efi-x64", 0},
	[RB_FW_EFI_ARM32] = {"efi-arm32", 0},
	[RB_FW_EFI_ARM64] = {"efi-arm64", 0},
	[RB_FW_HTTP_IA32] = {"http-ia32", 1},
	[RB_FW_HTTP_X64] = {"http-x64", 1},
	[RB_FW_HTTP_ARM32] = {"http-arm32", 1},
	[RB_FW_HTTP_ARM64] = {"http-arm64", 1},
	[RB_FW_IPXE] = {"ipxe", 1},
};

/* RFC 4578 / IANA "Processor Architecture Types" */
static const struct {
	uint16_t arch;
	enum rb_fw fw;
} arch_table[] = {
	{0, RB_FW_BIOS},      {6, RB_FW_EFI_IA32},  {7, RB_FW_EFI_X64},
	{9, RB_FW_EFI_X64},   {10, RB_FW_EFI_ARM32}, {11, RB_FW_EFI_ARM64},
	{15, RB_FW_HTTP_IA32}, {16, RB_FW_HTTP_X64}, {18, RB_FW_HTTP_ARM32},
	{19, RB_FW_HTTP_ARM64},
};

const char *
rb_fw_name(enum rb_fw fw)
{
	return fw < RB_FW_COUNT ? fw_table[fw].name : "?";
}

enum rb_fw
rb_fw_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < RB_FW_COUNT; i++)
		if (strcmp(fw_table[i].name, name) == 0)
			return (enum rb_fw)i;
	return RB_FW_COUNT;
}

int
rb_fw_is_http(enum rb_fw fw)
{
	return fw < RB_FW_COUNT && fw_table[fw].http;
}

/** Whether option @p code starts with the string @p prefix. */
static int
opt_starts(const struct rb_dhcp_msg *m, uint8_t code, const char *prefix)
{
	size_t n = strlen(prefix);

	return m->opt[code] && m->opt_len[code] >= n &&
	       memcmp(m->opt[code], prefix, n) == 0;
}

/**
 * Whether the user class (option 77) says iPXE.  iPXE sends the bare
 * string; RFC 3004 clients send length-prefixed entries: take both.
 */
static int
user_class_ipxe(const struct rb_dhcp_msg *m)
{
	const uint8_t *p = m->opt[RB_OPT_USER_CLASS];
	uint16_t len = m->opt_len[RB_OPT_USER_CLASS], i = 0;

	if (p == NULL)
		return 0;
	if (len == 4 && memcmp(p, "iPXE", 4) == 0)
		return 1;
	while (i < len) {
		uint8_t n = p[i];

		if (i + 1u + n > len)
			return 0;
		if (n == 4 && memcmp(p + i + 1, "iPXE", 4) == 0)
			return 1;
		i = (uint16_t)(i + 1 + n);
	}
	return 0;
}

/** The architecture in "PXEClient:Arch:00007:UNDI:003016", or -1. */
static int
arch_from_vendor_class(const struct rb_dhcp_msg *m)
{
	static const char tag[] = "PXEClient:Arch:";
	const uint8_t *p = m->opt[RB_OPT_VENDOR_CLASS];
	size_t n = sizeof(tag) - 1, i;
	int v = 0;

	if (!opt_starts(m, RB_OPT_VENDOR_CLASS, tag) ||
	    m->opt_len[RB_OPT_VENDOR_CLASS] < n + 5)
		return -1;
	for (i = n; i < n + 5; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

int
rb_pxe_classify(const struct rb_dhcp_msg *m, struct rb_pxe_client *c)
{
	const uint8_t *uuid = m->opt[RB_OPT_CLIENT_UUID];
	int arch = -1, bad_uuid = 0;
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->http_client = (uint8_t)opt_starts(m, RB_OPT_VENDOR_CLASS,
					     "HTTPClient");
	c->ipxe = (uint8_t)(user_class_ipxe(m) || m->opt[RB_OPT_IPXE]);
	c->netboot = (uint8_t)(c->http_client || c->ipxe ||
			       opt_starts(m, RB_OPT_VENDOR_CLASS, "PXEClient"));

	/* option 93 is a list of 16-bit types; the first one counts */
	if (m->opt[RB_OPT_CLIENT_ARCH] && m->opt_len[RB_OPT_CLIENT_ARCH] >= 2)
		arch = m->opt[RB_OPT_CLIENT_ARCH][0] << 8 |
		       m->opt[RB_OPT_CLIENT_ARCH][1];
	else
		arch = arch_from_vendor_class(m);
	c->arch = arch < 0 ? 0 : (uint16_t)arch;
	c->fw = c->http_client ? RB_FW_HTTP_X64 : RB_FW_BIOS;
	for (i = 0; i < sizeof(arch_table) / sizeof(arch_table[0]); i++)
		if (arch_table[i].arch == c->arch)
			c->fw = arch_table[i].fw;
	/* an HTTPClient with a PXE architecture still wants a URL */
	if (c->http_client && !rb_fw_is_http(c->fw))
		c->fw = c->fw == RB_FW_EFI_ARM64 ? RB_FW_HTTP_ARM64
		      : c->fw == RB_FW_EFI_IA32 ? RB_FW_HTTP_IA32
						 : RB_FW_HTTP_X64;
	if (c->ipxe)
		c->fw = RB_FW_IPXE;

	/* PXE: type 0 followed by the 16-byte UUID.  Some ROMs omit it, some
	 * send garbage: neither stops the boot. */
	if (uuid) {
		if (m->opt_len[RB_OPT_CLIENT_UUID] == 17 && uuid[0] == 0) {
			memcpy(c->uuid, uuid + 1, 16);
			c->has_uuid = 1;
		} else {
			bad_uuid = 1;
		}
	}
	return bad_uuid;
}
