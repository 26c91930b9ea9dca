/* SPDX-License-Identifier: MIT */
/*
 * TOML parse throughput.  Builds a configuration-shaped document in memory
 * (a few top-level tables and ROUTES [[route]] tables with match arrays, a
 * backend and options), parses it RUNS times and prints the MiB/s of the first
 * run and of the best run.
 *
 * The first run pays for faulting in fresh heap pages, which on some virtual
 * machines costs more than the parsing itself.  Heap trimming is turned off so
 * that later runs reuse those pages and measure the parser.  Both wall-clock
 * (CLOCK_MONOTONIC) and CPU time (CLOCK_PROCESS_CPUTIME_ID) are measured; on a
 * busy machine the CPU figure is the steadier one.
 *
 * Usage: toml_bench [ROUTES [RUNS]]
 */
#include "toml.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct text {
	char *data;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void append(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)(n > 0 ? n : 0) + 256;
		t->data = realloc(t->data, t->cap);
		if (!t->data) {
			perror("toml_bench");
			exit(2);
		}
	}
	t->len += (size_t)n;
}

static void add_route(struct text *t, int i)
{
	static const char *const backends[] = {"static", "env", "secret-service", "ecr", "pass"};

	append(t, "\n# route %d\n[[route]]\n", i);
	append(t, "match = [\"registry-%d.example.com\", \"*.mirror-%d.example.org:5000\",\n", i,
	       i);
	append(t, "         \"ghcr.io/team-%d/*\"]  # hosts and paths\n", i);
	append(t, "backend = \"%s\"\n", backends[i % 5]);
	append(t, "priority = %d\nread_only = %s\ntimeout = %d.5\n", i % 100,
	       i % 3 ? "false" : "true", 5 + i % 30);
	append(t,
	       "options = { username = \"robot$svc-%d\", secret = 'sk_%08x', region = "
	       "\"eu-west-%d\" }\n",
	       i, (unsigned)i * 2654435761u, i % 3 + 1);
	append(t, "[route.cache]\nttl = %d\nrefresh = 1979-05-27T07:32:00Z\n", 60 * (i % 10 + 1));
}

static struct text make_document(int routes)
{
	struct text t = {malloc(1 << 20), 0, 1 << 20};

	if (!t.data) {
		perror("toml_bench");
		exit(2);
	}
	append(&t, "# docker-credential-router configuration (generated)\n");
	append(&t, "[defaults]\nbackend = \"static\"\ncache_dir = \"/var/cache/dcr\"\n");
	append(&t, "log_level = \"info\"\nmax_age = 3600\n\n[limits]\nrequests = 1_000\n");
	for (int i = 0; i < routes; i++)
		add_route(&t, i);
	return t;
}

struct timing {
	double wall, cpu; /* seconds */
};

static double seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timing now(void)
{
	return (struct timing){seconds(CLOCK_MONOTONIC), seconds(CLOCK_PROCESS_CPUTIME_ID)};
}

/* One parse; checks the result so the work cannot be skipped. */
static struct timing parse_once(const struct text *doc, int routes)
{
	struct toml_value *root;
	struct toml_error error;
	char msg[300];
	struct timing start = now(), end;

	if (toml_parse(doc->data, doc->len, &root, &error) < 0) {
		toml_error_format(&error, msg, sizeof(msg));
		fprintf(stderr, "toml_bench: %s\n", msg);
		exit(1);
	}
	end = now();
	if (toml_count(toml_table_get(root, "route")) != (size_t)routes) {
		fprintf(stderr, "toml_bench: wrong number of routes\n");
		exit(1);
	}
	toml_free(root);
	return (struct timing){end.wall - start.wall, end.cpu - start.cpu};
}

static void report(const char *what, struct timing t, double mib)
{
	printf("%-17s %8.2f ms %8.1f MiB/s wall, %8.2f ms %8.1f MiB/s cpu\n", what, t.wall * 1e3,
	       mib / t.wall, t.cpu * 1e3, mib / t.cpu);
}

int main(int argc, char **argv)
{
	int routes = argc > 1 ? atoi(argv[1]) : 10000;
	int runs = argc > 2 ? atoi(argv[2]) : 20;
	struct timing first = {0}, best = {1e9, 1e9};
	struct text doc;
	char what[32];
	double mib;

	if (routes < 1 || runs < 1) {
		fprintf(stderr, "usage: toml_bench [ROUTES [RUNS]]\n");
		return 2;
	}
#if defined(__GLIBC__)
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
	doc = make_document(routes);
	for (int i = 0; i < runs; i++) {
		struct timing t = parse_once(&doc, routes);
		first = i ? first : t;
		best.wall = t.wall < best.wall ? t.wall : best.wall;
		best.cpu = t.cpu < best.cpu ? t.cpu : best.cpu;
	}
	mib = (double)doc.len / (1024.0 * 1024.0);
	printf("toml_bench: %d [[route]] tables, %.2f MiB\n", routes, mib);
	report("first run:", first, mib);
	snprintf(what, sizeof(what), "best of %d runs:", runs);
	report(what, best, mib);
	free(doc.data);
	return 0;
}
