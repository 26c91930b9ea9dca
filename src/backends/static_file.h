/* SPDX-License-Identifier: MIT */
#ifndef DCR_BACKENDS_STATIC_FILE_H
#define DCR_BACKENDS_STATIC_FILE_H

/*
 * The static backend's credentials file as entries; shared by its two pieces
 * only, not for use outside them.
 *   src/backends/static.c       the backend: options, matching, the locked
 *                               read-modify-write, age-encrypted passwords
 *   src/backends/static_file.c  reading the file and the CONTAINER_REGISTRYn_*
 *                               overrides into entries, changing entries,
 *                               writing them back
 */

#include <stdbool.h>
#include <stddef.h>

#include "creds.h"
#include "err.h"
#include "ref.h"

#define STATIC_MAX_SIZE (4u << 20)
#define ENV_PREFIX "CONTAINER_REGISTRY"

struct entry {
	char *name; /* the table name, e.g. registry1 */
	char *repo;
	char *username;
	char *password;
	int line;           /* 0 when the entry comes only from the environment */
	bool repo_from_env; /* CONTAINER_REGISTRYn_REPO set repo */
	bool password_from_env; /* CONTAINER_REGISTRYn_PASSWORD set password */
	struct ref ref;
};

struct entries {
	struct entry *v;
	size_t count;
};

/* Frees every entry and leaves es empty. */
void static_file_finish(struct entries *es);

/*
 * Loads path into es (a missing file is empty) and, with with_env, the
 * environment overrides; es is empty on error.
 */
int static_file_load(const char *path, bool with_env, struct entries *es, struct errbuf *eb);

/* Writes es to path atomically (the caller holds the file's lock). */
int static_file_save(const char *path, const struct entries *es, struct errbuf *eb);

/* Sets creds on the entry for exactly req's registry and repository, adding one if none. */
int static_file_upsert(struct entries *es, const struct request *req, const struct creds *creds);

/* Removes every entry for exactly this registry and repository; false if none. */
bool static_file_remove(struct entries *es, const struct ref *ref);

#endif
