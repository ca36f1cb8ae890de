/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Group selectors: the precedence table (exact, glob, regex, several keys,
 * ties, default), bad selectors, and Hyperscan against the linear
 * reference on random groups and machines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rackboot/selector.h"

#define T(k, v) {k, v}

static struct rb_selector *sel;
static struct rb_sel_scratch *sc;

static void
build(const struct rb_sel_group *g, unsigned int n)
{
	char err[256];

	rb_selector_scratch_free(sc);
	rb_selector_free(sel);
	sel = NULL;
	sc = NULL;
	if (rb_selector_build(g, n, &sel, err, sizeof(err)) < 0)
		fail_msg("build: %s", err);
	assert_int_equal(rb_selector_scratch(sel, &sc), 0);
}

/** Match with both engines; they must agree. */
static int
match(const struct rb_fact *f, unsigned int n)
{
	int a = rb_selector_match(sel, sc, f, n, NULL, 0);
	int b = rb_selector_match_linear(sel, f, n);

	assert_int_equal(a, b);
	return a;
}

static const struct rb_sel_term t_default[] = {{"", ""}};
static const struct rb_sel_term t_exact[] = {T("mac", "52:54:00:12:34:56")};
static const struct rb_sel_term t_glob[] = {T("mac", "52:54:00:*")};
static const struct rb_sel_term t_regex[] = {T("hostname", "~node-[0-9]+")};
static const struct rb_sel_term t_two[] = {T("mac", "52:54:00:*"),
					   T("arch", "efi-x64")};
static const struct rb_sel_term t_tie_a[] = {T("rack", "r1")};
static const struct rb_sel_term t_tie_b[] = {T("rack", "r?")};

static void
test_precedence(void **state)
{
	const struct rb_sel_group g[] = {
		{"zz-default", 0, t_default},
		{"exact", 1, t_exact},
		{"glob", 1, t_glob},
		{"regex", 1, t_regex},
		{"two-keys", 2, t_two},
		{"tie-b", 1, t_tie_b},
		{"tie-a", 1, t_tie_a},
	};
	char why[256];

	(void)state;
	build(g, sizeof(g) / sizeof(g[0]));
	/* nothing else matches: the default */
	const struct rb_fact none[] = {{"mac", "aa:bb:cc:dd:ee:ff"}};
	assert_int_equal(match(none, 1), 0);
	/* one term each: exact and glob tie on specificity, id breaks it */
	const struct rb_fact m1[] = {{"mac", "52:54:00:12:34:56"}};
	assert_int_equal(match(m1, 1), 1); /* "exact" < "glob" */
	const struct rb_fact m2[] = {{"mac", "52:54:00:99:99:99"}};
	assert_int_equal(match(m2, 1), 2);
	/* two matching terms beat one */
	const struct rb_fact m3[] = {{"mac", "52:54:00:12:34:56"},
				     {"arch", "efi-x64"}};
	assert_int_equal(match(m3, 2), 4);
	/* a group with a term that does not hold does not match */
	const struct rb_fact m4[] = {{"mac", "52:54:00:12:34:56"},
				     {"arch", "bios"}};
	assert_int_equal(match(m4, 2), 1);
	/* regex, whole value only, case-insensitive */
	const struct rb_fact h1[] = {{"hostname", "NODE-17"}};
	assert_int_equal(match(h1, 1), 3);
	const struct rb_fact h2[] = {{"hostname", "node-17x"}};
	assert_int_equal(match(h2, 1), 0);
	/* ties on specificity: the smaller id */
	const struct rb_fact r1[] = {{"rack", "r1"}};
	assert_int_equal(match(r1, 1), 6); /* tie-a */
	const struct rb_fact r2[] = {{"rack", "r2"}};
	assert_int_equal(match(r2, 1), 5); /* only tie-b's glob */
	/* a value is one whole fact: no match across lines */
	const struct rb_fact x[] = {{"rack", "r1\nmac=52:54:00:12:34:56"}};
	assert_int_equal(match(x, 1), 0);
	/* keys are case-insensitive; MACs match in either case */
	const struct rb_fact u[] = {{"MAC", "52:54:00:12:34:56"}};
	assert_int_equal(rb_selector_match(sel, sc, u, 1, why, sizeof(why)), 1);
	assert_string_equal(why, "mac=52:54:00:12:34:56 (exact)");
	rb_selector_match(sel, sc, m3, 2, why, sizeof(why));
	assert_string_equal(why, "mac=52:54:00:* (glob), arch=efi-x64 (exact)");
	rb_selector_match(sel, sc, none, 1, why, sizeof(why));
	assert_string_equal(why, "default group (no selector)");
}

static void
test_no_default(void **state)
{
	const struct rb_sel_group g[] = {{"exact", 1, t_exact}};
	const struct rb_fact none[] = {{"mac", "aa:bb:cc:dd:ee:ff"}};
	static const struct rb_sel_term dash[] = {T("mac", "52-54-00-12-34-56")};
	const struct rb_sel_group g2[] = {{"dash", 1, dash}};
	const struct rb_fact m1[] = {{"mac", "52:54:00:12:34:56"}};

	(void)state;
	build(g, 1);
	assert_int_equal(match(none, 1), -1);
	assert_int_equal(match(none, 0), -1);
	/* a MAC written with dashes matches the colon form */
	build(g2, 1);
	assert_int_equal(rb_selector_match(sel, sc, m1, 1, NULL, 0), 0);
}

static void
bad(const struct rb_sel_term *t, unsigned int n, const char *want)
{
	const struct rb_sel_group g[] = {{"g1", n, t}};
	struct rb_selector *s = NULL;
	char err[256] = "";

	if (rb_selector_build(g, 1, &s, err, sizeof(err)) == 0)
		fail_msg("built a bad selector: %s=%s", t[0].key, t[0].value);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' does not say '%s'", err, want);
}

static void
test_bad_selectors(void **state)
{
	static const struct rb_sel_term re[] = {T("hostname", "~node-(")};
	static const struct rb_sel_term key[] = {T("ho st", "x")};
	static const struct rb_sel_term empty[] = {T("", "x")};
	static const struct rb_sel_term nl[] = {T("mac", "a\nb")};

	(void)state;
	bad(re, 1, "group g1: selector hostname=~node-(");
	bad(key, 1, "selector key 'ho st'");
	bad(empty, 1, "key is empty");
	bad(nl, 1, "line break");
}

/* random groups against random machines: Hyperscan and the scan agree */
static void
test_against_linear(void **state)
{
	enum { NG = 400, NM = 3000 };
	static struct rb_sel_term terms[NG][3];
	static struct rb_sel_group g[NG];
	static char ids[NG][16];
	static const char *const keys[] = {"mac", "arch", "rack", "hostname"};
	unsigned int i, j, agree = 0, matched = 0;

	(void)state;
	srand(7);
	for (i = 0; i < NG; i++) {
		unsigned int n = (unsigned int)rand() % 3 + (i % 50 == 0 ? 0 : 1);

		if (n > 3)
			n = 3;
		snprintf(ids[i], sizeof(ids[i]), "g%04u", (unsigned int)rand() % 10000);
		for (j = 0; j < n; j++) {
			unsigned int k = (j + (unsigned int)rand()) % 4, v = (unsigned int)rand() % 8;

			snprintf(terms[i][j].key, sizeof(terms[i][j].key), "%s", keys[k]);
			switch (rand() % 3) {
			case 0:
				snprintf(terms[i][j].value, sizeof(terms[i][j].value), "v%u", v);
				break;
			case 1:
				snprintf(terms[i][j].value, sizeof(terms[i][j].value), "v%u*", v % 4);
				break;
			default:
				snprintf(terms[i][j].value, sizeof(terms[i][j].value), "~v[%u-%u][0-9]*", v % 4, v % 4 + 3);
				break;
			}
		}
		/* one key once per group */
		for (j = 1; j < n; j++)
			if (strcmp(terms[i][j].key, terms[i][0].key) == 0 ||
			    (j == 2 && strcmp(terms[i][2].key, terms[i][1].key) == 0))
				n = j;
		g[i] = (struct rb_sel_group){ids[i], n, terms[i]};
	}
	/* ids must differ */
	for (i = 0; i < NG; i++)
		snprintf(ids[i] + 5, sizeof(ids[i]) - 5, "-%u", i);
	build(g, NG);
	for (i = 0; i < NM; i++) {
		char v[4][16];
		struct rb_fact f[4];

		for (j = 0; j < 4; j++) {
			snprintf(v[j], sizeof(v[j]), "v%u%s", (unsigned int)rand() % 8,
				 rand() % 2 ? "" : "5");
			f[j] = (struct rb_fact){keys[j], v[j]};
		}
		int a = rb_selector_match(sel, sc, f, 4, NULL, 0);
		int b = rb_selector_match_linear(sel, f, 4);

		if (a != b)
			fail_msg("machine %u: hyperscan %d, linear %d", i, a, b);
		agree++;
		matched += a >= 0 && g[a].nterms > 0;
	}
	assert_int_equal(agree, NM);
	/* the test means something only if machines matched real groups */
	assert_true(matched > NM / 2);
}

static int
teardown(void **state)
{
	(void)state;
	rb_selector_scratch_free(sc);
	rb_selector_free(sel);
	sc = NULL;
	sel = NULL;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_precedence, teardown),
		cmocka_unit_test_teardown(test_no_default, teardown),
		cmocka_unit_test(test_bad_selectors),
		cmocka_unit_test_teardown(test_against_linear, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
