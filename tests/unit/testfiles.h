/* SPDX-License-Identifier: BSD-3-Clause */
/* Files for the unit tests that load directories (profiles, machines):
 * written and removed beneath a temporary directory, failing the test
 * when they cannot be. */
#ifndef RB_TEST_TESTFILES_H
#define RB_TEST_TESTFILES_H

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/** Write @p text to @p dir/@p name. */
static inline void
put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/** Remove @p dir/@p name, if it is there. */
static inline void
rm(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/** Make the directory @p dir/@p name. */
static inline void
mkdir_in(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
}

#endif
