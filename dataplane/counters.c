/* SPDX-License-Identifier: BSD-3-Clause */
/* Counter names and descriptions, from the tables in counters.h. */
#include "rackboot/counters.h"

static const char *const counter_names[RB_CTR_MAX] = {
#define RB_X(name, help) [RB_CTR_##name] = #name,
	RB_EVENT_COUNTERS(RB_X)
#undef RB_X
#define RB_X(name, help) [RB_CTR_DROP_##name] = "drop." #name,
	RB_DROP_REASONS(RB_X)
#undef RB_X
};

static const char *const counter_helps[RB_CTR_MAX] = {
#define RB_X(name, help) [RB_CTR_##name] = help,
	RB_EVENT_COUNTERS(RB_X)
#undef RB_X
#define RB_X(name, help) [RB_CTR_DROP_##name] = help,
	RB_DROP_REASONS(RB_X)
#undef RB_X
};

const char *
rb_counter_name(enum rb_counter id)
{
	return id < RB_CTR_MAX && counter_names[id] ? counter_names[id] : "?";
}

const char *
rb_counter_help(enum rb_counter id)
{
	return id < RB_CTR_MAX && counter_helps[id] ? counter_helps[id] : "";
}
