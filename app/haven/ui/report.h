/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_REPORT_H
#define HAVEN_REPORT_H

/**
 * @file
 * Builders of what the operator surfaces show: one builder per piece of
 * data, read through the view (view.h), made into a jansson object. The
 * console prints it as text, or as JSON after "json"; telemetry turns
 * the same object into its reply (telemetry.c), so that a piece of data
 * has one name and one value wherever it is read. A builder that cannot
 * answer returns an object whose only member is "error" (its reason).
 *
 * Counters since a clear: the console's clear commands take a snapshot
 * of the since-start counters (the baseline); builders then add the
 * counters since that snapshot beside the since-start ones, which never
 * go back (Prometheus reads them through telemetry). The baselines
 * belong to this file: the clear commands are their only writer.
 */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "haven_addr.h"

/** Rows of one page of show bindings, bindings6, mobile-nodes(6). */
#define HAVEN_REPORT_PAGE 32

/** Counter sets a clear command resets (each with its own time). */
enum haven_report_counters {
	HAVEN_REPORT_STATS,		/**< show stats, stats6, /haven/stats */
	HAVEN_REPORT_DROPS,		/**< show drops, /haven/drops */
	HAVEN_REPORT_PORTS,		/**< show ports, /haven/ports */
	HAVEN_REPORT_PEERS,		/**< show peers, /haven/peers */
	HAVEN_REPORT_RUNTIME,		/**< show runtime, /haven/runtime */
};

/** What "show events" takes. */
struct haven_report_events_filter {
	unsigned int want;		/**< newest events, at most */
	int kind;			/**< enum haven_event_kind, -1: any */
	const struct haven_addr *addr;	/**< its home address, NULL: any */
};

/* ---------------------------------------------------------------------
 * Builders (control lcore). Each returns a new reference, NULL when out
 * of memory.
 */

/** Version, build, start time and uptime (/haven/version). */
json_t *haven_report_version(void);

/** Packet, registration and control totals (/haven/stats). */
json_t *haven_report_stats(void);

/**
 * Mobile IPv4 registrations: requests, dropped, the RFC 3519 counters
 * (udp_tunnelled, udp_declined, keepalives, tunnel_dropped) and the
 * replies sent by code ("code_<n>", those sent) (/haven/registrations).
 */
json_t *haven_report_registrations(void);

/** Mobile IPv6 totals, acknowledgements by status (show stats6). */
json_t *haven_report_stats6(void);

/** Drops by reason (/haven/drops). */
json_t *haven_report_drops(void);

/** Every port: link, ethdev statistics ("ports": rows). */
json_t *haven_report_ports(void);

/**
 * Where each worker's time goes ("workers": rows): packets, bursts,
 * turns of its loop, busy and elapsed TSC cycles, punts, drops, and from
 * them the average burst, cycles per packet and the busy share; since
 * start and since clear runtime.
 */
json_t *haven_report_runtime(void);

/** Every extended statistic of a DPDK port. */
json_t *haven_report_xstats(uint16_t port_id);

/** Connected subnets and static routes of both families. */
json_t *haven_report_routes(void);

/** Neighbours of a family with the link layer's counters. */
json_t *haven_report_neighbours(uint8_t family);

/** Configured nodes of a family, page (1..; 0: the first). */
json_t *haven_report_mobile_nodes(uint8_t family, uint32_t page);

/**
 * Bindings of a family within prefix/len (prefix NULL: all), a page
 * (1..; 0: the first). len of a whole address: one home address.
 */
json_t *haven_report_bindings(uint8_t family, const struct haven_addr *prefix,
		unsigned int len, uint32_t page);

struct haven_node;

/**
 * The row haven_report_bindings() lists for node n, or NULL when n has no
 * binding (telemetry's /haven/bindings takes its RFC 3519 columns from
 * it).
 */
json_t *haven_report_binding_row(const struct haven_node *n);

/** One binding in detail. */
json_t *haven_report_binding(const struct haven_addr *hoa);

/** The last events, filtered, oldest first. */
json_t *haven_report_events(const struct haven_report_events_filter *f);

/** Delegation peers with their counters ("peers": rows). */
json_t *haven_report_peers(void);

/** Delegated bindings (primary) and those held for primaries. */
json_t *haven_report_delegation(void);

/** The state store and the last restore (report_state.c). */
json_t *haven_report_store(void);

/** The pair of primaries: role, keepalived, the peer, the stream. */
json_t *haven_report_redundancy(void);

/** The AAA module: RADIUS servers ("servers": rows), totals. */
json_t *haven_report_aaa(void);

/**
 * Nodes provisioned by AAA from the offset-th on, at most max of them
 * ("nodes": rows; "total", "offset", "count").
 */
json_t *haven_report_aaa_nodes(unsigned int offset, unsigned int max);

/** rte_log's global level and every log type with its level. */
json_t *haven_report_log_levels(void);

/** The configuration in force, secrets as "<hidden>" (report_config.c). */
json_t *haven_report_running_config(void);

/**
 * The configuration in force as a YAML document haven loads back
 * (secrets "<hidden>"). @return a malloc'ed text, or NULL.
 */
char *haven_report_running_config_yaml(void);

/* ---------------------------------------------------------------------
 * Clears
 */

/**
 * Take the counters of a set as the new baseline; which names one port
 * or one peer (NULL: all of them). Writer of the baselines.
 * @return 0, or -ENOENT when which names none.
 */
int haven_report_clear(enum haven_report_counters set, const char *which);

/** When a set was last cleared (wall clock, us), 0 if never. */
uint64_t haven_report_cleared_us(enum haven_report_counters set);

/* ---------------------------------------------------------------------
 * Reading a built object (for the text printers)
 */

/** An integer member, or 0. */
static inline long long
jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/** A string member, or "-". */
static inline const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

/** A boolean member (true, or a non-zero integer). */
static inline bool
jbool(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_true(v) || json_integer_value(v) != 0;
}

/**
 * Seconds left as an operator reads them: "586s", or "-" when there is
 * no end (or none known), into buf.
 */
const char *haven_report_left(long long s, char *buf, size_t len);

#endif /* HAVEN_REPORT_H */
