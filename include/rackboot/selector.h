/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Group selectors: which group a machine belongs to, from its facts (mac,
 * uuid, serial, hostname, arch, vendor class, user class, relay address,
 * labels, or any key a data directory uses).  Every selector term of every
 * group is compiled into one Hyperscan database, so a machine is matched
 * against all groups in one scan of its facts.
 *
 * A term's value is exact ("52:54:00:12:34:56"), a glob when it holds *,
 * ? or [ ("52:54:00:*"), or a regular expression after a "~"
 * ("~node-[0-9]+"); each must match the whole fact, case-insensitively
 * (a regular expression may say otherwise with (?-i)).  A group matches
 * when all its terms do; the most specific matching group wins: more
 * terms first, then the smaller id.  A group with no terms is a default.
 */
#ifndef RACKBOOT_SELECTOR_H
#define RACKBOOT_SELECTOR_H

#include <stddef.h>

#define RB_SEL_KEY_MAX 64
#define RB_SEL_VALUE_MAX 256
/** The facts of one machine, as "key=value" lines, fit in this. */
#define RB_SEL_FACTS_MAX 4096

/** A fact of the machine being matched. */
struct rb_fact {
	const char *key;
	const char *value;
};

/** A selector term as written: key and value. */
struct rb_sel_term {
	char key[RB_SEL_KEY_MAX];
	char value[RB_SEL_VALUE_MAX];
};

/** A group's selector. */
struct rb_sel_group {
	const char *id;
	unsigned int nterms;
	const struct rb_sel_term *terms;
};

struct rb_selector;
struct rb_sel_scratch;

/**
 * Compile the selectors of @p n groups.
 *
 * @param groups  the groups (their ids must differ); the index of a group
 *                here is what matching returns
 * @param n       how many
 * @param out     the compiled selectors
 * @param err     on failure, the group and the reason
 * @param errlen  size of @p err
 * @return 0 or -1
 */
int rb_selector_build(const struct rb_sel_group *groups, unsigned int n,
		      struct rb_selector **out, char *err, size_t errlen);

/** Free compiled selectors. */
void rb_selector_free(struct rb_selector *s);

/** Scratch space for matching; one per thread that matches. */
int rb_selector_scratch(const struct rb_selector *s,
			struct rb_sel_scratch **out);

void rb_selector_scratch_free(struct rb_sel_scratch *sc);

/**
 * The group for a machine with @p facts: allocation-free.
 *
 * @param why   if not NULL, filled with the terms that matched (text)
 * @param whylen size of @p why
 * @return the group's index, or -1 when none matches (and no default)
 */
int rb_selector_match(const struct rb_selector *s, struct rb_sel_scratch *sc,
		      const struct rb_fact *facts, unsigned int nfacts,
		      char *why, size_t whylen);

/**
 * The same answer by checking every group in turn (fnmatch, POSIX
 * regular expressions): the reference the benchmark and tests compare to.
 */
int rb_selector_match_linear(const struct rb_selector *s,
			     const struct rb_fact *facts, unsigned int nfacts);

/** How many Hyperscan patterns the groups compiled into. */
unsigned int rb_selector_patterns(const struct rb_selector *s);

#endif
