/* SPDX-License-Identifier: MIT */
/*
 * dcr-secretservice: the desktop keyring (freedesktop Secret Service) through
 * libsecret, for the secretservice backend (src/backends/secretservice.c), so
 * that only this program links libsecret and glib.
 *
 * Items are Docker's (docker-credential-secretservice, PROTOCOLS.md 1.6), so
 * credentials move both ways: schema io.docker.Credentials with attributes
 * label="Docker Credentials", server=<ServerURL verbatim>, username and
 * docker_cli="1"; display label "Registry credentials for <ServerURL>"; the
 * secret is the password or token.
 *
 *   {"op":"get","key":K,"secret":true}  {"found":true,"server":S,"username":U,"secret":P}
 *                                        or {"found":false}
 *   {"op":"store","key":K,"username":U,"secret":P}  {}
 *   {"op":"erase","key":K}              {"erased":N}
 *   {"op":"list"}                       {"items":[{"server":S,"username":U},...]}
 *   {"op":"probe"}                      {"available":true} or {"available":false,"reason":R}
 *
 * With "probe":true any op first checks that a Secret Service owns its name
 * on the session bus and answers {"available":false,"reason":R} when not.
 * Which stored key answers K is keypick's rule; store and erase remove every
 * item keypick_same calls the same registry and repository (so no duplicate
 * remains and other spellings do not outlive a logout).
 */
#include <jansson.h>
#include <libsecret/secret.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "helper.h"
#include "keypick.h"
#include "ref.h"

#define SECRETS_NAME "org.freedesktop.secrets"
#define DOCKER_LABEL "Docker Credentials"
#define DISPLAY_LABEL "Registry credentials for %s"

static const SecretSchema docker_schema = {
    .name = "io.docker.Credentials",
    .flags = SECRET_SCHEMA_NONE,
    .attributes =
        {
            {"label", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {"server", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {"username", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {"docker_cli", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {NULL, 0},
        },
};

/* The Docker items a search found, with their server and username attributes. */
struct found {
	GList *list; /* of SecretItem, owned */
	SecretItem **items;
	const char **servers;
	const char **usernames;
	GHashTable **attributes; /* owned; servers and usernames point into them */
	size_t n;
};

static int gerror(struct errbuf *eb, const char *what, GError *err)
{
	int r;

	if (err)
		g_dbus_error_strip_remote_error(err);
	r = errbuf_set(eb, ERR_BACKEND, "%s: %s", what, err ? err->message : "unknown error");
	g_clear_error(&err);
	return r;
}

/* ---- the session bus ---------------------------------------------------- */

/*
 * Whether a session bus is configured: DBUS_SESSION_BUS_ADDRESS, or systemd's
 * $XDG_RUNTIME_DIR/bus.  Without either, GLib would autolaunch a bus with
 * dbus-launch (left running) when DISPLAY is set: we refuse instead.
 */
static bool bus_configured(char *reason, size_t size)
{
	const char *address = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	char path[4096];

	if (address && *address)
		return true;
	if (runtime && *runtime && snprintf(path, sizeof(path), "%s/bus", runtime) > 0 &&
	    access(path, F_OK) == 0)
		return true;
	snprintf(reason, size, "DBUS_SESSION_BUS_ADDRESS is not set (no desktop session?)");
	return false;
}

/* Whether something owns org.freedesktop.secrets on the session bus; reason when not. */
static bool service_present(char *reason, size_t size)
{
	GError *err = NULL;
	GDBusConnection *bus;
	GVariant *reply;
	gboolean owned = FALSE;
	char why[300];

	if (!bus_configured(why, sizeof(why))) {
		snprintf(reason, size, "no D-Bus session bus: %s", why);
		return false;
	}
	bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &err);
	if (!bus) {
		g_dbus_error_strip_remote_error(err);
		snprintf(reason, size, "no D-Bus session bus: %s", err->message);
		g_error_free(err);
		return false;
	}
	reply = g_dbus_connection_call_sync(
	    bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
	    "NameHasOwner", g_variant_new("(s)", SECRETS_NAME), G_VARIANT_TYPE("(b)"),
	    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &err);
	if (reply) {
		g_variant_get(reply, "(b)", &owned);
		g_variant_unref(reply);
	} else {
		g_dbus_error_strip_remote_error(err);
		snprintf(reason, size, "the session bus did not answer: %s", err->message);
		g_error_free(err);
	}
	if (reply && !owned)
		snprintf(reason, size, "no Secret Service (%s) on the session bus", SECRETS_NAME);
	g_object_unref(bus);
	return owned;
}

static int connect_service(SecretService **out, struct errbuf *eb)
{
	GError *err = NULL;
	char why[300];

	*out = NULL;
	if (!bus_configured(why, sizeof(why)))
		return errbuf_set(eb, ERR_BACKEND,
		                  "cannot reach the Secret Service on the D-Bus session bus: %s",
		                  why);
	*out = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, NULL, &err);
	if (!*out)
		return gerror(eb, "cannot reach the Secret Service on the D-Bus session bus", err);
	return 0;
}

/* ---- searching ---------------------------------------------------------- */

static void found_finish(struct found *f)
{
	for (size_t i = 0; i < f->n; i++)
		g_hash_table_unref(f->attributes[i]);
	g_free(f->items);
	g_free(f->servers);
	g_free(f->usernames);
	g_free(f->attributes);
	g_list_free_full(f->list, g_object_unref);
	memset(f, 0, sizeof(*f));
}

/* Every Docker item (docker_cli = "1" in schema io.docker.Credentials). */
static int search(SecretService *service, SecretSearchFlags flags, struct found *f,
                  struct errbuf *eb)
{
	GHashTable *query = secret_attributes_build(&docker_schema, "docker_cli", "1", NULL);
	GError *err = NULL;
	size_t count;

	memset(f, 0, sizeof(*f));
	f->list = secret_service_search_sync(service, &docker_schema, query,
	                                     SECRET_SEARCH_ALL | flags, NULL, &err);
	g_hash_table_unref(query);
	if (err)
		return gerror(eb, "Secret Service search failed", err);
	count = g_list_length(f->list);
	f->items = g_new0(SecretItem *, count + 1);
	f->servers = g_new0(const char *, count + 1);
	f->usernames = g_new0(const char *, count + 1);
	f->attributes = g_new0(GHashTable *, count + 1);
	for (GList *l = f->list; l; l = l->next) {
		GHashTable *attrs = secret_item_get_attributes(l->data);
		const char *server = g_hash_table_lookup(attrs, "server");

		if (!server) {
			g_hash_table_unref(attrs);
			continue;
		}
		f->items[f->n] = l->data;
		f->servers[f->n] = server;
		f->usernames[f->n] = g_hash_table_lookup(attrs, "username");
		if (!f->usernames[f->n])
			f->usernames[f->n] = "";
		f->attributes[f->n++] = attrs;
	}
	return 0;
}

static int check_unlocked(SecretItem *item, const char *server, struct errbuf *eb)
{
	if (!secret_item_get_locked(item))
		return 0;
	return errbuf_set(eb, ERR_BACKEND,
	                  "the keyring holding %s is locked (unlock it, e.g. by logging in to the "
	                  "desktop session or with seahorse)",
	                  server);
}

/* Deletes every item for the same registry and repository as key; *count gets how many. */
static int delete_same(SecretService *service, const char *key, const struct ref *ref,
                       size_t *count, struct errbuf *eb)
{
	struct found f;
	GError *err = NULL;
	int r = search(service, SECRET_SEARCH_UNLOCK, &f, eb);

	*count = 0;
	for (size_t i = 0; i < f.n && r == 0; i++) {
		if (!keypick_same(key, ref, f.servers[i]))
			continue;
		r = check_unlocked(f.items[i], f.servers[i], eb);
		if (r == 0 && !secret_item_delete_sync(f.items[i], NULL, &err))
			r = gerror(eb, "cannot delete a keyring item", err);
		if (r == 0)
			(*count)++;
	}
	found_finish(&f);
	return r;
}

/* ---- operations ---------------------------------------------------------- */

static int parse_key(json_t *request, const char **key, struct ref *ref, struct errbuf *eb)
{
	const char *why = NULL;

	*key = json_string_value(json_object_get(request, "key"));
	if (!*key || !**key)
		return errbuf_set(eb, ERR_INVALID, "the request has no key");
	if (ref_parse(*key, ref, &why) < 0)
		return errbuf_set(eb, ERR_INVALID, "invalid registry \"%s\": %s", *key,
		                  why ? why : "malformed");
	return 0;
}

static int answer_secret(SecretItem *item, json_t *answer, struct errbuf *eb)
{
	GError *err = NULL;
	SecretValue *value;
	const char *data;
	gsize len = 0;
	int r = 0;

	if (!secret_item_load_secret_sync(item, NULL, &err))
		return gerror(eb, "cannot read a keyring item's secret", err);
	value = secret_item_get_secret(item);
	data = value ? secret_value_get(value, &len) : NULL;
	if (!data || len == 0 || memchr(data, '\0', len))
		json_object_set_new(answer, "found", json_false()); /* docker: empty is not found */
	else if (json_object_set_new(answer, "secret", json_stringn(data, len)) < 0)
		r = errbuf_set(eb, ERR_INVALID, "the stored secret is not UTF-8 text");
	if (value)
		secret_value_unref(value);
	return r;
}

static int op_get(SecretService *service, json_t *request, json_t *answer, struct errbuf *eb)
{
	bool want_secret = !json_is_false(json_object_get(request, "secret"));
	const char *key;
	struct ref ref;
	struct found f = {0};
	long best;
	int r = parse_key(request, &key, &ref, eb);

	r = r ? r
	      : search(service, want_secret ? SECRET_SEARCH_UNLOCK : SECRET_SEARCH_NONE, &f, eb);
	if (r < 0)
		goto out;
	best = keypick_best(key, &ref, f.servers, f.n);
	if (best < 0) {
		json_object_set_new(answer, "found", json_false());
		goto out;
	}
	json_object_set_new(answer, "found", json_true());
	json_object_set_new(answer, "server", json_string(f.servers[best]));
	json_object_set_new(answer, "username", json_string(f.usernames[best]));
	if (want_secret)
		r = check_unlocked(f.items[best], f.servers[best], eb);
	if (r == 0 && want_secret)
		r = answer_secret(f.items[best], answer, eb);
out:
	found_finish(&f);
	return r;
}

static int op_store(SecretService *service, json_t *request, json_t *answer, struct errbuf *eb)
{
	const char *key, *username = json_string_value(json_object_get(request, "username"));
	const char *secret = json_string_value(json_object_get(request, "secret"));
	GError *err = NULL;
	struct ref ref;
	size_t replaced;
	char *label;
	int r = parse_key(request, &key, &ref, eb);

	(void)answer;
	if (r == 0 && (!username || !secret))
		r = errbuf_set(eb, ERR_INVALID, "store needs a username and a secret");
	/* Delete first: a second item for the same registry would be a duplicate. */
	r = r ? r : delete_same(service, key, &ref, &replaced, eb);
	if (r < 0)
		return r;
	label = g_strdup_printf(DISPLAY_LABEL, key);
	if (!secret_password_store_sync(&docker_schema, SECRET_COLLECTION_DEFAULT, label, secret,
	                                NULL, &err, "label", DOCKER_LABEL, "server", key,
	                                "username", username, "docker_cli", "1", NULL))
		r = gerror(eb, "cannot store in the keyring", err);
	g_free(label);
	return r;
}

static int op_erase(SecretService *service, json_t *request, json_t *answer, struct errbuf *eb)
{
	const char *key;
	struct ref ref;
	size_t erased = 0;
	int r = parse_key(request, &key, &ref, eb);

	r = r ? r : delete_same(service, key, &ref, &erased, eb);
	if (r == 0)
		json_object_set_new(answer, "erased", json_integer((json_int_t)erased));
	return r;
}

static int op_list(SecretService *service, json_t *request, json_t *answer, struct errbuf *eb)
{
	json_t *items = json_array();
	struct found f;
	int r = search(service, SECRET_SEARCH_NONE, &f, eb);

	(void)request;
	for (size_t i = 0; i < f.n && r == 0; i++)
		json_array_append_new(items, json_pack("{s:s, s:s}", "server", f.servers[i],
		                                       "username", f.usernames[i]));
	json_object_set_new(answer, "items", items);
	found_finish(&f);
	return r;
}

struct op {
	const char *name;
	int (*run)(SecretService *service, json_t *request, json_t *answer, struct errbuf *eb);
};

static const struct op ops[] = {
    {"get", op_get},
    {"store", op_store},
    {"erase", op_erase},
    {"list", op_list},
};

static int run_op(const struct op *op, json_t *request, json_t *answer, struct errbuf *eb)
{
	SecretService *service = NULL;
	int r = connect_service(&service, eb);

	if (r == 0)
		r = op->run(service, request, answer, eb);
	if (service)
		g_object_unref(service);
	return r;
}

static int dispatch(json_t *request, json_t *answer, struct errbuf *eb)
{
	const char *name = json_string_value(json_object_get(request, "op"));
	bool probe = json_is_true(json_object_get(request, "probe"));
	char reason[400];

	if (!name)
		return errbuf_set(eb, ERR_INVALID, "the request has no op");
	if (probe || strcmp(name, "probe") == 0) {
		bool present = service_present(reason, sizeof(reason));

		json_object_set_new(answer, "available", json_boolean(present));
		if (!present)
			return json_object_set_new(answer, "reason", json_string(reason))
			           ? ERR_NOMEM
			           : 0;
		if (strcmp(name, "probe") == 0)
			return 0;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, name) == 0)
			return run_op(&ops[i], request, answer, eb);
	}
	return errbuf_set(eb, ERR_INVALID, "unknown op \"%s\"", name);
}

static int handle(json_t *request, json_t **answer, struct errbuf *eb)
{
	int r;

	*answer = json_object();
	if (!*answer)
		return errbuf_set(eb, ERR_NOMEM, "out of memory");
	r = dispatch(request, *answer, eb);
	if (r < 0) {
		json_decref(*answer);
		*answer = NULL;
	}
	return r;
}

int main(void)
{
	return helper_serve("dcr-secretservice", handle);
}
