/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Between the runtime's own files: port set-up (port.c) for rt.c.
 */
#ifndef HAVEN_RT_PRIVATE_H
#define HAVEN_RT_PRIVATE_H

#include "rt.h"

/** The mbuf pool and every configured port, started. */
int haven_rt_ports_init(struct haven_rt *rt);
/** Stop and close every started port. */
void haven_rt_ports_close(struct haven_rt *rt);

#endif /* HAVEN_RT_PRIVATE_H */
