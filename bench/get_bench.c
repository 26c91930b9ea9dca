/* SPDX-License-Identifier: MIT */
/*
 * get_bench: times credential-helper `get`s started the way Go's os/exec
 * starts them for the docker CLI: posix_spawn (vfork-style clone), the key
 * written to a stdin pipe and closed, stdout read from a pipe to the end,
 * then wait4 for the exit status and the child's rusage.
 *
 *   get_bench [-n RUNS] [-w WARMUP] SPEC...
 *   SPEC:  LABEL KEY [NAME=VALUE...] PROGRAM [ARG...] ';'
 *
 * NAME=VALUE words before the program (which is an absolute path) are added
 * to that program's environment only, so that paired programs can run with
 * different configurations without an env(1) in between.
 * The first SPEC is the floor; a LABEL starting with '*' marks the peer the
 * others are compared with (the '*' is not printed).  Runs are paired: each
 * run starts every program once, in an order rotated from run to run, so
 * that machine noise hits all of them alike; the "x floor" column is the
 * median of the per-run ratios.  Peak RSS is the largest ru_maxrss seen.
 * A program that exits non-zero or prints nothing stops the benchmark.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROGS_MAX 16
#define RUNS_DEFAULT 300
#define WARMUP_DEFAULT 10

extern char **environ;

struct prog {
	const char *label;
	const char *key;
	char **argv;
	char **envp; /* environ plus the spec's NAME=VALUE words; NULL: environ */
	bool peer;
	double *ms;    /* per run */
	double *ratio; /* per run, to the floor */
	long rss_kib;  /* peak */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, const char *label)
{
	fprintf(stderr, "get_bench: %s: %s\n", label, what);
	exit(1);
}

/* One get: returns the wall time in ms; *rss_kib gets the child's ru_maxrss. */
static double run_once(const struct prog *p, long *rss_kib, bool show)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl;
	int in[2], out[2], status;
	char buf[4096];
	size_t got = 0;
	struct rusage ru;
	ssize_t n;
	pid_t pid;
	double t0, t1;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		die("pipe failed", p->label);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	/* We ignore SIGPIPE (a program may not read its stdin); it gets the default. */
	posix_spawnattr_init(&attr);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	t0 = now_ms();
	if (posix_spawn(&pid, p->argv[0], &fa, &attr, p->argv, p->envp ? p->envp : environ) != 0)
		die("cannot start", p->label);
	close(in[0]);
	close(out[1]);
	if (write(in[1], p->key, strlen(p->key)) < 0 || write(in[1], "\n", 1) < 0) {
		if (errno != EPIPE)
			die("cannot write the key", p->label);
	}
	close(in[1]);
	while ((n = read(out[0], buf + got, sizeof(buf) - 1 - got)) > 0 || (n < 0 && errno == EINTR))
		got += n > 0 ? (size_t)n : 0;
	close(out[0]);
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	t1 = now_ms();
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	buf[got] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got == 0) {
		fprintf(stderr, "get_bench: %s printed: %s", p->label, buf);
		die("failed", p->label);
	}
	if (show)
		fprintf(stderr, "# %s: ok (%zu bytes on stdout)\n", p->label, got);
	*rss_kib = ru.ru_maxrss;
	return t1 - t0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double quantile(double *v, int n, double q)
{
	double *c = malloc(sizeof(*c) * (size_t)n), r;

	if (!c)
		exit(1);
	memcpy(c, v, sizeof(*c) * (size_t)n);
	qsort(c, (size_t)n, sizeof(*c), by_value);
	r = c[(int)(q * (n - 1) + 0.5)];
	free(c);
	return r;
}

/* environ with the n NAME=VALUE words in set added (replacing equal names). */
static char **make_env(char **set, int n)
{
	size_t have = 0, k = 0;
	char **env;

	while (environ[have])
		have++;
	env = calloc(have + (size_t)n + 1, sizeof(*env));
	if (!env)
		exit(1);
	for (size_t e = 0; e < have; e++) {
		bool replaced = false;

		for (int j = 0; j < n; j++) {
			size_t len = (size_t)(strchr(set[j], '=') - set[j]) + 1;

			replaced = replaced || strncmp(environ[e], set[j], len) == 0;
		}
		if (!replaced)
			env[k++] = environ[e];
	}
	for (int j = 0; j < n; j++)
		env[k++] = set[j];
	return env;
}

/* Parses SPEC... into progs; returns the count. */
static int parse_specs(int argc, char **argv, struct prog *progs)
{
	int n = 0, i = 0, first;

	while (i < argc) {
		if (n == PROGS_MAX || argc - i < 3)
			die("usage: get_bench [-n RUNS] [-w WARMUP] LABEL KEY PROGRAM [ARG...] ';' ...",
			    "arguments");
		progs[n].peer = argv[i][0] == '*';
		progs[n].label = argv[i] + progs[n].peer;
		progs[n].key = argv[i + 1];
		first = i += 2;
		while (i < argc && argv[i][0] != '/' && strchr(argv[i], '='))
			i++;
		if (i > first)
			progs[n].envp = make_env(&argv[first], i - first);
		if (i >= argc)
			die("no program", progs[n].label);
		progs[n].argv = &argv[i];
		for (; i < argc && strcmp(argv[i], ";") != 0; i++)
			;
		if (i < argc)
			argv[i++] = NULL; /* ends this argv */
		n++;
	}
	return n;
}

static void report(struct prog *progs, int count, int runs)
{
	double peer = 0;

	for (int p = 0; p < count; p++) {
		if (progs[p].peer)
			peer = quantile(progs[p].ms, runs, 0.5);
	}
	printf("%-34s %9s %9s %9s %12s %10s\n", "program", "median", "p90", "x floor",
	       peer > 0 ? "vs peer" : "", "peak RSS");
	for (int p = 0; p < count; p++) {
		double med = quantile(progs[p].ms, runs, 0.5);
		char vs[32] = "";

		if (peer > 0 && !progs[p].peer && p > 0)
			snprintf(vs, sizeof(vs), "%.1fx faster", peer / med);
		printf("%-34s %6.3f ms %6.3f ms %8.2fx %12s %6.2f MiB\n", progs[p].label, med,
		       quantile(progs[p].ms, runs, 0.9), quantile(progs[p].ratio, runs, 0.5), vs,
		       (double)progs[p].rss_kib / 1024.0);
	}
}

int main(int argc, char **argv)
{
	struct prog progs[PROGS_MAX] = {0};
	int runs = RUNS_DEFAULT, warmup = WARMUP_DEFAULT, opt, count;
	long rss;

	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt(argc, argv, "+n:w:")) != -1) {
		if (opt == 'n')
			runs = atoi(optarg);
		else if (opt == 'w')
			warmup = atoi(optarg);
		else
			return 2;
	}
	count = parse_specs(argc - optind, argv + optind, progs);
	if (count < 1 || runs < 1)
		die("nothing to run", "arguments");
	for (int p = 0; p < count; p++) {
		progs[p].ms = calloc((size_t)runs, sizeof(double));
		progs[p].ratio = calloc((size_t)runs, sizeof(double));
		if (!progs[p].ms || !progs[p].ratio)
			return 1;
		for (int w = 0; w < warmup || w == 0; w++)
			run_once(&progs[p], &rss, w == 0);
	}
	for (int r = 0; r < runs; r++) {
		for (int k = 0; k < count; k++) {
			struct prog *p = &progs[(r + k) % count];

			p->ms[r] = run_once(p, &rss, false);
			if (rss > p->rss_kib)
				p->rss_kib = rss;
		}
		for (int p = 0; p < count; p++)
			progs[p].ratio[r] = progs[p].ms[r] / progs[0].ms[r];
	}
	printf("get_bench: %d paired runs (+%d warm-up), posix_spawn + key on stdin + stdout "
	       "read, as Go's os/exec\n\n",
	       runs, warmup);
	report(progs, count, runs);
	for (int p = 0; p < count; p++) {
		free(progs[p].ms);
		free(progs[p].ratio);
	}
	return 0;
}
