/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reload in two phases (reload.h): the registry of the
 * modules that take part, the orchestration, and the runtime's own part,
 * which is only to refuse what a restart alone applies (EAL, ports,
 * routes, the home agent addresses and table sizes).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "loop.h"
#include "reload.h"
#include "rt.h"

#define RELOAD_MODULES 16

/* Registered at start-up; read by haven_reload(). */
static const struct haven_reload_ops *modules[RELOAD_MODULES];
static unsigned int n_modules;
/* Writer: the signal handler; reader: the poller. */
static volatile int requested;

int
haven_reload_register(const struct haven_reload_ops *ops)
{
	if (n_modules == RELOAD_MODULES)
		return -ENOSPC;
	modules[n_modules++] = ops;
	return 0;
}

void
haven_reload_reset(void)
{
	n_modules = 0;
}

void
haven_reload_request(void)
{
	requested = 1;
}

/* Append ", text" (or "text" first) to a summary. */
static void
summary_add(char *buf, size_t len, const char *text)
{
	size_t off = strlen(buf);

	if (text[0] == '\0' || off >= len)
		return;
	snprintf(buf + off, len - off, "%s%s", off > 0 ? ", " : "", text);
}

int
haven_reload(char *msg, size_t len)
{
	struct haven_config new_cfg, old_cfg;
	void *ctx[RELOAD_MODULES];
	char summary[512], part[256];
	unsigned int i, k;
	int rc;

	memset(&new_cfg, 0, sizeof(new_cfg));
	if (haven_config_load(haven_rt.cfg.path, &new_cfg, msg, len) < 0) {
		haven_event(HAVEN_EV_CONFIG, NULL, -1, "reload refused: %s",
			msg);
		return -EINVAL;
	}
	memset(ctx, 0, sizeof(ctx));
	for (i = 0; i < n_modules; i++) {
		char why[384];

		why[0] = '\0';
		rc = modules[i]->prepare(&new_cfg, &ctx[i], why, sizeof(why));
		if (rc == 0)
			continue;
		for (k = i; k-- > 0; )
			if (modules[k]->abort != NULL)
				modules[k]->abort(ctx[k]);
		snprintf(msg, len, "%s: %s; nothing was changed",
			haven_rt.cfg.path, why[0] != '\0' ? why :
			strerror(-rc));
		haven_event(HAVEN_EV_CONFIG, NULL, -1, "reload refused: %s",
			msg);
		haven_config_free(&new_cfg);
		return rc;
	}

	/* Nothing can fail from here on. */
	old_cfg = haven_rt.cfg;
	haven_rt.cfg = new_cfg;
	summary[0] = '\0';
	for (i = 0; i < n_modules; i++) {
		part[0] = '\0';
		modules[i]->commit(&old_cfg, ctx[i], part, sizeof(part));
		summary_add(summary, sizeof(summary), part);
	}
	haven_config_free(&old_cfg);
	haven_event(HAVEN_EV_CONFIG, NULL, 0, "reloaded %s: %s",
		haven_rt.cfg.path, summary);
	snprintf(msg, len, "reloaded: %s", summary);
	return 0;
}

/* ---------------------------------------------------------------------
 * The runtime's part: what only a restart applies
 */

static const char *
fixed_part_changed(const struct haven_config *a, const struct haven_config *b)
{
	unsigned int i;

	if (strcmp(a->lcores, b->lcores) != 0 ||
	    strcmp(a->file_prefix, b->file_prefix) != 0 ||
	    a->memory_mb != b->memory_mb || a->hugepages != b->hugepages ||
	    a->idle != b->idle || a->n_eal_args != b->n_eal_args)
		return "eal or idle";
	for (i = 0; i < a->n_eal_args; i++)
		if (strcmp(a->eal_args[i], b->eal_args[i]) != 0)
			return "eal.args";
	if (a->n_ports != b->n_ports ||
	    memcmp(a->ports, b->ports, sizeof(a->ports[0]) * a->n_ports) != 0)
		return "ports";
	if (a->n_routes != b->n_routes ||
	    memcmp(a->routes, b->routes, sizeof(a->routes[0]) * a->n_routes))
		return "routes";
	if (a->has_home_agent != b->has_home_agent || a->ha_addr != b->ha_addr ||
	    a->home_port != b->home_port || a->max_bindings != b->max_bindings)
		return "home_agent address, port or max_bindings";
	/* IPv6: the tables workers read were built from these at start. */
	if (a->n_routes6 != b->n_routes6 ||
	    memcmp(a->routes6, b->routes6,
		    sizeof(a->routes6[0]) * a->n_routes6) != 0)
		return "IPv6 routes";
	if (a->has_ha_addr6 != b->has_ha_addr6 ||
	    memcmp(a->ha_addr6, b->ha_addr6, sizeof(a->ha_addr6)) != 0)
		return "home_agent address6";
	return NULL;
}

static int
runtime_prepare(const struct haven_config *new_cfg, void **ctx, char *err,
		size_t errlen)
{
	const char *fixed = fixed_part_changed(&haven_rt.cfg, new_cfg);

	(void)ctx;
	if (fixed == NULL)
		return 0;
	snprintf(err, errlen, "%s changed: only a restart applies that",
		fixed);
	return -EINVAL;
}

static void
runtime_commit(const struct haven_config *old_cfg, void *ctx, char *summary,
		size_t len)
{
	(void)ctx;
	if (memcmp(&old_cfg->reg_guard, &haven_rt.cfg.reg_guard,
		   sizeof(old_cfg->reg_guard)) == 0)
		return;
	haven_rt_reg_guard_apply(&haven_rt.cfg.reg_guard);
	snprintf(summary, len, "registration_guard");
}

static const struct haven_reload_ops runtime_ops = {
	.name = "runtime",
	.prepare = runtime_prepare,
	.commit = runtime_commit,
};

static unsigned int
reload_poll(void)
{
	char msg[512];

	if (!requested)
		return 0;
	requested = 0;
	haven_reload(msg, sizeof(msg));
	return 1;
}

int
haven_reload_init(void)
{
	int rc = haven_reload_register(&runtime_ops);

	return rc != 0 ? rc : haven_loop_poller("reload", reload_poll);
}
