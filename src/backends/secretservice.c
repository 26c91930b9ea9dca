/* SPDX-License-Identifier: MIT */
/*
 * The secretservice backend: the desktop keyring (freedesktop Secret
 * Service), in the items Docker's docker-credential-secretservice writes, so
 * credentials move both ways.  libsecret and glib are linked only by the
 * helper executable dcr-secretservice; this front side builds a request,
 * runs it (helper.h) and reads the answer.  Writable.
 *
 * Keys are stored verbatim, as Docker's helper stores ServerURL.  A get takes
 * the item for the exact key, else another spelling of the same registry and
 * repository, else the longest repository prefix (keypick.h); store and
 * erase replace or remove every spelling of the same registry and repository.
 *
 * With fallback_file (the default store when nothing forces it), a session
 * without a Secret Service uses that file as the static backend would: when
 * DBUS_SESSION_BUS_ADDRESS is unset nothing is spawned; otherwise the first
 * request asks the helper to check that org.freedesktop.secrets has an owner,
 * and the answer holds for the rest of the process.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "build-config.h"
#include "config.h"
#include "emit.h"
#include "helper.h"
#include "keypick.h"
#include "log.h"

#define SS_HELPER "dcr-secretservice"
#define SS_BUS_ENV "DBUS_SESSION_BUS_ADDRESS"

enum ss_state { SS_UNKNOWN, SS_KEYRING, SS_FILE };

struct ss_route {
	char *fallback_file;   /* NULL: always the Secret Service */
	struct route fallback; /* a static route on fallback_file */
	enum ss_state state;
	char *why_file; /* why the fallback is in use */
	bool no_bus;    /* ... because DBUS_SESSION_BUS_ADDRESS is unset: nothing to report */
	/* The last list's items: list's check of each key needs no further helper run. */
	char **servers, **usernames;
	size_t count;
	bool listed;
};

static const struct option ss_options[] = {
    {"fallback_file", OPT_STRING,
     "credentials file used instead (as by static) when no Secret Service answers on the "
     "session bus"},
    {NULL, OPT_STRING, NULL},
};

/* ---- the fallback file --------------------------------------------------- */

static int fallback_init(struct route *route, struct ss_route *ss, struct errbuf *eb)
{
	struct buf text = BUF_INIT;
	struct toml_value *table = NULL;
	struct toml_error terr;
	int r = buf_puts(&text, "container_env = false\nfile = ");

	r = r ? r : emit_toml_string(&text, ss->fallback_file, strlen(ss->fallback_file));
	r = r ? r : buf_putc(&text, '\n');
	if (r == 0 && toml_parse(text.data, text.len, &table, &terr) < 0)
		r = errbuf_set(eb, ERR_CONFIG, "%s: fallback_file: cannot be written as TOML",
		               route->name);
	ss->fallback = *route; /* borrows the route's strings and patterns */
	ss->fallback.backend = &static_backend;
	ss->fallback.store = STORE_WRITE;
	ss->fallback.data = NULL;
	if (r == 0)
		r = static_backend.configure(&ss->fallback, table, eb);
	toml_free(table);
	buf_finish(&text);
	return r;
}

static void use_file(struct ss_route *ss, const char *why)
{
	ss->state = SS_FILE;
	free(ss->why_file);
	ss->why_file = strdup(why ? why : "no Secret Service");
	log_debug("%s: using %s instead of the Secret Service", why ? why : "no Secret Service",
	          ss->fallback_file);
}

/* Whether requests go to the fallback file (decided without a helper run when possible). */
static bool to_file(const struct route *route)
{
	struct ss_route *ss = route->data;
	const char *bus = getenv(SS_BUS_ENV);

	if (!ss->fallback_file)
		return false;
	if (ss->state == SS_UNKNOWN && (!bus || !*bus)) {
		use_file(ss, SS_BUS_ENV " is not set");
		ss->no_bus = true;
	}
	ss->fallback.name = route->name; /* the route's name may have changed since configure */
	return ss->state == SS_FILE;
}

/* ---- running the helper ------------------------------------------------- */

/*
 * Runs one op; *answer is the helper's answer, or NULL when there is no
 * Secret Service and the route has a fallback file (the caller then uses it).
 * named: messages start with the route's name (check adds its own).
 */
static int call(const struct route *route, json_t *request, bool named, json_t **answer,
                struct errbuf *eb)
{
	struct ss_route *ss = route->data;
	struct errbuf why = {{0}};
	const char *reason;
	int r;

	*answer = NULL;
	if (!request) /* out of memory, or a string that is not UTF-8 */
		return errbuf_set(eb, ERR_INVALID, "cannot encode the request to " SS_HELPER);
	if (ss->fallback_file && ss->state == SS_UNKNOWN)
		json_object_set_new(request, "probe", json_true());
	r = helper_call(SS_HELPER, request, HELPER_TIMEOUT_MS_DEFAULT, answer, &why);
	json_decref(request);
	if (r < 0)
		return errbuf_set(eb, r == ERR_NOMEM ? r : ERR_BACKEND, "%s%s%s",
		                  named ? route->name : "", named ? ": " : "", errbuf_str(&why, r));
	if (!json_is_false(json_object_get(*answer, "available"))) {
		if (ss->fallback_file)
			ss->state = SS_KEYRING;
		return 0;
	}
	reason = json_string_value(json_object_get(*answer, "reason"));
	if (ss->fallback_file)
		use_file(ss, reason);
	else
		r = errbuf_set(eb, ERR_BACKEND, "%s%s%s", named ? route->name : "",
		               named ? ": " : "",
		               reason ? reason : "no Secret Service on the session bus");
	json_decref(*answer);
	*answer = NULL;
	return r;
}

/* ---- the list memo ------------------------------------------------------ */

static void memo_clear(struct ss_route *ss)
{
	for (size_t i = 0; i < ss->count; i++) {
		free(ss->servers[i]);
		free(ss->usernames[i]);
	}
	free(ss->servers);
	free(ss->usernames);
	ss->servers = ss->usernames = NULL;
	ss->count = 0;
	ss->listed = false;
}

static int memo_add(struct ss_route *ss, const char *server, const char *username)
{
	char **s = realloc(ss->servers, (ss->count + 1) * sizeof(*s));
	char **u;

	if (!s)
		return ERR_NOMEM;
	ss->servers = s;
	u = realloc(ss->usernames, (ss->count + 1) * sizeof(*u));
	if (!u)
		return ERR_NOMEM;
	ss->usernames = u;
	s[ss->count] = strdup(server);
	u[ss->count] = strdup(username);
	if (!s[ss->count] || !u[ss->count]) {
		free(s[ss->count]);
		free(u[ss->count]);
		return ERR_NOMEM;
	}
	ss->count++;
	return 0;
}

static int memo_get(const struct ss_route *ss, const struct request *req, struct creds *out)
{
	long best = keypick_best(req->key, &req->ref, (const char *const *)ss->servers, ss->count);

	return best < 0 ? ERR_NOT_FOUND : creds_set(out, ss->usernames[best], "");
}

/* ---- the backend --------------------------------------------------------- */

static int ss_configure(struct route *route, const struct toml_value *table, struct errbuf *eb)
{
	struct ss_route *ss;
	int r;

	/* The front side is always built (it links nothing heavy); the helper is not. */
	if (!HAVE_LIBSECRET)
		return config_route_error(eb, route, table, "backend",
					  "this build has no Secret Service support (rebuild with "
					  "meson setup -Dlibsecret=enabled)");
	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return ERR_NOMEM;
	route->data = ss;
	r = config_opt_path(route, table, "fallback_file", &ss->fallback_file, eb);
	if (r == 0 && ss->fallback_file)
		r = fallback_init(route, ss, eb);
	return r;
}

static void ss_finish(struct route *route)
{
	struct ss_route *ss = route->data;

	if (!ss)
		return;
	if (ss->fallback.backend)
		ss->fallback.backend->finish(&ss->fallback);
	memo_clear(ss);
	free(ss->fallback_file);
	free(ss->why_file);
	free(ss);
	route->data = NULL;
}

static int take_creds(json_t *answer, bool username_only, struct creds *out, struct errbuf *eb)
{
	json_t *user = json_object_get(answer, "username"),
	       *secret = json_object_get(answer, "secret");

	if (!json_is_true(json_object_get(answer, "found")))
		return ERR_NOT_FOUND;
	if (!json_is_string(user) || (!username_only && !json_is_string(secret)))
		return errbuf_set(eb, ERR_BACKEND, SS_HELPER " gave no username or secret");
	if (strlen(json_string_value(user)) != json_string_length(user) ||
	    (secret && strlen(json_string_value(secret)) != json_string_length(secret)))
		return errbuf_set(eb, ERR_BACKEND, "the keyring item holds a NUL byte");
	log_debug("keyring item for \"%s\" answers",
	          json_string_value(json_object_get(answer, "server")));
	return creds_set(out, json_string_value(user),
	                 username_only ? "" : json_string_value(secret));
}

static int ss_get(const struct route *route, const struct request *req, struct creds *out,
                  struct errbuf *eb)
{
	struct ss_route *ss = route->data;
	json_t *answer = NULL;
	int r;

	if (to_file(route))
		return static_backend.get(&ss->fallback, req, out, eb);
	if (req->username_only && ss->listed)
		return memo_get(ss, req, out);
	r = call(route,
	         json_pack("{s:s, s:s, s:b}", "op", "get", "key", req->key, "secret",
	                   !req->username_only),
	         true, &answer, eb);
	if (r == 0 && !answer)
		return static_backend.get(&ss->fallback, req, out, eb);
	if (r == 0)
		r = take_creds(answer, req->username_only, out, eb);
	json_decref(answer); /* the front's jansson allocator wipes the secret */
	return r;
}

static int ss_store(const struct route *route, const struct request *req, const struct creds *creds,
                    struct errbuf *eb)
{
	struct ss_route *ss = route->data;
	json_t *answer = NULL;
	int r;

	if (to_file(route))
		return static_backend.store(&ss->fallback, req, creds, eb);
	r = call(route,
	         json_pack("{s:s, s:s, s:s, s:s}", "op", "store", "key", req->key, "username",
	                   creds->username, "secret", creds->secret),
	         true, &answer, eb);
	if (r == 0 && !answer)
		return static_backend.store(&ss->fallback, req, creds, eb);
	json_decref(answer);
	return r;
}

static int ss_erase(const struct route *route, const struct request *req, struct errbuf *eb)
{
	struct ss_route *ss = route->data;
	json_t *answer = NULL;
	int r;

	if (to_file(route))
		return static_backend.erase(&ss->fallback, req, eb);
	r = call(route, json_pack("{s:s, s:s}", "op", "erase", "key", req->key), true, &answer, eb);
	if (r == 0 && !answer)
		return static_backend.erase(&ss->fallback, req, eb);
	if (r == 0 && json_integer_value(json_object_get(answer, "erased")) == 0)
		r = ERR_NOT_FOUND;
	json_decref(answer);
	return r;
}

static int list_items(struct ss_route *ss, json_t *items, list_add_fn add, void *ctx)
{
	size_t i;
	json_t *item;
	int r = 0;

	memo_clear(ss);
	json_array_foreach(items, i, item)
	{
		const char *server = json_string_value(json_object_get(item, "server"));
		const char *username = json_string_value(json_object_get(item, "username"));

		if (server && username && (r = memo_add(ss, server, username)) < 0)
			return r;
	}
	ss->listed = true;
	for (i = 0; i < ss->count && r == 0; i++)
		r = add(ctx, ss->servers[i], ss->usernames[i]);
	return r;
}

static int ss_list(const struct route *route, list_add_fn add, void *ctx, struct errbuf *eb)
{
	struct ss_route *ss = route->data;
	json_t *answer = NULL;
	int r;

	if (to_file(route))
		return static_backend.list(&ss->fallback, add, ctx, eb);
	r = call(route, json_pack("{s:s}", "op", "list"), true, &answer, eb);
	if (r == 0 && !answer)
		return static_backend.list(&ss->fallback, add, ctx, eb);
	if (r == 0)
		r = list_items(ss, json_object_get(answer, "items"), add, ctx);
	json_decref(answer);
	return r;
}

/* Asks the helper whether a Secret Service answers (for check and route). */
static int probe(const struct route *route, struct errbuf *eb)
{
	struct ss_route *ss = route->data;
	json_t *answer = NULL;
	int r;

	if (to_file(route) || ss->state == SS_KEYRING)
		return 0;
	r = call(route, json_pack("{s:s, s:b}", "op", "probe", "probe", 1), false, &answer, eb);
	if (r == 0 && answer && ss->fallback_file)
		ss->state = SS_KEYRING;
	json_decref(answer);
	return r;
}

static int ss_check(const struct route *route, struct buf *report, struct errbuf *eb)
{
	struct ss_route *ss = route->data;
	json_t *answer = NULL;
	size_t count;
	int r = probe(route, eb);

	if (r == 0 && to_file(route)) {
		/* Without a session bus the file is the plain answer; otherwise say why. */
		if (!ss->no_bus)
			r = buf_printf(report, "ok: %s: %s: using %s\n", route->name, ss->why_file,
			               ss->fallback_file);
		return r ? r : static_backend.check(&ss->fallback, report, eb);
	}
	if (r == 0)
		r = call(route, json_pack("{s:s}", "op", "list"), false, &answer, eb);
	if (r < 0 || !answer)
		return r;
	count = json_array_size(json_object_get(answer, "items"));
	json_decref(answer);
	return buf_printf(
	    report, "ok: %s: Secret Service on the session bus: %zu Docker credential item%s\n",
	    route->name, count, count == 1 ? "" : "s");
}

static void ss_describe(const struct route *route, const struct request *req, struct buf *out)
{
	struct ss_route *ss = route->data;
	struct errbuf eb = {{0}};
	char registry[REF_HOST_MAX + REF_PATH_MAX];
	int r = probe(route, &eb);

	if (r < 0) {
		buf_printf(out, "Secret Service: %s", errbuf_str(&eb, r));
		return;
	}
	if (to_file(route)) {
		buf_printf(out, "%s, so ", ss->why_file);
		static_backend.describe(&ss->fallback, req, out);
		return;
	}
	ref_format(&req->ref, registry, sizeof(registry));
	buf_printf(out,
	           "Secret Service (schema io.docker.Credentials): the item for \"%s\", else "
	           "another spelling of %s, else the longest repository prefix",
	           req->key, registry);
}

const struct backend secretservice_backend = {
    .name = "secretservice",
    .summary = "the desktop keyring (Secret Service), in docker-credential-secretservice's items",
    .options = ss_options,
    .writable = true,
    .configure = ss_configure,
    .finish = ss_finish,
    .get = ss_get,
    .store = ss_store,
    .erase = ss_erase,
    .list = ss_list,
    .check = ss_check,
    .describe = ss_describe,
};
