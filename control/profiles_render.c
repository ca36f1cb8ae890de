/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Matching a machine to its group and rendering its configs from a
 * profiles snapshot (see profiles.h).  Runs on workers and HTTP threads:
 * no allocation, only the caller's slot is written.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "profiles_int.h"

/* the facts a machine brings, as text */
struct facts {
	struct rb_mac_text mac;
	char ip[INET_ADDRSTRLEN], server[INET_ADDRSTRLEN];
	struct rb_fact f[4 + PROF_EXTRA_MAX];
	unsigned int nf;
	struct rb_tvar v[12 + PROF_EXTRA_MAX];
	unsigned int nv;
};

static void
add(struct facts *x, const char *k, const char *v, int match)
{
	if (match && x->nf < sizeof(x->f) / sizeof(x->f[0]))
		x->f[x->nf++] = (struct rb_fact){k, v};
	if (x->nv < sizeof(x->v) / sizeof(x->v[0]))
		x->v[x->nv++] = (struct rb_tvar){k, v};
}

/** The facts of @p m (and @p extra) for matching and for templates. */
static void
facts_of(struct facts *x, const struct rb_machine *m,
	 const struct rb_fact *extra, unsigned int nextra,
	 const struct rb_render_env *env)
{
	unsigned int i;

	x->nf = x->nv = 0;
	if (m->have_mac) {
		rb_bootcfg_mac_text(m->mac, &x->mac);
		add(x, "mac", x->mac.colon, 1);
		add(x, "mac_dash", x->mac.dash, 0);
		add(x, "mac_hex", x->mac.hex, 0);
	}
	if (m->uuid[0])
		add(x, "uuid", m->uuid, 1);
	if (m->ip) {
		inet_ntop(AF_INET, &m->ip, x->ip, sizeof(x->ip));
		add(x, "ip", x->ip, 1);
	}
	/* a query's own mac= and uuid= were read into @p m already */
	for (i = 0; i < nextra && i < PROF_EXTRA_MAX; i++)
		if (strcmp(extra[i].key, "mac") && strcmp(extra[i].key, "uuid"))
			add(x, extra[i].key, extra[i].value, 1);
	if (env) {
		inet_ntop(AF_INET, &env->server, x->server, sizeof(x->server));
		add(x, "server", x->server, 0);
		add(x, "http", env->http_url ? env->http_url : "", 0);
	}
}

int
rb_profiles_match(const struct rb_profiles *p, unsigned int slot,
		  const struct rb_machine *m, const struct rb_fact *extra,
		  unsigned int nextra, char *why, size_t whylen)
{
	struct facts x;

	if (why && whylen)
		why[0] = '\0';
	if (p == NULL || p->sel == NULL || slot >= p->nslots)
		return -1;
	facts_of(&x, m, extra, nextra, NULL);
	return rb_selector_match(p->sel, p->slots[slot].scratch, x.f, x.nf,
				 why, whylen);
}

const char *
rb_profiles_group_id(const struct rb_profiles *p, int g)
{
	return g >= 0 && (unsigned int)g < p->ngroups ? p->groups[g].id : NULL;
}

const char *
rb_profiles_group_file(const struct rb_profiles *p, int g)
{
	return g >= 0 && (unsigned int)g < p->ngroups ? p->groups[g].file
						       : NULL;
}

const char *
rb_profiles_profile_id(const struct rb_profiles *p, int g)
{
	return g >= 0 && (unsigned int)g < p->ngroups
		       ? p->profiles[p->groups[g].profile].id
		       : NULL;
}

const struct rb_quirks *
rb_profiles_quirks(const struct rb_profiles *p, int g)
{
	static const struct rb_quirks none;

	return g >= 0 && (unsigned int)g < p->ngroups ? &p->groups[g].quirks
						       : &none;
}

/* appending to a bounded buffer: o goes past cap when it does not fit */
struct buf {
	char *b;
	size_t o, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->o + n <= b->cap)
		memcpy(b->b + b->o, s, n);
	b->o += n;
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/** A path without the iPXE options before it ("--name x /a" is "/a"). */
static const char *
bare(const char *s)
{
	const char *sp = strrchr(s, ' ');

	return sp ? sp + 1 : s;
}

/**
 * A kernel or initrd for GRUB: http://host/path becomes (http,host)/path,
 * GRUB's spelling; the rest is its own or relative to where GRUB came
 * from (the TFTP root).
 */
static void
grub_path(struct buf *b, const char *s)
{
	s = bare(s);
	if (strncmp(s, "http://", 7) == 0) {
		const char *slash = strchr(s + 7, '/');

		if (slash && !memchr(s + 7, ':', (size_t)(slash - s - 7))) {
			puts_(b, "(http,");
			put(b, s + 7, (size_t)(slash - s - 7));
			puts_(b, ")");
			puts_(b, slash);
			return;
		}
	}
	puts_(b, s);
}

/** The boot loader config rackboot writes from a profile's boot. */
static int
compose(struct buf *b, const struct profile *pr, enum rb_cfg_kind kind)
{
	unsigned int i;

	if (pr->kernel == NULL)
		return -1;
	switch (kind) {
	case RB_CFG_IPXE:
		puts_(b, "#!ipxe\nkernel ");
		puts_(b, pr->kernel);
		for (i = 0; i < pr->nargs; i++) {
			puts_(b, " ");
			puts_(b, pr->args[i]);
		}
		puts_(b, "\n");
		for (i = 0; i < pr->ninitrd; i++) {
			puts_(b, "initrd ");
			puts_(b, pr->initrd[i]);
			puts_(b, "\n");
		}
		puts_(b, "boot\n");
		return 0;
	case RB_CFG_GRUB:
		puts_(b, "set default=0\nset timeout=0\nmenuentry \"");
		puts_(b, pr->name);
		puts_(b, "\" {\n\tlinux ");
		grub_path(b, pr->kernel);
		for (i = 0; i < pr->nargs; i++) {
			puts_(b, " ");
			puts_(b, pr->args[i]);
		}
		if (pr->ninitrd)
			puts_(b, "\n\tinitrd");
		for (i = 0; i < pr->ninitrd; i++) {
			puts_(b, " ");
			grub_path(b, pr->initrd[i]);
		}
		puts_(b, "\n}\n");
		return 0;
	case RB_CFG_PXELINUX:
		puts_(b, "DEFAULT rackboot\nLABEL rackboot\n\tKERNEL ");
		puts_(b, pr->kernel);
		if (pr->ninitrd)
			puts_(b, "\n\tINITRD ");
		for (i = 0; i < pr->ninitrd; i++) {
			if (i)
				puts_(b, ",");
			puts_(b, bare(pr->initrd[i]));
		}
		if (pr->nargs)
			puts_(b, "\n\tAPPEND");
		for (i = 0; i < pr->nargs; i++) {
			puts_(b, " ");
			puts_(b, pr->args[i]);
		}
		puts_(b, "\n");
		return 0;
	default:
		return -1;
	}
}

/** matchbox's /metadata: KEY=value lines, nested keys joined by '_'. */
static void
metadata(struct buf *b, const struct rb_tvar *v, unsigned int n)
{
	unsigned int i;
	const char *c;

	for (i = 0; i < n; i++) {
		for (c = v[i].name; *c; c++) {
			char u = isalnum((unsigned char)*c)
					 ? (char)toupper((unsigned char)*c)
					 : '_';

			put(b, &u, 1);
		}
		puts_(b, "=");
		puts_(b, v[i].value);
		puts_(b, "\n");
	}
}

/** Group @p g's config of @p kind; RB_RENDER_NONE when it has none. */
static long
render_group(const struct rb_profiles *p, unsigned int slot, int g,
	     enum rb_cfg_kind kind, const struct facts *x, char *out,
	     size_t cap)
{
	const struct group *gr = &p->groups[g];
	const struct profile *pr = &p->profiles[gr->profile];
	struct buf b = {p->slots[slot].buf, 0, PROF_RENDER_MAX};
	const struct rb_tvars lists[] = {{x->v, x->nv}, {gr->vars, gr->nvars}};
	long n;

	if (kind == RB_CFG_METADATA) {
		b.b = out;
		b.cap = cap;
		metadata(&b, x->v, x->nv);
		metadata(&b, gr->vars + gr->nvars - gr->nmeta, gr->nmeta);
		return b.o <= cap ? (long)b.o : RB_RENDER_TOO_BIG;
	}
	if (pr->tmpl[kind] >= 0) {
		const struct ptmpl *t = &p->tmpls[pr->tmpl[kind]];

		/* the profile's kernel and args may hold variables too */
		n = rb_template_render_lists(t->text, t->len, lists, 2, b.b,
					     b.cap);
		if (n < 0)
			return RB_RENDER_TOO_BIG;
		b.o = (size_t)n;
	} else if (compose(&b, pr, kind) < 0) {
		return RB_RENDER_NONE;
	}
	if (b.o > b.cap)
		return RB_RENDER_TOO_BIG;
	n = rb_template_render_lists(b.b, b.o, lists, 2, out, cap);
	return n < 0 ? RB_RENDER_TOO_BIG : n;
}

long
rb_profiles_render(const struct rb_profiles *p, unsigned int slot,
		   const char *name, struct rb_machine *m,
		   const struct rb_fact *extra, unsigned int nextra,
		   const struct rb_render_env *env, char *out, size_t cap,
		   int *group)
{
	enum rb_cfg_scope scope;
	enum rb_cfg_kind kind;
	const struct rb_file *tmpl;
	struct facts x;
	long n;

	*group = -1;
	if (p == NULL || slot >= p->nslots)
		return RB_RENDER_NONE;
	kind = rb_bootcfg_classify(name, m, &scope);
	if (kind == RB_CFG_NONE)
		return RB_RENDER_NONE;
	if (p->sel) {
		int g;

		facts_of(&x, m, extra, nextra, env);
		g = rb_selector_match(p->sel, p->slots[slot].scratch, x.f, x.nf,
				      NULL, 0);
		/* a name only a machine's own config answers: a default
		 * group is not the machine's own */
		if (g >= 0 && !(scope == RB_SCOPE_OWN && p->groups[g].nterms == 0)) {
			n = render_group(p, slot, g, kind, &x, out, cap);
			if (n != RB_RENDER_NONE) {
				*group = g;
				return n;
			}
		}
	}
	tmpl = rb_bootcfg_template(p->templates, name, m);
	if (tmpl == NULL)
		return RB_RENDER_NONE;
	n = rb_bootcfg_render(tmpl, m, env->server, env->http_url, out, cap);
	return n < 0 ? RB_RENDER_TOO_BIG : n;
}
