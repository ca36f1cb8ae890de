/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building test frames by hand, byte by byte, so the codec is checked
 * against independently written packets rather than against itself.
 */
#ifndef RB_TEST_FRAMES_H
#define RB_TEST_FRAMES_H

#include <stdint.h>
#include <string.h>

#define T_OUR_MAC 0x02, 0x00, 0x00, 0x00, 0x00, 0x01
#define T_CLIENT_MAC 0x02, 0x00, 0x00, 0x00, 0x00, 0x99
#define T_BCAST_MAC 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define T_OUR_IP 10, 99, 0, 1
#define T_CLIENT_IP 10, 99, 0, 50

/** The Internet checksum of @p len bytes, computed naively. */
static inline uint16_t
t_cksum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline void
t_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * An Ethernet + IPv4 frame carrying @p l4 (@p l4len bytes) with protocol
 * @p proto; UDP checksums are filled in when @p proto is 17 and the UDP
 * checksum field is 0xffff as a marker.
 * @return the frame length
 */
static inline size_t
t_ipv4(uint8_t *buf, const uint8_t dst_mac[6], const uint8_t src_ip[4],
       const uint8_t dst_ip[4], uint8_t proto, const uint8_t *l4,
       size_t l4len)
{
	static const uint8_t client_mac[6] = {T_CLIENT_MAC};
	uint8_t *ip = buf + 14;
	size_t tot = 20 + l4len;

	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, client_mac, 6);
	t_put16(buf + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	t_put16(ip + 2, (uint16_t)tot);
	t_put16(ip + 4, 0x1234);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, src_ip, 4);
	memcpy(ip + 16, dst_ip, 4);
	t_put16(ip + 10, t_cksum(ip, 20, 0));
	memcpy(ip + 20, l4, l4len);
	return 14 + tot;
}

/** Fill in the UDP checksum of the datagram in an IPv4 frame. */
static inline void
t_udp_cksum(uint8_t *frame)
{
	uint8_t *ip = frame + 14, *udp = ip + 20;
	uint16_t ulen = (uint16_t)(udp[4] << 8 | udp[5]);
	uint32_t sum = 0;
	uint16_t c;

	sum += (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]);
	sum += (uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]);
	sum += 17 + ulen;
	udp[6] = udp[7] = 0;
	c = t_cksum(udp, ulen, sum);
	t_put16(udp + 6, c ? c : 0xffff);
}

/** A UDP frame with any addresses and a binary payload. */
static inline size_t
t_udp_raw(uint8_t *buf, const uint8_t dst_mac[6], const uint8_t src_ip[4],
	  const uint8_t dst_ip[4], uint16_t sport, uint16_t dport,
	  const uint8_t *payload, size_t plen)
{
	static uint8_t udp[1600];
	size_t len;

	t_put16(udp, sport);
	t_put16(udp + 2, dport);
	t_put16(udp + 4, (uint16_t)(8 + plen));
	t_put16(udp + 6, 0);
	memcpy(udp + 8, payload, plen);
	len = t_ipv4(buf, dst_mac, src_ip, dst_ip, 17, udp, 8 + plen);
	t_udp_cksum(buf);
	return len;
}

/** A UDP frame from the client to @p dst_ip:@p dport with @p payload. */
static inline size_t
t_udp(uint8_t *buf, const uint8_t dst_mac[6], const uint8_t dst_ip[4],
      uint16_t sport, uint16_t dport, const char *payload)
{
	static const uint8_t client_ip[4] = {T_CLIENT_IP};

	return t_udp_raw(buf, dst_mac, client_ip, dst_ip, sport, dport,
			 (const uint8_t *)payload, strlen(payload));
}

/** An ICMP echo request from the client, @p datalen bytes of data. */
static inline size_t
t_ping(uint8_t *buf, const uint8_t dst_mac[6], const uint8_t dst_ip[4],
       size_t datalen)
{
	static const uint8_t client_ip[4] = {T_CLIENT_IP};
	uint8_t icmp[1500];
	size_t i;

	memset(icmp, 0, 8);
	icmp[0] = 8; /* echo request */
	t_put16(icmp + 4, 0x4242); /* id */
	t_put16(icmp + 6, 7);      /* sequence */
	for (i = 0; i < datalen; i++)
		icmp[8 + i] = (uint8_t)i;
	t_put16(icmp + 2, t_cksum(icmp, 8 + datalen, 0));
	return t_ipv4(buf, dst_mac, client_ip, dst_ip, 1, icmp, 8 + datalen);
}

/** An ARP request from the client for @p target, padded to 60 bytes. */
static inline size_t
t_arp_request(uint8_t *buf, const uint8_t target[4])
{
	static const uint8_t hdr[] = {T_BCAST_MAC, T_CLIENT_MAC, 0x08, 0x06,
				      0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
				      T_CLIENT_MAC, T_CLIENT_IP,
				      0, 0, 0, 0, 0, 0};

	memset(buf, 0, 60);
	memcpy(buf, hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), target, 4);
	return 60;
}

#endif
