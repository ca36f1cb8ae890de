/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "rackboot/template.h"

/** The value of variable @p name (length @p n), or NULL. */
static const char *
lookup(const struct rb_tvars *lists, unsigned int nlists, const char *name,
       size_t n)
{
	unsigned int l, v;

	for (l = 0; l < nlists; l++)
		for (v = 0; v < lists[l].n; v++) {
			const char *k = lists[l].v[v].name;

			/* by length first: a name may hold a NUL byte
			 * (fuzz_template: strncmp stopped there and k[n]
			 * was read past a shorter key) */
			if (strlen(k) == n && memcmp(k, name, n) == 0)
				return lists[l].v[v].value;
		}
	return NULL;
}

/**
 * Parse the action {{ ... }} at @p s (at most @p len bytes).
 *
 * @param name     the referenced name, without its leading dot
 * @param namelen  its length
 * @param ltrim    "{{-": whitespace before the action is dropped
 * @param rtrim    "-}}": whitespace after it is dropped
 * @return the action's whole length, 0 when it is not closed, -1 when it
 *         is not a {{.name}} reference
 */
static long
action(const char *s, size_t len, const char **name, size_t *namelen,
       int *ltrim, int *rtrim)
{
	const char *end = NULL, *p, *q;
	size_t i;

	for (i = 2; i + 1 < len; i++)
		if (s[i] == '}' && s[i + 1] == '}') {
			end = s + i;
			break;
		}
	if (end == NULL)
		return 0;
	p = s + 2;
	*ltrim = p < end && *p == '-' && p + 1 < end && isspace((unsigned char)p[1]);
	if (*ltrim)
		p++;
	*rtrim = end - p >= 2 && end[-1] == '-' && isspace((unsigned char)end[-2]);
	q = *rtrim ? end - 1 : end;
	while (p < q && isspace((unsigned char)*p))
		p++;
	while (q > p && isspace((unsigned char)q[-1]))
		q--;
	if (q - p < 2 || *p != '.')
		return -1;
	for (i = 1; p + i < q; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_' &&
		    p[i] != '.' && p[i] != '-')
			return -1;
	*name = p + 1;
	*namelen = (size_t)(q - p - 1);
	return end + 2 - s;
}

long
rb_template_render_lists(const char *tmpl, size_t len,
			 const struct rb_tvars *lists, unsigned int nlists,
			 char *out, size_t cap)
{
	size_t i = 0, o = 0;
	int trim_next = 0;

	while (i < len) {
		const char *val = NULL, *name;
		size_t skip = 1, n;
		int lt, rt;

		if (trim_next && isspace((unsigned char)tmpl[i])) {
			i++;
			continue;
		}
		trim_next = 0;
		if (tmpl[i] == '$' && i + 1 < len && tmpl[i + 1] == '{') {
			const char *end = memchr(tmpl + i + 2, '}', len - i - 2);

			if (end) {
				n = (size_t)(end - (tmpl + i + 2));
				val = n ? lookup(lists, nlists, tmpl + i + 2, n)
					: NULL;
				if (val)
					skip = n + 3;
			}
		} else if (tmpl[i] == '{' && i + 1 < len && tmpl[i + 1] == '{') {
			long a = action(tmpl + i, len - i, &name, &n, &lt, &rt);

			if (a > 0) {
				val = lookup(lists, nlists, name, n);
				if (val == NULL)
					val = "";
				skip = (size_t)a;
				if (lt)
					while (o > 0 && isspace((unsigned char)out[o - 1]))
						o--;
				trim_next = rt;
			}
		}
		if (val) {
			n = strlen(val);
			if (o + n > cap)
				return -1;
			memcpy(out + o, val, n);
			o += n;
		} else {
			if (o + 1 > cap)
				return -1;
			out[o++] = tmpl[i];
		}
		i += skip;
	}
	return (long)o;
}

long
rb_template_render(const char *tmpl, size_t len, const struct rb_tvar *vars,
		   unsigned int nvars, char *out, size_t cap)
{
	const struct rb_tvars l = {vars, nvars};

	return rb_template_render_lists(tmpl, len, &l, 1, out, cap);
}

int
rb_template_check(const char *tmpl, size_t len, char *err, size_t errlen)
{
	size_t i;
	unsigned int line = 1;

	for (i = 0; i < len; i++) {
		const char *name;
		size_t n;
		int lt, rt;
		long a;

		if (tmpl[i] == '\n')
			line++;
		if (tmpl[i] == '\0') {
			snprintf(err, errlen, "line %u: a NUL byte", line);
			return -1;
		}
		if (tmpl[i] != '{' || i + 1 >= len || tmpl[i + 1] != '{')
			continue;
		a = action(tmpl + i, len - i, &name, &n, &lt, &rt);
		if (a == 0) {
			snprintf(err, errlen, "line %u: {{ is never closed", line);
			return -1;
		}
		if (a < 0) {
			const char *end = memchr(tmpl + i, '}', len - i);
			int shown = end ? (int)(end - (tmpl + i)) + 2 : 20;

			snprintf(err, errlen,
				 "line %u: unsupported template action %.*s "
				 "(only {{.name}} references are rendered)",
				 line, shown > 60 ? 60 : shown, tmpl + i);
			return -1;
		}
		i += (size_t)a - 1;
	}
	return 0;
}
