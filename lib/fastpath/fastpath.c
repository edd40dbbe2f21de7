/* SPDX-License-Identifier: BSD-3-Clause */
/* placeholder: being written */
int haven_placeholder_fastpath;
int haven_placeholder_fastpath;
