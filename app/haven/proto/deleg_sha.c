/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Delegation, the secondary's side (EP 1134991 [0025] [0028] [0037]): a
 * binding a primary delegates becomes a node of origin DELEGATED, whose
 * outer source is the primary's address (claim 5; for a node behind a
 * NAT, encap 4, its UDP port too), announced on the home
 * link when new (gratuitous ARP / unsolicited NA, repeated, by the node
 * layer); a new generation switches it at once ([0029]); STOP, or the end
 * of its forwarding duration ([0031]), deletes it. Its counters go into
 * the reports.
 */

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "deleg.h"
#include "deleg_private.h"
#include "link.h"
#include "node.h"
#include "rt.h"

/* Install or switch a binding a primary delegated. */
static int
sha_install(struct haven_deleg_sha_entry *e, bool is_new)
{
	const struct haven_deleg_binding_info *in = &e->info;
	struct haven_addr hoa = in->home_addr;
	struct haven_addr coa[HAVEN_DELEG_MAX_COA], outer;
	struct haven_node *n = haven_node_find(&hoa);
	struct haven_node_udp udp;
	bool created = false;
	char a[HAVEN_ADDR_STRLEN];
	unsigned int i;
	uint8_t encap;
	int rc;

	if (n != NULL && n->origin != HAVEN_NODE_DELEGATED)
		return -EEXIST;	/* one of our own nodes: never another's */
	encap = deleg_encap_to_node(hoa.family, in->encap,
		in->udp_next_header);
	if (encap == UINT8_MAX)
		return -EOPNOTSUPP;	/* GRE or minimal inside UDP */
	outer = in->outer_src;
	if (n == NULL) {
		n = haven_node_new_delegated(&hoa, &outer);
		if (n == NULL)
			return -ENOMEM;
		rc = haven_node_insert(n);
		if (rc != 0) {
			haven_node_free(n);
			return rc;
		}
		created = true;
	}
	n->outer_src = outer;		/* the primary: claim 5 */
	memset(&udp, 0, sizeof(udp));
	for (i = 0; i < in->n_coa && i < HAVEN_DELEG_MAX_COA; i++) {
		coa[i] = in->coa[i];
		udp.nat_addr[i] = in->nat_addr[i];
		udp.nat_port[i] = in->nat_port[i];
	}
	/* RFC 3519 (2.3.1): from the primary's address and port too */
	udp.sport = in->udp_src_port;
	rc = haven_node_bind_all(n, coa, i,
		in->duration_s == HAVEN_DELEG_DURATION_INFINITE ?
			UINT32_MAX : in->duration_s,
		encap, (in->flags & HAVEN_DELEG_F_REVERSE_TUNNEL) ?
			HAVEN_BINDING_F_REVERSE_TUNNEL : 0, &udp);
	if (rc != 0) {
		if (created)
			haven_node_delete(n);
		return rc;
	}
	/*
	 * The primary owns the address: it announces it when it takes the
	 * binding back, and another secondary does when a planned move
	 * hands it over (make-before-break, delegation-protocol.md 11.5),
	 * each before our STOP arrives. We must not defend it against them
	 * (link layer, RFC 5227 2.4): the correspondents would come back
	 * to us just as we stop forwarding.
	 */
	haven_node_set_handover(n, true);
	HAVEN_LOG(DEBUG, "%s %s for %s (generation %u, %u s)\n",
		is_new ? "forwarding" : "switched", haven_addr_str(&hoa, a),
		e->primary->name, in->generation, in->duration_s);
	return 0;
}

static void
sha_remove(struct haven_deleg_sha_entry *e)
{
	struct haven_addr hoa = e->info.home_addr;
	struct haven_node *n = haven_node_find(&hoa);
	char a[HAVEN_ADDR_STRLEN];

	if (n == NULL || n->origin != HAVEN_NODE_DELEGATED)
		return;
	haven_node_delete(n);
	HAVEN_LOG(DEBUG, "stopped forwarding %s for %s\n",
		haven_addr_str(&hoa, a), e->primary->name);
}

static int
sha_event(void *ctx, int event, struct haven_deleg_sha_entry *e, bool is_new)
{
	(void)ctx;
	if (event == HAVEN_DELEG_EV_INSTALL)
		return sha_install(e, is_new);
	sha_remove(e);
	return 0;
}

static const struct haven_deleg_sha_ops sha_ops = {
	.send = deleg_transport_send,
	.event = sha_event,
	.log = deleg_log_line,
};

uint64_t
haven_deleg_entry_packets(const struct haven_deleg_sha_entry *e)
{
	struct haven_addr hoa = e->info.home_addr;
	struct haven_node *n = haven_node_find(&hoa);
	struct haven_binding_counters sum;

	if (n == NULL)
		return 0;
	haven_node_counters(n, &sum);
	return sum.pkts;
}

/* Copy the workers' counters of held bindings into the entries. */
static void
collect_counters(void)
{
	struct haven_binding_counters sum;
	uint32_t i;

	for (i = 0; i < deleg.sha.capacity; i++) {
		struct haven_deleg_sha_entry *e = &deleg.sha.entries[i];
		struct haven_addr hoa;
		struct haven_node *n;

		if (e->primary == NULL)
			continue;
		hoa = e->info.home_addr;
		n = haven_node_find(&hoa);
		if (n == NULL)
			continue;
		haven_node_counters(n, &sum);
		e->packets = sum.pkts;
		e->bytes = sum.bytes;
	}
}

/*
 * Once a second: the routers of the configured routes resolved ahead.
 * Every binding handed to us is tunnelled through one of them, and the
 * correspondents switch to us as soon as we announce it: a router still
 * unresolved then would hold its first packets in the link layer's hold
 * queue (16), and a fast stream would overflow it (issue 16).
 */
static void
gateways_resolve(uint64_t now)
{
	static uint64_t next_ms;
	const struct haven_config *cfg = &haven_rt.cfg;
	struct haven_addr gw;
	unsigned int i;

	if (now < next_ms)
		return;
	next_ms = now + 1000;
	for (i = 0; i < cfg->n_routes; i++) {
		gw = haven_addr4(cfg->routes[i].gateway);
		(void)haven_link_resolved(&gw);
	}
	for (i = 0; haven_rt_has_ip6() && i < cfg->n_routes6; i++) {
		gw = haven_addr6(cfg->routes6[i].gateway);
		(void)haven_link_resolved(&gw);
	}
}

void
deleg_sha_tick(uint64_t now)
{
	if (now >= deleg.sha.next_report_ms)
		collect_counters();
	gateways_resolve(now);
	haven_deleg_sha_tick(&deleg.sha, now);
}

int
deleg_sha_init(void)
{
	const struct haven_config_delegation *dc = &haven_rt.cfg.delegation;
	uint32_t size = haven_deleg_sha_table_size(dc->capacity);

	deleg.sha_entries = rte_zmalloc("haven_sha_entries",
			sizeof(*deleg.sha_entries) * dc->capacity, 0);
	deleg.sha_index = rte_zmalloc("haven_sha_index",
			sizeof(uint32_t) * size, 0);
	if (deleg.sha_entries == NULL || deleg.sha_index == NULL)
		return -ENOMEM;
	struct haven_deleg_sha_config sc;

	haven_deleg_sha_init(&deleg.sha, dc->agent_id, deleg.primaries,
		dc->n_primaries, deleg.sha_entries, deleg.sha_index,
		dc->capacity, dc->report_interval_ms, &sha_ops, NULL,
		haven_now_ms(), deleg_seq_base());
	/*
	 * report_interval_ms is the liveness period (heartbeats: a primary
	 * declares us dead after dead_after of them); per-binding counters
	 * go at most once a second, or at that period when it is longer.
	 */
	haven_deleg_sha_config_default(&sc);
	sc.heartbeat_ms = dc->report_interval_ms;
	sc.counters_ms = RTE_MAX(dc->report_interval_ms,
		(uint32_t)HAVEN_DELEG_REPORT_MS);
	if (haven_deleg_sha_configure(&deleg.sha, &sc) != 0)
		return -EINVAL;
	deleg.sha.ipv6 = haven_rt_has_ip6();
	/* The workers tunnel IP in UDP (RFC 3519, encap 4, 2.3.1): the
	 * heartbeats announce it, and such STARTs are installed. */
	deleg.sha.udp = true;
	return 0;
}
