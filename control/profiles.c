/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading a profiles snapshot from a matchbox-format data directory
 * (see profiles.h): every file is read and checked before anything is
 * published, and the first problem found is reported with its file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "profiles_int.h"

#define ID_MAX 128
#define TEMPLATE_FILE_MAX (1 << 20)

/* the loader's working state */
struct loader {
	const char *data;
	int data_fd, root_fd;
	struct rb_profiles *p;
	char *err;
	size_t errlen;
};

static int
fail(struct loader *l, const char *file, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (file)
		n = snprintf(l->err, l->errlen, "%s: ", file);
	if (n < 0 || (size_t)n >= l->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/** The *.json names in @p sub, sorted; @return how many, or -1. */
static int
json_files(struct loader *l, const char *sub, struct dirent ***names)
{
	char path[PATH_MAX];
	int n, i, k = 0;

	snprintf(path, sizeof(path), "%s/%s", l->data, sub);
	n = scandir(path, names, NULL, alphasort);
	if (n < 0) {
		if (errno == ENOENT) {
			*names = NULL;
			return 0;
		}
		return fail(l, sub, "%s", strerror(errno));
	}
	for (i = 0; i < n; i++) {
		const char *d = (*names)[i]->d_name;
		size_t len = strlen(d);

		if (d[0] != '.' && len > 5 && strcmp(d + len - 5, ".json") == 0)
			(*names)[k++] = (*names)[i];
		else
			free((*names)[i]);
	}
	return k;
}

static json_t *
read_json(struct loader *l, const char *file)
{
	int fd = openat(l->data_fd, file, O_RDONLY | O_CLOEXEC);
	json_error_t je;
	json_t *j;

	if (fd < 0) {
		fail(l, file, "%s", strerror(errno));
		return NULL;
	}
	j = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
	close(fd);
	if (j == NULL) {
		fail(l, file, "line %d, column %d: %s", je.line, je.column,
		     je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		fail(l, file, "not a JSON object");
		return NULL;
	}
	return j;
}

/** An optional string member; @return 0, or -1 when of another type. */
static int
get_str(struct loader *l, const char *file, json_t *o, const char *key,
	const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return fail(l, file, "\"%s\" must be a string", key);
	*out = json_string_value(v);
	return 0;
}

static int
get_id(struct loader *l, const char *file, json_t *o, char **out)
{
	const char *id;
	size_t i;

	if (get_str(l, file, o, "id", &id) < 0)
		return -1;
	if (id == NULL || id[0] == '\0')
		return fail(l, file, "\"id\" is missing");
	if (strlen(id) > ID_MAX)
		return fail(l, file, "\"id\" is longer than %d bytes", ID_MAX);
	for (i = 0; id[i]; i++)
		if ((unsigned char)id[i] < 0x20)
			return fail(l, file, "\"id\" holds a control character");
	*out = strdup(id);
	return *out ? 0 : fail(l, file, "out of memory");
}

/** An array of strings into a NULL-free vector. */
static int
get_strv(struct loader *l, const char *file, json_t *o, const char *key,
	 char ***out, unsigned int *n)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return fail(l, file, "\"%s\" must be an array of strings", key);
	*out = calloc(json_array_size(a) + 1, sizeof(char *));
	if (*out == NULL)
		return fail(l, file, "out of memory");
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return fail(l, file, "\"%s\"[%zu] must be a string", key,
				    i);
		(*out)[(*n)++] = strdup(json_string_value(v));
	}
	return 0;
}

/**
 * The file a profile's kernel or initrd names, when it is one of ours:
 * a path (iPXE options before it, like "--name main /assets/x", are
 * skipped), not a URL, GRUB device or templated value.
 *
 * @return the path relative to the root, or NULL
 */
static const char *
local_path(const char *s)
{
	const char *last = strrchr(s, ' ');

	s = last ? last + 1 : s;
	if (strstr(s, "://") || s[0] == '(' || strstr(s, "${") ||
	    strstr(s, "{{") || s[0] == '\0')
		return NULL;
	while (*s == '/')
		s++;
	return s;
}

static int
check_file(struct loader *l, const char *file, const char *what,
	   const char *value)
{
	const char *rel = local_path(value);
	struct stat st;

	if (rel == NULL)
		return 0;
	if (strcmp(rel, "..") == 0 || strncmp(rel, "../", 3) == 0 ||
	    strstr(rel, "/../") ||
	    (strlen(rel) >= 3 && strcmp(rel + strlen(rel) - 3, "/..") == 0))
		return fail(l, file, "%s %s leaves the root", what, value);
	if (*rel == '\0' || fstatat(l->root_fd, rel, &st, 0) < 0)
		return fail(l, file, "%s %s: no such file under the root",
			    what, value);
	if (!S_ISREG(st.st_mode))
		return fail(l, file, "%s %s is not a regular file", what, value);
	return 0;
}

/** Template @p name in data subdirectory @p sub: its index, or -1. */
static int
load_template(struct loader *l, const char *file, const char *sub,
	      const char *name)
{
	struct rb_profiles *p = l->p;
	char rel[PATH_MAX], why[256];
	struct ptmpl *t;
	struct stat st;
	unsigned int i;
	ssize_t got;
	int fd;

	if (name[0] == '\0' || strchr(name, '/') || strcmp(name, "..") == 0)
		return fail(l, file, "template name \"%s\" is not a file name in "
			    "%s/", name, sub);
	snprintf(rel, sizeof(rel), "%s/%s", sub, name);
	for (i = 0; i < p->ntmpls; i++)
		if (strcmp(p->tmpls[i].path, rel) == 0)
			return (int)i;
	fd = openat(l->data_fd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(l, file, "template %s: %s", rel, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > TEMPLATE_FILE_MAX) {
		close(fd);
		return fail(l, file, "template %s is not a regular file of at "
			    "most %d bytes", rel, TEMPLATE_FILE_MAX);
	}
	t = realloc(p->tmpls, (p->ntmpls + 1) * sizeof(*t));
	if (t == NULL) {
		close(fd);
		return fail(l, file, "out of memory");
	}
	p->tmpls = t;
	t = &p->tmpls[p->ntmpls];
	t->path = strdup(rel);
	t->len = (size_t)st.st_size;
	t->text = malloc(t->len + 1);
	got = t->text ? read(fd, t->text, t->len) : -1;
	close(fd);
	if (t->path == NULL || got != (ssize_t)t->len) {
		free(t->path);
		free(t->text);
		return fail(l, file, "template %s: cannot be read", rel);
	}
	t->text[t->len] = '\0';
	p->ntmpls++;
	if (rb_template_check(t->text, t->len, why, sizeof(why)) < 0)
		return fail(l, rel, "%s", why);
	return (int)(p->ntmpls - 1);
}

/** "quirks": {...} into @p q; @p set records which were given. */
static int
get_quirks(struct loader *l, const char *file, json_t *o,
	   struct rb_quirks *q, uint8_t set[4])
{
	json_t *j = json_object_get(o, "quirks"), *v;
	const char *k;

	if (j == NULL || json_is_null(j))
		return 0;
	if (!json_is_object(j))
		return fail(l, file, "\"quirks\" must be an object");
	json_object_foreach(j, k, v) {
		if (strcmp(k, "omit_option_43") == 0) {
			if (!json_is_boolean(v))
				return fail(l, file, "quirks.%s must be true "
					    "or false", k);
			q->omit_option_43 = json_is_true(v);
			set[1] = 1;
			continue;
		}
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return fail(l, file, "quirks.%s must be a number "
				    "of at least 0", k);
		if (strcmp(k, "reply_delay_ms") == 0) {
			if (json_integer_value(v) > 10000)
				return fail(l, file, "quirks.%s: at most "
					    "10000", k);
			q->reply_delay_ms = (uint32_t)json_integer_value(v);
			set[0] = 1;
		} else if (strcmp(k, "tftp_blksize_max") == 0) {
			if (json_integer_value(v) < 8 ||
			    json_integer_value(v) > 65464)
				return fail(l, file, "quirks.%s: 8 to 65464 "
					    "(RFC 2348)", k);
			q->tftp_blksize_max = (uint32_t)json_integer_value(v);
			set[2] = 1;
		} else if (strcmp(k, "http_rate") == 0) {
			q->http_rate = (uint64_t)json_integer_value(v);
			set[3] = 1;
		} else {
			return fail(l, file, "unknown quirk \"%s\" (known: "
				    "reply_delay_ms, omit_option_43, "
				    "tftp_blksize_max, http_rate)", k);
		}
	}
	return 0;
}

/**
 * rackboot's "boot_files": {"CLASS": "FILE"}: the boot file DHCP gives
 * this profile's machines by firmware class (the --boot-file classes),
 * e.g. pxelinux.0 for BIOS, grubx64.efi for UEFI.  Checked as the
 * command line checks --boot-file; a local file must be under the root.
 */
static int
get_boot_files(struct loader *l, const char *file, json_t *o,
	       struct profile *pr)
{
	json_t *j = json_object_get(o, "boot_files"), *v;
	const char *k, *f;

	if (j == NULL || json_is_null(j))
		return 0;
	if (!json_is_object(j))
		return fail(l, file, "\"boot_files\" must be an object");
	json_object_foreach(j, k, v) {
		enum rb_fw fw = rb_fw_by_name(k);

		if (fw == RB_FW_COUNT)
			return fail(l, file, "boot_files: \"%s\" is not a "
				    "firmware class (bios, efi-ia32, efi-x64, "
				    "efi-arm32, efi-arm64, http-ia32, "
				    "http-x64, http-arm32, http-arm64, ipxe)",
				    k);
		if (!json_is_string(v))
			return fail(l, file, "boot_files.%s must be a string",
				    k);
		f = json_string_value(v);
		if (strlen(f) >= RB_PROFILE_BOOTFILE_MAX)
			return fail(l, file, "boot_files.%s: over %d bytes", k,
				    RB_PROFILE_BOOTFILE_MAX - 1);
		if (fw == RB_FW_IPXE && *f && strstr(f, "://") == NULL)
			return fail(l, file, "boot_files.ipxe: iPXE needs a "
				    "URL (http://, tftp://)");
		if (rb_fw_is_http(fw) && fw != RB_FW_IPXE && *f &&
		    strncmp(f, "http://", 7) && strncmp(f, "https://", 8))
			return fail(l, file, "boot_files.%s: UEFI HTTP Boot "
				    "needs an http:// URL", k);
		if (!rb_fw_is_http(fw) && *f &&
		    check_file(l, file, "boot file", f) < 0)
			return -1;
		pr->boot_file[fw] = strdup(f);
		if (pr->boot_file[fw] == NULL)
			return fail(l, file, "out of memory");
	}
	return 0;
}

static int
load_profile(struct loader *l, const char *file, json_t *j,
	     struct profile *pr)
{
	static const struct {
		const char *key, *dir;
		enum rb_cfg_kind kind;
	} tkeys[] = {
		{"ignition_id", "ignition", RB_CFG_IGNITION},
		{"cloud_id", "cloud", RB_CFG_CLOUD},
		{"generic_id", "generic", RB_CFG_GENERIC},
	};
	static const struct {
		const char *key;
		enum rb_cfg_kind kind;
	} own[] = {
		{"ipxe", RB_CFG_IPXE},
		{"grub", RB_CFG_GRUB},
		{"pxelinux", RB_CFG_PXELINUX},
	};
	const char *s;
	json_t *boot, *t;
	unsigned int i;

	for (i = 0; i < RB_CFG_KINDS; i++)
		pr->tmpl[i] = -1;
	if (get_id(l, file, j, &pr->id) < 0 ||
	    get_str(l, file, j, "name", &s) < 0)
		return -1;
	pr->name = strdup(s ? s : pr->id);
	boot = json_object_get(j, "boot");
	if (boot && !json_is_null(boot)) {
		json_t *cmd;

		if (!json_is_object(boot))
			return fail(l, file, "\"boot\" must be an object");
		if (get_str(l, file, boot, "kernel", &s) < 0 ||
		    get_strv(l, file, boot, "initrd", &pr->initrd,
			     &pr->ninitrd) < 0 ||
		    get_strv(l, file, boot, "args", &pr->args, &pr->nargs) < 0)
			return -1;
		pr->kernel = dup_or_null(s);
		/* matchbox's older spelling of args: {"key": "value"} */
		cmd = json_object_get(boot, "cmdline");
		if (cmd && json_is_object(cmd) && pr->nargs == 0) {
			const char *k;
			json_t *v;

			pr->args = calloc(json_object_size(cmd) + 1,
					  sizeof(char *));
			if (pr->args == NULL)
				return fail(l, file, "out of memory");
			json_object_foreach(cmd, k, v) {
				char *a;

				if (!json_is_string(v))
					return fail(l, file, "boot.cmdline.%s "
						    "must be a string", k);
				if (asprintf(&a, "%s%s%s", k,
					     *json_string_value(v) ? "=" : "",
					     json_string_value(v)) < 0)
					return fail(l, file, "out of memory");
				pr->args[pr->nargs++] = a;
			}
		}
		if (pr->kernel && check_file(l, file, "kernel", pr->kernel) < 0)
			return -1;
		if (pr->kernel == NULL && pr->ninitrd)
			return fail(l, file, "boot has an initrd but no kernel");
		for (i = 0; i < pr->ninitrd; i++)
			if (check_file(l, file, "initrd", pr->initrd[i]) < 0)
				return -1;
	}
	for (i = 0; i < sizeof(tkeys) / sizeof(tkeys[0]); i++) {
		if (get_str(l, file, j, tkeys[i].key, &s) < 0)
			return -1;
		if (s && *s &&
		    (pr->tmpl[tkeys[i].kind] =
			     load_template(l, file, tkeys[i].dir, s)) < 0)
			return -1;
	}
	/* rackboot's own: boot loader configs from templates of the user's */
	t = json_object_get(j, "templates");
	if (t && !json_is_object(t))
		return fail(l, file, "\"templates\" must be an object");
	for (i = 0; t && i < sizeof(own) / sizeof(own[0]); i++) {
		if (get_str(l, file, t, own[i].key, &s) < 0)
			return -1;
		if (s && *s &&
		    (pr->tmpl[own[i].kind] =
			     load_template(l, file, "templates", s)) < 0)
			return -1;
	}
	if (get_boot_files(l, file, j, pr) < 0)
		return -1;
	{
		uint8_t set[4] = {0};

		/* a group's own quirks override these one by one */
		return get_quirks(l, file, j, &pr->quirks, set);
	}
}

static int
find_profile(const struct rb_profiles *p, const char *id)
{
	unsigned int i;

	for (i = 0; i < p->nprofiles; i++)
		if (strcmp(p->profiles[i].id, id) == 0)
			return (int)i;
	return -1;
}

/** Append a variable to @p g (names and values are the group's). */
static int
add_var(struct group *g, const char *name, const char *value, size_t *cap)
{
	if (g->nvars == *cap) {
		struct rb_tvar *v;

		*cap = *cap ? 2 * *cap : 16;
		v = realloc(g->vars, *cap * sizeof(*v));
		if (v == NULL)
			return -1;
		g->vars = v;
	}
	g->vars[g->nvars].name = strdup(name);
	g->vars[g->nvars].value = strdup(value);
	if (!g->vars[g->nvars].name || !g->vars[g->nvars].value)
		return -1;
	g->nvars++;
	return 0;
}

/** Metadata flattened: {"a": {"b": 1}} becomes a.b=1. */
static int
flatten(struct group *g, const char *prefix, json_t *o, size_t *cap)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		char name[256];
		char *text = NULL;
		int rc;

		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "",
			 k);
		if (json_is_object(v)) {
			if (flatten(g, name, v, cap) < 0)
				return -1;
			continue;
		}
		if (json_is_string(v))
			rc = add_var(g, name, json_string_value(v), cap);
		else if (json_is_null(v))
			rc = add_var(g, name, "", cap);
		else {
			text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			rc = text ? add_var(g, name, text, cap) : -1;
			free(text);
		}
		if (rc < 0)
			return -1;
		g->nmeta++;
	}
	return 0;
}

/** A string joined from @p v with @p sep. */
static char *
join(char **v, unsigned int n, const char *sep)
{
	size_t len = 1, o = 0;
	unsigned int i;
	char *s;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) + strlen(sep);
	s = malloc(len);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(s + o, "%s%s", i ? sep : "", v[i]);
	return s;
}

static int
load_group(struct loader *l, const char *file, json_t *j, struct group *g)
{
	const char *s, *k;
	json_t *sel, *meta, *v;
	struct profile *pr;
	char *joined;
	size_t cap = 0;
	unsigned int i;

	if (get_id(l, file, j, &g->id) < 0 ||
	    get_str(l, file, j, "name", &s) < 0)
		return -1;
	g->name = strdup(s ? s : g->id);
	if (get_str(l, file, j, "profile", &s) < 0)
		return -1;
	if (s == NULL || *s == '\0')
		return fail(l, file, "\"profile\" is missing");
	g->profile = find_profile(l->p, s);
	if (g->profile < 0)
		return fail(l, file, "profile \"%s\" is not defined in "
			    "profiles/", s);
	pr = &l->p->profiles[g->profile];
	sel = json_object_get(j, "selector");
	if (sel && !json_is_null(sel)) {
		if (!json_is_object(sel))
			return fail(l, file, "\"selector\" must be an object");
		g->terms = calloc(json_object_size(sel) + 1, sizeof(*g->terms));
		if (g->terms == NULL)
			return fail(l, file, "out of memory");
		json_object_foreach(sel, k, v) {
			struct rb_sel_term *t = &g->terms[g->nterms++];
			uint8_t mac[6];

			if (!json_is_string(v))
				return fail(l, file, "selector \"%s\" must be "
					    "a string", k);
			if (strlen(k) >= sizeof(t->key) ||
			    strlen(json_string_value(v)) >= sizeof(t->value))
				return fail(l, file, "selector \"%s\" is too "
					    "long", k);
			strcpy(t->key, k);
			strcpy(t->value, json_string_value(v));
			/* a MAC as firmware and our facts spell it */
			if (strcmp(k, "mac") == 0 &&
			    rb_bootcfg_parse_mac(t->value, mac) == 0) {
				struct rb_mac_text mt;

				rb_bootcfg_mac_text(mac, &mt);
				strcpy(t->value, mt.colon);
			}
		}
	}
	if (add_var(g, "group", g->id, &cap) < 0 ||
	    add_var(g, "group_name", g->name, &cap) < 0 ||
	    add_var(g, "profile", pr->id, &cap) < 0 ||
	    add_var(g, "profile_name", pr->name, &cap) < 0 ||
	    add_var(g, "kernel", pr->kernel ? pr->kernel : "", &cap) < 0)
		return fail(l, file, "out of memory");
	joined = join(pr->args, pr->nargs, " ");
	if (joined == NULL || add_var(g, "args", joined, &cap) < 0) {
		free(joined);
		return fail(l, file, "out of memory");
	}
	free(joined);
	joined = join(pr->initrd, pr->ninitrd, " ");
	if (joined == NULL || add_var(g, "initrd", joined, &cap) < 0) {
		free(joined);
		return fail(l, file, "out of memory");
	}
	free(joined);
	meta = json_object_get(j, "metadata");
	if (meta && !json_is_null(meta)) {
		if (!json_is_object(meta))
			return fail(l, file, "\"metadata\" must be an object");
		if (flatten(g, "", meta, &cap) < 0)
			return fail(l, file, "out of memory");
	}
	/* the profile's quirks, then the group's own over them */
	g->quirks = pr->quirks;
	{
		struct rb_quirks q = {0};
		uint8_t set[4] = {0};

		if (get_quirks(l, file, j, &q, set) < 0)
			return -1;
		if (set[0])
			g->quirks.reply_delay_ms = q.reply_delay_ms;
		if (set[1])
			g->quirks.omit_option_43 = q.omit_option_43;
		if (set[2])
			g->quirks.tftp_blksize_max = q.tftp_blksize_max;
		if (set[3])
			g->quirks.http_rate = q.http_rate;
	}
	for (i = 0; i < RB_FW_COUNT; i++)
		if (pr->boot_file[i])
			l->p->quirks |= RB_QUIRK_BOOT_FILE;
	l->p->quirks |= (g->quirks.reply_delay_ms ? RB_QUIRK_REPLY_DELAY : 0) |
			(g->quirks.omit_option_43 ? RB_QUIRK_OMIT_43 : 0) |
			(g->quirks.tftp_blksize_max ? RB_QUIRK_BLKSIZE : 0) |
			(g->quirks.http_rate ? RB_QUIRK_HTTP_RATE : 0);
	return 0;
}

/** Read one kind of file (profiles or groups) into the snapshot. */
static int
load_all(struct loader *l, const char *sub, int groups)
{
	struct rb_profiles *p = l->p;
	struct dirent **names;
	int n = json_files(l, sub, &names), i, rc = 0;

	if (n < 0)
		return -1;
	if (groups)
		p->groups = calloc((size_t)n + 1, sizeof(*p->groups));
	else
		p->profiles = calloc((size_t)n + 1, sizeof(*p->profiles));
	if (groups ? !p->groups : !p->profiles)
		rc = fail(l, sub, "out of memory");
	for (i = 0; i < n; i++) {
		char file[PATH_MAX];
		json_t *j;

		if (rc < 0) {
			free(names[i]);
			continue;
		}
		snprintf(file, sizeof(file), "%s/%s", sub, names[i]->d_name);
		free(names[i]);
		j = read_json(l, file);
		if (j == NULL) {
			rc = -1;
			continue;
		}
		if (groups) {
			struct group *g = &p->groups[p->ngroups++];

			g->file = strdup(file);
			rc = load_group(l, file, j, g);
		} else {
			struct profile *pr = &p->profiles[p->nprofiles++];

			pr->file = strdup(file);
			rc = load_profile(l, file, j, pr);
		}
		json_decref(j);
	}
	free(names);
	return rc;
}

/* an id, its file, and where it was read (file name order) */
struct idref {
	const char *id, *file;
	unsigned int order;
};

static int
idref_cmp(const void *a, const void *b)
{
	const struct idref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/**
 * Refuse an id used twice, naming the later file and the earlier one
 * (sorted, not compared pairwise: 10,000 groups stay fast).
 */
static int
check_unique(struct loader *l, const char *what, struct idref *r,
	     unsigned int n)
{
	unsigned int i, worst = n;

	qsort(r, n, sizeof(*r), idref_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(r[i - 1].id, r[i].id) == 0 &&
		    (worst == n || r[i].order < r[worst].order))
			worst = i;
	if (worst == n)
		return 0;
	return fail(l, r[worst].file, "duplicate %s id \"%s\" (also in %s)",
		    what, r[worst].id, r[worst - 1].file);
}

/** Every group id and every profile id is used once. */
static int
check_ids(struct loader *l)
{
	struct rb_profiles *p = l->p;
	unsigned int n = p->ngroups > p->nprofiles ? p->ngroups : p->nprofiles;
	struct idref *r = calloc(n + 1, sizeof(*r));
	unsigned int i;
	int rc;

	if (r == NULL)
		return fail(l, NULL, "out of memory");
	for (i = 0; i < p->nprofiles; i++)
		r[i] = (struct idref){p->profiles[i].id, p->profiles[i].file, i};
	rc = check_unique(l, "profile", r, p->nprofiles);
	for (i = 0; rc == 0 && i < p->ngroups; i++)
		r[i] = (struct idref){p->groups[i].id, p->groups[i].file, i};
	if (rc == 0)
		rc = check_unique(l, "group", r, p->ngroups);
	free(r);
	return rc;
}

/** The selectors of every group, in one database. */
static int
build_selectors(struct loader *l)
{
	struct rb_profiles *p = l->p;
	struct rb_sel_group *sg = calloc(p->ngroups + 1, sizeof(*sg));
	char why[512];
	unsigned int i;
	int rc;

	if (sg == NULL)
		return fail(l, NULL, "out of memory");
	for (i = 0; i < p->ngroups; i++) {
		sg[i].id = p->groups[i].id;
		sg[i].nterms = p->groups[i].nterms;
		sg[i].terms = p->groups[i].terms;
	}
	rc = rb_selector_build(sg, p->ngroups, &p->sel, why, sizeof(why));
	free(sg);
	if (rc == 0)
		return 0;
	/* name the file of the group the error names */
	for (i = 0; i < p->ngroups; i++) {
		size_t n = strlen(p->groups[i].id);

		if (strncmp(why, "group ", 6) == 0 &&
		    strncmp(why + 6, p->groups[i].id, n) == 0 &&
		    why[6 + n] == ':')
			return fail(l, p->groups[i].file, "%s", why + 8 + n);
	}
	return fail(l, "groups", "%s", why);
}

int
rb_profiles_load(const char *data, const char *root,
		 struct rb_filecache *templates, unsigned int nslots,
		 uint64_t generation, struct rb_profiles **out, char *err,
		 size_t errlen)
{
	struct rb_profiles *p = calloc(1, sizeof(*p));
	struct loader l = {.data = data, .data_fd = -1, .root_fd = -1,
			   .p = p, .err = err, .errlen = errlen};
	unsigned int i;
	int rc = -1;

	*out = NULL;
	if (p == NULL) {
		rb_filecache_free(templates);
		return fail(&l, NULL, "out of memory");
	}
	p->generation = generation;
	p->templates = templates;
	p->have_data = data && *data;
	if (p->have_data) {
		struct stat st;

		l.data_fd = open(data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (l.data_fd < 0) {
			fail(&l, data, "%s", strerror(errno));
			goto out;
		}
		if (fstatat(l.data_fd, "groups", &st, 0) < 0 &&
		    fstatat(l.data_fd, "profiles", &st, 0) < 0) {
			fail(&l, data, "neither groups/ nor profiles/ is there: "
			     "not a data directory");
			goto out;
		}
		l.root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (l.root_fd < 0) {
			fail(&l, root, "%s", strerror(errno));
			goto out;
		}
		if (load_all(&l, "profiles", 0) < 0 ||
		    load_all(&l, "groups", 1) < 0 || check_ids(&l) < 0 ||
		    build_selectors(&l) < 0)
			goto out;
	}
	p->nslots = nslots;
	p->slots = calloc(nslots + 1, sizeof(*p->slots));
	if (p->slots == NULL) {
		fail(&l, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < nslots; i++) {
		p->slots[i].buf = malloc(PROF_RENDER_MAX);
		if (p->slots[i].buf == NULL ||
		    (p->sel && rb_selector_scratch(p->sel,
						   &p->slots[i].scratch) < 0)) {
			fail(&l, NULL, "out of memory for the match scratch");
			goto out;
		}
	}
	rc = 0;
out:
	if (l.data_fd >= 0)
		close(l.data_fd);
	if (l.root_fd >= 0)
		close(l.root_fd);
	if (rc < 0)
		rb_profiles_free(p);
	else
		*out = p;
	return rc;
}

static void
free_strv(char **v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
rb_profiles_free(struct rb_profiles *p)
{
	unsigned int i, k;

	if (p == NULL)
		return;
	for (i = 0; p->slots && i < p->nslots; i++) {
		rb_selector_scratch_free(p->slots[i].scratch);
		free(p->slots[i].buf);
	}
	free(p->slots);
	rb_selector_free(p->sel);
	for (i = 0; i < p->ngroups; i++) {
		struct group *g = &p->groups[i];

		for (k = 0; k < g->nvars; k++) {
			free((char *)(uintptr_t)g->vars[k].name);
			free((char *)(uintptr_t)g->vars[k].value);
		}
		free(g->vars);
		free(g->terms);
		free(g->id);
		free(g->name);
		free(g->file);
	}
	free(p->groups);
	for (i = 0; i < p->nprofiles; i++) {
		struct profile *pr = &p->profiles[i];

		free(pr->id);
		free(pr->name);
		free(pr->file);
		free(pr->kernel);
		free_strv(pr->initrd, pr->ninitrd);
		free_strv(pr->args, pr->nargs);
		for (k = 0; k < RB_FW_COUNT; k++)
			free(pr->boot_file[k]);
	}
	free(p->profiles);
	for (i = 0; i < p->ntmpls; i++) {
		free(p->tmpls[i].path);
		free(p->tmpls[i].text);
	}
	free(p->tmpls);
	rb_filecache_free(p->templates);
	free(p);
}

void
rb_profiles_hold(struct rb_profiles *p)
{
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
}

void
rb_profiles_release(struct rb_profiles *p)
{
	__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
}

int
rb_profiles_busy(const struct rb_profiles *p)
{
	return __atomic_load_n(&p->refs, __ATOMIC_ACQUIRE) != 0;
}

const char *
rb_profiles_kernel(const struct rb_profiles *p, int g)
{
	if (g < 0 || (unsigned int)g >= p->ngroups)
		return NULL;
	return p->profiles[p->groups[g].profile].kernel;
}

const char *
rb_profiles_initrd(const struct rb_profiles *p, int g, unsigned int i)
{
	const struct profile *pr;

	if (g < 0 || (unsigned int)g >= p->ngroups)
		return NULL;
	pr = &p->profiles[p->groups[g].profile];
	return i < pr->ninitrd ? pr->initrd[i] : NULL;
}

const char *
rb_profiles_boot_file(const struct rb_profiles *p, int g, enum rb_fw fw)
{
	if (g < 0 || (unsigned int)g >= p->ngroups || fw >= RB_FW_COUNT)
		return NULL;
	return p->profiles[p->groups[g].profile].boot_file[fw];
}

uint64_t
rb_profiles_generation(const struct rb_profiles *p)
{
	return p->generation;
}

unsigned int
rb_profiles_ngroups(const struct rb_profiles *p)
{
	return p->ngroups;
}

unsigned int
rb_profiles_nprofiles(const struct rb_profiles *p)
{
	return p->nprofiles;
}

unsigned int
rb_profiles_ntemplates(const struct rb_profiles *p)
{
	return p->ntmpls;
}

const struct rb_filecache *
rb_profiles_templates(const struct rb_profiles *p)
{
	return p->templates;
}

unsigned int
rb_profiles_quirk_mask(const struct rb_profiles *p)
{
	return p->quirks;
}

int
rb_profiles_have_data(const struct rb_profiles *p)
{
	return p->have_data;
}
