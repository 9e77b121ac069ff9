#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The fuzz targets (tests/fuzz/, built by 'make fuzz-build'): every input
# that once crashed one (tests/fuzz/regressions/TARGET/) is replayed, then
# each target runs FUZZ_TEST_SECONDS (default 10) from its seed corpus.
# 'make fuzz' is the long run. A crash leaves its input in the build tree:
# commit it under tests/fuzz/regressions/TARGET/ with the fix.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
SECONDS_EACH=${FUZZ_TEST_SECONDS:-10}
TMP=$(mktemp -d /tmp/fdtest-fuzz.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# step WHAT CMD...: one counted result; a failure prints "FAIL WHAT: why"
passed=0
failed=0
step() {
	local what=$1 got
	shift
	"$@" >"$TMP/log" 2>&1
	got=$?
	if [ "$got" = 0 ]; then
		echo "ok   $what"
		passed=$((passed + 1))
		return
	fi
	echo "FAIL $what: $(grep -m1 -E 'ERROR|runtime error|deadly' "$TMP/log" |
		grep . || echo "exit $got")"
	grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly' "$TMP/log" |
		head -10 | sed 's/^/     /'
	failed=$((failed + 1))
}

# Runs each file once; with no file, says so and passes.
replay() {
	local bin=$1 dir=$2
	local files=("$dir"/*)

	[ -e "${files[0]}" ] || { echo "no regression inputs in $dir"; return 0; }
	"$bin" -runs=1 "${files[@]}"
}

for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	target=${name#fuzz_}
	bin=$O/fuzz/$name
	if [ ! -x "$bin" ]; then
		echo "FAIL $name: $bin missing: run 'make fuzz-build' (needs clang and libclang-rt-14-dev)"
		failed=$((failed + 1))
		continue
	fi
	step "$name regressions" replay "$bin" "tests/fuzz/regressions/$target"
	step "$name ${SECONDS_EACH}s" "$bin" -max_total_time="$SECONDS_EACH" \
		-max_len=65536 -timeout=10 -artifact_prefix="$O/fuzz/crash-$target-" \
		"$O/fuzz/corpus/$target"
done
echo "test-fuzz: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
