/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The option table, and reading it from the command line and config files.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rackboot/config.h"
#include "rackboot/log.h"
#include "rackboot/port.h"

#define DEFAULT_ROOT "/srv/rackboot"
#define DEFAULT_CONTROL "/run/rackboot/rackbootd.sock"
#define DEFAULT_LEASES "/var/lib/rackboot/leases"

typedef int (*setter_t)(struct rb_config *c, const char *v, char *err,
			size_t errlen);

struct option_def {
	const char *name;
	const char *metavar; /* NULL: a flag with no value */
	setter_t set;
	int cli_only;        /* --config, --help, --version */
	int restart;         /* a change needs a restart, not a reload */
	const char *help;
};

static int
fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
copy_str(char *dst, size_t dstlen, const char *v, char *err, size_t errlen)
{
	if (strlen(v) >= dstlen)
		return fail(err, errlen, "value longer than %zu bytes",
			    dstlen - 1);
	strcpy(dst, v);
	return 0;
}

/** Parse an unsigned number in [lo, hi]. */
static int
parse_uint(const char *v, unsigned long lo, unsigned long hi,
	   unsigned long *out, char *err, size_t errlen)
{
	char *end;
	unsigned long n;

	errno = 0;
	if (!isdigit((unsigned char)v[0]))
		return fail(err, errlen, "'%s' is not a number", v);
	n = strtoul(v, &end, 10);
	if (errno || *end != '\0')
		return fail(err, errlen, "'%s' is not a number", v);
	if (n < lo || n > hi)
		return fail(err, errlen, "%lu is outside %lu..%lu", n, lo, hi);
	*out = n;
	return 0;
}

/** Parse a duration: seconds, or a number with s, m, h or d. */
static int
parse_duration(const char *v, uint32_t *out, char *err, size_t errlen)
{
	char *end;
	unsigned long n, mult = 1;

	errno = 0;
	if (!isdigit((unsigned char)v[0]))
		return fail(err, errlen, "'%s' is not a duration", v);
	n = strtoul(v, &end, 10);
	if (errno)
		return fail(err, errlen, "'%s' is not a duration", v);
	switch (*end) {
	case '\0': case 's': break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default:
		return fail(err, errlen, "'%s' is not a duration", v);
	}
	if (*end && end[1])
		return fail(err, errlen, "'%s' is not a duration", v);
	if (n == 0 || n > UINT32_MAX / mult)
		return fail(err, errlen, "duration '%s' out of range", v);
	*out = (uint32_t)(n * mult);
	return 0;
}

static int
parse_ipv4(const char *v, uint32_t *ip, char *err, size_t errlen)
{
	struct in_addr a;

	if (inet_pton(AF_INET, v, &a) != 1)
		return fail(err, errlen, "'%s' is not an IPv4 address", v);
	*ip = a.s_addr;
	return 0;
}

static uint32_t
prefix_mask(unsigned int prefix)
{
	return htonl(prefix == 0 ? 0 : UINT32_MAX << (32 - prefix));
}

/** A setter that copies the value into a string field of the config. */
#define STRING_SETTER(fn, field)                                               \
	static int fn(struct rb_config *c, const char *v, char *err,           \
		      size_t errlen)                                           \
	{                                                                      \
		return copy_str(c->field, sizeof(c->field), v, err, errlen);   \
	}

static int
set_port(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	if (v[0] == '\0')
		return fail(err, errlen, "empty port");
	return copy_str(c->port, sizeof(c->port), v, err, errlen);
}

static int
set_port_driver(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "af_packet") && strcmp(v, "af_xdp"))
		return fail(err, errlen,
			    "'%s' is not af_packet or af_xdp", v);
	return copy_str(c->port_driver, sizeof(c->port_driver), v, err,
			errlen);
}

static int
set_port_frames(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	unsigned long n;

	if (parse_uint(v, 256, 262144, &n, err, errlen))
		return -1;
	/* two 2 KiB frames fill each 4 KiB block of the ring */
	if (n % 2)
		return fail(err, errlen, "port-frames %lu is odd", n);
	c->port_frames = (unsigned int)n;
	return 0;
}

STRING_SETTER(set_root, root)

static int
set_address(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	char buf[64];
	char *slash;
	unsigned long prefix = 24;

	if (copy_str(buf, sizeof(buf), v, err, errlen))
		return -1;
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (parse_uint(slash + 1, 1, 32, &prefix, err, errlen))
			return -1;
	}
	if (parse_ipv4(buf, &c->ip, err, errlen))
		return -1;
	c->prefix = (unsigned int)prefix;
	c->ip_set = 1;
	return 0;
}

/** START,END[,NETMASK][,LEASE]: one more pool (dnsmasq's order). */
static int
set_dhcp_range(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	char buf[128];
	char *f[4], *save = NULL, *tok;
	struct rb_range r = {0, 0, 0, 3600};
	unsigned int n = 0, i = 2;
	struct in_addr a;

	if (copy_str(buf, sizeof(buf), v, err, errlen))
		return -1;
	for (tok = strtok_r(buf, ",", &save); tok && n < 4;
	     tok = strtok_r(NULL, ",", &save))
		f[n++] = tok;
	if (n < 2 || tok)
		return fail(err, errlen, "expected START,END[,NETMASK][,LEASE]");
	if (c->nb_ranges == RB_MAX_RANGES)
		return fail(err, errlen, "more than %d ranges", RB_MAX_RANGES);
	if (parse_ipv4(f[0], &r.lo, err, errlen) ||
	    parse_ipv4(f[1], &r.hi, err, errlen))
		return -1;
	if (ntohl(r.lo) > ntohl(r.hi))
		return fail(err, errlen, "range start %s is after its end %s",
			    f[0], f[1]);
	if (i < n && inet_pton(AF_INET, f[i], &a) == 1) {
		uint32_t m = ntohl(a.s_addr);

		if (m == 0 || (~m & (~m + 1)) != 0)
			return fail(err, errlen, "'%s' is not a netmask", f[i]);
		r.mask = a.s_addr;
		i++;
	}
	if (i < n && parse_duration(f[i++], &r.lease_secs, err, errlen))
		return -1;
	if (i < n)
		return fail(err, errlen, "expected START,END[,NETMASK][,LEASE]");
	if (r.mask && (r.lo & r.mask) != (r.hi & r.mask))
		return fail(err, errlen, "%s and %s are not in one subnet", f[0],
			    f[1]);
	c->ranges[c->nb_ranges++] = r;
	return 0;
}

/** Parse hex bytes "01:02:ab" (or "01-02-ab") into @p out. */
static int
parse_hex_bytes(const char *v, uint8_t *out, unsigned int max,
		unsigned int *len)
{
	unsigned int n = 0;

	while (*v) {
		unsigned int b;
		int used;

		if (n == max || sscanf(v, "%2x%n", &b, &used) != 1 || used != 2)
			return -1;
		out[n++] = (uint8_t)b;
		v += used;
		if (*v == ':' || *v == '-')
			v++;
		else if (*v)
			return -1;
	}
	*len = n;
	return n ? 0 : -1;
}

/** MAC,IP or id:CLIENT-ID,IP: a fixed address. */
static int
set_dhcp_host(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	char buf[160];
	char *comma;
	struct rb_dhcp_host h;
	unsigned int len;

	memset(&h, 0, sizeof(h));
	if (copy_str(buf, sizeof(buf), v, err, errlen))
		return -1;
	comma = strrchr(buf, ',');
	if (comma == NULL)
		return fail(err, errlen, "expected MAC,IP or id:CLIENT-ID,IP");
	*comma = '\0';
	if (parse_ipv4(comma + 1, &h.ip, err, errlen))
		return -1;
	if (strncmp(buf, "id:", 3) == 0) {
		if (parse_hex_bytes(buf + 3, h.key.data, RB_KEY_MAX, &len))
			return fail(err, errlen,
				    "'%s' is not a client identifier in hex",
				    buf + 3);
		h.key.len = (uint8_t)len;
	} else {
		/* the key a client without option 61 has: type 1 + MAC */
		if (parse_hex_bytes(buf, h.key.data + 1, 6, &len) || len != 6)
			return fail(err, errlen, "'%s' is not a MAC address",
				    buf);
		h.key.data[0] = 1;
		h.key.len = 7;
	}
	if (c->nb_hosts == RB_MAX_HOSTS)
		return fail(err, errlen,
			    "more than %d hosts (use profiles for more)",
			    RB_MAX_HOSTS);
	c->hosts[c->nb_hosts++] = h;
	return 0;
}

static int
set_proxy_dhcp(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	c->proxy_dhcp = 1;
	return 0;
}

static int
set_no_dhcp(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	c->dhcp = 0;
	return 0;
}

/** CLASS=FILE: the boot file of one firmware class; empty: none. */
static int
set_boot_file(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	char cls[32];
	const char *eq = strchr(v, '=');
	enum rb_fw fw;

	if (eq == NULL || (size_t)(eq - v) >= sizeof(cls))
		return fail(err, errlen, "expected CLASS=FILE");
	memcpy(cls, v, (size_t)(eq - v));
	cls[eq - v] = '\0';
	fw = rb_fw_by_name(cls);
	if (fw == RB_FW_COUNT)
		return fail(err, errlen,
			    "'%s' is not a class (bios, efi-ia32, efi-x64, "
			    "efi-arm32, efi-arm64, http-ia32, http-x64, "
			    "http-arm32, http-arm64, ipxe)", cls);
	if (strlen(eq + 1) >= sizeof(c->boot_file[fw]) - 1)
		return fail(err, errlen, "file name over 126 bytes");
	/* iPXE fetches any URL it knows (tftp:// chains PXELINUX or GRUB);
	 * UEFI HTTP Boot only http(s) */
	if (fw == RB_FW_IPXE && eq[1] && strstr(eq + 1, "://") == NULL)
		return fail(err, errlen, "class ipxe needs a URL "
			    "(http://, tftp://)");
	if (rb_fw_is_http(fw) && fw != RB_FW_IPXE && eq[1] &&
	    strncmp(eq + 1, "http://", 7) && strncmp(eq + 1, "https://", 8))
		return fail(err, errlen, "class %s needs an http:// URL", cls);
	/* set, even to empty: a leading marker byte tells "given" apart */
	c->boot_file[fw][0] = '=';
	strcpy(c->boot_file[fw] + 1, eq + 1);
	return 0;
}

static int
set_http_url(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
		return fail(err, errlen, "'%s' is not an http:// URL", v);
	if (strlen(v) + 2 > sizeof(c->http_url))
		return fail(err, errlen, "URL over %zu bytes",
			    sizeof(c->http_url) - 2);
	strcpy(c->http_url, v);
	/* always a directory: file names are appended */
	if (c->http_url[strlen(c->http_url) - 1] != '/')
		strcat(c->http_url, "/");
	return 0;
}

static int
set_lease_sync(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "fsync") == 0)
		c->lease_sync = RB_SYNC_FSYNC;
	else if (strcmp(v, "none") == 0)
		c->lease_sync = RB_SYNC_NONE;
	else
		return fail(err, errlen, "'%s' is not fsync or none", v);
	return 0;
}

static int
set_lcores(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	const char *p;

	for (p = v; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != ',' && *p != '-')
			return fail(err, errlen,
				    "'%s' is not an lcore list like 1 or 2-5",
				    v);
	return copy_str(c->lcores, sizeof(c->lcores), v, err, errlen);
}

static int
set_memory(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	unsigned long n;

	if (parse_uint(v, 32, 1 << 20, &n, err, errlen))
		return -1;
	c->memory_mb = (unsigned int)n;
	return 0;
}

STRING_SETTER(set_eal, eal_extra)

static int
set_control(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	/* sun_path holds 108 bytes */
	if (v[0] == '\0' || strlen(v) > 100)
		return fail(err, errlen, "socket path empty or over 100 bytes");
	return copy_str(c->control, sizeof(c->control), v, err, errlen);
}

static int
set_log_json(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	c->log_json = 1;
	return 0;
}

static int
set_log_level(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	enum rb_log_level l;

	if (rb_log_level_parse(v, &l))
		return fail(err, errlen,
			    "'%s' is not debug, info, warn or error", v);
	c->log_level = l;
	return 0;
}

static int
set_responder(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "auto") == 0)
		c->responder = RB_RESPOND_AUTO;
	else if (strcmp(v, "on") == 0)
		c->responder = RB_RESPOND_ON;
	else if (strcmp(v, "off") == 0)
		c->responder = RB_RESPOND_OFF;
	else
		return fail(err, errlen, "'%s' is not auto, on or off", v);
	return 0;
}

static int
set_exception_tap(struct rb_config *c, const char *v, char *err,
		  size_t errlen)
{
	if (v[0] == '\0')
		return fail(err, errlen, "empty interface name");
	return copy_str(c->exception_tap, sizeof(c->exception_tap), v, err,
			errlen);
}

STRING_SETTER(set_xdp_prog, xdp_prog)
STRING_SETTER(set_lease_file, lease_file)
STRING_SETTER(set_templates, templates)
STRING_SETTER(set_data, data)

static int
set_no_tftp(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	c->tftp = 0;
	return 0;
}

static int
set_tftp_max_file(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	unsigned long n;

	if (parse_uint(v, 1, 4096, &n, err, errlen))
		return -1;
	c->tftp_max_file_mb = (unsigned int)n;
	return 0;
}

static int
set_tftp_cache(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	unsigned long n;

	if (parse_uint(v, 1, 1 << 20, &n, err, errlen))
		return -1;
	c->tftp_cache_mb = (unsigned int)n;
	return 0;
}

static int
set_tftp_ports(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	char buf[32];
	char *dash;
	unsigned long lo, hi;

	if (copy_str(buf, sizeof(buf), v, err, errlen))
		return -1;
	dash = strchr(buf, '-');
	if (dash == NULL)
		return fail(err, errlen, "expected LOW-HIGH");
	*dash = '\0';
	if (parse_uint(buf, 1024, 65535, &lo, err, errlen) ||
	    parse_uint(dash + 1, 1024, 65535, &hi, err, errlen))
		return -1;
	if (lo > hi || hi - lo > 4095)
		return fail(err, errlen,
			    "range must be LOW-HIGH with at most 4096 ports");
	c->tftp_port_lo = (uint16_t)lo;
	c->tftp_port_hi = (uint16_t)hi;
	return 0;
}

/** "FIRST-LAST[,PORT]" of multicast addresses, or "off". */
static int
set_tftp_multicast(struct rb_config *c, const char *v, char *err,
		   size_t errlen)
{
	char buf[64];
	char *dash, *comma;
	struct in_addr lo, hi;
	unsigned long port = 1758;

	if (strcmp(v, "off") == 0) {
		c->tftp_mc_lo = c->tftp_mc_hi = 0;
		return 0;
	}
	if (copy_str(buf, sizeof(buf), v, err, errlen))
		return -1;
	comma = strchr(buf, ',');
	if (comma) {
		*comma = '\0';
		if (parse_uint(comma + 1, 1, 65535, &port, err, errlen))
			return -1;
	}
	dash = strchr(buf, '-');
	if (dash == NULL)
		return fail(err, errlen, "expected FIRST-LAST[,PORT] or off");
	*dash = '\0';
	if (inet_pton(AF_INET, buf, &lo) != 1 ||
	    inet_pton(AF_INET, dash + 1, &hi) != 1)
		return fail(err, errlen, "not an IPv4 address range");
	c->tftp_mc_lo = ntohl(lo.s_addr);
	c->tftp_mc_hi = ntohl(hi.s_addr);
	if ((c->tftp_mc_lo >> 28) != 0xe || (c->tftp_mc_hi >> 28) != 0xe ||
	    c->tftp_mc_lo > c->tftp_mc_hi)
		return fail(err, errlen,
			    "FIRST-LAST must be multicast addresses "
			    "(224.0.0.0/4), FIRST first");
	c->tftp_mc_port = (uint16_t)port;
	return 0;
}

static int
set_tftp_mc_gather(struct rb_config *c, const char *v, char *err,
		   size_t errlen)
{
	unsigned long n;

	if (parse_uint(v, 0, 10000, &n, err, errlen))
		return -1;
	c->tftp_mc_gather_ms = (uint32_t)n;
	return 0;
}

static int
set_idle_sleep(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	unsigned long n;

	if (parse_uint(v, 0, 100000, &n, err, errlen))
		return -1;
	c->idle_sleep_us = (unsigned int)n;
	return 0;
}

STRING_SETTER(set_config, config_file)

static int
set_help(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	c->help = 1;
	return 0;
}

static int
set_version(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	c->version = 1;
	return 0;
}

/** "ADDR:PORT", ":PORT" or "PORT" (ADDR 0: ours), or "off". */
static int
parse_listen(const char *v, int *on, uint32_t *ip, uint16_t *port, char *err,
	     size_t errlen)
{
	char buf[64], *colon;
	unsigned long n;

	if (strcmp(v, "off") == 0) {
		*on = 0;
		return 0;
	}
	if (copy_str(buf, sizeof(buf), v, err, errlen))
		return -1;
	colon = strrchr(buf, ':');
	*ip = 0;
	if (colon) {
		*colon = '\0';
		if (buf[0] && inet_pton(AF_INET, buf, ip) != 1)
			return fail(err, errlen, "'%s' is not an IPv4 address",
				    buf);
	}
	if (parse_uint(colon ? colon + 1 : buf, 1, 65535, &n, err, errlen))
		return -1;
	*on = 1;
	*port = (uint16_t)n;
	return 0;
}

static int
set_http_listen(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	return parse_listen(v, &c->http, &c->http_ip, &c->http_port, err,
			    errlen);
}

static int
set_http_admin(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	int on;

	if (parse_listen(v, &on, &c->http_admin_ip, &c->http_admin_port, err,
			 errlen))
		return -1;
	if (!on)
		c->http_admin_port = 0;
	else if (c->http_admin_ip == 0)
		c->http_admin_ip = htonl(INADDR_LOOPBACK);
	return 0;
}

static int
set_http_threads(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	unsigned long n;

	if (parse_uint(v, 1, 64, &n, err, errlen))
		return -1;
	c->http_threads = (unsigned int)n;
	return 0;
}

static int
set_http_max_conns(struct rb_config *c, const char *v, char *err,
		   size_t errlen)
{
	unsigned long n;

	if (parse_uint(v, 1, 1000000, &n, err, errlen))
		return -1;
	c->http_max_conns = (unsigned int)n;
	return 0;
}

static int
set_http_send(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	static const char *const modes[] = {"read", "splice", "zc"};
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (strcmp(v, modes[i]) == 0) {
			c->http_send = (int)i;
			return 0;
		}
	return fail(err, errlen, "'%s' is not read, splice or zc", v);
}

/** A rate: bytes per second, with K, M or G (powers of 1000); 0: none. */
static int
set_http_rate(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	char *end;
	unsigned long long n;

	errno = 0;
	if (!isdigit((unsigned char)v[0]))
		return fail(err, errlen, "'%s' is not a rate", v);
	n = strtoull(v, &end, 10);
	if (*end == 'K' || *end == 'k')
		n *= 1000, end++;
	else if (*end == 'M' || *end == 'm')
		n *= 1000000, end++;
	else if (*end == 'G' || *end == 'g')
		n *= 1000000000, end++;
	if (errno || *end || (n && n < 10000))
		return fail(err, errlen, "'%s' is not a rate of at least 10K "
			    "bytes/s (or 0)", v);
	c->http_rate = n;
	return 0;
}

static int
set_secs(unsigned int *out, const char *v, char *err, size_t errlen)
{
	unsigned long n;

	if (parse_uint(v, 1, 86400, &n, err, errlen))
		return -1;
	*out = (unsigned int)n;
	return 0;
}

static int
set_http_header_timeout(struct rb_config *c, const char *v, char *err,
			size_t errlen)
{
	return set_secs(&c->http_header_timeout, v, err, errlen);
}

static int
set_http_idle_timeout(struct rb_config *c, const char *v, char *err,
		      size_t errlen)
{
	return set_secs(&c->http_idle_timeout, v, err, errlen);
}

static int
set_http_send_timeout(struct rb_config *c, const char *v, char *err,
		      size_t errlen)
{
	return set_secs(&c->http_send_timeout, v, err, errlen);
}

static int
set_dhcp_offer_time(struct rb_config *c, const char *v, char *err,
		    size_t errlen)
{
	unsigned long n;

	if (parse_uint(v, 1, 3600, &n, err, errlen))
		return -1;
	c->offer_secs = (unsigned int)n;
	return 0;
}

static int
set_dhcp_offer_limit(struct rb_config *c, const char *v, char *err,
		     size_t errlen)
{
	unsigned long n;

	if (strcmp(v, "off") == 0) {
		c->offer_limit = UINT32_MAX;
		return 0;
	}
	if (parse_uint(v, 1, 1 << 20, &n, err, errlen))
		return -1;
	c->offer_limit = (uint32_t)n;
	return 0;
}

static int
set_http_senders(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	unsigned long n;

	if (strcmp(v, "off") == 0) {
		c->http_senders = 0;
		return 0;
	}
	if (parse_uint(v, 1, 1000000, &n, err, errlen))
		return -1;
	c->http_senders = (unsigned int)n;
	return 0;
}

static int
set_http_access_log(struct rb_config *c, const char *v, char *err,
		    size_t errlen)
{
	return copy_str(c->http_access_log, sizeof(c->http_access_log),
			strcmp(v, "off") ? v : "", err, errlen);
}

static const struct option_def options[] = {
	{"config", "FILE", set_config, 1, 0,
	 "read options from FILE, one 'name = value' per line; command-line "
	 "options override it"},
	{"port", "IFACE|DEVICE", set_port, 0, 1,
	 "the boot port: a kernel interface (eth1), a DPDK device string "
	 "(net_tap0,iface=x) or a PCI address (0000:03:00.0)"},
	{"port-driver", "af_packet|af_xdp", set_port_driver, 0, 1,
	 "how to attach to a kernel interface (default af_packet)"},
	{"port-frames", "N", set_port_frames, 0, 1,
	 "frames in each af_packet receive and send ring, one pair a worker: "
	 "what a burst of that many packets finds room in (2 KiB each; "
	 "default 16384)"},
	{"root", "DIR", set_root, 0, 0,
	 "the directory served over TFTP and HTTP (default " DEFAULT_ROOT ")"},
	{"address", "ADDR[/PREFIX]", set_address, 0, 1,
	 "rackbootd's address on the boot port (default: the interface's)"},
	{"dhcp-range", "START,END[,NETMASK][,LEASE]", set_dhcp_range, 0, 1,
	 "a DHCP pool and its lease time; repeat for relayed subnets, which "
	 "need NETMASK (default: the upper half of our subnet, 1h)"},
	{"dhcp-host", "MAC,IP|id:CLIENT-ID,IP", set_dhcp_host, 0, 1,
	 "a fixed address for a MAC or a client identifier (hex); repeat"},
	{"dhcp-offer-time", "SECS", set_dhcp_offer_time, 0, 1,
	 "how long an offer holds its address for the client's REQUEST "
	 "(default 10)"},
	{"dhcp-offer-limit", "N|off", set_dhcp_offer_limit, 0, 1,
	 "offers one relay or port may hold in a pool at once, so a DISCOVER "
	 "flood from random MACs cannot take the pool (default: three "
	 "quarters of the pool)"},
	{"proxy-dhcp", NULL, set_proxy_dhcp, 0, 1,
	 "proxyDHCP: another server gives addresses, rackbootd only boot "
	 "information (ports 67 and 4011)"},
	{"no-dhcp", NULL, set_no_dhcp, 0, 1, "do not answer DHCP at all"},
	{"boot-file", "CLASS=FILE", set_boot_file, 0, 1,
	 "the boot file of a firmware class (bios, efi-x64, efi-arm64, ..., "
	 "http-x64, ipxe); an empty FILE gives that class none; repeat"},
	{"http-url", "URL", set_http_url, 0, 1,
	 "where HTTP boot files and iPXE scripts are (default "
	 "http://ADDRESS/)"},
	{"lease-file", "FILE", set_lease_file, 0, 1,
	 "the lease journal (default " DEFAULT_LEASES ")"},
	{"lease-sync", "fsync|none", set_lease_sync, 0, 1,
	 "fsync: an ACK leaves once its lease is on disk (default); none: at "
	 "once, and a crash may lose the last leases"},
	{"lcores", "LIST", set_lcores, 0, 1,
	 "CPUs for the workers, as EAL's -l (default: the last CPU this "
	 "process may use)"},
	{"memory", "MB", set_memory, 0, 1,
	 "DPDK memory in MiB: packet pools and the TFTP file cache (default "
	 "512)"},
	{"eal", "ARGS", set_eal, 0, 1,
	 "more EAL arguments, space separated"},
	{"control", "PATH", set_control, 0, 1,
	 "the owner-only control socket (default " DEFAULT_CONTROL ")"},
	{"log-json", NULL, set_log_json, 0, 0,
	 "log one JSON object per line"},
	{"log-level", "LEVEL", set_log_level, 0, 0,
	 "debug, info, warn or error (default info)"},
	{"responder", "auto|on|off", set_responder, 0, 0,
	 "answer ARP and ping for our address: auto leaves them to a kernel "
	 "interface that owns the address and sees the same frames"},
	{"exception-tap", "IFNAME", set_exception_tap, 0, 1,
	 "create kernel tap IFNAME carrying --address and the port's MAC; "
	 "frames rackbootd does not serve go there (for PCI ports)"},
	{"xdp-prog", "FILE", set_xdp_prog, 0, 1,
	 "the XDP program for af_xdp ports (default: rackboot's own, built "
	 "beside rackbootd or installed)"},
	{"no-tftp", NULL, set_no_tftp, 0, 1, "do not serve TFTP"},
	{"tftp-max-file", "MB", set_tftp_max_file, 0, 0,
	 "the largest file served over TFTP; bigger ones go over HTTP "
	 "(default 256)"},
	{"tftp-cache", "MB", set_tftp_cache, 0, 0,
	 "DPDK memory for the TFTP file cache (default 256; within --memory)"},
	{"templates", "DIR", set_templates, 0, 0,
	 "templates for per-machine configs: pxelinux.cfg, grub.cfg, and "
	 "pxelinux.cfg-01-<mac>, grub.cfg-01-<mac> for one machine"},
	{"data", "DIR", set_data, 0, 0,
	 "machine profiles in matchbox's format: groups/*.json, "
	 "profiles/*.json and the templates they name; reloaded on change"},
	{"tftp-ports", "LOW-HIGH", set_tftp_ports, 0, 1,
	 "UDP ports for TFTP transfers (default 61000-61063)"},
	{"tftp-multicast", "FIRST-LAST[,PORT]|off", set_tftp_multicast, 0, 1,
	 "RFC 2090 multicast group addresses, shared out among the workers, "
	 "and their UDP port (default 239.255.99.0-239.255.99.255,1758)"},
	{"tftp-multicast-gather", "MS", set_tftp_mc_gather, 0, 1,
	 "how long a new multicast group waits before its first block, "
	 "so that machines booting together join it first (default 200)"},
	{"http-listen", "[ADDR:]PORT|off", set_http_listen, 0, 1,
	 "the HTTP boot file server (default ADDRESS:80)"},
	{"http-admin", "[ADDR:]PORT|off", set_http_admin, 0, 1,
	 "the admin listener with /metrics (default 127.0.0.1:9180)"},
	{"http-threads", "N", set_http_threads, 0, 1,
	 "HTTP threads, an io_uring each (default 1)"},
	{"http-max-conns", "N", set_http_max_conns, 0, 1,
	 "open HTTP connections at most; more get 503 (default 8192)"},
	{"http-send", "read|splice|zc", set_http_send, 0, 1,
	 "how files beyond the cache are sent: read and send, splice, or "
	 "read and zero-copy send (default read; see bench/http)"},
	{"http-rate", "BYTES/S", set_http_rate, 0, 0,
	 "cap each HTTP response at this rate, for firmware that hangs on "
	 "fast downloads: 0, or 10K and up, K/M/G = 1000s (default 0)"},
	{"http-senders", "N|off", set_http_senders, 0, 1,
	 "large responses (256 KiB and up) each HTTP thread sends at once; "
	 "the others wait their turn, so a storm's downloads do not overflow "
	 "the network's queues into TCP timeouts (default 32)"},
	{"http-header-timeout", "SECS", set_http_header_timeout, 0, 1,
	 "a request head must arrive within this (default 10)"},
	{"http-idle-timeout", "SECS", set_http_idle_timeout, 0, 1,
	 "a connection may wait this long for its next request (default 30)"},
	{"http-send-timeout", "SECS", set_http_send_timeout, 0, 1,
	 "a response that makes no progress this long is cut (default 60)"},
	{"http-access-log", "FILE|-|off", set_http_access_log, 0, 1,
	 "a line per HTTP request: to FILE, to stderr (-, default), or none"},
	{"idle-sleep", "USEC", set_idle_sleep, 0, 0,
	 "once idle for 0.5 ms, sleep this long between polls; 0 polls "
	 "without pause (default 100)"},
	{"help", NULL, set_help, 1, 0, "print this help and exit"},
	{"version", NULL, set_version, 1, 0, "print the version and exit"},
};

#define NB_OPTIONS (sizeof(options) / sizeof(options[0]))

static const struct option_def *
find_option(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < NB_OPTIONS; i++)
		if (strlen(options[i].name) == len &&
		    strncmp(options[i].name, name, len) == 0)
			return &options[i];
	return NULL;
}

void
rb_config_defaults(struct rb_config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->port_driver, "af_packet");
	c->port_frames = 16384;
	strcpy(c->root, DEFAULT_ROOT);
	strcpy(c->control, DEFAULT_CONTROL);
	strcpy(c->lease_file, DEFAULT_LEASES);
	c->dhcp = 1;
	c->memory_mb = 512;
	c->log_level = RB_LOG_INFO;
	c->responder = RB_RESPOND_AUTO;
	c->tftp = 1;
	c->tftp_max_file_mb = 256;
	c->tftp_cache_mb = 256;
	c->tftp_port_lo = 61000;
	c->tftp_port_hi = 61063;
	c->tftp_mc_lo = 0xefff6300; /* 239.255.99.0: organization-local */
	c->tftp_mc_hi = 0xefff63ff;
	c->tftp_mc_port = 1758;     /* atftpd's */
	c->tftp_mc_gather_ms = 200;
	c->idle_sleep_us = 100;
	c->http = 1;
	c->http_port = 80;
	c->http_admin_ip = htonl(INADDR_LOOPBACK);
	c->http_admin_port = 9180;
	c->http_threads = 1;
	c->http_max_conns = 8192;
	c->offer_secs = 10;
	c->http_header_timeout = 10;
	c->http_senders = 32;
	c->http_idle_timeout = 30;
	c->http_send_timeout = 60;
	strcpy(c->http_access_log, "-");
}

int
rb_config_parse_args(struct rb_config *c, int argc, char **argv, char *err,
		     size_t errlen)
{
	char why[256];
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *eq, *val = NULL;
		const struct option_def *o;

		if (strcmp(a, "-h") == 0)
			a = "--help";
		if (strncmp(a, "--", 2) != 0)
			return fail(err, errlen, "unexpected argument '%s'", a);
		name = a + 2;
		eq = strchr(name, '=');
		o = find_option(name, eq ? (size_t)(eq - name) : strlen(name));
		if (o == NULL)
			return fail(err, errlen, "unknown option '%s'", a);
		if (o->metavar == NULL) {
			if (eq)
				return fail(err, errlen,
					    "option '--%s' takes no value",
					    o->name);
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return fail(err, errlen, "option '--%s' needs %s",
				    o->name, o->metavar);
		}
		if (o->set(c, val ? val : "", why, sizeof(why)))
			return fail(err, errlen, "option '--%s': %s", o->name,
				    why);
	}
	return 0;
}

/** Trim spaces at both ends of @p s in place. */
static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
rb_config_parse_file(struct rb_config *c, const char *path, char *err,
		     size_t errlen)
{
	char line[1024], why[256];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		const struct option_def *o;
		char *s, *val;
		size_t n;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fclose(f);
			return fail(err, errlen, "%s:%u: line too long", path,
				    lineno);
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		n = strcspn(s, " \t=");
		val = s + n;
		val += strspn(val, " \t");
		if (*val == '=')
			val = trim(val + 1);
		o = find_option(s, n);
		if (o == NULL || o->cli_only) {
			fclose(f);
			s[n] = '\0';
			return fail(err, errlen, "%s:%u: unknown option '%s'",
				    path, lineno, s);
		}
		if (o->metavar && *val == '\0') {
			fclose(f);
			return fail(err, errlen, "%s:%u: '%s' needs %s", path,
				    lineno, o->name, o->metavar);
		}
		if (!o->metavar && *val) {
			fclose(f);
			return fail(err, errlen, "%s:%u: '%s' takes no value",
				    path, lineno, o->name);
		}
		if (o->set(c, val, why, sizeof(why))) {
			fclose(f);
			return fail(err, errlen, "%s:%u: '%s': %s", path,
				    lineno, o->name, why);
		}
	}
	if (ferror(f)) {
		fclose(f);
		return fail(err, errlen, "%s: read error", path);
	}
	fclose(f);
	return 0;
}

/** Find the first IPv4 address of interface @p ifname. */
static int
iface_address(const char *ifname, uint32_t *ip, unsigned int *prefix)
{
	struct ifaddrs *ifa, *i;
	int found = -1;

	if (getifaddrs(&ifa) < 0)
		return -1;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, ifname) != 0)
			continue;
		*ip = ((struct sockaddr_in *)(void *)i->ifa_addr)
			      ->sin_addr.s_addr;
		*prefix = (unsigned int)__builtin_popcount(
			((struct sockaddr_in *)(void *)i->ifa_netmask)
				->sin_addr.s_addr);
		found = 0;
		break;
	}
	freeifaddrs(ifa);
	return found;
}

/**
 * A pool in our subnet: its upper half, or the lower half when our own
 * address sits in the upper one.
 */
static int
derive_pool(struct rb_config *c, char *err, size_t errlen)
{
	uint32_t mask = ntohl(prefix_mask(c->prefix));
	uint32_t net = ntohl(c->ip) & mask;
	uint32_t size = ~mask + 1u;
	uint32_t self = ntohl(c->ip), lo, hi;

	if (c->prefix > 29)
		return fail(err, errlen,
			    "subnet /%u too small for a DHCP pool: give "
			    "--dhcp-range", c->prefix);
	lo = net + size / 2;
	hi = net + size - 2;
	if (self >= lo && self <= hi) {
		lo = net + 1;
		hi = net + size / 2 - 1;
	}
	c->ranges[0] = (struct rb_range){htonl(lo), htonl(hi), 0, 3600};
	c->nb_ranges = 1;
	return 0;
}

/** Default boot files: iPXE for every class, over TFTP or HTTP. */
static void
derive_boot_files(struct rb_config *c)
{
	static const char *const def[RB_FW_COUNT] = {
		[RB_FW_BIOS] = "undionly.kpxe",
		[RB_FW_EFI_IA32] = "ipxe-i386.efi",
		[RB_FW_EFI_X64] = "ipxe.efi",
		[RB_FW_EFI_ARM32] = "ipxe-arm32.efi",
		[RB_FW_EFI_ARM64] = "ipxe-arm64.efi",
		[RB_FW_HTTP_IA32] = "ipxe-i386.efi",
		[RB_FW_HTTP_X64] = "ipxe.efi",
		[RB_FW_HTTP_ARM32] = "ipxe-arm32.efi",
		[RB_FW_HTTP_ARM64] = "ipxe-arm64.efi",
		/* iPXE expands ${mac:hexhyp}: the script is the machine's even
		 * where rackbootd holds no lease for it (proxyDHCP, NAT) */
		[RB_FW_IPXE] = "boot.ipxe?mac=${mac:hexhyp}",
	};
	unsigned int i;

	if (c->http_url[0] == '\0') {
		char ip[INET_ADDRSTRLEN], port[8] = "";
		uint32_t a = c->http_ip ? c->http_ip : c->ip;

		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		if (c->http_port != 80)
			snprintf(port, sizeof(port), ":%u", c->http_port);
		snprintf(c->http_url, sizeof(c->http_url), "http://%s%s/", ip,
			 port);
	}
	for (i = 0; i < RB_FW_COUNT; i++) {
		char *f = c->boot_file[i];

		if (f[0] == '=') /* given: drop the marker */
			memmove(f, f + 1, strlen(f));
		else if (rb_fw_is_http((enum rb_fw)i))
			snprintf(f, RB_BOOTFILE_MAX, "%s%s", c->http_url,
				 def[i]);
		else
			snprintf(f, RB_BOOTFILE_MAX, "%s", def[i]);
	}
}

/** Each range's subnet; hosts inside a served subnet; one range a subnet. */
static int
check_ranges(struct rb_config *c, char *err, size_t errlen)
{
	uint32_t ours = prefix_mask(c->prefix);
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	unsigned int i, k;

	for (i = 0; i < c->nb_ranges; i++) {
		struct rb_range *r = &c->ranges[i];

		inet_ntop(AF_INET, &r->lo, a, sizeof(a));
		inet_ntop(AF_INET, &r->hi, b, sizeof(b));
		if (r->mask == 0) {
			if ((r->lo & ours) != (c->ip & ours) ||
			    (r->hi & ours) != (c->ip & ours))
				return fail(err, errlen,
					    "--dhcp-range %s,%s is outside the "
					    "subnet of %s/%u: give a NETMASK "
					    "for a relayed subnet",
					    a, b,
					    inet_ntoa(*(struct in_addr *)&c->ip),
					    c->prefix);
			r->mask = ours;
		}
		for (k = 0; k < i; k++)
			if ((c->ranges[k].lo & c->ranges[k].mask) ==
			    (r->lo & r->mask))
				return fail(err, errlen,
					    "two --dhcp-range in the subnet of "
					    "%s: one range a subnet", a);
	}
	for (i = 0; i < c->nb_hosts; i++) {
		for (k = 0; k < c->nb_ranges; k++)
			if ((c->hosts[i].ip & c->ranges[k].mask) ==
			    (c->ranges[k].lo & c->ranges[k].mask))
				break;
		if (k == c->nb_ranges) {
			inet_ntop(AF_INET, &c->hosts[i].ip, a, sizeof(a));
			return fail(err, errlen,
				    "--dhcp-host %s is outside every served "
				    "subnet", a);
		}
	}
	return 0;
}

/**
 * The default lcore: the last CPU this process may run on, as seen by the
 * first call.  That call is main()'s first load, before EAL pins threads:
 * a reload from the control thread (pinned to EAL's control CPUs) must
 * find the same default, not a different one.
 */
static void
default_lcores(char *buf, size_t len)
{
	static int last = -1;
	cpu_set_t set;
	int cpu;

	if (last < 0) {
		last = 0;
		if (sched_getaffinity(0, sizeof(set), &set) == 0)
			for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
				if (CPU_ISSET(cpu, &set))
					last = cpu;
	}
	snprintf(buf, len, "%d", last);
}

int
rb_config_finish(struct rb_config *c, char *err, size_t errlen)
{
	enum rb_port_kind kind;
	struct stat st;

	if (c->port[0] == '\0')
		return fail(err, errlen, "no boot port: give --port IFACE");
	if (c->lcores[0] == '\0')
		default_lcores(c->lcores, sizeof(c->lcores));
	kind = rb_port_kind_of(c->port, c->port_driver);
	if (!c->ip_set) {
		if (kind != RB_PORT_AF_PACKET && kind != RB_PORT_AF_XDP)
			return fail(err, errlen,
				    "port '%s' is not a kernel interface: "
				    "give --address", c->port);
		if (iface_address(c->port, &c->ip, &c->prefix))
			return fail(err, errlen,
				    "interface '%s' has no IPv4 address (or "
				    "does not exist): give --address",
				    c->port);
	}
	if (c->exception_tap[0] && kind == RB_PORT_AF_PACKET)
		return fail(err, errlen,
			    "--exception-tap is for ports the kernel does not "
			    "see (PCI, af_xdp, devices); an af_packet port's "
			    "kernel interface already sees every frame");
	if (stat(c->root, &st) < 0 || !S_ISDIR(st.st_mode))
		return fail(err, errlen, "root '%s' is not a directory",
			    c->root);
	if (c->templates[0] &&
	    (stat(c->templates, &st) < 0 || !S_ISDIR(st.st_mode)))
		return fail(err, errlen, "templates '%s' is not a directory",
			    c->templates);
	if (c->data[0] && (stat(c->data, &st) < 0 || !S_ISDIR(st.st_mode)))
		return fail(err, errlen, "data '%s' is not a directory", c->data);
	if (c->nb_ranges == 0 && derive_pool(c, err, errlen))
		return -1;
	if (check_ranges(c, err, errlen))
		return -1;
	derive_boot_files(c);
	return 0;
}

int
rb_config_load(struct rb_config *c, int argc, char **argv, char *err,
	       size_t errlen)
{
	rb_config_defaults(c);
	if (rb_config_parse_args(c, argc, argv, err, errlen))
		return -1;
	if (c->help || c->version)
		return 0;
	if (c->config_file[0]) {
		char file[PATH_MAX];

		strcpy(file, c->config_file);
		rb_config_defaults(c);
		if (rb_config_parse_file(c, file, err, errlen))
			return -1;
		/* the command line wins over the file */
		if (rb_config_parse_args(c, argc, argv, err, errlen))
			return -1;
	}
	return rb_config_finish(c, err, errlen);
}

void
rb_config_usage(void *out)
{
	FILE *f = out;
	unsigned int i;

	fprintf(f, "Usage: rackbootd --port IFACE [OPTION]...\n"
		   "Network-boot (PXE) server: DHCP and TFTP on DPDK workers, "
		   "HTTP on io_uring.\n\nOptions (also 'name = value' lines in "
		   "a --config file):\n");
	for (i = 0; i < NB_OPTIONS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", options[i].name,
			 options[i].metavar ? " " : "",
			 options[i].metavar ? options[i].metavar : "");
		fprintf(f, "  %-30s %s%s\n", left, options[i].help,
			options[i].restart ? " [restart to change]" : "");
	}
	fprintf(f, "\nSignals: SIGTERM/SIGINT stop, SIGHUP re-reads the config "
		   "file.\nExit status: 0 stopped cleanly, 1 runtime error, 2 "
		   "bad option or config.\n");
}

void
rb_config_restart_needed(const struct rb_config *a, const struct rb_config *b,
			 char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
#define CHANGED(name, differ)                                                 \
	do {                                                                   \
		if ((differ) && used + strlen(name) + 3 < len)                \
			used += (size_t)snprintf(buf + used, len - used,      \
						 "%s%s", used ? ", " : "",    \
						 name);                       \
	} while (0)
	CHANGED("port", strcmp(a->port, b->port));
	CHANGED("port-driver", strcmp(a->port_driver, b->port_driver));
	CHANGED("port-frames", a->port_frames != b->port_frames);
	CHANGED("address", a->ip != b->ip || a->prefix != b->prefix);
	CHANGED("lcores", strcmp(a->lcores, b->lcores));
	CHANGED("memory", a->memory_mb != b->memory_mb);
	CHANGED("eal", strcmp(a->eal_extra, b->eal_extra));
	CHANGED("control", strcmp(a->control, b->control));
	CHANGED("exception-tap", strcmp(a->exception_tap, b->exception_tap));
	CHANGED("xdp-prog", strcmp(a->xdp_prog, b->xdp_prog));
	CHANGED("tftp", a->tftp != b->tftp);
	CHANGED("dhcp-range", a->nb_ranges != b->nb_ranges ||
				      memcmp(a->ranges, b->ranges,
					     sizeof(a->ranges[0]) * a->nb_ranges));
	CHANGED("dhcp-host", a->nb_hosts != b->nb_hosts ||
				     memcmp(a->hosts, b->hosts,
					    sizeof(a->hosts[0]) * a->nb_hosts));
	CHANGED("dhcp", a->dhcp != b->dhcp || a->proxy_dhcp != b->proxy_dhcp);
	CHANGED("dhcp-offer-time", a->offer_secs != b->offer_secs);
	CHANGED("dhcp-offer-limit", a->offer_limit != b->offer_limit);
	CHANGED("boot-file", memcmp(a->boot_file, b->boot_file,
				    sizeof(a->boot_file)) ||
				     strcmp(a->http_url, b->http_url));
	CHANGED("lease-file", strcmp(a->lease_file, b->lease_file) ||
				      a->lease_sync != b->lease_sync);
	CHANGED("tftp-multicast", a->tftp_mc_lo != b->tftp_mc_lo ||
					  a->tftp_mc_hi != b->tftp_mc_hi ||
					  a->tftp_mc_port != b->tftp_mc_port);
	CHANGED("tftp-multicast-gather",
		a->tftp_mc_gather_ms != b->tftp_mc_gather_ms);
	CHANGED("http-listen", a->http != b->http || a->http_ip != b->http_ip ||
				       a->http_port != b->http_port);
	CHANGED("http-admin", a->http_admin_ip != b->http_admin_ip ||
				      a->http_admin_port != b->http_admin_port);
	CHANGED("http-threads", a->http_threads != b->http_threads);
	CHANGED("http-max-conns", a->http_max_conns != b->http_max_conns);
	CHANGED("http-send", a->http_send != b->http_send);
	CHANGED("http-senders", a->http_senders != b->http_senders);
	CHANGED("http-timeouts",
		a->http_header_timeout != b->http_header_timeout ||
			a->http_idle_timeout != b->http_idle_timeout ||
			a->http_send_timeout != b->http_send_timeout);
	CHANGED("http-access-log",
		strcmp(a->http_access_log, b->http_access_log));
	CHANGED("tftp-ports", a->tftp_port_lo != b->tftp_port_lo ||
				      a->tftp_port_hi != b->tftp_port_hi);
#undef CHANGED
}
