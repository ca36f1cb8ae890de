/* SPDX-License-Identifier: BSD-3-Clause */
/* Rendering per-machine configs: each variable, unknown ones kept, the
 * result's size bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "rackboot/template.h"

static const struct rb_tvar vars[] = {
	{"mac", "52:54:00:12:34:56"}, {"mac_dash", "52-54-00-12-34-56"},
	{"mac_hex", "525400123456"},  {"ip", "10.99.0.128"},
	{"server", "10.99.0.1"},      {"http", "http://10.99.0.1/"},
};

static long
render(const char *t, char *out, size_t cap)
{
	long n = rb_template_render(t, strlen(t), vars, 6, out, cap);

	if (n >= 0 && (size_t)n < cap)
		out[n] = '\0';
	return n;
}

static void
test_variables(void **state)
{
	char out[512];

	(void)state;
	assert_true(render("kernel ${http}vmlinuz token=${mac_hex} ip=${ip} "
			   "srv=${server} ${mac} ${mac_dash}",
			   out, sizeof(out)) > 0);
	assert_string_equal(out,
			    "kernel http://10.99.0.1/vmlinuz token=525400123456 "
			    "ip=10.99.0.128 srv=10.99.0.1 52:54:00:12:34:56 "
			    "52-54-00-12-34-56");
}

static void
test_unknown_and_odd(void **state)
{
	char out[512];

	(void)state;
	/* unknown, unterminated and empty names stay as written */
	render("${nope} ${mac ${} $mac $ {ip} ${ip", out, sizeof(out));
	assert_string_equal(out, "${nope} ${mac ${} $mac $ {ip} ${ip");
	render("", out, sizeof(out));
	assert_string_equal(out, "");
	render("${ip}${ip}", out, sizeof(out));
	assert_string_equal(out, "10.99.0.12810.99.0.128");
}

static void
test_bound(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(render("0123456789abcdef", out, 16), 16);
	assert_int_equal(render("0123456789abcdefg", out, 16), -1);
	assert_int_equal(render("ip=${ip}!", out, 14), -1);
	assert_int_equal(render("${ip}", out, 11), 11);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_unknown_and_odd),
		cmocka_unit_test(test_bound),
	};

	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
