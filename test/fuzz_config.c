/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the YAML configuration loader (lib/config).
 *
 * Feeds arbitrary bytes to haven_config_load_buffer() as the text of
 * "config/fuzz.yaml" and checks what the rest of haven relies on after a
 * load. On failure: the message is terminated, starts with
 * "config/fuzz.yaml:<line>:<column>: ", and the structure was released
 * (no node list, no EAL argument left). On success: every count is within
 * its array, the nodes are sorted and each is found by its own home
 * address, every peer by its name, the memory holds the start-up minimum,
 * the lcores give at least one worker; then the structure is released
 * (AddressSanitizer's leak check sees anything left behind).
 *
 * Seeds: test/config/ and config/ (docs/fuzzing.md). The loader reads
 * key_file paths relative to the name's folder, so run it from the
 * repository's top folder for config/keys/ to be found:
 *   build-fuzz/test/fuzz_config -dict=test/fuzz/config.dict \
 *       build-fuzz/fuzz/config/corpus test/config config
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haven_config.h"

#define NAME "config/fuzz.yaml"

/* "NAME:<digits>:<digits>: " at the start of a message. */
static int
has_position(const char *err)
{
	const char *p = err + strlen(NAME);
	int field;

	if (strncmp(err, NAME ":", strlen(NAME) + 1) != 0)
		return 0;
	for (field = 0; field < 2; field++) {
		p++;
		if (*p < '1' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p != ':')
			return 0;
	}
	return p[1] == ' ' && p[2] != '\0';
}

static void
check_loaded(const struct haven_config *cfg)
{
	const struct haven_config_delegation *d = &cfg->delegation;
	unsigned int i;

	if (cfg->n_ports < 1 || cfg->n_ports > HAVEN_CONFIG_MAX_PORTS ||
	    cfg->n_routes > HAVEN_CONFIG_MAX_ROUTES ||
	    cfg->n_routes6 > HAVEN_CONFIG_MAX_ROUTES6 ||
	    cfg->n_eal_args > HAVEN_CONFIG_MAX_EAL_ARGS ||
	    cfg->home_port >= cfg->n_ports || cfg->n_workers < 1 ||
	    d->n_secondaries > HAVEN_CONFIG_MAX_PEERS ||
	    d->n_primaries > HAVEN_CONFIG_MAX_PEERS)
		abort();
	if (cfg->memory_mb < haven_config_min_memory_mb(cfg))
		abort();
	if ((cfg->n_mns == 0) != (cfg->mns == NULL) ||
	    (cfg->n_mns6 == 0) != (cfg->mns6 == NULL))
		abort();
	for (i = 0; i < cfg->n_mns; i++) {
		if (haven_config_find_mn(cfg, cfg->mns[i].home_addr) !=
				&cfg->mns[i])
			abort();
		if (cfg->mns[i].sa.key_len == 0)
			abort();
	}
	for (i = 0; i < cfg->n_mns6; i++) {
		if (haven_config_find_mn6(cfg, cfg->mns6[i].home_addr) !=
				&cfg->mns6[i])
			abort();
		if (cfg->mns6[i].sa.key_len == 0 ||
		    memchr(cfg->mns6[i].mn_id, '\0',
			    sizeof(cfg->mns6[i].mn_id)) == NULL)
			abort();
	}
	for (i = 0; i < d->n_secondaries; i++)
		if (haven_config_find_peer(cfg, d->secondaries[i].name) !=
				&d->secondaries[i] ||
		    d->secondaries[i].key_len == 0)
			abort();
	for (i = 0; i < d->n_primaries; i++)
		if (haven_config_find_peer(cfg, d->primaries[i].name) !=
				&d->primaries[i] ||
		    d->primaries[i].key_len == 0)
			abort();
	for (i = 0; i < cfg->n_eal_args; i++)
		if (cfg->eal_args[i] == NULL || cfg->eal_args[i][0] == '\0')
			abort();
	if (memchr(cfg->console_socket, '\0', sizeof(cfg->console_socket)) ==
			NULL || memchr(cfg->lcores, '\0', sizeof(cfg->lcores)) ==
			NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct haven_config cfg;
	char err[512];
	int rc;

	memset(err, 'x', sizeof(err));
	rc = haven_config_load_buffer(NAME, data, size, &cfg, err,
		sizeof(err));
	if (rc != 0 && rc != -1)
		abort();
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (rc == -1) {
		if (!has_position(err)) {
			fprintf(stderr, "message without a position: %s\n",
				err);
			abort();
		}
		if (cfg.mns != NULL || cfg.mns6 != NULL || cfg.n_eal_args != 0)
			abort();
		return 0;
	}
	check_loaded(&cfg);
	haven_config_free(&cfg);
	return 0;
}
