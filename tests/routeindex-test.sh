#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# The route index of a large configuration (src/routeindex.h) with the real
# executable: written once the file has settled, used by get, store, erase,
# the thin-edge and kubelet personalities, and never trusted when it does not
# describe the file exactly: edited in place (same size, same inode), replaced,
# damaged, symlinked, readable by others, or in a cache directory we cannot
# write.  Every answer is compared with the route the whole file gives.
#
# Usage: routeindex-test.sh PATH-TO-docker-credential-router

. "$(dirname "$0")/lib-personality.sh"
lib_init "$@"

ROUTES=2000
CONF=$T/config/big.toml
CACHE=$XDG_CACHE_HOME/docker-credential-router
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$CONF RI_USER=u-env RI_PASS=p-env
mkdir -p "$T/outside"

# Route N (1..ROUTES) is "rN" for hN.example.com; then a glob route and a
# writable static route for a path pattern.
write_config() {
    {
        printf '# a large configuration\ndefault_store = "%s"\n\n' "$T/data/default.toml"
        for ((i = 1; i <= ROUTES; i++)); do
            printf '[[route]]\nname = "r%d"\nmatch = "h%d.example.com"\nbackend = "env"\n' "$i" "$i"
            printf 'username_env = "RI_USER"\npassword_env = "RI_PASS"\n\n'
        done
        printf '[[route]]\nname = "globs"\nmatch = ["*.glob.test", "h1.example.com"]\n'
        printf 'backend = "env"\nusername_env = "RI_USER"\npassword_env = "RI_PASS"\n\n'
        printf '[[route]]\nname = "files"\nmatch = "files.test:5000/team"\nbackend = "static"\n'
        printf 'file = "%s"\n' "$T/data/files.toml"
    } >"$CONF.new"
    chmod 600 "$CONF.new"
    mv "$CONF.new" "$CONF"
}

# The route a get takes, from the debug log: "route 'rN'" or "default store".
route_of() { # KEY
    printf '%s\n' "$1" | DOCKER_CREDENTIAL_ROUTER_LOG=debug "$ROUTER" get 2>&1 >/dev/null |
        sed -n 's/^docker-credential-router: debug: get [^:]*\(:[0-9]*\)\{0,1\}: \(route [^,]*\|default store\),.*/\2/p'
}
used_index() { # KEY: the get was answered through the index
    printf '%s\n' "$1" | DOCKER_CREDENTIAL_ROUTER_LOG=debug "$ROUTER" get 2>&1 >/dev/null |
        grep -q "debug: route index of $CONF: route"
}
index_file() { ls "$CACHE"/*.routes 2>/dev/null; }
settle() { sleep 2.2; } # ROUTEINDEX_SETTLE is 2 seconds

# expect_routes NAME: every probe key reaches the route the file says.
expect_routes() {
    local bad="" key want got
    for pair in "h1.example.com=route 'r1'" "h2.example.com=route 'r2'" \
        "h1999.example.com=route 'r1999'" "h2000.example.com=route 'r2000'" \
        "https://h77.example.com/v2/=route 'r77'" "H500.EXAMPLE.COM=route 'r500'" \
        "a.glob.test=route 'globs'" "h2001.example.com=default store" \
        "h7.example.com:5000=default store" "quay.io=default store" \
        "files.test:5000=default store" "${EXTRA_PAIR:-h3.example.com=route 'r3'}"; do
        key=${pair%%=*}
        want=${pair#*=}
        got=$(route_of "$key")
        [ "$got" = "$want" ] || bad="$bad $key:[$got]want[$want]"
    done
    if [ -z "$bad" ]; then lib_pass "$1"; else lib_fail "$1" "$bad"; fi
}

# ---- the index is written once the file has settled, then used --------------------------

write_config
printf 'h5.example.com\n' >"$T/key"
STDIN=$T/key run "$ROUTER" get
expect "a fresh file answers from the whole file" 0 \
    '{"ServerURL":"h5.example.com","Username":"u-env","Secret":"p-env"}
' ""
check "no index for a file modified in the last 2 seconds" test -z "$(index_file)"
settle
STDIN=$T/key run "$ROUTER" get
expect "the settled file answers the same" 0 \
    '{"ServerURL":"h5.example.com","Username":"u-env","Secret":"p-env"}
' ""
IDX=$(index_file)
check "the index is written in the cache directory" test -n "$IDX" -a -f "$IDX"
check "the index is private (0600)" test "$(stat -c %a "$IDX" 2>/dev/null)" = 600
check "get h2000 uses the index" used_index h2000.example.com
check "a registry no route names uses the index" used_index quay.io
expect_routes "through the index every key reaches the route the file gives"

# The thin-edge and kubelet personalities, and store/erase, take the same path.
run "$ROUTER" registry-credentials get h1234.example.com/app:1
expect "registry-credentials through the index" 0 '{"username":"u-env","password":"p-env"}
' ""
printf '%s' '{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"a.glob.test/x/y"}' >"$T/kreq"
STDIN=$T/kreq run "$ROUTER" kubelet
case $OUT in
*'"auth":{"a.glob.test":{"username":"u-env","password":"p-env"}}'* | *'"a.glob.test/x/y":{"username":"u-env","password":"p-env"}'*)
    lib_pass "kubelet through the index" ;;
*) lib_fail "kubelet through the index" "$OUT" "$ERR" ;;
esac
printf '{"ServerURL":"files.test:5000/team/app","Username":"fu","Secret":"fs"}' >"$T/store"
STDIN=$T/store run "$ROUTER" store
expect "store on a path route through the index" 0 "" ""
check "the route's file got the entry" grep -q 'files.test:5000/team' "$T/data/files.toml"
printf 'files.test:5000/team/app\n' >"$T/fkey"
STDIN=$T/fkey run "$ROUTER" get
expect "get reads it back" 0 '{"ServerURL":"files.test:5000/team/app","Username":"fu","Secret":"fs"}
' ""
STDIN=$T/fkey run "$ROUTER" erase
expect "erase through the index" 0 "" ""
STDIN=$T/fkey run "$ROUTER" get
expect "erased" 1 "credentials not found in native keychain
" ""

# ---- changes to the file --------------------------------------------------------------------

# In place: same size, same inode; h7 becomes z7.  Only the stamp (mtime, ctime) says so.
INODE=$(stat -c %i "$CONF")
/usr/bin/python3 - "$CONF" <<'EOF'
import sys
with open(sys.argv[1], "r+b") as f:
    data = f.read()
    at = data.index(b'match = "h7.example.com"')
    f.seek(at + len(b'match = "'))
    f.write(b"z")
EOF
check "edited in place: same inode" test "$(stat -c %i "$CONF")" = "$INODE"
EXTRA_PAIR="z7.example.com=route 'r7'"
expect_routes "an in-place edit is seen at once"
check "the edited host no longer reaches its old route" test "$(route_of h7.example.com)" = "default store"
settle
route_of h7.example.com >/dev/null
check "the edited file is indexed again" used_index z7.example.com
expect_routes "through the new index"

# Replaced by rename (new inode), as editors and configuration managers do.
EXTRA_PAIR=
write_config
expect_routes "a replaced file is seen at once"
settle
route_of h1.example.com >/dev/null
check "the replaced file is indexed" used_index h42.example.com

# ---- damage -------------------------------------------------------------------------------

IDX=$(index_file)
head -c 300 "$IDX" >"$T/cut" && cat "$T/cut" >"$IDX"
expect_routes "a truncated index is not trusted"
check "a truncated index is rewritten" used_index h9.example.com
IDX=$(index_file)
/usr/bin/python3 - "$IDX" <<'EOF'
import os, sys
size = os.path.getsize(sys.argv[1])
with open(sys.argv[1], "r+b") as f:
    for at in range(200, size, 997):
        f.seek(at)
        f.write(os.urandom(8))
EOF
expect_routes "a damaged index answers only what the file says"

printf 'precious\n' >"$T/outside/target"
rm -f "$IDX" && ln -s "$T/outside/target" "$IDX"
expect_routes "a symlinked index is not followed"
check "the symlink's target is untouched" test "$(cat "$T/outside/target")" = precious
check "the symlink is replaced by a private index" test -f "$IDX" -a ! -L "$IDX"

chmod 644 "$IDX"
check "a group- or world-readable index is not used" test "$(used_index h3.example.com; echo $?)" = 1
check "it is replaced by a private one" test "$(stat -c %a "$IDX")" = 600

# ---- the cache directory ------------------------------------------------------------------

if [ "$(id -u)" != 0 ]; then
    rm -f "$IDX"
    chmod 500 "$CACHE"
    STDIN=$T/key run "$ROUTER" get
    expect "an unwritable cache directory: answered, no warning" 0 \
        '{"ServerURL":"h5.example.com","Username":"u-env","Secret":"p-env"}
' ""
    chmod 700 "$CACHE"
fi
chmod 777 "$CACHE"
STDIN=$T/key run "$ROUTER" get
expect "a world-writable cache directory: answered" 0 \
    '{"ServerURL":"h5.example.com","Username":"u-env","Secret":"p-env"}
' ""
check "... and its index is not used" test "$(used_index h3.example.com; echo $?)" = 1
chmod 700 "$CACHE"

run "$ROUTER" cache clear
check "cache clear removes the index" test -z "$(index_file)"

# ---- errors still come from the whole file ------------------------------------------------

route_of h1.example.com >/dev/null # an index for the current file
printf '\n[[route]]\nmatch = "bad.test"\nbackend = "nope"\n' >>"$CONF"
LINE=$(wc -l <"$CONF") # the backend line is the last
STDIN=$T/key run "$ROUTER" get
case $OUT in
"$CONF:$LINE: route $((ROUTES + 3)): backend: unknown backend \"nope\""*) lib_pass "a broken route is reported with its line" ;;
*) lib_fail "a broken route is reported with its line" "$OUT" ;;
esac
check "exit status 1" test "$RC" = 1

lib_finish
