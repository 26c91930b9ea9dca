/* SPDX-License-Identifier: MIT */
#ifndef DCR_CONFIGURE_IMPL_H
#define DCR_CONFIGURE_IMPL_H

/*
 * Shared by the configure verbs' files: configure.c (flags, loading and
 * committing a file, the JSON edit, the hosts the routes name, the report),
 * configure_docker.c (configure-docker) and configure_podman.c
 * (configure-podman).  Not for other modules.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "buf.h"
#include "err.h"

#define HELPER "router"

/* A file to edit: where it is, what it held, its mode and owner, what we changed. */
struct target {
	char *path; /* symlinks resolved: the file behind them is replaced */
	struct buf old;
	struct stat st;
	bool exists;
	struct buf report; /* one line per change */
	size_t changes;
};

struct flag {
	const char *name;
	const char **value; /* the flag takes a value; NULL: a switch setting *set */
	bool *set;
};

/* Parses "--name VALUE", "--name=VALUE" and switches; 1 (after the usage line) on error. */
int configure_parse_flags(int argc, char **argv, const struct flag *flags, const char *usage);

/* Reads path if it exists (a missing file is an empty new one). */
int configure_target_load(struct target *t, const char *path, struct errbuf *eb);
void configure_target_finish(struct target *t);
/* Saves the old version as PATH.bak and text as PATH; new_mode for a new file (0: 0600). */
int configure_target_commit(struct target *t, const struct buf *text, mode_t new_mode,
			    struct errbuf *eb);

/*
 * Key -> route name for every registry a route names literally (with both
 * Docker Hub keys for the docker CLI when docker), and a note in notes for
 * every other pattern; ERR_CONFIG if there is none.
 */
int configure_routed_hosts(bool docker, json_t **hosts, struct buf *notes, struct errbuf *eb);

/* Prints the notes and the report (or "nothing to change"), or the error. */
int configure_finish(struct target *t, struct buf *notes, int r, struct errbuf *eb);
/*
 * Points the JSON file at path (config.json, auth.json) at the router:
 * credHelpers for the registries the routes name when routed (with Docker
 * Hub's keys for the docker CLI when docker), else credsStore.  Prints the
 * notes and the report, or the error; returns the exit status.
 */
int configure_json(const char *path, bool routed, bool docker);

#endif
