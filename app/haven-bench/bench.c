/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * haven-bench: Haven's fast path and registration path measured side by
 * side with baselines run in the same invocation, on the same machine.
 *
 * The machine is shared and noisy, so every figure that matters is a
 * ratio to a baseline measured moments before or after it: each round
 * runs every measurement once, in the same order, and the table shows the
 * median of the rounds. The baselines are
 *   (a) dpdk-testpmd forwarding in io mode between two net_null devices,
 *       run as a child process between our own measurements (and, as a
 *       cross-check, the same rx/tx loop in this process);
 *   (b) a bare rte_hash_lookup_bulk_data loop over an rte_hash built like
 *       the binding table's, holding the same keys, fed the same key
 *       sequence;
 * and Haven's figures are
 *   (c) the real worker (haven_worker_process_burst, haven_worker_flush,
 *       an RCU quiescent report per loop, as haven_worker_main does) fed
 *       by a net_null device whose frames the harness fills with IPv4
 *       datagrams to random bound home addresses, tunnelled IP in IP out
 *       of a second net_null device;
 *   (d) the same while the main lcore republishes bindings with a new
 *       care-of address at a fixed rate and reclaims every 10 ms;
 *   (c') the same worker over a second table holding the same home
 *       addresses tunnelled in UDP to a NAT (RFC 3519: outer IPv4, UDP
 *       from port 434, the 4-octet MIP Tunnel Data header), as a ratio
 *       to (c) of the same round;
 *   (e) registrations processed on the main lcore through the library
 *       path the control lcore uses, against raw HMAC-MD5;
 *   (f) the binding table's memory, from the DPDK heap statistics.
 * docs/perf.md explains the method and the table.
 *
 * Filling the received frame (a 64-byte copy and the destination) is part
 * of Haven's measured time: it stands for the first touch of a frame that
 * a NIC would have written.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
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

#include "haven_binding.h"
#include "haven_fastpath.h"
#include "haven_mip4.h"

#define IP4(a, b, c, d) RTE_BE32(RTE_IPV4(a, b, c, d))

#define HA_ADDR		IP4(192, 0, 2, 1)	/* home agent, home port */
#define CH_ADDR		IP4(192, 0, 2, 50)	/* source of the traffic */
#define VISITED_ADDR	IP4(198, 51, 100, 1)	/* visited port */
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

/* ------------------------------------------------------------------ */
/* Options and results                                                 */
/* ------------------------------------------------------------------ */

static struct {
	unsigned int rounds;
	double secs;			/* per measurement */
	unsigned int testpmd_secs;
	uint32_t sizes[MAX_SIZES];
	unsigned int n_sizes;
	uint32_t churn;			/* binding changes per second */
	bool no_huge;
	unsigned int mem_mb;
	const char *testpmd;
	bool smoke;
	bool profile;			/* only (c), for perf record */
} opt = {
	.rounds = 5,
	.secs = 1.0,
	.testpmd_secs = 4,
	.sizes = { 65536, 1048576 },
	.n_sizes = 2,
	.churn = 100000,
	.mem_mb = 1024,
	.testpmd = "dpdk-testpmd",
};

struct size_result {
	uint32_t size;
	double tp_mpps[MAX_ROUNDS];	/* (a) testpmd */
	double io_mpps[MAX_ROUNDS];	/* (a') in-process io loop */
	double lk_mps[MAX_ROUNDS];	/* (b) lookups per second, millions */
	double hv_mpps[MAX_ROUNDS];	/* (c) */
	double ch_mpps[MAX_ROUNDS];	/* (d) */
	double ch_ratio[MAX_ROUNDS];	/* (d)/(c) of the same round */
	double churn_rate[MAX_ROUNDS];	/* achieved changes per second */
	double ideal_ratio[MAX_ROUNDS];	/* (c) / ideal of the same round */
	double udp_mpps[MAX_ROUNDS];	/* (c') IP in UDP */
	double udp_ratio[MAX_ROUNDS];	/* (c')/(c) of the same round */
	bool udp_skipped;		/* no memory for the second table */
	unsigned int n_tp;
	uint64_t bad;			/* packets not tunnelled */
	size_t mem_bytes;		/* (f) */
};

static struct size_result results[MAX_SIZES];
static double tsc_hz;

static double
median(double *v, unsigned int n)
{
	double t;
	unsigned int i, j;

	if (n == 0)
		return 0;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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
static struct haven_worker worker;
static struct rte_rcu_qsbr *qsbr;
static volatile bool quit;
static uint16_t port_home, port_visited;
static unsigned int worker_lcore;
static int coa_neigh[N_COA];

/* The destinations the generator cycles through, with header checksums. */
struct seq_entry {
	uint32_t dst;
	uint16_t cksum;			/* IPv4 header checksum, NBO */
	uint16_t pad;
};

static struct seq_entry *seq;
static uint32_t *homes;			/* bound home addresses */
static uint8_t frame_tmpl[FRAME_LEN];
static uint32_t tmpl_sum;		/* header sum without destination */

static uint32_t
coa_addr(unsigned int i)
{
	return rte_cpu_to_be_32(RTE_IPV4(198, 51, 100, 2 + i));
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

/* A UDP datagram from the correspondent host, to be addressed per packet. */
static void
frame_template(void)
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
}

/* Distinct random home addresses in 10.0.0.0/8. */
static int
make_homes(uint32_t n)
{
	uint64_t *seen = calloc((1u << 24) / 64, sizeof(uint64_t));
	uint32_t i = 0, h;

	homes = malloc(sizeof(*homes) * n);
	if (seen == NULL || homes == NULL)
		return -1;
	while (i < n) {
		h = (uint32_t)rte_rand() & 0xffffff;
		if (h == 0 || (seen[h / 64] >> (h % 64) & 1))
			continue;
		seen[h / 64] |= 1ULL << (h % 64);
		homes[i++] = rte_cpu_to_be_32(10u << 24 | h);
	}
	free(seen);
	return 0;
}

/* SEQ_LEN destinations drawn uniformly from the first n home addresses. */
static void
make_seq(uint32_t n)
{
	uint32_t i, d;
	uint8_t a[4];

	for (i = 0; i < SEQ_LEN; i++) {
		d = homes[rte_rand_max(n)];
		memcpy(a, &d, 4);
		seq[i].dst = d;
		seq[i].cksum = rte_cpu_to_be_16(fold(tmpl_sum +
				(uint32_t)(a[0] << 8 | a[1]) +
				(uint32_t)(a[2] << 8 | a[3])));
	}
}

static void
binding_of(struct haven_binding *b, uint32_t home, unsigned int c)
{
	memset(b, 0, sizeof(*b));
	b->home_addr = home;
	b->outer_src = HA_ADDR;
	b->encap = HAVEN_ENCAP_IPIP;
	b->flags = HAVEN_BINDING_F_INTERCEPT;
	b->forwarder = HAVEN_FORWARDER_SELF;
	b->n_coa = 1;
	b->coa[0].addr = coa_addr(c);
	b->coa[0].next_hop = coa_addr(c);
	b->coa[0].neigh = (uint16_t)coa_neigh[c];
	b->coa[0].port = port_visited;
	b->lifetime = 600;
}

/* The same binding tunnelled in UDP to a NAT's port (RFC 3519). */
static void
binding_udp_of(struct haven_binding *b, uint32_t home, unsigned int c)
{
	binding_of(b, home, c);
	b->encap = HAVEN_ENCAP_UDP;
	b->udp_sport = HAVEN_BINDING_UDP_PORT;
	b->coa[0].udp_port = (uint16_t)(40000 + c);
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
	qsbr = rte_zmalloc("bench_qsbr", rte_rcu_qsbr_get_memsize(1),
			RTE_CACHE_LINE_SIZE);
	seq = rte_malloc("bench_seq", sizeof(*seq) * SEQ_LEN, 0);
	if (fp.punt_ring == NULL || fp.neigh == NULL || qsbr == NULL ||
	    seq == NULL || rte_rcu_qsbr_init(qsbr, 1) != 0)
		return -1;
	fp.qsbr = qsbr;
	for (i = 0; i < N_COA; i++) {
		coa_neigh[i] = haven_neigh_get(&fp, coa_addr(i), 1);
		if (coa_neigh[i] < 0)
			return -1;
		mac.addr_bytes[5] = (uint8_t)i;
		haven_neigh_update(&fp, coa_neigh[i], &mac);
	}
	frame_template();
	worker.fp = &fp;
	worker.id = 0;
	worker.txq = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Worker-lcore measurements                                           */
/* ------------------------------------------------------------------ */

enum job { JOB_IO, JOB_LOOKUP, JOB_HAVEN };

struct run {
	enum job job;
	uint64_t dur;			/* TSC cycles */
	const struct rte_hash *h;	/* JOB_LOOKUP */
	uint64_t pkts;			/* out: packets or lookups */
	uint64_t cycles;		/* out */
	uint64_t cpu_ns;		/* out: CPU time the worker thread got */
	uint64_t sink;
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
	uint64_t start = rte_rdtsc(), now, n_pkts = 0;
	uint16_t n, sent;

	do {
		n = rte_eth_rx_burst(port_home, 0, pkts, HAVEN_BURST);
		sent = rte_eth_tx_burst(port_visited, 0, pkts, n);
		if (unlikely(sent < n))
			rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		n_pkts += n;
		now = rte_rdtsc();
	} while (now - start < r->dur);
	r->pkts = n_pkts;
	r->cycles = now - start;
	return 0;
}

static int
job_lookup(struct run *r)
{
	const void *kp[HAVEN_BURST];
	void *data[HAVEN_BURST];
	uint64_t start = rte_rdtsc(), now, n_keys = 0, hits, sink = 0;
	uint32_t pos = 0;
	unsigned int i;

	do {
		for (i = 0; i < HAVEN_BURST; i++)
			kp[i] = &seq[(pos + i) & (SEQ_LEN - 1)].dst;
		pos += HAVEN_BURST;
		rte_hash_lookup_bulk_data(r->h, kp, HAVEN_BURST, &hits, data);
		sink += hits;
		n_keys += HAVEN_BURST;
		now = rte_rdtsc();
	} while (now - start < r->dur);
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

static int
job_haven(struct run *r)
{
	struct haven_worker *w = &worker;
	struct rte_mbuf *pkts[HAVEN_BURST];
	uint64_t start, now, n_pkts = 0;
	uint32_t pos = (uint32_t)rte_rand();
	uint16_t n;

	rte_rcu_qsbr_thread_register(qsbr, w->id);
	rte_rcu_qsbr_thread_online(qsbr, w->id);
	r->cpu_ns = thread_cpu_ns();
	start = rte_rdtsc();
	do {
		/* The loop of haven_worker_main, with the generator in it. */
		n = rte_eth_rx_burst(port_home, 0, pkts, HAVEN_BURST);
		fill(pkts, n, &pos);
		haven_worker_process_burst(w, 0, pkts, n);
		haven_worker_flush(w);
		rte_rcu_qsbr_quiescent(qsbr, w->id);
		n_pkts += n;
		now = rte_rdtsc();
	} while (now - start < r->dur);
	r->cpu_ns = thread_cpu_ns() - r->cpu_ns;
	rte_rcu_qsbr_thread_offline(qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(qsbr, w->id);
	r->pkts = n_pkts;
	r->cycles = now - start;
	return 0;
}

static int
job_main(void *arg)
{
	struct run *r = arg;

	switch (r->job) {
	case JOB_IO:
		return job_io(r);
	case JOB_LOOKUP:
		return job_lookup(r);
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

static double
run_job(struct run *r)
{
	r->dur = (uint64_t)(opt.secs * tsc_hz);
	if (rte_eal_remote_launch(job_main, r, worker_lcore) != 0)
		return 0;
	wait_worker();
	return r->cycles ? r->pkts * tsc_hz / r->cycles / 1e6 : 0;
}

/* The worker's stats since the last reset: everything tunnelled? */
static uint64_t
worker_bad(void)
{
	struct haven_worker_stats *s = &worker.stats;
	uint64_t bad = s->rx_pkts - s->encap_pkts;

	if (s->tx_pkts != s->encap_pkts)
		bad += s->encap_pkts - s->tx_pkts;
	memset(s, 0, sizeof(*s));
	return bad;
}

/*
 * (d): republish opt.churn bindings per second with a new care-of
 * address on the main lcore while the worker runs, reclaim every 10 ms.
 */
static double
run_haven_churn(struct run *r, struct haven_binding_table *t, uint32_t n,
		double *rate)
{
	uint64_t hz = rte_get_tsc_hz(), tick = hz * CHURN_TICK_US / 1000000;
	uint64_t reclaim_every = hz * RECLAIM_MS / 1000;
	uint64_t start, next, last_reclaim, changes = 0, due;
	static uint32_t who, gen;
	struct haven_binding b;

	r->dur = (uint64_t)(opt.secs * tsc_hz);
	if (rte_eal_remote_launch(job_main, r, worker_lcore) != 0)
		return 0;
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
			uint32_t i = who++ % n;

			binding_of(&b, homes[i], (i + ++gen) % N_COA);
			if (haven_binding_publish(t, &b) == -ENOMEM) {
				haven_binding_reclaim(t);
				continue;
			}
			changes++;
		}
		if (now - last_reclaim >= reclaim_every) {
			haven_binding_reclaim(t);
			last_reclaim = now;
		}
	}
	rte_eal_wait_lcore(worker_lcore);
	*rate = changes * tsc_hz / (double)(rte_rdtsc() - start);
	haven_binding_reclaim(t);
	return r->cycles ? r->pkts * tsc_hz / r->cycles / 1e6 : 0;
}

/* ------------------------------------------------------------------ */
/* (a) dpdk-testpmd as a child process                                 */
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

/* ------------------------------------------------------------------ */
/* Per size: tables, rounds                                            */
/* ------------------------------------------------------------------ */

static struct rte_hash *
bare_hash(uint32_t n)
{
	struct rte_hash_parameters hp = {
		.name = "bench_bare",
		/* As lib/binding sizes its hash for a capacity of n. */
		.entries = RTE_MAX(n + n / 4, 64u),
		.key_len = sizeof(uint32_t),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash *h = rte_hash_create(&hp);
	uint32_t i;

	if (h == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (rte_hash_add_key_data(h, &homes[i],
				(void *)(uintptr_t)(i + 1)) != 0) {
			rte_hash_free(h);
			return NULL;
		}
	return h;
}

static int
bench_size(struct size_result *res, unsigned int round_base)
{
	uint32_t n = res->size, i;
	struct haven_binding_table *t, *tu;
	struct haven_binding_counters *row, *row_udp = NULL;
	struct haven_binding b;
	struct rte_hash *h;
	struct run r;
	size_t before;
	unsigned int k;

	(void)round_base;
	make_seq(n);
	h = bare_hash(n);
	before = heap_used();
	t = haven_binding_table_create("bench", n, 1, qsbr, rte_socket_id());
	if (h == NULL || t == NULL) {
		fprintf(stderr, "haven-bench: %u bindings: %s\n", n,
			rte_strerror(rte_errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		binding_of(&b, homes[i], i % N_COA);
		if (haven_binding_publish(t, &b) != 0) {
			fprintf(stderr, "haven-bench: publish %u failed\n", i);
			return -1;
		}
	}
	res->mem_bytes = heap_used() - before;
	/* (c'): the same addresses in UDP, in a table of their own, when
	 * there is memory for it */
	tu = opt.profile ? NULL :
		haven_binding_table_create("bench_udp", n, 1, qsbr,
			rte_socket_id());
	for (i = 0; tu != NULL && i < n; i++) {
		binding_udp_of(&b, homes[i], i % N_COA);
		if (haven_binding_publish(tu, &b) != 0) {
			haven_binding_table_free(tu);
			tu = NULL;
		}
	}
	res->udp_skipped = tu == NULL && !opt.profile;
	if (tu != NULL)
		row_udp = haven_binding_counters_row(tu, 0);
	fp.bindings = t;
	row = haven_binding_counters_row(t, 0);
	worker.counters = row;

	if (opt.profile) {
		double mpps;

		memset(&r, 0, sizeof(r));
		r.job = JOB_HAVEN;
		mpps = run_job(&r);
		/* On CPU: what the rate would be had the worker thread not
		 * been preempted (the machine is shared); for A/B runs. */
		printf("%u bindings: haven worker %.2f Mpps, %.2f Mpps on CPU "
			"(%.0f%% of the time)\n", n, mpps,
			r.cpu_ns ? r.pkts * 1e3 / r.cpu_ns : 0,
			r.cycles ? 100.0 * r.cpu_ns * tsc_hz / 1e9 / r.cycles :
			0);
		res->bad += worker_bad();
	}
	for (k = 0; k < opt.rounds && !opt.profile; k++) {
		double tp, ideal;

		tp = run_testpmd();
		if (tp > 0)
			res->tp_mpps[res->n_tp++] = tp;
		memset(&r, 0, sizeof(r));
		r.job = JOB_IO;
		res->io_mpps[k] = run_job(&r);
		memset(&r, 0, sizeof(r));
		r.job = JOB_LOOKUP;
		r.h = h;
		res->lk_mps[k] = run_job(&r);
		memset(&r, 0, sizeof(r));
		r.job = JOB_HAVEN;
		worker_bad();
		res->hv_mpps[k] = run_job(&r);
		res->bad += worker_bad();
		if (tu != NULL) {
			fp.bindings = tu;
			worker.counters = row_udp;
			memset(&r, 0, sizeof(r));
			r.job = JOB_HAVEN;
			res->udp_mpps[k] = run_job(&r);
			res->bad += worker_bad();
			res->udp_ratio[k] = res->hv_mpps[k] > 0 ?
				res->udp_mpps[k] / res->hv_mpps[k] : 0;
			fp.bindings = t;
			worker.counters = row;
		}
		memset(&r, 0, sizeof(r));
		r.job = JOB_HAVEN;
		res->ch_mpps[k] = run_haven_churn(&r, t, n,
				&res->churn_rate[k]);
		res->bad += worker_bad();
		res->ch_ratio[k] = res->hv_mpps[k] > 0 ?
			res->ch_mpps[k] / res->hv_mpps[k] : 0;
		/* ideal = 1 / (1/io + 1/lookup), io from testpmd when it ran */
		ideal = 1 / (1 / (tp > 0 ? tp : res->io_mpps[k]) +
				1 / res->lk_mps[k]);
		res->ideal_ratio[k] = res->hv_mpps[k] / ideal;
		if (!opt.smoke)
			fprintf(stderr, "  %u bindings, round %u: testpmd %.2f "
				"io %.2f lookup %.2f haven %.2f churn %.2f "
				"Mpps (%.0f/s)\n", n, k + 1, tp,
				res->io_mpps[k], res->lk_mps[k],
				res->hv_mpps[k], res->ch_mpps[k],
				res->churn_rate[k]);
	}
	fp.bindings = NULL;
	haven_binding_table_free(t);
	haven_binding_table_free(tu);
	rte_hash_free(h);
	return 0;
}

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
	uint64_t refused;
};

static struct reg_node nodes[REG_NODES];
static uint8_t (*reqs)[64];
static uint16_t req_len;
static struct reg_result reg;

static int
node_cmp(const void *a, const void *b)
{
	uint32_t x = rte_be_to_cpu_32(((const struct reg_node *)a)->home_addr);
	uint32_t y = rte_be_to_cpu_32(((const struct reg_node *)b)->home_addr);

	return x < y ? -1 : x > y;
}

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
 * REG_PER_NODE requests per node, interleaved node by node, each with a
 * new care-of address and an Identification after the previous one.
 */
static void
make_requests(void)
{
	uint64_t now = haven_mip4_ntp_now();
	unsigned int j, i;

	for (j = 0; j < REG_PER_NODE; j++)
		for (i = 0; i < REG_NODES; i++) {
			uint8_t *m = reqs[j * REG_NODES + i];
			uint32_t coa = coa_addr((i + j) % N_COA);

			memset(m, 0, 64);
			m[0] = HAVEN_MIP4_TYPE_RRQ;
			m[1] = 0;		/* flags: IP in IP */
			m[2] = 600 >> 8;
			m[3] = 600 & 0xff;
			memcpy(m + 4, &nodes[i].home_addr, 4);
			memcpy(m + 8, &(uint32_t){ HA_ADDR }, 4);
			memcpy(m + 12, &coa, 4);
			put_be64(m + 16, now + j + 1);
			m[24] = HAVEN_MIP4_EXT_MN_HA;
			m[25] = 4 + 16;
			m[26] = (uint8_t)(nodes[i].sa.spi >> 24);
			m[27] = (uint8_t)(nodes[i].sa.spi >> 16);
			m[28] = (uint8_t)(nodes[i].sa.spi >> 8);
			m[29] = (uint8_t)nodes[i].sa.spi;
			haven_mip4_auth_compute(&nodes[i].sa, m, REG_COVERED,
					m + REG_COVERED);
		}
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

static double
run_registrations(struct haven_binding_table *t, bool prepared)
{
	uint64_t dur = (uint64_t)(opt.secs * tsc_hz);
	uint64_t reclaim_every = rte_get_tsc_hz() * RECLAIM_MS / 1000;
	uint64_t start, now, last_reclaim, done = 0;
	unsigned int i = 0, n = REG_NODES * REG_PER_NODE;

	make_requests();
	start = rte_rdtsc();
	last_reclaim = start;
	do {
		if (register_one(t, reqs[i], prepared) != 0)
			reg.refused++;
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
	return done * tsc_hz / (double)(now - start);
}

static double
run_raw_hmac(bool prepared)
{
	uint64_t dur = (uint64_t)(opt.secs * tsc_hz) / 2;
	uint64_t start, now, done = 0;
	uint8_t msg[REG_COVERED], out[32];
	unsigned int len;

	memcpy(msg, reqs[0], REG_COVERED);
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
	return done * tsc_hz / (double)(now - start);
}

static int
bench_registrations(void)
{
	struct haven_binding_table *t;
	struct haven_binding b;
	unsigned int i, k, j;

	for (i = 0; i < REG_NODES; i++) {
		nodes[i].home_addr = homes[i];
		nodes[i].sa.spi = 256 + i;
		nodes[i].sa.alg = HAVEN_MIP4_ALG_HMAC_MD5;
		nodes[i].sa.key_len = 16;
		for (j = 0; j < 16; j++)
			nodes[i].sa.key[j] = (uint8_t)rte_rand();
	}
	qsort(nodes, REG_NODES, sizeof(*nodes), node_cmp);
	for (i = 0; i < REG_NODES; i++) {
		nodes[i].key = haven_mip4_key_create(&nodes[i].sa);
		if (nodes[i].key == NULL)
			return -1;
	}
	reqs = malloc((size_t)REG_NODES * REG_PER_NODE * sizeof(*reqs));
	t = haven_binding_table_create("bench_reg", REG_NODES, 1, qsbr,
			rte_socket_id());
	if (reqs == NULL || t == NULL)
		return -1;
	for (i = 0; i < REG_NODES; i++) {
		binding_of(&b, nodes[i].home_addr, i % N_COA);
		if (haven_binding_publish(t, &b) != 0)
			return -1;
	}
	make_requests();
	for (k = 0; k < opt.rounds; k++) {
		reg.raw_oneshot[k] = run_raw_hmac(false);
		reg.raw_prepared[k] = run_raw_hmac(true);
		reg.reg_sa[k] = run_registrations(t, false);
		reg.reg_key[k] = run_registrations(t, true);
		if (!opt.smoke)
			fprintf(stderr, "  registrations, round %u: HMAC() "
				"%.0f/s, prepared %.0f/s, reg %.0f/s, "
				"reg prepared %.0f/s\n", k + 1,
				reg.raw_oneshot[k], reg.raw_prepared[k],
				reg.reg_sa[k], reg.reg_key[k]);
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

static const char *
verdict(double v, double target)
{
	return v >= target ? "met" : "NOT met";
}

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

static void
print_table(void)
{
	char cpu[128];
	unsigned int s;
	double raw1, rawp, rsa, rkey;

	cpu_model(cpu, sizeof(cpu));
	printf("\nHaven benchmark: %s, %u lcores (main %u, worker %u), "
		"TSC %.2f GHz, %s, %u round%s x %.2f s, medians\n",
		cpu, rte_lcore_count(), rte_get_main_lcore(), worker_lcore,
		tsc_hz / 1e9, opt.no_huge ? "no hugepages" : "2 MB hugepages",
		opt.rounds, opt.rounds > 1 ? "s" : "", opt.secs);
	printf("%-44s %14s %10s  %s\n", "measurement", "rate", "cycles",
		"ratio (target)");
	for (s = 0; s < opt.n_sizes; s++) {
		struct size_result *r = &results[s];
		double tp = median(r->tp_mpps, r->n_tp);
		double io = median(r->io_mpps, opt.rounds);
		double lk = median(r->lk_mps, opt.rounds);
		double hv = median(r->hv_mpps, opt.rounds);
		double ch = median(r->ch_mpps, opt.rounds);
		double rate = median(r->churn_rate, opt.rounds);
		double ir = median(r->ideal_ratio, opt.rounds);
		double cr = median(r->ch_ratio, opt.rounds);
		double ideal = 1 / (1 / (tp > 0 ? tp : io) + 1 / lk);
		char label[64];

		printf("-- %u bindings, random home addresses, IP in IP, "
			"%u-byte frames\n", r->size, FRAME_LEN);
		if (tp > 0)
			printf("%-44s %9.2f Mpps %10.1f\n",
				"(a) testpmd io fwd, net_null", tp,
				cycles_per(tp));
		else
			printf("%-44s %14s %10s  (in-process io used)\n",
				"(a) testpmd io fwd, net_null", "n/a", "-");
		printf("%-44s %9.2f Mpps %10.1f\n",
			"    same rx/tx loop in haven-bench", io,
			cycles_per(io));
		printf("%-44s %9.2f M/s  %10.1f\n",
			"(b) rte_hash_lookup_bulk_data, 32 keys", lk,
			cycles_per(lk));
		printf("%-44s %9.2f Mpps %10.1f\n",
			"    ideal = 1 / (1/(a) + 1/(b))", ideal,
			cycles_per(ideal));
		snprintf(label, sizeof(label), "(c) haven worker, 1 core");
		printf("%-44s %9.2f Mpps %10.1f  %.3f of ideal (>= 0.90 %s)\n",
			label, hv, cycles_per(hv), ir, verdict(ir, 0.9));
		snprintf(label, sizeof(label), "(d) + %.0fK binding changes/s",
			rate / 1000);
		printf("%-44s %9.2f Mpps %10.1f  %.3f of (c) (>= 0.95 %s)\n",
			label, ch, cycles_per(ch), cr, verdict(cr, 0.95));
		if (r->udp_skipped)
			printf("%-44s %14s %10s  (no memory for a second "
				"table)\n", "(c') haven worker, IP in UDP", "n/a",
				"-");
		else if (!opt.profile)
			printf("%-44s %9.2f Mpps %10.1f  %.3f of (c)\n",
				"(c') haven worker, IP in UDP (RFC 3519)",
				median(r->udp_mpps, opt.rounds),
				cycles_per(median(r->udp_mpps, opt.rounds)),
				median(r->udp_ratio, opt.rounds));
		if (r->bad != 0)
			printf("    WARNING: %" PRIu64 " packets not tunnelled\n",
				r->bad);
	}
	raw1 = median(reg.raw_oneshot, opt.rounds);
	rawp = median(reg.raw_prepared, opt.rounds);
	rsa = median(reg.reg_sa, opt.rounds);
	rkey = median(reg.reg_key, opt.rounds);
	printf("-- registrations on the main lcore, HMAC-MD5, %d-byte "
		"requests (%d bytes authenticated), %d nodes\n",
		REG_COVERED + 16, REG_COVERED, REG_NODES);
	printf("%-44s %9.0f K/s  %10.0f\n", "    raw HMAC-MD5, OpenSSL HMAC()",
		raw1 / 1e3, tsc_hz / raw1);
	printf("%-44s %9.0f K/s  %10.0f\n",
		"    raw HMAC-MD5, ipad/opad precomputed", rawp / 1e3,
		tsc_hz / rawp);
	printf("%-44s %9.0f K/s  %10.0f  %.3f of raw/2 (HMAC())\n",
		"    registrations, key prepared per call", rsa / 1e3,
		tsc_hz / rsa, rsa / (raw1 / 2));
	printf("%-44s %9.0f K/s  %10.0f  %.3f of raw/2 (precomputed) "
		"(>= 0.40 %s)\n", "(e) registrations, prepared keys",
		rkey / 1e3, tsc_hz / rkey, rkey / (rawp / 2),
		verdict(rkey / (rawp / 2), 0.4));
	if (reg.refused != 0)
		printf("    WARNING: %" PRIu64 " registrations refused\n",
			reg.refused);
	printf("-- memory of the binding table (records, hash, 1 worker's "
		"counters)\n");
	for (s = 0; s < opt.n_sizes; s++) {
		struct size_result *r = &results[s];
		char label[64];
		double mib = r->mem_bytes / 1048576.0;

		snprintf(label, sizeof(label), "(f) %u bindings", r->size);
		if (r->size == 1048576)
			printf("%-44s %9.1f MiB  %7.0f B/binding  (<= 256 MiB "
				"%s)\n", label, mib,
				(double)r->mem_bytes / r->size,
				verdict(256 - mib, 0));
		else
			printf("%-44s %9.1f MiB  %7.0f B/binding\n", label,
				mib, (double)r->mem_bytes / r->size);
	}
	printf("haven-bench: done\n");
}

/* ------------------------------------------------------------------ */
/* main                                                                */
/* ------------------------------------------------------------------ */

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--smoke] [--rounds N] [--secs S] [--sizes N,N]\n"
		"          [--churn N] [--no-huge] [--mem MB] "
		"[--testpmd PATH|none] [--testpmd-secs N]\n"
		"          [--profile (only Haven's worker, for perf record)]\n"
		"Runs on lcores 0 and 1 with net_null devices; prints one "
		"table on stdout.\n", prog);
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "smoke", no_argument, NULL, 'k' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "secs", required_argument, NULL, 's' },
		{ "sizes", required_argument, NULL, 'z' },
		{ "churn", required_argument, NULL, 'c' },
		{ "no-huge", no_argument, NULL, 'n' },
		{ "mem", required_argument, NULL, 'm' },
		{ "testpmd", required_argument, NULL, 't' },
		{ "testpmd-secs", required_argument, NULL, 'T' },
		{ "profile", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *tok, *save;
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
		case 'c':
			opt.churn = (uint32_t)atoi(optarg);
			break;
		case 'p':
			opt.profile = true;
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
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (opt.rounds == 0 || opt.secs <= 0 || opt.n_sizes == 0) {
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
	int eal_argc = 0;
	uint32_t max_size = 0;
	unsigned int s;

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
	for (s = 0; s < opt.n_sizes; s++)
		max_size = RTE_MAX(max_size, RTE_MAX(opt.sizes[s],
				(uint32_t)REG_NODES));
	if (make_homes(max_size) != 0)
		return 1;
	if (opt.testpmd == NULL)
		opt.testpmd = "false";

	for (s = 0; s < opt.n_sizes; s++) {
		results[s].size = opt.sizes[s];
		if (bench_size(&results[s], 0) != 0)
			return 1;
	}
	if (opt.profile) {
		rte_eal_cleanup();
		return 0;
	}
	if (bench_registrations() != 0) {
		fprintf(stderr, "haven-bench: registration set-up failed\n");
		return 1;
	}
	print_table();
	rte_eal_cleanup();
	/* Correctness, never timings: every packet tunnelled, every
	 * registration accepted. */
	for (s = 0; s < opt.n_sizes; s++)
		if (results[s].bad != 0)
			return 1;
	return reg.refused != 0 ? 1 : 0;
}
