/* SPDX-License-Identifier: MIT */
#ifndef DCR_CORE_H
#define DCR_CORE_H

#include "backend.h"
#include "config.h"
#include "creds.h"

/* Lifetime of an expiring backend's answer that has no expiry of its own. */
#define CORE_TTL_DEFAULT 3600
/* Room for a backend's who() (the cache identity of the asker). */
#define CORE_WHO_MAX 512

/*
 * What every personality asks: find the route for the request and ask its
 * backend, applying the route's store policy.  ERR_NOT_FOUND means nothing is
 * configured for the registry (callers turn it into their "not found").
 */
int core_get(const struct config *config, const struct request *req, struct creds *out,
	     struct errbuf *eb);
int core_store(const struct config *config, const struct request *req, const struct creds *creds,
	       struct errbuf *eb);
int core_erase(const struct config *config, const struct request *req, struct errbuf *eb);

/* Every key a get would answer, with its username, sorted by key and unique. */
struct key_list {
	struct key_item {
		char *key;
		char *username;
	} *v;
	size_t count;
};

int core_list(const struct config *config, struct key_list *out, struct errbuf *eb);
void key_list_finish(struct key_list *list);

#endif
