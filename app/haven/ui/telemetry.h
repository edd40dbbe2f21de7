/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_TELEMETRY_H
#define HAVEN_TELEMETRY_H

/**
 * @file
 * Telemetry endpoints under /haven (rte_telemetry), readable with
 * dpdk-telemetry.py and any collector that speaks its socket
 * (docs/telemetry.md).
 */

/**
 * Register the endpoints and the poller that serves them on the control
 * lcore. @return 0 or -errno.
 */
int haven_telemetry_init(void);

struct rte_tel_data;

/**
 * Run handler(params, d) on the control lcore for a telemetry callback
 * (which runs on the telemetry thread) and wait for it: how every
 * endpoint reads the agent's tables. @return the handler's value.
 */
int haven_telemetry_on_control(int (*handler)(const char *params,
		struct rte_tel_data *d), const char *params,
		struct rte_tel_data *d);

#endif /* HAVEN_TELEMETRY_H */
