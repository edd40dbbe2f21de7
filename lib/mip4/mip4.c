/* SPDX-License-Identifier: BSD-3-Clause */
/* placeholder: being written */
int haven_placeholder_mip4;
int haven_placeholder_mip4;
