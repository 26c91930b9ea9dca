/* SPDX-License-Identifier: MIT */
#ifndef DCR_PATHS_H
#define DCR_PATHS_H

#include "err.h"

/* $HOME, or the password database entry when HOME is unset; NULL if neither. */
const char *paths_home(void);

/*
 * Joins an XDG base directory (e.g. "XDG_DATA_HOME" with fallback
 * ".local/share" under the home directory) with a relative name.
 * Returns a malloc'd path or NULL (no home directory / out of memory).
 */
char *paths_xdg(const char *env, const char *fallback, const char *name);

/*
 * Resolves a path written in a config file: "~/" is the home directory,
 * relative paths start at dir.  Returns a malloc'd path or an error.
 */
int paths_resolve(const char *dir, const char *path, char **out, struct errbuf *eb);

/* The directory part of path, malloc'd ("." when there is none). */
char *paths_dirname(const char *path);

/* The absolute directory of path (symlinks resolved), malloc'd; NULL on failure. */
char *paths_absdir(const char *path);

#endif
