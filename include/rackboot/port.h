/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Opening the boot port and the exception tap, and building EAL's
 * arguments for this machine.
 */
#ifndef RACKBOOT_PORT_H
#define RACKBOOT_PORT_H

#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

/** How the boot port reaches the wire. */
enum rb_port_kind {
	RB_PORT_AF_PACKET, /**< kernel interface through AF_PACKET (default) */
	RB_PORT_AF_XDP,    /**< kernel interface through AF_XDP */
	RB_PORT_DEVICE,    /**< a DPDK device string (net_tap0,..., net_ring) */
	RB_PORT_PCI,       /**< a PCI NIC bound to vfio-pci */
};

/**
 * Say what kind of port a --port value names.
 *
 * @param spec    the --port value: an interface, a device string or a PCI
 *                address
 * @param driver  the --port-driver value ("af_packet" or "af_xdp") for
 *                interfaces
 * @return its kind
 */
enum rb_port_kind rb_port_kind_of(const char *spec, const char *driver);

/** @return whether @p spec is a PCI address (0000:03:00.0 or 03:00.0). */
int rb_port_is_pci(const char *spec);

/** What EAL needs to know to start. */
struct rb_eal_conf {
	const char *lcores;   /**< -l list */
	unsigned int memory_mb;
	const char *pci;      /**< allow-listed PCI device, or NULL for --no-pci */
	const char *extra;    /**< more EAL arguments, space separated, or NULL */
	const char *log_level; /**< EAL's own log level */
	int hugepages;        /**< back memory with hugepages (in memory) */
};

#define RB_EAL_MAX_ARGS 64

/**
 * Build EAL's argument vector: hugepages in memory (--in-memory) when
 * asked, otherwise --no-huge; a file prefix unique to this process.
 *
 * @param c        the settings
 * @param buf      storage for the strings
 * @param buflen   size of @p buf
 * @param argv     filled with at most RB_EAL_MAX_ARGS pointers into @p buf
 * @return argc, or -1 when @p buf is too small or there are too many args
 */
int rb_eal_args(const struct rb_eal_conf *c, char *buf, size_t buflen,
		char **argv);

/**
 * @param memory_mb  the memory EAL will ask for
 * @return whether this machine's free hugepages hold @p memory_mb
 */
int rb_eal_have_hugepages(unsigned int memory_mb);

/**
 * Create and probe the boot port.
 *
 * @param kind      what rb_port_kind_of() said
 * @param spec      the --port value
 * @param nb_queues rx/tx queue pairs wanted (one per worker)
 * @param xdp_prog  for af_xdp: the XDP program object to load
 * @param frames    for af_packet: frames in each ring (even)
 * @param port_id   the new port's id
 * @param err       a reason on failure
 * @param errlen    size of @p err
 * @return 0 or a negative errno
 */
int rb_port_open(enum rb_port_kind kind, const char *spec,
		 unsigned int nb_queues, const char *xdp_prog,
		 unsigned int frames, uint16_t *port_id, char *err,
		 size_t errlen);

/**
 * Frames the boot port lost because a receive ring was full, since it
 * opened: on af_packet the kernel's count for the PMD's sockets (the PMD
 * reports none), otherwise the port's imissed.  Safe from any thread.
 *
 * @param port_id  the boot port
 * @return the count
 */
uint64_t rb_port_missed(uint16_t port_id);

/**
 * Create the exception tap: a kernel interface named @p ifname that carries
 * the node's address and the boot port's MAC, so the kernel's TCP/ARP work
 * as if it owned the boot port.
 *
 * @param ifname   the tap's interface name
 * @param mac      the boot port's MAC
 * @param ip       address to give the tap (network order), 0 for none
 * @param prefix   its prefix length
 * @param port_id  the tap's DPDK port id
 * @param err      a reason on failure
 * @param errlen   size of @p err
 * @return 0 or a negative errno
 */
int rb_exception_tap_open(const char *ifname, const struct rte_ether_addr *mac,
			  uint32_t ip, unsigned int prefix, uint16_t *port_id,
			  char *err, size_t errlen);

#endif
