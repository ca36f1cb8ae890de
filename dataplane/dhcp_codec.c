/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DHCP message codec: the option table of a request, and a bounded writer
 * for replies.  Every length is checked before it is used.
 */
#include <string.h>

#include <rte_byteorder.h>

#include "rackboot/dhcp.h"

#define DROP(reason) (RB_CTR_DROP_##reason)

/**
 * Record option @p code; a second occurrence is joined to the first
 * (RFC 3396) in the scratch space.
 */
static rb_drop_t
add_option(struct rb_dhcp_msg *m, uint8_t code, const uint8_t *val,
	   uint8_t len)
{
	uint16_t have = m->opt_len[code];
	uint8_t *dst;

	if (m->opt[code] == NULL) {
		m->opt[code] = val;
		m->opt_len[code] = len;
		return RB_DROP_NONE;
	}
	if ((size_t)m->scratch_used + have + len > sizeof(m->scratch) ||
	    have + len > 255)
		return DROP(dhcp_option_overflow);
	dst = m->scratch + m->scratch_used;
	memmove(dst, m->opt[code], have);
	memcpy(dst + have, val, len);
	m->scratch_used = (uint16_t)(m->scratch_used + have + len);
	m->opt[code] = dst;
	m->opt_len[code] = (uint16_t)(have + len);
	return RB_DROP_NONE;
}

/**
 * Read the options of one area.
 *
 * @param m         the message
 * @param p         the area
 * @param len       its length
 * @param overload  set from option 52, when @p is_main
 * @param is_main   the options field (the only place option 52 may be)
 */
static rb_drop_t
scan_area(struct rb_dhcp_msg *m, const uint8_t *p, size_t len, int *overload,
	  int is_main)
{
	size_t i = 0;
	rb_drop_t drop;

	while (i < len) {
		uint8_t code = p[i], olen;

		if (code == RB_OPT_PAD) {
			i++;
			continue;
		}
		if (code == RB_OPT_END)
			return RB_DROP_NONE;
		if (i + 1 >= len)
			return DROP(dhcp_bad_option);
		olen = p[i + 1];
		if (i + 2 + olen > len)
			return DROP(dhcp_bad_option);
		if (code == RB_OPT_OVERLOAD) {
			if (!is_main || olen != 1 || p[i + 2] < 1 ||
			    p[i + 2] > 3 || *overload)
				return DROP(dhcp_bad_overload);
			*overload = p[i + 2];
		}
		drop = add_option(m, code, p + i + 2, olen);
		if (drop)
			return drop;
		i += 2u + olen;
	}
	/* no END: the area's end ends it, as most servers accept */
	return RB_DROP_NONE;
}

rb_drop_t
rb_dhcp_parse(const uint8_t *buf, size_t len, struct rb_dhcp_msg *m)
{
	const struct rb_dhcp_hdr *h = (const struct rb_dhcp_hdr *)buf;
	int overload = 0;
	rb_drop_t drop;

	memset(m->opt, 0, sizeof(m->opt));
	memset(m->opt_len, 0, sizeof(m->opt_len));
	m->scratch_used = 0;
	m->type = 0;
	m->hdr = h;
	if (len < RB_DHCP_MIN_LEN)
		return DROP(dhcp_truncated);
	if (len > RB_DHCP_MAX_LEN)
		return DROP(dhcp_oversized);
	if (h->op != 1)
		return DROP(dhcp_bad_op);
	if (h->hlen > 16 || (h->htype == 1 && h->hlen != 6))
		return DROP(dhcp_bad_hw);
	if (h->magic != rte_cpu_to_be_32(RB_DHCP_MAGIC))
		return DROP(dhcp_bad_cookie);
	drop = scan_area(m, buf + RB_DHCP_MIN_LEN, len - RB_DHCP_MIN_LEN,
			 &overload, 1);
	/* RFC 2131 4.1: file first, then sname */
	if (!drop && (overload & 1))
		drop = scan_area(m, h->file, sizeof(h->file), &overload, 0);
	if (!drop && (overload & 2))
		drop = scan_area(m, h->sname, sizeof(h->sname), &overload, 0);
	if (drop)
		return drop;
	if (m->opt[RB_OPT_MSG_TYPE] == NULL || m->opt_len[RB_OPT_MSG_TYPE] != 1)
		return DROP(dhcp_no_msg_type);
	m->type = m->opt[RB_OPT_MSG_TYPE][0];
	switch (m->type) {
	case RB_DHCPDISCOVER:
	case RB_DHCPREQUEST:
	case RB_DHCPDECLINE:
	case RB_DHCPRELEASE:
	case RB_DHCPINFORM:
		return RB_DROP_NONE;
	default:
		return DROP(dhcp_bad_msg_type);
	}
}

uint32_t
rb_dhcp_opt_ip(const struct rb_dhcp_msg *m, uint8_t code)
{
	uint32_t v;

	if (m->opt[code] == NULL || m->opt_len[code] != 4)
		return 0;
	memcpy(&v, m->opt[code], 4);
	return v;
}

void
rb_dhcp_reply_start(struct rb_dhcp_writer *w, uint8_t *buf, size_t cap,
		    const struct rb_dhcp_msg *req, uint8_t type)
{
	struct rb_dhcp_hdr *h = (struct rb_dhcp_hdr *)(void *)buf;
	const struct rb_dhcp_hdr *q = req->hdr;

	memset(h, 0, sizeof(*h));
	h->op = 2;
	h->htype = q->htype;
	h->hlen = q->hlen;
	h->xid = q->xid;
	h->flags = q->flags;
	h->giaddr = q->giaddr;
	memcpy(h->chaddr, q->chaddr, sizeof(h->chaddr));
	h->magic = rte_cpu_to_be_32(RB_DHCP_MAGIC);
	w->buf = buf;
	w->len = RB_DHCP_MIN_LEN;
	w->cap = cap;
	w->overflow = 0;
	rb_dhcp_put(w, RB_OPT_MSG_TYPE, &type, 1);
}

void
rb_dhcp_put(struct rb_dhcp_writer *w, uint8_t code, const void *val,
	    size_t len)
{
	/* keep a byte for END */
	if (len > 255 || w->len + 2 + len + 1 > w->cap) {
		w->overflow = 1;
		return;
	}
	w->buf[w->len] = code;
	w->buf[w->len + 1] = (uint8_t)len;
	memcpy(w->buf + w->len + 2, val, len);
	w->len += 2 + len;
}

void
rb_dhcp_put_u32(struct rb_dhcp_writer *w, uint8_t code, uint32_t be)
{
	rb_dhcp_put(w, code, &be, 4);
}

void
rb_dhcp_put_str(struct rb_dhcp_writer *w, uint8_t code, const char *s)
{
	rb_dhcp_put(w, code, s, strnlen(s, 255));
}

size_t
rb_dhcp_finish(struct rb_dhcp_writer *w)
{
	w->buf[w->len++] = RB_OPT_END;
	/* BOOTP relays and old clients expect at least 300 bytes */
	if (w->len < 300 && w->cap >= 300) {
		memset(w->buf + w->len, 0, 300 - w->len);
		w->len = 300;
	}
	return w->len;
}
