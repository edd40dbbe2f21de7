/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running configuration (show running-config): the configuration in
 * force (haven_rt.cfg, as the last reload committed it), with what the
 * console changed since (the balancer's policy and thresholds, the
 * secondaries added or removed), as an object in the schema of the YAML
 * file (docs/configuration.md), every value explicit, defaults included.
 * Every secret (mobile node, peer and sync keys, RADIUS secrets and
 * password) is "<hidden>"; everything else loads back into haven as it
 * is.
 *
 * The YAML text is emitted with libyaml from that object: mappings keep
 * their order, and a string that YAML could read as something else (a
 * number, a boolean, an address with a colon) is double-quoted.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <yaml.h>

#include "report.h"
#include "view.h"

#define HIDDEN "<hidden>"

static void
set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);
}

static void
set_s(json_t *o, const char *key, const char *s)
{
	set(o, key, json_string(s));
}

static void
set_u(json_t *o, const char *key, uint64_t v)
{
	set(o, key, json_integer((json_int_t)v));
}

static void
set_ip4(json_t *o, const char *key, uint32_t a)
{
	char s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, s, sizeof(s));
	set_s(o, key, s);
}

static void
set_ip6(json_t *o, const char *key, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, s, sizeof(s));
	set_s(o, key, s);
}

static void
set_addr(json_t *o, const char *key, const struct haven_addr *a)
{
	char s[HAVEN_ADDR_STRLEN];

	set_s(o, key, haven_addr_str(a, s));
}

/* "a/len" of either family (16 bytes when six). */
static void
set_prefix(json_t *o, const char *key, const void *a, bool six,
		unsigned int len)
{
	char s[INET6_ADDRSTRLEN + 4];

	inet_ntop(six ? AF_INET6 : AF_INET, a, s, sizeof(s));
	snprintf(s + strlen(s), sizeof(s) - strlen(s), "/%u", len);
	set_s(o, key, s);
}

static json_t *
eal_section(const struct haven_config *c)
{
	static const char *const hp[] = { "auto", "on", "off" };
	json_t *o = json_object(), *args;
	unsigned int i;

	set_s(o, "lcores", c->lcores);
	set_s(o, "file_prefix", c->file_prefix);
	set_u(o, "memory_mb", c->memory_mb);
	set_s(o, "hugepages", hp[c->hugepages]);
	if (c->n_eal_args > 0) {
		args = json_array();
		for (i = 0; i < c->n_eal_args; i++)
			json_array_append_new(args,
				json_string(c->eal_args[i]));
		set(o, "args", args);
	}
	return o;
}

static json_t *
ports_section(const struct haven_config *c)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < c->n_ports; i++) {
		const struct haven_config_port *p = &c->ports[i];
		json_t *o = json_object();

		set_s(o, "name", p->name);
		set_s(o, "device", p->device);
		set_prefix(o, "address", &p->addr, false, p->prefix_len);
		if (p->has_addr6)
			set_prefix(o, "address6", p->addr6, true,
				p->prefix_len6);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
routes_section(const struct haven_config *c)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < c->n_routes; i++) {
		json_t *o = json_object();

		set_prefix(o, "prefix", &c->routes[i].prefix, false,
			c->routes[i].prefix_len);
		set_ip4(o, "gateway", c->routes[i].gateway);
		json_array_append_new(a, o);
	}
	for (i = 0; i < c->n_routes6; i++) {
		json_t *o = json_object();

		set_prefix(o, "prefix", c->routes6[i].prefix, true,
			c->routes6[i].prefix_len);
		set_ip6(o, "gateway", c->routes6[i].gateway);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
home_agent_section(const struct haven_config *c)
{
	json_t *o = json_object(), *enc = json_array(), *udp;

	set_ip4(o, "address", c->ha_addr);
	set_s(o, "port", c->ports[c->home_port].name);
	set_u(o, "max_lifetime", c->max_lifetime);
	set_u(o, "replay_window", c->replay_window);
	set_u(o, "max_bindings", c->max_bindings);
	set_u(o, "max_simultaneous", c->max_simultaneous);
	if (c->encapsulations & HAVEN_ENCAP_BIT_IPIP)
		json_array_append_new(enc, json_string("ipip"));
	if (c->encapsulations & HAVEN_ENCAP_BIT_MINIMAL)
		json_array_append_new(enc, json_string("minimal"));
	if (c->encapsulations & HAVEN_ENCAP_BIT_GRE)
		json_array_append_new(enc, json_string("gre"));
	set(o, "encapsulations", enc);
	set(o, "reverse_tunnel", json_boolean(c->reverse_tunnel));
	/* RFC 3519 */
	udp = json_object();
	set(udp, "enabled", json_boolean(c->udp_tunnel.enabled));
	set_u(udp, "keepalive_s", c->udp_tunnel.keepalive_s);
	set(udp, "force_allowed", json_boolean(c->udp_tunnel.force_allowed));
	set(o, "udp_tunnel", udp);
	if (!haven_config_has_ipv6(c))
		return o;
	if (c->has_ha_addr6)
		set_ip6(o, "address6", c->ha_addr6);
	if (c->home_prefix6_len > 0)
		set_prefix(o, "home_prefix6", c->home_prefix6, true,
			c->home_prefix6_len);
	set_u(o, "max_lifetime6", c->max_lifetime6);
	set(o, "dad", json_boolean(c->dad));
	set_u(o, "refresh_advice_s", c->refresh_advice_s);
	return o;
}

static json_t *
mobile_nodes_section(const struct haven_config *c)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < c->n_mns; i++) {
		const struct haven_config_mn *m = &c->mns[i];
		json_t *o = json_object();

		set_ip4(o, "home_address", m->home_addr);
		set_u(o, "spi", m->sa.spi);
		set_s(o, "algorithm", m->sa.alg == HAVEN_MIP4_ALG_HMAC_SHA256 ?
			"hmac-sha256" : "hmac-md5");
		set_s(o, "key", HIDDEN);
		if (m->max_lifetime != 0)
			set_u(o, "max_lifetime", m->max_lifetime);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
mobile_nodes6_section(const struct haven_config *c)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < c->n_mns6; i++) {
		const struct haven_config_mn6 *m = &c->mns6[i];
		json_t *o = json_object();

		set_ip6(o, "home_address", m->home_addr);
		set_u(o, "spi", m->sa.spi);
		set_s(o, "algorithm", m->sa.alg == HAVEN_CONFIG_SA6_HMAC_SHA256 ?
			"hmac-sha256" : "hmac-sha1");
		set_s(o, "key", HIDDEN);
		if (m->mn_id[0] != '\0')
			set_s(o, "mn_id", m->mn_id);
		if (m->max_lifetime != 0)
			set_u(o, "max_lifetime", m->max_lifetime);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
peer_entry(const char *name, uint32_t id, uint32_t addr,
		const struct haven_config_peer *cp)
{
	json_t *o = json_object();

	set_s(o, "name", name);
	set_u(o, "id", id);
	set_ip4(o, "address", addr);
	set_s(o, "key", HIDDEN);
	if (cp != NULL && cp->has_addr6)
		set_ip6(o, "address6", cp->addr6);
	return o;
}

/*
 * The secondaries in force: those of the delegation module (the console
 * adds and removes some), with what the configuration says of them.
 */
static json_t *
secondaries_of(const struct haven_config *c)
{
	const struct haven_deleg_pha *pha = haven_deleg_pha_ctx();
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; pha != NULL && i < pha->n_peers; i++) {
		const struct haven_deleg_peer *p = &haven_deleg_secondaries()[i];

		if (p->removed)
			continue;
		json_array_append_new(a, peer_entry(p->name, p->id, p->addr,
			haven_config_find_peer(c, p->name)));
	}
	return a;
}

static json_t *
delegation_section(const struct haven_config *c)
{
	const struct haven_config_delegation *d = &c->delegation;
	const struct haven_config_threshold *t = haven_balancer_threshold();
	json_t *o = json_object(), *sec, *prim, *th = json_object();
	unsigned int i;

	set_u(o, "agent_id", d->agent_id);
	set_ip4(o, "address", d->addr);
	set_u(o, "port", d->port);
	sec = haven_deleg_is_pha() ? secondaries_of(c) : json_array();
	if (json_array_size(sec) > 0)
		set(o, "secondaries", sec);
	else
		json_decref(sec);
	prim = json_array();
	for (i = 0; i < d->n_primaries; i++) {
		const struct haven_config_peer *p = &d->primaries[i];

		json_array_append_new(prim, peer_entry(p->name, p->id,
			p->addr, p));
	}
	if (json_array_size(prim) > 0)
		set(o, "primaries", prim);
	else
		json_decref(prim);
	set_u(o, "capacity", d->capacity);
	set_u(o, "report_interval_ms", d->report_interval_ms);
	set_u(o, "dead_after", d->dead_after);
	set(o, "wait_for_ack", json_boolean(d->wait_for_ack));
	set_s(o, "policy", haven_deleg_is_pha() ?
		haven_deleg_policy_name(haven_balancer_policy()) :
		haven_deleg_policy_name(d->policy));
	if (!haven_deleg_is_pha())
		t = &d->threshold;
	set_u(th, "binding_pps", t->binding_pps);
	set_u(th, "total_pps", t->total_pps);
	set_u(th, "hysteresis_pct", t->hysteresis_pct);
	set_u(th, "hold_s", t->hold_s);
	set(o, "threshold", th);
	return o;
}

static json_t *
aaa_section(const struct haven_config *c)
{
	const struct haven_config_aaa *x = &c->aaa;
	json_t *o = json_object(), *servers = json_array();
	unsigned int i;

	for (i = 0; i < x->radius.n_servers; i++) {
		const struct haven_radius_server_conf *s = &x->radius.servers[i];
		json_t *e = json_object();

		set_s(e, "name", s->name);
		set_addr(e, "address", &s->addr);
		set_u(e, "auth_port", s->auth_port);
		set_u(e, "acct_port", s->acct_port);
		set_s(e, "secret", HIDDEN);
		set_u(e, "timeout_ms", s->timeout_ms);
		set_u(e, "retries", s->retries);
		json_array_append_new(servers, e);
	}
	set(o, "servers", servers);
	set_s(o, "nas_identifier", x->radius.nas_identifier);
	if (x->radius.nas_addr.family != HAVEN_AF_NONE)
		set_addr(o, "nas_address", &x->radius.nas_addr);
	if (x->radius.user_password_len > 0)
		set_s(o, "user_password", HIDDEN);
	set_u(o, "max_pending", x->radius.max_pending);
	set_u(o, "revive_interval_ms", x->radius.revive_interval_ms);
	set_u(o, "key_lifetime", x->key_lifetime);
	set(o, "accounting", json_boolean(x->accounting));
	set_u(o, "interim_interval", x->interim_interval);
	if (x->has_pool) {
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], p[40];

		inet_ntop(AF_INET, &x->pool_first, a, sizeof(a));
		inet_ntop(AF_INET, &x->pool_last, b, sizeof(b));
		snprintf(p, sizeof(p), "%s-%s", a, b);
		set_s(o, "pool", p);
	}
	return o;
}

static json_t *
store_section(const struct haven_config *c)
{
	const struct haven_config_store *s = &c->store;
	json_t *o = json_object();
	char sync[32];

	set_s(o, "path", s->path);
	if (s->sync == HAVEN_CONFIG_STORE_SYNC_INTERVAL)
		snprintf(sync, sizeof(sync), "interval %u",
			s->sync_interval_ms);
	else
		snprintf(sync, sizeof(sync), "%s",
			s->sync == HAVEN_CONFIG_STORE_SYNC_NONE ? "none" :
			"every-commit");
	set_s(o, "sync", sync);
	set_u(o, "map_size_mb", s->map_size_mb);
	set_u(o, "max_batch", s->max_batch);
	return o;
}

static json_t *
redundancy_section(const struct haven_config *c)
{
	const struct haven_config_redundancy *r = &c->redundancy;
	json_t *o = json_object(), *peer = json_object(), *vrrp = json_object();

	set_u(o, "node_id", r->node_id);
	set_addr(o, "address", &r->addr);
	set_u(o, "port", r->port);
	set_s(peer, "name", r->peer.name);
	set_u(peer, "id", r->peer.id);
	set_addr(peer, "address", &r->peer.addr);
	set_s(peer, "key", HIDDEN);
	set(o, "peer", peer);
	set_s(o, "role", haven_redundancy_role_name(r->role));
	set_u(vrrp, "virtual_router_id", r->vrid);
	set_u(vrrp, "priority", r->priority);
	set_u(vrrp, "advert_interval_ms", r->advert_interval_ms);
	set(vrrp, "preempt", json_boolean(r->preempt));
	set(o, "vrrp", vrrp);
	set_u(o, "heartbeat_interval_ms", r->heartbeat_ms);
	set_u(o, "dead_after", r->dead_after);
	set_u(o, "window", r->window);
	set_u(o, "bulk_per_tick", r->bulk_per_tick);
	return o;
}

json_t *
haven_report_running_config(void)
{
	const struct haven_config *c = &haven_rt.cfg;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	set(o, "eal", eal_section(c));
	set_s(o, "idle", haven_idle_policy_name(c->idle));
	set_s(o, "log_level", c->log_level);
	if (c->console_socket[0] != '\0')
		set_s(o, "console_socket", c->console_socket);
	set(o, "ports", ports_section(c));
	if (c->n_routes + c->n_routes6 > 0)
		set(o, "routes", routes_section(c));
	if (c->has_home_agent)
		set(o, "home_agent", home_agent_section(c));
	if (c->n_mns > 0)
		set(o, "mobile_nodes", mobile_nodes_section(c));
	if (c->n_mns6 > 0)
		set(o, "mobile_nodes6", mobile_nodes6_section(c));
	if (c->delegation.enabled)
		set(o, "delegation", delegation_section(c));
	if (c->aaa.enabled)
		set(o, "aaa", aaa_section(c));
	if (c->store.enabled)
		set(o, "store", store_section(c));
	if (c->redundancy.enabled)
		set(o, "redundancy", redundancy_section(c));
	return o;
}

/* ---------------------------------------------------------------------
 * YAML
 */

struct text {
	char *buf;
	size_t len, cap;
};

static int
text_write(void *data, unsigned char *buf, size_t size)
{
	struct text *t = data;

	if (t->len + size + 1 > t->cap) {
		size_t cap = (t->len + size + 1) * 2;
		char *nb = realloc(t->buf, cap);

		if (nb == NULL)
			return 0;
		t->buf = nb;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, buf, size);
	t->len += size;
	t->buf[t->len] = '\0';
	return 1;
}

/* Would YAML read s as something else than this string? */
static bool
needs_quotes(const char *s)
{
	static const char *const words[] = {
		"y", "n", "yes", "no", "on", "off", "true", "false", "null",
		"~", NULL,
	};
	unsigned int i;

	if (s[0] == '\0' || isdigit((unsigned char)s[0]) || s[0] == '-' ||
	    s[0] == '.' || s[0] == '<' || s[0] == '+')
		return true;
	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(s, words[i]) == 0)
			return true;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_./-@",
				s[i]) == NULL)
			return true;
	return false;
}

static int
emit_scalar(yaml_emitter_t *e, const char *v, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
			(yaml_char_t *)(uintptr_t)v, (int)strlen(v), 1, 1, style))
		return -1;
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

static int
emit(yaml_emitter_t *e, const json_t *j)
{
	yaml_event_t ev;
	const char *key;
	json_t *v;
	size_t i;
	char num[32];

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
				YAML_BLOCK_MAPPING_STYLE) ||
		    !yaml_emitter_emit(e, &ev))
			return -1;
		json_object_foreach((json_t *)(uintptr_t)j, key, v)
			if (emit_scalar(e, key, YAML_PLAIN_SCALAR_STYLE) < 0 ||
			    emit(e, v) < 0)
				return -1;
		if (!yaml_mapping_end_event_initialize(&ev))
			return -1;
		return yaml_emitter_emit(e, &ev) ? 0 : -1;
	case JSON_ARRAY:
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
				YAML_BLOCK_SEQUENCE_STYLE) ||
		    !yaml_emitter_emit(e, &ev))
			return -1;
		json_array_foreach(j, i, v)
			if (emit(e, v) < 0)
				return -1;
		if (!yaml_sequence_end_event_initialize(&ev))
			return -1;
		return yaml_emitter_emit(e, &ev) ? 0 : -1;
	case JSON_STRING:
		return emit_scalar(e, json_string_value(j),
			needs_quotes(json_string_value(j)) ?
			YAML_DOUBLE_QUOTED_SCALAR_STYLE :
			YAML_PLAIN_SCALAR_STYLE);
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			json_integer_value(j));
		return emit_scalar(e, num, YAML_PLAIN_SCALAR_STYLE);
	case JSON_TRUE:
		return emit_scalar(e, "true", YAML_PLAIN_SCALAR_STYLE);
	case JSON_FALSE:
		return emit_scalar(e, "false", YAML_PLAIN_SCALAR_STYLE);
	default:
		return emit_scalar(e, "", YAML_PLAIN_SCALAR_STYLE);
	}
}

char *
haven_report_running_config_yaml(void)
{
	json_t *j = haven_report_running_config();
	struct text t = { 0 };
	yaml_emitter_t e;
	yaml_event_t ev;
	int rc = -1;

	if (j == NULL || !yaml_emitter_initialize(&e)) {
		json_decref(j);
		return NULL;
	}
	yaml_emitter_set_output(&e, text_write, &t);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_indent(&e, 2);
	if (yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	    yaml_emitter_emit(&e, &ev) &&
	    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	    yaml_emitter_emit(&e, &ev) && emit(&e, j) == 0 &&
	    yaml_document_end_event_initialize(&ev, 1) &&
	    yaml_emitter_emit(&e, &ev) &&
	    yaml_stream_end_event_initialize(&ev) &&
	    yaml_emitter_emit(&e, &ev))
		rc = 0;
	yaml_emitter_delete(&e);
	json_decref(j);
	if (rc != 0) {
		free(t.buf);
		return NULL;
	}
	return t.buf;
}
