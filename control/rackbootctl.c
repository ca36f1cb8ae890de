/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rackbootctl: asks a running rackbootd over its control socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#define DEFAULT_CONTROL "/run/rackboot/rackbootd.sock"

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: rackbootctl [--socket PATH] [--json] COMMAND\n"
		"Commands:\n"
		"  status   port, address, pool, workers, generation, uptime\n"
		"  stats    dataplane counters, drops by reason\n"
		"  reload   re-read the configuration (like SIGHUP)\n"
		"  leases   the DHCP leases on disk\n"
		"  machines each machine's boot: its stages and when "
		"(seconds after\n"
		"           its DISCOVER)\n"
		"  profile-for MAC [key=value...]\n"
		"           the group and profile the machine would get, "
		"and why\n"
		"           (facts: uuid=, ip=, hostname=, arch=, any "
		"label)\n"
		"Options:\n"
		"  --socket PATH  rackbootd's control socket (default "
		DEFAULT_CONTROL ")\n"
		"  --json         print the daemon's JSON answer as it is\n");
}

/** Send @p cmd, return the parsed answer or NULL with a message printed. */
static json_t *
ask(const char *path, const char *cmd)
{
	struct sockaddr_un sun;
	json_error_t jerr;
	json_t *o;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "rackbootctl: socket path too long\n");
		return NULL;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "rackbootctl: %s: %s (is rackbootd running?)\n",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (dprintf(fd, "%s\n", cmd) < 0) {
		fprintf(stderr, "rackbootctl: %s: %s\n", path, strerror(errno));
		close(fd);
		return NULL;
	}
	/* the answer is one JSON document, as long as the lease list is */
	o = json_loadfd(fd, JSON_DISABLE_EOF_CHECK, &jerr);
	close(fd);
	if (o == NULL)
		fprintf(stderr, "rackbootctl: bad answer from rackbootd: %s\n",
			jerr.text);
	return o;
}

static void
print_value(const char *key, json_t *v)
{
	if (json_is_string(v))
		printf("%-24s %s\n", key, json_string_value(v));
	else if (json_is_integer(v))
		printf("%-24s %lld\n", key, (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		printf("%-24s %s\n", key, json_is_true(v) ? "yes" : "no");
}

static void
print_human(const char *cmd, json_t *o)
{
	const char *key;
	json_t *v;

	if (strcmp(cmd, "leases") == 0) {
		size_t i;

		printf("%-16s %-18s %-9s %-20s %s\n", "ADDRESS", "MAC", "STATE",
		       "EXPIRES", "CLIENT-ID");
		json_array_foreach(json_object_get(o, "leases"), i, v) {
			time_t t = (time_t)json_integer_value(
				json_object_get(v, "expires"));
			char when[32];

			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
				 localtime(&t));
			printf("%-16s %-18s %-9s %-20s %s\n",
			       json_string_value(json_object_get(v, "ip")),
			       json_string_value(json_object_get(v, "mac")),
			       json_string_value(json_object_get(v, "state")),
			       when,
			       json_string_value(
				       json_object_get(v, "client_id")));
		}
		return;
	}
	if (strcmp(cmd, "machines") == 0) {
		static const char *const stages[] = {
			"discover", "offer", "ack", "boot_program", "script",
			"kernel", "initrd", "done",
		};
		size_t i, s;

		printf("%-18s %-16s %-14s %-13s %5s  %s\n", "MAC", "IP",
		       "GROUP", "STAGE", "BOOTS", "STAGES (s after DISCOVER)");
		json_array_foreach(json_object_get(o, "machines"), i, v) {
			json_t *t = json_object_get(v, "times");
			double t0 = json_real_value(json_object_get(t, "discover"));

			printf("%-18s %-16s %-14s %-13s %5lld ",
			       json_string_value(json_object_get(v, "mac")),
			       json_string_value(json_object_get(v, "ip")),
			       json_string_value(json_object_get(v, "group")),
			       json_string_value(json_object_get(v, "stage")),
			       (long long)json_integer_value(
				       json_object_get(v, "boots")));
			for (s = 0; s < sizeof(stages) / sizeof(stages[0]); s++) {
				json_t *x = json_object_get(t, stages[s]);

				if (x && t0 > 0)
					printf(" %s=%.2f", stages[s],
					       json_real_value(x) - t0);
				else if (x)
					printf(" %s", stages[s]);
			}
			putchar('\n');
		}
		if (json_integer_value(json_object_get(o, "events_lost")))
			printf("(%lld boot events lost: the queue was full)\n",
			       (long long)json_integer_value(
				       json_object_get(o, "events_lost")));
		return;
	}
	if (strcmp(cmd, "stats") == 0) {
		json_object_foreach(json_object_get(o, "counters"), key, v)
			printf("%-28s %lld\n", key,
			       (long long)json_integer_value(v));
		printf("%-28s %lld\n", "drops_total",
		       (long long)json_integer_value(
			       json_object_get(o, "drops_total")));
		return;
	}
	json_object_foreach(o, key, v)
		print_value(key, v);
}

int
main(int argc, char **argv)
{
	const char *path = DEFAULT_CONTROL, *cmd = NULL;
	char line[1024];
	size_t used = 0;
	int json = 0, i, rc = 0;
	json_t *o;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strncmp(argv[i], "--socket=", 9) == 0)
			path = argv[i] + 9;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--help") == 0 ||
			 strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (cmd && strcmp(cmd, "profile-for") == 0 &&
			   argv[i][0] != '-') {
			/* its arguments go along on the command's line */
			int n = snprintf(line + used, sizeof(line) - used, " %s",
					 argv[i]);

			if (n < 0 || (size_t)n >= sizeof(line) - used ||
			    strchr(argv[i], '\n')) {
				fprintf(stderr, "rackbootctl: arguments too long\n");
				return 2;
			}
			used += (size_t)n;
		} else if (argv[i][0] == '-' || cmd) {
			usage(stderr);
			return 2;
		} else {
			cmd = argv[i];
			used = (size_t)snprintf(line, sizeof(line), "%s", cmd);
		}
	}
	if (cmd && strcmp(cmd, "profile-for") == 0 &&
	    used == strlen("profile-for")) {
		usage(stderr);
		return 2;
	}
	if (cmd == NULL || (strcmp(cmd, "status") && strcmp(cmd, "stats") &&
			    strcmp(cmd, "reload") && strcmp(cmd, "leases") &&
			    strcmp(cmd, "machines") &&
			    strcmp(cmd, "profile-for"))) {
		usage(stderr);
		return 2;
	}
	o = ask(path, line);
	if (o == NULL)
		return 1;
	if (json_object_get(o, "error")) {
		fprintf(stderr, "rackbootctl: %s\n",
			json_string_value(json_object_get(o, "error")));
		rc = 1;
	} else if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		print_human(cmd, o);
	}
	json_decref(o);
	return rc;
}
