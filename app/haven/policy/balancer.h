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

#include <stddef.h>
#include <stdint.h>

#include "haven_config.h"

#define HAVEN_BALANCER_PERIOD_MS 1000	/**< one turn a second */

/** Policy and thresholds from the configuration; hooks, turn, reload. */
int haven_balancer_init(void);

/** The policy in force. */
enum haven_deleg_policy haven_balancer_policy(void);

/** The thresholds in force. */
const struct haven_config_threshold *haven_balancer_threshold(void);

/** Set the policy by name: manual, equal or threshold. 0 or -errno. */
int haven_balancer_set_policy(const char *name, char *err, size_t errlen);

/** Set one threshold: binding, total (pps), hysteresis (%), hold (s). */
int haven_balancer_set_threshold(const char *which, uint32_t value,
		char *err, size_t errlen);

/** Run one turn now (tests): rates over dt_ms, then the policy. */
void haven_balancer_turn(uint64_t now_ms, uint64_t dt_ms);

#endif /* HAVEN_BALANCER_H */
