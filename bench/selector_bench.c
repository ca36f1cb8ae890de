/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Selector benchmark: N groups (default 10,000) as a rack operator writes
 * them (one exact MAC each for most, MAC prefix globs, hostname regular
 * expressions, two-key groups, a default), compiled once into Hyperscan
 * and matched against random machines; the same groups matched by a
 * linear scan of every group (strcasecmp, fnmatch, POSIX regexec).  Prints
 * the snapshot build time and both match rates, and checks they agree.
 * The same groups are also written as a matchbox data directory and
 * loaded whole (read, parse, validate, compile), as a reload does.
 *
 *   selector-bench [GROUPS] [MACHINES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>

#include "rackboot/profiles.h"
#include "rackboot/selector.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/**
 * Write @p ng groups as a data directory under @p base and time loading
 * it as one snapshot.
 *
 * @return the seconds the load took, or -1
 */
static double
load_data_dir(const struct rb_sel_group *g, unsigned int ng, const char *base)
{
	char path[512], err[512];
	struct rb_profiles *p;
	unsigned int i, t;
	double t0, took;
	FILE *f;

	snprintf(path, sizeof(path), "%s/root", base);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/root/vmlinuz", base);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fclose(f);
	snprintf(path, sizeof(path), "%s/data", base);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/data/groups", base);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/data/profiles", base);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/data/profiles/p.json", base);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "{\"id\": \"p\", \"boot\": {\"kernel\": \"/vmlinuz\", "
		   "\"args\": [\"console=ttyS0\"]}}\n");
	fclose(f);
	for (i = 0; i < ng; i++) {
		snprintf(path, sizeof(path), "%s/data/groups/%s.json", base,
			 g[i].id);
		f = fopen(path, "w");
		if (f == NULL)
			return -1;
		fprintf(f, "{\"id\": \"%s\", \"profile\": \"p\", \"selector\": {",
			g[i].id);
		for (t = 0; t < g[i].nterms; t++)
			fprintf(f, "%s\"%s\": \"%s\"", t ? ", " : "",
				g[i].terms[t].key, g[i].terms[t].value);
		fprintf(f, "}, \"metadata\": {\"n\": %u}}\n", i);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/data", base);
	t0 = now();
	if (rb_profiles_load(path, strcat(strcpy(err, base), "/root"), NULL, 1,
			     0, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "selector-bench: %s\n", err);
		return -1;
	}
	took = now() - t0;
	if (rb_profiles_ngroups(p) != ng) {
		rb_profiles_free(p);
		return -1;
	}
	rb_profiles_free(p);
	return took;
}

int
main(int argc, char **argv)
{
	unsigned int ng = argc > 1 ? (unsigned int)atoi(argv[1]) : 10000;
	unsigned int nm = argc > 2 ? (unsigned int)atoi(argv[2]) : 200000;
	unsigned int nlin = nm / 100 < 2000 ? nm / 100 + 1 : 2000;
	struct rb_sel_term(*terms)[2] = calloc(ng, sizeof(*terms));
	struct rb_sel_group *g = calloc(ng, sizeof(*g));
	char(*ids)[24] = calloc(ng, sizeof(*ids));
	struct rb_selector *s;
	struct rb_sel_scratch *sc;
	char err[256], mac[18], host[32], arch[16];
	unsigned int i, hits = 0, agree = 0;
	double t0, build, hs_rate, lin_rate;

	if (!terms || !g || !ids || ng < 2)
		return 2;
	srand(42);
	for (i = 0; i < ng; i++) {
		unsigned int kind = i % 10;

		snprintf(ids[i], sizeof(ids[i]), "group-%06u", i);
		g[i] = (struct rb_sel_group){ids[i], 1, terms[i]};
		if (i == 0) {
			g[i].nterms = 0; /* the default */
		} else if (kind < 6) {
			snprintf(terms[i][0].key, RB_SEL_KEY_MAX, "mac");
			snprintf(terms[i][0].value, RB_SEL_VALUE_MAX,
				 "52:54:%02x:%02x:%02x:%02x", i >> 24 & 0xff,
				 i >> 16 & 0xff, i >> 8 & 0xff, i & 0xff);
		} else if (kind < 8) {
			snprintf(terms[i][0].key, RB_SEL_KEY_MAX, "mac");
			snprintf(terms[i][0].value, RB_SEL_VALUE_MAX,
				 "52:55:%02x:%02x:*", i >> 8 & 0xff, i & 0xff);
		} else if (kind < 9) {
			snprintf(terms[i][0].key, RB_SEL_KEY_MAX, "hostname");
			snprintf(terms[i][0].value, RB_SEL_VALUE_MAX,
				 "~rack%u-node[0-9]+", i);
		} else {
			g[i].nterms = 2;
			snprintf(terms[i][0].key, RB_SEL_KEY_MAX, "mac");
			snprintf(terms[i][0].value, RB_SEL_VALUE_MAX,
				 "52:56:%02x:%02x:*", i >> 8 & 0xff, i & 0xff);
			snprintf(terms[i][1].key, RB_SEL_KEY_MAX, "arch");
			snprintf(terms[i][1].value, RB_SEL_VALUE_MAX, "efi-x64");
		}
	}
	t0 = now();
	if (rb_selector_build(g, ng, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "selector-bench: %s\n", err);
		return 1;
	}
	build = now() - t0;
	if (rb_selector_scratch(s, &sc) < 0)
		return 1;

	/* machines: known MACs of every kind, and strangers */
	struct rb_fact f[3] = {{"mac", mac}, {"hostname", host}, {"arch", arch}};
#define MACHINE(k)                                                            \
	do {                                                                  \
		unsigned int r = (unsigned int)rand() % ng, p = (k) % 4;      \
		snprintf(mac, sizeof(mac), "%s:%02x:%02x:%02x:%02x",          \
			 p == 0 ? "52:54" : p == 1 ? "52:55" : p == 2 ? "52:56" : "aa:bb", \
			 p ? r >> 8 & 0xff : r >> 24 & 0xff,                  \
			 p ? r & 0xff : r >> 16 & 0xff, r >> 8 & 0xff, r & 0xff); \
		snprintf(host, sizeof(host), "rack%u-node%u", r, k % 40);     \
		snprintf(arch, sizeof(arch), "%s", k % 2 ? "efi-x64" : "bios"); \
	} while (0)

	srand(7);
	t0 = now();
	for (i = 0; i < nm; i++) {
		MACHINE(i);
		hits += rb_selector_match(s, sc, f, 3, NULL, 0) > 0;
	}
	hs_rate = nm / (now() - t0);
	srand(7);
	t0 = now();
	for (i = 0; i < nlin; i++) {
		MACHINE(i);
		rb_selector_match_linear(s, f, 3);
	}
	lin_rate = nlin / (now() - t0);
	srand(7);
	for (i = 0; i < nlin; i++) {
		MACHINE(i);
		agree += rb_selector_match(s, sc, f, 3, NULL, 0) ==
			 rb_selector_match_linear(s, f, 3);
	}
	printf("groups                      %u (%u Hyperscan patterns)\n", ng,
	       rb_selector_patterns(s));
	printf("snapshot build (compile)    %.1f ms\n", build * 1e3);
	printf("match, Hyperscan            %.0f machines/s (%u machines, %u "
	       "matched a non-default group)\n",
	       hs_rate, nm, hits);
	printf("match, linear scan          %.0f machines/s (%u machines)\n",
	       lin_rate, nlin);
	printf("ratio                       %.0fx\n", hs_rate / lin_rate);
	printf("agreement                   %u/%u machines: %s\n", agree, nlin,
	       agree == nlin ? "same group" : "DIFFERENT");
	{
		char base[] = "/tmp/rbselbenchXXXXXX", cmd[64];
		double load = mkdtemp(base) ? load_data_dir(g, ng, base) : -1;

		if (load < 0)
			printf("snapshot build (data dir)   FAILED\n");
		else
			printf("snapshot build (data dir)   %.1f ms (%u group files "
			       "read, parsed, validated, compiled)\n",
			       load * 1e3, ng);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
		if (system(cmd) != 0)
			fprintf(stderr, "selector-bench: %s left behind\n", base);
	}
	rb_selector_scratch_free(sc);
	rb_selector_free(s);
	free(terms);
	free(g);
	free(ids);
	return agree == nlin ? 0 : 1;
}
