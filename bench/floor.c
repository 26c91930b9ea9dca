/* SPDX-License-Identifier: MIT */
/*
 * floor: the cheapest possible credential helper, the baseline of
 * get_bench.  Linked statically (no dynamic loader, no shared objects): it
 * reads the key from stdin like a helper and prints a fixed answer.
 */
#include <unistd.h>

static const char answer[] =
	"{\"ServerURL\":\"123456789012.dkr.ecr.us-west-2.amazonaws.com\",\"Username\":\"AWS\","
	"\"Secret\":\"floor\"}\n";

int main(void)
{
	char in[512];

	while (read(STDIN_FILENO, in, sizeof(in)) > 0)
		;
	return write(STDOUT_FILENO, answer, sizeof(answer) - 1) == (ssize_t)(sizeof(answer) - 1)
		       ? 0
		       : 1;
}
