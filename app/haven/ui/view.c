/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The read-only view of the operator surfaces (view.h): selections of
 * nodes, bindings joined with their records, neighbours of either family.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "haven_binding6.h"
#include "view.h"

struct select {
	enum haven_view_which which;
	const struct haven_addr *prefix;
	unsigned int len;
	struct haven_view_list *out;
	unsigned int cap;
};

static void
select_node(struct haven_node *n, void *arg)
{
	struct select *s = arg;

	if (s->which == HAVEN_VIEW_CONFIGURED ?
			n->origin != HAVEN_NODE_CONFIGURED :
			s->which == HAVEN_VIEW_BOUND && !haven_node_bound(n))
		return;
	if (s->prefix != NULL &&
	    !haven_addr_in_prefix(&n->hoa, s->prefix, s->len))
		return;
	if (s->out->n < s->cap)
		s->out->v[s->out->n++] = n;
}

static int
node_cmp(const void *x, const void *y)
{
	const struct haven_node *a = *(const struct haven_node * const *)x;
	const struct haven_node *b = *(const struct haven_node * const *)y;

	return haven_addr_cmp(&a->hoa, &b->hoa);
}

int
haven_view_nodes(uint8_t family, enum haven_view_which which,
		const struct haven_addr *prefix, unsigned int len,
		struct haven_view_list *out)
{
	struct select s = {
		.which = which, .prefix = prefix, .len = len, .out = out,
	};

	s.cap = haven_node_count(family, HAVEN_NODE_CONFIGURED) +
		haven_node_count(family, HAVEN_NODE_DELEGATED) +
		haven_node_count(family, HAVEN_NODE_AAA);
	out->n = 0;
	out->v = malloc(sizeof(*out->v) * (s.cap + 1));
	if (out->v == NULL)
		return -ENOMEM;
	haven_node_foreach(family, select_node, &s);
	qsort(out->v, out->n, sizeof(*out->v), node_cmp);
	return 0;
}

void
haven_view_list_free(struct haven_view_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static long
left_s(uint64_t expires_ms)
{
	uint64_t now = haven_now_ms();

	if (expires_ms == UINT64_MAX)
		return -1;
	return expires_ms > now ? (long)((expires_ms - now) / 1000) : 0;
}

/* The care-of addresses and next hops of the published record. */
static int
record_of(const struct haven_node *n, struct haven_view_binding *vb)
{
	unsigned int i;

	if (n->hoa.family == HAVEN_AF_INET6) {
		const struct haven_binding6 *b = haven_rt_has_ip6() ?
			haven_binding6_lookup(haven_rt.fp6->bindings,
				n->hoa.v6) : NULL;

		if (b == NULL)
			return -ENOENT;
		vb->generation = b->generation;
		for (i = 0; i < b->n_coa; i++) {
			vb->coa[i].next_hop = haven_addr6(b->coa[i].next_hop);
			vb->coa[i].reachable = haven_rt.fp6->neigh[
				b->coa[i].neigh].state == HAVEN_NEIGH_REACHABLE;
		}
		return 0;
	}
	{
		const struct haven_binding *b =
			haven_binding_lookup(haven_rt.fp.bindings, n->hoa.v4);

		if (b == NULL)
			return -ENOENT;
		vb->generation = b->generation;
		for (i = 0; i < b->n_coa; i++) {
			vb->coa[i].next_hop = haven_addr4(b->coa[i].next_hop);
			vb->coa[i].reachable = haven_rt.fp.neigh[
				b->coa[i].neigh].state == HAVEN_NEIGH_REACHABLE;
		}
	}
	return 0;
}

/*
 * A binding held for a primary (at a secondary) has no lifetime of its
 * own: it lasts the forwarding duration the primary sent ([0031]).
 */
static void
delegated_lifetime(const struct haven_node *n, struct haven_view_binding *vb)
{
	const struct haven_deleg_sha *sha = haven_deleg_sha_ctx();
	const struct haven_deleg_sha_entry *e;
	unsigned int i;

	if (sha == NULL)
		return;
	/* A lookup: the context is only read. */
	e = haven_deleg_sha_find((struct haven_deleg_sha *)(uintptr_t)sha,
		&n->hoa);
	if (e == NULL)
		return;
	for (i = 0; i < vb->n_coa; i++) {
		vb->coa[i].lifetime_s = e->info.duration_s;
		vb->coa[i].left_s = left_s(e->expires_ms);
	}
}

int
haven_view_binding(const struct haven_node *n, struct haven_view_binding *vb)
{
	const struct haven_deleg_binding *d = haven_deleg_of(n);
	unsigned int i;

	memset(vb, 0, sizeof(*vb));
	if (!haven_node_bound(n) || record_of(n, vb) != 0)
		return -ENOENT;
	vb->node = n;
	vb->n_coa = n->n_coa;
	for (i = 0; i < n->n_coa; i++) {
		vb->coa[i].addr = n->coa[i].addr;
		vb->coa[i].lifetime_s = n->coa[i].lifetime_s;
		vb->coa[i].left_s = left_s(n->coa[i].expires_ms);
		vb->coa[i].nat_addr = n->coa[i].nat_addr;
		vb->coa[i].nat_port = n->coa[i].nat_port;
	}
	if (n->origin == HAVEN_NODE_DELEGATED)
		delegated_lifetime(n, vb);
	haven_node_counters(n, &vb->counters);
	vb->keepalive_ago_s = -1;
	if (n->encap == HAVEN_ENCAP_UDP && haven_node_is_home(n)) {
		uint64_t last;

		vb->keepalives = haven_reg4_keepalives(
			(struct haven_node *)n, &last);
		if (last != 0)
			vb->keepalive_ago_s = (long)((haven_now_ms() - last) /
				1000);
	}
	vb->forwarder = haven_deleg_forwarder_name(n->forwarder);
	vb->delegation = d != NULL ? haven_deleg_state_name(d->state) : NULL;
	vb->bound_for_s = (haven_now_ms() - n->registered_ms) / 1000;
	return 0;
}

uint32_t
haven_view_binding_count(uint8_t family)
{
	if (family == HAVEN_AF_INET6)
		return haven_rt_has_ip6() ?
			haven_binding6_count(haven_rt.fp6->bindings) : 0;
	return haven_binding_count(haven_rt.fp.bindings);
}

unsigned int
haven_view_neighbours(uint8_t family,
		void (*fn)(const struct haven_view_neigh *nb, void *arg),
		void *arg)
{
	struct haven_view_neigh nb;
	unsigned int i, count = 0;

	if (family == HAVEN_AF_INET6) {
		for (i = 0; haven_rt_has_ip6() && i < HAVEN_NEIGH6_MAX; i++) {
			const struct haven_neigh6 *n = &haven_rt.fp6->neigh[i];

			if (n->state == HAVEN_NEIGH_FREE)
				continue;
			nb.addr = haven_addr6(n->ip);
			nb.mac = n->mac;
			nb.port = n->port;
			nb.reachable = n->state == HAVEN_NEIGH_REACHABLE;
			nb.held = haven_link_held(family, i);
			fn(&nb, arg);
			count++;
		}
		return count;
	}
	for (i = 0; i < HAVEN_NEIGH_MAX; i++) {
		const struct haven_neigh *n = &haven_rt.fp.neigh[i];

		if (n->state == HAVEN_NEIGH_FREE)
			continue;
		nb.addr = haven_addr4(n->ip);
		nb.mac = n->mac;
		nb.port = n->port;
		nb.reachable = n->state == HAVEN_NEIGH_REACHABLE;
		nb.held = haven_link_held(family, i);
		fn(&nb, arg);
		count++;
	}
	return count;
}

uint32_t
haven_view_max_lifetime(const struct haven_node *n)
{
	uint32_t agent = n->hoa.family == HAVEN_AF_INET6 ?
		haven_rt.cfg.max_lifetime6 : haven_rt.cfg.max_lifetime;

	return n->max_lifetime != 0 && n->max_lifetime < agent ?
		n->max_lifetime : agent;
}
