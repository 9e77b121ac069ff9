#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The test machinery tests itself: a deliberately failed step in a test
# of tests/cli-lib.sh fails that test and runs nothing after it, a skip
# is counted as a skip, run_all's closing line and exit status are right;
# and tests/run-tests.sh adds up single tests, cmocka's and scripts', and
# fails on a program that dies without its count. The scripts and the
# cmocka binary here are fakes written to $TMP.
set -u

cd "$(dirname "$0")/.." || exit 2
TMP=$(mktemp -d /tmp/fdtest-lib.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
LIB=$PWD/tests/cli-lib.sh

ALL_TESTS="
test_failed_steps_fail
test_nothing_runs_after_a_failed_step
test_skip_is_not_a_pass
test_all_pass_exits_0
test_run_tests_counts_tests
test_run_tests_fails_on_a_dead_script
test_run_tests_clean_exits_0
test_run_tests_not_root_fails
"

. tests/cli-lib.sh

# fake NAME TESTS BODY: a script $TMP/NAME.sh running BODY's functions
# TESTS with run_all; each step that must not run touches $TMP/ran.NAME
fake() {
	cat >"$TMP/$1.sh" <<-END
	TMP=\$(mktemp -d "$TMP/t.XXXXXX")
	ALL_TESTS="$2"
	. "$LIB"
	$3
	run_all $1
	END
}

STEPS='
t_pass() { check "true holds" true; run 0 true; expect_not_in out x; }
t_fail() { fail "the step"; touch "$TMP/../ran.fail"; }
t_check() { check "a false step" false; touch "$TMP/../ran.check"; }
t_expect_in() { echo here >"$TMP/out"; expect_in out absent; touch "$TMP/../ran.expect_in"; }
t_expect_not_in() { echo here >"$TMP/out"; expect_not_in out here; touch "$TMP/../ran.expect_not_in"; }
t_run() { run 0 sh -c "exit 3"; touch "$TMP/../ran.run"; }
t_last_false() { false; }
t_lost() { echo x | while read -r _; do fail "in a pipeline"; done; true; }
t_skip() { skip "cannot here"; touch "$TMP/../ran.skip"; }
'

test_failed_steps_fail() {
	fake mixed "t_pass t_fail t_check t_expect_in t_expect_not_in t_run t_last_false t_lost t_skip" "$STEPS"
	run 1 bash "$TMP/mixed.sh"
	expect_in out "^ok   t_pass$"
	expect_in out "^FAIL t_fail: the step$"
	expect_in out "^FAIL t_check: a false step (exit 1)$"
	expect_in out "^FAIL t_expect_in: no 'absent' in out$"
	expect_in out "^FAIL t_expect_not_in: 'here' in out$"
	expect_in out "^FAIL t_run: exit 3, want 0: sh -c exit 3$"
	expect_in out "^FAIL t_last_false: exit 1$"
	expect_in out "^FAIL t_lost: a failed step was lost in a subshell: in a pipeline$"
	expect_in out "^SKIP t_skip: cannot here$"
	[ "$(tail -1 "$TMP/out")" = "mixed: 1 passed, 7 failed, 1 skipped" ] ||
		fail "closing line: $(tail -1 "$TMP/out")"
}

test_nothing_runs_after_a_failed_step() {
	fake after "t_fail t_check t_expect_in t_expect_not_in t_run t_skip" "$STEPS"
	run 1 bash "$TMP/after.sh"
	local ran
	ran=$(cd "$TMP" && ls ran.* 2>/dev/null)
	[ -z "$ran" ] || fail "steps ran after a failed one: $ran"
}

test_skip_is_not_a_pass() {
	fake skips "t_skip t_skip" "$STEPS"
	run 0 bash "$TMP/skips.sh"
	expect_not_in out "^ok "
	[ "$(tail -1 "$TMP/out")" = "skips: 0 passed, 0 failed, 2 skipped" ] ||
		fail "closing line: $(tail -1 "$TMP/out")"
}

test_all_pass_exits_0() {
	fake good "t_pass t_pass t_skip" "$STEPS"
	run 0 bash "$TMP/good.sh"
	[ "$(tail -1 "$TMP/out")" = "good: 2 passed, 0 failed, 1 skipped" ] ||
		fail "closing line: $(tail -1 "$TMP/out")"
}

# a fake cmocka binary: 3 passed, 1 failed (with its error), 1 skipped
fake_cmocka() {
	mkdir -p "$TMP/o/tests"
	cat >"$TMP/o/tests/test_fake" <<-'END'
	#!/bin/sh
	echo "[==========] Running 5 test(s)."
	echo "[  ERROR   ] --- 0x1 != 0x2" >&2
	echo "[   LINE   ] --- fake.c:7: error: Failure!" >&2
	echo "[==========] 5 test(s) run."
	echo "[  PASSED  ] 3 test(s)."
	echo "[  SKIPPED ] 1 test(s), listed below:" >&2
	echo "[  SKIPPED ] test_later" >&2
	echo "[  FAILED  ] 1 test(s), listed below:" >&2
	echo "[  FAILED  ] test_sum" >&2
	exit 1
	END
	chmod +x "$TMP/o/tests/test_fake"
}

test_run_tests_counts_tests() {
	fake_cmocka
	fake mixed "t_pass t_fail t_skip" "$STEPS"
	fake good "t_pass t_pass" "$STEPS"
	run 1 env O="$TMP/o" tests/run-tests.sh "$TMP/mixed.sh" "$TMP/good.sh"
	[ "$(tail -1 "$TMP/out")" = "6 passed, 2 failed, 2 skipped" ] ||
		fail "closing line: $(tail -1 "$TMP/out")"
	expect_in out "^  test_fake: test_sum: 0x1 != 0x2; fake.c:7: error: Failure!$"
	expect_in out "^  test_fake: test_later (cmocka skip())$"
	expect_in out "^  mixed.sh: t_fail: the step$"
	expect_in out "^  mixed.sh: t_skip: cannot here$"
}

test_run_tests_fails_on_a_dead_script() {
	fake_cmocka
	rm "$TMP/o/tests/test_fake"
	printf 'echo "dead: 1 passed"\nexit 0\n' >"$TMP/dead.sh"
	printf 'echo "liar: 1 passed, 0 failed, 0 skipped"\nexit 1\n' >"$TMP/liar.sh"
	fake good "t_pass" "$STEPS"
	run 1 env O="$TMP/o" tests/run-tests.sh "$TMP/dead.sh" "$TMP/liar.sh" \
		"$TMP/good.sh" "$TMP/none.sh"
	expect_in out "^  dead.sh: exit 0 without its closing 'N passed, N failed, N skipped' line$"
	expect_in out "^  liar.sh: exit 1 with no failed test counted$"
	expect_in out "^  $TMP/none.sh: no such script$"
	expect_in out "^  cmocka: no test binaries in $TMP/o/tests"
	[ "$(tail -1 "$TMP/out")" = "2 passed, 4 failed, 0 skipped" ] ||
		fail "closing line: $(tail -1 "$TMP/out")"
}

test_run_tests_clean_exits_0() {
	fake_cmocka
	sed -i -e '/ERROR\|LINE\|FAILED/d' -e 's/exit 1/exit 0/' "$TMP/o/tests/test_fake"
	fake good "t_pass t_skip" "$STEPS"
	run 0 env O="$TMP/o" tests/run-tests.sh "$TMP/good.sh"
	[ "$(tail -1 "$TMP/out")" = "4 passed, 0 failed, 2 skipped" ] ||
		fail "closing line: $(tail -1 "$TMP/out")"
	expect_not_in out "^failed:"
	expect_in out "^skipped:"
}

# without root nothing can load: that is a failure, never a skip
test_run_tests_not_root_fails() {
	command -v setpriv >/dev/null || fail "setpriv missing: apt-get install util-linux"
	fake_cmocka
	sed -i -e '/ERROR\|LINE\|FAILED/d' -e 's/exit 1/exit 0/' "$TMP/o/tests/test_fake"
	echo 'echo "ok: 1 passed, 0 failed, 0 skipped"' >"$TMP/ok.sh"
	chmod -R a+rX "$TMP"
	run 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
		env O="$TMP/o" tests/run-tests.sh "$TMP/ok.sh"
	expect_in out "^  root: not root"
	[ "$(tail -1 "$TMP/out")" = "4 passed, 1 failed, 1 skipped" ] ||
		fail "closing line: $(tail -1 "$TMP/out")"
}

run_all test-lib
