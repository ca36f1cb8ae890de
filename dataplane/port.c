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

/* af_packet ring geometry: 2 KiB frames carry a 1500-byte MTU whole, two
 * to a page-sized block, so the ring needs no large contiguous pages
 * however many frames it has */
#define AFP_ARGS "blocksz=4096,framesz=2048"

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

/* The af_packet PMD's sockets, one a queue, found after it opened them:
 * their kernel drop counts are the port's only record of a full ring
 * (the PMD reports none).  One boot port per process. */
#define AFP_MAX_SOCKETS 64
static int afp_fds[AFP_MAX_SOCKETS];
static unsigned int afp_nb_fds;
static uint64_t afp_missed; /* summed from the sockets, which reset */

/**
 * Find the af_packet PMD's sockets on @p ifindex: it keeps them to itself,
 * so they are found by what they are bound to.
 *
 * @param ifindex  the boot port's interface
 * @return how many were found (into afp_fds)
 */
static unsigned int
afp_find_sockets(unsigned int ifindex)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	afp_nb_fds = 0;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && afp_nb_fds < AFP_MAX_SOCKETS) {
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
		afp_fds[afp_nb_fds++] = fd;
	}
	closedir(d);
	return afp_nb_fds;
}

/**
 * Keep out of the af_packet PMD's rings what the worker would only drop:
 * the frames the kernel itself sends on the interface, and TCP (the
 * kernel's HTTP, both ways).  Without this every frame of a storm's HTTP
 * traffic (gigabytes) is copied into the rings for nothing, crowding out
 * what clients send.  The PMD joins its sockets to a fanout group, whose
 * hook ignores PACKET_IGNORE_OUTGOING on a member, so a socket filter
 * does it.
 *
 * @return how many sockets took the filter
 */
static unsigned int
afp_filter(void)
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
	unsigned int i, n = 0;

	for (i = 0; i < afp_nb_fds; i++)
		if (setsockopt(afp_fds[i], SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			       sizeof(prog)) == 0)
			n++;
	return n;
}

uint64_t
rb_port_missed(uint16_t port_id)
{
	struct rte_eth_stats st;
	unsigned int i;

	if (afp_nb_fds == 0)
		return rte_eth_stats_get(port_id, &st) == 0 ? st.imissed : 0;
	for (i = 0; i < afp_nb_fds; i++) {
		struct tpacket_stats ts;
		socklen_t len = sizeof(ts);

		/* reading resets the socket's counts: keep the sum */
		if (getsockopt(afp_fds[i], SOL_PACKET, PACKET_STATISTICS, &ts,
			       &len) == 0)
			__atomic_fetch_add(&afp_missed, ts.tp_drops,
					   __ATOMIC_RELAXED);
	}
	return __atomic_load_n(&afp_missed, __ATOMIC_RELAXED);
}

int
rb_port_open(enum rb_port_kind kind, const char *spec, unsigned int nb_queues,
	     const char *xdp_prog, unsigned int frames, uint16_t *port_id,
	     char *err, size_t errlen)
{
	char args[512], name[128];
	const char *comma;
	unsigned int ifindex;
	int rc;

	switch (kind) {
	case RB_PORT_AF_PACKET:
		ifindex = if_nametoindex(spec);
		if (ifindex == 0) {
			snprintf(err, errlen, "no interface '%s'", spec);
			return -ENODEV;
		}
		snprintf(args, sizeof(args),
			 "iface=%s,qpairs=%u," AFP_ARGS ",framecnt=%u", spec,
			 nb_queues, frames);
		rc = vdev_open("net_af_packet0", args, port_id, err, errlen);
		if (rc == 0)
			afp_find_sockets(ifindex);
		if (rc == 0 && afp_filter() == 0)
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
