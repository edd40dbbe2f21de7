/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Between the node layer's files: the table (node.c) and the bindings
 * (bind.c).
 */
#ifndef HAVEN_NODE_PRIVATE_H
#define HAVEN_NODE_PRIVATE_H

#include "node.h"

/** Tell every hook what happened to n. */
void node_notify(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason);

/** The counters of a family, for writing. */
struct haven_node_stats *node_stats_of(uint8_t family);

/** Make room for count nodes (may grow the table). @return 0 or -ENOMEM. */
int node_table_reserve(uint32_t count);

#endif /* HAVEN_NODE_PRIVATE_H */
