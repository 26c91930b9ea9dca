/* SPDX-License-Identifier: MIT */
/*
 * spawner: the least a credential helper that runs a program can do, the
 * bound for a `script` route in run-load-bench.sh.  It reads the key from
 * stdin, runs PROGRAM get KEY with posix_spawn, its stdout on a pipe, reads
 * the answer, waits for it and prints the answer unchanged: no
 * configuration, no parsing, no process group, no timeout, no stderr
 * handling.  Linked statically, like the floor.
 *
 *   spawner PROGRAM KEY
 */
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	char buf[4096];
	size_t got = 0;
	ssize_t n;
	pid_t pid;
	int p[2], status;
	char *args[4];
	posix_spawn_file_actions_t fa;

	if (argc != 3)
		return 2;
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
	args[0] = argv[1];
	args[1] = (char *)"get";
	args[2] = argv[2];
	args[3] = NULL;
	if (pipe(p) < 0 || posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO) != 0 ||
	    posix_spawn_file_actions_addclose(&fa, p[0]) != 0 ||
	    posix_spawn(&pid, argv[1], &fa, NULL, args, environ) != 0)
		return 1;
	close(p[1]);
	while (got < sizeof(buf) && (n = read(p[0], buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 1;
	return write(STDOUT_FILENO, buf, got) == (ssize_t)got ? 0 : 1;
}
