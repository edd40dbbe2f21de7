/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builders of the AAA module (proto/aaa.h): the RADIUS client with its
 * servers and the module's totals (show aaa, /haven/aaa), and the nodes
 * RADIUS provisioned (show aaa nodes, /haven/aaa_nodes). Never a secret,
 * never a key.
 */

#include <stddef.h>
#include <stdio.h>

#include <rte_common.h>

#include "aaa.h"
#include "report.h"
#include "view.h"

/* A server's counters, by name (columns of /haven/aaa). */
static const struct {
	const char *name;
	size_t off;
} server_u64s[] = {
#define AAA_COL(f) { #f, offsetof(struct haven_radius_server_stats, f) }
	AAA_COL(requests), AAA_COL(retransmissions), AAA_COL(timeouts),
	AAA_COL(accepts), AAA_COL(rejects), AAA_COL(acct_responses),
	AAA_COL(dropped_auth), AAA_COL(dropped_no_ma),
	AAA_COL(dropped_malformed), AAA_COL(dropped_unmatched),
	AAA_COL(deaths), AAA_COL(revivals), AAA_COL(probes),
#undef AAA_COL
};

static json_t *
server_row(const struct haven_aaa_server *s)
{
	char text[HAVEN_ADDR_STRLEN];
	unsigned int k;
	json_t *r;

	r = json_pack("{s:s,s:s,s:i,s:i,s:s,s:I,s:I,s:I,s:I,s:I}",
		"server", s->name, "address", haven_addr_str(&s->addr, text),
		"auth_port", s->auth_port, "acct_port", s->acct_port,
		"state", s->st.state == HAVEN_RADIUS_SERVER_DEAD ? "dead" :
			"alive",
		"server_pending", (json_int_t)s->st.pending,
		"rtt_last_ms", (json_int_t)s->st.rtt_last_ms,
		"rtt_avg_ms", (json_int_t)s->st.rtt_avg_ms,
		"rtt_min_ms", (json_int_t)s->st.rtt_min_ms,
		"rtt_max_ms", (json_int_t)s->st.rtt_max_ms);
	for (k = 0; r != NULL && k < RTE_DIM(server_u64s); k++)
		json_object_set_new(r, server_u64s[k].name, json_integer(
			(json_int_t)*(const uint64_t *)((const uint8_t *)&s->st +
				server_u64s[k].off)));
	return r;
}

/* "results_<status>" of the RADIUS client, '-' made '_'. */
static void
put_results(json_t *o, const struct haven_radius_stats *st)
{
	unsigned int k, i;

	for (k = 0; k < RTE_DIM(st->results); k++) {
		char key[32];

		snprintf(key, sizeof(key), "results_%s",
			haven_radius_status_name(k));
		for (i = 0; key[i] != '\0'; i++)
			if (key[i] == '-')
				key[i] = '_';
		json_object_set_new(o, key,
			json_integer((json_int_t)st->results[k]));
	}
}

json_t *
haven_report_aaa(void)
{
	const struct haven_aaa_stats *a = haven_aaa_stats();
	const struct haven_config_aaa *c = &haven_rt.cfg.aaa;
	struct haven_radius_stats st;
	struct haven_aaa_server s;
	json_t *o, *rows;
	unsigned int i;

	o = json_pack("{s:b}", "enabled", haven_aaa_enabled());
	if (o == NULL || !haven_aaa_enabled())
		return o;
	haven_aaa_client_stats(&st);
	json_object_set_new(o, "nas_identifier",
		json_string(c->radius.nas_identifier));
	json_object_set_new(o, "n_servers", json_integer(c->radius.n_servers));
	json_object_set_new(o, "accounting", json_boolean(c->accounting));
	json_object_set_new(o, "interim_interval",
		json_integer(c->interim_interval));
	json_object_set_new(o, "max_wait_ms",
		json_integer(haven_aaa_max_wait_ms()));
	json_object_set_new(o, "pending", json_integer(st.pending));
	json_object_set_new(o, "submitted",
		json_integer((json_int_t)st.submitted));
	json_object_set_new(o, "refused", json_integer(
		(json_int_t)(st.refused_full + st.refused_invalid)));
	put_results(o, &st);
	{
		const struct {
			const char *name;
			uint64_t v;
		} m[] = {
			{ "waiting", a->parked },
			{ "waiting_peak", a->parked_peak },
			{ "waiting_max", a->parked_max },
			{ "asked", a->asked },
			{ "joined", a->coalesced },
			{ "refused_full", a->refused_full },
			{ "cache_hits", a->cache_hits },
			{ "provisioned", a->accepted },
			{ "rejected", a->rejected },
			{ "timed_out", a->timeouts },
			{ "no_server", a->no_server },
			{ "unusable", a->unusable },
			{ "address_refused", a->addr_refused },
			{ "nodes", a->nodes },
			{ "pool_size", a->pool_size },
			{ "pool_used", a->pool_used },
			{ "acct_start", a->acct_sent[HAVEN_RADIUS_ACCT_START] },
			{ "acct_interim",
			  a->acct_sent[HAVEN_RADIUS_ACCT_INTERIM_UPDATE] },
			{ "acct_stop", a->acct_sent[HAVEN_RADIUS_ACCT_STOP] },
			{ "acct_answered", a->acct_answered },
			{ "acct_failed", a->acct_failed },
			{ "acct_lost", a->acct_lost },
		};

		for (i = 0; i < RTE_DIM(m); i++)
			json_object_set_new(o, m[i].name,
				json_integer((json_int_t)m[i].v));
	}
	rows = json_array();
	for (i = 0; rows != NULL && haven_aaa_server(i, &s) == 0; i++)
		json_array_append_new(rows, server_row(&s));
	json_object_set_new(o, "servers", rows);
	return o;
}

json_t *
haven_report_aaa_nodes(unsigned int offset, unsigned int max)
{
	unsigned int i, seen = 0, taken = 0;
	struct haven_view_list l;
	json_t *o, *rows;

	if (haven_view_nodes(HAVEN_AF_INET, HAVEN_VIEW_ALL, NULL, 0, &l) != 0)
		return NULL;
	rows = json_array();
	for (i = 0; rows != NULL && i < l.n && taken < max; i++) {
		const struct haven_node *n = l.v[i];
		struct haven_aaa_node_info info;
		char a[HAVEN_ADDR_STRLEN];

		if (haven_aaa_node_info(n, &info) != 0 || seen++ < offset)
			continue;
		taken++;
		json_array_append_new(rows, json_pack(
			"{s:s,s:s,s:s,s:I,s:s,s:I,s:b,s:i,s:s}",
			"home_address", haven_addr_str(&n->hoa, a),
			"user", info.user, "address_from", info.address_from,
			"spi", (json_int_t)n->spi,
			"algorithm", haven_node_alg_name(n),
			"cache_left", (json_int_t)info.cache_left_s,
			"bound", haven_node_bound(n), "care_of_count",
			haven_node_bound(n) ? (int)n->n_coa : 0,
			"session_id", info.session_id));
	}
	haven_view_list_free(&l);
	o = json_pack("{s:I,s:I,s:I,s:o}",
		"total", (json_int_t)haven_aaa_stats()->nodes,
		"offset", (json_int_t)offset, "count", (json_int_t)taken,
		"nodes", rows != NULL ? rows : json_array());
	return o;
}
