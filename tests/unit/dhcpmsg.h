/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building DHCP requests byte by byte for tests: a fixed header, the
 * cookie, then options appended one by one.
 */
#ifndef RB_TEST_DHCPMSG_H
#define RB_TEST_DHCPMSG_H

#include <stdint.h>
#include <string.h>

struct tmsg {
	uint8_t b[1600];
	size_t len;
};

/** A BOOTREQUEST from @p mac with transaction id @p xid. */
static inline void
tmsg_start(struct tmsg *t, const uint8_t mac[6], uint32_t xid)
{
	memset(t->b, 0, sizeof(t->b));
	t->b[0] = 1;  /* BOOTREQUEST */
	t->b[1] = 1;  /* Ethernet */
	t->b[2] = 6;
	t->b[4] = (uint8_t)(xid >> 24);
	t->b[5] = (uint8_t)(xid >> 16);
	t->b[6] = (uint8_t)(xid >> 8);
	t->b[7] = (uint8_t)xid;
	memcpy(t->b + 28, mac, 6);
	t->b[236] = 99;
	t->b[237] = 130;
	t->b[238] = 83;
	t->b[239] = 99;
	t->len = 240;
}

static inline void
tmsg_opt(struct tmsg *t, uint8_t code, const void *val, uint8_t len)
{
	t->b[t->len++] = code;
	t->b[t->len++] = len;
	memcpy(t->b + t->len, val, len);
	t->len += len;
}

static inline void
tmsg_type(struct tmsg *t, uint8_t type)
{
	tmsg_opt(t, 53, &type, 1);
}

static inline void
tmsg_str(struct tmsg *t, uint8_t code, const char *s)
{
	tmsg_opt(t, code, s, (uint8_t)strlen(s));
}

static inline void
tmsg_ip(struct tmsg *t, uint8_t code, const uint8_t ip[4])
{
	tmsg_opt(t, code, ip, 4);
}

static inline void
tmsg_arch(struct tmsg *t, uint16_t arch)
{
	uint8_t a[2] = {(uint8_t)(arch >> 8), (uint8_t)arch};

	tmsg_opt(t, 93, a, 2);
}

static inline void
tmsg_end(struct tmsg *t)
{
	t->b[t->len++] = 255;
	while (t->len < 300)
		t->b[t->len++] = 0;
}

/** Set a 4-byte address field of the header (ciaddr 12, giaddr 24). */
static inline void
tmsg_addr(struct tmsg *t, size_t off, const uint8_t ip[4])
{
	memcpy(t->b + off, ip, 4);
}

#define TMSG_CIADDR 12
#define TMSG_YIADDR 16
#define TMSG_SIADDR 20
#define TMSG_GIADDR 24

/** Find option @p code in a reply's options area; its length in *len. */
static inline const uint8_t *
tmsg_find(const uint8_t *p, size_t len, uint8_t code, uint8_t *olen)
{
	size_t i = 240;

	while (i + 1 < len) {
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (p[i] == 255)
			return NULL;
		if (p[i] == code) {
			*olen = p[i + 1];
			return p + i + 2;
		}
		i += 2u + p[i + 1];
	}
	return NULL;
}

#endif
