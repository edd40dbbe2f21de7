/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the three libFuzzer targets of the delegation protocol share
 * (fuzz_deleg_codec.c, fuzz_deleg_pha.c, fuzz_deleg_sha.c): a reader of
 * the fuzzer's input, the keys and addresses of a small world, and the
 * signer that gets a fuzzed message past authentication.
 *
 * A message authenticated with HMAC-SHA256 is out of a fuzzer's reach:
 * every mutation fails the MAC and the parser behind it is never run. So
 * the harnesses take the fuzzer's bytes as a message *without* its MAC,
 * patch the few header fields the receive path checks before the parser
 * (version, body length, sender, receiver, a fresh sequence number) unless
 * told not to, and append a valid HMAC computed with the peer's key; the
 * body and the rest of the header are the fuzzer's.
 *
 * The input of the state-machine targets is a sequence of operations, one
 * byte of opcode and its arguments; test_deleg --corpus DIR writes seeds
 * of every kind from the unit tests' vectors.
 */
#ifndef FUZZ_DELEG_H
#define FUZZ_DELEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "haven_deleg.h"

/* The world of the state-machine targets. */
#define FZ_PHA_ID	1
#define FZ_N_PEERS	2		/* SHAs of the PHA, primaries of the SHA */
#define FZ_PEER_ID(i)	(11u + (i))	/* i = 0, 1 */
#define FZ_PHA_ADDR	0x010200c0u	/* 192.0.2.1 in network order */
#define FZ_PEER_ADDR(i)	(0x0b0200c0u + ((uint32_t)(i) << 24))	/* .11 .12 */

/* Operations (one opcode byte, then its arguments). */
enum fz_op {
	FZ_MSG = 0,	/* peer, len (2), body: patched, signed, delivered */
	FZ_MSG_AS_IS,	/* peer, len (2), body: signed only (header as is) */
	FZ_RAW,		/* len (2), bytes: delivered as they are */
	FZ_TICK,	/* n: time passes n x 10 ms, then a tick */
	FZ_DELEGATE,	/* binding, peer (PHA) */
	FZ_UNDELEGATE,	/* binding, reason */
	FZ_UPDATE,	/* binding, new CoA octet */
	FZ_MOVE,	/* binding, peer */
	FZ_FORGET,	/* binding (only when LOCAL, as a caller would) */
	FZ_SYNC,	/* peer */
	FZ_FLUSH,
	FZ_ANSWER,	/* which of the last requests, status: the SHA's
			 * answer to it, signed (PHA) */
	FZ_HEARTBEAT,	/* peer, digest choice, window: signed (PHA) */
	FZ_COUNT,	/* entry, packets: caller-updated counters (SHA) */
	FZ_OP_MAX,
};

struct fz_in {
	const uint8_t *p;
	size_t left;
};

static inline int
fz_u8(struct fz_in *in, uint8_t *v)
{
	if (in->left < 1)
		return -1;
	*v = *in->p++;
	in->left--;
	return 0;
}

static inline int
fz_u16(struct fz_in *in, uint16_t *v)
{
	if (in->left < 2)
		return -1;
	*v = (uint16_t)(in->p[0] << 8 | in->p[1]);
	in->p += 2;
	in->left -= 2;
	return 0;
}

static inline int
fz_bytes(struct fz_in *in, size_t n, const uint8_t **out)
{
	if (in->left < n)
		return -1;
	*out = in->p;
	in->p += n;
	in->left -= n;
	return 0;
}

/* The key of peer i (the same at both ends of the pair). */
static inline void
fz_key(unsigned int i, uint8_t key[32])
{
	unsigned int k;

	for (k = 0; k < 32; k++)
		key[k] = (uint8_t)(0x5a ^ (i * 37 + k * 11));
}

/*
 * Turn body[0..len) into a signed message in out (at most
 * HAVEN_DELEG_MAX_MSG): body is the message without its MAC. With patch,
 * the header fields the receive path checks first are set so that the
 * parser sees it: version 1, body length, sender, receiver, sequence
 * number. Returns the datagram length.
 */
static inline size_t
fz_sign(const uint8_t *body, size_t len, bool patch, uint32_t sender,
		uint32_t receiver, uint64_t seq, const uint8_t key[32],
		uint8_t *out)
{
	unsigned int mac_len = 0, i;

	if (len > HAVEN_DELEG_MAX_MSG - HAVEN_DELEG_MAC_LEN)
		len = HAVEN_DELEG_MAX_MSG - HAVEN_DELEG_MAC_LEN;
	memcpy(out, body, len);
	if (patch && len >= HAVEN_DELEG_HDR_LEN) {
		out[0] = HAVEN_DELEG_VERSION;
		out[2] = (uint8_t)((len - HAVEN_DELEG_HDR_LEN) >> 8);
		out[3] = (uint8_t)(len - HAVEN_DELEG_HDR_LEN);
		for (i = 0; i < 4; i++) {
			out[4 + i] = (uint8_t)(sender >> (24 - 8 * i));
			out[8 + i] = (uint8_t)(receiver >> (24 - 8 * i));
		}
		for (i = 0; i < 8; i++)
			out[12 + i] = (uint8_t)(seq >> (56 - 8 * i));
	}
	HMAC(EVP_sha256(), key, 32, out, len, out + len, &mac_len);
	return len + HAVEN_DELEG_MAC_LEN;
}

#endif /* FUZZ_DELEG_H */
