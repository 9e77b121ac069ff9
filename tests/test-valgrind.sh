#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# fdtest under valgrind memcheck: no memory error, no leak. Over the
# corpus (every bundled dissector, all states and flag sets), and over
# long frames that end full batches, where valgrind 3.19 misreads the
# test run's output buffer (tests/valgrind.supp says why that one report
# is false; the test checks it is the only one hidden). In the sanitizer
# build both tests are skipped: ASan and valgrind do not mix.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$O/fdtest
REF=$O/dissectors/reference.bpf.o
TMP=$(mktemp -d /tmp/fdtest-valgrind.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
SUPP=tests/valgrind.supp
FALSE_REPORT=valgrind-3.19-bpf-test-run-data-out-sized-by-data-in

ALL_TESTS="
test_corpus_clean
test_long_frames_clean
"

. tests/cli-lib.sh

need_valgrind() {
	case $O in
	*/san) skip "the sanitizer build ($O): ASan and valgrind do not mix" ;;
	esac
	command -v valgrind >/dev/null || fail "valgrind missing: make deps"
}

# memcheck FDTEST-ARGS...: fdtest under valgrind exits 0 and valgrind
# reports nothing; its log (with the suppressions used) in $TMP/vg
memcheck() {
	valgrind --suppressions=$SUPP --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect -q -s \
		"$FDTEST" "$@" >"$TMP/out" 2>"$TMP/vg"
	local got=$?
	# with -q, valgrind's own lines are errors, but for the summary
	if [ "$got" = 99 ] || grep '^==[0-9]*==' "$TMP/vg" |
		grep -qv -e '^==[0-9]*== *$' -e 'ERROR SUMMARY: 0 errors '; then
		grep '^==' "$TMP/vg" | head -40
		fail "valgrind reports errors: fdtest $*"
	fi
	[ "$got" = 0 ] || { tail -5 "$TMP/vg"; fail "fdtest exit $got under valgrind: fdtest $*"; }
}

test_corpus_clean() {
	local captures
	need_valgrind
	mapfile -t captures < <(find pcaps -name '*.pcap' -o -name '*.pcapng' | sort)
	[ "${#captures[@]}" -gt 0 ] || fail "no captures under pcaps/ (run make)"
	memcheck run --flags all "${captures[@]}"
}

# Batches hold 256 frames or 256 KiB: 255 short frames then a 1514-byte
# one fill a batch's result array to its end with a long frame, twice,
# then 300 full-size frames in batches of their own.
test_long_frames_clean() {
	local r i
	need_valgrind
	for r in 1 2; do
		for i in $(seq 255); do
			echo "eth / ipv4 src=10.1.0.1 dst=10.1.0.2 / udp sport=$((1000 + i)) dport=53"
		done
		echo "eth / ipv4 src=10.1.0.1 dst=10.1.0.2 / tcp sport=2000 dport=80 / payload len=1460"
	done >"$TMP/long.txt"
	for i in $(seq 300); do
		echo "eth / ipv6 / udp sport=$((3000 + i)) dport=4789 / vxlan vni=1 / eth / ipv4 / tcp / payload len=1380"
	done >>"$TMP/long.txt"
	check "make the long-frame capture" "$FDTEST" gen -o "$TMP/long.pcap" "$TMP/long.txt"
	for j in 0 2; do
		memcheck run -j $j -d $REF --expected "$TMP/none" "$TMP/long.pcap"
		grep -q "^--[0-9]*-- used_suppression: .* $FALSE_REPORT " "$TMP/vg" ||
			fail "-j $j: the long frames no longer reach the end of a batch: the test proves nothing"
	done
}

run_all test-valgrind
