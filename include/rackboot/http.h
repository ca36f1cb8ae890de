/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * HTTP/1.1 codec for the boot file server (RFC 9110, RFC 9112): the
 * request parser and what a response needs (ranges, validators, dates,
 * content types).  No allocation and no I/O: the server (httpd.h) feeds it
 * the bytes a connection received.
 */
#ifndef RACKBOOT_HTTP_H
#define RACKBOOT_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/** The most a request head (request line and headers) may take. */
#define RB_HTTP_HEAD_MAX 8192
/** The longest request target (414 beyond). */
#define RB_HTTP_TARGET_MAX 2048
/** The longest path once decoded, as the file cache names files. */
#define RB_HTTP_PATH_MAX 256
#define RB_HTTP_QUERY_MAX 512
/** The most header fields in one request (431 beyond). */
#define RB_HTTP_HEADERS_MAX 64
/** The longest If-None-Match / If-Range kept. */
#define RB_HTTP_TAG_MAX 160

enum rb_http_method {
	RB_HTTP_GET,
	RB_HTTP_HEAD,
	RB_HTTP_OTHER, /**< a well-formed method we do not allow: 405 */
};

/** A Range header's single byte range, as sent. */
struct rb_http_range {
	uint8_t set;      /**< a usable "bytes=" single range was sent */
	uint8_t suffix;   /**< "bytes=-N": the last @p last bytes */
	uint8_t open;     /**< "bytes=N-": from @p first to the end */
	uint64_t first, last;
};

/** Why a request was refused; each maps to a status and a counter. */
enum rb_http_error {
	RB_HTTP_E_NONE = 0,
	RB_HTTP_E_SYNTAX,      /**< 400: malformed request line or header */
	RB_HTTP_E_NO_HOST,     /**< 400: HTTP/1.1 without Host */
	RB_HTTP_E_BODY,        /**< 400: a request body (we take none) */
	RB_HTTP_E_BAD_PATH,    /**< 400: bad percent-encoding, NUL, control */
	RB_HTTP_E_TRAVERSAL,   /**< 403: a ".." segment */
	RB_HTTP_E_METHOD,      /**< 405 */
	RB_HTTP_E_URI_LONG,    /**< 414 */
	RB_HTTP_E_HEAD_LARGE,  /**< 431: too many or too long header fields */
	RB_HTTP_E_VERSION,     /**< 505 */
	RB_HTTP_E_MAX
};

/** A parsed request; everything is copied out of the input. */
struct rb_http_req {
	enum rb_http_method method;
	char method_name[16];          /**< as sent, for the access log */
	uint8_t minor;                 /**< HTTP/1.minor */
	uint8_t keep_alive;            /**< the connection stays open after */
	uint8_t has_body;
	/** decoded and cleaned, relative to the root, no leading '/';
	 * "" for "/" */
	char path[RB_HTTP_PATH_MAX];
	char query[RB_HTTP_QUERY_MAX]; /**< raw, after '?' */
	struct rb_http_range range;
	char if_none_match[RB_HTTP_TAG_MAX]; /**< raw list, or "" */
	char if_range[RB_HTTP_TAG_MAX];      /**< raw, or "" */
	time_t if_modified_since;            /**< 0: none or unparsable */
	enum rb_http_error error;            /**< set when parse fails */
};

/**
 * Parse one request from the start of @p buf.
 *
 * @param buf  the bytes received
 * @param len  how many
 * @param req  filled in; on failure req->error says why and the fields
 *             parsed so far (method, version) are kept so the response
 *             can be framed
 * @return the length of the request head (the bytes it used), 0 when
 *         more bytes are needed, or -1 on a bad request (req->error set)
 */
long rb_http_parse(const char *buf, size_t len, struct rb_http_req *req);

/** The status code for @p e. */
int rb_http_error_status(enum rb_http_error e);

/** A short name for @p e, for counters and logs ("syntax", ...). */
const char *rb_http_error_name(enum rb_http_error e);

/** The reason phrase of @p status ("Not Found"). */
const char *rb_http_reason(int status);

/**
 * Decide a range request against a file of @p size bytes.
 *
 * @param r     the request's range
 * @param size  the file's size
 * @param off   the first byte to send
 * @param len   how many
 * @return 200 (no range: the whole file), 206, or 416
 */
int rb_http_range_resolve(const struct rb_http_range *r, uint64_t size,
			  uint64_t *off, uint64_t *len);

/**
 * Whether If-None-Match list @p list matches @p etag (weak comparison,
 * RFC 9110 13.1.2; "*" matches anything).
 */
int rb_http_etag_match(const char *list, const char *etag);

/** Format @p t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"). */
void rb_http_date(time_t t, char buf[32]);

/**
 * Parse an HTTP date in any of the three formats RFC 9110 5.6.7 requires
 * recipients to accept.
 *
 * @return the time, or 0 when @p s is not a date
 */
time_t rb_http_parse_date(const char *s);

/** The Content-Type for a file named @p name. */
const char *rb_http_content_type(const char *name);

/**
 * The value of parameter @p key in query string @p query, percent-decoded
 * into @p out.
 *
 * @return the value's length, or -1 when absent, malformed or too long
 */
int rb_http_query_get(const char *query, const char *key, char *out,
		      size_t cap);

/** The value of hex digit @p c, or -1. */
int rb_http_hex(char c);

#endif
