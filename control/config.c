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

static int
set_dhcp_range(struct rb_config *c, const char *v, char *err, size_t errlen)
{
	char buf[128];
	char *end, *lease;

	if (copy_str(buf, sizeof(buf), v, err, errlen))
		return -1;
	end = strchr(buf, ',');
	if (end == NULL)
		return fail(err, errlen, "expected START,END[,LEASE]");
	*end++ = '\0';
	lease = strchr(end, ',');
	if (lease)
		*lease++ = '\0';
	if (parse_ipv4(buf, &c->pool_lo, err, errlen) ||
	    parse_ipv4(end, &c->pool_hi, err, errlen))
		return -1;
	if (ntohl(c->pool_lo) > ntohl(c->pool_hi))
		return fail(err, errlen, "range start %s is after its end %s",
			    buf, end);
	if (lease && parse_duration(lease, &c->lease_secs, err, errlen))
		return -1;
	c->pool_set = 1;
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

static const struct option_def options[] = {
	{"config", "FILE", set_config, 1, 0,
	 "read options from FILE, one 'name = value' per line; command-line "
	 "options override it"},
	{"port", "IFACE|DEVICE", set_port, 0, 1,
	 "the boot port: a kernel interface (eth1), a DPDK device string "
	 "(net_tap0,iface=x) or a PCI address (0000:03:00.0)"},
	{"port-driver", "af_packet|af_xdp", set_port_driver, 0, 1,
	 "how to attach to a kernel interface (default af_packet)"},
	{"root", "DIR", set_root, 0, 0,
	 "the directory served over TFTP and HTTP (default " DEFAULT_ROOT ")"},
	{"address", "ADDR[/PREFIX]", set_address, 0, 1,
	 "rackbootd's address on the boot port (default: the interface's)"},
	{"dhcp-range", "START,END[,LEASE]", set_dhcp_range, 0, 0,
	 "the DHCP pool and lease time (default: the upper half of the "
	 "subnet, 1h)"},
	{"lcores", "LIST", set_lcores, 0, 1,
	 "CPUs for the workers, as EAL's -l (default: the last CPU this "
	 "process may use)"},
	{"memory", "MB", set_memory, 0, 1,
	 "DPDK memory in MiB (default 256)"},
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
	{"tftp-ports", "LOW-HIGH", set_tftp_ports, 0, 1,
	 "UDP ports for TFTP transfers (default 61000-61063)"},
	{"idle-sleep", "USEC", set_idle_sleep, 0, 0,
	 "sleep this long between polls when idle; 0 polls without pause "
	 "(default 100)"},
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
	strcpy(c->root, DEFAULT_ROOT);
	strcpy(c->control, DEFAULT_CONTROL);
	c->lease_secs = 3600;
	c->memory_mb = 256;
	c->log_level = RB_LOG_INFO;
	c->responder = RB_RESPOND_AUTO;
	c->tftp_port_lo = 61000;
	c->tftp_port_hi = 61063;
	c->idle_sleep_us = 100;
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
	c->pool_lo = htonl(lo);
	c->pool_hi = htonl(hi);
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
	uint32_t mask;

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
	mask = prefix_mask(c->prefix);
	if (!c->pool_set) {
		if (derive_pool(c, err, errlen))
			return -1;
	} else if ((c->pool_lo & mask) != (c->ip & mask) ||
		   (c->pool_hi & mask) != (c->ip & mask)) {
		return fail(err, errlen,
			    "--dhcp-range is outside the subnet of %s/%u",
			    inet_ntoa(*(struct in_addr *)&c->ip), c->prefix);
	}
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
	CHANGED("address", a->ip != b->ip || a->prefix != b->prefix);
	CHANGED("lcores", strcmp(a->lcores, b->lcores));
	CHANGED("memory", a->memory_mb != b->memory_mb);
	CHANGED("eal", strcmp(a->eal_extra, b->eal_extra));
	CHANGED("control", strcmp(a->control, b->control));
	CHANGED("exception-tap", strcmp(a->exception_tap, b->exception_tap));
	CHANGED("xdp-prog", strcmp(a->xdp_prog, b->xdp_prog));
	CHANGED("tftp-ports", a->tftp_port_lo != b->tftp_port_lo ||
				      a->tftp_port_hi != b->tftp_port_hi);
#undef CHANGED
}
