/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the delegation protocol's codec (lib/deleg,
 * docs/delegation-protocol.md): every message type of version 1 and of
 * the scale extension, both families, UDP encapsulation.
 *
 * The input is tried twice. As it is, a whole datagram: the decoder must
 * refuse it cleanly (almost always the HMAC) and never read outside it.
 * Then as a message without its MAC: the harness appends a valid HMAC
 * (and, when the first byte says so, fixes the version, body length and
 * sequence number) so the parser behind the MAC is reached; a message
 * the decoder accepts must encode back to exactly the same octets (the
 * encoding is canonical: every length is exact and every reserved field
 * zero), which catches any field the decoder reads but the encoder does
 * not write, or the other way round. Built only with clang; run with
 *   build/test/fuzz_deleg_codec -max_len=1400 test/fuzz/deleg_codec
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_deleg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_one(const uint8_t *buf, size_t len, const uint8_t key[32])
{
	static struct haven_deleg_msg msg;
	uint8_t again[HAVEN_DELEG_MAX_MSG];
	char err[128];
	uint32_t sender;
	unsigned int i;
	int rc, n;

	memset(err, 'x', sizeof(err));
	rc = haven_deleg_decode(buf, len, key, 32, &msg, err, sizeof(err));
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (rc != 0 && rc != -EBADMSG && rc != -EACCES)
		abort();
	(void)haven_deleg_peek_sender(buf, len, &sender);
	(void)haven_deleg_peek_type(buf, len);
	if (rc != 0)
		return;
	n = haven_deleg_encode(&msg, key, 32, again, sizeof(again));
	if (n < 0 || (size_t)n != len || memcmp(again, buf, len) != 0)
		abort();	/* not canonical: decoder and encoder disagree */
	if (msg.type == HAVEN_DELEG_BATCH)
		for (i = 0; i < msg.u.batch.n; i++)
			if (msg.u.batch.rec[i].kind == HAVEN_DELEG_START)
				(void)haven_deleg_digest(
					&msg.u.batch.rec[i].start.home_addr,
					msg.u.batch.rec[i].start.generation);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t key[32], buf[HAVEN_DELEG_MAX_MSG];
	size_t len;

	fz_key(0, key);
	check_one(data, size, key);
	if (size < 1)
		return 0;
	/* First byte: bit 0 patch the header, the rest is the message. */
	len = fz_sign(data + 1, size - 1, data[0] & 1, 0x01020304u,
		0xa0b0c0d0u, 0x1122334455667788ull, key, buf);
	check_one(buf, len, key);
	return 0;
}
