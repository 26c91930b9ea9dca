/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "backend.h"

const struct backend *const backends[] = {
	&static_backend,
	&env_backend,
	&script_backend,
	&ecr_backend,
	&secretsmanager_backend,
	&secretservice_backend, /* refuses to configure without libsecret */
	NULL,
};

const struct backend *backend_find(const char *name)
{
	for (size_t i = 0; backends[i]; i++) {
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	}
	return NULL;
}
