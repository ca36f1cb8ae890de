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

/* matchbox's spelling, with spaces, trimming, dotted (nested) names */
static void
test_go_style(void **state)
{
	char out[256];

	(void)state;
	render("a={{.mac}} b={{ .ip }}", out, sizeof(out));
	assert_string_equal(out, "a=52:54:00:12:34:56 b=10.99.0.128");
	render("x  {{- .ip -}}  \n y", out, sizeof(out));
	assert_string_equal(out, "x10.99.0.128y");
	/* a missing key renders empty; ${} of it stays for the boot loader */
	render("[{{.nope}}] [${nope}] [{{.a.b}}]", out, sizeof(out));
	assert_string_equal(out, "[] [${nope}] []");
	/* not actions: kept as written */
	render("{{ {x} }} {{", out, sizeof(out));
	assert_string_equal(out, "{{ {x} }} {{");
}

static void
test_lists(void **state)
{
	static const struct rb_tvar a[] = {{"k", "first"}, {"meta.x", "1"}};
	static const struct rb_tvar b[] = {{"k", "second"}, {"only_b", "b"}};
	const struct rb_tvars l[] = {{a, 2}, {b, 2}};
	const char *t = "${k} {{.k}} {{.meta.x}} ${only_b}";
	char out[64];
	long n;

	(void)state;
	n = rb_template_render_lists(t, strlen(t), l, 2, out, sizeof(out));
	assert_true(n > 0);
	out[n] = '\0';
	assert_string_equal(out, "first first 1 b");
}

static void
test_check(void **state)
{
	static const struct {
		const char *t;
		const char *err; /* NULL: accepted */
	} cases[] = {
		{"plain ${mac} {{.mac}} {{ .a.b_c-d }} {{- .x -}}", NULL},
		{"line1\n{{if .x}}y{{end}}", "line 2: unsupported template action {{if .x}}"},
		{"{{range .list}}", "line 1: unsupported"},
		{"{{ template \"x\" }}", "line 1: unsupported"},
		{"{{.}}", "line 1: unsupported"},
		{"ok\n\n{{.x", "line 3: {{ is never closed"},
	};
	char err[256];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = rb_template_check(cases[i].t, strlen(cases[i].t), err,
					   sizeof(err));

		if (cases[i].err == NULL) {
			assert_int_equal(rc, 0);
			continue;
		}
		assert_int_equal(rc, -1);
		if (strncmp(err, cases[i].err, strlen(cases[i].err)) != 0)
			fail_msg("case %u: '%s', want '%s...'", i, err,
				 cases[i].err);
	}
	assert_int_equal(rb_template_check("a\0b", 3, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_unknown_and_odd),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_go_style),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
