/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names shared by the operator surfaces and the logs (names.h).
 */

#include <ctype.h>
#include <stdio.h>
#include <time.h>

#include "haven_binding.h"
#include "haven_fastpath.h"
#include "names.h"

const char *
haven_encap_name(uint8_t encap)
{
	switch (encap) {
	case HAVEN_ENCAP_IPIP:
		return "ipip";
	case HAVEN_ENCAP_MINIMAL:
		return "minimal";
	case HAVEN_ENCAP_GRE:
		return "gre";
	case HAVEN_ENCAP_UDP:
		return "udp";
	}
	return "?";
}

const char *
haven_drop_key(unsigned int reason)
{
#define HAVEN_DROP_KEY(name, text) #name,
	static const char *const upper[] = {
		HAVEN_FOREACH_DROP(HAVEN_DROP_KEY)
	};
#undef HAVEN_DROP_KEY
	static char lower[HAVEN_DROP_MAX][32];
	unsigned int i;

	if (reason >= HAVEN_DROP_MAX)
		return "?";
	if (lower[reason][0] == '\0')
		for (i = 0; upper[reason][i] != '\0' && i < 31; i++)
			lower[reason][i] = tolower((unsigned char)upper[reason][i]);
	return lower[reason];
}

const char *
haven_iso8601(uint64_t time_us, char *buf, size_t len)
{
	time_t sec = time_us / 1000000;
	struct tm tm;
	size_t off;

	gmtime_r(&sec, &tm);
	off = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + off, len - off, ".%06uZ",
		(unsigned int)(time_us % 1000000));
	return buf;
}
