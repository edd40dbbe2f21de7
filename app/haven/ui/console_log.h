/* SPDX-License-Identifier: BSD-3-Clause */
/* Log commands of the console (console_log.c). */
#ifndef HAVEN_CONSOLE_LOG_H
#define HAVEN_CONSOLE_LOG_H

#include <cmdline_parse.h>

extern cmdline_parse_inst_t cmd_set_log_level;
extern cmdline_parse_inst_t cmd_show_log_levels;

#endif /* HAVEN_CONSOLE_LOG_H */
