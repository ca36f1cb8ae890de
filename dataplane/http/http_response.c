/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What an HTTP response needs besides the bytes: status reasons, byte
 * ranges (RFC 9110 14), validators (13.1), dates (5.6.7), content types,
 * query parameters.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "rackboot/http.h"

const char *
rb_http_reason(int status)
{
	static const struct {
		int code;
		const char *reason;
	} table[] = {
		{200, "OK"},
		{206, "Partial Content"},
		{304, "Not Modified"},
		{400, "Bad Request"},
		{403, "Forbidden"},
		{404, "Not Found"},
		{405, "Method Not Allowed"},
		{408, "Request Timeout"},
		{414, "URI Too Long"},
		{416, "Range Not Satisfiable"},
		{431, "Request Header Fields Too Large"},
		{500, "Internal Server Error"},
		{503, "Service Unavailable"},
		{505, "HTTP Version Not Supported"},
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].code == status)
			return table[i].reason;
	return "Unknown";
}

int
rb_http_range_resolve(const struct rb_http_range *r, uint64_t size,
		      uint64_t *off, uint64_t *len)
{
	*off = 0;
	*len = size;
	if (!r->set)
		return 200;
	if (r->suffix) {
		if (r->last == 0)
			return 416;
		*len = r->last < size ? r->last : size;
		*off = size - *len;
		return size ? 206 : 416;
	}
	if (r->first >= size)
		return 416;
	*off = r->first;
	*len = (r->open || r->last >= size ? size - 1 : r->last) - r->first + 1;
	return 206;
}

/** The opaque part of entity tag @p t (W/ dropped), its length in @p n. */
static const char *
opaque_tag(const char *t, size_t *n)
{
	const char *end;

	if (t[0] == 'W' && t[1] == '/')
		t += 2;
	if (*t != '"')
		return NULL;
	end = strchr(t + 1, '"');
	if (end == NULL)
		return NULL;
	*n = (size_t)(end - t + 1);
	return t;
}

int
rb_http_etag_match(const char *list, const char *etag)
{
	size_t en, n;
	const char *e = opaque_tag(etag, &en);

	if (e == NULL)
		return 0;
	while (*list) {
		const char *t;

		while (*list == ' ' || *list == '\t' || *list == ',')
			list++;
		if (*list == '*')
			return 1;
		t = opaque_tag(list, &n);
		if (t == NULL)
			return 0;
		if (n == en && memcmp(t, e, n) == 0)
			return 1;
		list = t + n;
	}
	return 0;
}

void
rb_http_date(time_t t, char buf[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

time_t
rb_http_parse_date(const char *s)
{
	/* IMF-fixdate, the obsolete RFC 850 form, and asctime() */
	static const char *const fmt[] = {
		"%a, %d %b %Y %H:%M:%S GMT",
		"%A, %d-%b-%y %H:%M:%S GMT",
		"%a %b %e %H:%M:%S %Y",
	};
	size_t i;

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		struct tm tm;
		const char *end;

		memset(&tm, 0, sizeof(tm));
		end = strptime(s, fmt[i], &tm);
		if (end && *end == '\0')
			return timegm(&tm);
	}
	return 0;
}

const char *
rb_http_content_type(const char *name)
{
	static const struct {
		const char *suffix;
		const char *type;
	} table[] = {
		{".ipxe", "text/plain; charset=utf-8"},
		{".cfg", "text/plain; charset=utf-8"},
		{".conf", "text/plain; charset=utf-8"},
		{".txt", "text/plain; charset=utf-8"},
		{".sh", "text/plain; charset=utf-8"},
		{".yaml", "text/plain; charset=utf-8"},
		{".yml", "text/plain; charset=utf-8"},
		{".json", "application/json"},
		{".ign", "application/json"},
		{".html", "text/html; charset=utf-8"},
		{".iso", "application/x-iso9660-image"},
		{".img", "application/octet-stream"},
		{".efi", "application/efi"},
		{".gz", "application/gzip"},
		{".xz", "application/x-xz"},
		{".zst", "application/zstd"},
	};
	const char *base = strrchr(name, '/');
	size_t n = strlen(name), i;

	base = base ? base + 1 : name;
	/* the config names firmware asks for carry no suffix */
	if (strncmp(base, "grub.cfg", 8) == 0 || strstr(name, "pxelinux.cfg/"))
		return "text/plain; charset=utf-8";
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t sl = strlen(table[i].suffix);

		if (n >= sl && strcasecmp(name + n - sl, table[i].suffix) == 0)
			return table[i].type;
	}
	return "application/octet-stream";
}

int
rb_http_query_get(const char *query, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	const char *p = query;

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t seg = amp ? (size_t)(amp - p) : strlen(p), o = 0, i;

		if (seg > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			for (i = kl + 1; i < seg; i++) {
				char c = p[i];

				if (c == '%') {
					int hi, lo;

					if (i + 2 >= seg)
						return -1;
					hi = rb_http_hex(p[i + 1]);
					lo = rb_http_hex(p[i + 2]);
					if (hi < 0 || lo < 0)
						return -1;
					c = (char)(hi << 4 | lo);
					i += 2;
				} else if (c == '+') {
					c = ' ';
				}
				if ((unsigned char)c < 0x20 || o + 1 >= cap)
					return -1;
				out[o++] = c;
			}
			out[o] = '\0';
			return (int)o;
		}
		p = amp ? amp + 1 : NULL;
	}
	return -1;
}
