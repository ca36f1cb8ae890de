/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the template checker and renderer with the variables a
 * machine has, into a small buffer (the "does not fit" path) and a large
 * one.  A render never writes past its buffer and never reports more
 * than it wrote.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rackboot/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rb_tvar vars[] = {
		{"mac", "52:54:00:12:34:56"}, {"mac_hex", "525400123456"},
		{"ip", "10.99.0.5"},          {"server", "10.99.0.1"},
		{"http", "http://10.99.0.1/"}, {"etcd.name", "node1"},
		{"args", "console=ttyS0 ${mac}"}, {"empty", ""},
	};
	static const struct rb_tvar over[] = {{"mac", "{{.ip}}"}};
	const struct rb_tvars lists[] = {{over, 1}, {vars, 8}};
	char err[128], *small, *big, *copy;
	long n;

	copy = malloc(size ? size : 1);
	small = malloc(16);
	big = malloc(65536);
	if (copy == NULL || small == NULL || big == NULL)
		goto out;
	memcpy(copy, data, size);
	rb_template_check(copy, size, err, sizeof(err));
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	n = rb_template_render(copy, size, vars, 8, small, 16);
	if (n > 16)
		abort();
	n = rb_template_render_lists(copy, size, lists, 2, big, 65536);
	if (n > 65536)
		abort();
out:
	free(copy);
	free(small);
	free(big);
	return 0;
}
