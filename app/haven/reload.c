/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reload at run time (SIGHUP or the console's `reload`),
 * without a restart and without losing a binding.
 *
 * The new file is loaded and checked whole before anything changes: a
 * syntax or value error is refused with its file:line:column, and so is a
 * change to what only a restart can apply (EAL, ports, routes, the home
 * agent address, the table size, this agent's delegation identity, its
 * primaries, the IPv6 addresses of the ports and the agent, the IPv6
 * routes). Otherwise it applies, on the control lcore between two
 * turns:
 *  - mobile nodes, IPv4 and IPv6 alike: a node kept keeps its state and
 *    binding, its new key and limits apply from its next registration; a
 *    node removed loses its binding (taken back from its secondary
 *    first); a node added can register at once;
 *  - secondaries ([0009]): added, removed (bindings taken back first) or
 *    re-keyed; no mobile node is touched;
 *  - policy, thresholds and home agent limits take the new values.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "haven.h"
#include "haven6.h"

/* What differs between two configurations that only a restart applies. */
static const char *
fixed_part_changed(const struct haven_config *a, const struct haven_config *b)
{
	const struct haven_config_delegation *da = &a->delegation;
	const struct haven_config_delegation *db = &b->delegation;
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
	if (strcmp(a->console_socket, b->console_socket) != 0)
		return "console_socket";
	/* IPv6: the tables workers read were built from these at start. */
	if (a->n_routes6 != b->n_routes6 ||
	    memcmp(a->routes6, b->routes6,
		    sizeof(a->routes6[0]) * a->n_routes6) != 0)
		return "IPv6 routes";
	if (a->has_ha_addr6 != b->has_ha_addr6 ||
	    memcmp(a->ha_addr6, b->ha_addr6, sizeof(a->ha_addr6)) != 0)
		return "home_agent address6";
	if (da->enabled != db->enabled || da->agent_id != db->agent_id ||
	    da->addr != db->addr || da->port != db->port ||
	    da->capacity != db->capacity ||
	    da->report_interval_ms != db->report_interval_ms)
		return "delegation agent_id, address, port, capacity or "
			"report_interval_ms";
	if (da->n_primaries != db->n_primaries ||
	    memcmp(da->primaries, db->primaries,
		    sizeof(da->primaries[0]) * da->n_primaries) != 0)
		return "delegation.primaries";
	return NULL;
}

/* New state array in the new configuration's order; old states carried. */
static int
rebuild_nodes(struct haven_app *app, const struct haven_config *new_cfg,
		struct haven_mn_state ***out, unsigned int *added,
		unsigned int *removed)
{
	struct haven_mn_state **mns;
	unsigned int i, j = 0;

	mns = rte_zmalloc("haven_mns", sizeof(*mns) * (new_cfg->n_mns + 1), 0);
	if (mns == NULL)
		return -ENOMEM;
	*added = *removed = 0;
	/* Both lists are sorted by home address: merge them. */
	for (i = 0; i < new_cfg->n_mns; i++) {
		uint32_t hoa = rte_be_to_cpu_32(new_cfg->mns[i].home_addr);

		while (j < app->cfg.n_mns &&
		       rte_be_to_cpu_32(app->mns[j]->cfg->home_addr) < hoa) {
			haven_mn_state_free(app, app->mns[j++]);
			(*removed)++;
		}
		if (j < app->cfg.n_mns &&
		    app->mns[j]->cfg->home_addr == new_cfg->mns[i].home_addr) {
			mns[i] = app->mns[j++];
			if (haven_mn_state_rekey(mns[i], &new_cfg->mns[i]) != 0)
				HAVEN_LOG(ERR, "reload: new key of a mobile node "
					"not prepared; the old one stays\n");
			continue;
		}
		mns[i] = haven_mn_state_new(&new_cfg->mns[i]);
		if (mns[i] == NULL) {
			/* Out of memory half-way: the node is simply absent. */
			HAVEN_LOG(ERR, "reload: no memory for a mobile node\n");
			return -ENOMEM;
		}
		(*added)++;
	}
	for (; j < app->cfg.n_mns; j++) {
		haven_mn_state_free(app, app->mns[j]);
		(*removed)++;
	}
	*out = mns;
	return 0;
}

/*
 * The same for Mobile IPv6 nodes, sorted by address (memcmp order), in two
 * steps so that running out of memory changes nothing: the new nodes'
 * states are made first (mns6_prepare), then merged with the kept ones
 * while the removed ones are freed (mns6_commit).
 */
static int
mns6_prepare(struct haven_app *app, const struct haven_config *new_cfg,
		struct haven_mn6_state ***out)
{
	struct haven_mn6_state **mns;
	unsigned int i;

	*out = NULL;
	if (app->ip6 == NULL)
		return 0;	/* no IPv6 at start: none now (address6 fixed) */
	mns = rte_zmalloc("haven_mns6", sizeof(*mns) * (new_cfg->n_mns6 + 1),
			0);
	if (mns == NULL)
		return -ENOMEM;
	for (i = 0; i < new_cfg->n_mns6; i++) {
		if (haven_mn6_find(app, new_cfg->mns6[i].home_addr) != NULL)
			continue;	/* kept: filled by mns6_commit */
		mns[i] = haven_mn6_state_new(&new_cfg->mns6[i]);
		if (mns[i] == NULL) {
			while (i-- > 0)
				if (mns[i] != NULL)
					haven_mn6_state_free(app, mns[i]);
			rte_free(mns);
			return -ENOMEM;
		}
	}
	*out = mns;
	return 0;
}

static void
mns6_commit(struct haven_app *app, const struct haven_config *new_cfg,
		struct haven_mn6_state **mns, unsigned int *added,
		unsigned int *removed)
{
	struct haven_app6 *a6 = app->ip6;
	unsigned int i, j = 0;

	*added = *removed = 0;
	if (a6 == NULL)
		return;
	for (i = 0; i < new_cfg->n_mns6; i++) {
		const uint8_t *hoa = new_cfg->mns6[i].home_addr;

		while (j < app->cfg.n_mns6 &&
		       memcmp(a6->mns[j]->cfg->home_addr, hoa, 16) < 0) {
			haven_mn6_state_free(app, a6->mns[j++]);
			(*removed)++;
		}
		if (mns[i] != NULL) {
			(*added)++;
			continue;
		}
		mns[i] = a6->mns[j++];	/* kept: same address */
		if (haven_mn6_state_rekey(mns[i], &new_cfg->mns6[i]) != 0)
			HAVEN_LOG(ERR, "reload: new key of a Mobile IPv6 node "
				"not prepared; the old one stays\n");
	}
	for (; j < app->cfg.n_mns6; j++) {
		haven_mn6_state_free(app, a6->mns[j]);
		(*removed)++;
	}
	rte_free(a6->mns);
	a6->mns = mns;
}

/* Secondaries by name: removed, re-keyed, readdressed, added. */
static void
apply_secondaries(struct haven_app *app, const struct haven_config *new_cfg,
		unsigned int *added, unsigned int *removed)
{
	const struct haven_config_delegation *dc = &new_cfg->delegation;
	char err[128];
	unsigned int i, k;

	*added = *removed = 0;
	if (!app->is_pha || !dc->enabled)
		return;
	for (i = 0; i < app->pha.n_peers; i++) {
		struct haven_deleg_peer *p = &app->secondaries[i];
		const struct haven_config_peer *c = NULL;

		if (p->removed)
			continue;
		for (k = 0; k < dc->n_secondaries; k++)
			if (strcmp(dc->secondaries[k].name, p->name) == 0)
				c = &dc->secondaries[k];
		if (c != NULL && c->id == p->id && c->addr == p->addr) {
			/* The library reads the key per message. */
			memcpy(p->key, c->key, c->key_len);
			p->key_len = c->key_len;
			continue;
		}
		haven_secondary_del(app, p->name, err, sizeof(err));
		(*removed)++;
	}
	for (k = 0; k < dc->n_secondaries; k++) {
		const struct haven_config_peer *c = &dc->secondaries[k];

		if (haven_secondary_find(app, c->name) != NULL)
			continue;
		if (haven_secondary_add(app, c->name, c->id, c->addr, c->key,
				c->key_len, err, sizeof(err)) == 0)
			(*added)++;
		else
			HAVEN_LOG(ERR, "reload: secondary %s: %s\n", c->name,
				err);
	}
}

int
haven_reload(struct haven_app *app, char *err, size_t errlen)
{
	struct haven_config new_cfg;
	struct haven_mn_state **mns = NULL;
	struct haven_mn6_state **mns6 = NULL;
	unsigned int mn_added, mn_removed, sha_added, sha_removed;
	unsigned int mn6_added = 0, mn6_removed = 0;
	const char *fixed;
	int rc;

	memset(&new_cfg, 0, sizeof(new_cfg));
	if (haven_config_load(app->cfg.path, &new_cfg, err, errlen) < 0) {
		haven_event(app, HAVEN_EV_CONFIG, 0, -1, "reload refused: %s",
			err);
		return -EINVAL;
	}
	fixed = fixed_part_changed(&app->cfg, &new_cfg);
	if (fixed != NULL) {
		snprintf(err, errlen, "%s: %s changed: only a restart applies "
			"that; nothing was changed", app->cfg.path, fixed);
		haven_event(app, HAVEN_EV_CONFIG, 0, -1, "reload refused: %s",
			err);
		haven_config_free(&new_cfg);
		return -EINVAL;
	}

	rc = mns6_prepare(app, &new_cfg, &mns6);
	if (rc == 0)
		rc = rebuild_nodes(app, &new_cfg, &mns, &mn_added, &mn_removed);
	if (rc != 0) {
		unsigned int i;

		for (i = 0; mns6 != NULL && i < new_cfg.n_mns6; i++)
			if (mns6[i] != NULL)
				haven_mn6_state_free(app, mns6[i]);
		rte_free(mns6);
		snprintf(err, errlen, "out of memory");
		haven_config_free(&new_cfg);
		return rc;
	}
	rte_free(app->mns);
	app->mns = mns;
	mns6_commit(app, &new_cfg, mns6, &mn6_added, &mn6_removed);
	apply_secondaries(app, &new_cfg, &sha_added, &sha_removed);

	haven_config_free(&app->cfg);
	app->cfg = new_cfg;
	app->policy = app->cfg.delegation.policy;
	app->threshold = app->cfg.delegation.threshold;
	app->pha.dead_after_reports = app->cfg.delegation.dead_after;
	haven_event(app, HAVEN_EV_CONFIG, 0, 0, "reloaded %s: mobile nodes "
		"+%u -%u (%u), secondaries +%u -%u", app->cfg.path, mn_added,
		mn_removed, app->cfg.n_mns, sha_added, sha_removed);
	if (app->ip6 != NULL)
		haven_event(app, HAVEN_EV_CONFIG, 0, 0, "reloaded %s: Mobile "
			"IPv6 nodes +%u -%u (%u)", app->cfg.path, mn6_added,
			mn6_removed, app->cfg.n_mns6);
	snprintf(err, errlen, "reloaded: mobile nodes +%u -%u, secondaries "
		"+%u -%u", mn_added, mn_removed, sha_added, sha_removed);
	return 0;
}
