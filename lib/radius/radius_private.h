/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to lib/radius: MD5 and HMAC-MD5 over several pieces, which both
 * the codec (authenticators of a message with one field substituted) and
 * the tests need without copying a 4 KB message.
 */
#ifndef HAVEN_RADIUS_PRIVATE_H
#define HAVEN_RADIUS_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * OpenSSL 3 marks the low-level MD5 functions deprecated but keeps them;
 * they are the only interface with a plain struct state that can be
 * copied and updated in pieces without an allocation (see mip4_auth.c).
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>

#define RADIUS_MD5_LEN 16

/* HMAC-MD5 (RFC 2104) in pieces. */
struct radius_hmac {
	MD5_CTX inner;
	MD5_CTX outer;
};

void radius_hmac_init(struct radius_hmac *h, const uint8_t *key, size_t len);
void radius_hmac_update(struct radius_hmac *h, const void *p, size_t len);
void radius_hmac_final(struct radius_hmac *h, uint8_t out[RADIUS_MD5_LEN]);

/* Constant-time comparison: 0 when equal. */
int radius_ct_cmp(const uint8_t *a, const uint8_t *b, size_t len);

struct haven_radius_request;

/* A request the engine accepts (kind, status, NAI and session id). */
bool radius_request_ok(const struct haven_radius_request *req);

struct haven_radius_client;

/* Results are ready for haven_radius_client_poll(). */
bool radius_client_has_results(const struct haven_radius_client *c);

#endif /* HAVEN_RADIUS_PRIVATE_H */
