/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The LMDB glue of lib/store: open a store and check what it is, buffer
 * changes, commit them in one write transaction per tick, sync them as
 * the policy says, and read them back (restore at start, scan for the
 * bulk resync of a standby).
 *
 * One thread writes: the control lcore. Every put or delete is encoded at
 * once into a buffer (an arena of bytes and a list of operations, both
 * sized at open, so nothing is allocated afterwards), and
 * haven_store_tick() applies the whole buffer in one LMDB write
 * transaction (haven_store_poll() lets a busy loop gather a larger one),
 * through one cursor, appending keys that come after the last. LMDB's copy-on-write B+tree makes each commit atomic: after
 * a crash the store holds exactly the transactions committed before it,
 * never half of one. With the interval policy the commits do not fsync
 * (MDB_NOSYNC) and a thread of this library calls mdb_env_sync() every
 * interval when something was committed; it takes no transaction, so it
 * never waits for the control lcore nor the other way round.
 *
 * Opening is where an operator meets a broken store, so it is careful: a
 * directory already used by another process (an flock on haven.lock), a
 * file that is not LMDB, a data file shorter than its own meta page says,
 * an LMDB environment without Haven's meta record, a newer format, another
 * agent's identity: each gets a message saying what is wrong and what to
 * do, and the store is left as it was unless the caller asked for reset,
 * which renames the directory aside (never deletes it) and starts empty.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "haven_store.h"
#include "haven_wire.h"
#include "store_private.h"

/* Buffered operations. */
enum {
	OP_PUT,
	OP_DEL,
	OP_RANGE,	/* key: lo (exclusive); value: hi (inclusive) */
};

#define RANGE_TO_END	0x1	/* OP_RANGE without hi */
#define MIN_MAP_SIZE	(1ull << 20)	/* 1 MiB: room for a few pages */
#define MAX_BATCH	(1u << 20)	/* changes buffered, upper bound */
#define LOCK_FILE	"haven.lock"
#define DATA_FILE	"data.mdb"

struct pending_op {
	uint8_t op;
	uint8_t flags;
	uint8_t klen;
	uint8_t vlen_hi;	/* value length: 16 bits in two octets */
	uint8_t vlen_lo;
	uint32_t off;		/* of the key in the arena; value follows */
};

struct haven_store {
	MDB_env *env;
	MDB_dbi dbi;
	int lock_fd;
	char path[STORE_PATH_MAX];
	enum haven_store_sync sync;
	uint32_t sync_interval_ms;
	struct haven_store_meta meta;

	/* the buffer of changes (control lcore only) */
	struct pending_op *ops;
	uint32_t n_ops, max_ops;
	uint64_t first_op_us;		/* when the oldest pending was buffered */
	uint8_t *arena;
	size_t arena_used, arena_size;

	/* the sync thread (HAVEN_STORE_SYNC_INTERVAL) */
	pthread_t thread;
	bool thread_running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stopping;
	uint64_t committed_gen;		/* atomic: bumped by every commit */

	haven_store_observer_fn observer;	/* every change, as buffered */
	void *observer_ctx;

	struct haven_store_stats st;	/* syncs, last_sync_us, errors,
					  * last_error: atomic */
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                      */
/* ------------------------------------------------------------------ */

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000;
}

/* An LMDB return code as a negative errno. */
static int
mdb_errno(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_MAP_FULL:
		return -ENOSPC;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
		return -ENOTRECOVERABLE;
	case MDB_READERS_FULL:
	case MDB_TXN_FULL:
	case MDB_CURSOR_FULL:
	case MDB_PAGE_FULL:
		return -ENOMEM;
	}
	return rc > 0 ? -rc : -EIO;
}

static void
count_error(struct haven_store *s, int rc)
{
	__atomic_add_fetch(&s->st.errors, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->st.last_error, rc, __ATOMIC_RELAXED);
}

/* What the operator can do, appended to every refusal at open. */
#define WAY_FORWARD \
	"; move the directory aside (mv %s %s.broken) or start haven with " \
	"--store-reset (it renames the directory to %s.reset-<time> and " \
	"starts empty; the bindings in it are not restored)"

static int
refuse(char *err, size_t errlen, const char *path, int e, const char *what,
	const char *detail)
{
	haven_set_reason(err, errlen, "store %s: %s%s" WAY_FORWARD, path, what,
		detail, path, path, path);
	errno = e;
	return -e;
}

/* ------------------------------------------------------------------ */
/* The sync thread                                                    */
/* ------------------------------------------------------------------ */

static void *
sync_thread(void *arg)
{
	struct haven_store *s = arg;
	uint64_t synced = 0, gen, t0;
	struct timespec until;
	int rc;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(s->sync_interval_ms % 1000) * 1000000;
		until.tv_sec += s->sync_interval_ms / 1000 +
			until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&s->cond, &s->lock, &until);
		if (s->stopping)
			break;
		gen = __atomic_load_n(&s->committed_gen, __ATOMIC_ACQUIRE);
		if (gen == synced)
			continue;
		pthread_mutex_unlock(&s->lock);
		t0 = mono_us();
		rc = mdb_env_sync(s->env, 1);
		if (rc != 0) {
			count_error(s, rc);
		} else {
			synced = gen;
			__atomic_store_n(&s->st.last_sync_us, mono_us() - t0,
				__ATOMIC_RELAXED);
			__atomic_add_fetch(&s->st.syncs, 1, __ATOMIC_RELAXED);
		}
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Open                                                               */
/* ------------------------------------------------------------------ */

static void
close_env(struct haven_store *s)
{
	if (s->env != NULL) {
		mdb_env_close(s->env);
		s->env = NULL;
	}
	if (s->lock_fd >= 0) {
		close(s->lock_fd);
		s->lock_fd = -1;
	}
}

/*
 * The data file must hold every page its meta page counts; reading past
 * its end through the map would be a SIGBUS, so check before any read.
 */
static int
check_truncation(struct haven_store *s, char *err, size_t errlen)
{
	char file[STORE_PATH_MAX + 16], detail[160];
	MDB_envinfo info;
	MDB_stat st;
	struct stat sb;
	uint64_t need;

	snprintf(file, sizeof(file), "%s/" DATA_FILE, s->path);
	if (stat(file, &sb) < 0)
		return 0;
	if (mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0)
		return refuse(err, errlen, s->path, ENOTRECOVERABLE,
			"cannot read the LMDB meta pages", "");
	need = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
	if ((uint64_t)sb.st_size < need) {
		snprintf(detail, sizeof(detail),
			" (" DATA_FILE " holds %lld octets, its meta page counts %llu)",
			(long long)sb.st_size, (unsigned long long)need);
		return refuse(err, errlen, s->path, ENOTRECOVERABLE,
			"the data file is truncated", detail);
	}
	return 0;
}

/* Read or create the meta record and judge it. */
static int
check_meta(struct haven_store *s, const struct haven_store_params *p,
	char *err, size_t errlen)
{
	uint8_t kbuf[HAVEN_STORE_KEY_MAX], vbuf[HAVEN_STORE_VALUE_MAX];
	char reason[160], detail[320];
	struct haven_store_record r;
	MDB_val k, v;
	MDB_txn *txn = NULL;
	MDB_stat st;
	size_t klen, vlen;
	int rc, e;

	rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc == 0)
		rc = mdb_dbi_open(txn, NULL, 0, &s->dbi);
	if (rc != 0) {
		if (txn != NULL)
			mdb_txn_abort(txn);
		e = -mdb_errno(rc);
		snprintf(detail, sizeof(detail), " (%s)", mdb_strerror(rc));
		return refuse(err, errlen, s->path,
			e == ENOTRECOVERABLE ? ENOTRECOVERABLE : e,
			"cannot open its database", detail);
	}
	kbuf[0] = HAVEN_STORE_META;
	k.mv_size = KEY_META_LEN;
	k.mv_data = kbuf;
	rc = mdb_get(txn, s->dbi, &k, &v);
	if (rc == MDB_NOTFOUND) {
		rc = mdb_stat(txn, s->dbi, &st);
		if (rc == 0 && st.ms_entries != 0) {
			mdb_txn_abort(txn);
			snprintf(detail, sizeof(detail),
				" (an LMDB environment of %zu records without Haven's meta record)",
				(size_t)st.ms_entries);
			return refuse(err, errlen, s->path, EMEDIUMTYPE,
				"not a Haven store", detail);
		}
		/* a new store: write the meta record */
		memset(&r, 0, sizeof(r));
		r.kind = HAVEN_STORE_META;
		r.u.meta.format = HAVEN_STORE_FORMAT;
		r.u.meta.agent_id = p->agent_id;
		r.u.meta.created_ms = wall_ms();
		snprintf(r.u.meta.identity, sizeof(r.u.meta.identity), "%s",
			p->identity);
		if (haven_store_encode(&r, kbuf, &klen, vbuf, &vlen) < 0) {
			mdb_txn_abort(txn);
			haven_set_reason(err, errlen,
				"store %s: identity \"%s\" is not 1..%d printable characters",
				s->path, p->identity,
				HAVEN_STORE_IDENTITY_LEN - 1);
			errno = EINVAL;
			return -EINVAL;
		}
		k.mv_size = klen;
		v.mv_size = vlen;
		v.mv_data = vbuf;
		rc = mdb_put(txn, s->dbi, &k, &v, 0);
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
		if (rc != 0) {
			haven_set_reason(err, errlen,
				"store %s: cannot write its meta record (%s)",
				s->path, mdb_strerror(rc));
			errno = -mdb_errno(rc);
			return mdb_errno(rc);
		}
		s->meta = r.u.meta;
		return 0;
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		snprintf(detail, sizeof(detail), " (%s)", mdb_strerror(rc));
		return refuse(err, errlen, s->path, ENOTRECOVERABLE,
			"cannot read its meta record", detail);
	}
	rc = haven_store_decode(k.mv_data, k.mv_size, v.mv_data, v.mv_size,
		&r, reason, sizeof(reason));
	mdb_txn_abort(txn);
	if (rc == -EPROTONOSUPPORT || (rc == 0 &&
			r.u.meta.format > HAVEN_STORE_FORMAT)) {
		snprintf(detail, sizeof(detail),
			" (format %u; this build reads up to %d): run the newer build, or",
			rc == 0 ? r.u.meta.format : 0, HAVEN_STORE_FORMAT);
		return refuse(err, errlen, s->path, EPROTONOSUPPORT,
			"written by a newer Haven", detail);
	}
	if (rc < 0) {
		snprintf(detail, sizeof(detail), " (meta record: %s)", reason);
		return refuse(err, errlen, s->path, EMEDIUMTYPE,
			"not a Haven store", detail);
	}
	if (strcmp(r.u.meta.identity, p->identity) != 0) {
		snprintf(detail, sizeof(detail),
			" \"%s\" (agent id %u), not to this agent \"%s\"",
			r.u.meta.identity, r.u.meta.agent_id, p->identity);
		return refuse(err, errlen, s->path, EMEDIUMTYPE,
			"belongs to the agent", detail);
	}
	s->meta = r.u.meta;
	return 0;
}

/* Open the LMDB environment in s->path and judge it; 0 or -errno. */
static int
open_env(struct haven_store *s, const struct haven_store_params *p,
	char *err, size_t errlen)
{
	char file[STORE_PATH_MAX + 16], detail[160];
	unsigned int flags = MDB_NOTLS | MDB_NORDAHEAD;
	struct stat sb;
	int rc, e;

	if (mkdir(s->path, 0700) < 0 && errno != EEXIST) {
		e = errno;
		haven_set_reason(err, errlen,
			"store %s: cannot create the directory (%s)", s->path,
			strerror(e));
		errno = e;
		return -e;
	}
	if (stat(s->path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		haven_set_reason(err, errlen,
			"store %s: not a directory (store.path names a directory that holds "
			DATA_FILE ")", s->path);
		errno = ENOTDIR;
		return -ENOTDIR;
	}
	snprintf(file, sizeof(file), "%s/" LOCK_FILE, s->path);
	s->lock_fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0) {
		e = errno;
		haven_set_reason(err, errlen, "store %s: cannot open %s (%s)",
			s->path, file, strerror(e));
		errno = e;
		return -e;
	}
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		e = errno;
		close(s->lock_fd);
		s->lock_fd = -1;
		haven_set_reason(err, errlen,
			"store %s: in use by another process (%s is locked); stop it first",
			s->path, file);
		errno = e == EWOULDBLOCK ? EBUSY : e;
		return -errno;
	}

	if (s->sync != HAVEN_STORE_SYNC_EVERY_COMMIT)
		flags |= MDB_NOSYNC;
	rc = mdb_env_create(&s->env);
	if (rc == 0)
		rc = mdb_env_set_mapsize(s->env, p->map_size != 0 ?
			p->map_size : HAVEN_STORE_DEFAULT_MAP_SIZE);
	if (rc == 0)
		rc = mdb_env_open(s->env, s->path, flags, 0600);
	if (rc != 0) {
		e = -mdb_errno(rc);
		if (s->env != NULL) {
			mdb_env_close(s->env);
			s->env = NULL;
		}
		close(s->lock_fd);
		s->lock_fd = -1;
		snprintf(detail, sizeof(detail), " (%s)", mdb_strerror(rc));
		if (e == ENOTRECOVERABLE)
			return refuse(err, errlen, s->path, e,
				"not an LMDB store, or a corrupt one", detail);
		haven_set_reason(err, errlen, "store %s: cannot open it%s",
			s->path, detail);
		errno = e;
		return -e;
	}
	if (check_truncation(s, err, errlen) < 0 ||
	    check_meta(s, p, err, errlen) < 0) {
		e = errno;
		close_env(s);
		errno = e;
		return -e;
	}
	return 0;
}

/* Rename the directory aside; the new name goes into moved. */
static int
move_aside(const char *path, char *moved, size_t size)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(moved, size, "%s.reset-%s", path, stamp);
	if (access(moved, F_OK) == 0)
		snprintf(moved, size, "%s.reset-%s-%d", path, stamp,
			(int)getpid());
	return rename(path, moved) < 0 ? -errno : 0;
}

struct haven_store *
haven_store_open(const struct haven_store_params *p, char *err,
	size_t errlen)
{
	char first[512], moved[STORE_PATH_MAX + 40];
	struct haven_store *s;
	size_t len;
	int rc, e;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (p == NULL || p->path == NULL || p->path[0] == '\0' ||
	    strlen(p->path) >= STORE_PATH_MAX ||
	    p->identity == NULL || p->identity[0] == '\0' ||
	    strlen(p->identity) >= HAVEN_STORE_IDENTITY_LEN ||
	    (p->map_size != 0 && p->map_size < MIN_MAP_SIZE) ||
	    p->max_batch > MAX_BATCH ||
	    p->sync > HAVEN_STORE_SYNC_NONE) {
		haven_set_reason(err, errlen,
			"store: bad parameters (path of 1..%d octets, identity of 1..%d, map size >= 1 MiB, max batch <= %u, a sync policy)",
			STORE_PATH_MAX - 1,
			HAVEN_STORE_IDENTITY_LEN - 1, MAX_BATCH);
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->lock_fd = -1;
	len = strlen(p->path);
	memcpy(s->path, p->path, len);
	while (len > 1 && s->path[len - 1] == '/')
		s->path[--len] = '\0';
	s->sync = p->sync;
	s->sync_interval_ms = p->sync_interval_ms != 0 ? p->sync_interval_ms :
		HAVEN_STORE_DEFAULT_SYNC_INTERVAL_MS;
	s->max_ops = p->max_batch != 0 ? p->max_batch :
		HAVEN_STORE_DEFAULT_MAX_BATCH;
	s->arena_size = (size_t)s->max_ops *
		(HAVEN_STORE_KEY_MAX + HAVEN_STORE_VALUE_MAX);
	s->ops = calloc(s->max_ops, sizeof(*s->ops));
	s->arena = malloc(s->arena_size);
	if (s->ops == NULL || s->arena == NULL) {
		free(s->ops);
		free(s->arena);
		free(s);
		errno = ENOMEM;
		return NULL;
	}

	rc = open_env(s, p, err, errlen);
	if (rc < 0 && p->reset && (rc == -ENOTRECOVERABLE ||
			rc == -EMEDIUMTYPE || rc == -EPROTONOSUPPORT)) {
		snprintf(first, sizeof(first), "%s", err != NULL ? err : "");
		e = move_aside(s->path, moved, sizeof(moved));
		if (e < 0) {
			haven_set_reason(err, errlen,
				"store %s: cannot move it aside to %s (%s); the store was: %s",
				s->path, moved, strerror(-e), first);
			rc = e;
		} else {
			rc = open_env(s, p, err, errlen);
			if (rc == 0)
				haven_set_reason(err, errlen,
					"store %s: reset: the old store was moved to %s and a new empty one created (it was refused: %.200s)",
					s->path, moved, first);
		}
	}
	if (rc < 0) {
		e = -rc;
		free(s->ops);
		free(s->arena);
		free(s);
		errno = e;
		return NULL;
	}

	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (s->sync == HAVEN_STORE_SYNC_INTERVAL) {
		if (pthread_create(&s->thread, NULL, sync_thread, s) != 0) {
			haven_set_reason(err, errlen,
				"store %s: cannot start its sync thread",
				s->path);
			close_env(s);
			free(s->ops);
			free(s->arena);
			free(s);
			errno = EAGAIN;
			return NULL;
		}
		pthread_setname_np(s->thread, "haven-store");
		s->thread_running = true;
	}
	s->st.map_size = p->map_size != 0 ? p->map_size :
		HAVEN_STORE_DEFAULT_MAP_SIZE;
	return s;
}

/* ------------------------------------------------------------------ */
/* Buffering                                                          */
/* ------------------------------------------------------------------ */

static int commit(struct haven_store *s);

/* Room for one more operation of n octets, committing if needed. */
static int
make_room(struct haven_store *s, size_t n)
{
	int rc;

	if (s->n_ops < s->max_ops && s->arena_used + n <= s->arena_size)
		return 0;
	rc = commit(s);
	if (rc < 0) {
		s->st.dropped++;
		return rc;
	}
	return 0;
}

static int
buffer_op(struct haven_store *s, uint8_t op, uint8_t flags,
	const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
	struct pending_op *o;
	int rc;

	if (klen > HAVEN_STORE_KEY_MAX || vlen > HAVEN_STORE_VALUE_MAX)
		return -EINVAL;
	rc = make_room(s, klen + vlen);
	if (rc < 0)
		return rc;
	if (s->n_ops == 0)
		s->first_op_us = mono_us();
	o = &s->ops[s->n_ops++];
	o->op = op;
	o->flags = flags;
	o->klen = (uint8_t)klen;
	o->vlen_hi = (uint8_t)(vlen >> 8);
	o->vlen_lo = (uint8_t)vlen;
	o->off = (uint32_t)s->arena_used;
	if (klen > 0)
		memcpy(s->arena + s->arena_used, key, klen);
	if (vlen > 0)
		memcpy(s->arena + s->arena_used + klen, val, vlen);
	s->arena_used += klen + vlen;
	if (s->observer != NULL)
		s->observer(s->observer_ctx, op == OP_PUT ? HAVEN_STORE_OP_PUT :
			op == OP_DEL ? HAVEN_STORE_OP_DELETE :
			HAVEN_STORE_OP_DELETE_RANGE, key, klen, val, vlen);
	return 0;
}

void
haven_store_set_observer(struct haven_store *s, haven_store_observer_fn fn,
	void *ctx)
{
	if (s == NULL)
		return;
	s->observer = fn;
	s->observer_ctx = ctx;
}

int
haven_store_put(struct haven_store *s, const struct haven_store_record *r)
{
	uint8_t key[HAVEN_STORE_KEY_MAX], val[HAVEN_STORE_VALUE_MAX];
	size_t klen, vlen;

	if (s == NULL || r == NULL || r->kind == HAVEN_STORE_META ||
	    haven_store_encode(r, key, &klen, val, &vlen) < 0)
		return -EINVAL;
	return buffer_op(s, OP_PUT, 0, key, klen, val, vlen);
}

int
haven_store_delete(struct haven_store *s, uint8_t kind,
	const struct haven_addr *home, uint32_t id)
{
	uint8_t key[HAVEN_STORE_KEY_MAX];
	int klen;

	if (s == NULL || kind == HAVEN_STORE_META)
		return -EINVAL;
	klen = haven_store_key(kind, home, id, key);
	if (klen < 0)
		return klen;
	return buffer_op(s, OP_DEL, 0, key, (size_t)klen, NULL, 0);
}

int
haven_store_put_raw(struct haven_store *s, const uint8_t *key,
	size_t key_len, const uint8_t *val, size_t val_len, char *err,
	size_t errlen)
{
	struct haven_store_record r;
	int rc;

	if (s == NULL)
		return -EINVAL;
	rc = haven_store_decode(key, key_len, val, val_len, &r, err, errlen);
	if (rc < 0)
		return rc;
	if (r.kind == HAVEN_STORE_META) {
		haven_set_reason(err, errlen, "the meta record is not replaced");
		return -EINVAL;
	}
	return buffer_op(s, OP_PUT, 0, key, key_len, val, val_len);
}

int
haven_store_delete_raw(struct haven_store *s, const uint8_t *key,
	size_t key_len)
{
	if (s == NULL || key == NULL || key_len == 0 ||
	    (key_len == KEY_META_LEN && key[0] == HAVEN_STORE_META))
		return -EINVAL;
	return buffer_op(s, OP_DEL, 0, key, key_len, NULL, 0);
}

int
haven_store_delete_range(struct haven_store *s, const uint8_t *lo,
	size_t lo_len, const uint8_t *hi, size_t hi_len)
{
	if (s == NULL || (lo == NULL && lo_len > 0))
		return -EINVAL;
	return buffer_op(s, OP_RANGE, hi == NULL ? RANGE_TO_END : 0,
		lo, lo_len, hi, hi == NULL ? 0 : hi_len);
}

/* ------------------------------------------------------------------ */
/* Commit                                                             */
/* ------------------------------------------------------------------ */

static int
cmp_key(const MDB_val *a, const uint8_t *b, size_t blen)
{
	size_t n = a->mv_size < blen ? a->mv_size : blen;
	int c = memcmp(a->mv_data, b, n);

	if (c != 0)
		return c;
	return a->mv_size < blen ? -1 : a->mv_size > blen ? 1 : 0;
}

static bool
is_meta(const MDB_val *k)
{
	return k->mv_size == KEY_META_LEN &&
		((const uint8_t *)k->mv_data)[0] == HAVEN_STORE_META;
}

/* Delete the keys in (lo, hi]; hi NULL: to the end. */
static int
delete_range(struct haven_store *s, MDB_txn *txn, const uint8_t *lo,
	size_t lo_len, const uint8_t *hi, size_t hi_len, bool to_end)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	rc = mdb_cursor_open(txn, s->dbi, &c);
	if (rc != 0)
		return rc;
	if (lo_len == 0) {
		rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	} else {
		k.mv_size = lo_len;
		k.mv_data = (void *)(uintptr_t)lo;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc == 0 && cmp_key(&k, lo, lo_len) == 0)
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	while (rc == 0) {
		if (!to_end && cmp_key(&k, hi, hi_len) > 0)
			break;
		if (is_meta(&k)) {
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
			continue;
		}
		rc = mdb_cursor_del(c, 0);
		if (rc != 0)
			break;
		s->st.deletes++;
		/* after a delete the cursor stands on the next key */
		rc = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * The last key of the database, or one after it: deletions leave it
 * where it was, which is safe, since only a key after it is appended.
 */
struct last_key {
	uint8_t key[HAVEN_STORE_KEY_MAX];
	size_t len;
	bool known;			/* false: longer than ours, never append */
};

static int
last_key(MDB_cursor *c, struct last_key *l)
{
	MDB_val k, v;
	int rc = mdb_cursor_get(c, &k, &v, MDB_LAST);

	l->len = 0;
	l->known = true;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	/* copied: the page it lies in changes as the commit writes */
	if (k.mv_size > sizeof(l->key))
		l->known = false;
	else
		memcpy(l->key, k.mv_data, k.mv_size);
	l->len = k.mv_size;
	return 0;
}

/*
 * Put through the commit's cursor. A key after the last one is appended
 * (MDB_APPEND: no search from the root, pages filled as by a bulk load):
 * a standby's bulk resync arrives in key order, and new home addresses
 * often come after the others.
 */
static int
put(MDB_cursor *c, MDB_val *k, MDB_val *v, struct last_key *l)
{
	int rc;

	if (!l->known || (l->len > 0 && cmp_key(k, l->key, l->len) <= 0))
		return mdb_cursor_put(c, k, v, 0);
	rc = mdb_cursor_put(c, k, v, MDB_APPEND);
	if (rc == 0) {
		memcpy(l->key, k->mv_data, k->mv_size);
		l->len = k->mv_size;
	}
	return rc;
}

static int
commit(struct haven_store *s)
{
	uint64_t t0, puts = 0, dels = 0, ranges = 0, bytes = 0, dt;
	struct last_key last;
	MDB_cursor *c = NULL;
	MDB_envinfo info;
	MDB_stat st;
	MDB_txn *txn;
	MDB_val k, v;
	uint32_t i;
	int rc;

	if (s->n_ops == 0)
		return 0;
	t0 = mono_us();
	rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc != 0)
		goto fail;
	rc = mdb_cursor_open(txn, s->dbi, &c);
	if (rc == 0)
		rc = last_key(c, &last);
	for (i = 0; rc == 0 && i < s->n_ops; i++) {
		const struct pending_op *o = &s->ops[i];
		size_t vlen = (size_t)o->vlen_hi << 8 | o->vlen_lo;
		uint8_t *key = s->arena + o->off;

		k.mv_size = o->klen;
		k.mv_data = key;
		switch (o->op) {
		case OP_PUT:
			v.mv_size = vlen;
			v.mv_data = key + o->klen;
			rc = put(c, &k, &v, &last);
			puts++;
			bytes += o->klen + vlen;
			break;
		case OP_DEL:
			rc = mdb_cursor_get(c, &k, &v, MDB_SET);
			if (rc == 0)
				rc = mdb_cursor_del(c, 0);
			else if (rc == MDB_NOTFOUND)
				rc = 0;
			dels++;
			bytes += o->klen;
			break;
		case OP_RANGE:
			rc = delete_range(s, txn, key, o->klen, key + o->klen,
				vlen, (o->flags & RANGE_TO_END) != 0);
			ranges++;
			break;
		}
	}
	if (c != NULL)
		mdb_cursor_close(c);
	if (rc != 0) {
		mdb_txn_abort(txn);
		goto fail;
	}
	if (mdb_stat(txn, s->dbi, &st) == 0)
		s->st.entries = st.ms_entries > 0 ? st.ms_entries - 1 : 0;
	rc = mdb_txn_commit(txn);
	if (rc != 0)
		goto fail;
	dt = mono_us() - t0;
	s->st.commits++;
	s->st.puts += puts;
	s->st.deletes += dels;
	s->st.range_deletes += ranges;
	s->st.bytes += bytes;
	s->st.last_commit_us = dt;
	if (dt > s->st.max_commit_us)
		s->st.max_commit_us = dt;
	s->st.last_batch = s->n_ops;
	if (mdb_env_info(s->env, &info) == 0 && mdb_env_stat(s->env, &st) == 0)
		s->st.used_bytes = ((uint64_t)info.me_last_pgno + 1) *
			st.ms_psize;
	rc = (int)s->n_ops;
	s->n_ops = 0;
	s->arena_used = 0;
	__atomic_add_fetch(&s->committed_gen, 1, __ATOMIC_RELEASE);
	return rc;
fail:
	count_error(s, rc);
	return mdb_errno(rc);
}

int
haven_store_tick(struct haven_store *s)
{
	if (s == NULL)
		return -EINVAL;
	return commit(s);
}

int
haven_store_poll(struct haven_store *s, bool busy)
{
	if (s == NULL)
		return -EINVAL;
	if (busy && s->n_ops < HAVEN_STORE_GROUP_CHANGES && s->n_ops > 0 &&
	    mono_us() - s->first_op_us < HAVEN_STORE_GROUP_MS * 1000u)
		return 0;
	return commit(s);
}

int
haven_store_flush(struct haven_store *s)
{
	uint64_t t0;
	int rc, n;

	if (s == NULL)
		return -EINVAL;
	n = commit(s);
	if (n < 0 || s->sync != HAVEN_STORE_SYNC_INTERVAL)
		return n;
	t0 = mono_us();
	rc = mdb_env_sync(s->env, 1);
	if (rc != 0) {
		count_error(s, rc);
		return mdb_errno(rc);
	}
	__atomic_store_n(&s->st.last_sync_us, mono_us() - t0,
		__ATOMIC_RELAXED);
	__atomic_add_fetch(&s->st.syncs, 1, __ATOMIC_RELAXED);
	return n;
}

void
haven_store_close(struct haven_store *s)
{
	if (s == NULL)
		return;
	commit(s);
	if (s->thread_running) {
		pthread_mutex_lock(&s->lock);
		s->stopping = true;
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	if (s->sync != HAVEN_STORE_SYNC_EVERY_COMMIT && s->env != NULL)
		mdb_env_sync(s->env, 1);
	close_env(s);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s->ops);
	free(s->arena);
	free(s);
}

/* ------------------------------------------------------------------ */
/* Reading                                                            */
/* ------------------------------------------------------------------ */

int
haven_store_restore(struct haven_store *s, haven_store_restore_cb cb,
	void *ctx, char *err, size_t errlen)
{
	char reason[160], name[64];
	struct haven_store_record r;
	MDB_cursor *c;
	MDB_txn *txn;
	MDB_val k, v;
	int rc, n = 0;

	if (s == NULL || cb == NULL)
		return -EINVAL;
	rc = commit(s);
	if (rc < 0)
		return rc;
	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc != 0)
		return mdb_errno(rc);
	rc = mdb_cursor_open(txn, s->dbi, &c);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return mdb_errno(rc);
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		int d;

		if (is_meta(&k))
			continue;
		d = haven_store_decode(k.mv_data, k.mv_size, v.mv_data,
			v.mv_size, &r, reason, sizeof(reason));
		if (d < 0) {
			haven_store_key_str(k.mv_data, k.mv_size, name,
				sizeof(name));
			haven_set_reason(err, errlen,
				"store %s: record %d (%s) does not decode: %s" WAY_FORWARD,
				s->path, n + 1, name, reason, s->path, s->path,
				s->path);
			rc = -EBADMSG;
			break;
		}
		d = cb(ctx, &r);
		if (d != 0) {
			rc = d > 0 ? -d : d;
			break;
		}
		n++;
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND)
		return n;
	if (rc > 0) {
		haven_set_reason(err, errlen,
			"store %s: reading record %d: %s" WAY_FORWARD, s->path,
			n + 1, mdb_strerror(rc), s->path, s->path, s->path);
		count_error(s, rc);
		return mdb_errno(rc);
	}
	return rc;
}

int
haven_store_scan(struct haven_store *s, const uint8_t *after,
	size_t after_len, unsigned int max, haven_store_scan_cb cb, void *ctx)
{
	MDB_cursor *c;
	MDB_txn *txn;
	MDB_val k, v;
	unsigned int n = 0;
	int rc;

	if (s == NULL || cb == NULL || (after == NULL && after_len > 0))
		return -EINVAL;
	rc = commit(s);
	if (rc < 0)
		return rc;
	if (max == 0)
		return 0;
	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc != 0)
		return mdb_errno(rc);
	rc = mdb_cursor_open(txn, s->dbi, &c);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return mdb_errno(rc);
	}
	if (after_len == 0) {
		rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	} else {
		k.mv_size = after_len;
		k.mv_data = (void *)(uintptr_t)after;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc == 0 && cmp_key(&k, after, after_len) == 0)
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	for (; rc == 0 && n < max; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		int d;

		if (is_meta(&k))
			continue;
		d = cb(ctx, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
		n++;
		if (d != 0) {
			rc = MDB_NOTFOUND;
			break;
		}
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return mdb_errno(rc);
	return (int)n;
}

const struct haven_store_meta *
haven_store_meta(const struct haven_store *s)
{
	return s != NULL ? &s->meta : NULL;
}

void
haven_store_stats_get(struct haven_store *s, struct haven_store_stats *st)
{
	if (s == NULL || st == NULL)
		return;
	*st = s->st;
	st->syncs = __atomic_load_n(&s->st.syncs, __ATOMIC_RELAXED);
	st->last_sync_us = __atomic_load_n(&s->st.last_sync_us,
		__ATOMIC_RELAXED);
	st->errors = __atomic_load_n(&s->st.errors, __ATOMIC_RELAXED);
	st->last_error = __atomic_load_n(&s->st.last_error, __ATOMIC_RELAXED);
	st->pending = s->n_ops;
}

const char *
haven_store_sync_name(enum haven_store_sync sync)
{
	switch (sync) {
	case HAVEN_STORE_SYNC_EVERY_COMMIT:
		return "every-commit";
	case HAVEN_STORE_SYNC_INTERVAL:
		return "interval";
	case HAVEN_STORE_SYNC_NONE:
		return "none";
	}
	return "unknown";
}
