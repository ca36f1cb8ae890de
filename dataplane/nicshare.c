/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rackboot/nicshare.h"

/** A socket on @p ifname:@p port that accepts nothing. */
static int
hold_one(const char *ifname, uint16_t port)
{
	/* classic BPF "return 0": every datagram is dropped on arrival */
	struct sock_filter drop_all[] = {{BPF_RET | BPF_K, 0, 0, 0}};
	struct sock_fprog prog = {1, drop_all};
	struct sockaddr_in sin;
	int one = 1, small = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		       sizeof(prog)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int
rb_ports_hold(struct rb_held_ports *held, const char *ifname, uint16_t lo,
	      uint16_t hi, char *err, size_t errlen)
{
	unsigned int want = (unsigned int)(hi - lo) + 1;
	int *fds = realloc(held->fds, (held->nb + want) * sizeof(int));
	int taken = 0;
	unsigned int p;

	if (fds == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	held->fds = fds;
	for (p = lo; p <= hi; p++) {
		int fd = hold_one(ifname, (uint16_t)p);

		if (fd == -EADDRINUSE) {
			taken++;
			continue;
		}
		if (fd < 0) {
			snprintf(err, errlen, "holding UDP port %u on %s: %s",
				 p, ifname, strerror(-fd));
			return -1;
		}
		held->fds[held->nb++] = fd;
	}
	return taken;
}

void
rb_ports_release(struct rb_held_ports *held)
{
	unsigned int i;

	for (i = 0; i < held->nb; i++)
		close(held->fds[i]);
	free(held->fds);
	held->fds = NULL;
	held->nb = 0;
}
