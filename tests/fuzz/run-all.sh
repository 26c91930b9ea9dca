#!/bin/sh
# Builds the libFuzzer targets with clang and runs each for a given time,
# one after the other, starting from its seed corpus (tests/fuzz/corpus/NAME,
# which also holds every regression case: those run first, every time).
#
#   tests/fuzz/run-all.sh [--build-dir DIR] [--no-build] [--jobs N] [SECONDS_PER_TARGET] [TARGET...]
#
# DIR defaults to build-fuzz at the top of the source tree (set up with
# CC=clang meson setup DIR -Dfuzzing=true when missing).  --no-build uses
# what DIR holds (the meson test 'fuzz-smoke' does).  SECONDS defaults to 10.
# The corpus that grows is kept in DIR/fuzz-work/NAME (seed corpora are not
# touched); a crash, leak, timeout or failed invariant leaves its input in
# DIR/fuzz-work/artifacts/ and makes the script exit 1.  Prints one line per
# target with the executions, and a total.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$top/build-fuzz
do_build=1
seconds=10
while [ $# -gt 0 ]; do
	case $1 in
	--build-dir) build=$2; shift 2 ;;
	--no-build) do_build=0; shift ;;
	-h | --help) sed -n '2,15p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
if [ $# -gt 0 ]; then
	seconds=$1
	shift
fi
case $seconds in '' | *[!0-9]*) echo "run-all.sh: SECONDS must be a number" >&2; exit 2 ;; esac

if [ "$do_build" = 1 ]; then
	if [ ! -f "$build/build.ninja" ]; then
		CC=clang meson setup "$build" "$top" -Dfuzzing=true -De2e=false >/dev/null
	fi
	meson compile -C "$build" >/dev/null
fi

targets=$*
if [ -z "$targets" ]; then
	targets=$(sed -n "s/^  '\([a-z_0-9]*\)': .*/\1/p" "$here/meson.build")
fi

work=$build/fuzz-work
mkdir -p "$work/artifacts"
# Leaks are findings; a slow input (over 10 s) is one too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
total=0
failed=
printf '%-10s %12s %8s %s\n' target executions corpus result
for t in $targets; do
	exe=$build/tests/fuzz/fuzz_$t
	if [ ! -x "$exe" ]; then
		echo "run-all.sh: $exe is missing (build with -Dfuzzing=true)" >&2
		exit 2
	fi
	mkdir -p "$work/$t"
	log=$work/$t.log
	seeds=$here/corpus/$t
	[ -d "$seeds" ] || seeds=
	# -close_fd_mask=3: the verbs' own stdout/stderr go to /dev/null
	# (libFuzzer's and the sanitizers' reports still print).
	if "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
		-print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" \
		"$work/$t" $seeds >"$log" 2>&1; then
		result=ok
	else
		result="FAILED (see $log)"
		failed="$failed $t"
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	runs=${runs:-0}
	total=$((total + runs))
	printf '%-10s %12s %8s %s\n' "$t" "$runs" "$(ls "$work/$t" | wc -l)" "$result"
done
printf '%-10s %12s\n' total "$total"
if [ -n "$failed" ]; then
	for t in $failed; do
		echo "---- $t" >&2
		grep -E -A30 'ERROR: |==[0-9]+==|deadly signal|SUMMARY' "$work/$t.log" | head -60 >&2
	done
	exit 1
fi
