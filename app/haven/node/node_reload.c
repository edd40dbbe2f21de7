/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node layer's part of a reload: nodes added, removed and re-keyed in
 * two phases, so that running out of memory half-way changes nothing
 * (every new node and key is made in prepare; commit only swaps, inserts
 * into room reserved in prepare, and deletes).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "haven_mip4.h"
#include "link.h"
#include "node.h"
#include "node_private.h"
#include "reload.h"
#include "rt.h"


/* What prepare made and commit applies. */
struct nodes_plan {
	unsigned int n_added, n_rekeyed;
	struct haven_node **added;	/* new nodes, not inserted */
	struct {
		struct haven_node *node;
		void *key;		/* prepared new key */
		unsigned int cfg_index;	/* in the new mns or mns6 */
		bool changed;		/* the security association differs */
	} *rekeyed;
};

static void
plan_free(struct nodes_plan *p)
{
	unsigned int i;

	if (p == NULL)
		return;
	for (i = 0; p->added != NULL && i < p->n_added; i++)
		haven_node_free(p->added[i]);
	for (i = 0; p->rekeyed != NULL && i < p->n_rekeyed; i++)
		node_key_free(p->rekeyed[i].node->hoa.family, p->rekeyed[i].key);
	haven_free(p->added);
	haven_free(p->rekeyed);
	haven_free(p);
}

/* One configured entry of the new file: kept (new key) or added. */
static int
plan_entry(struct nodes_plan *p, const struct haven_addr *hoa,
		unsigned int idx, const struct haven_config_mn *c4,
		const struct haven_config_mn6 *c6, char *err, size_t errlen)
{
	struct haven_node *n = haven_node_find(hoa);
	char a[HAVEN_ADDR_STRLEN];

	if (n != NULL && n->origin != HAVEN_NODE_CONFIGURED) {
		snprintf(err, errlen, "mobile node %s is %s", haven_addr_str(hoa,
			a), n->origin == HAVEN_NODE_AAA ? "provisioned by AAA "
			"(revoke it first)" : "held for a primary (delegated "
			"here)");
		return -EEXIST;
	}
	if (n == NULL) {
		n = c4 != NULL ? haven_node_new_configured4(c4) :
			haven_node_new_configured6(c6);
		if (n == NULL)
			return -ENOMEM;
		p->added[p->n_added++] = n;
		return 0;
	}
	p->rekeyed[p->n_rekeyed].node = n;
	p->rekeyed[p->n_rekeyed].cfg_index = idx;
	if (c4 != NULL) {
		p->rekeyed[p->n_rekeyed].key = haven_mip4_key_create(&c4->sa);
		p->rekeyed[p->n_rekeyed].changed = n->cfg4 == NULL ||
			memcmp(&n->cfg4->sa, &c4->sa, sizeof(c4->sa)) != 0;
	} else {
		p->rekeyed[p->n_rekeyed].key = node_key6_create(&c6->sa);
		p->rekeyed[p->n_rekeyed].changed = n->cfg6 == NULL ||
			memcmp(&n->cfg6->sa, &c6->sa, sizeof(c6->sa)) != 0;
	}
	if (p->rekeyed[p->n_rekeyed].key == NULL)
		return -ENOMEM;
	p->n_rekeyed++;
	return 0;
}

static int
nodes_prepare(const struct haven_config *new_cfg, void **ctx, char *err,
		size_t errlen)
{
	unsigned int total = new_cfg->n_mns + new_cfg->n_mns6, i;
	struct nodes_plan *p;
	struct haven_addr hoa;
	int rc = 0;

	p = haven_zmalloc("haven_nodes_plan", sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->added = haven_zmalloc("haven_nodes_added",
			sizeof(*p->added) * (total + 1));
	p->rekeyed = haven_zmalloc("haven_nodes_rekeyed",
			sizeof(*p->rekeyed) * (total + 1));
	if (p->added == NULL || p->rekeyed == NULL)
		rc = -ENOMEM;
	for (i = 0; rc == 0 && i < new_cfg->n_mns; i++) {
		hoa = haven_addr4(new_cfg->mns[i].home_addr);
		rc = plan_entry(p, &hoa, i, &new_cfg->mns[i], NULL, err,
				errlen);
	}
	for (i = 0; rc == 0 && i < new_cfg->n_mns6; i++) {
		if (!haven_rt_has_ip6())
			break;	/* no IPv6 at start: none now (address6 fixed) */
		hoa = haven_addr6(new_cfg->mns6[i].home_addr);
		rc = plan_entry(p, &hoa, i, NULL, &new_cfg->mns6[i], err,
				errlen);
	}
	/* Room for every node at once, so that commit cannot fail. */
	if (rc == 0)
		rc = node_table_reserve(node_table_count() + p->n_added);
	if (rc != 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory preparing the "
				"mobile nodes");
		plan_free(p);
		return rc;
	}
	*ctx = p;
	return 0;
}

/* Configured nodes the new configuration no longer lists. */
struct removal {
	struct haven_node **list;
	unsigned int n, max;
	unsigned int removed[2];
};

static void
collect_removed(struct haven_node *n, void *arg)
{
	const struct haven_config *cfg = &haven_rt.cfg;
	struct removal *r = arg;
	bool listed;

	if (n->origin != HAVEN_NODE_CONFIGURED)
		return;
	listed = n->hoa.family == HAVEN_AF_INET ?
		haven_config_find_mn(cfg, n->hoa.v4) != NULL :
		haven_config_find_mn6(cfg, n->hoa.v6) != NULL;
	if (!listed && r->n < r->max)
		r->list[r->n++] = n;
}

static void
nodes_commit(const struct haven_config *old_cfg, void *ctx, char *summary,
		size_t len)
{
	const struct haven_config *cfg = &haven_rt.cfg;
	struct nodes_plan *p = ctx;
	struct haven_node *removed_list[64];
	struct removal r = { .list = removed_list, .max = RTE_DIM(removed_list) };
	unsigned int i, added[2] = { 0, 0 }, keys = 0;

	(void)old_cfg;
	/* Kept nodes: the new entry and key (from their next request). */
	for (i = 0; i < p->n_rekeyed; i++) {
		struct haven_node *n = p->rekeyed[i].node;

		node_key_free(n->hoa.family, n->key);
		n->key = p->rekeyed[i].key;
		p->rekeyed[i].key = NULL;
		if (n->hoa.family == HAVEN_AF_INET) {
			n->cfg4 = &cfg->mns[p->rekeyed[i].cfg_index];
			n->spi = n->cfg4->sa.spi;
			n->max_lifetime = n->cfg4->max_lifetime;
		} else {
			n->cfg6 = &cfg->mns6[p->rekeyed[i].cfg_index];
			n->spi = n->cfg6->sa.spi;
			n->max_lifetime = n->cfg6->max_lifetime;
		}
		keys += p->rekeyed[i].changed;
	}
	/* Removed nodes: their bindings withdrawn (taken back first). */
	do {
		r.n = 0;
		haven_node_foreach(HAVEN_AF_NONE, collect_removed, &r);
		for (i = 0; i < r.n; i++) {
			r.removed[r.list[i]->hoa.family == HAVEN_AF_INET6]++;
			haven_node_delete(r.list[i]);
		}
	} while (r.n == r.max);
	/* Added nodes: the table has room (prepare reserved it). */
	for (i = 0; i < p->n_added; i++) {
		struct haven_node *n = p->added[i];

		if (n->cfg4 != NULL)
			n->cfg4 = haven_config_find_mn(cfg, n->hoa.v4);
		else
			n->cfg6 = haven_config_find_mn6(cfg, n->hoa.v6);
		added[n->hoa.family == HAVEN_AF_INET6]++;
		if (haven_node_insert(n) != 0)
			haven_node_free(n);	/* cannot happen: reserved */
		p->added[i] = NULL;
	}
	p->n_added = 0;
	snprintf(summary, len, "mobile nodes +%u -%u (%u)", added[0],
		r.removed[0], cfg->n_mns);
	if (haven_rt_has_ip6())
		snprintf(summary + strlen(summary), len - strlen(summary),
			", Mobile IPv6 nodes +%u -%u (%u)", added[1],
			r.removed[1], cfg->n_mns6);
	if (keys > 0)
		snprintf(summary + strlen(summary), len - strlen(summary),
			", keys changed %u", keys);
	plan_free(p);
}

static void
nodes_abort(void *ctx)
{
	plan_free(ctx);
}

static const struct haven_reload_ops nodes_reload_ops = {
	.name = "mobile nodes",
	.prepare = nodes_prepare,
	.commit = nodes_commit,
	.abort = nodes_abort,
};

int
haven_nodes_init(void)
{
	const struct haven_config *cfg = &haven_rt.cfg;
	int rc;

	rc = node_table_reserve(cfg->n_mns + cfg->n_mns6 +
			cfg->delegation.capacity);
	if (rc == 0)
		rc = haven_reload_register(&nodes_reload_ops);
	if (rc == 0)
		rc = haven_link_owner_hook_add(node_intercepts, NULL);
	if (rc == 0)
		rc = node_cache_init();
	return rc;
}
