/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static enum log_level current = LOG_LEVEL_WARN;
static const char *prefix = "docker-credential-router";

static const char *const names[] = {
	[LOG_LEVEL_SILENT] = "silent", [LOG_LEVEL_ERROR] = "error", [LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",     [LOG_LEVEL_DEBUG] = "debug",
};

void log_init(void)
{
	const char *v = getenv("DOCKER_CREDENTIAL_ROUTER_LOG");

	if (!v || !*v)
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(v, names[i]) == 0) {
			current = (enum log_level)i;
			return;
		}
	}
	if (strcasecmp(v, "warning") == 0)
		current = LOG_LEVEL_WARN;
}

void log_set_level(enum log_level level)
{
	current = level;
}

enum log_level log_get_level(void)
{
	return current;
}

void log_set_prefix(const char *p)
{
	prefix = p;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int head, n;
	size_t len;

	if (level > current || level == LOG_LEVEL_SILENT)
		return;
	head = snprintf(line, sizeof(line), "%s: %s: ", prefix, names[level]);
	if (head < 0 || (size_t)head >= sizeof(line))
		return;
	va_start(ap, fmt);
	n = vsnprintf(line + head, sizeof(line) - (size_t)head, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len = (size_t)head + (size_t)n;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	/* One write per message so concurrent processes do not interleave. */
	(void)!write(STDERR_FILENO, line, len);
}
