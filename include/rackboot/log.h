/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * One log line per event, to stderr: human-readable by default, one JSON
 * object per line with --log-json.  Safe from any thread; workers do not
 * log on the hot path (they count).
 */
#ifndef RACKBOOT_LOG_H
#define RACKBOOT_LOG_H

enum rb_log_level { RB_LOG_DEBUG, RB_LOG_INFO, RB_LOG_WARN, RB_LOG_ERR };

/**
 * Set the output format and threshold.
 *
 * @param json   one JSON object per line instead of text
 * @param level  lines below this level are not written
 */
void rb_log_setup(int json, enum rb_log_level level);

/**
 * Parse a level name.
 *
 * @param name   "debug", "info", "warn" or "error"
 * @param level  the level
 * @return 0, or -1 for an unknown name
 */
int rb_log_level_parse(const char *name, enum rb_log_level *level);

/**
 * Write one event.
 *
 * @param level  its severity
 * @param event  a short stable name for the kind of event ("port_up")
 * @param fmt    printf format of the human-readable message
 */
void rb_log(enum rb_log_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
