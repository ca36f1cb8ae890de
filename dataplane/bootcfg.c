/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-machine boot configs: the names firmware and boot loaders ask for,
 * mapped to templates (see bootcfg.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "rackboot/bootcfg.h"
#include "rackboot/template.h"

int
rb_bootcfg_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;
	size_t n = strlen(s);
	char sep = n == 17 ? s[2] : 0;

	if (n != 17 && n != 12)
		return -1;
	if (n == 17 && sep != ':' && sep != '-')
		return -1;
	for (i = 0; i < 6; i++) {
		const char *p = s + (n == 17 ? 3 * i : 2 * i);
		char hex[3] = {p[0], p[1], 0};

		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]))
			return -1;
		if (n == 17 && i < 5 && p[2] != sep)
			return -1;
		mac[i] = (uint8_t)strtoul(hex, NULL, 16);
	}
	return 0;
}

void
rb_bootcfg_mac_text(const uint8_t mac[6], struct rb_mac_text *t)
{
	const uint8_t *a = mac;

	snprintf(t->colon, sizeof(t->colon), "%02x:%02x:%02x:%02x:%02x:%02x",
		 a[0], a[1], a[2], a[3], a[4], a[5]);
	snprintf(t->dash, sizeof(t->dash), "%02x-%02x-%02x-%02x-%02x-%02x",
		 a[0], a[1], a[2], a[3], a[4], a[5]);
	snprintf(t->hex, sizeof(t->hex), "%02x%02x%02x%02x%02x%02x", a[0],
		 a[1], a[2], a[3], a[4], a[5]);
}

int
rb_bootcfg_is_uuid(const char *s)
{
	int i;

	for (i = 0; i < RB_UUID_LEN; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	}
	return s[RB_UUID_LEN] == '\0';
}

/** Whether @p s is a prefix of @p ip (network order) in upper-case hex. */
static int
is_hex_ip_of(const char *s, uint32_t ip)
{
	char full[9];
	size_t n = strlen(s);

	snprintf(full, sizeof(full), "%08X", ntohl(ip));
	return n >= 1 && n <= 8 && strncmp(s, full, n) == 0;
}

static const char *const kind_names[RB_CFG_KINDS] = {
	[RB_CFG_NONE] = "", [RB_CFG_IPXE] = "boot.ipxe",
	[RB_CFG_GRUB] = "grub.cfg", [RB_CFG_PXELINUX] = "pxelinux.cfg",
	[RB_CFG_IGNITION] = "ignition", [RB_CFG_CLOUD] = "cloud",
	[RB_CFG_GENERIC] = "generic", [RB_CFG_METADATA] = "metadata",
};

const char *
rb_bootcfg_kind_name(enum rb_cfg_kind kind)
{
	return kind < RB_CFG_KINDS ? kind_names[kind] : "";
}

/** matchbox's endpoints: a top-level name alone. */
static enum rb_cfg_kind
endpoint(const char *name)
{
	static const struct {
		const char *name;
		enum rb_cfg_kind kind;
	} e[] = {
		{"ipxe", RB_CFG_IPXE},         {"grub", RB_CFG_GRUB},
		{"ignition", RB_CFG_IGNITION}, {"cloud", RB_CFG_CLOUD},
		{"generic", RB_CFG_GENERIC},   {"metadata", RB_CFG_METADATA},
	};
	unsigned int i;

	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		if (strcmp(name, e[i].name) == 0)
			return e[i].kind;
	return RB_CFG_NONE;
}

/** A name's "<mac with dashes>" part into @p m. */
static int
named_mac(const char *s, struct rb_machine *m)
{
	if (strlen(s) != 17 || s[2] != '-' || rb_bootcfg_parse_mac(s, m->mac) < 0)
		return -1;
	m->have_mac = 1;
	return 0;
}

enum rb_cfg_kind
rb_bootcfg_classify(const char *name, struct rb_machine *m,
		    enum rb_cfg_scope *scope)
{
	const char *base = strrchr(name, '/');
	enum rb_cfg_kind kind;

	base = base ? base + 1 : name;
	*scope = RB_SCOPE_MACHINE;
	if (strncmp(name, "pxelinux.cfg/", 13) == 0) {
		if (strcmp(base, "default") == 0) {
			*scope = RB_SCOPE_DEFAULT;
		} else if (strncmp(base, "01-", 3) == 0) {
			if (named_mac(base + 3, m) < 0)
				return RB_CFG_NONE;
		} else if (rb_bootcfg_is_uuid(base)) {
			memcpy(m->uuid, base, RB_UUID_LEN + 1);
			*scope = RB_SCOPE_OWN;
		} else if (is_hex_ip_of(base, m->ip)) {
			*scope = RB_SCOPE_OWN;
		} else {
			return RB_CFG_NONE;
		}
		return RB_CFG_PXELINUX;
	}
	if (strncmp(base, "grub.cfg", 8) == 0) {
		if (base[8] == '\0')
			*scope = RB_SCOPE_DEFAULT;
		else if (strncmp(base + 8, "-01-", 4) == 0) {
			if (named_mac(base + 12, m) < 0)
				return RB_CFG_NONE;
		} else if (base[8] == '-' && is_hex_ip_of(base + 9, m->ip))
			*scope = RB_SCOPE_OWN;
		else
			return RB_CFG_NONE;
		return RB_CFG_GRUB;
	}
	if (strcmp(base, "boot.ipxe") == 0)
		return RB_CFG_IPXE;
	kind = endpoint(name);
	return kind;
}

const struct rb_file *
rb_bootcfg_template(const struct rb_filecache *templates, const char *name,
		    struct rb_machine *m)
{
	enum rb_cfg_scope scope;
	enum rb_cfg_kind kind = rb_bootcfg_classify(name, m, &scope);
	const struct rb_file *tmpl = NULL;
	const char *kn = rb_bootcfg_kind_name(kind);
	char tname[64];

	/* the matchbox endpoints are answered from a data directory only */
	if (templates == NULL || kind == RB_CFG_NONE ||
	    endpoint(name) != RB_CFG_NONE)
		return NULL;
	if (scope != RB_SCOPE_DEFAULT && m->have_mac) {
		snprintf(tname, sizeof(tname),
			 "%s-01-%02x-%02x-%02x-%02x-%02x-%02x", kn, m->mac[0],
			 m->mac[1], m->mac[2], m->mac[3], m->mac[4], m->mac[5]);
		tmpl = rb_filecache_get(templates, tname);
	}
	if (tmpl == NULL && scope != RB_SCOPE_OWN)
		tmpl = rb_filecache_get(templates, kn);
	return tmpl;
}

long
rb_bootcfg_render(const struct rb_file *tmpl, const struct rb_machine *m,
		  uint32_t server, const char *http_url, char *out, size_t cap)
{
	struct rb_mac_text mt = {"", "", ""};
	char ip[INET_ADDRSTRLEN] = "", srv[INET_ADDRSTRLEN];

	if (m->have_mac)
		rb_bootcfg_mac_text(m->mac, &mt);
	if (m->ip)
		inet_ntop(AF_INET, &m->ip, ip, sizeof(ip));
	inet_ntop(AF_INET, &server, srv, sizeof(srv));
	{
		const struct rb_tvar vars[] = {
			{"mac", mt.colon}, {"mac_dash", mt.dash}, {"mac_hex", mt.hex},
			{"ip", ip},     {"uuid", m->uuid},   {"server", srv},
			{"http", http_url},
		};

		return rb_template_render((const char *)tmpl->data, tmpl->size,
					  vars, sizeof(vars) / sizeof(vars[0]),
					  out, cap);
	}
}
