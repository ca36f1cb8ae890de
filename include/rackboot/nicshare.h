/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Sharing an af_packet boot port with the kernel.
 *
 * On an af_packet port the kernel sees every frame rackbootd sees.  A UDP
 * datagram to a port no kernel socket holds makes the kernel answer "ICMP
 * port unreachable", which tells a PXE client the server is gone while
 * rackbootd is answering it.  So rackbootd holds each UDP port it serves
 * with a kernel socket bound to the boot interface whose filter drops every
 * datagram: the kernel finds a listener, says nothing, and queues nothing.
 */
#ifndef RACKBOOT_NICSHARE_H
#define RACKBOOT_NICSHARE_H

#include <stddef.h>
#include <stdint.h>

/** The kernel sockets holding our ports. */
struct rb_held_ports {
	int *fds;
	unsigned int nb;
};

/**
 * Hold UDP ports @p lo to @p hi on interface @p ifname.
 *
 * @param held    sockets are added here
 * @param ifname  the boot interface
 * @param lo      first port, host order
 * @param hi      last port, host order
 * @param err     the reason on failure
 * @param errlen  size of @p err
 * @return the number of ports another socket already held (the kernel
 *         stays quiet on those too), or -1 with @p err set
 */
int rb_ports_hold(struct rb_held_ports *held, const char *ifname, uint16_t lo,
		  uint16_t hi, char *err, size_t errlen);

/** Close every held socket. */
void rb_ports_release(struct rb_held_ports *held);

#endif
