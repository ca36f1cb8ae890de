/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "rackboot/log.h"

static int log_json;
static enum rb_log_level log_min = RB_LOG_INFO;

static const char *const level_names[] = {
	[RB_LOG_DEBUG] = "debug",
	[RB_LOG_INFO] = "info",
	[RB_LOG_WARN] = "warn",
	[RB_LOG_ERR] = "error",
};

void
rb_log_setup(int json, enum rb_log_level level)
{
	__atomic_store_n(&log_json, json, __ATOMIC_RELAXED);
	__atomic_store_n(&log_min, level, __ATOMIC_RELAXED);
}

int
rb_log_level_parse(const char *name, enum rb_log_level *level)
{
	unsigned int i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*level = (enum rb_log_level)i;
			return 0;
		}
	}
	return -1;
}

void
rb_log(enum rb_log_level level, const char *event, const char *fmt, ...)
{
	char msg[1024], ts[40], line[2048];
	struct timeval tv;
	struct tm tm;
	va_list ap;
	int n;

	if (level < __atomic_load_n(&log_min, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = (int)strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - (size_t)n, ".%03ldZ",
		 (long)(tv.tv_usec / 1000));

	if (__atomic_load_n(&log_json, __ATOMIC_RELAXED)) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level",
				      level_names[level], "event", event, "msg",
				      msg);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		n = snprintf(line, sizeof(line), "%s\n", s ? s : "{}");
		free(s);
		json_decref(o);
	} else {
		n = snprintf(line, sizeof(line), "%s %-5s %s: %s\n", ts,
			     level_names[level], event, msg);
	}
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	/* one write per line, so lines from threads never interleave */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
