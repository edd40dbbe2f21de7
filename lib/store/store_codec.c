/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The record codec of lib/store: the bytes of every record kind (meta,
 * binding, replay, deleg) as docs/ha-sync-protocol.md section 5 specifies
 * them, in both directions, with a reason for every refusal.
 *
 * It is pure: bytes in, struct out; no LMDB, no DPDK, no allocation. The
 * LMDB glue stores what the encoder makes, and lib/sync streams the same
 * bytes to a standby primary, which decodes them with the same function,
 * so a record that is good on disk is good on the wire and the other way
 * round. Multi-byte integers are big-endian; addresses are written as
 * they travel in an IP header. Lengths are exact: a value one octet
 * longer or shorter than its fields say is malformed.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "haven_store.h"
#include "haven_wire.h"
#include "store_private.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static bool
family_ok(uint8_t f)
{
	return f == HAVEN_AF_INET || f == HAVEN_AF_INET6;
}

static size_t
family_len(uint8_t f)
{
	return f == HAVEN_AF_INET ? 4 : f == HAVEN_AF_INET6 ? 16 : 0;
}

/* An address field preceded by its family octet; returns octets used. */
static size_t
put_faddr(uint8_t *p, const struct haven_addr *a)
{
	size_t n = haven_addr_len(a);

	p[0] = a->family;
	memcpy(p + 1, a->bytes, n);
	return 1 + n;
}

static void
get_addr(const uint8_t *p, uint8_t family, struct haven_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->bytes, p, family_len(family));
}

/* A secondary's name: letters, digits, '.', '_' and '-' (as the config). */
static bool
name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= HAVEN_STORE_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
				s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* Printable ASCII identity text. */
static bool
identity_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= HAVEN_STORE_IDENTITY_LEN)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static bool
encap_ok(uint8_t family, uint8_t encap)
{
	if (family == HAVEN_AF_INET6)
		return encap == HAVEN_STORE_ENCAP_IP6IP6;
	return encap == HAVEN_STORE_ENCAP_IPIP ||
		encap == HAVEN_STORE_ENCAP_MINIMAL ||
		encap == HAVEN_STORE_ENCAP_GRE ||
		encap == HAVEN_STORE_ENCAP_UDP;
}

/* ------------------------------------------------------------------ */
/* Keys                                                               */
/* ------------------------------------------------------------------ */

int
haven_store_key(uint8_t kind, const struct haven_addr *home, uint32_t id,
	uint8_t *key)
{
	size_t n;

	switch (kind) {
	case HAVEN_STORE_META:
		key[0] = kind;
		return KEY_META_LEN;
	case HAVEN_STORE_BINDING:
	case HAVEN_STORE_REPLAY:
		if (home == NULL || !family_ok(home->family))
			return -EINVAL;
		n = haven_addr_len(home);
		key[0] = kind;
		key[1] = home->family;
		memcpy(key + KEY_ADDR_HDR, home->bytes, n);
		return (int)(KEY_ADDR_HDR + n);
	case HAVEN_STORE_DELEG:
		if (id == 0)
			return -EINVAL;
		key[0] = kind;
		haven_put_be32(key + 1, id);
		return KEY_DELEG_LEN;
	}
	return -EINVAL;
}

const char *
haven_store_kind_name(uint8_t kind)
{
	switch (kind) {
	case HAVEN_STORE_META:
		return "meta";
	case HAVEN_STORE_BINDING:
		return "binding";
	case HAVEN_STORE_REPLAY:
		return "replay";
	case HAVEN_STORE_DELEG:
		return "deleg";
	}
	return "unknown";
}

const char *
haven_store_key_str(const uint8_t *key, size_t key_len, char *buf,
	size_t size)
{
	char a[HAVEN_ADDR_STRLEN];
	struct haven_addr addr;
	size_t i, off;

	if (size == 0)
		return buf;
	if (key_len == KEY_META_LEN && key[0] == HAVEN_STORE_META) {
		snprintf(buf, size, "meta");
		return buf;
	}
	if (key_len >= KEY_ADDR_HDR &&
	    (key[0] == HAVEN_STORE_BINDING || key[0] == HAVEN_STORE_REPLAY) &&
	    family_ok(key[1]) && key_len == KEY_ADDR_HDR + family_len(key[1])) {
		get_addr(key + KEY_ADDR_HDR, key[1], &addr);
		snprintf(buf, size, "%s %s", haven_store_kind_name(key[0]),
			haven_addr_str(&addr, a));
		return buf;
	}
	if (key_len == KEY_DELEG_LEN && key[0] == HAVEN_STORE_DELEG) {
		snprintf(buf, size, "deleg %u", haven_get_be32(key + 1));
		return buf;
	}
	off = (size_t)snprintf(buf, size, "key 0x");
	for (i = 0; i < key_len && off + 3 < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%02x", key[i]);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Encoder                                                            */
/* ------------------------------------------------------------------ */

static int
check_binding(const struct haven_store_binding *b)
{
	unsigned int i;

	if (!family_ok(b->home.family) || haven_addr_is_zero(&b->home))
		return -EINVAL;
	if (b->n_coa < 1 || b->n_coa > HAVEN_STORE_MAX_COA)
		return -EINVAL;
	if (!encap_ok(b->home.family, b->encap) ||
	    (b->flags & ~HAVEN_STORE_F_ALL) != 0)
		return -EINVAL;
	for (i = 0; i < b->n_coa; i++)
		if (b->coa[i].addr.family != b->home.family ||
		    haven_addr_is_zero(&b->coa[i].addr))
			return -EINVAL;
	if (b->flags & HAVEN_STORE_F_NAT) {
		if (b->nat_addr.family != b->home.family ||
		    haven_addr_is_zero(&b->nat_addr) || b->nat_port == 0)
			return -EINVAL;
	} else if (b->encap == HAVEN_STORE_ENCAP_UDP) {
		return -EINVAL;
	}
	return 0;
}

static size_t
encode_binding(const struct haven_store_binding *b, uint8_t *v)
{
	struct haven_addr none;
	size_t off;
	unsigned int i;

	memset(&none, 0, sizeof(none));
	v[BIND_OFF_VERSION] = HAVEN_STORE_RECORD_VERSION;
	v[BIND_OFF_FLAGS] = b->flags;
	v[BIND_OFF_ENCAP] = b->encap;
	v[BIND_OFF_NCOA] = b->n_coa;
	haven_put_be32(v + BIND_OFF_SECONDARY, b->secondary_id);
	haven_put_be32(v + BIND_OFF_GENERATION, b->deleg_generation);
	haven_put_be64(v + BIND_OFF_REGISTERED, b->registered_ms);
	if (b->flags & HAVEN_STORE_F_NAT) {
		haven_put_be16(v + BIND_OFF_NAT_PORT, b->nat_port);
		off = BIND_OFF_NAT_FAMILY + put_faddr(v + BIND_OFF_NAT_FAMILY,
			&b->nat_addr);
	} else {
		haven_put_be16(v + BIND_OFF_NAT_PORT, 0);
		off = BIND_OFF_NAT_FAMILY + put_faddr(v + BIND_OFF_NAT_FAMILY,
			&none);
	}
	for (i = 0; i < b->n_coa; i++) {
		off += put_faddr(v + off, &b->coa[i].addr);
		haven_put_be32(v + off, b->coa[i].lifetime_s);
		haven_put_be64(v + off + 4, b->coa[i].expires_ms);
		off += 12;
	}
	return off;
}

static size_t
encode_replay(const struct haven_store_replay *r, uint8_t *v)
{
	v[0] = HAVEN_STORE_RECORD_VERSION;
	v[REPLAY_OFF_FLAGS] = r->flags;
	haven_put_be16(v + REPLAY_OFF_SEQ6, r->mip6_seq);
	haven_put_be32(v + REPLAY_OFF_RESERVED, 0);
	haven_put_be64(v + REPLAY_OFF_ID4, r->mip4_id);
	haven_put_be64(v + REPLAY_OFF_TS6, r->mip6_timestamp);
	haven_put_be64(v + REPLAY_OFF_UPDATED, r->updated_ms);
	return REPLAY_LEN;
}

static int
check_replay(const struct haven_store_replay *r)
{
	uint8_t allowed;

	if (!family_ok(r->home.family) || haven_addr_is_zero(&r->home))
		return -EINVAL;
	allowed = r->home.family == HAVEN_AF_INET ? HAVEN_STORE_R_MIP4_ID :
		HAVEN_STORE_R_MIP6_SEQ | HAVEN_STORE_R_MIP6_TS;
	if ((r->flags & ~allowed) != 0)
		return -EINVAL;
	if ((!(r->flags & HAVEN_STORE_R_MIP4_ID) && r->mip4_id != 0) ||
	    (!(r->flags & HAVEN_STORE_R_MIP6_SEQ) && r->mip6_seq != 0) ||
	    (!(r->flags & HAVEN_STORE_R_MIP6_TS) && r->mip6_timestamp != 0))
		return -EINVAL;
	return 0;
}

static size_t
encode_deleg(const struct haven_store_deleg *d, uint8_t *v)
{
	size_t name_len = strnlen(d->name, HAVEN_STORE_NAME_LEN);
	size_t off;

	v[0] = HAVEN_STORE_RECORD_VERSION;
	v[DELEG_OFF_FLAGS] = d->boot_known ? DELEG_F_BOOT_KNOWN : 0;
	v[DELEG_OFF_NAME_LEN] = (uint8_t)name_len;
	v[DELEG_OFF_FAMILY] = d->addr.family;
	haven_put_be32(v + DELEG_OFF_GENERATION, d->generation);
	haven_put_be32(v + DELEG_OFF_BOOT_ID, d->boot_known ? d->boot_id : 0);
	haven_put_be64(v + DELEG_OFF_LAST_SEQ, d->last_seq);
	off = DELEG_FIXED_LEN;
	memcpy(v + off, d->addr.bytes, haven_addr_len(&d->addr));
	off += haven_addr_len(&d->addr);
	memcpy(v + off, d->name, name_len);
	return off + name_len;
}

static int
check_deleg(const struct haven_store_deleg *d)
{
	if (d->secondary_id == 0 || !family_ok(d->addr.family) ||
	    haven_addr_is_zero(&d->addr) ||
	    !name_ok(d->name, strnlen(d->name, HAVEN_STORE_NAME_LEN)))
		return -EINVAL;
	return 0;
}

static size_t
encode_meta(const struct haven_store_meta *m, uint8_t *v)
{
	size_t n = strnlen(m->identity, HAVEN_STORE_IDENTITY_LEN);

	v[0] = HAVEN_STORE_RECORD_VERSION;
	v[META_OFF_RESERVED] = 0;
	haven_put_be16(v + META_OFF_FORMAT, m->format);
	memcpy(v + META_OFF_MAGIC, HAVEN_STORE_MAGIC, MAGIC_LEN);
	haven_put_be32(v + META_OFF_AGENT_ID, m->agent_id);
	haven_put_be64(v + META_OFF_CREATED, m->created_ms);
	v[META_OFF_IDENT_LEN] = (uint8_t)n;
	memcpy(v + META_FIXED_LEN, m->identity, n);
	return META_FIXED_LEN + n;
}

int
haven_store_encode(const struct haven_store_record *r, uint8_t *key,
	size_t *key_len, uint8_t *val, size_t *val_len)
{
	int klen;

	if (r == NULL || key == NULL || val == NULL || key_len == NULL ||
	    val_len == NULL)
		return -EINVAL;
	switch (r->kind) {
	case HAVEN_STORE_BINDING:
		if (check_binding(&r->u.binding) < 0)
			return -EINVAL;
		klen = haven_store_key(r->kind, &r->u.binding.home, 0, key);
		*val_len = encode_binding(&r->u.binding, val);
		break;
	case HAVEN_STORE_REPLAY:
		if (check_replay(&r->u.replay) < 0)
			return -EINVAL;
		klen = haven_store_key(r->kind, &r->u.replay.home, 0, key);
		*val_len = encode_replay(&r->u.replay, val);
		break;
	case HAVEN_STORE_DELEG:
		if (check_deleg(&r->u.deleg) < 0)
			return -EINVAL;
		klen = haven_store_key(r->kind, NULL, r->u.deleg.secondary_id,
			key);
		*val_len = encode_deleg(&r->u.deleg, val);
		break;
	case HAVEN_STORE_META:
		if (!identity_ok(r->u.meta.identity,
				strnlen(r->u.meta.identity,
					HAVEN_STORE_IDENTITY_LEN)))
			return -EINVAL;
		klen = haven_store_key(r->kind, NULL, 0, key);
		*val_len = encode_meta(&r->u.meta, val);
		break;
	default:
		return -EINVAL;
	}
	if (klen < 0)
		return klen;
	*key_len = (size_t)klen;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Decoder: each field checked in one line with a reason              */
/* ------------------------------------------------------------------ */

#define BAD(...) do {							\
	haven_set_reason(err, errlen, __VA_ARGS__);			\
	return -EBADMSG;						\
} while (0)

static int
decode_binding(const uint8_t *v, size_t len, struct haven_store_binding *b,
	char *err, size_t errlen)
{
	uint8_t nat_family, family = b->home.family;
	size_t off, need;
	unsigned int i;

	if (len < BIND_FIXED_LEN)
		BAD("binding value of %zu octets, shorter than %d", len,
			BIND_FIXED_LEN);
	b->flags = v[BIND_OFF_FLAGS];
	b->encap = v[BIND_OFF_ENCAP];
	b->n_coa = v[BIND_OFF_NCOA];
	b->secondary_id = haven_get_be32(v + BIND_OFF_SECONDARY);
	b->deleg_generation = haven_get_be32(v + BIND_OFF_GENERATION);
	b->registered_ms = haven_get_be64(v + BIND_OFF_REGISTERED);
	b->nat_port = haven_get_be16(v + BIND_OFF_NAT_PORT);
	nat_family = v[BIND_OFF_NAT_FAMILY];
	if ((b->flags & ~HAVEN_STORE_F_ALL) != 0)
		BAD("binding flags 0x%02x: unknown bits", b->flags);
	if (!encap_ok(family, b->encap))
		BAD("binding encap %u is not one of IPv%u", b->encap, family);
	if (b->n_coa < 1 || b->n_coa > HAVEN_STORE_MAX_COA)
		BAD("binding with %u care-of addresses (1..%d)", b->n_coa,
			HAVEN_STORE_MAX_COA);
	if (b->flags & HAVEN_STORE_F_NAT) {
		if (nat_family != family)
			BAD("NAT address of family %u in an IPv%u binding",
				nat_family, family);
		if (b->nat_port == 0)
			BAD("NAT port 0");
	} else {
		if (nat_family != 0 || b->nat_port != 0)
			BAD("NAT address or port without the NAT flag");
		if (b->encap == HAVEN_STORE_ENCAP_UDP)
			BAD("UDP encapsulation without the NAT flag");
	}
	need = BIND_FIXED_LEN + family_len(nat_family) +
		b->n_coa * (COA_FIXED_LEN + family_len(family));
	if (len != need)
		BAD("binding value of %zu octets, its fields make %zu", len,
			need);
	off = BIND_FIXED_LEN;
	get_addr(v + off, nat_family, &b->nat_addr);
	if ((b->flags & HAVEN_STORE_F_NAT) && haven_addr_is_zero(&b->nat_addr))
		BAD("NAT address is the unspecified address");
	off += family_len(nat_family);
	for (i = 0; i < b->n_coa; i++) {
		struct haven_store_coa *c = &b->coa[i];

		if (v[off] != family)
			BAD("care-of address %u of family %u in an IPv%u binding",
				i + 1, v[off], family);
		get_addr(v + off + 1, family, &c->addr);
		if (haven_addr_is_zero(&c->addr))
			BAD("care-of address %u is the unspecified address",
				i + 1);
		off += 1 + family_len(family);
		c->lifetime_s = haven_get_be32(v + off);
		c->expires_ms = haven_get_be64(v + off + 4);
		off += 12;
	}
	return 0;
}

static int
decode_replay(const uint8_t *v, size_t len, struct haven_store_replay *r,
	char *err, size_t errlen)
{
	uint8_t allowed;

	if (len != REPLAY_LEN)
		BAD("replay value of %zu octets, not %d", len, REPLAY_LEN);
	r->flags = v[REPLAY_OFF_FLAGS];
	r->mip6_seq = haven_get_be16(v + REPLAY_OFF_SEQ6);
	r->mip4_id = haven_get_be64(v + REPLAY_OFF_ID4);
	r->mip6_timestamp = haven_get_be64(v + REPLAY_OFF_TS6);
	r->updated_ms = haven_get_be64(v + REPLAY_OFF_UPDATED);
	allowed = r->home.family == HAVEN_AF_INET ? HAVEN_STORE_R_MIP4_ID :
		HAVEN_STORE_R_MIP6_SEQ | HAVEN_STORE_R_MIP6_TS;
	if ((r->flags & ~allowed) != 0)
		BAD("replay flags 0x%02x not those of an IPv%u node", r->flags,
			r->home.family);
	if (haven_get_be32(v + REPLAY_OFF_RESERVED) != 0)
		BAD("replay reserved octets not zero");
	if ((!(r->flags & HAVEN_STORE_R_MIP4_ID) && r->mip4_id != 0) ||
	    (!(r->flags & HAVEN_STORE_R_MIP6_SEQ) && r->mip6_seq != 0) ||
	    (!(r->flags & HAVEN_STORE_R_MIP6_TS) && r->mip6_timestamp != 0))
		BAD("replay field set without its flag");
	return 0;
}

static int
decode_deleg(const uint8_t *v, size_t len, struct haven_store_deleg *d,
	char *err, size_t errlen)
{
	uint8_t flags, name_len, family;
	size_t need;

	if (len < DELEG_FIXED_LEN)
		BAD("deleg value of %zu octets, shorter than %d", len,
			DELEG_FIXED_LEN);
	flags = v[DELEG_OFF_FLAGS];
	name_len = v[DELEG_OFF_NAME_LEN];
	family = v[DELEG_OFF_FAMILY];
	if ((flags & ~DELEG_F_BOOT_KNOWN) != 0)
		BAD("deleg flags 0x%02x: unknown bits", flags);
	if (!family_ok(family))
		BAD("deleg address family %u", family);
	if (name_len < 1 || name_len >= HAVEN_STORE_NAME_LEN)
		BAD("deleg name of %u octets (1..%d)", name_len,
			HAVEN_STORE_NAME_LEN - 1);
	need = DELEG_FIXED_LEN + family_len(family) + name_len;
	if (len != need)
		BAD("deleg value of %zu octets, its fields make %zu", len,
			need);
	d->boot_known = (flags & DELEG_F_BOOT_KNOWN) != 0;
	d->generation = haven_get_be32(v + DELEG_OFF_GENERATION);
	d->boot_id = haven_get_be32(v + DELEG_OFF_BOOT_ID);
	d->last_seq = haven_get_be64(v + DELEG_OFF_LAST_SEQ);
	if (!d->boot_known && d->boot_id != 0)
		BAD("deleg boot id without its flag");
	get_addr(v + DELEG_FIXED_LEN, family, &d->addr);
	if (haven_addr_is_zero(&d->addr))
		BAD("deleg address is the unspecified address");
	memcpy(d->name, v + DELEG_FIXED_LEN + family_len(family), name_len);
	d->name[name_len] = '\0';
	if (!name_ok(d->name, name_len))
		BAD("deleg name is not letters, digits, '.', '_' and '-'");
	return 0;
}

static int
decode_meta(const uint8_t *v, size_t len, struct haven_store_meta *m,
	char *err, size_t errlen)
{
	uint8_t n;

	if (len < META_FIXED_LEN)
		BAD("meta value of %zu octets, shorter than %d", len,
			META_FIXED_LEN);
	if (memcmp(v + META_OFF_MAGIC, HAVEN_STORE_MAGIC, MAGIC_LEN) != 0)
		BAD("meta magic is not \"%s\"", HAVEN_STORE_MAGIC);
	if (v[META_OFF_RESERVED] != 0)
		BAD("meta reserved octet not zero");
	m->format = haven_get_be16(v + META_OFF_FORMAT);
	m->agent_id = haven_get_be32(v + META_OFF_AGENT_ID);
	m->created_ms = haven_get_be64(v + META_OFF_CREATED);
	n = v[META_OFF_IDENT_LEN];
	if (len != (size_t)META_FIXED_LEN + n)
		BAD("meta value of %zu octets, its fields make %u", len,
			META_FIXED_LEN + n);
	if (m->format == 0)
		BAD("meta format 0");
	memcpy(m->identity, v + META_FIXED_LEN, n);
	m->identity[n < HAVEN_STORE_IDENTITY_LEN ? n : 0] = '\0';
	if (!identity_ok((const char *)v + META_FIXED_LEN, n))
		BAD("meta identity of %u octets is not 1..%d printable octets",
			n, HAVEN_STORE_IDENTITY_LEN - 1);
	return 0;
}

int
haven_store_decode(const uint8_t *key, size_t key_len, const uint8_t *val,
	size_t val_len, struct haven_store_record *r, char *err,
	size_t errlen)
{
	struct haven_addr home;
	uint8_t kind;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (key == NULL || r == NULL || (val == NULL && val_len > 0))
		BAD("no key or record");
	memset(r, 0, sizeof(*r));
	if (key_len == 0)
		BAD("empty key");
	kind = key[0];
	r->kind = kind;

	/* the key */
	switch (kind) {
	case HAVEN_STORE_META:
		if (key_len != KEY_META_LEN)
			BAD("meta key of %zu octets, not 1", key_len);
		break;
	case HAVEN_STORE_BINDING:
	case HAVEN_STORE_REPLAY:
		if (key_len < KEY_ADDR_HDR || !family_ok(key[1]))
			BAD("%s key without a family 4 or 6",
				haven_store_kind_name(kind));
		if (key_len != KEY_ADDR_HDR + family_len(key[1]))
			BAD("%s key of %zu octets for family %u",
				haven_store_kind_name(kind), key_len, key[1]);
		get_addr(key + KEY_ADDR_HDR, key[1], &home);
		if (haven_addr_is_zero(&home))
			BAD("%s key holds the unspecified address",
				haven_store_kind_name(kind));
		if (kind == HAVEN_STORE_BINDING)
			r->u.binding.home = home;
		else
			r->u.replay.home = home;
		break;
	case HAVEN_STORE_DELEG:
		if (key_len != KEY_DELEG_LEN)
			BAD("deleg key of %zu octets, not 5", key_len);
		r->u.deleg.secondary_id = haven_get_be32(key + 1);
		if (r->u.deleg.secondary_id == 0)
			BAD("deleg key holds secondary id 0");
		break;
	default:
		BAD("unknown record kind %u", kind);
	}

	/* the value's version */
	if (val_len == 0)
		BAD("%s value is empty", haven_store_kind_name(kind));
	if (val[0] == 0)
		BAD("%s value of record version 0", haven_store_kind_name(kind));
	if (val[0] > HAVEN_STORE_RECORD_VERSION) {
		haven_set_reason(err, errlen,
			"%s value of record version %u, newer than this build reads (%d)",
			haven_store_kind_name(kind), val[0],
			HAVEN_STORE_RECORD_VERSION);
		return -EPROTONOSUPPORT;
	}

	switch (kind) {
	case HAVEN_STORE_META:
		return decode_meta(val, val_len, &r->u.meta, err, errlen);
	case HAVEN_STORE_BINDING:
		return decode_binding(val, val_len, &r->u.binding, err, errlen);
	case HAVEN_STORE_REPLAY:
		return decode_replay(val, val_len, &r->u.replay, err, errlen);
	case HAVEN_STORE_DELEG:
		return decode_deleg(val, val_len, &r->u.deleg, err, errlen);
	}
	BAD("unknown record kind %u", kind);
}
