#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# fdtest under valgrind memcheck over the third-party captures
# (../shared/pcaps beside the repository, or FDTEST_SHARED_PCAPS): real
# traffic with long frames, every flag set, with and without threads. No
# memory error and no leak; the suppressions are tests/valgrind.supp's.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$O/fdtest
REF=$O/dissectors/reference.bpf.o
DIR=${FDTEST_SHARED_PCAPS:-$PWD/../shared/pcaps}
TMP=$(mktemp -d /tmp/fdtest-shared-vg.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ALL_TESTS="
test_shared_captures_clean
test_longest_capture_clean
"

. tests/cli-lib.sh

shared_captures() {
	[ -d "$DIR" ] ||
		fail "no third-party captures at $DIR: set FDTEST_SHARED_PCAPS to their folder"
	case $O in
	*/san) skip "the sanitizer build ($O): ASan and valgrind do not mix" ;;
	esac
	command -v valgrind >/dev/null || fail "valgrind missing: make deps"
	# pcapng files mixing link types are refused (exit 2): pcap only
	mapfile -t CAPTURES < <(find "$DIR" -maxdepth 1 -name '*.pcap' | sort)
	[ "${#CAPTURES[@]}" -gt 0 ] || fail "no .pcap files in $DIR"
}

# memcheck FDTEST-RUN-ARGS...: valgrind finds nothing; fdtest exits 0 or
# 1 (no goldens: a consistency failure of the reference dissector on odd
# traffic is the shared-pcaps test's business, not this one's)
memcheck() {
	valgrind --suppressions=tests/valgrind.supp --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite,indirect -q \
		"$FDTEST" run -d $REF --expected "$TMP/none" "$@" \
		>"$TMP/out" 2>"$TMP/vg"
	local got=$?
	if [ "$got" = 99 ] || grep -q '^==[0-9]*==' "$TMP/vg"; then
		grep '^==' "$TMP/vg" | head -40
		fail "valgrind reports errors: fdtest run $*"
	fi
	case $got in
	0|1) ;;
	*) tail -5 "$TMP/vg"; fail "fdtest exit $got under valgrind: fdtest run $*" ;;
	esac
}

test_shared_captures_clean() {
	shared_captures
	memcheck --flags all "${CAPTURES[@]}"
}

# the largest capture alone, on the calling thread and on two
test_longest_capture_clean() {
	local big
	shared_captures
	big=$(ls -S "${CAPTURES[@]}" | head -1)
	for j in 0 2; do
		memcheck -j $j --flags all "$big"
	done
}

run_all shared-valgrind
