/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_VIEW_H
#define HAVEN_VIEW_H

/**
 * @file
 * The read-only view the operator surfaces (console, telemetry) read the
 * agent through: nodes selected and sorted by home address, one binding
 * as an operator sees it (the node joined with its published record, its
 * counters and its delegation), neighbours of either family, and the
 * modules' own counters behind const getters. Nothing here writes; the
 * surfaces change state only through the modules' action functions.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "aaa.h"
#include "balancer.h"
#include "deleg.h"
#include "event.h"
#include "haven_addr.h"
#include "link.h"
#include "names.h"
#include "node.h"
#include "reg.h"
#include "rt.h"

/** Which nodes a selection takes. */
enum haven_view_which {
	HAVEN_VIEW_CONFIGURED,		/**< configured nodes, bound or not */
	HAVEN_VIEW_BOUND,		/**< nodes with a binding, any origin */
	HAVEN_VIEW_ALL,			/**< every node */
};

/** Nodes sorted by home address. */
struct haven_view_list {
	const struct haven_node **v;
	unsigned int n;
};

/**
 * Select the nodes of a family, optionally within prefix/len (prefix
 * NULL: all), sorted by home address. Free with haven_view_list_free().
 * @return 0 or -ENOMEM.
 */
int haven_view_nodes(uint8_t family, enum haven_view_which which,
		const struct haven_addr *prefix, unsigned int len,
		struct haven_view_list *out);

/** Free a selection. */
void haven_view_list_free(struct haven_view_list *l);

/** One care-of address of a binding as shown. */
struct haven_view_coa {
	struct haven_addr addr;
	struct haven_addr next_hop;	/**< none: no route */
	bool reachable;			/**< its next hop is resolved */
	uint32_t lifetime_s;		/**< granted; at a secondary the
					  * primary's forwarding duration */
	long left_s;			/**< seconds left, -1: no end (or
					  * none known) */
	struct haven_addr nat_addr;	/**< UDP tunnel (RFC 3519): the NAT */
	uint16_t nat_port;		/**< its port; 0: not UDP-tunnelled */
};

/** A binding as an operator sees it. */
struct haven_view_binding {
	const struct haven_node *node;
	unsigned int n_coa;
	struct haven_view_coa coa[HAVEN_NODE_MAX_COA];
	struct haven_binding_counters counters;
	uint32_t generation;		/**< of the published record */
	const char *forwarder;		/**< "self" or a secondary's name */
	const char *delegation;		/**< state at the primary, or NULL */
	uint64_t bound_for_s;		/**< since it was first bound */
	uint64_t keepalives;		/**< RFC 3519 keepalives answered */
	long keepalive_ago_s;		/**< since the last one; -1: none */
};

/** The binding of node n. @return 0, or -ENOENT when it has none. */
int haven_view_binding(const struct haven_node *n, struct haven_view_binding *b);

/** Bindings in a family's table (removed ones excluded). */
uint32_t haven_view_binding_count(uint8_t family);

/** A neighbour as shown. */
struct haven_view_neigh {
	struct haven_addr addr;
	struct rte_ether_addr mac;
	uint8_t port;			/**< index of its port */
	bool reachable;			/**< else incomplete */
	unsigned int held;		/**< packets waiting for it */
};

/** Call fn for every neighbour of a family. @return how many. */
unsigned int haven_view_neighbours(uint8_t family,
		void (*fn)(const struct haven_view_neigh *nb, void *arg),
		void *arg);

/** The longest lifetime a node may get (its own and the agent's). */
uint32_t haven_view_max_lifetime(const struct haven_node *n);

#endif /* HAVEN_VIEW_H */
