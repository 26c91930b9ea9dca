/* SPDX-License-Identifier: MIT */
#ifndef DCR_CONFIG_IMPL_H
#define DCR_CONFIG_IMPL_H

/*
 * Shared by the configuration loader's files: config.c (the file and its
 * top-level keys), config_route.c (one [[route]] table) and config_default.c
 * (the embedded default).  Not for other modules.
 */

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "config.h"

/* Validates and configures route number index (1-based; 0: not from a file) from its table. */
int config_route_init(struct config *config, struct route *route, size_t index,
		      const struct toml_value *table, struct errbuf *eb);
void config_route_finish(struct route *route);
/* Configures route from generated TOML text holding one [[route]] table. */
int config_synth_route(struct config *config, struct route *route, const char *text, size_t len,
		       struct errbuf *eb);

/* A string without NUL bytes inside. */
bool config_is_cstring(const struct toml_value *v);
/* "did you mean 'x'? allowed: a, b, c" for an unknown key of the NULL-terminated option sets. */
void config_describe_allowed(const struct option *const *sets, const char *key, char *out,
			     size_t size);
/* Appends "key = \"value\"\n" (TOML-quoted). */
int config_put_kv(struct buf *b, const char *key, const char *value);

#endif
