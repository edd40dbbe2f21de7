/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * radius_tool: the RADIUS client of lib/radius, driven line by line, for
 * the end-to-end suite dts/TestSuite_radius_lib.py against a real
 * FreeRADIUS. It loads a Haven configuration file with the real loader
 * (lib/config), hands its aaa section to the real transport (thread,
 * sockets, rings), and reads commands on stdin:
 *
 *   auth TAG NAI [SPI [HOME_ADDRESS]]
 *   acct TAG start|interim|stop NAI SESSION_ID HOME_ADDRESS IN_OCTETS
 *        OUT_OCTETS IN_PACKETS OUT_PACKETS SESSION_TIME [CAUSE [CLASS]]
 *   cancel TAG
 *   flood N NAI          submit N Access-Requests at once
 *   bench N NAI SPI      N Access-Requests, max_pending in flight, timed
 *   wait N TIMEOUT_MS    wait for N results, printing each
 *   stats                counters of the client and its servers
 *   quit
 *
 * Every answer is one JSON object on a line of stdout. A result carries
 * the SHA-256 of the MN-HA key, never the key: the suite compares it with
 * the hash of the key it configured, and no secret reaches a log.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <openssl/evp.h>

#include "haven_config.h"
#include "haven_radius_client.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
print_result(const struct haven_radius_result *r)
{
	uint8_t d[32];
	char a[INET_ADDRSTRLEN] = "";
	unsigned int i, dlen = 0;

	if (r->key_len > 0)
		EVP_Digest(r->key, r->key_len, d, &dlen, EVP_sha256(), NULL);
	if (r->has_framed_ip)
		inet_ntop(AF_INET, &r->framed_ip, a, sizeof(a));
	printf("{\"result\": %" PRIu64 ", \"kind\": \"%s\", \"status\": \"%s\", "
		"\"server\": %d, \"rtt_ms\": %u, \"framed_ip\": \"%s\", "
		"\"spi\": %u, \"alg\": %u, \"sa_source\": %u, \"key_len\": %u, "
		"\"session_timeout\": %u, \"class\": \"%.*s\", "
		"\"key_sha256\": \"",
		r->tag, r->kind == HAVEN_RADIUS_AUTH ? "auth" : "acct",
		haven_radius_status_name(r->status),
		r->server == 0xff ? -1 : r->server, r->rtt_ms, a, r->spi,
		r->alg, r->sa_source, r->key_len, r->session_timeout,
		(int)r->class_len, r->class_val);
	for (i = 0; i < dlen; i++)
		printf("%02x", d[i]);
	printf("\"}\n");
}

static void
print_stats(struct haven_radius_transport *t, unsigned int n_servers)
{
	struct haven_radius_server_stats s;
	struct haven_radius_stats st;
	unsigned int i;

	haven_radius_transport_stats(t, &st);
	printf("{\"stats\": {\"pending\": %u, \"submitted\": %" PRIu64
		", \"refused_full\": %" PRIu64 ", \"outstanding\": %u, "
		"\"max_wait_ms\": %" PRIu64 ", \"servers\": [",
		st.pending, st.submitted, st.refused_full,
		haven_radius_outstanding(t),
		haven_radius_transport_max_wait_ms(t));
	for (i = 0; i < n_servers; i++) {
		haven_radius_transport_server_stats(t, i, &s);
		printf("%s{\"state\": \"%s\", \"pending\": %u, "
			"\"requests\": %" PRIu64 ", \"retransmissions\": %" PRIu64
			", \"timeouts\": %" PRIu64 ", \"accepts\": %" PRIu64
			", \"rejects\": %" PRIu64 ", \"acct_responses\": %" PRIu64
			", \"dropped_auth\": %" PRIu64 ", \"dropped_no_ma\": %"
			PRIu64 ", \"deaths\": %" PRIu64 ", \"revivals\": %" PRIu64
			", \"probes\": %" PRIu64 ", \"rtt_avg_ms\": %u}",
			i ? ", " : "",
			s.state == HAVEN_RADIUS_SERVER_ALIVE ? "alive" : "dead",
			s.pending, s.requests, s.retransmissions, s.timeouts,
			s.accepts, s.rejects, s.acct_responses, s.dropped_auth,
			s.dropped_no_ma, s.deaths, s.revivals, s.probes,
			s.rtt_avg_ms);
	}
	printf("]}}\n");
}

static int
status_of(const char *w)
{
	if (strcmp(w, "start") == 0)
		return HAVEN_RADIUS_ACCT_START;
	if (strcmp(w, "interim") == 0)
		return HAVEN_RADIUS_ACCT_INTERIM_UPDATE;
	if (strcmp(w, "stop") == 0)
		return HAVEN_RADIUS_ACCT_STOP;
	return -1;
}

static void
submitted(int rc, uint64_t tag)
{
	printf("{\"submit\": %" PRIu64 ", \"rc\": %d}\n", tag, rc);
}

int
main(int argc, char **argv)
{
	struct haven_radius_transport *t;
	struct haven_config cfg;
	char err[512], line[1024];

	if (argc != 2) {
		fprintf(stderr, "usage: %s haven.yaml (with an aaa section)\n",
			argv[0]);
		return 2;
	}
	if (haven_config_load(argv[1], &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (!cfg.aaa.enabled) {
		fprintf(stderr, "%s: no aaa section\n", argv[1]);
		return 1;
	}
	t = haven_radius_transport_create(&cfg.aaa.radius, err, sizeof(err));
	if (t == NULL) {
		fprintf(stderr, "transport: %s\n", err);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("{\"ready\": true, \"max_wait_ms\": %" PRIu64 "}\n",
		haven_radius_transport_max_wait_ms(t));

	while (fgets(line, sizeof(line), stdin) != NULL) {
		struct haven_radius_request req;
		char w[9][128];
		int n;

		memset(w, 0, sizeof(w));
		n = sscanf(line, "%127s %127s %127s %127s %127s %127s %127s "
			"%127s %127s", w[0], w[1], w[2], w[3], w[4], w[5], w[6],
			w[7], w[8]);
		if (n <= 0)
			continue;
		memset(&req, 0, sizeof(req));
		if (strcmp(w[0], "auth") == 0 && n >= 3) {
			req.tag = strtoull(w[1], NULL, 0);
			req.kind = HAVEN_RADIUS_AUTH;
			snprintf(req.auth.nai, sizeof(req.auth.nai), "%s", w[2]);
			if (n >= 4)
				req.auth.spi = (uint32_t)strtoul(w[3], NULL, 0);
			if (n >= 5)
				inet_pton(AF_INET, w[4], &req.auth.home_addr);
			req.auth.ha_addr = cfg.ha_addr;
			submitted(haven_radius_submit(t, &req), req.tag);
		} else if (strcmp(w[0], "acct") == 0 && n >= 3) {
			/* the counters are six more words after the nine read */
			unsigned long long in_o, out_o, in_p, out_p;
			unsigned int stime, cause = 0;
			char cls[128] = "";
			int k;

			req.tag = strtoull(w[1], NULL, 0);
			req.kind = HAVEN_RADIUS_ACCT;
			k = status_of(w[2]);
			if (k < 0 || sscanf(line, "%*s %*s %*s %*s %*s %*s %llu "
					"%llu %llu %llu %u %u %127s", &in_o,
					&out_o, &in_p, &out_p, &stime, &cause,
					cls) < 5) {
				printf("{\"error\": \"bad acct line\"}\n");
				continue;
			}
			req.acct.status = (uint8_t)k;
			snprintf(req.acct.nai, sizeof(req.acct.nai), "%s", w[3]);
			snprintf(req.acct.session_id,
				sizeof(req.acct.session_id), "%.64s", w[4]);
			inet_pton(AF_INET, w[5], &req.acct.framed_addr);
			req.acct.in_octets = in_o;
			req.acct.out_octets = out_o;
			req.acct.in_packets = in_p;
			req.acct.out_packets = out_p;
			req.acct.session_time = stime;
			req.acct.terminate_cause = (uint8_t)cause;
			req.acct.event_ms = now_ms();
			req.acct.event_time = (uint32_t)time(NULL);
			req.acct.class_len = (uint8_t)strlen(cls);
			memcpy(req.acct.class_val, cls, req.acct.class_len);
			submitted(haven_radius_submit(t, &req), req.tag);
		} else if (strcmp(w[0], "cancel") == 0 && n >= 2) {
			printf("{\"cancel\": %s, \"rc\": %d}\n", w[1],
				haven_radius_cancel(t, strtoull(w[1], NULL, 0)));
		} else if (strcmp(w[0], "flood") == 0 && n >= 3) {
			unsigned long i, count = strtoul(w[1], NULL, 0);
			unsigned long ok = 0, refused = 0;
			uint64_t t0 = now_ms();

			for (i = 0; i < count; i++) {
				req.tag = 1000000 + i;
				req.kind = HAVEN_RADIUS_AUTH;
				snprintf(req.auth.nai, sizeof(req.auth.nai),
					"%s", w[2]);
				if (haven_radius_submit(t, &req) == 0)
					ok++;
				else
					refused++;
			}
			printf("{\"flood\": %lu, \"accepted\": %lu, "
				"\"refused\": %lu, \"ms\": %" PRIu64 "}\n",
				count, ok, refused, now_ms() - t0);
		} else if (strcmp(w[0], "bench") == 0 && n >= 4) {
			/* keep the table full until N results came back */
			unsigned long count = strtoul(w[1], NULL, 0), sent = 0;
			unsigned long done = 0, accepted = 0;
			struct haven_radius_result r[64];
			uint64_t t0 = now_ms();

			req.kind = HAVEN_RADIUS_AUTH;
			snprintf(req.auth.nai, sizeof(req.auth.nai), "%s", w[2]);
			req.auth.spi = (uint32_t)strtoul(w[3], NULL, 0);
			while (done < count) {
				unsigned int k, got;

				while (sent < count) {
					req.tag = sent;
					if (haven_radius_submit(t, &req) != 0)
						break;
					sent++;
				}
				got = haven_radius_poll(t, r, 64);
				for (k = 0; k < got; k++)
					accepted += r[k].status ==
						HAVEN_RADIUS_ACCEPTED;
				done += got;
				if (got == 0)
					haven_radius_wait(t, 5);
			}
			explicit_bzero(r, sizeof(r));
			printf("{\"bench\": %lu, \"accepted\": %lu, "
				"\"ms\": %" PRIu64 "}\n", count, accepted,
				now_ms() - t0);
		} else if (strcmp(w[0], "wait") == 0 && n >= 3) {
			unsigned long want = strtoul(w[1], NULL, 0), got = 0;
			uint64_t t0 = now_ms(), end = t0 +
				strtoull(w[2], NULL, 0);
			struct haven_radius_result r;

			while (got < want && now_ms() < end) {
				if (haven_radius_poll(t, &r, 1) == 1) {
					print_result(&r);
					memset(&r, 0, sizeof(r));
					got++;
					continue;
				}
				haven_radius_wait(t, 20);
			}
			printf("{\"waited\": %lu, \"ms\": %" PRIu64 "}\n", got,
				now_ms() - t0);
		} else if (strcmp(w[0], "stats") == 0) {
			print_stats(t, cfg.aaa.radius.n_servers);
		} else if (strcmp(w[0], "quit") == 0) {
			break;
		} else {
			printf("{\"error\": \"unknown command\"}\n");
		}
	}
	haven_radius_transport_free(t);
	haven_config_free(&cfg);
	printf("{\"bye\": true}\n");
	return 0;
}
