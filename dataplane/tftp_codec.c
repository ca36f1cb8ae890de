/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TFTP requests and the server's small packets (OACK, ERROR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rackboot/tftp.h"

#define DROP(reason) (RB_CTR_DROP_##reason)

/** The NUL-terminated string at @p p within @p end, or NULL. */
static const char *
cstr(const uint8_t *p, const uint8_t *end, const uint8_t **next)
{
	const uint8_t *z = memchr(p, 0, (size_t)(end - p));

	if (z == NULL)
		return NULL;
	*next = z + 1;
	return (const char *)p;
}

/** A decimal value in [lo, hi], or -1. */
static long
number(const char *v, long lo, long hi)
{
	char *e;
	long n;

	if (*v < '0' || *v > '9')
		return -1;
	n = strtol(v, &e, 10);
	if (*e || n < lo || n > hi)
		return -1;
	return n;
}

rb_drop_t
rb_tftp_parse_req(const uint8_t *buf, size_t len, struct rb_tftp_req *r)
{
	const uint8_t *p = buf + 2, *end = buf + len;
	const char *name, *mode;

	memset(r, 0, sizeof(*r));
	if (len < 4)
		return DROP(tftp_truncated);
	r->op = (uint16_t)(buf[0] << 8 | buf[1]);
	name = cstr(p, end, &p);
	if (name == NULL)
		return DROP(tftp_truncated);
	mode = cstr(p, end, &p);
	if (mode == NULL)
		return DROP(tftp_truncated);
	if (strlen(name) > RB_TFTP_NAME_MAX)
		return DROP(tftp_bad_name);
	strcpy(r->name, name);
	if (strcasecmp(mode, "netascii") == 0)
		r->netascii = 1;
	else if (strcasecmp(mode, "octet") != 0)
		return DROP(tftp_bad_mode); /* mail, or garbage */
	while (p < end) {
		const char *opt = cstr(p, end, &p), *val;
		long n;

		if (opt == NULL || (val = cstr(p, end, &p)) == NULL)
			break; /* a trailing option without value: ignored */
		if (strcasecmp(opt, "blksize") == 0) {
			n = number(val, RB_TFTP_BLKSIZE_MIN, RB_TFTP_BLKSIZE_MAX);
			if (n > 0)
				r->blksize = (uint32_t)n;
		} else if (strcasecmp(opt, "tsize") == 0) {
			r->has_tsize = number(val, 0, 0x7fffffff) >= 0;
		} else if (strcasecmp(opt, "timeout") == 0) {
			n = number(val, 1, 255);
			if (n > 0)
				r->timeout = (uint8_t)n;
		} else if (strcasecmp(opt, "multicast") == 0) {
			/* RFC 2090: the client asks with an empty value */
			r->multicast = *val == '\0';
		} else if (strcasecmp(opt, "windowsize") == 0) {
			n = number(val, 1, 65535);
			if (n > 0)
				r->windowsize = (uint16_t)(n > RB_TFTP_WINDOW_MAX
								   ? RB_TFTP_WINDOW_MAX
								   : n);
		}
	}
	return RB_DROP_NONE;
}

int
rb_tftp_clean_name(char *name)
{
	size_t len = strlen(name), i;
	char *p;

	/* some PXE ROMs ask for "pxelinux.0\xff" */
	while (len && (unsigned char)name[len - 1] == 0xff)
		name[--len] = '\0';
	p = name;
	while (*p == '/')
		p++;
	memmove(name, p, strlen(p) + 1);
	len = strlen(name);
	if (len == 0)
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
		    name[i] == '\\')
			return -1;
	/* no ".." component anywhere */
	for (p = name; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == 0))
			return -1;
	}
	return 0;
}

/** Append "name\0value\0". */
static size_t
put_opt(uint8_t *buf, size_t off, const char *name, unsigned long v)
{
	char num[24];
	size_t n = strlen(name) + 1;
	size_t k = (size_t)snprintf(num, sizeof(num), "%lu", v) + 1;

	memcpy(buf + off, name, n);
	memcpy(buf + off + n, num, k);
	return off + n + k;
}

size_t
rb_tftp_oack(uint8_t *buf, uint32_t blksize, int64_t tsize, uint8_t timeout,
	     uint16_t windowsize, const char *multicast)
{
	size_t off = 2;

	buf[0] = 0;
	buf[1] = RB_TFTP_OACK;
	if (blksize)
		off = put_opt(buf, off, "blksize", blksize);
	if (tsize >= 0)
		off = put_opt(buf, off, "tsize", (unsigned long)tsize);
	if (timeout)
		off = put_opt(buf, off, "timeout", timeout);
	if (windowsize)
		off = put_opt(buf, off, "windowsize", windowsize);
	if (multicast) {
		size_t n = strlen(multicast) + 1;

		memcpy(buf + off, "multicast", 10);
		memcpy(buf + off + 10, multicast, n);
		off += 10 + n;
	}
	return off;
}

size_t
rb_tftp_error(uint8_t *buf, uint16_t code, const char *msg)
{
	size_t n = strlen(msg);

	buf[0] = 0;
	buf[1] = RB_TFTP_ERROR;
	buf[2] = (uint8_t)(code >> 8);
	buf[3] = (uint8_t)code;
	memcpy(buf + 4, msg, n + 1);
	return 4 + n + 1;
}
