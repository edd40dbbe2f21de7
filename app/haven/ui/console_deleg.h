/* SPDX-License-Identifier: BSD-3-Clause */
/* Delegation commands of the console (console_deleg.c). */
#ifndef HAVEN_CONSOLE_DELEG_H
#define HAVEN_CONSOLE_DELEG_H

#include <cmdline_parse.h>

extern cmdline_parse_inst_t cmd_show_peers;
extern cmdline_parse_inst_t cmd_show_deleg;
extern cmdline_parse_inst_t cmd_delegate;
extern cmdline_parse_inst_t cmd_undelegate;
extern cmdline_parse_inst_t cmd_add_sha;
extern cmdline_parse_inst_t cmd_del_sha;
extern cmdline_parse_inst_t cmd_set_policy;
extern cmdline_parse_inst_t cmd_set_threshold;

#endif /* HAVEN_CONSOLE_DELEG_H */
