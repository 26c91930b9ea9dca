/* SPDX-License-Identifier: MIT */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "log.h"
#include "route.h"
#include "wipe.h"

struct fetch {
	const struct route *route;
	const struct request *req;
};

static int fetch_from_backend(void *opaque, struct creds *out, struct errbuf *eb)
{
	const struct fetch *f = opaque;

	log_debug("get %s: asking backend %s", f->req->ref.host, f->route->backend->name);
	return f->route->backend->get(f->route, f->req, out, eb);
}

/*
 * A cached route answers from the token cache, asking its backend only when
 * needed.  Expiring backends (ECR, Secrets Manager) issue one token per
 * registry host, whatever the repository, for the asker their who() names.
 */
static int cached_get(const struct route *route, const struct request *req, struct creds *out,
		      struct errbuf *eb)
{
	const struct backend *b = route->backend;
	char registry[REF_HOST_MAX + REF_PATH_MAX], who[CORE_WHO_MAX] = "";
	struct fetch f = {route, req};
	struct cache_id id = {route->name, registry, who};
	struct cache_params params = {
		.now = time(NULL),
		.refresh = req->refresh,
		.ttl_fallback = route->cache_ttl > 0 ? route->cache_ttl : CORE_TTL_DEFAULT,
	};

	if (b->expiring)
		snprintf(registry, sizeof(registry), "%s", req->ref.host);
	else
		ref_format(&req->ref, registry, sizeof(registry));
	if (b->who)
		b->who(route, req, who, sizeof(who));
	return cache_get(&params, &id, fetch_from_backend, &f, out, eb);
}

int core_get(const struct config *config, const struct request *req, struct creds *out,
	     struct errbuf *eb)
{
	const struct route *route = route_find(config, &req->ref, NULL);

	log_debug("get %s: %s, backend %s%s", req->ref.host, route->name, route->backend->name,
		  route->cache_ttl || route->backend->expiring ? ", cached" : "");
	if (route->cache_ttl > 0 || route->backend->expiring)
		return cached_get(route, req, out, eb);
	return route->backend->get(route, req, out, eb);
}

/* Applies the store policy; returns 1 when the backend should do the work. */
static int policy(const struct route *route, const char *verb, struct errbuf *eb)
{
	switch (route->store) {
	case STORE_REJECT:
		return errbuf_set(eb, ERR_READ_ONLY,
				  "%s does not accept %s (it sets store = \"reject\")",
				  route->name, verb);
	case STORE_IGNORE:
		log_warn("%s (backend %s) is read-only: %s ignored", route->name,
			 route->backend->name, verb);
		return 0;
	case STORE_WRITE:
		break;
	}
	return 1;
}

int core_store(const struct config *config, const struct request *req, const struct creds *creds,
	       struct errbuf *eb)
{
	const struct route *route = route_find(config, &req->ref, NULL);
	int r = policy(route, "store", eb);

	log_debug("store %s: %s, backend %s", req->ref.host, route->name,
		  route->backend->name);
	return r <= 0 ? r : route->backend->store(route, req, creds, eb);
}

int core_erase(const struct config *config, const struct request *req, struct errbuf *eb)
{
	const struct route *route = route_find(config, &req->ref, NULL);
	int r = policy(route, "erase", eb);

	log_debug("erase %s: %s, backend %s", req->ref.host, route->name,
		  route->backend->name);
	return r <= 0 ? r : route->backend->erase(route, req, eb);
}

void key_list_finish(struct key_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		free(list->v[i].key);
		free(list->v[i].username);
	}
	free(list->v);
	list->v = NULL;
	list->count = 0;
}

struct list_ctx {
	const struct config *config;
	const struct route *route;
	struct key_list *out;
};

static bool listed(const struct key_list *list, const char *key)
{
	for (size_t i = 0; i < list->count; i++) {
		if (strcmp(list->v[i].key, key) == 0)
			return true;
	}
	return false;
}

/* Keeps a candidate only if a get for it reaches this route and answers. */
static int add_candidate(void *opaque, const char *key, const char *username)
{
	struct list_ctx *ctx = opaque;
	struct request req = {.key = key, .username_only = true};
	struct creds creds = {0};
	struct errbuf eb = {{0}};
	struct key_item *v;
	int r;

	if (listed(ctx->out, key) || ref_parse(key, &req.ref, NULL) < 0 ||
	    route_find(ctx->config, &req.ref, NULL) != ctx->route)
		return 0;
	r = ctx->route->backend->get(ctx->route, &req, &creds, &eb);
	if (r < 0 || strcmp(creds.username, username) != 0) {
		creds_finish(&creds);
		return r == ERR_NOMEM ? r : 0;
	}
	creds_finish(&creds);
	v = realloc(ctx->out->v, (ctx->out->count + 1) * sizeof(*v));
	if (!v)
		return ERR_NOMEM;
	ctx->out->v = v;
	v[ctx->out->count].key = strdup(key);
	v[ctx->out->count].username = strdup(username);
	if (!v[ctx->out->count].key || !v[ctx->out->count].username) {
		free(v[ctx->out->count].key);
		free(v[ctx->out->count].username);
		return ERR_NOMEM;
	}
	ctx->out->count++;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct key_item *)a)->key, ((const struct key_item *)b)->key);
}

static int list_route(const struct config *config, const struct route *route,
		      struct key_list *out, struct errbuf *eb)
{
	struct list_ctx ctx = {config, route, out};

	if (!route->backend->list)
		return 0;
	return route->backend->list(route, add_candidate, &ctx, eb);
}

int core_list(const struct config *config, struct key_list *out, struct errbuf *eb)
{
	int r = 0;

	out->v = NULL;
	out->count = 0;
	for (size_t i = 0; i < config->count && r == 0; i++)
		r = list_route(config, &config->routes[i], out, eb);
	if (r == 0)
		r = list_route(config, &config->store, out, eb);
	if (r < 0) {
		key_list_finish(out);
		return r;
	}
	if (out->count > 1) /* an empty list has v == NULL, which qsort must not get */
		qsort(out->v, out->count, sizeof(*out->v), by_key);
	return 0;
}
