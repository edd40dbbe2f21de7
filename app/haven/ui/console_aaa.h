/* SPDX-License-Identifier: BSD-3-Clause */
/* AAA commands of the console (console_aaa.c). */
#ifndef HAVEN_CONSOLE_AAA_H
#define HAVEN_CONSOLE_AAA_H

#include <cmdline_parse.h>

extern cmdline_parse_inst_t cmd_show_aaa;
extern cmdline_parse_inst_t cmd_show_aaa_nodes;
extern cmdline_parse_inst_t cmd_revoke;

#endif /* HAVEN_CONSOLE_AAA_H */
