/* SPDX-License-Identifier: BSD-3-Clause */
/* "clear" commands of the console (console_clear.c). */
#ifndef HAVEN_CONSOLE_CLEAR_H
#define HAVEN_CONSOLE_CLEAR_H

#include <cmdline_parse.h>

extern cmdline_parse_inst_t cmd_clear_stats;
extern cmdline_parse_inst_t cmd_clear_drops;
/* clear port stats [<port>] */
extern cmdline_parse_inst_t cmd_clear_port_stats;
extern cmdline_parse_inst_t cmd_clear_port_stats_one;
extern cmdline_parse_inst_t cmd_clear_peers;
extern cmdline_parse_inst_t cmd_clear_binding;

#endif /* HAVEN_CONSOLE_CLEAR_H */
