/* SPDX-License-Identifier: BSD-3-Clause */
/* "show" commands of the console (console_show.c). */
#ifndef HAVEN_CONSOLE_SHOW_H
#define HAVEN_CONSOLE_SHOW_H

#include <cmdline_parse.h>

extern cmdline_parse_inst_t cmd_show_version;
extern cmdline_parse_inst_t cmd_show_stats;
extern cmdline_parse_inst_t cmd_show_drops;
extern cmdline_parse_inst_t cmd_show_ports;
extern cmdline_parse_inst_t cmd_show_xstats;
extern cmdline_parse_inst_t cmd_show_routes;
extern cmdline_parse_inst_t cmd_show_neigh;
/* show mobile-nodes [page <n>] */
extern cmdline_parse_inst_t cmd_show_mns;
extern cmdline_parse_inst_t cmd_show_mns_paged;
/* show bindings [<home-address>|<prefix/len>] [page <n>]: six variants */
extern cmdline_parse_inst_t cmd_show_bindings;
extern cmdline_parse_inst_t cmd_show_bindings_paged;
extern cmdline_parse_inst_t cmd_show_bindings_hoa_filter;
extern cmdline_parse_inst_t cmd_show_bindings_hoa_paged;
extern cmdline_parse_inst_t cmd_show_bindings_net_filter;
extern cmdline_parse_inst_t cmd_show_bindings_net_paged;
extern cmdline_parse_inst_t cmd_show_binding;
/* show events [kind <kind>] [home-address <address>] [<n>]: eight */
extern cmdline_parse_inst_t cmd_show_events;
extern cmdline_parse_inst_t cmd_show_events_n_inst;
extern cmdline_parse_inst_t cmd_show_events_kind;
extern cmdline_parse_inst_t cmd_show_events_kind_n;
extern cmdline_parse_inst_t cmd_show_events_hoa;
extern cmdline_parse_inst_t cmd_show_events_hoa_n;
extern cmdline_parse_inst_t cmd_show_events_kind_hoa;
extern cmdline_parse_inst_t cmd_show_events_kind_hoa_n;
/* Mobile IPv6: show bindings6 has the filters of show bindings */
extern cmdline_parse_inst_t cmd_show_bindings6;
extern cmdline_parse_inst_t cmd_show_bindings6_paged;
extern cmdline_parse_inst_t cmd_show_bindings6_hoa_filter;
extern cmdline_parse_inst_t cmd_show_bindings6_hoa_paged;
extern cmdline_parse_inst_t cmd_show_bindings6_net_filter;
extern cmdline_parse_inst_t cmd_show_bindings6_net_paged;
extern cmdline_parse_inst_t cmd_show_binding6;
extern cmdline_parse_inst_t cmd_show_mns6;
extern cmdline_parse_inst_t cmd_show_mns6_paged;
extern cmdline_parse_inst_t cmd_show_neigh6;
extern cmdline_parse_inst_t cmd_show_stats6;
extern cmdline_parse_inst_t cmd_show_running_config;

#endif /* HAVEN_CONSOLE_SHOW_H */
