/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the HTTP request parser, as the server feeds it (any prefix
 * of the bytes received), the query reader and the range resolution.  A
 * path it accepts is relative, decoded, free of ".." segments and of
 * control characters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rackboot/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rb_http_req req;
	char *copy, v[128];
	uint64_t off, len;
	long n;

	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	n = rb_http_parse(copy, size, &req);
	if (n > (long)size)
		abort();
	if (n > 0) {
		const char *p = req.path;

		size_t i;

		if (p[0] == '/' || strcmp(p, "..") == 0 ||
		    strncmp(p, "../", 3) == 0 || strstr(p, "/../") ||
		    (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0))
			abort();
		for (i = 0; p[i]; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				abort();
		rb_http_query_get(req.query, "mac", v, sizeof(v));
		rb_http_range_resolve(&req.range, 1000, &off, &len);
		rb_http_range_resolve(&req.range, 0, &off, &len);
	} else if (n < 0 && rb_http_error_status(req.error) < 400) {
		abort();
	}
	free(copy);
	return 0;
}
