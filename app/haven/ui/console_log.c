/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console commands of the log (rte_log): change the level of every log
 * type a pattern matches (haven.*, lib.eal, pmd.net.af_packet, ...) and
 * show every type with its level. rte_log_dump() writes to a FILE: an
 * open_memstream() catches it for the console's output.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline_parse_string.h>
#include <rte_log.h>

#include "console.h"
#include "console_log.h"
#include "report.h"

/* rte_log levels by name, in RTE_LOG_EMERG (1) .. RTE_LOG_DEBUG (8) order. */
static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

/*
 * Action: set the level of the log types matching pattern (globbing, as
 * rte_log_set_level_pattern; types registered later match too).
 * @return 0, or -EINVAL with err filled.
 */
static int
log_set_level(const char *pattern, const char *level, char *err,
		size_t errlen)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(level_names); i++)
		if (strcmp(level, level_names[i]) == 0)
			break;
	if (i == RTE_DIM(level_names)) {
		snprintf(err, errlen, "unknown level %.32s", level);
		return -EINVAL;
	}
	if (rte_log_set_level_pattern(pattern, RTE_LOG_EMERG + i) != 0) {
		snprintf(err, errlen, "cannot set %.64s to %.32s", pattern,
			level);
		return -EINVAL;
	}
	return 0;
}

/* ***** set log level <type-pattern> <level> ***** */

struct cmd_set_log_level_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t log;
	cmdline_fixed_string_t level_kw;
	cmdline_fixed_string_t pattern;
	cmdline_fixed_string_t level;
};

static void
cmd_set_log_level_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_set_log_level_result *r = parsed;
	char err[128];

	(void)data;
	if (log_set_level(r->pattern, r->level, err, sizeof(err)) == 0)
		cmdline_printf(cl, "log types %s at level %s\n", r->pattern,
			r->level);
	else
		cmdline_printf(cl, "error: %s\n", err);
}

static cmdline_parse_token_string_t cmd_set_log_level_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_log_level_result, set, "set");
static cmdline_parse_token_string_t cmd_set_log_level_log =
	TOKEN_STRING_INITIALIZER(struct cmd_set_log_level_result, log, "log");
static cmdline_parse_token_string_t cmd_set_log_level_level_kw =
	TOKEN_STRING_INITIALIZER(struct cmd_set_log_level_result, level_kw,
		"level");
static cmdline_parse_token_string_t cmd_set_log_level_pattern =
	TOKEN_STRING_INITIALIZER(struct cmd_set_log_level_result, pattern,
		NULL);
static cmdline_parse_token_string_t cmd_set_log_level_level =
	TOKEN_STRING_INITIALIZER(struct cmd_set_log_level_result, level,
		"emerg#alert#crit#err#warning#notice#info#debug");

cmdline_parse_inst_t cmd_set_log_level = {
	.f = cmd_set_log_level_parsed,
	.data = NULL,
	.help_str = "set log level <type-pattern> "
		"emerg|alert|crit|err|warning|notice|info|debug: level of the "
		"log types matching a pattern (haven.*, lib.eal, pmd.*)",
	.tokens = {
		(void *)&cmd_set_log_level_set,
		(void *)&cmd_set_log_level_log,
		(void *)&cmd_set_log_level_level_kw,
		(void *)&cmd_set_log_level_pattern,
		(void *)&cmd_set_log_level_level,
		NULL,
	},
};

/* ***** show log levels ***** */

struct cmd_show_log_levels_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t log;
	cmdline_fixed_string_t levels;
};

/* The dump itself: rte_log_dump() is what operators know. */
static void
print_log_levels(struct cmdline *cl, const json_t *j)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)j;
	f = open_memstream(&text, &len);
	if (f == NULL) {
		console_error(cl, "cannot capture the log dump");
		return;
	}
	rte_log_dump(f);
	fclose(f);
	cmdline_printf(cl, "%s", text != NULL ? text : "");
	free(text);
}

static void
cmd_show_log_levels_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	console_emit(cl, haven_report_log_levels(), print_log_levels);
}

static cmdline_parse_token_string_t cmd_show_log_levels_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_log_levels_result, show,
		"show");
static cmdline_parse_token_string_t cmd_show_log_levels_log =
	TOKEN_STRING_INITIALIZER(struct cmd_show_log_levels_result, log, "log");
static cmdline_parse_token_string_t cmd_show_log_levels_levels =
	TOKEN_STRING_INITIALIZER(struct cmd_show_log_levels_result, levels,
		"levels");

cmdline_parse_inst_t cmd_show_log_levels = {
	.f = cmd_show_log_levels_parsed,
	.data = NULL,
	.help_str = "show log levels: the global level and every log type "
		"with its level",
	.tokens = {
		(void *)&cmd_show_log_levels_show,
		(void *)&cmd_show_log_levels_log,
		(void *)&cmd_show_log_levels_levels,
		NULL,
	},
};
