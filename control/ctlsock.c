/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsock.h"

static int
set_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -1;
	strcpy(sun->sun_path, path);
	return 0;
}

/** Whether a rackbootd answers on @p path. */
static int
socket_alive(const char *path)
{
	struct sockaddr_un sun;
	int fd, alive;

	if (set_addr(&sun, path))
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	alive = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return alive;
}

int
rb_ctl_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	char dir[PATH_MAX];
	struct stat st;
	mode_t old;
	int fd;

	if (set_addr(&sun, path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "control socket directory %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket",
				 path);
			return -1;
		}
		if (socket_alive(path)) {
			snprintf(err, errlen,
				 "%s: another rackbootd is running", path);
			return -1;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	/* no window in which the socket exists with a wider mode */
	old = umask(0077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
		snprintf(err, errlen, "control socket %s: %s", path,
			 strerror(errno));
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}

static void
reply(int fd, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	size_t len, off = 0;

	if (s == NULL)
		return;
	len = strlen(s);
	s[len] = '\n'; /* json_dumps' NUL becomes the line end */
	while (off <= len) {
		ssize_t n = send(fd, s + off, len + 1 - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(s);
}

void
rb_ctl_serve(int lfd, rb_ctl_handler_t h, void *ctx)
{
	struct timeval tv = {1, 0};
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char buf[512];
	size_t used = 0;
	json_t *o;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
	    (cred.uid != geteuid() && cred.uid != 0)) {
		o = json_pack("{s:s}", "error", "permission denied");
		reply(fd, o);
		json_decref(o);
		close(fd);
		return;
	}
	/* a client that never finishes its line cannot stall the control
	 * thread for more than a second */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (used < sizeof(buf) - 1) {
		ssize_t n = recv(fd, buf + used, sizeof(buf) - 1 - used, 0);

		if (n <= 0)
			break;
		used += (size_t)n;
		if (memchr(buf, '\n', used))
			break;
	}
	buf[used] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0')
		o = json_pack("{s:s}", "error", "empty or unfinished command");
	else
		o = h(ctx, buf);
	if (o) {
		reply(fd, o);
		json_decref(o);
	}
	close(fd);
}

void
rb_ctl_close(int lfd, const char *path)
{
	if (lfd >= 0) {
		close(lfd);
		unlink(path);
	}
}
