#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# tests/run-tests.sh           the cmocka binaries under $O/tests, then
#                              every tests/test-*.sh ('make test')
# tests/run-tests.sh --shared  every tests/shared-*.sh, over the captures
#                              in FDTEST_SHARED_PCAPS ('make test-shared')
# tests/run-tests.sh SCRIPT... the cmocka binaries, then these scripts
#                              (tests/test-lib.sh checks the counting so)
#
# Counts single tests, not programs: each cmocka binary's PASSED, FAILED
# and SKIPPED lines and each script's closing "N passed, N failed,
# N skipped" line are added up. A program that dies before its summary,
# or exits non-zero with no failed test counted, is one failure more.
# Failures and skips are listed with their reasons at the end, then
# "N passed, N failed, N skipped". Exits 1 on any failure. A test that
# needs something missing fails and says so; only what cannot run in
# this build at all (valgrind in the sanitizer build) is a skip.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
# a developer's filter must not thin out the suite
unset FDTEST_ONLY

case ${1:-} in
"") scripts=(tests/test-*.sh); cmocka=1 ;;
--shared) scripts=(tests/shared-*.sh); cmocka= ;;
-*) echo "usage: tests/run-tests.sh [--shared | SCRIPT...]" >&2; exit 2 ;;
*) scripts=("$@"); cmocka=1 ;;
esac

passed=0
failed=0
skipped=0
failures=()
skips=()
LOG=$(mktemp /tmp/fdtest-run-tests.XXXXXX)
trap 'rm -f "$LOG" "$LOG.err"' EXIT

# died NAME WHY: a program that gave no usable count is one failure
died() {
	failed=$((failed + 1))
	failures+=("$1: $2")
}

# cmocka's summary: "[  PASSED  ] N test(s).", then on failure
# "[  FAILED  ] N test(s), listed below:" and a line per failed test
# (skips alike). Its errors go to stderr, each failure ending with a
# "[   LINE   ] --- file:line" line, in the order of the failed tests.
run_cmocka() {
	local bin=$1 name got counts p f s
	name=$(basename "$bin")
	echo "=== $name"
	"$bin" >"$LOG" 2>"$LOG.err"
	got=$?
	cat "$LOG" "$LOG.err"
	counts=$(awk '
		/^\[  PASSED  \] [0-9]+ test\(s\)/ { p += $4; seen = 1 }
		/^\[  FAILED  \] [0-9]+ test\(s\)/ { f += $4 }
		/^\[  SKIPPED \] [0-9]+ test\(s\)/ { s += $4 }
		END { if (seen) print p + 0, f + 0, s + 0 }' "$LOG" "$LOG.err")
	if [ -z "$counts" ]; then
		died "$name" "exit $got before its summary"
		return
	fi
	read -r p f s <<<"$counts"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	while IFS= read -r line; do
		failures+=("$name: $line")
	done < <(awk '
		/^\[  (PASSED|SKIPPED|FAILED) *\]/ || /^ *[0-9]+ (FAILED|SKIPPED) TEST/ || /^$/ {
			if ($0 ~ /^\[  FAILED  \] / && $0 !~ /test\(s\)/)
				names[n++] = $4
			next
		}
		{ sub(/^\[[^]]*\] --- /, ""); sub(/^\[   LINE   \] --- /, "")
		  why = why (why ? "; " : "") $0 }
		/error: Failure!$/ { whys[k++] = why; why = "" }
		END { for (i = 0; i < n; i++)
			print names[i] ": " (n == k ? whys[i] : "see its output above") }' \
		"$LOG.err")
	while IFS= read -r line; do
		skips+=("$name: $line (cmocka skip())")
	done < <(awk '/^\[  SKIPPED \] / && !/test\(s\)/ { print $4 }' "$LOG.err")
	[ "$got" = 0 ] || [ "$f" -gt 0 ] ||
		died "$name" "exit $got with no failed test counted"
}

# a script's closing line "NAME: N passed, N failed, N skipped"; its
# "FAIL test: why" and "SKIP test: why" lines are the reasons
run_script() {
	local script=$1 name got last p f s
	name=$(basename "$script")
	echo "=== $name"
	O="$O" bash "$script" 2>&1 | tee "$LOG"
	got=${PIPESTATUS[0]}
	last=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$LOG" | tail -1)
	if [ -z "$last" ]; then
		died "$name" "exit $got without its closing 'N passed, N failed, N skipped' line"
		return
	fi
	read -r p f s < <(echo "$last" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	while IFS= read -r line; do
		failures+=("$name: $line")
	done < <(sed -n 's/^FAIL //p' "$LOG")
	while IFS= read -r line; do
		skips+=("$name: $line")
	done < <(sed -n 's/^SKIP //p' "$LOG")
	[ "$got" = 0 ] || [ "$f" -gt 0 ] ||
		died "$name" "exit $got with no failed test counted"
}

if [ "$(id -u)" != 0 ]; then
	echo "Error: the tests load BPF programs into the kernel: run them as root (sudo make test)" >&2
	died root "not root: the tests load BPF programs (sudo make test)"
fi

if [ -n "$cmocka" ]; then
	n=0
	for t in "$O"/tests/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		n=$((n + 1))
		run_cmocka "$t"
	done
	[ "$n" -gt 0 ] || died cmocka "no test binaries in $O/tests: run 'make test-deps O=$O'"
fi
for s in "${scripts[@]}"; do
	if [ -f "$s" ]; then
		run_script "$s"
	else
		died "$s" "no such script"
	fi
done

echo
if [ "${#skips[@]}" -gt 0 ]; then
	echo "skipped:"
	printf '  %s\n' "${skips[@]}"
fi
if [ "${#failures[@]}" -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
