/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builders of the mobile node views (report.h): configured nodes and
 * bindings of either family, a page at a time, and one binding in
 * detail. Keys are never shown, only their length.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "aaa.h"
#include "report.h"
#include "view.h"

/* One page of n rows: 1-based page number (0: the first). */
struct page {
	unsigned int page, pages, first, end;
};

static struct page
page_of(uint32_t asked, unsigned int n)
{
	struct page p;

	p.page = asked == 0 ? 1 : asked;
	p.pages = (n + HAVEN_REPORT_PAGE - 1) / HAVEN_REPORT_PAGE;
	p.first = (p.page - 1) * HAVEN_REPORT_PAGE;
	p.end = RTE_MIN(n, p.first + HAVEN_REPORT_PAGE);
	return p;
}

/* total, page, pages, first (1-based), count, then rows under key. */
static json_t *
paged(unsigned int total, const struct page *p, const char *key,
		json_t *rows)
{
	json_t *o = json_pack("{s:i,s:i,s:i,s:i,s:i}", "total", total,
		"page", p->page, "pages", p->pages, "first", p->first + 1,
		"count", (int)json_array_size(rows));

	if (o == NULL) {
		json_decref(rows);
		return NULL;
	}
	json_object_set_new(o, key, rows);
	return o;
}

static json_t *
addr_json(const struct haven_addr *a)
{
	char s[HAVEN_ADDR_STRLEN];

	return json_string(a->family == HAVEN_AF_NONE ? "" :
		haven_addr_str(a, s));
}

/* The replay state of a node: last sequence (-1: none) or Identification. */
static void
put_replay(json_t *r, const struct haven_node *n)
{
	char id[24];

	if (n->hoa.family == HAVEN_AF_INET6) {
		json_object_set_new(r, "last_sequence", json_integer(
			n->replay.have_seq ? n->replay.last_seq : -1));
		return;
	}
	snprintf(id, sizeof(id), "0x%016" PRIx64, n->replay.last_ident);
	json_object_set_new(r, "last_identification", json_string(id));
}

static json_t *
no_ip6(void)
{
	return json_pack("{s:s}", "error", "IPv6 is not configured (no "
		"address6 in the configuration)");
}

/* ---------------------------------------------------------------------
 * Configured nodes
 */

static json_t *
mn_row(const struct haven_node *n)
{
	bool six = n->hoa.family == HAVEN_AF_INET6;
	json_t *r, *coa = json_array();
	unsigned int i;

	if (coa == NULL)
		return NULL;
	for (i = 0; i < n->n_coa; i++)
		json_array_append_new(coa, addr_json(&n->coa[i].addr));
	/* The key's length only: its bytes never leave the agent. */
	r = json_pack("{s:o,s:I,s:s,s:i,s:I,s:b,s:o}",
		"home_address", addr_json(&n->hoa), "spi", (json_int_t)n->spi,
		"algorithm", haven_node_alg_name(n),
		"key_length", six ? n->cfg6->sa.key_len : n->cfg4->sa.key_len,
		"max_lifetime", (json_int_t)haven_view_max_lifetime(n),
		"bound", haven_node_bound(n), "care_of", coa);
	if (r == NULL)
		return NULL;
	put_replay(r, n);
	if (six) {
		json_object_set_new(r, "dad", json_boolean(
			haven_reg6_dad_running((struct haven_node *)
				(uintptr_t)n)));
		json_object_set_new(r, "mn_id", json_string(n->cfg6->mn_id));
	}
	return r;
}

/*
 * A page of the nodes of a family a view selects (within prefix/len),
 * one row each by row() (NULL: no row for it), under key.
 */
static json_t *
page_rows(uint8_t family, enum haven_view_which which,
		const struct haven_addr *prefix, unsigned int len,
		uint32_t page, json_t *(*row)(const struct haven_node *n),
		const char *key)
{
	struct haven_view_list l;
	json_t *rows, *o;
	struct page p;
	unsigned int i;

	if (family == HAVEN_AF_INET6 && !haven_rt_has_ip6())
		return no_ip6();
	if (haven_view_nodes(family, which, prefix, len, &l) != 0)
		return NULL;
	rows = json_array();
	p = page_of(page, l.n);
	for (i = p.first; rows != NULL && i < p.end; i++) {
		json_t *r = row(l.v[i]);

		if (r != NULL)
			json_array_append_new(rows, r);
	}
	o = rows != NULL ? paged(l.n, &p, key, rows) : NULL;
	haven_view_list_free(&l);
	return o;
}

json_t *
haven_report_mobile_nodes(uint8_t family, uint32_t page)
{
	json_t *o = page_rows(family, HAVEN_VIEW_CONFIGURED, NULL, 0, page,
		mn_row, "mobile_nodes");

	/* Nodes RADIUS provisioned are not listed: show aaa nodes. */
	if (o != NULL && family == HAVEN_AF_INET &&
	    json_object_get(o, "error") == NULL)
		json_object_set_new(o, "aaa_nodes", json_integer(
			haven_node_count(HAVEN_AF_INET, HAVEN_NODE_AAA)));
	return o;
}

/* ---------------------------------------------------------------------
 * Bindings
 */

/* The care-of addresses of a binding: address, lifetime, remaining. */
static json_t *
coa_rows(const struct haven_view_binding *b, bool detail)
{
	json_t *rows = json_array();
	unsigned int i;

	for (i = 0; rows != NULL && i < b->n_coa; i++) {
		const struct haven_view_coa *c = &b->coa[i];
		json_t *r = json_pack("{s:o,s:I,s:I}", "address",
			addr_json(&c->addr), "lifetime",
			(json_int_t)c->lifetime_s, "remaining",
			(json_int_t)c->left_s);

		if (r != NULL && detail) {
			json_object_set_new(r, "next_hop",
				addr_json(&c->next_hop));
			json_object_set_new(r, "reachable",
				json_boolean(c->reachable));
		}
		/* RFC 3519: the NAT a UDP tunnel goes to ("" and 0: none) */
		if (r != NULL && b->node->hoa.family == HAVEN_AF_INET) {
			json_object_set_new(r, "nat_address",
				c->nat_port != 0 ? addr_json(&c->nat_addr) :
				json_string(""));
			json_object_set_new(r, "nat_port",
				json_integer(c->nat_port));
		}
		json_array_append_new(rows, r);
	}
	return rows;
}

static json_t *
binding_row(const struct haven_view_binding *b)
{
	const struct haven_node *n = b->node;
	json_t *r;

	r = json_pack("{s:o,s:o,s:I,s:s,s:b,s:I,s:I,s:I,s:I,s:s}",
		"home_address", addr_json(&n->hoa),
		"care_of", coa_rows(b, false),
		"remaining", (json_int_t)(b->n_coa > 0 ? b->coa[0].left_s : -1),
		"encap", n->hoa.family == HAVEN_AF_INET6 ? "ipv6-in-ipv6" :
			haven_encap_name(n->encap),
		"reverse_tunnel",
			(n->flags & HAVEN_BINDING_F_REVERSE_TUNNEL) != 0,
		"packets", (json_int_t)b->counters.pkts,
		"bytes", (json_int_t)b->counters.bytes,
		"reverse_packets", (json_int_t)b->counters.rev_pkts,
		"reverse_bytes", (json_int_t)b->counters.rev_bytes,
		"forwarder", b->forwarder);
	if (r == NULL)
		return NULL;
	json_object_set_new(r, "delegation", b->delegation != NULL ?
		json_string(b->delegation) : json_null());
	json_object_set_new(r, "origin",
		json_string(haven_node_origin_name(n->origin)));
	/* RFC 3519: the tunnel's source port, 434 or the primary's */
	if (n->hoa.family == HAVEN_AF_INET && n->encap == HAVEN_ENCAP_UDP)
		json_object_set_new(r, "udp_source_port",
			json_integer(n->udp_sport));
	return r;
}

/* The row of a bound node, or NULL. */
static json_t *
bound_row(const struct haven_node *n)
{
	struct haven_view_binding b;

	return haven_view_binding(n, &b) == 0 ? binding_row(&b) : NULL;
}

json_t *
haven_report_binding_row(const struct haven_node *n)
{
	return bound_row(n);
}

/*
 * RFC 3519 keepalives of a UDP-tunnelled binding: answered, seconds since
 * the last (-1: none yet), and at its home agent the interval replies give.
 */
static void
put_keepalives(json_t *r, const struct haven_view_binding *b)
{
	const struct haven_node *n = b->node;

	if (n->hoa.family != HAVEN_AF_INET || n->encap != HAVEN_ENCAP_UDP)
		return;
	json_object_set_new(r, "keepalives", json_integer(
		(json_int_t)b->keepalives));
	json_object_set_new(r, "keepalive_ago",
		json_integer(b->keepalive_ago_s));
	if (haven_node_is_home(n))
		json_object_set_new(r, "keepalive_interval", json_integer(
			haven_rt.cfg.udp_tunnel.keepalive_s));
}

json_t *
haven_report_bindings(uint8_t family, const struct haven_addr *prefix,
		unsigned int len, uint32_t page)
{
	json_t *o = page_rows(family, HAVEN_VIEW_BOUND, prefix, len, page,
		bound_row, "bindings");

	if (o != NULL && prefix != NULL && json_object_get(o, "error") ==
			NULL) {
		char t[HAVEN_ADDR_STRLEN + 4];

		haven_addr_str(prefix, t);
		if (len != 8 * haven_addr_len(prefix))
			snprintf(t + strlen(t), sizeof(t) - strlen(t), "/%u",
				len);
		json_object_set_new(o, "filter", json_string(t));
	}
	return o;
}

/* What RADIUS said of a node it provisioned (show aaa nodes, one row). */
static void
put_aaa(json_t *r, const struct haven_node *n)
{
	struct haven_aaa_node_info i;

	if (haven_aaa_node_info(n, &i) != 0)
		return;
	json_object_set_new(r, "aaa_user", json_string(i.user));
	json_object_set_new(r, "aaa", json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}",
		"user", i.user, "address_from", i.address_from,
		"sa_source", i.sa_source, "server", i.server,
		"cache_left", (json_int_t)i.cache_left_s,
		"session_id", i.session_id));
}

json_t *
haven_report_binding(const struct haven_addr *hoa)
{
	struct haven_node *n = haven_node_find(hoa);
	struct haven_view_binding b;
	char a[HAVEN_ADDR_STRLEN];
	json_t *r;

	if (hoa->family == HAVEN_AF_INET6 && !haven_rt_has_ip6())
		return no_ip6();
	haven_addr_str(hoa, a);
	if (n == NULL || haven_view_binding(n, &b) != 0)
		return json_pack("{s:s++}", "error", "no binding for ", a,
			n == NULL || n->origin != HAVEN_NODE_CONFIGURED ? "" :
			haven_reg6_dad_running(n) ? " (a configured node, "
			"duplicate address detection running)" :
			" (a configured node, at home)");
	r = binding_row(&b);
	if (r == NULL)
		return NULL;
	json_object_set_new(r, "care_of", coa_rows(&b, true));
	json_object_set_new(r, "outer_source", addr_json(&n->outer_src));
	put_aaa(r, n);
	json_object_set_new(r, "generation", json_integer(b.generation));
	put_replay(r, n);
	json_object_set_new(r, "bound_for", json_integer(
		(json_int_t)b.bound_for_s));
	put_keepalives(r, &b);
	return r;
}
