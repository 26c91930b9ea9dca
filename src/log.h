/* SPDX-License-Identifier: MIT */
#ifndef DCR_LOG_H
#define DCR_LOG_H

/*
 * Diagnostics go to stderr only (stdout belongs to the caller's protocol).
 * The level comes from DOCKER_CREDENTIAL_ROUTER_LOG.  Never pass a secret.
 */
enum log_level {
	LOG_LEVEL_SILENT = 0,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Reads DOCKER_CREDENTIAL_ROUTER_LOG; unknown values keep the default (warn). */
void log_init(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Prefix written before every message, e.g. "docker-credential-router". */
void log_set_prefix(const char *prefix);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
