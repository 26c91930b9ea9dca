/* SPDX-License-Identifier: MIT */
/*
 * Operator verbs: `route KEY` explains how a key is routed and `check`
 * validates the configuration and the files it names.  Neither prints a
 * secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "cmd.h"
#include "config.h"
#include "route.h"

static const char *policy_name(enum store_policy p)
{
	return p == STORE_WRITE ? "write" : p == STORE_IGNORE ? "ignore (no-op)" : "reject";
}

static int explain(struct buf *out, const struct config *config, const struct request *req)
{
	size_t pattern;
	const struct route *route = route_find(config, &req->ref, &pattern);
	int r = buf_printf(out, "key:        %s\nregistry:   %s%s\nrepository: %s\nconfig:     %s\n",
			   req->key, req->ref.host, req->ref.hub ? " (Docker Hub)" : "",
			   req->ref.path[0] ? req->ref.path : "(none)", config->origin);

	for (size_t i = 0; i < config->count && r == 0 && &config->routes[i] != route; i++)
		r = buf_printf(out, "skipped:    %s: no pattern matches\n",
			       config->routes[i].name);
	if (r == 0 && pattern == ROUTE_DEFAULT)
		r = buf_printf(out, "route:      default store (no route matched)\n");
	else if (r == 0 && route->line)
		r = buf_printf(out, "route:      %s (%s:%d)\nmatched by: \"%s\"\n", route->name,
			       route->origin, route->line, route->match[pattern]);
	else if (r == 0)
		r = buf_printf(out, "route:      %s (%s)\nmatched by: \"%s\"\n", route->name,
			       route->origin, route->match[pattern]);
	r = r ? r : buf_printf(out, "backend:    %s\nstore:      %s\nsource:     ",
			       route->backend->name, policy_name(route->store));
	if (r == 0 && route->backend->describe)
		route->backend->describe(route, req, out);
	return r ? r : buf_putc(out, '\n');
}

int cmd_route(int argc, char **argv)
{
	struct request req = {.key = argc > 1 ? argv[1] : ""};
	struct config *config = NULL;
	struct errbuf eb = {{0}};
	struct buf out = BUF_INIT;
	const char *why = NULL;
	int status = 1, r;

	if (ref_parse(req.key, &req.ref, &why) < 0)
		return out_error("invalid registry \"%s\": %s", req.key, why ? why : "malformed");
	r = config_load(&config, &eb);
	if (r < 0)
		return out_error("%s", errbuf_str(&eb, r));
	r = explain(&out, config, &req);
	if (r == 0 && out_write(out.data, out.len))
		status = 0;
	buf_finish(&out);
	config_free(config);
	return status;
}

static int check_route(struct buf *out, const struct route *route)
{
	struct errbuf eb = {{0}};
	int r = route->backend->check ? route->backend->check(route, out, &eb) : 0;

	if (r < 0) {
		buf_printf(out, "error: %s: %s\n", route->name, errbuf_str(&eb, r));
		return 1;
	}
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct config *config = NULL;
	struct errbuf eb = {{0}};
	struct buf out = BUF_INIT;
	int problems = 0, r;

	(void)argc;
	(void)argv;
	r = config_load(&config, &eb);
	if (r < 0)
		return out_error("error: %s", errbuf_str(&eb, r));
	buf_printf(&out, "ok: %s: %zu route%s\n", config->origin, config->count,
		   config->count == 1 ? "" : "s");
	for (size_t i = 0; i < config->count; i++)
		problems += check_route(&out, &config->routes[i]);
	problems += check_route(&out, &config->store);
	if (problems)
		buf_printf(&out, "%d problem%s found\n", problems, problems == 1 ? "" : "s");
	out_write(out.data, out.len);
	buf_finish(&out);
	config_free(config);
	return problems ? 1 : 0;
}

struct cache_report {
	struct buf *out;
	time_t now;
};

static const char *token_state(time_t now, time_t issued, time_t expires)
{
	if (now >= expires)
		return "expired";
	return now < issued + (expires - issued) / 2 ? "fresh" : "stale (refreshed on next use)";
}

static int report_entry(void *opaque, const char *route, const char *registry, const char *who,
			time_t issued, time_t expires)
{
	struct cache_report *rep = opaque;
	char until[32];
	struct tm tm;

	strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&expires, &tm));
	return buf_printf(rep->out, "%s  %s%s%s  expires %s  %s\n", registry, route,
			  who[0] ? "  as " : "", who, until,
			  token_state(rep->now, issued, expires));
}

int cmd_cache(int argc, char **argv)
{
	struct cache_params params = {.now = time(NULL)};
	struct cache_report rep = {NULL, params.now};
	struct errbuf eb = {{0}};
	struct buf out = BUF_INIT;
	char *dir = cache_dir(&params);
	size_t removed = 0;
	int r;

	(void)argc;
	params.dir = dir;
	rep.out = &out;
	if (!dir) {
		r = errbuf_set(&eb, ERR_CONFIG, "no cache directory (set HOME or XDG_CACHE_HOME)");
	} else if (strcmp(argv[1], "list") == 0) {
		r = buf_printf(&out, "cache: %s\n", dir);
		r = r ? r : cache_list(&params, report_entry, &rep, &eb);
	} else if (strcmp(argv[1], "clear") == 0) {
		r = cache_clear(&params, &removed, &eb);
		r = r ? r : buf_printf(&out, "removed %zu file%s from %s\n", removed,
				       removed == 1 ? "" : "s", dir);
	} else {
		r = errbuf_set(&eb, ERR_INVALID, "usage: docker-credential-router cache list|clear");
	}
	if (r == 0)
		out_write(out.data, out.len);
	buf_finish(&out);
	free(dir);
	return r < 0 ? out_error("%s", errbuf_str(&eb, r)) : 0;
}
