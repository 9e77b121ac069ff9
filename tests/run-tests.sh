#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Runs every test: the cmocka binaries under $O/tests, then the CLI and
# integration scripts. A test that needs something missing fails and says
# so; nothing is skipped quietly. Ends with "N passed, N failed".
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2

passed=0
failed=0
failures=()

run() {
	local name=$1
	shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

if [ "$(id -u)" != 0 ]; then
	echo "Error: the tests load BPF programs into the kernel: run them as root (sudo make test)" >&2
	failed=$((failed + 1))
	failures+=("root")
fi

for t in "$O"/tests/test_*; do
	[ -x "$t" ] || continue
	run "$(basename "$t")" "$t"
done
for s in tests/test-*.sh; do
	[ -f "$s" ] || continue
	run "$(basename "$s")" env O="$O" bash "$s"
done

if [ "$failed" -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
