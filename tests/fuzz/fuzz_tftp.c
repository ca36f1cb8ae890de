/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the TFTP request parser and the name check that keeps
 * transfers inside the root, then the OACK written from what was taken.
 * A name the check lets through must never climb out of the root.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rackboot/tftp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_tftp_req r;
	uint8_t out[128], *copy;

	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (rb_tftp_parse_req(copy, size, &r) == RB_DROP_NONE) {
		if (strnlen(r.name, sizeof(r.name)) == sizeof(r.name))
			abort();
		if (r.blksize && (r.blksize < RB_TFTP_BLKSIZE_MIN ||
				  r.blksize > RB_TFTP_BLKSIZE_MAX))
			abort();
		if (rb_tftp_clean_name(r.name) == 0) {
			const char *s = r.name;

			/* relative, and no ".." segment anywhere */
			if (s[0] == '/' || strcmp(s, "..") == 0 ||
			    strncmp(s, "../", 3) == 0 || strstr(s, "/../") ||
			    (strlen(s) >= 3 && strcmp(s + strlen(s) - 3, "/..") == 0))
				abort();
		}
		if (rb_tftp_oack(out, r.blksize, r.has_tsize ? 123456 : -1,
				 r.timeout, r.windowsize,
				 r.multicast ? "224.0.1.1,1758,1" : NULL) >
		    sizeof(out))
			abort();
	}
	free(copy);
	return 0;
}
