/* SPDX-License-Identifier: MIT */
#include "paths.h"

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *paths_home(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && home[0] == '/')
		return home;
	pw = getpwuid(geteuid());
	return pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

static char *join(const char *a, const char *b, const char *c)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s%s%s", a, b, c[0] ? "/" : "", c) < 0)
		return NULL;
	return p;
}

char *paths_xdg(const char *env, const char *fallback, const char *name)
{
	const char *base = getenv(env);
	const char *home;

	/* The XDG spec says relative values are invalid and must be ignored. */
	if (base && base[0] == '/')
		return join(base, name, "");
	home = paths_home();
	return home ? join(home, fallback, name) : NULL;
}

int paths_resolve(const char *dir, const char *path, char **out, struct errbuf *eb)
{
	const char *home;

	*out = NULL;
	if (path[0] == '/') {
		*out = strdup(path);
	} else if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		home = paths_home();
		if (!home)
			return errbuf_set(eb, ERR_CONFIG, "cannot expand %s: no home directory", path);
		if (asprintf(out, "%s%s", home, path + 1) < 0)
			*out = NULL;
	} else {
		if (asprintf(out, "%s/%s", dir ? dir : ".", path) < 0)
			*out = NULL;
	}
	return *out ? 0 : ERR_NOMEM;
}

char *paths_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

char *paths_absdir(const char *path)
{
	char *dir = paths_dirname(path);
	char *abs = dir ? realpath(dir, NULL) : NULL;

	free(dir);
	return abs;
}
