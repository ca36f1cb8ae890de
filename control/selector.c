/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Group selectors compiled with Hyperscan (see selector.h).  A machine's
 * facts become "key=value" lines; each term is a pattern anchored to one
 * whole line, so a single scan reports every term that holds, and a group
 * matches when all of its terms were reported.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hs/hs.h>

#include "rackboot/selector.h"

enum kind { EXACT, GLOB, REGEX };

struct term {
	struct rb_sel_term t;
	enum kind kind;
	unsigned int group;
	int has_re;         /* the POSIX form compiled (linear matching) */
	regex_t re;
};

struct rb_selector {
	unsigned int ngroups, nterms;
	char **ids;
	unsigned int *group_nterms;
	unsigned int *group_first;  /* its first term */
	unsigned int *rank;         /* 0 is the most specific */
	unsigned int *order;        /* groups by rank */
	int default_group;          /* the best group with no terms, or -1 */
	struct term *terms;
	hs_database_t *db;          /* NULL when no group has a term */
};

struct rb_sel_scratch {
	const struct rb_selector *s;
	hs_scratch_t *hs;
	uint32_t epoch;
	uint32_t *stamp;   /* a group's hits count in this epoch only */
	uint16_t *hits;
	int best;
	char buf[RB_SEL_FACTS_MAX];
};

/* an error message, and -1 */
#define FAIL(err, errlen, ...) ({ snprintf(err, errlen, __VA_ARGS__); -1; })

/** Append @p c to @p p as a literal (hex escaped unless alphanumeric). */
static size_t
lit(char *p, size_t o, unsigned char c)
{
	if (isalnum(c))
		p[o++] = (char)c;
	else
		o += (size_t)sprintf(p + o, "\\x%02x", c);
	return o;
}

/** The Hyperscan expression of term @p t into @p p (big enough). */
static void
expression(const struct term *t, char *p)
{
	const char *v = t->t.value;
	size_t o = 0, i;

	p[o++] = '^';
	for (i = 0; t->t.key[i]; i++)
		o = lit(p, o, (unsigned char)t->t.key[i]);
	p[o++] = '=';
	if (t->kind == REGEX) {
		o += (size_t)sprintf(p + o, "(?:%s)", v + 1);
	} else if (t->kind == EXACT) {
		for (i = 0; v[i]; i++)
			o = lit(p, o, (unsigned char)v[i]);
	} else {
		for (i = 0; v[i]; i++) {
			const char *close;

			if (v[i] == '*') {
				o += (size_t)sprintf(p + o, ".*");
			} else if (v[i] == '?') {
				p[o++] = '.';
			} else if (v[i] == '[' && (close = strchr(v + i + 2, ']'))) {
				/* a class: [!...] is fnmatch's negation */
				p[o++] = '[';
				i++;
				if (v[i] == '!' || v[i] == '^') {
					p[o++] = '^';
					i++;
				}
				for (; v + i < close; i++)
					if (v[i] == '\\' || v[i] == '[')
						o = lit(p, o, (unsigned char)v[i]);
					else
						p[o++] = v[i];
				p[o++] = ']';
			} else {
				o = lit(p, o, (unsigned char)v[i]);
			}
		}
	}
	p[o++] = '$';
	p[o] = '\0';
}

/** Check and classify a term; exact MACs are written with colons. */
static int
prepare(struct term *t, const char *gid, char *err, size_t errlen)
{
	char *k, *v = t->t.value;

	if (t->t.key[0] == '\0')
		return FAIL(err, errlen, "group %s: a selector key is empty", gid);
	for (k = t->t.key; *k; k++) {
		*k = (char)tolower((unsigned char)*k);
		if (!isalnum((unsigned char)*k) && !strchr("_.-", *k))
			return FAIL(err, errlen,
				    "group %s: selector key '%s' has a character "
				    "other than letters, digits, _ . -",
				    gid, t->t.key);
	}
	if (strchr(v, '\n') || strchr(v, '\r'))
		return FAIL(err, errlen, "group %s: selector %s: a line break "
			    "in the value", gid, t->t.key);
	if (v[0] == '~')
		t->kind = REGEX;
	else if (strpbrk(v, "*?["))
		t->kind = GLOB;
	else
		t->kind = EXACT;
	if (t->kind == EXACT && strcmp(t->t.key, "mac") == 0 &&
	    strlen(v) == 17)
		for (k = v; *k; k++)
			if (*k == '-')
				*k = ':';
	if (t->kind == REGEX) {
		char posix[RB_SEL_VALUE_MAX + 8];

		snprintf(posix, sizeof(posix), "^(%s)$", v + 1);
		t->has_re = regcomp(&t->re, posix,
				    REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0;
	}
	return 0;
}

/** Sort groups: more terms first, then ids in byte order. */
static const struct rb_selector *sort_s;

static int
by_rank(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	if (sort_s->group_nterms[x] != sort_s->group_nterms[y])
		return sort_s->group_nterms[x] > sort_s->group_nterms[y] ? -1 : 1;
	return strcmp(sort_s->ids[x], sort_s->ids[y]);
}

int
rb_selector_build(const struct rb_sel_group *groups, unsigned int n,
		  struct rb_selector **out, char *err, size_t errlen)
{
	struct rb_selector *s = calloc(1, sizeof(*s));
	const char **exprs = NULL;
	unsigned int *flags = NULL, *ids = NULL, g, i, t = 0;
	char *buf = NULL;
	int rc = -1;

	if (s == NULL)
		return FAIL(err, errlen, "out of memory");
	s->ngroups = n;
	s->default_group = -1;
	for (g = 0; g < n; g++)
		s->nterms += groups[g].nterms;
	s->ids = calloc(n ? n : 1, sizeof(*s->ids));
	s->group_nterms = calloc(n ? n : 1, sizeof(unsigned int));
	s->group_first = calloc(n ? n : 1, sizeof(unsigned int));
	s->rank = calloc(n ? n : 1, sizeof(unsigned int));
	s->order = calloc(n ? n : 1, sizeof(unsigned int));
	s->terms = calloc(s->nterms ? s->nterms : 1, sizeof(*s->terms));
	if (!s->ids || !s->group_nterms || !s->group_first || !s->rank ||
	    !s->order || !s->terms) {
		FAIL(err, errlen, "out of memory");
		goto out;
	}
	for (g = 0; g < n; g++) {
		s->ids[g] = strdup(groups[g].id);
		s->group_nterms[g] = groups[g].nterms;
		s->group_first[g] = t;
		if (groups[g].nterms > UINT16_MAX) {
			FAIL(err, errlen, "group %s: too many selector terms",
			     groups[g].id);
			goto out;
		}
		for (i = 0; i < groups[g].nterms; i++, t++) {
			s->terms[t].t = groups[g].terms[i];
			s->terms[t].group = g;
			if (prepare(&s->terms[t], groups[g].id, err, errlen) < 0)
				goto out;
		}
		s->order[g] = g;
	}
	sort_s = s;
	qsort(s->order, n, sizeof(*s->order), by_rank);
	for (g = 0; g < n; g++) {
		s->rank[s->order[g]] = g;
		if (s->group_nterms[s->order[g]] == 0 && s->default_group < 0)
			s->default_group = (int)s->order[g];
	}
	if (s->nterms) {
		hs_compile_error_t *ce = NULL;
		size_t each = 8 + 4 * (RB_SEL_KEY_MAX + 2 * RB_SEL_VALUE_MAX);

		exprs = calloc(s->nterms, sizeof(*exprs));
		flags = calloc(s->nterms, sizeof(*flags));
		ids = calloc(s->nterms, sizeof(*ids));
		buf = malloc((size_t)s->nterms * each);
		if (!exprs || !flags || !ids || !buf) {
			FAIL(err, errlen, "out of memory");
			goto out;
		}
		for (t = 0; t < s->nterms; t++) {
			expression(&s->terms[t], buf + (size_t)t * each);
			exprs[t] = buf + (size_t)t * each;
			flags[t] = HS_FLAG_MULTILINE | HS_FLAG_SINGLEMATCH |
				   HS_FLAG_CASELESS;
			ids[t] = t;
		}
		if (hs_compile_multi(exprs, flags, ids, s->nterms, HS_MODE_BLOCK,
				     NULL, &s->db, &ce) != HS_SUCCESS) {
			const struct term *bad =
				ce->expression >= 0
					? &s->terms[ce->expression]
					: NULL;

			if (bad)
				FAIL(err, errlen, "group %s: selector %s=%s: %s",
				     s->ids[bad->group], bad->t.key, bad->t.value,
				     ce->message);
			else
				FAIL(err, errlen, "selectors: %s", ce->message);
			hs_free_compile_error(ce);
			goto out;
		}
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	free(exprs);
	free(flags);
	free(ids);
	free(buf);
	rb_selector_free(s);
	return rc;
}

void
rb_selector_free(struct rb_selector *s)
{
	unsigned int i;

	if (s == NULL)
		return;
	for (i = 0; s->terms && i < s->nterms; i++)
		if (s->terms[i].has_re)
			regfree(&s->terms[i].re);
	for (i = 0; s->ids && i < s->ngroups; i++)
		free(s->ids[i]);
	hs_free_database(s->db);
	free(s->ids);
	free(s->group_nterms);
	free(s->group_first);
	free(s->rank);
	free(s->order);
	free(s->terms);
	free(s);
}

unsigned int
rb_selector_patterns(const struct rb_selector *s)
{
	return s->nterms;
}

int
rb_selector_scratch(const struct rb_selector *s, struct rb_sel_scratch **out)
{
	struct rb_sel_scratch *sc = calloc(1, sizeof(*sc));

	if (sc == NULL)
		return -1;
	sc->s = s;
	sc->stamp = calloc(s->ngroups ? s->ngroups : 1, sizeof(*sc->stamp));
	sc->hits = calloc(s->ngroups ? s->ngroups : 1, sizeof(*sc->hits));
	if (!sc->stamp || !sc->hits ||
	    (s->db && hs_alloc_scratch(s->db, &sc->hs) != HS_SUCCESS)) {
		rb_selector_scratch_free(sc);
		return -1;
	}
	*out = sc;
	return 0;
}

void
rb_selector_scratch_free(struct rb_sel_scratch *sc)
{
	if (sc == NULL)
		return;
	hs_free_scratch(sc->hs);
	free(sc->stamp);
	free(sc->hits);
	free(sc);
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
	 unsigned int flags, void *ctx)
{
	struct rb_sel_scratch *sc = ctx;
	const struct rb_selector *s = sc->s;
	unsigned int g = s->terms[id].group;

	(void)from, (void)to, (void)flags;
	if (sc->stamp[g] != sc->epoch) {
		sc->stamp[g] = sc->epoch;
		sc->hits[g] = 0;
	}
	if (++sc->hits[g] == s->group_nterms[g] &&
	    (sc->best < 0 || s->rank[g] < s->rank[sc->best]))
		sc->best = (int)g;
	return 0;
}

/** Why group @p g matched: its terms. */
static void
explain(const struct rb_selector *s, int g, char *why, size_t len)
{
	static const char *const kind[] = {"exact", "glob", "regex"};
	size_t o = 0;
	unsigned int i;

	if (why == NULL || len == 0)
		return;
	why[0] = '\0';
	if (g < 0)
		return;
	if (s->group_nterms[g] == 0) {
		snprintf(why, len, "default group (no selector)");
		return;
	}
	for (i = 0; i < s->group_nterms[g] && o < len; i++) {
		const struct term *t = &s->terms[s->group_first[g] + i];
		int n = snprintf(why + o, len - o, "%s%s=%s (%s)", i ? ", " : "",
				 t->t.key, t->t.value, kind[t->kind]);

		if (n < 0)
			break;
		o += (size_t)n;
	}
}

int
rb_selector_match(const struct rb_selector *s, struct rb_sel_scratch *sc,
		  const struct rb_fact *facts, unsigned int nfacts, char *why,
		  size_t whylen)
{
	size_t o = 0;
	unsigned int i;

	sc->best = -1;
	if (++sc->epoch == 0) { /* wrapped: stamps of long ago look current */
		memset(sc->stamp, 0, sizeof(*sc->stamp) * s->ngroups);
		sc->epoch = 1;
	}
	for (i = 0; i < nfacts; i++) {
		size_t kl = strlen(facts[i].key), vl = strlen(facts[i].value), j;

		if (o + kl + vl + 2 > sizeof(sc->buf))
			break;
		for (j = 0; j < kl; j++)
			sc->buf[o++] = (char)tolower((unsigned char)facts[i].key[j]);
		sc->buf[o++] = '=';
		for (j = 0; j < vl; j++) {
			char c = facts[i].value[j];

			sc->buf[o++] = c == '\n' || c == '\r' ? ' ' : c;
		}
		sc->buf[o++] = '\n';
	}
	if (s->db)
		hs_scan(s->db, sc->buf, (unsigned int)o, 0, sc->hs, on_match, sc);
	if (sc->best < 0)
		sc->best = s->default_group;
	explain(s, sc->best, why, whylen);
	return sc->best;
}

/** Whether term @p t holds for @p facts, the slow way. */
static int
term_holds(const struct term *t, const struct rb_fact *facts,
	   unsigned int nfacts)
{
	unsigned int i;

	for (i = 0; i < nfacts; i++) {
		const char *v = facts[i].value;

		if (strcasecmp(facts[i].key, t->t.key) != 0)
			continue;
		switch (t->kind) {
		case EXACT:
			if (strcasecmp(v, t->t.value) == 0)
				return 1;
			break;
		case GLOB:
			if (fnmatch(t->t.value, v, FNM_CASEFOLD) == 0)
				return 1;
			break;
		case REGEX:
			if (t->has_re && regexec(&t->re, v, 0, NULL, 0) == 0)
				return 1;
			break;
		}
	}
	return 0;
}

int
rb_selector_match_linear(const struct rb_selector *s,
			 const struct rb_fact *facts, unsigned int nfacts)
{
	unsigned int r, i;

	for (r = 0; r < s->ngroups; r++) {
		unsigned int g = s->order[r];

		for (i = 0; i < s->group_nterms[g]; i++)
			if (!term_holds(&s->terms[s->group_first[g] + i], facts,
					nfacts))
				break;
		if (i == s->group_nterms[g])
			return (int)g;
	}
	return -1;
}
