/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP/1.1 request parser (RFC 9112 section 3 and 5).  Strict where
 * leniency would let two readers of one request disagree (whitespace
 * before a colon, obsolete line folding, a bare CR, conflicting lengths),
 * lenient only where RFC 9112 allows: a bare LF ends a line, and empty
 * lines before the request line are skipped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rackboot/http.h"

/** RFC 9110 5.6.2 tchar. */
static int
is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/** A field value byte: VCHAR, obs-text, SP or HTAB. */
static int
is_vbyte(unsigned char c)
{
	return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
}

static long
fail(struct rb_http_req *r, enum rb_http_error e)
{
	r->error = e;
	return -1;
}

/**
 * The end of the line starting at @p p: the index of its LF, or -1.  A CR
 * is allowed only right before the LF.
 *
 * @param bad  set when the line holds a bare CR
 */
static long
line_end(const char *p, size_t len, int *bad)
{
	size_t i;

	*bad = 0;
	for (i = 0; i < len; i++) {
		if (p[i] == '\n')
			return (long)i;
		if (p[i] == '\r' && i + 1 < len && p[i + 1] != '\n') {
			*bad = 1;
			return (long)i;
		}
	}
	return -1;
}

int
rb_http_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/**
 * Decode and clean the path of request target @p t (@p n bytes, origin
 * or absolute form) into req->path and req->query.
 */
static int
set_target(struct rb_http_req *r, const char *t, size_t n)
{
	char dec[RB_HTTP_TARGET_MAX + 1];
	size_t i, d = 0, out = 0, q;
	char *seg, *save = NULL;

	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
			return RB_HTTP_E_BAD_PATH;
	if (n > 7 && strncasecmp(t, "http://", 7) == 0) {
		const char *slash = memchr(t + 7, '/', n - 7);

		if (slash == NULL)
			slash = t + n; /* "http://host": the root */
		n -= (size_t)(slash - t);
		t = slash;
		if (n == 0) {
			r->path[0] = '\0';
			return 0;
		}
	}
	if (t[0] != '/')
		return RB_HTTP_E_SYNTAX;
	/* the query starts here, or nowhere: measured on what is left of an
	 * absolute form (fuzz_http found the whole target's length here,
	 * read past the path) */
	q = n;
	for (i = 0; i < n; i++)
		if (t[i] == '?' || t[i] == '#') {
			q = i;
			break;
		}
	if (q < n && t[q] == '?') {
		size_t ql = n - q - 1;
		const char *hash = memchr(t + q + 1, '#', ql);

		if (hash)
			ql = (size_t)(hash - (t + q + 1));
		if (ql >= sizeof(r->query))
			return RB_HTTP_E_URI_LONG;
		memcpy(r->query, t + q + 1, ql);
		r->query[ql] = '\0';
	}
	for (i = 0; i < q; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c == '%') {
			int hi = i + 2 < q ? rb_http_hex(t[i + 1]) : -1;
			int lo = i + 2 < q ? rb_http_hex(t[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return RB_HTTP_E_BAD_PATH;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
			if (c < 0x20 || c == 0x7f)
				return RB_HTTP_E_BAD_PATH; /* NUL and controls */
		}
		dec[d++] = (char)c;
	}
	dec[d] = '\0';
	/* empty and "." segments go; ".." is refused, not resolved, so a
	 * path means one file whatever the client meant by it */
	for (seg = strtok_r(dec, "/", &save); seg;
	     seg = strtok_r(NULL, "/", &save)) {
		size_t sl = strlen(seg);

		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0)
			return RB_HTTP_E_TRAVERSAL;
		if (out + (out ? 1 : 0) + sl >= sizeof(r->path))
			return RB_HTTP_E_URI_LONG;
		if (out)
			r->path[out++] = '/';
		memcpy(r->path + out, seg, sl);
		out += sl;
	}
	r->path[out] = '\0';
	return 0;
}

/** "bytes=A-B", "bytes=A-", "bytes=-N"; anything else is ignored. */
static void
set_range(struct rb_http_req *r, const char *v)
{
	struct rb_http_range *g = &r->range;
	char *end;

	memset(g, 0, sizeof(*g));
	if (strncasecmp(v, "bytes=", 6) != 0 || strchr(v, ','))
		return; /* other units and several ranges: the whole file */
	v += 6;
	while (*v == ' ')
		v++;
	if (*v == '-') {
		if (!isdigit((unsigned char)v[1]))
			return;
		g->last = strtoull(v + 1, &end, 10);
		g->suffix = 1;
	} else {
		if (!isdigit((unsigned char)*v))
			return;
		g->first = strtoull(v, &end, 10);
		if (*end != '-')
			return;
		if (isdigit((unsigned char)end[1])) {
			g->last = strtoull(end + 1, &end, 10);
			if (g->last < g->first)
				return;
		} else {
			end++;
			g->open = 1;
		}
	}
	while (*end == ' ')
		end++;
	if (*end == '\0')
		g->set = 1;
}

/** Whether comma-separated token list @p v holds @p tok. */
static int
has_token(const char *v, const char *tok)
{
	size_t n = strlen(tok);

	while (*v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (strncasecmp(v, tok, n) == 0 &&
		    (v[n] == '\0' || v[n] == ',' || v[n] == ' ' || v[n] == '\t'))
			return 1;
		while (*v && *v != ',')
			v++;
	}
	return 0;
}

/** Copy a header value that must fit; 0 or -1. */
static int
keep(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/** Parse the request line at @p p (@p n bytes, without its line end). */
static long
request_line(struct rb_http_req *r, const char *p, size_t n)
{
	const char *sp1 = memchr(p, ' ', n), *sp2, *v;
	size_t ml, tl, vl;
	int e;

	if (sp1 == NULL || sp1 == p)
		return fail(r, RB_HTTP_E_SYNTAX);
	ml = (size_t)(sp1 - p);
	if (ml >= sizeof(r->method_name))
		return fail(r, RB_HTTP_E_SYNTAX);
	for (size_t i = 0; i < ml; i++)
		if (!is_tchar((unsigned char)p[i]))
			return fail(r, RB_HTTP_E_SYNTAX);
	memcpy(r->method_name, p, ml);
	r->method_name[ml] = '\0';
	r->method = strcmp(r->method_name, "GET") == 0    ? RB_HTTP_GET
		    : strcmp(r->method_name, "HEAD") == 0 ? RB_HTTP_HEAD
							  : RB_HTTP_OTHER;
	sp2 = memchr(sp1 + 1, ' ', n - ml - 1);
	if (sp2 == NULL)
		return fail(r, RB_HTTP_E_SYNTAX);
	tl = (size_t)(sp2 - sp1 - 1);
	v = sp2 + 1;
	vl = n - (size_t)(v - p);
	/* the version first: its minor decides how the error is framed */
	if (vl != 8 || memcmp(v, "HTTP/", 5) || !isdigit((unsigned char)v[5]) ||
	    v[6] != '.' || !isdigit((unsigned char)v[7]))
		return fail(r, RB_HTTP_E_SYNTAX);
	if (v[5] != '1')
		return fail(r, RB_HTTP_E_VERSION);
	r->minor = (uint8_t)(v[7] - '0');
	r->keep_alive = r->minor >= 1;
	if (tl == 0)
		return fail(r, RB_HTTP_E_SYNTAX);
	if (tl > RB_HTTP_TARGET_MAX)
		return fail(r, RB_HTTP_E_URI_LONG);
	e = set_target(r, sp1 + 1, tl);
	if (e)
		return fail(r, (enum rb_http_error)e);
	return 0;
}

/**
 * One header field line: @p p, @p n bytes without the line end.
 *
 * @param hosts    Host fields seen so far
 * @param clen     Content-Length seen (-1: none)
 */
static long
header_line(struct rb_http_req *r, const char *p, size_t n, int *hosts,
	    long long *clen)
{
	char val[RB_HTTP_HEAD_MAX];
	const char *colon = memchr(p, ':', n);
	size_t nl, vs, ve, i;

	if (p[0] == ' ' || p[0] == '\t')
		return fail(r, RB_HTTP_E_SYNTAX); /* obs-fold */
	if (colon == NULL || colon == p)
		return fail(r, RB_HTTP_E_SYNTAX);
	nl = (size_t)(colon - p);
	for (i = 0; i < nl; i++)
		if (!is_tchar((unsigned char)p[i]))
			return fail(r, RB_HTTP_E_SYNTAX); /* e.g. "Host :" */
	vs = nl + 1;
	ve = n;
	while (vs < ve && (p[vs] == ' ' || p[vs] == '\t'))
		vs++;
	while (ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
		ve--;
	for (i = vs; i < ve; i++)
		if (!is_vbyte((unsigned char)p[i]))
			return fail(r, RB_HTTP_E_SYNTAX);
	memcpy(val, p + vs, ve - vs);
	val[ve - vs] = '\0';
#define IS(name) (nl == sizeof(name) - 1 && strncasecmp(p, name, nl) == 0)
	if (IS("host")) {
		if (++*hosts > 1)
			return fail(r, RB_HTTP_E_SYNTAX);
	} else if (IS("connection")) {
		if (has_token(val, "close"))
			r->keep_alive = 0;
		else if (has_token(val, "keep-alive"))
			r->keep_alive = 1;
	} else if (IS("range")) {
		set_range(r, val);
	} else if (IS("if-none-match")) {
		if (keep(r->if_none_match, sizeof(r->if_none_match), val,
			 ve - vs) < 0)
			return fail(r, RB_HTTP_E_HEAD_LARGE);
	} else if (IS("if-range")) {
		if (keep(r->if_range, sizeof(r->if_range), val, ve - vs) < 0)
			return fail(r, RB_HTTP_E_HEAD_LARGE);
	} else if (IS("if-modified-since")) {
		r->if_modified_since = rb_http_parse_date(val);
	} else if (IS("content-length")) {
		char *end;
		long long v;

		if (!isdigit((unsigned char)val[0]))
			return fail(r, RB_HTTP_E_SYNTAX);
		v = strtoll(val, &end, 10);
		if (*end || (*clen >= 0 && *clen != v))
			return fail(r, RB_HTTP_E_SYNTAX);
		*clen = v;
		if (v > 0)
			r->has_body = 1;
	} else if (IS("transfer-encoding")) {
		r->has_body = 1;
	}
#undef IS
	return 0;
}

long
rb_http_parse(const char *buf, size_t len, struct rb_http_req *r)
{
	size_t pos = 0, lines = 0;
	long long clen = -1;
	int hosts = 0, bad;
	long e;

	memset(r, 0, sizeof(*r));
	r->method = RB_HTTP_GET;
	r->minor = 1;
	/* RFC 9112 2.2: empty lines before a request are ignored */
	while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n') && pos < 4)
		pos++;
	for (;;) {
		const char *p = buf + pos;
		long end = line_end(p, len - pos, &bad);
		size_t n;

		if (bad)
			return fail(r, RB_HTTP_E_SYNTAX);
		if (end < 0) {
			/* nothing more fits: say which limit was hit */
			if (lines == 0) {
				const char *sp = memchr(p, ' ', len - pos);

				if (sp && (size_t)(buf + len - sp) >
						  RB_HTTP_TARGET_MAX + 16)
					return fail(r, RB_HTTP_E_URI_LONG);
			}
			if (len >= RB_HTTP_HEAD_MAX)
				return fail(r, lines ? RB_HTTP_E_HEAD_LARGE
						     : RB_HTTP_E_URI_LONG);
			return 0;
		}
		if (pos + (size_t)end + 1 > RB_HTTP_HEAD_MAX)
			return fail(r, lines ? RB_HTTP_E_HEAD_LARGE
					     : RB_HTTP_E_URI_LONG);
		n = (size_t)end;
		if (n && p[n - 1] == '\r')
			n--;
		pos += (size_t)end + 1;
		if (lines == 0) {
			if ((e = request_line(r, p, n)) < 0)
				return e;
		} else if (n == 0) {
			break; /* the end of the head */
		} else {
			if (lines > RB_HTTP_HEADERS_MAX)
				return fail(r, RB_HTTP_E_HEAD_LARGE);
			if ((e = header_line(r, p, n, &hosts, &clen)) < 0)
				return e;
		}
		lines++;
	}
	if (r->method == RB_HTTP_OTHER)
		return fail(r, RB_HTTP_E_METHOD);
	if (r->has_body)
		return fail(r, RB_HTTP_E_BODY);
	if (r->minor >= 1 && hosts == 0)
		return fail(r, RB_HTTP_E_NO_HOST);
	return (long)pos;
}

int
rb_http_error_status(enum rb_http_error e)
{
	static const int status[RB_HTTP_E_MAX] = {
		[RB_HTTP_E_NONE] = 200,       [RB_HTTP_E_SYNTAX] = 400,
		[RB_HTTP_E_NO_HOST] = 400,    [RB_HTTP_E_BODY] = 400,
		[RB_HTTP_E_BAD_PATH] = 400,   [RB_HTTP_E_TRAVERSAL] = 403,
		[RB_HTTP_E_METHOD] = 405,     [RB_HTTP_E_URI_LONG] = 414,
		[RB_HTTP_E_HEAD_LARGE] = 431, [RB_HTTP_E_VERSION] = 505,
	};

	return e < RB_HTTP_E_MAX ? status[e] : 500;
}

const char *
rb_http_error_name(enum rb_http_error e)
{
	static const char *const name[RB_HTTP_E_MAX] = {
		[RB_HTTP_E_NONE] = "none",
		[RB_HTTP_E_SYNTAX] = "malformed request",
		[RB_HTTP_E_NO_HOST] = "HTTP/1.1 request without Host",
		[RB_HTTP_E_BODY] = "request bodies are not accepted",
		[RB_HTTP_E_BAD_PATH] = "bad characters or encoding in path",
		[RB_HTTP_E_TRAVERSAL] = "path leaves the root",
		[RB_HTTP_E_METHOD] = "only GET and HEAD are served",
		[RB_HTTP_E_URI_LONG] = "request target too long",
		[RB_HTTP_E_HEAD_LARGE] = "request header fields too large",
		[RB_HTTP_E_VERSION] = "only HTTP/1.x is served",
	};

	return e < RB_HTTP_E_MAX ? name[e] : "?";
}
