/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "rackboot/template.h"

long
rb_template_render(const char *tmpl, size_t len, const struct rb_tvar *vars,
		   unsigned int nvars, char *out, size_t cap)
{
	size_t i = 0, o = 0;

	while (i < len) {
		const char *val = NULL;
		size_t skip = 1, n;

		if (tmpl[i] == '$' && i + 1 < len && tmpl[i + 1] == '{') {
			const char *end = memchr(tmpl + i + 2, '}', len - i - 2);
			unsigned int v;

			for (v = 0; end && v < nvars; v++) {
				n = strlen(vars[v].name);
				if ((size_t)(end - (tmpl + i + 2)) == n &&
				    memcmp(tmpl + i + 2, vars[v].name, n) == 0) {
					val = vars[v].value;
					skip = n + 3;
					break;
				}
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
