#!/bin/bash
# The script backend (src/backends/script.c), end to end through the router:
# the registry-credentials protocol, argv and --refresh, exit status, signals,
# timeout with the process group killed, output bounds and parsing, stderr
# passthrough, configuration errors, and no secret in any log.
#
# Usage: script-test.sh PATH-TO-docker-credential-router

. "$(dirname "$0")/lib-personality.sh"
lib_init "$@"

S=$T/scripts
mkdir -p "$S"
CONF=$T/config.toml
export DOCKER_CREDENTIAL_ROUTER_CONFIG=$CONF

# A script that records its argv (one per line) and answers.
put_exe "$S/ok" '#!/bin/sh
printf "%s\n" "$@" >"'"$T"'/argv"
printf "{\"username\":\"robot\",\"password\":\"s3cr3t-value\"}\n"
'
put_exe "$S/fail" '#!/bin/sh
exit 3
'
put_exe "$S/quiet-fail" '#!/bin/sh
exit 1
'
put_exe "$S/signal" '#!/bin/sh
kill -9 $$
'
put_exe "$S/slow" '#!/bin/sh
sleep 60 &
echo $! >"'"$T"'/grandchild"
sleep 60
'
put_exe "$S/big" '#!/bin/sh
head -c 1048576 /dev/zero | tr "\0" a
'
put_exe "$S/invalid" '#!/bin/sh
printf "username=robot password=hunter2-secret\n"
'
put_exe "$S/nopass" '#!/bin/sh
printf "{\"username\":\"robot\"}"
'
put_exe "$S/emptypass" '#!/bin/sh
printf "{\"username\":\"robot\",\"password\":\"\"}"
'
put_exe "$S/numpass" '#!/bin/sh
printf "{\"username\":\"robot\",\"password\":42}"
'
put_exe "$S/array" '#!/bin/sh
printf "[\"robot\",\"hunter2-secret\"]"
'
put_exe "$S/empty" '#!/bin/sh
exit 0
'
put_exe "$S/chatty" '#!/bin/sh
echo "warming up" >&2
printf "no newline at the end" >&2
printf "{\"USERNAME\":\"robot\",\"Password\":\"pw\",\"expires_in\":3600,\"Username\":\"bot\"}"
'
put_exe "$S/background" '#!/bin/sh
sleep 60 &
echo $! >"'"$T"'/leftover"
printf "{\"username\":\"robot\",\"password\":\"bg\"}"
'
put_exe "$S/exactly64k" '#!/bin/sh
printf "{\"username\":\"robot\",\"password\":\"pw\"}"
head -c 65500 /dev/zero | tr "\0" " "
'
put_exe "$S/stdin" '#!/bin/sh
if read -r line; then echo "stdin had: $line" >&2; exit 1; fi
printf "{\"username\":\"robot\",\"password\":\"stdin-was-empty\"}"
'
printf '#!/bin/sh\necho no\n' >"$S/not-executable"
chmod 600 "$S/not-executable"

route() { # NAME MATCH COMMAND [EXTRA]
    printf '[[route]]\nname = "%s"\nmatch = ["%s"]\nbackend = "script"\ncommand = [%s]\n%s\n' \
        "$1" "$2" "$3" "${4:-}"
}

{
    route ok ghcr.io "\"$S/ok\", \"--flag\", \"two words\""
    route fail fail.example.com "\"$S/fail\""
    route signal signal.example.com "\"$S/signal\""
    route slow slow.example.com "\"$S/slow\"" "timeout = 1"
    route big big.example.com "\"$S/big\""
    route invalid invalid.example.com "\"$S/invalid\""
    route nopass nopass.example.com "\"$S/nopass\""
    route emptypass emptypass.example.com "\"$S/emptypass\""
    route numpass numpass.example.com "\"$S/numpass\""
    route array array.example.com "\"$S/array\""
    route empty empty.example.com "\"$S/empty\""
    route chatty chatty.example.com "\"$S/chatty\""
    route background background.example.com "\"$S/background\""
    route exactly64k exactly64k.example.com "\"$S/exactly64k\""
    route stdin stdin.example.com "\"$S/stdin\""
    route noexec noexec.example.com "\"$S/not-executable\""
    route missing missing.example.com "\"$S/does-not-exist\""
} >"$CONF"
chmod 600 "$CONF"

get() { # KEY: the Docker personality's get
    printf '%s\n' "$1" >"$T/key"
    STDIN=$T/key run "$ROUTER" get
}

# ---- success, argv, --refresh ------------------------------------------------

get ghcr.io
expect "docker get through a script route" 0 \
    '{"ServerURL":"ghcr.io","Username":"robot","Secret":"s3cr3t-value"}
' ''
check "argv: command, its arguments, get, the caller's key" \
    [ "$(cat "$T/argv")" = "--flag
two words
get
ghcr.io" ]

run "$ROUTER" registry-credentials get ghcr.io/o/i:1.0 --refresh
expect "thin-edge get --refresh" 0 '{"username":"robot","password":"s3cr3t-value"}
' ''
check "--refresh is passed on, the image as given" \
    [ "$(cat "$T/argv")" = "--flag
two words
get
ghcr.io/o/i:1.0
--refresh" ]

run "$ROUTER" registry-credentials get ghcr.io/o/i:1.0
check "no --refresh without it" [ "$(tail -n 1 "$T/argv")" = "ghcr.io/o/i:1.0" ]

# ---- failures: one line naming the route and the cause ------------------------

get fail.example.com
expect "non-zero exit" 1 "route 'fail': $S/fail failed (exit status 3)
" ''

get signal.example.com
expect "killed by a signal" 1 "route 'signal': $S/signal was killed by signal 9 (Killed)
" ''

start=$(date +%s)
get slow.example.com
elapsed=$(($(date +%s) - start))
expect "timeout" 1 "route 'slow': $S/slow timed out after 1 s (killed)
" ''
check "timeout is prompt ($elapsed s)" [ "$elapsed" -le 4 ]
gone() { # PID: no such process, or a zombie waiting for init
    [ ! -e "/proc/$1" ] || [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" = Z ] ||
        ! kill -0 "$1" 2>/dev/null
}
sleep 0.2
check "timeout kills the whole process group (backgrounded grandchild)" gone "$(cat "$T/grandchild")"

get big.example.com
expect "1 MiB of output" 1 "route 'big': $S/big printed more than 64 KiB (killed)
" ''

get exactly64k.example.com
expect "64 KiB of output is within the bound" 0 \
    '{"ServerURL":"exactly64k.example.com","Username":"robot","Secret":"pw"}
' ''

get invalid.example.com
expect "invalid JSON (the output is never quoted)" 1 \
    "route 'invalid': $S/invalid printed invalid JSON (line 1, column 8)
" ''

get nopass.example.com
expect "missing password" 1 \
    "route 'nopass': $S/nopass printed no password (it must print {\"username\":\"...\",\"password\":\"...\"})
" ''

get emptypass.example.com
expect "empty password" 1 \
    "route 'emptypass': $S/emptypass printed no password (it must print {\"username\":\"...\",\"password\":\"...\"})
" ''

get numpass.example.com
expect "password not a string" 1 "route 'numpass': $S/numpass printed a password that is not a string
" ''

get array.example.com
expect "JSON that is not an object" 1 "route 'array': $S/array printed JSON that is not an object
" ''

get empty.example.com
expect "exit 0 with empty output is an error, not not-found" 1 \
    "route 'empty': $S/empty exited 0 but printed nothing
" ''

get noexec.example.com
expect "program not executable" 1 "route 'noexec': cannot run $S/not-executable: Permission denied
" ''

get missing.example.com
expect "program missing" 1 "route 'missing': cannot run $S/does-not-exist: No such file or directory
" ''

# ---- stderr, parsing leniency, stdin, leftovers --------------------------------

get chatty.example.com
expect "stderr passed through with the route label; keys ignore case, last wins, extras ignored" 0 \
    '{"ServerURL":"chatty.example.com","Username":"bot","Secret":"pw"}
' "docker-credential-router: route 'chatty': warming up
docker-credential-router: route 'chatty': no newline at the end
"

DOCKER_CREDENTIAL_ROUTER_LOG=silent get chatty.example.com
expect "stderr passthrough off when silent" 0 \
    '{"ServerURL":"chatty.example.com","Username":"bot","Secret":"pw"}
' ''

get stdin.example.com
expect "stdin is /dev/null (the caller's stdin is not passed on)" 0 \
    '{"ServerURL":"stdin.example.com","Username":"robot","Secret":"stdin-was-empty"}
' ''

start=$(date +%s)
get background.example.com
elapsed=$(($(date +%s) - start))
expect "a background child holding stdout does not delay the answer" 0 \
    '{"ServerURL":"background.example.com","Username":"robot","Secret":"bg"}
' ''
check "... answered at once ($elapsed s)" [ "$elapsed" -le 2 ]
sleep 0.2
check "... and is killed with the group" gone "$(cat "$T/leftover")"

# ---- no secret in logs -------------------------------------------------------

DOCKER_CREDENTIAL_ROUTER_LOG=debug get ghcr.io
check "debug log: answer still right" [ "$OUT" = '{"ServerURL":"ghcr.io","Username":"robot","Secret":"s3cr3t-value"}
' ]
check "debug log: says something" [ -n "$ERR" ]
check "debug log: no secret" eval '[[ $ERR != *s3cr3t* ]]'
DOCKER_CREDENTIAL_ROUTER_LOG=debug get invalid.example.com
check "invalid output: no secret at debug" eval '[[ $OUT$ERR != *hunter2* ]]'
DOCKER_CREDENTIAL_ROUTER_LOG=debug get array.example.com
check "non-object output: no secret at debug" eval '[[ $OUT$ERR != *hunter2* ]]'

# ---- operator views ------------------------------------------------------------

run "$ROUTER" route ghcr.io
check "route describes program and argument count, never more" \
    eval '[[ $OUT == *"source:     program $S/ok (2 configured arguments) get IMAGE, timeout 30 s"* && $OUT != *"two words"* ]]'

put "$T/check.toml" "$(route ok ghcr.io "\"$S/ok\"" "timeout = 5")
$(route noexec noexec.example.com "\"$S/not-executable\"")
$(route missing missing.example.com "\"$S/does-not-exist\"")
"
DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/check.toml run "$ROUTER" check
expect "check: executable, not executable, missing" 1 "ok: $T/check.toml: 3 routes
ok: route 'ok': $S/ok is executable (timeout 5 s)
error: route 'noexec': $S/not-executable is not executable (chmod +x it)
error: route 'missing': $S/does-not-exist: No such file or directory (fix the command's path)
ok: default store: $T/data/docker-credential-router/credentials.toml does not exist yet (created on first store)
2 problems found
" ''

# ---- configuration errors ------------------------------------------------------

conf_error() { # NAME TOML WANT
    put "$T/bad.toml" "$2"
    DOCKER_CREDENTIAL_ROUTER_CONFIG=$T/bad.toml get ghcr.io
    expect "$1" 1 "$3
" ''
}

conf_error "relative command path: file:line and the fix" '# a comment
[[route]]
name = "rel"
match = ["ghcr.io"]
backend = "script"
command = ["gh-token", "x"]
' "$T/bad.toml:6: route 'rel': command: \"gh-token\" is not an absolute path (write the full path, e.g. \"/usr/local/bin/gh-token\"; no PATH search, no shell)"

conf_error "command as a string" '[[route]]
match = ["ghcr.io"]
backend = "script"
command = "/bin/true"
' "$T/bad.toml:4: route 1: command: must be an array of the program and its arguments (e.g. command = [\"/path/to/program\"])"

conf_error "command as an empty array" '[[route]]
match = ["ghcr.io"]
backend = "script"
command = []
' "$T/bad.toml:4: route 1: command: must be an array of the program and its arguments (e.g. command = [\"/path/to/program\"])"

conf_error "no command" '[[route]]
match = ["ghcr.io"]
backend = "script"
' "$T/bad.toml:1: route 1: no command (add command = [\"/path/to/program\"])"

conf_error "timeout 0" '[[route]]
match = ["ghcr.io"]
backend = "script"
command = ["/bin/true"]
timeout = 0
' "$T/bad.toml:5: route 1: timeout: must be between 1 and 3600 seconds"

conf_error "timeout 3601" '[[route]]
match = ["ghcr.io"]
backend = "script"
command = ["/bin/true"]
timeout = 3601
' "$T/bad.toml:5: route 1: timeout: must be between 1 and 3600 seconds"

conf_error "timeout of the wrong type" '[[route]]
match = ["ghcr.io"]
backend = "script"
command = ["/bin/true"]
timeout = "30"
' "$T/bad.toml:5: route 1: timeout must be an integer, not string"

lib_finish
