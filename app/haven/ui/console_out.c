/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console's output (console.h): what a command prints, as text or,
 * when its line ended with "json", as JSON; and its errors either way.
 * The mode is set by console.c around a JSON twin's call.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "console.h"

/* True while a JSON twin runs its original. Writer: console_json_set(). */
static bool json_mode;

void
console_json_set(bool on)
{
	json_mode = on;
}

bool
console_json(void)
{
	return json_mode;
}

void
console_error(struct cmdline *cl, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (json_mode) {
		json_t *j = json_pack("{s:s}", "error", text);
		char *s = j != NULL ? json_dumps(j, 0) : NULL;

		cmdline_printf(cl, "%s\n", s != NULL ? s :
			"{\"error\": \"out of memory\"}");
		free(s);
		json_decref(j);
		return;
	}
	cmdline_printf(cl, "error: %s\n", text);
}

void
console_emit(struct cmdline *cl, json_t *j,
		void (*text)(struct cmdline *cl, const json_t *j))
{
	const char *err;

	if (j == NULL) {
		console_error(cl, "out of memory");
		return;
	}
	/* A builder that refused says why in "error". */
	err = json_string_value(json_object_get(j, "error"));
	if (err != NULL && json_object_size(j) == 1) {
		console_error(cl, "%s", err);
	} else if (json_mode) {
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			JSON_REAL_PRECISION(6));

		if (s == NULL)
			console_error(cl, "out of memory");
		else
			cmdline_printf(cl, "%s\n", s);
		free(s);
	} else {
		text(cl, j);
	}
	json_decref(j);
}

