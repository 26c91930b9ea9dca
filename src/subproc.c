/* SPDX-License-Identifier: MIT */
#include "subproc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "clock.h"
#include "log.h"
#include "wipe.h"

#define SUBPROC_ERR_MAX (64u * 1024u) /* stderr passed through, at most */
#define SUBPROC_LINE_MAX 1024u        /* longer stderr lines are split */

extern char **environ;

/* What a run is doing; stdout is kept only in res->out. */
struct run {
	const struct subproc_params *params;
	struct subproc_result *res;
	pid_t pid;
	int pid_fd; /* readable once the program exited; -1 without pidfd_open */
	int in_fd, out_fd, err_fd;
	size_t in_done;
	struct buf line; /* a partial stderr line */
	size_t err_total;
	bool err_dropped;
};

/* Writes one stderr line of the program to ours, with its label. */
static void pass_line(struct run *run, const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	if (log_get_level() == LOG_LEVEL_SILENT)
		return;
	if (buf_printf(&b, "%s: %s: %.*s\n", DCR_NAME, run->params->label, (int)len, s) == 0)
		(void)!write(STDERR_FILENO, b.data, b.len);
	buf_finish(&b);
}

/* Splits the program's stderr into lines; bounded in total. */
static void take_stderr(struct run *run, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (run->err_total >= SUBPROC_ERR_MAX) {
			if (!run->err_dropped)
				log_warn("%s: further stderr output of the program dropped",
					 run->params->label);
			run->err_dropped = true;
			return;
		}
		run->err_total++;
		if (data[i] != '\n')
			buf_putc(&run->line, data[i]);
		if (data[i] == '\n' || run->line.len >= SUBPROC_LINE_MAX) {
			pass_line(run, run->line.data ? run->line.data : "", run->line.len);
			run->line.len = 0;
		}
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Reads what is there from one pipe; closes it at end of file. */
static void drain(struct run *run, int *fd, bool is_out)
{
	char chunk[4096];
	ssize_t n = read(*fd, chunk, sizeof(chunk));
	struct subproc_result *res = run->res;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0)
		close_fd(fd);
	else if (!is_out)
		take_stderr(run, chunk, (size_t)n);
	else if (res->out.len + (size_t)n > run->params->max_output)
		res->oversize = true;
	else if (buf_append(&res->out, chunk, (size_t)n) < 0)
		res->oversize = true;
	wipe(chunk, sizeof(chunk));
}

/* Feeds the program's stdin without blocking; closes it when all is written. */
static void feed(struct run *run)
{
	const char *in = run->params->input;
	ssize_t n = write(run->in_fd, in + run->in_done, run->params->input_len - run->in_done);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		close_fd(&run->in_fd); /* the program closed its stdin: its choice */
		return;
	}
	run->in_done += (size_t)n;
	if (run->in_done == run->params->input_len)
		close_fd(&run->in_fd);
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
	run->res->status = status;
	run->res->lost = r != run->pid;
}

/*
 * Collects output until the program exits, a bound is hit or time runs out.
 * Pipes left open by a background descendant do not keep us waiting: once
 * the leader has exited we take what is buffered and stop.  The exit is seen
 * through a pidfd in the same poll as the pipes; without one (kernels before
 * 5.3, seccomp), by asking waitid every 50 ms.
 */
static void collect(struct run *run, long long deadline)
{
	bool exited = false;

	while (!run->res->oversize) {
		struct pollfd pfd[4] = {{run->out_fd, POLLIN, 0},
					{run->err_fd, POLLIN, 0},
					{run->in_fd, POLLOUT, 0},
					{exited ? -1 : run->pid_fd, POLLIN, 0}};
		long long left = deadline - clock_ms();
		/* Without a pidfd, look for the exit again every 50 ms. */
		long long wait = run->pid_fd >= 0 || left < 50 ? left : 50;

		if (left <= 0) {
			run->res->timed_out = true;
			break;
		}
		if (run->pid_fd < 0)
			exited = exited || leader_exited(run->pid);
		if (exited && run->out_fd < 0 && run->err_fd < 0)
			break;
		if (poll(pfd, 4, exited ? 0 : (int)(wait > INT_MAX ? INT_MAX : wait)) < 0 &&
		    errno != EINTR)
			break;
		if (pfd[3].revents)
			exited = true;
		if (run->out_fd >= 0 && pfd[0].revents)
			drain(run, &run->out_fd, true);
		if (run->err_fd >= 0 && pfd[1].revents)
			drain(run, &run->err_fd, false);
		if (run->in_fd >= 0 && pfd[2].revents)
			feed(run);
		if (exited && !pfd[0].revents && !pfd[1].revents)
			break; /* the leader is gone and nothing more is buffered */
	}
	if (run->line.len)
		pass_line(run, run->line.data, run->line.len);
	finish_group(run);
}

static int start(char *const argv[], int in[2], int out[2], int err[2], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int r;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE); /* we ignore them; the program gets the defaults */
	sigaddset(&dfl, SIGXFSZ);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if (in[0] >= 0)
		posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	else
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
	close_fd(&p[0]);
	close_fd(&p[1]);
}

int subproc_run(const struct subproc_params *params, struct subproc_result *res, struct errbuf *eb)
{
	struct run run = {.params = params, .res = res, .pid_fd = -1, .in_fd = -1, .out_fd = -1,
			  .err_fd = -1};
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, r;
	long long deadline = clock_ms() + params->timeout_ms;

	memset(res, 0, sizeof(*res));
	if ((params->input && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(err, O_CLOEXEC) < 0) {
		r = errbuf_set(eb, ERR_IO, "%s: cannot create a pipe: %s", params->label,
			       strerror(errno));
		goto out;
	}
	r = start(params->argv, in, out, err, &run.pid);
	if (r != 0) {
		r = errbuf_set(eb, ERR_BACKEND, "%s: cannot run %s: %s", params->label,
			       params->argv[0], strerror(r));
		goto out;
	}
	run.pid_fd = (int)syscall(SYS_pidfd_open, run.pid, 0); /* close-on-exec */
	run.in_fd = in[1];
	run.out_fd = out[0];
	run.err_fd = err[0];
	in[1] = out[0] = err[0] = -1;
	close_pair(in);
	close_pair(out);
	close_pair(err);
	if (run.in_fd >= 0 && params->input_len == 0)
		close_fd(&run.in_fd);
	for (int *fd = &run.in_fd; fd <= &run.err_fd; fd++) {
		if (*fd >= 0)
			fcntl(*fd, F_SETFL, O_NONBLOCK);
	}
	collect(&run, deadline);
out:
	close_fd(&run.pid_fd);
	close_fd(&run.in_fd);
	close_fd(&run.out_fd);
	close_fd(&run.err_fd);
	close_pair(in);
	close_pair(out);
	close_pair(err);
	buf_finish(&run.line);
	return r;
}

int subproc_judge(const struct subproc_params *params, const struct subproc_result *res,
		struct errbuf *eb)
{
	const char *label = params->label, *prog = params->argv[0];

	if (res->timed_out)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s timed out after %ld s (killed)", label,
				  prog, params->timeout_ms / 1000);
	if (res->oversize)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s printed more than %zu KiB (killed)",
				  label, prog, params->max_output / 1024);
	if (res->lost)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s: cannot wait for it", label, prog);
	if (WIFSIGNALED(res->status))
		return errbuf_set(eb, ERR_BACKEND, "%s: %s was killed by signal %d (%s)", label,
				  prog, WTERMSIG(res->status), strsignal(WTERMSIG(res->status)));
	if (WIFEXITED(res->status) && WEXITSTATUS(res->status) != 0)
		return errbuf_set(eb, ERR_BACKEND, "%s: %s failed (exit status %d)", label, prog,
				  WEXITSTATUS(res->status));
	return 0;
}

void subproc_result_finish(struct subproc_result *res)
{
	buf_finish(&res->out);
}
