/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the configuration loader (lib/config). The example
 * configurations shipped in config/ must load with the values they
 * document; every broken file in test/config/ must be refused with the
 * exact file:line:column of its mistake and a readable reason; generated
 * files check the sorted lookup of many mobile nodes and a few corners.
 *
 * The files are found from the source tree: $MESON_SOURCE_ROOT when set,
 * else the folder of this source file (__FILE__, which meson makes
 * relative to the build folder), tried from the working folder and from
 * the build folder above this executable.
 */

#include <arpa/inet.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "haven_config.h"
#include "test.h"

static char source_root[PATH_MAX];	/* the repository's top folder */

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Find the repository from the environment or from __FILE__. */
static int
find_source_root(void)
{
	char file[PATH_MAX], exe[PATH_MAX], probe[PATH_MAX * 2];
	const char *env = getenv("MESON_SOURCE_ROOT");
	ssize_t n;

	if (env != NULL && env[0] != '\0') {
		snprintf(source_root, sizeof(source_root), "%s", env);
		return 0;
	}
	/* __FILE__ is ".../test/test_config.c": the root is two levels up */
	snprintf(file, sizeof(file), "%s", __FILE__);
	snprintf(source_root, sizeof(source_root), "%s/..", dirname(file));
	snprintf(probe, sizeof(probe), "%s/test/config", source_root);
	if (is_dir(probe))
		return 0;
	/* relative __FILE__, run from elsewhere: start at the build root */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0 && __FILE__[0] != '/') {
		exe[n] = '\0';
		snprintf(file, sizeof(file), "%s", __FILE__);
		snprintf(source_root, sizeof(source_root), "%s/../%s/..",
			dirname(exe), dirname(file));
		snprintf(probe, sizeof(probe), "%s/test/config", source_root);
		if (is_dir(probe))
			return 0;
	}
	fprintf(stderr, "cannot find test/config; set MESON_SOURCE_ROOT\n");
	return -1;
}

/* source_root + "/" + rel, in one of a few rotating buffers. */
static const char *
src_path(const char *rel)
{
	static char bufs[4][PATH_MAX * 2];
	static unsigned int next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", source_root, rel);
	return b;
}

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

/* An IPv6 address, 16 bytes in a rotating static buffer. */
static const uint8_t *
ip6(const char *s)
{
	static uint8_t bufs[4][16];
	static unsigned int next;
	uint8_t *b = bufs[next++ % 4];

	if (inet_pton(AF_INET6, s, b) != 1)
		abort();
	return b;
}

/* ------------------------------------------------------------------ */
/* The shipped example configurations                                 */
/* ------------------------------------------------------------------ */

static int
test_lab_config(void)
{
	static const struct {
		const char *hoa;
		uint32_t spi;
		enum haven_mip4_alg alg;
		const char *key;	/* the lab keys are printable */
		uint32_t max_lifetime;
	} lab_mns[] = {
		{ "192.0.2.100", 256, HAVEN_MIP4_ALG_HMAC_MD5,
		  "haven-lab-mn-100", 600 },
		{ "192.0.2.101", 257, HAVEN_MIP4_ALG_HMAC_SHA256,
		  "haven-lab-mn-101-sha256-key-0032", 0 },
		{ "192.0.2.102", 258, HAVEN_MIP4_ALG_HMAC_MD5,
		  "haven-lab-mn-102", 0 },
		{ "192.0.2.103", 259, HAVEN_MIP4_ALG_HMAC_MD5,
		  "haven-lab-mn-103", 0 },
		{ "192.0.2.104", 260, HAVEN_MIP4_ALG_HMAC_MD5,
		  "haven-lab-mn-104", 0 },
		{ "192.0.2.105", 261, HAVEN_MIP4_ALG_HMAC_MD5,
		  "haven-lab-mn-105", 0 },
	};
	struct haven_config cfg = { 0 };
	char err[512];
	unsigned int i;

	TEST_ASSERT_EQUAL(haven_config_load(src_path("config/lab.yaml"), &cfg,
		err, sizeof(err)), 0, "%s", err);

	TEST_ASSERT(strcmp(cfg.lcores, "0,1") == 0, "lcores %s", cfg.lcores);
	TEST_ASSERT_EQUAL(cfg.control_lcore, 0, "control lcore");
	TEST_ASSERT_EQUAL(cfg.n_workers, 1, "workers");
	TEST_ASSERT(strcmp(cfg.file_prefix, "haven-lab") == 0, "file prefix");
	TEST_ASSERT_EQUAL(cfg.memory_mb, 256, "memory");
	TEST_ASSERT_EQUAL(cfg.hugepages, HAVEN_HUGEPAGES_AUTO, "hugepages");
	TEST_ASSERT_EQUAL(cfg.n_eal_args, 1, "EAL args");
	TEST_ASSERT_EQUAL(cfg.idle, HAVEN_IDLE_ADAPTIVE, "idle");
	TEST_ASSERT(strcmp(cfg.log_level, "info") == 0, "log level");

	TEST_ASSERT_EQUAL(cfg.n_ports, 1, "ports");
	TEST_ASSERT(strcmp(cfg.ports[0].name, "home") == 0, "port name");
	TEST_ASSERT(strcmp(cfg.ports[0].device,
		"net_af_packet0,iface=ha0,qpairs=2") == 0, "device");
	TEST_ASSERT(cfg.ports[0].is_vdev, "a vdev");
	TEST_ASSERT_EQUAL(cfg.ports[0].addr, ip("192.0.2.1"), "port address");
	TEST_ASSERT_EQUAL(cfg.ports[0].prefix_len, 24, "port prefix");

	TEST_ASSERT_EQUAL(cfg.n_routes, 1, "routes");
	TEST_ASSERT_EQUAL(cfg.routes[0].prefix, 0, "default route");
	TEST_ASSERT_EQUAL(cfg.routes[0].prefix_len, 0, "default route");
	TEST_ASSERT_EQUAL(cfg.routes[0].gateway, ip("192.0.2.254"), "gateway");
	TEST_ASSERT_EQUAL(cfg.routes[0].port, 0, "route port");

	TEST_ASSERT_EQUAL(cfg.ha_addr, ip("192.0.2.1"), "HA address");
	TEST_ASSERT_EQUAL(cfg.home_port, 0, "home port");
	TEST_ASSERT_EQUAL(cfg.max_lifetime, 1800, "max lifetime");
	TEST_ASSERT_EQUAL(cfg.replay_window, 7, "replay window");
	TEST_ASSERT_EQUAL(cfg.max_bindings, 65536, "max bindings");
	TEST_ASSERT_EQUAL(cfg.max_simultaneous, 4, "max simultaneous");
	TEST_ASSERT_EQUAL(cfg.encapsulations, HAVEN_ENCAP_BIT_IPIP |
		HAVEN_ENCAP_BIT_MINIMAL | HAVEN_ENCAP_BIT_GRE, "encaps");
	TEST_ASSERT(cfg.reverse_tunnel, "reverse tunnel");
	TEST_ASSERT(strcmp(cfg.console_socket, "/run/haven/haven-lab.sock") == 0,
		"console socket %s", cfg.console_socket);

	TEST_ASSERT_EQUAL(cfg.n_mns, 6, "mobile nodes");
	for (i = 0; i < 6; i++) {
		const struct haven_config_mn *mn =
			haven_config_find_mn(&cfg, ip(lab_mns[i].hoa));
		size_t len = strlen(lab_mns[i].key);

		TEST_ASSERT(mn != NULL, "%s not found", lab_mns[i].hoa);
		TEST_ASSERT_EQUAL(mn->sa.spi, lab_mns[i].spi, "%s", lab_mns[i].hoa);
		TEST_ASSERT_EQUAL(mn->sa.alg, lab_mns[i].alg, "%s", lab_mns[i].hoa);
		TEST_ASSERT_EQUAL(mn->sa.key_len, len, "%s", lab_mns[i].hoa);
		TEST_ASSERT_MEM(mn->sa.key, lab_mns[i].key, len, "%s key",
			lab_mns[i].hoa);
		TEST_ASSERT_EQUAL(mn->max_lifetime, lab_mns[i].max_lifetime,
			"%s", lab_mns[i].hoa);
		TEST_ASSERT(mn->line > 0, "line");
	}
	TEST_ASSERT(haven_config_find_mn(&cfg, ip("192.0.2.106")) == NULL,
		"unknown node found");

	/* written before delegation existed: a plain home agent */
	TEST_ASSERT(cfg.has_home_agent, "home agent");
	TEST_ASSERT(!cfg.delegation.enabled, "no delegation");
	TEST_ASSERT_EQUAL(cfg.delegation.n_secondaries, 0, "not a PHA");
	TEST_ASSERT_EQUAL(cfg.delegation.n_primaries, 0, "not an SHA");
	haven_config_free(&cfg);
	return 0;
}

/* The lab's delegation keys: printable, 32 bytes (docs/configuration.md). */
#define LAB_KEY_SHA1 "haven-lab-deleg-pha-sha1-key-032"
#define LAB_KEY_SHA2 "haven-lab-deleg-pha-sha2-key-032"

static int
check_peer(const struct haven_config_peer *p, const char *name, uint32_t id,
	const char *addr, const char *key)
{
	TEST_ASSERT(strcmp(p->name, name) == 0, "name %s, want %s", p->name,
		name);
	TEST_ASSERT_EQUAL(p->id, id, "%s id", name);
	TEST_ASSERT_EQUAL(p->addr, ip(addr), "%s address", name);
	TEST_ASSERT_EQUAL(p->key_len, strlen(key), "%s key length", name);
	TEST_ASSERT_MEM(p->key, key, strlen(key), "%s key", name);
	TEST_ASSERT_EQUAL(p->port, 0, "%s on the home port", name);
	TEST_ASSERT(p->line > 0, "%s line", name);
	return 0;
}

/* lab-pha.yaml is lab.yaml with its own prefix and socket, plus delegation. */
static int
test_lab_pha_config(void)
{
	struct haven_config lab = { 0 }, cfg = { 0 };
	const struct haven_config_delegation *d = &cfg.delegation;
	char err[512];
	unsigned int i;

	TEST_ASSERT_EQUAL(haven_config_load(src_path("config/lab.yaml"), &lab,
		err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(haven_config_load(src_path("config/lab-pha.yaml"),
		&cfg, err, sizeof(err)), 0, "%s", err);

	TEST_ASSERT(strcmp(cfg.file_prefix, "haven-pha") == 0, "file prefix");
	TEST_ASSERT(strcmp(cfg.console_socket, "/run/haven/haven-pha.sock") == 0,
		"console socket %s", cfg.console_socket);
	TEST_ASSERT(strcmp(cfg.lcores, lab.lcores) == 0, "lcores");
	TEST_ASSERT_EQUAL(cfg.memory_mb, lab.memory_mb, "memory");
	TEST_ASSERT_EQUAL(cfg.n_ports, lab.n_ports, "ports");
	TEST_ASSERT_MEM(cfg.ports, lab.ports, sizeof(cfg.ports), "ports");
	TEST_ASSERT_EQUAL(cfg.n_routes, lab.n_routes, "routes");
	TEST_ASSERT_MEM(cfg.routes, lab.routes, sizeof(cfg.routes), "routes");
	TEST_ASSERT(cfg.has_home_agent, "a PHA is a home agent");
	TEST_ASSERT_EQUAL(cfg.ha_addr, lab.ha_addr, "HA address");
	TEST_ASSERT_EQUAL(cfg.max_lifetime, lab.max_lifetime, "lifetime");
	TEST_ASSERT_EQUAL(cfg.encapsulations, lab.encapsulations, "encaps");
	TEST_ASSERT_EQUAL(cfg.n_mns, lab.n_mns, "mobile nodes");
	for (i = 0; i < cfg.n_mns; i++) {
		TEST_ASSERT_EQUAL(cfg.mns[i].home_addr, lab.mns[i].home_addr,
			"node %u", i);
		TEST_ASSERT_MEM(&cfg.mns[i].sa, &lab.mns[i].sa,
			sizeof(cfg.mns[i].sa), "node %u", i);
	}

	TEST_ASSERT(d->enabled, "delegation");
	TEST_ASSERT_EQUAL(d->agent_id, 1, "agent id");
	TEST_ASSERT_EQUAL(d->addr, ip("192.0.2.1"), "delegation address");
	TEST_ASSERT_EQUAL(d->port, 4434, "UDP port");
	TEST_ASSERT_EQUAL(d->n_secondaries, 2, "secondaries");
	TEST_ASSERT_EQUAL(d->n_primaries, 0, "primaries");
	if (check_peer(&d->secondaries[0], "sha1", 11, "192.0.2.11",
			LAB_KEY_SHA1) < 0 ||
	    check_peer(&d->secondaries[1], "sha2", 12, "192.0.2.12",
			LAB_KEY_SHA2) < 0)
		return -1;
	TEST_ASSERT_EQUAL(d->dead_after, 3, "dead after");
	TEST_ASSERT(!d->wait_for_ack, "wait for ack");
	TEST_ASSERT_EQUAL(d->policy, HAVEN_POLICY_MANUAL, "policy");
	TEST_ASSERT_EQUAL(d->threshold.binding_pps, 1000, "binding pps");
	TEST_ASSERT_EQUAL(d->threshold.total_pps, 0, "total pps");
	TEST_ASSERT_EQUAL(d->threshold.hysteresis_pct, 50, "hysteresis");
	TEST_ASSERT_EQUAL(d->threshold.hold_s, 2, "hold");
	TEST_ASSERT(haven_config_find_peer(&cfg, "sha2") == &d->secondaries[1],
		"find sha2");
	TEST_ASSERT(haven_config_find_peer(&cfg, "sha3") == NULL, "sha3");
	haven_config_free(&lab);
	haven_config_free(&cfg);
	return 0;
}

/* lab-aaa.yaml is lab.yaml with its own prefix and socket, plus aaa. */
static int
test_lab_aaa_config(void)
{
	struct haven_config lab = { 0 }, cfg = { 0 };
	const struct haven_config_aaa *a = &cfg.aaa;
	char err[512];
	unsigned int i;

	TEST_ASSERT_EQUAL(haven_config_load(src_path("config/lab.yaml"), &lab,
		err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(haven_config_load(src_path("config/lab-aaa.yaml"),
		&cfg, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(strcmp(cfg.file_prefix, "haven-aaa") == 0, "file prefix");
	TEST_ASSERT(strcmp(cfg.console_socket, "/run/haven/haven-aaa.sock") == 0,
		"console socket %s", cfg.console_socket);
	TEST_ASSERT_MEM(cfg.ports, lab.ports, sizeof(cfg.ports), "ports");
	TEST_ASSERT_MEM(cfg.routes, lab.routes, sizeof(cfg.routes), "routes");
	TEST_ASSERT_EQUAL(cfg.ha_addr, lab.ha_addr, "HA address");
	TEST_ASSERT_EQUAL(cfg.n_mns, lab.n_mns, "mobile nodes");
	for (i = 0; i < cfg.n_mns; i++)
		TEST_ASSERT_MEM(&cfg.mns[i], &lab.mns[i], sizeof(cfg.mns[i]) -
			sizeof(cfg.mns[i].line), "node %u", i);
	TEST_ASSERT(!lab.aaa.enabled, "lab.yaml has no aaa");

	TEST_ASSERT(a->enabled, "aaa");
	TEST_ASSERT_EQUAL(a->radius.n_servers, 2, "servers");
	TEST_ASSERT(strcmp(a->radius.servers[0].name, "radius1") == 0 &&
		a->radius.servers[0].auth_port == 18120 &&
		a->radius.servers[0].acct_port == 18130 &&
		a->radius.servers[0].secret_len == 24 &&
		memcmp(a->radius.servers[0].secret, "haven-lab-radius1-secret",
			24) == 0, "radius1");
	TEST_ASSERT(strcmp(a->radius.servers[1].name, "radius2") == 0 &&
		a->radius.servers[1].auth_port == 18121 &&
		a->radius.servers[1].acct_port == 18131 &&
		a->radius.servers[1].secret_len == 24 &&
		memcmp(a->radius.servers[1].secret, "haven-lab-radius2-secret",
			24) == 0 && a->radius.servers[1].timeout_ms == 1000 &&
		a->radius.servers[1].retries == 2, "radius2");
	TEST_ASSERT(strcmp(a->radius.nas_identifier, "haven-lab") == 0, "NAS");
	TEST_ASSERT(a->radius.user_password_len == 18, "User-Password");
	TEST_ASSERT(a->key_lifetime == 3600 && a->accounting &&
		a->interim_interval == 300, "lifetimes");
	TEST_ASSERT(a->has_pool && a->pool_first == ip("192.0.2.200") &&
		a->pool_last == ip("192.0.2.239"), "pool");
	haven_config_free(&lab);
	haven_config_free(&cfg);
	return 0;
}

/* lab-sha1.yaml and lab-sha2.yaml: pure SHAs of lab-pha.yaml. */
static int
test_lab_sha_configs(void)
{
	static const struct {
		const char *file, *prefix, *sock, *addr, *key;
		uint32_t id;
	} shas[] = {
		{ "config/lab-sha1.yaml", "haven-sha1",
		  "/run/haven/haven-sha1.sock", "192.0.2.11", LAB_KEY_SHA1, 11 },
		{ "config/lab-sha2.yaml", "haven-sha2",
		  "/run/haven/haven-sha2.sock", "192.0.2.12", LAB_KEY_SHA2, 12 },
	};
	struct haven_config cfg = { 0 };
	const struct haven_config_delegation *d = &cfg.delegation;
	char err[512], dev[64];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		TEST_ASSERT_EQUAL(haven_config_load(src_path(shas[i].file),
			&cfg, err, sizeof(err)), 0, "%s", err);
		TEST_ASSERT(strcmp(cfg.file_prefix, shas[i].prefix) == 0,
			"%s prefix", shas[i].file);
		TEST_ASSERT(strcmp(cfg.console_socket, shas[i].sock) == 0,
			"%s socket %s", shas[i].file, cfg.console_socket);
		TEST_ASSERT_EQUAL(cfg.n_workers, 1, "workers");
		TEST_ASSERT_EQUAL(cfg.n_ports, 1, "ports");
		snprintf(dev, sizeof(dev),
			"net_af_packet0,iface=sha%u,qpairs=2", i + 1);
		TEST_ASSERT(strcmp(cfg.ports[0].device, dev) == 0, "device");
		TEST_ASSERT_EQUAL(cfg.ports[0].addr, ip(shas[i].addr), "addr");
		TEST_ASSERT_EQUAL(cfg.ports[0].prefix_len, 24, "prefix");
		TEST_ASSERT_EQUAL(cfg.n_routes, 1, "routes");
		TEST_ASSERT_EQUAL(cfg.routes[0].gateway, ip("192.0.2.254"),
			"default route");

		TEST_ASSERT(!cfg.has_home_agent, "no home agent");
		TEST_ASSERT_EQUAL(cfg.ha_addr, ip(shas[i].addr), "own address");
		TEST_ASSERT_EQUAL(cfg.home_port, 0, "home port");
		TEST_ASSERT_EQUAL(cfg.n_mns, 0, "no mobile nodes");

		TEST_ASSERT(d->enabled, "delegation");
		TEST_ASSERT_EQUAL(d->agent_id, shas[i].id, "agent id");
		TEST_ASSERT_EQUAL(d->addr, ip(shas[i].addr), "address");
		TEST_ASSERT_EQUAL(d->port, 4434, "UDP port");
		TEST_ASSERT_EQUAL(d->n_secondaries, 0, "secondaries");
		TEST_ASSERT_EQUAL(d->n_primaries, 1, "primaries");
		if (check_peer(&d->primaries[0], "pha", 1, "192.0.2.1",
				shas[i].key) < 0)
			return -1;
		TEST_ASSERT_EQUAL(d->capacity, 1024, "capacity");
		TEST_ASSERT_EQUAL(d->report_interval_ms, 1000, "reports");
		haven_config_free(&cfg);
	}
	return 0;
}

static int
test_pha_baremetal_config(void)
{
	static const uint8_t key10[] = {
		0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
		0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
	};
	struct haven_config cfg = { 0 };
	const struct haven_config_mn *mn;
	char err[512];

	TEST_ASSERT_EQUAL(haven_config_load(
		src_path("config/pha-baremetal.yaml"), &cfg, err, sizeof(err)),
		0, "%s", err);
	TEST_ASSERT_EQUAL(cfg.control_lcore, 2, "control lcore");
	TEST_ASSERT_EQUAL(cfg.n_workers, 7, "workers");
	TEST_ASSERT_EQUAL(cfg.idle, HAVEN_IDLE_BUSY, "busy");
	TEST_ASSERT_EQUAL(cfg.hugepages, HAVEN_HUGEPAGES_ON, "hugepages");
	TEST_ASSERT_EQUAL(cfg.n_ports, 2, "ports");
	TEST_ASSERT(!cfg.ports[0].is_vdev && !cfg.ports[1].is_vdev, "PCI");
	TEST_ASSERT(strcmp(cfg.ports[0].device, "0000:03:00.0") == 0, "PCI");
	TEST_ASSERT_EQUAL(cfg.n_routes, 2, "routes");
	TEST_ASSERT_EQUAL(cfg.routes[0].port, 1, "default via core");
	TEST_ASSERT_EQUAL(cfg.routes[1].port, 0, "198.18/15 via home");
	TEST_ASSERT_EQUAL(cfg.ha_addr, ip("192.0.2.2"), "HA address");
	TEST_ASSERT_EQUAL(cfg.encapsulations, HAVEN_ENCAP_BIT_IPIP |
		HAVEN_ENCAP_BIT_GRE, "encaps");
	TEST_ASSERT(cfg.has_home_agent && !cfg.delegation.enabled, "plain HA");

	mn = haven_config_find_mn(&cfg, ip("192.0.2.10"));
	TEST_ASSERT(mn != NULL, "192.0.2.10");
	TEST_ASSERT_EQUAL(mn->sa.key_len, sizeof(key10), "key from file");
	TEST_ASSERT_MEM(mn->sa.key, key10, sizeof(key10), "key from file");
	mn = haven_config_find_mn(&cfg, ip("192.0.2.11"));
	TEST_ASSERT(mn != NULL, "192.0.2.11");
	TEST_ASSERT_EQUAL(mn->sa.alg, HAVEN_MIP4_ALG_HMAC_SHA256, "sha256");
	TEST_ASSERT_EQUAL(mn->sa.key_len, 32, "key from file");
	TEST_ASSERT_EQUAL(mn->max_lifetime, 900, "node lifetime");
	haven_config_free(&cfg);
	return 0;
}

/* The IPv4 examples, written before IPv6: none of it, IPv6 defaults. */
static int
test_ipv4_configs_have_no_ipv6(void)
{
	static const char *const files[] = {
		"config/lab.yaml", "config/lab-pha.yaml", "config/lab-sha1.yaml",
		"config/lab-sha2.yaml", "config/pha-baremetal.yaml",
	};
	struct haven_config cfg = { 0 };
	char err[512];
	unsigned int i, p;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		TEST_ASSERT_EQUAL(haven_config_load(src_path(files[i]), &cfg,
			err, sizeof(err)), 0, "%s", err);
		for (p = 0; p < cfg.n_ports; p++)
			TEST_ASSERT(!cfg.ports[p].has_addr6, "%s", files[i]);
		TEST_ASSERT_EQUAL(cfg.n_routes6, 0, "%s", files[i]);
		TEST_ASSERT(!cfg.has_ha_addr6, "%s", files[i]);
		TEST_ASSERT_EQUAL(cfg.home_prefix6_len, 0, "%s", files[i]);
		TEST_ASSERT_EQUAL(cfg.max_lifetime6, 3600, "%s", files[i]);
		TEST_ASSERT(cfg.dad, "%s", files[i]);
		TEST_ASSERT_EQUAL(cfg.refresh_advice_s, 0, "%s", files[i]);
		TEST_ASSERT(cfg.n_mns6 == 0 && cfg.mns6 == NULL, "%s",
			files[i]);
		TEST_ASSERT(haven_config_find_mn6(&cfg,
			ip6("2001:db8:1::100")) == NULL, "%s", files[i]);
		haven_config_free(&cfg);
	}
	return 0;
}

/* lab-ipv6.yaml is lab.yaml (IPv4 unchanged) plus the IPv6 lab. */
static int
test_lab_ipv6_config(void)
{
	struct haven_config lab = { 0 }, cfg = { 0 };
	const struct haven_config_mn6 *mn;
	char err[512];
	unsigned int i;

	TEST_ASSERT_EQUAL(haven_config_load(src_path("config/lab.yaml"), &lab,
		err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(haven_config_load(src_path("config/lab-ipv6.yaml"),
		&cfg, err, sizeof(err)), 0, "%s", err);

	/* IPv4: as lab.yaml, but for its own file prefix and socket */
	TEST_ASSERT(strcmp(cfg.file_prefix, "haven-lab6") == 0, "prefix");
	TEST_ASSERT(strcmp(cfg.console_socket, "/run/haven/haven-lab6.sock") == 0,
		"console socket %s", cfg.console_socket);
	TEST_ASSERT(strcmp(cfg.lcores, lab.lcores) == 0, "lcores");
	TEST_ASSERT_EQUAL(cfg.memory_mb, lab.memory_mb, "memory");
	TEST_ASSERT_EQUAL(cfg.n_ports, 1, "ports");
	TEST_ASSERT(strcmp(cfg.ports[0].device, lab.ports[0].device) == 0,
		"device");
	TEST_ASSERT_EQUAL(cfg.ports[0].addr, lab.ports[0].addr, "address");
	TEST_ASSERT_EQUAL(cfg.ports[0].prefix_len, 24, "prefix");
	TEST_ASSERT_EQUAL(cfg.n_routes, lab.n_routes, "routes");
	TEST_ASSERT_MEM(cfg.routes, lab.routes, sizeof(cfg.routes), "routes");
	TEST_ASSERT_EQUAL(cfg.ha_addr, lab.ha_addr, "HA address");
	TEST_ASSERT_EQUAL(cfg.max_lifetime, lab.max_lifetime, "lifetime");
	TEST_ASSERT_EQUAL(cfg.encapsulations, lab.encapsulations, "encaps");
	TEST_ASSERT_EQUAL(cfg.n_mns, lab.n_mns, "mobile nodes");
	for (i = 0; i < cfg.n_mns; i++) {
		TEST_ASSERT_EQUAL(cfg.mns[i].home_addr, lab.mns[i].home_addr,
			"node %u", i);
		TEST_ASSERT_MEM(&cfg.mns[i].sa, &lab.mns[i].sa,
			sizeof(cfg.mns[i].sa), "node %u", i);
		TEST_ASSERT_EQUAL(cfg.mns[i].max_lifetime,
			lab.mns[i].max_lifetime, "node %u", i);
	}
	TEST_ASSERT(!cfg.delegation.enabled, "no delegation");

	/* IPv6 */
	TEST_ASSERT(cfg.ports[0].has_addr6, "address6");
	TEST_ASSERT_MEM(cfg.ports[0].addr6, ip6("2001:db8:1::1"), 16, "addr6");
	TEST_ASSERT_EQUAL(cfg.ports[0].prefix_len6, 64, "prefix6");
	TEST_ASSERT_EQUAL(cfg.n_routes6, 1, "IPv6 routes");
	TEST_ASSERT_MEM(cfg.routes6[0].prefix, ip6("::"), 16, "::/0");
	TEST_ASSERT_EQUAL(cfg.routes6[0].prefix_len, 0, "::/0");
	TEST_ASSERT_MEM(cfg.routes6[0].gateway, ip6("2001:db8:1::fe"), 16,
		"IPv6 gateway");
	TEST_ASSERT_EQUAL(cfg.routes6[0].port, 0, "IPv6 route port");
	TEST_ASSERT(cfg.has_ha_addr6, "home_agent.address6");
	TEST_ASSERT_MEM(cfg.ha_addr6, ip6("2001:db8:1::1"), 16, "HA addr6");
	TEST_ASSERT_MEM(cfg.home_prefix6, ip6("2001:db8:1::"), 16,
		"home prefix: the port's subnet");
	TEST_ASSERT_EQUAL(cfg.home_prefix6_len, 64, "home prefix length");
	TEST_ASSERT_EQUAL(cfg.max_lifetime6, 3600, "max lifetime6");
	TEST_ASSERT(cfg.dad, "dad");
	TEST_ASSERT_EQUAL(cfg.refresh_advice_s, 0, "no refresh advice");

	TEST_ASSERT_EQUAL(cfg.n_mns6, 2, "IPv6 mobile nodes");
	mn = haven_config_find_mn6(&cfg, ip6("2001:db8:1::100"));
	TEST_ASSERT(mn != NULL, "2001:db8:1::100");
	TEST_ASSERT_EQUAL(mn->sa.spi, 512, "SPI");
	TEST_ASSERT_EQUAL(mn->sa.alg, HAVEN_CONFIG_SA6_HMAC_SHA1, "sha1");
	TEST_ASSERT_EQUAL(mn->sa.key_len, 17, "key length");
	TEST_ASSERT_MEM(mn->sa.key, "haven-lab-mn6-100", 17, "key");
	TEST_ASSERT_EQUAL(mn->max_lifetime, 0, "agent's lifetime");
	mn = haven_config_find_mn6(&cfg, ip6("2001:db8:1::101"));
	TEST_ASSERT(mn != NULL, "2001:db8:1::101");
	TEST_ASSERT_EQUAL(mn->sa.spi, 513, "SPI");
	TEST_ASSERT_EQUAL(mn->sa.alg, HAVEN_CONFIG_SA6_HMAC_SHA256, "sha256");
	TEST_ASSERT_EQUAL(mn->sa.key_len, 32, "key length");
	TEST_ASSERT_MEM(mn->sa.key, "haven-lab-mn6-101-sha256-key-032", 32,
		"key");
	TEST_ASSERT(haven_config_find_mn6(&cfg, ip6("2001:db8:1::102")) == NULL,
		"unknown node found");
	haven_config_free(&lab);
	haven_config_free(&cfg);
	TEST_ASSERT(cfg.mns6 == NULL && cfg.n_mns6 == 0, "freed");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Valid files in test/config                                         */
/* ------------------------------------------------------------------ */

static int
test_defaults(void)
{
	struct haven_config cfg = { 0 };
	char err[512];

	TEST_ASSERT_EQUAL(haven_config_load(src_path("test/config/good.yaml"),
		&cfg, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(strcmp(cfg.file_prefix, "haven-test") == 0, "prefix");
	TEST_ASSERT_EQUAL(cfg.memory_mb, 256, "default memory");
	TEST_ASSERT_EQUAL(cfg.hugepages, HAVEN_HUGEPAGES_AUTO, "default");
	TEST_ASSERT_EQUAL(cfg.n_eal_args, 0, "no EAL args");
	TEST_ASSERT_EQUAL(cfg.idle, HAVEN_IDLE_ADAPTIVE, "default idle");
	TEST_ASSERT(strcmp(cfg.log_level, "info") == 0, "default log level");
	TEST_ASSERT(cfg.ports[0].is_vdev, "net_null0 is a vdev");
	TEST_ASSERT_EQUAL(cfg.ports[0].host_interface[0], '\0',
		"no host interface by default");
	TEST_ASSERT_EQUAL(cfg.home_port, 0, "default home port");
	TEST_ASSERT_EQUAL(cfg.max_lifetime, 1800, "default");
	TEST_ASSERT_EQUAL(cfg.replay_window, 7, "default");
	TEST_ASSERT_EQUAL(cfg.max_bindings, 65536, "default");
	TEST_ASSERT_EQUAL(cfg.max_simultaneous, 4, "default");
	TEST_ASSERT_EQUAL(cfg.encapsulations, HAVEN_ENCAP_BIT_IPIP |
		HAVEN_ENCAP_BIT_MINIMAL | HAVEN_ENCAP_BIT_GRE, "default");
	TEST_ASSERT(cfg.reverse_tunnel, "default");
	TEST_ASSERT(cfg.udp_tunnel.enabled && cfg.udp_tunnel.force_allowed,
		"UDP tunnelling offered, F honoured by default");
	TEST_ASSERT_EQUAL(cfg.udp_tunnel.keepalive_s, 110,
		"RFC 3519's default keepalive interval");
	TEST_ASSERT_EQUAL(cfg.console_socket[0], '\0', "no console socket");
	TEST_ASSERT_EQUAL(cfg.mns[0].sa.alg, HAVEN_MIP4_ALG_HMAC_MD5, "md5");
	TEST_ASSERT_EQUAL(cfg.mns[0].max_lifetime, 0, "no node cap");

	/* no delegation section: disabled, yet every default in place */
	TEST_ASSERT(cfg.has_home_agent, "home agent");
	TEST_ASSERT(!cfg.delegation.enabled, "no delegation");
	TEST_ASSERT_EQUAL(cfg.delegation.port, 4434, "default");
	TEST_ASSERT_EQUAL(cfg.delegation.capacity, 1024, "default");
	TEST_ASSERT_EQUAL(cfg.delegation.report_interval_ms, 1000, "default");
	TEST_ASSERT_EQUAL(cfg.delegation.dead_after, 3, "default");
	TEST_ASSERT(!cfg.delegation.wait_for_ack, "default");
	TEST_ASSERT_EQUAL(cfg.delegation.policy, HAVEN_POLICY_MANUAL, "default");
	TEST_ASSERT_EQUAL(cfg.delegation.threshold.binding_pps, 1000, "default");
	TEST_ASSERT_EQUAL(cfg.delegation.threshold.hold_s, 2, "default");
	TEST_ASSERT_EQUAL(cfg.reg_guard.rate, 20000, "guard default");
	TEST_ASSERT_EQUAL(cfg.reg_guard.source_burst, 400, "guard default");
	TEST_ASSERT_EQUAL(cfg.reg_guard.bound_rate, 100000, "guard default");
	TEST_ASSERT_EQUAL(cfg.delegation.rebalance_tolerance_pct, 10,
		"default");
	TEST_ASSERT_EQUAL(cfg.delegation.window, 512, "default");
	TEST_ASSERT_EQUAL(cfg.delegation.dgram_window, 16, "default");
	TEST_ASSERT_EQUAL(cfg.delegation.rx_budget, 256, "default");
	TEST_ASSERT_EQUAL(cfg.delegation.move_rate, 2000, "default");
	TEST_ASSERT_EQUAL(cfg.delegation.move_burst, 256, "default");
	haven_config_free(&cfg);
	TEST_ASSERT(cfg.mns == NULL && cfg.n_mns == 0, "freed");
	haven_config_free(&cfg);	/* twice is harmless */
	haven_config_free(NULL);
	return 0;
}

static int
test_features(void)
{
	static const uint8_t grouped[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const uint8_t from_file[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	};
	struct haven_config cfg = { 0 };
	const struct haven_config_mn *mn;
	char err[512];
	unsigned int i;

	TEST_ASSERT_EQUAL(haven_config_load(
		src_path("test/config/good_features.yaml"), &cfg, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT_EQUAL(cfg.control_lcore, 3, "first of \"3,1-2,7\"");
	TEST_ASSERT_EQUAL(cfg.n_workers, 3, "workers 1, 2, 7");
	TEST_ASSERT(strcmp(cfg.file_prefix, "haven.test_2") == 0, "prefix");
	TEST_ASSERT_EQUAL(cfg.memory_mb, 65536, "memory at its maximum");
	TEST_ASSERT_EQUAL(cfg.hugepages, HAVEN_HUGEPAGES_OFF, "off");
	TEST_ASSERT_EQUAL(cfg.n_eal_args, 3, "EAL args");
	TEST_ASSERT(strcmp(cfg.eal_args[2], "--log-level=haven.*:debug") == 0,
		"EAL arg");
	TEST_ASSERT_EQUAL(cfg.idle, HAVEN_IDLE_BUSY, "busy");
	TEST_ASSERT(strcmp(cfg.log_level, "debug") == 0, "log level");

	TEST_ASSERT_EQUAL(cfg.n_ports, 3, "ports");
	TEST_ASSERT(!cfg.ports[0].is_vdev, "short PCI address with args");
	TEST_ASSERT(!cfg.ports[1].is_vdev, "PCI address");
	TEST_ASSERT(cfg.ports[2].is_vdev, "net_tap0");
	TEST_ASSERT_EQUAL(cfg.ports[2].prefix_len, 32, "a /32 port");
	TEST_ASSERT_EQUAL(cfg.n_routes, 0, "empty routes");

	TEST_ASSERT_EQUAL(cfg.home_port, 1, "home port by name");
	TEST_ASSERT_EQUAL(cfg.max_lifetime, 65534, "max lifetime");
	TEST_ASSERT_EQUAL(cfg.replay_window, 3600, "replay window");
	TEST_ASSERT_EQUAL(cfg.max_bindings, 16777216, "max bindings");
	TEST_ASSERT_EQUAL(cfg.max_simultaneous, 1, "max simultaneous");
	TEST_ASSERT_EQUAL(cfg.encapsulations, HAVEN_ENCAP_BIT_IPIP |
		HAVEN_ENCAP_BIT_GRE, "encaps");
	TEST_ASSERT(!cfg.reverse_tunnel, "reverse tunnel off");
	TEST_ASSERT(!cfg.udp_tunnel.enabled && !cfg.udp_tunnel.force_allowed &&
		cfg.udp_tunnel.keepalive_s == 0, "UDP tunnelling off, flow style");
	TEST_ASSERT_EQUAL(cfg.console_socket[0], '\0', "\"\" is no socket");

	/* sorted by home address, whatever the file's order */
	TEST_ASSERT_EQUAL(cfg.n_mns, 4, "mobile nodes");
	for (i = 1; i < cfg.n_mns; i++)
		TEST_ASSERT(ntohl(cfg.mns[i - 1].home_addr) <
			ntohl(cfg.mns[i].home_addr), "sorted at %u", i);

	mn = haven_config_find_mn(&cfg, ip("198.51.100.20"));
	TEST_ASSERT(mn != NULL, "flow-style node");
	TEST_ASSERT_EQUAL(mn->sa.spi, 4294967295u, "largest SPI");
	TEST_ASSERT_EQUAL(mn->sa.key_len, sizeof(grouped), "grouped hex");
	TEST_ASSERT_MEM(mn->sa.key, grouped, sizeof(grouped), "grouped hex");
	TEST_ASSERT_EQUAL(mn->line, 4, "line of a flow mapping");

	mn = haven_config_find_mn(&cfg, ip("198.51.100.10"));
	TEST_ASSERT(mn != NULL, "key file node");
	TEST_ASSERT_EQUAL(mn->sa.key_len, sizeof(from_file), "newline dropped");
	TEST_ASSERT_MEM(mn->sa.key, from_file, sizeof(from_file), "key file");

	mn = haven_config_find_mn(&cfg, ip("198.51.100.30"));
	TEST_ASSERT(mn != NULL, "text key file node");
	TEST_ASSERT_EQUAL(mn->sa.key_len, 20, "CR LF dropped");
	TEST_ASSERT_MEM(mn->sa.key, "text key with spaces", 20, "text key");
	TEST_ASSERT_EQUAL(mn->max_lifetime, 60, "node cap");

	mn = haven_config_find_mn(&cfg, ip("198.51.100.11"));
	TEST_ASSERT(mn != NULL, "text key node");
	TEST_ASSERT_EQUAL(mn->sa.key_len, 14, "plain text key");
	TEST_ASSERT_MEM(mn->sa.key, "plain text key", 14, "plain text key");
	haven_config_free(&cfg);
	return 0;
}

/* PHA and SHA at once, every delegation key away from its default. */
static int
test_delegation(void)
{
	static const uint8_t from_file[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	};
	struct haven_config cfg = { 0 };
	const struct haven_config_delegation *d = &cfg.delegation;
	const struct haven_config_peer *p;
	char err[512];
	unsigned int i;

	TEST_ASSERT_EQUAL(haven_config_load(
		src_path("test/config/good_delegation.yaml"), &cfg, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT(cfg.has_home_agent, "home agent");
	TEST_ASSERT_EQUAL(cfg.ha_addr, ip("192.0.2.2"), "HA address");
	TEST_ASSERT(strcmp(cfg.console_socket, "/run/haven/both.sock") == 0,
		"top-level console socket");
	TEST_ASSERT_EQUAL(cfg.n_mns, 1, "mobile nodes");

	TEST_ASSERT(d->enabled, "enabled");
	TEST_ASSERT_EQUAL(d->agent_id, 4294967295u, "largest id");
	TEST_ASSERT_EQUAL(d->addr, ip("203.0.113.2"), "a port's address");
	TEST_ASSERT_EQUAL(d->port, 65535, "UDP port");
	TEST_ASSERT_EQUAL(d->capacity, 16777216, "capacity");
	TEST_ASSERT_EQUAL(d->report_interval_ms, 60000, "report interval");
	TEST_ASSERT_EQUAL(d->dead_after, 100, "dead after");
	TEST_ASSERT(d->wait_for_ack, "wait for ack");
	TEST_ASSERT_EQUAL(d->policy, HAVEN_POLICY_THRESHOLD, "policy");
	TEST_ASSERT_EQUAL(d->threshold.binding_pps, 1000000000, "binding pps");
	TEST_ASSERT_EQUAL(d->threshold.total_pps, 250000, "total pps");
	TEST_ASSERT_EQUAL(d->threshold.hysteresis_pct, 0, "hysteresis");
	TEST_ASSERT_EQUAL(d->threshold.hold_s, 3600, "hold");
	TEST_ASSERT_EQUAL(d->rebalance_tolerance_pct, 0, "tolerance");
	TEST_ASSERT_EQUAL(d->window, 65536, "window");
	TEST_ASSERT_EQUAL(d->dgram_window, 64, "datagram window");
	TEST_ASSERT_EQUAL(d->rx_budget, 1024, "receive budget");
	TEST_ASSERT_EQUAL(d->move_rate, 0, "move rate");
	TEST_ASSERT_EQUAL(d->move_burst, 1, "move burst");

	TEST_ASSERT_EQUAL(d->n_secondaries, 2, "secondaries");
	p = &d->secondaries[0];
	TEST_ASSERT(strcmp(p->name, "sha-a") == 0, "name");
	TEST_ASSERT_EQUAL(p->id, 21, "id");
	TEST_ASSERT_EQUAL(p->addr, ip("192.0.2.21"), "address");
	TEST_ASSERT_EQUAL(p->key_len, sizeof(from_file), "key file");
	TEST_ASSERT_MEM(p->key, from_file, sizeof(from_file), "key file");
	TEST_ASSERT_EQUAL(p->port, 0, "home port");
	TEST_ASSERT_EQUAL(p->line, 10, "line");
	p = &d->secondaries[1];
	TEST_ASSERT(strcmp(p->name, "sha.b_2") == 0, "flow-style peer");
	TEST_ASSERT_EQUAL(p->key_len, 17, "text key");
	TEST_ASSERT_MEM(p->key, "text key of sha.b", 17, "text key");
	TEST_ASSERT_EQUAL(p->line, 14, "line of a flow mapping");

	TEST_ASSERT_EQUAL(d->n_primaries, 1, "primaries");
	p = &d->primaries[0];
	TEST_ASSERT(strcmp(p->name, "core-pha") == 0, "name");
	TEST_ASSERT_EQUAL(p->id, 7, "id");
	TEST_ASSERT_EQUAL(p->port, 1, "reached on the core port");
	TEST_ASSERT_EQUAL(p->key_len, 64, "longest key");
	for (i = 0; i < 64; i++)
		TEST_ASSERT_EQUAL(p->key[i], i, "key byte %u", i);

	TEST_ASSERT(haven_config_find_peer(&cfg, "core-pha") == p, "primary");
	TEST_ASSERT(haven_config_find_peer(&cfg, "sha-a") == &d->secondaries[0],
		"secondary");
	TEST_ASSERT(haven_config_find_peer(&cfg, "SHA-A") == NULL, "case");
	TEST_ASSERT(haven_config_find_peer(NULL, "sha-a") == NULL, "NULL");
	haven_config_free(&cfg);
	TEST_ASSERT(!cfg.delegation.enabled && cfg.delegation.n_primaries == 0 &&
		cfg.delegation.primaries[0].key_len == 0, "freed and wiped");
	return 0;
}

/* Every IPv6 key away from its default, mixed with IPv4. */
static int
test_ipv6(void)
{
	static const uint8_t from_file[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	};
	static const uint8_t grouped[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	struct haven_config cfg = { 0 };
	const struct haven_config_delegation *d = &cfg.delegation;
	const struct haven_config_mn6 *mn;
	char err[512];
	unsigned int i;

	TEST_ASSERT_EQUAL(haven_config_load(
		src_path("test/config/good_ipv6.yaml"), &cfg, err, sizeof(err)),
		0, "%s", err);

	TEST_ASSERT_EQUAL(cfg.n_ports, 3, "ports");
	TEST_ASSERT(cfg.ports[0].has_addr6, "home address6");
	TEST_ASSERT_MEM(cfg.ports[0].addr6, ip6("2001:db8:1::1"), 16, "home");
	TEST_ASSERT_EQUAL(cfg.ports[0].prefix_len6, 64, "home /64");
	TEST_ASSERT(cfg.ports[1].has_addr6, "core address6");
	TEST_ASSERT_MEM(cfg.ports[1].addr6, ip6("2001:db8:f::2"), 16,
		"upper case hex");
	TEST_ASSERT(!cfg.ports[2].has_addr6, "mgmt: IPv4 only");
	TEST_ASSERT_EQUAL(cfg.ports[2].prefix_len6, 0, "mgmt: IPv4 only");

	/* one routes list, two arrays, each in file order */
	TEST_ASSERT_EQUAL(cfg.n_routes, 2, "IPv4 routes");
	TEST_ASSERT_EQUAL(cfg.routes[0].gateway, ip("203.0.113.1"), "first");
	TEST_ASSERT_EQUAL(cfg.routes[0].port, 1, "via core");
	TEST_ASSERT_EQUAL(cfg.routes[1].prefix, ip("198.51.100.0"), "second");
	TEST_ASSERT_EQUAL(cfg.routes[1].port, 0, "via home");
	TEST_ASSERT_EQUAL(cfg.n_routes6, 3, "IPv6 routes");
	TEST_ASSERT_EQUAL(cfg.routes6[0].prefix_len, 0, "::/0");
	TEST_ASSERT_MEM(cfg.routes6[0].gateway, ip6("2001:db8:f::fe"), 16,
		"default gateway");
	TEST_ASSERT_EQUAL(cfg.routes6[0].port, 1, "via core");
	TEST_ASSERT_MEM(cfg.routes6[1].prefix, ip6("2001:db8:a::"), 16, "A");
	TEST_ASSERT_EQUAL(cfg.routes6[1].prefix_len, 64, "A");
	TEST_ASSERT_EQUAL(cfg.routes6[1].port, 0, "via home");
	TEST_ASSERT_MEM(cfg.routes6[2].gateway, ip6("2001:db8:1::fd"), 16, "B");

	TEST_ASSERT_EQUAL(cfg.ha_addr, ip("192.0.2.1"), "IPv4 HA address");
	TEST_ASSERT(cfg.has_ha_addr6, "address6");
	TEST_ASSERT_MEM(cfg.ha_addr6, ip6("2001:db8:1::2"), 16, "HA address6");
	TEST_ASSERT_MEM(cfg.home_prefix6, ip6("2001:db8:1::"), 16, "prefix");
	TEST_ASSERT_EQUAL(cfg.home_prefix6_len, 80, "narrower home prefix");
	TEST_ASSERT_EQUAL(cfg.max_lifetime6, 262140, "largest lifetime");
	TEST_ASSERT(!cfg.dad, "dad off");
	TEST_ASSERT_EQUAL(cfg.refresh_advice_s, 300, "refresh advice");
	TEST_ASSERT_EQUAL(cfg.max_lifetime, 1800, "IPv4 lifetime: default");
	TEST_ASSERT_EQUAL(cfg.n_mns, 1, "IPv4 nodes");

	/* sorted by address (memcmp), whatever the file's order */
	TEST_ASSERT_EQUAL(cfg.n_mns6, 4, "IPv6 nodes");
	for (i = 1; i < cfg.n_mns6; i++)
		TEST_ASSERT(memcmp(cfg.mns6[i - 1].home_addr,
			cfg.mns6[i].home_addr, 16) < 0, "sorted at %u", i);

	mn = haven_config_find_mn6(&cfg, ip6("2001:db8:1::200"));
	TEST_ASSERT(mn != NULL, "2001:db8:1::200");
	TEST_ASSERT_EQUAL(mn->sa.spi, 4294967295u, "largest SPI");
	TEST_ASSERT_EQUAL(mn->sa.alg, HAVEN_CONFIG_SA6_HMAC_SHA256, "sha256");
	TEST_ASSERT_EQUAL(mn->sa.key_len, 19, "text key");
	TEST_ASSERT_MEM(mn->sa.key, "text key of mn6 200", 19, "text key");
	TEST_ASSERT_EQUAL(strlen(mn->mn_id), 255, "longest mn_id");
	TEST_ASSERT(strncmp(mn->mn_id, "mn6-long-identifier-", 20) == 0 &&
		strcmp(mn->mn_id + 243, "@lab.example") == 0, "%s", mn->mn_id);
	TEST_ASSERT_EQUAL(mn->line, 44, "line");

	mn = haven_config_find_mn6(&cfg, ip6("2001:db8:1::100"));
	TEST_ASSERT(mn != NULL, "flow-style node");
	TEST_ASSERT_EQUAL(mn->sa.spi, 256, "smallest SPI");
	TEST_ASSERT_EQUAL(mn->sa.alg, HAVEN_CONFIG_SA6_HMAC_SHA1, "default");
	TEST_ASSERT_EQUAL(mn->sa.key_len, sizeof(grouped), "grouped hex");
	TEST_ASSERT_MEM(mn->sa.key, grouped, sizeof(grouped), "grouped hex");
	TEST_ASSERT_EQUAL(mn->mn_id[0], '\0', "no mn_id");
	TEST_ASSERT_EQUAL(mn->max_lifetime, 0, "agent's lifetime");
	TEST_ASSERT_EQUAL(mn->line, 49, "line of a flow mapping");

	mn = haven_config_find_mn6(&cfg, ip6("2001:db8:1::1:0"));
	TEST_ASSERT(mn != NULL, "key file node");
	TEST_ASSERT_EQUAL(mn->sa.alg, HAVEN_CONFIG_SA6_HMAC_SHA1, "sha1");
	TEST_ASSERT_EQUAL(mn->sa.key_len, sizeof(from_file), "key file");
	TEST_ASSERT_MEM(mn->sa.key, from_file, sizeof(from_file), "key file");
	TEST_ASSERT(strcmp(mn->mn_id, "mn6-10000@lab.example") == 0, "mn_id");
	TEST_ASSERT_EQUAL(mn->max_lifetime, 262140, "node lifetime");

	mn = haven_config_find_mn6(&cfg, ip6("2001:db8:1::ff"));
	TEST_ASSERT(mn != NULL, "2001:db8:1::ff");
	TEST_ASSERT_EQUAL(mn->max_lifetime, 4, "shortest node lifetime");

	TEST_ASSERT(haven_config_find_mn6(&cfg, ip6("2001:db8:1::2")) == NULL,
		"the HA");
	TEST_ASSERT(haven_config_find_mn6(&cfg, ip6("2001:db8:1::201")) == NULL,
		"unknown");
	TEST_ASSERT(haven_config_find_mn6(NULL, ip6("2001:db8:1::100")) == NULL,
		"NULL config");
	TEST_ASSERT(haven_config_find_mn6(&cfg, NULL) == NULL, "NULL address");

	TEST_ASSERT_EQUAL(d->n_secondaries, 2, "secondaries");
	TEST_ASSERT(d->secondaries[0].has_addr6, "sha1 address6");
	TEST_ASSERT_MEM(d->secondaries[0].addr6, ip6("2001:db8:1::11"), 16,
		"sha1 address6");
	TEST_ASSERT_EQUAL(d->secondaries[0].port6, 0, "home port");
	TEST_ASSERT(!d->secondaries[1].has_addr6, "sha2: IPv4 only");
	TEST_ASSERT_EQUAL(d->n_primaries, 1, "primaries");
	TEST_ASSERT(d->primaries[0].has_addr6, "primary address6");
	TEST_ASSERT_MEM(d->primaries[0].addr6, ip6("2001:db8:f::7"), 16,
		"primary address6");
	TEST_ASSERT_EQUAL(d->primaries[0].port, 1, "core port");
	TEST_ASSERT_EQUAL(d->primaries[0].port6, 1, "core port");
	haven_config_free(&cfg);
	TEST_ASSERT(cfg.mns6 == NULL && cfg.n_mns6 == 0, "freed");
	return 0;
}

/* A pure SHA: no home_agent, every delegation default. */
static int
test_pure_sha(void)
{
	struct haven_config cfg = { 0 };
	const struct haven_config_delegation *d = &cfg.delegation;
	char err[512];

	TEST_ASSERT_EQUAL(haven_config_load(src_path("test/config/good_sha.yaml"),
		&cfg, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(!cfg.has_home_agent, "no home agent");
	TEST_ASSERT_EQUAL(cfg.home_port, 0, "home port: the first");
	TEST_ASSERT_EQUAL(cfg.ha_addr, ip("10.1.0.5"), "the first port's");
	TEST_ASSERT_EQUAL(cfg.n_mns, 0, "no mobile nodes");
	TEST_ASSERT(cfg.mns == NULL, "no mobile nodes");
	TEST_ASSERT_EQUAL(cfg.n_routes, 0, "no routes");
	TEST_ASSERT_EQUAL(cfg.console_socket[0], '\0', "no console socket");
	/* home_agent's keys keep their defaults */
	TEST_ASSERT_EQUAL(cfg.max_bindings, 65536, "default");
	TEST_ASSERT_EQUAL(cfg.encapsulations, HAVEN_ENCAP_BIT_IPIP |
		HAVEN_ENCAP_BIT_MINIMAL | HAVEN_ENCAP_BIT_GRE, "default");
	TEST_ASSERT(cfg.reverse_tunnel, "default");

	TEST_ASSERT(d->enabled, "enabled");
	TEST_ASSERT_EQUAL(d->agent_id, 2, "agent id");
	TEST_ASSERT_EQUAL(d->addr, ip("10.1.0.5"), "default address");
	TEST_ASSERT_EQUAL(d->port, 4434, "default port");
	TEST_ASSERT_EQUAL(d->n_secondaries, 0, "not a PHA");
	TEST_ASSERT_EQUAL(d->n_primaries, 1, "an SHA");
	TEST_ASSERT_EQUAL(d->primaries[0].port, 1, "primary on port 1");
	TEST_ASSERT_EQUAL(d->primaries[0].key_len, 6, "text key");
	TEST_ASSERT_EQUAL(d->capacity, 1024, "default");
	TEST_ASSERT_EQUAL(d->report_interval_ms, 1000, "default");
	TEST_ASSERT_EQUAL(d->dead_after, 3, "default");
	TEST_ASSERT(!d->wait_for_ack, "default");
	TEST_ASSERT_EQUAL(d->policy, HAVEN_POLICY_MANUAL, "default");
	TEST_ASSERT_EQUAL(d->threshold.binding_pps, 1000, "default");
	TEST_ASSERT_EQUAL(d->threshold.total_pps, 0, "default");
	TEST_ASSERT_EQUAL(d->threshold.hysteresis_pct, 50, "default");
	TEST_ASSERT_EQUAL(d->threshold.hold_s, 2, "default");
	haven_config_free(&cfg);
	return 0;
}

/* good_aaa.yaml: every aaa key, and the defaults of what it leaves out. */
static int
test_good_aaa(void)
{
	struct haven_config cfg = { 0 };
	const struct haven_radius_server_conf *s;
	struct haven_addr a6;
	char err[512];

	TEST_ASSERT_EQUAL(haven_config_load(src_path("test/config/good_aaa.yaml"),
		&cfg, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(cfg.aaa.enabled, "aaa on");
	TEST_ASSERT_EQUAL(cfg.aaa.radius.n_servers, 2, "servers");
	s = &cfg.aaa.radius.servers[0];
	TEST_ASSERT(strcmp(s->name, "radius-a") == 0, "name");
	TEST_ASSERT(s->addr.family == HAVEN_AF_INET &&
		s->addr.v4 == ip("127.0.0.1"), "address");
	TEST_ASSERT(s->auth_port == 18120 && s->acct_port == 18130, "ports");
	TEST_ASSERT(s->secret_len == 23 &&
		memcmp(s->secret, "haven-lab-radius-secret", 23) == 0,
		"secret from its file, newline dropped");
	TEST_ASSERT(s->timeout_ms == 500 && s->retries == 3, "timers");
	s = &cfg.aaa.radius.servers[1];
	haven_addr_parse("2001:db8::250", &a6);
	TEST_ASSERT(strcmp(s->name, "radius2") == 0, "default name");
	TEST_ASSERT(haven_addr_eq(&s->addr, &a6), "IPv6 server");
	TEST_ASSERT(s->auth_port == 1812 && s->acct_port == 1813,
		"default ports");
	TEST_ASSERT(s->secret_len == 4 &&
		memcmp(s->secret, "\x00\x11\x22\x33", 4) == 0, "hex secret");
	TEST_ASSERT(s->timeout_ms == 1000 && s->retries == 2,
		"default timers");
	TEST_ASSERT(strcmp(cfg.aaa.radius.nas_identifier, "haven-test-ha") == 0,
		"NAS-Identifier");
	TEST_ASSERT(cfg.aaa.radius.nas_addr.v4 == ip("127.0.0.1"), "NAS address");
	TEST_ASSERT(cfg.aaa.radius.user_password_len == 18 &&
		memcmp(cfg.aaa.radius.user_password, "haven-nas-password", 18) ==
		0, "User-Password from its file");
	TEST_ASSERT_EQUAL(cfg.aaa.radius.max_pending, 300, "max_pending");
	TEST_ASSERT_EQUAL(cfg.aaa.radius.revive_interval_ms, 2000, "revive");
	TEST_ASSERT_EQUAL(cfg.aaa.radius.jitter_pct, 10, "default jitter");
	TEST_ASSERT_EQUAL(cfg.aaa.key_lifetime, 600, "key lifetime");
	TEST_ASSERT(cfg.aaa.accounting, "accounting");
	TEST_ASSERT_EQUAL(cfg.aaa.interim_interval, 300, "interim");
	TEST_ASSERT(cfg.aaa.has_pool && cfg.aaa.pool_first == ip("192.0.2.200")
		&& cfg.aaa.pool_last == ip("192.0.2.250"), "pool");
	TEST_ASSERT_EQUAL(haven_radius_conf_check(&cfg.aaa.radius, err,
		sizeof(err)), 0, "ready for the transport: %s", err);
	haven_config_free(&cfg);
	TEST_ASSERT(cfg.aaa.radius.servers[0].secret_len == 0, "wiped");

	/* without the section: off, and the defaults in place */
	TEST_ASSERT_EQUAL(haven_config_load(src_path("test/config/good.yaml"),
		&cfg, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(!cfg.aaa.enabled && cfg.aaa.radius.n_servers == 0 &&
		cfg.aaa.key_lifetime == 3600 && !cfg.aaa.has_pool &&
		cfg.aaa.radius.max_pending == 1024, "no aaa");
	haven_config_free(&cfg);
	return 0;
}

/* store: and redundancy: with every key away from its default. */
static int
test_store_redundancy(void)
{
	static const uint8_t from_file[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	};
	struct haven_config cfg = { 0 };
	const struct haven_config_redundancy *r = &cfg.redundancy;
	struct haven_addr a;
	char err[512];

	/* absent: nothing persists, no pair, the defaults stand */
	TEST_ASSERT_EQUAL(haven_config_load(src_path("test/config/good.yaml"),
		&cfg, err, sizeof(err)), 0, "%s", err);
	TEST_ASSERT(!cfg.store.enabled && !r->enabled, "absent");
	TEST_ASSERT_EQUAL(cfg.store.sync, HAVEN_CONFIG_STORE_SYNC_EVERY_COMMIT,
		"default sync");
	TEST_ASSERT_EQUAL(cfg.store.map_size_mb, 1024, "default map");
	TEST_ASSERT_EQUAL(cfg.store.max_batch, 4096, "default batch");
	TEST_ASSERT_EQUAL(r->port, 4435, "default port");
	TEST_ASSERT_EQUAL(r->role, HAVEN_ROLE_AUTO, "default role");
	TEST_ASSERT_EQUAL(r->vrid, 51, "default vrid");
	TEST_ASSERT_EQUAL(r->priority, 100, "default priority");
	TEST_ASSERT_EQUAL(r->advert_interval_ms, 100, "default advert");
	TEST_ASSERT(!r->preempt, "default preempt");
	TEST_ASSERT_EQUAL(r->heartbeat_ms, 100, "default heartbeat");
	TEST_ASSERT_EQUAL(r->dead_after, 3, "default dead after");
	TEST_ASSERT_EQUAL(r->window, 256, "default window");
	TEST_ASSERT_EQUAL(r->bulk_per_tick, 64, "default bulk");
	haven_config_free(&cfg);

	TEST_ASSERT_EQUAL(haven_config_load(
		src_path("test/config/good_redundancy.yaml"), &cfg, err,
		sizeof(err)), 0, "%s", err);
	TEST_ASSERT(cfg.store.enabled, "store");
	TEST_ASSERT(strcmp(cfg.store.path, "/var/lib/haven/store") == 0,
		"path");
	TEST_ASSERT_EQUAL(cfg.store.sync, HAVEN_CONFIG_STORE_SYNC_INTERVAL,
		"interval");
	TEST_ASSERT_EQUAL(cfg.store.sync_interval_ms, 250, "250 ms");
	TEST_ASSERT_EQUAL(cfg.store.map_size_mb, 4096, "map");
	TEST_ASSERT_EQUAL(cfg.store.max_batch, 100, "batch");
	TEST_ASSERT(r->enabled, "redundancy");
	TEST_ASSERT_EQUAL(r->node_id, 4294967295u, "node id");
	haven_addr_parse("2001:db8:1::31", &a);
	TEST_ASSERT(haven_addr_eq(&r->addr, &a), "IPv6 sync address");
	TEST_ASSERT_EQUAL(r->port_index, 0, "its port");
	TEST_ASSERT_EQUAL(r->port, 5000, "port");
	TEST_ASSERT(strcmp(r->peer.name, "pha-b") == 0, "peer name");
	TEST_ASSERT_EQUAL(r->peer.id, 2, "peer id");
	haven_addr_parse("2001:db8:1::32", &a);
	TEST_ASSERT(haven_addr_eq(&r->peer.addr, &a), "peer address");
	TEST_ASSERT_EQUAL(r->peer.key_len, sizeof(from_file), "key file");
	TEST_ASSERT_MEM(r->peer.key, from_file, sizeof(from_file), "key");
	TEST_ASSERT_EQUAL(r->peer.line, 32, "peer line");
	TEST_ASSERT(strcmp(cfg.ports[0].host_interface, "hx0.home") == 0,
		"host interface");
	TEST_ASSERT_EQUAL(r->role, HAVEN_ROLE_STANDBY, "role");
	TEST_ASSERT(strcmp(haven_redundancy_role_name(r->role), "standby") == 0,
		"role name");
	TEST_ASSERT_EQUAL(r->vrid, 255, "vrid");
	TEST_ASSERT_EQUAL(r->priority, 254, "priority");
	TEST_ASSERT_EQUAL(r->advert_interval_ms, 40950, "advert");
	TEST_ASSERT(r->preempt, "preempt");
	TEST_ASSERT_EQUAL(r->heartbeat_ms, 10000, "heartbeat");
	TEST_ASSERT_EQUAL(r->dead_after, 100, "dead after");
	TEST_ASSERT_EQUAL(r->window, 4096, "window");
	TEST_ASSERT_EQUAL(r->bulk_per_tick, 1, "bulk");
	haven_config_free(&cfg);
	TEST_ASSERT(!cfg.redundancy.enabled && cfg.redundancy.peer.key_len == 0,
		"freed and wiped");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Broken files: exact position and a piece of the reason             */
/* ------------------------------------------------------------------ */

static const struct bad_case {
	const char *file;	/* in test/config */
	unsigned int line;
	unsigned int column;
	const char *reason;	/* a substring of the message */
} bad_cases[] = {
	{ "guard_burst_zero.yaml", 13, 12,
	  "expected an integer 1..100000000, got \"0\"" },
	{ "guard_unknown_key.yaml", 12, 5,
	  "unknown key \"rates\" in home_agent.registration_guard" },
	{ "bad_prefix.yaml", 8, 14,
	  "expected an IPv4 address with prefix length (a.b.c.d/n), got \"192.0.2.1/33\"" },
	{ "unknown_key.yaml", 3, 3,
	  "unknown key \"lcore\" in eal (expected one of: lcores, file_prefix, memory_mb, hugepages, args)" },
	{ "duplicate_key.yaml", 6, 3,
	  "got \"memory_mb\" again (first at line 5)" },
	{ "bad_syntax.yaml", 6, 1,
	  "expected valid YAML, got a syntax error: did not find expected ',' or ']'" },
	{ "tab_indent.yaml", 4, 1,
	  "expected valid YAML, got a syntax error" },
	{ "two_documents.yaml", 18, 1,
	  "expected a single YAML document, got a second one" },
	{ "empty.yaml", 1, 1,
	  "expected a mapping at the top level, got an empty file" },
	{ "not_a_mapping.yaml", 2, 1,
	  "expected a mapping for the top level, got a sequence" },
	{ "wrong_kind.yaml", 13, 3,
	  "expected a mapping for home_agent, got a sequence" },
	{ "missing_address.yaml", 13, 3,
	  "expected key \"address\" in home_agent, got a mapping without it" },
	{ "missing_ports.yaml", 2, 1,
	  "expected key \"ports\" in the top level" },
	{ "memory_range.yaml", 5, 14,
	  "expected an integer 64..65536, got \"32\"" },
	{ "memory_ipv6.yaml", 7, 14,
	  "expected a memory_mb of at least 209 (the start-up minimum for IPv4 and IPv6 with max_bindings 65536, docs/configuration.md), got \"192\"" },
	{ "memory_default_bindings.yaml", 4, 3,
	  "expected key \"memory_mb\" of at least 337 in eal (the start-up minimum for IPv4 with max_bindings 1000000; the default 256 is too small)" },
	{ "not_a_number.yaml", 14, 17,
	  "expected an integer 1..65534, got \"forever\"" },
	{ "bad_bool.yaml", 14, 19, "expected true or false, got \"yes\"" },
	/* home_agent.udp_tunnel (RFC 3519) */
	{ "udp_tunnel_keepalive.yaml", 12, 18,
	  "expected an integer 0..65535, got \"65536\"" },
	{ "udp_tunnel_unknown_key.yaml", 13, 5,
	  "unknown key \"force\" in home_agent.udp_tunnel (expected one of: enabled, keepalive_s, force_allowed)" },
	{ "bad_enum.yaml", 5, 7, "expected adaptive or busy, got \"lazy\"" },
	{ "no_worker.yaml", 3, 11,
	  "expected a control lcore and at least one worker lcore, got \"0\"" },
	{ "reserved_eal_arg.yaml", 5, 25,
	  "(use eal.memory_mb), got \"-m\"" },
	{ "bad_device.yaml", 7, 13,
	  "or a PCI address (dddd:bb:dd.f or bb:dd.f), got \"eth0\"" },
	{ "too_many_ports.yaml", 10, 5, "expected at most 4 ports, got 5" },
	{ "duplicate_port.yaml", 9, 11,
	  "expected a port name used once (ports[0] has it), got \"home\"" },
	{ "overlapping_ports.yaml", 11, 14,
	  "expected a subnet that overlaps no other port's" },
	{ "route_host_bits.yaml", 10, 13,
	  "expected a prefix with zero host bits (198.51.100.0/24), got \"198.51.100.7/24\"" },
	{ "gateway_off_subnet.yaml", 11, 14,
	  "expected a gateway inside a port's subnet (home 192.0.2.0/24), got \"198.51.100.1\"" },
	{ "ha_off_subnet.yaml", 13, 12,
	  "expected an address on the home port \"home\"" },
	{ "unknown_port.yaml", 14, 9,
	  "expected the name of a port (home), got \"hme\"" },
	{ "no_ipip.yaml", 14, 19, "includes ipip" },
	{ "relative_socket.yaml", 14, 19,
	  "expected an absolute path of at most 107 bytes" },
	{ "bad_address.yaml", 15, 19,
	  "expected an IPv4 address (a.b.c.d), got \"192.0.2.300\"" },
	{ "hoa_off_subnet.yaml", 15, 19,
	  "expected a home address on the home port \"home\" (a host of 192.0.2.0/24), got \"198.51.100.100\"" },
	{ "hoa_is_ha.yaml", 15, 19,
	  "expected a home address other than the home agent's" },
	{ "duplicate_hoa.yaml", 21, 19,
	  "expected each home address once (first at line 15), got \"192.0.2.100\"" },
	{ "spi_reserved.yaml", 16, 10,
	  "expected an integer 256..4294967295, got \"255\"" },
	{ "bad_hex_key.yaml", 17, 10,
	  "expected hex digits after \"hex:\", got another character at offset 34" },
	{ "odd_hex_key.yaml", 17, 10,
	  "expected hex digits in pairs after \"hex:\", got an odd group" },
	{ "key_too_long.yaml", 17, 10, "bytes, got 129 bytes" },
	{ "no_key.yaml", 15, 5,
	  "expected key \"key\" or \"key_file\" in this mobile node" },
	{ "key_and_key_file.yaml", 18, 5,
	  "expected either key or key_file, got both (key at line 17)" },
	{ "key_file_missing.yaml", 17, 15,
	  "keys/no-such.key\" (No such file or directory)" },
	{ "key_file_bad.yaml", 17, 15,
	  "expected hex digits after \"hex:\" in file \"keys/bad-hex.key\"" },
	{ "mn_lifetime.yaml", 17, 19,
	  "expected at most home_agent.max_lifetime (1800), got \"3600\"" },
	/* delegation: and configurations without home_agent: */
	{ "no_home_agent.yaml", 2, 1,
	  "expected key \"home_agent\" in the top level (a configuration without home_agent must be a secondary (delegation.primaries)), got a mapping without it" },
	{ "sha_no_primaries.yaml", 15, 3,
	  "expected at least one delegation.primaries entry (a configuration without home_agent must be a secondary (delegation.primaries)), got none" },
	{ "sha_with_mobile_nodes.yaml", 20, 3,
	  "expected no mobile nodes without home_agent (a configuration without home_agent must be a secondary (delegation.primaries)), got a sequence" },
	{ "sha_with_secondaries.yaml", 15, 5,
	  "expected no secondaries without home_agent (only a home agent delegates its bindings), got 1" },
	{ "console_twice.yaml", 15, 3,
	  "expected console_socket once, at the top level or in home_agent, got both (top level at line 12)" },
	{ "deleg_empty.yaml", 14, 12,
	  "expected a mapping for delegation, got an empty value" },
	{ "deleg_no_agent_id.yaml", 15, 3,
	  "expected key \"agent_id\" in delegation, got a mapping without it" },
	{ "deleg_agent_id_zero.yaml", 15, 13,
	  "expected an integer 1..4294967295, got \"0\"" },
	{ "deleg_address_not_ours.yaml", 16, 12,
	  "expected one of this agent's addresses (port home 192.0.2.1), got \"192.0.2.9\"" },
	{ "deleg_udp_port.yaml", 16, 9,
	  "expected an integer 1..65535, got \"0\"" },
	{ "deleg_report_range.yaml", 14, 23,
	  "expected an integer 100..60000, got \"50\"" },
	{ "deleg_dead_after.yaml", 16, 15,
	  "expected an integer 2..100, got \"1\"" },
	{ "deleg_tolerance_range.yaml", 16, 28,
	  "expected an integer 0..100, got \"150\"" },
	{ "deleg_window_zero.yaml", 16, 11,
	  "expected an integer 1..65536, got \"0\"" },
	{ "deleg_dgram_window_range.yaml", 16, 17,
	  "expected an integer 1..64, got \"65\"" },
	{ "deleg_rx_budget_range.yaml", 16, 14,
	  "expected an integer 1..1024, got \"2048\"" },
	{ "deleg_move_rate_range.yaml", 16, 14,
	  "expected an integer 0..1000000, got \"-5\"" },
	{ "deleg_move_burst_zero.yaml", 16, 15,
	  "expected an integer 1..65536, got \"0\"" },
	{ "deleg_bad_policy.yaml", 16, 11,
	  "expected manual, equal or threshold, got \"random\"" },
	{ "deleg_threshold_key.yaml", 19, 5,
	  "unknown key \"hysteresis\" in delegation.threshold (expected one of: binding_pps, total_pps, hysteresis_pct, hold_s)" },
	{ "deleg_hysteresis_range.yaml", 17, 50,
	  "expected an integer 0..100, got \"101\"" },
	{ "deleg_too_many_peers.yaml", 33, 7,
	  "expected at most 16 secondaries, got 17" },
	{ "deleg_bad_peer_name.yaml", 17, 13,
	  "expected a peer name of letters, digits, '.', '_' and '-', got \"sha 1\"" },
	{ "deleg_duplicate_name.yaml", 21, 13,
	  "expected a peer name used once (delegation.secondaries[0] has it), got \"sha1\"" },
	{ "deleg_duplicate_id.yaml", 22, 11,
	  "expected each peer id once (delegation.secondaries[0] \"sha1\" has it), got \"11\"" },
	{ "deleg_own_id.yaml", 18, 11,
	  "expected a peer id other than this agent's own (delegation.agent_id), got \"11\"" },
	{ "deleg_both_roles.yaml", 23, 11,
	  "expected a peer that is a primary or a secondary, not both (delegation.secondaries[0] \"sha1\" has this id), got \"11\"" },
	{ "deleg_sha_off_home.yaml", 22, 16,
	  "expected a secondary on the home port \"home\" (a host of 192.0.2.0/24), where it intercepts, got \"203.0.113.11\"" },
	{ "deleg_primary_unreachable.yaml", 17, 16,
	  "expected a primary directly reachable, a host inside a port's subnet (home 192.0.2.0/24), got \"198.51.100.1\"" },
	{ "deleg_peer_is_us.yaml", 19, 16,
	  "expected a peer address other than this agent's (home_agent.address), got \"192.0.2.2\"" },
	{ "deleg_duplicate_address.yaml", 23, 16,
	  "expected each peer address once (delegation.secondaries[0] \"sha1\" has it), got \"192.0.2.11\"" },
	{ "deleg_no_key.yaml", 17, 7,
	  "expected key \"key\" or \"key_file\" in this peer, got a mapping without either" },
	{ "deleg_key_too_long.yaml", 20, 12,
	  "expected a key of 1..64 bytes, got more" },
	{ "deleg_key_file_missing.yaml", 20, 17,
	  "keys/no-such-peer.key\" (No such file or directory)" },
	/* IPv6: ports[].address6 */
	{ "ipv6_bad_syntax.yaml", 9, 15,
	  "expected an IPv6 address with prefix length 1..128 (such as 2001:db8:1::1/64), got \"2001:db8:1::g1/64\"" },
	{ "ipv6_prefix_too_long.yaml", 9, 15,
	  "expected an IPv6 address with prefix length 1..128 (such as 2001:db8:1::1/64), got \"2001:db8:1::1/129\"" },
	{ "ipv6_multicast.yaml", 9, 15,
	  "expected an interface address, not a multicast address, ff00::/8 (it names a group, not one interface), got \"ff02::1/64\"" },
	{ "ipv6_link_local.yaml", 9, 15,
	  "not a link-local address, fe80::/10 (valid on one link only, and every interface derives its own; give a global or unique-local address), got \"fe80::1/64\"" },
	{ "ipv6_subnet_router.yaml", 9, 15,
	  "(not the Subnet-Router anycast address, whose interface identifier is zero), got \"2001:db8:1::/64\"" },
	{ "ipv6_overlapping_ports.yaml", 13, 15,
	  "expected an IPv6 subnet that overlaps no other port's (port \"home\" is 2001:db8:1::1/64), got \"2001:db8:1:0:1::2/80\"" },
	/* IPv6: routes */
	{ "ipv6_route_host_bits.yaml", 11, 13,
	  "expected a prefix with zero host bits (2001:db8:2::/48), got \"2001:db8:2::1/48\"" },
	{ "ipv6_gateway_family.yaml", 12, 14,
	  "expected an IPv6 gateway for an IPv6 prefix (the families must match), got \"192.0.2.254\"" },
	{ "ipv6_gateway_family4.yaml", 12, 14,
	  "expected an IPv4 gateway for an IPv4 prefix (the families must match), got \"2001:db8:1::fe\"" },
	{ "ipv6_gateway_off_subnet.yaml", 12, 14,
	  "expected a gateway inside a port's IPv6 subnet (home 2001:db8:1::/64), got \"2001:db8:9::fe\"" },
	{ "ipv6_route_no_port6.yaml", 11, 14,
	  "expected a gateway inside a port's IPv6 subnet (no port has an address6), got \"2001:db8:1::fe\"" },
	/* IPv6: home_agent */
	{ "ipv6_no_port_address6.yaml", 11, 3,
	  "expected an address6 on the home port \"home\" for home_agent.address6, got a port without one" },
	{ "ipv6_ha_off_subnet.yaml", 15, 13,
	  "expected an address on the home port \"home\" (a host of 2001:db8:1::/64), got \"2001:db8:9::1\"" },
	{ "ipv6_home_prefix_wider.yaml", 16, 17,
	  "expected a prefix on the home port \"home\" (2001:db8:1::/64 or inside it), got \"2001:db8::/32\"" },
	{ "ipv6_lifetime_range.yaml", 16, 18,
	  "expected a multiple of 4 in 4..262140 (seconds; RFC 6275 counts them in units of 4 s), got \"262144\"" },
	{ "ipv6_lifetime_multiple.yaml", 16, 18,
	  "expected a multiple of 4 in 4..262140 (seconds; RFC 6275 counts them in units of 4 s), got \"1801\"" },
	{ "ipv6_refresh_advice.yaml", 17, 21,
	  "expected 0 (no advice) or an interval shorter than home_agent.max_lifetime6 (600; RFC 6275 6.2.6), got \"600\"" },
	/* IPv6: mobile_nodes6 */
	{ "ipv6_no_ha_address6.yaml", 16, 3,
	  "expected home_agent.address6 with mobile_nodes6 (their binding updates go to it), got 1 IPv6 mobile node and no home_agent.address6" },
	{ "ipv6_hoa_off_prefix.yaml", 17, 19,
	  "expected a home address in home_agent.home_prefix6 (a host of 2001:db8:1::/64), got \"2001:db8:2::100\"" },
	{ "ipv6_hoa_is_ha.yaml", 17, 19,
	  "expected a home address other than the home agent's (home_agent.address6), got \"2001:db8:1::1\"" },
	{ "ipv6_duplicate_hoa.yaml", 20, 19,
	  "expected each home address once (first at line 17), got \"2001:0db8:0001:0000:0000:0000:0000:0100\"" },
	{ "ipv6_duplicate_mn_id.yaml", 23, 12,
	  "expected each mn_id once (first at line 17), got \"mn6@lab.example\"" },
	{ "ipv6_bad_algorithm.yaml", 19, 16,
	  "expected hmac-sha1 or hmac-sha256, got \"hmac-md5\"" },
	{ "ipv6_spi_reserved.yaml", 18, 10,
	  "expected an integer 256..4294967295, got \"255\"" },
	{ "ipv6_key_too_long.yaml", 19, 10,
	  "expected a key of 1..128 bytes, got 129 bytes" },
	{ "ipv6_mn_lifetime.yaml", 19, 19,
	  "expected at most home_agent.max_lifetime6 (3600), got \"7200\"" },
	{ "ipv6_mn_id_too_long.yaml", 19, 12,
	  "expected a mobile node identifier (an RFC 4282 NAI such as user@realm) of 1..255 bytes, got \"nnnn" },
	/* IPv6: delegation peers */
	{ "ipv6_peer_off_subnet.yaml", 26, 17,
	  "expected a secondary on the home port \"home\" (a host of 2001:db8:1::/64), where it intercepts, got \"2001:db8:9::11\"" },
	/* aaa: RADIUS servers */
	{ "aaa_no_servers.yaml", 16, 3,
	  "expected key \"servers\" in aaa, got a mapping without it" },
	{ "aaa_empty_servers.yaml", 16, 12,
	  "expected at least 1 RADIUS servers, got 0" },
	{ "aaa_too_many_servers.yaml", 25, 7,
	  "expected at most 8 RADIUS servers, got 9" },
	{ "aaa_bad_address.yaml", 17, 16,
	  "expected an IPv4 or IPv6 address (such as 192.0.2.250), got \"192.0.2.300\"" },
	{ "aaa_same_ports.yaml", 19, 18,
	  "expected an accounting port other than the authentication port (1812), got \"1812\"" },
	{ "aaa_duplicate_server.yaml", 21, 16,
	  "expected a server at its own address and ports (aaa.servers[0] \"radius1\" uses 192.0.2.250 port 1812 or 1813), got \"192.0.2.250\"" },
	{ "aaa_duplicate_name.yaml", 20, 13,
	  "expected a server name used once (aaa.servers[0] has it), got \"radius1\"" },
	{ "aaa_bad_name.yaml", 17, 13,
	  "expected a server name of letters, digits, '.', '_' and '-', got \"radius one\"" },
	{ "aaa_unknown_key.yaml", 18, 7,
	  "unknown key \"secrett\" in aaa.servers[0] (expected one of: name, address, auth_port, acct_port, secret, secret_file, timeout_ms, retries)" },
	{ "aaa_no_secret.yaml", 17, 7,
	  "expected key \"secret\" or \"secret_file\" in this RADIUS server, got a mapping without either" },
	{ "aaa_secret_and_file.yaml", 19, 7,
	  "expected either secret or secret_file, got both (secret at line 18)" },
	{ "aaa_secret_file_missing.yaml", 18, 20,
	  "keys/no-such-radius.secret\" (No such file or directory)" },
	{ "aaa_secret_too_long.yaml", 18, 15,
	  "expected a key of 1..128 bytes, got 129 bytes" },
	{ "aaa_timeout_range.yaml", 19, 19,
	  "expected an integer 10..60000, got \"5\"" },
	{ "aaa_retries_range.yaml", 19, 16,
	  "expected an integer 0..10, got \"11\"" },
	/* aaa: the rest of the section */
	{ "aaa_max_pending.yaml", 19, 16,
	  "expected an integer 1..16384, got \"20000\"" },
	{ "aaa_interim_short.yaml", 19, 21,
	  "expected 0 (none) or at least 60 seconds (RFC 2869 5.16), got \"30\"" },
	{ "aaa_nas_identifier.yaml", 16, 19,
	  "expected a NAS-Identifier of printable characters, got \"haven\\x09lab\"" },
	{ "aaa_nas_address.yaml", 16, 16,
	  "expected an address of this host, not the unspecified address (leave the key out for any), got \"0.0.0.0\"" },
	{ "aaa_pool_off_link.yaml", 19, 9,
	  "expected a pool of hosts on the home port \"home\" (192.0.2.0/24, without its network and broadcast addresses), got \"198.51.100.0/28\"" },
	{ "aaa_pool_has_ha.yaml", 19, 9,
	  "expected a pool without the home agent's address (192.0.2.1), got \"192.0.2.1-192.0.2.20\"" },
	{ "aaa_pool_has_mn.yaml", 19, 9,
	  "expected a pool without the home address of a configured mobile node (192.0.2.100, line 12), got \"192.0.2.96-192.0.2.127\"" },
	{ "aaa_pool_reversed.yaml", 19, 9,
	  "expected an address pool whose first address is not above its last, got \"192.0.2.220-192.0.2.200\"" },
	{ "aaa_pool_host_bits.yaml", 19, 9,
	  "expected a pool prefix with zero host bits (192.0.2.128/26), got \"192.0.2.129/26\"" },
	{ "aaa_without_home_agent.yaml", 16, 1,
	  "expected home_agent with aaa (RADIUS provisions a home agent's mobile nodes), got aaa in a configuration without home_agent" },
	/* store: and redundancy: */
	{ "store_relative_path.yaml", 15, 9,
	  "expected an absolute directory path (such as /var/lib/haven/store) of at most 255 bytes, got \"var/lib/haven\"" },
	{ "store_bad_sync.yaml", 16, 9,
	  "expected every-commit, none or \"interval <ms>\" (ms 10..60000), got \"sometimes\"" },
	{ "store_interval_range.yaml", 16, 9, "got \"interval 5\"" },
	{ "store_map_size.yaml", 16, 16, "expected an integer 1..1048576, got \"0\"" },
	{ "store_no_path.yaml", 15, 3, "expected key \"path\" in store" },
	{ "host_interface_twice.yaml", 12, 21,
	  "expected a host interface used once (port \"home\" has it), got \"hx0\"" },
	{ "host_interface_bad.yaml", 12, 21,
	  "expected a Linux interface name of letters, digits, '.', '_' and '-', got \"hx 1\"" },
	{ "host_interface_long.yaml", 12, 21,
	  "of 1..15 bytes, got \"haven-exception0\"" },
	{ "redundancy_address_is_vip.yaml", 16, 12,
	  "expected an address of this primary's own, not the home agent's" },
	{ "redundancy_address_not_ours.yaml", 16, 12,
	  "expected one of this agent's port addresses (port home 192.0.2.31), got \"192.0.2.33\"" },
	{ "redundancy_advert_interval.yaml", 23, 25,
	  "expected a multiple of 10 in 10..40950 (milliseconds; VRRPv3 counts centiseconds, RFC 5798 5.2.7), got \"105\"" },
	{ "redundancy_bad_role.yaml", 17, 9,
	  "expected auto, active or standby, got \"primary\"" },
	{ "redundancy_default_address_is_vip.yaml", 15, 3,
	  "expected key \"address\" in redundancy (the home port's address is the home agent's" },
	{ "redundancy_no_key.yaml", 18, 5,
	  "expected key \"key\" or \"key_file\" in this peer" },
	{ "redundancy_no_peer.yaml", 15, 3, "expected key \"peer\" in redundancy" },
	{ "redundancy_peer_family.yaml", 20, 14,
	  "expected a peer address of the family of redundancy.address (IPv4), got \"2001:db8:1::32\"" },
	{ "redundancy_peer_is_us.yaml", 20, 14,
	  "expected the other primary's address, not one of this agent's" },
	{ "redundancy_peer_unreachable.yaml", 20, 14,
	  "expected a peer directly reachable, a host inside a port's subnet (home 192.0.2.0/24), got \"198.51.100.32\"" },
	{ "redundancy_port_clash.yaml", 20, 9,
	  "expected a sync port other than delegation.port (4500), got \"4500\"" },
	{ "redundancy_priority.yaml", 23, 15, "expected an integer 1..254, got \"255\"" },
	{ "redundancy_same_id.yaml", 19, 9,
	  "expected a peer id other than this primary's (redundancy.node_id), got \"2\"" },
	{ "redundancy_unknown_key.yaml", 17, 3,
	  "unknown key \"heartbeat_ms\" in redundancy (expected one of: node_id, address, port, peer, role, vrrp, heartbeat_interval_ms, dead_after, window, bulk_per_tick)" },
	{ "redundancy_without_home_agent.yaml", 17, 3,
	  "expected redundancy only with home_agent" },
};

static int
check_bad_case(const struct bad_case *c)
{
	struct haven_config cfg = { 0 };
	char err[512], prefix[PATH_MAX * 2 + 32], rel[64];
	const char *path;

	snprintf(rel, sizeof(rel), "test/config/%s", c->file);
	path = src_path(rel);
	snprintf(prefix, sizeof(prefix), "%s:%u:%u: ", path, c->line,
		c->column);
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), -1,
		"%s loaded", c->file);
	TEST_ASSERT(strncmp(err, prefix, strlen(prefix)) == 0,
		"%s: want position %u:%u, got: %s", c->file, c->line,
		c->column, err);
	TEST_ASSERT(strstr(err, c->reason) != NULL,
		"%s: want \"%s\" in: %s", c->file, c->reason, err);
	TEST_ASSERT(cfg.mns == NULL && cfg.n_mns == 0 && cfg.n_eal_args == 0,
		"%s: not released", c->file);
	TEST_ASSERT(cfg.mns6 == NULL && cfg.n_mns6 == 0, "%s: not released",
		c->file);
	return 0;
}

static int
test_bad_files(void)
{
	unsigned int i, failed = 0;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		if (check_bad_case(&bad_cases[i]) < 0)
			failed++;
	printf("     %zu broken files, %u wrong\n",
		sizeof(bad_cases) / sizeof(bad_cases[0]), failed);
	TEST_ASSERT_EQUAL(failed, 0, "broken files");
	return 0;
}

/* No secret ever appears in a message. */
static int
test_errors_hide_keys(void)
{
	static const char *const files[] = {
		"bad_hex_key.yaml", "odd_hex_key.yaml", "key_too_long.yaml",
		"key_file_bad.yaml", "deleg_key_too_long.yaml",
		"ipv6_key_too_long.yaml", "aaa_secret_too_long.yaml",
	};
	struct haven_config cfg = { 0 };
	char err[512], rel[64];
	unsigned int i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(rel, sizeof(rel), "test/config/%s", files[i]);
		TEST_ASSERT_EQUAL(haven_config_load(src_path(rel), &cfg, err,
			sizeof(err)), -1, "%s", files[i]);
		TEST_ASSERT(strstr(err, "0011") == NULL &&
			strstr(err, "kkkk") == NULL, "key shown: %s", err);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Generated files                                                    */
/* ------------------------------------------------------------------ */

static char tmp_dir[] = "/tmp/test_config.XXXXXX";

/* Write text to tmp_dir/name; return its path (static buffer). */
static const char *
write_tmp(const char *name, const char *text)
{
	static char path[sizeof(tmp_dir) + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

#define HEADER \
	"eal: {lcores: \"0-1\"}\n" \
	"ports: [{name: home, device: net_null0, address: 10.0.0.1/16}]\n" \
	"home_agent: {address: 10.0.0.1}\n"

/* Many nodes, written in a scrambled order, all found by bsearch. */
static int
test_many_nodes(void)
{
	enum { N = 3000 };
	struct haven_config cfg = { 0 };
	char err[512], addr[INET_ADDRSTRLEN];
	const char *path;
	FILE *f;
	unsigned int i, h;

	path = write_tmp("many.yaml", "");
	TEST_ASSERT(path != NULL, "tmp file");
	f = fopen(path, "w");
	TEST_ASSERT(f != NULL, "tmp file");
	fputs(HEADER "mobile_nodes:\n", f);
	for (i = 0; i < N; i++) {
		h = (i * 7919) % N;	/* a permutation: 7919 is prime */
		fprintf(f, "  - {home_address: 10.0.%u.%u, spi: %u, key: k%u}\n",
			1 + h / 250, 1 + h % 250, 256 + h, h);
	}
	fclose(f);

	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), 0,
		"%s", err);
	TEST_ASSERT_EQUAL(cfg.n_mns, N, "all nodes");
	for (h = 0; h < N; h++) {
		const struct haven_config_mn *mn;

		snprintf(addr, sizeof(addr), "10.0.%u.%u", 1 + h / 250,
			1 + h % 250);
		mn = haven_config_find_mn(&cfg, ip(addr));
		TEST_ASSERT(mn != NULL, "%s not found", addr);
		TEST_ASSERT_EQUAL(mn->sa.spi, 256 + h, "%s", addr);
	}
	TEST_ASSERT(haven_config_find_mn(&cfg, ip("10.0.0.1")) == NULL, "HA");
	TEST_ASSERT(haven_config_find_mn(&cfg, ip("10.0.250.250")) == NULL,
		"unknown");
	haven_config_free(&cfg);
	TEST_ASSERT(haven_config_find_mn(&cfg, ip(addr)) == NULL, "freed");
	return 0;
}

#define HEADER6 \
	"eal: {lcores: \"0-1\"}\n" \
	"ports: [{name: home, device: net_null0, address: 10.0.0.1/16,\n" \
	"         address6: \"2001:db8:1::1/64\"}]\n" \
	"home_agent: {address: 10.0.0.1, address6: \"2001:db8:1::1\"}\n"

/* Many IPv6 nodes, in a scrambled order, all found by bsearch. */
static int
test_many_nodes6(void)
{
	enum { N = 3000 };
	struct haven_config cfg = { 0 };
	char err[512], addr[INET6_ADDRSTRLEN];
	const char *path;
	FILE *f;
	unsigned int i, h;

	path = write_tmp("many6.yaml", "");
	TEST_ASSERT(path != NULL, "tmp file");
	f = fopen(path, "w");
	TEST_ASSERT(f != NULL, "tmp file");
	fputs(HEADER6 "mobile_nodes6:\n", f);
	for (i = 0; i < N; i++) {
		h = (i * 7919) % N;	/* a permutation: 7919 is prime */
		/* bytes 8 and 15 vary: memcmp order is not host order */
		fprintf(f, "  - {home_address: \"2001:db8:1:0:%x::%x\", spi: %u, key: k%u}\n",
			(h % 7) << 8, 2 + h, 256 + h, h);
	}
	fclose(f);

	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), 0,
		"%s", err);
	TEST_ASSERT_EQUAL(cfg.n_mns6, N, "all nodes");
	for (h = 0; h < N; h++) {
		const struct haven_config_mn6 *mn;

		snprintf(addr, sizeof(addr), "2001:db8:1:0:%x::%x",
			(h % 7) << 8, 2 + h);
		mn = haven_config_find_mn6(&cfg, ip6(addr));
		TEST_ASSERT(mn != NULL, "%s not found", addr);
		TEST_ASSERT_EQUAL(mn->sa.spi, 256 + h, "%s", addr);
	}
	TEST_ASSERT(haven_config_find_mn6(&cfg, ip6("2001:db8:1::1")) == NULL,
		"HA");
	TEST_ASSERT(haven_config_find_mn6(&cfg, ip6("2001:db8:1::ffff")) == NULL,
		"unknown");
	haven_config_free(&cfg);
	TEST_ASSERT(haven_config_find_mn6(&cfg, ip6(addr)) == NULL, "freed");
	return 0;
}

/* IPv6 corners: a pure SHA's own address6, an empty list, defaults. */
static int
test_ipv6_corners(void)
{
	struct haven_config cfg = { 0 };
	char err[512];
	const char *path;

	/* a pure SHA takes its first port's address6, as it does IPv4 */
	path = write_tmp("sha6.yaml",
		"eal: {lcores: \"0-1\"}\n"
		"ports: [{name: home, device: net_null0, address: 10.0.0.5/16,\n"
		"         address6: \"2001:db8:1::5/64\"}]\n"
		"delegation:\n"
		"  agent_id: 5\n"
		"  primaries: [{name: p, id: 6, address: 10.0.9.9, key: k,\n"
		"               address6: \"2001:db8:1::9\"}]\n");
	TEST_ASSERT(path != NULL, "tmp file");
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), 0,
		"%s", err);
	TEST_ASSERT(!cfg.has_home_agent, "pure SHA");
	TEST_ASSERT(cfg.has_ha_addr6, "own address6");
	TEST_ASSERT_MEM(cfg.ha_addr6, ip6("2001:db8:1::5"), 16, "port's");
	TEST_ASSERT_EQUAL(cfg.home_prefix6_len, 0, "no IPv6 home");
	TEST_ASSERT(cfg.delegation.primaries[0].has_addr6, "primary's");
	TEST_ASSERT_EQUAL(cfg.delegation.primaries[0].port6, 0, "port");
	haven_config_free(&cfg);

	/* ... and is refused IPv6 mobile nodes like IPv4 ones */
	path = write_tmp("sha6.yaml",
		"eal: {lcores: \"0-1\"}\n"
		"ports: [{name: home, device: net_null0, address: 10.0.0.5/16}]\n"
		"delegation: {agent_id: 5, primaries: [{name: p, id: 6, address: 10.0.9.9, key: k}]}\n"
		"mobile_nodes6: [{home_address: \"2001:db8:1::9\", spi: 300, key: k}]\n");
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), -1,
		"SHA with IPv6 nodes");
	TEST_ASSERT(strstr(err, ":4:16: expected no mobile nodes without home_agent")
		!= NULL, "%s", err);

	/* address6 on the home port alone: home prefix, no IPv6 agent */
	path = write_tmp("port6.yaml", HEADER
		"routes: [{prefix: \"2001:db8:2::/48\", gateway: \"2001:db8:1::fe\"}]\n"
		"mobile_nodes6: []\n");
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), -1,
		"no port address6");
	TEST_ASSERT(strstr(err, "(no port has an address6)") != NULL, "%s",
		err);
	path = write_tmp("port6.yaml",
		"eal: {lcores: \"0-1\"}\n"
		"ports: [{name: home, device: net_null0, address: 10.0.0.1/16,\n"
		"         address6: \"fd00:1::1/48\"}]\n"
		"home_agent: {address: 10.0.0.1, dad: true}\n"
		"mobile_nodes6: []\n");
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), 0,
		"%s", err);
	TEST_ASSERT(!cfg.has_ha_addr6, "no home_agent.address6");
	TEST_ASSERT_MEM(cfg.home_prefix6, ip6("fd00:1::"), 16, "ULA prefix");
	TEST_ASSERT_EQUAL(cfg.home_prefix6_len, 48, "the port's subnet");
	TEST_ASSERT_EQUAL(cfg.n_mns6, 0, "empty list");
	TEST_ASSERT(cfg.mns6 == NULL, "empty list");
	haven_config_free(&cfg);

	/* loopback, unspecified and IPv4-mapped gateways are refused */
	path = write_tmp("port6.yaml",
		"eal: {lcores: \"0-1\"}\n"
		"ports: [{name: home, device: net_null0, address: 10.0.0.1/16,\n"
		"         address6: \"2001:db8:1::1/64\"}]\n"
		"routes: [{prefix: \"::/0\", gateway: \"::ffff:10.0.0.9\"}]\n"
		"home_agent: {address: 10.0.0.1}\n");
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), -1,
		"mapped gateway");
	TEST_ASSERT(strstr(err, ":4:36: expected a gateway on a port's IPv6 subnet, not an IPv4-mapped address")
		!= NULL, "%s", err);
	return 0;
}

/* Missing file, directory, NULL arguments, a tiny error buffer. */
static int
test_api_corners(void)
{
	struct haven_config cfg = { 0 };
	char err[512], want[PATH_MAX], small[12];
	const char *path;

	snprintf(want, sizeof(want), "%s/absent.yaml", tmp_dir);
	TEST_ASSERT_EQUAL(haven_config_load(want, &cfg, err, sizeof(err)), -1,
		"absent file");
	strcat(want, ":1:1: expected a readable file, got No such file");
	TEST_ASSERT(strncmp(err, want, strlen(want)) == 0, "%s", err);

	TEST_ASSERT_EQUAL(haven_config_load(tmp_dir, &cfg, err, sizeof(err)),
		-1, "directory");
	TEST_ASSERT(strstr(err, ":1:1: expected a readable file, got a directory")
		!= NULL, "%s", err);

	TEST_ASSERT_EQUAL(haven_config_load(NULL, &cfg, err, sizeof(err)), -1,
		"NULL path");
	TEST_ASSERT_EQUAL(haven_config_load("x.yaml", NULL, err, sizeof(err)),
		-1, "NULL cfg");

	path = write_tmp("small.yaml", HEADER "idle: lazy\n");
	TEST_ASSERT(path != NULL, "tmp file");
	memset(small, 'x', sizeof(small));
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, small, sizeof(small)),
		-1, "bad idle");
	TEST_ASSERT_EQUAL(small[sizeof(small) - 1], '\0', "terminated");
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, NULL, 0), -1,
		"no error buffer");

	/* a relative key_file is relative to the config file, not the cwd */
	TEST_ASSERT(write_tmp("mn.key", "hex:cafe\n") != NULL, "key file");
	path = write_tmp("keyfile.yaml", HEADER
		"mobile_nodes: [{home_address: 10.0.0.9, spi: 300, key_file: mn.key}]\n");
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), 0,
		"%s", err);
	TEST_ASSERT_EQUAL(cfg.mns[0].sa.key_len, 2, "key from tmp folder");
	TEST_ASSERT_EQUAL(cfg.mns[0].sa.key[0], 0xca, "key from tmp folder");
	haven_config_free(&cfg);
	return 0;
}

/* Read a whole file into a malloc'd buffer; NULL on error. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc(n + 1)) != NULL &&
	    fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		*len = (size_t)n;
	fclose(f);
	return buf;
}

/*
 * haven_config_load_buffer() loads what haven_config_load() loads: the
 * same structure for the lab files (key_file relative to the name's
 * folder), the same position and reason for a broken file, an empty or
 * NULL buffer refused, text without a terminating NUL read to len only.
 */
static int
test_load_buffer(void)
{
	static const char *const same[] = {
		"config/lab.yaml", "config/lab-ipv6.yaml",
		"config/pha-baremetal.yaml", "test/config/good_features.yaml",
	};
	struct haven_config a = { 0 }, b = { 0 };
	char err[512], err2[512], *text;
	const char *path;
	unsigned int i;
	size_t len;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		path = src_path(same[i]);
		text = slurp(path, &len);
		TEST_ASSERT(text != NULL, "read %s", path);
		TEST_ASSERT_EQUAL(haven_config_load(path, &a, err,
			sizeof(err)), 0, "%s", err);
		TEST_ASSERT_EQUAL(haven_config_load_buffer(path, text, len, &b,
			err, sizeof(err)), 0, "%s", err);
		free(text);
		TEST_ASSERT(strcmp(a.path, b.path) == 0, "path");
		TEST_ASSERT_EQUAL(a.n_mns, b.n_mns, "%s: nodes", same[i]);
		TEST_ASSERT_EQUAL(a.n_mns6, b.n_mns6, "%s: nodes6", same[i]);
		TEST_ASSERT(a.n_mns == 0 || memcmp(a.mns, b.mns,
			a.n_mns * sizeof(*a.mns)) == 0, "%s: nodes", same[i]);
		TEST_ASSERT(a.n_mns6 == 0 || memcmp(a.mns6, b.mns6,
			a.n_mns6 * sizeof(*a.mns6)) == 0, "%s: nodes6",
			same[i]);
		TEST_ASSERT_MEM(&a.delegation, &b.delegation,
			sizeof(a.delegation), "%s: delegation", same[i]);
		TEST_ASSERT_MEM(a.ports, b.ports, sizeof(a.ports), "ports");
		TEST_ASSERT_EQUAL(a.memory_mb, b.memory_mb, "memory");
		TEST_ASSERT_EQUAL(a.max_bindings, b.max_bindings, "bindings");
		haven_config_free(&a);
		haven_config_free(&b);
	}

	/* a broken text: the same message as from its file */
	path = src_path("test/config/memory_ipv6.yaml");
	text = slurp(path, &len);
	TEST_ASSERT(text != NULL, "read %s", path);
	TEST_ASSERT_EQUAL(haven_config_load(path, &a, err, sizeof(err)), -1,
		"file loaded");
	TEST_ASSERT_EQUAL(haven_config_load_buffer(path, text, len, &b, err2,
		sizeof(err2)), -1, "buffer loaded");
	TEST_ASSERT(strcmp(err, err2) == 0, "%s / %s", err, err2);
	TEST_ASSERT(b.mns6 == NULL && b.n_mns6 == 0, "released");

	/* len bounds the text: cut before the IPv6 home agent address */
	TEST_ASSERT_EQUAL(haven_config_load_buffer("cut.yaml", text,
		strstr(text, "  address6: 2001:db8:1::1\n") - text, &b, err,
		sizeof(err)), -1, "cut text loaded");
	TEST_ASSERT(strstr(err, "cut.yaml:") == err, "%s", err);
	free(text);

	TEST_ASSERT_EQUAL(haven_config_load_buffer("empty.yaml", "", 0, &b,
		err, sizeof(err)), -1, "empty");
	TEST_ASSERT(strcmp(err, "empty.yaml:1:1: expected a mapping at the "
		"top level, got an empty file") == 0, "%s", err);
	TEST_ASSERT_EQUAL(haven_config_load_buffer("null.yaml", NULL, 5, &b,
		err, sizeof(err)), -1, "NULL data");
	TEST_ASSERT(strstr(err, "null.yaml:1:1: expected 5 bytes") == err,
		"%s", err);
	TEST_ASSERT_EQUAL(haven_config_load_buffer(NULL, "eal: {}", 7, &b,
		err, sizeof(err)), -1, "NULL name");
	TEST_ASSERT_EQUAL(haven_config_load_buffer("x.yaml", "a: \0", 5, &b,
		err, sizeof(err)), -1, "NUL byte");
	TEST_ASSERT(strstr(err, "x.yaml:1:1: expected UTF-8 text, got control characters are not allowed at byte 3") == err,
		"%s", err);
	return 0;
}

/*
 * The start-up memory minimum (docs/configuration.md) against the
 * measurements it was fitted to (haven, one port, hugepages: off): above
 * the largest memory_mb that failed to start, and at most 1% + 2 MB above
 * the smallest seen to start. The lab and example files leave room for it.
 */
static int
test_min_memory(void)
{
	static const struct {
		uint32_t max_bindings;
		bool ipv6;
		uint32_t failed;	/* memory_mb that did not start */
		uint32_t started;	/* memory_mb that started */
	} measured[] = {
		{ 1, false, 99, 101 }, { 16384, false, 102, 104 },
		{ 65536, false, 114, 116 }, { 262144, false, 160, 162 },
		{ 1000000, false, 335, 337 },
		{ 1, true, 167, 169 }, { 16384, true, 177, 179 },
		{ 65536, true, 208, 209 }, { 262144, true, 328, 330 },
		{ 1000000, true, 786, 788 },
	};
	struct haven_config cfg = { 0 };
	char err[512];
	unsigned int i;
	uint32_t mb;

	for (i = 0; i < sizeof(measured) / sizeof(measured[0]); i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.max_bindings = measured[i].max_bindings;
		cfg.n_ports = 1;
		cfg.ports[0].has_addr6 = measured[i].ipv6;
		TEST_ASSERT_EQUAL(haven_config_has_ipv6(&cfg),
			measured[i].ipv6, "has_ipv6");
		mb = haven_config_min_memory_mb(&cfg);
		TEST_ASSERT(mb > measured[i].failed &&
			mb <= measured[i].started + measured[i].started / 100 + 2,
			"max_bindings %u%s: %u MB, measured %u failed, %u started",
			measured[i].max_bindings,
			measured[i].ipv6 ? " with IPv6" : "", mb,
			measured[i].failed, measured[i].started);
	}
	TEST_ASSERT_EQUAL(haven_config_min_memory_mb(NULL), 0, "NULL");
	TEST_ASSERT(!haven_config_has_ipv6(NULL), "NULL");

	for (i = 0; i < 2; i++) {
		const char *f = i ? "config/lab-ipv6.yaml" : "config/lab.yaml";

		TEST_ASSERT_EQUAL(haven_config_load(src_path(f), &cfg, err,
			sizeof(err)), 0, "%s", err);
		TEST_ASSERT_EQUAL(haven_config_has_ipv6(&cfg), i, "%s", f);
		TEST_ASSERT(cfg.memory_mb >= haven_config_min_memory_mb(&cfg),
			"%s", f);
		haven_config_free(&cfg);
	}
	return 0;
}

/* A FIFO for a file or a key file is refused at once, never waited on. */
static int
test_fifo_refused(void)
{
	struct haven_config cfg = { 0 };
	char fifo[sizeof(tmp_dir) + 16], err[512];
	const char *path;

	snprintf(fifo, sizeof(fifo), "%s/fifo", tmp_dir);
	unlink(fifo);
	TEST_ASSERT(mkfifo(fifo, 0600) == 0, "mkfifo");
	TEST_ASSERT_EQUAL(haven_config_load(fifo, &cfg, err, sizeof(err)),
		-1, "FIFO loaded");
	TEST_ASSERT(strstr(err, "something else than a regular file") != NULL,
		"%s", err);
	path = write_tmp("fifokey.yaml", HEADER
		"mobile_nodes: [{home_address: 10.0.0.9, spi: 300, key_file: fifo}]\n");
	TEST_ASSERT(path != NULL, "tmp file");
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), -1,
		"FIFO key loaded");
	TEST_ASSERT(strstr(err, "(not a regular file)") != NULL, "%s", err);
	unlink(fifo);
	return 0;
}

/* true/false stand for on/off: YAML 1.1 tools rewrite on/off so. */
static int
test_hugepages_synonyms(void)
{
	static const struct {
		const char *value;
		enum haven_hugepages want;
	} cases[] = {
		{ "auto", HAVEN_HUGEPAGES_AUTO },
		{ "on", HAVEN_HUGEPAGES_ON },
		{ "\"off\"", HAVEN_HUGEPAGES_OFF },
		{ "true", HAVEN_HUGEPAGES_ON },
		{ "false", HAVEN_HUGEPAGES_OFF },
	};
	struct haven_config cfg = { 0 };
	char err[512], text[512];
	const char *path;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			"eal: {lcores: \"0-1\", hugepages: %s}\n"
			"ports: [{name: home, device: net_null0, address: 10.0.0.1/16}]\n"
			"home_agent: {address: 10.0.0.1}\n", cases[i].value);
		path = write_tmp("huge.yaml", text);
		TEST_ASSERT(path != NULL, "tmp file");
		TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err,
			sizeof(err)), 0, "%s", err);
		TEST_ASSERT_EQUAL(cfg.hugepages, cases[i].want, "%s",
			cases[i].value);
		haven_config_free(&cfg);
	}
	path = write_tmp("huge.yaml", "eal: {lcores: \"0-1\", hugepages: yes}\n"
		"ports: [{name: home, device: net_null0, address: 10.0.0.1/16}]\n"
		"home_agent: {address: 10.0.0.1}\n");
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), -1,
		"yes");
	TEST_ASSERT(strstr(err, ":1:33: expected auto, on or off, got \"yes\"")
		!= NULL, "%s", err);
	return 0;
}

static int
test_idle_policy_name(void)
{
	TEST_ASSERT(strcmp(haven_idle_policy_name(HAVEN_IDLE_ADAPTIVE),
		"adaptive") == 0, "adaptive");
	TEST_ASSERT(strcmp(haven_idle_policy_name(HAVEN_IDLE_BUSY), "busy") == 0,
		"busy");
	return 0;
}

static int
test_deleg_policy_name(void)
{
	TEST_ASSERT(strcmp(haven_deleg_policy_name(HAVEN_POLICY_MANUAL),
		"manual") == 0, "manual");
	TEST_ASSERT(strcmp(haven_deleg_policy_name(HAVEN_POLICY_EQUAL),
		"equal") == 0, "equal");
	TEST_ASSERT(strcmp(haven_deleg_policy_name(HAVEN_POLICY_THRESHOLD),
		"threshold") == 0, "threshold");
	return 0;
}

/* A delegation key file is relative to the config file, like a node's. */
static int
test_peer_key_file(void)
{
	struct haven_config cfg = { 0 };
	char err[512], path[sizeof(tmp_dir) + 64];
	const char *tmp;

	TEST_ASSERT(write_tmp("peer.key", "hex:0102030405\r\n") != NULL,
		"key file");
	tmp = write_tmp("peer.yaml",
		"eal: {lcores: \"0-1\"}\n"
		"ports: [{name: home, device: net_null0, address: 10.0.0.1/16}]\n"
		"delegation:\n"
		"  agent_id: 5\n"
		"  primaries: [{name: p, id: 6, address: 10.0.9.9, key_file: peer.key}]\n");
	TEST_ASSERT(tmp != NULL, "tmp file");
	snprintf(path, sizeof(path), "%s", tmp);	/* write_tmp reuses it */
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), 0,
		"%s", err);
	TEST_ASSERT_EQUAL(cfg.delegation.primaries[0].key_len, 5, "CR LF");
	TEST_ASSERT_EQUAL(cfg.delegation.primaries[0].key[4], 5, "last byte");
	haven_config_free(&cfg);

	/* an empty key file is no key */
	TEST_ASSERT(write_tmp("peer.key", "\n") != NULL, "key file");
	TEST_ASSERT_EQUAL(haven_config_load(path, &cfg, err, sizeof(err)), -1,
		"empty key");
	TEST_ASSERT(strstr(err, ":5:61: expected a key of 1..64 bytes in file \"peer.key\", got 0 bytes")
		!= NULL, "%s", err);
	return 0;
}

static void
remove_tmp(void)
{
	static const char *const names[] = {
		"many.yaml", "small.yaml", "mn.key", "keyfile.yaml",
		"huge.yaml", "peer.key", "peer.yaml", "many6.yaml",
		"sha6.yaml", "port6.yaml",
	};
	char path[sizeof(tmp_dir) + 64];
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp_dir, names[i]);
		unlink(path);
	}
	rmdir(tmp_dir);
}

int
main(void)
{
	int passed = 0, failed = 0;

	if (find_source_root() < 0 || mkdtemp(tmp_dir) == NULL)
		return 1;
	TEST_RUN(test_lab_config);
	TEST_RUN(test_lab_pha_config);
	TEST_RUN(test_lab_sha_configs);
	TEST_RUN(test_pha_baremetal_config);
	TEST_RUN(test_ipv4_configs_have_no_ipv6);
	TEST_RUN(test_lab_ipv6_config);
	TEST_RUN(test_defaults);
	TEST_RUN(test_features);
	TEST_RUN(test_delegation);
	TEST_RUN(test_pure_sha);
	TEST_RUN(test_store_redundancy);
	TEST_RUN(test_ipv6);
	TEST_RUN(test_good_aaa);
	TEST_RUN(test_lab_aaa_config);
	TEST_RUN(test_bad_files);
	TEST_RUN(test_errors_hide_keys);
	TEST_RUN(test_many_nodes);
	TEST_RUN(test_many_nodes6);
	TEST_RUN(test_ipv6_corners);
	TEST_RUN(test_api_corners);
	TEST_RUN(test_load_buffer);
	TEST_RUN(test_min_memory);
	TEST_RUN(test_fifo_refused);
	TEST_RUN(test_hugepages_synonyms);
	TEST_RUN(test_idle_policy_name);
	TEST_RUN(test_deleg_policy_name);
	TEST_RUN(test_peer_key_file);
	remove_tmp();
	TEST_SUMMARY();
}
