/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HAVEN_RELOAD_H
#define HAVEN_RELOAD_H

/**
 * @file
 * Configuration reload at run time (SIGHUP or the console's `reload`),
 * all of it or nothing, in two phases over the modules that registered
 * for it:
 *  1. the new file is loaded and checked whole (file:line:column);
 *  2. every module prepares: it checks what it cannot change without a
 *     restart and makes everything that can fail (memory, keys) without
 *     changing anything visible; the first refusal aborts every module
 *     prepared so far, and nothing has changed;
 *  3. the new configuration replaces the old one (haven_rt.cfg), then
 *     every module commits, which cannot fail, and says what it changed.
 * The modules register in layer order at start-up and are prepared and
 * committed in that order.
 */

#include <stddef.h>

#include "haven_config.h"

/** What a module does on a reload. */
struct haven_reload_ops {
	const char *name;		/**< for messages: "mobile nodes" */
	/**
	 * Check new_cfg against the running one (haven_rt.cfg) and prepare
	 * every change that can fail. Nothing visible changes.
	 * @param ctx  set to whatever commit or abort needs.
	 * @return 0, or -errno with err filled (the reason, for operators).
	 */
	int (*prepare)(const struct haven_config *new_cfg, void **ctx,
			char *err, size_t errlen);
	/**
	 * Apply what prepare made; cannot fail. haven_rt.cfg is the new
	 * configuration by now; old_cfg the one it replaced. Append a short
	 * account of the change ("secondaries +1 -0") to summary, or
	 * nothing.
	 */
	void (*commit)(const struct haven_config *old_cfg, void *ctx,
			char *summary, size_t len);
	/** Undo prepare: another module refused. May be NULL. */
	void (*abort)(void *ctx);
};

/** Register a module for reloads (at start-up). @return 0 or -ENOSPC. */
int haven_reload_register(const struct haven_reload_ops *ops);

/**
 * Reload the configuration file now: all of it, or nothing.
 * @param msg  what happened: "reloaded: ..." or why not (file:line:column
 *             for a bad file).
 * @return 0, or -errno.
 */
int haven_reload(char *msg, size_t len);

/** Reload at the next turn of the control loop (SIGHUP: signal safe). */
void haven_reload_request(void);

/** Register the runtime's own checks and the SIGHUP poller. */
int haven_reload_init(void);

/** Forget every registration (tests). */
void haven_reload_reset(void);

#endif /* HAVEN_RELOAD_H */
