/* SPDX-License-Identifier: MIT */
/* configure-docker: point Docker's config.json at the router (configure.c does the edit). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "configure_impl.h"
#include "paths.h"

static char *docker_config_path(const char *arg)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = paths_home();
	struct stat st;
	char *path = NULL;

	if (arg && stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) /* docker's --config DIR */
		dir = arg;
	else if (arg)
		return strdup(arg);
	if (dir && *dir && asprintf(&path, "%s/config.json", dir) < 0)
		return NULL;
	if (!path && home && asprintf(&path, "%s/.docker/config.json", home) < 0)
		return NULL;
	return path;
}

int cmd_configure_docker(int argc, char **argv)
{
	const char *arg = NULL;
	bool global = false;
	const struct flag flags[] = {
		{"--config", &arg, NULL}, {"--global", NULL, &global}, {NULL, NULL, NULL}};
	char *path = NULL;
	int r;

	if (configure_parse_flags(argc, argv, flags, "[--config PATH] [--global]"))
		return 1;
	path = docker_config_path(arg);
	if (!path)
		return out_error("error: no home directory: use --config PATH");
	r = configure_json(path, !global, true);
	free(path);
	return r;
}
