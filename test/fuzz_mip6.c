/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the Mobile IPv6 library (lib/mip6).
 *
 * Feeds arbitrary bytes, as an IPv6 packet, to the extension-header walk,
 * then to the Mobility Header parser (both with the walk's checksum
 * addresses and without a checksum, so the option parser is reached by
 * random input), the RFC 4285 verification, the Neighbor Solicitation
 * parser, the tunnel decapsulation check and the ICMPv6 error builder. It
 * checks the promises callers rely on: whatever the walk reports lies
 * inside the packet, options and authenticators found by the parser lie
 * inside the message, return codes are the documented ones, and every
 * reason is a terminated string. Built with clang and -Dfuzz=true; seeds
 * in test/fuzz/mip6/; docs/fuzzing.md says how to run it:
 *   build-fuzz/test/fuzz_mip6 -max_len=2100 corpus_dir test/fuzz/mip6
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haven_mip6.h"
#include "haven_nd.h"

static struct haven_mip6_key *fuzz_key;

/* Check a parse result against the message it came from. */
static void
check_mh(int rc, const struct haven_mip6_mh *mh, const uint8_t *m, size_t n,
		const char *err, size_t errlen)
{
	const struct haven_mip6_opts *o = &mh->opts;
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	if (memchr(err, '\0', errlen) == NULL)
		abort();
	if (rc != 0 && rc != -EINVAL && rc != -EPROTO && rc != -EBADMSG &&
			rc != -ENOTSUP)
		abort();
	if (rc == -EPROTO && mh->icmp_pointer > 1)
		abort();
	if (rc != 0)
		return;
	if (mh->len > n || mh->len % 8 != 0)
		abort();
	if (o->has_auth) {
		if (o->auth != m + o->auth_covered ||
				(size_t)o->auth_covered + o->auth_len > mh->len)
			abort();
		(void)haven_mip6_auth_verify(fuzz_key, a, a, m, mh);
	}
	if (o->has_mnid &&
			(o->mnid < m || o->mnid + o->mnid_len > m + mh->len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct haven_nd_ns_info ns;
	struct haven_mip6_pkt pkt;
	struct haven_mip6_mh mh;
	static uint8_t out[HAVEN_IP6_MIN_MTU];
	uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	size_t off, len;
	char err[160];
	int rc;

	if (fuzz_key == NULL) {
		struct haven_mip6_sa sa;

		memset(&sa, 0, sizeof(sa));
		sa.spi = 256;
		sa.alg = HAVEN_MIP6_ALG_HMAC_SHA1;
		sa.key_len = 16;
		memcpy(sa.key, "haven-fuzz-key-1", 16);
		fuzz_key = haven_mip6_key_create(&sa);
		if (fuzz_key == NULL)
			abort();
	}

	rc = haven_mip6_walk(data, size, &pkt, err, sizeof(err));
	if (rc != 0 && rc != -EINVAL)
		abort();
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (rc == 0) {
		if ((size_t)pkt.upper_off + pkt.upper_len > size ||
				pkt.upper_off < HAVEN_IP6_HDR_LEN)
			abort();
		if (pkt.upper_proto == HAVEN_IPPROTO_MH) {
			rc = haven_mip6_mh_parse(data + pkt.upper_off,
				pkt.upper_len, pkt.ph_src, pkt.ph_dst, &mh,
				err, sizeof(err));
			check_mh(rc, &mh, data + pkt.upper_off, pkt.upper_len,
				err, sizeof(err));
		}
	}
	/* The whole input as a Mobility Header, checksum not checked. */
	rc = haven_mip6_mh_parse(data, size, NULL, NULL, &mh, err,
		sizeof(err));
	check_mh(rc, &mh, data, size, err, sizeof(err));

	if (haven_nd_parse_ns(data, size, &ns, err, sizeof(err)) == 0 &&
			ns.target[0] == 0xff)
		abort();
	if (haven_ip6ip6_decap_check(data, size, NULL, NULL, &off, &len,
			err, sizeof(err)) == 0 && off + len > size)
		abort();
	rc = haven_icmp6_build_time_exceeded(out, sizeof(out), src, data,
		size);
	if (rc > HAVEN_IP6_MIN_MTU)
		abort();
	return 0;
}
