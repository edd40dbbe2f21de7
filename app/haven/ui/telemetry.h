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

#endif /* HAVEN_TELEMETRY_H */
