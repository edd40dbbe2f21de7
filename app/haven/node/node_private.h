/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Between the node layer's files: the table and node creation (node.c),
 * the bindings and deletion (bind.c), the reload part (node_reload.c),
 * the cache lifetime of AAA nodes (cache.c).
 */
#ifndef HAVEN_NODE_PRIVATE_H
#define HAVEN_NODE_PRIVATE_H

#include "haven_mip6.h"
#include "node.h"

/** Tell every hook what happened to n. */
void node_notify(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason);

/** The counters of a family, for writing. */
struct haven_node_stats *node_stats_of(uint8_t family);

/**
 * The link layer's owner hook: true if this agent intercepts for a (a
 * bound node it forwards itself, no delegation under way).
 */
bool node_intercepts(const struct haven_addr *a, void *arg);

/** Make room for count nodes (may grow the table). @return 0 or -ENOMEM. */
int node_table_reserve(uint32_t count);

/** Nodes in the table. */
uint32_t node_table_count(void);

/** Take n out of the table (not freed). */
void node_table_remove(struct haven_node *n);

/** Any node of the table, or NULL when it is empty. */
struct haven_node *node_table_any(void);

/** Free the table's memory (it must be empty). */
void node_table_free(void);

/** An IPv6 security association of the configuration, prepared. */
struct haven_mip6_key *node_key6_create(const struct haven_config_sa6 *sa);

/** The cache lifetime of AAA nodes (cache.c): its hook. @return 0 or -ENOSPC. */
int node_cache_init(void);

/** Free a prepared key of a family; NULL is a no-op. */
void node_key_free(uint8_t family, void *key);

#endif /* HAVEN_NODE_PRIVATE_H */
