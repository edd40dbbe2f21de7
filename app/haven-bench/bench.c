/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * haven-bench: Haven's fast path and registration path measured side by
 * side with baselines run in the same invocation, on the same machine.
 *
 * The machine is shared and noisy, so every figure that matters is a
 * ratio to a baseline measured moments before or after it: each round
 * runs every measurement once, in the same order, and the table shows the
 * median of the rounds (and the range of the per-round ratios). Every
 * in-process rate is taken both on the wall clock and on the CPU time of
 * the thread that ran it (CLOCK_THREAD_CPUTIME_ID): the ratios on CPU
 * time leave out the time another process had the core, which on a
 * shared machine is most of the noise. The baselines are
 *   (a) dpdk-testpmd forwarding in io mode between two net_null devices,
 *       run as a child process between our own measurements (and, as a
 *       cross-check, the same rx/tx loop in this process);
 *   (b) a bare rte_hash_lookup_bulk_data loop over an rte_hash built like
 *       the old binding table's, holding the same home addresses, fed the
 *       same destination sequence;
 * and Haven's figures are
 *   (c) the real worker (haven_worker_process_burst, haven_worker_flush,
 *       an RCU quiescent report per loop, as haven_worker_main does) fed
 *       by a net_null device whose frames the harness fills with
 *       datagrams to random bound home addresses, tunnelled out of a
 *       second net_null device; per variant: IPv4 home addresses dense in
 *       a home prefix sized for the table (as an operator assigns them),
 *       IPv4 ones spread at random over a /8 (which the table cannot index
 *       directly), IPv6 ones dense in a prefix; and for the first size,
 *       GRE, two care-of addresses (S flag) and IP in UDP to a NAT
 *       (RFC 3519: outer IPv4, UDP from port 434, the 4-octet MIP Tunnel
 *       Data header; the general encapsulation path, as a ratio to (c)
 *       of the same round) on the dense IPv4 table;
 *   (c0) the same, from a haven-bench built from an earlier commit
 *       (--before), run as a child process in the same round;
 *   (d) (c) while the main lcore republishes bindings with a new care-of
 *       address at a fixed rate and reclaims every 10 ms;
 *   (e) registrations processed on the main lcore through the library
 *       path the control lcore uses, against raw HMAC-MD5;
 *   (f) the binding table's memory, from the DPDK heap statistics;
 *   (g) registrations as in (e) with the state store on (lib/store, one
 *       commit per 32 requests, a control loop turn's worth), for each
 *       sync policy, against (e) without it in the same round;
 *   (h) a bulk resync of the whole store (lib/sync) to a fresh standby
 *       while the worker forwards, against (c) of the same table.
 * docs/perf.md explains the method and the table.
 *
 * Filling the received frame (a 64-byte copy and the destination) is part
 * of Haven's measured time: it stands for the first touch of a frame that
 * a NIC would have written.
 *
 * Built with -DHAVEN_BENCH_BEFORE against an earlier tree's lib/binding
 * and lib/fastpath (dts/bench.sh --before), it serves as (c0) and runs
 * only --child; with -DHAVEN_BENCH_NO_PREFIXES too, for a tree whose
 * tables took no home prefixes (before issue 12).
 */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "haven_addr.h"
#include "haven_binding.h"
#include "haven_binding6.h"
#include "haven_fastpath.h"
#include "haven_fastpath6.h"
#include "haven_mip4.h"
#ifndef HAVEN_BENCH_BEFORE
#include "haven_store.h"
#include "haven_sync.h"
#endif

#define IP4(a, b, c, d) RTE_BE32(RTE_IPV4(a, b, c, d))

#define HA_ADDR		IP4(192, 0, 2, 1)	/* home agent, home port */
#define CH_ADDR		IP4(192, 0, 2, 50)	/* source of the traffic */
#define VISITED_ADDR	IP4(198, 51, 100, 1)	/* visited port */
#define DENSE_BASE	RTE_IPV4(10, 16, 0, 0)	/* dense home prefixes */
#define SPARSE_BASE	RTE_IPV4(10, 0, 0, 0)	/* the /8 of sparse homes */
#define N_COA		200			/* care-of addresses in use */
#define FRAME_LEN	64			/* net_null's default size */
#define SEQ_LEN		(1u << 20)		/* destinations, cycled */
#define MBUFS		8191
#define MBUF_CACHE	256
#define RECLAIM_MS	10			/* as the control lcore does */
#define CHURN_TICK_US	1000			/* churn batches per ms */
#define REG_NODES	4096			/* mobile nodes registering */
#define REG_PER_NODE	64			/* requests prepared per node */
#define REG_WINDOW_S	7			/* replay window (default) */
#define REG_COVERED	30			/* RRQ bytes HMAC covers */
#define MAX_SIZES	4
#define MAX_ROUNDS	15
#define MAX_VARIANTS	4

/* 2001:db8::1 (home agent), 2001:db8::50 (correspondent), CoA prefix. */
static const uint8_t HA6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t CH6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x50 };
static const uint8_t VISITED6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2,
	[15] = 1 };
/* Home prefix of the IPv6 variants: 2001:db8:1::/64. */
static const uint8_t HOME6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 };

#ifdef HAVEN_BENCH_NO_PREFIXES
/* The tables before issue 12 took no home prefixes (dts/bench.sh says). */
struct haven_binding_prefix {
	struct haven_addr addr;
	uint8_t len;
};
#define TABLE4_CREATE(name, n, pfx, npfx) \
	haven_binding_table_create(name, n, 1, qsbr, rte_socket_id())
#define TABLE6_CREATE(name, n, pfx, npfx) \
	haven_binding6_table_create(name, n, 1, qsbr, rte_socket_id())
#else
#define TABLE4_CREATE(name, n, pfx, npfx) \
	haven_binding_table_create(name, n, 1, qsbr, rte_socket_id(), pfx, \
		npfx)
#define TABLE6_CREATE(name, n, pfx, npfx) \
	haven_binding6_table_create(name, n, 1, qsbr, rte_socket_id(), pfx, \
		npfx)
#endif

/* ------------------------------------------------------------------ */
/* Options, variants and results                                       */
/* ------------------------------------------------------------------ */

/* How home addresses are drawn, and the family. */
struct variant {
	const char *name;	/* --variants and --child name */
	const char *label;	/* in the table */
	int family;		/* 4 or 6 */
	bool dense;		/* all of a prefix sized for the table */
};

static const struct variant variants[] = {
	{ "dense", "IPv4, dense in", 4, true },
	{ "sparse", "IPv4, random in", 4, false },
	{ "dense6", "IPv6, dense in", 6, true },
	{ "sparse6", "IPv6, random in", 6, false },
};

/* What the bindings tunnel with (the extra rows of the first size). */
enum kind { KIND_IPIP, KIND_GRE, KIND_SFLAG, KIND_UDP };
static const char *const kind_names[] = { "ipip", "gre", "sflag", "udp" };

static struct {
	unsigned int rounds;
	double secs;			/* per measurement */
	unsigned int testpmd_secs;
	uint32_t sizes[MAX_SIZES];
	unsigned int n_sizes;
	const struct variant *vars[MAX_VARIANTS];
	unsigned int n_vars;
	uint32_t churn;			/* binding changes per second */
	bool no_huge;
	unsigned int mem_mb;
	const char *testpmd;
	const char *before;		/* an earlier haven-bench, or NULL */
	const char *before_label;
	bool extras;			/* GRE, S and UDP rows, first size */
	bool smoke;
	bool profile;			/* only (c), for perf record */
	const struct variant *child;	/* run as a (c0) child */
	enum kind child_kind;
	bool no_state;			/* skip (g) and (h) */
	const char *state_dir;		/* stores of (g), (h) */
} opt = {
	.rounds = 5,
	.secs = 1.0,
	.testpmd_secs = 4,
	.sizes = { 65536, 1048576 },
	.n_sizes = 2,
	.vars = { &variants[0], &variants[1], &variants[2] },
	.n_vars = 3,
	.churn = 100000,
	.mem_mb = 1024,
	.testpmd = "dpdk-testpmd",
	.before_label = "earlier commit",
	.extras = true,
	.state_dir = "/tmp",
};

/*
 * Per round figures of one measurement: the rate on CPU time and on the
 * wall clock (millions per second), and its ratios to its base (on CPU
 * time, and on the wall clock against testpmd's io).
 */
struct series {
	double v[MAX_ROUNDS];		/* on CPU */
	double w[MAX_ROUNDS];		/* wall clock */
	double r[MAX_ROUNDS];		/* ratio on CPU */
	double rw[MAX_ROUNDS];		/* ratio on the wall clock */
	unsigned int n;
};

struct vresult {
	uint32_t size;
	const struct variant *var;
	char prefix[64];		/* home prefix, as text */
	struct series tp;		/* (a) testpmd */
	struct series io;		/* (a') in-process io loop */
	struct series lk;		/* (b) lookups per second, millions */
	struct series hv;		/* (c), ratio to ideal */
	struct series bf;		/* (c0), ratio to ideal */
	struct series ch;		/* (d), ratio to (c) */
	struct series rate;		/* achieved changes per second */
	struct series gre;		/* GRE, ratio to ideal */
	struct series bgre;		/* GRE before, ratio to ideal */
	struct series sf;		/* S flag, ratio to ideal */
	struct series bsf;		/* S flag before, ratio to ideal */
	struct series rs;		/* (h) worker during the resync, ratio
					 * to (c) */
	double rs_secs;			/* (h) the resync's duration */
	uint64_t rs_records;		/* (h) records it carried */
	uint64_t rs_msgs;		/* (h) RECORDS messages */
	bool rs_same;			/* (h) the stores are equal after */
	bool resync;			/* (h) was run on this table */
	struct series udp;		/* IP in UDP (RFC 3519), ratio to (c) */
	uint64_t bad;			/* packets not tunnelled */
	size_t mem_bytes;		/* (f) */
	bool extras;
};

static struct vresult results[MAX_SIZES * MAX_VARIANTS];
static unsigned int n_results;
static double tsc_hz;

static double
median(const double *in, unsigned int n)
{
	double v[MAX_ROUNDS], t;
	unsigned int i, j;

	if (n == 0)
		return 0;
	memcpy(v, in, n * sizeof(*v));
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
range(const double *v, unsigned int n, double *lo, double *hi)
{
	unsigned int i;

	*lo = n > 0 ? v[0] : 0;
	*hi = *lo;
	for (i = 1; i < n; i++) {
		*lo = RTE_MIN(*lo, v[i]);
		*hi = RTE_MAX(*hi, v[i]);
	}
}

static void
series_add(struct series *s, double v, double w, double r, double rw)
{
	if (s->n < MAX_ROUNDS) {
		s->v[s->n] = v;
		s->w[s->n] = w;
		s->r[s->n] = r;
		s->rw[s->n] = rw;
		s->n++;
	}
}

/* A rate from a count and a time. */
static double
mps(uint64_t n, double secs)
{
	return secs > 0 ? n / secs / 1e6 : 0;
}

static double
cycles_per(double mpps)
{
	return mpps > 0 ? tsc_hz / (mpps * 1e6) : 0;
}

/* ------------------------------------------------------------------ */
/* The fast path's world: two net_null ports, bindings, neighbours     */
/* ------------------------------------------------------------------ */

static struct rte_mempool *pool;
static struct haven_fp fp;
static struct haven_fp6 fp6;
static struct haven_worker worker;
static struct rte_rcu_qsbr *qsbr;
static volatile bool quit;
static uint16_t port_home, port_visited;
static unsigned int worker_lcore;
static int coa_neigh[N_COA + 1];
static int coa_neigh6[N_COA + 1];

/* IPv4 destinations the generator cycles through, with checksums. */
struct seq_entry {
	uint32_t dst;
	uint16_t cksum;			/* IPv4 header checksum, NBO */
	uint16_t pad;
};

/* The variant being measured. */
static struct {
	const struct variant *var;
	uint32_t n;
	uint32_t *homes;		/* IPv4 home addresses */
	uint8_t (*homes6)[16];		/* IPv6 ones */
	struct haven_binding_table *t;
	struct haven_binding6_table *t6;
	struct rte_hash *h;		/* the bare hash of (b) */
	enum kind kind;
} cur;

static struct seq_entry *seq;
static uint8_t (*seq6)[16];
static uint8_t frame_tmpl[FRAME_LEN];
static uint8_t frame_tmpl6[FRAME_LEN];
static uint32_t tmpl_sum;		/* header sum without destination */

static uint32_t
coa_addr(unsigned int i)
{
	return rte_cpu_to_be_32(RTE_IPV4(198, 51, 100, 2 + i));
}

static void
coa_addr6(unsigned int i, uint8_t a[16])
{
	memcpy(a, VISITED6, 16);
	a[14] = (uint8_t)((2 + i) >> 8);
	a[15] = (uint8_t)(2 + i);
}

static int
port_setup(const char *name, uint16_t *pid, unsigned int idx, uint32_t addr)
{
	struct rte_eth_conf conf;

	if (rte_eth_dev_get_port_by_name(name, pid) != 0)
		return -1;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(*pid, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(*pid, 0, 512, rte_socket_id(), NULL,
			pool) != 0 ||
	    rte_eth_tx_queue_setup(*pid, 0, 512, rte_socket_id(), NULL) != 0 ||
	    rte_eth_dev_start(*pid) != 0)
		return -1;
	fp.ports[idx].port_id = *pid;
	rte_eth_macaddr_get(*pid, &fp.ports[idx].mac);
	fp.ports[idx].addr = addr;
	fp.ports[idx].mask = IP4(255, 255, 255, 0);
	fp.ports[idx].mtu = 1500;
	fp.ports[idx].tx_ip_cksum = false;
	return 0;
}

static uint32_t
sum16(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* UDP datagrams from the correspondent host, addressed per packet. */
static void
frame_templates(void)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame_tmpl;
	uint8_t *ip = frame_tmpl + sizeof(*eth);
	uint16_t total = FRAME_LEN - sizeof(*eth);
	unsigned int i;

	memset(frame_tmpl, 0, sizeof(frame_tmpl));
	rte_ether_addr_copy(&fp.ports[0].mac, &eth->dst_addr);
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[5] = 0xfe;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip[0] = 0x45;
	ip[2] = total >> 8;
	ip[3] = total & 0xff;
	ip[6] = 0x40;			/* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, &(uint32_t){ CH_ADDR }, 4);
	ip[20] = 0x30;
	ip[21] = 0x39;
	ip[22] = 0x00;
	ip[23] = 0x09;
	ip[24] = (total - 20) >> 8;
	ip[25] = (total - 20) & 0xff;
	for (i = 28; i < total; i++)
		ip[i] = (uint8_t)i;
	tmpl_sum = sum16(ip, 20);

	/* IPv6: 40-byte header, UDP, 2 bytes of payload. */
	eth = (struct rte_ether_hdr *)frame_tmpl6;
	ip = frame_tmpl6 + sizeof(*eth);
	total = FRAME_LEN - sizeof(*eth) - 40;
	memset(frame_tmpl6, 0, sizeof(frame_tmpl6));
	rte_ether_addr_copy(&fp.ports[0].mac, &eth->dst_addr);
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[5] = 0xfe;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip[0] = 0x60;
	ip[4] = total >> 8;
	ip[5] = total & 0xff;
	ip[6] = IPPROTO_UDP;
	ip[7] = 64;
	memcpy(ip + 8, CH6, 16);
	ip[40] = 0x30;
	ip[41] = 0x39;
	ip[42] = 0x00;
	ip[43] = 0x09;
	ip[44] = total >> 8;
	ip[45] = total & 0xff;
	ip[48] = 0xab;
	ip[49] = 0xcd;
}

/* Smallest b with 2^b >= n. */
static unsigned int
log2_ceil(uint32_t n)
{
	unsigned int b = 0;

	while (b < 32 && (1ULL << b) < n)
		b++;
	return b;
}

/*
 * The variant's n home addresses and the prefix its table is created
 * with: dense, the first n addresses of a prefix of 2^ceil(log2 n); else
 * distinct random ones in the /8 (IPv4) or the /64 (IPv6).
 */
static int
make_homes(const struct variant *var, uint32_t n,
		struct haven_binding_prefix *pfx, char *label, size_t len)
{
	uint64_t *seen = NULL;
	uint32_t i = 0, h;
	uint8_t a[16];
	char buf[HAVEN_ADDR_STRLEN];

	free(cur.homes);
	free(cur.homes6);
	cur.homes = NULL;
	cur.homes6 = NULL;
	memset(pfx, 0, sizeof(*pfx));
	if (var->family == 4) {
		cur.homes = malloc(sizeof(*cur.homes) * n);
		if (cur.homes == NULL)
			return -1;
		if (var->dense) {
			for (i = 0; i < n; i++)
				cur.homes[i] = rte_cpu_to_be_32(DENSE_BASE + i);
			pfx->addr = haven_addr4(rte_cpu_to_be_32(DENSE_BASE));
			pfx->len = 32 - log2_ceil(n);
		} else {
			seen = calloc((1u << 24) / 64, sizeof(uint64_t));
			if (seen == NULL)
				return -1;
			while (i < n) {
				h = (uint32_t)rte_rand() & 0xffffff;
				if (h == 0 || (seen[h / 64] >> (h % 64) & 1))
					continue;
				seen[h / 64] |= 1ULL << (h % 64);
				cur.homes[i++] = rte_cpu_to_be_32(SPARSE_BASE |
						h);
			}
			free(seen);
			pfx->addr = haven_addr4(rte_cpu_to_be_32(SPARSE_BASE));
			pfx->len = 8;
		}
	} else {
		cur.homes6 = malloc(sizeof(*cur.homes6) * n);
		if (cur.homes6 == NULL)
			return -1;
		for (i = 0; i < n; i++) {
			memcpy(a, HOME6, 16);
			if (var->dense) {
				h = rte_cpu_to_be_32(i);
				memcpy(a + 12, &h, 4);
			} else {
				/* 2^64 interface identifiers: no repeats. */
				uint64_t iid = rte_rand() | 1;

				memcpy(a + 8, &iid, 8);
			}
			memcpy(cur.homes6[i], a, 16);
		}
		pfx->addr = haven_addr6(HOME6);
		pfx->len = var->dense ? 128 - log2_ceil(n) : 64;
	}
	snprintf(label, len, "%s/%u", haven_addr_str(&pfx->addr, buf),
		pfx->len);
	cur.n = n;
	return 0;
}

/* SEQ_LEN destinations drawn uniformly from the n home addresses. */
static void
make_seq(void)
{
	uint32_t i, d, k;
	uint8_t a[4];

	for (i = 0; i < SEQ_LEN; i++) {
		k = (uint32_t)rte_rand_max(cur.n);
		if (cur.homes6 != NULL) {
			memcpy(seq6[i], cur.homes6[k], 16);
			continue;
		}
		d = cur.homes[k];
		memcpy(a, &d, 4);
		seq[i].dst = d;
		seq[i].cksum = rte_cpu_to_be_16(fold(tmpl_sum +
				(uint32_t)(a[0] << 8 | a[1]) +
				(uint32_t)(a[2] << 8 | a[3])));
	}
}

static void
binding_of(struct haven_binding *b, uint32_t home, unsigned int c,
		enum kind kind)
{
	memset(b, 0, sizeof(*b));
	b->home_addr = home;
	b->outer_src = HA_ADDR;
	b->encap = kind == KIND_GRE ? HAVEN_ENCAP_GRE : HAVEN_ENCAP_IPIP;
	b->flags = HAVEN_BINDING_F_INTERCEPT;
	b->forwarder = HAVEN_FORWARDER_SELF;
	b->n_coa = kind == KIND_SFLAG ? 2 : 1;
	b->coa[0].addr = coa_addr(c);
	b->coa[0].next_hop = coa_addr(c);
	b->coa[0].neigh = (uint16_t)coa_neigh[c];
	b->coa[0].port = port_visited;
	b->coa[1].addr = coa_addr(c + 1);
	b->coa[1].next_hop = coa_addr(c + 1);
	b->coa[1].neigh = (uint16_t)coa_neigh[c + 1];
	b->coa[1].port = port_visited;
	b->lifetime = 600;
#ifdef HAVEN_BINDING_UDP_PORT	/* not in a --before tree without RFC 3519 */
	if (kind == KIND_UDP) {
		/* RFC 3519: to a NAT's port, from the agent's port 434 */
		b->encap = HAVEN_ENCAP_UDP;
		b->udp_sport = HAVEN_BINDING_UDP_PORT;
		b->coa[0].udp_port = (uint16_t)(40000 + c);
		b->coa[1].udp_port = (uint16_t)(40001 + c);
	}
#endif
}

static void
binding6_of(struct haven_binding6 *b, const uint8_t *home, unsigned int c,
		enum kind kind)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->home_addr, home, 16);
	memcpy(b->outer_src, HA6, 16);
	b->flags = HAVEN_BINDING_F_INTERCEPT;
	b->forwarder = HAVEN_FORWARDER_SELF;
	b->n_coa = kind == KIND_SFLAG ? 2 : 1;
	coa_addr6(c, b->coa[0].addr);
	coa_addr6(c, b->coa[0].next_hop);
	b->coa[0].neigh = (uint16_t)coa_neigh6[c];
	b->coa[0].port = port_visited;
	coa_addr6(c + 1, b->coa[1].addr);
	coa_addr6(c + 1, b->coa[1].next_hop);
	b->coa[1].neigh = (uint16_t)coa_neigh6[c + 1];
	b->coa[1].port = port_visited;
	b->lifetime = 600;
}

/* (Re)publish binding i of the variant with care-of address c. */
static int
publish(uint32_t i, unsigned int c)
{
	struct haven_binding6 b6;
	struct haven_binding b;

	if (cur.t6 != NULL) {
		binding6_of(&b6, cur.homes6[i], c, cur.kind);
		return haven_binding6_publish(cur.t6, &b6);
	}
	binding_of(&b, cur.homes[i], c, cur.kind);
	return haven_binding_publish(cur.t, &b);
}

static void
reclaim(void)
{
	if (cur.t6 != NULL)
		haven_binding6_reclaim(cur.t6);
	else
		haven_binding_reclaim(cur.t);
}

/* Every binding again, with kind (no reader is online meanwhile). */
static int
publish_all(enum kind kind)
{
	uint32_t i;
	int rc;

	cur.kind = kind;
	for (i = 0; i < cur.n; i++) {
		rc = publish(i, i % N_COA);
		if (rc == -ENOMEM) {
			reclaim();
			rc = publish(i, i % N_COA);
		}
		if (rc != 0) {
			fprintf(stderr, "haven-bench: publish %u: %s\n", i,
				strerror(-rc));
			return -1;
		}
	}
	reclaim();
	return 0;
}

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;

	rte_malloc_get_socket_stats(rte_socket_id(), &st);
	return st.heap_allocsz_bytes;
}

static int
world_setup(void)
{
	struct rte_ether_addr mac = { .addr_bytes = { 0x02, 0, 0, 0, 1, 0 } };
	uint8_t a[16];
	unsigned int i;

	pool = rte_pktmbuf_pool_create("bench_pool", MBUFS, MBUF_CACHE, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (pool == NULL ||
	    port_setup("net_null0", &port_home, 0, HA_ADDR) != 0 ||
	    port_setup("net_null1", &port_visited, 1, VISITED_ADDR) != 0) {
		fprintf(stderr, "haven-bench: ports: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	fp.n_ports = 2;
	fp.home_port = 0;
	fp.ha_addr = HA_ADDR;
	fp.pool = pool;
	fp.quit = &quit;
	fp.punt_ring = rte_ring_create("bench_punt", 1024, rte_socket_id(),
			RING_F_SC_DEQ);
	fp.neigh = rte_zmalloc("bench_neigh",
			sizeof(struct haven_neigh) * HAVEN_NEIGH_MAX, 0);
	fp6.neigh = rte_zmalloc("bench_neigh6",
			sizeof(struct haven_neigh6) * HAVEN_NEIGH6_MAX, 0);
	qsbr = rte_zmalloc("bench_qsbr", rte_rcu_qsbr_get_memsize(1),
			RTE_CACHE_LINE_SIZE);
	seq = rte_malloc("bench_seq", sizeof(*seq) * SEQ_LEN, 0);
	seq6 = rte_malloc("bench_seq6", sizeof(*seq6) * SEQ_LEN, 0);
	if (fp.punt_ring == NULL || fp.neigh == NULL || fp6.neigh == NULL ||
	    qsbr == NULL || seq == NULL || seq6 == NULL ||
	    rte_rcu_qsbr_init(qsbr, 1) != 0)
		return -1;
	fp.qsbr = qsbr;
	memcpy(fp6.ha_addr, HA6, 16);
	fp6.port_has_addr[0] = true;
	memcpy(fp6.port_addr[0], HA6, 16);
	fp6.port_prefix_len[0] = 64;
	fp6.port_has_addr[1] = true;
	memcpy(fp6.port_addr[1], VISITED6, 16);
	fp6.port_prefix_len[1] = 64;
	fp.fp6 = &fp6;
	for (i = 0; i <= N_COA; i++) {
		mac.addr_bytes[5] = (uint8_t)i;
		coa_neigh[i] = haven_neigh_get(&fp, coa_addr(i), 1);
		coa_addr6(i, a);
		coa_neigh6[i] = haven_neigh6_get(&fp6, a, 1);
		if (coa_neigh[i] < 0 || coa_neigh6[i] < 0)
			return -1;
		haven_neigh_update(&fp, coa_neigh[i], &mac);
		haven_neigh6_update(&fp6, coa_neigh6[i], &mac);
	}
	frame_templates();
	worker.fp = &fp;
	worker.id = 0;
	worker.txq = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Worker-lcore measurements                                           */
/* ------------------------------------------------------------------ */

enum job { JOB_IO, JOB_LOOKUP, JOB_HAVEN, JOB_FLOOD };

struct run {
	enum job job;
	uint64_t dur;			/* TSC cycles */
	uint64_t pkts;			/* out: packets or lookups */
	uint64_t cycles;		/* out */
	uint64_t cpu_ns;		/* out: CPU time the worker thread got */
	uint64_t sink;
	volatile bool stop;		/* JOB_HAVEN: end before dur */
};

/* CPU time of the calling thread: excludes time it was preempted. */
static uint64_t
thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
job_io(struct run *r)
{
	struct rte_mbuf *pkts[HAVEN_BURST];
	uint64_t start, now, n_pkts = 0;
	uint16_t n, sent;

	r->cpu_ns = thread_cpu_ns();
	start = rte_rdtsc();
	do {
		n = rte_eth_rx_burst(port_home, 0, pkts, HAVEN_BURST);
		sent = rte_eth_tx_burst(port_visited, 0, pkts, n);
		if (unlikely(sent < n))
			rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		n_pkts += n;
		now = rte_rdtsc();
	} while (now - start < r->dur);
	r->cpu_ns = thread_cpu_ns() - r->cpu_ns;
	r->pkts = n_pkts;
	r->cycles = now - start;
	return 0;
}

static int
job_lookup(struct run *r)
{
	const void *kp[HAVEN_BURST];
	void *data[HAVEN_BURST];
	uint64_t start, now, n_keys = 0, hits, sink = 0;
	uint32_t pos = 0;
	unsigned int i;

	r->cpu_ns = thread_cpu_ns();
	start = rte_rdtsc();
	do {
		for (i = 0; i < HAVEN_BURST; i++)
			kp[i] = cur.homes6 != NULL ?
				(const void *)seq6[(pos + i) & (SEQ_LEN - 1)] :
				(const void *)&seq[(pos + i) &
					(SEQ_LEN - 1)].dst;
		pos += HAVEN_BURST;
		rte_hash_lookup_bulk_data(cur.h, kp, HAVEN_BURST, &hits, data);
		sink += hits;
		n_keys += HAVEN_BURST;
		now = rte_rdtsc();
	} while (now - start < r->dur);
	r->cpu_ns = thread_cpu_ns() - r->cpu_ns;
	r->pkts = n_keys;
	r->cycles = now - start;
	r->sink = sink;
	return 0;
}

/* What a NIC would have written: the frame, to the next destination. */
static inline void
fill(struct rte_mbuf **pkts, uint16_t n, uint32_t *pos)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		const struct seq_entry *e = &seq[(*pos)++ & (SEQ_LEN - 1)];
		uint8_t *p = rte_pktmbuf_mtod(pkts[i], uint8_t *);

		rte_memcpy(p, frame_tmpl, FRAME_LEN);
		memcpy(p + 14 + 16, &e->dst, 4);
		memcpy(p + 14 + 10, &e->cksum, 2);
	}
}

static inline void
fill6(struct rte_mbuf **pkts, uint16_t n, uint32_t *pos)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		const uint8_t *d = seq6[(*pos)++ & (SEQ_LEN - 1)];
		uint8_t *p = rte_pktmbuf_mtod(pkts[i], uint8_t *);

		rte_memcpy(p, frame_tmpl6, FRAME_LEN);
		memcpy(p + 14 + 24, d, 16);
	}
}

static int
job_haven(struct run *r)
{
	struct haven_worker *w = &worker;
	struct rte_mbuf *pkts[HAVEN_BURST];
	uint64_t start, now, n_pkts = 0;
	uint32_t pos = (uint32_t)rte_rand();
	bool six = cur.homes6 != NULL;
	uint16_t n;
#ifdef HAVEN_WORKER_RUNTIME
	uint64_t t;
#endif

	rte_rcu_qsbr_thread_register(qsbr, w->id);
	rte_rcu_qsbr_thread_online(qsbr, w->id);
	r->cpu_ns = thread_cpu_ns();
	start = rte_rdtsc();
#ifdef HAVEN_WORKER_RUNTIME
	t = start;
#endif
	do {
		/* The loop of haven_worker_main, with the generator in it. */
		n = rte_eth_rx_burst(port_home, 0, pkts, HAVEN_BURST);
		if (six)
			fill6(pkts, n, &pos);
		else
			fill(pkts, n, &pos);
		haven_worker_process_burst(w, 0, pkts, n);
		haven_worker_flush(w);
		rte_rcu_qsbr_quiescent(qsbr, w->id);
#ifdef HAVEN_WORKER_RUNTIME
		haven_worker_turn(w, &t, n != 0);	/* show runtime */
#endif
		n_pkts += n;
		now = rte_rdtsc();
	} while (now - start < r->dur && !r->stop);
	r->cpu_ns = thread_cpu_ns() - r->cpu_ns;
	rte_rcu_qsbr_thread_offline(qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(qsbr, w->id);
	r->pkts = n_pkts;
	r->cycles = now - start;
	return 0;
}

static int job_flood(struct run *r);

static int
job_main(void *arg)
{
	struct run *r = arg;

	switch (r->job) {
	case JOB_IO:
		return job_io(r);
	case JOB_LOOKUP:
		return job_lookup(r);
	case JOB_FLOOD:
		return job_flood(r);
	default:
		return job_haven(r);
	}
}

/* Sleep on the main lcore until the worker is done. */
static void
wait_worker(void)
{
	while (rte_eal_get_lcore_state(worker_lcore) == RUNNING)
		rte_delay_us_sleep(1000);
	rte_eal_wait_lcore(worker_lcore);
}

/* Wall-clock and CPU-time rates of a finished run, millions per second. */
static double
wall_mps(const struct run *r)
{
	return mps(r->pkts, r->cycles / tsc_hz);
}

static double
cpu_mps(const struct run *r)
{
	return mps(r->pkts, r->cpu_ns / 1e9);
}

static void
run_job(enum job job, struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->job = job;
	r->dur = (uint64_t)(opt.secs * tsc_hz);
	if (rte_eal_remote_launch(job_main, r, worker_lcore) != 0)
		return;
	wait_worker();
}

/* The worker's stats since the last reset: everything tunnelled? */
static uint64_t
worker_bad(void)
{
	struct haven_worker_stats *s = &worker.stats;
	uint64_t want = s->rx_pkts * (cur.kind == KIND_SFLAG ? 2 : 1);
	uint64_t bad = want > s->encap_pkts ? want - s->encap_pkts : 0;

	if (s->tx_pkts < s->encap_pkts)
		bad += s->encap_pkts - s->tx_pkts;
	memset(s, 0, sizeof(*s));
	return bad;
}

/*
 * (d): republish opt.churn bindings per second with a new care-of
 * address on the main lcore while the worker runs, reclaim every 10 ms.
 */
static void
run_haven_churn(struct run *r, double *rate)
{
	uint64_t hz = rte_get_tsc_hz(), tick = hz * CHURN_TICK_US / 1000000;
	uint64_t reclaim_every = hz * RECLAIM_MS / 1000;
	uint64_t start, next, last_reclaim, changes = 0, due;
	static uint32_t who, gen;

	memset(r, 0, sizeof(*r));
	r->job = JOB_HAVEN;
	r->dur = (uint64_t)(opt.secs * tsc_hz);
	if (rte_eal_remote_launch(job_main, r, worker_lcore) != 0)
		return;
	start = rte_rdtsc();
	next = start;
	last_reclaim = start;
	while (rte_eal_get_lcore_state(worker_lcore) == RUNNING) {
		uint64_t now = rte_rdtsc();

		/* Sleep between batches, as an idle control lcore does:
		 * spinning here would push the machine's other load onto
		 * the worker's core and measure that instead. */
		if (now < next) {
			rte_delay_us_sleep((next - now) * 1000000 / hz + 1);
			continue;
		}
		next += tick;
		due = (uint64_t)((double)(now - start) / hz * opt.churn);
		while (changes < due) {
			uint32_t i = who++ % cur.n;

			if (publish(i, (i + ++gen) % N_COA) == -ENOMEM) {
				reclaim();
				continue;
			}
			changes++;
		}
		if (now - last_reclaim >= reclaim_every) {
			reclaim();
			last_reclaim = now;
		}
	}
	rte_eal_wait_lcore(worker_lcore);
	*rate = changes * tsc_hz / (double)(rte_rdtsc() - start);
	reclaim();
}

/* ------------------------------------------------------------------ */
/* Child processes: dpdk-testpmd (a) and an earlier haven-bench (c0)   */
/* ------------------------------------------------------------------ */

/*
 * testpmd io forwarding between net_null0 and net_null1 on one core,
 * --stats-period 1: the sum of both ports' Tx-pps per period, the median
 * of the periods after the first. Returns Mpps, 0 if it did not run.
 */
static double
run_testpmd(void)
{
	char cmd[1024], line[512];
	double per[64], tx = 0;
	unsigned int n_per = 0, ports_seen = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		"timeout -s INT %u %s -l %u,%u --no-pci --no-telemetry "
		"--file-prefix haven-bench-tp-%d %s -m %u "
		"--vdev net_null0 --vdev net_null1 --log-level lib.eal:error "
		"-- --forward-mode=io --nb-cores=1 --rxq=1 --txq=1 "
		"--burst=%u --total-num-mbufs=%u --stats-period 1 "
		"</dev/null 2>&1",
		opt.testpmd_secs, opt.testpmd, rte_get_main_lcore(),
		worker_lcore, (int)getpid(), opt.no_huge ? "--no-huge" : "",
		opt.no_huge ? 256 : 128, HAVEN_BURST, MBUFS);
	f = popen(cmd, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = strstr(line, "Tx-pps:");
		double v;

		if (p == NULL || sscanf(p + 7, "%lf", &v) != 1)
			continue;
		tx += v;
		if (++ports_seen == 2) {
			if (n_per < RTE_DIM(per))
				per[n_per++] = tx;
			tx = 0;
			ports_seen = 0;
		}
	}
	pclose(f);
	if (n_per < 2)
		return 0;
	/* The first period includes start-up. */
	return median(per + 1, n_per - 1) / 1e6;
}

/*
 * (c0): the earlier haven-bench measuring its worker on the same variant
 * and size (--child), as a child process while this one waits. Returns
 * Mpps on CPU and sets *wall, 0 if it did not run.
 */
static double
run_before(const struct variant *var, uint32_t size, enum kind kind,
		double *wall)
{
	char cmd[1024], line[256];
	double v = 0, got, gotw;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		"%s --child %s --child-kind %s --sizes %u --secs %g %s "
		"--mem %u </dev/null 2>/dev/null", opt.before, var->name,
		kind_names[kind], size, opt.secs,
		opt.no_huge ? "--no-huge" : "", opt.mem_mb);
	f = popen(cmd, "r");
	if (f == NULL)
		return 0;
	*wall = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "haven-bench child: %lf Mpps, %lf Mpps on CPU",
				&gotw, &got) == 2) {
			v = got;
			*wall = gotw;
		}
	pclose(f);
	return v;
}

#ifndef HAVEN_BENCH_BEFORE
/* Built as (c0), it runs only --child: no state stores, no registrations
 * (lib/store and lib/sync may not exist in that tree). */

/* ------------------------------------------------------------------ */
/* State stores (g, h)                                                 */
/* ------------------------------------------------------------------ */

#define STATE_TURN 32			/* registrations per loop turn */
#define RS_QUEUE 8192			/* datagrams in flight, each way */
#define RS_SCAN 4096			/* records per slice of a checksum */

/* A store directory of this run: <state_dir>/haven-bench-<pid>-<tag>. */
static void
store_dir(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "%.200s/haven-bench-%d-%.16s", opt.state_dir,
		(int)getpid(), tag);
}

static void
store_remove(const char *dir)
{
	static const char *const files[] = {
		"data.mdb", "lock.mdb", "haven.lock",
	};
	char f[1024];
	unsigned int i;

	for (i = 0; i < RTE_DIM(files); i++) {
		snprintf(f, sizeof(f), "%.900s/%s", dir, files[i]);
		unlink(f);
	}
	rmdir(dir);
}

static struct haven_store *
store_new(const char *tag, enum haven_store_sync sync, char *dir, size_t len)
{
	struct haven_store_params p = {
		.sync = sync,
		.sync_interval_ms = 100,
		.agent_id = 1,
		.identity = "ha 192.0.2.1",
		.map_size = 4096ull << 20,
	};
	struct haven_store *st;
	char err[512];

	store_dir(dir, len, tag);
	store_remove(dir);
	p.path = dir;
	st = haven_store_open(&p, err, sizeof(err));
	if (st == NULL)
		fprintf(stderr, "haven-bench: %s\n", err);
	return st;
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The binding record a registration of home at coa makes (persist.c). */
static void
binding_record(struct haven_store_record *r, uint32_t home, uint32_t coa,
		uint32_t lifetime, uint64_t now_ms)
{
	struct haven_store_binding *b = &r->u.binding;

	memset(r, 0, sizeof(*r));
	r->kind = HAVEN_STORE_BINDING;
	b->home = haven_addr4(home);
	b->n_coa = 1;
	b->encap = HAVEN_STORE_ENCAP_IPIP;
	b->coa[0].addr = haven_addr4(coa);
	b->coa[0].lifetime_s = lifetime;
	b->coa[0].expires_ms = now_ms + (uint64_t)lifetime * 1000;
	b->registered_ms = now_ms;
}

/* The replay record of an accepted Identification (persist.c). */
static void
replay_record(struct haven_store_record *r, uint32_t home, uint64_t ident,
		uint64_t now_ms)
{
	memset(r, 0, sizeof(*r));
	r->kind = HAVEN_STORE_REPLAY;
	r->u.replay.home = haven_addr4(home);
	r->u.replay.flags = HAVEN_STORE_R_MIP4_ID;
	r->u.replay.mip4_id = ident;
	r->u.replay.updated_ms = now_ms;
}

/* FNV-1a over every record of a store, in key order, and their count. */
struct digest {
	uint64_t h, n;
	uint8_t last[HAVEN_STORE_KEY_MAX];
	size_t last_len;
};

static int
digest_one(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *val,
		size_t val_len)
{
	struct digest *d = ctx;
	size_t i;

	for (i = 0; i < key_len; i++)
		d->h = (d->h ^ key[i]) * 0x100000001b3ull;
	for (i = 0; i < val_len; i++)
		d->h = (d->h ^ val[i]) * 0x100000001b3ull;
	d->n++;
	memcpy(d->last, key, key_len);
	d->last_len = key_len;
	return 0;
}

static void
store_digest(struct haven_store *st, struct digest *d)
{
	int got;

	memset(d, 0, sizeof(*d));
	d->h = 0xcbf29ce484222325ull;
	do {
		got = haven_store_scan(st, d->last, d->last_len, RS_SCAN,
			digest_one, d);
	} while (got == RS_SCAN);
}

/* (h): an active and a fresh standby in this process, a queue each way. */
struct rs_queue {
	uint8_t (*msg)[HAVEN_SYNC_MAX_MSG];
	uint16_t *len;
	unsigned int n;
	uint64_t dropped;
};

static struct {
	struct haven_sync *sync[2];	/* 0 the active, 1 the standby */
	struct haven_store *store[2];
	struct rs_queue q[2];		/* q[i]: datagrams to side i */
	bool done;
	uint64_t bulk_records;
} rs;

static const struct haven_addr rs_addr[2] = {
	{ .family = HAVEN_AF_INET, .v4 = IP4(10, 0, 0, 1) },
	{ .family = HAVEN_AF_INET, .v4 = IP4(10, 0, 0, 2) },
};

static void
rs_send(void *ctx, const uint8_t *msg, size_t len)
{
	struct rs_queue *q = &rs.q[1 - (int)(uintptr_t)ctx];

	if (q->n == RS_QUEUE || len > HAVEN_SYNC_MAX_MSG) {
		q->dropped++;		/* the protocol sends it again */
		return;
	}
	memcpy(q->msg[q->n], msg, len);
	q->len[q->n++] = (uint16_t)len;
}

static int
rs_scan(void *ctx, const uint8_t *after, size_t after_len, unsigned int max,
		haven_sync_scan_cb cb, void *cb_ctx)
{
	(void)ctx;
	return haven_store_scan(rs.store[0], after, after_len, max, cb,
		cb_ctx);
}

static int
rs_apply(void *ctx, int op, const uint8_t *key, size_t key_len,
		const uint8_t *val, size_t val_len)
{
	(void)ctx;
	switch (op) {
	case HAVEN_SYNC_OP_PUT:
		return haven_store_put_raw(rs.store[1], key, key_len, val,
			val_len, NULL, 0);
	case HAVEN_SYNC_OP_DELETE:
		return haven_store_delete_raw(rs.store[1], key, key_len);
	default:
		return haven_store_delete_range(rs.store[1], key, key_len,
			val, val_len);
	}
}

static void
rs_event(void *ctx, int event, uint64_t arg)
{
	if ((int)(uintptr_t)ctx == 1 && event == HAVEN_SYNC_EV_BULK_DONE) {
		rs.done = true;
		rs.bulk_records = arg;
	}
}

static uint64_t
rs_count(void *ctx)
{
	struct haven_store_stats st;

	(void)ctx;
	haven_store_stats_get(rs.store[0], &st);
	return st.entries;
}

static const struct haven_sync_ops rs_ops = {
	.send = rs_send,
	.scan = rs_scan,
	.apply = rs_apply,
	.event = rs_event,
	.count = rs_count,
};

static void
rs_deliver(int to, uint64_t now)
{
	struct rs_queue *q = &rs.q[to];
	unsigned int i, n = q->n;

	/* What the deliveries send goes on the other queue. */
	for (i = 0; i < n; i++)
		haven_sync_input(rs.sync[to], &rs_addr[1 - to], q->msg[i],
			q->len[i], now);
	q->n = 0;
}

static void
rs_teardown(char dir[2][256])
{
	int k;

	for (k = 0; k < 2; k++) {
		haven_sync_free(rs.sync[k]);
		haven_store_close(rs.store[k]);
		store_remove(dir[k]);
		free(rs.q[k].msg);
		free(rs.q[k].len);
	}
	memset(&rs, 0, sizeof(rs));
}

/* The active's store: a binding record per bound home address. */
static int
rs_setup(char dir[2][256])
{
	static const uint8_t key[32] = "haven-bench-resync-key-32-bytes";
	struct haven_sync_params p;
	struct haven_store_record r;
	uint64_t now_wall = wall_ms();
	uint32_t i;
	int k;

	memset(&rs, 0, sizeof(rs));
	rs.store[0] = store_new("active", HAVEN_STORE_SYNC_NONE, dir[0], 256);
	rs.store[1] = store_new("standby", HAVEN_STORE_SYNC_EVERY_COMMIT,
		dir[1], 256);
	if (rs.store[0] == NULL || rs.store[1] == NULL)
		return -1;
	for (i = 0; i < cur.n; i++) {
		binding_record(&r, cur.homes[i], coa_addr(i % N_COA), 600,
			now_wall);
		if (haven_store_put(rs.store[0], &r) != 0)
			return -1;
	}
	if (haven_store_flush(rs.store[0]) < 0)
		return -1;
	for (k = 0; k < 2; k++) {
		rs.q[k].msg = malloc((size_t)RS_QUEUE * HAVEN_SYNC_MAX_MSG);
		rs.q[k].len = malloc(RS_QUEUE * sizeof(uint16_t));
		if (rs.q[k].msg == NULL || rs.q[k].len == NULL)
			return -1;
		memset(&p, 0, sizeof(p));
		p.self_id = (uint32_t)k + 1;
		p.peer_id = 2 - (uint32_t)k;
		p.peer_addr = rs_addr[1 - k];
		p.key = key;
		p.key_len = sizeof(key);
		p.seq_base = now_wall * 1000;
		p.boot_id = (uint32_t)k + 7;
		p.ops = &rs_ops;
		p.ctx = (void *)(uintptr_t)k;
		rs.sync[k] = haven_sync_create(&p, 0);
		if (rs.sync[k] == NULL)
			return -1;
	}
	return 0;
}

/*
 * (h): the active's store holds a binding record per bound home address
 * of the IPv4 table being measured; a fresh standby joins (empty store,
 * every-commit, one commit per turn of its loop) while the worker
 * forwards. The main lcore plays both control lcores. Returns 0, the
 * resync's figures in res (its rate as a ratio to hv, (c) of the table).
 */
static int
bench_resync(struct vresult *res, double hv, double hvw)
{
	struct haven_sync_stats st;
	struct digest da, db;
	char dir[2][256];
	uint64_t t0, t1, ms;
	struct run run;
	double v, w;

	if (rs_setup(dir) != 0) {
		rs_teardown(dir);
		return -1;
	}
	memset(&run, 0, sizeof(run));
	run.job = JOB_HAVEN;
	run.dur = (uint64_t)(600 * tsc_hz);	/* until the resync ends */
	worker_bad();
	if (rte_eal_remote_launch(job_main, &run, worker_lcore) != 0) {
		rs_teardown(dir);
		return -1;
	}
	/* Let the worker start before the standby says HELLO. */
	rte_delay_us_sleep(100000);
	t0 = rte_rdtsc();
	haven_sync_set_role(rs.sync[0], HAVEN_SYNC_ROLE_ACTIVE, 0);
	haven_sync_set_role(rs.sync[1], HAVEN_SYNC_ROLE_STANDBY, 0);
	while (!rs.done) {
		ms = (uint64_t)((rte_rdtsc() - t0) * 1000 / tsc_hz);
		if (ms > 300000)
			break;			/* never: 5 minutes */
		haven_sync_tick(rs.sync[0], ms);
		rs_deliver(1, ms);
		haven_sync_tick(rs.sync[1], ms);
		rs_deliver(0, ms);
		/* The end of the standby's turn (persist.c's poller): a group
		 * commit while more datagrams wait for it. */
		haven_store_poll(rs.store[1], rs.q[1].n > 0);
	}
	t1 = rte_rdtsc();
	run.stop = true;
	rte_eal_wait_lcore(worker_lcore);
	res->bad += worker_bad();
	haven_store_flush(rs.store[1]);
	haven_sync_stats_get(rs.sync[0], &st);
	res->resync = true;
	res->rs_secs = (t1 - t0) / tsc_hz;
	res->rs_records = rs.bulk_records;
	res->rs_msgs = st.tx[HAVEN_SYNC_RECORDS];
	v = cpu_mps(&run);
	w = wall_mps(&run);
	series_add(&res->rs, v, w, hv > 0 ? v / hv : 0, hvw > 0 ? w / hvw : 0);
	store_digest(rs.store[0], &da);
	store_digest(rs.store[1], &db);
	res->rs_same = rs.done && da.n == cur.n && da.n == db.n &&
		da.h == db.h;
	rs_teardown(dir);
	if (!opt.smoke)
		fprintf(stderr, "  %u bindings: bulk resync %.2f s, %" PRIu64
			" records in %" PRIu64 " messages, worker %.2f Mpps "
			"on CPU (%.2f wall), stores %s\n", cur.n, res->rs_secs,
			res->rs_records, res->rs_msgs, v, w,
			res->rs_same ? "equal" : "DIFFER");
	return 0;
}

#else
static int
bench_resync(struct vresult *res, double hv, double hvw)
{
	(void)res;
	(void)hv;
	(void)hvw;
	return -1;
}
#endif /* !HAVEN_BENCH_BEFORE */

/* ------------------------------------------------------------------ */
/* Per size and variant: tables, rounds                                */
/* ------------------------------------------------------------------ */

static struct rte_hash *
bare_hash(void)
{
	struct rte_hash_parameters hp = {
		.name = "bench_bare",
		/* As the rte_hash binding table sized its hash for n. */
		.entries = RTE_MAX(cur.n + cur.n / 4, 64u),
		.key_len = cur.homes6 != NULL ? 16 : sizeof(uint32_t),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash *h = rte_hash_create(&hp);
	uint32_t i;

	if (h == NULL)
		return NULL;
	for (i = 0; i < cur.n; i++)
		if (rte_hash_add_key_data(h, cur.homes6 != NULL ?
				(const void *)cur.homes6[i] :
				(const void *)&cur.homes[i],
				(void *)(uintptr_t)(i + 1)) != 0) {
			rte_hash_free(h);
			return NULL;
		}
	return h;
}

/* Build the variant's table (and the bare hash unless a child). */
static int
variant_setup(const struct variant *var, uint32_t n, struct vresult *res)
{
	struct haven_binding_prefix pfx;
	char label[64];
	size_t before;

	cur.var = var;
	cur.kind = KIND_IPIP;
	if (make_homes(var, n, &pfx, label, sizeof(label)) != 0)
		return -1;
	make_seq();
	if (opt.child == NULL) {
		cur.h = bare_hash();
		if (cur.h == NULL)
			return -1;
	}
	before = heap_used();
	if (var->family == 4)
		cur.t = TABLE4_CREATE("bench", n, &pfx, 1);
	else
		cur.t6 = TABLE6_CREATE("bench6", n, &pfx, 1);
	if (cur.t == NULL && cur.t6 == NULL) {
		fprintf(stderr, "haven-bench: %u bindings: %s\n", n,
			rte_strerror(rte_errno));
		return -1;
	}
	if (publish_all(KIND_IPIP) != 0)
		return -1;
	if (res != NULL) {
		res->mem_bytes = heap_used() - before;
		snprintf(res->prefix, sizeof(res->prefix), "%s", label);
	}
	if (cur.t != NULL) {
		fp.bindings = cur.t;
		worker.counters = haven_binding_counters_row(cur.t, 0);
	} else {
		fp6.bindings = cur.t6;
		worker.counters6 = haven_binding6_counters_row(cur.t6, 0);
	}
	worker_bad();
	return 0;
}

static void
variant_teardown(void)
{
	fp.bindings = NULL;
	fp6.bindings = NULL;
	worker.counters = NULL;
	worker.counters6 = NULL;
	haven_binding_table_free(cur.t);
	haven_binding6_table_free(cur.t6);
	rte_hash_free(cur.h);
	cur.t = NULL;
	cur.t6 = NULL;
	cur.h = NULL;
}

/*
 * One (c) run with the given kind: Mpps on CPU, *wall on the wall clock
 * (packets not tunnelled added to res).
 */
static double
measure_kind(enum kind kind, struct vresult *res, double *wall)
{
	struct run r;

	*wall = 0;
	if (kind != cur.kind && publish_all(kind) != 0)
		return 0;
	worker_bad();
	run_job(JOB_HAVEN, &r);
	res->bad += worker_bad();
	*wall = wall_mps(&r);
	return cpu_mps(&r);
}

static int
bench_variant(const struct variant *var, uint32_t n, bool extras)
{
	struct vresult *res = &results[n_results];
	unsigned int k;
	struct run r;

	memset(res, 0, sizeof(*res));
	res->size = n;
	res->var = var;
	res->extras = extras;
	if (variant_setup(var, n, res) != 0) {
		fprintf(stderr, "haven-bench: %u bindings (%s): set-up "
			"failed\n", n, var->name);
		return -1;
	}
	n_results++;

	if (opt.profile) {
		run_job(JOB_HAVEN, &r);
		res->bad += worker_bad();
		/* On CPU: what the rate would be had the worker thread not
		 * been preempted (the machine is shared); for A/B runs. */
		printf("%u bindings (%s): haven worker %.2f Mpps, %.2f Mpps "
			"on CPU (%.0f%% of the time), %" PRIu64 " not "
			"tunnelled\n", n, var->name, wall_mps(&r), cpu_mps(&r),
			r.cycles ? 100.0 * r.cpu_ns * tsc_hz / 1e9 / r.cycles :
			0, res->bad);
		variant_teardown();
		return 0;
	}
	for (k = 0; k < opt.rounds; k++) {
		double tp, io, iow, lk, lkw, hv, hvw, ideal, idealw, ch, rate = 0;
		double v, w;

		tp = run_testpmd();
		run_job(JOB_IO, &r);
		io = cpu_mps(&r);
		iow = wall_mps(&r);
		run_job(JOB_LOOKUP, &r);
		lk = cpu_mps(&r);
		lkw = wall_mps(&r);
		/*
		 * ideal = 1 / (1/io + 1/lookup): on CPU time with the
		 * in-process io loop (testpmd's io forwarding, in this
		 * thread), on the wall clock with testpmd if it ran.
		 */
		ideal = 1 / (1 / io + 1 / lk);
		idealw = 1 / (1 / (tp > 0 ? tp : iow) + 1 / lkw);
		if (tp > 0)
			series_add(&res->tp, 0, tp, 0, 0);
		series_add(&res->io, io, iow, 0, 0);
		series_add(&res->lk, lk, lkw, 0, 0);
		hv = measure_kind(KIND_IPIP, res, &hvw);
		series_add(&res->hv, hv, hvw, hv / ideal, hvw / idealw);
		run_haven_churn(&r, &rate);
		res->bad += worker_bad();
		ch = cpu_mps(&r);
		series_add(&res->ch, ch, wall_mps(&r), hv > 0 ? ch / hv : 0,
			hvw > 0 ? wall_mps(&r) / hvw : 0);
		series_add(&res->rate, 0, rate / 1e6, 0, 0);
		if (opt.before != NULL) {
			v = run_before(var, n, KIND_IPIP, &w);
			if (v > 0)
				series_add(&res->bf, v, w, v / ideal,
					w / idealw);
		}
		if (extras) {
			v = measure_kind(KIND_GRE, res, &w);
			series_add(&res->gre, v, w, v / ideal, w / idealw);
			v = measure_kind(KIND_SFLAG, res, &w);
			series_add(&res->sf, v, w, v / ideal, w / idealw);
			/* RFC 3519: no (c0) of it, an earlier tree may not
			 * know the encapsulation */
			v = measure_kind(KIND_UDP, res, &w);
			series_add(&res->udp, v, w, hv > 0 ? v / hv : 0,
				hvw > 0 ? w / hvw : 0);
			if (opt.before != NULL) {
				v = run_before(var, n, KIND_GRE, &w);
				if (v > 0)
					series_add(&res->bgre, v, w,
						v / ideal, w / idealw);
				v = run_before(var, n, KIND_SFLAG, &w);
				if (v > 0)
					series_add(&res->bsf, v, w, v / ideal,
						w / idealw);
			}
			if (publish_all(KIND_IPIP) != 0)
				return -1;
		}
		if (!opt.smoke)
			fprintf(stderr, "  %u %s, round %u, on CPU (wall): io "
				"%.2f (%.2f, testpmd %.2f) lookup %.2f (%.2f) "
				"haven %.2f (%.2f) = %.3f (%.3f) of ideal, "
				"churn %.2f (%.0f/s), before %.2f Mpps\n", n,
				var->name, k + 1, io, iow, tp, lk, lkw, hv, hvw,
				hv / ideal, hvw / idealw, ch, rate,
				res->bf.n > 0 ? res->bf.v[res->bf.n - 1] : 0);
	}
	/* (h) on the dense IPv4 table of each size. */
	if (!opt.no_state && var->family == 4 && var->dense &&
	    bench_resync(res, median(res->hv.v, res->hv.n),
			median(res->hv.w, res->hv.n)) != 0) {
		fprintf(stderr, "haven-bench: resync set-up failed\n");
		variant_teardown();
		return -1;
	}
	variant_teardown();
	return 0;
}

/* --child: set up one variant, measure (c) once, print it. */
static int
child_main(void)
{
	struct vresult res;
	struct run r;

	memset(&res, 0, sizeof(res));
	if (variant_setup(opt.child, opt.sizes[0], NULL) != 0)
		return 1;
	if (opt.child_kind != KIND_IPIP && publish_all(opt.child_kind) != 0)
		return 1;
	worker_bad();
	run_job(JOB_HAVEN, &r);
	res.bad = worker_bad();
	printf("haven-bench child: %.4f Mpps, %.4f Mpps on CPU (%" PRIu64
		" not tunnelled)\n", wall_mps(&r), cpu_mps(&r), res.bad);
	variant_teardown();
	return res.bad != 0;
}

#ifndef HAVEN_BENCH_BEFORE
/* ------------------------------------------------------------------ */
/* (e) registrations on the main lcore                                 */
/* ------------------------------------------------------------------ */

struct reg_node {
	uint32_t home_addr;
	struct haven_mip4_sa sa;
	struct haven_mip4_key *key;
	uint64_t last_ident;
};

struct reg_result {
	double raw_oneshot[MAX_ROUNDS];	/* OpenSSL HMAC(), ops/s */
	double raw_prepared[MAX_ROUNDS];	/* precomputed ipad/opad */
	double reg_sa[MAX_ROUNDS];	/* registrations/s, key per call */
	double reg_key[MAX_ROUNDS];	/* registrations/s, prepared keys */
	double reg_wall[MAX_ROUNDS];	/* the same on the wall clock */
	double reg_busy[MAX_ROUNDS];	/* the same, busy (struct reg_rate) */
	double ratio[MAX_ROUNDS];	/* reg_key / (raw_prepared / 2) */
	struct series store[3];		/* (g) per sync policy: busy and wall
					 * rates, ratios to (e) (reg_busy,
					 * reg_wall) of the same round */
	uint64_t store_errors;
	uint64_t refused;
};

static struct reg_node nodes[REG_NODES];
static uint8_t (*reqs)[64];
static uint16_t req_len;
static struct reg_result reg;

static int
key_cmp(const void *key, const void *elem)
{
	uint32_t x = rte_be_to_cpu_32(*(const uint32_t *)key);
	uint32_t y = rte_be_to_cpu_32(
		((const struct reg_node *)elem)->home_addr);

	return x < y ? -1 : x > y;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/*
 * A Registration Request of node i from coa with identification ident,
 * IP in IP, 600 s, signed with the node's key, or with a random
 * authenticator when forged.
 */
static void
request_encode(uint8_t *m, unsigned int i, uint32_t coa, uint64_t ident,
		bool forged)
{
	unsigned int k;

	memset(m, 0, 64);
	m[0] = HAVEN_MIP4_TYPE_RRQ;
	m[2] = 600 >> 8;
	m[3] = 600 & 0xff;
	memcpy(m + 4, &nodes[i].home_addr, 4);
	memcpy(m + 8, &(uint32_t){ HA_ADDR }, 4);
	memcpy(m + 12, &coa, 4);
	put_be64(m + 16, ident);
	m[24] = HAVEN_MIP4_EXT_MN_HA;
	m[25] = 4 + 16;
	m[26] = (uint8_t)(nodes[i].sa.spi >> 24);
	m[27] = (uint8_t)(nodes[i].sa.spi >> 16);
	m[28] = (uint8_t)(nodes[i].sa.spi >> 8);
	m[29] = (uint8_t)nodes[i].sa.spi;
	if (forged)
		for (k = 0; k < 16; k++)
			m[REG_COVERED + k] = (uint8_t)rte_rand();
	else
		haven_mip4_auth_compute(&nodes[i].sa, m, REG_COVERED,
				m + REG_COVERED);
}

/*
 * REG_PER_NODE requests per node, interleaved node by node, each with a
 * new care-of address and an Identification after the previous one.
 */
static void
make_requests(void)
{
	uint64_t now = haven_mip4_ntp_now();
	unsigned int j, i;

	for (j = 0; j < REG_PER_NODE; j++)
		for (i = 0; i < REG_NODES; i++)
			request_encode(reqs[j * REG_NODES + i], i,
				coa_addr((i + j) % N_COA), now + j + 1, false);
	req_len = REG_COVERED + 16;
	for (i = 0; i < REG_NODES; i++)
		nodes[i].last_ident = 0;
}

/*
 * One request as the control lcore handles it (app/haven/registration.c
 * process() and apply(), without logging and the wire): parse, find the
 * node, verify MN-HA, replay check, home agent address, publish the new
 * binding, build and sign the reply into an mbuf.
 */
static int
register_one(struct haven_binding_table *t, const uint8_t *msg, bool prepared)
{
	struct haven_mip4_rrq rrq;
	struct haven_mip4_rrp rrp;
	struct haven_binding b;
	struct reg_node *nd;
	struct rte_ether_addr zero = { 0 };
	uint8_t out[HAVEN_MIP4_RRP_LEN + 6 + HAVEN_MIP4_MAX_AUTH];
	struct rte_mbuf *m;
	uint32_t nh;
	uint8_t port;
	int len, idx;

	if (haven_mip4_parse_rrq(msg, req_len, &rrq, NULL, 0) != 0)
		return -1;
	nd = bsearch(&rrq.home_addr, nodes, REG_NODES, sizeof(*nodes),
			key_cmp);
	if (nd == NULL)
		return -1;
	if ((prepared ? haven_mip4_key_verify(nd->key, msg, &rrq.mn_ha) :
	     haven_mip4_auth_verify(&nd->sa, msg, &rrq.mn_ha)) != 0)
		return -1;
	if (haven_mip4_replay_check(rrq.ident, nd->last_ident,
			haven_mip4_ntp_now(), REG_WINDOW_S) != 0)
		return -1;
	if (rrq.ha_addr != HA_ADDR)
		return -1;
	nd->last_ident = rrq.ident;

	memset(&b, 0, sizeof(b));
	b.home_addr = rrq.home_addr;
	b.outer_src = HA_ADDR;
	b.encap = HAVEN_ENCAP_IPIP;
	b.flags = HAVEN_BINDING_F_INTERCEPT;
	b.n_coa = 1;
	if (haven_route_lookup(&fp, rrq.coa, &nh, &port) != 0)
		return -1;
	idx = haven_neigh_find(&fp, nh);
	if (idx < 0)
		return -1;
	b.coa[0].addr = rrq.coa;
	b.coa[0].next_hop = nh;
	b.coa[0].neigh = (uint16_t)idx;
	b.coa[0].port = fp.ports[port].port_id;
	b.lifetime = rrq.lifetime;
	b.registered_at = rte_get_timer_cycles();
	b.expires_at = b.registered_at + rte_get_timer_hz() * rrq.lifetime;
	b.last_ident = rrq.ident;
	if (haven_binding_publish(t, &b) != 0)
		return -1;

	rrp.code = HAVEN_MIP4_ACCEPTED;
	rrp.lifetime = rrq.lifetime;
	rrp.home_addr = rrq.home_addr;
	rrp.ha_addr = HA_ADDR;
	rrp.ident = rrq.ident;
	len = prepared ? haven_mip4_build_rrp_key(&rrp, nd->key, out,
			sizeof(out)) :
		haven_mip4_build_rrp(&rrp, &nd->sa, out, sizeof(out));
	if (len < 0)
		return -1;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return -1;
	if (haven_build_udp(m, &fp.ports[0].mac, &zero, HA_ADDR, rrq.coa,
			HAVEN_MIP4_UDP_PORT, HAVEN_MIP4_UDP_PORT, out,
			(uint16_t)len) != 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	rte_pktmbuf_free(m);
	return 0;
}

/*
 * Time a registration run took: on the thread's CPU, on the wall clock,
 * and "busy": the wall clock less the time the thread waited for a core
 * (run_delay in /proc/thread-self/schedstat), which counts what it spent
 * waiting for the disk (an fsync) but not what other processes took.
 */
struct reg_rate {
	double cpu, wall, busy;		/* registrations per second */
};

static uint64_t
thread_runq_ns(void)
{
	unsigned long long run, wait = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu %llu", &run, &wait) != 2)
		wait = 0;
	fclose(f);
	return wait;
}

/* What persist.c puts for an accepted request: binding, replay record. */
static void
state_put(struct haven_store *st, const uint8_t *m, uint64_t now_ms)
{
	struct haven_store_record r;
	uint64_t ident = 0;
	uint32_t home, coa;
	unsigned int b;

	memcpy(&home, m + 4, 4);
	memcpy(&coa, m + 12, 4);
	for (b = 0; b < 8; b++)
		ident = ident << 8 | m[16 + b];
	binding_record(&r, home, coa, 600, now_ms);
	if (haven_store_put(st, &r) != 0)
		reg.store_errors++;
	replay_record(&r, home, ident, now_ms);
	if (haven_store_put(st, &r) != 0)
		reg.store_errors++;
}

/*
 * Registrations per second on the main lcore; with a store (g), each
 * accepted request puts its binding and replay records, and every
 * STATE_TURN requests (a turn of the control loop under load) the store
 * is polled as persist.c does, busy: it commits every
 * HAVEN_STORE_GROUP_CHANGES changes.
 */
static void
run_registrations(struct haven_binding_table *t, bool prepared,
		struct haven_store *st, struct reg_rate *rate)
{
	uint64_t dur = (uint64_t)(opt.secs * tsc_hz);
	uint64_t reclaim_every = rte_get_tsc_hz() * RECLAIM_MS / 1000;
	uint64_t start, now, last_reclaim, done = 0, cpu, runq, secs_ns;
	uint64_t now_ms = wall_ms();
	unsigned int i = 0, n = REG_NODES * REG_PER_NODE, turn = 0;

	make_requests();
	runq = thread_runq_ns();
	cpu = thread_cpu_ns();
	start = rte_rdtsc();
	last_reclaim = start;
	do {
		if (register_one(t, reqs[i], prepared) != 0)
			reg.refused++;
		else if (st != NULL)
			state_put(st, reqs[i], now_ms);
		/* The end of a loop turn under load (persist.c's poller):
		 * more requests wait, so a group commit. */
		if (st != NULL && ++turn == STATE_TURN) {
			turn = 0;
			if (haven_store_poll(st, true) < 0)
				reg.store_errors++;
		}
		done++;
		if (++i == n) {
			/* Replay the set: forget the accepted idents. */
			unsigned int j;

			for (j = 0; j < REG_NODES; j++)
				nodes[j].last_ident = 0;
			i = 0;
		}
		now = rte_rdtsc();
		if (now - last_reclaim >= reclaim_every) {
			haven_binding_reclaim(t);
			last_reclaim = now;
		}
	} while (now - start < dur);
	if (st != NULL && haven_store_tick(st) < 0)
		reg.store_errors++;
	now = rte_rdtsc();
	cpu = thread_cpu_ns() - cpu;
	runq = thread_runq_ns() - runq;
	secs_ns = (uint64_t)((now - start) / tsc_hz * 1e9);
	rate->cpu = done * 1e9 / (double)cpu;
	rate->wall = done * 1e9 / (double)secs_ns;
	rate->busy = secs_ns > runq ? done * 1e9 / (double)(secs_ns - runq) :
		rate->wall;
}

/* Raw HMAC-MD5 per second on the main lcore's CPU time. */
static double
run_raw_hmac(bool prepared)
{
	uint64_t dur = (uint64_t)(opt.secs * tsc_hz) / 2;
	uint64_t start, now, done = 0, cpu;
	uint8_t msg[REG_COVERED], out[32];
	unsigned int len;

	memcpy(msg, reqs[0], REG_COVERED);
	cpu = thread_cpu_ns();
	start = rte_rdtsc();
	do {
		if (prepared)
			haven_mip4_key_compute(nodes[done % REG_NODES].key, msg,
					REG_COVERED, out);
		else
			HMAC(EVP_md5(), nodes[done % REG_NODES].sa.key,
				nodes[done % REG_NODES].sa.key_len, msg,
				REG_COVERED, out, &len);
		msg[0] ^= out[0];
		done++;
		now = rte_rdtsc();
	} while (now - start < dur);
	cpu = thread_cpu_ns() - cpu;
	return done * 1e9 / (double)cpu;
}

/* ------------------------------------------------------------------ */
/* (i) A registration flood through the registration guard             */
/* ------------------------------------------------------------------ */

/*
 * The worker receives forged Registration Requests (random sources of
 * 198.18.0.0/15, home addresses of the REG_NODES nodes, random
 * authenticators) at FLOOD_TIMES the rate at which the main lcore verifies
 * them, and FLOOD_VALID_HZ valid refreshes a second from the nodes' bound
 * care-of addresses among them; it runs them through the real
 * haven_worker_process_burst with the guard on (bound lane, a new lane at
 * half the verify rate) and off (one ring, no meter), in the same round.
 * The main lcore plays the control lcore: it drains the rings as
 * app/haven/runtime/loop.c does and handles each request as (e) does.
 * Measured: the share of valid refreshes answered within 1 s.
 */
#define FLOOD_TIMES	10		/* flood rate / verify rate */
#define FLOOD_FORGED	4096		/* distinct forged requests */
#define FLOOD_VALID_HZ	1000		/* valid refreshes a second */
#define FLOOD_VALID_MAX	(FLOOD_VALID_HZ * 32)
#define FLOOD_RRQ_LEN	(REG_COVERED + 16)
#define FLOOD_FRAME	(RTE_ETHER_HDR_LEN + 20 + 8 + FLOOD_RRQ_LEN)

static struct {
	uint8_t (*forged)[FLOOD_FRAME];
	uint8_t (*valid)[FLOOD_FRAME];
	uint64_t *sent_tsc;		/* per valid request, by the worker */
	uint32_t n_valid;
	uint64_t ident_base;		/* valid request k: ident base + k */
	double rate;			/* frames a second to offer */
	uint64_t valid_sent;		/* by the worker, read after it */
	uint64_t sent;
	struct rte_ring *reg_ring;
} fl;

static struct {
	double verify[MAX_ROUNDS];	/* forged verified a second, CPU */
	double times[MAX_ROUNDS];	/* achieved flood / verify */
	double on[MAX_ROUNDS];		/* valid answered in 1 s, guard on */
	double off[MAX_ROUNDS];		/* ... guard off */
	uint64_t shed, ring_full_on, ring_full_off;
	unsigned int n;
} flood;

/* An Ethernet frame of a request rrq from src to the agent. */
static void
flood_frame(uint8_t *f, uint32_t src, const uint8_t *rrq)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memset(f, 0, FLOOD_FRAME);
	rte_ether_addr_copy(&fp.ports[0].mac, &eth->dst_addr);
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[5] = 0x99;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(FLOOD_FRAME - RTE_ETHER_HDR_LEN);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = src;
	ip->dst_addr = HA_ADDR;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = RTE_BE16(HAVEN_MIP4_UDP_PORT);
	udp->dst_port = RTE_BE16(HAVEN_MIP4_UDP_PORT);
	udp->dgram_len = rte_cpu_to_be_16(8 + FLOOD_RRQ_LEN);
	memcpy(udp + 1, rrq, FLOOD_RRQ_LEN);
}

/*
 * The frames of a round: forged ones, and valid refreshes whose
 * identifications follow the agent's clock now; every node bound again
 * to its care-of address, its last identification forgotten.
 */
static int
flood_prepare(struct haven_binding_table *t)
{
	struct haven_binding b;
	uint8_t rrq[64];
	uint32_t src;
	unsigned int i;

	for (i = 0; i < REG_NODES; i++) {
		binding_of(&b, nodes[i].home_addr, i % N_COA, KIND_IPIP);
		if (haven_binding_publish(t, &b) != 0)
			return -1;
		nodes[i].last_ident = 0;
	}
	for (i = 0; i < FLOOD_FORGED; i++) {
		src = rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, 0) +
				(uint32_t)(rte_rand() & 0x1ffff));
		request_encode(rrq, (i * 7) % REG_NODES, src,
				haven_mip4_ntp_now(), true);
		flood_frame(fl.forged[i], src, rrq);
	}
	fl.ident_base = haven_mip4_ntp_now();
	fl.n_valid = RTE_MIN((uint32_t)(opt.secs * FLOOD_VALID_HZ) + 1,
			(uint32_t)FLOOD_VALID_MAX);
	for (i = 0; i < fl.n_valid; i++) {
		unsigned int node = i % REG_NODES;

		request_encode(rrq, node, coa_addr(node % N_COA),
				fl.ident_base + i + 1, false);
		flood_frame(fl.valid[i], coa_addr(node % N_COA), rrq);
	}
	return 0;
}

/* The worker: the flood and the refreshes, paced at fl.rate. */
static int
job_flood(struct run *r)
{
	struct haven_worker *w = &worker;
	struct rte_mbuf *pkts[HAVEN_BURST];
	uint64_t hz = rte_get_tsc_hz(), start, now, sent = 0, due;
	uint64_t valid_gap = hz / FLOOD_VALID_HZ, next_valid;
	uint32_t vi = 0, fi = 0;
	uint16_t n, i;

	rte_rcu_qsbr_thread_register(qsbr, w->id);
	rte_rcu_qsbr_thread_online(qsbr, w->id);
	start = rte_rdtsc();
	next_valid = start;
	do {
		now = rte_rdtsc();
		due = (uint64_t)((double)(now - start) * fl.rate / hz);
		if (due <= sent) {
			rte_rcu_qsbr_quiescent(qsbr, w->id);
			continue;
		}
		n = rte_eth_rx_burst(port_home, 0, pkts,
				(uint16_t)RTE_MIN(due - sent,
					(uint64_t)HAVEN_BURST));
		for (i = 0; i < n; i++) {
			const uint8_t *f;

			if (now >= next_valid && vi < fl.n_valid) {
				fl.sent_tsc[vi] = now;
				f = fl.valid[vi++];
				next_valid += valid_gap;
			} else {
				f = fl.forged[fi++ % FLOOD_FORGED];
			}
			memcpy(rte_pktmbuf_mtod(pkts[i], uint8_t *), f,
				FLOOD_FRAME);
			pkts[i]->data_len = FLOOD_FRAME;
			pkts[i]->pkt_len = FLOOD_FRAME;
			pkts[i]->ol_flags = 0;
		}
		haven_worker_process_burst(w, 0, pkts, n);
		haven_worker_flush(w);
		rte_rcu_qsbr_quiescent(qsbr, w->id);
		sent += n;
	} while (now - start < r->dur);
	rte_rcu_qsbr_thread_offline(qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(qsbr, w->id);
	fl.valid_sent = vi;
	fl.sent = sent;
	r->pkts = sent;
	r->cycles = rte_rdtsc() - start;
	return 0;
}

/*
 * A request the control lcore refuses, as the agent does: the reply (code
 * 131, signed with the node's key, app/haven/proto/reg4.c) built into an
 * mbuf; logs and events, rate limited there, are left out.
 */
static void
deny_one(const uint8_t *msg)
{
	struct rte_ether_addr zero = { 0 };
	uint8_t out[HAVEN_MIP4_RRP_LEN + 6 + HAVEN_MIP4_MAX_AUTH];
	struct haven_mip4_rrq rrq;
	struct haven_mip4_rrp rrp;
	struct reg_node *nd;
	struct rte_mbuf *m;
	int len;

	if (haven_mip4_parse_rrq(msg, req_len, &rrq, NULL, 0) != 0)
		return;
	nd = bsearch(&rrq.home_addr, nodes, REG_NODES, sizeof(*nodes),
			key_cmp);
	if (nd == NULL)
		return;
	memset(&rrp, 0, sizeof(rrp));
	rrp.code = HAVEN_MIP4_DENIED_MN_AUTH;
	rrp.home_addr = rrq.home_addr;
	rrp.ha_addr = HA_ADDR;
	rrp.ident = rrq.ident;
	len = haven_mip4_build_rrp_key(&rrp, nd->key, out, sizeof(out));
	m = len < 0 ? NULL : rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return;
	(void)haven_build_udp(m, &fp.ports[0].mac, &zero, HA_ADDR, rrq.coa,
		HAVEN_MIP4_UDP_PORT, HAVEN_MIP4_UDP_PORT, out, (uint16_t)len);
	rte_pktmbuf_free(m);
}

/* A request as the control lcore handles it: accepted, or refused. */
static int
handle_one(struct haven_binding_table *t, const uint8_t *msg)
{
	if (register_one(t, msg, true) == 0)
		return 0;
	deny_one(msg);
	return -1;
}

/* Forged requests the main lcore handles a second (wall clock). */
static double
flood_verify_rate(struct haven_binding_table *t)
{
	uint64_t dur = (uint64_t)(opt.secs * tsc_hz) / 2, start, done = 0;
	const unsigned int off = RTE_ETHER_HDR_LEN + 20 + 8;
	uint64_t now;

	start = rte_rdtsc();
	do {
		(void)handle_one(t, fl.forged[done % FLOOD_FORGED] + off);
		done++;
		now = rte_rdtsc();
	} while (now - start < dur);
	return done * tsc_hz / (double)(now - start);
}

/*
 * The main lcore as the control lcore while the worker floods: the
 * rings drained as loop.c drains them, each request handled as (e);
 * returns the share of valid refreshes answered within 1 s.
 */
static double
flood_control(struct haven_binding_table *t)
{
	uint64_t hz = rte_get_tsc_hz(), answered = 0, last_reclaim = 0;
	uint64_t reclaim_every = hz * RECLAIM_MS / 1000, now;
	const unsigned int off = RTE_ETHER_HDR_LEN + 20 + 8;
	struct rte_mbuf *pkts[32];
	unsigned int n, i;
	bool running = true;

	for (;;) {
		n = 0;
		if (fp.reg_ring != NULL)
			n = rte_ring_dequeue_burst(fp.reg_ring,
				(void **)pkts, 24, NULL);
		n += rte_ring_dequeue_burst(fp.punt_ring,
			(void **)(pkts + n), 32 - n, NULL);
		for (i = 0; i < n; i++) {
			const uint8_t *rrq =
				rte_pktmbuf_mtod(pkts[i], uint8_t *) + off;
			uint64_t ident = 0, k;
			unsigned int b;

			if (handle_one(t, rrq) == 0) {
				for (b = 0; b < 8; b++)
					ident = ident << 8 | rrq[16 + b];
				k = ident - fl.ident_base - 1;
				if (k < fl.n_valid &&
				    rte_rdtsc() - fl.sent_tsc[k] <= hz)
					answered++;
			}
			rte_pktmbuf_free(pkts[i]);
		}
		now = rte_rdtsc();
		if (now - last_reclaim >= reclaim_every) {
			haven_binding_reclaim(t);
			last_reclaim = now;
		}
		if (n == 0 && !running)
			break;
		if (n == 0)
			running = rte_eal_get_lcore_state(worker_lcore) ==
				RUNNING;
	}
	rte_eal_wait_lcore(worker_lcore);
	return fl.valid_sent == 0 ? 0 :
		(double)answered / (double)fl.valid_sent;
}

/* One round of (i): the guard on, then off, at FLOOD_TIMES x verify. */
static int
flood_round(struct haven_binding_table *t, unsigned int k)
{
	struct haven_binding_table *saved = fp.bindings;
	struct haven_binding_counters *saved_row = worker.counters;
	struct run r;
	double verify, share[2];
	unsigned int on;

	fp.bindings = t;
	worker.counters = haven_binding_counters_row(t, 0);
	if (flood_prepare(t) != 0)
		return -1;
	verify = flood_verify_rate(t);
	fl.rate = verify * FLOOD_TIMES;
	for (on = 0; on < 2; on++) {
		bool guard = on == 0;

		if (flood_prepare(t) != 0)
			return -1;
		memset(&worker.stats, 0, sizeof(worker.stats));
		memset(&worker.reg, 0, sizeof(worker.reg));
		fp.reg_ring = guard ? fl.reg_ring : NULL;
		haven_reg_guard_set(&fp.reg_guard,
			guard ? (uint32_t)(verify / 2) : 0,
			guard ? (uint32_t)(verify / 100) + 1 : 1,
			guard ? 200 : 0, 400, guard ? 100000 : 0, 10000);
		memset(&r, 0, sizeof(r));
		r.job = JOB_FLOOD;
		r.dur = (uint64_t)(opt.secs * tsc_hz);
		if (rte_eal_remote_launch(job_main, &r, worker_lcore) != 0)
			return -1;
		share[on] = flood_control(t);
		if (guard) {
			flood.times[k] = r.pkts * tsc_hz / (double)r.cycles /
				verify;
			flood.shed += worker.stats.drops[HAVEN_DROP_REG_SHED] +
				worker.stats.drops[HAVEN_DROP_REG_SHED_SOURCE] +
				worker.stats.drops[HAVEN_DROP_REG_SHED_BOUND];
			flood.ring_full_on +=
				worker.stats.drops[HAVEN_DROP_PUNT_RING_FULL];
		} else {
			flood.ring_full_off +=
				worker.stats.drops[HAVEN_DROP_PUNT_RING_FULL];
		}
	}
	fp.reg_ring = NULL;
	memset(&fp.reg_guard, 0, sizeof(fp.reg_guard));
	fp.bindings = saved;
	worker.counters = saved_row;
	flood.verify[k] = verify;
	flood.on[k] = share[0];
	flood.off[k] = share[1];
	flood.n = k + 1;
	if (!opt.smoke)
		fprintf(stderr, "  flood, round %u: verify %.0f/s, flood %.1f "
			"x, valid answered in 1 s: guard on %.3f, off %.3f\n",
			k + 1, verify, flood.times[k], share[0], share[1]);
	return 0;
}

static int
bench_flood(struct haven_binding_table *t)
{
	unsigned int k;
	int rc = 0;

	fl.forged = malloc(sizeof(*fl.forged) * FLOOD_FORGED);
	fl.valid = malloc(sizeof(*fl.valid) * FLOOD_VALID_MAX);
	fl.sent_tsc = calloc(FLOOD_VALID_MAX, sizeof(*fl.sent_tsc));
	fl.reg_ring = rte_ring_create("bench_reg", 1024, rte_socket_id(),
			RING_F_SC_DEQ);
	if (fl.forged == NULL || fl.valid == NULL || fl.sent_tsc == NULL ||
	    fl.reg_ring == NULL)
		rc = -1;
	for (k = 0; rc == 0 && k < opt.rounds; k++)
		rc = flood_round(t, k);
	rte_ring_free(fl.reg_ring);
	free(fl.forged);
	free(fl.valid);
	free(fl.sent_tsc);
	return rc;
}

static void
print_flood(void)
{
	double lo, hi, on;

	if (flood.n == 0)
		return;
	on = median(flood.on, flood.n);
	range(flood.on, flood.n, &lo, &hi);
	printf("-- registration flood: forged requests from %d sources, %d "
		"valid refreshes a second from bound care-of addresses\n",
		FLOOD_FORGED, FLOOD_VALID_HZ);
	printf("%-44s %8.0f K/s\n", "    forged requests refused, main lcore",
		median(flood.verify, flood.n) / 1e3);
	printf("%-44s %8.1f x verify\n", "    flood offered by the worker",
		median(flood.times, flood.n));
	printf("%-44s %8.3f [%.3f..%.3f] (>= 0.99 %s); shed %" PRIu64
		", ring full %" PRIu64 "\n",
		"(i) valid answered in 1 s, guard on", on, lo, hi,
		on >= 0.99 && median(flood.times, flood.n) >= FLOOD_TIMES * 0.9 ?
		"met" : "NOT met", flood.shed, flood.ring_full_on);
	range(flood.off, flood.n, &lo, &hi);
	printf("%-44s %8.3f [%.3f..%.3f]; ring full %" PRIu64 "\n",
		"    the same, guard off", median(flood.off, flood.n), lo, hi,
		flood.ring_full_off);
}
static const enum haven_store_sync state_policies[3] = {
	HAVEN_STORE_SYNC_EVERY_COMMIT, HAVEN_STORE_SYNC_INTERVAL,
	HAVEN_STORE_SYNC_NONE,
};

/* The nodes: the first REG_NODES addresses of a home prefix (a /20). */
static int
bench_registrations(void)
{
	struct haven_store *stores[3] = { NULL, NULL, NULL };
	char dirs[3][256];
	struct reg_rate rr;
	struct haven_binding_prefix pfx = {
		.addr = haven_addr4(rte_cpu_to_be_32(DENSE_BASE)),
		.len = 32 - log2_ceil(REG_NODES),
	};
	struct haven_binding_table *t;
	struct haven_binding b;
	unsigned int i, k, j;

	for (i = 0; i < REG_NODES; i++) {
		nodes[i].home_addr = rte_cpu_to_be_32(DENSE_BASE + i);
		nodes[i].sa.spi = 256 + i;
		nodes[i].sa.alg = HAVEN_MIP4_ALG_HMAC_MD5;
		nodes[i].sa.key_len = 16;
		for (j = 0; j < 16; j++)
			nodes[i].sa.key[j] = (uint8_t)rte_rand();
		nodes[i].key = haven_mip4_key_create(&nodes[i].sa);
		if (nodes[i].key == NULL)
			return -1;
	}
	reqs = malloc((size_t)REG_NODES * REG_PER_NODE * sizeof(*reqs));
	t = TABLE4_CREATE("bench_reg", REG_NODES, &pfx, 1);
	if (reqs == NULL || t == NULL)
		return -1;
	for (i = 0; i < REG_NODES; i++) {
		binding_of(&b, nodes[i].home_addr, i % N_COA, KIND_IPIP);
		if (haven_binding_publish(t, &b) != 0)
			return -1;
	}
	make_requests();
	for (j = 0; j < 3 && !opt.no_state; j++) {
		char tag[16];

		snprintf(tag, sizeof(tag), "reg%u", j);
		stores[j] = store_new(tag, state_policies[j], dirs[j],
			sizeof(dirs[j]));
		if (stores[j] == NULL)
			return -1;
	}
	for (k = 0; k < opt.rounds; k++) {
		reg.raw_oneshot[k] = run_raw_hmac(false);
		reg.raw_prepared[k] = run_raw_hmac(true);
		run_registrations(t, false, NULL, &rr);
		reg.reg_sa[k] = rr.cpu;
		run_registrations(t, true, NULL, &rr);
		reg.reg_key[k] = rr.cpu;
		reg.reg_wall[k] = rr.wall;
		reg.reg_busy[k] = rr.busy;
		reg.ratio[k] = reg.reg_key[k] / (reg.raw_prepared[k] / 2);
		for (j = 0; j < 3 && !opt.no_state; j++) {
			run_registrations(t, true, stores[j], &rr);
			series_add(&reg.store[j], rr.busy, rr.wall,
				rr.busy / reg.reg_busy[k],
				rr.wall / reg.reg_wall[k]);
		}
		if (!opt.smoke)
			fprintf(stderr, "  registrations, round %u: HMAC() "
				"%.0f/s, prepared %.0f/s, reg %.0f/s, "
				"reg prepared %.0f/s (busy %.0f/s), with the "
				"store (busy) %.0f/s %.0f/s %.0f/s\n", k + 1,
				reg.raw_oneshot[k], reg.raw_prepared[k],
				reg.reg_sa[k], reg.reg_key[k], reg.reg_busy[k],
				reg.store[0].v[k], reg.store[1].v[k],
				reg.store[2].v[k]);
	}
	if (bench_flood(t) != 0)
		fprintf(stderr, "haven-bench: (i) registration flood failed\n");
	for (j = 0; j < 3; j++)
		if (stores[j] != NULL) {
			haven_store_close(stores[j]);
			store_remove(dirs[j]);
		}
	haven_binding_table_free(t);
	for (i = 0; i < REG_NODES; i++)
		haven_mip4_key_free(nodes[i].key);
	free(reqs);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

static void
cpu_model(char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown CPU");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "model name", 10) == 0) {
			char *p = strchr(line, ':');

			if (p != NULL) {
				p += 2;
				p[strcspn(p, "\n")] = 0;
				snprintf(buf, len, "%s", p);
			}
			break;
		}
	fclose(f);
}

/*
 * A rate row: label, median rate on CPU and its cycles, median rate on
 * the wall clock; the ratio follows on the same line.
 */
static void
row(const char *label, const struct series *s, const char *unit)
{
	double v = median(s->v, s->n), w = median(s->w, s->n);

	if (s->n == 0 || v == 0)
		printf("%-44s %8s %-4s %6s", label, "-", "", "-");
	else
		printf("%-44s %8.2f %-4s %6.1f", label, v, unit,
			cycles_per(v));
	printf(" %8.2f", w);
}

/* Ratios: on CPU, median [range] (target), then on the wall clock. */
static void
ratio(const struct series *s, const char *of, double target)
{
	double lo, hi, r = median(s->r, s->n);

	range(s->r, s->n, &lo, &hi);
	printf("  %.3f of %s [%.3f..%.3f]", r, of, lo, hi);
	if (target > 0)
		printf(" (>= %.2f %s)", target, r >= target ? "met" : "NOT met");
	printf("; wall %.3f\n", median(s->rw, s->n));
}

/*
 * (g) and (h). (g)'s rates are "busy" (struct reg_rate): an fsync is time
 * the control lcore waits, which CPU time would leave out.
 */
static void
print_state(void)
{
	char label[96];
	unsigned int i, s;
	double v, w, lo, hi, q;

	if (opt.no_state)
		return;
	printf("-- (e) with the state store, a group commit per %d changes "
		"(%d requests); rates busy (CPU and disk\n   waits, not waits "
		"for a core), ratios to (e)'s busy rate of the same round; "
		"wall: on the wall clock\n", HAVEN_STORE_GROUP_CHANGES,
		HAVEN_STORE_GROUP_CHANGES / 2);
	for (s = 0; s < 3; s++) {
		const struct series *g = &reg.store[s];

		v = median(g->v, g->n);
		w = median(g->w, g->n);
		q = median(g->r, g->n);
		range(g->r, g->n, &lo, &hi);
		snprintf(label, sizeof(label), "(g) + state store, sync %s",
			haven_store_sync_name(state_policies[s]));
		printf("%-44s %8.0f K/s  %6.0f %8.0f  %.3f of (e) "
			"[%.3f..%.3f] (>= 0.80 %s); wall %.3f\n", label,
			v / 1e3, v > 0 ? tsc_hz / v : 0, w / 1e3, q, lo, hi,
			q >= 0.8 ? "met" : "NOT met", median(g->rw, g->n));
	}
	if (reg.store_errors != 0)
		printf("    WARNING: %" PRIu64 " store errors\n",
			reg.store_errors);
	for (i = 0; i < n_results; i++) {
		const struct vresult *r = &results[i];

		if (!r->resync)
			continue;
		if (i == 0 || !results[i - 1].resync)
			printf("-- bulk resync of the whole store to a fresh "
				"standby (lib/sync, in process) while the "
				"worker forwards\n");
		snprintf(label, sizeof(label), "(h) %u bindings: %.2f s, "
			"%.0f K/s", r->size, r->rs_secs, r->rs_secs > 0 ?
			r->rs_records / r->rs_secs / 1e3 : 0);
		row(label, &r->rs, "Mpps");
		ratio(&r->rs, "(c)", 0.90);
		if (!r->rs_same)
			printf("    WARNING: the stores differ\n");
	}
}

static void
print_table(void)
{
	char cpu[128], label[96];
	unsigned int i;
	double raw1, rawp, rsa, rkey, lo, hi, ideal, io, lk;

	cpu_model(cpu, sizeof(cpu));
	printf("\nHaven benchmark: %s, %u lcores (main %u, worker %u), "
		"TSC %.2f GHz, %s, %u round%s x %.2f s, medians "
		"[ranges of the per-round ratios]\n",
		cpu, rte_lcore_count(), rte_get_main_lcore(), worker_lcore,
		tsc_hz / 1e9, opt.no_huge ? "no hugepages" : "2 MB hugepages",
		opt.rounds, opt.rounds > 1 ? "s" : "", opt.secs);
	printf("Rates in millions per second of the measuring thread's CPU "
		"time, cycles per packet from them;\n\"wall\": the same on "
		"the wall clock, ratios there against testpmd's io.\n");
	printf("%-44s %13s %6s %8s  %s\n", "measurement", "on CPU", "cycles",
		"wall", "ratio on CPU [range] (target); wall");
	for (i = 0; i < n_results; i++) {
		const struct vresult *r = &results[i];
		double target = !r->var->dense ? 0 :
			r->size >= 1048576 ? 1.0 : 0.75;

		printf("-- %u bindings, %s %s, %s, %u-byte frames\n", r->size,
			r->var->label, r->prefix, r->var->family == 4 ?
			"IP in IP" : "IPv6 in IPv6", FRAME_LEN);
		io = median(r->io.v, r->io.n);
		lk = median(r->lk.v, r->lk.n);
		ideal = 1 / (1 / io + 1 / lk);
		if (r->tp.n > 0) {
			row("(a) testpmd io fwd, net_null (wall clock)", &r->tp,
				"Mpps");
			printf("\n");
		} else {
			printf("%-44s %13s %6s %8s\n",
				"(a) testpmd io fwd, net_null", "n/a", "-",
				"n/a");
		}
		row("    the same io loop in haven-bench", &r->io, "Mpps");
		printf("\n");
		snprintf(label, sizeof(label), "(b) rte_hash_lookup_bulk_data, "
			"%s keys", r->var->family == 4 ? "4-byte" : "16-byte");
		row(label, &r->lk, "M/s");
		printf("\n");
		printf("%-44s %8.2f %-4s %6.1f\n",
			"    ideal = 1 / (1/(a) + 1/(b))", ideal, "Mpps",
			cycles_per(ideal));
		row("(c) haven worker, 1 core", &r->hv, "Mpps");
		ratio(&r->hv, "ideal", target);
		if (r->bf.n > 0) {
			snprintf(label, sizeof(label), "(c0) before: %s",
				opt.before_label);
			row(label, &r->bf, "Mpps");
			ratio(&r->bf, "ideal", 0);
		}
		snprintf(label, sizeof(label), "(d) + %.0fK binding changes/s",
			median(r->rate.w, r->rate.n) * 1000);
		row(label, &r->ch, "Mpps");
		ratio(&r->ch, "(c)", 0.95);
		if (r->extras) {
			row("    GRE (RFC 2784)", &r->gre, "Mpps");
			ratio(&r->gre, "ideal", 0);
			if (r->bgre.n > 0) {
				row("    GRE, before", &r->bgre, "Mpps");
				ratio(&r->bgre, "ideal", 0);
			}
			row("    two care-of addresses (S), 2 out per in",
				&r->sf, "Mpps");
			ratio(&r->sf, "ideal", 0);
			if (r->bsf.n > 0) {
				row("    two care-of addresses, before",
					&r->bsf, "Mpps");
				ratio(&r->bsf, "ideal", 0);
			}
			row("(c') IP in UDP (RFC 3519), general path",
				&r->udp, "Mpps");
			ratio(&r->udp, "(c)", 0);
		}
		printf("%-44s %8.1f MiB %15.0f B/binding\n",
			"(f) memory of the table", r->mem_bytes / 1048576.0,
			(double)r->mem_bytes / r->size);
		if (r->bad != 0)
			printf("    WARNING: %" PRIu64 " packets not tunnelled\n",
				r->bad);
	}
	raw1 = median(reg.raw_oneshot, opt.rounds);
	rawp = median(reg.raw_prepared, opt.rounds);
	rsa = median(reg.reg_sa, opt.rounds);
	rkey = median(reg.reg_key, opt.rounds);
	range(reg.ratio, opt.rounds, &lo, &hi);
	printf("-- registrations on the main lcore, HMAC-MD5, %d-byte "
		"requests (%d bytes authenticated), %d nodes\n",
		REG_COVERED + 16, REG_COVERED, REG_NODES);
	printf("%-44s %8.0f K/s  %6.0f\n", "    raw HMAC-MD5, OpenSSL HMAC()",
		raw1 / 1e3, tsc_hz / raw1);
	printf("%-44s %8.0f K/s  %6.0f\n",
		"    raw HMAC-MD5, ipad/opad precomputed", rawp / 1e3,
		tsc_hz / rawp);
	printf("%-44s %8.0f K/s  %6.0f           %.3f of raw/2 (HMAC())\n",
		"    registrations, key prepared per call", rsa / 1e3,
		tsc_hz / rsa, rsa / (raw1 / 2));
	printf("%-44s %8.0f K/s  %6.0f %8.0f  %.3f of raw/2 (precomputed) "
		"[%.3f..%.3f] (>= 0.40 %s)\n",
		"(e) registrations, prepared keys", rkey / 1e3, tsc_hz / rkey,
		median(reg.reg_wall, opt.rounds) / 1e3,
		median(reg.ratio, opt.rounds), lo, hi,
		median(reg.ratio, opt.rounds) >= 0.4 ? "met" : "NOT met");
	if (reg.refused != 0)
		printf("    WARNING: %" PRIu64 " registrations refused\n",
			reg.refused);
	print_flood();
	print_state();
	printf("haven-bench: done\n");
}

#endif /* !HAVEN_BENCH_BEFORE */

/* ------------------------------------------------------------------ */
/* main                                                                */
/* ------------------------------------------------------------------ */

/*
 * Remove a DPDK runtime directory this process or its testpmd left (EAL
 * keeps them after cleanup): its files, then itself. Only flat files.
 */
static void
remove_runtime_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* Leave nothing behind: EAL cleanup, then the runtime directories. */
static void
bench_cleanup(void)
{
	char own[PATH_MAX], tp[PATH_MAX + 32], *slash;

	snprintf(own, sizeof(own), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(own);
	slash = strrchr(own, '/');
	if (slash != NULL) {
		*slash = '\0';
		snprintf(tp, sizeof(tp), "%s/haven-bench-tp-%d", own,
			(int)getpid());
		remove_runtime_dir(tp);
	}
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--smoke] [--rounds N] [--secs S] [--sizes N,N]\n"
		"          [--variants dense,sparse,dense6,sparse6] "
		"[--no-extras] [--churn N]\n"
		"          [--no-huge] [--mem MB] [--testpmd PATH|none] "
		"[--testpmd-secs N]\n"
		"          [--before PATH [--before-label TEXT]]\n"
		"          [--profile (only Haven's worker, for perf record)]\n"
		"          [--no-state] [--state-dir DIR (stores of (g), (h); "
		"default /tmp)]\n"
		"Runs on lcores 0 and 1 with net_null devices; prints one "
		"table on stdout.\n", prog);
}

static const struct variant *
variant_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(variants); i++)
		if (strcmp(variants[i].name, name) == 0)
			return &variants[i];
	return NULL;
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "smoke", no_argument, NULL, 'k' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "secs", required_argument, NULL, 's' },
		{ "sizes", required_argument, NULL, 'z' },
		{ "variants", required_argument, NULL, 'v' },
		{ "no-extras", no_argument, NULL, 'x' },
		{ "churn", required_argument, NULL, 'c' },
		{ "no-huge", no_argument, NULL, 'n' },
		{ "mem", required_argument, NULL, 'm' },
		{ "testpmd", required_argument, NULL, 't' },
		{ "testpmd-secs", required_argument, NULL, 'T' },
		{ "before", required_argument, NULL, 'b' },
		{ "before-label", required_argument, NULL, 'B' },
		{ "child", required_argument, NULL, 'C' },
		{ "child-kind", required_argument, NULL, 'K' },
		{ "profile", no_argument, NULL, 'p' },
		{ "no-state", no_argument, NULL, 'S' },
		{ "state-dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *tok, *save;
	unsigned int i;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'k':
			opt.smoke = true;
			opt.rounds = 1;
			opt.secs = 0.2;
			opt.testpmd_secs = 3;
			opt.sizes[0] = 4096;
			opt.n_sizes = 1;
			opt.mem_mb = 256;
			break;
		case 'r':
			opt.rounds = RTE_MIN((unsigned int)atoi(optarg),
					(unsigned int)MAX_ROUNDS);
			break;
		case 's':
			opt.secs = atof(optarg);
			break;
		case 'z':
			opt.n_sizes = 0;
			for (tok = strtok_r(optarg, ",", &save);
			     tok != NULL && opt.n_sizes < MAX_SIZES;
			     tok = strtok_r(NULL, ",", &save))
				opt.sizes[opt.n_sizes++] =
					(uint32_t)strtoul(tok, NULL, 0);
			break;
		case 'v':
			opt.n_vars = 0;
			for (tok = strtok_r(optarg, ",", &save);
			     tok != NULL && opt.n_vars < MAX_VARIANTS;
			     tok = strtok_r(NULL, ",", &save)) {
				opt.vars[opt.n_vars] = variant_by_name(tok);
				if (opt.vars[opt.n_vars++] == NULL) {
					usage(argv[0]);
					return -1;
				}
			}
			break;
		case 'x':
			opt.extras = false;
			break;
		case 'c':
			opt.churn = (uint32_t)atoi(optarg);
			break;
		case 'p':
			opt.profile = true;
			break;
		case 'S':
			opt.no_state = true;
			break;
		case 'D':
			opt.state_dir = optarg;
			break;
		case 'n':
			opt.no_huge = true;
			break;
		case 'm':
			opt.mem_mb = (unsigned int)atoi(optarg);
			break;
		case 't':
			opt.testpmd = strcmp(optarg, "none") == 0 ? NULL :
				optarg;
			break;
		case 'T':
			opt.testpmd_secs = (unsigned int)atoi(optarg);
			break;
		case 'b':
			opt.before = optarg;
			break;
		case 'B':
			opt.before_label = optarg;
			break;
		case 'C':
			opt.child = variant_by_name(optarg);
			if (opt.child == NULL) {
				usage(argv[0]);
				return -1;
			}
			break;
		case 'K':
			for (i = 0; i < RTE_DIM(kind_names); i++)
				if (strcmp(optarg, kind_names[i]) == 0)
					opt.child_kind = (enum kind)i;
			break;
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (opt.rounds == 0 || opt.secs <= 0 || opt.n_sizes == 0 ||
	    opt.n_vars == 0) {
		usage(argv[0]);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char prefix[64], mem[16];
	char *eal_argv[24];
	int eal_argc = 0, rc;
	unsigned int s, v;

	if (parse_args(argc, argv) != 0)
		return 2;
	snprintf(prefix, sizeof(prefix), "haven-bench-%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%u", opt.mem_mb);
	eal_argv[eal_argc++] = argv[0];
	eal_argv[eal_argc++] = "-l";
	eal_argv[eal_argc++] = "0,1";
	eal_argv[eal_argc++] = "--no-pci";
	eal_argv[eal_argc++] = "--no-telemetry";
	eal_argv[eal_argc++] = "--file-prefix";
	eal_argv[eal_argc++] = prefix;
	if (opt.no_huge)
		eal_argv[eal_argc++] = "--no-huge";
	eal_argv[eal_argc++] = "-m";
	eal_argv[eal_argc++] = mem;
	eal_argv[eal_argc++] = "--vdev";
	eal_argv[eal_argc++] = "net_null0";
	eal_argv[eal_argc++] = "--vdev";
	eal_argv[eal_argc++] = "net_null1";
	eal_argv[eal_argc++] = "--log-level";
	eal_argv[eal_argc++] = "lib.eal:error";
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "haven-bench: rte_eal_init failed\n");
		return 1;
	}
	worker_lcore = rte_get_next_lcore(-1, 1, 0);
	tsc_hz = (double)rte_get_tsc_hz();
	if (world_setup() != 0) {
		fprintf(stderr, "haven-bench: set-up failed\n");
		return 1;
	}
	if (opt.child != NULL) {
		rc = child_main();
		bench_cleanup();
		return rc;
	}
#ifdef HAVEN_BENCH_BEFORE
	fprintf(stderr, "haven-bench: built as (c0): only --child\n");
	bench_cleanup();
	return 2;
#else
	if (opt.testpmd == NULL)
		opt.testpmd = "false";

	for (s = 0; s < opt.n_sizes; s++)
		for (v = 0; v < opt.n_vars; v++)
			if (bench_variant(opt.vars[v], opt.sizes[s],
					opt.extras && s == 0 &&
					opt.vars[v]->family == 4 &&
					opt.vars[v]->dense) != 0)
				return 1;
	if (opt.profile) {
		bench_cleanup();
		return 0;
	}
	if (bench_registrations() != 0) {
		fprintf(stderr, "haven-bench: registration set-up failed\n");
		return 1;
	}
	print_table();
	bench_cleanup();
	/* Correctness, never timings: every packet tunnelled, every
	 * registration accepted. */
	for (s = 0; s < n_results; s++)
		if (results[s].bad != 0 ||
		    (results[s].resync && !results[s].rs_same))
			return 1;
	return reg.refused != 0 || reg.store_errors != 0 ? 1 : 0;
#endif
}
