/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node table: mobile nodes of both families in one open-addressing
 * hash keyed by home address (linear probing, backward-shift deletion),
 * grown before it is half full; node creation with the modules'
 * extensions and prepared keys; the hooks.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_jhash.h>
#include <rte_timer.h>

#include "event.h"
#include "haven_mip4.h"
#include "haven_mip6.h"
#include "node.h"
#include "node_private.h"
#include "rt.h"

#define NODE_TABLE_MIN 64		/**< slots of an empty table */
#define NODE_EXTS 8			/**< modules with an extension */
#define NODE_HOOKS 8			/**< hooks */

/* The table. Writer: this file. */
static struct haven_node **slots;
static uint32_t n_slots;		/* a power of two, 0 before init */
static uint32_t n_nodes;

/* Registered at start-up, before the first node. */
static struct {
	const char *name;
	size_t offset, size;
	void (*init)(struct haven_node *n, void *ext);
	void (*fini)(struct haven_node *n, void *ext);
} exts[NODE_EXTS];
static unsigned int n_exts;
static size_t ext_size;
static struct {
	haven_node_hook_fn fn;
	void *arg;
} hooks[NODE_HOOKS];
static unsigned int n_hooks;

/* Writer: the node layer (bind.c counts through node_stats_of()). */
static struct haven_node_stats stats[2];

struct haven_node_stats *
node_stats_of(uint8_t family)
{
	return &stats[family == HAVEN_AF_INET6];
}

const struct haven_node_stats *
haven_node_stats(uint8_t family)
{
	return node_stats_of(family);
}

/* ---------------------------------------------------------------------
 * Hooks and extensions
 */

int
haven_node_hook_add(haven_node_hook_fn fn, void *arg)
{
	if (n_hooks == NODE_HOOKS)
		return -ENOSPC;
	hooks[n_hooks].fn = fn;
	hooks[n_hooks].arg = arg;
	n_hooks++;
	return 0;
}

void
node_notify(struct haven_node *n, enum haven_node_change what,
		enum haven_node_reason reason)
{
	unsigned int i;

	for (i = 0; i < n_hooks; i++)
		hooks[i].fn(n, what, reason, hooks[i].arg);
}

int
haven_node_ext_register(const char *name, size_t size,
		void (*init)(struct haven_node *n, void *ext),
		void (*fini)(struct haven_node *n, void *ext))
{
	size_t off = RTE_ALIGN_CEIL(ext_size, 16);

	if (n_exts == NODE_EXTS || off + size > HAVEN_NODE_EXT_MAX ||
	    n_nodes > 0)
		return -ENOSPC;
	exts[n_exts].name = name;
	exts[n_exts].offset = off;
	exts[n_exts].size = size;
	exts[n_exts].init = init;
	exts[n_exts].fini = fini;
	n_exts++;
	ext_size = off + size;
	return (int)off;
}

void
haven_nodes_reset(void)
{
	n_exts = 0;
	ext_size = 0;
	n_hooks = 0;
	memset(stats, 0, sizeof(stats));
}

/* ---------------------------------------------------------------------
 * The hash
 */

static uint32_t
slot_of(const struct haven_addr *a)
{
	return rte_jhash(a, sizeof(*a), 0x68617665) & (n_slots - 1);
}

/* Rebuild the slots at a new size (a power of two above 2 n_nodes). */
static int
rehash(uint32_t size)
{
	struct haven_node **old = slots;
	uint32_t old_n = n_slots, i, k;

	slots = haven_zmalloc("haven_nodes", sizeof(*slots) * size);
	if (slots == NULL) {
		slots = old;
		return -ENOMEM;
	}
	n_slots = size;
	for (i = 0; i < old_n; i++) {
		if (old[i] == NULL)
			continue;
		for (k = slot_of(&old[i]->hoa); slots[k] != NULL;
		     k = (k + 1) & (n_slots - 1))
			;
		slots[k] = old[i];
	}
	haven_free(old);
	return 0;
}

int
node_table_reserve(uint32_t count)
{
	uint32_t size = n_slots;

	while (size < NODE_TABLE_MIN || count * 2 > size)
		size = size == 0 ? NODE_TABLE_MIN : size * 2;
	return size == n_slots ? 0 : rehash(size);
}

struct haven_node *
haven_node_find(const struct haven_addr *hoa)
{
	uint32_t k;

	if (n_slots == 0)
		return NULL;
	for (k = slot_of(hoa); slots[k] != NULL; k = (k + 1) & (n_slots - 1))
		if (haven_addr_eq(&slots[k]->hoa, hoa))
			return slots[k];
	return NULL;
}

int
haven_node_insert(struct haven_node *n)
{
	uint32_t k;
	int rc;

	if (haven_node_find(&n->hoa) != NULL)
		return -EEXIST;
	rc = node_table_reserve(n_nodes + 1);
	if (rc != 0)
		return rc;
	for (k = slot_of(&n->hoa); slots[k] != NULL; k = (k + 1) & (n_slots - 1))
		;
	slots[k] = n;
	n_nodes++;
	return 0;
}

/* Take n out of the slots: backward-shift the cluster after it. */
void
node_table_remove(struct haven_node *n)
{
	uint32_t mask = n_slots - 1, i, j, home;

	for (i = slot_of(&n->hoa); slots[i] != n; i = (i + 1) & mask)
		if (slots[i] == NULL)
			return;
	slots[i] = NULL;
	for (j = (i + 1) & mask; slots[j] != NULL; j = (j + 1) & mask) {
		home = slot_of(&slots[j]->hoa);
		/* Move slots[j] into the hole unless its home lies in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			slots[i] = slots[j];
			slots[j] = NULL;
			i = j;
		}
	}
	n_nodes--;
}

unsigned int
haven_node_foreach(uint8_t family, void (*fn)(struct haven_node *n,
		void *arg), void *arg)
{
	unsigned int i, visited = 0;

	for (i = 0; i < n_slots; i++) {
		struct haven_node *n = slots[i];

		if (n == NULL || (family != HAVEN_AF_NONE &&
				n->hoa.family != family))
			continue;
		fn(n, arg);
		visited++;
	}
	return visited;
}

unsigned int
haven_node_count(uint8_t family, enum haven_node_origin origin)
{
	unsigned int i, count = 0;

	for (i = 0; i < n_slots; i++)
		if (slots[i] != NULL && slots[i]->origin == origin &&
		    (family == HAVEN_AF_NONE || slots[i]->hoa.family == family))
			count++;
	return count;
}

/* ---------------------------------------------------------------------
 * Nodes
 */

static struct haven_node *
node_alloc(const struct haven_addr *hoa, enum haven_node_origin origin)
{
	struct haven_node *n = haven_zmalloc("haven_node",
			sizeof(*n) + ext_size);
	unsigned int i;

	if (n == NULL)
		return NULL;
	n->hoa = *hoa;
	n->origin = origin;
	n->outer_src = haven_rt_ha_addr(hoa->family);
	n->forwarder = HAVEN_FORWARDER_SELF;
	rte_timer_init(&n->expiry);
	rte_timer_init(&n->announce);
	rte_timer_init(&n->cache);
	for (i = 0; i < n_exts; i++)
		if (exts[i].init != NULL)
			exts[i].init(n, n->ext + exts[i].offset);
	return n;
}

/* An IPv6 security association of the configuration, prepared. */
struct haven_mip6_key *
node_key6_create(const struct haven_config_sa6 *sa)
{
	struct haven_mip6_sa s;
	struct haven_mip6_key *k;

	memset(&s, 0, sizeof(s));
	s.spi = sa->spi;
	s.alg = sa->alg == HAVEN_CONFIG_SA6_HMAC_SHA256 ?
		HAVEN_MIP6_ALG_HMAC_SHA256 : HAVEN_MIP6_ALG_HMAC_SHA1;
	memcpy(s.key, sa->key, sa->key_len);
	s.key_len = sa->key_len;
	k = haven_mip6_key_create(&s);
	memset(&s, 0, sizeof(s));	/* no copy of the key left behind */
	return k;
}

void
node_key_free(uint8_t family, void *key)
{
	if (key == NULL)
		return;
	if (family == HAVEN_AF_INET6)
		haven_mip6_key_free(key);
	else
		haven_mip4_key_free(key);
}

struct haven_node *
haven_node_new_configured4(const struct haven_config_mn *c)
{
	struct haven_addr hoa = haven_addr4(c->home_addr);
	struct haven_node *n = node_alloc(&hoa, HAVEN_NODE_CONFIGURED);

	if (n == NULL)
		return NULL;
	n->cfg4 = c;
	n->spi = c->sa.spi;
	n->max_lifetime = c->max_lifetime;
	n->key = haven_mip4_key_create(&c->sa);
	if (n->key == NULL) {
		haven_node_free(n);
		return NULL;
	}
	return n;
}

struct haven_node *
haven_node_new_configured6(const struct haven_config_mn6 *c)
{
	struct haven_addr hoa = haven_addr6(c->home_addr);
	struct haven_node *n = node_alloc(&hoa, HAVEN_NODE_CONFIGURED);

	if (n == NULL)
		return NULL;
	n->cfg6 = c;
	n->spi = c->sa.spi;
	n->max_lifetime = c->max_lifetime;
	n->key = node_key6_create(&c->sa);
	if (n->key == NULL) {
		haven_node_free(n);
		return NULL;
	}
	return n;
}

struct haven_node *
haven_node_new_delegated(const struct haven_addr *hoa,
		const struct haven_addr *outer_src)
{
	struct haven_node *n = node_alloc(hoa, HAVEN_NODE_DELEGATED);

	if (n != NULL)
		n->outer_src = *outer_src;
	return n;
}

struct haven_node *
haven_node_new_aaa4(uint32_t hoa4, const struct haven_mip4_sa *sa)
{
	struct haven_addr hoa = haven_addr4(hoa4);
	struct haven_node *n = node_alloc(&hoa, HAVEN_NODE_AAA);

	if (n == NULL)
		return NULL;
	n->spi = sa->spi;
	n->key = haven_mip4_key_create(sa);
	if (n->key == NULL) {
		haven_node_free(n);
		return NULL;
	}
	return n;
}

int
haven_node_set_key4(struct haven_node *n, const struct haven_mip4_sa *sa)
{
	struct haven_mip4_key *k;

	if (n->hoa.family != HAVEN_AF_INET || n->origin != HAVEN_NODE_AAA)
		return -EINVAL;
	k = haven_mip4_key_create(sa);
	if (k == NULL)
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	haven_mip4_key_free(n->key);
	n->key = k;
	n->spi = sa->spi;
	return 0;
}

const char *
haven_node_origin_name(enum haven_node_origin origin)
{
	switch (origin) {
	case HAVEN_NODE_CONFIGURED:
		return "config";
	case HAVEN_NODE_DELEGATED:
		return "delegated";
	case HAVEN_NODE_AAA:
		return "aaa";
	}
	return "?";
}

void
haven_node_free(struct haven_node *n)
{
	unsigned int i;

	if (n == NULL)
		return;
	rte_timer_stop_sync(&n->expiry);
	rte_timer_stop_sync(&n->announce);
	rte_timer_stop_sync(&n->cache);
	for (i = n_exts; i-- > 0; )
		if (exts[i].fini != NULL)
			exts[i].fini(n, n->ext + exts[i].offset);
	node_key_free(n->hoa.family, n->key);
	haven_free(n);
}

const char *
haven_node_alg_name(const struct haven_node *n)
{
	if (n->cfg6 != NULL)
		return n->cfg6->sa.alg == HAVEN_CONFIG_SA6_HMAC_SHA256 ?
			"hmac-sha256" : "hmac-sha1";
	if (n->cfg4 != NULL)
		switch (n->cfg4->sa.alg) {
		case HAVEN_MIP4_ALG_HMAC_MD5:
			return "hmac-md5";
		case HAVEN_MIP4_ALG_HMAC_SHA256:
			return "hmac-sha256";
		}
	if (n->origin == HAVEN_NODE_AAA && n->key != NULL)
		return haven_mip4_key_alg(n->key) == HAVEN_MIP4_ALG_HMAC_SHA256 ?
			"hmac-sha256" : "hmac-md5";
	return "-";
}

/* ---------------------------------------------------------------------
 * Start and stop
 */

int
haven_nodes_load_config(void)
{
	const struct haven_config *cfg = &haven_rt.cfg;
	struct haven_node *n;
	unsigned int i;
	int rc;

	rc = node_table_reserve(cfg->n_mns + cfg->n_mns6);
	if (rc != 0)
		return rc;
	for (i = 0; i < cfg->n_mns + cfg->n_mns6; i++) {
		n = i < cfg->n_mns ? haven_node_new_configured4(&cfg->mns[i]) :
			haven_node_new_configured6(&cfg->mns6[i - cfg->n_mns]);
		if (n == NULL)
			return -ENOMEM;
		rc = haven_node_insert(n);
		if (rc != 0) {
			haven_node_free(n);
			return rc;
		}
	}
	return 0;
}

uint32_t
node_table_count(void)
{
	return n_nodes;
}

struct haven_node *
node_table_any(void)
{
	uint32_t i;

	for (i = 0; i < n_slots; i++)
		if (slots[i] != NULL)
			return slots[i];
	return NULL;
}

void
node_table_free(void)
{
	haven_free(slots);
	slots = NULL;
	n_slots = n_nodes = 0;
}
