/* SPDX-License-Identifier: BSD-3-Clause */
/* State store and redundancy commands of the console (console_state.c). */
#ifndef HAVEN_CONSOLE_STATE_H
#define HAVEN_CONSOLE_STATE_H

#include <cmdline_parse.h>

extern cmdline_parse_inst_t cmd_show_store;
extern cmdline_parse_inst_t cmd_save_store;
extern cmdline_parse_inst_t cmd_show_redundancy;
extern cmdline_parse_inst_t cmd_set_redundancy_role;

#endif /* HAVEN_CONSOLE_STATE_H */
