/* SPDX-License-Identifier: BSD-3-Clause */
/* TFTP requests and option edge cases, names, OACK and ERROR packets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rackboot/tftp.h"

/** A request: opcode, then NUL-separated strings. */
static size_t
req(uint8_t *buf, uint16_t op, int n, ...)
{
	size_t off = 2;
	va_list ap;
	int i;

	buf[0] = (uint8_t)(op >> 8);
	buf[1] = (uint8_t)op;
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		const char *s = va_arg(ap, const char *);

		memcpy(buf + off, s, strlen(s) + 1);
		off += strlen(s) + 1;
	}
	va_end(ap);
	return off;
}

static rb_drop_t
parse_exact(const uint8_t *buf, size_t len, struct rb_tftp_req *r)
{
	uint8_t *copy = malloc(len);
	rb_drop_t d;

	memcpy(copy, buf, len);
	d = rb_tftp_parse_req(copy, len, r);
	free(copy);
	return d;
}

#define assert_drop(r, reason)                                                \
	assert_string_equal(rb_counter_name((enum rb_counter)(r)),            \
			    "drop." #reason)

static void
test_plain_rrq(void **state)
{
	uint8_t b[600];
	struct rb_tftp_req r;
	size_t len = req(b, 1, 2, "pxelinux.0", "octet");

	(void)state;
	assert_int_equal(parse_exact(b, len, &r), RB_DROP_NONE);
	assert_int_equal(r.op, RB_TFTP_RRQ);
	assert_string_equal(r.name, "pxelinux.0");
	assert_int_equal(r.netascii, 0);
	assert_int_equal(r.blksize, 0);
	assert_int_equal(r.has_tsize, 0);
	len = req(b, 1, 2, "a", "NetASCII");
	assert_int_equal(parse_exact(b, len, &r), RB_DROP_NONE);
	assert_int_equal(r.netascii, 1);
}

static void
test_options(void **state)
{
	uint8_t b[600];
	struct rb_tftp_req r;
	size_t len;

	(void)state;
	len = req(b, 1, 10, "f", "octet", "blksize", "1468", "tsize", "0",
		  "timeout", "3", "windowsize", "16");
	assert_int_equal(parse_exact(b, len, &r), RB_DROP_NONE);
	assert_int_equal(r.blksize, 1468);
	assert_int_equal(r.has_tsize, 1);
	assert_int_equal(r.timeout, 3);
	assert_int_equal(r.windowsize, 16);
	/* the RFC bounds: 8 and 65464 are fine, 7 and 65465 are left out */
	len = req(b, 1, 4, "f", "octet", "BLKSIZE", "8");
	assert_int_equal(parse_exact(b, len, &r), RB_DROP_NONE);
	assert_int_equal(r.blksize, 8);
	len = req(b, 1, 4, "f", "octet", "blksize", "65464");
	assert_int_equal(parse_exact(b, len, &r), RB_DROP_NONE);
	assert_int_equal(r.blksize, 65464);
	len = req(b, 1, 4, "f", "octet", "blksize", "7");
	assert_int_equal(parse_exact(b, len, &r), RB_DROP_NONE);
	assert_int_equal(r.blksize, 0);
	len = req(b, 1, 4, "f", "octet", "blksize", "65465");
	assert_int_equal(parse_exact(b, len, &r), RB_DROP_NONE);
	assert_int_equal(r.blksize, 0);
	/* garbage values, unknown options, a windowsize capped */
	len = req(b, 1, 10, "f", "octet", "timeout", "0", "blksize", "12ab",
		  "multicast", "", "windowsize", "1000");
	assert_int_equal(parse_exact(b, len, &r), RB_DROP_NONE);
	assert_int_equal(r.timeout, 0);
	assert_int_equal(r.blksize, 0);
	assert_int_equal(r.windowsize, RB_TFTP_WINDOW_MAX);
	assert_int_equal(r.multicast, 1);
	/* RFC 2090: multicast is asked with an empty value; anything else
	 * is not the option */
	len = req(b, 1, 4, "f", "octet", "MultiCast", "239.1.1.1,1758,1");
	assert_int_equal(parse_exact(b, len, &r), RB_DROP_NONE);
	assert_int_equal(r.multicast, 0);
	/* an option with no value at all (no NUL after it): ignored */
	len = req(b, 1, 3, "f", "octet", "tsize");
	assert_int_equal(parse_exact(b, len - 1, &r), RB_DROP_NONE);
	assert_int_equal(r.has_tsize, 0);
}

static void
test_malformed(void **state)
{
	uint8_t b[600];
	struct rb_tftp_req r;
	size_t len = req(b, 1, 2, "pxelinux.0", "octet");
	char longname[300];

	(void)state;
	assert_drop(parse_exact(b, 3, &r), tftp_truncated);
	assert_drop(parse_exact(b, 12, &r), tftp_truncated); /* name, no NUL */
	assert_drop(parse_exact(b, len - 1, &r), tftp_truncated); /* mode */
	len = req(b, 1, 2, "f", "mail");
	assert_drop(parse_exact(b, len, &r), tftp_bad_mode);
	memset(longname, 'a', 256);
	longname[256] = 0;
	len = req(b, 1, 2, longname, "octet");
	assert_drop(parse_exact(b, len, &r), tftp_bad_name);
}

static void
test_names(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{"pxelinux.0", "pxelinux.0"},
		{"/pxelinux.cfg/default", "pxelinux.cfg/default"},
		{"//grub.cfg-01-52-54-00-12-34-56", "grub.cfg-01-52-54-00-12-34-56"},
		{"pxelinux.0\xff", "pxelinux.0"}, /* some ROMs append 0xff */
		{"a..b/c", "a..b/c"},
	};
	static const char *const bad[] = {
		"../etc/passwd", "boot/../../etc/shadow", "/..", "a/..",
		"", "/", "a\tb", "a\\b", "\x7f",
	};
	char buf[300];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		strcpy(buf, ok[i].in);
		assert_int_equal(rb_tftp_clean_name(buf), 0);
		assert_string_equal(buf, ok[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(buf, bad[i]);
		assert_int_equal(rb_tftp_clean_name(buf), -1);
	}
}

static void
test_oack_and_error(void **state)
{
	uint8_t b[200];
	size_t len;

	(void)state;
	len = rb_tftp_oack(b, 1468, 12345, 0, 16, NULL);
	assert_int_equal(b[1], RB_TFTP_OACK);
	assert_int_equal(len, 2 + sizeof("blksize") + sizeof("1468") +
				      sizeof("tsize") + sizeof("12345") +
				      sizeof("windowsize") + sizeof("16"));
	assert_memory_equal(b + 2, "blksize\0" "1468\0tsize\0" "12345\0", 25);
	/* a client that asked for tsize 0 learns the size; no options, no
	 * strings */
	assert_int_equal(rb_tftp_oack(b, 0, -1, 0, 0, NULL), 2);
	/* RFC 2090's answer: "multicast" and "addr,port,mc" */
	len = rb_tftp_oack(b, 0, -1, 0, 0, "239.255.99.1,1758,1");
	assert_int_equal(len, 2 + sizeof("multicast") +
				      sizeof("239.255.99.1,1758,1"));
	assert_memory_equal(b + 2, "multicast\0" "239.255.99.1,1758,1", 30);
	len = rb_tftp_error(b, RB_TFTP_ENOTFOUND, "file not found");
	assert_int_equal(len, 4 + 15);
	assert_int_equal(b[1], RB_TFTP_ERROR);
	assert_int_equal(b[3], 1);
	assert_string_equal((char *)b + 4, "file not found");
}

static void
test_hostile(void **state)
{
	uint8_t b[600];
	struct rb_tftp_req r;
	unsigned int seed = 3, n, i;

	(void)state;
	for (n = 0; n < 100000; n++) {
		size_t len = (size_t)(rand_r(&seed) % 120);

		for (i = 0; i < len; i++)
			b[i] = (uint8_t)(rand_r(&seed) % 4 ? 'a' + rand_r(&seed) % 26 : 0);
		if (len > 1) {
			b[0] = 0;
			b[1] = 1;
		}
		if (parse_exact(b, len, &r) == RB_DROP_NONE) {
			assert_true(strlen(r.name) <= RB_TFTP_NAME_MAX);
			rb_tftp_clean_name(r.name);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_rrq),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_oack_and_error),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests_name("tftp_codec", tests, NULL, NULL);
}
