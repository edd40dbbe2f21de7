/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_BALANCER_H
#define HAVEN_BALANCER_H

/**
 * @file
 * The policies by which a primary home agent chooses what to delegate
 * (EP 1134991 [0024], claim 4), for both families alike: manual, equal
 * and threshold (with hysteresis). The balancer owns the policy and the
 * thresholds in force: the console's set commands and a reload change
 * them through here and nowhere else.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "haven_config.h"

#define HAVEN_BALANCER_PERIOD_MS 1000	/**< one turn a second */
#define HAVEN_BALANCER_LOST_MS 10	/**< a lost secondary is noticed */

/** What the equal policy's rebalancing has done. Writer: balancer.c. */
struct haven_balancer_stats {
	uint64_t moves_planned;		/**< planned moves started */
	uint64_t rebalances;		/**< rebalances that ended even */
	bool rebalancing;		/**< one is under way */
	uint8_t tolerance_pct;		/**< rebalance_tolerance_pct in force */
};

/** Policy and thresholds from the configuration; hooks, turn, reload. */
int haven_balancer_init(void);

/** The policy in force. */
enum haven_deleg_policy haven_balancer_policy(void);

/** The thresholds in force. */
const struct haven_config_threshold *haven_balancer_threshold(void);

/** The rebalancing counters (and the tolerance in force). */
const struct haven_balancer_stats *haven_balancer_stats(void);

/** Set the policy by name: manual, equal or threshold. 0 or -errno. */
int haven_balancer_set_policy(const char *name, char *err, size_t errlen);

/** Set one threshold: binding, total (pps), hysteresis (%), hold (s). */
int haven_balancer_set_threshold(const char *which, uint32_t value,
		char *err, size_t errlen);

/** Run one turn now (tests): rates over dt_ms, then the policy. */
void haven_balancer_turn(uint64_t now_ms, uint64_t dt_ms);

#endif /* HAVEN_BALANCER_H */
