/* SPDX-License-Identifier: BSD-3-Clause */
/* The DHCP codec and PXE classification: option table, overload, joined
 * options, every malformation, the reply writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>
#include <rte_byteorder.h>

#include "dhcpmsg.h"
#include "pxe_captures.h"
#include "rackboot/dhcp.h"
#include "rackboot/dhcp_facts.h"
#include "rackboot/pxe.h"

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static rb_drop_t
parse_exact(const uint8_t *buf, size_t len, struct rb_dhcp_msg *m)
{
	static uint8_t *copy;
	rb_drop_t r;

	/* exact-size copy: a read past the end trips AddressSanitizer; it
	 * stays allocated while the test reads the option pointers */
	free(copy);
	copy = malloc(len ? len : 1);
	memcpy(copy, buf, len);
	r = rb_dhcp_parse(copy, len, m);
	return r;
}

#define assert_drop(r, reason)                                                \
	assert_string_equal(rb_counter_name((enum rb_counter)(r)),            \
			    "drop." #reason)

static void
test_discover_options(void **state)
{
	struct tmsg t;
	struct rb_dhcp_msg m;
	static const uint8_t req[4] = {10, 99, 0, 150};

	(void)state;
	tmsg_start(&t, mac, 0x11223344);
	tmsg_type(&t, 1);
	tmsg_ip(&t, 50, req);
	tmsg_str(&t, 60, "PXEClient:Arch:00000:UNDI:002001");
	tmsg_end(&t);
	assert_int_equal(parse_exact(t.b, t.len, &m), RB_DROP_NONE);
	assert_int_equal(m.type, 1);
	assert_int_equal(m.opt_len[60], 32);
	assert_memory_equal(m.opt[60], "PXEClient:Arch:00000:UNDI:002001", 32);
	assert_memory_equal(&(uint32_t){rb_dhcp_opt_ip(&m, 50)}, req, 4);
	assert_int_equal(rb_dhcp_opt_ip(&m, 54), 0);
	assert_null(m.opt[97]);
}

static void
test_overload_file_and_sname(void **state)
{
	struct tmsg t;
	struct rb_dhcp_msg m;
	uint8_t ov = 3;

	(void)state;
	tmsg_start(&t, mac, 1);
	tmsg_opt(&t, 52, &ov, 1);
	tmsg_end(&t);
	/* option 53 in file, 60 in sname */
	t.b[108] = 53; t.b[109] = 1; t.b[110] = 3; t.b[111] = 255;
	t.b[44] = 60; t.b[45] = 4; memcpy(t.b + 46, "abcd", 4); t.b[50] = 255;
	assert_int_equal(parse_exact(t.b, t.len, &m), RB_DROP_NONE);
	assert_int_equal(m.type, 3);
	assert_memory_equal(m.opt[60], "abcd", 4);
}

static void
test_split_option_joined(void **state)
{
	struct tmsg t;
	struct rb_dhcp_msg m;

	(void)state;
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 1);
	tmsg_str(&t, 60, "PXEClient:");
	tmsg_str(&t, 12, "host");
	tmsg_str(&t, 60, "Arch:00007");
	tmsg_end(&t);
	assert_int_equal(parse_exact(t.b, t.len, &m), RB_DROP_NONE);
	assert_int_equal(m.opt_len[60], 20);
	assert_memory_equal(m.opt[60], "PXEClient:Arch:00007", 20);
	assert_memory_equal(m.opt[12], "host", 4);
}

static void
test_malformed(void **state)
{
	struct tmsg t;
	struct rb_dhcp_msg m;
	uint8_t big[1600] = {0};
	uint8_t bad = 4;
	int i;

	(void)state;
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 1);
	tmsg_end(&t);
	assert_drop(parse_exact(t.b, 239, &m), dhcp_truncated);
	memcpy(big, t.b, t.len);
	assert_drop(parse_exact(big, 1473, &m), dhcp_oversized);
	t.b[0] = 2;
	assert_drop(parse_exact(t.b, t.len, &m), dhcp_bad_op);
	t.b[0] = 1;
	t.b[2] = 7;
	assert_drop(parse_exact(t.b, t.len, &m), dhcp_bad_hw);
	t.b[1] = 32; t.b[2] = 20; /* InfiniBand-ish, but over 16 */
	assert_drop(parse_exact(t.b, t.len, &m), dhcp_bad_hw);
	t.b[1] = 1; t.b[2] = 6;
	t.b[239] = 98;
	assert_drop(parse_exact(t.b, t.len, &m), dhcp_bad_cookie);

	/* an option whose length runs past the message */
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 1);
	t.b[t.len++] = 60;
	t.b[t.len++] = 200;
	memset(t.b + t.len, 'x', 10);
	t.len += 10;
	assert_drop(parse_exact(t.b, t.len, &m), dhcp_bad_option);
	/* a code with no length byte at the very end */
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 1);
	t.b[t.len++] = 60;
	assert_drop(parse_exact(t.b, t.len, &m), dhcp_bad_option);

	/* option 52 with a bad value, and option 52 inside file */
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 1);
	tmsg_opt(&t, 52, &bad, 1);
	tmsg_end(&t);
	assert_drop(parse_exact(t.b, t.len, &m), dhcp_bad_overload);
	tmsg_start(&t, mac, 1);
	bad = 1;
	tmsg_opt(&t, 52, &bad, 1);
	tmsg_end(&t);
	t.b[108] = 52; t.b[109] = 1; t.b[110] = 2; /* overload again in file */
	assert_drop(parse_exact(t.b, t.len, &m), dhcp_bad_overload);

	/* no option 53: BOOTP, not served */
	tmsg_start(&t, mac, 1);
	tmsg_end(&t);
	assert_drop(parse_exact(t.b, t.len, &m), dhcp_no_msg_type);
	/* a server's message type from a client */
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 2);
	tmsg_end(&t);
	assert_drop(parse_exact(t.b, t.len, &m), dhcp_bad_msg_type);

	/* one option repeated until joining it would pass 255 bytes */
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 1);
	for (i = 0; i < 3; i++) {
		uint8_t v[100];

		memset(v, 'a' + i, sizeof(v));
		tmsg_opt(&t, 43, v, sizeof(v));
	}
	tmsg_end(&t);
	assert_drop(parse_exact(t.b, t.len, &m), dhcp_option_overflow);
}

static void
test_missing_end_tolerated(void **state)
{
	struct tmsg t;
	struct rb_dhcp_msg m;

	(void)state;
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 3);
	assert_int_equal(parse_exact(t.b, t.len, &m), RB_DROP_NONE);
	assert_int_equal(m.type, 3);
}

static void
test_writer(void **state)
{
	struct tmsg t;
	struct rb_dhcp_msg m;
	struct rb_dhcp_writer w;
	uint8_t buf[600], olen;
	const uint8_t *v;
	char big[300];
	size_t len;

	(void)state;
	tmsg_start(&t, mac, 0xabcdef01);
	t.b[10] = 0x80; /* broadcast flag */
	tmsg_type(&t, 1);
	tmsg_end(&t);
	assert_int_equal(parse_exact(t.b, t.len, &m), RB_DROP_NONE);
	rb_dhcp_reply_start(&w, buf, 576, &m, 2);
	rb_dhcp_put_u32(&w, 54, 0x0100630a);
	rb_dhcp_put_str(&w, 67, "undionly.kpxe");
	len = rb_dhcp_finish(&w);
	assert_int_equal(len, 300); /* padded to the BOOTP minimum */
	assert_int_equal(buf[0], 2);
	assert_memory_equal(buf + 4, t.b + 4, 4);    /* xid */
	assert_int_equal(buf[10], 0x80);             /* flags kept */
	assert_memory_equal(buf + 28, mac, 6);
	v = tmsg_find(buf, len, 53, &olen);
	assert_non_null(v);
	assert_int_equal(v[0], 2);
	v = tmsg_find(buf, len, 67, &olen);
	assert_int_equal(olen, 13);
	assert_memory_equal(v, "undionly.kpxe", 13);

	/* an option that does not fit is left out, and said so */
	rb_dhcp_reply_start(&w, buf, 300, &m, 2);
	memset(big, 'x', sizeof(big));
	rb_dhcp_put(&w, 43, big, 60);
	assert_int_equal(w.overflow, 1);
	assert_int_equal(rb_dhcp_finish(&w), 300);
	assert_null(tmsg_find(buf, 300, 43, &olen));
}

/* --- PXE classification --- */

static enum rb_fw
classify(uint16_t arch, const char *vendor, const char *uclass, int opt175,
	 struct rb_pxe_client *c)
{
	struct tmsg t;
	struct rb_dhcp_msg m;

	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 1);
	if (vendor)
		tmsg_str(&t, 60, vendor);
	if (uclass)
		tmsg_str(&t, 77, uclass);
	if (arch != 0xffff)
		tmsg_arch(&t, arch);
	if (opt175) {
		static const uint8_t v[] = {19, 1, 1};

		tmsg_opt(&t, 175, v, sizeof(v));
	}
	tmsg_end(&t);
	assert_int_equal(parse_exact(t.b, t.len, &m), RB_DROP_NONE);
	rb_pxe_classify(&m, c);
	return c->fw;
}

static void
test_pxe_arch_table(void **state)
{
	struct rb_pxe_client c;
	const char *pxe = "PXEClient:Arch:00000:UNDI:002001";

	(void)state;
	assert_int_equal(classify(0, pxe, NULL, 0, &c), RB_FW_BIOS);
	assert_int_equal(c.netboot, 1);
	assert_int_equal(classify(7, pxe, NULL, 0, &c), RB_FW_EFI_X64);
	/* firmware disagrees on 7 and 9: both are x64 */
	assert_int_equal(classify(9, pxe, NULL, 0, &c), RB_FW_EFI_X64);
	assert_int_equal(classify(6, pxe, NULL, 0, &c), RB_FW_EFI_IA32);
	assert_int_equal(classify(11, pxe, NULL, 0, &c), RB_FW_EFI_ARM64);
	assert_int_equal(classify(16, "HTTPClient:Arch:00016:UNDI:003000",
				  NULL, 0, &c),
			 RB_FW_HTTP_X64);
	assert_int_equal(c.http_client, 1);
	assert_int_equal(classify(19, "HTTPClient", NULL, 0, &c),
			 RB_FW_HTTP_ARM64);
	/* an HTTPClient naming a PXE architecture still gets a URL */
	assert_int_equal(classify(7, "HTTPClient", NULL, 0, &c),
			 RB_FW_HTTP_X64);
	/* no option 93: the architecture from option 60 */
	assert_int_equal(classify(0xffff, "PXEClient:Arch:00011:UNDI:003016",
				  NULL, 0, &c),
			 RB_FW_EFI_ARM64);
	/* iPXE: user class or option 175, whatever the architecture */
	assert_int_equal(classify(7, pxe, "iPXE", 0, &c), RB_FW_IPXE);
	assert_int_equal(classify(0, pxe, NULL, 1, &c), RB_FW_IPXE);
	assert_int_equal(classify(0, pxe, "\x04iPXE\x03foo", 0, &c),
			 RB_FW_IPXE);
	/* not a network-boot client at all */
	classify(0xffff, NULL, NULL, 0, &c);
	assert_int_equal(c.netboot, 0);
	classify(0xffff, "MSFT 5.0", NULL, 0, &c);
	assert_int_equal(c.netboot, 0);
}

static void
test_pxe_uuid(void **state)
{
	struct tmsg t;
	struct rb_dhcp_msg m;
	struct rb_pxe_client c;
	uint8_t uuid[17] = {0, 0xb8, 0x94, 0x59, 0x08, 0xd6, 0xa6, 0x41, 0xa9,
			    0x61, 0x1d, 0x74, 0xa6, 0xab, 0x80, 0xb8, 0x3d};

	(void)state;
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 1);
	tmsg_str(&t, 60, "PXEClient");
	tmsg_opt(&t, 97, uuid, 17);
	tmsg_end(&t);
	assert_int_equal(parse_exact(t.b, t.len, &m), RB_DROP_NONE);
	assert_int_equal(rb_pxe_classify(&m, &c), 0);
	assert_int_equal(c.has_uuid, 1);
	assert_memory_equal(c.uuid, uuid + 1, 16);
	/* malformed: wrong type byte, or short: flagged, boot goes on */
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 1);
	tmsg_str(&t, 60, "PXEClient");
	uuid[0] = 1;
	tmsg_opt(&t, 97, uuid, 17);
	tmsg_end(&t);
	assert_int_equal(parse_exact(t.b, t.len, &m), RB_DROP_NONE);
	assert_int_equal(rb_pxe_classify(&m, &c), 1);
	assert_int_equal(c.has_uuid, 0);
	assert_int_equal(c.netboot, 1);
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 1);
	tmsg_str(&t, 60, "PXEClient");
	tmsg_opt(&t, 97, uuid, 9);
	tmsg_end(&t);
	assert_int_equal(parse_exact(t.b, t.len, &m), RB_DROP_NONE);
	assert_int_equal(rb_pxe_classify(&m, &c), 1);
}

static void
test_fw_names(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < RB_FW_COUNT; i++)
		assert_int_equal(rb_fw_by_name(rb_fw_name((enum rb_fw)i)), i);
	assert_int_equal(rb_fw_by_name("efi-x86"), RB_FW_COUNT);
	assert_true(rb_fw_is_http(RB_FW_IPXE));
	assert_false(rb_fw_is_http(RB_FW_EFI_X64));
}

/* --- real firmware (pxe_captures.h) --- */

/* the UUID as SMBIOS hands it to PXE: the first three fields
 * little-endian (b8945908-d6a6-41a9-...) */
static const uint8_t smbios_uuid[16] = {0x08, 0x59, 0x94, 0xb8, 0xa6, 0xd6,
					0xa9, 0x41, 0x61, 0x1d, 0x74, 0xa6,
					0xab, 0x80, 0xb8, 0x3d};

static void
test_capture_qemu_ipxe_rom(void **state)
{
	struct rb_dhcp_msg m;
	struct rb_pxe_client c;

	(void)state;
	assert_int_equal(parse_exact(capture_qemu_ipxe_rom,
				     sizeof(capture_qemu_ipxe_rom), &m),
			 RB_DROP_NONE);
	assert_int_equal(m.type, 1);
	assert_memory_equal(m.hdr->chaddr, "\x52\x54\x00\x12\x34\x56", 6);
	assert_int_equal(m.opt_len[77], 4);  /* bare "iPXE", not RFC 3004 */
	assert_non_null(m.opt[175]);
	assert_int_equal(rb_pxe_classify(&m, &c), 0);
	assert_int_equal(c.netboot, 1);
	assert_int_equal(c.ipxe, 1);
	assert_int_equal(c.arch, 0);
	assert_int_equal(c.fw, RB_FW_IPXE);
	assert_int_equal(c.has_uuid, 1);
	assert_memory_equal(c.uuid, smbios_uuid, 16);
}

static void
test_capture_ovmf_pxe(void **state)
{
	struct rb_dhcp_msg m;
	struct rb_pxe_client c;

	(void)state;
	assert_int_equal(parse_exact(capture_ovmf_pxe, sizeof(capture_ovmf_pxe),
				     &m),
			 RB_DROP_NONE);
	assert_int_equal(m.type, 1);
	assert_int_equal(m.hdr->flags, rte_cpu_to_be_16(0x8000));
	assert_memory_equal(m.opt[60], "PXEClient:Arch:00007:UNDI:003000", 32);
	assert_int_equal(rb_pxe_classify(&m, &c), 0);
	assert_int_equal(c.netboot, 1);
	assert_int_equal(c.ipxe, 0);
	assert_int_equal(c.arch, 7);
	assert_int_equal(c.fw, RB_FW_EFI_X64);
	assert_memory_equal(c.uuid, smbios_uuid, 16);
}

/** Copy a capture without option @p code (as firmware that omits it). */
static size_t
without_option(const uint8_t *in, size_t len, uint8_t code, uint8_t *out)
{
	size_t i = 240, o = 240;

	memcpy(out, in, 240);
	while (i < len) {
		if (in[i] == 0 || in[i] == 255) {
			out[o++] = in[i++];
			continue;
		}
		if (in[i] != code) {
			memcpy(out + o, in + i, 2u + in[i + 1]);
			o += 2u + in[i + 1];
		}
		i += 2u + in[i + 1];
	}
	return o;
}

static void
test_capture_without_uuid(void **state)
{
	uint8_t buf[600];
	struct rb_dhcp_msg m;
	struct rb_pxe_client c;
	size_t len = without_option(capture_ovmf_pxe, sizeof(capture_ovmf_pxe),
				    97, buf);

	(void)state;
	/* pixiecore #21: some ROMs send no option 97; the boot goes on */
	assert_int_equal(len, sizeof(capture_ovmf_pxe) - 19);
	assert_int_equal(parse_exact(buf, len, &m), RB_DROP_NONE);
	assert_null(m.opt[97]);
	assert_int_equal(rb_pxe_classify(&m, &c), 0);
	assert_int_equal(c.has_uuid, 0);
	assert_int_equal(c.netboot, 1);
	assert_int_equal(c.fw, RB_FW_EFI_X64);
}

/** The value of fact @p key, or NULL. */
static const char *
fact(const struct rb_dhcp_facts *f, const char *key)
{
	unsigned int i;

	for (i = 0; i < f->nfacts; i++)
		if (strcmp(f->fact[i].key, key) == 0)
			return f->fact[i].value;
	return NULL;
}

/* what real firmware's DISCOVERs tell profile selectors */
static void
test_facts(void **state)
{
	uint8_t buf[600];
	struct rb_dhcp_msg m;
	struct rb_pxe_client c;
	struct rb_dhcp_facts f;
	size_t len, end;

	(void)state;
	/* SeaBIOS's iPXE ROM: bare "iPXE" user class, arch 0 */
	assert_int_equal(parse_exact(capture_qemu_ipxe_rom,
				     sizeof(capture_qemu_ipxe_rom), &m),
			 RB_DROP_NONE);
	rb_pxe_classify(&m, &c);
	rb_dhcp_facts(&m, &c, &f);
	assert_true(f.m.have_mac);
	assert_memory_equal(f.m.mac, mac, 6);
	/* as PXELINUX asks for it (seed 002): pxelinux.cfg/b8945908-... */
	assert_string_equal(f.m.uuid, "b8945908-d6a6-41a9-611d-74a6ab80b83d");
	assert_string_equal(fact(&f, "arch"), "0");
	assert_string_equal(fact(&f, "user_class"), "iPXE");
	assert_non_null(fact(&f, "vendor"));
	assert_null(fact(&f, "relay"));
	/* OVMF: arch 7 and its class string; then relayed, with an RFC 3004
	 * user class and no option 97 */
	len = without_option(capture_ovmf_pxe, sizeof(capture_ovmf_pxe), 97,
			     buf);
	for (end = 240; buf[end] != 255; end += buf[end] ? 2u + buf[end + 1] : 1)
		;
	memcpy(buf + end, "\x4d\x07\x06RACK-1\xff", 10);
	len = end + 10;
	buf[24] = 10; buf[25] = 99; buf[26] = 7; buf[27] = 1; /* giaddr */
	assert_int_equal(parse_exact(buf, len, &m), RB_DROP_NONE);
	rb_pxe_classify(&m, &c);
	rb_dhcp_facts(&m, &c, &f);
	assert_string_equal(f.m.uuid, "");
	assert_string_equal(fact(&f, "arch"), "7");
	assert_string_equal(fact(&f, "vendor"),
			    "PXEClient:Arch:00007:UNDI:003000");
	assert_string_equal(fact(&f, "user_class"), "RACK-1");
	assert_string_equal(fact(&f, "relay"), "10.99.7.1");
	/* control bytes in a class string stay out of the selectors */
	memcpy(buf + end, "\x4d\x03" "a\x01" "b\xff", 6);
	assert_int_equal(parse_exact(buf, end + 6, &m), RB_DROP_NONE);
	rb_pxe_classify(&m, &c);
	rb_dhcp_facts(&m, &c, &f);
	assert_string_equal(fact(&f, "user_class"), "a?b");
}

/* random mutations of a valid PXE DISCOVER: never a crash, never an
 * option pointer outside the message or the scratch space */
static void
test_hostile(void **state)
{
	struct tmsg t;
	struct rb_dhcp_msg m;
	struct rb_pxe_client c;
	unsigned int seed = 7, n, i;
	uint8_t buf[600];

	(void)state;
	tmsg_start(&t, mac, 1);
	tmsg_type(&t, 1);
	tmsg_str(&t, 60, "PXEClient:Arch:00007:UNDI:003016");
	tmsg_arch(&t, 7);
	tmsg_str(&t, 77, "iPXE");
	tmsg_end(&t);
	for (n = 0; n < 100000; n++) {
		size_t len = t.len;

		memcpy(buf, t.b, t.len);
		for (i = 0; i < 1 + n % 6; i++)
			buf[rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
		if (n % 3 == 0)
			len = 200 + (size_t)(rand_r(&seed) % 400);
		if (len > sizeof(buf))
			len = sizeof(buf);
		if (parse_exact(buf, len, &m) != RB_DROP_NONE)
			continue;
		rb_pxe_classify(&m, &c);
		for (i = 0; i < 256; i++)
			if (m.opt[i])
				assert_true(m.opt_len[i] <= 255);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover_options),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_overload_file_and_sname),
		cmocka_unit_test(test_split_option_joined),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_missing_end_tolerated),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_pxe_arch_table),
		cmocka_unit_test(test_pxe_uuid),
		cmocka_unit_test(test_fw_names),
		cmocka_unit_test(test_capture_qemu_ipxe_rom),
		cmocka_unit_test(test_capture_ovmf_pxe),
		cmocka_unit_test(test_capture_without_uuid),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests_name("dhcp_codec", tests, NULL, NULL);
}
