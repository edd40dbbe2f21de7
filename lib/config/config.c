/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration loader: reads the operator's YAML file with libyaml's
 * document API, checks every value, fills struct haven_config and its
 * defaults. It runs before the EAL starts, so it uses no DPDK at all.
 *
 * The whole point of this file is the error messages. An operator who
 * mistypes a key or an address must be told where and what, in the form
 * compilers use ("lab.yaml:12:14: expected ..., got ..."), so that editors
 * jump to it. Each field is checked by one call to a small helper that
 * knows how to describe what it expected; the first error stops the load.
 *
 * The file is parsed in two passes over the document tree: every mapping
 * is first collected into a table of known keys (which catches unknown and
 * duplicate keys), then the sections are checked in dependency order
 * (eal, ports, routes, home_agent, mobile_nodes, mobile_nodes6,
 * delegation, aaa, store, redundancy), whatever order the file writes them
 * in, so that cross
 * checks such as "the gateway is on a port's subnet" always have what
 * they need.
 *
 * IPv6 (Mobile IPv6, RFC 6275) is on when the file has address6 keys:
 * ports[].address6, IPv6 entries in routes (kept in routes6[] so that the
 * IPv4 structures are unchanged), home_agent.address6 and its companions,
 * and the separate list mobile_nodes6. A file without them loads exactly
 * as it did before IPv6 existed.
 *
 * home_agent may be left out by a pure secondary home agent (an SHA that
 * only forwards for its primaries, EP 1134991): it then has no mobile
 * nodes, and the fast path uses its first port's address as its own.
 *
 * Secrets never appear in messages: a bad key is described by its length
 * or by the offset of the bad character, not by its text.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <yaml.h>

#include "haven_config.h"

/* Defaults of the keys an operator may leave out (docs/configuration.md). */
#define DEFAULT_FILE_PREFIX	"haven"
#define DEFAULT_MEMORY_MB	256
#define DEFAULT_LOG_LEVEL	"info"
#define DEFAULT_MAX_LIFETIME	1800
#define DEFAULT_REPLAY_WINDOW	7	/* seconds, RFC 5944 5.7 suggests 7 */
#define DEFAULT_MAX_BINDINGS	65536
/*
 * registration_guard: what one control lcore verifies with room to spare
 * (haven-bench (e): 0.8-1.5 M/s in process; the agent's whole path with
 * replies, events and logs is slower); a source is a mobile node or a NAT
 * with many behind it; bound pairs refresh far below their rate.
 */
#define DEFAULT_REG_RATE		20000
#define DEFAULT_REG_BURST		2000
#define DEFAULT_REG_SOURCE_RATE		200
#define DEFAULT_REG_SOURCE_BURST	400
#define DEFAULT_REG_BOUND_RATE		100000
#define DEFAULT_REG_BOUND_BURST		10000
#define DEFAULT_DELEG_CAPACITY	1024
#define DEFAULT_REPORT_MS	1000	/* HAVEN_DELEG_REPORT_MS */
#define DEFAULT_DEAD_AFTER	3	/* HAVEN_DELEG_DEAD_REPORTS */
#define DEFAULT_BINDING_PPS	1000
#define DEFAULT_HYSTERESIS_PCT	50
#define DEFAULT_HOLD_S		2
#define DEFAULT_KEY_LIFETIME	3600	/* s a RADIUS key stays cached */
/* RFC 3519 3.2: the keepalive interval a node uses when told 0 */
#define DEFAULT_UDP_KEEPALIVE	110
/* Rebalancing and the delegation's flow control (HAVEN_DELEG_*, lib/deleg) */
#define DEFAULT_REBALANCE_PCT	10
#define DEFAULT_DELEG_WINDOW	512
#define DEFAULT_DGRAM_WINDOW	16
#define DEFAULT_RX_BUDGET	256
#define DEFAULT_MOVE_RATE	2000
#define DEFAULT_MOVE_BURST	256

/* Ranges. */
#define MIN_MEMORY_MB		64
#define MAX_MEMORY_MB		65536
#define MAX_LIFETIME		65534	/* 65535 (0xffff) means infinite */
#define MAX_REPLAY_WINDOW	3600
#define MAX_BINDINGS		16777216
#define MAX_REG_RATE		100000000	/* requests/s, registration_guard */
#define MIN_SPI			256	/* 0..255 reserved, RFC 5944 1.6 */
#define MAX_LCORE_ID		1023	/* above any RTE_MAX_LCORE build */
#define MAX_KEY_FILE_SIZE	4096	/* a key file is text, never large */
#define MAX_SHOWN_CHARS		48	/* of a value quoted in a message */
#define MIN_REPORT_MS		100	/* an SHA's report period */
#define MAX_REPORT_MS		60000
#define MIN_DEAD_AFTER		2	/* one lost report is not a death */
#define MAX_DEAD_AFTER		100
#define MAX_PPS			1000000000	/* packets/s, thresholds */
#define MAX_HOLD_S		3600
#define MAX_DELEG_WINDOW	65536	/* transactions in flight per SHA */
#define MAX_RX_BUDGET		1024	/* the control lcore's punt ring */
#define MAX_MOVE_RATE		1000000	/* moves a second */
#define MAX_MOVE_BURST		65536

/*
 * The memory the start-up tables take, measured (docs/configuration.md,
 * "eal.memory_mb"): haven on one port with one worker, hugepages: off
 * (--no-huge, where -m is a hard limit), the smallest memory_mb that
 * started, found by bisection. IPv4 alone: 101 MB at max_bindings 1,
 * 104 at 16384, 116 at 65536, 162 at 262144, 337 at 1000000: the mbuf
 * pool and the IPv4 LPM (its tbl24 alone is 64 MB) plus about 248 bytes a
 * binding. IPv6 adds 68 MB (the IPv6 LPM's tbl24 and tbl8s) and about 408
 * bytes a binding (the IPv6 binding table is also sized by max_bindings):
 * 169 MB at 1, 179 at 16384, 209 at 65536, 330 at 262144, 788 at 1000000.
 * Four ports instead of one changed nothing measurable. test_config.c
 * holds the measurements; measure again when the application's tables
 * change.
 */
#define MEM_BASE_MB		100	/* mbufs, IPv4 LPM, rings, EAL */
#define MEM_PER_BINDING		248	/* bytes, IPv4 binding table */
#define MEM_IPV6_MB		68	/* IPv6 LPM */
#define MEM_PER_BINDING6	408	/* bytes, IPv6 binding table */

/* IPv6 (RFC 6275): lifetimes and refresh intervals count units of 4 s. */
#define LIFETIME6_UNIT		4
#define DEFAULT_MAX_LIFETIME6	3600	/* 900 units */
#define MAX_ROUTES_LISTED	(HAVEN_CONFIG_MAX_ROUTES + HAVEN_CONFIG_MAX_ROUTES6)

/* The longest unix socket path: sun_path with its terminating NUL. */
#define MAX_SOCKET_PATH		(sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* store: and redundancy: */
#define DEFAULT_STORE_MAP_MB	1024	/* HAVEN_STORE_DEFAULT_MAP_SIZE */
#define DEFAULT_STORE_BATCH	4096	/* HAVEN_STORE_DEFAULT_MAX_BATCH */
#define MAX_STORE_MAP_MB	1048576	/* 1 TiB */
#define MAX_STORE_BATCH		1048576
#define MIN_SYNC_INTERVAL_MS	10
#define MAX_SYNC_INTERVAL_MS	60000
#define DEFAULT_VRID		51
#define DEFAULT_VRRP_PRIORITY	100
#define DEFAULT_ADVERT_MS	100	/* VRRPv3 advertisements, RFC 5798 */
#define MIN_ADVERT_MS		10	/* 1 centisecond */
#define MAX_ADVERT_MS		40950	/* 4095 centiseconds */
#define DEFAULT_HEARTBEAT_MS	100	/* HAVEN_SYNC_HEARTBEAT_MS */
#define MIN_HEARTBEAT_MS	10
#define MAX_HEARTBEAT_MS	10000
#define DEFAULT_SYNC_DEAD_AFTER	3	/* HAVEN_SYNC_DEAD_AFTER */
#define DEFAULT_SYNC_WINDOW	256	/* HAVEN_SYNC_WINDOW */
#define MAX_SYNC_WINDOW		4096
#define DEFAULT_BULK_PER_TICK	64	/* HAVEN_SYNC_BULK_PER_TICK */

/* State of one load: where messages go and where relative paths start. */
struct parse_ctx {
	const char *path;		/* config file as given, for messages */
	char dir[HAVEN_CONFIG_PATH_LEN];	/* its folder, for key_file */
	yaml_document_t *doc;
	struct haven_config *cfg;
	const yaml_node_t *console_key;	/* top-level console_socket */
	const yaml_node_t *eal_map;	/* eal:, and its memory_mb value */
	const yaml_node_t *memory_value;
	const yaml_node_t *redundancy_map;	/* redundancy:, for messages */
	/* routes[] index in the file of each routes[] and routes6[] slot */
	unsigned int route_item[HAVEN_CONFIG_MAX_ROUTES];
	unsigned int route6_item[HAVEN_CONFIG_MAX_ROUTES6];
	char *err;
	size_t errlen;
	char got[4 * MAX_SHOWN_CHARS + 16];	/* describe() output */
};

/* One key a mapping may hold; collect() fills key and value. */
struct field {
	const char *name;
	bool nullable;		/* an empty value means "not given" */
	yaml_node_t *key;
	yaml_node_t *value;
};

/* ------------------------------------------------------------------ */
/* Error reporting                                                    */
/* ------------------------------------------------------------------ */

/* Write "path:line:column: <message>" for a mark of libyaml (0-based). */
static int
fail_mark(struct parse_ctx *ctx, yaml_mark_t mark, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail_mark(struct parse_ctx *ctx, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ctx->err == NULL || ctx->errlen == 0)
		return -1;
	n = snprintf(ctx->err, ctx->errlen, "%s:%zu:%zu: ", ctx->path,
		mark.line + 1, mark.column + 1);
	if (n < 0 || (size_t)n >= ctx->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx->err + n, ctx->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The same, at the start of a node. */
#define fail_at(ctx, node, ...) fail_mark(ctx, (node)->start_mark, __VA_ARGS__)

/* Describe what a node holds, for the "got" half of a message. */
static const char *
describe(struct parse_ctx *ctx, const yaml_node_t *node)
{
	const unsigned char *v;
	size_t i, n, len;

	switch (node->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_SCALAR_NODE:
		break;
	default:
		return "nothing";
	}
	v = node->data.scalar.value;
	len = node->data.scalar.length;
	if (len == 0)
		return "an empty value";
	n = 0;
	ctx->got[n++] = '"';
	for (i = 0; i < len && i < MAX_SHOWN_CHARS; i++) {
		if (v[i] == '"' || v[i] == '\\')
			n += sprintf(ctx->got + n, "\\%c", v[i]);
		else if (v[i] >= 0x20 && v[i] < 0x7f)
			ctx->got[n++] = v[i];
		else
			n += sprintf(ctx->got + n, "\\x%02x", v[i]);
	}
	if (i < len)
		n += sprintf(ctx->got + n, "...");
	ctx->got[n++] = '"';
	ctx->got[n] = '\0';
	return ctx->got;
}

/* "expected <what>, got <what the node holds>". */
static int
bad_value(struct parse_ctx *ctx, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad_value(struct parse_ctx *ctx, const yaml_node_t *node, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return fail_at(ctx, node, "expected %s, got %s", what,
		describe(ctx, node));
}

/* A required key is absent: point at the mapping that should hold it. */
static int
missing(struct parse_ctx *ctx, const yaml_node_t *map, const char *where,
	const char *name)
{
	return fail_at(ctx, map, "expected key \"%s\" in %s, got a mapping without it",
		name, where);
}

/* ------------------------------------------------------------------ */
/* Document walking                                                   */
/* ------------------------------------------------------------------ */

static yaml_node_t *
node_at(struct parse_ctx *ctx, int index)
{
	return yaml_document_get_node(ctx->doc, index);
}

/* A plain empty scalar, "~" or "null": YAML's way to say nothing. */
static bool
is_null(const yaml_node_t *node)
{
	const char *v;

	if (node->type != YAML_SCALAR_NODE ||
			node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)node->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
		strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/*
 * Sort the pairs of a mapping into fields by key name. Unknown keys,
 * duplicate keys and keys that are not scalars are errors. Values of
 * nullable fields that are empty are left out, as if never written.
 */
static int
collect(struct parse_ctx *ctx, yaml_node_t *map, const char *where,
	struct field *fields, size_t n_fields)
{
	char expected[256];
	yaml_node_pair_t *pair;
	size_t i, off;

	if (map->type != YAML_MAPPING_NODE)
		return bad_value(ctx, map, "a mapping for %s", where);

	for (pair = map->data.mapping.pairs.start;
			pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = node_at(ctx, pair->key);
		yaml_node_t *value = node_at(ctx, pair->value);
		const char *name;

		if (key->type != YAML_SCALAR_NODE)
			return bad_value(ctx, key, "a key name in %s", where);
		name = (const char *)key->data.scalar.value;
		for (i = 0; i < n_fields; i++)
			if (strcmp(fields[i].name, name) == 0)
				break;
		if (i == n_fields) {
			off = 0;
			for (i = 0; i < n_fields && off < sizeof(expected); i++)
				off += snprintf(expected + off,
					sizeof(expected) - off, "%s%s",
					i == 0 ? "" : ", ", fields[i].name);
			return fail_at(ctx, key,
				"unknown key %s in %s (expected one of: %s)",
				describe(ctx, key), where, expected);
		}
		if (fields[i].key != NULL)
			return fail_at(ctx, key,
				"expected each key once in %s, got \"%s\" again (first at line %zu)",
				where, name, fields[i].key->start_mark.line + 1);
		fields[i].key = key;
		if (!(fields[i].nullable && is_null(value)))
			fields[i].value = value;
	}
	return 0;
}

/* Every required field is present; point at the mapping otherwise. */
static int
require(struct parse_ctx *ctx, const yaml_node_t *map, const char *where,
	const struct field *fields, const int *required, size_t n_required)
{
	size_t i;

	for (i = 0; i < n_required; i++)
		if (fields[required[i]].value == NULL)
			return missing(ctx, map, where, fields[required[i]].name);
	return 0;
}

/* A sequence of min..max items; sets *count. */
static int
get_sequence(struct parse_ctx *ctx, yaml_node_t *node, const char *what,
	size_t min, size_t max, size_t *count)
{
	size_t n;

	if (node->type != YAML_SEQUENCE_NODE)
		return bad_value(ctx, node, "a list of %s", what);
	n = node->data.sequence.items.top - node->data.sequence.items.start;
	if (n < min)
		return fail_at(ctx, node, "expected at least %zu %s, got %zu",
			min, what, n);
	if (n > max)
		return fail_at(ctx,
			node_at(ctx, node->data.sequence.items.start[max]),
			"expected at most %zu %s, got %zu", max, what, n);
	*count = n;
	return 0;
}

static yaml_node_t *
item_at(struct parse_ctx *ctx, yaml_node_t *seq, size_t i)
{
	return node_at(ctx, seq->data.sequence.items.start[i]);
}

/* ------------------------------------------------------------------ */
/* Scalar fields: each returns 0, or -1 with the message written.     */
/* A NULL node means the key was not given: the default stays.        */
/* ------------------------------------------------------------------ */

/* The text of a scalar that holds no NUL byte. */
static int
scalar_text(struct parse_ctx *ctx, const yaml_node_t *node, const char *what,
	const char **text)
{
	*text = "";
	if (node->type != YAML_SCALAR_NODE ||
			strlen((const char *)node->data.scalar.value) !=
			node->data.scalar.length)
		return bad_value(ctx, node, "%s", what);
	*text = (const char *)node->data.scalar.value;
	return 0;
}

/* A string of 1..size-1 bytes. */
static int
get_string(struct parse_ctx *ctx, const yaml_node_t *node, const char *what,
	char *buf, size_t size)
{
	const char *v;

	if (node == NULL)
		return 0;
	if (scalar_text(ctx, node, what, &v) < 0)
		return -1;
	if (v[0] == '\0' || strlen(v) >= size)
		return bad_value(ctx, node, "%s of 1..%zu bytes", what, size - 1);
	strcpy(buf, v);
	return 0;
}

/* Decimal digits without sign or leading zeros, at most 12; no message. */
static bool
parse_decimal(const yaml_node_t *node, uint64_t *out)
{
	const char *v;
	uint64_t x = 0;
	size_t i;

	if (node->type != YAML_SCALAR_NODE)
		return false;
	v = (const char *)node->data.scalar.value;
	if (strlen(v) != node->data.scalar.length ||
			v[0] == '\0' || (v[0] == '0' && v[1] != '\0'))
		return false;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 12)
			return false;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return true;
}

/* A decimal integer in min..max, without sign or leading zeros. */
static int
get_uint(struct parse_ctx *ctx, const yaml_node_t *node, uint64_t min,
	uint64_t max, uint64_t *out)
{
	uint64_t x;

	if (node == NULL)
		return 0;
	if (!parse_decimal(node, &x) || x < min || x > max)
		return bad_value(ctx, node, "an integer %llu..%llu",
			(unsigned long long)min, (unsigned long long)max);
	*out = x;
	return 0;
}

static int
get_u32(struct parse_ctx *ctx, const yaml_node_t *node, uint32_t min,
	uint32_t max, uint32_t *out)
{
	uint64_t x = *out;

	if (get_uint(ctx, node, min, max, &x) < 0)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static int
get_u8(struct parse_ctx *ctx, const yaml_node_t *node, uint8_t min,
	uint8_t max, uint8_t *out)
{
	uint64_t x = *out;

	if (get_uint(ctx, node, min, max, &x) < 0)
		return -1;
	*out = (uint8_t)x;
	return 0;
}

static int
get_bool(struct parse_ctx *ctx, const yaml_node_t *node, bool *out)
{
	const char *v;

	if (node == NULL)
		return 0;
	if (scalar_text(ctx, node, "true or false", &v) < 0)
		return -1;
	if (strcmp(v, "true") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0)
		*out = false;
	else
		return bad_value(ctx, node, "true or false");
	return 0;
}

/*
 * One of a list of names; *out is its index. The message lists the first
 * n_shown names (the others are accepted synonyms); 0 shows them all.
 */
static int
get_choice_of(struct parse_ctx *ctx, const yaml_node_t *node,
	const char *const *names, size_t n_names, size_t n_shown, int *out)
{
	char expected[256];
	const char *v = NULL;
	size_t i, off = 0;

	if (node == NULL)
		return 0;
	if (node->type == YAML_SCALAR_NODE)
		v = (const char *)node->data.scalar.value;
	for (i = 0; v != NULL && i < n_names; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	if (n_shown == 0)
		n_shown = n_names;
	for (i = 0; i < n_shown && off < sizeof(expected); i++)
		off += snprintf(expected + off, sizeof(expected) - off, "%s%s",
			i == 0 ? "" : i + 1 == n_shown ? " or " : ", ",
			names[i]);
	return bad_value(ctx, node, "%s", expected);
}

static int
get_choice(struct parse_ctx *ctx, const yaml_node_t *node,
	const char *const *names, size_t n_names, int *out)
{
	return get_choice_of(ctx, node, names, n_names, 0, out);
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A dotted-quad IPv4 address, stored in network byte order. */
static int
get_ipv4(struct parse_ctx *ctx, const yaml_node_t *node, uint32_t *out)
{
	static const char what[] = "an IPv4 address (a.b.c.d)";
	struct in_addr a;
	const char *v;

	if (node == NULL)
		return 0;
	if (scalar_text(ctx, node, what, &v) < 0)
		return -1;
	if (inet_pton(AF_INET, v, &a) != 1)
		return bad_value(ctx, node, what);
	*out = a.s_addr;
	return 0;
}

/* "a.b.c.d/n" with n in 0..32. */
static int
get_prefix(struct parse_ctx *ctx, const yaml_node_t *node, uint32_t *addr,
	uint8_t *len)
{
	static const char what[] =
		"an IPv4 address with prefix length (a.b.c.d/n)";
	char text[INET_ADDRSTRLEN];
	const char *v, *slash;
	struct in_addr a;
	unsigned int n = 0;
	size_t i;

	if (scalar_text(ctx, node, what, &v) < 0)
		return -1;
	slash = strchr(v, '/');
	if (slash == NULL || (size_t)(slash - v) >= sizeof(text) ||
			slash[1] == '\0' || strlen(slash + 1) > 2 ||
			(slash[1] == '0' && slash[2] != '\0'))
		return bad_value(ctx, node, what);
	for (i = 1; slash[i] != '\0'; i++) {
		if (slash[i] < '0' || slash[i] > '9')
			return bad_value(ctx, node, what);
		n = n * 10 + (slash[i] - '0');
	}
	memcpy(text, v, slash - v);
	text[slash - v] = '\0';
	if (n > 32 || inet_pton(AF_INET, text, &a) != 1)
		return bad_value(ctx, node, what);
	*addr = a.s_addr;
	*len = (uint8_t)n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Address arithmetic (all in network byte order unless named _h)     */
/* ------------------------------------------------------------------ */

static uint32_t
mask_of(uint8_t len)
{
	return htonl(len == 0 ? 0 : 0xffffffffu << (32 - len));
}

static bool
in_subnet(uint32_t addr, uint32_t net, uint8_t len)
{
	return ((addr ^ net) & mask_of(len)) == 0;
}

/* The subnet's own address or its broadcast: no host may have them. */
static bool
is_net_or_broadcast(uint32_t addr, uint8_t len)
{
	uint32_t host = addr & ~mask_of(len);

	return len <= 30 && (host == 0 || host == ~mask_of(len));
}

static const char *
ntop(uint32_t addr, char *buf)
{
	struct in_addr a = { .s_addr = addr };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* The port whose subnet holds addr, or -1. */
static int
port_of(const struct haven_config *cfg, uint32_t addr)
{
	unsigned int i;

	for (i = 0; i < cfg->n_ports; i++)
		if (in_subnet(addr, cfg->ports[i].addr,
				cfg->ports[i].prefix_len))
			return (int)i;
	return -1;
}

/* "home 192.0.2.0/24, uplink 198.51.100.0/24" for messages. */
static const char *
port_subnets(const struct haven_config *cfg, char *buf, size_t size)
{
	char a[INET_ADDRSTRLEN];
	unsigned int i;
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < cfg->n_ports && off < size; i++) {
		const struct haven_config_port *p = &cfg->ports[i];

		off += snprintf(buf + off, size - off, "%s%s %s/%u",
			i == 0 ? "" : ", ", p->name,
			ntop(p->addr & mask_of(p->prefix_len), a),
			p->prefix_len);
	}
	return buf;
}

/* ------------------------------------------------------------------ */
/* IPv6 addresses (16 bytes, network order)                           */
/* ------------------------------------------------------------------ */

#define IP6_LEN HAVEN_CONFIG_IPV6_LEN

static const char *
ntop6(const uint8_t *addr, char *buf)
{
	return inet_ntop(AF_INET6, addr, buf, INET6_ADDRSTRLEN);
}

/* Keep the first len bits of addr, clear the others. */
static void
mask6(uint8_t *out, const uint8_t *addr, uint8_t len)
{
	unsigned int i;

	for (i = 0; i < IP6_LEN; i++) {
		unsigned int bits = len >= 8 * (i + 1) ? 8 :
			len > 8 * i ? len - 8 * i : 0;

		out[i] = addr[i] & (uint8_t)(0xff00u >> bits);
	}
}

static bool
in_subnet6(const uint8_t *addr, const uint8_t *net, uint8_t len)
{
	uint8_t a[IP6_LEN], n[IP6_LEN];

	mask6(a, addr, len);
	mask6(n, net, len);
	return memcmp(a, n, IP6_LEN) == 0;
}

static bool
host_bits_zero6(const uint8_t *addr, uint8_t len)
{
	uint8_t a[IP6_LEN];

	mask6(a, addr, len);
	return memcmp(a, addr, IP6_LEN) == 0;
}

/*
 * The Subnet-Router anycast address (RFC 4291 2.6.1): the prefix with an
 * all-zero interface identifier, which routers answer. No host has it;
 * /127 (RFC 6164) and /128 have no such address.
 */
static bool
is_subnet_router6(const uint8_t *addr, uint8_t len)
{
	return len <= 126 && host_bits_zero6(addr, len);
}

/*
 * Why an address can be no interface's, next hop's or node's address,
 * or NULL when it can. The words go into messages and the documentation.
 */
static const char *
special6(const uint8_t *a)
{
	static const uint8_t zero[IP6_LEN];
	static const uint8_t v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	};

	if (memcmp(a, zero, IP6_LEN) == 0)
		return "the unspecified address :: (it means no address)";
	if (memcmp(a, zero, IP6_LEN - 1) == 0 && a[IP6_LEN - 1] == 1)
		return "the loopback address ::1 (it never leaves the host)";
	if (a[0] == 0xff)
		return "a multicast address, ff00::/8 (it names a group, not one interface)";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "a link-local address, fe80::/10 (valid on one link only, and every interface derives its own; give a global or unique-local address)";
	if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0)
		return "an IPv4-mapped address, ::ffff:0:0/96 (it stands for an IPv4 host: use the IPv4 keys)";
	return NULL;
}

/* The port whose IPv6 subnet holds addr, or -1. */
static int
port6_of(const struct haven_config *cfg, const uint8_t *addr)
{
	unsigned int i;

	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].has_addr6 && in_subnet6(addr,
				cfg->ports[i].addr6, cfg->ports[i].prefix_len6))
			return (int)i;
	return -1;
}

/* "home 2001:db8:1::/64, core 2001:db8:f::/64" for messages. */
static const char *
port_subnets6(const struct haven_config *cfg, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	uint8_t net[IP6_LEN];
	unsigned int i;
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < cfg->n_ports && off < size; i++) {
		const struct haven_config_port *p = &cfg->ports[i];

		if (!p->has_addr6)
			continue;
		mask6(net, p->addr6, p->prefix_len6);
		off += snprintf(buf + off, size - off, "%s%s %s/%u",
			off == 0 ? "" : ", ", p->name, ntop6(net, a),
			p->prefix_len6);
	}
	if (off == 0)
		snprintf(buf, size, "no port has an address6");
	return buf;
}

/* Does a scalar look like IPv6 (holds a ':')? Picks a route's family. */
static bool
looks_ipv6(const yaml_node_t *node)
{
	return node != NULL && node->type == YAML_SCALAR_NODE &&
		strchr((const char *)node->data.scalar.value, ':') != NULL;
}

/* An IPv6 address (inet_pton: no zone, no prefix length). */
static int
get_ipv6(struct parse_ctx *ctx, const yaml_node_t *node, uint8_t *out)
{
	static const char what[] = "an IPv6 address (such as 2001:db8::1)";
	struct in6_addr a;
	const char *v;

	if (node == NULL)
		return 0;
	if (scalar_text(ctx, node, what, &v) < 0)
		return -1;
	if (inet_pton(AF_INET6, v, &a) != 1)
		return bad_value(ctx, node, what);
	memcpy(out, &a, IP6_LEN);
	return 0;
}

/* "addr/n" with n in min..128; what describes it for the message. */
static int
get_prefix6(struct parse_ctx *ctx, const yaml_node_t *node, const char *what,
	unsigned int min, uint8_t *addr, uint8_t *len)
{
	char text[INET6_ADDRSTRLEN];
	const char *v, *slash;
	struct in6_addr a;
	unsigned int n = 0;
	size_t i;

	if (scalar_text(ctx, node, what, &v) < 0)
		return -1;
	slash = strchr(v, '/');
	if (slash == NULL || (size_t)(slash - v) >= sizeof(text) ||
			slash[1] == '\0' || strlen(slash + 1) > 3 ||
			(slash[1] == '0' && slash[2] != '\0'))
		return bad_value(ctx, node, "%s", what);
	for (i = 1; slash[i] != '\0'; i++) {
		if (slash[i] < '0' || slash[i] > '9')
			return bad_value(ctx, node, "%s", what);
		n = n * 10 + (slash[i] - '0');
	}
	memcpy(text, v, slash - v);
	text[slash - v] = '\0';
	if (n < min || n > 128 || inet_pton(AF_INET6, text, &a) != 1)
		return bad_value(ctx, node, "%s", what);
	memcpy(addr, &a, IP6_LEN);
	*len = (uint8_t)n;
	return 0;
}

/*
 * Seconds counted in RFC 6275's units of 4 s: a multiple of 4 in
 * min..max. No silent rounding: what is written is what is sent.
 */
static int
get_seconds4(struct parse_ctx *ctx, const yaml_node_t *node, uint32_t min,
	uint32_t max, uint32_t *out)
{
	uint64_t x;

	if (node == NULL)
		return 0;
	if (!parse_decimal(node, &x) || x < min || x > max ||
			x % LIFETIME6_UNIT != 0)
		return bad_value(ctx, node,
			"a multiple of 4 in %u..%u (seconds; RFC 6275 counts them in units of 4 s)",
			min, max);
	*out = (uint32_t)x;
	return 0;
}

/* ------------------------------------------------------------------ */
/* eal:                                                               */
/* ------------------------------------------------------------------ */

/*
 * An EAL -l list: "0,1", "0-3", "2,4-7". The first lcore is the control
 * lcore; at least one worker must follow; no lcore twice.
 */
static int
get_lcores(struct parse_ctx *ctx, const yaml_node_t *node)
{
	static const char what[] =
		"an lcore list such as \"0,1\" or \"0-3\" (the first is the control lcore, then at least one worker)";
	uint8_t seen[(MAX_LCORE_ID + 8) / 8] = { 0 };
	struct haven_config *cfg = ctx->cfg;
	unsigned int count = 0;
	const char *p;
	char *end;

	if (get_string(ctx, node, "an lcore list", cfg->lcores,
			sizeof(cfg->lcores)) < 0)
		return -1;
	p = cfg->lcores;
	for (;;) {
		unsigned long lo, hi, id;

		if (*p < '0' || *p > '9')
			return bad_value(ctx, node, what);
		lo = hi = strtoul(p, &end, 10);
		p = end;
		if (*p == '-') {
			if (p[1] < '0' || p[1] > '9')
				return bad_value(ctx, node, what);
			hi = strtoul(p + 1, &end, 10);
			p = end;
		}
		if (hi < lo || hi > MAX_LCORE_ID)
			return bad_value(ctx, node,
				"lcores 0..%d in ascending ranges",
				MAX_LCORE_ID);
		for (id = lo; id <= hi; id++) {
			if (seen[id / 8] & (1u << (id % 8)))
				return bad_value(ctx, node,
					"each lcore once, lcore %lu is twice in",
					id);
			seen[id / 8] |= 1u << (id % 8);
			if (count++ == 0)
				cfg->control_lcore = (uint16_t)id;
		}
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return bad_value(ctx, node, what);
	}
	if (count < 2)
		return bad_value(ctx, node,
			"a control lcore and at least one worker lcore");
	cfg->n_workers = (uint16_t)(count - 1);
	return 0;
}

/* An EAL --file-prefix: a name for a folder under /var/run/dpdk. */
static int
get_file_prefix(struct parse_ctx *ctx, const yaml_node_t *node)
{
	static const char what[] =
		"a file prefix of letters, digits, '.', '_' and '-'";
	const char *v;
	size_t i;

	if (get_string(ctx, node, "a file prefix", ctx->cfg->file_prefix,
			sizeof(ctx->cfg->file_prefix)) < 0)
		return -1;
	v = ctx->cfg->file_prefix;
	if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return bad_value(ctx, node, what);
	for (i = 0; v[i] != '\0'; i++)
		if (!(isalnum((unsigned char)v[i]) || strchr("._-", v[i])))
			return bad_value(ctx, node, what);
	return 0;
}

/*
 * EAL options that other keys set. The application builds them from the
 * configuration; writing them again in eal.args would conflict.
 */
static const struct {
	const char *option;
	const char *instead;
} reserved_eal_args[] = {
	{ "-l", "eal.lcores" },
	{ "-c", "eal.lcores" },
	{ "--lcores", "eal.lcores" },
	{ "--main-lcore", "eal.lcores (its first lcore)" },
	{ "--master-lcore", "eal.lcores (its first lcore)" },
	{ "--file-prefix", "eal.file_prefix" },
	{ "-m", "eal.memory_mb" },
	{ "--socket-mem", "eal.memory_mb" },
	{ "--no-huge", "eal.hugepages: off" },
};

static const char *
reserved_eal_arg(const char *arg)
{
	size_t i, n;

	for (i = 0; i < N_OF(reserved_eal_args); i++) {
		const char *opt = reserved_eal_args[i].option;

		n = strlen(opt);
		if (strncmp(arg, opt, n) != 0)
			continue;
		/* "--opt", "--opt=x", and for short options "-lx" too */
		if (arg[n] == '\0' || arg[n] == '=' || n == 2)
			return reserved_eal_args[i].instead;
	}
	return NULL;
}

static int
get_eal_args(struct parse_ctx *ctx, yaml_node_t *node)
{
	struct haven_config *cfg = ctx->cfg;
	const char *instead;
	size_t i, n;

	if (node == NULL)
		return 0;
	if (get_sequence(ctx, node, "EAL arguments", 0,
			HAVEN_CONFIG_MAX_EAL_ARGS, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		yaml_node_t *item = item_at(ctx, node, i);
		const char *v;

		if (scalar_text(ctx, item, "an EAL argument", &v) < 0)
			return -1;
		if (v[0] == '\0')
			return bad_value(ctx, item, "an EAL argument");
		instead = reserved_eal_arg(v);
		if (instead != NULL)
			return bad_value(ctx, item,
				"an EAL argument that no other key sets (use %s)",
				instead);
		cfg->eal_args[i] = strdup(v);
		if (cfg->eal_args[i] == NULL)
			return fail_at(ctx, item,
				"expected memory for an EAL argument, got none");
		cfg->n_eal_args = i + 1;
	}
	return 0;
}

static int
parse_eal(struct parse_ctx *ctx, yaml_node_t *map)
{
	/*
	 * YAML 1.1 tools (PyYAML, Ansible) read a plain on/off as a boolean
	 * and write it back as true/false: accept those as synonyms.
	 */
	static const char *const hugepages[] = {
		"auto", "on", "off", "true", "false",
	};
	static const enum haven_hugepages hugepages_of[] = {
		HAVEN_HUGEPAGES_AUTO, HAVEN_HUGEPAGES_ON, HAVEN_HUGEPAGES_OFF,
		HAVEN_HUGEPAGES_ON, HAVEN_HUGEPAGES_OFF,
	};
	enum { LCORES, FILE_PREFIX, MEMORY_MB, HUGEPAGES, ARGS, N_FIELDS };
	struct field f[N_FIELDS] = {
		[LCORES] = { .name = "lcores" },
		[FILE_PREFIX] = { .name = "file_prefix" },
		[MEMORY_MB] = { .name = "memory_mb" },
		[HUGEPAGES] = { .name = "hugepages" },
		[ARGS] = { .name = "args", .nullable = true },
	};
	static const int required[] = { LCORES };
	struct haven_config *cfg = ctx->cfg;
	int choice = 0;

	if (collect(ctx, map, "eal", f, N_FIELDS) < 0 ||
	    require(ctx, map, "eal", f, required, N_OF(required)) < 0 ||
	    get_lcores(ctx, f[LCORES].value) < 0 ||
	    get_file_prefix(ctx, f[FILE_PREFIX].value) < 0 ||
	    get_u32(ctx, f[MEMORY_MB].value, MIN_MEMORY_MB, MAX_MEMORY_MB,
		    &cfg->memory_mb) < 0 ||
	    get_choice_of(ctx, f[HUGEPAGES].value, hugepages,
		    N_OF(hugepages), 3, &choice) < 0 ||
	    get_eal_args(ctx, f[ARGS].value) < 0)
		return -1;
	cfg->hugepages = hugepages_of[choice];
	ctx->eal_map = map;
	ctx->memory_value = f[MEMORY_MB].value;
	return 0;
}

/*
 * memory_mb must hold the tables haven makes at start-up, which grow
 * with max_bindings and with IPv6: below that the EAL starts and the
 * first table that does not fit stops the start (MEM_* above). Checked
 * once home_agent is read: max_bindings and the IPv6 addresses are known.
 */
static int
check_memory(struct parse_ctx *ctx)
{
	const struct haven_config *cfg = ctx->cfg;
	uint32_t need = haven_config_min_memory_mb(cfg);
	char why[96];

	if (cfg->memory_mb >= need)
		return 0;
	snprintf(why, sizeof(why), "%s with max_bindings %u",
		haven_config_has_ipv6(cfg) ? "IPv4 and IPv6" : "IPv4",
		cfg->max_bindings);
	if (ctx->memory_value == NULL)
		return fail_at(ctx, ctx->eal_map,
			"expected key \"memory_mb\" of at least %u in eal (the start-up minimum for %s; the default %u is too small), got a mapping without it",
			need, why, DEFAULT_MEMORY_MB);
	return bad_value(ctx, ctx->memory_value,
		"a memory_mb of at least %u (the start-up minimum for %s, docs/configuration.md)",
		need, why);
}

/* ------------------------------------------------------------------ */
/* ports:                                                             */
/* ------------------------------------------------------------------ */

/* A port name: letters, digits, '_' and '-', as console commands take. */
static int
get_port_name(struct parse_ctx *ctx, const yaml_node_t *node, char *buf)
{
	static const char what[] = "a port name of letters, digits, '_' and '-'";
	size_t i;

	if (get_string(ctx, node, what, buf, HAVEN_CONFIG_NAME_LEN) < 0)
		return -1;
	for (i = 0; buf[i] != '\0'; i++)
		if (!(isalnum((unsigned char)buf[i]) || strchr("_-", buf[i])))
			return bad_value(ctx, node, what);
	return 0;
}

static bool
hex_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "dddd:bb:dd.f" or "bb:dd.f": length of the address part, 0 if none. */
static size_t
pci_addr_len(const char *s)
{
	size_t dom = 0;

	if (hex_digits(s, 4) && s[4] == ':')
		dom = 5;
	s += dom;
	if (!hex_digits(s, 2) || s[2] != ':' || !hex_digits(s + 3, 2) ||
			s[5] != '.' || s[6] < '0' || s[6] > '7' ||
			strtoul((char[]){ s[3], s[4], '\0' }, NULL, 16) > 0x1f)
		return 0;
	if (s[7] != '\0' && s[7] != ',')
		return 0;
	return dom + 7;
}

/*
 * A device: a virtual device argument "net_<driver><n>[,k=v...]" passed to
 * --vdev, or a PCI address "[dddd:]bb:dd.f[,k=v...]" passed to -a. Its
 * name (the part before the first comma) must be unique among the ports.
 */
static int
get_device(struct parse_ctx *ctx, const yaml_node_t *node,
	struct haven_config_port *port)
{
	static const char what[] =
		"a virtual device (net_<driver><n>[,args]) or a PCI address (dddd:bb:dd.f or bb:dd.f)";
	size_t name_len;
	const char *v;

	if (get_string(ctx, node, what, port->device, sizeof(port->device)) < 0)
		return -1;
	v = port->device;
	if (strncmp(v, "net_", 4) == 0) {
		name_len = strcspn(v, ",");
		if (name_len == 4 || strspn(v, "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") <
				name_len)
			return bad_value(ctx, node, what);
		port->is_vdev = true;
	} else if (pci_addr_len(v) == 0) {
		return bad_value(ctx, node, what);
	}
	return 0;
}

/* Device names compare without their arguments and PCI domain 0000. */
static bool
same_device(const struct haven_config_port *a,
	const struct haven_config_port *b)
{
	char na[HAVEN_CONFIG_PATH_LEN], nb[HAVEN_CONFIG_PATH_LEN];
	const struct haven_config_port *p[2] = { a, b };
	char *n[2] = { na, nb };
	int i;

	if (a->is_vdev != b->is_vdev)
		return false;
	for (i = 0; i < 2; i++) {
		size_t len = strcspn(p[i]->device, ",");
		const char *pre = !p[i]->is_vdev && len == 7 ? "0000:" : "";

		snprintf(n[i], HAVEN_CONFIG_PATH_LEN, "%s%.*s", pre,
			(int)len, p[i]->device);
	}
	return strcasecmp(na, nb) == 0;
}

/*
 * IPv6: a port's address6, "2001:db8:1::1/64". An interface address:
 * not one of the special6() kinds, not its subnet's Subnet-Router anycast
 * address, and the IPv6 subnets of two ports may not overlap.
 */
static int
get_port_addr6(struct parse_ctx *ctx, const yaml_node_t *node,
	unsigned int idx)
{
	static const char what[] =
		"an IPv6 address with prefix length 1..128 (such as 2001:db8:1::1/64)";
	struct haven_config *cfg = ctx->cfg;
	struct haven_config_port *port = &cfg->ports[idx];
	char a[INET6_ADDRSTRLEN];
	const char *why;
	unsigned int i;

	if (node == NULL)
		return 0;
	if (get_prefix6(ctx, node, what, 1, port->addr6,
			&port->prefix_len6) < 0)
		return -1;
	why = special6(port->addr6);
	if (why != NULL)
		return bad_value(ctx, node,
			"an interface address, not %s", why);
	if (is_subnet_router6(port->addr6, port->prefix_len6))
		return bad_value(ctx, node,
			"a host address and its subnet's prefix length (not the Subnet-Router anycast address, whose interface identifier is zero)");
	for (i = 0; i < idx; i++) {
		const struct haven_config_port *o = &cfg->ports[i];
		uint8_t len = o->prefix_len6 < port->prefix_len6 ?
			o->prefix_len6 : port->prefix_len6;

		if (o->has_addr6 && in_subnet6(o->addr6, port->addr6, len))
			return bad_value(ctx, node,
				"an IPv6 subnet that overlaps no other port's (port \"%s\" is %s/%u)",
				o->name, ntop6(o->addr6, a), o->prefix_len6);
	}
	port->has_addr6 = true;
	return 0;
}

/*
 * A port's host_interface: a Linux interface name (1..15 bytes of
 * letters, digits, '.', '_' and '-', not "." or ".."), used by no other
 * port.
 */
static int
get_host_interface(struct parse_ctx *ctx, const yaml_node_t *node,
	unsigned int idx)
{
	static const char what[] =
		"a Linux interface name of letters, digits, '.', '_' and '-'";
	struct haven_config *cfg = ctx->cfg;
	char *buf = cfg->ports[idx].host_interface;
	unsigned int i;

	if (node == NULL)
		return 0;
	if (get_string(ctx, node, what, buf, HAVEN_CONFIG_IFNAME_LEN) < 0)
		return -1;
	if (buf[0] == '\0' || strcmp(buf, ".") == 0 || strcmp(buf, "..") == 0)
		return bad_value(ctx, node, what);
	for (i = 0; buf[i] != '\0'; i++)
		if (!(isalnum((unsigned char)buf[i]) || strchr("._-", buf[i])))
			return bad_value(ctx, node, what);
	for (i = 0; i < idx; i++)
		if (strcmp(cfg->ports[i].host_interface, buf) == 0)
			return bad_value(ctx, node,
				"a host interface used once (port \"%s\" has it)",
				cfg->ports[i].name);
	return 0;
}

static int
parse_port(struct parse_ctx *ctx, yaml_node_t *map, unsigned int idx)
{
	enum { NAME, DEVICE, ADDRESS, ADDRESS6, HOST_INTERFACE, N_FIELDS };
	struct field f[N_FIELDS] = {
		[NAME] = { .name = "name" },
		[DEVICE] = { .name = "device" },
		[ADDRESS] = { .name = "address" },
		[ADDRESS6] = { .name = "address6" },
		[HOST_INTERFACE] = { .name = "host_interface" },
	};
	static const int required[] = { NAME, DEVICE, ADDRESS };
	struct haven_config *cfg = ctx->cfg;
	struct haven_config_port *port = &cfg->ports[idx];
	char where[32], a[INET_ADDRSTRLEN];
	unsigned int i;

	snprintf(where, sizeof(where), "ports[%u]", idx);
	if (collect(ctx, map, where, f, N_FIELDS) < 0 ||
	    require(ctx, map, where, f, required, N_OF(required)) < 0 ||
	    get_port_name(ctx, f[NAME].value, port->name) < 0 ||
	    get_device(ctx, f[DEVICE].value, port) < 0 ||
	    get_prefix(ctx, f[ADDRESS].value, &port->addr,
		    &port->prefix_len) < 0)
		return -1;

	if (port->prefix_len == 0 ||
	    is_net_or_broadcast(port->addr, port->prefix_len))
		return bad_value(ctx, f[ADDRESS].value,
			"a host address and its subnet's prefix length (not the subnet or broadcast address)");
	for (i = 0; i < idx; i++) {
		const struct haven_config_port *o = &cfg->ports[i];
		uint8_t len = o->prefix_len < port->prefix_len ?
			o->prefix_len : port->prefix_len;

		if (strcmp(o->name, port->name) == 0)
			return bad_value(ctx, f[NAME].value,
				"a port name used once (ports[%u] has it)", i);
		if (same_device(o, port))
			return bad_value(ctx, f[DEVICE].value,
				"a device used once (port \"%s\" has it)",
				o->name);
		if (in_subnet(o->addr, port->addr, len))
			return bad_value(ctx, f[ADDRESS].value,
				"a subnet that overlaps no other port's (port \"%s\" is %s/%u)",
				o->name, ntop(o->addr, a), o->prefix_len);
	}
	if (get_host_interface(ctx, f[HOST_INTERFACE].value, idx) < 0)
		return -1;
	return get_port_addr6(ctx, f[ADDRESS6].value, idx);
}

static int
parse_ports(struct parse_ctx *ctx, yaml_node_t *seq)
{
	size_t i, n;

	if (get_sequence(ctx, seq, "ports", 1, HAVEN_CONFIG_MAX_PORTS, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (parse_port(ctx, item_at(ctx, seq, i), i) < 0)
			return -1;
		ctx->cfg->n_ports = i + 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* routes:                                                            */
/* ------------------------------------------------------------------ */

/*
 * IPv6: a routes[] entry whose prefix is IPv6 (f holds its collected
 * prefix and gateway), into routes6[]. The gateway is IPv6 too, a host
 * of some port's IPv6 subnet (a global or unique-local address: a
 * link-local next hop would need a port to be named).
 */
static int
parse_route6(struct parse_ctx *ctx, const struct field *prefix,
	const struct field *gateway, unsigned int idx)
{
	static const char what[] =
		"an IPv6 prefix (such as 2001:db8:2::/48 or ::/0)";
	struct haven_config *cfg = ctx->cfg;
	struct haven_config_route6 *r;
	char a[INET6_ADDRSTRLEN], subnets[256];
	uint8_t net[IP6_LEN];
	const char *why;
	unsigned int i;
	int port;

	r = &cfg->routes6[cfg->n_routes6];
	if (get_prefix6(ctx, prefix->value, what, 0, r->prefix,
			&r->prefix_len) < 0)
		return -1;
	if (!host_bits_zero6(r->prefix, r->prefix_len)) {
		mask6(net, r->prefix, r->prefix_len);
		return bad_value(ctx, prefix->value,
			"a prefix with zero host bits (%s/%u)",
			ntop6(net, a), r->prefix_len);
	}
	for (i = 0; i < cfg->n_routes6; i++)
		if (cfg->routes6[i].prefix_len == r->prefix_len &&
		    memcmp(cfg->routes6[i].prefix, r->prefix, IP6_LEN) == 0)
			return bad_value(ctx, prefix->value,
				"each prefix once (routes[%u] has it)",
				ctx->route6_item[i]);

	if (!looks_ipv6(gateway->value)) {
		struct in_addr v4;

		if (gateway->value->type == YAML_SCALAR_NODE &&
		    inet_pton(AF_INET, (const char *)
			    gateway->value->data.scalar.value, &v4) == 1)
			return bad_value(ctx, gateway->value,
				"an IPv6 gateway for an IPv6 prefix (the families must match)");
	}
	if (get_ipv6(ctx, gateway->value, r->gateway) < 0)
		return -1;
	why = special6(r->gateway);
	if (why != NULL)
		return bad_value(ctx, gateway->value,
			"a gateway on a port's IPv6 subnet, not %s", why);
	port = port6_of(cfg, r->gateway);
	if (port < 0)
		return bad_value(ctx, gateway->value,
			"a gateway inside a port's IPv6 subnet (%s)",
			port_subnets6(cfg, subnets, sizeof(subnets)));
	if (memcmp(cfg->ports[port].addr6, r->gateway, IP6_LEN) == 0 ||
	    is_subnet_router6(r->gateway, cfg->ports[port].prefix_len6))
		return bad_value(ctx, gateway->value,
			"a gateway that is another host on port \"%s\" (not its own address6 nor the Subnet-Router anycast address)",
			cfg->ports[port].name);
	r->port = (uint8_t)port;
	ctx->route6_item[cfg->n_routes6++] = idx;
	return 0;
}

/*
 * One routes[] entry. The family of its prefix decides where it goes:
 * IPv4 into routes[], IPv6 (a ':' in the prefix) into routes6[]; the
 * gateway must be of the same family.
 */
static int
parse_route(struct parse_ctx *ctx, yaml_node_t *map, unsigned int idx)
{
	enum { PREFIX, GATEWAY, N_FIELDS };
	struct field f[N_FIELDS] = {
		[PREFIX] = { .name = "prefix" },
		[GATEWAY] = { .name = "gateway" },
	};
	static const int required[] = { PREFIX, GATEWAY };
	struct haven_config *cfg = ctx->cfg;
	struct haven_config_route *r;
	char where[32], a[INET_ADDRSTRLEN], subnets[256];
	unsigned int i;
	int port;

	snprintf(where, sizeof(where), "routes[%u]", idx);
	if (collect(ctx, map, where, f, N_FIELDS) < 0 ||
	    require(ctx, map, where, f, required, N_OF(required)) < 0)
		return -1;
	if (looks_ipv6(f[PREFIX].value)) {
		if (cfg->n_routes6 == HAVEN_CONFIG_MAX_ROUTES6)
			return fail_at(ctx, map,
				"expected at most %d IPv6 routes, got %u",
				HAVEN_CONFIG_MAX_ROUTES6, cfg->n_routes6 + 1);
		return parse_route6(ctx, &f[PREFIX], &f[GATEWAY], idx);
	}

	r = &cfg->routes[cfg->n_routes];
	if (cfg->n_routes == HAVEN_CONFIG_MAX_ROUTES)
		return fail_at(ctx, map, "expected at most %d routes, got %u",
			HAVEN_CONFIG_MAX_ROUTES, cfg->n_routes + 1);
	if (get_prefix(ctx, f[PREFIX].value, &r->prefix, &r->prefix_len) < 0)
		return -1;
	if (looks_ipv6(f[GATEWAY].value))
		return bad_value(ctx, f[GATEWAY].value,
			"an IPv4 gateway for an IPv4 prefix (the families must match)");
	if (get_ipv4(ctx, f[GATEWAY].value, &r->gateway) < 0)
		return -1;

	if ((r->prefix & ~mask_of(r->prefix_len)) != 0)
		return bad_value(ctx, f[PREFIX].value,
			"a prefix with zero host bits (%s/%u)",
			ntop(r->prefix & mask_of(r->prefix_len), a),
			r->prefix_len);
	for (i = 0; i < cfg->n_routes; i++)
		if (cfg->routes[i].prefix == r->prefix &&
				cfg->routes[i].prefix_len == r->prefix_len)
			return bad_value(ctx, f[PREFIX].value,
				"each prefix once (routes[%u] has it)",
				ctx->route_item[i]);
	port = port_of(cfg, r->gateway);
	if (port < 0)
		return bad_value(ctx, f[GATEWAY].value,
			"a gateway inside a port's subnet (%s)",
			port_subnets(cfg, subnets, sizeof(subnets)));
	if (cfg->ports[port].addr == r->gateway ||
	    is_net_or_broadcast(r->gateway, cfg->ports[port].prefix_len))
		return bad_value(ctx, f[GATEWAY].value,
			"a gateway that is another host on port \"%s\" (not its own, the subnet or the broadcast address)",
			cfg->ports[port].name);
	r->port = (uint8_t)port;
	ctx->route_item[cfg->n_routes++] = idx;
	return 0;
}

static int
parse_routes(struct parse_ctx *ctx, yaml_node_t *seq)
{
	size_t i, n;

	if (seq == NULL)
		return 0;
	if (get_sequence(ctx, seq, "routes", 0, MAX_ROUTES_LISTED, &n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (parse_route(ctx, item_at(ctx, seq, i), i) < 0)
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* home_agent:                                                        */
/* ------------------------------------------------------------------ */

static int
get_home_port(struct parse_ctx *ctx, const yaml_node_t *node)
{
	struct haven_config *cfg = ctx->cfg;
	char names[HAVEN_CONFIG_MAX_PORTS * (HAVEN_CONFIG_NAME_LEN + 2)];
	size_t off = 0;
	unsigned int i;
	const char *v;

	if (node == NULL) {
		cfg->home_port = 0;
		return 0;
	}
	names[0] = '\0';
	for (i = 0; i < cfg->n_ports; i++)
		off += snprintf(names + off, sizeof(names) - off, "%s%s",
			i == 0 ? "" : ", ", cfg->ports[i].name);
	if (scalar_text(ctx, node, "the name of a port", &v) < 0)
		return -1;
	for (i = 0; i < cfg->n_ports; i++) {
		if (strcmp(v, cfg->ports[i].name) == 0) {
			cfg->home_port = (uint8_t)i;
			return 0;
		}
	}
	return bad_value(ctx, node, "the name of a port (%s)", names);
}

static int
get_encapsulations(struct parse_ctx *ctx, yaml_node_t *node)
{
	static const char *const names[] = { "ipip", "minimal", "gre" };
	static const uint8_t bits[] = {
		HAVEN_ENCAP_BIT_IPIP, HAVEN_ENCAP_BIT_MINIMAL,
		HAVEN_ENCAP_BIT_GRE,
	};
	uint8_t set = 0;
	size_t i, n;
	int which;

	if (node == NULL)
		return 0;
	if (get_sequence(ctx, node, "encapsulations", 1, N_OF(names), &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		yaml_node_t *item = item_at(ctx, node, i);

		if (get_choice(ctx, item, names, N_OF(names), &which) < 0)
			return -1;
		if (set & bits[which])
			return bad_value(ctx, item, "each encapsulation once");
		set |= bits[which];
	}
	if (!(set & HAVEN_ENCAP_BIT_IPIP))
		return fail_at(ctx, node,
			"expected a list that includes ipip (RFC 5944 requires IP-in-IP), got a list without it");
	ctx->cfg->encapsulations = set;
	return 0;
}

/* An absolute path short enough for a unix socket, or "" for none. */
static int
get_socket_path(struct parse_ctx *ctx, const yaml_node_t *node)
{
	char *buf = ctx->cfg->console_socket;
	const char *v;

	if (node == NULL)
		return 0;
	if (scalar_text(ctx, node, "a socket path", &v) < 0)
		return -1;
	if (v[0] == '\0')
		return 0;
	if (v[0] != '/' || strlen(v) > MAX_SOCKET_PATH)
		return bad_value(ctx, node,
			"an absolute path of at most %zu bytes (a unix socket address)",
			MAX_SOCKET_PATH);
	strcpy(buf, v);
	return 0;
}

/*
 * IPv6: home_agent.address6 and home_prefix6 (the home subnet prefix of
 * RFC 6275, code 132 "not home subnet"). Both need the home port to have
 * an address6. The prefix defaults to the home port's IPv6 subnet and may
 * be narrower (inside it), never wider: home addresses must sit on the
 * home link, where the agent defends them with proxy Neighbor Discovery.
 */
static int
get_home6(struct parse_ctx *ctx, const struct field *address6,
	const struct field *prefix6)
{
	static const char what[] =
		"an IPv6 prefix with prefix length 1..128 (such as 2001:db8:1::/64)";
	struct haven_config *cfg = ctx->cfg;
	const struct haven_config_port *home = &cfg->ports[cfg->home_port];
	const struct field *given = address6->value != NULL ? address6 :
		prefix6;
	char a[INET6_ADDRSTRLEN];
	uint8_t net[IP6_LEN];
	const char *why;

	if (given->value == NULL)
		return 0;
	if (!home->has_addr6)
		return fail_at(ctx, given->key,
			"expected an address6 on the home port \"%s\" for home_agent.%s, got a port without one",
			home->name, given->name);
	mask6(net, home->addr6, home->prefix_len6);
	ntop6(net, a);

	if (prefix6->value != NULL) {
		if (get_prefix6(ctx, prefix6->value, what, 1,
				cfg->home_prefix6, &cfg->home_prefix6_len) < 0)
			return -1;
		if (!host_bits_zero6(cfg->home_prefix6,
				cfg->home_prefix6_len)) {
			char p[INET6_ADDRSTRLEN];

			mask6(net, cfg->home_prefix6, cfg->home_prefix6_len);
			return bad_value(ctx, prefix6->value,
				"a prefix with zero host bits (%s/%u)",
				ntop6(net, p), cfg->home_prefix6_len);
		}
		if (cfg->home_prefix6_len < home->prefix_len6 ||
		    !in_subnet6(cfg->home_prefix6, home->addr6,
			    home->prefix_len6))
			return bad_value(ctx, prefix6->value,
				"a prefix on the home port \"%s\" (%s/%u or inside it)",
				home->name, a, home->prefix_len6);
	}
	if (address6->value == NULL)
		return 0;
	if (get_ipv6(ctx, address6->value, cfg->ha_addr6) < 0)
		return -1;
	why = special6(cfg->ha_addr6);
	if (why != NULL)
		return bad_value(ctx, address6->value,
			"a home agent address, not %s", why);
	if (!in_subnet6(cfg->ha_addr6, home->addr6, home->prefix_len6) ||
	    is_subnet_router6(cfg->ha_addr6, home->prefix_len6))
		return bad_value(ctx, address6->value,
			"an address on the home port \"%s\" (a host of %s/%u)",
			home->name, a, home->prefix_len6);
	cfg->has_ha_addr6 = true;
	return 0;
}

/* home_agent.registration_guard: */
static int
parse_reg_guard(struct parse_ctx *ctx, yaml_node_t *map)
{
	enum { RATE, BURST, SOURCE_RATE, SOURCE_BURST, BOUND_RATE,
		BOUND_BURST, N_FIELDS };
	struct field f[N_FIELDS] = {
		[RATE] = { .name = "rate" },
		[BURST] = { .name = "burst" },
		[SOURCE_RATE] = { .name = "source_rate" },
		[SOURCE_BURST] = { .name = "source_burst" },
		[BOUND_RATE] = { .name = "bound_rate" },
		[BOUND_BURST] = { .name = "bound_burst" },
	};
	struct haven_config_reg_guard *g = &ctx->cfg->reg_guard;

	if (map == NULL)
		return 0;
	if (collect(ctx, map, "home_agent.registration_guard", f,
		    N_FIELDS) < 0 ||
	    get_u32(ctx, f[RATE].value, 0, MAX_REG_RATE, &g->rate) < 0 ||
	    get_u32(ctx, f[BURST].value, 1, MAX_REG_RATE, &g->burst) < 0 ||
	    get_u32(ctx, f[SOURCE_RATE].value, 0, MAX_REG_RATE,
		    &g->source_rate) < 0 ||
	    get_u32(ctx, f[SOURCE_BURST].value, 1, MAX_REG_RATE,
		    &g->source_burst) < 0 ||
	    get_u32(ctx, f[BOUND_RATE].value, 0, MAX_REG_RATE,
		    &g->bound_rate) < 0 ||
	    get_u32(ctx, f[BOUND_BURST].value, 1, MAX_REG_RATE,
		    &g->bound_burst) < 0)
		return -1;
	return 0;
}

/* home_agent.udp_tunnel (RFC 3519) */
static int
parse_udp_tunnel(struct parse_ctx *ctx, yaml_node_t *map)
{
	enum { ENABLED, KEEPALIVE_S, FORCE_ALLOWED, N_FIELDS };
	struct field f[N_FIELDS] = {
		[ENABLED] = { .name = "enabled" },
		[KEEPALIVE_S] = { .name = "keepalive_s" },
		[FORCE_ALLOWED] = { .name = "force_allowed" },
	};
	struct haven_config_udp_tunnel *u = &ctx->cfg->udp_tunnel;
	uint32_t keepalive = u->keepalive_s;

	if (map == NULL)
		return 0;
	if (collect(ctx, map, "home_agent.udp_tunnel", f, N_FIELDS) < 0 ||
	    get_bool(ctx, f[ENABLED].value, &u->enabled) < 0 ||
	    get_u32(ctx, f[KEEPALIVE_S].value, 0, UINT16_MAX,
		    &keepalive) < 0 ||
	    get_bool(ctx, f[FORCE_ALLOWED].value, &u->force_allowed) < 0)
		return -1;
	u->keepalive_s = (uint16_t)keepalive;
	return 0;
}

static int
parse_home_agent(struct parse_ctx *ctx, yaml_node_t *map)
{
	enum {
		ADDRESS, PORT, MAX_LIFETIME_F, REPLAY_WINDOW, MAX_BINDINGS_F,
		MAX_SIMULTANEOUS, ENCAPSULATIONS, REVERSE_TUNNEL,
		CONSOLE_SOCKET, ADDRESS6, HOME_PREFIX6, MAX_LIFETIME6_F, DAD,
		REFRESH_ADVICE_S, UDP_TUNNEL, REG_GUARD, N_FIELDS
	};
	struct field f[N_FIELDS] = {
		[ADDRESS] = { .name = "address" },
		[PORT] = { .name = "port" },
		[MAX_LIFETIME_F] = { .name = "max_lifetime" },
		[REPLAY_WINDOW] = { .name = "replay_window" },
		[MAX_BINDINGS_F] = { .name = "max_bindings" },
		[MAX_SIMULTANEOUS] = { .name = "max_simultaneous" },
		[ENCAPSULATIONS] = { .name = "encapsulations" },
		[REVERSE_TUNNEL] = { .name = "reverse_tunnel" },
		[CONSOLE_SOCKET] = { .name = "console_socket",
				     .nullable = true },
		[ADDRESS6] = { .name = "address6" },
		[HOME_PREFIX6] = { .name = "home_prefix6" },
		[MAX_LIFETIME6_F] = { .name = "max_lifetime6" },
		[DAD] = { .name = "dad" },
		[REFRESH_ADVICE_S] = { .name = "refresh_advice_s" },
		[REG_GUARD] = { .name = "registration_guard",
				.nullable = true },
		[UDP_TUNNEL] = { .name = "udp_tunnel" },
	};
	static const int required[] = { ADDRESS };
	struct haven_config *cfg = ctx->cfg;
	const struct haven_config_port *home;

	if (map == NULL) {
		/* a pure SHA: the fast path needs an address of its own */
		cfg->has_home_agent = false;
		cfg->home_port = 0;
		cfg->ha_addr = cfg->ports[0].addr;
		/* IPv6 likewise, when its first port has one */
		cfg->has_ha_addr6 = cfg->ports[0].has_addr6;
		memcpy(cfg->ha_addr6, cfg->ports[0].addr6, IP6_LEN);
		return 0;
	}
	cfg->has_home_agent = true;
	if (collect(ctx, map, "home_agent", f, N_FIELDS) < 0 ||
	    require(ctx, map, "home_agent", f, required, N_OF(required)) < 0)
		return -1;
	if (f[CONSOLE_SOCKET].key != NULL && ctx->console_key != NULL)
		return fail_at(ctx, f[CONSOLE_SOCKET].key,
			"expected console_socket once, at the top level or in home_agent, got both (top level at line %zu)",
			ctx->console_key->start_mark.line + 1);
	if (get_ipv4(ctx, f[ADDRESS].value, &cfg->ha_addr) < 0 ||
	    get_home_port(ctx, f[PORT].value) < 0 ||
	    get_u32(ctx, f[MAX_LIFETIME_F].value, 1, MAX_LIFETIME,
		    &cfg->max_lifetime) < 0 ||
	    get_u32(ctx, f[REPLAY_WINDOW].value, 1, MAX_REPLAY_WINDOW,
		    &cfg->replay_window) < 0 ||
	    get_u32(ctx, f[MAX_BINDINGS_F].value, 1, MAX_BINDINGS,
		    &cfg->max_bindings) < 0 ||
	    get_u8(ctx, f[MAX_SIMULTANEOUS].value, 1,
		    HAVEN_CONFIG_MAX_SIMULTANEOUS, &cfg->max_simultaneous) < 0 ||
	    get_encapsulations(ctx, f[ENCAPSULATIONS].value) < 0 ||
	    get_bool(ctx, f[REVERSE_TUNNEL].value, &cfg->reverse_tunnel) < 0 ||
	    parse_udp_tunnel(ctx, f[UDP_TUNNEL].value) < 0 ||
	    get_socket_path(ctx, f[CONSOLE_SOCKET].value) < 0 ||
	    parse_reg_guard(ctx, f[REG_GUARD].value) < 0)
		return -1;

	home = &cfg->ports[cfg->home_port];
	if (!in_subnet(cfg->ha_addr, home->addr, home->prefix_len) ||
	    is_net_or_broadcast(cfg->ha_addr, home->prefix_len)) {
		char a[INET_ADDRSTRLEN];

		return bad_value(ctx, f[ADDRESS].value,
			"an address on the home port \"%s\" (a host of %s/%u)",
			home->name, ntop(home->addr & mask_of(home->prefix_len),
				a), home->prefix_len);
	}

	/* IPv6, after every IPv4 check */
	if (home->has_addr6) {
		mask6(cfg->home_prefix6, home->addr6, home->prefix_len6);
		cfg->home_prefix6_len = home->prefix_len6;
	}
	if (get_home6(ctx, &f[ADDRESS6], &f[HOME_PREFIX6]) < 0 ||
	    get_seconds4(ctx, f[MAX_LIFETIME6_F].value, LIFETIME6_UNIT,
		    HAVEN_CONFIG_MAX_LIFETIME6, &cfg->max_lifetime6) < 0 ||
	    get_bool(ctx, f[DAD].value, &cfg->dad) < 0 ||
	    get_seconds4(ctx, f[REFRESH_ADVICE_S].value, 0,
		    HAVEN_CONFIG_MAX_LIFETIME6, &cfg->refresh_advice_s) < 0)
		return -1;
	if (cfg->refresh_advice_s >= cfg->max_lifetime6)
		return bad_value(ctx, f[REFRESH_ADVICE_S].value,
			"0 (no advice) or an interval shorter than home_agent.max_lifetime6 (%u; RFC 6275 6.2.6)",
			cfg->max_lifetime6);
	return 0;
}

/* ------------------------------------------------------------------ */
/* mobile_nodes:                                                      */
/* ------------------------------------------------------------------ */

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Where a parsed key goes: a buffer of max bytes and its length. */
struct key_buf {
	uint8_t *key;
	uint8_t *len;
	size_t max;		/* at most 255 */
};

/*
 * A key as written in the file or in a key file: "hex:" and hex digits
 * (in pairs, optionally grouped by spaces), or plain text whose bytes are
 * the key. 1..kb->max bytes. Messages never show the key: they give its
 * length or the offset of the bad character in the value.
 * in_file is "" for a key written in the configuration, or
 * ' in file "<path>"' for a key file.
 */
static int
parse_key(struct parse_ctx *ctx, const yaml_node_t *node, const char *in_file,
	const char *text, size_t len, const struct key_buf *kb)
{
	size_t i, group = 0, n = 0;

	if (len < 4 || strncmp(text, "hex:", 4) != 0) {
		if (len == 0 || len > kb->max)
			return fail_at(ctx, node,
				"expected a key of 1..%zu bytes%s, got %zu bytes",
				kb->max, in_file, len);
		memcpy(kb->key, text, len);
		*kb->len = (uint8_t)len;
		return 0;
	}
	for (i = 4; i <= len; i++) {
		int digit;

		if (i == len || text[i] == ' ' || text[i] == '\t') {
			if (group % 2 != 0)
				return fail_at(ctx, node,
					"expected hex digits in pairs after \"hex:\"%s, got an odd group ending at offset %zu",
					in_file, i);
			group = 0;
			continue;
		}
		digit = hex_value(text[i]);
		if (digit < 0)
			return fail_at(ctx, node,
				"expected hex digits after \"hex:\"%s, got another character at offset %zu",
				in_file, i);
		if (group % 2 == 0) {
			if (n == kb->max)
				return fail_at(ctx, node,
					"expected a key of 1..%zu bytes%s, got more",
					kb->max, in_file);
			kb->key[n] = (uint8_t)(digit << 4);
		} else {
			kb->key[n++] |= (uint8_t)digit;
		}
		group++;
	}
	if (n == 0)
		return fail_at(ctx, node,
			"expected a key of 1..%zu bytes%s, got none after \"hex:\"",
			kb->max, in_file);
	*kb->len = (uint8_t)n;
	return 0;
}

/* A key file: the same formats as key, one trailing newline allowed. */
static int
get_key_file(struct parse_ctx *ctx, const yaml_node_t *node,
	const struct key_buf *kb)
{
	char path[HAVEN_CONFIG_PATH_LEN * 2], buf[MAX_KEY_FILE_SIZE + 1];
	const char *v;
	struct stat st;
	ssize_t len;
	int fd, rc;

	if (scalar_text(ctx, node, "a key file path", &v) < 0)
		return -1;
	if (v[0] == '\0' || strlen(v) >= HAVEN_CONFIG_PATH_LEN)
		return bad_value(ctx, node, "a key file path of 1..%d bytes",
			HAVEN_CONFIG_PATH_LEN - 1);
	snprintf(path, sizeof(path), "%s%s%s", v[0] == '/' ? "" : ctx->dir,
		v[0] == '/' ? "" : "/", v);

	/* O_NONBLOCK: a FIFO named by mistake must not hang the load */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return fail_at(ctx, node,
			"expected a readable key file, got \"%s\" (%s)",
			path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail_at(ctx, node,
			"expected a readable key file, got \"%s\" (not a regular file)",
			path);
	}
	len = read(fd, buf, sizeof(buf));
	rc = errno;
	close(fd);
	if (len < 0)
		return fail_at(ctx, node,
			"expected a readable key file, got \"%s\" (%s)",
			path, strerror(rc));
	if (len > MAX_KEY_FILE_SIZE)
		return fail_at(ctx, node,
			"expected a key file of at most %d bytes, got \"%s\" larger",
			MAX_KEY_FILE_SIZE, path);
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;

	snprintf(path, sizeof(path), " in file \"%s\"", v);
	rc = parse_key(ctx, node, path, buf, (size_t)len, kb);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/*
 * A key given as a value or as a file: exactly one of the two fields
 * (named key/key_file for mobile nodes and peers, secret/secret_file for
 * RADIUS servers), or neither when it is optional.
 */
static int
get_key_of(struct parse_ctx *ctx, const yaml_node_t *map,
	const struct field *key, const struct field *key_file,
	const char *what, const struct key_buf *kb, bool required)
{
	if (key->value != NULL && key_file->value != NULL)
		return fail_at(ctx, key_file->key,
			"expected either %s or %s, got both (%s at line %zu)",
			key->name, key_file->name, key->name,
			key->key->start_mark.line + 1);
	if (key_file->value != NULL)
		return get_key_file(ctx, key_file->value, kb);
	if (key->value == NULL) {
		if (!required)
			return 0;
		return fail_at(ctx, map,
			"expected key \"%s\" or \"%s\" in this %s, got a mapping without either",
			key->name, key_file->name, what);
	}
	if (key->value->type != YAML_SCALAR_NODE)
		return bad_value(ctx, key->value, "a key (\"hex:...\" or text)");
	return parse_key(ctx, key->value, "",
		(const char *)key->value->data.scalar.value,
		key->value->data.scalar.length, kb);
}

/* The key or key_file of a mobile node or a peer (what: "mobile node"). */
static int
get_key(struct parse_ctx *ctx, const yaml_node_t *map,
	const struct field *key, const struct field *key_file,
	const char *what, const struct key_buf *kb)
{
	return get_key_of(ctx, map, key, key_file, what, kb, true);
}

/* Checks of a home address against the home link and the agent. */
static int
check_home_addr(struct parse_ctx *ctx, const yaml_node_t *node, uint32_t hoa)
{
	const struct haven_config *cfg = ctx->cfg;
	const struct haven_config_port *home = &cfg->ports[cfg->home_port];
	char a[INET_ADDRSTRLEN];
	unsigned int i;

	if (!in_subnet(hoa, home->addr, home->prefix_len) ||
	    is_net_or_broadcast(hoa, home->prefix_len))
		return bad_value(ctx, node,
			"a home address on the home port \"%s\" (a host of %s/%u)",
			home->name, ntop(home->addr & mask_of(home->prefix_len),
				a), home->prefix_len);
	if (hoa == cfg->ha_addr)
		return bad_value(ctx, node,
			"a home address other than the home agent's");
	for (i = 0; i < cfg->n_ports; i++)
		if (hoa == cfg->ports[i].addr)
			return bad_value(ctx, node,
				"a home address other than port \"%s\"'s",
				cfg->ports[i].name);
	return 0;
}

static int
parse_mn(struct parse_ctx *ctx, yaml_node_t *map, unsigned int idx,
	yaml_node_t **hoa_node)
{
	static const char *const algorithms[] = { "hmac-md5", "hmac-sha256" };
	static const enum haven_mip4_alg alg_of[] = {
		HAVEN_MIP4_ALG_HMAC_MD5, HAVEN_MIP4_ALG_HMAC_SHA256,
	};
	enum { HOME_ADDRESS, SPI, ALGORITHM, KEY, KEY_FILE, MAX_LIFETIME_F,
		N_FIELDS };
	struct field f[N_FIELDS] = {
		[HOME_ADDRESS] = { .name = "home_address" },
		[SPI] = { .name = "spi" },
		[ALGORITHM] = { .name = "algorithm" },
		[KEY] = { .name = "key" },
		[KEY_FILE] = { .name = "key_file" },
		[MAX_LIFETIME_F] = { .name = "max_lifetime" },
	};
	static const int required[] = { HOME_ADDRESS, SPI };
	struct haven_config *cfg = ctx->cfg;
	struct haven_config_mn *mn = &cfg->mns[idx];
	const struct key_buf kb = {
		.key = mn->sa.key,
		.len = &mn->sa.key_len,
		.max = HAVEN_MIP4_MAX_KEY,
	};
	int alg = 0;
	char where[32];

	snprintf(where, sizeof(where), "mobile_nodes[%u]", idx);
	mn->line = map->start_mark.line + 1;
	if (collect(ctx, map, where, f, N_FIELDS) < 0 ||
	    require(ctx, map, where, f, required, N_OF(required)) < 0 ||
	    get_ipv4(ctx, *hoa_node = f[HOME_ADDRESS].value,
		    &mn->home_addr) < 0 ||
	    check_home_addr(ctx, f[HOME_ADDRESS].value, mn->home_addr) < 0 ||
	    get_u32(ctx, f[SPI].value, MIN_SPI, UINT32_MAX, &mn->sa.spi) < 0 ||
	    get_choice(ctx, f[ALGORITHM].value, algorithms, N_OF(algorithms),
		    &alg) < 0 ||
	    get_key(ctx, map, &f[KEY], &f[KEY_FILE], "mobile node", &kb) < 0 ||
	    get_u32(ctx, f[MAX_LIFETIME_F].value, 1, MAX_LIFETIME,
		    &mn->max_lifetime) < 0)
		return -1;
	if (mn->max_lifetime > cfg->max_lifetime)
		return bad_value(ctx, f[MAX_LIFETIME_F].value,
			"at most home_agent.max_lifetime (%u)",
			cfg->max_lifetime);
	mn->sa.alg = alg_of[alg];
	return 0;
}

/* Home addresses in host order, to sort and search numerically. */
static int
cmp_mn(const void *a, const void *b)
{
	uint32_t x = ntohl(((const struct haven_config_mn *)a)->home_addr);
	uint32_t y = ntohl(((const struct haven_config_mn *)b)->home_addr);

	return x < y ? -1 : x > y;
}

/* A home address and where it was written, to find duplicates. */
struct hoa_ref {
	uint32_t addr_h;		/* host order, to sort numerically */
	unsigned int idx;		/* index in mobile_nodes */
};

static int
cmp_hoa_ref(const void *a, const void *b)
{
	const struct hoa_ref *x = a, *y = b;

	if (x->addr_h != y->addr_h)
		return x->addr_h < y->addr_h ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Every home address once. Sorted, equal addresses are neighbours; the
 * one written later in the file is reported, at its home_address.
 */
static int
check_unique_mns(struct parse_ctx *ctx, yaml_node_t *const *hoa_nodes)
{
	struct haven_config *cfg = ctx->cfg;
	struct hoa_ref *refs;
	unsigned int i;
	int rc = 0;

	refs = calloc(cfg->n_mns, sizeof(*refs));
	if (refs == NULL)
		return fail_at(ctx, hoa_nodes[0],
			"expected memory to check home addresses, got none");
	for (i = 0; i < cfg->n_mns; i++) {
		refs[i].addr_h = ntohl(cfg->mns[i].home_addr);
		refs[i].idx = i;
	}
	qsort(refs, cfg->n_mns, sizeof(*refs), cmp_hoa_ref);
	for (i = 1; i < cfg->n_mns; i++) {
		if (refs[i].addr_h == refs[i - 1].addr_h) {
			rc = bad_value(ctx, hoa_nodes[refs[i].idx],
				"each home address once (first at line %u)",
				cfg->mns[refs[i - 1].idx].line);
			break;
		}
	}
	free(refs);
	return rc;
}

static int
parse_mobile_nodes(struct parse_ctx *ctx, yaml_node_t *seq)
{
	struct haven_config *cfg = ctx->cfg;
	yaml_node_t **hoa_nodes;
	size_t i, n;
	int rc = 0;

	if (seq == NULL)
		return 0;
	if (get_sequence(ctx, seq, "mobile nodes", 0, MAX_BINDINGS, &n) < 0)
		return -1;
	if (n == 0)
		return 0;
	cfg->mns = calloc(n, sizeof(*cfg->mns));
	hoa_nodes = calloc(n, sizeof(*hoa_nodes));
	if (cfg->mns == NULL || hoa_nodes == NULL) {
		free(hoa_nodes);
		return fail_at(ctx, seq,
			"expected memory for %zu mobile nodes, got none", n);
	}
	for (i = 0; i < n && rc == 0; i++) {
		cfg->n_mns = i + 1;
		rc = parse_mn(ctx, item_at(ctx, seq, i), i, &hoa_nodes[i]);
	}
	if (rc == 0)
		rc = check_unique_mns(ctx, hoa_nodes);
	free(hoa_nodes);
	if (rc == 0)
		qsort(cfg->mns, cfg->n_mns, sizeof(*cfg->mns), cmp_mn);
	return rc;
}

/* ------------------------------------------------------------------ */
/* mobile_nodes6: (IPv6)                                              */
/* ------------------------------------------------------------------ */

/* Checks of an IPv6 home address against the home prefix and the agent. */
static int
check_home_addr6(struct parse_ctx *ctx, const yaml_node_t *node,
	const uint8_t *hoa)
{
	const struct haven_config *cfg = ctx->cfg;
	char a[INET6_ADDRSTRLEN];
	const char *why;
	unsigned int i;

	why = special6(hoa);
	if (why != NULL)
		return bad_value(ctx, node, "a home address, not %s", why);
	if (!in_subnet6(hoa, cfg->home_prefix6, cfg->home_prefix6_len) ||
	    is_subnet_router6(hoa, cfg->home_prefix6_len))
		return bad_value(ctx, node,
			"a home address in home_agent.home_prefix6 (a host of %s/%u)",
			ntop6(cfg->home_prefix6, a), cfg->home_prefix6_len);
	if (memcmp(hoa, cfg->ha_addr6, IP6_LEN) == 0)
		return bad_value(ctx, node,
			"a home address other than the home agent's (home_agent.address6)");
	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].has_addr6 &&
		    memcmp(hoa, cfg->ports[i].addr6, IP6_LEN) == 0)
			return bad_value(ctx, node,
				"a home address other than port \"%s\"'s address6",
				cfg->ports[i].name);
	return 0;
}

/*
 * A mobile node identifier (RFC 4283 MN-NAI, an RFC 4282 NAI such as
 * "mn6-100@lab.example"): 1..255 bytes, no control characters (UTF-8 is
 * allowed). Not a secret: messages may show it.
 */
static int
get_mn_id(struct parse_ctx *ctx, const yaml_node_t *node, char *buf)
{
	static const char what[] =
		"a mobile node identifier (an RFC 4282 NAI such as user@realm)";
	size_t i;

	if (get_string(ctx, node, what, buf, HAVEN_CONFIG_MN_ID_LEN + 1) < 0)
		return -1;
	for (i = 0; buf[i] != '\0'; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			return bad_value(ctx, node,
				"%s without control characters", what);
	return 0;
}

static int
parse_mn6(struct parse_ctx *ctx, yaml_node_t *map, unsigned int idx,
	yaml_node_t **hoa_node, yaml_node_t **id_node)
{
	static const char *const algorithms[] = {
		"hmac-sha1", "hmac-sha256",
	};
	static const uint8_t alg_of[] = {
		HAVEN_CONFIG_SA6_HMAC_SHA1, HAVEN_CONFIG_SA6_HMAC_SHA256,
	};
	enum { HOME_ADDRESS, SPI, ALGORITHM, KEY, KEY_FILE, MN_ID,
		MAX_LIFETIME_F, N_FIELDS };
	struct field f[N_FIELDS] = {
		[HOME_ADDRESS] = { .name = "home_address" },
		[SPI] = { .name = "spi" },
		[ALGORITHM] = { .name = "algorithm" },
		[KEY] = { .name = "key" },
		[KEY_FILE] = { .name = "key_file" },
		[MN_ID] = { .name = "mn_id" },
		[MAX_LIFETIME_F] = { .name = "max_lifetime" },
	};
	static const int required[] = { HOME_ADDRESS, SPI };
	struct haven_config *cfg = ctx->cfg;
	struct haven_config_mn6 *mn = &cfg->mns6[idx];
	const struct key_buf kb = {
		.key = mn->sa.key,
		.len = &mn->sa.key_len,
		.max = HAVEN_CONFIG_SA6_MAX_KEY,
	};
	int alg = 0;
	char where[32];

	snprintf(where, sizeof(where), "mobile_nodes6[%u]", idx);
	mn->line = map->start_mark.line + 1;
	if (collect(ctx, map, where, f, N_FIELDS) < 0 ||
	    require(ctx, map, where, f, required, N_OF(required)) < 0)
		return -1;
	*hoa_node = f[HOME_ADDRESS].value;
	*id_node = f[MN_ID].value;
	if (get_ipv6(ctx, f[HOME_ADDRESS].value, mn->home_addr) < 0 ||
	    check_home_addr6(ctx, f[HOME_ADDRESS].value, mn->home_addr) < 0 ||
	    get_u32(ctx, f[SPI].value, MIN_SPI, UINT32_MAX, &mn->sa.spi) < 0 ||
	    get_choice(ctx, f[ALGORITHM].value, algorithms, N_OF(algorithms),
		    &alg) < 0 ||
	    get_key(ctx, map, &f[KEY], &f[KEY_FILE], "mobile node", &kb) < 0 ||
	    get_mn_id(ctx, f[MN_ID].value, mn->mn_id) < 0 ||
	    get_seconds4(ctx, f[MAX_LIFETIME_F].value, LIFETIME6_UNIT,
		    HAVEN_CONFIG_MAX_LIFETIME6, &mn->max_lifetime) < 0)
		return -1;
	if (mn->max_lifetime > cfg->max_lifetime6)
		return bad_value(ctx, f[MAX_LIFETIME_F].value,
			"at most home_agent.max_lifetime6 (%u)",
			cfg->max_lifetime6);
	mn->sa.alg = alg_of[alg];
	return 0;
}

/* memcmp order of home addresses: what haven_config_find_mn6() searches. */
static int
cmp_mn6(const void *a, const void *b)
{
	return memcmp(((const struct haven_config_mn6 *)a)->home_addr,
		((const struct haven_config_mn6 *)b)->home_addr, IP6_LEN);
}

/* How check_unique_mns6() sorts node indexes: by home address or mn_id. */
struct mn6_order {
	const struct haven_config_mn6 *mns;
	bool by_id;
};

static int
mn6_value_cmp(const struct mn6_order *o, unsigned int x, unsigned int y)
{
	return o->by_id ? strcmp(o->mns[x].mn_id, o->mns[y].mn_id) :
		memcmp(o->mns[x].home_addr, o->mns[y].home_addr, IP6_LEN);
}

/* By value, then by index (file order): for qsort_r. */
static int
cmp_mn6_ref(const void *a, const void *b, void *arg)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;
	int c = mn6_value_cmp(arg, x, y);

	if (c != 0)
		return c;
	return x < y ? -1 : x > y;
}

/*
 * Every home address once, and every mn_id that is given once. Sorted,
 * equal values are neighbours; the one written later in the file is
 * reported, at its value.
 */
static int
check_unique_mns6(struct parse_ctx *ctx, yaml_node_t *const *hoa_nodes,
	yaml_node_t *const *id_nodes, const yaml_node_t *seq)
{
	struct haven_config *cfg = ctx->cfg;
	struct mn6_order order = { .mns = cfg->mns6 };
	unsigned int *refs, i, n, pass;
	int rc = 0;

	refs = calloc(cfg->n_mns6, sizeof(*refs));
	if (refs == NULL)
		return fail_at(ctx, seq,
			"expected memory to check home addresses, got none");
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		order.by_id = pass == 1;
		for (i = n = 0; i < cfg->n_mns6; i++)
			if (!order.by_id || cfg->mns6[i].mn_id[0] != '\0')
				refs[n++] = i;
		qsort_r(refs, n, sizeof(*refs), cmp_mn6_ref, &order);
		for (i = 1; i < n; i++) {
			if (mn6_value_cmp(&order, refs[i - 1], refs[i]) != 0)
				continue;
			rc = bad_value(ctx, order.by_id ? id_nodes[refs[i]] :
				hoa_nodes[refs[i]],
				"each %s once (first at line %u)",
				order.by_id ? "mn_id" : "home address",
				cfg->mns6[refs[i - 1]].line);
			break;
		}
	}
	free(refs);
	return rc;
}

/*
 * The Mobile IPv6 nodes. They register with home_agent.address6, which
 * is therefore required as soon as the list holds a node.
 */
static int
parse_mobile_nodes6(struct parse_ctx *ctx, yaml_node_t *seq)
{
	struct haven_config *cfg = ctx->cfg;
	yaml_node_t **hoa_nodes, **id_nodes;
	size_t i, n;
	int rc = 0;

	if (seq == NULL)
		return 0;
	if (get_sequence(ctx, seq, "IPv6 mobile nodes", 0, MAX_BINDINGS,
			&n) < 0)
		return -1;
	if (n == 0)
		return 0;
	if (!cfg->has_ha_addr6)
		return fail_at(ctx, seq,
			"expected home_agent.address6 with mobile_nodes6 (their binding updates go to it), got %zu IPv6 mobile node%s and no home_agent.address6",
			n, n == 1 ? "" : "s");
	cfg->mns6 = calloc(n, sizeof(*cfg->mns6));
	hoa_nodes = calloc(n, sizeof(*hoa_nodes));
	id_nodes = calloc(n, sizeof(*id_nodes));
	if (cfg->mns6 == NULL || hoa_nodes == NULL || id_nodes == NULL) {
		free(hoa_nodes);
		free(id_nodes);
		return fail_at(ctx, seq,
			"expected memory for %zu IPv6 mobile nodes, got none",
			n);
	}
	for (i = 0; i < n && rc == 0; i++) {
		cfg->n_mns6 = i + 1;
		rc = parse_mn6(ctx, item_at(ctx, seq, i), i, &hoa_nodes[i],
			&id_nodes[i]);
	}
	if (rc == 0)
		rc = check_unique_mns6(ctx, hoa_nodes, id_nodes, seq);
	free(hoa_nodes);
	free(id_nodes);
	if (rc == 0)
		qsort(cfg->mns6, cfg->n_mns6, sizeof(*cfg->mns6), cmp_mn6);
	return rc;
}

/* ------------------------------------------------------------------ */
/* delegation:                                                        */
/* ------------------------------------------------------------------ */

/* A peer name: letters, digits, '.', '_' and '-'. */
static int
get_peer_name(struct parse_ctx *ctx, const yaml_node_t *node, char *buf)
{
	static const char what[] =
		"a peer name of letters, digits, '.', '_' and '-'";
	size_t i;

	if (get_string(ctx, node, what, buf, HAVEN_CONFIG_NAME_LEN) < 0)
		return -1;
	for (i = 0; buf[i] != '\0'; i++)
		if (!(isalnum((unsigned char)buf[i]) || strchr("._-", buf[i])))
			return bad_value(ctx, node, what);
	return 0;
}

/*
 * The i-th peer parsed so far, secondaries first, then primaries, with
 * "secondaries[2]" in where; NULL past the last.
 */
static const struct haven_config_peer *
peer_at(const struct haven_config_delegation *d, unsigned int i,
	char *where, size_t size)
{
	if (i < d->n_secondaries) {
		snprintf(where, size, "delegation.secondaries[%u]", i);
		return &d->secondaries[i];
	}
	i -= d->n_secondaries;
	if (i < d->n_primaries) {
		snprintf(where, size, "delegation.primaries[%u]", i);
		return &d->primaries[i];
	}
	return NULL;
}

/* A peer's name and id against the peers before it. */
static int
check_peer_identity(struct parse_ctx *ctx, const struct haven_config_peer *p,
	bool secondary, const yaml_node_t *name_node,
	const yaml_node_t *id_node)
{
	const struct haven_config_delegation *d = &ctx->cfg->delegation;
	const struct haven_config_peer *o;
	char where[48];
	unsigned int i;

	if (p->id == d->agent_id)
		return bad_value(ctx, id_node,
			"a peer id other than this agent's own (delegation.agent_id)");
	for (i = 0; (o = peer_at(d, i, where, sizeof(where))) != NULL; i++) {
		bool same_list = secondary == (i < d->n_secondaries);

		if (strcmp(o->name, p->name) == 0)
			return bad_value(ctx, name_node,
				"a peer name used once (%s has it)", where);
		if (o->id == p->id && same_list)
			return bad_value(ctx, id_node,
				"each peer id once (%s \"%s\" has it)",
				where, o->name);
		if (o->id == p->id)
			return bad_value(ctx, id_node,
				"a peer that is a primary or a secondary, not both (%s \"%s\" has this id)",
				where, o->name);
	}
	return 0;
}

/*
 * A peer's address: directly reachable (the SHA intercepts on the home
 * link, the PHA is on it), not one of ours, every peer at its own.
 * A secondary must be on the home port's subnet; a primary on some port's
 * (an agent may be a secondary on another link than its own home link).
 */
static int
check_peer_address(struct parse_ctx *ctx, struct haven_config_peer *p,
	bool secondary, const yaml_node_t *node)
{
	const struct haven_config *cfg = ctx->cfg;
	const struct haven_config_delegation *d = &cfg->delegation;
	const struct haven_config_port *home = &cfg->ports[cfg->home_port];
	const struct haven_config_peer *o;
	char a[INET_ADDRSTRLEN], subnets[256], where[48];
	unsigned int i;
	int port;

	if (secondary) {
		if (!in_subnet(p->addr, home->addr, home->prefix_len) ||
		    is_net_or_broadcast(p->addr, home->prefix_len))
			return bad_value(ctx, node,
				"a secondary on the home port \"%s\" (a host of %s/%u), where it intercepts",
				home->name, ntop(home->addr &
					mask_of(home->prefix_len), a),
				home->prefix_len);
		port = cfg->home_port;
	} else {
		port = port_of(cfg, p->addr);
		if (port < 0 || is_net_or_broadcast(p->addr,
				cfg->ports[port].prefix_len))
			return bad_value(ctx, node,
				"a primary directly reachable, a host inside a port's subnet (%s)",
				port_subnets(cfg, subnets, sizeof(subnets)));
	}
	if (cfg->has_home_agent && p->addr == cfg->ha_addr)
		return bad_value(ctx, node,
			"a peer address other than this agent's (home_agent.address)");
	for (i = 0; i < cfg->n_ports; i++)
		if (p->addr == cfg->ports[i].addr)
			return bad_value(ctx, node,
				"a peer address other than this agent's (port \"%s\")",
				cfg->ports[i].name);
	for (i = 0; (o = peer_at(d, i, where, sizeof(where))) != NULL; i++)
		if (o->addr == p->addr)
			return bad_value(ctx, node,
				"each peer address once (%s \"%s\" has it)",
				where, o->name);
	p->port = (uint8_t)port;
	return 0;
}

/*
 * IPv6: a peer's address6, stored for IPv6 delegation. The rules of
 * check_peer_address() on the IPv6 subnets: a secondary on the home
 * port's, a primary on some port's; not ours; every peer at its own.
 */
static int
check_peer_address6(struct parse_ctx *ctx, struct haven_config_peer *p,
	bool secondary, const yaml_node_t *node)
{
	const struct haven_config *cfg = ctx->cfg;
	const struct haven_config_delegation *d = &cfg->delegation;
	const struct haven_config_port *home = &cfg->ports[cfg->home_port];
	const struct haven_config_peer *o;
	char a[INET6_ADDRSTRLEN], subnets[256], where[48];
	uint8_t net[IP6_LEN];
	const char *why;
	unsigned int i;
	int port;

	if (node == NULL)
		return 0;
	if (get_ipv6(ctx, node, p->addr6) < 0)
		return -1;
	why = special6(p->addr6);
	if (why != NULL)
		return bad_value(ctx, node, "a peer address6, not %s", why);
	if (secondary) {
		if (!home->has_addr6)
			return bad_value(ctx, node,
				"a secondary address6 only when the home port \"%s\" has an address6",
				home->name);
		mask6(net, home->addr6, home->prefix_len6);
		if (!in_subnet6(p->addr6, home->addr6, home->prefix_len6) ||
		    is_subnet_router6(p->addr6, home->prefix_len6))
			return bad_value(ctx, node,
				"a secondary on the home port \"%s\" (a host of %s/%u), where it intercepts",
				home->name, ntop6(net, a), home->prefix_len6);
		port = cfg->home_port;
	} else {
		port = port6_of(cfg, p->addr6);
		if (port < 0 || is_subnet_router6(p->addr6,
				cfg->ports[port].prefix_len6))
			return bad_value(ctx, node,
				"a primary directly reachable, a host inside a port's IPv6 subnet (%s)",
				port_subnets6(cfg, subnets, sizeof(subnets)));
	}
	if (cfg->has_home_agent && cfg->has_ha_addr6 &&
	    memcmp(p->addr6, cfg->ha_addr6, IP6_LEN) == 0)
		return bad_value(ctx, node,
			"a peer address6 other than this agent's (home_agent.address6)");
	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].has_addr6 &&
		    memcmp(p->addr6, cfg->ports[i].addr6, IP6_LEN) == 0)
			return bad_value(ctx, node,
				"a peer address6 other than this agent's (port \"%s\")",
				cfg->ports[i].name);
	for (i = 0; (o = peer_at(d, i, where, sizeof(where))) != NULL; i++)
		if (o->has_addr6 && memcmp(o->addr6, p->addr6, IP6_LEN) == 0)
			return bad_value(ctx, node,
				"each peer address6 once (%s \"%s\" has it)",
				where, o->name);
	p->has_addr6 = true;
	p->port6 = (uint8_t)port;
	return 0;
}

static int
parse_peer(struct parse_ctx *ctx, yaml_node_t *map, bool secondary,
	unsigned int idx)
{
	enum { NAME, ID, ADDRESS, KEY, KEY_FILE, ADDRESS6, N_FIELDS };
	struct field f[N_FIELDS] = {
		[NAME] = { .name = "name" },
		[ID] = { .name = "id" },
		[ADDRESS] = { .name = "address" },
		[KEY] = { .name = "key" },
		[KEY_FILE] = { .name = "key_file" },
		[ADDRESS6] = { .name = "address6" },
	};
	static const int required[] = { NAME, ID, ADDRESS };
	struct haven_config_delegation *d = &ctx->cfg->delegation;
	struct haven_config_peer *p = secondary ? &d->secondaries[idx] :
		&d->primaries[idx];
	const struct key_buf kb = {
		.key = p->key,
		.len = &p->key_len,
		.max = HAVEN_CONFIG_PEER_KEY_LEN,
	};
	char where[48];

	snprintf(where, sizeof(where), "delegation.%s[%u]",
		secondary ? "secondaries" : "primaries", idx);
	p->line = map->start_mark.line + 1;
	if (collect(ctx, map, where, f, N_FIELDS) < 0 ||
	    require(ctx, map, where, f, required, N_OF(required)) < 0 ||
	    get_peer_name(ctx, f[NAME].value, p->name) < 0 ||
	    get_u32(ctx, f[ID].value, 1, UINT32_MAX, &p->id) < 0 ||
	    check_peer_identity(ctx, p, secondary, f[NAME].value,
		    f[ID].value) < 0 ||
	    get_ipv4(ctx, f[ADDRESS].value, &p->addr) < 0 ||
	    check_peer_address(ctx, p, secondary, f[ADDRESS].value) < 0 ||
	    get_key(ctx, map, &f[KEY], &f[KEY_FILE], "peer", &kb) < 0 ||
	    check_peer_address6(ctx, p, secondary, f[ADDRESS6].value) < 0)
		return -1;
	return 0;
}

static int
parse_peers(struct parse_ctx *ctx, yaml_node_t *seq, bool secondary)
{
	struct haven_config_delegation *d = &ctx->cfg->delegation;
	const char *what = secondary ? "secondaries" : "primaries";
	size_t i, n;

	if (seq == NULL)
		return 0;
	if (get_sequence(ctx, seq, what, 0, HAVEN_CONFIG_MAX_PEERS, &n) < 0)
		return -1;
	if (secondary && n > 0 && !ctx->cfg->has_home_agent)
		return fail_at(ctx, seq,
			"expected no secondaries without home_agent (only a home agent delegates its bindings), got %zu",
			n);
	for (i = 0; i < n; i++) {
		if (parse_peer(ctx, item_at(ctx, seq, i), secondary, i) < 0)
			return -1;
		if (secondary)
			d->n_secondaries = i + 1;
		else
			d->n_primaries = i + 1;
	}
	return 0;
}

/* The port whose own address is addr, or -1. */
static int
port_addr_index(const struct haven_config *cfg, uint32_t addr)
{
	unsigned int i;

	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].addr == addr)
			return (int)i;
	return -1;
}

/* The source address of delegation messages: one of this agent's own. */
static int
get_deleg_address(struct parse_ctx *ctx, const yaml_node_t *node)
{
	struct haven_config *cfg = ctx->cfg;
	char list[256], a[INET_ADDRSTRLEN];
	uint32_t addr = cfg->ha_addr;
	size_t off = 0;
	unsigned int i;

	if (get_ipv4(ctx, node, &addr) < 0)
		return -1;
	if (node == NULL || (cfg->has_home_agent && addr == cfg->ha_addr)) {
		cfg->delegation.addr = addr;
		return 0;
	}
	if (port_addr_index(cfg, addr) >= 0) {
		cfg->delegation.addr = addr;
		return 0;
	}
	list[0] = '\0';
	if (cfg->has_home_agent && port_addr_index(cfg, cfg->ha_addr) < 0)
		off += snprintf(list, sizeof(list), "home_agent.address %s, ",
			ntop(cfg->ha_addr, a));
	for (i = 0; i < cfg->n_ports && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%sport %s %s",
			i == 0 ? "" : ", ", cfg->ports[i].name,
			ntop(cfg->ports[i].addr, a));
	return bad_value(ctx, node, "one of this agent's addresses (%s)", list);
}

static int
parse_threshold(struct parse_ctx *ctx, yaml_node_t *map)
{
	enum { BINDING_PPS, TOTAL_PPS, HYSTERESIS_PCT, HOLD_S, N_FIELDS };
	struct field f[N_FIELDS] = {
		[BINDING_PPS] = { .name = "binding_pps" },
		[TOTAL_PPS] = { .name = "total_pps" },
		[HYSTERESIS_PCT] = { .name = "hysteresis_pct" },
		[HOLD_S] = { .name = "hold_s" },
	};
	struct haven_config_threshold *t = &ctx->cfg->delegation.threshold;

	if (map == NULL)
		return 0;
	if (collect(ctx, map, "delegation.threshold", f, N_FIELDS) < 0 ||
	    get_u32(ctx, f[BINDING_PPS].value, 1, MAX_PPS,
		    &t->binding_pps) < 0 ||
	    get_u32(ctx, f[TOTAL_PPS].value, 0, MAX_PPS, &t->total_pps) < 0 ||
	    get_u8(ctx, f[HYSTERESIS_PCT].value, 0, 100,
		    &t->hysteresis_pct) < 0 ||
	    get_u32(ctx, f[HOLD_S].value, 1, MAX_HOLD_S, &t->hold_s) < 0)
		return -1;
	return 0;
}

static int
parse_delegation(struct parse_ctx *ctx, yaml_node_t *map)
{
	static const char *const policies[] = {
		"manual", "equal", "threshold",
	};
	enum {
		AGENT_ID, ADDRESS, PORT, SECONDARIES, PRIMARIES, CAPACITY,
		REPORT_INTERVAL_MS, DEAD_AFTER, WAIT_FOR_ACK, POLICY,
		THRESHOLD, REBALANCE_TOLERANCE_PCT, WINDOW, DGRAM_WINDOW,
		RX_BUDGET, MOVE_RATE, MOVE_BURST, N_FIELDS
	};
	struct field f[N_FIELDS] = {
		[AGENT_ID] = { .name = "agent_id" },
		[ADDRESS] = { .name = "address" },
		[PORT] = { .name = "port" },
		[SECONDARIES] = { .name = "secondaries", .nullable = true },
		[PRIMARIES] = { .name = "primaries", .nullable = true },
		[CAPACITY] = { .name = "capacity" },
		[REPORT_INTERVAL_MS] = { .name = "report_interval_ms" },
		[DEAD_AFTER] = { .name = "dead_after" },
		[WAIT_FOR_ACK] = { .name = "wait_for_ack" },
		[POLICY] = { .name = "policy" },
		[THRESHOLD] = { .name = "threshold", .nullable = true },
		[REBALANCE_TOLERANCE_PCT] = {
			.name = "rebalance_tolerance_pct" },
		[WINDOW] = { .name = "window" },
		[DGRAM_WINDOW] = { .name = "dgram_window" },
		[RX_BUDGET] = { .name = "rx_budget" },
		[MOVE_RATE] = { .name = "move_rate" },
		[MOVE_BURST] = { .name = "move_burst" },
	};
	static const int required[] = { AGENT_ID };
	struct haven_config *cfg = ctx->cfg;
	struct haven_config_delegation *d = &cfg->delegation;
	uint32_t port = d->port, dgram_window = d->dgram_window;
	uint32_t rx_budget = d->rx_budget;
	int policy = (int)d->policy;

	if (map == NULL)
		return 0;
	d->enabled = true;
	if (collect(ctx, map, "delegation", f, N_FIELDS) < 0 ||
	    require(ctx, map, "delegation", f, required, N_OF(required)) < 0 ||
	    get_u32(ctx, f[AGENT_ID].value, 1, UINT32_MAX, &d->agent_id) < 0 ||
	    get_deleg_address(ctx, f[ADDRESS].value) < 0 ||
	    get_u32(ctx, f[PORT].value, 1, UINT16_MAX, &port) < 0 ||
	    get_u32(ctx, f[CAPACITY].value, 1, MAX_BINDINGS,
		    &d->capacity) < 0 ||
	    get_u32(ctx, f[REPORT_INTERVAL_MS].value, MIN_REPORT_MS,
		    MAX_REPORT_MS, &d->report_interval_ms) < 0 ||
	    get_u32(ctx, f[DEAD_AFTER].value, MIN_DEAD_AFTER, MAX_DEAD_AFTER,
		    &d->dead_after) < 0 ||
	    get_bool(ctx, f[WAIT_FOR_ACK].value, &d->wait_for_ack) < 0 ||
	    get_choice(ctx, f[POLICY].value, policies, N_OF(policies),
		    &policy) < 0 ||
	    parse_threshold(ctx, f[THRESHOLD].value) < 0 ||
	    get_u8(ctx, f[REBALANCE_TOLERANCE_PCT].value, 0, 100,
		    &d->rebalance_tolerance_pct) < 0 ||
	    get_u32(ctx, f[WINDOW].value, 1, MAX_DELEG_WINDOW,
		    &d->window) < 0 ||
	    get_u32(ctx, f[DGRAM_WINDOW].value, 1,
		    HAVEN_CONFIG_MAX_DGRAM_WINDOW, &dgram_window) < 0 ||
	    get_u32(ctx, f[RX_BUDGET].value, 1, MAX_RX_BUDGET,
		    &rx_budget) < 0 ||
	    get_u32(ctx, f[MOVE_RATE].value, 0, MAX_MOVE_RATE,
		    &d->move_rate) < 0 ||
	    get_u32(ctx, f[MOVE_BURST].value, 1, MAX_MOVE_BURST,
		    &d->move_burst) < 0 ||
	    parse_peers(ctx, f[SECONDARIES].value, true) < 0 ||
	    parse_peers(ctx, f[PRIMARIES].value, false) < 0)
		return -1;
	d->port = (uint16_t)port;
	d->policy = (enum haven_deleg_policy)policy;
	d->dgram_window = (uint16_t)dgram_window;
	d->rx_budget = (uint16_t)rx_budget;

	if (!cfg->has_home_agent && d->n_primaries == 0) {
		const yaml_node_t *at = f[PRIMARIES].key != NULL ?
			f[PRIMARIES].key : map;

		return fail_at(ctx, at,
			"expected at least one delegation.primaries entry (a configuration without home_agent must be a secondary (delegation.primaries)), got none");
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* aaa: (RADIUS)                                                      */
/* ------------------------------------------------------------------ */

/* An IPv4 or IPv6 address into a struct haven_addr. */
static int
get_addr(struct parse_ctx *ctx, const yaml_node_t *node, const char *what,
	struct haven_addr *out)
{
	const char *v;

	if (node == NULL)
		return 0;
	if (scalar_text(ctx, node, what, &v) < 0)
		return -1;
	if (haven_addr_parse(v, out) < 0)
		return bad_value(ctx, node, "%s", what);
	return 0;
}

/* A name of letters, digits, '.', '_' and '-' (RADIUS servers). */
static int
get_server_name(struct parse_ctx *ctx, const yaml_node_t *node, char *buf)
{
	static const char what[] =
		"a server name of letters, digits, '.', '_' and '-'";
	size_t i;

	if (get_string(ctx, node, what, buf, HAVEN_RADIUS_NAME_LEN) < 0)
		return -1;
	for (i = 0; buf[i] != '\0'; i++)
		if (!(isalnum((unsigned char)buf[i]) || strchr("._-", buf[i])))
			return bad_value(ctx, node, what);
	return 0;
}

static int
parse_radius_server(struct parse_ctx *ctx, yaml_node_t *map, unsigned int idx)
{
	enum { NAME, ADDRESS, AUTH_PORT, ACCT_PORT, SECRET, SECRET_FILE,
		TIMEOUT_MS, RETRIES, N_FIELDS };
	struct field f[N_FIELDS] = {
		[NAME] = { .name = "name" },
		[ADDRESS] = { .name = "address" },
		[AUTH_PORT] = { .name = "auth_port" },
		[ACCT_PORT] = { .name = "acct_port" },
		[SECRET] = { .name = "secret" },
		[SECRET_FILE] = { .name = "secret_file" },
		[TIMEOUT_MS] = { .name = "timeout_ms" },
		[RETRIES] = { .name = "retries" },
	};
	static const int required[] = { ADDRESS };
	struct haven_config_aaa *aaa = &ctx->cfg->aaa;
	struct haven_radius_server_conf *s = &aaa->radius.servers[idx];
	const struct key_buf kb = {
		.key = s->secret,
		.len = &s->secret_len,
		.max = HAVEN_RADIUS_MAX_SECRET,
	};
	uint32_t auth = HAVEN_RADIUS_AUTH_PORT, acct = HAVEN_RADIUS_ACCT_PORT;
	uint8_t retries = HAVEN_RADIUS_DEFAULT_RETRIES;
	char where[32], a[HAVEN_ADDR_STRLEN];
	unsigned int i;

	snprintf(where, sizeof(where), "aaa.servers[%u]", idx);
	snprintf(s->name, sizeof(s->name), "radius%u", idx + 1);
	s->timeout_ms = HAVEN_RADIUS_DEFAULT_TIMEOUT_MS;
	aaa->server_line[idx] = map->start_mark.line + 1;
	if (collect(ctx, map, where, f, N_FIELDS) < 0 ||
	    require(ctx, map, where, f, required, N_OF(required)) < 0 ||
	    get_server_name(ctx, f[NAME].value, s->name) < 0 ||
	    get_addr(ctx, f[ADDRESS].value,
		    "an IPv4 or IPv6 address (such as 192.0.2.250)",
		    &s->addr) < 0 ||
	    get_u32(ctx, f[AUTH_PORT].value, 1, UINT16_MAX, &auth) < 0 ||
	    get_u32(ctx, f[ACCT_PORT].value, 1, UINT16_MAX, &acct) < 0 ||
	    get_key_of(ctx, map, &f[SECRET], &f[SECRET_FILE], "RADIUS server",
		    &kb, true) < 0 ||
	    get_u32(ctx, f[TIMEOUT_MS].value, 10, 60000, &s->timeout_ms) < 0 ||
	    get_u8(ctx, f[RETRIES].value, 0, 10, &retries) < 0)
		return -1;
	if (auth == acct)
		return bad_value(ctx, f[ACCT_PORT].value != NULL ?
			f[ACCT_PORT].value : f[AUTH_PORT].value,
			"an accounting port other than the authentication port (%u)",
			auth);
	s->auth_port = (uint16_t)auth;
	s->acct_port = (uint16_t)acct;
	s->retries = retries;
	if (haven_addr_is_zero(&s->addr))
		return bad_value(ctx, f[ADDRESS].value,
			"a server's address, not the unspecified address");
	for (i = 0; i < idx; i++) {
		const struct haven_radius_server_conf *o =
			&aaa->radius.servers[i];

		if (strcmp(o->name, s->name) == 0)
			return bad_value(ctx, f[NAME].value != NULL ?
				f[NAME].value : map,
				"a server name used once (aaa.servers[%u] has it)",
				i);
		if (haven_addr_eq(&o->addr, &s->addr) &&
		    (o->auth_port == s->auth_port ||
		     o->acct_port == s->acct_port ||
		     o->auth_port == s->acct_port ||
		     o->acct_port == s->auth_port))
			return bad_value(ctx, f[ADDRESS].value,
				"a server at its own address and ports (aaa.servers[%u] \"%s\" uses %s port %u or %u)",
				i, o->name, haven_addr_str(&o->addr, a),
				o->auth_port, o->acct_port);
	}
	return 0;
}

static int
parse_radius_servers(struct parse_ctx *ctx, yaml_node_t *seq)
{
	size_t i, n;

	if (get_sequence(ctx, seq, "RADIUS servers", 1,
			HAVEN_RADIUS_MAX_SERVERS, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (parse_radius_server(ctx, item_at(ctx, seq, i), i) < 0)
			return -1;
		ctx->cfg->aaa.radius.n_servers = i + 1;
	}
	return 0;
}

/* NAS-Identifier: 1..64 printable ASCII characters. */
static int
get_nas_identifier(struct parse_ctx *ctx, const yaml_node_t *node)
{
	static const char what[] = "a NAS-Identifier of printable characters";
	char *buf = ctx->cfg->aaa.radius.nas_identifier;
	size_t i;

	if (get_string(ctx, node, what, buf, HAVEN_RADIUS_NAS_ID_LEN + 1) < 0)
		return -1;
	for (i = 0; buf[i] != '\0'; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f)
			return bad_value(ctx, node, what);
	return 0;
}

/*
 * The pool of home addresses handed to nodes that register with a NAI and
 * home address 0.0.0.0 (RFC 2794): "a.b.c.d/n" or "a.b.c.d-a.b.c.e". It
 * must lie on the home link, inside its subnet but not on its network or
 * broadcast address, and hold neither the agent's addresses nor a
 * configured mobile node's home address.
 */
static int
get_pool(struct parse_ctx *ctx, const yaml_node_t *node)
{
	static const char what[] =
		"an address pool \"a.b.c.d/n\" or \"a.b.c.d-a.b.c.e\"";
	struct haven_config *cfg = ctx->cfg;
	const struct haven_config_port *home = &cfg->ports[cfg->home_port];
	char text[2 * INET_ADDRSTRLEN], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	uint32_t first, last, net, x;
	const char *v, *dash;
	unsigned int i;
	uint8_t len;

	if (node == NULL)
		return 0;
	if (scalar_text(ctx, node, what, &v) < 0)
		return -1;
	dash = strchr(v, '-');
	if (dash != NULL) {
		struct in_addr lo, hi;

		if ((size_t)(dash - v) >= INET_ADDRSTRLEN ||
				strlen(dash + 1) >= INET_ADDRSTRLEN)
			return bad_value(ctx, node, what);
		memcpy(text, v, dash - v);
		text[dash - v] = '\0';
		if (inet_pton(AF_INET, text, &lo) != 1 ||
				inet_pton(AF_INET, dash + 1, &hi) != 1)
			return bad_value(ctx, node, what);
		first = lo.s_addr;
		last = hi.s_addr;
		if (ntohl(first) > ntohl(last))
			return bad_value(ctx, node,
				"an address pool whose first address is not above its last");
	} else {
		if (get_prefix(ctx, node, &first, &len) < 0)
			return bad_value(ctx, node, what);
		if ((first & ~mask_of(len)) != 0)
			return bad_value(ctx, node,
				"a pool prefix with zero host bits (%s/%u)",
				ntop(first & mask_of(len), a), len);
		last = first | ~mask_of(len);
	}
	net = home->addr & mask_of(home->prefix_len);
	if (!in_subnet(first, home->addr, home->prefix_len) ||
	    !in_subnet(last, home->addr, home->prefix_len) ||
	    is_net_or_broadcast(first, home->prefix_len) ||
	    is_net_or_broadcast(last, home->prefix_len))
		return bad_value(ctx, node,
			"a pool of hosts on the home port \"%s\" (%s/%u, without its network and broadcast addresses)",
			home->name, ntop(net, a), home->prefix_len);

#define IN_POOL(addr) (ntohl(addr) >= ntohl(first) && \
		ntohl(addr) <= ntohl(last))
	if (cfg->has_home_agent && IN_POOL(cfg->ha_addr))
		return bad_value(ctx, node,
			"a pool without the home agent's address (%s)",
			ntop(cfg->ha_addr, a));
	for (i = 0; i < cfg->n_ports; i++)
		if (IN_POOL(cfg->ports[i].addr))
			return bad_value(ctx, node,
				"a pool without port \"%s\"'s address (%s)",
				cfg->ports[i].name, ntop(cfg->ports[i].addr, a));
	for (i = 0; i < cfg->n_mns; i++) {
		x = cfg->mns[i].home_addr;
		if (IN_POOL(x))
			return bad_value(ctx, node,
				"a pool without the home address of a configured mobile node (%s, line %u)",
				ntop(x, b), cfg->mns[i].line);
	}
#undef IN_POOL
	cfg->aaa.has_pool = true;
	cfg->aaa.pool_first = first;
	cfg->aaa.pool_last = last;
	return 0;
}

static int
parse_aaa(struct parse_ctx *ctx, yaml_node_t *map, const yaml_node_t *key)
{
	enum {
		SERVERS, NAS_IDENTIFIER, NAS_ADDRESS, USER_PASSWORD,
		USER_PASSWORD_FILE, MAX_PENDING, REVIVE_INTERVAL_MS,
		KEY_LIFETIME, ACCOUNTING, INTERIM_INTERVAL, POOL, N_FIELDS
	};
	struct field f[N_FIELDS] = {
		[SERVERS] = { .name = "servers" },
		[NAS_IDENTIFIER] = { .name = "nas_identifier" },
		[NAS_ADDRESS] = { .name = "nas_address" },
		[USER_PASSWORD] = { .name = "user_password" },
		[USER_PASSWORD_FILE] = { .name = "user_password_file" },
		[MAX_PENDING] = { .name = "max_pending" },
		[REVIVE_INTERVAL_MS] = { .name = "revive_interval_ms" },
		[KEY_LIFETIME] = { .name = "key_lifetime" },
		[ACCOUNTING] = { .name = "accounting" },
		[INTERIM_INTERVAL] = { .name = "interim_interval" },
		[POOL] = { .name = "pool", .nullable = true },
	};
	static const int required[] = { SERVERS };
	struct haven_config *cfg = ctx->cfg;
	struct haven_config_aaa *aaa = &cfg->aaa;
	const struct key_buf pw = {
		.key = aaa->radius.user_password,
		.len = &aaa->radius.user_password_len,
		.max = HAVEN_RADIUS_MAX_PASSWORD,
	};
	char reason[128];

	if (map == NULL)
		return 0;
	if (!cfg->has_home_agent)
		return fail_at(ctx, key,
			"expected home_agent with aaa (RADIUS provisions a home agent's mobile nodes), got aaa in a configuration without home_agent");
	aaa->enabled = true;
	if (collect(ctx, map, "aaa", f, N_FIELDS) < 0 ||
	    require(ctx, map, "aaa", f, required, N_OF(required)) < 0 ||
	    parse_radius_servers(ctx, f[SERVERS].value) < 0 ||
	    get_nas_identifier(ctx, f[NAS_IDENTIFIER].value) < 0 ||
	    get_addr(ctx, f[NAS_ADDRESS].value,
		    "an IPv4 or IPv6 address of this host (NAS-IP-Address, the source of RADIUS datagrams)",
		    &aaa->radius.nas_addr) < 0 ||
	    get_key_of(ctx, map, &f[USER_PASSWORD], &f[USER_PASSWORD_FILE],
		    "aaa section", &pw, false) < 0 ||
	    get_u32(ctx, f[MAX_PENDING].value, 1, HAVEN_RADIUS_MAX_PENDING,
		    &aaa->radius.max_pending) < 0 ||
	    get_u32(ctx, f[REVIVE_INTERVAL_MS].value, 100, 3600000,
		    &aaa->radius.revive_interval_ms) < 0 ||
	    get_u32(ctx, f[KEY_LIFETIME].value, 1, 604800,
		    &aaa->key_lifetime) < 0 ||
	    get_bool(ctx, f[ACCOUNTING].value, &aaa->accounting) < 0 ||
	    get_u32(ctx, f[INTERIM_INTERVAL].value, 0, 86400,
		    &aaa->interim_interval) < 0 ||
	    get_pool(ctx, f[POOL].value) < 0)
		return -1;
	if (aaa->interim_interval != 0 && aaa->interim_interval < 60)
		return bad_value(ctx, f[INTERIM_INTERVAL].value,
			"0 (none) or at least 60 seconds (RFC 2869 5.16)");
	if (f[NAS_ADDRESS].value != NULL &&
	    haven_addr_is_zero(&aaa->radius.nas_addr))
		return bad_value(ctx, f[NAS_ADDRESS].value,
			"an address of this host, not the unspecified address (leave the key out for any)");
	/* what lib/radius will check again: never a secret in the reason */
	if (haven_radius_conf_check(&aaa->radius, reason, sizeof(reason)) < 0)
		return fail_at(ctx, map, "expected a usable aaa section, got %s",
			reason);
	return 0;
}

/* ------------------------------------------------------------------ */
/* store:                                                             */
/* ------------------------------------------------------------------ */

/* "every-commit", "none" or "interval <ms>". */
static int
get_store_sync(struct parse_ctx *ctx, const yaml_node_t *node)
{
	static const char what[] =
		"every-commit, none or \"interval <ms>\" (ms 10..60000)";
	struct haven_config_store *st = &ctx->cfg->store;
	const char *v;
	char *end;
	unsigned long ms;

	if (node == NULL)
		return 0;
	if (scalar_text(ctx, node, what, &v) < 0)
		return -1;
	if (strcmp(v, "every-commit") == 0) {
		st->sync = HAVEN_CONFIG_STORE_SYNC_EVERY_COMMIT;
		return 0;
	}
	if (strcmp(v, "none") == 0) {
		st->sync = HAVEN_CONFIG_STORE_SYNC_NONE;
		return 0;
	}
	if (strncmp(v, "interval ", 9) != 0 || v[9] < '1' || v[9] > '9')
		return bad_value(ctx, node, "%s", what);
	errno = 0;
	ms = strtoul(v + 9, &end, 10);
	if (errno != 0 || *end != '\0' || ms < MIN_SYNC_INTERVAL_MS ||
	    ms > MAX_SYNC_INTERVAL_MS)
		return bad_value(ctx, node, "%s", what);
	st->sync = HAVEN_CONFIG_STORE_SYNC_INTERVAL;
	st->sync_interval_ms = (uint32_t)ms;
	return 0;
}

/* An absolute directory path that is not "/". */
static int
get_store_path(struct parse_ctx *ctx, const yaml_node_t *node)
{
	static const char what[] =
		"an absolute directory path (such as /var/lib/haven/store)";
	const char *v;

	if (scalar_text(ctx, node, what, &v) < 0)
		return -1;
	if (v[0] != '/' || strcmp(v, "/") == 0 ||
	    strlen(v) >= HAVEN_CONFIG_PATH_LEN)
		return bad_value(ctx, node, "%s of at most %d bytes", what,
			HAVEN_CONFIG_PATH_LEN - 1);
	strcpy(ctx->cfg->store.path, v);
	return 0;
}

static int
parse_store(struct parse_ctx *ctx, yaml_node_t *map)
{
	enum { PATH, SYNC, MAP_SIZE_MB, MAX_BATCH_KEY, N_FIELDS };
	struct field f[N_FIELDS] = {
		[PATH] = { .name = "path" },
		[SYNC] = { .name = "sync" },
		[MAP_SIZE_MB] = { .name = "map_size_mb" },
		[MAX_BATCH_KEY] = { .name = "max_batch" },
	};
	static const int required[] = { PATH };
	struct haven_config_store *st = &ctx->cfg->store;

	if (map == NULL)
		return 0;
	st->enabled = true;
	if (collect(ctx, map, "store", f, N_FIELDS) < 0 ||
	    require(ctx, map, "store", f, required, N_OF(required)) < 0 ||
	    get_store_path(ctx, f[PATH].value) < 0 ||
	    get_store_sync(ctx, f[SYNC].value) < 0 ||
	    get_u32(ctx, f[MAP_SIZE_MB].value, 1, MAX_STORE_MAP_MB,
		    &st->map_size_mb) < 0 ||
	    get_u32(ctx, f[MAX_BATCH_KEY].value, 1, MAX_STORE_BATCH,
		    &st->max_batch) < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* redundancy:                                                        */
/* ------------------------------------------------------------------ */

/* An IPv4 or IPv6 address as a struct haven_addr. */
static int
get_any_addr(struct parse_ctx *ctx, const yaml_node_t *node,
	struct haven_addr *out)
{
	static const char what[] =
		"an IPv4 or IPv6 address (a.b.c.d or 2001:db8::1)";
	const char *v;

	if (node == NULL)
		return 0;
	if (scalar_text(ctx, node, what, &v) < 0)
		return -1;
	if (haven_addr_parse(v, out) < 0)
		return bad_value(ctx, node, what);
	return 0;
}

/* The port whose own address (or address6) is a, or -1. */
static int
own_port(const struct haven_config *cfg, const struct haven_addr *a)
{
	unsigned int i;

	for (i = 0; i < cfg->n_ports; i++) {
		if (a->family == HAVEN_AF_INET && cfg->ports[i].addr == a->v4)
			return (int)i;
		if (a->family == HAVEN_AF_INET6 && cfg->ports[i].has_addr6 &&
		    memcmp(cfg->ports[i].addr6, a->v6, IP6_LEN) == 0)
			return (int)i;
	}
	return -1;
}

/* The home agent's address of that family, if there is one. */
static bool
is_ha_addr(const struct haven_config *cfg, const struct haven_addr *a)
{
	if (!cfg->has_home_agent)
		return false;
	if (a->family == HAVEN_AF_INET)
		return a->v4 == cfg->ha_addr;
	return cfg->has_ha_addr6 && memcmp(a->v6, cfg->ha_addr6, IP6_LEN) == 0;
}

/*
 * This primary's own address for sync: one of its ports' addresses, not
 * the home agent's, which moves with the active. Default: the home
 * port's address.
 */
static int
get_sync_address(struct parse_ctx *ctx, const yaml_node_t *node)
{
	struct haven_config *cfg = ctx->cfg;
	struct haven_config_redundancy *r = &cfg->redundancy;
	char list[256];
	size_t off = 0;
	unsigned int i;
	int port;

	if (node == NULL) {
		r->addr = haven_addr4(cfg->ports[cfg->home_port].addr);
		r->port_index = cfg->home_port;
		if (is_ha_addr(cfg, &r->addr))
			return fail_at(ctx, ctx->redundancy_map,
				"expected key \"address\" in redundancy (the home port's address is the home agent's, which moves between the pair), got a mapping without it");
		return 0;
	}
	if (get_any_addr(ctx, node, &r->addr) < 0)
		return -1;
	if (is_ha_addr(cfg, &r->addr))
		return bad_value(ctx, node,
			"an address of this primary's own, not the home agent's (it moves to whichever of the pair is active)");
	port = own_port(cfg, &r->addr);
	if (port >= 0) {
		r->port_index = (uint8_t)port;
		return 0;
	}
	list[0] = '\0';
	for (i = 0; i < cfg->n_ports && off < sizeof(list); i++) {
		char a[INET6_ADDRSTRLEN];

		off += snprintf(list + off, sizeof(list) - off, "%sport %s %s",
			i == 0 ? "" : ", ", cfg->ports[i].name,
			ntop(cfg->ports[i].addr, a));
		if (cfg->ports[i].has_addr6 && off < sizeof(list))
			off += snprintf(list + off, sizeof(list) - off, " %s",
				ntop6(cfg->ports[i].addr6, a));
	}
	return bad_value(ctx, node, "one of this agent's port addresses (%s)",
		list);
}

/* The other primary's address: same family, directly reachable, not ours. */
static int
check_sync_peer_address(struct parse_ctx *ctx, const yaml_node_t *node)
{
	struct haven_config *cfg = ctx->cfg;
	struct haven_config_redundancy *r = &cfg->redundancy;
	const struct haven_addr *a = &r->peer.addr;
	char subnets[256];
	int port;

	if (a->family != r->addr.family)
		return bad_value(ctx, node,
			"a peer address of the family of redundancy.address (IPv%u)",
			r->addr.family);
	if (is_ha_addr(cfg, a))
		return bad_value(ctx, node,
			"the other primary's own address, not the home agent's (it moves between the pair)");
	if (own_port(cfg, a) >= 0)
		return bad_value(ctx, node,
			"the other primary's address, not one of this agent's");
	if (a->family == HAVEN_AF_INET) {
		port = port_of(cfg, a->v4);
		if (port < 0 || is_net_or_broadcast(a->v4,
				cfg->ports[port].prefix_len))
			return bad_value(ctx, node,
				"a peer directly reachable, a host inside a port's subnet (%s)",
				port_subnets(cfg, subnets, sizeof(subnets)));
	} else {
		const char *why = special6(a->v6);

		if (why != NULL)
			return bad_value(ctx, node, "a peer address, not %s",
				why);
		port = port6_of(cfg, a->v6);
		if (port < 0 || is_subnet_router6(a->v6,
				cfg->ports[port].prefix_len6))
			return bad_value(ctx, node,
				"a peer directly reachable, a host inside a port's IPv6 subnet (%s)",
				port_subnets6(cfg, subnets, sizeof(subnets)));
	}
	return 0;
}

static int
parse_sync_peer(struct parse_ctx *ctx, yaml_node_t *map)
{
	enum { NAME, ID, ADDRESS, KEY, KEY_FILE, N_FIELDS };
	struct field f[N_FIELDS] = {
		[NAME] = { .name = "name" },
		[ID] = { .name = "id" },
		[ADDRESS] = { .name = "address" },
		[KEY] = { .name = "key" },
		[KEY_FILE] = { .name = "key_file" },
	};
	static const int required[] = { NAME, ID, ADDRESS };
	struct haven_config_redundancy *r = &ctx->cfg->redundancy;
	const struct key_buf kb = {
		.key = r->peer.key,
		.len = &r->peer.key_len,
		.max = HAVEN_CONFIG_SYNC_KEY_LEN,
	};

	r->peer.line = map->start_mark.line + 1;
	if (collect(ctx, map, "redundancy.peer", f, N_FIELDS) < 0 ||
	    require(ctx, map, "redundancy.peer", f, required,
		    N_OF(required)) < 0 ||
	    get_peer_name(ctx, f[NAME].value, r->peer.name) < 0 ||
	    get_u32(ctx, f[ID].value, 1, UINT32_MAX, &r->peer.id) < 0)
		return -1;
	if (r->peer.id == r->node_id)
		return bad_value(ctx, f[ID].value,
			"a peer id other than this primary's (redundancy.node_id)");
	if (get_any_addr(ctx, f[ADDRESS].value, &r->peer.addr) < 0 ||
	    check_sync_peer_address(ctx, f[ADDRESS].value) < 0 ||
	    get_key(ctx, map, &f[KEY], &f[KEY_FILE], "peer", &kb) < 0)
		return -1;
	return 0;
}

/* A VRRPv3 interval: centiseconds on the wire, so a multiple of 10 ms. */
static int
get_advert_interval(struct parse_ctx *ctx, const yaml_node_t *node,
	uint32_t *out)
{
	uint64_t x;

	if (node == NULL)
		return 0;
	if (!parse_decimal(node, &x) || x < MIN_ADVERT_MS ||
	    x > MAX_ADVERT_MS || x % 10 != 0)
		return bad_value(ctx, node,
			"a multiple of 10 in %u..%u (milliseconds; VRRPv3 counts centiseconds, RFC 5798 5.2.7)",
			MIN_ADVERT_MS, MAX_ADVERT_MS);
	*out = (uint32_t)x;
	return 0;
}

static int
parse_vrrp(struct parse_ctx *ctx, yaml_node_t *map)
{
	enum { VRID, PRIORITY, ADVERT, PREEMPT, N_FIELDS };
	struct field f[N_FIELDS] = {
		[VRID] = { .name = "virtual_router_id" },
		[PRIORITY] = { .name = "priority" },
		[ADVERT] = { .name = "advert_interval_ms" },
		[PREEMPT] = { .name = "preempt" },
	};
	struct haven_config_redundancy *r = &ctx->cfg->redundancy;

	if (map == NULL)
		return 0;
	if (collect(ctx, map, "redundancy.vrrp", f, N_FIELDS) < 0 ||
	    get_u8(ctx, f[VRID].value, 1, 255, &r->vrid) < 0 ||
	    get_u8(ctx, f[PRIORITY].value, 1, 254, &r->priority) < 0 ||
	    get_advert_interval(ctx, f[ADVERT].value,
		    &r->advert_interval_ms) < 0 ||
	    get_bool(ctx, f[PREEMPT].value, &r->preempt) < 0)
		return -1;
	return 0;
}

static int
parse_redundancy(struct parse_ctx *ctx, yaml_node_t *map)
{
	static const char *const roles[] = { "auto", "active", "standby" };
	enum {
		NODE_ID, ADDRESS, PORT, PEER, ROLE, VRRP, HEARTBEAT, DEAD_AFTER,
		WINDOW, BULK_PER_TICK, N_FIELDS
	};
	struct field f[N_FIELDS] = {
		[NODE_ID] = { .name = "node_id" },
		[ADDRESS] = { .name = "address" },
		[PORT] = { .name = "port" },
		[PEER] = { .name = "peer" },
		[ROLE] = { .name = "role" },
		[VRRP] = { .name = "vrrp", .nullable = true },
		[HEARTBEAT] = { .name = "heartbeat_interval_ms" },
		[DEAD_AFTER] = { .name = "dead_after" },
		[WINDOW] = { .name = "window" },
		[BULK_PER_TICK] = { .name = "bulk_per_tick" },
	};
	static const int required[] = { NODE_ID, PEER };
	struct haven_config *cfg = ctx->cfg;
	struct haven_config_redundancy *r = &cfg->redundancy;
	uint32_t port = r->port;
	int role = (int)r->role;

	if (map == NULL)
		return 0;
	r->enabled = true;
	ctx->redundancy_map = map;
	if (collect(ctx, map, "redundancy", f, N_FIELDS) < 0)
		return -1;
	if (!cfg->has_home_agent)
		return fail_at(ctx, map,
			"expected redundancy only with home_agent (a pair of primaries shares a home agent address), got a configuration without home_agent");
	if (require(ctx, map, "redundancy", f, required, N_OF(required)) < 0 ||
	    get_u32(ctx, f[NODE_ID].value, 1, UINT32_MAX, &r->node_id) < 0 ||
	    get_sync_address(ctx, f[ADDRESS].value) < 0 ||
	    get_u32(ctx, f[PORT].value, 1, UINT16_MAX, &port) < 0)
		return -1;
	if (cfg->delegation.enabled && port == cfg->delegation.port)
		return bad_value(ctx, f[PORT].value != NULL ? f[PORT].value :
			map,
			"a sync port other than delegation.port (%u)",
			cfg->delegation.port);
	if (f[PEER].value->type != YAML_MAPPING_NODE)
		return bad_value(ctx, f[PEER].value,
			"a mapping for redundancy.peer");
	if (parse_sync_peer(ctx, f[PEER].value) < 0 ||
	    get_choice(ctx, f[ROLE].value, roles, N_OF(roles), &role) < 0 ||
	    parse_vrrp(ctx, f[VRRP].value) < 0 ||
	    get_u32(ctx, f[HEARTBEAT].value, MIN_HEARTBEAT_MS,
		    MAX_HEARTBEAT_MS, &r->heartbeat_ms) < 0 ||
	    get_u32(ctx, f[DEAD_AFTER].value, MIN_DEAD_AFTER, MAX_DEAD_AFTER,
		    &r->dead_after) < 0 ||
	    get_u32(ctx, f[WINDOW].value, 1, MAX_SYNC_WINDOW, &r->window) < 0 ||
	    get_u32(ctx, f[BULK_PER_TICK].value, 1, MAX_SYNC_WINDOW,
		    &r->bulk_per_tick) < 0)
		return -1;
	r->port = (uint16_t)port;
	r->role = (enum haven_redundancy_role)role;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The document                                                       */
/* ------------------------------------------------------------------ */

static int
parse_root(struct parse_ctx *ctx, yaml_node_t *root)
{
	static const char *const idle[] = { "adaptive", "busy" };
	/* rte_log level names, emerg (1) .. debug (8) */
	static const char *const levels[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info",
		"debug",
	};
	enum { EAL, IDLE, LOG_LEVEL, PORTS, ROUTES, CONSOLE_SOCKET, HOME_AGENT,
		MOBILE_NODES, MOBILE_NODES6, DELEGATION, AAA, STORE, REDUNDANCY,
		N_FIELDS };
	struct field f[N_FIELDS] = {
		[EAL] = { .name = "eal" },
		[IDLE] = { .name = "idle" },
		[LOG_LEVEL] = { .name = "log_level" },
		[PORTS] = { .name = "ports" },
		[ROUTES] = { .name = "routes", .nullable = true },
		[CONSOLE_SOCKET] = { .name = "console_socket",
				     .nullable = true },
		[HOME_AGENT] = { .name = "home_agent" },
		[MOBILE_NODES] = { .name = "mobile_nodes", .nullable = true },
		[MOBILE_NODES6] = { .name = "mobile_nodes6", .nullable = true },
		[DELEGATION] = { .name = "delegation" },
		[AAA] = { .name = "aaa" },
		[STORE] = { .name = "store" },
		[REDUNDANCY] = { .name = "redundancy" },
	};
	static const int required[] = { EAL, PORTS };
	struct haven_config *cfg = ctx->cfg;
	int idle_choice = (int)cfg->idle, level = 6;
	yaml_node_t *mns, *mns6;

	if (collect(ctx, root, "the top level", f, N_FIELDS) < 0 ||
	    require(ctx, root, "the top level", f, required,
		    N_OF(required)) < 0)
		return -1;
	/* without home_agent, only a secondary (checked in delegation) */
	if (f[HOME_AGENT].value == NULL && f[DELEGATION].value == NULL)
		return fail_at(ctx, root,
			"expected key \"home_agent\" in the top level (a configuration without home_agent must be a secondary (delegation.primaries)), got a mapping without it");
	ctx->console_key = f[CONSOLE_SOCKET].key;
	if (parse_eal(ctx, f[EAL].value) < 0 ||
	    get_choice(ctx, f[IDLE].value, idle, N_OF(idle),
		    &idle_choice) < 0 ||
	    get_choice(ctx, f[LOG_LEVEL].value, levels, N_OF(levels),
		    &level) < 0 ||
	    parse_ports(ctx, f[PORTS].value) < 0 ||
	    parse_routes(ctx, f[ROUTES].value) < 0 ||
	    get_socket_path(ctx, f[CONSOLE_SOCKET].value) < 0 ||
	    parse_home_agent(ctx, f[HOME_AGENT].value) < 0 ||
	    check_memory(ctx) < 0)
		return -1;
	mns = f[MOBILE_NODES].value;
	if (!cfg->has_home_agent && mns != NULL &&
	    (mns->type != YAML_SEQUENCE_NODE ||
	     mns->data.sequence.items.top != mns->data.sequence.items.start))
		return bad_value(ctx, mns,
			"no mobile nodes without home_agent (a configuration without home_agent must be a secondary (delegation.primaries))");
	if (parse_mobile_nodes(ctx, mns) < 0)
		return -1;
	mns6 = f[MOBILE_NODES6].value;
	if (!cfg->has_home_agent && mns6 != NULL &&
	    (mns6->type != YAML_SEQUENCE_NODE ||
	     mns6->data.sequence.items.top != mns6->data.sequence.items.start))
		return bad_value(ctx, mns6,
			"no mobile nodes without home_agent (a configuration without home_agent must be a secondary (delegation.primaries))");
	if (parse_mobile_nodes6(ctx, mns6) < 0 ||
	    parse_delegation(ctx, f[DELEGATION].value) < 0 ||
	    parse_aaa(ctx, f[AAA].value, f[AAA].key) < 0 ||
	    parse_store(ctx, f[STORE].value) < 0 ||
	    parse_redundancy(ctx, f[REDUNDANCY].value) < 0)
		return -1;
	cfg->idle = (enum haven_idle_policy)idle_choice;
	strcpy(cfg->log_level, levels[level]);
	return 0;
}

/* A libyaml parser error, at its problem mark. */
static int
yaml_failure(struct parse_ctx *ctx, const yaml_parser_t *parser)
{
	if (parser->error == YAML_MEMORY_ERROR)
		return fail_mark(ctx, parser->problem_mark,
			"expected memory to parse the file, got none");
	if (parser->error == YAML_READER_ERROR)
		return fail_mark(ctx, parser->problem_mark,
			"expected UTF-8 text, got %s at byte %zu",
			parser->problem, parser->problem_offset);
	if (parser->context != NULL)
		return fail_mark(ctx, parser->problem_mark,
			"expected valid YAML, got a syntax error: %s (%s at line %zu column %zu)",
			parser->problem, parser->context,
			parser->context_mark.line + 1,
			parser->context_mark.column + 1);
	return fail_mark(ctx, parser->problem_mark,
		"expected valid YAML, got a syntax error: %s",
		parser->problem);
}

static void
set_defaults(struct haven_config *cfg)
{
	strcpy(cfg->file_prefix, DEFAULT_FILE_PREFIX);
	cfg->memory_mb = DEFAULT_MEMORY_MB;
	cfg->hugepages = HAVEN_HUGEPAGES_AUTO;
	cfg->idle = HAVEN_IDLE_ADAPTIVE;
	strcpy(cfg->log_level, DEFAULT_LOG_LEVEL);
	cfg->home_port = 0;
	cfg->max_lifetime = DEFAULT_MAX_LIFETIME;
	cfg->replay_window = DEFAULT_REPLAY_WINDOW;
	cfg->max_bindings = DEFAULT_MAX_BINDINGS;
	cfg->max_simultaneous = HAVEN_CONFIG_MAX_SIMULTANEOUS;
	cfg->encapsulations = HAVEN_ENCAP_BIT_IPIP | HAVEN_ENCAP_BIT_MINIMAL |
		HAVEN_ENCAP_BIT_GRE;
	cfg->reverse_tunnel = true;
	cfg->reg_guard.rate = DEFAULT_REG_RATE;
	cfg->reg_guard.burst = DEFAULT_REG_BURST;
	cfg->reg_guard.source_rate = DEFAULT_REG_SOURCE_RATE;
	cfg->reg_guard.source_burst = DEFAULT_REG_SOURCE_BURST;
	cfg->reg_guard.bound_rate = DEFAULT_REG_BOUND_RATE;
	cfg->reg_guard.bound_burst = DEFAULT_REG_BOUND_BURST;
	cfg->udp_tunnel.enabled = true;
	cfg->udp_tunnel.force_allowed = true;
	cfg->udp_tunnel.keepalive_s = DEFAULT_UDP_KEEPALIVE;
	cfg->max_lifetime6 = DEFAULT_MAX_LIFETIME6;
	cfg->dad = true;
	cfg->refresh_advice_s = 0;
	cfg->delegation.port = HAVEN_CONFIG_DELEG_PORT;
	cfg->delegation.capacity = DEFAULT_DELEG_CAPACITY;
	cfg->delegation.report_interval_ms = DEFAULT_REPORT_MS;
	cfg->delegation.dead_after = DEFAULT_DEAD_AFTER;
	cfg->delegation.wait_for_ack = false;
	cfg->delegation.policy = HAVEN_POLICY_MANUAL;
	cfg->delegation.threshold.binding_pps = DEFAULT_BINDING_PPS;
	cfg->delegation.threshold.total_pps = 0;
	cfg->delegation.threshold.hysteresis_pct = DEFAULT_HYSTERESIS_PCT;
	cfg->delegation.threshold.hold_s = DEFAULT_HOLD_S;
	cfg->delegation.rebalance_tolerance_pct = DEFAULT_REBALANCE_PCT;
	cfg->delegation.window = DEFAULT_DELEG_WINDOW;
	cfg->delegation.dgram_window = DEFAULT_DGRAM_WINDOW;
	cfg->delegation.rx_budget = DEFAULT_RX_BUDGET;
	cfg->delegation.move_rate = DEFAULT_MOVE_RATE;
	cfg->delegation.move_burst = DEFAULT_MOVE_BURST;
	haven_radius_conf_init(&cfg->aaa.radius);
	cfg->aaa.key_lifetime = DEFAULT_KEY_LIFETIME;
	cfg->aaa.accounting = true;
	cfg->aaa.interim_interval = 0;
	cfg->store.sync = HAVEN_CONFIG_STORE_SYNC_EVERY_COMMIT;
	cfg->store.sync_interval_ms = 0;
	cfg->store.map_size_mb = DEFAULT_STORE_MAP_MB;
	cfg->store.max_batch = DEFAULT_STORE_BATCH;
	cfg->redundancy.port = HAVEN_CONFIG_SYNC_PORT;
	cfg->redundancy.role = HAVEN_ROLE_AUTO;
	cfg->redundancy.vrid = DEFAULT_VRID;
	cfg->redundancy.priority = DEFAULT_VRRP_PRIORITY;
	cfg->redundancy.advert_interval_ms = DEFAULT_ADVERT_MS;
	cfg->redundancy.preempt = false;
	cfg->redundancy.heartbeat_ms = DEFAULT_HEARTBEAT_MS;
	cfg->redundancy.dead_after = DEFAULT_SYNC_DEAD_AFTER;
	cfg->redundancy.window = DEFAULT_SYNC_WINDOW;
	cfg->redundancy.bulk_per_tick = DEFAULT_BULK_PER_TICK;
}

/* Parse the one document of the parser's input and check it. */
static int
load_document(struct parse_ctx *ctx, yaml_parser_t *parser)
{
	static const yaml_mark_t start = { 0, 0, 0 };
	yaml_document_t doc, extra;
	yaml_node_t *root;
	int rc = -1;

	if (!yaml_parser_load(parser, &doc))
		return yaml_failure(ctx, parser);
	ctx->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		fail_mark(ctx, start,
			"expected a mapping at the top level, got an empty file");
		goto out_doc;
	}

	/* a second document would be silently ignored: refuse it */
	if (!yaml_parser_load(parser, &extra)) {
		yaml_failure(ctx, parser);
		goto out_doc;
	}
	if (yaml_document_get_root_node(&extra) != NULL) {
		fail_mark(ctx, extra.start_mark,
			"expected a single YAML document, got a second one");
		yaml_document_delete(&extra);
		goto out_doc;
	}
	yaml_document_delete(&extra);

	rc = parse_root(ctx, root);
out_doc:
	yaml_document_delete(&doc);
	ctx->doc = NULL;
	return rc;
}

/*
 * What both loaders do first: check the arguments, remember the name and
 * its folder (relative key_file paths start there), zero the structure
 * and set the defaults. ctx->path must already be set for messages.
 */
static int
begin_load(struct parse_ctx *ctx, const char *name, struct haven_config *cfg)
{
	static const yaml_mark_t start = { 0, 0, 0 };
	char dir[HAVEN_CONFIG_PATH_LEN];

	if (ctx->err != NULL && ctx->errlen > 0)
		ctx->err[0] = '\0';
	if (cfg == NULL)
		return fail_mark(ctx, start,
			"expected a configuration structure, got NULL");
	memset(cfg, 0, sizeof(*cfg));
	if (name == NULL || name[0] == '\0' ||
			strlen(name) >= HAVEN_CONFIG_PATH_LEN)
		return fail_mark(ctx, start,
			"expected a path of 1..%d bytes, got %s",
			HAVEN_CONFIG_PATH_LEN - 1,
			name == NULL ? "NULL" : name[0] == '\0' ? "\"\"" :
			"a longer one");
	strcpy(cfg->path, name);
	strcpy(dir, name);
	strcpy(ctx->dir, dirname(dir));
	set_defaults(cfg);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

int
haven_config_load(const char *path, struct haven_config *cfg, char *err,
	size_t errlen)
{
	static const yaml_mark_t start = { 0, 0, 0 };
	struct parse_ctx ctx = {
		.path = path != NULL ? path : "(null)",
		.cfg = cfg,
		.err = err,
		.errlen = errlen,
	};
	yaml_parser_t parser;
	struct stat st;
	FILE *f;
	int fd, rc;

	if (begin_load(&ctx, path, cfg) < 0)
		return -1;
	/* O_NONBLOCK: a FIFO given by mistake must not hang the start */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return fail_mark(&ctx, start,
			"expected a readable file, got %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail_mark(&ctx, start,
			"expected a readable file, got %s",
			S_ISDIR(st.st_mode) ? "a directory" :
			"something else than a regular file");
	}
	f = fdopen(fd, "rb");
	if (f == NULL) {
		close(fd);
		return fail_mark(&ctx, start,
			"expected a readable file, got %s", strerror(errno));
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return fail_mark(&ctx, start,
			"expected memory for a YAML parser, got none");
	}
	yaml_parser_set_input_file(&parser, f);
	rc = load_document(&ctx, &parser);
	yaml_parser_delete(&parser);
	fclose(f);
	if (rc < 0)
		haven_config_free(cfg);
	return rc;
}

int
haven_config_load_buffer(const char *name, const void *data, size_t len,
	struct haven_config *cfg, char *err, size_t errlen)
{
	static const yaml_mark_t start = { 0, 0, 0 };
	struct parse_ctx ctx = {
		.path = name != NULL ? name : "(null)",
		.cfg = cfg,
		.err = err,
		.errlen = errlen,
	};
	yaml_parser_t parser;
	int rc;

	if (begin_load(&ctx, name, cfg) < 0)
		return -1;
	if (data == NULL && len > 0)
		return fail_mark(&ctx, start,
			"expected %zu bytes of YAML, got NULL", len);
	if (!yaml_parser_initialize(&parser))
		return fail_mark(&ctx, start,
			"expected memory for a YAML parser, got none");
	/* libyaml reads at most len bytes; an empty input is an empty file */
	yaml_parser_set_input_string(&parser,
		data != NULL ? data : (const void *)"", len);
	rc = load_document(&ctx, &parser);
	yaml_parser_delete(&parser);
	if (rc < 0)
		haven_config_free(cfg);
	return rc;
}

bool
haven_config_has_ipv6(const struct haven_config *cfg)
{
	unsigned int i;

	if (cfg == NULL)
		return false;
	if (cfg->has_ha_addr6)
		return true;
	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].has_addr6)
			return true;
	return false;
}

uint32_t
haven_config_min_memory_mb(const struct haven_config *cfg)
{
	uint64_t bytes, n;

	if (cfg == NULL)
		return 0;
	n = cfg->max_bindings;
	bytes = ((uint64_t)MEM_BASE_MB << 20) + n * MEM_PER_BINDING;
	if (haven_config_has_ipv6(cfg))
		bytes += ((uint64_t)MEM_IPV6_MB << 20) + n * MEM_PER_BINDING6;
	return (uint32_t)((bytes + (1u << 20) - 1) >> 20);
}

void
haven_config_free(struct haven_config *cfg)
{
	unsigned int i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_eal_args; i++)
		free(cfg->eal_args[i]);
	if (cfg->mns != NULL) {
		/* the keys are secrets: do not leave them in freed memory */
		explicit_bzero(cfg->mns, cfg->n_mns * sizeof(*cfg->mns));
		free(cfg->mns);
	}
	if (cfg->mns6 != NULL) {
		explicit_bzero(cfg->mns6, cfg->n_mns6 * sizeof(*cfg->mns6));
		free(cfg->mns6);
	}
	explicit_bzero(&cfg->delegation, sizeof(cfg->delegation));
	explicit_bzero(&cfg->aaa, sizeof(cfg->aaa));	/* secrets */
	explicit_bzero(&cfg->redundancy, sizeof(cfg->redundancy));
	memset(cfg, 0, sizeof(*cfg));
}

const struct haven_config_mn *
haven_config_find_mn(const struct haven_config *cfg, uint32_t home_addr)
{
	const struct haven_config_mn key = { .home_addr = home_addr };

	if (cfg == NULL || cfg->n_mns == 0)
		return NULL;
	return bsearch(&key, cfg->mns, cfg->n_mns, sizeof(*cfg->mns), cmp_mn);
}

const struct haven_config_mn6 *
haven_config_find_mn6(const struct haven_config *cfg,
	const uint8_t addr[HAVEN_CONFIG_IPV6_LEN])
{
	struct haven_config_mn6 key;

	if (cfg == NULL || addr == NULL || cfg->n_mns6 == 0)
		return NULL;
	memcpy(key.home_addr, addr, IP6_LEN);
	return bsearch(&key, cfg->mns6, cfg->n_mns6, sizeof(*cfg->mns6),
		cmp_mn6);
}

const struct haven_config_peer *
haven_config_find_peer(const struct haven_config *cfg, const char *name)
{
	const struct haven_config_delegation *d;
	unsigned int i;

	if (cfg == NULL || name == NULL)
		return NULL;
	d = &cfg->delegation;
	for (i = 0; i < d->n_secondaries; i++)
		if (strcmp(d->secondaries[i].name, name) == 0)
			return &d->secondaries[i];
	for (i = 0; i < d->n_primaries; i++)
		if (strcmp(d->primaries[i].name, name) == 0)
			return &d->primaries[i];
	return NULL;
}

const char *
haven_deleg_policy_name(enum haven_deleg_policy p)
{
	switch (p) {
	case HAVEN_POLICY_MANUAL:
		return "manual";
	case HAVEN_POLICY_EQUAL:
		return "equal";
	case HAVEN_POLICY_THRESHOLD:
		return "threshold";
	}
	return "unknown";
}

const char *
haven_redundancy_role_name(enum haven_redundancy_role r)
{
	switch (r) {
	case HAVEN_ROLE_AUTO:
		return "auto";
	case HAVEN_ROLE_ACTIVE:
		return "active";
	case HAVEN_ROLE_STANDBY:
		return "standby";
	}
	return "unknown";
}

const char *
haven_idle_policy_name(enum haven_idle_policy p)
{
	switch (p) {
	case HAVEN_IDLE_ADAPTIVE:
		return "adaptive";
	case HAVEN_IDLE_BUSY:
		return "busy";
	}
	return "unknown";
}
