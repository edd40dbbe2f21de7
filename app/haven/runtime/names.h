/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_NAMES_H
#define HAVEN_NAMES_H

/**
 * @file
 * Names shared by every operator surface and log line: encapsulations,
 * drop reasons, times.
 */

#include <stddef.h>
#include <stdint.h>

/** Name of a binding's encapsulation (enum haven_encap): "ipip", ... */
const char *haven_encap_name(uint8_t encap);

/** Identifier of a drop reason, e.g. "no_binding". */
const char *haven_drop_key(unsigned int reason);

/** A wall-clock time in microseconds as ISO 8601 UTC, into buf. */
const char *haven_iso8601(uint64_t time_us, char *buf, size_t len);

#endif /* HAVEN_NAMES_H */
