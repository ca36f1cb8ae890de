/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The boot port: a kernel interface through af_packet or af_xdp, any DPDK
 * device string, or a PCI NIC that EAL probed; and the exception tap that
 * gives a PCI port's unhandled frames to the kernel.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_log.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>

#include "rackboot/port.h"

/* af_packet ring geometry: 2 KiB frames carry a 1500-byte MTU whole, and
 * 2048 of them absorb a burst of a thousand clients */
#define AFP_ARGS "blocksz=4096,framesz=2048,framecnt=2048"

int
rb_port_is_pci(const char *spec)
{
	unsigned int d, b, s, f;
	char tail;

	if (sscanf(spec, "%4x:%2x:%2x.%1u%c", &d, &b, &s, &f, &tail) == 4)
		return 1;
	return sscanf(spec, "%2x:%2x.%1u%c", &b, &s, &f, &tail) == 3;
}

enum rb_port_kind
rb_port_kind_of(const char *spec, const char *driver)
{
	if (rb_port_is_pci(spec))
		return RB_PORT_PCI;
	/* device strings name a driver ("net_tap0,iface=x"); interface
	 * names cannot hold a comma */
	if (strncmp(spec, "net_", 4) == 0 || strchr(spec, ','))
		return RB_PORT_DEVICE;
	if (driver && strcmp(driver, "af_xdp") == 0)
		return RB_PORT_AF_XDP;
	return RB_PORT_AF_PACKET;
}

/** Create a virtual device and find its port. */
static int
vdev_open(const char *name, const char *args, uint16_t *port_id, char *err,
	  size_t errlen)
{
	int rc = rte_vdev_init(name, args);

	if (rc < 0) {
		snprintf(err, errlen, "creating %s (%s): %s", name,
			 args ? args : "", rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_get_port_by_name(name, port_id);
	if (rc < 0)
		snprintf(err, errlen, "%s created but has no ethdev port",
			 name);
	return rc;
}

/**
 * Keep out of the af_packet PMD's rings on @p ifindex what the worker
 * would only drop: the frames the kernel itself sends on that interface,
 * and TCP (the kernel's HTTP, both ways).  Without this every frame of a
 * storm's HTTP traffic (gigabytes) is copied into the rings for nothing,
 * crowding out what clients send.  The PMD joins its sockets to a fanout
 * group, whose hook ignores PACKET_IGNORE_OUTGOING on a member, so a
 * socket filter does it.  The PMD keeps its sockets to itself: they are
 * found by what they are bound to.
 *
 * @return how many sockets took the filter
 */
static unsigned int
afp_filter(unsigned int ifindex)
{
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 5, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTE_ETHER_TYPE_IPV4, 0, 2),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, 0x40000),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		struct sockaddr_ll sll;
		socklen_t len = sizeof(int);
		int fd = atoi(e->d_name), dom = 0;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' ||
		    fd == dirfd(d) ||
		    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) < 0 ||
		    dom != AF_PACKET)
			continue;
		len = sizeof(sll);
		if (getsockname(fd, (struct sockaddr *)&sll, &len) < 0 ||
		    (unsigned int)sll.sll_ifindex != ifindex)
			continue;
		if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			       sizeof(prog)) == 0)
			n++;
	}
	closedir(d);
	return n;
}

int
rb_port_open(enum rb_port_kind kind, const char *spec, unsigned int nb_queues,
	     const char *xdp_prog, uint16_t *port_id, char *err, size_t errlen)
{
	char args[512], name[128];
	const char *comma;
	int rc;

	switch (kind) {
	case RB_PORT_AF_PACKET:
		if (if_nametoindex(spec) == 0) {
			snprintf(err, errlen, "no interface '%s'", spec);
			return -ENODEV;
		}
		snprintf(args, sizeof(args), "iface=%s,qpairs=%u," AFP_ARGS,
			 spec, nb_queues);
		rc = vdev_open("net_af_packet0", args, port_id, err, errlen);
		if (rc == 0 && afp_filter(if_nametoindex(spec)) == 0)
			RTE_LOG(WARNING, USER1, "%s: no filter on the af_packet "
				"sockets: the kernel's own and TCP frames "
				"reach the rings too\n", spec);
		return rc;
	case RB_PORT_AF_XDP:
		if (if_nametoindex(spec) == 0) {
			snprintf(err, errlen, "no interface '%s'", spec);
			return -ENODEV;
		}
		/* busy_budget=0: busy polling gains nothing on a veth and
		 * fails where the kernel lacks it.  Our XDP program leaves
		 * the kernel everything rackbootd does not serve. */
		snprintf(args, sizeof(args),
			 "iface=%s,start_queue=0,queue_count=%u,busy_budget=0,"
			 "xdp_prog=%s",
			 spec, nb_queues, xdp_prog);
		return vdev_open("net_af_xdp0", args, port_id, err, errlen);
	case RB_PORT_DEVICE:
		comma = strchr(spec, ',');
		snprintf(name, sizeof(name), "%.*s",
			 comma ? (int)(comma - spec) : (int)strlen(spec), spec);
		/* a device EAL created from --eal --vdev is already there */
		if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
			return 0;
		return vdev_open(name, comma ? comma + 1 : "", port_id, err,
				 errlen);
	case RB_PORT_PCI:
		/* EAL probed it through -a; its name has a domain */
		snprintf(name, sizeof(name), "%s%s",
			 strlen(spec) < 10 ? "0000:" : "", spec);
		rc = rte_eth_dev_get_port_by_name(name, port_id);
		if (rc < 0)
			snprintf(err, errlen,
				 "PCI device %s has no DPDK port (bound to "
				 "vfio-pci?)", name);
		return rc;
	}
	snprintf(err, errlen, "unknown port kind");
	return -EINVAL;
}

/** Give interface @p ifname address @p ip/@p prefix. */
static int
set_iface_address(const char *ifname, uint32_t ip, unsigned int prefix,
		  char *err, size_t errlen)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ifr.ifr_addr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = ip;
	if (ioctl(fd, SIOCSIFADDR, &ifr) < 0)
		rc = -errno;
	sin->sin_addr.s_addr =
		htonl(prefix == 0 ? 0 : UINT32_MAX << (32 - prefix));
	if (rc == 0 && ioctl(fd, SIOCSIFNETMASK, &ifr) < 0)
		rc = -errno;
	if (rc)
		snprintf(err, errlen, "giving %s its address: %s", ifname,
			 strerror(-rc));
	close(fd);
	return rc;
}

int
rb_exception_tap_open(const char *ifname, const struct rte_ether_addr *mac,
		      uint32_t ip, unsigned int prefix, uint16_t *port_id,
		      char *err, size_t errlen)
{
	char args[128], macs[RTE_ETHER_ADDR_FMT_SIZE];
	int rc;

	rte_ether_format_addr(macs, sizeof(macs), mac);
	/* the kernel side carries the boot port's MAC: clients that ARP
	 * for the node's address reach the boot port */
	snprintf(args, sizeof(args), "iface=%s,mac=%s", ifname, macs);
	rc = vdev_open("net_tap_rbexc", args, port_id, err, errlen);
	if (rc < 0 || ip == 0)
		return rc;
	return set_iface_address(ifname, ip, prefix, err, errlen);
}
