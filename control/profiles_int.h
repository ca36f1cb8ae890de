/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A profiles snapshot's insides, shared by its loader (profiles.c) and
 * its matching and rendering (profiles_render.c).  Everything is
 * allocated once by the loader and never written after publication.
 */
#ifndef RACKBOOT_PROFILES_INT_H
#define RACKBOOT_PROFILES_INT_H

#include "rackboot/profiles.h"
#include "rackboot/pxe.h"
#include "rackboot/template.h"

/* the largest rendered document, and each slot's working buffers */
#define PROF_RENDER_MAX (64 * 1024)
/* the most facts a match or render takes from a request */
#define PROF_EXTRA_MAX 16

/* a template file read from the data directory */
struct ptmpl {
	char *path;    /* relative to the data directory */
	char *text;
	size_t len;
};

struct profile {
	char *id, *name, *file;
	char *kernel;           /* NULL: the profile boots nothing itself */
	char **initrd;
	unsigned int ninitrd;
	char **args;
	unsigned int nargs;
	int tmpl[RB_CFG_KINDS]; /* a template in ->tmpls, or -1 */
	char *boot_file[RB_FW_COUNT]; /* DHCP's boot file by class, or NULL */
	struct rb_quirks quirks;
};

struct group {
	char *id, *name, *file;
	int profile;
	unsigned int nterms;
	struct rb_sel_term *terms;
	/* group, profile, kernel, args, initrd, then metadata flattened */
	struct rb_tvar *vars;
	unsigned int nvars, nmeta;  /* the metadata: the last nmeta vars */
	struct rb_quirks quirks;
};

struct slot {
	struct rb_sel_scratch *scratch;
	char *buf;   /* PROF_RENDER_MAX: composing before the last pass */
};

struct rb_profiles {
	uint64_t generation;
	int refs;
	int have_data;
	unsigned int quirks;  /* RB_QUIRK_* some group has */
	struct group *groups;
	unsigned int ngroups;
	struct profile *profiles;
	unsigned int nprofiles;
	struct ptmpl *tmpls;
	unsigned int ntmpls;
	struct rb_selector *sel;
	struct slot *slots;
	unsigned int nslots;
	struct rb_filecache *templates;   /* --templates, or NULL */
};

#endif
