# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Helpers the shell test scripts share (sourced, not run): they expect $TMP
# to be a scratch folder and $ALL_TESTS to list the test functions.
#
# Every test function runs in a subshell of its own (run_all), so the
# helpers below end the test with `exit` at the first failed step: no later
# step, and no `return 0`, can hide a failure. A test ends in one of three
# ways, as kselftest's do:
#   exit 0              pass: every step held
#   fail MSG (exit 1)   fail: MSG names the step
#   skip WHY (exit 4)   skip: the test could not run; counted apart from
#                       passes and printed with its reason
# A helper called inside $(...) or a pipeline ends only that subshell:
# call them at the test's top level.

# kselftest's KSFT_SKIP
SKIP_EXIT=4

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit "$SKIP_EXIT"
}

# check WHAT CMD...: run CMD; if it fails, the test fails naming WHAT.
check() {
	local what=$1 got
	shift
	"$@"
	got=$?
	[ "$got" = 0 ] || { echo "command: $*"; fail "$what (exit $got)"; }
}

# run EXPECTED_EXIT CMD...: output in $TMP/out and $TMP/err. With
# RUN_TIMEOUT set, every run is bounded, so a hang fails the test instead
# of stopping make.
run() {
	local want=$1 got
	shift
	${RUN_TIMEOUT:+timeout "$RUN_TIMEOUT"} "$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "command: $*"
		echo "--- stdout"; tail -20 "$TMP/out"
		echo "--- stderr"; tail -20 "$TMP/err"
		fail "exit $got, want $want: $*"
	fi
}

# expect_in out|err PATTERN: grep -q PATTERN in $TMP/out or $TMP/err
expect_in() {
	local file=$1 pattern=$2
	grep -q -- "$pattern" "$TMP/$file" ||
		{ echo "--- $file:"; tail -20 "$TMP/$file"; fail "no '$pattern' in $file"; }
}

# expect_not_in out|err PATTERN: PATTERN must not occur
expect_not_in() {
	local file=$1 pattern=$2
	! grep -q -- "$pattern" "$TMP/$file" ||
		{ echo "--- $file:"; grep -- "$pattern" "$TMP/$file" | head -5; fail "'$pattern' in $file"; }
}

# listing DIR: every entry under DIR (but a .git folder) with its type,
# mode, owner, size, device numbers and content hash (or link target),
# sorted: two listings differ when anything under DIR changed. What the
# tests of writes as root compare before and after.
listing() {
	(cd "$1" && find . -path ./.git -prune -o -print0 | sort -z |
		xargs -0 stat -c '%n|%F|%a|%u:%g|%s|%t:%T' |
		while IFS='|' read -r p rest; do
			if [ -f "$p" ] && [ ! -L "$p" ]; then
				echo "$p|$rest|$(sha256sum <"$p" | cut -c1-64)"
			else
				echo "$p|$rest|$(readlink "$p")"
			fi
		done)
}

# run_all NAME: every function in $ALL_TESTS, each in its own subshell,
# then "NAME: N passed, N failed, N skipped" (the line tests/run-tests.sh
# adds up). A failed or skipped test prints "FAIL test: why" or
# "SKIP test: why" at the start of a line, then (failed) its output
# indented. A test that exits 0 but printed "FAIL: " lost a failed step
# in a subshell: it fails too. Returns non-zero when any test failed.
# FDTEST_ONLY="test_a test_b" runs those alone (tests/run-tests.sh
# clears it).
run_all() {
	local passed=0 failed=0 skipped=0 out t ret why
	for t in ${FDTEST_ONLY:-$ALL_TESTS}; do
		out=$( ($t) 2>&1)
		ret=$?
		why=$(echo "$out" | sed -n 's/^FAIL: //p' | tail -1)
		if [ "$ret" = 0 ] && [ -n "$why" ]; then
			ret=1
			why="a failed step was lost in a subshell: $why"
		fi
		if [ "$ret" = 0 ]; then
			echo "ok   $t"
			passed=$((passed + 1))
		elif [ "$ret" = "$SKIP_EXIT" ]; then
			why=$(echo "$out" | sed -n 's/^SKIP: //p' | tail -1)
			echo "SKIP $t: ${why:-no reason given}"
			skipped=$((skipped + 1))
		else
			echo "FAIL $t: ${why:-exit $ret}"
			echo "$out" | sed 's/^/     /'
			failed=$((failed + 1))
		fi
	done
	echo "$1: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}
