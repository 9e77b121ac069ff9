# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Helpers the CLI test scripts share (sourced, not run): they expect $TMP
# to be a scratch folder and $ALL_TESTS to list the test functions.

fail() {
	echo "FAIL: $*"
	return 1
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
		fail "exit $got, want $want"
		return 1
	fi
}

# expect_in out|err PATTERN: grep -q PATTERN in $TMP/out or $TMP/err
expect_in() {
	local file=$1 pattern=$2
	grep -q -- "$pattern" "$TMP/$file" ||
		{ echo "--- $file:"; tail -20 "$TMP/$file"; fail "no '$pattern' in $file"; }
}

# run_all NAME: every function in $ALL_TESTS, then "NAME: N passed, N failed"
run_all() {
	local passed=0 failed=0 out t
	for t in $ALL_TESTS; do
		if out=$($t 2>&1); then
			echo "ok   $t"
			passed=$((passed + 1))
		else
			echo "FAIL $t"
			echo "$out" | sed 's/^/     /'
			failed=$((failed + 1))
		fi
	done
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
