/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the Mobile IPv4 registration codec (lib/mip4).
 *
 * Feeds arbitrary bytes to both parsers and, when a request parses, checks
 * the promises the home agent relies on: every authentication extension
 * lies inside the input, the authenticator follows its covered span, and
 * a verification against a fixed SA neither crashes nor reads outside the
 * buffer. The RFC 3519 parts too: a UDP Tunnel Request that parses has a
 * known encapsulation and the home agent's decision stays within its
 * promises; a reply's UDP Tunnel Reply and NAI lie inside the input; the
 * tunnel data header parses only as type 4 with a known next header. Built with clang and -Dfuzz=true; seeds in test/fuzz/mip4/;
 * docs/fuzzing.md says how to run it:
 *   build-fuzz/test/fuzz_mip4 -max_len=1100 corpus_dir test/fuzz/mip4
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haven_mip4.h"

/* An authentication extension found by parse must lie within the input. */
static void
check_ext(const struct haven_mip4_auth_ext *ext, const uint8_t *data,
		size_t size)
{
	if (!ext->present)
		return;
	if (ext->auth != data + ext->covered_len ||
			(size_t)ext->covered_len + ext->auth_len > size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct haven_mip4_rrq rrq;
	struct haven_mip4_rrp rrp;
	struct haven_mip4_auth_ext mn_ha;
	struct haven_mip4_sa sa;
	char err[128];
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.spi = 256;
	sa.alg = size % 2 ? HAVEN_MIP4_ALG_HMAC_SHA256 :
		HAVEN_MIP4_ALG_HMAC_MD5;
	sa.key_len = 16;
	memcpy(sa.key, "haven-fuzz-key-1", 16);

	rc = haven_mip4_parse_rrq(data, size, &rrq, err, sizeof(err));
	if (rc != 0 && rc != -EINVAL &&
			rc != HAVEN_MIP4_DENIED_POORLY_FORMED &&
			rc != HAVEN_MIP4_DENIED_MN_AUTH)
		abort();
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (rc == 0 && rrq.udp.present) {
		struct haven_mip4_udp_policy pol = {
			.enabled = size % 3 != 0,
			.force_allowed = size % 5 != 0,
			.keepalive_s = 25,
		};
		struct haven_mip4_udp_rep rep;
		bool use_udp;
		int d;

		if (rrq.udp.encap != 4 && rrq.udp.encap != 47 &&
		    rrq.udp.encap != 55)
			abort();
		d = haven_mip4_udp_decide(&rrq, size % 2 ? rrq.coa : ~rrq.coa,
				&pol, &rep, &use_udp, err, sizeof(err));
		if ((d != 0 && d != HAVEN_MIP4_DENIED_UDP_UNAVAILABLE) ||
		    (d == 0 && !rep.present) ||
		    (use_udp && (d != 0 || rep.code != 0 ||
				 rrq.udp.encap != 4 || !pol.enabled)))
			abort();
	}
	if (rc == 0) {
		if (!rrq.mn_ha.present)
			abort();
		check_ext(&rrq.mn_ha, data, size);
		check_ext(&rrq.mn_fa, data, size);
		check_ext(&rrq.fa_ha, data, size);
		(void)haven_mip4_auth_verify(&sa, data, &rrq.mn_ha);
	}

	if (haven_mip4_parse_rrp(data, size, &rrp, &mn_ha) == 0) {
		check_ext(&mn_ha, data, size);
		(void)haven_mip4_auth_verify(&sa, data, &mn_ha);
	}
	if (rc == 0 && rrq.mn_nai != NULL &&
	    (rrq.mn_nai < data || rrq.mn_nai + rrq.mn_nai_len > data + size ||
	     rrq.mn_nai_len == 0))
		abort();
	{
		struct haven_mip4_rrp_ext ext;
		uint8_t nh;

		if (haven_mip4_parse_rrp_ext(data, size, &rrp, &mn_ha,
				&ext) == 0) {
			check_ext(&mn_ha, data, size);
			if (ext.nai != NULL && (ext.nai < data ||
			    ext.nai + ext.nai_len > data + size ||
			    ext.nai_len == 0))
				abort();
		}
		if (haven_mip4_tunnel_parse(data, size, &nh) ==
				HAVEN_MIP4_TUNNEL_HDR_LEN &&
		    (data[0] != 4 || (nh != 4 && nh != 47 && nh != 55)))
			abort();
	}
	{
		const uint8_t *nai;
		uint8_t nai_len;

		if (haven_mip4_parse_rrp_nai(data, size, &rrp, &mn_ha, &nai,
				&nai_len) == 0 && nai != NULL &&
		    (nai < data || nai + nai_len > data + size))
			abort();
	}
	return 0;
}
