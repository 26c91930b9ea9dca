/* SPDX-License-Identifier: MIT */
#ifndef DCR_CMD_H
#define DCR_CMD_H

/*
 * The verbs, one function each, dispatched from the table in main.c.  Each
 * returns the process exit status.  argv[0] is the verb itself.
 */
int cmd_get(int argc, char **argv);
int cmd_store(int argc, char **argv);
int cmd_erase(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_cache(int argc, char **argv);
/*
 * configure.c, configure_docker.c, configure_podman.c: point Docker's and
 * containers/image's configuration at the router.
 */
int cmd_configure_docker(int argc, char **argv);
int cmd_configure_podman(int argc, char **argv);
/* Other callers' protocols: tedge.c and kubelet.c. */
int cmd_registry_credentials(int argc, char **argv);
int cmd_kubelet(int argc, char **argv);

/* Writes all of data to stdout; false if the reader went away. */
#include <stdbool.h>
#include <stddef.h>
bool out_write(const char *data, size_t len);
/* One line on stdout: how Docker's helpers report every error.  Returns 1. */
int out_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line "PREFIX: message" on stderr, as thin-edge and the kubelet expect.  Returns 1. */
int out_stderr(const char *prefix, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
