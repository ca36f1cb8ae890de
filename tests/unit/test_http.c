/* SPDX-License-Identifier: BSD-3-Clause */
/* The HTTP request parser and response helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rackboot/http.h"

static struct rb_http_req req;

static long
parse(const char *s)
{
	return rb_http_parse(s, strlen(s), &req);
}

/** The request @p s is refused with status @p status and reason @p e. */
static void
refused(const char *s, enum rb_http_error e)
{
	long n = parse(s);

	if (n != -1 || req.error != e)
		fail_msg("%s: got %ld, error %s, want %s", s, n,
			 rb_http_error_name(req.error), rb_http_error_name(e));
}

static void
test_simple_get(void **state)
{
	static const char r[] = "GET /boot.ipxe HTTP/1.1\r\nHost: x\r\n\r\n";

	(void)state;
	assert_int_equal(parse(r), strlen(r));
	assert_int_equal(req.method, RB_HTTP_GET);
	assert_string_equal(req.path, "boot.ipxe");
	assert_int_equal(req.minor, 1);
	assert_true(req.keep_alive);
	assert_false(req.range.set);
}

static void
test_incomplete(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse("GET / HT"), 0);
	assert_int_equal(parse("GET / HTTP/1.1\r\n"), 0);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\n"), 0);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\n\r"), 0);
}

static void
test_pipelined(void **state)
{
	static const char a[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char r[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
				"HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n";
	long n;

	(void)state;
	n = parse(r);
	assert_int_equal(n, strlen(a));
	assert_string_equal(req.path, "a");
	assert_int_equal(rb_http_parse(r + n, strlen(r) - (size_t)n, &req),
			 strlen(r) - strlen(a));
	assert_int_equal(req.method, RB_HTTP_HEAD);
	assert_string_equal(req.path, "b");
}

static void
test_versions_and_connection(void **state)
{
	(void)state;
	assert_true(parse("GET / HTTP/1.0\r\n\r\n") > 0);
	assert_false(req.keep_alive); /* 1.0: no Host needed, closes */
	assert_true(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") > 0);
	assert_true(req.keep_alive);
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n") > 0);
	assert_false(req.keep_alive);
	/* a bare LF ends lines (RFC 9112 2.2), empty lines first are skipped */
	assert_true(parse("\r\nGET /x HTTP/1.1\nHost: a\n\n") > 0);
	assert_string_equal(req.path, "x");
	refused("GET / HTTP/2.0\r\n\r\n", RB_HTTP_E_VERSION);
	refused("GET / HTTP/1.1\r\n\r\n", RB_HTTP_E_NO_HOST);
	refused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", RB_HTTP_E_SYNTAX);
}

static void
test_bad_request_lines(void **state)
{
	(void)state;
	refused("GET /\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET / http/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET / HTTP/1\r\nHost: a\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET x HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_BAD_PATH);
	refused("GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_BAD_PATH);
	refused("ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\nHost: a\r\n\r\n",
		RB_HTTP_E_SYNTAX);
}

static void
test_methods_and_bodies(void **state)
{
	(void)state;
	assert_true(parse("HEAD /k HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_int_equal(req.method, RB_HTTP_HEAD);
	refused("POST / HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_METHOD);
	refused("get / HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_METHOD);
	assert_string_equal(req.method_name, "get");
	refused("DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_METHOD);
	refused("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
		RB_HTTP_E_BODY);
	refused("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
		RB_HTTP_E_BODY);
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n") > 0);
	refused("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
		"Content-Length: 4\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
		RB_HTTP_E_SYNTAX);
	refused("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n",
		RB_HTTP_E_SYNTAX);
}

static void
test_bad_headers(void **state)
{
	(void)state;
	refused("GET / HTTP/1.1\r\nHost : a\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET / HTTP/1.1\r\nHost a\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET / HTTP/1.1\r\n: a\r\nHost: a\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", RB_HTTP_E_SYNTAX);
	refused("GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n", RB_HTTP_E_SYNTAX);
	/* obs-text in a value is allowed */
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n") > 0);
	/* whitespace around values goes */
	assert_true(parse("GET / HTTP/1.1\r\nHost:a\r\nIf-None-Match: \t\"x\" \r\n\r\n") > 0);
	assert_string_equal(req.if_none_match, "\"x\"");
}

static void
test_limits(void **state)
{
	static char big[RB_HTTP_HEAD_MAX * 2];
	size_t n;
	int i;

	(void)state;
	/* a target over the limit: 414 as soon as it shows, not at 8 KiB */
	n = (size_t)snprintf(big, sizeof(big), "GET /");
	memset(big + n, 'a', RB_HTTP_TARGET_MAX + 100);
	big[n + RB_HTTP_TARGET_MAX + 100] = '\0';
	refused(big, RB_HTTP_E_URI_LONG);
	strcat(big, " HTTP/1.1\r\nHost: a\r\n\r\n");
	refused(big, RB_HTTP_E_URI_LONG);
	/* a target that fits the line but decodes beyond a path */
	n = (size_t)snprintf(big, sizeof(big), "GET /");
	memset(big + n, 'a', 300);
	snprintf(big + n + 300, sizeof(big) - n - 300, " HTTP/1.1\r\nHost: a\r\n\r\n");
	refused(big, RB_HTTP_E_URI_LONG);
	/* a head that does not end within the limit */
	n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: a\r\n");
	while (n < RB_HTTP_HEAD_MAX + 10)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "X-Pad: %0100d\r\n", 0);
	refused(big, RB_HTTP_E_HEAD_LARGE);
	/* too many fields */
	n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 0; i < RB_HTTP_HEADERS_MAX + 2; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "X%d: y\r\n", i);
	snprintf(big + n, sizeof(big) - n, "\r\n");
	refused(big, RB_HTTP_E_HEAD_LARGE);
	/* one over-long field that fits the head: fine unless it is kept */
	n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: a\r\nIf-Range: \"");
	memset(big + n, 'z', RB_HTTP_TAG_MAX);
	snprintf(big + n + RB_HTTP_TAG_MAX, sizeof(big) - n - RB_HTTP_TAG_MAX, "\"\r\n\r\n");
	refused(big, RB_HTTP_E_HEAD_LARGE);
}

static void
test_paths(void **state)
{
	(void)state;
	assert_true(parse("GET //a/./b//c HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_string_equal(req.path, "a/b/c");
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_string_equal(req.path, "");
	assert_true(parse("GET /a%20b%2Fc HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_string_equal(req.path, "a b/c");
	assert_true(parse("GET http://10.99.0.1:80/x/y?mac=1 HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_string_equal(req.path, "x/y");
	assert_string_equal(req.query, "mac=1");
	/* absolute form without a query (fuzz_http: the path was decoded
	 * to the whole target's length, past its end) */
	assert_true(parse("GET http://10.99.0.1/x/y HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_string_equal(req.path, "x/y");
	assert_string_equal(req.query, "");
	assert_true(parse("GET http://10.99.0.1 HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_string_equal(req.path, "");
	assert_true(parse("GET /boot.ipxe?mac=52%3a54&uuid=u#frag HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_string_equal(req.path, "boot.ipxe");
	assert_string_equal(req.query, "mac=52%3a54&uuid=u");
	refused("GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_TRAVERSAL);
	refused("GET /a/../../x HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_TRAVERSAL);
	refused("GET /%2e%2e/x HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_TRAVERSAL);
	refused("GET /a%2F%2E%2E%2Fb HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_TRAVERSAL);
	refused("GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_BAD_PATH);
	refused("GET /a%0ab HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_BAD_PATH);
	refused("GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_BAD_PATH);
	refused("GET /a% HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_BAD_PATH);
	refused("GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n", RB_HTTP_E_BAD_PATH);
	/* "..." and "..a" are names, not traversal */
	assert_true(parse("GET /.../..a HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_string_equal(req.path, ".../..a");
}

static void
test_ranges(void **state)
{
	uint64_t off, len;

	(void)state;
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nRange: bytes=10-19\r\n\r\n") > 0);
	assert_true(req.range.set);
	assert_int_equal(rb_http_range_resolve(&req.range, 100, &off, &len), 206);
	assert_int_equal(off, 10);
	assert_int_equal(len, 10);
	/* the last byte past the end: up to the end */
	assert_int_equal(rb_http_range_resolve(&req.range, 15, &off, &len), 206);
	assert_int_equal(len, 5);
	assert_int_equal(rb_http_range_resolve(&req.range, 10, &off, &len), 416);
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nRange: bytes=-30\r\n\r\n") > 0);
	assert_int_equal(rb_http_range_resolve(&req.range, 100, &off, &len), 206);
	assert_int_equal(off, 70);
	assert_int_equal(len, 30);
	assert_int_equal(rb_http_range_resolve(&req.range, 20, &off, &len), 206);
	assert_int_equal(off, 0);
	assert_int_equal(len, 20);
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nRange: bytes=-0\r\n\r\n") > 0);
	assert_int_equal(rb_http_range_resolve(&req.range, 100, &off, &len), 416);
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nRange: bytes=5000000000-\r\n\r\n") > 0);
	assert_int_equal(rb_http_range_resolve(&req.range, 6000000000ULL, &off, &len), 206);
	assert_int_equal(off, 5000000000ULL);
	assert_int_equal(len, 1000000000ULL);
	/* ignored (the whole file): several ranges, other units, nonsense,
	 * backwards */
	static const char *const ignored[] = {
		"bytes=0-1,5-6", "items=0-1", "bytes=x-", "bytes=5-2", "bytes=",
		"bytes=1-2x",
	};
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		char r[128];

		snprintf(r, sizeof(r), "GET / HTTP/1.1\r\nHost: a\r\nRange: %s\r\n\r\n",
			 ignored[i]);
		assert_true(parse(r) > 0);
		assert_false(req.range.set);
		assert_int_equal(rb_http_range_resolve(&req.range, 100, &off, &len), 200);
		assert_int_equal(len, 100);
	}
}

static void
test_validators(void **state)
{
	char d[32];

	(void)state;
	assert_true(rb_http_etag_match("\"abc\"", "\"abc\""));
	assert_true(rb_http_etag_match("W/\"abc\"", "\"abc\""));
	assert_true(rb_http_etag_match("\"x\", \"abc\"", "\"abc\""));
	assert_true(rb_http_etag_match("*", "\"abc\""));
	assert_false(rb_http_etag_match("\"abd\"", "\"abc\""));
	assert_false(rb_http_etag_match("abc", "\"abc\""));
	assert_false(rb_http_etag_match("", "\"abc\""));
	rb_http_date(784111777, d);
	assert_string_equal(d, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_int_equal(rb_http_parse_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
	assert_int_equal(rb_http_parse_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
	assert_int_equal(rb_http_parse_date("Sun Nov  6 08:49:37 1994"), 784111777);
	assert_int_equal(rb_http_parse_date("yesterday"), 0);
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n") > 0);
	assert_int_equal(req.if_modified_since, 784111777);
}

static void
test_helpers(void **state)
{
	char v[32];

	(void)state;
	assert_string_equal(rb_http_content_type("boot.ipxe"), "text/plain; charset=utf-8");
	assert_string_equal(rb_http_content_type("efi/grub.cfg-01-aa-bb"), "text/plain; charset=utf-8");
	assert_string_equal(rb_http_content_type("pxelinux.cfg/default"), "text/plain; charset=utf-8");
	assert_string_equal(rb_http_content_type("live/image.ISO"), "application/x-iso9660-image");
	assert_string_equal(rb_http_content_type("vmlinuz"), "application/octet-stream");
	assert_int_equal(rb_http_query_get("mac=52%3A54%3a00&uuid=u-1", "mac", v, sizeof(v)), 8);
	assert_string_equal(v, "52:54:00");
	assert_int_equal(rb_http_query_get("mac=52%3A54%3a00&uuid=u-1", "uuid", v, sizeof(v)), 3);
	assert_string_equal(v, "u-1");
	assert_int_equal(rb_http_query_get("xmac=1", "mac", v, sizeof(v)), -1);
	assert_int_equal(rb_http_query_get("mac=%zz", "mac", v, sizeof(v)), -1);
	assert_int_equal(rb_http_query_get("mac=%4", "mac", v, sizeof(v)), -1);
	assert_int_equal(rb_http_query_get("mac=a%00", "mac", v, sizeof(v)), -1);
	assert_int_equal(rb_http_query_get("mac=0123456789012345678901234567890123", "mac", v, sizeof(v)), -1);
	assert_int_equal(rb_http_error_status(RB_HTTP_E_TRAVERSAL), 403);
	assert_string_equal(rb_http_reason(416), "Range Not Satisfiable");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_versions_and_connection),
		cmocka_unit_test(test_bad_request_lines),
		cmocka_unit_test(test_methods_and_bodies),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_validators),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
