/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replays inputs through a fuzz harness without libFuzzer: each file
 * named on the command line (or each file in a directory named) is one
 * input.  The regression tests run the seed corpora and every crash the
 * fuzzers found (tests/fuzz/corpus/NAME) this way, under the sanitizers
 * of the build at hand.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0) {
		perror(path);
		return -1;
	}
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: cannot be read\n", path);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			struct dirent **e;
			int k, m = scandir(argv[i], &e, NULL, alphasort);

			for (k = 0; k < m; k++) {
				char path[4096];

				if (e[k]->d_name[0] != '.') {
					snprintf(path, sizeof(path), "%s/%s",
						 argv[i], e[k]->d_name);
					if (run_file(path) < 0)
						return 1;
					n++;
				}
				free(e[k]);
			}
			free(e);
		} else {
			if (run_file(argv[i]) < 0)
				return 1;
			n++;
		}
	}
	printf("%d inputs replayed\n", n);
	return n ? 0 : 1;
}
