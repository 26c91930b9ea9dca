/* SPDX-License-Identifier: MIT */
/*
 * The script backend: credentials from an external program speaking the
 * thin-edge registry-credentials protocol (PROTOCOLS.md section 4):
 *
 *   <command...> get IMAGE [--refresh]
 *
 * IMAGE is the caller's key as given (an image reference from thin-edge,
 * "docker.io/library/nginx" from the kubelet, a server URL from docker);
 * --refresh is passed on when the caller says the last credentials were
 * rejected.  The program prints {"username":"...","password":"..."} on
 * stdout: keys are matched case-insensitively (the last of equal keys wins,
 * as in Go), other members are ignored, and both values must be non-empty
 * strings.
 *
 * The contract is strict on purpose: exit status 0 with valid JSON is the
 * answer; anything else -- a non-zero exit (even 1 with empty stdout), a
 * signal, exit 0 with empty or invalid output, more than 64 KiB of output,
 * or running past the route's timeout -- is a real error, reported in one
 * line naming the route and the cause.  A script never answers "not found":
 * a route names the registries it serves, so a script that cannot answer
 * for one of them has failed.  Its stdout is never quoted (it may hold the
 * secret).
 *
 * The program is started with posix_spawn (no shell) from an absolute path,
 * with our environment, stdin on /dev/null, in a process group of its own.
 * Its stderr lines are passed to ours, prefixed with the route label (unless
 * DOCKER_CREDENTIAL_ROUTER_LOG=silent).  On timeout the whole group is
 * killed; when the program exits, whatever it left running in its group
 * (still holding our pipes) is killed too, so nothing outlives the request.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "build-config.h"
#include "config.h"
#include "log.h"
#include "wipe.h"

#define SCRIPT_OUT_MAX (64u * 1024u) /* stdout cap */
#define SCRIPT_ERR_MAX (64u * 1024u) /* stderr passed through, at most */
#define SCRIPT_LINE_MAX 1024u        /* longer stderr lines are split */
#define SCRIPT_TIMEOUT_DEFAULT 30
#define SCRIPT_TIMEOUT_MAX 3600
#define SCRIPT_EXTRA_ARGS 4 /* get IMAGE --refresh NULL */

extern char **environ;

struct script_route {
	char **argv; /* the command, NULL-terminated */
	size_t argc;
	long timeout; /* seconds */
};

static const struct option script_options[] = {
	{"command", OPT_STRINGS,
	 "program and arguments, absolute path (runs: command... get IMAGE [--refresh])"},
	{"timeout", OPT_INT, "seconds before the program's process group is killed (default 30)"},
	{NULL, OPT_STRING, NULL},
};

/* ---- configuration ----------------------------------------------------- */

static void free_argv(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static int take_command(struct route *route, const struct toml_value *table,
			struct script_route *sr, struct errbuf *eb)
{
	const struct toml_value *v = toml_table_get(table, "command");
	const char *s;
	size_t n;

	if (!v)
		return config_route_error(eb, route, table, NULL,
					  "no command (add command = [\"/path/to/program\"])");
	n = toml_type(v) == TOML_ARRAY ? toml_count(v) : 0;
	if (n == 0)
		return config_route_error(eb, route, table, "command",
					  "must be an array of the program and its arguments "
					  "(e.g. command = [\"/path/to/program\"])");
	sr->argv = calloc(n + SCRIPT_EXTRA_ARGS, sizeof(*sr->argv));
	if (!sr->argv)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		toml_get_string(toml_array_at(v, i), &s, NULL);
		sr->argv[i] = strdup(s);
		if (!sr->argv[i])
			return ERR_NOMEM;
		sr->argc++;
	}
	if (sr->argv[0][0] != '/')
		return config_route_error(eb, route, table, "command",
					  "\"%s\" is not an absolute path (write the full path, "
					  "e.g. \"/usr/local/bin/%s\"; no PATH search, no shell)",
					  sr->argv[0], sr->argv[0][0] ? sr->argv[0] : "program");
	return 0;
}

static int script_configure(struct route *route, const struct toml_value *table,
			    struct errbuf *eb)
{
	struct script_route *sr = calloc(1, sizeof(*sr));
	int64_t timeout = config_opt_int(table, "timeout", SCRIPT_TIMEOUT_DEFAULT);

	if (!sr)
		return ERR_NOMEM;
	route->data = sr;
	if (timeout < 1 || timeout > SCRIPT_TIMEOUT_MAX)
		return config_route_error(eb, route, table, "timeout",
					  "must be between 1 and %d seconds", SCRIPT_TIMEOUT_MAX);
	sr->timeout = (long)timeout;
	return take_command(route, table, sr, eb);
}

static void script_finish(struct route *route)
{
	struct script_route *sr = route->data;

	if (sr)
		free_argv(sr->argv);
	free(sr);
	route->data = NULL;
}

/* ---- running the program ----------------------------------------------- */

/* What a run produced; stdout is kept only in out. */
struct run {
	const struct route *route;
	pid_t pid;
	int out_fd, err_fd;
	struct buf out;
	struct buf line; /* a partial stderr line */
	size_t err_total;
	bool oversize, timed_out, err_dropped, lost;
	int status;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes one stderr line of the program to ours, with the route label. */
static void pass_line(struct run *run, const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	if (log_get_level() == LOG_LEVEL_SILENT)
		return;
	if (buf_printf(&b, "%s: %s: %.*s\n", DCR_NAME, run->route->name, (int)len, s) == 0)
		(void)!write(STDERR_FILENO, b.data, b.len);
	buf_finish(&b);
}

/* Splits the program's stderr into lines; bounded in total. */
static void take_stderr(struct run *run, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (run->err_total >= SCRIPT_ERR_MAX) {
			if (!run->err_dropped)
				log_warn("%s: further stderr output of the program dropped",
					 run->route->name);
			run->err_dropped = true;
			return;
		}
		run->err_total++;
		if (data[i] != '\n')
			buf_putc(&run->line, data[i]);
		if (data[i] == '\n' || run->line.len >= SCRIPT_LINE_MAX) {
			pass_line(run, run->line.data ? run->line.data : "", run->line.len);
			run->line.len = 0;
		}
	}
}

/* Reads what is there from one pipe; closes it at end of file. */
static void drain(struct run *run, int *fd, bool is_out)
{
	char chunk[4096];
	ssize_t n = read(*fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
	} else if (!is_out) {
		take_stderr(run, chunk, (size_t)n);
	} else if (run->out.len + (size_t)n > SCRIPT_OUT_MAX) {
		run->oversize = true;
	} else if (buf_append(&run->out, chunk, (size_t)n) < 0) {
		run->oversize = true;
	}
	wipe(chunk, sizeof(chunk));
}

/* True once the program (the group leader) has exited; it stays a zombie. */
static bool leader_exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno != EINTR;
	return si.si_pid == pid;
}

/* Kills what is left of the group, then reaps the leader. */
static void finish_group(struct run *run)
{
	int status = 0;
	pid_t r;

	/* The unreaped leader keeps the group id from being reused. */
	kill(-run->pid, SIGKILL);
	while ((r = waitpid(run->pid, &status, 0)) < 0 && errno == EINTR)
		;
	run->status = status;
	run->lost = r != run->pid;
}

/*
 * Collects output until the program exits, a bound is hit or time runs out.
 * Pipes left open by a background descendant do not keep us waiting: once
 * the leader has exited we take what is buffered and stop.
 */
static void collect(struct run *run, long long deadline)
{
	bool exited = false;

	while (!run->oversize) {
		struct pollfd pfd[2] = {{run->out_fd, POLLIN, 0}, {run->err_fd, POLLIN, 0}};
		long long left = deadline - now_ms();

		if (left <= 0) {
			run->timed_out = true;
			break;
		}
		exited = exited || leader_exited(run->pid);
		if (exited && run->out_fd < 0 && run->err_fd < 0)
			break;
		if (poll(pfd, 2, exited ? 0 : (left > 50 ? 50 : (int)left)) < 0 && errno != EINTR)
			break;
		if (run->out_fd >= 0 && pfd[0].revents)
			drain(run, &run->out_fd, true);
		if (run->err_fd >= 0 && pfd[1].revents)
			drain(run, &run->err_fd, false);
		if (exited && !pfd[0].revents && !pfd[1].revents)
			break; /* the leader is gone and nothing more is buffered */
	}
	if (run->line.len)
		pass_line(run, run->line.data, run->line.len);
	finish_group(run);
}

static int spawn(char *const argv[], int out[2], int err[2], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int r;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE); /* we ignore it; the program gets the default */
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 34)
	posix_spawn_file_actions_addclosefrom_np(&fa, 3); /* no lock or cache fd leaks */
#endif
#endif
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF);
	r = posix_spawn(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return r;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++) {
		if (p[i] >= 0)
			close(p[i]);
		p[i] = -1;
	}
}

/* command... get IMAGE [--refresh], borrowing every string; NULL-terminated. */
static char **build_argv(const struct script_route *sr, const struct request *req)
{
	char **argv = calloc(sr->argc + SCRIPT_EXTRA_ARGS, sizeof(*argv));
	size_t n = sr->argc;

	if (!argv)
		return NULL;
	memcpy(argv, sr->argv, n * sizeof(*argv));
	argv[n++] = (char *)"get";
	argv[n++] = (char *)req->key;
	if (req->refresh)
		argv[n++] = (char *)"--refresh";
	return argv;
}

/* Runs the command with "get IMAGE [--refresh]"; fills run or returns an error. */
static int run_command(const struct route *route, const struct request *req, struct run *run,
		       struct errbuf *eb)
{
	const struct script_route *sr = route->data;
	int out[2] = {-1, -1}, err[2] = {-1, -1}, r;
	long long deadline = now_ms() + (long long)sr->timeout * 1000;
	char **argv = build_argv(sr, req);

	if (!argv)
		return ERR_NOMEM;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		r = errbuf_set(eb, ERR_IO, "%s: cannot create a pipe: %s", route->name,
			       strerror(errno));
		goto out;
	}
	r = spawn(argv, out, err, &run->pid);
	if (r != 0) {
		r = errbuf_set(eb, ERR_BACKEND, "%s: cannot run %s: %s", route->name, argv[0],
			       strerror(r));
		goto out;
	}
	close(out[1]);
	close(err[1]);
	run->out_fd = out[0];
	run->err_fd = err[0];
	out[0] = out[1] = err[0] = err[1] = -1;
	fcntl(run->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(run->err_fd, F_SETFL, O_NONBLOCK);
	collect(run, deadline);
out:
	close_pair(out);
	close_pair(err);
	free(argv);
	return r;
}

/* ---- the answer -------------------------------------------------------- */

/* The last member whose name equals name ignoring case; NULL if none. */
static json_t *member(json_t *obj, const char *name)
{
	const char *key;
	json_t *value, *found = NULL;

	json_object_foreach(obj, key, value) {
		if (strcasecmp(key, name) == 0)
			found = value;
	}
	return found;
}

static int field(const struct route *route, const char *prog, json_t *obj, const char *name,
		 const char **out, struct errbuf *eb)
{
	json_t *v = member(obj, name);

	*out = NULL;
	if (v && !json_is_string(v) && !json_is_null(v))
		return errbuf_set(eb, ERR_BACKEND, "%s: %s printed a %s that is not a string",
				  route->name, prog, name);
	if (!v || json_is_null(v) || json_string_length(v) == 0)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s printed no %s (it must print "
				  "{\"username\":\"...\",\"password\":\"...\"})",
				  route->name, prog, name);
	*out = json_string_value(v);
	if (strlen(*out) != json_string_length(v))
		return errbuf_set(eb, ERR_BACKEND, "%s: %s printed a %s containing a NUL",
				  route->name, prog, name);
	return 0;
}

/* Parses the program's stdout; the text is never quoted in messages. */
static int parse_output(const struct route *route, const char *prog, const struct buf *text,
			struct creds *out, struct errbuf *eb)
{
	const char *user, *pass;
	json_error_t jerr;
	json_t *obj;
	int r;

	if (text->len == 0)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s exited 0 but printed nothing",
				  route->name, prog);
	obj = json_loadb(text->data, text->len, 0, &jerr);
	if (!obj)
		return errbuf_set(eb, ERR_BACKEND,
				  "%s: %s printed invalid JSON (line %d, column %d)", route->name,
				  prog, jerr.line, jerr.column);
	if (!json_is_object(obj))
		r = errbuf_set(eb, ERR_BACKEND, "%s: %s printed JSON that is not an object",
			       route->name, prog);
	else
		r = field(route, prog, obj, "username", &user, eb);
	if (r == 0)
		r = field(route, prog, obj, "password", &pass, eb);
	if (r == 0)
		r = creds_set(out, user, pass);
	json_decref(obj);
	return r;
}

static int judge(const struct route *route, const struct run *run, struct creds *out,
		 struct errbuf *eb)
{
	const struct script_route *sr = route->data;
	const char *prog = sr->argv[0];

	if (run->timed_out)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s timed out after %ld s (killed)",
				  route->name, prog, sr->timeout);
	if (run->oversize)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s printed more than %u KiB (killed)",
				  route->name, prog, SCRIPT_OUT_MAX / 1024);
	if (run->lost)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s: cannot wait for it", route->name, prog);
	if (WIFSIGNALED(run->status))
		return errbuf_set(eb, ERR_BACKEND, "%s: %s was killed by signal %d (%s)",
				  route->name, prog, WTERMSIG(run->status),
				  strsignal(WTERMSIG(run->status)));
	if (WIFEXITED(run->status) && WEXITSTATUS(run->status) != 0)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s failed (exit status %d)", route->name,
				  prog, WEXITSTATUS(run->status));
	return parse_output(route, prog, &run->out, out, eb);
}

static int script_get(const struct route *route, const struct request *req, struct creds *out,
		      struct errbuf *eb)
{
	struct run run = {.route = route, .out_fd = -1, .err_fd = -1};
	int r;

	log_debug("%s: running %s get %s%s", route->name,
		  ((struct script_route *)route->data)->argv[0], req->key,
		  req->refresh ? " --refresh" : "");
	r = run_command(route, req, &run, eb);
	if (r == 0)
		r = judge(route, &run, out, eb);
	if (run.out_fd >= 0)
		close(run.out_fd);
	if (run.err_fd >= 0)
		close(run.err_fd);
	buf_finish(&run.out);
	buf_finish(&run.line);
	return r;
}

/* ---- operator views ---------------------------------------------------- */

static int script_check(const struct route *route, struct buf *report, struct errbuf *eb)
{
	const struct script_route *sr = route->data;
	const char *prog = sr->argv[0];
	struct stat st;

	if (stat(prog, &st) < 0)
		return errbuf_set(eb, ERR_CONFIG, "%s: %s (fix the command's path)", prog,
				  strerror(errno));
	if (!S_ISREG(st.st_mode))
		return errbuf_set(eb, ERR_CONFIG, "%s is not a regular file", prog);
	if (access(prog, X_OK) < 0)
		return errbuf_set(eb, ERR_CONFIG, "%s is not executable (chmod +x it)", prog);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return errbuf_set(eb, ERR_PERM, "%s is writable by group or others (chmod go-w it)",
				  prog);
	return buf_printf(report, "ok: %s: %s is executable (timeout %ld s)\n", route->name, prog,
			  sr->timeout);
}

static void script_describe(const struct route *route, const struct request *req,
			    struct buf *out)
{
	const struct script_route *sr = route->data;

	(void)req;
	buf_printf(out, "program %s (%zu configured argument%s) get IMAGE, timeout %ld s",
		   sr->argv[0], sr->argc - 1, sr->argc == 2 ? "" : "s", sr->timeout);
}

const struct backend script_backend = {
	.name = "script",
	.summary = "credentials from a program (thin-edge registry-credentials protocol)",
	.options = script_options,
	.writable = false,
	.configure = script_configure,
	.finish = script_finish,
	.get = script_get,
	.check = script_check,
	.describe = script_describe,
};
