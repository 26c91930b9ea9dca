/* SPDX-License-Identifier: MIT */
/*
 * docker-credential-router: one executable, dispatched on the verb.  The
 * usage text is generated from the same tables that drive dispatch and
 * configuration, so --help cannot drift from the code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "build-config.h"
#include "cmd.h"
#include "config.h"
#include "harden.h"
#include "log.h"

#define USAGE_DOCKER "Usage: " DCR_NAME " <store|get|erase|list|version>"

enum verb_kind { VERB_DOCKER, VERB_CALLER, VERB_OPERATOR };

/* The --help heading before each kind after the first. */
static const char *const kind_headings[] = {
	[VERB_DOCKER] = "",
	[VERB_CALLER] = "\nOther callers' protocols:\n",
	[VERB_OPERATOR] = "\nOperator verbs:\n",
};

#define VERB_ARGS_ANY (-1)

struct verb {
	const char *name;
	const char *args;
	int argc; /* exact argument count after the verb; VERB_ARGS_ANY: the verb checks */
	enum verb_kind kind;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct verb verbs[] = {
	{"get", "", 0, VERB_DOCKER, cmd_get, "print the credentials for the server URL on stdin"},
	{"store", "", 0, VERB_DOCKER, cmd_store,
	 "store {\"ServerURL\",\"Username\",\"Secret\"} read from stdin"},
	{"erase", "", 0, VERB_DOCKER, cmd_erase, "erase the credentials for the server URL on stdin"},
	{"list", "", 0, VERB_DOCKER, cmd_list, "print {server URL: username} for every stored key"},
	{"version", "", 0, VERB_DOCKER, cmd_version, "print the version"},
	{"registry-credentials", " get IMAGE [--refresh]", VERB_ARGS_ANY, VERB_CALLER,
	 cmd_registry_credentials, "thin-edge: print {\"username\",\"password\"} for IMAGE"},
	{"kubelet", "", VERB_ARGS_ANY, VERB_CALLER, cmd_kubelet,
	 "kubelet image credential provider: CredentialProviderRequest on stdin"},
	{"route", " KEY", 1, VERB_OPERATOR, cmd_route,
	 "explain how KEY is normalised and routed (never prints a secret)"},
	{"check", "", 0, VERB_OPERATOR, cmd_check,
	 "validate the configuration and the files it names"},
	{"cache", " list|clear", 1, VERB_OPERATOR, cmd_cache,
	 "show the token cache's entries (never a secret) or remove them"},
	{"configure-docker", " [--config PATH] [--global]", VERB_ARGS_ANY, VERB_OPERATOR,
	 cmd_configure_docker,
	 "add credHelpers for the routes' registries to Docker's config.json (--global: "
	 "credsStore)"},
	{"configure-podman", " [--auth-file PATH] [--registries-conf PATH] [--global]",
	 VERB_ARGS_ANY, VERB_OPERATOR, cmd_configure_podman,
	 "add credHelpers to containers auth.json (--global: credential-helpers in a "
	 "registries.conf drop-in)"},
};

struct env_doc {
	const char *name;
	const char *summary;
};

static const struct env_doc env_docs[] = {
	{CONFIG_ENV, "configuration file to use instead of the search path"},
	{"DOCKER_CREDENTIAL_ROUTER_LOG", "log level on stderr: silent, error, warn (default), info, debug"},
	{"XDG_CONFIG_HOME", "base of the per-user config (default ~/.config)"},
	{"XDG_DATA_HOME", "base of the default store (default ~/.local/share)"},
	{"XDG_CACHE_HOME", "base of the token cache (default ~/.cache)"},
	{"DSTACK_DOCKER_USERNAME", "dstack: username for DSTACK_DOCKER_REGISTRY (embedded default)"},
	{"DSTACK_DOCKER_PASSWORD", "dstack: password for DSTACK_DOCKER_REGISTRY (embedded default)"},
	{"DSTACK_DOCKER_REGISTRY", "dstack: the registry (default Docker Hub)"},
	{"CONTAINER_REGISTRYn_REPO", "thin-edge: override repo of [registryn] (static backend)"},
	{"CONTAINER_REGISTRYn_USERNAME", "thin-edge: override username of [registryn]"},
	{"CONTAINER_REGISTRYn_PASSWORD", "thin-edge: override password of [registryn]"},
	{"DCR_<HOST>_USERNAME", "env backend: default username variable for a registry"},
	{"DCR_<HOST>_PASSWORD", "env backend: default password variable for a registry"},
	{"DOCKER_CREDENTIAL_ROUTER_LIBEXECDIR",
	 "where the helper executables (dcr-aws, ...) are (default: beside the binary, else "
	 "libexecdir)"},
	{"DSTACK_AWS_ECR_REGISTRY", "dstack: an ECR registry to route to the ecr backend"},
	{"DSTACK_AWS_REGION", "dstack: the region of DSTACK_AWS_ECR_REGISTRY"},
	{"AWS_REGION", "ecr, aws-secretsmanager: region when neither the route nor the host says"},
	{"AWS_DEFAULT_REGION", "ecr, aws-secretsmanager: region when AWS_REGION is unset"},
	{"AWS_CA_BUNDLE", "ecr, aws-secretsmanager: CA file to verify AWS endpoints with"},
	{"AWS_USE_FIPS_ENDPOINT", "ecr, aws-secretsmanager: true selects FIPS endpoints"},
	{"AWS_USE_DUALSTACK_ENDPOINT", "ecr, aws-secretsmanager: true selects dual-stack endpoints"},
	{"AWS_ENDPOINT_URL", "ecr, aws-secretsmanager: endpoint for every AWS service"},
	{"AWS_ENDPOINT_URL_ECR", "ecr: endpoint of ECR (over AWS_ENDPOINT_URL)"},
	{"AWS_ENDPOINT_URL_ECR_PUBLIC", "ecr: endpoint of ECR Public (over AWS_ENDPOINT_URL)"},
	{"AWS_ENDPOINT_URL_SECRETS_MANAGER", "aws-secretsmanager: endpoint of Secrets Manager"},
	{"AWS_MAX_ATTEMPTS", "ecr, aws-secretsmanager: attempts per exchange (default 3, at most 10)"},
	{"DOCKER_CREDENTIAL_ROUTER_AGE_IDENTITY",
	 "age identity file for age-encrypted values (overrides identity_file)"},
	{"DBUS_SESSION_BUS_ADDRESS",
	 "the session bus: unset, the default store does not look for a Secret Service"},
	{"DOCKER_CONFIG", "configure-docker: directory of config.json (default ~/.docker)"},
	{"REGISTRY_AUTH_FILE", "configure-podman: the auth.json to edit"},
	{"XDG_RUNTIME_DIR", "configure-podman: base of the default auth.json"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* "  LABEL   summary", the summary on its own line when the label is too long. */
static void help_row(struct buf *b, int indent, const char *label, int width, const char *summary)
{
	int len = indent + (int)strlen(label);

	if (len < indent + width)
		buf_printf(b, "%*s%-*s %s\n", indent, "", width, label, summary);
	else
		buf_printf(b, "%*s%s\n%*s %s\n", indent, "", label, indent + width, "", summary);
}

static void help_options(struct buf *b, const struct option *opts)
{
	for (const struct option *o = opts; o->key; o++)
		help_row(b, 4, o->key, 18, o->summary);
}

static int cmd_help(void)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "Usage: %s <verb> [args]\n\n"
		       "A Docker credential helper that routes each registry to a backend.\n\n"
		       "Docker credential-helper verbs (input on stdin, output on stdout):\n",
		   DCR_NAME);
	for (size_t i = 0; i < COUNT(verbs); i++) {
		char label[96];

		if (i && verbs[i].kind != verbs[i - 1].kind)
			buf_puts(&b, kind_headings[verbs[i].kind]);
		snprintf(label, sizeof(label), "%s%s", verbs[i].name, verbs[i].args);
		help_row(&b, 2, label, 20, verbs[i].summary);
	}
	buf_puts(&b, "\nOptions:\n  -h, --help      print this help\n"
		     "  -v, --version   print the version\n\nConfiguration (TOML), searched in order:\n");
	for (size_t i = 0; i < 3; i++) {
		char *p = config_search_path(i);

		if (p)
			buf_printf(&b, "  %s\n", p);
		free(p);
	}
	buf_puts(&b, "  (none: the embedded default, built from the environment)\n\nTop-level keys:\n");
	help_options(&b, config_top_keys);
	buf_puts(&b, "\n[[route]] keys:\n");
	help_options(&b, config_route_keys);
	buf_puts(&b, "\nBackends and their route keys:\n");
	for (size_t i = 0; backends[i]; i++) {
		help_row(&b, 2, backends[i]->name, 20, backends[i]->summary);
		help_options(&b, backends[i]->options);
	}
	buf_puts(&b, "\nEnvironment:\n");
	for (size_t i = 0; i < COUNT(env_docs); i++)
		help_row(&b, 2, env_docs[i].name, 30, env_docs[i].summary);
	buf_puts(&b, "\nSee docker-credential-router(1) and docker-credential-router.toml(5).\n");
	out_write(b.data, b.len);
	buf_finish(&b);
	return 0;
}

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < COUNT(verbs); i++) {
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	}
	return NULL;
}

static int dispatch(int argc, char **argv)
{
	const struct verb *verb;

	if (argc < 2)
		return out_error("%s", USAGE_DOCKER);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help();
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)
		return cmd_version(argc - 1, argv + 1);
	verb = find_verb(argv[1]);
	if (!verb)
		return out_error("%s: unknown action: %s", DCR_NAME, argv[1]);
	if (verb->argc != VERB_ARGS_ANY && argc - 2 != verb->argc) {
		if (verb->kind == VERB_DOCKER)
			return out_error("%s", USAGE_DOCKER);
		return out_error("usage: %s %s%s", DCR_NAME, verb->name, verb->args);
	}
	return verb->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;

	harden_process();
	log_init();
	base = base ? base + 1 : argc > 0 ? argv[0] : "";
	/* Invoked through a symlink named after another caller's protocol. */
	if (strcmp(base, "registry-credentials") == 0)
		return cmd_registry_credentials(argc, argv);
	return dispatch(argc, argv);
}
