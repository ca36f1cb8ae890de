/* SPDX-License-Identifier: BSD-3-Clause */
/* Options from the command line and config files: values, defaults,
 * derived addresses, and the error naming file, line and reason. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rackboot/config.h"
#include "testfiles.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rbcfgtest.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/** Write @p text to a file in the test directory; return its path. */
static const char *
write_file(const char *name, const char *text)
{
	static char path[128];

	put(dir, name, text);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int
args(struct rb_config *c, char *err, size_t errlen, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "rackbootd";
	va_start(ap, errlen);
	for (;;) {
		char *a = va_arg(ap, char *);

		if (a == NULL)
			break;
		argv[argc++] = a;
	}
	va_end(ap);
	argv[argc] = NULL;
	return rb_config_load(c, argc, argv, err, errlen);
}

static const char *
ip(uint32_t a)
{
	static char buf[4][INET_ADDRSTRLEN];
	static int n;

	n = (n + 1) % 4;
	return inet_ntop(AF_INET, &a, buf[n], sizeof(buf[n]));
}

static void
test_defaults_and_derived_pool(void **state)
{
	struct rb_config c;
	char err[512] = "";

	(void)state;
	assert_int_equal(args(&c, err, sizeof(err), "--port", "net_ring0",
			      "--address", "10.99.3.1/24", "--root", dir, NULL),
			 0);
	assert_string_equal(ip(c.ip), "10.99.3.1");
	assert_int_equal(c.prefix, 24);
	assert_string_equal(ip(c.ranges[0].lo), "10.99.3.128");
	assert_string_equal(ip(c.ranges[0].hi), "10.99.3.254");
	assert_int_equal(c.ranges[0].lease_secs, 3600);
	assert_string_equal(c.port_driver, "af_packet");
	assert_int_equal(c.port_frames, 16384);
	assert_int_equal(c.tftp_port_lo, 61000);
	assert_int_equal(c.idle_sleep_us, 100);
	assert_int_equal(c.tftp_mc_gather_ms, 200);

	assert_int_equal(args(&c, err, sizeof(err), "--port", "net_ring0",
			      "--address", "10.99.3.1/24", "--root", dir,
			      "--tftp-multicast-gather", "0", NULL),
			 0);
	assert_int_equal(c.tftp_mc_gather_ms, 0);
	assert_int_equal(args(&c, err, sizeof(err), "--port", "net_ring0",
			      "--address", "10.99.3.1/24", "--root", dir,
			      "--tftp-multicast-gather", "10001", NULL),
			 -1);
	assert_non_null(strstr(err, "tftp-multicast-gather"));

	/* our address in the upper half: the pool takes the lower one */
	assert_int_equal(args(&c, err, sizeof(err), "--port", "net_ring0",
			      "--address", "10.99.3.200/25", "--root", dir,
			      NULL),
			 0);
	assert_string_equal(ip(c.ranges[0].lo), "10.99.3.129");
	assert_string_equal(ip(c.ranges[0].hi), "10.99.3.191");
}

static void
test_address_from_interface(void **state)
{
	struct rb_config c;
	char err[512] = "";

	(void)state;
	/* lo has 127.0.0.1/8 in every namespace */
	assert_int_equal(args(&c, err, sizeof(err), "--port", "lo", "--root",
			      dir, NULL),
			 0);
	assert_string_equal(ip(c.ip), "127.0.0.1");
	assert_int_equal(c.prefix, 8);
	assert_string_equal(ip(c.ranges[0].lo), "127.128.0.0");
	assert_string_equal(ip(c.ranges[0].hi), "127.255.255.254");

	assert_int_equal(args(&c, err, sizeof(err), "--port",
			      "rbnosuchif0", "--root", dir, NULL),
			 -1);
	assert_non_null(strstr(err, "interface 'rbnosuchif0' has no IPv4"));
	/* a device string needs an explicit address */
	assert_int_equal(args(&c, err, sizeof(err), "--port",
			      "net_tap0,iface=x", "--root", dir, NULL),
			 -1);
	assert_non_null(strstr(err, "give --address"));
}

static void
test_command_line_errors(void **state)
{
	struct rb_config c;
	char err[512];

	(void)state;
	assert_int_equal(args(&c, err, sizeof(err), "--bogus", NULL), -1);
	assert_string_equal(err, "unknown option '--bogus'");
	assert_int_equal(args(&c, err, sizeof(err), "--port", NULL), -1);
	assert_string_equal(err, "option '--port' needs IFACE|DEVICE");
	assert_int_equal(args(&c, err, sizeof(err), "--memory", "12", NULL),
			 -1);
	assert_string_equal(err, "option '--memory': 12 is outside 32..1048576");
	assert_int_equal(args(&c, err, sizeof(err), "--port-frames", "4097",
			      NULL),
			 -1);
	assert_string_equal(err, "option '--port-frames': port-frames 4097 is odd");
	assert_int_equal(args(&c, err, sizeof(err), "--port-frames", "128",
			      NULL),
			 -1);
	assert_string_equal(err,
			    "option '--port-frames': 128 is outside 256..262144");
	assert_int_equal(args(&c, err, sizeof(err), "--address", "10.99.1",
			      NULL),
			 -1);
	assert_string_equal(err,
			    "option '--address': '10.99.1' is not an IPv4 address");
	assert_int_equal(args(&c, err, sizeof(err), "--log-json=yes", NULL),
			 -1);
	assert_string_equal(err, "option '--log-json' takes no value");
	assert_int_equal(args(&c, err, sizeof(err), "stray", NULL), -1);
	assert_string_equal(err, "unexpected argument 'stray'");
	assert_int_equal(args(&c, err, sizeof(err), "--dhcp-range",
			      "10.99.0.9,10.99.0.5", NULL),
			 -1);
	assert_non_null(strstr(err, "is after its end"));
	assert_int_equal(args(&c, err, sizeof(err), "--tftp-ports", "70-60",
			      NULL),
			 -1);
	assert_non_null(strstr(err, "outside 1024..65535"));
	assert_int_equal(args(&c, err, sizeof(err), "--port", "net_ring0",
			      "--address", "10.99.0.1/24", "--root",
			      "/nonexistent/rb", NULL),
			 -1);
	assert_string_equal(err, "root '/nonexistent/rb' is not a directory");
	assert_int_equal(args(&c, err, sizeof(err), "--port", "net_ring0",
			      "--address", "10.99.0.1/24", "--root", dir,
			      "--dhcp-range", "10.99.1.10,10.99.1.20", NULL),
			 -1);
	assert_non_null(strstr(err, "outside the subnet of 10.99.0.1/24"));
	assert_int_equal(args(&c, err, sizeof(err), "--boot-file", "efi-x86=a",
			      NULL),
			 -1);
	assert_non_null(strstr(err, "'efi-x86' is not a class"));
	assert_int_equal(args(&c, err, sizeof(err), "--boot-file",
			      "ipxe=boot.ipxe", NULL),
			 -1);
	assert_string_equal(err, "option '--boot-file': class ipxe needs a "
				 "URL (http://, tftp://)");
	assert_int_equal(args(&c, err, sizeof(err), "--port", "net_ring0",
			      "--address", "10.99.0.1/24", "--root", dir,
			      "--boot-file", "ipxe=tftp://10.99.0.1/pxelinux.0",
			      NULL),
			 0);
	assert_string_equal(c.boot_file[RB_FW_IPXE],
			    "tftp://10.99.0.1/pxelinux.0");
	assert_int_equal(args(&c, err, sizeof(err), "--boot-file",
			      "http-x64=tftp://10.99.0.1/ipxe.efi", NULL),
			 -1);
	assert_string_equal(err, "option '--boot-file': class http-x64 needs "
				 "an http:// URL");
	assert_int_equal(args(&c, err, sizeof(err), "--dhcp-host",
			      "52:54:00:12:34,10.99.0.5", NULL),
			 -1);
	assert_non_null(strstr(err, "is not a MAC address"));
	assert_int_equal(args(&c, err, sizeof(err), "--dhcp-range",
			      "10.99.1.10,10.99.1.20,255.0.255.0", NULL),
			 -1);
	assert_non_null(strstr(err, "is not a netmask"));
	assert_int_equal(args(&c, err, sizeof(err), "--lease-sync", "maybe",
			      NULL),
			 -1);
	assert_non_null(strstr(err, "'maybe' is not fsync or none"));
	assert_int_equal(args(&c, err, sizeof(err), "--port", "net_ring0",
			      "--address", "10.99.0.1/24", "--root", dir,
			      "--dhcp-host", "52:54:00:12:34:56,10.98.0.5", NULL),
			 -1);
	assert_non_null(strstr(err, "outside every served subnet"));
	assert_int_equal(args(&c, err, sizeof(err), "--port", "net_ring0",
			      "--address", "10.99.0.1/24", "--root", dir,
			      "--dhcp-range", "10.99.0.10,10.99.0.20",
			      "--dhcp-range", "10.99.0.30,10.99.0.40", NULL),
			 -1);
	assert_non_null(strstr(err, "one range a subnet"));
}

static void
test_dhcp_options(void **state)
{
	struct rb_config c;
	char err[512] = "";

	(void)state;
	assert_int_equal(
		args(&c, err, sizeof(err), "--port", "net_ring0", "--address",
		     "10.99.5.1/24", "--root", dir, "--dhcp-range",
		     "10.99.5.100,10.99.5.200,30m", "--dhcp-range",
		     "10.99.77.10,10.99.77.99,255.255.255.0,2h", "--dhcp-host",
		     "52:54:00:AB:cd:01,10.99.5.7", "--dhcp-host",
		     "id:ff:00:01,10.99.77.5", "--boot-file",
		     "efi-x64=snponly.efi", "--boot-file", "efi-arm64=",
		     "--http-url", "http://10.99.5.1:8080/boot", NULL),
		0);
	assert_int_equal(c.nb_ranges, 2);
	assert_string_equal(ip(c.ranges[0].mask), "255.255.255.0");
	assert_int_equal(c.ranges[0].lease_secs, 1800);
	assert_string_equal(ip(c.ranges[1].lo), "10.99.77.10");
	assert_int_equal(c.ranges[1].lease_secs, 7200);
	assert_int_equal(c.nb_hosts, 2);
	assert_int_equal(c.hosts[0].key.len, 7);
	assert_memory_equal(c.hosts[0].key.data,
			    "\x01\x52\x54\x00\xab\xcd\x01", 7);
	assert_int_equal(c.hosts[1].key.len, 3);
	assert_string_equal(c.boot_file[RB_FW_EFI_X64], "snponly.efi");
	assert_string_equal(c.boot_file[RB_FW_EFI_ARM64], "");
	assert_string_equal(c.boot_file[RB_FW_BIOS], "undionly.kpxe");
	assert_string_equal(c.boot_file[RB_FW_IPXE],
			    "http://10.99.5.1:8080/boot/boot.ipxe?mac=${mac:hexhyp}");
	assert_string_equal(c.boot_file[RB_FW_HTTP_X64],
			    "http://10.99.5.1:8080/boot/ipxe.efi");
	assert_int_equal(c.dhcp, 1);
	assert_int_equal(c.proxy_dhcp, 0);
	assert_int_equal(c.lease_sync, RB_SYNC_FSYNC);
	assert_string_equal(c.lease_file, "/var/lib/rackboot/leases");

	assert_int_equal(args(&c, err, sizeof(err), "--port", "net_ring0",
			      "--address", "10.99.5.1/24", "--root", dir,
			      "--proxy-dhcp", "--lease-sync", "none", NULL),
			 0);
	assert_int_equal(c.proxy_dhcp, 1);
	assert_int_equal(c.lease_sync, RB_SYNC_NONE);
	assert_string_equal(c.boot_file[RB_FW_IPXE],
			    "http://10.99.5.1/boot.ipxe?mac=${mac:hexhyp}");
}

static void
test_file_values_and_override(void **state)
{
	struct rb_config c;
	char err[512] = "", root[96];
	const char *path;
	char text[512];

	(void)state;
	snprintf(root, sizeof(root), "root = %s\n", dir);
	snprintf(text, sizeof(text),
		 "# rackbootd test config\n"
		 "\n"
		 "port = net_ring0\n"
		 "address = 10.99.4.1/24\n"
		 "%s"
		 "dhcp-range = 10.99.4.10,10.99.4.20,12h\n"
		 "  log-json\n"
		 "idle-sleep=0\n"
		 "tftp-ports 62000-62010\n",
		 root);
	path = write_file("good.conf", text);
	assert_int_equal(args(&c, err, sizeof(err), "--config", path, NULL), 0);
	assert_string_equal(ip(c.ranges[0].lo), "10.99.4.10");
	assert_string_equal(ip(c.ranges[0].hi), "10.99.4.20");
	assert_int_equal(c.ranges[0].lease_secs, 12 * 3600);
	assert_int_equal(c.log_json, 1);
	assert_int_equal(c.idle_sleep_us, 0);
	assert_int_equal(c.tftp_port_lo, 62000);
	assert_int_equal(c.tftp_port_hi, 62010);
	/* the command line wins, wherever it stands relative to --config */
	assert_int_equal(args(&c, err, sizeof(err), "--idle-sleep", "50",
			      "--config", path, NULL),
			 0);
	assert_int_equal(c.idle_sleep_us, 50);
}

static void
test_file_errors(void **state)
{
	struct rb_config c;
	char err[512], want[256];
	const char *path;

	(void)state;
	path = write_file("bad1.conf", "port = rb0\n\n# fine so far\nbogus = 1\n");
	assert_int_equal(args(&c, err, sizeof(err), "--config", path, NULL),
			 -1);
	snprintf(want, sizeof(want), "%s:4: unknown option 'bogus'", path);
	assert_string_equal(err, want);

	path = write_file("bad2.conf", "address = 300.1.1.1\n");
	assert_int_equal(args(&c, err, sizeof(err), "--config", path, NULL),
			 -1);
	snprintf(want, sizeof(want),
		 "%s:1: 'address': '300.1.1.1' is not an IPv4 address", path);
	assert_string_equal(err, want);

	path = write_file("bad3.conf", "port\n");
	assert_int_equal(args(&c, err, sizeof(err), "--config", path, NULL),
			 -1);
	snprintf(want, sizeof(want), "%s:1: 'port' needs IFACE|DEVICE", path);
	assert_string_equal(err, want);

	path = write_file("bad4.conf", "log-json = please\n");
	assert_int_equal(args(&c, err, sizeof(err), "--config", path, NULL),
			 -1);
	snprintf(want, sizeof(want), "%s:1: 'log-json' takes no value", path);
	assert_string_equal(err, want);

	/* --config inside a config file is not an option there */
	path = write_file("bad5.conf", "config = /etc/other\n");
	assert_int_equal(args(&c, err, sizeof(err), "--config", path, NULL),
			 -1);
	snprintf(want, sizeof(want), "%s:1: unknown option 'config'", path);
	assert_string_equal(err, want);

	assert_int_equal(args(&c, err, sizeof(err), "--config",
			      "/nonexistent/rb.conf", NULL),
			 -1);
	assert_string_equal(err, "/nonexistent/rb.conf: No such file or directory");
}

static void
test_restart_needed(void **state)
{
	struct rb_config a, b;
	char buf[256];

	(void)state;
	rb_config_defaults(&a);
	b = a;
	rb_config_restart_needed(&a, &b, buf, sizeof(buf));
	assert_string_equal(buf, "");
	b.idle_sleep_us = 7;   /* live */
	b.log_json = 1;        /* live */
	rb_config_restart_needed(&a, &b, buf, sizeof(buf));
	assert_string_equal(buf, "");
	strcpy(b.port, "eth9");
	b.port_frames = 2048;
	b.memory_mb = 1024;
	b.tftp_mc_gather_ms = 0;
	rb_config_restart_needed(&a, &b, buf, sizeof(buf));
	assert_string_equal(buf,
			    "port, port-frames, memory, tftp-multicast-gather");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_derived_pool),
		cmocka_unit_test(test_address_from_interface),
		cmocka_unit_test(test_command_line_errors),
		cmocka_unit_test(test_dhcp_options),
		cmocka_unit_test(test_file_values_and_override),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_restart_needed),
	};

	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
