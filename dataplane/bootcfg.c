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

const struct rb_file *
rb_bootcfg_template(const struct rb_filecache *templates, const char *name,
		    struct rb_machine *m)
{
	const char *base = strrchr(name, '/');
	const char *kind, *ident = NULL, *mac_part = NULL;
	const struct rb_file *tmpl = NULL;
	char tname[64];

	if (templates == NULL)
		return NULL;
	base = base ? base + 1 : name;
	if (strncmp(name, "pxelinux.cfg/", 13) == 0) {
		kind = "pxelinux.cfg";
		if (strcmp(base, "default") == 0)
			mac_part = "";
		else if (strncmp(base, "01-", 3) == 0)
			mac_part = base + 3;
		else if (rb_bootcfg_is_uuid(base) || is_hex_ip_of(base, m->ip))
			ident = base;
	} else if (strncmp(base, "grub.cfg", 8) == 0) {
		kind = "grub.cfg";
		if (base[8] == '\0')
			mac_part = "";
		else if (strncmp(base + 8, "-01-", 4) == 0)
			mac_part = base + 12;
		else if (base[8] == '-' && is_hex_ip_of(base + 9, m->ip))
			ident = base + 9;
	} else if (strcmp(base, "boot.ipxe") == 0) {
		kind = "boot.ipxe";
		mac_part = m->have_mac ? "-" : "";
	} else {
		return NULL;
	}
	if (mac_part == NULL && ident == NULL)
		return NULL;
	/* the MAC a name carries: any host may fetch a machine's config */
	if (mac_part && *mac_part && strcmp(mac_part, "-")) {
		if (strlen(mac_part) != 17 || mac_part[2] != '-' ||
		    rb_bootcfg_parse_mac(mac_part, m->mac) < 0)
			return NULL;
		m->have_mac = 1;
	}
	if ((ident || *mac_part) && m->have_mac) {
		snprintf(tname, sizeof(tname),
			 "%s-01-%02x-%02x-%02x-%02x-%02x-%02x", kind, m->mac[0],
			 m->mac[1], m->mac[2], m->mac[3], m->mac[4], m->mac[5]);
		tmpl = rb_filecache_get(templates, tname);
	}
	if (tmpl == NULL && ident)
		return NULL;
	if (tmpl == NULL)
		tmpl = rb_filecache_get(templates, kind);
	return tmpl;
}

long
rb_bootcfg_render(const struct rb_file *tmpl, const struct rb_machine *m,
		  uint32_t server, const char *http_url, char *out, size_t cap)
{
	char mac_c[18] = "", mac_d[18] = "", mac_h[13] = "",
	     ip[INET_ADDRSTRLEN] = "", srv[INET_ADDRSTRLEN];
	const uint8_t *a = m->mac;

	if (m->have_mac) {
		snprintf(mac_c, sizeof(mac_c), "%02x:%02x:%02x:%02x:%02x:%02x",
			 a[0], a[1], a[2], a[3], a[4], a[5]);
		snprintf(mac_d, sizeof(mac_d), "%02x-%02x-%02x-%02x-%02x-%02x",
			 a[0], a[1], a[2], a[3], a[4], a[5]);
		snprintf(mac_h, sizeof(mac_h), "%02x%02x%02x%02x%02x%02x", a[0],
			 a[1], a[2], a[3], a[4], a[5]);
	}
	if (m->ip)
		inet_ntop(AF_INET, &m->ip, ip, sizeof(ip));
	inet_ntop(AF_INET, &server, srv, sizeof(srv));
	{
		const struct rb_tvar vars[] = {
			{"mac", mac_c}, {"mac_dash", mac_d}, {"mac_hex", mac_h},
			{"ip", ip},     {"uuid", m->uuid},   {"server", srv},
			{"http", http_url},
		};

		return rb_template_render((const char *)tmpl->data, tmpl->size,
					  vars, sizeof(vars) / sizeof(vars[0]),
					  out, cap);
	}
}
