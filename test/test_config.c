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
	haven_config_free(&cfg);
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
	TEST_ASSERT_EQUAL(cfg.home_port, 0, "default home port");
	TEST_ASSERT_EQUAL(cfg.max_lifetime, 1800, "default");
	TEST_ASSERT_EQUAL(cfg.replay_window, 7, "default");
	TEST_ASSERT_EQUAL(cfg.max_bindings, 65536, "default");
	TEST_ASSERT_EQUAL(cfg.max_simultaneous, 4, "default");
	TEST_ASSERT_EQUAL(cfg.encapsulations, HAVEN_ENCAP_BIT_IPIP |
		HAVEN_ENCAP_BIT_MINIMAL | HAVEN_ENCAP_BIT_GRE, "default");
	TEST_ASSERT(cfg.reverse_tunnel, "default");
	TEST_ASSERT_EQUAL(cfg.console_socket[0], '\0', "no console socket");
	TEST_ASSERT_EQUAL(cfg.mns[0].sa.alg, HAVEN_MIP4_ALG_HMAC_MD5, "md5");
	TEST_ASSERT_EQUAL(cfg.mns[0].max_lifetime, 0, "no node cap");
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

/* ------------------------------------------------------------------ */
/* Broken files: exact position and a piece of the reason             */
/* ------------------------------------------------------------------ */

static const struct bad_case {
	const char *file;	/* in test/config */
	unsigned int line;
	unsigned int column;
	const char *reason;	/* a substring of the message */
} bad_cases[] = {
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
	{ "not_a_number.yaml", 14, 17,
	  "expected an integer 1..65534, got \"forever\"" },
	{ "bad_bool.yaml", 14, 19, "expected true or false, got \"yes\"" },
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
		"key_file_bad.yaml",
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

static void
remove_tmp(void)
{
	static const char *const names[] = {
		"many.yaml", "small.yaml", "mn.key", "keyfile.yaml",
		"huge.yaml",
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
	TEST_RUN(test_pha_baremetal_config);
	TEST_RUN(test_defaults);
	TEST_RUN(test_features);
	TEST_RUN(test_bad_files);
	TEST_RUN(test_errors_hide_keys);
	TEST_RUN(test_many_nodes);
	TEST_RUN(test_api_corners);
	TEST_RUN(test_hugepages_synonyms);
	TEST_RUN(test_idle_policy_name);
	remove_tmp();
	TEST_SUMMARY();
}
