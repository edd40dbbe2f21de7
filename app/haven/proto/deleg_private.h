/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Between the delegation module's files: what both roles share and the
 * transport (deleg_wire.c), the secondary's side (deleg_sha.c), the
 * primary's side and the actions (deleg.c).
 */
#ifndef HAVEN_DELEG_PRIVATE_H
#define HAVEN_DELEG_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "deleg.h"
#include "haven_config.h"
#include "haven_deleg.h"

/** The module's state. Writer: deleg.c and deleg_sha.c, control lcore. */
struct deleg_state {
	bool is_pha;				/**< serves mobile nodes */
	bool is_sha;				/**< forwards for primaries */
	struct haven_deleg_pha pha;
	struct haven_deleg_sha sha;
	struct haven_deleg_peer *secondaries;	/**< HAVEN_MAX_SECONDARIES */
	struct haven_deleg_peer *primaries;	/**< configured ones */
	struct haven_deleg_sha_entry *sha_entries;
	uint32_t *sha_index;
	uint64_t rejected;			/**< messages not taken */
	/* Restores (deleg.c): adopted bindings waiting for a report. */
	unsigned int adopt_pending;
	uint32_t generation_floor;		/**< highest from the store */
	uint64_t next_confirm_ms;
	struct haven_deleg_restore_stats restore;
};

extern struct deleg_state deleg;

/** Send a message to a peer (both roles). */
void deleg_transport_send(void *ctx, const struct haven_deleg_peer *peer,
		const uint8_t *msg, size_t len);

/** A line of the library's log. */
void deleg_log_line(void *ctx, const char *line);

/** Sequence numbers start from the wall clock in microseconds. */
uint64_t deleg_seq_base(void);

struct haven_node;

/** The protocol's Encap of a node's binding (sections 2.3, 9.3). */
uint8_t deleg_encap_of_node(const struct haven_node *n);

/**
 * The node layer's encapsulation (enum haven_encap) of a binding a START
 * carries: family, Encap and, for Encap 4, the UDP tunnel's Next Header.
 * UINT8_MAX when this agent cannot forward it (GRE or minimal inside UDP).
 */
uint8_t deleg_encap_to_node(uint8_t family, uint8_t encap,
		uint8_t next_header);

/** Set up the secondary's side (deleg_sha.c). @return 0 or -errno. */
int deleg_sha_init(void);

/** The secondary's periodic work: counters for reports, the library. */
void deleg_sha_tick(uint64_t now_ms);

/**
 * The primary's flow control and move pacing from the configuration
 * (deleg_scale.c). @return 0 or -EINVAL.
 */
int deleg_scale_configure(const struct haven_config_delegation *dc);

/**
 * An outcome of the primary's state machine (event, the secondary it
 * concerns): true when it is part of a burst and only counted, to be told
 * by one summary event (deleg_bulk_tick()).
 */
bool deleg_bulk_take(int event, const struct haven_deleg_peer *peer);

/** Write the summary events of a burst that has ended. */
void deleg_bulk_tick(uint64_t now_ms);

#endif /* HAVEN_DELEG_PRIVATE_H */
